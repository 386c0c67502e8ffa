"""Numbers as a learner reads and writes them: parsing typed text, hand rounding, display."""

from __future__ import annotations

import math
import re
import unicodedata
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation

from .limits import MAX_NUMBER_CHARS

# NOTE: both patterns are only ever fullmatched (anchored at 0) and have no overlapping quantifiers: linear time
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_FRACTION = re.compile(r"([+-]?\d+(?:\.\d+)?)\s*/\s*(\d+(?:\.\d+)?)")


def parse_number(text: str) -> float:
    """Parse a number a person typed (`0.5`, `-1.05`, `−0.21`, `1e-3`, `0,5`, `１．５`, `3/4`); never eval."""
    if not isinstance(text, str):
        raise ValueError(f"expected text, got {type(text).__name__}")
    if len(text) > MAX_NUMBER_CHARS:  # before any parsing
        raise ValueError(f"{text[:12]!r}… is {len(text)} characters long, beyond the limit of {MAX_NUMBER_CHARS} for a number")
    s = unicodedata.normalize("NFKC", text).strip()
    s = s.replace("\u2212", "-").replace("\u2013", "-").replace(" ", "").replace("\u00a0", "")
    if not s:
        raise ValueError("empty")
    if s.count(",") == 1 and "." not in s:
        s = s.replace(",", ".")  # NOTE: a decimal comma, as many learners write it
    if _NUMBER.fullmatch(s):
        value = float(s)
    elif m := _FRACTION.fullmatch(s):
        denominator = float(m.group(2))
        if denominator == 0:
            raise ValueError(f"{text!r} divides by zero")
        value = float(m.group(1)) / denominator
    else:
        raise ValueError(f"{text!r} is not a number")
    if not math.isfinite(value):
        raise ValueError(f"{text!r} is not a finite number")
    return value


def decimals_written(text: str) -> int | None:
    """How many decimals a number was written with (`0.2984` -> 4, `3` -> 0); None if not plain decimal."""
    s = unicodedata.normalize("NFKC", text).strip().replace("\u2212", "-")
    if s.count(",") == 1 and "." not in s:
        s = s.replace(",", ".")
    m = re.fullmatch(r"[+-]?\d*(?:\.(\d*))?", s)
    if not m:
        return None
    return len(m.group(1) or "")


def round_half_up(value: float, decimals: int) -> float:
    """Round the way a hand calculation does: on the decimal digits, halves away from zero."""
    if not math.isfinite(value):
        return value
    quantum = Decimal(1).scaleb(-decimals)
    try:
        return float(Decimal(repr(value)).quantize(quantum, rounding=ROUND_HALF_UP))
    except InvalidOperation:  # too many digits for the context: already far more precise than asked
        return value


def _plain(d: Decimal) -> str:
    text = format(d, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def format_number(value: float, *, decimals: int | None = None, significant: int | None = None) -> str:
    """Display a value without float noise.

    Default: up to 10 significant digits with trailing zeros dropped, so exact decimals stay exact
    (0.86875) and 0.1 + 0.2 shows as 0.3. `decimals` rounds to a fixed number of decimals (and keeps
    them: 0.50); `significant` to that many significant digits. Very small or large numbers use
    scientific form `1.5e-07` (the renderer writes it as 1.5 \\times 10^{-7}).
    """
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "∞" if value > 0 else "-∞"
    if value == 0:
        return "0" if decimals is None else format(0, f".{decimals}f")
    if decimals is not None:
        d = Decimal(repr(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
        text = format(d, "f")
        return text[1:] if text.startswith("-") and Decimal(text) == 0 else text
    digits = significant if significant is not None else 10
    magnitude = math.floor(math.log10(abs(value)))
    if magnitude < -6 or magnitude >= 12:
        mantissa = f"{value:.{digits - 1}e}"
        head, exp = mantissa.split("e")
        if "." in head:
            head = head.rstrip("0").rstrip(".")
        return f"{head}e{exp}"
    d = Decimal(repr(value))
    quantum = Decimal(1).scaleb(magnitude - digits + 1)
    d = d.quantize(quantum, rounding=ROUND_HALF_UP)
    if significant is not None:
        text = format(d, "f")
        return text[1:] if text.startswith("-") and Decimal(text) == 0 else text
    return _plain(d)


def matches_written(value: float, text: str) -> bool:
    """Whether `text` is `value` written at the precision of `text`: rounded (half up) or cut off there.

    Teachers accept both: 0.59326 and 0.59327 are right for 0.5932699..., 0.2984 for 0.298371...
    """
    places = decimals_written(text)
    if places is None or not math.isfinite(value):
        return False
    try:
        written = Decimal(unicodedata.normalize("NFKC", text).strip().replace("\u2212", "-").replace(",", "."))
        exact = Decimal(repr(value))
    except InvalidOperation:
        return False
    quantum = Decimal(1).scaleb(-places)
    # NOTE: float noise such as 1.3124999999999998 must read as 1.3125, so the value is first cleaned to 12 digits
    clean = Decimal(format(value, ".12g")) if abs(value) >= 1e-300 else exact
    candidates = {clean.quantize(quantum, rounding=ROUND_HALF_UP), clean.quantize(quantum, rounding=ROUND_DOWN)}
    return written in candidates


def snap(value: float) -> float:
    """A computed value as the decimal it is: rounded to 15 significant digits.

    NOTE: binary floats cannot hold most short decimals, so arithmetic on them shows noise
    (5.05 - 4 = 1.0499999999999998). A double carries ~15.9 significant digits; rounding every computed
    value to 15 gives back the exact decimal (1.05) whenever the true result has one, and moves any
    other value by less than 5e-15 of itself.
    """
    return float(f"{value:.15g}") if math.isfinite(value) else value


def at_place(value: float, exponent: int, mode: str) -> Decimal | None:
    """`value` rounded (decimal's ROUND_HALF_UP) or cut off (ROUND_DOWN) at 10**exponent, after cleaning it to 12
    significant digits so float noise decides no tie (1.3124999999999998 reads as 1.3125); None if it cannot be."""
    try:
        return Decimal(format(value, ".12g")).quantize(Decimal(1).scaleb(exponent), rounding=mode)
    except InvalidOperation:
        return None
