"""Exercises: fresh numbers from a template, the same for the same seed, never degenerate, a config file that
`trace` and `check` read unchanged. The rules are checked here by an independent reference (tests/reference.py),
not only by `engine.exercise.problems`."""

from __future__ import annotations

import copy
import itertools
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
import reference as ref
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from engine import ConfigError, compute_trace, load_config, load_preset, parse_config, preset_ids
from engine.exercise import (
    EXERCISE_VERSION,
    MAX_SEED,
    config_json,
    generate,
    parse_seed,
    problems,
    seed_for,
)

ROOT = Path(__file__).resolve().parents[1]
PRESETS = ROOT / "engine" / "presets"
PROPERTY = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# The exercise for (note000, seed 1). If the generator changes what it draws, this fails: bump EXERCISE_VERSION
# in engine/exercise.py and write the new numbers here.
GOLDEN_NOTE000_SEED1 = {
    "title": "Exercise: Note 000: a linear 2-2-1 network, one backpropagation step by hand (seed 1)",
    "layers": [
        {"activation": "identity", "weights": [[0.8, 0.4], [0.6, -0.2]], "bias": None},
        {"activation": "identity", "weights": [[0.1, 0.2]], "bias": None},
    ],
    "loss": "half_squared_error",
    "reduction": "mean",
    "learning_rate": 0.1,
    "samples": [{"x": [0.7, 0.6], "target": [-0.7]}],
    "round_to": None,
    "update_order": "after_each_gradient",
    "title_zh": "练习：笔记 000：线性 2-2-1 网络，手算一次反向传播（种子 1）",
    "exercise": {"template": "note000", "seed": 1, "version": 1},
}


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "engine", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)


# --- determinism -------------------------------------------------------------------------------------------

def test_the_golden_exercise():
    config = generate("note000", 1).to_config()
    assert config.pop("notation") == load_preset("note000").notation
    assert config == GOLDEN_NOTE000_SEED1
    assert EXERCISE_VERSION == GOLDEN_NOTE000_SEED1["exercise"]["version"]


@pytest.mark.parametrize("template", preset_ids())
def test_same_seed_same_exercise_whether_the_template_is_an_id_or_a_file(template):
    by_id = config_json(generate(template, 12345))
    assert by_id == config_json(generate(template, 12345))
    assert by_id == config_json(generate(load_config(PRESETS / f"{template}.json"), 12345))
    # an exercise used as a template gives the same exercises as its own template
    assert config_json(generate(generate(template, 7), 12345)) == by_id


def test_the_same_in_a_fresh_interpreter_with_another_hash_seed():
    code = "from engine.exercise import generate, config_json; print(config_json(generate('note002', 99)), end='')"
    for hash_seed in ("0", "12345"):
        out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60,
                             env={"PYTHONHASHSEED": hash_seed, "PATH": "/usr/bin:/bin"})
        assert out.returncode == 0, out.stderr
        assert out.stdout == config_json(generate("note002", 99))


@pytest.mark.parametrize("template", preset_ids())
def test_different_seeds_give_different_numbers(template):
    numbers = set()
    for seed in range(5):
        config = generate(template, seed).to_config()
        numbers.add(json.dumps([config["layers"], config["samples"]]))
    assert len(numbers) == 5


def test_the_template_keeps_its_shape_and_settings_and_drops_the_notes_numbers():
    for template in preset_ids():
        tpl, ex = load_preset(template), generate(template, 3)
        assert ex.sizes == tpl.sizes and len(ex.samples) == len(tpl.samples)
        assert [(a.activation, a.bias_mode) for a in ex.layers] == [(a.activation, a.bias_mode) for a in tpl.layers]
        assert (ex.loss, ex.reduction, ex.round_to, ex.update_order, ex.learning_rate, ex.notation) == \
            (tpl.loss, tpl.reduction, tpl.round_to, tpl.update_order, tpl.learning_rate, tpl.notation)
        assert set(ex.meta) == {"title_zh", "exercise"}
        assert ex.meta["exercise"] == {"template": template, "seed": 3, "version": EXERCISE_VERSION}
        assert ex.title.startswith("Exercise: ") and ex.title.endswith("(seed 3)")
        assert ex.meta["title_zh"].startswith("练习：") and ex.meta["title_zh"].endswith("（种子 3）")


# --- the rules, checked independently -------------------------------------------------------------------------

def decimals(v: float) -> int:
    return max(0, -Decimal(repr(v)).as_tuple().exponent)


