"""Every step written the way the notes write it: LaTeX lines, precision, captions, callouts, the matrix view.

Expected strings are written here literally, from the notes (shared/notes/000-002), not copied from the
renderer's output. A structural checker (independent of engine.latex) keeps every string inside KaTeX's
subset; where node and the katex package are available, KaTeX itself renders every string too.
"""

from __future__ import annotations

import dataclasses
import json
import os
import random
import re
import shutil
import subprocess

import pytest

from engine import compute_trace, load_preset, parse_config, preset_ids
from engine.config import ConfigError
from engine.export import givens_latex
from engine.latex import Diff, Neg, Num, Prod, Style, Sum, number, tex
from engine.numbers import decimals_written, matches_written
from engine.render import (
    DEFAULT_OPTIONS,
    RenderedStep,
    RenderOptions,
    format_value,
    matrix_view,
    render_step,
    render_trace,
)

CJK = re.compile(r"[\u3400-\u9fff]")
OPTION_SETS = (RenderOptions(), RenderOptions(lang="zh", mul="cdot"), RenderOptions(decimals=3),
               RenderOptions(significant=2, lang="zh"))


def trace_of(preset: str):
    return compute_trace(load_preset(preset))


def steps(preset: str, opts: RenderOptions = DEFAULT_OPTIONS) -> dict[str, RenderedStep]:
    return {r.id: r for r in render_trace(trace_of(preset), opts)}


# --- an independent structural check of KaTeX's subset ---------------------------------------------

ALLOWED = set("""
frac partial cdot times approx eta delta Delta sigma alpha beta gamma epsilon theta lambda mu pi rho tau phi
Phi psi omega Omega ln tanh max left right begin end operatorname text mathbf boldsymbol odot top le ge quad
hat bar infty sum mathrm
""".split())
ENVIRONMENTS = {"bmatrix", "cases"}


def _scripts_clash(s: str) -> list[str]:
    """Two superscripts (a prime counts as one) or two subscripts on one base."""
    problems = []
    state = {"sup": None, "sub": False}  # sup: None, "'" (primes so far) or "^"
    outer: list[tuple[dict, bool]] = []
    expect_argument = after_prime = False
    for tok in re.findall(r"\\[A-Za-z]+|\\.|\S", s):
        if tok == "{":
            outer.append((state, expect_argument))
            state, expect_argument = {"sup": None, "sub": False}, False
        elif tok == "}":
            state, was_argument = outer.pop() if outer else ({"sup": None, "sub": False}, False)
            if not was_argument:
                state = {"sup": None, "sub": False}
        elif expect_argument:
            expect_argument = False
        elif tok == "_":
            problems += ["double subscript"] if state["sub"] else []
            state["sub"], expect_argument, after_prime = True, True, False
        elif tok in ("^", "'"):
            if state["sup"] == "^" or (state["sup"] == "'" and not after_prime):
                problems.append("double superscript")
            state["sup"] = tok
            expect_argument, after_prime = tok == "^", tok == "'"
            continue
        else:
            state = {"sup": None, "sub": False}
        after_prime = False
    return problems


def katex_structure(s: str) -> list[str]:
    problems = _scripts_clash(s)
    if s.count("{") - s.count(r"\{") != s.count("}") - s.count(r"\}"):
        problems.append("unbalanced braces")
    for tok in re.findall(r"\\([A-Za-z]+)", s):
        if tok not in ALLOWED:
            problems.append(f"\\{tok} is not in the whitelist")
    for env in re.findall(r"\\(?:begin|end)\{(\w+)\}", s):
        if env not in ENVIRONMENTS:
            problems.append(f"environment {env}")
    if s.count(r"\left") != s.count(r"\right"):
        problems.append(r"\left without \right")
    for body in re.findall(r"\\(?:text|operatorname)\{([^{}]*)\}", s):
        if re.search(r"(?<!\\)[_^#$%&~]", body):
            problems.append(f"special character in text {body!r}")
    if re.search(r"\d[eE][+-]?\d", s):
        problems.append("a number in e-notation")
    for digits in re.findall(r"\d+\.\d+", s):
        if len(digits.replace(".", "").lstrip("0")) > 12:  # the default shows at most 10 significant digits
            problems.append(f"float noise {digits}")
    return problems


