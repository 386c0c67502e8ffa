"""Every step of a trace written the way the notes write it: symbol = formula = numbers = result.

A step's line is built once per trace (symbols, the formula and the substitution as expression trees,
the caption's content); precision, multiplication sign and language are applied per RenderOptions.
"""

from __future__ import annotations

import functools
import threading
import weakref
from dataclasses import dataclass, replace
from typing import Any

from . import memo
from .captions import LANGS, Phrase, Slope, callout, caption
from .config import ConfigError
from .latex import (
    MUL_SIGNS,
    Call,
    Diff,
    Fn,
    Frac,
    Neg,
    Node,
    Num,
    Pow,
    Prod,
    Style,
    Sum,
    Sym,
    equation,
    katex_problems,
    number,
    plain_number,
    tex,
)
from .limits import MAX_DECIMALS, MAX_SIGNIFICANT
from .notation import Notation, partial
from .numbers import round_half_up
from .trace import Step, Trace, parse_step_id, step_id

NON_LATEX_NOTATION = ("matrix_convention", "difference")  # notation keys that are settings, not symbols


@dataclass(frozen=True, slots=True)
class RenderOptions:
    """How steps are shown: caption language, precision (decimals or significant digits) and the × sign."""

    lang: str = "en"
    decimals: int | None = None
    significant: int | None = None
    mul: str = "times"

    def __post_init__(self) -> None:
        if self.lang not in LANGS:
            raise ConfigError("lang", f"expected one of {', '.join(LANGS)}, got {self.lang!r}")
        if self.mul not in MUL_SIGNS:
            raise ConfigError("mul", f"expected one of {', '.join(MUL_SIGNS)}, got {self.mul!r}")
        for name, value, low, high in (("decimals", self.decimals, 0, MAX_DECIMALS),
                                       ("significant", self.significant, 1, MAX_SIGNIFICANT)):
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high):
                raise ConfigError(name, f"expected a whole number from {low} to {high}, got {value!r}")
        if self.decimals is not None and self.significant is not None:
            raise ConfigError("significant", "choose decimals or significant digits, not both")

    @property
    def style(self) -> Style:
        return Style(self.decimals, self.significant, self.mul)


DEFAULT_OPTIONS = RenderOptions()


@dataclass(frozen=True, slots=True)
class RenderedStep:
    """One step as the app shows it."""

    id: str
    phase: str
    quantity: str
    symbol: str  # LaTeX of the left-hand side
    formula: str  # the general formula in symbols ('' when none)
    substituted: str  # the numbers put into it ('' when none)
    result: str  # the value at the chosen precision
    latex: str  # symbol = formula = substituted = result, without empty or repeated parts
    caption: str
    callout: str | None
    path_ids: tuple[str, ...]
    value: float


@dataclass(frozen=True, slots=True)
class _Line:
    """A step's line before precision and language are chosen."""

    symbol: str
    formula: Node | None
    substituted: Node | None
    value: float
    unrounded: float | None
    round_to: int | None
    path_ids: tuple[str, ...]
    caption: Phrase
    callouts: tuple[Phrase, ...]


@dataclass(frozen=True, slots=True)
class _Factor:
    """One local derivative of a chain: its symbol, its value and how it is read aloud."""

    tex: str
    value: float
    slope: Slope


def _safe_notation(trace: Trace) -> Notation:
    """The preset's notation, or the standard one when any of its symbols would not render in KaTeX."""
    network = trace.network

    def strings(value: Any):
        if isinstance(value, str):
            yield value
        elif isinstance(value, list):
            for v in value:
                yield from strings(v)

    raw = network.notation or {}
    for key, value in raw.items():
        if key in NON_LATEX_NOTATION:
            continue
        for text in strings(value):
            if katex_problems(text.replace("@", "x").replace("#", "1")):
                return Notation.of(replace(network, notation={}))
    return Notation.of(network)


@functools.lru_cache(maxsize=memo.STEP_ID_CACHE_ENTRIES)  # see engine.memo: <= 18 MB
def _parse(ident: str) -> dict[str, Any] | None:
    return parse_step_id(ident)


