"""The engine's numbers against independent references: SymPy's exact diff and finite differences.

Every activation x loss x bias mode x reduction, on a batch of 1 and of 3. Adding an activation or a
loss is one line in ACTIVATIONS / LOSSES (and its textbook formula in reference.py).
"""

from __future__ import annotations

import random

import pytest
import reference as ref
import sympy as sp

from engine import compute_trace, parse_config

SYMPY_TOL = 1e-9

# activation -> may it be a hidden layer? (softmax: last layer only)
ACTIVATIONS = {
    "identity": True,
    "sigmoid": True,
    "tanh": True,
    "relu": True,
    "leaky_relu": True,
    "softmax": False,
}
# loss -> (the output activation it needs, or None; how its targets look)
LOSSES = {
    "half_squared_error": (None, "real"),
    "squared_error": (None, "real"),
    "mean_squared_error": (None, "real"),
    "binary_cross_entropy": ("sigmoid", "probability"),
    "cross_entropy": ("softmax", "one_hot"),
}
BIAS_MODES = ("none", "shared", "per_neuron")
REDUCTIONS = ("mean", "sum")
BATCHES = (1, 3)
KINKED = {"relu", "leaky_relu"}


def _networks() -> list[tuple[str, str, str]]:
    """(hidden activation, output activation, loss): each activation in every place it is allowed."""
    out = []
    for activation, hidden_ok in ACTIVATIONS.items():
        for loss, (needs, _) in LOSSES.items():
            hidden = activation if hidden_ok else "tanh"
            output = needs or activation
            if (hidden, output, loss) not in out:
                out.append((hidden, output, loss))
    return out


NETWORKS = _networks()


def _bias(rng: random.Random, mode: str, n: int):
    if mode == "none":
        return None
    if mode == "shared":
        return rng.randint(-10, 10) / 10
    return [rng.randint(-10, 10) / 10 for _ in range(n)]


def _targets(rng: random.Random, kind: str, n: int) -> list[float]:
    if kind == "one_hot":
        hot = rng.randrange(n)
        return [1.0 if j == hot else 0.0 for j in range(n)]
    if kind == "probability":
        return [rng.randint(1, 9) / 10 for _ in range(n)]
    return [rng.randint(-10, 10) / 10 for _ in range(n)]


def make_config(
    hidden: str,
    output: str,
    loss: str,
    bias: str,
    reduction: str,
    batch: int,
    update_order: str = "after_all_gradients",
) -> dict:
    """A 2-2-2 network with hand-sized numbers (one decimal), the same for the same arguments.

    With relu/leaky_relu every z stays at least 0.01 from the kink and each such layer has a live neuron."""
    seed = f"{hidden}/{output}/{loss}/{bias}/{batch}"
    rng = random.Random(seed)
    for _ in range(1000):
        cfg = {
            "title": seed,
            "layers": [
                {
                    "activation": act,
                    "weights": [[rng.randint(-20, 20) / 10 for _ in range(2)] for _ in range(2)],
                    "bias": _bias(rng, bias, 2),
                }
                for act in (hidden, output)
            ],
            "loss": loss,
            "reduction": reduction,
            "learning_rate": 0.5,
            "samples": [
                {
                    "x": [rng.randint(-20, 20) / 10 for _ in range(2)],
                    "target": _targets(rng, LOSSES[loss][1], 2),
                }
                for _ in range(batch)
            ],
            "round_to": None,
            "update_order": update_order,
        }
        if _away_from_kinks(cfg):
            return cfg
    raise AssertionError(f"no config away from the kinks for {seed}")


def _away_from_kinks(cfg: dict) -> bool:
    fwd = ref.numpy_forward(cfg)
    for l, layer in enumerate(cfg["layers"]):
        if layer["activation"] not in KINKED:
            continue
        zs = [z for sample in fwd.z for z in sample[l]]
        if any(abs(z) < 0.01 for z in zs) or not any(z > 0 for z in zs):
            return False
    return True