def test_structural_checker_catches_what_katex_rejects():
    assert katex_structure(r"\frac{\partial E}{\partial w_5} = 1.05 \times 1.25") == []
    assert katex_structure(r"{w'_{11}}^{+}") == []
    assert katex_structure(r"w^{(1)}^{+}")
    assert katex_structure(r"w^{(3)}_{21}'") and katex_structure(r"x_1_2") and not katex_structure(r"w'^{+} a_1''")
    assert katex_structure(r"\frac{1}{2")
    assert katex_structure(r"\begin{align} a \end{align}")
    assert katex_structure(r"\foo{x}")
    assert katex_structure(r"1.5e-07")
    assert katex_structure(r"0.30000000000000004")


def all_latex(trace, opts: RenderOptions) -> list[str]:
    out = []
    for r in render_trace(trace, opts):
        out += [r.latex, r.symbol, r.formula, r.substituted, r.result]
    out += [block for _, block in matrix_view(trace, opts)]
    return out + givens_latex(trace, opts)


@pytest.mark.parametrize("preset", preset_ids())
def test_every_string_of_every_preset_keeps_to_katex(preset):
    trace = trace_of(preset)
    for opts in OPTION_SETS:
        for s in all_latex(trace, opts):
            assert katex_structure(s) == [], (preset, opts, s)


def _katex_module() -> str | None:
    if not shutil.which("node"):
        return None
    for module in (os.environ.get("KATEX_MODULE"), "katex"):
        if module and subprocess.run(["node", "-e", f"require({json.dumps(module)})"],
                                     capture_output=True).returncode == 0:
            return module
    return None


def _random_config(rng: random.Random) -> dict:
    """A small random network: any activation, loss, bias mode, batch size, rounding, update order, notation."""
    sizes = [rng.randint(1, 3) for _ in range(rng.randint(2, 4))]
    loss = rng.choice(["half_squared_error", "squared_error", "mean_squared_error", "binary_cross_entropy", "cross_entropy"])
    layers = []
    for l in range(1, len(sizes)):
        act = rng.choice(["identity", "sigmoid", "tanh", "relu", "leaky_relu"])
        if l == len(sizes) - 1:
            act = {"binary_cross_entropy": "sigmoid", "cross_entropy": "softmax"}.get(loss, act)
        bias = rng.choice([None, round(rng.uniform(-1, 1), 2), [round(rng.uniform(-1, 1), 3) for _ in range(sizes[l])]])
        layers.append({"activation": act, "bias": bias,
                       "weights": [[round(rng.uniform(-1, 1), 2) for _ in range(sizes[l - 1])] for _ in range(sizes[l])]})
    one_hot = loss in ("binary_cross_entropy", "cross_entropy")
    config = {"layers": layers, "loss": loss, "learning_rate": rng.choice([0.1, 0.5, 1e-7]),
              "reduction": rng.choice(["mean", "sum"]), "round_to": rng.choice([None, 2]),
              "update_order": rng.choice(["after_all_gradients", "after_each_gradient"]),
              "samples": [{"x": [rng.choice([0, 1e-8, round(rng.uniform(-2, 2), 3)]) for _ in range(sizes[0])],
                           "target": [rng.choice([0, 1]) if one_hot else round(rng.uniform(-1, 1), 2)
                                      for _ in range(sizes[-1])]} for _ in range(rng.randint(1, 3))]}
    if rng.random() < 0.4:
        config["notation"] = {"matrix_convention": "xW", "sample": "{@}_{(#)}", "delta": r"\delta_{@}", "updated": "@'",
                              "old": "@^{(0)}"}
    return config


def test_random_networks_render_within_katex_with_captions():
    rng = random.Random(20240611)
    for _ in range(25):
        trace = compute_trace(parse_config(_random_config(rng)))
        for opts in (RenderOptions(), RenderOptions(lang="zh", significant=3, mul="cdot")):
            for s in all_latex(trace, opts):
                assert katex_structure(s) == [], s
            assert all(r.caption for r in render_trace(trace, opts))


