"""One gradient-descent iteration, recorded step by step in the order a learner writes it by hand."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

import numpy as np

from .config import MAX_NEURONS, Layer, Network, Sample
from .functions import (
    ACTIVATIONS,
    LOSSES,
    fused_output_delta,
    output_loss_derivative,
    softmax_jacobian,
    stable_output_loss,
)
from .numbers import round_half_up, snap

PHASES = ("forward", "loss", "backward", "update", "check")
_ID = re.compile(r"(?P<prefix>check\.)?(?P<quantity>[A-Za-z_]+)"
                 r"(?::l(?P<layer>\d+))?(?::n(?P<neuron>\d+))?(?::k(?P<source>\d+))?(?::z(?P<wrt>\d+))?(?::s(?P<sample>\d+))?")


def step_id(quantity: str, layer: int | None = None, neuron: int | None = None, source: int | None = None,
            sample: int | None = None, *, wrt: int | None = None, prefix: str = "") -> str:
    """The stable id of a step or given, e.g. `dE_dw:l2:n1:k1:s1` (indices 1-based, as in the notes)."""
    parts = [prefix + quantity]
    for tag, value in (("l", layer), ("n", neuron), ("k", source), ("z", wrt), ("s", sample)):
        if value is not None:
            parts.append(f"{tag}{value}")
    return ":".join(parts)


def parse_step_id(text: str) -> dict[str, Any] | None:
    """The parts of a step id, or None if it is not one."""
    m = _ID.fullmatch(text)
    if not m:
        return None
    parts: dict[str, Any] = {"check": bool(m["prefix"]), "quantity": m["quantity"]}
    for key in ("layer", "neuron", "source", "wrt", "sample"):
        parts[key] = int(m[key]) if m[key] is not None else None
    return parts


@dataclass(frozen=True, slots=True)
class Step:
    """One number a learner writes down, with what it was computed from."""

    id: str
    phase: str
    quantity: str
    layer: int | None
    neuron: int | None
    source: int | None
    sample: int | None
    value: float
    op: str
    operands: dict[str, Any]
    same_as: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def operand_ids(self) -> list[str]:
        """The ids this step was computed from, in the order its operands list them."""
        out: list[str] = []
        for value in self.operands.values():
            if isinstance(value, str):
                out.append(value)
            elif isinstance(value, list):
                out.extend(v for v in value if isinstance(v, str))
        return out

    def to_json(self) -> dict[str, Any]:
        out = {"id": self.id, "phase": self.phase, "quantity": self.quantity, "layer": self.layer,
               "neuron": self.neuron, "source": self.source, "sample": self.sample, "value": self.value,
               "op": self.op, "operands": self.operands}
        if self.same_as:
            out["same_as"] = self.same_as
        if self.extra:
            out["extra"] = self.extra
        return out


@dataclass(frozen=True, slots=True)
class Given:
    """A number the learner is given: an input, a target, a weight, a bias, the learning rate."""

    id: str
    kind: str  # x, t, w, b, eta
    layer: int | None
    neuron: int | None
    source: int | None
    sample: int | None
    value: float

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "layer": self.layer, "neuron": self.neuron, "source": self.source,
                "sample": self.sample, "value": self.value}


def givens_of(network: Network) -> dict[str, Given]:
    """Every given of a network, by id."""
    out: dict[str, Given] = {}

    def add(kind: str, value: float, layer=None, neuron=None, source=None, sample=None) -> None:
        gid = step_id(kind, layer, neuron, source, sample)
        out[gid] = Given(gid, kind, layer, neuron, source, sample, float(value))

    for s, sample in enumerate(network.samples, 1):
        for k, v in enumerate(sample.x, 1):
            add("x", v, neuron=k, sample=s)
        for k, v in enumerate(sample.target, 1):
            add("t", v, neuron=k, sample=s)
    for li, layer in enumerate(network.layers, 1):
        for j, row in enumerate(layer.weights, 1):
            for k, w in enumerate(row, 1):
                add("w", w, li, j, k)
        if layer.bias_mode == "shared":
            add("b", layer.bias, li)
        elif layer.bias_mode == "per_neuron":
            for j, b in enumerate(layer.bias, 1):
                add("b", b, li, j)
    add("eta", network.learning_rate)
    return out


def bias_id(layer: Layer, li: int, j: int, quantity: str = "b", sample: int | None = None) -> str | None:
    """The id of the bias (or a bias quantity) that neuron j of layer li uses; None without a bias."""
    if layer.bias_mode == "none":
        return None
    return step_id(quantity, li, None if layer.bias_mode == "shared" else j, None, sample)


def with_givens(network: Network, values: dict[str, float]) -> Network:
    """The network with some givens (`w:l1:n1:k3`, `b:l2`, `x:n1:s1`, `t:n1:s1`, `eta`) replaced."""
    params = network.parameters()
    samples = [{"x": list(s.x), "target": list(s.target)} for s in network.samples]
    rate = network.learning_rate
    for gid, value in values.items():
        p = parse_step_id(gid)
        if p is None or p["check"]:
            raise KeyError(gid)
        q, li, j, k, s = p["quantity"], p["layer"], p["neuron"], p["source"], p["sample"]
        try:
            if q == "w":
                params[li - 1]["weights"][j - 1][k - 1] = value
            elif q == "b" and j is None:
                params[li - 1]["bias"] = float(value)
            elif q == "b":
                params[li - 1]["bias"][j - 1] = value
            elif q in ("x", "t"):
                samples[s - 1]["x" if q == "x" else "target"][j - 1] = value
            elif q == "eta":
                rate = value
            else:
                raise KeyError(gid)
        except (IndexError, TypeError):
            raise KeyError(gid) from None
    out = network.with_parameters(params)
    return replace(out, learning_rate=float(rate),
                   samples=tuple(Sample(tuple(map(float, s["x"])), tuple(map(float, s["target"]))) for s in samples))


class Trace:
    """The steps of one iteration, in order, with the givens they refer to and the batch summary."""

    def __init__(self, network: Network, steps: list[Step], givens: dict[str, Given], summary: dict[str, Any]):
        self.network = network
        self.steps: tuple[Step, ...] = tuple(steps)
        self.givens = givens
        self._index = {s.id: s for s in self.steps}
        self._position = {s.id: i for i, s in enumerate(self.steps)}
        self.loss: float = summary["loss"]
        self.sample_losses: list[float] = summary["sample_losses"]
        self.gradients: list[dict] = summary["gradients"]
        self.updated: list[dict] = summary["updated"]
        self.loss_after: float = summary["loss_after"]

    def __len__(self) -> int:
        return len(self.steps)

    def __contains__(self, ident: str) -> bool:
        return ident in self._index or ident in self.givens

    def step(self, ident: str) -> Step:
        return self._index[ident]

    def positions(self) -> Mapping[str, int]:
        """Every step's 0-based position, by id (read only)."""
        return MappingProxyType(self._position)

    def is_step(self, ident: str) -> bool:
        """Whether `ident` is a step of this trace (not a given)."""
        return ident in self._index

    def position(self, ident: str) -> int:
        """0-based position of a step in the trace."""
        return self._position[ident]

    def value(self, ident: str) -> float:
        """The value of a step or a given."""
        if ident in self._index:
            return self._index[ident].value
        return self.givens[ident].value

    def to_json(self) -> dict[str, Any]:
        """The `trace --json` object (the command-line contract)."""
        meta = self.network.meta
        return {
            "title": self.network.title, "preset": meta.get("id"), "source": meta.get("source"),
            "loss": self.loss, "sample_losses": self.sample_losses, "gradients": self.gradients,
            "updated": self.updated, "loss_after": self.loss_after, "loss_change": self.loss_after - self.loss,
            "steps": [s.to_json() for s in self.steps], "givens": [g.to_json() for g in self.givens.values()],
        }


