"""Exports of a whole trace (placeholder until the rendering lands: JSON without LaTeX)."""

from __future__ import annotations

from .config import ConfigError


def trace_json(trace, **_options) -> dict:
    return trace.to_json()


def export(trace, fmt: str, **_options) -> str:
    raise ConfigError("--format", f"{fmt} is not available yet")