def reference_problems(cfg: dict) -> list[str]:
    """The key rules computed from the plain config with tests/reference.py (NumPy forward pass, central
    differences for the gradients), with margins a little looser than the engine's for hand rounding."""
    out = []
    numbers = [v for layer in cfg["layers"] for row in layer["weights"] for v in row]
    numbers += [b for layer in cfg["layers"] for b in (layer["bias"] if isinstance(layer["bias"], list)
                                                       else [layer["bias"]] if layer["bias"] is not None else [])]
    numbers += [v for s in cfg["samples"] for v in (*s["x"], *s["target"])]
    out += [f"{v} has more than 2 decimals" for v in numbers if decimals(v) > 2]
    for li, layer in enumerate(cfg["layers"]):
        flat = [w for row in layer["weights"] for w in row]
        if len({abs(w) for w in flat}) < len(flat) or 0 in flat:
            out.append(f"layer {li}: weights equal in size, or zero")
    for s in cfg["samples"]:
        if len({abs(x) for x in s["x"]}) < len(s["x"]) or 0 in s["x"]:
            out.append("inputs equal in size or zero")
    fwd = ref.numpy_forward(cfg)
    for s, sample in enumerate(cfg["samples"]):
        for li, layer in enumerate(cfg["layers"]):
            act = ref.activation_of(layer)
            for z, a in zip(fwd.z[s][li], fwd.a[s][li]):
                if abs(z) >= 100 or abs(a) >= 100:
                    out.append("a value beyond 100")
                if act in ("sigmoid", "softmax") and not 0.045 <= a <= 0.955:
                    out.append(f"saturated {act} {a}")
                if act == "tanh" and abs(a) > 0.905:
                    out.append(f"saturated tanh {a}")
                if act == "relu" and z < 0.04:
                    out.append(f"dead ReLU z = {z}")
                if act == "leaky_relu" and abs(z) < 0.04:
                    out.append(f"leaky ReLU at its kink z = {z}")
        for y, t in zip(fwd.a[s][-1], sample["target"]):
            if abs(y - t) < 0.045:
                out.append(f"output {y} too close to target {t}")
            if y - t == t - y:
                out.append("y - t equals t - y")
    grads = ref.finite_difference_gradients(cfg)
    sizes = sorted(abs(g) for g in grads.values())
    out += [f"gradient {g} too close to 0" for g in sizes if g < 5e-5]
    out += [f"gradients {a} and {b} equal in size" for a, b in itertools.pairwise(sizes) if b - a < 1e-6]
    after = ref.with_parameters(cfg, ref.updated_parameters(cfg, grads))
    if not ref.numpy_forward(after).loss < fwd.loss:
        out.append("the loss does not go down")
    first = cfg["layers"][0]["weights"]
    for sample in cfg["samples"]:  # swapping two weights into one neuron changes its z
        x = sample["x"]
        for row in first:
            for k, k2 in itertools.combinations(range(len(x)), 2):
                if abs((row[k] - row[k2]) * (x[k] - x[k2])) < 1e-5:
                    out.append("a swapped weight gives the same z")
    return out


@PROPERTY
@given(template=st.sampled_from(preset_ids()), seed=st.integers(0, MAX_SEED))
@example(template="note000", seed=0)
@example(template="relu_2_3_1", seed=MAX_SEED)
def test_an_exercise_is_never_degenerate(template, seed):
    exercise = generate(template, seed)
    trace = compute_trace(exercise)
    assert problems(trace) == []
    cfg = json.loads(config_json(exercise))
    assert reference_problems(cfg) == []
    # the config round-trips: the same network, the same numbers
    again = parse_config(cfg)
    assert again.to_config() == exercise.to_config()
    assert [s.value for s in compute_trace(again).steps] == [s.value for s in trace.steps]


def test_targets_fit_the_output():
    for seed in range(10):
        for s in generate("softmax_ce_2_3_3", seed).samples:  # one-hot classes, as the template
            assert sorted(s.target) == [0.0, 0.0, 1.0]
        for s in generate("bce_logistic", seed).samples:  # 0/1 labels, as the template
            assert s.target[0] in (0.0, 1.0)
        for s in generate("note002", seed).samples:  # sigmoid outputs: 0.01..0.99
            assert 0.01 <= s.target[0] <= 0.99


def test_the_rules_find_the_presets_degenerate_numbers():
    said = {p: " | ".join(problems(compute_trace(load_preset(p)))) for p in preset_ids()}
    assert "two weights are equal in size" in said["note000"]
    assert "dead" in said["relu_2_3_1"]
    assert "an input is 0" in said["tanh_2_2_2"]
    assert "too close to its target" in said["note004"]
    assert "the same size" in said["note001"]  # x = 1 makes dE/dw_h equal dE/db_h


def test_a_saturated_sigmoid_and_a_sign_coincidence_are_problems():
    cfg = json.loads(config_json(generate("note002", 1)))
    saturated = copy.deepcopy(cfg)
    saturated["layers"][1]["weights"] = [[9.0, 8.5]]
    assert any("saturated" in p for p in problems(compute_trace(parse_config(saturated))))
    exact = copy.deepcopy(cfg)
    y = compute_trace(parse_config(exact)).value("a:l2:n1:s1")
    exact["samples"][0]["target"] = [y]
    assert any("too close to its target" in p for p in problems(compute_trace(parse_config(exact))))


def test_a_network_too_large_for_nice_numbers_is_told_so():
    layer = {"activation": "sigmoid", "weights": [[0.1] * 10] * 10}
    big = parse_config({"layers": [layer] * 6, "learning_rate": 0.5,
                        "samples": [{"x": [0.1] * 10, "target": [0.5] * 10}] * 16})
    with pytest.raises(ConfigError, match=r"^template: no exercise without degenerate numbers"):
        generate(big, 1)