class _Recorder:
    def __init__(self) -> None:
        self.steps: list[Step] = []

    def add(self, phase: str, quantity: str, value: float, op: str, operands: dict, *, layer=None, neuron=None,
            source=None, sample=None, wrt=None, prefix: str = "", same_as: str | None = None, **extra) -> str:
        sid = step_id(quantity, layer, neuron, source, sample, wrt=wrt, prefix=prefix)
        self.steps.append(Step(sid, phase, quantity, layer, neuron, source, sample, float(value), op, operands,
                               same_as, extra))
        return sid


@dataclass
class _Forward:
    z: list[np.ndarray]  # per layer
    a: list[np.ndarray]  # per layer, index 0 = the inputs


def _forward(rec: _Recorder, network: Network, s: int, sample: Sample, phase: str, prefix: str) -> _Forward:
    """Record z and a of every neuron for one sample; with hand rounding, `a` is rounded before use."""
    a_prev = np.array(sample.x, dtype=float)
    prev_ids = [step_id("x", None, k, None, s) for k in range(1, len(sample.x) + 1)]
    zs: list[np.ndarray] = []
    activations: list[np.ndarray] = [a_prev]
    for li, layer in enumerate(network.layers, 1):
        act = ACTIVATIONS[layer.activation]
        z_ids = [step_id("z", li, j, None, s, prefix=prefix) for j in range(1, layer.size + 1)]
        z = np.zeros(layer.size)
        a_vals = np.zeros(layer.size)

        # Elementwise activations go neuron by neuron (z then a, as the notes write h1 before h2);
        # softmax needs every z of the layer before any a.
        n = range(1, layer.size + 1)
        order = [(q, j) for j in n for q in ("z", "a")] if act.elementwise else [("z", j) for j in n] + [("a", j) for j in n]
        for quantity, j in order:
            if quantity == "z":
                total = 0.0
                for w, a in zip(layer.weights[j - 1], a_prev):
                    total += w * a  # left to right, as written
                # The check pass runs on the updated parameters: its operands are the update steps.
                b_id = bias_id(layer, li, j, "new_b" if prefix else "b")
                if b_id is not None:
                    total += layer.bias_of(j - 1)
                w_ids = [step_id("new_w" if prefix else "w", li, j, k) for k in range(1, len(a_prev) + 1)]
                total = snap(total)
                rec.add(phase, "z", total, "weighted_sum", {"weights": w_ids, "inputs": prev_ids, "bias": b_id},
                        layer=li, neuron=j, sample=s, prefix=prefix)
                z[j - 1] = total
                continue
            exact = snap(float(act.value(z[j - 1:j])[0] if act.elementwise else act.value(z)[j - 1]))
            value = exact if network.round_to is None else round_half_up(exact, network.round_to)
            extra: dict[str, Any] = {"activation": layer.activation}
            if network.round_to is not None:
                extra.update(unrounded=exact, round_to=network.round_to)
            operands: dict[str, Any] = {"z": z_ids[j - 1]}
            if not act.elementwise:
                operands["layer_z"] = z_ids
            rec.add(phase, "a", value, "activation", operands, layer=li, neuron=j, sample=s, prefix=prefix, **extra)
            a_vals[j - 1] = value
        zs.append(z)
        activations.append(a_vals)
        a_prev = a_vals
        prev_ids = [step_id("a", li, j, None, s, prefix=prefix) for j in range(1, layer.size + 1)]
    return _Forward(zs, activations)