def _parameter_of(ident: str) -> str | None:
    """The given a gradient or update step is about: dE_dw:l1:n2:k1[:s1] -> w:l1:n2:k1."""
    p = _parse(ident)
    if p is None:
        return None
    if p["quantity"] in ("dE_dw", "new_w"):
        return step_id("w", p["layer"], p["neuron"], p["source"])
    if p["quantity"] in ("dE_db", "new_b"):
        return step_id("b", p["layer"], p["neuron"])
    return None


_WRITERS = {
    "z": "weighted_sum", "a": "activation_line", "sample_loss": "sample_loss", "sample_loss_after": "sample_loss",
    "loss": "batch_loss", "loss_after": "batch_loss", "dE_da": "dE_da", "da_dz": "da_dz", "delta": "delta",
    "dz_da": "dz_da", "dz_dw": "dz_dw", "dz_db": "dz_db", "dE_dw": "gradient", "dE_db": "gradient",
    "new_w": "update", "new_b": "update", "loss_change": "loss_change",
}


class _Writer:
    """Writes the lines of one trace, in its notation."""

    def __init__(self, trace: Trace):
        self.trace = weakref.proxy(trace)  # NOTE: the cache is keyed weakly by the trace: holding it would keep it alive
        self.network = trace.network
        self.nt = _safe_notation(trace)
        self.L = len(self.network.layers)
        self.batch = len(self.network.samples) > 1
        raw = self.network.notation or {}
        self.output_first = raw.get("difference") == "output_minus_target"
        self.inputs_first = raw.get("matrix_convention") == "xW"
        self.new_ids = {s.operands["old"]: s.id for s in trace.steps if s.phase == "update"}
        self._chains: dict[str, tuple[_Factor, ...]] = {}
        self._paths: dict[str, tuple[str, ...]] = {}
        self._symbols: dict[str, str] = {}

    # --- symbols and values --------------------------------------------------------------------------
    def sym(self, ident: str) -> str:
        symbol = self._symbols.get(ident)
        if symbol is None:
            symbol = self._symbols[ident] = self.nt.symbol(ident)
        return symbol

    def val(self, ident: str) -> float:
        return self.trace.value(ident)

    def param_sym(self, gid: str, check: bool) -> str:
        """A weight or bias; in the check pass, its updated symbol (w_1^{+})."""
        base = self.sym(gid)
        return self.nt.updated(base) if check and gid in self.new_ids else base

    def num(self, ident: str) -> Num:
        """A step's or given's number; a given is shown as typed (never padded with zeros)."""
        return Num(self.val(ident), ident in self.trace.givens)

    def param_num(self, gid: str, check: bool) -> Num:
        """A weight or bias; in the check pass, its updated value."""
        return Num(self.val(self.new_ids[gid])) if check and gid in self.new_ids else self.num(gid)

    def same_symbol(self, layer: int, j: int) -> bool:
        """The preset writes z and a of this neuron with one symbol (a linear neuron: h_1)."""
        return self.nt.neuron(layer, j) == self.nt.pre_activation(layer, j)

    def activation(self, layer: int) -> str:
        return self.network.layers[layer - 1].activation

    # --- chains --------------------------------------------------------------------------------------
    def factor(self, ident: str) -> _Factor:
        """A single local derivative, as it stands in a chain."""
        st = self.trace.step(ident)
        q, l, j, k, s = st.quantity, st.layer, st.neuron, st.source, st.sample
        nt = self.nt
        if q == "dE_da":
            slope = Slope(nt.error_of(s if self.batch else None), nt.neuron(l, j), s if self.batch else None)
        elif q == "da_dz":
            m = _parse(ident)["wrt"] or j
            slope = Slope(self.sym(step_id("a", l, j, None, s)), self.sym(step_id("z", l, m, None, s)))
        elif q == "dz_da":
            slope = Slope(nt.pre_activation(l, j), nt.neuron(l - 1, k))
        elif q == "dz_dw":
            slope = Slope(self.sym(step_id("z", l, j, None, s)), nt.weight(l, j, k))
        elif q == "dz_db":
            slope = Slope(nt.pre_activation(l, j or 1), nt.bias(l, j))
        elif q == "delta":  # as a single factor: the error's slope with respect to z
            return self.delta_factor(ident)
        else:
            raise KeyError(ident)
        return _Factor(self.sym(ident), st.value, slope)

    def delta_factor(self, ident: str) -> _Factor:
        st = self.trace.step(ident)
        s = st.sample if self.batch else None
        z = self.nt.pre_activation(st.layer, st.neuron)
        return _Factor(partial(self.nt.error_of(s), z), st.value, Slope(self.nt.error_of(s), z, s))

    def skipped(self, da_dz: str) -> bool:
        """A linear neuron written with one symbol: its da/dz = 1 is left out of the chain, as the notes do."""
        st = self.trace.step(da_dz)
        return self.activation(st.layer) == "identity" and self.same_symbol(st.layer, st.neuron)

    def chain(self, ident: str) -> tuple[_Factor, ...]:
        """The local derivatives whose product is this step, expanded through the steps with a single path."""
        if ident in self._chains:
            return self._chains[ident]
        st = self.trace.step(ident)
        q, op = st.quantity, st.op
        if q == "dE_da" and op == "sum_over_paths" and len(st.operands["deltas"]) == 1:
            out = self.chain(st.operands["deltas"][0]) + (self.factor(st.operands["weights"][0]),)
        elif q == "dE_da":
            out = (self.factor(ident),)  # the loss's derivative, or a sum over several paths
        elif q == "delta" and op == "product":
            dE_da, da_dz = st.operands["factors"]
            out = self.chain(dE_da) + (() if self.skipped(da_dz) else (self.factor(da_dz),))
        elif q == "delta":
            out = (self.delta_factor(ident),)
        elif q in ("dE_dw", "dE_db") and op == "product":
            delta, local = st.operands["factors"]
            out = self.chain(delta) + (self.factor(local),)
        else:
            raise KeyError(ident)
        self._chains[ident] = out
        return out

    @staticmethod
    def multi_path(st: Step) -> bool:
        return (st.op == "sum_over_paths" and len(st.operands["deltas"]) > 1) or st.op == "jacobian_sum"

    def path(self, ident: str) -> tuple[str, ...]:
        """Ids of the steps and givens this step is computed through, nearest the error first."""
        if ident in self._paths:
            return self._paths[ident]
        out: list[str] = []
        seen = {ident}

        def visit(child: str) -> None:
            if child in seen:
                return
            seen.add(child)
            if child in self.trace.givens:
                out.append(child)
                return
            st = self.trace.step(child)
            # NOTE: a sum over several paths is where the chain as written stops: listing everything behind it
            # would name the whole network (and cost O(steps^2) on a large one)
            if st.phase == "backward" and not self.multi_path(st):
                for grandchild in st.operand_ids():
                    visit(grandchild)
            out.append(child)

        for child in self.trace.step(ident).operand_ids():
            visit(child)
        param = _parameter_of(ident)
        if param and param not in seen:
            out.append(param)
        self._paths[ident] = tuple(out)
        return self._paths[ident]

    # --- lines ---------------------------------------------------------------------------------------
    def line(self, st: Step) -> _Line:
        q = st.quantity
        symbol, formula, substituted, phrase, *rest = getattr(self, _WRITERS[q])(st)
        callouts = tuple(rest[0]) if rest else ()
        unrounded = st.extra.get("unrounded") if q == "a" else None
        return _Line(symbol, formula, substituted, st.value, unrounded, st.extra.get("round_to"),
                     self.path(st.id), phrase, callouts)

    def weighted_sum_nodes(self, st: Step) -> tuple[Node, Node, int]:
        check = st.phase == "check"
        ops = st.operands
        formula: list[Node] = []
        numbers: list[Node] = []
        for w, x in zip(ops["weights"], ops["inputs"]):
            pair = [Sym(self.param_sym(w, check)), Sym(self.sym(x))]
            values = [self.param_num(w, check), self.num(x)]
            if self.inputs_first:
                pair.reverse()
                values.reverse()
            formula.append(Prod(tuple(pair), "juxt"))
            numbers.append(Prod(tuple(values)))
        if ops.get("bias"):
            formula.append(Sym(self.param_sym(ops["bias"], check)))
            numbers.append(self.param_num(ops["bias"], check))
        return Sum(tuple(formula)), Sum(tuple(numbers)), len(formula)

    def weighted_sum(self, st: Step):
        formula, numbers, _ = self.weighted_sum_nodes(st)
        ops = st.operands
        check = st.phase == "check"
        phrase = Phrase("weighted_sum", {"z": self.sym(st.id), "inputs": [self.sym(x) for x in ops["inputs"]],
                                         "weights": [self.param_sym(w, check) for w in ops["weights"]],
                                         "bias": self.param_sym(ops["bias"], st.phase == "check") if ops.get("bias") else None,
                                         "check": st.phase == "check"})
        return self.sym(st.id), formula, numbers, phrase

    def activation_line(self, st: Step):
        act = st.extra["activation"]
        z_id = st.operands["z"]
        z_step = self.trace.step(z_id)
        symbol = self.sym(st.id)
        if act == "softmax":
            zs = st.operands["layer_z"]
            j = st.neuron

            def softmax(args: list[Node]) -> Node:
                terms = tuple(Call("e^{@}", a, "never") for a in args)
                return Frac(terms[j - 1], Sum(terms))

            formula = softmax([Sym(self.sym(z)) for z in zs])
            numbers = softmax([Num(self.val(z)) for z in zs])
        else:
            formula = _activation_node(act, Sym(self.sym(z_id)))
            _, weighted, terms = self.weighted_sum_nodes(z_step)
            # NOTE: a short weighted sum goes into the activation as the note writes it, e^{-(0.3 × 0.57 + 0.2)};
            # a longer one as its value, e^{-0.375}
            arg = weighted if act != "identity" and terms <= 2 else Num(z_step.value)
            numbers = _activation_node(act, arg)
        phrase = Phrase("activation", {"a": symbol, "z": self.sym(z_id), "activation": act,
                                       "same": self.same_symbol(st.layer, st.neuron),
                                       "round_to": st.extra.get("round_to"), "check": st.phase == "check"})
        return symbol, formula, numbers, phrase

    def differences(self, outputs: list[str], targets: list[str], numeric: bool) -> list[tuple[Node, Node]]:
        pick = self.num if numeric else (lambda i: Sym(self.sym(i)))
        return [(pick(y), pick(t)) for y, t in zip(outputs, targets)]

    def sample_loss(self, st: Step):
        outs, tgts = st.operands["outputs"], st.operands["targets"]
        loss = st.extra.get("loss", self.network.loss)
        formula = _loss_node(loss, self.differences(outs, tgts, False), self.output_first, "juxt")
        numbers = _loss_node(loss, self.differences(outs, tgts, True), self.output_first, "mul")
        phrase = Phrase("sample_loss", {"E": self.sym(st.id), "loss": loss, "outputs": [self.sym(o) for o in outs],
                                        "targets": [self.sym(t) for t in tgts],
                                        "sample": st.sample if self.batch else None, "check": st.phase == "check"})
        return self.sym(st.id), formula, numbers, phrase

    def batch_loss(self, st: Step):
        symbol = self.sym(st.id)
        terms = st.operands["terms"]
        args = {"E": symbol, "reduction": st.op, "n": len(terms), "check": st.phase == "check",
                "same": st.same_as is not None}
        if st.same_as:  # a batch of one: the loss is the sample's loss, a short line
            return symbol, None, None, Phrase("batch_loss", args)
        formula = _reduce([Sym(self.sym(t)) for t in terms], st.op)
        numbers = _reduce([Num(self.val(t)) for t in terms], st.op)
        return symbol, formula, numbers, Phrase("batch_loss", args)

    def dE_da(self, st: Step):
        symbol = self.sym(st.id)
        sample = st.sample if self.batch else None
        slope = Slope(self.nt.error_of(sample), self.nt.neuron(st.layer, st.neuron), sample)
        if st.op == "loss_derivative":
            pair_sym = self.differences([st.operands["output"]], [st.operands["target"]], False)[0]
            pair_num = self.differences([st.operands["output"]], [st.operands["target"]], True)[0]
            loss = st.extra.get("loss", self.network.loss)
            K = self.network.layers[-1].size
            formula = _loss_derivative_node(loss, *pair_sym, K, self.output_first, "juxt")
            numbers = _loss_derivative_node(loss, *pair_num, K, self.output_first, "mul")
            return symbol, formula, numbers, Phrase("loss_derivative", {"slope": slope, "loss": loss})
        callouts = [self.old_weight_callout(st)]
        if len(st.operands["deltas"]) == 1:
            return (*self.chain_line(st, symbol, Phrase("chain", {"slope": slope})), callouts)
        paths = [self.chain(d) + (self.factor(w),) for d, w in zip(st.operands["deltas"], st.operands["weights"])]
        formula = Sum(tuple(Prod(tuple(Sym(f.tex) for f in p), "dot") for p in paths))
        numbers = Sum(tuple(Prod(tuple(Num(f.value) for f in p)) for p in paths))
        through = [self.nt.neuron(st.layer + 1, self.trace.step(d).neuron) for d in st.operands["deltas"]]
        phrase = Phrase("paths_sum", {"slope": slope, "through": through, "paths": [[f.slope for f in p] for p in paths]})
        return symbol, formula, numbers, phrase, callouts

    def chain_line(self, st: Step, symbol: str, phrase: Phrase):
        factors = self.chain(st.id)
        if len(factors) == 1:
            formula, numbers = Sym(factors[0].tex), None
        else:
            formula = Prod(tuple(Sym(f.tex) for f in factors), "dot")
            numbers = Prod(tuple(Num(f.value) for f in factors))
        args = dict(phrase.args, factors=[f.slope for f in factors])
        return symbol, formula, numbers, Phrase(phrase.key, args)

    def old_weight_callout(self, st: Step) -> Phrase:
        """Note 000's warning: the chain goes through the old weights of the later layers, not the updated ones."""
        weights = []
        for ident in self.path(st.id):
            p = _parse(ident)
            if p["quantity"] == "w" and p["layer"] > (st.layer or 0) and ident in self.trace.givens:
                weights.append(ident)
        if st.quantity == "dz_da":
            weights = [st.operands["weight"]]
        texs = [self.sym(w) for w in weights]
        return Phrase("old_weight", {"weights": texs, "updated": [self.nt.updated(t) for t in texs]})

    def da_dz(self, st: Step):
        act = st.extra["activation"]
        a_id = st.operands["a"]
        a_sym, a_val = Sym(self.sym(a_id)), Num(self.val(a_id))
        same = act == "identity" and self.same_symbol(st.layer, st.neuron)
        symbol = self.sym(st.id)
        slope = None if same else self.factor(st.id).slope
        callouts = []
        other = None  # softmax: the other output whose weighted sum this derivative is taken with respect to
        if act == "softmax":
            m_id = st.operands["a_wrt"]
            other = None if m_id == a_id else self.sym(m_id)
            if m_id == a_id:
                formula, numbers = Prod((a_sym, Diff(Sym("1"), a_sym)), "juxt"), Prod((a_val, Diff(Sym("1"), a_val)))
            else:
                m_sym, m_val = Sym(self.sym(m_id)), Num(self.val(m_id))
                formula, numbers = Neg(Prod((a_sym, m_sym), "juxt")), Neg(Prod((a_val, m_val)))
        elif act == "sigmoid":
            formula, numbers = Prod((a_sym, Diff(Sym("1"), a_sym)), "juxt"), Prod((a_val, Diff(Sym("1"), a_val)))
            callouts.append(Phrase("sigmoid_with_a"))
        elif act == "tanh":
            formula, numbers = Diff(Sym("1"), Pow(a_sym, "2")), Diff(Sym("1"), Pow(a_val, "2"))
            callouts.append(Phrase("tanh_with_a"))
        elif act in ("relu", "leaky_relu"):
            z = self.sym(st.operands["z"])
            low = "0" if act == "relu" else "0.01"
            formula = Sym(rf"\begin{{cases}} 1 & {z} > 0 \\ {low} & {z} \le 0 \end{{cases}}")
            numbers = None
        else:  # identity: the result is the 1
            formula, numbers = None, None
        phrase = Phrase("activation_derivative", {"activation": act, "slope": slope, "a": self.sym(a_id), "same": same,
                                                  "other": other})
        return symbol, formula, numbers, phrase, callouts

    def delta(self, st: Step):
        symbol = self.sym(st.id)
        z = self.nt.pre_activation(st.layer, st.neuron)
        sample = st.sample if self.batch else None
        args = {"delta": symbol, "z": z, "sample": sample, "error": self.nt.error_of(sample)}
        if st.op == "product":
            return self.chain_line(st, symbol, Phrase("delta_chain", args))
        pairs = [(self.factor(e), self.factor(d)) for e, d in zip(st.operands["dE_da"], st.operands["da_dz"])]
        formula = Sum(tuple(Prod((Sym(e.tex), Sym(d.tex)), "dot") for e, d in pairs))
        numbers = Sum(tuple(Prod((Num(e.value), Num(d.value))) for e, d in pairs))
        return symbol, formula, numbers, Phrase("jacobian_sum", args)

    def dz_da(self, st: Step):
        w = st.operands["weight"]
        f = self.factor(st.id)
        return f.tex, Sym(self.sym(w)), None, Phrase("local_weight", {"slope": f.slope, "w": self.sym(w)}), \
            [self.old_weight_callout(st)]

    def dz_dw(self, st: Step):
        f = self.factor(st.id)
        source = st.operands["input"]
        w = self.nt.weight(st.layer, st.neuron, st.source)
        return f.tex, Sym(self.sym(source)), None, Phrase("local_input", {"slope": f.slope, "input": self.sym(source), "w": w})

    def dz_db(self, st: Step):
        f = self.factor(st.id)
        phrase = Phrase("local_bias", {"slope": f.slope, "shared": st.neuron is None,
                                       "b": self.nt.bias(st.layer, st.neuron)})
        return f.tex, None, None, phrase

    def gradient(self, st: Step):
        symbol = self.sym(st.id)
        param = _parameter_of(st.id)
        sample = st.sample if self.batch else None
        slope = Slope(self.nt.error_of(sample), self.sym(param), sample)
        shared = st.quantity == "dE_db" and st.neuron is None
        terms = st.operands.get("terms", [])
        batch = st.op in ("mean", "sum") and bool(terms) and not terms[0].startswith("delta:")
        callouts: list[Phrase] = []
        if st.layer < self.L and st.sample is None and self.network.update_order == "after_each_gradient":
            callouts.append(self.old_weight_callout(st))
        if shared:
            callouts.append(Phrase("shared_bias"))
        if batch:
            callouts.append(Phrase("batch_mean" if st.op == "mean" else "batch_sum"))
            formula = _reduce([Sym(self.sym(t)) for t in terms], st.op)
            numbers = _reduce([Num(self.val(t)) for t in terms], st.op)
            phrase = Phrase("batch_gradient", {"slope": slope, "reduction": st.op, "n": len(terms)})
            return symbol, formula, numbers, phrase, callouts
        if shared:  # one sample: the sum over the neurons the bias feeds, each dz/db = 1
            factors = [self.delta_factor(d) for d in terms]
            zs = [self.nt.pre_activation(st.layer, self.trace.step(d).neuron) for d in terms]
            b = self.nt.bias(st.layer, None)
            formula = Sum(tuple(Prod((Sym(f.tex), Sym(partial(z, b))), "dot") for f, z in zip(factors, zs)))
            numbers = Sum(tuple(Prod((Num(f.value), Sym("1"))) for f in factors))
            return symbol, formula, numbers, Phrase("shared_bias_sum", {"slope": slope, "neurons": zs}), callouts
        return (*self.chain_line(st, symbol, Phrase("chain", {"slope": slope})), callouts)

    def update(self, st: Step):
        old, grad = st.operands["old"], st.operands["gradient"]
        param = self.sym(old)
        formula = Diff(Sym(self.nt.old(param)), Prod((Sym(self.sym(st.operands["rate"])), Sym(self.sym(grad))), "juxt"))
        numbers = Diff(self.num(old), Prod((self.num(st.operands["rate"]), self.num(grad))))
        phrase = Phrase("update", {"param": param, "new": self.sym(st.id), "eta": self.sym(st.operands["rate"]),
                                   "gradient": Slope(self.nt.loss, param)})
        return self.sym(st.id), formula, numbers, phrase

    def loss_change(self, st: Step):
        after, before = st.operands["after"], st.operands["before"]
        formula = Diff(Sym(self.sym(after)), Sym(self.sym(before)))
        numbers = Diff(Num(self.val(after)), Num(self.val(before)))
        direction = "fell" if st.value < 0 else "rose" if st.value > 0 else "same"
        return self.sym(st.id), formula, numbers, Phrase("loss_change", {"direction": direction})