def test_katex_itself_renders_every_string():
    """Runs only where node can require katex (set KATEX_MODULE to its path); CI needs neither."""
    module = _katex_module()
    if module is None:
        pytest.skip("node with the katex package is not available")
    strings = sorted({s for pid in preset_ids() for opts in OPTION_SETS[:2] for s in all_latex(trace_of(pid), opts) if s})
    script = (f"const k = require({json.dumps(module)}); let bad = [];"
              "for (const s of JSON.parse(require('fs').readFileSync(0, 'utf8'))) {"
              " try { k.renderToString(s, {throwOnError: true, displayMode: true, strict: 'error'}); }"
              " catch (e) { bad.push(e.message + ' :: ' + s); } }"
              "console.log(JSON.stringify(bad));")
    done = subprocess.run(["node", "-e", script], input=json.dumps(strings), capture_output=True, text=True, check=True)
    assert json.loads(done.stdout) == []


# --- note 000 --------------------------------------------------------------------------------------

def test_note000_dE_dw5_and_w5_update_as_the_note_writes_them():
    cdot = steps("note000", RenderOptions(mul="cdot"))
    assert cdot["dE_dw:l2:n1:k1"].latex == (
        r"\frac{\partial E}{\partial w_5} = \frac{\partial E}{\partial y} \cdot \frac{\partial y}{\partial w_5}"
        r" = 1.05 \cdot 1.25 = 1.3125")
    times = steps("note000")
    assert times["new_w:l2:n1:k1"].latex == r"w_5^{+} = w_5 - \eta \frac{\partial E}{\partial w_5} = 1 - 0.1 \times 1.3125 = 0.86875"
    r = times["dE_dw:l2:n1:k1"]
    assert (r.symbol, r.substituted, r.result) == (r"\frac{\partial E}{\partial w_5}", r"1.05 \times 1.25", "1.3125")
    assert r.formula == r"\frac{\partial E}{\partial y} \cdot \frac{\partial y}{\partial w_5}"
    assert times["new_w:l2:n1:k2"].latex.endswith(r"= 1 - 0.1 \times 3.99 = 0.601")
    assert times["new_w:l1:n1:k1"].latex.endswith(r"= 0.5 - 0.1 \times 1.05 = 0.395")


def test_note000_forward_and_check_pass():
    r = steps("note000")
    assert r["z:l1:n1:s1"].latex == r"h_1 = w_1 x_1 + w_2 x_2 = 0.5 \times 1 + 1.5 \times 0.5 = 1.25"
    assert r["z:l2:n1:s1"].latex.startswith(r"y = w_5 h_1 + w_6 h_2 = ")
    assert r["a:l1:n1:s1"].latex == "h_1 = 1.25"  # a linear neuron written with one symbol: no h_1 = h_1
    assert r["check.z:l1:n1:s1"].latex == (
        r"h_1 = w_1^{+} x_1 + w_2^{+} x_2 = 0.395 \times 1 + 1.4475 \times 0.5 = 1.11875")
    assert r["check.z:l2:n1:s1"].formula == r"w_5^{+} h_1 + w_6^{+} h_2"
    assert r["loss"].latex == "E = 0.55125"  # a batch of one: the loss is the sample's loss, a short line


def test_note000_dE_dw1_chain_with_the_old_w5():
    r = steps("note000")["dE_dw:l1:n1:k1"]
    assert r.formula == (r"\frac{\partial E}{\partial y} \cdot \frac{\partial y}{\partial h_1} \cdot "
                         r"\frac{\partial h_1}{\partial w_1}")
    assert (r.substituted, r.result) == (r"1.05 \times 1 \times 1", "1.05")
    assert "w₅" in r.callout and "w₅⁺" in r.callout and "old" in r.callout
    zh = steps("note000", RenderOptions(lang="zh"))["dE_dw:l1:n1:k1"].callout
    assert "w₅⁺" in zh and CJK.search(zh)
    assert render_step(trace_of("note000"), "dz_da:l2:n1:k1").latex == r"\frac{\partial y}{\partial h_1} = w_5 = 1"