def _trace(cfg: dict):
    return compute_trace(parse_config(cfg))


def _grad_step(key: str) -> str:
    """`w:l1:n2:k1` -> `dE_dw:l1:n2:k1`, `b:l1` -> `dE_db:l1`."""
    return ("dE_dw" if key.startswith("w") else "dE_db") + key[1:]


def _new_step(key: str) -> str:
    return ("new_w" if key.startswith("w") else "new_b") + key[1:]


def _with_sample(step: str, s: int) -> str:
    return f"{step}:s{s}"


class Mismatches:
    """Collects every disagreement of one case, so a failure lists them all."""

    def __init__(self, trace):
        self.trace = trace
        self.problems: list[str] = []

    def value(self, step: str, want: float, tol: float, what: str = "") -> None:
        if step not in self.trace:
            self.problems.append(f"missing step {step}")
            return
        self.number(step, self.trace.value(step), want, tol, what)

    def number(self, label: str, got, want: float, tol: float, what: str = "") -> None:
        if not isinstance(got, (int, float)) or not ref.close(float(got), want, tol):
            self.problems.append(f"{label}: got {got!r}, want {want!r} ({what or 'reference'}, tol {tol:g})")

    def check(self) -> None:
        assert not self.problems, "\n".join(self.problems[:40])


def check_against_references(cfg: dict) -> None:
    """The one table-driven check: forward, loss, gradients, update and check phase of one config."""
    tr = _trace(cfg)
    m = Mismatches(tr)
    fwd = ref.numpy_forward(cfg)
    exact = ref.symbolic_gradients(cfg)
    fd = ref.finite_difference_gradients(cfg)
    fd_tol = ref.finite_difference_tolerance(cfg)
    n_samples = len(cfg["samples"])

    # forward and loss
    for s in range(1, n_samples + 1):
        for l, layer in enumerate(cfg["layers"], 1):
            for j in range(1, len(layer["weights"]) + 1):
                for q in ("z", "a"):
                    step = f"{q}:l{l}:n{j}:s{s}"
                    m.value(step, fwd.value(step), SYMPY_TOL, "NumPy forward")
        m.value(f"sample_loss:s{s}", exact.sample_losses[s - 1], SYMPY_TOL, "SymPy")
    m.value("loss", exact.loss, SYMPY_TOL, "SymPy")
    m.number("trace.loss", tr.loss, exact.loss, SYMPY_TOL)
    if len(tr.sample_losses) != n_samples:
        m.problems.append(f"trace.sample_losses has {len(tr.sample_losses)} entries, want {n_samples}")
    else:
        for s, want in enumerate(exact.sample_losses, 1):
            m.number(f"trace.sample_losses[{s - 1}]", tr.sample_losses[s - 1], want, SYMPY_TOL)

    # gradients: batch steps, per-sample steps, trace.gradients
    keys = list(exact.batch)
    for key in keys:
        step = _grad_step(key)
        m.value(step, exact.batch[key], SYMPY_TOL, "SymPy diff")
        m.value(step, fd[key], fd_tol, "finite difference")
        for s in range(1, n_samples + 1):
            per = _with_sample(step, s)
            if n_samples > 1:
                m.value(per, exact.per_sample[s - 1][key], SYMPY_TOL, "SymPy diff of that sample's loss")
            elif per in tr:
                m.problems.append(
                    f"{per}: a per-sample gradient with a batch of one (docs: only for more than one)"
                )
    want_grad_steps = {_grad_step(k) for k in keys}
    have_grad_steps = {st.id for st in tr.steps if st.quantity in ("dE_dw", "dE_db") and st.sample is None}
    if have_grad_steps != want_grad_steps:
        m.problems.append(
            f"batch gradient steps: extra {sorted(have_grad_steps - want_grad_steps)}, "
            f"missing {sorted(want_grad_steps - have_grad_steps)}"
        )
    engine_grads = ref.parameters(tr.gradients)  # shaped like the config's layers
    if set(engine_grads) != set(keys):
        m.problems.append(f"trace.gradients keys {sorted(engine_grads)} != parameters {sorted(keys)}")
    for key in keys:
        m.number(f"trace.gradients[{key}]", engine_grads.get(key), exact.batch[key], SYMPY_TOL)

    _check_local_steps(m, cfg, fwd, exact)

    # update: new = old - eta * gradient (the reference's gradient)
    updated = ref.updated_parameters(cfg, exact.batch)
    engine_updated = ref.parameters(tr.updated)
    for key in keys:
        m.value(_new_step(key), updated[key], SYMPY_TOL, "old - eta * SymPy gradient")
        m.number(f"trace.updated[{key}]", engine_updated.get(key), updated[key], SYMPY_TOL)

    # check phase: the forward pass at the updated parameters
    after_cfg = ref.with_parameters(cfg, updated)
    after = ref.symbolic_gradients(after_cfg)
    after_fwd = ref.numpy_forward(after_cfg)
    for s in range(1, n_samples + 1):
        for l, layer in enumerate(cfg["layers"], 1):
            for j in range(1, len(layer["weights"]) + 1):
                for q in ("z", "a"):
                    step = f"{q}:l{l}:n{j}:s{s}"
                    m.value(
                        "check." + step, after_fwd.value(step), SYMPY_TOL, "NumPy forward, updated parameters"
                    )
        m.value(f"sample_loss_after:s{s}", after.sample_losses[s - 1], SYMPY_TOL, "SymPy, updated parameters")
    m.value("loss_after", after.loss, SYMPY_TOL, "SymPy, updated parameters")
    m.number("trace.loss_after", tr.loss_after, after.loss, SYMPY_TOL)
    m.value("loss_change", after.loss - exact.loss, SYMPY_TOL, "loss_after - loss")
    m.check()


