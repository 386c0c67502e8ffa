"""Note 001 stepped through as the note writes it: its lines, its order, its symbols and its printed numbers.

The expected sequence below is written by hand from ../shared/notes/001_e74206ca9431b547.txt (line numbers as
`cat -n` shows them), never copied from the engine's output.
"""

from __future__ import annotations

from notes_common import CJK, at_printed, note_lines, note_trace, note_view

from engine import load_preset
from engine.noteview import load_script
from engine.trace import with_givens

NOTE = "note001"
NOTE_FILE = "001_e74206ca9431b547.txt"

# (view item id, line in the note, number the note prints there, kind): the note's own order.
EXPECTED = [
    ("note:matrices", 15, None, "typo"),  # W with w_{31} & w_{31} & w_{33}; B = [b1, b2, b3]
    ("note:gradient_descent", 19, None, None),  # W^{(k+1)} = W^{(k)} - eta dLoss/dW (and B)
    ("note:init", 47, None, None),  # Step1: w_h=0.2, b_h=0.1, w_o=0.3, b_o=0.2
    ("a:l1:n1:s1", 53, "0.57", "match"),  # Step2: y_h = 1/(1+e^{-(0.2x1+0.1)}) = 0.57
    ("a:l2:n1:s1", 55, "0.59", "match"),  # y_o = 1/(1+e^{-(0.3x0.57+0.2)}) = 0.59
    ("sample_loss:s1", 59, "0.02205", "match"),  # Step3: Loss = 1/2 (y - y_o)^2
    ("note:rule_wo", 63, None, None),  # Step4: w_o^{(k+1)} = ...
    ("note:rule_bo", 65, None, None),  # b_o^{(k+1)} = ...
    ("dE_dw:l2:n1:k1", 73, "-0.02895543", "match"),  # the whole product first
    ("note:eta", 75, "0.5", "match"),  # eta = 0.5
    ("new_w:l2:n1:k1", 77, "0.314477715", "match"),  # w_o updated before its factors are shown
    ("dE_da:l2:n1:s1", 79, "-0.21", "match"),  # then each factor
    ("da_dz:l2:n1:s1", 81, "0.2419", "match"),
    ("dz_dw:l2:n1:k1:s1", 83, "0.57", "match"),
    ("dE_db:l2:n1", 97, "-0.050799", "match"),  # -0.21 x 0.2419, the factor 1 left out
    ("new_b:l2:n1", 99, "0.2253995", "match"),
    ("dz_db:l2:n1", 102, "1", "match"),  # the factor 1 explained after the update
    ("note:rule_wh", 124, None, "typo"),  # under the drifted heading 'Step3: 计算误差'
    ("note:rule_bh", 126, None, None),
    ("dE_dw:l1:n1:k1", 140, "-0.00373525", "match"),  # the five-factor product first
    ("dz_da:l2:n1:k1", 152, "0.3", "match"),
    ("da_dz:l1:n1:s1", 156, "0.2451", "match"),
    ("dz_dw:l1:n1:k1:s1", 160, "1", "match"),
    ("dE_db:l1:n1", 168, "-0.00373525", "match"),  # both hidden gradients ...
    ("dz_db:l1:n1", 188, "1", "match"),
    ("new_w:l1:n1:k1", 202, "0.201867625", "match"),  # ... before both updates
    ("new_b:l1:n1", 205, "0.101867625", "match"),
    ("note:summary", 228, None, None),  # the four new parameters
    ("note:share_output", 242, None, None),  # LossE = 0.4 LossG, LossF = 0.6 LossG (own numbers only)
    ("note:share_ce", 245, None, None),
    ("note:share_de", 247, None, None),
    ("note:share_cf", 249, None, None),
    ("note:share_df", 251, None, None),
    ("note:sum_c", 263, None, None),
    ("note:sum_d", 266, None, None),
    ("note:share_e", 278, None, None),
    ("note:share_f", 280, None, None),
]
OWN_ONLY = {"note:share_output"}  # quotes the note's example numbers 0.4 and 0.6, not this network's