def test_note000_path_of_dE_dw1_runs_from_the_error_to_w1():
    path = steps("note000")["dE_dw:l1:n1:k1"].path_ids
    for ident in ("dE_da:l2:n1:s1", "dz_da:l2:n1:k1", "w:l2:n1:k1", "delta:l1:n1:s1", "dz_dw:l1:n1:k1:s1"):
        assert ident in path
    assert path.index("dE_da:l2:n1:s1") < path.index("w:l2:n1:k1") < path.index("delta:l1:n1:s1")
    assert path[-1] == "w:l1:n1:k1"
    trace = trace_of("note000")
    assert all(ident in trace for r in render_trace(trace) for ident in r.path_ids)


def test_note000_numbers_in_the_notes_order():
    rendered = render_trace(trace_of("note000"))
    text = "\n".join(r.latex for r in rendered)
    expected = ["= 1.25", "= 3.8", "= 5.05", "= 0.55125", "1.05 \\times 1.25 = 1.3125", "1 - 0.1 \\times 1.3125 = 0.86875",
                "1.05 \\times 3.8 = 3.99", "1 - 0.1 \\times 3.99 = 0.601", "1.05 \\times 1 \\times 1 = 1.05",
                "0.5 - 0.1 \\times 1.05 = 0.395", "= 1.4475", "= 2.195", "= 2.9475", "= 1.11875", "= 3.66875",
                "= 3.1768", "= 0.3388"]
    at = 0
    for piece in expected:
        found = text.find(piece, at)
        assert found >= 0, f"{piece!r} not found after position {at}"
        at = found + 1


# --- note 001 --------------------------------------------------------------------------------------

def test_note001_sigmoid_with_the_weighted_sum_inside():
    r = steps("note001")
    y_o = r["a:l2:n1:s1"]
    assert y_o.symbol == "y_o"
    assert y_o.substituted == r"\frac{1}{1 + e^{-(0.3 \times 0.57 + 0.2)}}"
    assert y_o.result == "0.59"
    assert y_o.latex == r"y_o = \frac{1}{1 + e^{-z_o}} = \frac{1}{1 + e^{-(0.3 \times 0.57 + 0.2)}} = 0.5917 \approx 0.59"
    y_h = r["a:l1:n1:s1"]
    assert (y_h.substituted, y_h.result) == (r"\frac{1}{1 + e^{-(0.2 \times 1 + 0.1)}}", "0.57")
    assert r["sample_loss:s1"].latex == r"Loss = \frac{1}{2} (y - y_o)^{2} = \frac{1}{2} (0.8 - 0.59)^{2} = 0.02205"


def test_note001_local_derivatives():
    r = steps("note001")
    assert r["dE_da:l2:n1:s1"].latex == r"\frac{\partial Loss}{\partial y_o} = -(y - y_o) = -(0.8 - 0.59) = -0.21"
    assert r["da_dz:l2:n1:s1"].latex == (
        r"\frac{\partial y_o}{\partial z_o} = y_o (1 - y_o) = 0.59 \times (1 - 0.59) = 0.2419")
    assert "a(1 − a)" in r["da_dz:l2:n1:s1"].callout
    assert r["dz_dw:l2:n1:k1:s1"].latex == r"\frac{\partial z_o}{\partial w_o} = y_h = 0.57"
    assert r["dz_da:l2:n1:k1"].latex == r"\frac{\partial z_o}{\partial y_h} = w_o = 0.3"
    assert r["da_dz:l1:n1:s1"].latex.endswith(r"= 0.57 \times (1 - 0.57) = 0.2451")
    assert r["dz_db:l1:n1"].latex == r"\frac{\partial z_h}{\partial b_h} = 1"


