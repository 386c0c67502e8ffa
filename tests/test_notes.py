"""The presets against the lecture notes: every number the notes print, and every slip they make.

Expected numbers are written here literally, from the notes and from our own hand arithmetic
(tests/reference_notes.py), never copied from the engine's output.
"""

from __future__ import annotations

import copy
import json
import sys
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
for _p in (str(ROOT), str(HERE)):
    if _p not in sys.path:
        sys.path.insert(0, _p)

import reference_notes as ref  # noqa: E402

from engine import compute_trace, load_preset, parse_config  # noqa: E402

PRESETS = ROOT / "engine" / "presets"

NOTE_FILES = {
    "note000": "000_529b48cadf9d314e.txt",
    "note001": "001_e74206ca9431b547.txt",
    "note002": "002_ea276b9112dd4a97.txt",
    "note003": "003_37ff496e8aaf2344.txt",
    "note004": "004_76e8ded12b6f403d.txt",
    "note004_two_hidden": "004_76e8ded12b6f403d.txt",
}
OWN_IDS = ("tanh_2_2_2", "relu_2_3_1", "softmax_ce_2_3_3", "bce_logistic", "leaky_relu_deep")
MISTAKES = {
    "sign", "used_updated_weight", "missing_activation_derivative", "activation_for_derivative", "factor_half",
    "batch_reduction", "missing_learning_rate", "wrong_update_direction", "other_sample",
    "shared_bias_not_summed", "rounding", "digit_swap", "carried",
    "swapped_weights", "used_old_weight", "used_z_for_a",  # the self-check's extra models
}
NOTATION_KEYS = ("inputs", "neurons", "pre_activations", "weights", "biases", "targets", "loss", "learning_rate",
                 "updated", "old")


def raw_preset(preset_id: str) -> dict:
    return json.loads((PRESETS / f"{preset_id}.json").read_text(encoding="utf-8"))


ALL_IDS = sorted(p.stem for p in PRESETS.glob("*.json"))


def rounds_to(value: float, text: str) -> bool:
    """`value` rounded (half away from zero) to the decimals written in `text` reads exactly `text`.

    The value is first cut to 12 significant digits so binary noise (1.3125 computed as
    1.3124999999999998) cannot decide a tie.
    """
    places = len(text.split(".")[1]) if "." in text else 0
    clean = Decimal(format(value, ".12g"))
    return str(clean.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)) == str(Decimal(text))


def written_at_precision(value: float, text: str) -> bool:
    """`text` is `value` rounded half up OR cut off at the decimals `text` shows (note 002 cuts off)."""
    places = len(text.split(".")[1]) if "." in text else 0
    clean = Decimal(format(value, ".12g"))
    quantum = Decimal(1).scaleb(-places)
    return Decimal(text) in (clean.quantize(quantum, rounding=ROUND_HALF_UP), clean.quantize(quantum, rounding=ROUND_DOWN))


def with_set(raw: dict, values: dict[str, float]) -> dict:
    """A copy of a raw config with some weights/biases replaced (`w:l1:n1:k3`, `b:l2:n1`, `b:l1`)."""
    out = copy.deepcopy(raw)
    for gid, value in values.items():
        parts = dict((p[0], int(p[1:])) for p in gid.split(":")[1:])
        layer = out["layers"][parts["l"] - 1]
        if gid.startswith("w:"):
            layer["weights"][parts["n"] - 1][parts["k"] - 1] = value
        elif gid.startswith("b:") and "n" in parts:
            layer["bias"][parts["n"] - 1] = value
        elif gid.startswith("b:"):
            layer["bias"] = value
        else:
            raise KeyError(gid)
    return out


def printed_cases() -> list:
    cases = []
    for pid in NOTE_FILES:
        for i, entry in enumerate(raw_preset(pid).get("printed", [])):
            cases.append(pytest.param(pid, None, i, entry, id=f"{pid}-{i}-{entry['step']}={entry['text']}"))
        for e, exp in enumerate(raw_preset(pid).get("experiments", [])):
            for i, entry in enumerate(exp.get("printed", [])):
                cases.append(pytest.param(pid, e, i, entry, id=f"{pid}-exp{e}-{i}-{entry['step']}={entry['text']}"))
    return cases


