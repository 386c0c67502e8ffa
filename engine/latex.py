"""LaTeX for numbers and for the expressions a learner writes, in the learner's order and with their factors.

NOTE: step lines are built from the small expression tree below, not from SymPy expressions: SymPy's
printer formats floats itself, pulls signs out of products and treats `w_1 x_1` and `0.5 \\times 1` with
one multiplication sign, so the line would no longer read as the notes write it. SymPy builds the matrix
view (engine.matrix), where its matrices print as the notes write them.
"""

from __future__ import annotations

import functools
import re
import string
import unicodedata
from dataclasses import dataclass

from .limits import MAX_SYMBOL_CHARS, MAX_SYMBOL_DEPTH
from .numbers import format_number

MUL_SIGNS = {"times": r"\times", "cdot": r"\cdot"}


@functools.lru_cache(maxsize=32768)  # = engine.memo.NUMBER_CACHE_ENTRIES: <= 300 B an entry, <= 10 MB
def number(value: float, decimals: int | None = None, significant: int | None = None) -> str:
    """A number as LaTeX at the chosen precision: `0.86875`, `-1.05`, `1.5 \\times 10^{-7}` (never `1.5e-07`)."""
    text = format_number(value, decimals=decimals, significant=significant)
    if "e" in text:
        mantissa, exponent = text.split("e")
        return rf"{mantissa} \times 10^{{{int(exponent)}}}"
    if text in ("∞", "-∞"):
        return text.replace("∞", r"\infty")
    if text == "NaN":
        return r"\text{NaN}"
    return text


@functools.lru_cache(maxsize=32768)  # = engine.memo.NUMBER_CACHE_ENTRIES: <= 300 B an entry, <= 10 MB
def plain_number(value: float, decimals: int | None = None, significant: int | None = None) -> str:
    """A number as plain text for tables: `0.86875`, `1.5 × 10⁻⁷`."""
    text = format_number(value, decimals=decimals, significant=significant)
    if "e" in text:
        mantissa, exponent = text.split("e")
        return f"{mantissa} × 10{str(int(exponent)).translate(_SUPERSCRIPTS)}"
    return text


_SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


@dataclass(frozen=True, slots=True)
class Style:
    """How numbers and products are written: the precision and the multiplication sign."""

    decimals: int | None = None
    significant: int | None = None
    mul: str = "times"


# --- the expression tree: each node knows how a learner writes it ------------------------------------

class Node:
    __slots__ = ()


@dataclass(frozen=True, slots=True)
class Sym(Node):
    """A symbol, already LaTeX (`w_5`, `\\frac{\\partial E}{\\partial y}`)."""

    tex: str


@dataclass(frozen=True, slots=True)
class Num(Node):
    """A number. `given`: typed by the learner (an input, a weight, eta): never padded with zeros (0.15, not 0.15000)."""

    value: float
    given: bool = False


@dataclass(frozen=True, slots=True)
class Prod(Node):
    """A product. `sign`: "mul" (the chosen sign, between numbers), "dot" (\\cdot, between partials), "juxt"."""

    factors: tuple[Node, ...]
    sign: str = "mul"


@dataclass(frozen=True, slots=True)
class Sum(Node):
    terms: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Diff(Node):
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Neg(Node):
    inner: Node


@dataclass(frozen=True, slots=True)
class Frac(Node):
    num: Node
    den: Node


@dataclass(frozen=True, slots=True)
class Pow(Node):
    base: Node
    exponent: str


@dataclass(frozen=True, slots=True)
class Call(Node):
    """A function written around its argument: `template` holds `@` where the argument goes.

    `wrap` says when the argument needs parentheses: "compound" (anything but a symbol or a plain
    non-negative number, as in e^{-(0.3 \\times 0.57 + 0.2)}) or "never" (the template has its own).
    """

    template: str
    arg: Node
    wrap: str = "compound"


@dataclass(frozen=True, slots=True)
class Fn(Node):
    """A function applied to its arguments in parentheses: \\max(0, z), \\tanh(z)."""

    name: str
    args: tuple[Node, ...]


def tex(node: Node, style: Style = Style()) -> str:
    """The LaTeX of an expression; negative numbers after an operator are parenthesised."""
    return _tex(node, style, True)


def _is_compound(node: Node, style: Style) -> bool:
    if isinstance(node, Sym):
        return False
    if isinstance(node, Num):
        text = _number_text(node, style)
        return text.startswith("-") or " " in text
    return True


def _number_text(node: Num, style: Style) -> str:
    text = number(node.value, style.decimals, style.significant)
    if node.given and "." in text and " " not in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _parenthesised(inner: str) -> str:
    """( ... ), grown to the height of a fraction inside."""
    return rf"\left({inner}\right)" if r"\frac" in inner else f"({inner})"