def test_note001_dLoss_dw_o_and_its_update_with_a_parenthesised_negative():
    r = steps("note001")
    assert r["dE_dw:l2:n1:k1"].latex == (
        r"\frac{\partial Loss}{\partial w_o} = \frac{\partial Loss}{\partial y_o} \cdot \frac{\partial y_o}{\partial z_o}"
        r" \cdot \frac{\partial z_o}{\partial w_o} = -0.21 \times 0.2419 \times 0.57 = -0.02895543")
    assert r["new_w:l2:n1:k1"].latex == (
        r"w_o^{(1)} = w_o^{(0)} - \eta \frac{\partial Loss}{\partial w_o} = 0.3 - 0.5 \times (-0.02895543) = 0.314477715")
    assert r["new_b:l2:n1"].latex.endswith(r"= 0.2 - 0.5 \times (-0.050799) = 0.2253995")


def test_note001_dLoss_dw_h_shows_all_five_factors():
    r = steps("note001")["dE_dw:l1:n1:k1"]
    assert r.formula.split(r" \cdot ") == [
        r"\frac{\partial Loss}{\partial y_o}", r"\frac{\partial y_o}{\partial z_o}", r"\frac{\partial z_o}{\partial y_h}",
        r"\frac{\partial y_h}{\partial z_h}", r"\frac{\partial z_h}{\partial w_h}"]
    assert r.substituted.split(r" \times ") == ["-0.21", "0.2419", "0.3", "0.2451", "1"]
    assert steps("note001", RenderOptions(decimals=8))["dE_dw:l1:n1:k1"].result == "-0.00373525"
    bh = steps("note001", RenderOptions(decimals=8))["new_b:l1:n1"]
    assert bh.result == "0.10186763"  # 0.101867625 rounded half up at 8 decimals
    assert steps("note001")["new_w:l1:n1:k1"].latex.endswith(r"0.2 - 0.5 \times (-0.00373525047) = 0.2018676252")


# --- note 002: a batch of two, a shared bias ---------------------------------------------------------

def test_note002_forward_and_errors():
    r = steps("note002", RenderOptions(decimals=5))
    assert r["z:l1:n1:s1"].latex == (
        r"z_{h1}[1] = w_1 i_1[1] + w_2 i_2[1] + b_1 = 0.15 \times 0.05 + 0.2 \times 0.1 + 0.35 = 0.37750")
    assert r["a:l1:n2:s1"].latex == r"a_{h2}[1] = \frac{1}{1 + e^{-z_{h2}[1]}} = \frac{1}{1 + e^{-0.39250}} = 0.59688"
    assert r["sample_loss:s2"].result == "0.02692"
    assert r["loss"].formula == r"\frac{1}{2} (E_{1} + E_{2})"
    assert r["loss"].symbol == "E_{total}"


def test_note002_batch_gradient_is_the_mean_of_the_samples():
    trace = trace_of("note002")
    r = {x.id: x for x in render_trace(trace, RenderOptions(decimals=5))}["dE_dw:l2:n1:k1"]
    assert r.formula == r"\frac{1}{2} \left(\frac{\partial E_{1}}{\partial w_5} + \frac{\partial E_{2}}{\partial w_5}\right)"
    assert r.substituted == r"\frac{1}{2} (0.08217 + (-0.02660))"
    assert r.result == "0.02778"
    assert "mean" in r.callout
    assert "平均" in render_step(trace, "dE_dw:l2:n1:k1", RenderOptions(lang="zh")).callout
    per_sample = render_step(trace, "dE_dw:l2:n1:k1:s1", RenderOptions(decimals=5))
    assert per_sample.substituted == r"0.74137 \times 0.18682 \times 0.59327"


def test_note002_shared_bias_sums_over_the_neurons_it_feeds():
    trace = trace_of("note002")
    r = render_step(trace, "dE_db:l1:s1", RenderOptions(decimals=5))
    assert r.formula == (r"\frac{\partial E_{1}}{\partial z_{h1}} \cdot \frac{\partial z_{h1}}{\partial b_1} + "
                         r"\frac{\partial E_{1}}{\partial z_{h2}} \cdot \frac{\partial z_{h2}}{\partial b_1}")
    d1, d2 = trace.value("delta:l1:n1:s1"), trace.value("delta:l1:n2:s1")
    assert r.substituted == f"{number(d1, 5)} \\times 1 + {number(d2, 5)} \\times 1"
    assert r.value == pytest.approx(d1 + d2)
    assert "shared bias" in r.callout
    batch = render_step(trace, "dE_db:l1")
    assert "shared bias" in batch.callout and "mean" in batch.callout


