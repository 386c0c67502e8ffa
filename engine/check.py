"""Check my work: mark a learner's hand calculation step by step and name the likely mistake.

API
    check_answers(trace, answers, tolerance=None, lang="en") -> CheckReport   (answers: [Answer])
    check_file(trace, path, lang="en", tolerance=None)         (a JSON answers file; ConfigError if bad)
    check_printed(network, experiment=None, lang="en")         (a preset's printed numbers, the note's order)
    parse_answers_json(text, trace) -> [Answer]                (ConfigError, one line, for a bad file)
    parse_answer_lines(text, trace) -> ([Answer], [problem])   (pasted text; one problem per bad entry)
    names_of(trace).resolve(name) -> id, .display(id) -> name (NameError_, a ValueError, if unknown)
    CheckReport.results [Result], .score, .first_wrong, .to_json(), .to_text(), .latex(result)
    Result: id, given, expected, verdict, mistake, explanation, reproduced, carried_from, name, ...

Answers
    An answer is a number for one step or given, keyed by its id (`dE_dw:l2:n1:k1`, as in
    `trace --json`) or by a name the learner writes. `parse_answers_json` reads a JSON object
    (`{"h1": 1.25, "dE/dw5": "1.3125"}`); `parse_answer_lines` reads lines written as on paper:
    `name = number`, where only the first and the last parts of `dE/dw5 = 1.05 × 1.25 = 1.3125`
    count, several answers may share a line (`w2+ = 1.4475  w3+ = 2.195`, or separated by `;`),
    `≈` works like `=`, and blank lines and lines starting with `#` are skipped.
    Numbers are parsed by `engine.numbers.parse_number`; nothing is evaluated.

Names
    Every step and given has the symbol of the preset's notation (`engine.notation`); a name matches
    when it reads the same once written in plain text: LaTeX commands, braces, `_`, `^` and spaces
    dropped, `\\frac{A}{B}` read as `A/B`, `\\partial` and `∂` as `d`, Greek letters by name
    (`η` = `\\eta` = `eta`, `δ` = `delta`, `Δ` = `Delta`), `^{+}` as `+`, `^{(1)}` as `(1)`, primes kept;
    upper/lower case only matters where it tells two names apart. So `h1`, `h_1`, `dE/dw5`,
    `∂E/∂w_5`, `\\frac{\\partial E}{\\partial w_5}`, `w5+`, `w_o(1)` and `dLoss/dw_o` all work in the
    notes' notation. Besides the notation's own symbols these spellings are understood:
      - derivatives `dE/dX` for dE_da (X a neuron), delta (X its z), dE_dw, dE_db, and `da/dz`,
        `dz/dw`, `dz/da`, `dz/db` in the network's symbols; `dE1/dX` for sample 1's share in a batch;
      - `delta_X` / `δ_X` with X the neuron's symbol or its subscript (`delta_h1`, `delta_o`);
      - `w5+`, `w5_new`, `new_w5`, and the notation's old form (`w_o(0)`) for the given weight;
      - `E`, `L`, `Loss`, `E_total` for the batch loss, `E1`, `E_1` for sample 1's loss;
      - standard names `a1_2` / `a^(1)_2`, `z1_2`, `w2_11` / `w^(2)_11`, `b1`, `x1`, `t1`, `eta`, `lr`;
      - the second forward pass (check phase): a forward name followed by ` after`, `_after` or
        `(after)` (`y after`, `E_after`), or `+` (`y+`); `ΔE` for the change of the loss.
    Where two steps share a symbol (note 000 writes h1 for z and a), the neuron output a wins over
    z, dE/da over delta, and the batch loss over the sample loss: their values are equal there.

Samples
    In a batch, a per-sample step names its sample after the name: `delta_o[2]`, `delta_o (sample 2)`,
    `delta_o (s=2)`, `delta_o, 2`, `delta_o sample 2` or `delta_o (样本 2)`; the notation's
    own `a_{h1}[2]` is the same thing. A gradient without a sample is the batch gradient
    (`dE/dw5`), with one it is that sample's term (`dE/dw5[1]` = `dE1/dw5`).

Verdicts (in this order)
    correct  the true value, rounded half away from zero or cut off at the decimals the learner
             wrote, reads exactly the written number (`0.2984` and `0.2983` for 0.298371...; the
             value is first cut to 12 significant digits so binary noise decides no tie). A number
             written with fewer than 2 significant digits must be exact (`1` for 1.05 is not
             correct, `1` for x = 1 is). With `tolerance`, instead: |given - true| <= tolerance.
             An answer that follows exactly from the learner's own earlier answers, all of them
             correct at their precision, is also correct (rounded intermediates, as in note 002).
    carried  wrong, but what the right method gives from the learner's own earlier answers
             (error carried forward): every step is recomputed from the operands, taking the
             learner's value wherever they gave one (the first one, if they gave several), and
             the given matches at its precision. `carried_from` lists the answers it came from.
    wrong    neither. The mistake models below are tried in order on the step's computation,
             both from the true numbers and from the learner's own; the first that reproduces
             the given value at its precision names the mistake (`reproduced` is its value).

Mistake models (each recomputes the step from its operands with one thing done wrong, at the step
itself or at one or all of the steps it is computed from, and carries that to the step)
    wrong_update_direction  w + η·g instead of w − η·g
    missing_learning_rate   w − g instead of w − η·g
    used_updated_weight     a new weight (w+) used in a gradient where the old one belongs
    used_old_weight         the old weights used in the second forward pass
    shared_bias_not_summed  a shared bias's gradient from one neuron's δ instead of the sum
    batch_reduction         sum over the batch instead of the mean, or the reverse
    missing_activation_derivative  δ without the factor da/dz
    activation_for_derivative      a or z written where da/dz belongs
    used_z_for_a            z used where the activation a belongs (or the activation skipped)
    factor_half             the 1/2 or the 2 of a squared error lost or doubled (loss or dE/dy)
    other_sample            another sample's value, or its input or target, used; or one sample's
                            term for a batch value
    sign                    the sign flipped, of the step or of one derivative it is built from
    rounding                right method, rounded too early (operands, or every intermediate,
                            to 1-6 decimals or 2-4 significant digits) or to too few digits
    digit_swap              two adjacent digits swapped, one digit changed, dropped or doubled
    swapped_weights         the values of two weights of one layer exchanged (w_jk read as w_kj);
                            tried last, as so many pairs can match by chance
    A slip at a single step is looked for at the target and the NEAREST steps written before it, and
    one answer's search stops after WORK recomputed steps (then only the sign, the rounding and a
    typo of the value itself are tried): both only bite in networks near the size limits.
"""

from __future__ import annotations

import difflib
import json
import math
import re
import unicodedata
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import numpy as np

from .config import MAX_FILE_BYTES, ConfigError, Network
from .functions import ACTIVATIONS, LOSSES
from .numbers import format_number, parse_number, round_half_up
from .trace import Step, Trace, compute_trace, parse_step_id, step_id

VERDICTS = ("correct", "carried", "wrong")
MISTAKES = (
    "wrong_update_direction", "missing_learning_rate", "used_updated_weight", "used_old_weight",
    "shared_bias_not_summed", "batch_reduction", "missing_activation_derivative", "activation_for_derivative",
    "used_z_for_a", "factor_half", "other_sample", "sign", "rounding", "digit_swap", "swapped_weights",
)
SQUARED_LOSSES = ("half_squared_error", "squared_error", "mean_squared_error")

Lookup = Callable[[str], float]


# --------------------------------------------------------------------------------------- numbers


@dataclass(frozen=True)
class Answer:
    """One number the learner wrote: `key` a step id or a name, `text` the number as written."""

    key: str
    text: str | None
    value: float
    id: str | None = None  # the resolved step or given id, once known


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
    """Whether a value reads as the learner's number at the precision they wrote (see the module doc)."""
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


def _decimals(places: int) -> str:
    return "1 decimal" if places == 1 else f"{places} decimals"


def _num(value: float) -> str:
    """An operand in an explanation: 7 significant digits, no float noise."""
    if not math.isfinite(value):
        return format_number(value)
    return format_number(float(f"{value:.7g}"))


# ------------------------------------------------------------------------------ names and symbols

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


_QUALIFIERS = [re.compile(p, re.I) for p in (
    r"^(?P<base>.+?)\s*\[\s*(?P<s>\d+)\s*\]$",
    r"^(?P<base>.+?)\s*\(\s*(?:sample|s|样本|第)\s*=?\s*(?P<s>\d+)\s*(?:个样本)?\s*\)$",
    r"^(?P<base>.+?)\s*,\s*(?:sample\s*|s\s*=?\s*|样本\s*)?(?P<s>\d+)$",
    r"^(?P<base>.+?)\s+(?:sample|样本)\s*(?P<s>\d+)$",
    r"^(?P<base>.+?)\s*@\s*(?P<s>\d+)$",
)]
_AFTER = re.compile(r"^(?P<base>.+?)[\s_]*(?:\(\s*after\s*\)|after|\(\s*更新后\s*\)|更新后|\+)$", re.I)
# Where two steps share one spelling, the first of each pair wins (their values are equal there).
_PREFER = {"z": "a", "delta": "dE_da", "sample_loss": "loss", "sample_loss_after": "loss_after"}


def _quantity(ident: str) -> str:
    return ident.split(":", 1)[0].removeprefix("check.")


