"""The step graph: what each step is computed from, and the step computed again from other numbers."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

import numpy as np

from .. import memo
from ..functions import ACTIVATIONS, LOSSES
from ..numbers import round_half_up
from ..trace import Step, Trace, step_id
from .answers import Answer
from .names import Names

Lookup = Callable[[str], float]


def _sigmoid(z: float) -> float:
    e = math.exp(-abs(z))  # never exp of a large positive number (engine.functions._sigmoid, for one number)
    return 1.0 / (1.0 + e) if z >= 0 else e / (1.0 + e)


# NOTE: the elementwise activations for one number, as engine.functions computes them for an array (the same
# arithmetic): marking recomputes steps one at a time, where building a numpy array per step costs the most
_SCALAR: dict[str, tuple[Callable[[float], float], Callable[[float, float], float]]] = {
    "identity": (lambda z: z, lambda z, a: 1.0),
    "sigmoid": (_sigmoid, lambda z, a: a * (1.0 - a)),
    "tanh": (math.tanh, lambda z, a: 1.0 - a * a),
    "relu": (lambda z: max(z, 0.0), lambda z, a: 1.0 if z > 0 else 0.0),
    "leaky_relu": (lambda z: z if z > 0 else 0.01 * z, lambda z, a: 1.0 if z > 0 else 0.01),
}
_EPS = 1e-15  # engine.functions._EPS: ln and 1/y kept finite at an output of exactly 0 or 1


def _clip(y: float) -> float:
    return min(max(y, _EPS), 1.0 - _EPS)


def _finite_or(exact: Callable[[], float], fallback: Callable[[], float]) -> float:
    try:
        value = exact()
    except ZeroDivisionError:
        value = math.inf
    return value if math.isfinite(value) else fallback()


# dE/dy_k of one output, as engine.functions.LOSSES[...].derivative gives it (K = the number of outputs)
_SCALAR_LOSS_DERIVATIVE: dict[str, Callable[[float, float, int], float]] = {
    "half_squared_error": lambda y, t, K: -(t - y),
    "squared_error": lambda y, t, K: -2.0 * (t - y),
    "mean_squared_error": lambda y, t, K: -2.0 * (t - y) / K,
    "binary_cross_entropy": lambda y, t, K: _finite_or(lambda: -t / y + (1 - t) / (1 - y),
                                                       lambda: -t / _clip(y) + (1 - t) / (1 - _clip(y))),
    "cross_entropy": lambda y, t, K: 0.0 if t == 0 else _finite_or(lambda: -t / y, lambda: -t / _clip(y)),
}


def _softmax(z: list[float], j: int) -> float:
    """engine.functions._softmax of the layer's z, output j."""
    top = max(z)
    e = [math.exp(v - top) for v in z]
    return e[j] / sum(e)


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
            name = step.extra["activation"]
            act = ACTIVATIONS[name]
            if name in _SCALAR:
                value = _SCALAR[name][0](get(a["z"]))
            elif act.elementwise:
                value = float(act.value(np.array([get(a["z"])]))[0])
            elif name == "softmax":
                value = _softmax([get(z) for z in a["layer_z"]], step.neuron - 1)
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
            scalar = _SCALAR_LOSS_DERIVATIVE.get(step.extra["loss"])
            if scalar is not None:
                return scalar(get(a["output"]), get(a["target"]), len(a["outputs"]))
            loss = LOSSES[step.extra["loss"]]
            y = np.array([get(i) for i in a["outputs"]])
            t = np.array([get(i) for i in a["targets"]])
            return float(loss.derivative(y, t)[step.neuron - 1])
        if op == "activation_derivative":
            name = step.extra["activation"]
            act = ACTIVATIONS[name]
            if name in _SCALAR:
                return _SCALAR[name][1](get(a["z"]), get(a["a"]))
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


# NOTE: keyed by memo.ident(trace); a graph holds its trace, so its size counts the trace's too
_GRAPHS = memo.ByteLRU("check.graphs", memo.GRAPH_BUDGET)


def _graph_of(trace: Trace) -> _Graph:
    return _GRAPHS.get_or_make((memo.ident(trace),), lambda: _Graph(trace),
                               size=len(trace.steps) * (memo.GRAPH_BYTES_PER_STEP + memo.TRACE_BYTES_PER_STEP))


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