# --------------------------------------------------------------------------- every preset file


def test_all_presets_are_there():
    assert set(NOTE_FILES) | set(OWN_IDS) <= set(ALL_IDS)


@pytest.mark.parametrize("preset_id", ALL_IDS)
def test_preset_parses_with_its_metadata(preset_id):
    raw = raw_preset(preset_id)
    cfg = load_preset(preset_id)
    assert raw["id"] == preset_id
    assert cfg.meta["id"] == preset_id
    assert isinstance(raw["title"], str) and raw["title"].strip()
    assert isinstance(raw["title_zh"], str) and raw["title_zh"].strip()
    assert set(raw["description"]) == {"en", "zh"}
    assert all(isinstance(v, str) and v.strip() for v in raw["description"].values())
    assert "source" in raw
    assert raw["source"] == NOTE_FILES.get(preset_id)
    # the same network whether read by id or from the dict
    assert parse_config(raw) == cfg


@pytest.mark.parametrize("preset_id", ALL_IDS)
def test_notation_shapes_match_layers(preset_id):
    raw = raw_preset(preset_id)
    notation = raw.get("notation") or {}
    if preset_id in NOTE_FILES or preset_id in OWN_IDS:  # ours spell out every symbol; others may use defaults
        for key in NOTATION_KEYS:
            assert key in notation, key
    layers = raw["layers"]
    n_in = len(layers[0]["weights"][0])
    sizes = [len(layer["weights"]) for layer in layers]
    strings = []
    if "inputs" in notation:
        assert len(notation["inputs"]) == n_in
        strings += notation["inputs"]
    for key in ("neurons", "pre_activations"):
        if key in notation:
            assert [len(row) for row in notation[key]] == sizes, key
            strings += [s for row in notation[key] for s in row]
    if "weights" in notation:
        assert [[len(r) for r in w] for w in notation["weights"]] == [[len(r) for r in la["weights"]] for la in layers]
        strings += [s for w in notation["weights"] for row in w for s in row]
    if "biases" in notation:
        assert len(notation["biases"]) == len(layers)
        for symbol, layer in zip(notation["biases"], layers, strict=True):
            bias = layer.get("bias")
            if bias is None:
                assert symbol is None
            elif isinstance(bias, list):
                assert isinstance(symbol, list) and len(symbol) == len(bias)
                strings += symbol
            else:
                assert isinstance(symbol, str)
                strings.append(symbol)
    if "targets" in notation:
        assert len(notation["targets"]) == sizes[-1]
        strings += notation["targets"]
    assert all(isinstance(s, str) and s.strip() for s in strings)
    for key in ("updated", "old"):
        if key in notation:
            assert "@" in notation[key]


@pytest.mark.parametrize("preset_id", ALL_IDS)
def test_every_printed_step_is_in_the_trace(preset_id):
    raw = raw_preset(preset_id)
    tr = compute_trace(load_preset(preset_id))
    ids = [e["step"] for e in raw.get("printed", [])]
    for e in raw.get("printed", []):
        ids += e.get("slip", {}).get("carried_from", [])
    for step in ids:
        assert step in tr, step


# --------------------------------------------------------------------------- the printed numbers


@pytest.mark.parametrize(("preset_id", "experiment", "index", "entry"), printed_cases())
def test_printed_number(preset_id, experiment, index, entry):
    raw = raw_preset(preset_id)
    if experiment is not None:
        exp = raw["experiments"][experiment]
        assert set(exp["description"]) == {"en", "zh"}
        raw = with_set(raw, exp["set"])
    tr = compute_trace(parse_config(raw))
    value = tr.value(entry["step"])
    assert isinstance(entry["text"], str) and entry.get("where")
    slip = entry.get("slip")
    if slip is None:
        assert written_at_precision(value, entry["text"]), f"{entry['step']}: engine {value!r}, note prints {entry['text']}"
        return
    assert not written_at_precision(value, entry["text"]), f"{entry['step']}: {entry['text']} is marked as a slip"
    assert slip["mistake"] is None or slip["mistake"] in MISTAKES  # None: no single mistake reproduces it
    assert slip["comment"].strip()
    if slip["mistake"] == "carried":
        assert slip["carried_from"]
        slipped = {e["step"] for e in raw_preset(preset_id).get("printed", []) if "slip" in e}
        for source in slip["carried_from"]:
            assert source in tr and source in slipped, source