def _sample(ident: str) -> int | None:
    m = re.search(r":s(\d+)$", ident)
    return int(m.group(1)) if m else None


def _family(ident: str) -> str:
    return re.sub(r":s\d+$", "", ident)


def _with_sample(ident: str, s: int) -> str:
    return re.sub(r":s\d+$", f":s{s}", ident)


class NameError_(ValueError):
    """A name that resolves to no step, or to more than one; `str(err)` is one line."""


def _symbols(network: Network) -> Callable[[str], str]:
    from .notation import Notation

    notation = Notation.of(network)
    return notation.symbol


class Names:
    """The learner's names for the steps and givens of one trace, and their display form.

    Spellings are registered once per family of per-sample steps (`delta_o` for every sample, picked
    with a sample qualifier); the spellings that name one sample themselves (`dE1/dw5`) are added the
    first time a name is not found otherwise, which keeps a 16-sample network quick.
    """

    def __init__(self, trace: Trace):
        self.trace = trace
        self.network = trace.network
        self.batch = len(trace.network.samples) > 1
        self._symbol = _symbols(trace.network)
        self._tiers: list[dict[str, set[str]]] = [{}, {}]  # the notation's spellings, then the generic ones
        self._display: dict[str, str] = {}
        groups: dict[str, list[str]] = {}
        for ident in [*trace.givens, *(s.id for s in trace.steps)]:
            if not ident.startswith("check."):
                q = _quantity(ident)
                key = ident if not self.batch or q in ("sample_loss", "sample_loss_after") else _family(ident)
                groups.setdefault(key, []).append(ident)
        for members in groups.values():
            self._spell(members)
        self._per_sample = [m for members in groups.values() if len(members) > 1 for m in members]
        self._merge()

    def _merge(self) -> None:
        merged: dict[str, set[str]] = {}
        for tier in self._tiers:
            for key, ids in tier.items():
                merged.setdefault(key, ids)
        self._map = merged
        lower: dict[str, set[str]] = {}
        for key, ids in merged.items():
            lower.setdefault(key.lower(), set()).update(ids)
        self._lower = lower

    def _spell_samples(self) -> bool:
        """Add the spellings that name their sample (`a_{h1}[2]` as the notation writes it, `dE2/dw5`)."""
        if not self._per_sample:
            return False
        for ident in self._per_sample:
            p = parse_step_id(ident)
            s, q = p["sample"], p["quantity"]
            own, family = self._sym(ident), self._sym(_family(ident))
            if own and own != f"{family}[{s}]":
                self._add(0, [ident], own)
            if q in ("dE_da", "delta", "dE_dw", "dE_db"):
                self._spell_derivative([ident], self._loss(s), self._wrt(q, p))
        self._per_sample = []
        self._merge()
        return True

    # -- spellings: (tier, LaTeX) pairs, tier 0 the notation's own symbol, tier 1 a generic alias
    def _sym(self, ident: str) -> str | None:
        try:
            return self._symbol(ident)
        except (KeyError, IndexError, ValueError, TypeError):
            return None

    def _add(self, tier: int, ids: list[str], latex: str | None) -> None:
        if latex:
            self._tiers[tier].setdefault(canon(latex), set()).update(ids)

    def _neuron(self, li: int, j: int) -> list[tuple[int, str | None]]:
        if li == 0:
            return [(0, self._sym(step_id("x", None, j))), (1, f"x_{{{j}}}")]
        out = [(0, self._sym(step_id("a", li, j))), (1, f"a^{{({li})}}_{{{j}}}"), (1, f"a{li}_{{{j}}}")]
        if li == len(self.network.layers):
            out.append((1, "y" if self.network.layers[-1].size == 1 else f"y_{{{j}}}"))
        return out

    def _pre(self, li: int, j: int) -> list[tuple[int, str | None]]:
        return [(0, self._sym(step_id("z", li, j))), (1, f"z^{{({li})}}_{{{j}}}"), (1, f"z{li}_{{{j}}}")]

    def _weight(self, li: int, j: int, k: int) -> list[tuple[int, str | None]]:
        return [(0, self._sym(step_id("w", li, j, k))), (1, f"w^{{({li})}}_{{{j}{k}}}"), (1, f"w{li}_{{{j}{k}}}")]

    def _bias(self, li: int, j: int | None) -> list[tuple[int, str | None]]:
        sub = f"_{{{j}}}" if j else ""
        return [(0, self._sym(step_id("b", li, j))), (1, f"b^{{({li})}}{sub}"), (1, f"b{li}{sub}")]

    def _loss(self, s: int | None) -> list[tuple[int, str | None]]:
        """The numerator of a derivative: the batch loss, or (s) the sample's loss in a batch."""
        if s is None or not self.batch:
            return [(0, self._sym("loss")), *((1, alias) for alias in ("E", "L", "Loss", "E_{total}"))]
        return [(0, self._sym(f"sample_loss:s{s}")), *((1, f"{alias}_{{{s}}}") for alias in ("E", "L", "Loss"))]

    def _wrt(self, quantity: str, p: dict[str, Any]) -> list[tuple[int, str | None]]:
        """What a gradient of the loss is taken with respect to: a (dE_da), z (delta), w or b."""
        li, j = p["layer"], p["neuron"]
        if quantity == "dE_da":
            return self._neuron(li, j)
        if quantity == "delta":
            return self._pre(li, j)
        return self._weight(li, j, p["source"]) if quantity == "dE_dw" else self._bias(li, j)

    def _spell_derivative(self, ids: list[str], nums: list, dens: list) -> None:
        for t1, num in nums:
            for t2, den in dens:
                if num and den:
                    self._add(max(t1, t2), ids, rf"\frac{{\partial {num}}}{{\partial {den}}}")

    def _spell(self, members: list[str]) -> None:
        """Register the spellings of one id, or of a family of per-sample ids (one per sample)."""
        ident = members[0]
        p = parse_step_id(ident)
        q, li, j, k, s = p["quantity"], p["layer"], p["neuron"], p["source"], p["sample"]
        family = len(members) > 1
        own = self._sym(_family(ident) if family else ident)
        add = lambda tier, latex: self._add(tier, members, latex)  # noqa: E731
        add(0, own)
        if q == "loss_change":  # (`E after` and the like are read in resolve)
            for alias in ("loss_change", "E_change", r"\Delta E", r"\Delta L", r"\Delta Loss"):
                add(1, alias)
        elif q == "eta":
            for alias in ("eta", "lr", "learning_rate", "alpha"):
                add(1, alias)
        elif q in ("w", "b"):
            add(0, _old(self.network, own))
            for tier, alias in (self._weight(li, j, k) if q == "w" else self._bias(li, j))[1:]:
                add(tier, alias)
        elif q in ("x", "t"):
            add(1, f"{q}_{{{j}}}")
        elif q in ("a", "z"):
            for tier, alias in (self._neuron(li, j) if q == "a" else self._pre(li, j))[1:]:
                add(tier, alias)
        elif q == "loss":
            for tier, alias in self._loss(None)[1:]:
                add(tier, alias)
            add(1, "loss")
        elif q == "sample_loss":
            for alias in ("E", "L", "Loss"):
                add(1, f"{alias}_{{{s}}}")
        elif q in ("dE_da", "delta", "dE_dw", "dE_db"):
            den = self._wrt(q, p)
            self._spell_derivative(members, self._loss(None), den)  # the batch's, or with a sample qualifier
            if s is not None and not self.batch:
                self._spell_derivative(members, self._loss(s), den)
            if q == "delta":
                neuron = self._sym(step_id("a", li, j))
                if neuron:
                    add(0, rf"\delta_{{{neuron}}}")
                    if (sub := _subscript(neuron)) is not None:
                        add(1, rf"\delta_{{{sub}}}")
                add(1, rf"\delta^{{({li})}}_{{{j}}}")
                add(1, rf"\delta{li}_{{{j}}}")
        elif q == "da_dz":
            self._spell_derivative(members, self._neuron(li, j), self._pre(li, p["wrt"] or j))
        elif q == "dz_dw":
            self._spell_derivative(members, self._pre(li, j), self._weight(li, j, k))
        elif q == "dz_da":
            self._spell_derivative(members, self._pre(li, j), self._neuron(li - 1, k))
        elif q == "dz_db":
            self._spell_derivative(members, self._pre(li, j or 1), self._bias(li, j))
        elif q in ("new_w", "new_b"):
            params = self._weight(li, j, k) if q == "new_w" else self._bias(li, j)
            for tier, param in params:
                if param:
                    add(tier, f"{param}+")
                    for form in (f"{param}_new", f"new_{param}", f"{param}^{{new}}"):
                        add(1, form)

    # -- lookups
    def display(self, ident: str) -> str:
        """The name a table shows for a step or given id (`dE/dw5` becomes `∂E/∂w5`)."""
        name = self._display.get(ident)
        if name is None:
            base = ident.removeprefix("check.")
            own = self._sym(base)
            s = _sample(base)
            name = pretty(own) if own else ident
            if own and s is not None and self.batch and own == self._sym(_family(base)):
                name += f"[{s}]"  # the symbol does not say which sample
            if own and ident.startswith("check."):
                name += " after"
            self._display[ident] = name
        return name

    def examples(self) -> list[str]:
        """A few names that exist, for messages: neuron outputs, the loss, a gradient, an update, η."""
        quota = {"a": 3, "loss": 1, "dE_dw": 1, "new_w": 1}
        picks: list[str] = []
        for s in self.trace.steps:
            if s.phase != "check" and quota.get(s.quantity, 0) > 0 and s.sample in (None, 1) \
                    and not (s.quantity == "dE_dw" and s.sample is not None and self.batch):
                quota[s.quantity] -= 1
                picks.append(self.display(s.id))
        return [*picks, self.display("eta")]

    def _ids(self, key: str) -> set[str] | None:
        c = canon(key)
        if not c:
            return None
        if c in self._map:
            return self._map[c]
        return self._lower.get(c.lower())  # several families: _choose calls it ambiguous

    def resolve(self, key: str) -> str:
        """The step or given id a learner's name means; NameError_ with a one-line message if none."""
        text = unicodedata.normalize("NFKC", key).strip()
        if text in self.trace:
            return text
        try:
            return self._resolve(text)
        except NameError_:
            if not self._spell_samples():
                raise
        return self._resolve(text)

    def _resolve(self, text: str) -> str:
        ids = self._ids(text)
        if ids is not None:
            return self._choose(text, ids, None)
        for pattern in _QUALIFIERS:  # `delta_o[2]`, `delta_o (sample 2)`, ...
            m = pattern.match(text)
            if not m:
                continue
            base, sample = m.group("base"), int(m.group("s"))
            if (found := self._ids(base)) is not None:
                return self._choose(text, found, sample)
            if (after := _AFTER.match(base)) is not None:  # `a_o after [2]`
                return self._after(text, self.resolve(f"{after.group('base')}[{sample}]"))
        if (after := _AFTER.match(text)) is not None:
            return self._after(text, self.resolve(after.group("base")))
        raise NameError_(self.unknown(text))

    def _after(self, key: str, forward: str) -> str:
        """The second forward pass's step for a forward step (`y after`, `E_after`, `h1+`)."""
        q = _quantity(forward)
        ident = {"a": "check." + forward, "z": "check." + forward, "loss": "loss_after",
                 "sample_loss": forward.replace("sample_loss", "sample_loss_after")}.get(q)
        if ident is None or ident not in self.trace:
            raise NameError_(f"{key!r}: only the forward pass and the loss are computed again after the update")
        return ident

    def _choose(self, key: str, ids: Iterable[str], sample: int | None) -> str:
        cands = sorted(ids, key=self._order)
        if sample == 1 and not self.batch:
            sample = None  # `h1[1]` with one sample is just h1
        if sample is not None:
            cands = [i for i in cands if _sample(i) == sample]
            if not cands:
                raise NameError_(f"{key!r}: there is no such sample here (the batch has "
                                 f"{len(self.trace.network.samples)}), or the name does not depend on the sample")
        quantities = {_quantity(i) for i in cands}
        cands = [i for i in cands if _PREFER.get(_quantity(i)) not in quantities]
        families = {_family(i) for i in cands}
        if len(families) > 1:
            names = ", ".join(dict.fromkeys(self.display(i) for i in cands))
            raise NameError_(f"{key!r} is ambiguous here: it could be {names}; use the step id instead")
        if len(cands) == 1:
            return cands[0]
        batch = [i for i in cands if _sample(i) is None]
        if batch:
            return batch[0]
        raise NameError_(f"{key!r} is different for each sample: write the sample after it, e.g. "
                         f"{key}[1] or {key} (sample 2)")

    def _order(self, ident: str) -> int:
        if ident in self.trace.givens:
            return -1
        return self.trace.position(ident)

    def unknown(self, key: str) -> str:
        """The message for a name that is not here: close names, then a few that exist."""
        c = canon(key)
        close: list[str] = []
        for match in difflib.get_close_matches(c, list(self._map), n=6, cutoff=0.5):
            for ident in sorted(self._map[match], key=self._order):
                name = self.display(ident)
                if name not in close:
                    close.append(name)
        hint = f" (did you mean {', '.join(close[:3])}?)" if close else ""
        first = self.trace.steps[0].id
        return (f"unknown name {key!r}{hint}; names here include {', '.join(self.examples())} "
                f"(or step ids such as {first})")


