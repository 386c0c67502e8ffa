"""Note 004 step by step, as the note writes it (engine/scripts/note004.json).

The expected sequence below is written by hand from ../shared/notes/004_76e8ded12b6f403d.txt, line by line;
the numbers checked against the engine come from our own arithmetic on the preset's givens, never from the
engine's output. The note is general (no numbers): nothing is printed, three lines carry index typos.
"""

from __future__ import annotations

import math
import re

from notes_common import CJK, note_lines, note_trace, note_view

from engine import load_preset
from engine.noteview import EXPLAIN, load_script
from engine.trace import with_givens

NOTE = "note004"
NOTE_FILE = "004_76e8ded12b6f403d.txt"

# (view item, line of the note, what the note printed there, kind) in the note's order.
# Forward (lines 10-33), the update rule and the error (47-76), step 1: W2 and its update (80-94),
# step 2: W1 and its update (100-141), iterate (143), Equation A (153), then the same sum of paths on this
# network (the tutor's, no line of the note).
EXPECTED = [
    ("note:h_prime", 10, None, None),             # h' = (x W1)
    ("z:l1:n1:s1", 14, None, None),               # [h'1 h'2 h'3] = [x1 ... xn] . W
    ("z:l1:n2:s1", 14, None, None),
    ("z:l1:n3:s1", 14, None, None),
    ("note:h_vector", 16, None, None),            # h = Phi(x W1)  或  h = Phi(h')
    ("a:l1:n1:s1", 24, None, None),               # h1 = Phi(x1 W11 + x2 W21 + ... + xn Wn1)
    ("a:l1:n2:s1", 26, None, None),
    ("a:l1:n3:s1", 28, None, None),
    ("z:l2:n1:s1", 33, None, None),               # [y1 y2] = [h1 h2 h3] [w11 w12; w21 w22; w31 w32]
    ("z:l2:n2:s1", 33, None, None),
    ("note:update_rule", 47, None, None),         # W_new = W_previous + alpha (-dE/dW)
    ("note:delta_w", 56, None, None),             # W_new = W_previous + dW^k_ij
    ("note:dw_chain", 68, None, None),            # dW_ij = -alpha dE/dW_ij => alpha (d - y) dy/dW_ij
    ("sample_loss:s1", 70, None, None),           # E = (d - y)^2 / 2
    ("note:delta_def", 72, None, None),           # delta_ij = dy/dW_ij
    ("note:two_steps", 76, None, None),           # step 1: W2, step 2: W1
    ("note:y_sum", 80, None, None),               # y = sum h_i W_i
    ("dz_dw:l2:n1:k1:s1", 82, None, None),        # delta_i = dy/dW_i = h_i
    ("note:dw2", 90, None, None),                 # dW_i = alpha (d - y) h_i
    ("new_w:l2:n1:k1", 94, None, None),           # W2_new = W2_previous + alpha (d - y) h_i
    ("new_w:l2:n1:k2", 94, None, None),
    ("new_w:l2:n1:k3", 94, None, None),
    ("new_w:l2:n2:k1", 94, None, None),
    ("new_w:l2:n2:k2", 94, None, None),
    ("new_w:l2:n2:k3", 94, None, None),
    ("note:dy_dw1", 106, None, "typo"),           # delta_ij = sum_j (dy/dh_j dh_j/dW1_ij): j used twice
    ("dz_da:l2:n1:k1", 110, None, None),          # dy/dh_j = W2_j
    ("note:h_j", 114, None, "typo"),              # h_j = Phi(sum_{i=1}^{2} x_i W1_ij): the sum runs to n
    ("note:dh_dw_chain", 122, None, None),        # dh_j/dW1_ij = dPhi/d(sum) . d(sum)/dW1_ij
    ("da_dz:l1:n1:s1", 126, None, None),          # ... = Phi'_j
    ("dz_dw:l1:n1:k1:s1", 130, None, None),       # ... = x_i
    ("note:dh_dw", 132, None, None),              # dh_j/dW1_ij = Phi'_j x_i
    ("note:delta_w1", 136, None, "typo"),         # delta_ij = sum_j ... = W2_j Phi'_j x_i
    ("new_w:l1:n1:k1", 141, None, None),          # dW1_ij = alpha (d - y) W2_j Phi'_j x_i
    ("new_w:l1:n1:k2", 141, None, None),
    ("new_w:l1:n1:k3", 141, None, None),
    ("new_w:l1:n2:k1", 141, None, None),
    ("new_w:l1:n2:k2", 141, None, None),
    ("new_w:l1:n2:k3", 141, None, None),
    ("new_w:l1:n3:k1", 141, None, None),
    ("new_w:l1:n3:k2", 141, None, None),
    ("new_w:l1:n3:k3", 141, None, None),
    ("note:iterate", 143, None, None),            # start again from the feedforward pass
    ("note:eqA", 153, None, None),                # Equation A, as written
    ("note:eqA_h3", 153, None, None),             # its path through h3, with dh3/dh1
    ("note:eqA_h4", 153, None, None),             # its path through h4
    ("note:eqA_here", None, None, None),          # not the note's: the two paths through y1, y2 here
]