def test_note002_printed_numbers_at_the_notes_precision():
    for preset in ("note000", "note001", "note002"):
        printed = [p for p in load_preset(preset).meta["printed"] if "slip" not in p]
        assert printed
        trace = trace_of(preset)
        for p in printed:
            r = render_step(trace, p["step"], RenderOptions(decimals=decimals_written(p["text"])))
            if preset == "note002":  # the note cuts off at 5 decimals as often as it rounds
                assert matches_written(r.value, p["text"]), (p, r.result)
            else:
                assert r.result == p["text"], (p, r.result)
            assert r.result in r.latex


# --- paths: a neuron feeding several neurons (note 004's Equation A) --------------------------------------

def test_sum_over_paths_for_a_hidden_neuron_feeding_two_neurons():
    r = steps("note004")["dE_da:l1:n1:s1"]
    assert r.formula == (r"\frac{\partial E}{\partial y_1} \cdot \frac{\partial y_1}{\partial h_1} + "
                         r"\frac{\partial E}{\partial y_2} \cdot \frac{\partial y_2}{\partial h_1}")
    assert r.substituted.count(" + ") == 1 and "(-0.4)" in r.substituted
    assert "2 paths" in r.caption and "old weights" in r.callout
    two = steps("note004_two_hidden")["dE_da:l1:n1:s1"]
    assert two.formula.count(" + ") == 1
    assert r"\frac{\partial h'_3}{\partial h_1}" in two.formula and r"\frac{\partial h'_4}{\partial h_1}" in two.formula


def test_linear_neurons_with_one_symbol_write_equation_a():
    net = parse_config({
        "layers": [{"activation": "identity", "weights": [[1, 2]]},
                   {"activation": "identity", "weights": [[0.5], [-0.5]]},
                   {"activation": "identity", "weights": [[1, 1]]}],
        "learning_rate": 0.1, "samples": [{"x": [1, 2], "target": [1]}],
        "notation": {"neurons": [["h_1"], ["h_3", "h_4"], ["y"]], "pre_activations": [["h_1"], ["h_3", "h_4"], ["y"]]},
    })
    r = {x.id: x for x in render_trace(compute_trace(net))}
    assert r["dE_da:l1:n1:s1"].formula == (
        r"\frac{\partial E}{\partial y} \cdot \frac{\partial y}{\partial h_3} \cdot \frac{\partial h_3}{\partial h_1} + "
        r"\frac{\partial E}{\partial y} \cdot \frac{\partial y}{\partial h_4} \cdot \frac{\partial h_4}{\partial h_1}")
    assert r["da_dz:l1:n1:s1"].symbol == "f'(h_1)"


def test_no_derivative_of_a_symbol_by_itself():
    same = re.compile(r"\\frac\{\\partial ([^{}]+)\}\{\\partial \1\}")
    for pid in preset_ids():
        for r in render_trace(trace_of(pid)):
            assert not same.search(r.latex), (pid, r.latex)


# --- numbers -------------------------------------------------------------------------------------------

def test_numbers_at_the_chosen_precision():
    assert number(0.86875) == "0.86875"
    assert number(0.86875, decimals=2) == "0.87"
    assert number(0.86875, significant=3) == "0.869"
    assert number(0.1 + 0.2) == "0.3"
    assert number(1.5e-7) == r"1.5 \times 10^{-7}"
    assert number(-2.5e12) == r"-2.5 \times 10^{12}"
    r = steps("note000", RenderOptions(decimals=2))["new_w:l2:n1:k1"]
    assert r.latex == r"w_5^{+} = w_5 - \eta \frac{\partial E}{\partial w_5} = 1 - 0.1 \times 1.31 = 0.87"
    assert steps("note000", RenderOptions(significant=3))["new_w:l2:n1:k1"].result == "0.869"
    assert format_value(0.1 + 0.2) == "0.3"
    assert format_value(1.5e-7) == "1.5 × 10⁻⁷"
    assert format_value(0.86875, RenderOptions(decimals=2)) == "0.87"