def _old(network: Network, symbol: str | None) -> str | None:
    """The notation's spelling of an old parameter (note 001: w_o^{(0)}), if it has one."""
    template = (network.notation or {}).get("old")
    if not symbol or not template or template == "@":
        return None
    from .notation import decorate

    return decorate(symbol, template)


_NAMES: weakref.WeakKeyDictionary[Trace, Names] = weakref.WeakKeyDictionary()


def names_of(trace: Trace) -> Names:
    """The (cached) names of a trace."""
    names = _NAMES.get(trace)
    if names is None:
        names = _NAMES[trace] = Names(trace)
    return names


# ------------------------------------------------------------------------------ parsing answers


def _resolve_or_raise(names: Names, key: str, where: str) -> str:
    try:
        return names.resolve(key)
    except NameError_ as err:
        raise ConfigError(where, str(err)) from None


class _NumberText(str):
    """A JSON number exactly as written (`0.2980` keeps its 4 decimals)."""


class _Pairs(list):
    """A JSON object as its (key, value) pairs, in the file's order."""


def parse_answers_json(text: str, trace: Trace, name: str = "answers") -> list[Answer]:
    """A JSON object of {step id or name: number}; ConfigError with one line for a bad file."""
    if len(text) > MAX_FILE_BYTES:
        raise ConfigError(name, f"is {len(text)} bytes, beyond the limit of {MAX_FILE_BYTES}")

    def constant(token: str) -> Any:
        raise ValueError(f"{token} is not a number here")

    try:
        raw = json.loads(text, parse_float=_NumberText, parse_int=_NumberText, parse_constant=constant,
                         object_pairs_hook=_Pairs)
    except json.JSONDecodeError as err:
        raise ConfigError(name, f"not valid JSON: {err.msg} at line {err.lineno} column {err.colno}") from None
    except ValueError as err:
        raise ConfigError(name, str(err)) from None
    if not isinstance(raw, _Pairs):
        raise ConfigError(name, "expected a JSON object mapping step ids or names to numbers, "
                                'e.g. {"h1": 1.25, "dE/dw5": 1.3125}')
    if not raw:
        raise ConfigError(name, 'has no answers; give step ids or names with numbers, e.g. {"h1": 1.25}')
    names = names_of(trace)
    out: list[Answer] = []
    seen: dict[str, str] = {}
    for key, value in raw:
        where = f"{name}[{key!r}]"
        if isinstance(value, str):  # a JSON number as written, or a numeric string
            number_text = str(value)
        else:
            shown = "an object" if isinstance(value, _Pairs) else "a list" if isinstance(value, list) else \
                json.dumps(value)
            raise ConfigError(where, f"expected a number, got {shown}")
        try:
            number = parse_number(number_text)
        except ValueError as err:
            raise ConfigError(where, f"expected a number: {err}") from None
        ident = _resolve_or_raise(names, key, where)
        if ident in seen:
            raise ConfigError(where, f"names the same step as {seen[ident]!r} ({ident})")
        seen[ident] = key
        out.append(Answer(key, number_text.strip(), number, ident))
    return out


_SPLIT = re.compile(r";|\s{2,}(?=[^\s=≈;]+\s*[=≈])")
_NUMBER_THEN_NAME = re.compile(r"^\s*(?P<number>\S+)\s+(?P<name>\S+)\s*$")


