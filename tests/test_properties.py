"""Properties of the engine's trace over random small networks (Hypothesis)."""

from __future__ import annotations

import math

import numpy as np
import reference as ref
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from engine import compute_trace, parse_config

HIDDEN = ("identity", "sigmoid", "tanh", "relu", "leaky_relu")
OUTPUT = (*HIDDEN, "softmax")
LOSS_OUTPUT = {  # loss -> the output activation it needs (None: any)
    "half_squared_error": None,
    "squared_error": None,
    "mean_squared_error": None,
    "binary_cross_entropy": "sigmoid",
    "cross_entropy": "softmax",
}
PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _hand_number(lo: float, hi: float, decimals: int = 2):
    scale = 10**decimals
    return st.integers(round(lo * scale), round(hi * scale)).map(lambda i: i / scale)


def _targets(draw, loss: str, n: int) -> list[float]:
    if loss == "cross_entropy":
        hot = draw(st.integers(0, n - 1))
        return [1.0 if j == hot else 0.0 for j in range(n)]
    if loss == "binary_cross_entropy":
        return draw(st.lists(_hand_number(0.01, 0.99), min_size=n, max_size=n))
    return draw(st.lists(_hand_number(-3, 3), min_size=n, max_size=n))


@st.composite
def configs(draw, hidden=HIDDEN, output=OUTPUT, losses=tuple(LOSS_OUTPUT), weight=3.0, bias=3.0, inputs=3.0):
    """A valid config: 1-3 layers of 1-3 neurons, 1-3 inputs and samples, numbers within the given bounds."""
    loss = draw(st.sampled_from([name for name in losses if LOSS_OUTPUT[name] in (None, *output)]))
    n_in = draw(st.integers(1, 3))
    sizes = draw(st.lists(st.integers(1, 3), min_size=1, max_size=3))
    acts = [draw(st.sampled_from(hidden)) for _ in sizes[:-1]]
    acts.append(LOSS_OUTPUT[loss] or draw(st.sampled_from(output)))
    layers, width = [], n_in
    for n, act in zip(sizes, acts):
        mode = draw(st.sampled_from(("none", "shared", "per_neuron")))
        b = {
            "none": None,
            "shared": draw(_hand_number(-bias, bias)),
            "per_neuron": draw(st.lists(_hand_number(-bias, bias), min_size=n, max_size=n)),
        }[mode]
        w = draw(
            st.lists(
                st.lists(_hand_number(-weight, weight), min_size=width, max_size=width),
                min_size=n,
                max_size=n,
            )
        )
        layers.append({"activation": act, "weights": w, "bias": b})
        width = n
    samples = [
        {
            "x": draw(st.lists(_hand_number(-inputs, inputs), min_size=n_in, max_size=n_in)),
            "target": _targets(draw, loss, sizes[-1]),
        }
        for _ in range(draw(st.integers(1, 3)))
    ]
    return {
        "title": "property",
        "layers": layers,
        "loss": loss,
        "reduction": draw(st.sampled_from(("mean", "sum"))),
        "learning_rate": draw(st.sampled_from((0.01, 0.1, 0.5, 1.0))),
        "samples": samples,
        "round_to": None,
        "update_order": draw(st.sampled_from(("after_all_gradients", "after_each_gradient"))),
    }


def _trace(cfg: dict):
    return compute_trace(parse_config(cfg))


def _away_from_kinks(cfg: dict, margin: float = 1e-3) -> bool:
    fwd = ref.numpy_forward(cfg)
    for l, layer in enumerate(cfg["layers"]):
        if layer["activation"] in ("relu", "leaky_relu"):
            if any(abs(z) <= margin for sample in fwd.z for z in sample[l]):
                return False
    return True


@PROPERTY
@given(configs())
def test_gradients_match_finite_differences(cfg):
    assume(_away_from_kinks(cfg))
    tr = _trace(cfg)
    fd = ref.finite_difference_gradients(cfg)
    tol = ref.finite_difference_tolerance(cfg)
    engine = ref.parameters(tr.gradients)
    assert set(engine) == set(fd)
    for key, want in fd.items():
        got = engine[key]
        assert abs(got - want) <= tol * max(1.0, abs(want)), f"{key}: engine {got}, finite difference {want}"
        step = ("dE_dw" if key.startswith("w") else "dE_db") + key[1:]
        assert tr.value(step) == got, f"{step} differs from trace.gradients"


@PROPERTY
@given(configs())
def test_trace_is_well_formed(cfg):
    tr = _trace(cfg)
    ids = [st.id for st in tr.steps]
    assert len(ids) == len(set(ids)), "step ids are not unique"
    for step in tr.steps:
        quantity, idx = ref.parse_indices(step.id)  # raises on an id outside the documented grammar
        assert step.phase == ref.PHASE_OF[quantity], f"{step.id}: phase {step.phase}"
        assert step.quantity == quantity.removeprefix("check."), f"{step.id}: quantity {step.quantity}"
        assert (step.layer, step.neuron, step.source, step.sample) == (
            idx.get("l"),
            idx.get("n"),
            idx.get("k"),
            idx.get("s"),
        ), f"{step.id}: fields disagree with the id"
        assert isinstance(step.value, float) and math.isfinite(step.value), f"{step.id} = {step.value!r}"
    assert math.isfinite(tr.loss_after)
    assert tr.value("loss_after") == tr.loss_after
    # every computed value is kept to 15 significant digits (docs/engine.md: no float noise)
    assert tr.value("loss_change") == float(f"{tr.loss_after - tr.loss:.15g}")


