"""The presets: the notes' worked examples and our own, shipped as JSON data files in engine/presets/."""

from __future__ import annotations

import functools
import json
from pathlib import Path

from .config import ConfigError, Network, parse_config_text

PRESET_DIR = Path(__file__).with_name("presets")


def _order(path: Path) -> tuple[int, str]:
    return (0 if path.stem.startswith("note") else 1, path.stem)


@functools.cache
def preset_ids() -> tuple[str, ...]:
    """Preset ids: the notes first, in the notes' order, then ours."""
    return tuple(p.stem for p in sorted(PRESET_DIR.glob("*.json"), key=_order))


@functools.cache
def load_preset(preset_id: str) -> Network:
    """A preset by id, validated like any config file (callers must not mutate it)."""
    if preset_id not in preset_ids():
        raise ConfigError("preset", code="unknown_name", got=preset_id, choices=", ".join(preset_ids()))
    path = PRESET_DIR / f"{preset_id}.json"
    network = parse_config_text(path.read_text(encoding="utf-8"), path.name)
    network.meta.setdefault("id", preset_id)
    return network


def list_presets() -> list[dict]:
    """`presets --json`: a list of {"id", "title", "source"}, plus the Chinese title when there is one."""
    out = []
    for pid in preset_ids():
        raw = json.loads((PRESET_DIR / f"{pid}.json").read_text(encoding="utf-8"))
        out.append({"id": pid, "title": raw.get("title", pid), "source": raw.get("source"),
                    "title_zh": raw.get("title_zh")})
    return out