def _tex(node: Node, style: Style, lead: bool) -> str:
    """`lead`: the node starts its expression (nothing before it binds to a leading minus)."""
    if isinstance(node, Sym):
        return node.tex
    if isinstance(node, Num):
        text = _number_text(node, style)
        return text if lead or not text.startswith("-") else f"({text})"
    if isinstance(node, Prod):
        sign = {"mul": f" {MUL_SIGNS[style.mul]} ", "dot": r" \cdot ", "juxt": " "}[node.sign]
        parts = []
        for i, factor in enumerate(node.factors):
            if isinstance(factor, (Sum, Diff)) or (isinstance(factor, Neg) and i > 0):
                parts.append(_parenthesised(_tex(factor, style, True)))
            else:
                parts.append(_tex(factor, style, lead and i == 0))
        return sign.join(parts)
    if isinstance(node, Sum):
        parts = [_tex(node.terms[0], style, lead)]
        parts += [_tex(term, style, False) if not isinstance(term, Neg) else f"({_tex(term, style, True)})"
                  for term in node.terms[1:]]
        return " + ".join(parts)
    if isinstance(node, Diff):
        right = node.right
        if isinstance(right, (Sum, Diff, Neg)):
            right_tex = f"({_tex(right, style, True)})"
        else:
            right_tex = _tex(right, style, False)
        return f"{_tex(node.left, style, lead)} - {right_tex}"
    if isinstance(node, Neg):
        inner = node.inner
        if isinstance(inner, (Sum, Diff, Neg)) or (isinstance(inner, Num) and _is_compound(inner, style)):
            text = f"-({_tex(inner, style, True)})"
        else:
            text = f"-{_tex(inner, style, True)}"
        return text if lead else f"({text})"
    if isinstance(node, Frac):
        return rf"\frac{{{_tex(node.num, style, True)}}}{{{_tex(node.den, style, True)}}}"
    if isinstance(node, Pow):
        base = _tex(node.base, style, True)
        if _is_compound(node.base, style):
            base = f"({base})"
        elif base.endswith("]"):
            base = f"({base})"  # a per-sample symbol, a_o[1]: the square belongs to all of it
        elif "^" in base or "'" in base:
            base = "{" + base + "}"  # NOTE: a^{(1)}_{1}^{2} would be a double superscript
        return f"{base}^{{{node.exponent}}}"
    if isinstance(node, Call):
        arg = _tex(node.arg, style, True)
        if node.wrap == "compound" and _is_compound(node.arg, style):
            arg = f"({arg})"
        return node.template.replace("@", arg)
    if isinstance(node, Fn):
        return f"{node.name}({', '.join(_tex(arg, style, True) for arg in node.args)})"
    raise TypeError(f"not an expression node: {node!r}")


def equation(*parts: str) -> str:
    """`a = b = c`, leaving out empty parts and a part that repeats the one before it."""
    kept: list[str] = []
    for part in parts:
        if part and (not kept or part != kept[-1]):
            kept.append(part)
    return " = ".join(kept)


# --- KaTeX's subset: a structural check, used by the tests and to reject a preset's bad notation ------

KATEX_COMMANDS = frozenset("""
frac dfrac tfrac partial cdot times approx eta delta Delta sigma Sigma alpha beta gamma Gamma epsilon
varepsilon zeta theta Theta iota kappa lambda Lambda mu nu xi Xi pi Pi rho tau upsilon phi Phi varphi
chi psi Psi omega Omega ell nabla ln log exp tanh max min sum prod left right begin end operatorname
text mathrm mathbf mathit mathsf boldsymbol bm hat bar tilde vec dot ddot odot circ le ge leq geq neq
infty quad qquad prime top intercal cdots ldots dots vdots ddots to rightarrow leftarrow mid lvert rvert
lVert rVert Vert vert lbrace rbrace langle rangle lfloor rfloor lceil rceil boxed Rightarrow Leftarrow
""".split())
KATEX_ENVIRONMENTS = frozenset({"bmatrix", "pmatrix", "matrix", "vmatrix", "Bmatrix", "cases", "array"})
_COMMAND = re.compile(r"\\([A-Za-z]+|.)")
# NOTE: every pattern that sees user text runs in linear time: no nested or overlapping quantifiers, and
# a group's body stops at the next backslash, so each character is scanned a bounded number of times
_ENVIRONMENT = re.compile(r"\\(?:begin|end)\{([^{}\\]*)\}")
_TEXT_COMMAND = re.compile(r"\\(?:text|operatorname)\{")
_TEXT_SPECIALS = re.compile(r"(?<!\\)[#$%&_^~]|(?<!\\)\\(?![#$%&_{} ])")