def test_note_slips_are_the_ones_we_found():
    """The list of slips, as worked out by hand (see tests/reference_notes.py)."""
    slips = {pid: sorted((e["step"], e["text"]) for e in raw_preset(pid).get("printed", []) if "slip" in e)
             for pid in NOTE_FILES}
    assert slips["note000"] == [("dE_da:l2:n1:s1", "-1.05")]
    assert slips["note001"] == []
    assert slips["note002"] == sorted([
        ("z:l1:n1:s1", "0.375"), ("sample_loss:s1", "0.27483"), ("loss", "0.150875"), ("delta:l2:n1:s2", "-0.04267"), ("dz_dw:l2:n1:k1:s1", "0.593626"),
        ("dz_dw:l2:n1:k1:s2", "0.62983"), ("dE_dw:l2:n1:k1", "0.02777"), ("dE_dw:l2:n1:k2", "0.02755"),
        ("dE_db:l2:n1", "0.04791"),
    ])
    assert slips["note003"] == []
    exp = raw_preset("note003")["experiments"][0]
    assert [(e["step"], e["text"]) for e in exp["printed"] if "slip" in e] == [("a:l2:n1:s1", "3.293")]


# --------------------------------------------------------------------------- headline numbers


def test_note000_headline():
    tr = compute_trace(load_preset("note000"))
    assert tr.value("loss") == pytest.approx(0.55125, abs=1e-12)
    assert tr.value("dE_dw:l2:n1:k1") == pytest.approx(1.3125, abs=1e-12)
    assert tr.value("new_w:l2:n1:k1") == pytest.approx(0.86875, abs=1e-12)
    assert rounds_to(tr.value("loss_after"), "0.3388")
    assert tr.loss_after == pytest.approx(0.3388021092883, abs=1e-12)
    # the derivative is +1.05, not the -1.05 of the note's derivation; gradients use the old w5
    assert tr.value("dE_da:l2:n1:s1") == pytest.approx(1.05, abs=1e-12)
    assert tr.value("dE_dw:l1:n1:k1") == pytest.approx(1.05, abs=1e-12)
    assert [tr.value(f"new_w:l1:n{j}:k{k}") for j in (1, 2) for k in (1, 2)] == pytest.approx(
        [0.395, 1.4475, 2.195, 2.9475], abs=1e-12)
    assert tr.value("new_w:l2:n1:k2") == pytest.approx(0.601, abs=1e-12)


def test_note000_updates_right_after_each_gradient():
    tr = compute_trace(load_preset("note000"))
    pos = tr.position
    assert pos("dE_dw:l2:n1:k1") < pos("new_w:l2:n1:k1") < pos("dE_dw:l2:n1:k2") < pos("new_w:l2:n1:k2")
    assert pos("new_w:l2:n1:k2") < pos("dE_dw:l1:n1:k1") < pos("new_w:l1:n1:k1")