def _activation_node(act: str, arg: Node) -> Node:
    """a = f(z) written around its argument (a symbol, a weighted sum or a number)."""
    if act == "identity":
        return arg
    if act == "sigmoid":
        return Call(r"\frac{1}{1 + e^{-@}}", arg)
    if act == "tanh":
        return Fn(r"\tanh", (arg,))
    if act == "relu":
        return Fn(r"\max", (Sym("0"), arg))
    if act == "leaky_relu":
        return Fn(r"\max", (Prod((Sym("0.01"), arg), "juxt" if isinstance(arg, Sym) else "mul"), arg))
    raise KeyError(act)


def _reduce(terms: list[Node], op: str) -> Node:
    """The batch's mean \\frac{1}{S}(a + b) or sum a + b."""
    total = Sum(tuple(terms))
    if op == "mean":
        return Prod((Sym(rf"\frac{{1}}{{{len(terms)}}}"), total), "juxt")
    return total


def _difference(y: Node, t: Node, output_first: bool) -> Node:
    return Diff(y, t) if output_first else Diff(t, y)


def _loss_node(loss: str, pairs: list[tuple[Node, Node]], output_first: bool, sign: str) -> Node:
    """E for one sample, written as the notes write it: \\frac{1}{2} (t - y)^{2}."""
    K = len(pairs)
    if loss in ("half_squared_error", "squared_error", "mean_squared_error"):
        squares = [Pow(_difference(y, t, output_first), "2") for y, t in pairs]
        total = squares[0] if K == 1 else Sum(tuple(squares))
        factor = {"half_squared_error": r"\frac{1}{2}", "squared_error": None,
                  "mean_squared_error": rf"\frac{{1}}{{{K}}}" if K > 1 else None}[loss]
        return Prod((Sym(factor), total), "juxt") if factor else total
    if loss == "binary_cross_entropy":
        terms: list[Node] = []
        for y, t in pairs:
            terms.append(Prod((t, Fn(r"\ln", (y,))), sign))
            terms.append(Prod((Diff(Sym("1"), t), Fn(r"\ln", (Diff(Sym("1"), y),))), sign))
        return Neg(Sum(tuple(terms)))
    if loss == "cross_entropy":
        terms = [Prod((t, Fn(r"\ln", (y,))), sign) for y, t in pairs]
        return Neg(terms[0] if K == 1 else Sum(tuple(terms)))
    raise KeyError(loss)


