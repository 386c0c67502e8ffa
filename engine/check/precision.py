"""Whether a value reads as the number the learner wrote, at the precision they wrote it."""

from __future__ import annotations

import math
import unicodedata
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation

from ..numbers import round_half_up
from .answers import Answer


def _written(answer: Answer) -> Decimal | None:
    """The number exactly as written, digits and all (None for a fraction such as 3/4)."""
    text = answer.text if answer.text is not None else repr(float(answer.value))
    s = unicodedata.normalize("NFKC", text).strip().replace("\u2212", "-").replace(" ", "").lstrip("+")
    if s.count(",") == 1 and "." not in s:
        s = s.replace(",", ".")
    try:
        d = Decimal(s)
    except InvalidOperation:
        return None
    return d if d.is_finite() else None


def _significant(d: Decimal) -> int:
    digits = "".join(map(str, d.as_tuple().digits)).lstrip("0")
    return len(digits)


def _clean(value: float) -> Decimal:
    return Decimal(format(value, ".12g"))


def _at(value: float, exponent: int, mode: str) -> Decimal | None:
    """`value` rounded half up (or cut off) at 10**exponent."""
    try:
        return _clean(value).quantize(Decimal(1).scaleb(exponent), rounding=mode)
    except InvalidOperation:
        return None


def agrees(candidate: float, answer: Answer, tolerance: float | None = None) -> bool:
    """Whether a value reads as the learner's number at the precision they wrote (the package doc, Verdicts)."""
    if not math.isfinite(candidate):
        return False
    given = float(answer.value)
    slack = 1e-12 * max(1.0, abs(candidate))
    if tolerance is not None:
        return abs(given - candidate) <= tolerance + slack
    if abs(given - candidate) <= slack:
        return True
    d = _written(answer)
    if d is None or _significant(d) < 2:
        return False
    exponent = d.as_tuple().exponent
    return any(_at(candidate, exponent, mode) == d for mode in (ROUND_HALF_UP, ROUND_DOWN))


def _cut(value: float, decimals: int) -> float:
    q = _at(value, -decimals, ROUND_DOWN)
    return float(q) if q is not None else value


def _round_significant(value: float, digits: int) -> float:
    if value == 0 or not math.isfinite(value):
        return value
    return round_half_up(value, digits - 1 - math.floor(math.log10(abs(value))))