# The note's own symbols: each item's LaTeX starts with the note's left-hand side (or contains its form).
STARTS = {
    "note:h_prime": r"\bar{h}' = (\bar{x}W^1)",
    "z:l1:n1:s1": r"h'_1 = \begin{bmatrix} x_1 & x_2 & x_3 \end{bmatrix} \begin{bmatrix} W_{11} \\ W_{21} \\ W_{31}",
    "note:h_vector": r"\bar{h} = \Phi(\bar{x}W^1)",
    "a:l1:n1:s1": r"h_1 = \Phi(x_1 W_{11} + x_2 W_{21} + x_3 W_{31})",
    "a:l1:n3:s1": r"h_3 = \Phi(x_1 W_{13} + x_2 W_{23} + x_3 W_{33})",
    "z:l2:n1:s1": r"y_1 = \begin{bmatrix} h_1 & h_2 & h_3 \end{bmatrix} \begin{bmatrix} w_{11} \\ w_{21} \\ w_{31}",
    "note:update_rule": r"W_{new} = W_{previous} + \alpha \left(-\frac{\partial E}{\partial W}\right)",
    "note:delta_w": r"W_{new} = W_{previous} + \Delta W_{ij}^k",
    "note:dw_chain": r"\Delta W_{ij} = -\alpha \frac{\partial E}{\partial W_{ij}}",
    "sample_loss:s1": r"E = \frac{(d_1 - y_1)^2 + (d_2 - y_2)^2}{2}",
    "note:delta_def": r"\delta_{ij} = \frac{\partial y}{\partial W_{ij}}",
    "note:y_sum": r"y = \sum_i^3 (h_i W_i)",
    "dz_dw:l2:n1:k1:s1": r"\delta_i = \frac{\partial y}{\partial W_i} = \frac{\partial \sum_i^3 (h_i W_i)}{\partial W_i} = h_i",
    "note:dw2": r"\Delta W_{ij} = \alpha(d-y) \frac{\partial y}{\partial W_{ij}}",
    "new_w:l2:n1:k1": r"{W^{2}_{11}}_{\text{new}} = {W^{2}_{11}}_{\text{previous}} + \alpha(d_1 - y_1)h_1 = ",
    "new_w:l2:n2:k3": r"{W^{2}_{32}}_{\text{new}} = {W^{2}_{32}}_{\text{previous}} + \alpha(d_2 - y_2)h_3 = ",
    "note:dy_dw1": r"\delta_{ij} = \frac{\partial y}{\partial W_{ij}^1} = \sum",
    "dz_da:l2:n1:k1": r"\frac{\partial y}{\partial h_j} = \frac{\partial \sum_{i=1}^3 (h_i W_i^2)}{\partial h_j} = W_j^2",
    "note:h_j": r"h_j = \Phi \left(\sum_{i=1}^3 (x_i W_{ij}^1) \right)",
    "da_dz:l1:n1:s1": r"\frac{\partial \Phi(\sum_{i=1}^3 (x_i W_{ij}^1))}{\partial (\sum_{i=1}^3 (x_i W_{ij}^1))} = \Phi'_j",
    "dz_dw:l1:n1:k1:s1": r"\frac{\partial (\sum_{i=1}^3 (x_i W_{ij}^1))}{\partial W_{ij}^1} = x_i",
    "note:dh_dw": r"\frac{\partial h_j}{\partial W_{ij}^1} = \Phi'_j x_i",
    "note:delta_w1": r"\delta_{ij} = \frac{\partial y}{\partial W_{ij}^1}",
    "new_w:l1:n1:k1": r"\Delta W^1_{11} = \alpha[(d_1 - y_1)W^2_{11} + (d_2 - y_2)W^2_{12}]\Phi'_1 x_1 = ",
    "new_w:l1:n3:k2": r"\Delta W^1_{23} = \alpha[(d_1 - y_1)W^2_{31} + (d_2 - y_2)W^2_{32}]\Phi'_3 x_2 = ",
}