def _loss_derivative_node(loss: str, y: Node, t: Node, K: int, output_first: bool, sign: str) -> Node:
    """dE/dy for one output."""
    if loss == "half_squared_error":
        return Diff(y, t) if output_first else Neg(Diff(t, y))
    if loss in ("squared_error", "mean_squared_error"):
        factor = "2" if loss == "squared_error" or K == 1 else rf"\frac{{2}}{{{K}}}"
        if output_first:
            return Prod((Sym(factor), Diff(y, t)), sign)
        return Prod((Sym("-" + factor), Diff(t, y)), sign)
    if loss == "binary_cross_entropy":
        return Sum((Neg(Frac(t, y)), Frac(Diff(Sym("1"), t), Diff(Sym("1"), y))))
    if loss == "cross_entropy":
        return Neg(Frac(t, y))
    raise KeyError(loss)


# --- rendering with options, cached per trace (byte-bounded: engine.memo) ---------------------------------

class _TraceCache:
    """A trace's lines (built once, on demand) for rendering it with any options."""

    def __init__(self, trace: Trace):
        self.writer = _Writer(trace)
        self.lines: dict[str, _Line] = {}
        self.lock = threading.RLock()

    def line(self, st: Step) -> _Line:
        line = self.lines.get(st.id)
        if line is None:
            with self.lock:
                line = self.lines.get(st.id) or self.writer.line(st)
                self.lines[st.id] = line
        return line