def _tiny_network(x: float, bias: float) -> object:
    return compute_trace(parse_config({"layers": [{"activation": "identity", "weights": [[1]], "bias": [bias]}],
                                       "learning_rate": 0.1, "samples": [{"x": [x], "target": [1]}]}))


def test_no_float_noise_and_tiny_numbers_as_powers_of_ten():
    noisy = render_trace(_tiny_network(0.1, 0.2))
    z = {r.id: r for r in noisy}["z:l1:n1:s1"]
    assert z.value == 0.3 and z.result == "0.3"  # 0.1 + 0.2: no 0.30000000000000004, in the engine nor on screen
    assert not any("30000000000000004" in r.latex for r in noisy)
    tiny = {r.id: r for r in render_trace(_tiny_network(1.5e-7, 0.0))}["z:l1:n1:s1"]
    assert tiny.result == r"1.5 \times 10^{-7}"
    assert "e-07" not in tiny.latex


def test_negative_numbers_are_parenthesised_after_an_operator_only():
    style = Style()
    assert tex(Diff(Num(0.3), Prod((Num(0.5), Num(-0.02895543)))), style) == r"0.3 - 0.5 \times (-0.02895543)"
    assert tex(Prod((Num(-0.21), Num(0.2419))), style) == r"-0.21 \times 0.2419"
    assert tex(Sum((Num(0.13849), Num(-0.04267))), style) == "0.13849 + (-0.04267)"
    assert tex(Neg(Diff(Num(0.8), Num(0.59))), style) == "-(0.8 - 0.59)"
    assert tex(Diff(Num(1), Num(-0.5)), Style(mul="cdot")) == "1 - (-0.5)"


def test_given_numbers_are_not_padded():
    r = steps("note002", RenderOptions(decimals=4))["z:l1:n1:s1"]
    assert r.substituted == r"0.15 \times 0.05 + 0.2 \times 0.1 + 0.35"
    assert r.result == "0.3775"


def test_options_are_validated_and_hashable():
    assert {RenderOptions(): 1}[RenderOptions(lang="en")] == 1
    for bad in ({"lang": "fr"}, {"mul": "dot"}, {"decimals": -1}, {"significant": 0}, {"decimals": 2, "significant": 3}):
        with pytest.raises(ConfigError):
            RenderOptions(**bad)


# --- captions and callouts --------------------------------------------------------------------------------

@pytest.mark.parametrize("preset", preset_ids())
def test_captions_in_both_languages_for_every_step(preset):
    trace = trace_of(preset)
    en, zh = render_trace(trace, RenderOptions(lang="en")), render_trace(trace, RenderOptions(lang="zh"))
    assert len(en) == len(zh) == len(trace.steps)
    for e, z in zip(en, zh):
        assert e.caption.strip() and z.caption.strip(), e.id
        assert CJK.search(z.caption) and not CJK.search(e.caption), (e.caption, z.caption)
        for text in (e.caption, z.caption, e.callout or "", z.callout or ""):
            assert "\\" not in text and "{" not in text, text  # plain text, no LaTeX
        assert (e.callout is None) == (z.callout is None), e.id
        if z.callout:
            assert CJK.search(z.callout)


def test_note000_captions_read_the_chain_aloud():
    r = render_step(trace_of("note000"), "dE_dw:l2:n1:k1", RenderOptions(lang="zh"))
    # the issue's example, with symbols read as the diagram labels them (w₅)
    assert r.caption == "根据链式法则，E 对 w₅ 的偏导 = E 对 y 的偏导 × y 对 w₅ 的偏导。"
    r = render_step(trace_of("note000"), "dE_dw:l2:n1:k1")
    assert r.caption == ("By the chain rule, the derivative of E with respect to w₅ is the derivative of E with "
                         "respect to y times the derivative of y with respect to w₅.")