def _sample_loss(network: Network, fwd: _Forward, sample: Sample) -> float:
    last = network.layers[-1]
    t = np.array(sample.target)
    if network.round_to is None:
        stable = stable_output_loss(network.loss, last.activation, fwd.z[-1], t)
        if stable is not None:
            return snap(stable)
    return snap(LOSSES[network.loss].value(fwd.a[-1], t))


def _record_losses(rec: _Recorder, network: Network, fwds: list[_Forward], phase: str, prefix: str,
                   quantity: str, batch_quantity: str) -> tuple[list[float], float]:
    ids, values = [], []
    n_out = network.layers[-1].size
    L = len(network.layers)
    for s, (fwd, sample) in enumerate(zip(fwds, network.samples), 1):
        value = _sample_loss(network, fwd, sample)
        operands = {"outputs": [step_id("a", L, j, None, s, prefix=prefix) for j in range(1, n_out + 1)],
                    "targets": [step_id("t", None, j, None, s) for j in range(1, n_out + 1)]}
        ids.append(rec.add(phase, quantity, value, "loss", operands, sample=s, loss=network.loss))
        values.append(value)
    batch = _reduce(values, network.reduction)
    rec.add(phase, batch_quantity, batch, network.reduction, {"terms": ids},
            same_as=ids[0] if len(ids) == 1 else None)
    return values, batch


