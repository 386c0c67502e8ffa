"""Note 004's Equation A, step by step on its own network (engine/scripts/note004_two_hidden.json).

The note ends with Equation A (line 153): a single output y, two hidden layers h1, h2 -> h3, h4, and
dy/dW1 = dy/dh3 dh3/dh1 dh1/dW1 + dy/dh4 dh4/dh1 dh1/dW1. The preset note004_two_hidden is that network.
The expected sequence below is written by hand from ../shared/notes/004_76e8ded12b6f403d.txt; the numbers are
checked against our own arithmetic (math.tanh on the preset's givens, typed in here) and against finite
differences of y and E, never against the engine's own values alone.
"""

from __future__ import annotations

import math
import re

import pytest
from notes_common import CJK, note_lines, note_trace, note_view

from engine import load_preset
from engine.noteview import EXPLAIN, default_view, load_script
from engine.trace import compute_trace, with_givens

PRESET = "note004_two_hidden"
NOTE_FILE = "004_76e8ded12b6f403d.txt"

# (view item, line of the note) in the script's order: the forward pass in the note's form (lines 10-33), the
# error (70), the note's closing example (147) and Equation A (153): as written, each path, the sum; then,
# beside it, the tutor's derivative of E (line 68 is where the note turns dE/dW into (d - y) dy/dW).
# The note prints no number anywhere, so no item has a printed value or a kind.
EXPECTED = [
    ("note:h_prime", 10),       # h' = (x W1), with x and W1 = [W1 W3; W2 W4]
    ("z:l1:n1:s1", 14),         # [h'1 h'2 ...] = [x1 ... xn] . W
    ("z:l1:n2:s1", 14),
    ("note:h_vector", 16),      # h = Phi(x W1)
    ("a:l1:n1:s1", 24),         # h1 = Phi(x1 W11 + x2 W21 + ...): here Phi(x1 W1 + x2 W2)
    ("a:l1:n2:s1", 26),         # h2 = Phi(x1 W12 + x2 W22 + ...): here Phi(x1 W3 + x2 W4)
    ("note:next_layer", 31),    # every new layer is a vector times a matrix: [h3 h4] = Phi([h1 h2] W2)
    ("a:l2:n1:s1", 31),         # h3 = Phi(h1 W5 + h2 W6)
    ("a:l2:n2:s1", 31),         # h4 = Phi(h1 W7 + h2 W8)
    ("z:l3:n1:s1", 33),         # [y] = [h3 h4] [W9; W10]
    ("sample_loss:s1", 70),     # E = (d - y)^2 / 2
    ("note:eqA_goal", 147),     # y对w1权重的导数为
    ("note:eqA", 153),          # Equation A, as written
    ("note:eqA_h3", 153),       # the path through h3, dh3/dh1 = Phi'3 W5
    ("note:eqA_h4", 153),       # the path through h4, dh4/dh1 = Phi'4 W7
    ("note:eqA_sum", 153),      # the sum of the two paths
    ("dE_dw:l1:n1:k1", 68),     # the tutor's dE/dW1 = dE/dy . dy/dW1, and dW1 = alpha (d - y) dy/dW1
]

STARTS = {
    "note:h_prime": r"\bar{h}' = (\bar{x}W^1)",
    "z:l1:n1:s1": r"h'_1 = \begin{bmatrix} x_1 & x_2 \end{bmatrix} \begin{bmatrix} W_1 \\ W_2 \end{bmatrix}",
    "z:l1:n2:s1": r"h'_2 = \begin{bmatrix} x_1 & x_2 \end{bmatrix} \begin{bmatrix} W_3 \\ W_4 \end{bmatrix}",
    "note:h_vector": r"\bar{h} = \Phi(\bar{x}W^1)",
    "a:l1:n1:s1": r"h_1 = \Phi(x_1 W_1 + x_2 W_2)",
    "a:l1:n2:s1": r"h_2 = \Phi(x_1 W_3 + x_2 W_4)",
    "note:next_layer": r"\begin{bmatrix} h_3 & h_4 \end{bmatrix} = \Phi\left(\begin{bmatrix} h_1 & h_2 \end{bmatrix} W^2\right)",
    "a:l2:n1:s1": r"h_3 = \Phi(h_1 W_5 + h_2 W_6)",
    "a:l2:n2:s1": r"h_4 = \Phi(h_1 W_7 + h_2 W_8)",
    "z:l3:n1:s1": r"y = \begin{bmatrix} h_3 & h_4 \end{bmatrix} \begin{bmatrix} W_9 \\ W_{10} \end{bmatrix}",
    "sample_loss:s1": r"E = \frac{(d-y)^2}{2}",
    "note:eqA_goal": r"\frac{\partial y}{\partial W_1}",
    "note:eqA_h3": r"\begin{array}{l} \frac{\partial y}{\partial h_3} \frac{\partial h_3}{\partial h_1} \frac{\partial h_1}{\partial W_1} = W_9 \cdot \Phi'_3 W_5 \cdot \Phi'_1 x_1",
    "note:eqA_h4": r"\begin{array}{l} \frac{\partial y}{\partial h_4} \frac{\partial h_4}{\partial h_1} \frac{\partial h_1}{\partial W_1} = W_{10} \cdot \Phi'_4 W_7 \cdot \Phi'_1 x_1",
    "dE_dw:l1:n1:k1": r"\frac{\partial E}{\partial W_1} = \frac{\partial E}{\partial y} \cdot \frac{\partial y}{\partial W_1} = -(d - y) \frac{\partial y}{\partial W_1}",
}