def _check_local_steps(m: Mismatches, cfg: dict, fwd, exact) -> None:
    """The chain's factors: dE_da at the outputs (textbook loss derivative), da_dz (SymPy diff of the
    activation), dz_dw (the incoming activation), dz_da (the weight), dz_db (1), and with per-neuron biases
    delta = dE_s/db_j and hidden dE_da = sum_j delta_j w_jk (both from SymPy's diff)."""
    layers = cfg["layers"]
    n_layers = len(layers)
    out = ref.exact_forward(cfg).output_dE_da
    for s in range(1, len(cfg["samples"]) + 1):
        for l, layer in enumerate(layers, 1):
            n = len(layer["weights"])
            jac = ref.activation_jacobian(layer["activation"], fwd.z[s - 1][l - 1])
            incoming = cfg["samples"][s - 1]["x"] if l == 1 else fwd.a[s - 1][l - 2]
            for j in range(1, n + 1):
                if layer["activation"] == "softmax":
                    for zm in range(1, n + 1):
                        m.value(
                            f"da_dz:l{l}:n{j}:z{zm}:s{s}",
                            jac[j - 1][zm - 1],
                            SYMPY_TOL,
                            "SymPy diff of softmax",
                        )
                else:
                    m.value(
                        f"da_dz:l{l}:n{j}:s{s}", jac[j - 1][j - 1], SYMPY_TOL, "SymPy diff of the activation"
                    )
                for k, a_k in enumerate(incoming, 1):
                    m.value(f"dz_dw:l{l}:n{j}:k{k}:s{s}", float(a_k), SYMPY_TOL, "incoming activation")
                if l == n_layers:
                    m.value(f"dE_da:l{l}:n{j}:s{s}", float(out[s - 1][j - 1]), SYMPY_TOL, "loss derivative")
                if ref.bias_mode(layer) == "per_neuron":
                    m.value(
                        f"delta:l{l}:n{j}:s{s}",
                        exact.per_sample[s - 1][f"b:l{l}:n{j}"],
                        SYMPY_TOL,
                        "SymPy dE_s/db_j",
                    )
                if l < n_layers and ref.bias_mode(layers[l]) == "per_neuron":
                    above = layers[l]["weights"]
                    want = sum(
                        exact.per_sample[s - 1][f"b:l{l + 1}:n{i}"] * above[i - 1][j - 1]
                        for i in range(1, len(above) + 1)
                    )
                    m.value(
                        f"dE_da:l{l}:n{j}:s{s}", want, SYMPY_TOL, "sum of SymPy deltas above times weights"
                    )
    for l, layer in enumerate(layers, 1):
        for j, row in enumerate(layer["weights"], 1):
            if l > 1:
                for k, w in enumerate(row, 1):
                    m.value(f"dz_da:l{l}:n{j}:k{k}", w, 0.0, "the weight")
            if ref.bias_mode(layer) == "per_neuron":
                m.value(f"dz_db:l{l}:n{j}", 1.0, 0.0, "1")
        if ref.bias_mode(layer) == "shared":
            # NOTE: docs list only `dz_db:l2:n1`; the engine writes one `dz_db:l2` for a shared bias
            if f"dz_db:l{l}" in m.trace:
                m.value(f"dz_db:l{l}", 1.0, 0.0, "1")
            else:
                for j in range(1, len(layer["weights"]) + 1):
                    m.value(f"dz_db:l{l}:n{j}", 1.0, 0.0, "1")