# --- seeds -----------------------------------------------------------------------------------------------------

def test_seed_for_is_stable_and_normalised():
    assert seed_for("Ada Lovelace", "hw3") == 1130842277  # blake2b: the same on every machine and version
    assert seed_for("李雷", "作业1") == 2554422617
    assert seed_for(" ada  LOVELACE ", "HW3") == seed_for("Ada Lovelace", "hw3")
    assert seed_for("Zoe\u0308", "hw3") == seed_for("Zoë", "hw3")  # NFC
    assert seed_for("Ada Lovelace", "hw4") != seed_for("Ada Lovelace", "hw3")
    assert seed_for("Ada", "") != seed_for("Ada", "x")
    assert 0 <= seed_for("s12345", "quiz") <= MAX_SEED


@pytest.mark.parametrize("bad", ["", "   ", "x" * 81, "a\x1bb", "a\u202eb", 5, None])
def test_seed_for_refuses_bad_names(bad):
    with pytest.raises(ConfigError, match=r"^name: "):
        seed_for(bad, "hw3")


@pytest.mark.parametrize("bad", [-1, MAX_SEED + 1, 1.5, True, "x", "-3", None, 10**400])
def test_bad_seeds_are_refused(bad):
    with pytest.raises(ConfigError, match=r"^seed: expected a whole number from 0 to 4294967295"):
        generate("note000", bad)
    assert parse_seed("42") == 42 and parse_seed(MAX_SEED) == MAX_SEED


def test_bad_templates_are_refused():
    with pytest.raises(ConfigError, match=r"^template: unknown 'nope'"):
        generate("nope", 1)
    with pytest.raises(ConfigError, match=r"^template: "):
        generate({"layers": []}, 1)


@pytest.mark.parametrize(("exercise", "where"), [
    ({"template": "note000", "seed": -1, "version": 1}, "exercise.seed"),
    ({"template": "note000", "seed": 1, "version": "1"}, "exercise.version"),
    ({"template": 5, "seed": 1, "version": 1}, "exercise.template"),
    ({"template": "note000", "seed": 1, "version": 1, "extra": 1}, "exercise.extra"),
    ("note000", "exercise"),
])
def test_a_config_with_a_bad_exercise_field_is_refused(exercise, where):
    cfg = json.loads(config_json(generate("note000", 1)))
    cfg["exercise"] = exercise
    with pytest.raises(ConfigError, match=rf"^{where}: "):
        parse_config(cfg)


# --- the command line ----------------------------------------------------------------------------------------

def test_cli_json_feeds_trace_and_check(tmp_path):
    r = cli("exercise", "--template", "note002", "--seed", "7")
    assert r.returncode == 0, r.stderr
    assert r.stdout == config_json(generate("note002", 7))
    path = tmp_path / "ex.json"
    path.write_text(r.stdout, encoding="utf-8")
    t = cli("trace", str(path), "--json")
    assert t.returncode == 0, t.stderr
    steps = json.loads(t.stdout)["steps"]
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps({steps[0]["id"]: steps[0]["value"]}), encoding="utf-8")
    c = cli("check", str(path), "--answers", str(answers), "--json")
    assert c.returncode == 0, c.stderr
    assert json.loads(c.stdout)["results"][0]["verdict"] == "correct"
    # a file as the template, and a name with an assignment word as the seed
    f = cli("exercise", str(PRESETS / "note002.json"), "--seed", "7", "--json")
    assert f.stdout == r.stdout
    named = cli("exercise", "--template", "note001", "--name", "Ada Lovelace", "--assignment", "hw3")
    assert named.stdout == config_json(generate("note001", seed_for("Ada Lovelace", "hw3")))


@pytest.mark.parametrize(("args", "line"), [
    (["--template", "note000", "--seed", "-1"], "error: --seed: expected a whole number from 0 to 4294967295"),
    (["--template", "note000", "--seed", "4294967296"], "error: --seed: expected a whole number"),
    (["--template", "note000", "--seed", "1e3"], "error: --seed: expected a whole number"),
    (["--template", "nope", "--seed", "1"], "error: --template: unknown 'nope'"),
    (["--template", "note000"], "error: --seed: required"),
    (["--template", "note000", "--seed", "1", "--key"], "error: --key: needs --format markdown or latex"),
    (["--template", "note000", "--seeds", "1-300", "--format", "latex"], "error: --seeds: expected at most 200"),
    (["--template", "note000", "--seeds", "5-3", "--format", "latex"], "error: --seeds: the range 5-3 runs backwards"),
    (["--template", "note000", "--name", "", "--assignment", "hw"], "error: name: is empty"),
    (["--template", "note000", "--seed", "1", "--format", "latex", "--decimals", "99"], "error: --decimals: "),
    (["/nonexistent.json", "--seed", "1"], "error: /nonexistent.json: no such file"),
])
def test_cli_bad_input_exits_2_with_one_line(args, line):
    r = cli("exercise", *args)
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.startswith(line) and r.stderr.count("\n") == 1, r.stderr