def test_note001_headline_with_hand_rounding():
    cfg = load_preset("note001")
    assert cfg.round_to == 2
    tr = compute_trace(cfg)
    assert tr.value("a:l1:n1:s1") == pytest.approx(0.57, abs=1e-12)
    assert tr.value("a:l2:n1:s1") == pytest.approx(0.59, abs=1e-12)
    assert tr.value("dE_dw:l2:n1:k1") == pytest.approx(-0.02895543, abs=1e-12)
    assert tr.value("new_w:l2:n1:k1") == pytest.approx(0.314477715, abs=1e-12)
    assert tr.value("new_b:l2:n1") == pytest.approx(0.2253995, abs=1e-12)
    assert rounds_to(tr.value("new_w:l1:n1:k1"), "0.201867625")
    assert rounds_to(tr.value("new_b:l1:n1"), "0.101867625")
    # the derivatives use the rounded outputs: 0.59 × 0.41 and 0.57 × 0.43
    assert tr.value("da_dz:l2:n1:s1") == pytest.approx(0.2419, abs=1e-12)
    assert tr.value("da_dz:l1:n1:s1") == pytest.approx(0.2451, abs=1e-12)
    assert tr.value("dz_da:l2:n1:k1") == pytest.approx(0.3, abs=1e-12)


def test_note002_correct_values():
    """What the note should have printed (our hand arithmetic, 5 decimals unless stated)."""
    tr = compute_trace(load_preset("note002"))
    expected = {
        "z:l1:n1:s1": "0.3775", "a:l1:n1:s1": "0.59327", "z:l1:n2:s1": "0.3925", "a:l1:n2:s1": "0.59688",
        "z:l2:n1:s1": "1.10591", "a:l2:n1:s1": "0.75137", "sample_loss:s1": "0.27481",
        "a:l1:n1:s2": "0.62481", "a:l1:n2:s2": "0.64794", "a:l2:n1:s2": "0.75795", "sample_loss:s2": "0.02692",
        "loss": "0.150867", "dE_da:l2:n1:s1": "0.74137", "delta:l2:n1:s1": "0.13850", "delta:l2:n1:s2": "-0.04257",
        "dE_dw:l2:n1:k1": "0.02778", "dE_dw:l2:n1:k2": "0.02754", "dE_db:l2:n1": "0.04796",
    }
    for step, text in expected.items():
        assert rounds_to(tr.value(step), text), f"{step}: {tr.value(step)!r} vs {text}"
    # the shared b1: its gradient adds the deltas of both hidden neurons (then the batch mean)
    for s in (1, 2):
        assert tr.value(f"dE_db:l1:s{s}") == pytest.approx(
            tr.value(f"delta:l1:n1:s{s}") + tr.value(f"delta:l1:n2:s{s}"), rel=1e-12)
    assert rounds_to(tr.value("dE_db:l1"), "0.0100011")


def test_note003_forward_and_trial_nudge():
    raw = raw_preset("note003")
    tr = compute_trace(load_preset("note003"))
    assert tr.value("a:l1:n1:s1") == pytest.approx(2.2, abs=1e-12)
    assert tr.value("a:l1:n2:s1") == pytest.approx(1.8, abs=1e-12)
    assert tr.value("a:l2:n1:s1") == pytest.approx(2.98, abs=1e-12)
    assert tr.value("loss") == pytest.approx(0.0242, abs=1e-12)
    assert tr.network.learning_rate == 0.01
    exp = raw["experiments"][0]
    assert exp["set"] == {"w:l1:n1:k3": 0.35, "w:l2:n1:k1": 0.78, "w:l2:n1:k2": 0.83}
    nudged = compute_trace(parse_config(with_set(raw, exp["set"])))
    assert nudged.value("a:l1:n1:s1") == pytest.approx(2.35, abs=1e-12)
    assert nudged.value("a:l2:n1:s1") == pytest.approx(3.327, abs=1e-12)
    # the note's 3.293 is what the nudge gives when 0.35 goes into w22 instead of w31
    wrong = compute_trace(parse_config(with_set(raw, {"w:l1:n2:k2": 0.35, "w:l2:n1:k1": 0.78, "w:l2:n1:k2": 0.83})))
    assert rounds_to(wrong.value("a:l2:n1:s1"), "3.293")