# --- numerical stability: |z| up to 1e4 ------------------------------------------------------------

STABLE_HIDDEN = ("sigmoid", "tanh")
STABLE_OUTPUT = ("sigmoid", "tanh", "softmax")
BIG = {"weight": 1000.0, "bias": 1000.0, "inputs": 3.0}  # |z| <= 3 * 3 * 1000 + 1000 = 1e4
NOT_REPRESENTABLE = 1e300


def _stability_problems(cfg: dict) -> list[str]:
    """Every step finite, except an output dE/da whose exact value is itself beyond float range
    (e.g. -t/a of cross-entropy with a = e^(-1e4)): that one may be infinite, with the right sign."""
    with np.errstate(all="raise", under="ignore"):
        tr = _trace(cfg)
    exact = ref.exact_forward(cfg)
    out_layer = len(cfg["layers"])
    problems = []
    for step in tr.steps:
        if math.isfinite(step.value):
            continue
        if step.quantity == "dE_da" and step.layer == out_layer and step.phase == "backward":
            want = exact.output_dE_da[step.sample - 1][step.neuron - 1]
            if abs(want) > NOT_REPRESENTABLE and math.copysign(1, step.value) == math.copysign(1, want):
                continue
        problems.append(f"{step.id} = {step.value}")
    for s, want in enumerate(exact.sample_losses, 1):
        got = tr.value(f"sample_loss:s{s}")
        if not ref.close(got, float(want), 1e-9):
            problems.append(f"sample_loss:s{s} = {got}, exact {float(want)}")
    return problems


def _one_layer(activation: str, loss: str, weights, bias, x, target) -> dict:
    return {
        "layers": [{"activation": activation, "weights": weights, "bias": bias}],
        "loss": loss,
        "learning_rate": 0.1,
        "samples": [{"x": x, "target": target}],
        "round_to": None,
    }


@PROPERTY
@given(
    configs(
        hidden=STABLE_HIDDEN, output=STABLE_OUTPUT, losses=("half_squared_error", "mean_squared_error"), **BIG
    )
)
@example(_one_layer("sigmoid", "half_squared_error", [[1000.0]], 0.0, [3.0], [0.5]))
@example(_one_layer("sigmoid", "half_squared_error", [[-1000.0]], -1000.0, [9.0], [0.5]))
@example(_one_layer("tanh", "squared_error", [[1000.0], [-1000.0]], 0.0, [10.0], [0.5, 0.5]))
@example(_one_layer("softmax", "half_squared_error", [[1000.0], [-1000.0]], 0.0, [5.0], [1.0, 0.0]))
def test_squared_errors_are_stable_at_large_z(cfg):
    assert _stability_problems(cfg) == []


@PROPERTY
@given(
    configs(
        hidden=STABLE_HIDDEN, output=STABLE_OUTPUT, losses=("binary_cross_entropy", "cross_entropy"), **BIG
    )
)
@example(_one_layer("sigmoid", "binary_cross_entropy", [[1000.0]], 0.0, [10.0], [0.3]))
@example(_one_layer("sigmoid", "binary_cross_entropy", [[1000.0]], 0.0, [-10.0], [1.0]))
@example(_one_layer("softmax", "cross_entropy", [[1000.0], [-1000.0]], 0.0, [5.0], [1.0, 0.0]))
@example(_one_layer("softmax", "cross_entropy", [[1000.0], [-1000.0]], 0.0, [5.0], [0.0, 1.0]))
@example(_one_layer("softmax", "cross_entropy", [[1000.0], [-1000.0], [0.0]], 0.0, [-10.0], [0.0, 1.0, 0.0]))
def test_cross_entropies_are_stable_at_large_z(cfg):
    assert _stability_problems(cfg) == []


@PROPERTY
@given(
    configs(
        hidden=STABLE_HIDDEN, output=STABLE_OUTPUT, losses=("binary_cross_entropy", "cross_entropy"), **BIG
    )
)
@example(_one_layer("sigmoid", "binary_cross_entropy", [[-10.0]], 0.0, [4.0], [0.3]))
@example(_one_layer("softmax", "cross_entropy", [[10.0], [-10.0]], 0.0, [2.0], [0.0, 1.0]))
def test_output_loss_derivative_is_exact_where_representable(cfg):
    """dE_da at the outputs is the loss derivative (-t/a, ...) whenever that number fits in a float,
    e.g. -0.3 / sigmoid(-40) = -7.1e16, even where a is below 1e-15."""
    tr = _trace(cfg)
    exact = ref.exact_forward(cfg).output_dE_da
    out_layer = len(cfg["layers"])
    wrong = []
    for step in tr.steps:
        if step.quantity == "dE_da" and step.layer == out_layer and step.phase == "backward":
            want = float(exact[step.sample - 1][step.neuron - 1])
            if abs(want) <= NOT_REPRESENTABLE and not ref.close(step.value, want, 1e-6):
                wrong.append(f"{step.id} = {step.value!r}, exact {want!r}")
    assert not wrong, wrong
