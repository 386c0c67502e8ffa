"""How a name reads in plain text (`canon`, the key names are compared by) and in a table (`pretty`)."""

from __future__ import annotations

import re
import unicodedata

_GREEK = {"η": "eta", "δ": "delta", "Δ": "Delta", "σ": "sigma", "α": "alpha", "ε": "epsilon", "θ": "theta",
          "λ": "lambda", "μ": "mu", "∂": "d", "∇": "nabla"}
_PRETTY_GREEK = {"eta": "η", "delta": "δ", "Delta": "Δ", "sigma": "σ", "alpha": "α", "epsilon": "ε",
                 "theta": "θ", "lambda": "λ", "mu": "μ", "partial": "∂"}
_FRAC = re.compile(r"\\[dt]?frac\s*")


def _group(s: str, i: int) -> tuple[str, int]:
    """The brace group starting at s[i] (or the single character there) and the index after it."""
    while i < len(s) and s[i] == " ":
        i += 1
    if i >= len(s):
        return "", i
    if s[i] != "{":
        return s[i], i + 1
    depth = 0
    for j in range(i, len(s)):
        depth += {"{": 1, "}": -1}.get(s[j], 0)
        if depth == 0:
            return s[i + 1:j], j + 1
    return s[i + 1:], len(s)


def _slash_fractions(s: str) -> str:
    """`\\frac{A}{B}` -> `A/B`, nested ones too."""
    while m := _FRAC.search(s):
        num, i = _group(s, m.end())
        den, j = _group(s, i)
        s = s[:m.start()] + _slash_fractions(num) + "/" + _slash_fractions(den) + s[j:]
    return s


def canon(text: str) -> str:
    """How a name reads once written in plain text: the key names are compared by."""
    s = unicodedata.normalize("NFKC", text).replace("\u2212", "-")
    s = _slash_fractions(s)
    s = re.sub(r"\\(?:left|right|mathrm|text|operatorname|mathit|mathbf|boldsymbol)(?![A-Za-z])", "", s)
    s = re.sub(r"\\[,;:! ]", "", s).replace("\\partial", "d")
    for ch, name in _GREEK.items():
        s = s.replace(ch, name)
    s = re.sub(r"\^\{?\+\}?", "+", s)
    return re.sub(r"[\s\\{}_^$]", "", s)


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