CASES = [
    pytest.param(
        net, bias, reduction, batch, id=f"{net[0]}-{net[1]}-{net[2]}-{bias}-{reduction}-batch{batch}"
    )
    for net in NETWORKS
    for bias in BIAS_MODES
    for reduction in REDUCTIONS
    for batch in BATCHES
]


@pytest.mark.parametrize(("network", "bias", "reduction", "batch"), CASES)
def test_against_sympy_and_finite_differences(network, bias, reduction, batch):
    check_against_references(make_config(*network, bias, reduction, batch))


def test_every_activation_and_loss_is_covered():
    outputs = {out for _, out, _ in NETWORKS}
    hiddens = {hid for hid, _, _ in NETWORKS}
    assert outputs == set(ACTIVATIONS)
    assert hiddens == {a for a, ok in ACTIVATIONS.items() if ok}
    assert {loss for _, _, loss in NETWORKS} == set(LOSSES)


# --- the references themselves, against arithmetic done by hand -------------------------------------

NOTE000 = {
    "layers": [
        {"activation": "identity", "weights": [[0.5, 1.5], [2.3, 3]], "bias": None},
        {"activation": "identity", "weights": [[1, 1]], "bias": None},
    ],
    "loss": "half_squared_error",
    "learning_rate": 0.1,
    "samples": [{"x": [1, 0.5], "target": [4]}],
}


def test_references_reproduce_hand_arithmetic():
    # h1 = 0.5 + 0.75 = 1.25, h2 = 2.3 + 1.5 = 3.8, y = 5.05, E = 1/2 (1.05)^2 = 0.55125
    # dE/dw5 = 1.05 * 1.25 = 1.3125, dE/dw6 = 1.05 * 3.8 = 3.99, dE/dw1 = 1.05 * w5 * x1 = 1.05, dE/dw2 = 0.525
    want = {
        "w:l2:n1:k1": 1.3125,
        "w:l2:n1:k2": 3.99,
        "w:l1:n1:k1": 1.05,
        "w:l1:n1:k2": 0.525,
        "w:l1:n2:k1": 1.05,
        "w:l1:n2:k2": 0.525,
    }
    exact = ref.symbolic_gradients(NOTE000)
    fd = ref.finite_difference_gradients(NOTE000)
    assert exact.loss == pytest.approx(0.55125, rel=1e-12)
    assert ref.numpy_forward(NOTE000).loss == pytest.approx(0.55125, rel=1e-12)
    for key, value in want.items():
        assert exact.batch[key] == pytest.approx(value, rel=1e-12), key
        assert fd[key] == pytest.approx(value, rel=1e-6), key
    # w5+ = 1 - 0.1 * 1.3125 = 0.86875
    assert ref.updated_parameters(NOTE000, exact.batch)["w:l2:n1:k1"] == pytest.approx(0.86875, rel=1e-12)


