"""Notation symbols as plain text, the way they read in a caption, a table or a diagram label.

`w_5` -> w₅, `w_o^{(1)}` -> wₒ⁽¹⁾, `a_1''` -> a₁″, `\\frac{\\partial E}{\\partial w_5}` -> ∂E/∂w₅, `\\eta` -> η.
"""

from __future__ import annotations

import functools
import re

_COMMANDS = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "varepsilon": "ε", "zeta": "ζ",
    "eta": "η", "theta": "θ", "iota": "ι", "kappa": "κ", "lambda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ",
    "pi": "π", "rho": "ρ", "sigma": "σ", "tau": "τ", "upsilon": "υ", "phi": "φ", "varphi": "φ", "chi": "χ",
    "psi": "ψ", "omega": "ω", "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ", "Pi": "Π",
    "Sigma": "Σ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω", "partial": "∂", "infty": "∞", "prime": "′",
    "cdot": "·", "times": "×",
}
_WRAPPERS = ("text", "mathrm", "mathbf", "mathit", "mathsf", "boldsymbol", "operatorname", "bm")
_ACCENTS = {"hat": "\u0302", "bar": "\u0304", "tilde": "\u0303", "vec": "\u20d7", "dot": "\u0307"}
_SPACES = (",", ";", ":", "!", " ", "quad", "qquad")
_SUB = dict(zip("0123456789+-=()aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ"))
_SUP = dict(zip("0123456789+-=()inHTOL", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁱⁿᴴᵀᴼᴸ"))
# NOTE: a run of primes as one real prime character: a₁″ (U+2033) can never be read as a₁′ (U+2032), and two
# ASCII apostrophes a₁'' would look like a quotation mark
_PRIMES = {1: "′", 2: "″", 3: "‴", 4: "⁗"}
_PRIME_RUN = re.compile(r"['′]+")


# NOTE: matched at a position (never on a slice) and with no overlapping quantifiers: linear in the text
_NAME = re.compile(r"\\[A-Za-z]+")
_COMMAND = re.compile(r"\\([A-Za-z]+|.)\s*", re.S)


def group(text: str, i: int) -> tuple[str, int]:
    """The argument starting at i: a {braced group}, a \\command, or one character."""
    while i < len(text) and text[i] == " ":
        i += 1
    if i >= len(text):
        return "", i
    if text[i] == "{":
        close = text.find("}", i + 1)
        if close != -1 and text.find("{", i + 1, close) == -1:  # no group inside: the common case, found in C
            return text[i + 1:close], close + 1
        depth = 0
        for j in range(i, len(text)):
            ch = text[j]
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
                if depth == 0:
                    return text[i + 1:j], j + 1
        return text[i + 1:], len(text)
    if text[i] == "\\":
        m = _NAME.match(text, i)  # NOTE: match at i, never on a slice: slicing would copy the rest each time
        if m:
            return m.group(0), m.end()
    return text[i], i + 1


def _script(body: str, table: dict[str, str], mark: str) -> str:
    # NOTE: Unicode has sub/superscripts for only some letters; longer words stay readable as _word
    letters = sum(c.isalpha() for c in body)
    if body and all(c in table for c in body) and letters <= 2:
        return "".join(table[c] for c in body)
    if mark == "^" and body and all(ch in "*'′″‴⁗" for ch in body):
        return body
    return f"{mark}{body}" if len(body) == 1 or mark == "_" else f"{mark}({body})"


@functools.lru_cache(maxsize=4096)  # = engine.memo.PLAIN_CACHE_ENTRIES: a symbol and its text, <= 4 MB
def plain(latex: str) -> str:
    """A notation symbol's LaTeX as plain text with Unicode sub/superscripts."""
    out: list[str] = []
    i = 0
    while i < len(latex):
        c = latex[i]
        if c == "\\":
            m = _COMMAND.match(latex, i)
            if m is None:  # a backslash at the very end
                out.append("\\")
                break
            name = m.group(1)
            i = m.end()
            if name in ("frac", "dfrac", "tfrac"):
                num, i = group(latex, i)
                den, i = group(latex, i)
                out.append(f"{plain(num)}/{plain(den)}")
            elif name in _WRAPPERS:
                arg, i = group(latex, i)
                out.append(plain(arg))
            elif name in _ACCENTS:
                arg, i = group(latex, i)
                text = plain(arg)
                out.append(text + _ACCENTS[name] if len(text) == 1 else text)
            elif name in _SPACES:
                out.append(" " if name != "!" else "")
            else:
                out.append(_COMMANDS.get(name, name))
        elif c in "_^":
            arg, i = group(latex, i + 1)
            out.append(_script(plain(arg), _SUB if c == "_" else _SUP, c))
        elif c in "{} ":
            i += 1
        else:
            out.append(c)
            i += 1
    text = _PRIME_RUN.sub(lambda m: _PRIMES.get(len(m.group(0)), m.group(0)), "".join(out))
    return re.sub(r"\s+", " ", text).strip()