def katex_problems(text: str) -> list[str]:
    """Structural problems that would make KaTeX fail: unbalanced braces, double scripts, unknown commands."""
    problems: list[str] = []
    depth = 0
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth < 0:
                problems.append(f"unbalanced '}}' at {i}")
                depth = 0
        i += 1
    if depth:
        problems.append("unbalanced '{'")
    for m in _COMMAND.finditer(text):
        name = m.group(1)
        if name.isalpha() and name not in KATEX_COMMANDS:
            problems.append(f"command \\{name} outside the allowed subset")
    for env in _ENVIRONMENT.findall(text):
        if env not in KATEX_ENVIRONMENTS:
            problems.append(f"environment {env} outside the allowed subset")
    if text.count(r"\begin") != text.count(r"\end"):
        problems.append(r"unbalanced \begin/\end")
    if len(re.findall(r"\\left(?![A-Za-z])", text)) != len(re.findall(r"\\right(?![A-Za-z])", text)):
        problems.append(r"unbalanced \left/\right")
    problems += [f"double {kind}script near {at!r}" for kind, at in _double_scripts(text)]
    end = 0  # NOTE: a group is read once: \text{\text{\text{... must not be scanned again for each opening
    for m in _TEXT_COMMAND.finditer(text):
        if m.start() < end:
            continue
        body = _group(text, m.end() - 1)
        if body is None:
            break  # never closes: neither does any later group
        end = m.end() + len(body) + 1
        if _TEXT_SPECIALS.search(body):
            problems.append(f"unescaped special character in {m.group(0)}{body}}}")
    return problems


# --- a notation symbol from a user: the steps' allowlist, and more, within size limits ------------------

_SYMBOL_ASCII = frozenset(string.ascii_letters + string.digits + " _^{}()[]'+-*/.,:;!|\\")
_SYMBOL_UNICODE = frozenset("′″·×−∂∇")  # besides letters, marks and digits of any script
_SYMBOL_ESCAPES = frozenset(",:;! {}|_")  # \, \: \; \! \  \{ \} \| \_
_SYMBOL_DENIED = frozenset({"begin", "end", "left", "right"})  # allowed in a step, not in one symbol


def symbol_problems(text: str) -> list[str]:
    """Why `text` cannot be a notation symbol (empty when it can): at most MAX_SYMBOL_CHARS characters,
    braces balanced and nested at most MAX_SYMBOL_DEPTH deep, only letters, digits and the characters of
    `_SYMBOL_ASCII`, every command one KaTeX knows and the steps allow (`katex_problems`), no environments,
    no line breaks, no trailing backslash, no `^^` (TeX's character codes)."""
    if len(text) > MAX_SYMBOL_CHARS:
        return [f"longer than {MAX_SYMBOL_CHARS} characters"]
    depth = deepest = 0
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            nxt = text[i + 1] if i + 1 < len(text) else ""
            if not nxt:
                return ["ends in a backslash"]
            if nxt.isascii() and nxt.isalpha():
                j = i + 1
                while j < len(text) and text[j].isascii() and text[j].isalpha():
                    j += 1
                if text[i + 1:j] in _SYMBOL_DENIED:
                    return [f"\\{text[i + 1:j]} is not allowed in a symbol"]
                i = j
                continue
            if nxt not in _SYMBOL_ESCAPES:
                return [f"\\{nxt} is not allowed in a symbol"]
            i += 2
            continue
        if ch not in _SYMBOL_ASCII and not (ch in _SYMBOL_UNICODE or (not ch.isascii() and ch.isprintable()
                                                                        and unicodedata.category(ch)[0] in "LMN")):
            return [f"the character {ch!r} is not allowed in a symbol"]
        if ch == "{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch == "}":
            depth -= 1
        i += 1
    if deepest > MAX_SYMBOL_DEPTH:
        return [f"braces nested more than {MAX_SYMBOL_DEPTH} deep"]
    if "^^" in text:
        return ["^^ is not allowed (TeX reads it as a character code)"]
    return katex_problems(text)


def _group(text: str, start: int) -> str | None:
    """The contents of the brace group opening at `start`, or None when it never closes."""
    depth = 0
    i = start
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return text[start + 1:i]
        i += 1
    return None


def _double_scripts(text: str) -> list[tuple[str, str]]:
    """Two superscripts (or subscripts) on one base, as TeX sees them: x^{2}^{3}, x^{2}', x'_{1}', x_1_2."""
    found = []
    sup, sub, prev = "none", False, ""  # on the current base: no superscript, primes only, a full one
    stack: list[tuple[str, bool, str, bool]] = []  # the outer state, and whether the group is a script's argument
    argument = False  # the next token is a script's argument
    for m in re.finditer(r"\\[A-Za-z]+|\\.|[{}^_']|\S", text):
        tok = m.group(0)
        if tok == "{":
            stack.append((sup, sub, prev, argument))
            sup, sub, prev, argument = "none", False, "", False
            continue
        if tok == "}":
            if not stack:
                continue
            sup, sub, prev, was_argument = stack.pop()
            if not was_argument:
                sup, sub, prev = "none", False, "}"  # a group as a base: scripts attach to it afresh
            continue
        if argument:  # a one-token script argument: x^2
            argument = False
            continue
        if tok in ("^", "_", "'"):
            if tok == "_":
                clash = sub
                sub = True
            else:
                clash = sup == "full" or (sup == "prime" and prev != "'")
                sup = "prime" if tok == "'" else "full"
            if clash:
                found.append(("sub" if tok == "_" else "super", text[max(0, m.start() - 12):m.start() + 6]))
            prev = tok
            argument = tok != "'"
            continue
        sup, sub, prev = "none", False, tok
    return found