# --- our own arithmetic on the preset's givens, in the note's convention (W1[i][j]: input i to hidden j) ---
X = (1.0, 0.5, -1.0)
D = (1.0, 0.0)
ALPHA = 0.1
W1 = ((0.2, -0.1, 0.4), (0.5, 0.3, -0.2), (-0.3, 0.1, 0.2))
W2 = ((0.6, -0.4), (0.2, 0.5), (-0.3, 0.1))  # W2[i][k]: hidden i to output k


def _by_hand():
    h_in = [sum(X[i] * W1[i][j] for i in range(3)) for j in range(3)]
    h = [1 / (1 + math.exp(-v)) for v in h_in]
    y = [sum(h[i] * W2[i][k] for i in range(3)) for k in range(2)]
    err = [D[k] - y[k] for k in range(2)]
    phi_prime = [v * (1 - v) for v in h]
    dw2 = {(i, k): ALPHA * err[k] * h[i] for i in range(3) for k in range(2)}  # ΔW = α(d − y)h_i
    dw1 = {(i, j): ALPHA * sum(err[k] * W2[j][k] for k in range(2)) * phi_prime[j] * X[i]
           for i in range(3) for j in range(3)}  # ΔW¹ = α(d − y)W²_j Φ'_j x_i, one (d − y)W² per output
    loss = sum(e * e for e in err) / 2
    return h_in, h, y, dw2, dw1, loss


def _fmt(value: float, decimals: int) -> str:
    text = f"{value:.{decimals}f}"
    return f"({text})" if text.startswith("-") else text


def test_the_notes_order_lines_printed_and_kinds():
    got = [(v.id, v.note.line if v.note else None, v.note.printed if v.note else None,
            v.note.kind if v.note else None) for v in note_view(NOTE)]
    assert got == EXPECTED


def test_lines_are_the_notes_own_text():
    lines = note_lines(NOTE_FILE)
    for v in note_view(NOTE):
        if v.note is not None:
            assert v.note.text == lines[v.note.line - 1].strip(), v.id
    # nothing is added: every item of the note view is the script's
    assert not any(v.added for v in note_view(NOTE))


def test_the_note_prints_no_numbers_and_explains_its_typos():
    for v in note_view(NOTE):
        assert v.note is None or v.note.printed is None, v.id
        if v.note is not None and v.note.kind == "typo":
            assert v.note.reason and v.note.reason.get("en") and v.note.reason.get("zh"), v.id
            assert CJK.search(v.note.reason["zh"]), v.id


def test_the_notes_symbols():
    latex = {v.id: v.rendered.latex for v in note_view(NOTE)}
    for ident, start in STARTS.items():
        assert latex[ident].startswith(start), (ident, latex[ident][:120])
    # Equation A exactly as written in line 153
    line153 = note_lines(NOTE_FILE)[152].strip().strip("$")
    assert latex["note:eqA"] == line153
    assert r"\frac{\partial h_3}{\partial h_1}" in latex["note:eqA_h3"]
    assert r"\frac{\partial h_4}{\partial h_1}" in latex["note:eqA_h4"]
    # the note's δ is ∂y/∂W; the tutor's δ⁽ˡ⁾ and f′ never appear in the note view
    for ident, text in latex.items():
        assert r"\delta^{(" not in text and "f'(" not in text, ident
    # the equations with symbols only carry no number
    for ident in ("note:h_prime", "note:h_vector", "note:delta_w", "note:dw_chain", "note:delta_def", "note:y_sum",
                  "note:dw2", "note:dy_dw1", "note:h_j", "note:dh_dw_chain", "note:dh_dw", "note:delta_w1",
                  "note:eqA", "note:eqA_h3", "note:eqA_h4"):
        assert not re.search(r"\d\.\d", latex[ident]), ident