def test_note004_uses_the_notes_transposed_layout():
    raw = raw_preset("note004")
    note_w1 = [[0.2, -0.1, 0.4], [0.5, 0.3, -0.2], [-0.3, 0.1, 0.2]]  # W^1_ij: row i = input, column j = hidden
    note_w2 = [[0.6, -0.4], [0.2, 0.5], [-0.3, 0.1]]  # W^2_ij: row i = hidden, column j = output
    transpose = lambda m: [list(r) for r in zip(*m, strict=True)]  # noqa: E731
    assert raw["layers"][0]["weights"] == transpose(note_w1)
    assert raw["layers"][1]["weights"] == transpose(note_w2)
    assert raw["notation"]["weights"][0][1][0] == "W^{1}_{12}"  # into hidden 2 from input 1
    assert raw["notation"]["weights"][1][0][2] == "W^{2}_{31}"  # into output 1 from hidden 3
    assert raw["notation"]["learning_rate"] == "\\alpha"
    assert raw["notation"]["targets"] == ["d_1", "d_2"]
    for pid in ("note004", "note004_two_hidden"):
        assert raw_preset(pid)["notation"]["matrix_convention"] == "xW"
    tr = compute_trace(load_preset("note004"))
    # Delta W^1_ij = alpha * sum_k (d_k - y_k) W^2_jk Phi'_j x_i  (the note's rule, summed over both outputs)
    x = [1.0, 0.5, -1.0]
    for i in range(3):
        for j in range(3):
            err = sum((tr.value(f"t:n{k + 1}:s1") - tr.value(f"a:l2:n{k + 1}:s1")) * note_w2[j][k] for k in range(2))
            h = tr.value(f"a:l1:n{j + 1}:s1")
            delta_w = 0.1 * err * h * (1 - h) * x[i]
            assert tr.value(f"new_w:l1:n{j + 1}:k{i + 1}") - note_w1[i][j] == pytest.approx(delta_w, abs=1e-12)


def test_note004_equation_a_two_paths():
    tr = compute_trace(load_preset("note004_two_hidden"))
    raw = raw_preset("note004_two_hidden")
    assert raw["notation"]["weights"][0][0][0] == "W_1"
    two_paths = (tr.value("delta:l2:n1:s1") * tr.value("w:l2:n1:k1")
                 + tr.value("delta:l2:n2:s1") * tr.value("w:l2:n2:k1"))
    assert tr.value("dE_da:l1:n1:s1") == pytest.approx(two_paths, rel=1e-12)
    assert tr.value("dE_dw:l1:n1:k1") == pytest.approx(
        two_paths * tr.value("da_dz:l1:n1:s1") * tr.value("x:n1:s1"), rel=1e-12)
    assert abs(tr.value("delta:l2:n1:s1") * tr.value("w:l2:n1:k1")) > 1e-3  # both paths really contribute
    assert abs(tr.value("delta:l2:n2:s1") * tr.value("w:l2:n2:k1")) > 1e-3


# --------------------------------------------------------------------------- independent reference


@pytest.mark.parametrize("name", ["note000", "note001", "note002"])
def test_engine_agrees_with_hand_reference(name):
    expected = getattr(ref, name)()
    tr = compute_trace(load_preset(name))
    for step, value in expected.items():
        assert step in tr, step
        assert tr.value(step) == pytest.approx(value, rel=1e-9, abs=1e-12), step


def test_reference_rounding_helper_matches():
    assert ref.rounds_to(0.3775, "0.378") and rounds_to(0.3775, "0.378")
    assert rounds_to(1.3124999999999998, "1.3125") and not rounds_to(0.5932699921, "0.59326")
    # note 002 cuts values off at 5 decimals: 0.59326 is sigmoid(0.3775) = 0.5932699... written so
    assert written_at_precision(0.5932699921, "0.59326") and written_at_precision(0.5932699921, "0.59327")
    assert not written_at_precision(0.5932699921, "0.59328")
    assert rounds_to(-0.028955430000000008, "-0.02895543")


# --------------------------------------------------------------------------- our own presets


def _steps(tr, quantity):
    return [s for s in tr.steps if s.quantity == quantity and s.phase != "check"]


