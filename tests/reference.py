"""Independent references for the engine's numbers: SymPy's exact `diff`, and finite differences.

Nothing here imports `engine`. A config is the plain dict of docs/engine.md; parameters are keyed
by the givens' ids (`w:l1:n2:k1`, shared bias `b:l1`, per-neuron bias `b:l1:n2`), so a gradient key
`w:...` belongs to the step `dE_dw:...` and `b:...` to `dE_db:...`.
"""

from __future__ import annotations

import copy
import functools
import math
from dataclasses import dataclass
from typing import Any

import mpmath
import numpy as np
import sympy as sp

LEAKY_SLOPE = sp.Rational(1, 100)
FD_STEP = 1e-6
EXACT_DIGITS = 60

ACTIVATION_ALIASES = {"linear": "identity"}


# --- the textbook formulas, once per backend ------------------------------------------------------


def _sympy_softmax(z: list) -> list:
    exps = [sp.exp(zj) for zj in z]
    total = sp.Add(*exps)
    return [e / total for e in exps]


SYMPY_ACTIVATIONS = {
    "identity": lambda z: list(z),
    "sigmoid": lambda z: [1 / (1 + sp.exp(-zj)) for zj in z],
    "tanh": lambda z: [sp.tanh(zj) for zj in z],
    "relu": lambda z: [sp.Piecewise((zj, zj > 0), (0, True)) for zj in z],
    "leaky_relu": lambda z: [sp.Piecewise((zj, zj > 0), (LEAKY_SLOPE * zj, True)) for zj in z],
    "softmax": _sympy_softmax,
}


def _sympy_loss(loss: str, a: list, t: list) -> sp.Expr:
    n = len(a)
    if loss == "half_squared_error":
        return sp.Rational(1, 2) * sp.Add(*[(tk - ak) ** 2 for ak, tk in zip(a, t)])
    if loss == "squared_error":
        return sp.Add(*[(tk - ak) ** 2 for ak, tk in zip(a, t)])
    if loss == "mean_squared_error":
        return sp.Add(*[(tk - ak) ** 2 for ak, tk in zip(a, t)]) / n
    if loss == "binary_cross_entropy":
        return -sp.Add(*[tk * sp.log(ak) + (1 - tk) * sp.log(1 - ak) for ak, tk in zip(a, t)])
    if loss == "cross_entropy":
        return -sp.Add(*[tk * sp.log(ak) for ak, tk in zip(a, t)])
    raise KeyError(loss)


class _Float64:
    """Plain NumPy float64 arithmetic (the finite-difference forward pass)."""

    @staticmethod
    def num(v: float) -> np.float64:
        return np.float64(v)

    exp = staticmethod(np.exp)
    log = staticmethod(np.log)
    tanh = staticmethod(np.tanh)

    @staticmethod
    def to_float(v: Any) -> float:
        return float(v)


class _Exact:
    """mpmath at EXACT_DIGITS digits with an unbounded exponent: e^(1e4) and e^(-1e4) are fine."""

    @staticmethod
    def num(v: float) -> mpmath.mpf:
        return mpmath.mpf(v)  # a float converts exactly

    exp = staticmethod(mpmath.exp)
    log = staticmethod(mpmath.log)
    tanh = staticmethod(mpmath.tanh)

    @staticmethod
    def to_float(v: Any) -> float:
        return float(v)  # beyond float range -> inf, which is what "not representable" means


def _activate(name: str, z: list, m) -> tuple[list, list]:
    """The activations a, and 1 - a computed without cancellation (for log(1 - a) of a saturated sigmoid)."""
    if name == "identity":
        a = list(z)
    elif name == "sigmoid":
        a = [1 / (1 + m.exp(-zj)) for zj in z]
        return a, [1 / (1 + m.exp(zj)) for zj in z]
    elif name == "tanh":
        a = [m.tanh(zj) for zj in z]
    elif name == "relu":
        a = [zj if zj > 0 else zj * 0 for zj in z]
    elif name == "leaky_relu":
        a = [zj if zj > 0 else zj * m.num(0.01) for zj in z]
    elif name == "softmax":
        top = max(z)  # e^(z - max) / sum: the same ratio, without overflow
        exps = [m.exp(zj - top) for zj in z]
        total = sum(exps[1:], exps[0])
        a = [e / total for e in exps]
    else:
        raise KeyError(name)
    return a, [1 - aj for aj in a]