def test_references_sigmoid_softmax_by_hand():
    # one sigmoid neuron, z = 0: a = 1/2, E = 1/2 (1/2 - 1)^2 = 1/8, dE/dw = (a - t) a (1 - a) x = -1/8 * 2
    one = {
        "layers": [{"activation": "sigmoid", "weights": [[0.0]], "bias": None}],
        "loss": "half_squared_error",
        "learning_rate": 1,
        "samples": [{"x": [2.0], "target": [1.0]}],
    }
    exact = ref.symbolic_gradients(one)
    assert exact.loss == pytest.approx(0.125, rel=1e-14)
    assert exact.batch["w:l1:n1:k1"] == pytest.approx(-0.25, rel=1e-14)
    # softmax of equal z: a = (1/2, 1/2); cross-entropy -log(1/2); dE/dz_j = a_j - t_j, so dE/db_1 = -1/2
    soft = {
        "layers": [{"activation": "softmax", "weights": [[0.0], [0.0]], "bias": [0.0, 0.0]}],
        "loss": "cross_entropy",
        "learning_rate": 1,
        "samples": [{"x": [1.0], "target": [1.0, 0.0]}],
    }
    exact = ref.symbolic_gradients(soft)
    assert exact.loss == pytest.approx(0.6931471805599453, rel=1e-14)
    assert exact.batch["b:l1:n1"] == pytest.approx(-0.5, rel=1e-14)
    assert exact.batch["b:l1:n2"] == pytest.approx(0.5, rel=1e-14)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_reference_batch_diff_equals_its_per_sample_route(reduction):
    # symbolic_gradients differentiates one sample's loss and takes the mean/sum; here sympy.diff of the
    # whole batch expression from build_symbolic, term by term, must give the same numbers
    cfg = {
        "layers": [
            {"activation": "tanh", "weights": [[0.3], [-0.7]], "bias": 0.2},
            {"activation": "sigmoid", "weights": [[1.1, -0.4]], "bias": [0.1]},
        ],
        "loss": "binary_cross_entropy",
        "reduction": reduction,
        "learning_rate": 0.5,
        "samples": [{"x": [0.5], "target": [0.3]}, {"x": [-1.5], "target": [0.9]}],
    }
    net = ref.build_symbolic(cfg)
    values = {net.symbols[k]: sp.Float(v, 30) for k, v in ref.parameters(cfg["layers"]).items()}
    exact = ref.symbolic_gradients(cfg)
    assert float(net.loss.evalf(30, subs=values)) == pytest.approx(exact.loss, rel=1e-12)
    for key, symbol in net.symbols.items():
        direct = float(sp.diff(net.loss, symbol).evalf(30, subs=values))
        assert direct == pytest.approx(exact.batch[key], rel=1e-12, abs=1e-14), key


def test_engine_note000_by_hand():
    tr = _trace({**NOTE000, "update_order": "after_each_gradient"})
    assert tr.value("loss") == pytest.approx(0.55125, rel=1e-12)
    assert tr.value("dE_dw:l2:n1:k1") == pytest.approx(1.3125, rel=1e-12)
    assert tr.value("new_w:l2:n1:k1") == pytest.approx(0.86875, rel=1e-12)
    # w1 is updated with the old w5 = 1: dE/dw1 = 1.05 * 1 * 1 (not 1.05 * 0.86875)
    assert tr.value("dE_dw:l1:n1:k1") == pytest.approx(1.05, rel=1e-12)


# --- update order -------------------------------------------------------------------------------------

ORDER_CASES = [pytest.param(net, id=f"{net[0]}-{net[1]}-{net[2]}") for net in NETWORKS]
BACKWARD_BLOCK = ("dE_da", "da_dz", "delta", "dz_dw", "dE_dw", "dz_db", "dE_db")


