"""Display defaults: the precision each preset opens with (the note's own, else a short one), and titles."""

from __future__ import annotations

from engine import Network, load_preset

PRECISIONS = ("auto", "d2", "d3", "d4", "d5", "d6", "s3", "s4", "s6")
# NOTE: what each note writes. Notes 000, 001 and 003 print exact decimals (0.55125, 0.86875; note 001 rounds by
# hand to 2 decimals, so its numbers are exact too): "auto" shows them as printed. Note 002 prints 5 decimals
# throughout. Note 004 prints no numbers; 4 decimals is the short default every other network gets.
NOTE_PRECISION = {"note000": "auto", "note001": "auto", "note002": "d5", "note003": "auto"}
SHORT_DEFAULT = "d4"


def default_precision(preset_id: str | None) -> str:
    """The precision a preset opens with."""
    return NOTE_PRECISION.get(preset_id or "", SHORT_DEFAULT)


def parse_precision(text: str | None) -> str | None:
    """A precision from the URL (`auto`, `d0`-`d6` style as offered), or None when it is not one we offer."""
    if text is None:
        return None
    value = text.strip().lower()[:8]
    return value if value in PRECISIONS else None


def network_title(network: Network, lang: str) -> str:
    """A network's title in the language: its Chinese title in Chinese when it has one, else its title ("" if none)."""
    return (network.meta.get("title_zh") if lang == "zh" else None) or network.title or ""


def preset_title(preset_id: str, lang: str) -> str:
    """A preset's title in the language (its id when it has none)."""
    return network_title(load_preset(preset_id), lang) or preset_id