def _loss(loss: str, a: list, one_minus_a: list, t: list, m):
    terms = [(aj, cj, tj) for aj, cj, tj in zip(a, one_minus_a, t)]
    if loss == "half_squared_error":
        return sum(((tj - aj) ** 2 for aj, _, tj in terms), m.num(0)) / 2
    if loss == "squared_error":
        return sum(((tj - aj) ** 2 for aj, _, tj in terms), m.num(0))
    if loss == "mean_squared_error":
        return sum(((tj - aj) ** 2 for aj, _, tj in terms), m.num(0)) / len(terms)
    if loss == "binary_cross_entropy":
        total = m.num(0)
        for aj, cj, tj in terms:
            if tj != 0:
                total -= tj * m.log(aj)
            if tj != 1:
                total -= (1 - tj) * m.log(cj)
        return total
    if loss == "cross_entropy":
        return -sum((tj * m.log(aj) for aj, _, tj in terms if tj != 0), m.num(0))
    raise KeyError(loss)


def _output_loss_derivative(loss: str, a: list, one_minus_a: list, t: list) -> list:
    """dE/da_j of one sample's loss at the output layer (the textbook derivatives, written out)."""
    n = len(a)
    if loss == "half_squared_error":
        return [aj - tj for aj, tj in zip(a, t)]
    if loss == "squared_error":
        return [2 * (aj - tj) for aj, tj in zip(a, t)]
    if loss == "mean_squared_error":
        return [2 * (aj - tj) / n for aj, tj in zip(a, t)]
    if loss == "binary_cross_entropy":
        return [
            (-tj / aj if tj else 0) + ((1 - tj) / cj if tj != 1 else 0)
            for aj, cj, tj in zip(a, one_minus_a, t)
        ]
    if loss == "cross_entropy":
        return [-tj / aj if tj else 0 * aj for aj, tj in zip(a, t)]
    raise KeyError(loss)


# --- configs and their parameters -------------------------------------------------------------------


def activation_of(layer: dict) -> str:
    name = layer.get("activation", "identity")
    return ACTIVATION_ALIASES.get(name, name)


def bias_mode(layer: dict) -> str:
    b = layer.get("bias")
    if b is None:
        return "none"
    return "per_neuron" if isinstance(b, list) else "shared"


def parameters(layers: list[dict]) -> dict[str, float]:
    """Every weight and bias keyed by its given id, from config layers (or an `updated`-shaped list)."""
    out: dict[str, float] = {}
    for l, layer in enumerate(layers, 1):
        for j, row in enumerate(layer["weights"], 1):
            for k, w in enumerate(row, 1):
                out[f"w:l{l}:n{j}:k{k}"] = w
        b = layer.get("bias")
        if isinstance(b, list):
            for j, bj in enumerate(b, 1):
                out[f"b:l{l}:n{j}"] = bj
        elif b is not None:
            out[f"b:l{l}"] = b
    return out


def with_parameters(cfg: dict, values: dict[str, float]) -> dict:
    """A copy of the config with some weights/biases replaced (keys as in `parameters`)."""
    new = copy.deepcopy(cfg)
    for key, v in values.items():
        parts = key.split(":")
        l = int(parts[1][1:]) - 1
        layer = new["layers"][l]
        if parts[0] == "w":
            layer["weights"][int(parts[2][1:]) - 1][int(parts[3][1:]) - 1] = v
        elif len(parts) == 3:
            layer["bias"][int(parts[2][1:]) - 1] = v
        else:
            layer["bias"] = v
    return new


def updated_parameters(cfg: dict, gradients: dict[str, float]) -> dict[str, float]:
    """new = old - eta * gradient, for every parameter."""
    eta = cfg["learning_rate"]
    return {key: old - eta * gradients[key] for key, old in parameters(cfg["layers"]).items()}