# --- the preset's givens, typed in by hand (Equation A's names: W1 joins x1 to h1, W5 h1 to h3, W7 h1 to h4) ---
X1, X2, D, ALPHA = 1.0, -0.5, 0.5, 0.1
W = {1: 0.4, 2: 0.3, 3: -0.2, 4: 0.6, 5: 0.5, 6: -0.4, 7: 0.3, 8: 0.8, 9: 0.7, 10: -0.6}


def _by_hand():
    """The two paths of Equation A, from the formulas of the note (tanh: Phi' = 1 - h^2)."""
    h1 = math.tanh(X1 * W[1] + X2 * W[2])
    h2 = math.tanh(X1 * W[3] + X2 * W[4])
    h3 = math.tanh(h1 * W[5] + h2 * W[6])
    h4 = math.tanh(h1 * W[7] + h2 * W[8])
    y = h3 * W[9] + h4 * W[10]
    dh1_dw1 = (1 - h1 ** 2) * X1
    path3 = W[9] * (1 - h3 ** 2) * W[5] * dh1_dw1
    path4 = W[10] * (1 - h4 ** 2) * W[7] * dh1_dw1
    return {"h1": h1, "h2": h2, "h3": h3, "h4": h4, "y": y, "path3": path3, "path4": path4,
            "dh3_dh1": (1 - h3 ** 2) * W[5], "dh4_dh1": (1 - h4 ** 2) * W[7], "dh1_dw1": dh1_dw1}


def _finite_difference(quantity: str, network=None, step: float = 1e-5) -> float:
    """d(quantity)/dW1 by central differences, W1 = w:l1:n1:k1."""
    network = network or load_preset(PRESET)
    w1 = network.parameters()[0]["weights"][0][0]
    up = compute_trace(with_givens(network, {"w:l1:n1:k1": w1 + step})).value(quantity)
    down = compute_trace(with_givens(network, {"w:l1:n1:k1": w1 - step})).value(quantity)
    return (up - down) / (2 * step)


def _number(text: str) -> float:
    return float(text.strip("()"))


def _path_value(latex: str) -> float:
    """The last number of a path's LaTeX: its product."""
    m = re.search(r"= (\(?-?[\d.]+\)?) \\end\{array\}$", latex)
    assert m, latex[-160:]
    return _number(m.group(1))


def _sum_terms(latex: str) -> tuple[float, float, float]:
    m = re.search(r"= (\(?-?[\d.]+\)?) \+ (\(?-?[\d.]+\)?) = \\boxed\{(-?[\d.]+)\}$", latex)
    assert m, latex[-160:]
    return _number(m.group(1)), _number(m.group(2)), _number(m.group(3))


def test_it_opens_as_in_the_note():  # its script is checked with every note's (tests/test_noteview.py)
    assert default_view(load_preset(PRESET)) == "note"


def test_sequence_and_lines():
    view = note_view(PRESET)
    assert [(v.id, v.note.line if v.note else None) for v in view] == EXPECTED
    # the note prints no number: nothing printed, nothing to call a match, a slip or a typo
    assert all(v.note.printed is None and v.note.kind is None for v in view)
    assert not any(v.added for v in view)


def test_lines_are_the_notes_own_text():
    lines = note_lines(NOTE_FILE)
    for v in note_view(PRESET):
        assert v.note.text == lines[v.note.line - 1].strip(), v.id