# How each item's LaTeX starts (the note's symbols: y_h, y_o, z_o, w_o, b_o, Loss, eta, ^{(1)}/^{(0)}).
D = r"\frac{\partial Loss}{\partial y_o} \cdot \frac{\partial y_o}{\partial z_o}"
STARTS = {
    "note:matrices": r"W = \begin{bmatrix} w_{11} & w_{12} & w_{13}",
    "note:gradient_descent": r"\begin{array}{l} W^{(k+1)} = W^{(k)} - \eta",
    "note:init": "w_h = 0.2, \\quad b_h = 0.1, \\quad w_o = 0.3, \\quad b_o = 0.2",
    "a:l1:n1:s1": r"y_h = \frac{1}{1 + e^{-",
    "a:l2:n1:s1": r"y_o = \frac{1}{1 + e^{-",
    "sample_loss:s1": r"Loss = \frac{1}{2} (y - y_o)^{2}",
    "note:rule_wo": r"w_o^{(k+1)} = w_o^{(k)} - \eta \frac{\partial Loss}{\partial w_o}",
    "note:rule_bo": r"b_o^{(k+1)} = b_o^{(k)} - \eta \frac{\partial Loss}{\partial b_o}",
    "dE_dw:l2:n1:k1": r"\frac{\partial Loss}{\partial w_o} = " + D + r" \cdot \frac{\partial z_o}{\partial w_o} = -0.21 \times 0.2419 \times 0.57 = ",
    "note:eta": r"\eta = 0.5",
    "new_w:l2:n1:k1": r"w_o^{(1)} = w_o^{(0)} - \eta \frac{\partial Loss}{\partial w_o} = 0.3 - 0.5 \times (-0.02895543)",
    "dE_da:l2:n1:s1": r"Loss = \frac{1}{2}(y - y_o)^2 \quad \frac{\partial Loss}{\partial y_o} = 2 \times \frac{1}{2} \times -(y - y_o) = -(0.8 - 0.59) = -0.21",
    "da_dz:l2:n1:s1": r"y_o = \frac{1}{1 + e^{-z_o}} \quad \frac{\partial y_o}{\partial z_o} = \frac{e^{-z_o}}{(1 + e^{-z_o})^2} = y_o(1 - y_o) = 0.59 \times (1 - 0.59)",
    "dz_dw:l2:n1:k1:s1": r"z_o = w_o y_h + b_o \quad \frac{\partial z_o}{\partial w_o} = y_h = 0.57",
    "dE_db:l2:n1": r"\frac{\partial Loss}{\partial b_o} = " + D + r" \cdot \frac{\partial z_o}{\partial b_o} = -0.21 \times 0.2419 = -0.050799",
    "new_b:l2:n1": r"b_o^{(1)} = b_o^{(0)} - \eta \frac{\partial Loss}{\partial b_o}",
    "dz_db:l2:n1": r"z_o = w_o y_h + b_o \quad \frac{\partial z_o}{\partial b_o} = 1",
    "note:rule_wh": r"w_h^{(k+1)} = w_h^{(k)} - \eta \frac{\partial Loss}{\partial w_h}",
    "note:rule_bh": r"b_h^{(k+1)} = b_h^{(k)} - \eta \frac{\partial Loss}{\partial b_h}",
    "dE_dw:l1:n1:k1": r"\frac{\partial Loss}{\partial w_h} = " + D + r" \cdot \frac{\partial z_o}{\partial y_h} \cdot \frac{\partial y_h}{\partial z_h} \cdot \frac{\partial z_h}{\partial w_h} = -0.21 \times 0.2419 \times 0.3 \times 0.2451 \times 1 = ",
    "dz_da:l2:n1:k1": r"\frac{\partial z_o}{\partial y_h} = w_o = 0.3",
    "da_dz:l1:n1:s1": r"\frac{\partial y_h}{\partial z_h} = y_h (1 - y_h) = 0.57 \times (1 - 0.57) = 0.2451",
    "dz_dw:l1:n1:k1:s1": r"\frac{\partial z_h}{\partial w_h} = x = 1",
    "dE_db:l1:n1": r"\frac{\partial Loss}{\partial b_h} = " + D + r" \cdot \frac{\partial z_o}{\partial y_h} \cdot \frac{\partial y_h}{\partial z_h} \cdot \frac{\partial z_h}{\partial b_h} = -0.21 \times 0.2419 \times 0.3 \times 0.2451 \times 1 = ",
    "dz_db:l1:n1": r"\frac{\partial z_h}{\partial b_h} = 1",
    "new_w:l1:n1:k1": r"w_h^{(1)} = w_h^{(0)} - \eta \frac{\partial Loss}{\partial w_h} = 0.2 - 0.5 \times ",
    "new_b:l1:n1": r"b_h^{(1)} = b_h^{(0)} - \eta \frac{\partial Loss}{\partial b_h} = 0.1 - 0.5 \times ",
    "note:summary": r"\begin{array}{l} w_h^{(1)} = w_h^{(0)}",
    "note:share_output": r"\begin{array}{l} LossE = 0.4 LossG \\ LossF = 0.6 LossG \end{array}",
    "note:share_ce": r"LossC_E = \frac{w_{ce}}{w_{ce} + w_{de}} LossE",
    "note:share_de": r"LossD_E = \frac{w_{de}}{w_{ce} + w_{de}} LossE",
    "note:share_cf": r"LossC_F = \frac{w_{cf}}{w_{cf} + w_{df}} LossF",
    "note:share_df": r"LossD_F = \frac{w_{df}}{w_{cf} + w_{df}} LossF",
    "note:sum_c": r"LossC = LossC_E + LossC_F = ",
    "note:sum_d": r"LossD = LossD_E + LossD_F = ",
    "note:share_e": r"LossE = \frac{w_{eg}}{w_{eg} + w_{fg}} LossG + \frac{w_{eh}}{w_{eh} + w_{fh}} LossH",
    "note:share_f": r"LossF = \frac{w_{fg}}{w_{eg} + w_{fg}} LossG + \frac{w_{fh}}{w_{eh} + w_{fh}} LossH",
}