# NOTE: keyed by memo.ident(trace), never by the trace itself: the caches must not keep a trace alive. The
# lines' size is estimated per step (they fill in as steps are rendered); a rendering is measured.
_LINES = memo.ByteLRU("render.lines", memo.LINES_BUDGET)
_RENDERED = memo.ByteLRU("render.steps", memo.RENDER_BUDGET)


def _lines_size(trace: Trace) -> int:
    return len(trace.steps) * memo.LINES_BYTES_PER_STEP + memo.deep_sizeof(trace.network.notation or {})


class _Traces:
    """Which traces have their lines cached: `trace in _CACHE`, `len(_CACHE)` (the dead ones dropped)."""

    def __contains__(self, trace: Trace) -> bool:
        return (memo.ident(trace),) in _LINES

    def __len__(self) -> int:
        memo.purge_dead()
        return len(_LINES)


_CACHE = _Traces()


def _cache_of(trace: Trace) -> _TraceCache:
    return _LINES.get_or_make((memo.ident(trace),), lambda: _TraceCache(trace), size=_lines_size(trace))


def _render(line: _Line, st: Step, opts: RenderOptions) -> RenderedStep:
    style = opts.style
    d, s = opts.decimals, opts.significant
    formula = tex(line.formula, style) if line.formula is not None else ""
    substituted = tex(line.substituted, style) if line.substituted is not None else ""
    result = number(line.value, d, s)
    approx = ""
    if line.unrounded is not None and line.unrounded != line.value:
        # NOTE: hand rounding: the unrounded value, two digits beyond the rounding, then ≈ the rounded one
        shown = (number(round_half_up(line.unrounded, (line.round_to or 0) + 2)) if d is None and s is None
                 else number(line.unrounded, d, s))
        approx = shown if shown != result else ""
    formula = "" if formula == line.symbol else formula
    substituted = "" if substituted in (formula, result, approx) else substituted
    latex = equation(line.symbol, formula, substituted, approx or result)
    if approx:
        latex += rf" \approx {result}"
    notes = ("" if opts.lang == "zh" else " ").join(callout(p, opts.lang) for p in line.callouts)
    return RenderedStep(st.id, st.phase, st.quantity, line.symbol, formula, substituted, result, latex,
                        caption(line.caption, opts.lang), notes or None, line.path_ids, st.value)