def _reduce(cfg: dict, sample_losses: list):
    total = sum(sample_losses[1:], sample_losses[0])
    return total / len(sample_losses) if cfg.get("reduction", "mean") == "mean" else total


# --- forward passes -----------------------------------------------------------------------------------


@dataclass
class Forward:
    """z[s][l][j] and a[s][l][j] (0-based lists), per-sample losses, the batch loss, output dE/da."""

    z: list
    a: list
    sample_losses: list
    loss: Any
    output_dE_da: list

    def value(self, step_id: str) -> float:
        """The reference value of a forward/loss step id such as `a:l2:n1:s3` or `loss`."""
        q, idx = parse_indices(step_id)
        if q == "z":
            return float(self.z[idx["s"] - 1][idx["l"] - 1][idx["n"] - 1])
        if q == "a":
            return float(self.a[idx["s"] - 1][idx["l"] - 1][idx["n"] - 1])
        if q == "sample_loss":
            return float(self.sample_losses[idx["s"] - 1])
        if q == "loss":
            return float(self.loss)
        raise KeyError(step_id)


def _forward(cfg: dict, m) -> Forward:
    zs, as_, losses, dE_da = [], [], [], []
    for sample in cfg["samples"]:
        a = [m.num(x) for x in sample["x"]]
        sample_z, sample_a = [], []
        complement = None
        for layer in cfg["layers"]:
            b = layer.get("bias")
            z = []
            for j, row in enumerate(layer["weights"]):
                zj = sum((m.num(w) * ak for w, ak in zip(row, a)), m.num(0))
                if isinstance(b, list):
                    zj = zj + m.num(b[j])
                elif b is not None:
                    zj = zj + m.num(b)
                z.append(zj)
            a, complement = _activate(activation_of(layer), z, m)
            sample_z.append(z)
            sample_a.append(a)
        t = [m.num(v) for v in sample["target"]]
        zs.append(sample_z)
        as_.append(sample_a)
        losses.append(_loss(cfg["loss"], a, complement, t, m))
        dE_da.append(_output_loss_derivative(cfg["loss"], a, complement, t))
    return Forward(zs, as_, losses, _reduce(cfg, losses), dE_da)


def numpy_forward(cfg: dict) -> Forward:
    """The forward pass in plain NumPy float64."""
    with np.errstate(over="ignore", under="ignore"):
        return _forward(cfg, _Float64)


def exact_forward(cfg: dict) -> Forward:
    """The forward pass in mpmath: exact to many digits even where float64 saturates or overflows."""
    with mpmath.workdps(EXACT_DIGITS):
        return _forward(cfg, _Exact)


def finite_difference_gradients(cfg: dict, h: float = FD_STEP) -> dict[str, float]:
    """Central differences (E(p + h) - E(p - h)) / 2h of the batch loss, one parameter at a time."""
    out = {}
    for key, v in parameters(cfg["layers"]).items():
        plus = numpy_forward(with_parameters(cfg, {key: v + h})).loss
        minus = numpy_forward(with_parameters(cfg, {key: v - h})).loss
        out[key] = float((plus - minus) / (2 * h))
    return out


def finite_difference_tolerance(cfg: dict, h: float = FD_STEP) -> float:
    """Absolute tolerance for a central difference: 1e-5, plus its rounding error ~ eps * |E| / h."""
    return 1e-5 + 1e-8 * abs(float(numpy_forward(cfg).loss)) * (FD_STEP / h)


# --- SymPy: the loss as an expression in every weight and bias ---------------------------------------


def _structure(cfg: dict) -> tuple:
    """What the symbolic loss of one sample depends on, apart from the numbers."""
    layers = tuple((activation_of(layer), len(layer["weights"]), bias_mode(layer)) for layer in cfg["layers"])
    return len(cfg["samples"][0]["x"]), layers, cfg["loss"]