def test_note_view_follows_the_note():
    view = note_view(NOTE)
    got = [(v.id, v.note.line, v.note.printed, v.note.kind) for v in view]
    assert got == EXPECTED
    assert not any(v.added for v in view)
    assert [v.note.line for v in view] == sorted(v.note.line for v in view)  # the note's order


def test_each_entry_quotes_its_line():
    lines = note_lines(NOTE_FILE)
    for v in note_view(NOTE):
        assert v.note.text == lines[v.note.line - 1].strip(), v.id
        if v.note.printed is not None and v.step is not None:
            assert v.note.printed in v.note.text, v.id


def test_the_note_symbols_in_each_latex():
    view = note_view(NOTE)
    for v in view:
        assert v.rendered.latex.startswith(STARTS[v.id]), (v.id, v.rendered.latex)
    for v in view:  # the note writes no delta, no dLoss/dy_h, and never the tutor's a for an output
        assert r"\delta" not in v.rendered.latex
        assert r"\frac{\partial Loss}{\partial y_h}" not in v.rendered.latex
        assert "a_" not in v.rendered.latex


def test_printed_numbers_agree_with_the_tutor():
    trace = note_trace(NOTE)
    for v in note_view(NOTE):
        if v.note.printed is None:
            continue
        value = trace.value(v.step) if v.step else trace.value("eta")
        if v.note.kind == "match":
            assert at_printed(value, v.note.printed) == v.note.printed, (v.id, value, v.note.printed)
        elif v.note.kind == "truncated":
            assert at_printed(value, v.note.printed, "cut") == v.note.printed, (v.id, value, v.note.printed)
        else:
            assert at_printed(value, v.note.printed) != v.note.printed
    # and by hand: 0.21 x 0.2419 = 0.050799; x 0.57 = 0.02895543; x 0.3 x 0.2451 = 0.0037352504...
    assert at_printed(trace.value("dE_dw:l2:n1:k1"), "-0.02895543") == "-0.02895543"
    assert at_printed(trace.value("dE_dw:l1:n1:k1"), "-0.00373525") == "-0.00373525"