def render_trace(trace: Trace, opts: RenderOptions = DEFAULT_OPTIONS) -> list[RenderedStep]:
    """Every step of the trace, in order (cached per trace and options, within memo.RENDER_BUDGET)."""
    def make() -> tuple[RenderedStep, ...]:
        cache = _cache_of(trace)
        return tuple(_render(cache.line(st), st, opts) for st in trace.steps)

    return list(_RENDERED.get_or_make((memo.ident(trace), opts), make))


def render_step(trace: Trace, ident: str, opts: RenderOptions = DEFAULT_OPTIONS) -> RenderedStep:
    """One step; KeyError for an id that is not a step of this trace."""
    rendered = _RENDERED.get((memo.ident(trace), opts))
    if rendered is not None:
        return rendered[trace.position(ident)]
    st = trace.step(ident)
    return _render(_cache_of(trace).line(st), st, opts)


def format_value(value: float, opts: RenderOptions = DEFAULT_OPTIONS) -> str:
    """A plain display string for tables (no LaTeX), at the same precision as the rendered steps."""
    return plain_number(value, opts.decimals, opts.significant)


def matrix_view(trace: Trace, opts: RenderOptions = DEFAULT_OPTIONS) -> list[tuple[str, str]]:
    """The layer-level matrix form (note 004): (title, LaTeX) blocks; see engine.matrix."""
    from .matrix import matrix_view as view

    return view(trace, opts)
