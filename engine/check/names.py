"""The learner's names for steps and givens, and the name a table shows for each id.

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
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from .. import memo
from ..config import Network
from ..limits import MAX_NAME_CHARS
from ..messages import shown
from ..notation import Notation, decorate
from ..trace import Trace, parse_step_id, step_id
from .spelling import _subscript, canon, pretty

# A sample qualifier or an `after` at the end of a name. NOTE: each pattern holds only the qualifier and is
# searched for (the name before it is what is left, stripped): a lazy `^(.+?)\s*...$` rescans the rest of
# the name from every position and took seconds on a name of spaces. No two quantifiers here can take the
# same characters, so each runs in linear time; names are also at most MAX_NAME_CHARS characters.
_QUALIFIERS = [(re.compile(p, re.I), space) for p, space in (
    (r"\[\s*(?P<s>\d+)\s*\]$", False),
    (r"\(\s*(?:sample|s|样本|第)\s*(?:=\s*)?(?P<s>\d+)\s*(?:个样本\s*)?\)$", False),
    (r",\s*(?:sample\s*|s\s*(?:=\s*)?|样本\s*)?(?P<s>\d+)$", False),
    (r"(?:sample|样本)\s*(?P<s>\d+)$", True),  # after a space: `delta_o sample 2`
    (r"@\s*(?P<s>\d+)$", False),
)]
_AFTER = re.compile(r"(?:\(\s*after\s*\)|after|\(\s*更新后\s*\)|更新后|\+)$", re.I)


def _qualified(text: str) -> Iterator[tuple[str, int]]:
    """`delta_o[2]`, `delta_o (sample 2)`, ... -> ("delta_o", 2), for each way of reading it."""
    for pattern, space in _QUALIFIERS:
        m = pattern.search(text)
        if m is None:
            continue
        head = text[:m.start()]
        if space and not head[-1:].isspace():
            continue
        base = head.rstrip()
        if base:
            yield base, int(m.group("s"))


def _after_base(text: str) -> str | None:
    """`y after`, `E_after`, `h1+` -> the forward name (`y`, `E`, `h1`)."""
    m = _AFTER.search(text)
    if m is None or m.start() == 0:
        return None
    i = m.start()
    while i > 1 and (text[i - 1].isspace() or text[i - 1] == "_"):
        i -= 1
    return text[:i]


SUGGEST_POOL = 2_000  # spellings difflib compares an unknown name with

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
    """A name that resolves to no step, or to more than one; `str(err)` is one line, `text("zh")` in Chinese."""

    def __init__(self, en: str, zh: str | None = None):
        super().__init__(en)
        self.zh = zh

    def text(self, lang: str = "en") -> str:
        return self.zh if lang == "zh" and self.zh else str(self)


def _symbols(network: Network) -> Callable[[str], str]:
    return Notation.of(network).symbol


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
        self._examples: str | None = None
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

    def resolve(self, key: str, *, quiet: bool = False, suggest: bool = True) -> str:
        """The step or given id a learner's name means; NameError_ with a one-line message if none
        (`quiet`: a bare message, for a caller that only asks whether the name exists; `suggest=False`:
        without the close names, which take a while to find)."""
        if len(key) > MAX_NAME_CHARS:  # before any parsing
            raise NameError_(f"the name {shown(key)} is {len(key)} characters long, beyond the limit of {MAX_NAME_CHARS}",
                             f"名称 {shown(key)} 有 {len(key)} 个字符，超出了 {MAX_NAME_CHARS} 个字符的上限")
        text = unicodedata.normalize("NFKC", key).strip()[:4 * MAX_NAME_CHARS]
        if text in self.trace:
            return text
        try:
            return self._resolve(text, quiet, suggest)
        except NameError_:
            if not self._spell_samples():
                raise
        return self._resolve(text, quiet, suggest)

    def _resolve(self, text: str, quiet: bool = False, suggest: bool = True) -> str:
        ids = self._ids(text)
        if ids is not None:
            return self._choose(text, ids, None)
        for base, sample in _qualified(text):  # `delta_o[2]`, `delta_o (sample 2)`, ...
            if (found := self._ids(base)) is not None:
                return self._choose(text, found, sample)
            if (after := _after_base(base)) is not None:  # `a_o after [2]`
                return self._after(text, self.resolve(f"{after}[{sample}]", quiet=quiet, suggest=suggest))
        if (after := _after_base(text)) is not None:
            return self._after(text, self.resolve(after, quiet=quiet, suggest=suggest))
        if quiet:
            raise NameError_(f"unknown name {text!r}")
        close = self._close(text) if suggest else []
        raise NameError_(self.unknown(text, "en", close), self.unknown(text, "zh", close))

    def _after(self, key: str, forward: str) -> str:
        """The second forward pass's step for a forward step (`y after`, `E_after`, `h1+`)."""
        q = _quantity(forward)
        ident = {"a": "check." + forward, "z": "check." + forward, "loss": "loss_after",
                 "sample_loss": forward.replace("sample_loss", "sample_loss_after")}.get(q)
        if ident is None or ident not in self.trace:
            raise NameError_(f"{key!r}: only the forward pass and the loss are computed again after the update",
                             f"{key!r}：更新之后只会重新计算前向传播和误差")
        return ident

    def _choose(self, key: str, ids: Iterable[str], sample: int | None) -> str:
        cands = sorted(ids, key=self._order)
        if sample == 1 and not self.batch:
            sample = None  # `h1[1]` with one sample is just h1
        if sample is not None:
            cands = [i for i in cands if _sample(i) == sample]
            if not cands:
                n = len(self.trace.network.samples)
                raise NameError_(f"{key!r}: there is no such sample here (the batch has {n}), "
                                 "or the name does not depend on the sample",
                                 f"{key!r}：没有这个样本（这一批共 {n} 个），或者这个量与样本无关")
        quantities = {_quantity(i) for i in cands}
        cands = [i for i in cands if _PREFER.get(_quantity(i)) not in quantities]
        families = {_family(i) for i in cands}
        if len(families) > 1:
            names = ", ".join(dict.fromkeys(self.display(i) for i in cands))
            raise NameError_(f"{key!r} is ambiguous here: it could be {names}; use the step id instead",
                             f"{key!r} 在这里有歧义：可能是 {names}；请改用步骤编号")
        if len(cands) == 1:
            return cands[0]
        batch = [i for i in cands if _sample(i) is None]
        if batch:
            return batch[0]
        raise NameError_(f"{key!r} is different for each sample: write the sample after it, e.g. "
                         f"{key}[1] or {key} (sample 2)",
                         f"{key!r} 每个样本各不相同：请在后面写上样本，例如 {key}[1] 或 {key} (样本 2)")

    def _order(self, ident: str) -> int:
        if ident in self.trace.givens:
            return -1
        return self.trace.position(ident)

    def _close(self, key: str) -> list[str]:
        """Names close to `key`, for a suggestion. NOTE: a 16-sample network has ~100,000 spellings and
        difflib takes ~1 s over all of them: a big map is cut to the spellings with the same first letter and
        a similar length, at most SUGGEST_POOL of them."""
        c = canon(key)
        pool = list(self._map)
        if len(pool) > SUGGEST_POOL:
            first = c[:1].lower()
            pool = [k for k in pool if k[:1].lower() == first and len(c) // 2 <= len(k) <= 2 * len(c) + 2]
            pool = pool[:SUGGEST_POOL]
        close: list[str] = []
        for match in difflib.get_close_matches(c, pool, n=6, cutoff=0.5):
            for ident in sorted(self._map[match], key=self._order):
                name = self.display(ident)
                if name not in close:
                    close.append(name)
        return close

    def unknown(self, key: str, lang: str = "en", close: list[str] | None = None) -> str:
        """The message for a name that is not here: close names, then a few that exist."""
        if close is None:
            close = self._close(key)
        if self._examples is None:
            self._examples = ", ".join(self.examples())
        first = self.trace.steps[0].id
        if lang == "zh":
            hint = f"（是不是 {'、'.join(close[:3])}？）" if close else ""
            return f"这个网络里没有 {key!r}{hint}；这里的名称有 {self._examples}（也可以用步骤编号，如 {first}）"
        hint = f" (did you mean {', '.join(close[:3])}?)" if close else ""
        return f"unknown name {key!r}{hint}; names here include {self._examples} (or step ids such as {first})"


def _old(network: Network, symbol: str | None) -> str | None:
    """The notation's spelling of an old parameter (note 001: w_o^{(0)}), if it has one."""
    template = (network.notation or {}).get("old")
    if not symbol or not template or template == "@":
        return None
    return decorate(symbol, template)


# NOTE: keyed by memo.ident(trace); a Names holds its trace, so its size counts the trace's too
_NAMES = memo.ByteLRU("check.names", memo.NAMES_BUDGET)


def names_of(trace: Trace) -> Names:
    """The (cached) names of a trace."""
    return _NAMES.get_or_make((memo.ident(trace),), lambda: Names(trace),
                              size=len(trace.steps) * (memo.NAMES_BYTES_PER_STEP + memo.TRACE_BYTES_PER_STEP))