def _backward_numbers(network: Network, fwd: _Forward, sample: Sample) -> dict[str, list[np.ndarray]]:
    """dE/da, da/dz (vector, or Jacobian for softmax) and delta of every layer, for one sample."""
    L = len(network.layers)
    loss = LOSSES[network.loss]
    t = np.array(sample.target)
    dEda: list[np.ndarray] = [np.empty(0)] * L
    dadz: list[np.ndarray] = [np.empty(0)] * L
    delta: list[np.ndarray] = [np.empty(0)] * L
    for i in range(L - 1, -1, -1):
        layer = network.layers[i]
        act = ACTIVATIONS[layer.activation]
        z, a = fwd.z[i], fwd.a[i + 1]
        if i == L - 1 and network.round_to is None:
            dEda[i] = output_loss_derivative(network.loss, layer.activation, z, a, t)
        elif i == L - 1:
            with np.errstate(divide="ignore", invalid="ignore"):
                dEda[i] = loss.derivative(a, t)  # hand rounding: from the rounded outputs, as on paper
        else:
            W = np.array(network.layers[i + 1].weights)
            dEda[i] = np.array([sum(W[j, k] * delta[i + 1][j] for j in range(W.shape[0])) for k in range(W.shape[1])])
        if act.elementwise:
            dadz[i] = act.derivative(z, a)
            delta[i] = dEda[i] * dadz[i]
        else:
            dadz[i] = softmax_jacobian(a)
            delta[i] = dadz[i].T @ dEda[i]
        if i == L - 1 and network.round_to is None:
            fused = fused_output_delta(network.loss, layer.activation, a, t)
            if fused is not None:
                delta[i] = fused  # NOTE: the same number, but exact where the output saturates
        dEda[i], dadz[i], delta[i] = _snapped(dEda[i]), _snapped(dadz[i]), _snapped(delta[i])
    return {"dE_da": dEda, "da_dz": dadz, "delta": delta}


def _snapped(values: np.ndarray) -> np.ndarray:
    return np.array([snap(float(v)) for v in values.flat]).reshape(values.shape)


def _reduce(values: list[float], reduction: str) -> float:
    total = sum(values)
    return snap(total / len(values) if reduction == "mean" else total)