def _parameter_symbols(structure: tuple) -> dict[str, sp.Symbol]:
    n_in, layers, _ = structure
    keys = parameters(
        [
            {"weights": [[0] * width] * n, "bias": {"none": None, "shared": 0, "per_neuron": [0] * n}[mode]}
            for (_, n, mode), width in zip(layers, (n_in, *(n for _, n, _ in layers)))
        ]
    )
    return {key: sp.Symbol(key.replace(":", "_")) for key in keys}


def sample_loss_expression(structure: tuple, symbols: dict[str, sp.Symbol], x: list, t: list) -> sp.Expr:
    """One sample's loss as an expression in the weight and bias symbols (x, t: symbols or numbers)."""
    _, layers, loss = structure
    a = list(x)
    for l, (activation, n, mode) in enumerate(layers, 1):
        z = []
        for j in range(1, n + 1):
            zj = sp.Add(*[symbols[f"w:l{l}:n{j}:k{k}"] * ak for k, ak in enumerate(a, 1)])
            if mode == "shared":
                zj += symbols[f"b:l{l}"]
            elif mode == "per_neuron":
                zj += symbols[f"b:l{l}:n{j}"]
            z.append(zj)
        a = SYMPY_ACTIVATIONS[activation](z)
    return _sympy_loss(loss, a, list(t))


@dataclass
class SymbolicNetwork:
    symbols: dict[str, sp.Symbol]  # parameter key -> symbol (a shared bias is one symbol)
    sample_losses: list[sp.Expr]  # in the parameter symbols, the samples' numbers filled in
    loss: sp.Expr  # the batch loss (mean or sum)


def build_symbolic(cfg: dict) -> SymbolicNetwork:
    """Per-sample losses and the batch loss, symbolic in every weight and bias."""
    structure = _structure(cfg)
    symbols = _parameter_symbols(structure)
    sample_losses = [
        sample_loss_expression(
            structure,
            symbols,
            [sp.Float(v, EXACT_DIGITS) for v in s["x"]],
            [sp.Float(v, EXACT_DIGITS) for v in s["target"]],
        )
        for s in cfg["samples"]
    ]
    total = sp.Add(*sample_losses)
    return SymbolicNetwork(symbols, sample_losses, total / len(sample_losses) if _is_mean(cfg) else total)


def _is_mean(cfg: dict) -> bool:
    return cfg.get("reduction", "mean") == "mean"


@functools.cache
def _compiled_sample_gradient(structure: tuple):
    """[E_s, dE_s/dp for every parameter p] as a function of (parameters, x, t), by `sympy.diff`, compiled once
    per network shape (mpmath, shared subexpressions)."""
    n_in, layers, _ = structure
    symbols = _parameter_symbols(structure)
    x = [sp.Symbol(f"x{k}") for k in range(1, n_in + 1)]
    t = [sp.Symbol(f"t{j}") for j in range(1, layers[-1][1] + 1)]
    loss = sample_loss_expression(structure, symbols, x, t)
    exprs = [loss] + [sp.diff(loss, s) for s in symbols.values()]
    return list(symbols), sp.lambdify([*symbols.values(), *x, *t], exprs, modules="mpmath", cse=True)


@dataclass
class SymbolicGradients:
    loss: float
    sample_losses: list[float]
    batch: dict[str, float]  # parameter key -> dE/dp of the batch loss
    per_sample: list[dict[str, float]]  # per sample: parameter key -> dE_s/dp


def symbolic_gradients(cfg: dict) -> SymbolicGradients:
    """Exact gradients by `sympy.diff`, evaluated at the config's numbers to EXACT_DIGITS digits.

    The batch loss is a mean or sum of the sample losses, so its derivative is the same mean or sum
    of theirs (`sympy.diff` of the batch expression does exactly this term by term)."""
    keys, f = _compiled_sample_gradient(_structure(cfg))
    p = parameters(cfg["layers"])
    losses, grads = [], []
    with mpmath.workdps(EXACT_DIGITS):
        for sample in cfg["samples"]:
            values = f(*(mpmath.mpf(v) for v in [*(p[k] for k in keys), *sample["x"], *sample["target"]]))
            losses.append(values[0])
            grads.append(dict(zip(keys, values[1:])))
        n = len(losses) if _is_mean(cfg) else 1
        batch = {k: float(sum(g[k] for g in grads) / n) for k in keys}
        loss = float(sum(losses) / n)
    return SymbolicGradients(
        loss, [float(v) for v in losses], batch, [{k: float(v) for k, v in g.items()} for g in grads]
    )