def test_equation_a_as_written_and_the_notes_symbols():
    latex = {v.id: v.rendered.latex for v in note_view(PRESET)}
    line153 = note_lines(NOTE_FILE)[152].strip().strip("$")
    assert latex["note:eqA"] == line153  # exactly as written, in symbols
    assert latex["note:eqA_sum"].startswith(line153 + " = ")  # the same equation, then its numbers
    for ident, start in STARTS.items():
        assert latex[ident].startswith(start), (ident, latex[ident][:160])
    # the middle factor of each path is shown through the activation of h3, h4
    assert r"\frac{\partial h_3}{\partial h_1} = \frac{\partial h_3}{\partial h'_3} \frac{\partial h'_3}{\partial h_1} = \Phi'_3 W_5" in latex["note:eqA_h3"]
    assert r"\frac{\partial h_4}{\partial h_1} = \frac{\partial h_4}{\partial h'_4} \frac{\partial h'_4}{\partial h_1} = \Phi'_4 W_7" in latex["note:eqA_h4"]
    for ident in ("note:eqA_h3", "note:eqA_h4"):
        assert r"\frac{\partial h_1}{\partial W_1} = \frac{\partial h_1}{\partial h'_1} \frac{\partial h'_1}{\partial W_1} = \Phi'_1 x_1" in latex[ident]
    # symbols only where the note has no number; the tutor's δ⁽ˡ⁾ and f′ never appear
    for ident in ("note:h_vector", "note:eqA"):
        assert not re.search(r"\d\.\d", latex[ident]), ident
    for ident, text in latex.items():
        assert r"\delta^{(" not in text and "f'(" not in text, ident


def test_the_two_paths_by_hand_and_by_finite_differences():
    """Each path parsed back from the LaTeX (exact precision) is our own product; their sum is dy/dW1."""
    hand = _by_hand()
    views = {v.id: v for v in note_view(PRESET)}
    path3 = _path_value(views["note:eqA_h3"].rendered.latex)
    path4 = _path_value(views["note:eqA_h4"].rendered.latex)
    assert path3 == pytest.approx(hand["path3"], rel=1e-9)
    assert path4 == pytest.approx(hand["path4"], rel=1e-9)
    # the middle factors dh3/dh1 = Phi'3 W5, dh4/dh1 = Phi'4 W7 and the shared dh1/dW1 = Phi'1 x1, as shown
    assert f"= {hand['dh3_dh1']:.10f} \\\\" in views["note:eqA_h3"].rendered.latex
    assert f"= {hand['dh4_dh1']:.10f} \\\\" in views["note:eqA_h4"].rendered.latex
    assert f"= {hand['dh1_dw1']:.10f} \\\\" in views["note:eqA_h3"].rendered.latex

    dy_dw1 = _finite_difference("a:l3:n1:s1")
    assert path3 + path4 == pytest.approx(dy_dw1, rel=1e-7)
    # the sum shows the same two products and their total
    first, second, total = _sum_terms(views["note:eqA_sum"].rendered.latex)
    assert (first, second) == (path3, path4)
    assert total == pytest.approx(dy_dw1, rel=1e-7)
    assert views["note:eqA_sum"].rendered.latex.endswith(rf"\boxed{{{views['note:eqA_sum'].rendered.result}}}")
    # the classic mistake, one path only, is far from the derivative: both paths really count
    assert abs(path3 - dy_dw1) > 0.1 and abs(path4 - dy_dw1) > 0.1
    assert hand["y"] == pytest.approx(note_trace(PRESET).value("a:l3:n1:s1"), rel=1e-12)


def test_the_tutors_derivative_of_e():
    """dE/dW1 = -(d - y) dy/dW1, by hand and by finite differences of E; the update is alpha (d - y) dy/dW1."""
    hand = _by_hand()
    dy_dw1 = hand["path3"] + hand["path4"]
    v = next(v for v in note_view(PRESET) if v.id == "dE_dw:l1:n1:k1")
    de_dw1 = -(D - hand["y"]) * dy_dw1
    assert v.rendered.value == pytest.approx(de_dw1, rel=1e-12)
    assert v.rendered.value == pytest.approx(_finite_difference("sample_loss:s1"), rel=1e-7)
    assert float(v.rendered.latex.rsplit("= ", 1)[1]) == pytest.approx(de_dw1, rel=1e-9)  # the line ends with it
    # (the update ΔW1 = alpha (d - y) dy/dW1 is the new W1 minus the old one)
    trace = note_trace(PRESET)
    assert trace.value("new_w:l1:n1:k1") - trace.value("w:l1:n1:k1") == pytest.approx(ALPHA * (D - hand["y"]) * dy_dw1)