def compute_trace(network: Network) -> Trace:
    """Forward, loss, backward, update and check of one iteration, every number recorded."""
    rec = _Recorder()
    givens = givens_of(network)
    S, L = len(network.samples), len(network.layers)
    samples = list(enumerate(network.samples, 1))
    interleaved = network.update_order == "after_each_gradient"
    eta = network.learning_rate

    fwds = [_forward(rec, network, s, sample, "forward", "") for s, sample in samples]
    sample_losses, loss = _record_losses(rec, network, fwds, "loss", "", "sample_loss", "loss")
    numbers = [_backward_numbers(network, fwd, sample) for fwd, sample in zip(fwds, network.samples)]

    grads_w = [np.zeros((layer.size, len(layer.weights[0]))) for layer in network.layers]
    grads_b: list[Any] = [None] * L
    updates: list[tuple[str, float, str, str, dict]] = []  # deferred update steps

    def gradient(quantity: str, per_sample_values: list[float], per_sample_operands: list[dict], op: str,
                 li: int, j: int | None, k: int | None) -> tuple[str, float]:
        """Per-sample gradient steps (batches only) and the batch gradient step."""
        if S == 1:
            value = per_sample_values[0]
            return rec.add("backward", quantity, value, op, per_sample_operands[0], layer=li, neuron=j, source=k), value
        ids = [rec.add("backward", quantity, v, op, ops, layer=li, neuron=j, source=k, sample=s)
               for s, v, ops in zip(range(1, S + 1), per_sample_values, per_sample_operands)]
        value = _reduce(per_sample_values, network.reduction)
        return rec.add("backward", quantity, value, network.reduction, {"terms": ids}, layer=li, neuron=j,
                       source=k), value

    def update(quantity: str, old_id: str, grad_id: str, old: float, grad: float, li: int, j, k) -> None:
        new = snap(old - eta * grad)
        args = (quantity, new, old_id, grad_id, {"layer": li, "neuron": j, "source": k})
        if interleaved:
            rec.add("update", quantity, new, "update", {"old": old_id, "rate": "eta", "gradient": grad_id},
                    layer=li, neuron=j, source=k)
        else:
            updates.append(args)

    for li in range(L, 0, -1):
        i = li - 1
        layer = network.layers[i]
        act = ACTIVATIONS[layer.activation]
        prev_ids = (lambda k, s: step_id("x", None, k, None, s)) if li == 1 else \
                   (lambda k, s, _l=li - 1: step_id("a", _l, k, None, s))
        if not act.elementwise:  # softmax: every dE/da and the whole Jacobian before any delta
            for j in range(1, layer.size + 1):
                for s in range(1, S + 1):
                    _record_dE_da(rec, network, numbers, li, j, s)
            for j in range(1, layer.size + 1):
                for m in range(1, layer.size + 1):
                    for s in range(1, S + 1):
                        rec.add("backward", "da_dz", numbers[s - 1]["da_dz"][i][j - 1, m - 1], "activation_derivative",
                                {"a": step_id("a", li, j, None, s), "a_wrt": step_id("a", li, m, None, s)},
                                layer=li, neuron=j, wrt=m, sample=s, activation=layer.activation)
        for j in range(1, layer.size + 1):
            for s in range(1, S + 1):
                if act.elementwise:
                    _record_dE_da(rec, network, numbers, li, j, s)
                    rec.add("backward", "da_dz", numbers[s - 1]["da_dz"][i][j - 1], "activation_derivative",
                            {"a": step_id("a", li, j, None, s), "z": step_id("z", li, j, None, s)},
                            layer=li, neuron=j, sample=s, activation=layer.activation)
                    operands = {"factors": [step_id("dE_da", li, j, None, s), step_id("da_dz", li, j, None, s)]}
                    op = "product"
                else:
                    operands = {"dE_da": [step_id("dE_da", li, m, None, s) for m in range(1, layer.size + 1)],
                                "da_dz": [step_id("da_dz", li, m, None, s, wrt=j) for m in range(1, layer.size + 1)]}
                    op = "jacobian_sum"
                rec.add("backward", "delta", numbers[s - 1]["delta"][i][j - 1], op, operands, layer=li, neuron=j,
                        sample=s)
            for k in range(1, len(layer.weights[0]) + 1):
                values, operands_list = [], []
                for s in range(1, S + 1):
                    a_k = float(fwds[s - 1].a[i][k - 1])
                    dz_dw = rec.add("backward", "dz_dw", a_k, "input", {"input": prev_ids(k, s)},
                                    layer=li, neuron=j, source=k, sample=s)
                    values.append(snap(float(numbers[s - 1]["delta"][i][j - 1]) * a_k))
                    operands_list.append({"factors": [step_id("delta", li, j, None, s), dz_dw]})
                gid, g = gradient("dE_dw", values, operands_list, "product", li, j, k)
                grads_w[i][j - 1, k - 1] = g
                update("new_w", step_id("w", li, j, k), gid, layer.weights[j - 1][k - 1], g, li, j, k)
            if layer.bias_mode == "per_neuron":
                dz_db = rec.add("backward", "dz_db", 1.0, "constant", {}, layer=li, neuron=j)
                values = [float(numbers[s - 1]["delta"][i][j - 1]) for s in range(1, S + 1)]
                operands_list = [{"factors": [step_id("delta", li, j, None, s), dz_db]} for s in range(1, S + 1)]
                gid, g = gradient("dE_db", values, operands_list, "product", li, j, None)
                if grads_b[i] is None:
                    grads_b[i] = [0.0] * layer.size
                grads_b[i][j - 1] = g
                update("new_b", step_id("b", li, j), gid, layer.bias_of(j - 1), g, li, j, None)
        if layer.bias_mode == "shared":
            rec.add("backward", "dz_db", 1.0, "constant", {}, layer=li)
            values = [float(np.sum(numbers[s - 1]["delta"][i])) for s in range(1, S + 1)]
            operands_list = [{"terms": [step_id("delta", li, j, None, s) for j in range(1, layer.size + 1)]}
                             for s in range(1, S + 1)]
            gid, g = gradient("dE_db", values, operands_list, "sum", li, None, None)
            grads_b[i] = g
            update("new_b", step_id("b", li), gid, layer.bias_of(0), g, li, None, None)

    # Deferred updates are written in the notes' reading order: first layer first.
    updates.sort(key=lambda u: (u[4]["layer"], u[4]["neuron"] or MAX_NEURONS + 1, u[0] != "new_w", u[4]["source"] or 0))
    for quantity, new, old_id, grad_id, idx in updates:
        rec.add("update", quantity, new, "update", {"old": old_id, "rate": "eta", "gradient": grad_id}, **idx)

    gradients = [{"weights": grads_w[i].tolist(), "bias": grads_b[i]} for i in range(L)]
    # The check pass uses exactly the numbers the update steps show.
    after = with_givens(network, {s.operands["old"]: s.value for s in rec.steps if s.phase == "update"})
    check_fwds = [_forward(rec, after, s, sample, "check", "check.") for s, sample in enumerate(after.samples, 1)]
    _, loss_after = _record_losses(rec, after, check_fwds, "check", "check.", "sample_loss_after", "loss_after")
    rec.add("check", "loss_change", snap(loss_after - loss), "difference", {"after": "loss_after", "before": "loss"})
    summary = {"loss": loss, "sample_losses": sample_losses, "gradients": gradients,
               "loss_after": loss_after, "updated": after.parameters()}
    return Trace(network, rec.steps, givens, summary)


def _record_dE_da(rec: _Recorder, network: Network, numbers: list[dict], li: int, j: int, s: int) -> None:
    """dE/da of neuron j: the loss derivative at an output, else the sum over the paths through the next layer."""
    L = len(network.layers)
    value = numbers[s - 1]["dE_da"][li - 1][j - 1]
    if li == L:
        rec.add("backward", "dE_da", value, "loss_derivative",
                {"output": step_id("a", li, j, None, s), "target": step_id("t", None, j, None, s)},
                layer=li, neuron=j, sample=s, loss=network.loss)
        return
    nxt = network.layers[li]
    if s == 1:  # dz/da of each path is the (old) weight; the same for every sample
        for m in range(1, nxt.size + 1):
            rec.add("backward", "dz_da", nxt.weights[m - 1][j - 1], "weight", {"weight": step_id("w", li + 1, m, j)},
                    layer=li + 1, neuron=m, source=j)
    rec.add("backward", "dE_da", value, "sum_over_paths",
            {"deltas": [step_id("delta", li + 1, m, None, s) for m in range(1, nxt.size + 1)],
             "weights": [step_id("dz_da", li + 1, m, j) for m in range(1, nxt.size + 1)]},
            layer=li, neuron=j, sample=s)