def parse_answer_lines(text: str, trace: Trace) -> tuple[list[Answer], list[str]]:
    """Answers pasted as written on paper (`h1 = 1.25`, `dE/dw5 = 1.05 × 1.25 = 1.3125`), and a list
    of problems, one per bad entry: `line 3: ...`."""
    names = names_of(trace)
    answers: list[Answer] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    for n, line in enumerate(unicodedata.normalize("NFKC", text).splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        for chunk in _SPLIT.split(line):
            chunk = chunk.strip().replace("≈", "=")
            if not chunk:
                continue
            if "=" not in chunk:
                problems.append(f"line {n}: {chunk!r} has no '='; write name = number, e.g. h1 = 1.25")
                continue
            parts = chunk.split("=")
            entries: list[tuple[str, str]] = []
            current = parts[0].strip()
            for middle in parts[1:-1]:  # `w2+ = 1.4475 w3+ = 2.195` on one line
                m = _NUMBER_THEN_NAME.match(middle)
                if m and _is_number(m.group("number")) and _known(names, m.group("name")):
                    entries.append((current, m.group("number")))
                    current = m.group("name")
            entries.append((current, parts[-1].strip()))
            for key, number_text in entries:
                if not key:
                    problems.append(f"line {n}: no name before '=' in {chunk!r}")
                    continue
                if not number_text:
                    problems.append(f"line {n}: {key} has no number after '='")
                    continue
                try:
                    value = parse_number(number_text)
                except ValueError:
                    problems.append(f"line {n}: {key}: {number_text!r} is not a number")
                    continue
                try:
                    ident = names.resolve(key)
                except NameError_ as err:
                    problems.append(f"line {n}: {err}")
                    continue
                if ident in seen:
                    problems.append(f"line {n}: {key} was already given on line {seen[ident]}; both are marked")
                seen.setdefault(ident, n)
                answers.append(Answer(key, number_text, value, ident))
    return answers, problems


def _is_number(text: str) -> bool:
    try:
        parse_number(text)
    except ValueError:
        return False
    return True


def _known(names: Names, key: str) -> bool:
    try:
        names.resolve(key)
    except NameError_:
        return False
    return True


# ---------------------------------------------------------------------------- the step graph


class _Graph:
    """What each step is computed from, and a way to compute it again from other numbers."""

    def __init__(self, trace: Trace):
        self.trace = trace
        self.network = trace.network
        self.S = len(trace.network.samples)
        self.pos = {s.id: i for i, s in enumerate(trace.steps)}
        self.true: dict[str, float] = {g: v.value for g, v in trace.givens.items()}
        self.true.update({s.id: s.value for s in trace.steps})
        self.args: dict[str, dict[str, Any]] = {}
        self.deps: dict[str, frozenset[str]] = {}
        n_out = trace.network.layers[-1].size
        L = len(trace.network.layers)
        for s in trace.steps:
            args = {key: self._mapped(s, value) for key, value in s.operands.items()} if s.phase == "check" \
                else dict(s.operands)
            if s.op == "loss_derivative":  # every output of the sample (mean squared error divides by K)
                prefix = "check." if s.id.startswith("check.") else ""
                args["outputs"] = [step_id("a", L, m, None, s.sample, prefix=prefix) for m in range(1, n_out + 1)]
                args["targets"] = [step_id("t", None, m, None, s.sample) for m in range(1, n_out + 1)]
            self.args[s.id] = args
            self.deps[s.id] = frozenset(_flatten(args.values()))
        self._closure: dict[str, list[Step]] = {}

    def _mapped(self, step: Step, value: Any) -> Any:
        """In the second forward pass the weights are the new ones, whatever the operand says."""
        if isinstance(value, list):
            return [self._mapped(step, v) for v in value]
        if isinstance(value, str) and step.phase == "check" and value[:2] in ("w:", "b:") \
                and "new_" + value in self.pos:
            return "new_" + value
        return value

    def step(self, ident: str) -> Step:
        return self.trace.step(ident)

    def closure(self, ident: str) -> list[Step]:
        """The steps `ident` is computed from, directly or not, and itself, in trace order."""
        if ident not in self._closure:
            seen: set[str] = set()
            stack = [ident]
            while stack:
                i = stack.pop()
                if i in seen or i not in self.pos:
                    continue
                seen.add(i)
                stack.extend(self.deps[i])
            self._closure[ident] = [self.trace.steps[p] for p in sorted(self.pos[i] for i in seen)]
        return self._closure[ident]

    def evaluate(self, step: Step, get: Lookup) -> float:
        """The step's value computed from its operands as `get` reads them."""
        op, a = step.op, self.args[step.id]
        if op == "weighted_sum":
            total = 0.0
            for w, x in zip(a["weights"], a["inputs"]):
                total += get(w) * get(x)
            if a.get("bias"):
                total += get(a["bias"])
            return total
        if op == "activation":
            act = ACTIVATIONS[step.extra["activation"]]
            if act.elementwise:
                value = float(act.value(np.array([get(a["z"])]))[0])
            else:
                value = float(act.value(np.array([get(z) for z in a["layer_z"]]))[step.neuron - 1])
            places = step.extra.get("round_to")
            return round_half_up(value, places) if places is not None else value
        if op == "loss":
            loss = LOSSES[step.extra["loss"]]
            return float(loss.value(np.array([get(i) for i in a["outputs"]]), np.array([get(i) for i in a["targets"]])))
        if op in ("mean", "sum"):
            values = [get(t) for t in a["terms"]]
            total = sum(values)
            return total / len(values) if op == "mean" else total
        if op == "loss_derivative":
            loss = LOSSES[step.extra["loss"]]
            y = np.array([get(i) for i in a["outputs"]])
            t = np.array([get(i) for i in a["targets"]])
            return float(loss.derivative(y, t)[step.neuron - 1])
        if op == "activation_derivative":
            act = ACTIVATIONS[step.extra["activation"]]
            if act.elementwise:
                return float(act.derivative(np.array([get(a["z"])]), np.array([get(a["a"])]))[0])
            return get(a["a"]) * ((1.0 if a["a"] == a["a_wrt"] else 0.0) - get(a["a_wrt"]))
        if op == "product":
            value = 1.0
            for f in a["factors"]:
                value *= get(f)
            return value
        if op == "sum_over_paths":
            return sum(get(d) * get(w) for d, w in zip(a["deltas"], a["weights"]))
        if op == "jacobian_sum":
            return sum(get(e) * get(j) for e, j in zip(a["dE_da"], a["da_dz"]))
        if op in ("weight", "input"):
            return get(a["weight"] if op == "weight" else a["input"])
        if op == "constant":
            return step.value
        if op == "update":
            return get(a["old"]) - get(a["rate"]) * get(a["gradient"])
        if op == "difference":
            return get(a["after"]) - get(a["before"])
        raise ValueError(f"{step.id}: unknown op {op!r}")

    def carried(self, pinned: Mapping[str, float]) -> dict[str, float]:
        """Every value recomputed from the learner's own numbers wherever they gave one."""
        env = {g: pinned.get(g, v.value) for g, v in self.trace.givens.items()}
        for s in self.trace.steps:
            env[s.id] = pinned[s.id] if s.id in pinned else self.evaluate(s, env.__getitem__)
        return env


def _flatten(values: Iterable[Any]) -> Iterator[str]:
    for v in values:
        if isinstance(v, list):
            yield from _flatten(v)
        elif isinstance(v, str):
            yield v


_GRAPHS: weakref.WeakKeyDictionary[Trace, _Graph] = weakref.WeakKeyDictionary()


def _graph_of(trace: Trace) -> _Graph:
    graph = _GRAPHS.get(trace)
    if graph is None:
        graph = _GRAPHS[trace] = _Graph(trace)
    return graph


# ---------------------------------------------------------------------------- mistake models

Perturbation = dict[str, Callable[[Step, Lookup], float]]
NEAREST = 40  # single-step slips are looked for at the target and the 39 steps written nearest before it
Detail = tuple[str, str] | None  # how the model went wrong here, in English and Chinese
Candidate = tuple[float, Detail]


class _OutOfBudget(Exception):
    """The search for a mistake took more than WORK steps (only in a big network)."""


WORK = 400_000  # steps recomputed, at most, while looking for the mistake behind one answer


class _Run:
    """One answered step recomputed from one base (the true numbers, or the learner's own) with a
    mistake made somewhere on the way; answered steps other than the target keep their base value."""

    def __init__(self, graph: _Graph, names: Names, target: Step, base: Mapping[str, float], pinned: set[str],
                 answer: Answer, budget: list[int]):
        self.graph = graph
        self.budget = budget
        self.names = names
        self.target = target
        self.base = base
        self.answer = answer
        self.closure = graph.closure(target.id)
        self.index = {s.id: i for i, s in enumerate(self.closure)}
        self.free = [s for s in self.closure if s.id == target.id or s.id not in pinned]
        self._pinned = pinned
        self.plain = self.value({})

    def value(self, perturbation: Perturbation, givens: Mapping[str, float] | None = None) -> float:
        """The target with the perturbed steps computed the wrong way (and givens replaced)."""
        local: dict[str, float] = dict(givens or {})
        base = self.base

        def get(i: str) -> float:
            return local[i] if i in local else base[i]

        changed = set(local)
        target = self.target.id
        if givens:
            start = min((i for i, s in enumerate(self.closure) if not changed.isdisjoint(self.graph.deps[s.id])),
                        default=len(self.closure) - 1)
        else:
            start = min((self.index[i] for i in perturbation if i in self.index), default=len(self.closure) - 1)
        self.budget[0] -= len(self.closure) - start
        if self.budget[0] < 0:
            raise _OutOfBudget
        for s in self.closure[start:]:
            sid = s.id
            if sid != target and sid in self._pinned:
                continue
            fn = perturbation.get(sid)
            if fn is not None:
                local[sid] = fn(s, get)
            elif sid == target or (changed and not changed.isdisjoint(self.graph.deps[sid])):
                local[sid] = self.graph.evaluate(s, get)
            else:
                continue
            changed.add(sid)
        return local[target]

    def each_then_all(self, steps: list[Step], fn: Callable[[Step, Lookup], float],
                      detail: Callable[[list[Step]], Detail] = lambda steps: None) -> Iterator[Candidate]:
        """The mistake at each of the steps alone (the nearest ones, in a big network), then at all at once."""
        for s in self.nearest(steps):
            yield self.value({s.id: fn}), detail([s])
        if len(steps) > 1:
            yield self.value({s.id: fn for s in steps}), detail(steps)

    def recompute(self, step: Step, get: Lookup) -> float:
        return self.graph.evaluate(step, get)

    def nearest(self, steps: list[Step]) -> list[Step]:
        """The target first, then the steps written just before it: single slips are looked for there."""
        ordered = sorted(steps, key=lambda s: (s.id != self.target.id, -self.index[s.id]))
        return ordered[:NEAREST]

    def listed(self, steps: Iterable[Step] | Iterable[str]) -> str:
        return ", ".join(self.names.display(s if isinstance(s, str) else s.id) for s in steps)


def _args(run: _Run, step: Step) -> dict[str, Any]:
    return run.graph.args[step.id]


def _at_steps(run: _Run, en: str, zh: str) -> Callable[[list[Step]], Detail]:
    return lambda steps: (en.format(run.listed(steps)), zh.format(run.listed(steps)))


def _m_wrong_update_direction(run: _Run) -> Iterator[Candidate]:
    ups = [s for s in run.free if s.op == "update"]
    yield from run.each_then_all(ups, lambda s, get: get(_args(run, s)["old"]) + get(_args(run, s)["rate"])
                                 * get(_args(run, s)["gradient"]), _at_steps(run, "in {}", "在 {} 中"))


def _m_missing_learning_rate(run: _Run) -> Iterator[Candidate]:
    ups = [s for s in run.free if s.op == "update"]
    yield from run.each_then_all(ups, lambda s, get: get(_args(run, s)["old"]) - get(_args(run, s)["gradient"]),
                                 _at_steps(run, "in {}", "在 {} 中"))


def _m_used_updated_weight(run: _Run) -> Iterator[Candidate]:
    paths = [s for s in run.free if s.op == "weight" and "new_" + _args(run, s)["weight"] in run.base]

    def detail(steps: list[Step]) -> Detail:
        new = run.listed("new_" + _args(run, s)["weight"] for s in steps)
        old = run.listed(_args(run, s)["weight"] for s in steps)
        return f"{new} instead of {old}", f"用了 {new} 而不是 {old}"

    yield from run.each_then_all(paths, lambda s, get: get("new_" + _args(run, s)["weight"]), detail)


def _m_used_old_weight(run: _Run) -> Iterator[Candidate]:
    sums = [s for s in run.free if s.phase == "check" and s.op == "weighted_sum"]

    def old(s: Step, get: Lookup) -> float:
        a = _args(run, s)
        total = sum(get(w.removeprefix("new_")) * get(x) for w, x in zip(a["weights"], a["inputs"]))
        return total + (get(a["bias"].removeprefix("new_")) if a.get("bias") else 0.0)

    yield from run.each_then_all(sums, old, _at_steps(run, "in {}", "在 {} 中"))


def _is_shared_bias_sum(run: _Run, s: Step) -> bool:
    return s.quantity == "dE_db" and s.neuron is None and s.op == "sum" \
        and all(_quantity(t) == "delta" for t in _args(run, s)["terms"])


def _m_shared_bias_not_summed(run: _Run) -> Iterator[Candidate]:
    sums = [s for s in run.free if _is_shared_bias_sum(run, s)]
    if not sums:
        return
    for m in range(len(_args(run, sums[0])["terms"])):
        def detail(steps: list[Step], m: int = m) -> Detail:
            taken = run.listed(_args(run, s)["terms"][m] for s in steps)
            return f"only {taken}", f"只取了 {taken}"

        yield from run.each_then_all(sums, lambda s, get, m=m: get(_args(run, s)["terms"][m]), detail)


def _is_batch_reduction(run: _Run, s: Step) -> bool:
    if s.op not in ("mean", "sum") or s.sample is not None:
        return False
    return len(_args(run, s)["terms"]) > 1 and not _is_shared_bias_sum(run, s)


def _m_batch_reduction(run: _Run) -> Iterator[Candidate]:
    if run.graph.S < 2:
        return
    steps = [s for s in run.free if _is_batch_reduction(run, s)]

    def other(s: Step, get: Lookup) -> float:
        total = sum(get(t) for t in _args(run, s)["terms"])
        return total if s.op == "mean" else total / len(_args(run, s)["terms"])

    yield from run.each_then_all(steps, other, _at_steps(run, "in {}", "在 {} 中"))


def _activation_of(run: _Run, s: Step) -> str:
    return run.graph.network.layers[s.layer - 1].activation


def _m_missing_activation_derivative(run: _Run) -> Iterator[Candidate]:
    deltas = [s for s in run.free if s.quantity == "delta" and _activation_of(run, s) != "identity"]

    def without(s: Step, get: Lookup) -> float:
        a = _args(run, s)
        return get(a["factors"][0]) if s.op == "product" else get(a["dE_da"][s.neuron - 1])

    yield from run.each_then_all(deltas, without, _at_steps(run, "in {}", "在 {} 中"))


def _m_activation_for_derivative(run: _Run) -> Iterator[Candidate]:
    steps = [s for s in run.free if s.op == "activation_derivative" and "z" in _args(run, s)
             and s.extra.get("activation") != "identity"]
    for key in ("a", "z"):
        def detail(chosen: list[Step], key: str = key) -> Detail:
            used = run.listed(_args(run, s)[key] for s in chosen)
            return f"{used} for {run.listed(chosen)}", f"把 {used} 当成了 {run.listed(chosen)}"

        yield from run.each_then_all(steps, lambda s, get, key=key: get(_args(run, s)[key]), detail)


def _z_of(ident: str) -> str | None:
    return ident.replace("a:", "z:", 1) if _quantity(ident) == "a" else None


def _m_used_z_for_a(run: _Run) -> Iterator[Candidate]:
    pos = run.graph.pos

    def a_with_z(i: str) -> bool:
        return _z_of(i) is not None and i in pos and _activation_of(run, run.graph.step(i)) != "identity"

    def with_z(s: Step, get: Lookup) -> float:
        return run.recompute(s, lambda i: get(_z_of(i)) if a_with_z(i) else get(i))

    readers = [s for s in run.free if s.op != "activation" and any(a_with_z(i) for i in run.graph.deps[s.id])]
    yield from run.each_then_all(readers, with_z, _at_steps(run, "in {}", "在 {} 中"))
    outputs = [s for s in run.free if s.op == "activation" and s.extra.get("activation") != "identity"]
    yield from run.each_then_all(outputs, lambda s, get: get(_args(run, s)["z"]),
                                 _at_steps(run, "{} without the activation", "{} 没有经过激活函数"))


def _m_factor_half(run: _Run) -> Iterator[Candidate]:
    if run.graph.network.loss not in SQUARED_LOSSES:
        return
    for op in ("loss_derivative", "loss"):
        steps = [s for s in run.free if s.op == op]
        for factor in (0.5, 2.0):
            word = ("half of {}", "{} 只算了一半") if factor == 0.5 else ("twice {}", "{} 算成了两倍")
            yield from run.each_then_all(steps, lambda s, get, f=factor: f * run.recompute(s, get),
                                         _at_steps(run, *word))


def _m_other_sample(run: _Run) -> Iterator[Candidate]:
    S = run.graph.S
    if S < 2:
        return
    per_sample = run.nearest([s for s in run.free if s.sample is not None])
    for s in per_sample:
        for other in range(1, S + 1):
            if other != s.sample and _with_sample(s.id, other) in run.base:
                name = run.names.display(_with_sample(s.id, other))
                yield (run.value({s.id: lambda st, get, o=other: run.base[_with_sample(st.id, o)]}),
                       (f"{name} (sample {other}) for sample {s.sample}", f"样本 {s.sample} 用了样本 {other} 的 {name}"))
    for s in per_sample:  # the right step, but another sample's input or target
        if not any(i[:2] in ("x:", "t:") for i in run.graph.deps[s.id]):
            continue
        for other in range(1, S + 1):
            if other == s.sample:
                continue

            def moved(st: Step, get: Lookup, o: int = other) -> float:
                return run.recompute(st, lambda ident: get(_with_sample(ident, o)) if ident[:2] in ("x:", "t:")
                                     else get(ident))

            name = run.names.display(s.id)
            yield (run.value({s.id: moved}), (f"{name} with the inputs or targets of sample {other}",
                                              f"{name} 用了样本 {other} 的输入或目标值"))
    target = run.target
    if _is_batch_reduction(run, target):
        for term in _args(run, target)["terms"]:  # one sample's term for the whole batch
            name = run.names.display(term)
            yield run.value({target.id: lambda st, get, t=term: get(t)}), (f"only {name}", f"只用了 {name}")


def _m_swapped_weights(run: _Run) -> Iterator[Candidate]:
    givens = run.graph.trace.givens
    near = run.nearest([s for s in run.closure if s.op == "weighted_sum"])
    used = sorted({i for s in near for i in run.graph.deps[s.id] if i[:2] == "w:"})
    pairs: dict[frozenset[str], tuple[str, str]] = {}
    for a in used:  # each weight used near the target, with every other weight of its layer
        for b in givens:
            if b[:2] == "w:" and b != a and givens[b].layer == givens[a].layer:
                pairs.setdefault(frozenset((a, b)), (a, b))
    for first, second in list(pairs.values())[:200]:
        a, b = run.base[first], run.base[second]
        if a != b:
            names = f"{run.names.display(first)} ↔ {run.names.display(second)}"
            yield run.value({}, {first: b, second: a}), (names, names)


_SIGNED = ("dE_da", "delta", "dE_dw", "dE_db", "da_dz", "dz_da", "loss_change")


def _m_sign(run: _Run) -> Iterator[Candidate]:
    yield -run.plain, None
    flip = lambda st, get: -run.recompute(st, get)  # noqa: E731
    steps = [s for s in run.free if s.id != run.target.id and s.quantity in _SIGNED]
    for s in run.nearest(steps):
        yield run.value({s.id: flip}), _at_steps(run, "of {}", "{} 的符号")([s])
    outputs = [s for s in run.free if s.op == "loss_derivative"]
    if len(outputs) > 1:
        yield run.value({s.id: flip for s in outputs}), _at_steps(run, "of {}", "{} 的符号")(outputs)


def _core(run: _Run) -> Step:
    return _core_step(run.graph, run.target)


def _core_step(graph: _Graph, step: Step) -> Step:
    """The step whose computation a step shows: a linear neuron's a is its z, a one-sample loss its term."""
    while True:
        a = graph.args[step.id]
        if step.op == "activation" and step.extra.get("activation") == "identity" and step.extra.get("round_to") is None:
            step = graph.step(a["z"])
        elif step.op in ("mean", "sum") and len(a.get("terms", ())) == 1 and a["terms"][0] in graph.pos:
            step = graph.step(a["terms"][0])
        else:
            return step


def _m_rounding(run: _Run) -> Iterator[Candidate]:
    value = run.plain
    d = _written(run.answer)
    if d is not None:
        places = -d.as_tuple().exponent
        for p in range(places, max(-1, places - 5), -1):  # the result rounded or cut off to too few digits
            yield round_half_up(value, p), (f"the result rounded to {_decimals(p)}", f"结果只保留了 {p} 位小数")
            yield _cut(value, p), (f"the result cut off at {_decimals(p)}", f"结果截断到 {p} 位小数")
    core = _core(run)
    shown = {run.target.id, core.id}
    schemes: list[tuple[Callable[[float], float], str, str]] = []
    for p in range(1, 7):
        schemes.append((lambda v, p=p: round_half_up(v, p), f"rounded to {_decimals(p)}", f"四舍五入到 {p} 位小数"))
    for p in range(1, 7):
        schemes.append((lambda v, p=p: _cut(v, p), f"cut off at {_decimals(p)}", f"截断到 {p} 位小数"))
    for n in (2, 3, 4):
        schemes.append((lambda v, n=n: _round_significant(v, n), f"rounded to {n} significant digits",
                        f"保留 {n} 位有效数字"))
    unwritten = {s.id for s in run.free} - shown

    def rounded(r: Callable[[float], float], get: Lookup) -> Lookup:
        return lambda i: r(get(i)) if i in unwritten else get(i)

    for r, en, zh in schemes:  # the operands rounded before use (not the givens, nor what was written down)
        yield (run.value({core.id: lambda st, get, r=r: run.recompute(st, rounded(r, get))}),
               (f"its operands {en} first", f"先把用到的数{zh}"))
    steps = [s for s in run.free if s.id not in shown and s.op not in ("constant", "weight", "input")]
    for r, en, zh in schemes:  # every intermediate rounded as it was written down
        yield (run.value({s.id: (lambda st, get, r=r: r(run.recompute(st, get))) for s in steps}),
               (f"every intermediate value {en}", f"每个中间值都{zh}"))


def _digit_strings(value: float, places: int) -> list[str]:
    out = []
    for mode in (ROUND_HALF_UP, ROUND_DOWN):
        q = _at(value, -places, mode)
        if q is not None:
            out.append(format(abs(q), "f"))
    return out


def _one_typo(written: str, right: str) -> bool:
    """Two adjacent digits swapped, one digit changed, one dropped or one doubled/inserted."""
    if written == right:
        return False
    if len(written) == len(right):
        diff = [i for i, (a, b) in enumerate(zip(written, right)) if a != b]
        if len(diff) == 1:
            return written[diff[0]].isdigit() and right[diff[0]].isdigit()
        return len(diff) == 2 and diff[1] == diff[0] + 1 and written[diff[0]] == right[diff[1]] \
            and written[diff[1]] == right[diff[0]]
    longer, shorter = (written, right) if len(written) > len(right) else (right, written)
    if len(longer) != len(shorter) + 1:
        return False
    return any(longer[i].isdigit() and longer[:i] + longer[i + 1:] == shorter for i in range(len(longer)))


def _typo_of(answer: Answer, value: float) -> str | None:
    """The right value as the learner would have written it, when the answer is one typo away from it."""
    d = _written(answer)
    if d is None or d.is_zero() or value == 0 or (d < 0) != (value < 0):
        return None
    places = -d.as_tuple().exponent
    written = format(abs(d), "f")
    for p in (places + 1, places, places - 1):  # a dropped digit first: it shows the most
        if p < 0:
            continue
        for right in _digit_strings(value, p):
            if _one_typo(written, right):
                return ("-" if value < 0 else "") + right
    return None


def _m_digit_swap(run: _Run) -> Iterator[Candidate]:
    right = _typo_of(run.answer, run.plain)
    if right is not None:
        yield float(run.answer.value), (f"{right} was meant", f"本应是 {right}")


def _direct_candidates(run: _Run) -> Iterator[tuple[str, float, Detail]]:
    """The mistakes seen from the step's own value alone: its sign, its rounding, a typo."""
    yield "sign", -run.plain, None
    d = _written(run.answer)
    if d is not None:
        places = -d.as_tuple().exponent
        for p in range(places, max(-1, places - 5), -1):
            yield "rounding", round_half_up(run.plain, p), (f"the result rounded to {_decimals(p)}",
                                                            f"结果只保留了 {p} 位小数")
    for value, detail in _m_digit_swap(run):
        yield "digit_swap", value, detail


MODELS: tuple[tuple[str, Callable[[_Run], Iterator[Candidate]]], ...] = (
    ("wrong_update_direction", _m_wrong_update_direction),
    ("missing_learning_rate", _m_missing_learning_rate),
    ("used_updated_weight", _m_used_updated_weight),
    ("used_old_weight", _m_used_old_weight),
    ("shared_bias_not_summed", _m_shared_bias_not_summed),
    ("batch_reduction", _m_batch_reduction),
    ("missing_activation_derivative", _m_missing_activation_derivative),
    ("activation_for_derivative", _m_activation_for_derivative),
    ("used_z_for_a", _m_used_z_for_a),
    ("factor_half", _m_factor_half),
    ("other_sample", _m_other_sample),
    ("sign", _m_sign),
    ("rounding", _m_rounding),
    ("digit_swap", _m_digit_swap),
    ("swapped_weights", _m_swapped_weights),  # NOTE: last: so many pairs match by chance; a typo is likelier
)
assert tuple(m for m, _ in MODELS) == MISTAKES


def _given_candidates(graph: _Graph, names: Names, ident: str, answer: Answer,
                      base: Mapping[str, float]) -> Iterator[tuple[str, float, Detail]]:
    """A given copied wrongly: another sample's, the sign, rounded, a typo."""
    value = base[ident]
    s = _sample(ident)
    if s is not None:
        for other in range(1, graph.S + 1):
            if other != s:
                name = names.display(_with_sample(ident, other))
                yield "other_sample", base[_with_sample(ident, other)], (name, name)
    yield "sign", -value, None
    d = _written(answer)
    if d is not None:
        places = -d.as_tuple().exponent
        for p in range(places, max(-1, places - 5), -1):
            yield "rounding", round_half_up(value, p), (f"rounded to {_decimals(p)}", f"四舍五入到 {p} 位小数")
    right = _typo_of(answer, value)
    if right is not None:
        yield "digit_swap", float(answer.value), (f"{right} was meant", f"本应是 {right}")


# ---------------------------------------------------------------------------------- the report

_TEXT = {
    "en": {
        "correct": "correct", "carried": "carried", "wrong": "wrong",
        "given": "{name} is given: {value}",
        "you_wrote": "You wrote {given}",
        "mistake": "{you}: {desc}, which gives {reproduced}.",
        "mistake_own": "{you}: from your own earlier numbers, {desc}, which gives {reproduced}.",
        "no_mistake": "{you}; none of the common mistakes gives that.",
        "typo": "{you}: {desc}.",
        "carried_text": "{line}. From your own {sources} the same method gives {carried}: an error carried forward, "
                        "the method is right. With the right numbers: {right}.",
        "rounded": " Your {given} is what your own rounded numbers give ({carried}).",
        "header": ("name", "given", "expected", "verdict", "mistake"),
        "score": "score: {correct} correct, {carried} carried forward, {wrong} wrong, of {total}",
        "first": "first wrong answer: ",
        "none": "no answers",
    },
    "zh": {
        "correct": "正确", "carried": "带错", "wrong": "错误",
        "given": "{name} 是已知量：{value}",
        "you_wrote": "你写的是 {given}",
        "mistake": "{you}：{desc}，这样算得 {reproduced}。",
        "mistake_own": "{you}：用你前面自己的数，{desc}，这样算得 {reproduced}。",
        "no_mistake": "{you}；常见错误都得不到这个数。",
        "typo": "{you}：{desc}。",
        "carried_text": "{line}。用你前面自己的 {sources}，同样的方法得 {carried}：错误是前面带下来的，方法正确。"
                        "用正确的数：{right}。",
        "rounded": " 你的 {given} 正是用你自己四舍五入后的数算出的（{carried}）。",
        "header": ("名称", "你的答案", "正确值", "判定", "可能的错误"),
        "score": "得分：正确 {correct}，带错 {carried}，错误 {wrong}，共 {total}",
        "first": "第一个错误：",
        "none": "没有答案",
    },
}

_MISTAKE_TEXT = {
    "sign": ("the sign is flipped (e.g. t − y instead of y − t)", "符号反了（例如把 y − t 写成 t − y）"),
    "used_updated_weight": ("the updated weight was used where the old one belongs (gradients use the old weights)",
                            "用了更新后的权重（求梯度要用更新前的权重）"),
    "used_old_weight": ("the old weights were used in the forward pass after the update",
                        "更新后的前向计算里用了旧权重"),
    "missing_activation_derivative": ("the activation's derivative da/dz was left out of δ",
                                      "δ 里漏乘了激活函数的导数 da/dz"),
    "activation_for_derivative": ("a or z was written where the activation's derivative belongs (sigmoid: a(1 − a))",
                                  "在该用激活函数导数（sigmoid 是 a(1 − a)）的地方用了 a 或 z"),
    "used_z_for_a": ("z was used where the activation a belongs", "在该用激活值 a 的地方用了 z"),
    "factor_half": ("the 1/2 (or the 2) of the squared error was lost or doubled", "平方误差的 1/2（或 2）丢了或多乘了"),
    "batch_reduction": ("the batch was summed instead of averaged, or the reverse", "批量上把求平均当成了求和（或反过来）"),
    "missing_learning_rate": ("the learning rate was left out: w − g instead of w − η·g", "漏了学习率：写成了 w − g 而不是 w − η·g"),
    "wrong_update_direction": ("the update went the wrong way: w + η·g instead of w − η·g", "更新方向反了：写成了 w + η·g 而不是 w − η·g"),
    "other_sample": ("another sample's number was used", "用了另一个样本的数"),
    "swapped_weights": ("two weights were mixed up (their subscripts swapped)", "两个权重弄混了（下标对调）"),
    "shared_bias_not_summed": ("a shared bias's gradient must add up δ of every neuron it feeds; only one was taken",
                               "共享偏置的梯度要把它连接的所有神经元的 δ 加起来，这里只取了一个"),
    "rounding": ("the method is right but numbers were rounded too early or to too few digits",
                 "方法对，但过早四舍五入或保留的位数太少"),
    "digit_swap": ("two digits are swapped or one digit is mistyped", "两个数字写颠倒了或有一位写错了"),
}

_ACTIVATION_TEXT = {"sigmoid": "σ", "tanh": "tanh", "relu": "relu", "leaky_relu": "leaky_relu", "identity": "",
                    "softmax": "softmax"}


@dataclass
class Result:
    """The mark for one answer."""

    id: str
    given: float
    expected: float
    verdict: str
    mistake: str | None = None
    explanation: str = ""
    reproduced: float | None = None
    key: str = ""
    text: str | None = None
    name: str = ""
    carried_from: list[str] = field(default_factory=list)
    carried_value: float | None = None
    where: str | None = None

    def to_json(self) -> dict[str, Any]:
        out = {"id": self.id, "name": self.name, "given": self.given, "expected": self.expected,
               "verdict": self.verdict, "mistake": self.mistake, "reproduced": self.reproduced,
               "explanation": self.explanation}
        if self.verdict == "carried":
            out["carried_from"] = self.carried_from
            out["carried_value"] = self.carried_value
        if self.where:
            out["where"] = self.where
        return out


@dataclass
class CheckReport:
    """Every answer's mark, in the trace's order (check_printed: the note's order)."""

    results: list[Result]
    lang: str = "en"
    trace: Trace | None = field(default=None, repr=False, compare=False)

    def latex(self, result: Result) -> str:
        """The right computation of an answered step in LaTeX, as the step-through page writes it
        (a linear neuron's output shows its weighted sum); a given shows its value."""
        from .render import RenderOptions, render_step

        if self.trace is None or result.id not in self.trace:
            return ""
        symbol = _symbols(self.trace.network)(result.id.removeprefix("check."))
        if result.id in self.trace.givens:
            return f"{symbol} = {format_number(result.expected)}"
        graph = _graph_of(self.trace)
        core = _core_step(graph, graph.step(result.id))
        rendered = render_step(self.trace, core.id, RenderOptions(lang=self.lang if self.lang in _TEXT else "en"))
        return rendered.latex if rendered.symbol == symbol else f"{symbol} = {rendered.latex}"

    @property
    def first_wrong(self) -> Result | None:
        return next((r for r in self.results if r.verdict == "wrong"), None)

    @property
    def score(self) -> dict[str, int]:
        counts = {v: sum(r.verdict == v for r in self.results) for v in VERDICTS}
        return {**counts, "total": len(self.results)}

    def to_json(self) -> dict[str, Any]:
        return {"results": [r.to_json() for r in self.results], "score": self.score}

    def to_text(self) -> str:
        t = _TEXT.get(self.lang, _TEXT["en"])
        if not self.results:
            return t["none"]
        marks = {"correct": "✓", "carried": "→", "wrong": "✗"}
        rows = [t["header"]] + [
            (r.name or r.id, r.text or format_number(r.given), format_number(r.expected),
             f"{marks[r.verdict]} {t[r.verdict]}", r.mistake or "") for r in self.results]
        widths = [max(len(row[i]) for row in rows) for i in range(5)]
        lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
        lines.append("")
        lines.append(t["score"].format(**self.score))
        if (first := self.first_wrong) is not None:
            lines.append(t["first"] + first.explanation)
        return "\n".join(lines)


# ---------------------------------------------------------------------------------- explanations


def _computation(graph: _Graph, names: Names, step: Step, get: Lookup) -> tuple[str, str]:
    """The step's formula in names, and the same with the numbers: (`w5·h1 + w6·h2`, `1 × 1.25 + 1 × 3.8`)."""
    a = graph.args[step.id]
    n = names.display

    def v(i: str) -> str:
        text = _num(get(i))
        return f"({text})" if text.startswith("-") else text

    op = step.op
    if op == "weighted_sum":
        sym = " + ".join(f"{n(w)}·{n(x)}" for w, x in zip(a["weights"], a["inputs"]))
        num = " + ".join(f"{v(w)} × {v(x)}" for w, x in zip(a["weights"], a["inputs"]))
        if a.get("bias"):
            sym, num = f"{sym} + {n(a['bias'])}", f"{num} + {v(a['bias'])}"
        return sym, num
    if op == "activation":
        act = step.extra["activation"]
        f = _ACTIVATION_TEXT.get(act, act)
        if not f:  # identity: a is z, so show how z was computed
            return _computation(graph, names, graph.step(a["z"]), get)
        num = f"{f}({v(a['z'])})"
        if step.extra.get("round_to") is not None:  # then ≈ the rounded value (see _line)
            num += " = " + _num(float(ACTIVATIONS[act].value(np.array([get(a["z"])]))[0])) if ACTIVATIONS[act].elementwise \
                else ""
        return f"{f}({n(a['z'])})", num
    if op == "loss":
        loss = step.extra["loss"]
        pairs = list(zip(a["outputs"], a["targets"]))
        forms = {
            "half_squared_error": ("1/2 × ({t} − {y})²", " + "),
            "squared_error": ("({t} − {y})²", " + "),
            "mean_squared_error": ("({t} − {y})²", " + "),
            "binary_cross_entropy": ("−[{t}·ln {y} + (1 − {t})·ln(1 − {y})]", " + "),
            "cross_entropy": ("−{t}·ln {y}", " + "),
        }
        form, join = forms[loss]
        sym = join.join(form.format(t=n(t), y=n(y)) for y, t in pairs)
        num = join.join(form.format(t=v(t), y=v(y)) for y, t in pairs)
        if loss == "mean_squared_error":
            sym, num = f"({sym}) / {len(pairs)}", f"({num}) / {len(pairs)}"
        return sym, num
    if op in ("mean", "sum") and len(a["terms"]) == 1 and a["terms"][0] in graph.pos:
        return _computation(graph, names, graph.step(a["terms"][0]), get)
    if op in ("mean", "sum"):
        sym = " + ".join(n(t) for t in a["terms"])
        num = " + ".join(v(t) for t in a["terms"])
        if op == "mean":
            return f"({sym}) / {len(a['terms'])}", f"({num}) / {len(a['terms'])}"
        return sym, num
    if op == "loss_derivative":
        loss = step.extra["loss"]
        y, t = a["output"], a["target"]
        forms = {"half_squared_error": "{y} − {t}", "squared_error": "2 × ({y} − {t})",
                 "mean_squared_error": "2 × ({y} − {t}) / " + str(len(a["outputs"])),
                 "binary_cross_entropy": "−{t}/{y} + (1 − {t})/(1 − {y})", "cross_entropy": "−{t}/{y}"}
        return forms[loss].format(y=n(y), t=n(t)), forms[loss].format(y=v(y), t=v(t))
    if op == "activation_derivative":
        act = step.extra["activation"]
        forms = {"sigmoid": "{a} × (1 − {a})", "tanh": "1 − {a}²", "identity": "1",
                 "relu": "({z} > 0 ? 1 : 0)", "leaky_relu": "({z} > 0 ? 1 : 0.01)"}
        if act == "softmax":
            same = parse_step_id(step.id)["wrt"] == step.neuron
            form = "{a} × (1 − {w})" if same else "−{a} × {w}"
            return form.format(a=n(a["a"]), w=n(a["a_wrt"])), form.format(a=v(a["a"]), w=v(a["a_wrt"]))
        form = forms[act]
        return form.format(a=n(a["a"]), z=n(a["z"])), form.format(a=v(a["a"]), z=v(a["z"]))
    if op == "product":
        return " × ".join(n(f) for f in a["factors"]), " × ".join(v(f) for f in a["factors"])
    if op == "sum_over_paths":
        pairs = list(zip(a["deltas"], a["weights"]))
        return (" + ".join(f"{n(d)} × {n(w)}" for d, w in pairs), " + ".join(f"{v(d)} × {v(w)}" for d, w in pairs))
    if op == "jacobian_sum":
        pairs = list(zip(a["dE_da"], a["da_dz"]))
        return (" + ".join(f"{n(e)} × {n(j)}" for e, j in pairs), " + ".join(f"{v(e)} × {v(j)}" for e, j in pairs))
    if op in ("weight", "input"):
        i = a["weight"] if op == "weight" else a["input"]
        return n(i), v(i)
    if op == "constant":
        return "1", "1"
    if op == "update":
        return (f"{n(a['old'])} − {n(a['rate'])} × {n(a['gradient'])}",
                f"{v(a['old'])} − {v(a['rate'])} × {v(a['gradient'])}")
    if op == "difference":
        return f"{n(a['after'])} − {n(a['before'])}", f"{v(a['after'])} − {v(a['before'])}"
    return step.op, ""


def _line(graph: _Graph, names: Names, ident: str, get: Lookup, value: float) -> str:
    """`∂E/∂w5 = δ × ∂y/∂w5 = 1.05 × 1.25 = 1.3125`."""
    parts = [names.display(ident)]
    rounded = False
    if ident in graph.pos:
        step = graph.step(ident)
        sym, num = _computation(graph, names, step, get)
        parts.append(sym)
        if step.op not in ("weight", "input", "constant"):
            parts.append(num)
        rounded = step.op == "activation" and step.extra.get("round_to") is not None
    line = " = ".join(p for i, p in enumerate(parts) if p and p not in parts[:i])
    return f"{line} {'≈' if rounded else '='} {format_number(value)}"


# ------------------------------------------------------------------------------------ marking


class _Marker:
    def __init__(self, trace: Trace, answers: list[Answer], tolerance: float | None, lang: str):
        self.trace = trace
        self.graph = _graph_of(trace)
        self.names = names_of(trace)
        self.tolerance = tolerance
        self.lang = lang if lang in _TEXT else "en"
        self.answers = answers
        self.pinned: dict[str, float] = {}
        for a in answers:
            self.pinned.setdefault(a.id, float(a.value))
        self.first: dict[str, Answer] = {}
        for a in answers:
            self.first.setdefault(a.id, a)
        self.carried = self.graph.carried(self.pinned)
        self.verdict_of: dict[str, str] = {}

    def order(self, answer: Answer) -> tuple[int, int]:
        if answer.id in self.trace.givens:
            return (0, list(self.trace.givens).index(answer.id))
        return (1, self.graph.pos[answer.id])

    def frontier(self, ident: str) -> list[str]:
        """The answered steps and givens the step is computed from, nearest first, not looking past them."""
        out: list[str] = []
        seen: set[str] = set()
        stack = list(self.graph.deps.get(ident, ()))
        while stack:
            i = stack.pop()
            if i in seen:
                continue
            seen.add(i)
            if i in self.pinned:
                out.append(i)
            elif i in self.graph.pos:
                stack.extend(self.graph.deps[i])
        return sorted(out, key=lambda i: self.graph.pos.get(i, -1))

    def mark(self) -> list[Result]:
        results = []
        for answer in sorted(self.answers, key=self.order):
            result = self.mark_one(answer)
            self.verdict_of.setdefault(answer.id, result.verdict)
            results.append(result)
        return results

    def mark_one(self, answer: Answer) -> Result:
        ident = answer.id
        true = self.graph.true
        expected = true[ident]
        t = _TEXT[self.lang]
        result = Result(ident, float(answer.value), expected, "correct", key=answer.key, text=answer.text,
                        name=self.names.display(ident))
        given_text = answer.text or format_number(answer.value)
        is_step = ident in self.graph.pos
        right_line = _line(self.graph, self.names, ident, true.__getitem__, expected) if is_step else \
            t["given"].format(name=result.name, value=format_number(expected))
        if agrees(expected, answer, self.tolerance):
            result.explanation = right_line
            return result
        if is_step:
            step = self.graph.step(ident)
            own = self.graph.evaluate(step, self.carried.__getitem__)
            if agrees(own, answer, self.tolerance):
                sources = self.frontier(ident)
                bad = [i for i in sources if self.verdict_of.get(i, "correct") != "correct"]
                result.carried_value = own
                if not bad:
                    result.explanation = right_line + t["rounded"].format(given=given_text, carried=format_number(own))
                    return result
                result.verdict = "carried"
                result.carried_from = bad
                own_line = ", ".join(f"{self.names.display(i)} = {self.first[i].text or format_number(self.pinned[i])}"
                                     for i in bad)
                sym, _ = _computation(self.graph, self.names, step, true.__getitem__)
                result.explanation = t["carried_text"].format(
                    line=f"{result.name} = {sym}", sources=own_line, carried=format_number(own),
                    right=right_line.split(" = ", 1)[1] if " = " in right_line else right_line)
                return result
        result.verdict = "wrong"
        found = self.diagnose(answer)
        you = t["you_wrote"].format(given=given_text)
        if found is None:
            result.explanation = f"{right_line}. " + t["no_mistake"].format(you=you)
            return result
        mistake, reproduced, detail, own_numbers = found
        result.mistake, result.reproduced = mistake, reproduced
        zh = self.lang == "zh"
        desc = _MISTAKE_TEXT[mistake][1 if zh else 0]
        if detail is not None:
            desc += ("（" + detail[1] + "）") if zh else f" ({detail[0]})"
        template = t["mistake_own"] if own_numbers else t["mistake"]
        if mistake == "digit_swap":
            template = t["typo"]
        result.explanation = f"{right_line}. " + template.format(you=you, desc=desc, reproduced=format_number(reproduced))
        return result

    def diagnose(self, answer: Answer) -> tuple[str, float, Detail, bool] | None:
        """The first mistake model that reproduces the answer: (key, value, how, from the learner's own numbers)."""
        ident = answer.id
        bases: list[tuple[Mapping[str, float], bool]] = [(self.graph.true, False)]
        sources = self.frontier(ident) if ident in self.graph.pos else []
        if any(self.pinned[i] != self.graph.true[i] for i in sources):
            bases.append((self.carried, True))
        if ident not in self.graph.pos:
            for mistake, value, detail in _given_candidates(self.graph, self.names, ident, answer, self.graph.true):
                if agrees(value, answer, self.tolerance):
                    return mistake, value, detail, False
            return None
        step = self.graph.step(ident)
        pinned = set(self.pinned) - {ident}
        budget = [WORK]
        runs = [(_Run(self.graph, self.names, step, base, pinned, answer, [len(self.graph.trace.steps)]), own_numbers)
                for base, own_numbers in bases]
        for run, _ in runs:
            run.budget = budget
        try:
            for mistake, model in MODELS:
                for run, own_numbers in runs:
                    if agrees(run.plain, answer, self.tolerance):
                        continue
                    for value, detail in model(run):
                        if agrees(value, answer, self.tolerance):
                            return mistake, value, detail, own_numbers
        except _OutOfBudget:  # a big network: what can still be said from the value itself
            for run, own_numbers in runs:
                for mistake, value, detail in _direct_candidates(run):
                    if agrees(value, answer, self.tolerance):
                        return mistake, value, detail, own_numbers
        return None


def _resolved(trace: Trace, answers: Iterable[Answer]) -> list[Answer]:
    names = names_of(trace)
    out = []
    for a in answers:
        if a.id is not None and a.id in trace:
            out.append(a)
            continue
        ident = _resolve_or_raise(names, a.key, "answers")
        out.append(Answer(a.key, a.text, float(a.value), ident))
    return out


def check_answers(trace: Trace, answers: Iterable[Answer], *, tolerance: float | None = None,
                  lang: str = "en") -> CheckReport:
    """Mark each answer correct, carried or wrong (with the likely mistake); results in the trace's order."""
    if tolerance is not None and (not math.isfinite(tolerance) or tolerance < 0):
        raise ConfigError("tolerance", f"expected a number >= 0, got {tolerance}")
    resolved = _resolved(trace, answers)
    return CheckReport(_Marker(trace, resolved, tolerance, lang).mark(), lang, trace)


def check_file(trace: Trace, path: str | Path, lang: str = "en", *, tolerance: float | None = None) -> CheckReport:
    """Mark a JSON answers file; ConfigError (one line) for a missing file or bad JSON."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise ConfigError(str(path), "no such file") from None
    except OSError as err:
        raise ConfigError(str(path), f"cannot be read ({err.strerror})") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError(str(path), "is not UTF-8 text") from None
    return check_answers(trace, parse_answers_json(text, trace, p.name), tolerance=tolerance, lang=lang)


def check_printed(network: Network, *, experiment: int | None = None, lang: str = "en") -> CheckReport:
    """The numbers a note prints (the preset's `printed`, or one experiment's) marked like a learner's,
    in the note's order, each result carrying its `where`; a recorded slip shows as wrong or carried."""
    from .trace import with_givens

    meta = network.meta or {}
    printed = meta.get("printed") or []
    if experiment is not None:
        exp = (meta.get("experiments") or [])[experiment]
        network = with_givens(network, exp.get("set", {}))
        printed = exp.get("printed") or []
    trace = compute_trace(network)
    answers = [Answer(e["step"], e["text"], parse_number(e["text"]), e["step"]) for e in printed]
    results = _Marker(trace, answers, None, lang).mark()
    # back to the note's order: mark() sorts by the trace, stably
    by_answer = {}
    for r in results:
        by_answer.setdefault((r.id, r.text), []).append(r)
    ordered = []
    for entry in printed:
        r = by_answer[(entry["step"], entry["text"])].pop(0)
        r.where = entry.get("where")
        ordered.append(r)
    return CheckReport(ordered, lang, trace)
