"""The mistakes as data: each model's and rule's words, read from mistakes.json (one table, English and Chinese).

    MISTAKE_INFO[key] -> MistakeInfo(key, kind, reproduces, label, message, teacher, message_more)
    RULES             the keys the marking rules give (premature_rounding, too_few_figures, trivial_step)
    words(key, field, lang) -> str

The computations stay in mistakes.py (the models) and marker.py (the rules); the table holds only what is said
about them: what a model reproduces, a short label for a table cell, the message in an explanation, and a short
note for the teacher.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

LANGS = ("en", "zh")
_FIELDS = ("reproduces", "label", "message", "teacher")


@dataclass(frozen=True)
class MistakeInfo:
    key: str
    kind: str  # "model" (mistakes.MODELS computes it) or "rule" (marker.py gives it)
    reproduces: dict[str, str]
    label: dict[str, str]
    message: dict[str, str]
    teacher: dict[str, str]
    message_more: dict[str, str] | None = None


def _load() -> dict[str, MistakeInfo]:
    raw = json.loads(Path(__file__).with_name("mistakes.json").read_text(encoding="utf-8"))
    out: dict[str, MistakeInfo] = {}
    for entry in raw["mistakes"]:
        for name in _FIELDS:
            assert set(entry[name]) == set(LANGS) and all(entry[name].values()), (entry["key"], name)
        assert entry["kind"] in ("model", "rule"), entry["key"]
        out[entry["key"]] = MistakeInfo(entry["key"], entry["kind"], *(entry[name] for name in _FIELDS),
                                        entry.get("message_more"))
    return out


MISTAKE_INFO: dict[str, MistakeInfo] = _load()
RULES: tuple[str, ...] = tuple(k for k, info in MISTAKE_INFO.items() if info.kind == "rule")


def words(key: str, field: str, lang: str) -> str:
    """One of a mistake's words (`label`, `message`, `reproduces`, `teacher`) in `lang` (English when unknown)."""
    entry: dict[str, str] = getattr(MISTAKE_INFO[key], field)
    return entry.get(lang) or entry["en"]
