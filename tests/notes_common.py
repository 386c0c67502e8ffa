"""What the note tests (tests/test_note_*.py) share: where the lecture notes are, a note's lines, a note preset's
trace and view, and our own rounding of a value at a printed number's decimals.

pytest puts the repository root and tests/ on sys.path (pyproject.toml, `pythonpath`), so a test imports this
as `from notes_common import ...` and the engine as `from engine import ...`, with no sys.path set-up.
"""

from __future__ import annotations

import functools
import re
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from pathlib import Path

from engine import load_preset
from engine.config import Network
from engine.noteview import ViewStep, render_view
from engine.render import RenderOptions
from engine.trace import Trace, compute_trace

NOTES_DIR = Path(__file__).resolve().parents[2] / "shared" / "notes"  # the lecture notes, beside the repository
CJK = re.compile(r"[\u4e00-\u9fff]")  # a Chinese character (a zh caption has one, an en caption none)
_ROUNDING = {"round": ROUND_HALF_UP, "cut": ROUND_DOWN}


def note_lines(filename: str) -> list[str]:
    """The lines of NOTES_DIR/filename as `cat -n` numbers them (only "\\n" ends a line): line n is [n - 1]."""
    return (NOTES_DIR / filename).read_text(encoding="utf-8").removesuffix("\n").split("\n")


@functools.cache
def _preset_trace(preset: str) -> Trace:
    return compute_trace(load_preset(preset))


def note_trace(preset: str, network: Network | None = None) -> Trace:
    """The trace of the preset (computed once, shared by the tests), or of `network` (e.g. the preset edited)."""
    return _preset_trace(preset) if network is None else compute_trace(network)


def note_view(preset: str, view: str = "note", network: Network | None = None, **render_options) -> list[ViewStep]:
    """The rendered view ("note", "full" or "trace") of note_trace(preset, network), with RenderOptions(**render_options)."""
    return render_view(note_trace(preset, network), RenderOptions(**render_options), view)


def at_printed(value: float, printed: str, mode: str = "round") -> str:
    """`value` (read at 12 significant digits) rounded half up ("round") or cut off ("cut") at the decimals of the
    printed number `printed`, in fixed point: our own arithmetic, independent of engine.noteview.printed_kind."""
    exponent = Decimal(1).scaleb(Decimal(printed).as_tuple().exponent)
    at = Decimal(format(value, ".12g")).quantize(exponent, rounding=_ROUNDING[mode])
    return format(at.copy_abs() if at == 0 else at, "f")  # "0.00", never "-0.00"