def test_slips_and_typos_have_reasons():
    view = note_view(NOTE)
    for lang in ("en", "zh"):
        for v in view:
            if v.note.kind in ("slip", "typo"):
                assert v.note.reason and v.note.reason[lang].strip(), (v.id, lang)
    by_id = {v.id: v for v in view}
    assert "w₃₂" in by_id["note:matrices"].note.reason["en"]
    assert "Step3" in by_id["note:rule_wh"].note.reason["en"]


def test_callouts_only_where_they_belong():
    with_callout = [v.id for v in note_view(NOTE) if v.rendered.callout]
    # the tutor's "use the old w_o" remark at most once, where the hidden chain first uses w_o; the note makes no
    # other remark (the tutor's "sigma'(z) is written with a" is left out: the note writes y(1 - y) itself)
    assert set(with_callout) <= {"dE_dw:l1:n1:k1"}


def test_both_languages_render():
    for lang in ("en", "zh"):
        steps = note_view(NOTE, lang=lang)
        assert [v.id for v in steps] == [e[0] for e in EXPECTED]
        for v in steps:
            assert v.rendered.caption.strip(), (v.id, lang)
            if v.step is None and lang == "zh":
                assert CJK.search(v.rendered.caption), v.id
            if lang == "en":
                assert not CJK.search(v.rendered.caption), v.id
                assert "slope" not in v.rendered.caption, v.id


def test_explanations_highlight_this_network():
    trace, view = note_trace(NOTE), note_view(NOTE)
    for v in view:
        if v.step is None:
            assert v.rendered.path_ids, v.id
        for ident in v.rendered.path_ids:
            assert ident in trace, (v.id, ident)
    by_id = {v.id: v for v in view}
    for ident in ("note:share_output", "note:share_e", "note:share_f"):
        assert "w:l2:n1:k1" in by_id[ident].rendered.path_ids  # the edge the output's error goes back along
    own_only = {e.get("id") for e in load_script(NOTE)["items"] if e.get("own_only")}
    assert own_only == OWN_ONLY


def test_full_view_has_every_step_once():
    trace = note_trace(NOTE)
    full = note_view(NOTE, "full")
    steps = [v.step for v in full if v.step is not None]
    assert sorted(steps) == sorted(st.id for st in trace.steps)
    assert len(steps) == len(set(steps))
    assert [v.id for v in full if v.step is None] == [e[0] for e in EXPECTED if e[0].startswith("note:")]
    written = {e[0] for e in EXPECTED}
    for v in full:
        assert v.added == (v.id not in written), v.id
    assert [v.id for v in full if not v.added] == [e[0] for e in EXPECTED]


def test_edited_network_keeps_the_order_but_not_the_lines():
    edited = with_givens(load_preset(NOTE), {"w:l2:n1:k1": 0.35})
    for lang in ("en", "zh"):
        steps = note_view(NOTE, network=edited, lang=lang)
        assert [v.id for v in steps] == [e[0] for e in EXPECTED if e[0] not in OWN_ONLY]
        assert all(v.note is None for v in steps)
    by_id = {v.id: v for v in note_view(NOTE, network=edited)}
    assert by_id["note:init"].rendered.latex.startswith(r"w_h = 0.2, \quad b_h = 0.1, \quad w_o = 0.35")
    assert r"\frac{\partial z_o}{\partial y_h} = w_o = 0.35" in by_id["dz_da:l2:n1:k1"].rendered.latex