def test_own_presets_show_what_they_promise():
    tanh = compute_trace(load_preset("tanh_2_2_2"))
    net = tanh.network
    assert (net.layers[0].activation, net.layers[1].activation, net.loss) == ("tanh", "sigmoid", "mean_squared_error")
    assert len(net.samples) == 3 and all(layer.bias_mode == "per_neuron" for layer in net.layers)

    relu = compute_trace(load_preset("relu_2_3_1"))
    assert (relu.network.loss, relu.network.reduction) == ("squared_error", "sum")
    dead = [s for s in _steps(relu, "z") if s.layer == 1 and s.value < 0]
    assert dead
    for s in dead:
        assert relu.value(f"da_dz:l1:n{s.neuron}:s{s.sample}") == 0.0
        assert relu.value(f"delta:l1:n{s.neuron}:s{s.sample}") == 0.0
    # the batch gradient is the sum of the per-sample gradients
    assert relu.value("dE_dw:l1:n1:k1") == pytest.approx(
        relu.value("dE_dw:l1:n1:k1:s1") + relu.value("dE_dw:l1:n1:k1:s2"), rel=1e-12)

    soft = compute_trace(load_preset("softmax_ce_2_3_3"))
    assert soft.network.loss == "cross_entropy" and len(soft.network.samples) == 2
    for s, sample in enumerate(soft.network.samples, 1):
        assert sorted(sample.target) == [0, 0, 1]
        for j in range(1, 4):
            assert soft.value(f"delta:l2:n{j}:s{s}") == pytest.approx(
                soft.value(f"a:l2:n{j}:s{s}") - sample.target[j - 1], abs=1e-12)

    bce = compute_trace(load_preset("bce_logistic"))
    assert bce.network.loss == "binary_cross_entropy"
    for s, sample in enumerate(bce.network.samples, 1):
        assert bce.value(f"delta:l2:n1:s{s}") == pytest.approx(bce.value(f"a:l2:n1:s{s}") - sample.target[0], abs=1e-12)

    leaky = compute_trace(load_preset("leaky_relu_deep"))
    assert len(leaky.network.layers) == 3
    assert any(s.value == 0.01 for s in _steps(leaky, "da_dz"))
    two_paths = sum(leaky.value(f"delta:l2:n{m}:s1") * leaky.value(f"w:l2:n{m}:k1") for m in (1, 2))
    assert leaky.value("dE_da:l1:n1:s1") == pytest.approx(two_paths, rel=1e-12)


@pytest.mark.parametrize("preset_id", ALL_IDS)
def test_one_step_lowers_the_loss(preset_id):
    tr = compute_trace(load_preset(preset_id))
    assert tr.loss_after < tr.loss


@pytest.mark.parametrize("preset_id", [p for p in ALL_IDS if raw_preset(p).get("round_to") is None])
def test_gradients_match_finite_differences(preset_id):
    """Every batch gradient in the trace equals (E(p + h) - E(p - h)) / 2h: no kinks hit, no wrong paths."""
    raw = raw_preset(preset_id)
    tr = compute_trace(parse_config(raw))
    h = 1e-6

    def loss_with(gid, value):
        return compute_trace(parse_config(with_set(raw, {gid: value}))).loss

    params = []
    for li, layer in enumerate(raw["layers"], 1):
        for j, row in enumerate(layer["weights"], 1):
            for k, w in enumerate(row, 1):
                params.append((f"w:l{li}:n{j}:k{k}", f"dE_dw:l{li}:n{j}:k{k}", w))
        bias = layer.get("bias")
        if isinstance(bias, list):
            params += [(f"b:l{li}:n{j}", f"dE_db:l{li}:n{j}", b) for j, b in enumerate(bias, 1)]
        elif bias is not None:
            params.append((f"b:l{li}", f"dE_db:l{li}", bias))
    for gid, grad_id, value in params:
        numeric = (loss_with(gid, value + h) - loss_with(gid, value - h)) / (2 * h)
        assert tr.value(grad_id) == pytest.approx(numeric, rel=1e-5, abs=1e-8), grad_id
