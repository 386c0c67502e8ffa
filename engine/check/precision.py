"""Whether a value reads as the number the learner wrote, at the precision they wrote it (the package doc,
Verdicts and Tolerances)."""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache

from ..numbers import at_place, round_half_up
from .answers import Answer

MODES = ("strict", "last_digit")  # strict: rounded or cut off at the written digits; last_digit: that ±1 in the last
MIN_FIGURES = 2  # a number written with fewer significant figures must be exact


@dataclass(frozen=True)
class _Form:
    """A number as written: its digits (`d`), the place of its last digit, its significant figures."""

    d: Decimal
    exponent: int
    figures: int
    value: float  # float(d)
    unit: float  # 10 ** exponent: one unit in the last written place


@lru_cache(maxsize=8192)  # NOTE: bounded: a number as a learner writes it is <= 60 characters, ~400 B, ~3 MB
def _form_of(text: str) -> _Form | None:
    s = unicodedata.normalize("NFKC", text).strip().replace("\u2212", "-").replace(" ", "").lstrip("+")
    if s.count(",") == 1 and "." not in s:
        s = s.replace(",", ".")
    try:
        d = Decimal(s)
    except InvalidOperation:
        return None
    if not d.is_finite():
        return None
    exponent = d.as_tuple().exponent
    try:
        unit = 10.0 ** exponent
    except OverflowError:  # `1e400` as an API caller may write it: no value reads as it
        unit = math.inf
    return _Form(d, exponent, _significant(d), float(d), unit)


def _form(answer: Answer) -> _Form | None:
    """The answer's number exactly as written, digits and all (None for a fraction such as 3/4)."""
    return _form_of(answer.text if answer.text is not None else repr(float(answer.value)))


def _written(answer: Answer) -> Decimal | None:
    form = _form(answer)
    return None if form is None else form.d


def _significant(d: Decimal) -> int:
    digits = "".join(map(str, d.as_tuple().digits)).lstrip("0")
    return len(digits)


def figures(answer: Answer) -> int | None:
    """The significant figures the answer was written with (None for a fraction)."""
    form = _form(answer)
    return None if form is None else form.figures


_at = at_place  # `value` rounded half up (or cut off) at 10**exponent (engine.numbers)


def _reads(candidate: float, form: _Form, mode: str) -> bool:
    """Whether `candidate` at the written place reads as the written number, by the mode, figures aside."""
    # NOTE: the fast path: rounded or cut off (or that ±1) at the written place, a value is within 2 units of it
    if abs(candidate - form.value) > 2.5 * form.unit + 1e-9 * abs(candidate):
        return False
    if mode == "last_digit":
        q = _at(candidate, form.exponent, ROUND_HALF_UP)
        return q is not None and abs(q - form.d) <= Decimal(1).scaleb(form.exponent)
    return any(_at(candidate, form.exponent, rounding) == form.d for rounding in (ROUND_HALF_UP, ROUND_DOWN))


def agrees(candidate: float, answer: Answer, tolerance: float | None = None, mode: str = "strict",
           min_figures: int = MIN_FIGURES) -> bool:
    """Whether a value reads as the learner's number at the precision they wrote (the package doc, Verdicts)."""
    if not math.isfinite(candidate):
        return False
    given = float(answer.value)
    slack = 1e-12 * max(1.0, abs(candidate))
    if tolerance is not None:
        return abs(given - candidate) <= tolerance + slack
    if abs(given - candidate) <= slack:
        return True
    form = _form(answer)
    if form is None or form.figures < min_figures:
        return False
    return _reads(candidate, form, mode)


def too_few_figures(candidate: float, answer: Answer, mode: str = "strict", min_figures: int = MIN_FIGURES) -> bool:
    """Whether the answer reads as `candidate` at its written place but has fewer than `min_figures`
    significant figures (and is not exactly it): `0.03` for 0.0278, `1` for 1.25."""
    form = _form(answer)
    if form is None or not 0 < form.figures < min_figures or not math.isfinite(candidate):
        return False  # NOTE: a written 0 for 0.3 is a plain wrong value, not one of too few figures
    if abs(float(answer.value) - candidate) <= 1e-12 * max(1.0, abs(candidate)):
        return False
    return _reads(candidate, form, mode)


def written_like(value: float, answer: Answer) -> Answer:
    """`value` as the learner would have written it: rounded half up at the place of the answer's last digit."""
    form = _form(answer)
    if form is None:
        return Answer(answer.key, None, value, answer.id)
    q = _at(value, form.exponent, ROUND_HALF_UP)
    if q is None:
        return Answer(answer.key, None, value, answer.id)
    return Answer(answer.key, format(q, "f"), float(q), answer.id)


def _cut(value: float, decimals: int) -> float:
    q = _at(value, -decimals, ROUND_DOWN)
    return float(q) if q is not None else value


def _round_significant(value: float, digits: int) -> float:
    if value == 0 or not math.isfinite(value):
        return value
    return round_half_up(value, digits - 1 - math.floor(math.log10(abs(value))))
