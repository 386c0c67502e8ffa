"""Activations and losses: each keeps its value, its derivative and its textbook form side by side."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

Vector = np.ndarray


@dataclass(frozen=True)
class Activation:
    """One activation: a = f(z), its derivative da/dz, and how a teacher writes both."""

    name: str
    value: Callable[[Vector], Vector]
    derivative: Callable[[Vector, Vector], Vector]  # (z, a) -> da/dz, elementwise
    formula: str  # LaTeX of f(z) with z as the argument
    derivative_formula: str  # LaTeX of f'(z), in terms of a where the notes write it so
    derivative_uses: str  # "a" or "z": which value the derivative is written with
    elementwise: bool = True


def _sigmoid(z: Vector) -> Vector:
    e = np.exp(-np.abs(z))  # never exp of a large positive number
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _softmax(z: Vector) -> Vector:
    e = np.exp(z - np.max(z))
    return e / np.sum(e)


def softmax_jacobian(a: Vector) -> np.ndarray:
    """da_j/dz_m = a_j (delta_jm - a_m)."""
    return np.diag(a) - np.outer(a, a)


ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in (
        Activation("identity", lambda z: z.copy(), lambda z, a: np.ones_like(z), "z", "1", "z"),
        Activation(
            "sigmoid", _sigmoid, lambda z, a: a * (1.0 - a),
            r"\frac{1}{1 + e^{-z}}", "a(1 - a)", "a",
        ),
        Activation("tanh", np.tanh, lambda z, a: 1.0 - a * a, r"\tanh(z)", "1 - a^{2}", "a"),
        # NOTE: relu'(0) is taken as 0, the convention of most frameworks.
        Activation(
            "relu", lambda z: np.maximum(z, 0.0), lambda z, a: (z > 0).astype(float),
            r"\max(0, z)", r"\begin{cases} 1 & z > 0 \\ 0 & z \le 0 \end{cases}", "z",
        ),
        Activation(
            "leaky_relu", lambda z: np.where(z > 0, z, 0.01 * z), lambda z, a: np.where(z > 0, 1.0, 0.01),
            r"\max(0.01 z, z)", r"\begin{cases} 1 & z > 0 \\ 0.01 & z \le 0 \end{cases}", "z",
        ),
        Activation(
            "softmax", _softmax, lambda z, a: a * (1.0 - a),
            r"\frac{e^{z_j}}{\sum_m e^{z_m}}", r"a_j(\delta_{jm} - a_m)", "a", elementwise=False,
        ),
    )
}
ACTIVATION_ALIASES = {"linear": "identity", "none": "identity", "logistic": "sigmoid", "leaky": "leaky_relu"}

_EPS = 1e-15  # NOTE: keeps ln and 1/y finite when a hand-rounded or saturated output is exactly 0 or 1


@dataclass(frozen=True)
class Loss:
    """One per-sample loss E(y, t) over K outputs, and dE/dy_k."""

    name: str
    value: Callable[[Vector, Vector], float]
    derivative: Callable[[Vector, Vector], Vector]
    formula: str  # LaTeX with y_k, t_k, K
    derivative_formula: str
    output_activation: str | None = None  # the output activation this loss requires, if any


def _clip(y: Vector) -> Vector:
    return np.clip(y, _EPS, 1.0 - _EPS)


def _finite_or(exact: Vector, fallback: Vector) -> Vector:
    """The exact value where it is a finite number; the clipped fallback only where it is not."""
    return np.where(np.isfinite(exact), exact, fallback)


LOSSES: dict[str, Loss] = {
    f.name: f
    for f in (
        Loss(
            "half_squared_error", lambda y, t: float(0.5 * np.sum((t - y) ** 2)), lambda y, t: -(t - y),
            r"\frac{1}{2} \sum_k (t_k - y_k)^{2}", r"-(t_k - y_k)",
        ),
        Loss(
            "squared_error", lambda y, t: float(np.sum((t - y) ** 2)), lambda y, t: -2.0 * (t - y),
            r"\sum_k (t_k - y_k)^{2}", r"-2 (t_k - y_k)",
        ),
        Loss(
            "mean_squared_error", lambda y, t: float(np.mean((t - y) ** 2)), lambda y, t: -2.0 * (t - y) / y.size,
            r"\frac{1}{K} \sum_k (t_k - y_k)^{2}", r"-\frac{2}{K} (t_k - y_k)",
        ),
        Loss(
            "binary_cross_entropy",
            lambda y, t: float(-np.sum(t * np.log(_clip(y)) + (1 - t) * np.log(1 - _clip(y)))),
            lambda y, t: _finite_or(-t / y + (1 - t) / (1 - y), -t / _clip(y) + (1 - t) / (1 - _clip(y))),
            r"-\sum_k \left[ t_k \ln y_k + (1 - t_k) \ln (1 - y_k) \right]",
            r"-\frac{t_k}{y_k} + \frac{1 - t_k}{1 - y_k}", "sigmoid",
        ),
        Loss(
            "cross_entropy", lambda y, t: float(-np.sum(t * np.log(_clip(y)))),
            lambda y, t: _finite_or(np.where(t == 0, 0.0, -t / y), -t / _clip(y)),
            r"-\sum_k t_k \ln y_k", r"-\frac{t_k}{y_k}", "softmax",
        ),
    )
}
LOSS_ALIASES = {"mse": "mean_squared_error", "half_mse": "half_squared_error", "bce": "binary_cross_entropy",
                "ce": "cross_entropy", "categorical_cross_entropy": "cross_entropy"}


def stable_output_loss(loss: str, activation: str, z: Vector, t: Vector) -> float | None:
    """The loss computed from z where the textbook form would take ln of a saturated output."""
    if loss == "binary_cross_entropy" and activation == "sigmoid":
        return float(np.sum(t * np.logaddexp(0.0, -z) + (1 - t) * np.logaddexp(0.0, z)))
    if loss == "cross_entropy" and activation == "softmax":
        log_y = z - (np.max(z) + np.log(np.sum(np.exp(z - np.max(z)))))
        return float(-np.sum(t * log_y))
    return None


def output_loss_derivative(loss: str, activation: str, z: Vector, a: Vector, t: Vector) -> Vector:
    """dE/da at the outputs; for a sigmoid output with BCE, 1 - a is taken as sigmoid(-z), exact near 1."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if loss == "binary_cross_entropy" and activation == "sigmoid":
            one_minus_a = _sigmoid(-z)
            exact = -t / a + (1 - t) / one_minus_a
            return _finite_or(exact, LOSSES[loss].derivative(a, t))
        return LOSSES[loss].derivative(a, t)


def fused_output_delta(loss: str, activation: str, a: Vector, t: Vector) -> Vector | None:
    """dE/dz at the output where loss and activation cancel (sigmoid + BCE, softmax + CE): exact when saturated."""
    if loss == "binary_cross_entropy" and activation == "sigmoid":
        return a - t
    if loss == "cross_entropy" and activation == "softmax":
        return a * np.sum(t) - t
    return None