def _order_problems(tr, update_order: str) -> list[str]:
    """Disagreements with the documented order of steps."""
    steps = list(tr.steps)
    pos = {st.id: i for i, st in enumerate(steps)}
    out = []
    phases = [st.phase for st in steps]
    first = {p: phases.index(p) for p in set(phases)}
    last = {p: len(phases) - 1 - phases[::-1].index(p) for p in set(phases)}
    if last["forward"] > first["loss"]:
        out.append("a forward step after the first loss step")
    if last["loss"] > first["backward"]:
        out.append("a loss step after the first backward step")
    if last["backward"] > first["check"] or last["update"] > first["check"]:
        out.append("a backward/update step after the first check step")
    if update_order == "after_all_gradients" and first["update"] < last["backward"]:
        out.append("after_all_gradients: an update before the last gradient")
    # forward: sample by sample, layer by layer
    fwd = [(st.sample, st.layer) for st in steps if st.phase == "forward"]
    if fwd != sorted(fwd):
        out.append("forward steps are not sample by sample, layer by layer")
    # backward: from the last layer to the first (dz_da belongs to the hop into the layer below)
    layers = [st.layer for st in steps if st.quantity in BACKWARD_BLOCK]
    if layers != sorted(layers, reverse=True):
        out.append("backward steps are not from the last layer to the first")
    for st in steps:
        if st.quantity == "dE_dw" and st.sample is None:
            # per-sample gradients of this weight come before its batch gradient
            for s in range(1, len(tr.sample_losses) + 1):
                per = f"{st.id}:s{s}"
                if per in pos and pos[per] > pos[st.id]:
                    out.append(f"{per} after {st.id}")
            delta_ids = [f"delta:l{st.layer}:n{st.neuron}:s{s}" for s in range(1, len(tr.sample_losses) + 1)]
            if any(d in pos and pos[d] > pos[st.id] for d in delta_ids):
                out.append(f"a delta of neuron l{st.layer}:n{st.neuron} after {st.id}")
        if st.quantity in ("new_w", "new_b"):
            grad = (
                "dE_dw" + st.id[len("new_w") :] if st.quantity == "new_w" else "dE_db" + st.id[len("new_b") :]
            )
            if grad not in pos:
                out.append(f"{st.id} without {grad}")
            elif update_order == "after_each_gradient" and pos[st.id] != pos[grad] + 1:
                out.append(f"{st.id} is not right after {grad} (at {pos[st.id]}, gradient at {pos[grad]})")
    return out


@pytest.mark.parametrize("network", ORDER_CASES)
@pytest.mark.parametrize("bias", BIAS_MODES)
def test_after_each_gradient_uses_old_parameters_and_updates_right_after(network, bias):
    all_cfg = make_config(*network, bias, "mean", 3, "after_all_gradients")
    each_cfg = {**all_cfg, "update_order": "after_each_gradient"}
    tr_all, tr_each = _trace(all_cfg), _trace(each_cfg)
    assert tr_each.gradients == tr_all.gradients
    assert tr_each.updated == tr_all.updated
    assert tr_each.loss_after == tr_all.loss_after
    values_all = {st.id: st.value for st in tr_all.steps}
    values_each = {st.id: st.value for st in tr_each.steps}
    assert values_each == values_all, "the same steps with the same values, only in another order"
    assert _order_problems(tr_each, "after_each_gradient") == []
    assert _order_problems(tr_all, "after_all_gradients") == []
    # and the numbers are the references' (old parameters throughout)
    check_against_references(each_cfg)


def test_after_each_gradient_batch_of_one():
    cfg = make_config(
        "sigmoid", "sigmoid", "half_squared_error", "per_neuron", "sum", 1, "after_each_gradient"
    )
    tr = _trace(cfg)
    assert _order_problems(tr, "after_each_gradient") == []
    check_against_references(cfg)