@functools.cache
def _compiled_jacobian(activation: str, n: int):
    z = [sp.Symbol(f"z{m}") for m in range(1, n + 1)]
    a = SYMPY_ACTIVATIONS[activation](z)
    return sp.lambdify(z, [[sp.diff(aj, zm) for zm in z] for aj in a], modules="mpmath")


def activation_jacobian(activation: str, z: list[float]) -> list[list[float]]:
    """J[j][m] = da_j/dz_m of one layer at z, by `sympy.diff` (diagonal for elementwise activations)."""
    f = _compiled_jacobian(ACTIVATION_ALIASES.get(activation, activation), len(z))
    with mpmath.workdps(EXACT_DIGITS):
        return [[float(v) for v in row] for row in f(*(mpmath.mpf(float(zm)) for zm in z))]


# --- step ids -------------------------------------------------------------------------------------------

QUANTITIES = {
    "forward": ("z", "a"),
    "loss": ("sample_loss", "loss"),
    "backward": ("dE_da", "da_dz", "delta", "dz_da", "dz_dw", "dz_db", "dE_dw", "dE_db"),
    "update": ("new_w", "new_b"),
    "check": ("check.z", "check.a", "sample_loss_after", "loss_after", "loss_change"),
}
PHASE_OF = {q: phase for phase, qs in QUANTITIES.items() for q in qs}
INDEX_ORDER = ("l", "n", "k", "z", "s")
# which indices each quantity carries: (always, optional)
INDICES = {
    "z": ("lns", ""),
    "a": ("lns", ""),
    "check.z": ("lns", ""),
    "check.a": ("lns", ""),
    "sample_loss": ("s", ""),
    "sample_loss_after": ("s", ""),
    "loss": ("", ""),
    "loss_after": ("", ""),
    "loss_change": ("", ""),
    "dE_da": ("lns", ""),
    "da_dz": ("lns", "z"),
    "delta": ("lns", ""),
    "dz_da": ("lnk", ""),
    "dz_dw": ("lnks", ""),
    "dz_db": ("l", "n"),
    "dE_dw": ("lnk", "s"),
    "dE_db": ("l", "ns"),
    "new_w": ("lnk", ""),
    "new_b": ("l", "n"),
}


def parse_indices(step_id: str) -> tuple[str, dict[str, int]]:
    """Split `dE_dw:l2:n1:k1:s3` into ("dE_dw", {"l": 2, "n": 1, "k": 1, "s": 3}) by the documented
    grammar (indices in the order l, n, k, z, s, each a positive whole number); ValueError otherwise."""
    quantity, *parts = step_id.split(":")
    if quantity not in INDICES:
        raise ValueError(f"{step_id!r}: unknown quantity {quantity!r}")
    idx: dict[str, int] = {}
    last = -1
    for part in parts:
        letter, digits = part[:1], part[1:]
        if letter not in INDEX_ORDER or not digits.isdigit() or digits.startswith("0"):
            raise ValueError(f"{step_id!r}: bad index {part!r}")
        order = INDEX_ORDER.index(letter)
        if order <= last:
            raise ValueError(f"{step_id!r}: index {part!r} out of order")
        last = order
        idx[letter] = int(digits)
    always, optional = INDICES[quantity]
    if not set(always) <= set(idx) or not set(idx) <= set(always) | set(optional):
        raise ValueError(f"{step_id!r}: {quantity} takes indices {always!r} (optional {optional!r})")
    return quantity, idx


def close(got: float, want: float, tol: float) -> bool:
    """|got - want| <= tol * max(1, |want|): relative for large numbers, absolute near zero."""
    return math.isfinite(got) and abs(got - want) <= tol * max(1.0, abs(want))