def test_callouts_where_learners_slip():
    r = steps("note002")
    assert "σ′(z)" in r["da_dz:l1:n1:s1"].callout
    assert r["z:l1:n1:s1"].callout is None
    assert "old" in r["dE_da:l1:n1:s1"].callout  # a hidden dE/da: the old weight w5
    assert "w₅" in r["dz_da:l2:n1:k1"].callout


# --- caching, the API, robustness ------------------------------------------------------------------------

def test_render_trace_is_cached_per_trace_and_options():
    trace = trace_of("note002")
    first = render_trace(trace)
    again = render_trace(trace)
    assert first == again and all(a is b for a, b in zip(first, again))
    first.clear()  # the caller's list is its own
    assert len(render_trace(trace)) == len(trace.steps)
    assert render_step(trace, "delta:l2:n1:s1") is render_trace(trace)[trace.position("delta:l2:n1:s1")]
    zh = render_trace(trace, RenderOptions(lang="zh"))
    assert zh[0].caption != render_trace(trace)[0].caption
    fresh = render_step(trace_of("note002"), "delta:l2:n1:s1")  # a single step of an unrendered trace
    assert fresh == render_step(trace, "delta:l2:n1:s1")
    with pytest.raises(KeyError):
        render_step(trace, "no_such_step")


def test_the_cache_lets_a_trace_go():
    import gc

    from engine import render

    trace = trace_of("note001")
    render_trace(trace)
    matrix_view(trace)
    assert trace in render._CACHE
    before = len(render._CACHE)
    del trace
    gc.collect()
    assert len(render._CACHE) == before - 1


def test_bad_notation_is_refused_and_the_renderer_falls_back_to_the_standard_symbols():
    config = {"layers": [{"activation": "sigmoid", "weights": [[0.5]]}], "learning_rate": 0.1,
              "samples": [{"x": [1], "target": [0]}], "notation": {"weights": [[["w_{"]]]}}
    with pytest.raises(ConfigError, match="notation"):
        parse_config(config)
    # a network built past parse_config (as the engine's own code could) still renders with the standard symbols
    net = dataclasses.replace(parse_config({**config, "notation": {}}), notation={"weights": [[["w_{"]]]})
    rendered = render_trace(compute_trace(net))
    assert all(katex_structure(r.latex) == [] for r in rendered)
    assert any("w^{(1)}_{11}" in r.latex for r in rendered)


# --- the matrix view (note 004) --------------------------------------------------------------------------

def test_matrix_view_in_the_presets_convention():
    note004 = matrix_view(trace_of("note004"))
    assert note004[0][1].startswith(r"\mathbf{z}^{1} = \mathbf{x} W^{1} = \begin{bmatrix}1 & 0.5 & -1\end{bmatrix}")
    assert any(r"\frac{\partial E}{\partial W^{1}} = \mathbf{x}^{\top} \boldsymbol{\delta}^{1}" in b for _, b in note004)
    note002 = matrix_view(trace_of("note002"))
    # note 002's own names for its weight matrices (notation.matrices): W^H, W^O
    assert note002[0][1].startswith(r"Z^{(1)} = W^{H} X + B^{(1)} = \begin{bmatrix}0.15 & 0.2\\0.25 & 0.3\end{bmatrix}")
    titles = [t for t, _ in note002]
    assert any("gradient" in t for t in titles) and any("updated" in t for t in titles)
    zh = matrix_view(trace_of("note002"), RenderOptions(lang="zh"))
    assert all(CJK.search(t) for t, _ in zh)


def test_matrix_view_numbers_come_from_the_trace():
    trace = trace_of("note004")
    grads = trace.gradients[0]["weights"]  # rows: hidden neuron j, columns: input i; note 004 writes W^1_ij
    block = next(b for t, b in matrix_view(trace, RenderOptions(decimals=4)) if "Layer 1: gradient" in t)
    first_row = " & ".join(number(grads[j][0], 4) for j in range(3))
    assert block.endswith(r"= \begin{bmatrix}" + first_row + r"\\" + " & ".join(number(grads[j][1], 4) for j in range(3))
                          + r"\\" + " & ".join(number(grads[j][2], 4) for j in range(3)) + r"\end{bmatrix}")