def test_highlights_light_each_path():
    trace = note_trace(PRESET)
    script = load_script(PRESET)
    entries = {e.get("id") or e["step"]: e for e in script["items"]}
    for e in script["items"]:
        for ident in e.get("highlight", ()):
            assert ident in trace, (e.get("id"), ident)
    shared = {"w:l1:n1:k1", "a:l1:n1:s1", "da_dz:l1:n1:s1", "dz_dw:l1:n1:k1:s1"}
    through_h3 = {"w:l2:n1:k1", "dz_da:l2:n1:k1", "a:l2:n1:s1", "da_dz:l2:n1:s1", "w:l3:n1:k1", "dz_da:l3:n1:k1"}
    through_h4 = {"w:l2:n2:k1", "dz_da:l2:n2:k1", "a:l2:n2:s1", "da_dz:l2:n2:s1", "w:l3:n1:k2", "dz_da:l3:n1:k2"}
    h3 = set(entries["note:eqA_h3"]["highlight"])
    h4 = set(entries["note:eqA_h4"]["highlight"])
    assert shared | through_h3 <= h3 and not h3 & through_h4
    assert shared | through_h4 <= h4 and not h4 & through_h3
    for ident in ("note:eqA", "note:eqA_sum"):
        assert shared | through_h3 | through_h4 <= set(entries[ident]["highlight"])
    # dy/dW1 is not the error's: the explanations of Equation A do not light E
    for ident in ("note:eqA_goal", "note:eqA", "note:eqA_h3", "note:eqA_h4", "note:eqA_sum"):
        assert not any(i.startswith(("dE_", "loss", "sample_loss", "t:")) for i in entries[ident]["highlight"])


def test_both_languages():
    en = {v.id: v for v in note_view(PRESET, lang="en")}
    zh = {v.id: v for v in note_view(PRESET, lang="zh")}
    assert list(en) == list(zh) == [ident for ident, _ in EXPECTED]
    for ident, v in zh.items():
        assert v.rendered.caption and CJK.search(v.rendered.caption), ident
        assert en[ident].rendered.caption and not CJK.search(en[ident].rendered.caption), ident
        assert v.rendered.latex == en[ident].rendered.latex, ident
        assert "slope" not in en[ident].rendered.caption.lower() and "斜率" not in v.rendered.caption, ident
        if v.step is None:
            assert v.rendered.quantity == EXPLAIN
    for ident in ("note:eqA_goal", "note:eqA", "note:eqA_h3", "note:eqA_sum", "dE_dw:l1:n1:k1"):
        assert "偏导" in zh[ident].rendered.caption, ident
    # the captions say what is differentiated, where the paths meet, and the classic mistake
    assert "not the error E" in en["note:eqA_goal"].rendered.caption
    assert "They meet at h₁" in en["note:eqA_sum"].rendered.caption
    assert "classic mistake" in en["note:eqA_sum"].rendered.caption
    assert "在 h₁ 汇合" in zh["note:eqA_sum"].rendered.caption
    assert "The note differentiates y; the tutor differentiates the error E" in en["dE_dw:l1:n1:k1"].rendered.caption


def test_full_view_has_every_step_once():
    trace = note_trace(PRESET)
    full = note_view(PRESET, "full")
    steps = [v.step for v in full if v.step is not None]
    assert sorted(steps) == sorted(st.id for st in trace.steps)
    assert [v.id for v in full if not v.added] == [ident for ident, _ in EXPECTED]


def test_edited_network_keeps_the_order_and_the_paths_still_add_up():
    network = with_givens(load_preset(PRESET), {"w:l2:n2:k1": -0.7, "w:l3:n1:k2": 0.9})
    view = {v.id: v for v in note_view(PRESET, network=network)}
    assert list(view) == [ident for ident, _ in EXPECTED]
    assert all(v.note is None for v in view.values())  # not the note's own numbers any more
    path3 = _path_value(view["note:eqA_h3"].rendered.latex)
    path4 = _path_value(view["note:eqA_h4"].rendered.latex)
    assert path3 + path4 == pytest.approx(_finite_difference("a:l3:n1:s1", network), rel=1e-7)
