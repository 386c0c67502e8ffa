"""How a name reads in plain text (`canon`, the key names are compared by) and in a table (`pretty`)."""

from __future__ import annotations

import re
import unicodedata

from ..symbols import group

_GREEK = {"η": "eta", "δ": "delta", "Δ": "Delta", "σ": "sigma", "α": "alpha", "ε": "epsilon", "θ": "theta",
          "λ": "lambda", "μ": "mu", "∂": "d", "∇": "nabla"}
_PRETTY_GREEK = {"eta": "η", "delta": "δ", "Delta": "Δ", "sigma": "σ", "alpha": "α", "epsilon": "ε",
                 "theta": "θ", "lambda": "λ", "mu": "μ", "partial": "∂"}
# NOTE: every pattern here is linear: no nested or overlapping quantifiers
_FRAC = re.compile(r"\\[dt]?frac\s*")
_WRAPPER = re.compile(r"\\(?:left|right|mathrm|text|operatorname|mathit|mathbf|boldsymbol)(?![A-Za-z])")
_SPACING = re.compile(r"\\[,;:! ]")
_PLUS = re.compile(r"\^\{?\+\}?")
_DROPPED = re.compile(r"[\s\\{}_^$]")


def _slash_fractions(s: str) -> str:
    """`\\frac{A}{B}` -> `A/B`, nested ones too. NOTE: quadratic in the number of fractions; it only sees
    names (at most MAX_NAME_CHARS) and notation symbols (at most MAX_SYMBOL_CHARS) and what is built from them."""
    if "frac" not in s:
        return s
    while m := _FRAC.search(s):
        num, i = group(s, m.end())
        den, j = group(s, i)
        s = s[:m.start()] + _slash_fractions(num) + "/" + _slash_fractions(den) + s[j:]
    return s


def canon(text: str) -> str:
    """How a name reads once written in plain text: the key names are compared by."""
    s = unicodedata.normalize("NFKC", text).replace("\u2212", "-")
    s = _slash_fractions(s)
    if "\\" in s:
        s = _WRAPPER.sub("", s)
        s = _SPACING.sub("", s).replace("\\partial", "d")
    if not s.isascii():
        for ch, name in _GREEK.items():
            s = s.replace(ch, name)
    s = _PLUS.sub("+", s)
    return _DROPPED.sub("", s)


def pretty(latex: str) -> str:
    """A symbol for a plain-text table: `\\frac{\\partial E}{\\partial w_5}` -> `∂E/∂w5`, `y_{o}` -> `y_o`."""
    s = _slash_fractions(latex)
    s = re.sub(r"\\([A-Za-z]+)\s*", lambda m: _PRETTY_GREEK.get(m.group(1), m.group(1)), s)
    s = re.sub(r"\^\{\+\}", "+", s)
    s = re.sub(r"\^\{(\([^{}]*\))\}", r"\1", s)
    s = re.sub(r"\^\{([^{}]*)\}", r"^\1", s)
    s = re.sub(r"([A-Za-z])_\{?(\d+)\}?(?![\d])", r"\1\2", s)
    s = re.sub(r"_\{([^{}]*)\}", r"_\1", s)
    return re.sub(r"[{}\s]", "", s)


def _subscript(latex: str) -> str | None:
    m = re.fullmatch(r"[A-Za-z]+_(?:\{([^{}]+)\}|(\w))", latex.strip())
    return (m.group(1) or m.group(2)) if m else None