def test_w2_is_updated_before_w1():
    ids = [v.id for v in note_view(NOTE)]
    last_w2 = max(i for i, ident in enumerate(ids) if ident.startswith("new_w:l2:"))
    first_w1 = min(i for i, ident in enumerate(ids) if ident.startswith(("new_w:l1:", "note:dy_dw1", "dz_da:")))
    assert last_w2 < first_w1


def test_the_notes_rule_gives_the_tutors_update():
    """ΔW = α(d − y)h_i and ΔW¹ = α(d − y)W²_j Φ'_j x_i, by hand, are the changes new − old shown in the view."""
    h_in, h, y, dw2, dw1, loss = _by_hand()
    views = {v.id: v for v in note_view(NOTE, decimals=6)}
    for (i, k), change in dw2.items():
        v = views[f"new_w:l2:n{k + 1}:k{i + 1}"]
        assert math.isclose(v.rendered.value, W2[i][k] + change, rel_tol=1e-12, abs_tol=1e-12)
        assert f"+ {_fmt(change, 6)} = {_fmt(W2[i][k] + change, 6).strip('()')}" in v.rendered.latex, v.id
    for (i, j), change in dw1.items():
        v = views[f"new_w:l1:n{j + 1}:k{i + 1}"]
        assert math.isclose(v.rendered.value, W1[i][j] + change, rel_tol=1e-12, abs_tol=1e-12)
        assert f"= {_fmt(change, 6).strip('()')}, \\quad" in v.rendered.latex, v.id
    assert views["sample_loss:s1"].rendered.latex.endswith(f"= {loss:.6f}")
    for j in range(3):
        assert views[f"z:l1:n{j + 1}:s1"].rendered.latex.endswith(f"= {h_in[j]:.6f}")
        assert views[f"a:l1:n{j + 1}:s1"].rendered.latex.endswith(f"= {h[j]:.6f}")
    for k in range(2):
        assert views[f"z:l2:n{k + 1}:s1"].rendered.latex.endswith(f"= {y[k]:.6f}")
    # the two paths here add up to the tutor's ∂E/∂W¹₁₁ = −ΔW¹₁₁ / α
    assert math.isclose(views["note:eqA_here"].rendered.value, -dw1[(0, 0)] / ALPHA, rel_tol=1e-12)


def test_both_languages():
    en = {v.id: v for v in note_view(NOTE, lang="en")}
    zh = {v.id: v for v in note_view(NOTE, lang="zh")}
    assert list(en) == list(zh)
    for ident, v in zh.items():
        assert v.rendered.caption and CJK.search(v.rendered.caption), ident
        assert not CJK.search(en[ident].rendered.caption), ident
        if v.step is None:
            assert v.rendered.quantity == EXPLAIN
            assert v.rendered.caption != en[ident].rendered.caption
    # the one remark kept: the previous W² (the note has already updated W² when it needs W²_j)
    assert "W²_previous" in zh["dz_da:l2:n1:k1"].rendered.callout
    assert "previous weight" in en["dz_da:l2:n1:k1"].rendered.callout
    assert en["da_dz:l1:n1:s1"].rendered.callout is None


def test_full_view_has_every_step_once():
    trace = note_trace(NOTE)
    full = note_view(NOTE, "full")
    steps = [v.step for v in full if v.step is not None]
    assert sorted(steps) == sorted(st.id for st in trace.steps)
    assert len(steps) == len(set(steps)) == len(trace.steps)
    script = load_script(NOTE)
    written = {e["step"] for e in script["items"] if "step" in e}
    explanations = [e["id"] for e in script["items"] if "step" not in e]
    assert [v.id for v in full if v.step is None] == explanations
    for v in full:
        assert v.added == (v.step is not None and v.step not in written), v.id
    # the note's items keep their order inside the full view
    note_ids = [v.id for v in note_view(NOTE)]
    assert [v.id for v in full if not v.added] == note_ids


def test_edited_network_keeps_the_order_but_not_the_notes_lines():
    edited = with_givens(load_preset(NOTE), {"w:l1:n1:k1": 0.25})
    view = note_view(NOTE, network=edited)
    assert [v.id for v in view] == [ident for ident, *_ in EXPECTED]
    assert all(v.note is None for v in view)
    # the values follow the edited weight: W¹₁₁ = 0.25 is the previous weight of its update
    w11 = next(v for v in view if v.id == "new_w:l1:n1:k1")
    assert "{W^1_{11}}_{\\text{new}} = 0.25 + " in w11.rendered.latex
