"""Note 003 stepped through as it is written (engine/scripts/note003.json).

Everything expected here is written by hand from the note text (../shared/notes/003_37ff496e8aaf2344.txt):
its line numbers, the numbers it prints, its symbols and forms, and our own arithmetic for its slip.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest
from notes_common import CJK, NOTES_DIR, at_printed, note_lines, note_trace, note_view

from engine.trace import compute_trace, with_givens

NOTE = "note003"
NOTE_FILE = "003_37ff496e8aaf2344.txt"

# (view item id, line in the note, number the note prints there, what that number is), in the note's order
EXPECTED = [
    ("z:l1:n1:s1", 14, "2.2", "match"),  # a_1' = 1 * 0.5 + 2 * 0.4 + 3 * 0.3 = 2.2
    ("z:l1:n2:s1", 16, "1.8", "match"),  # a_2' = 1 * 0.6 + 2 * 0.3 + 3 * 0.2 = 1.8
    ("z:l2:n1:s1", 18, "2.98", "match"),  # a_1'' = 2.2 * 0.7 + 1.8 * 0.8 = 2.98
    ("a:l2:n1:s1", 20, "2.98", "match"),  # a_1'' 的值为2.98,该值就为预测值 (no b, no activation)
    ("note:gap", 28, None, None),  # y = 3.2, 预测值2.98与真实值3.2之间有0.22的差异
    ("note:trial_from", 36, None, None),  # the eight weights before the nudge
    ("note:trial_set", 40, None, None),  # w31 = 0.35, w'11 = 0.78, w'21 = 0.83
    ("note:trial_forward", 42, "3.293", "slip"),  # 最终计算结果 a_1''=3.293 (it is 3.327)
    ("note:trial_compare", 42, None, None),  # 比起来真实值3.2还是有一些误差,但不过已经比较接近了
    ("note:credit", 51, None, None),  # 把误差这个饼不断往前去分,直到分干净为止
    ("note:forward_hidden", 63, None, None),  # z_1 = W_1 x + b_1, a_1 = f(z_1)
    ("note:forward_output", 65, None, None),  # z_2 = W_2 * a_1 + b_2, y_hat = f(z_2)
    ("note:matrices", 67, None, None),  # W_1 = w11, ..., W_2 = w'11, w'21
    ("sample_loss:s1", 71, None, None),  # L = 1/2 ||y_hat - y||^2
    ("note:loss_expanded", 79, None, "typo"),  # L = 1/2 ||W_2 * A_2 + b_2 - y||^2: f_2 missing
    ("note:loss_expanded_full", 80, None, None),  # L = 1/2 ||f_2(W_2 * f_1(W_1 A_1 + b_1) + b_2) - y||^2
    ("note:A", 83, None, None),  # A2 = a_1', a_2', A1 = a_1, a_2, a_3
    ("note:params", 88, None, "typo"),  # the same loss without f_2; only W and b are parameters
    ("note:set_zero", 92, None, None),  # 令导数为0,再去解方程组
]
OWN_ONLY = {"note:trial_set", "note:trial_forward", "note:trial_compare"}  # they quote the note's own numbers

# the note's symbols and forms, as its lines write them (its * written as \times between numbers)
LATEX_EQUALS = {
    "z:l1:n1:s1": r"a_1' = 1 \times 0.5 + 2 \times 0.4 + 3 \times 0.3 = 2.2",
    "z:l1:n2:s1": r"a_2' = 1 \times 0.6 + 2 \times 0.3 + 3 \times 0.2 = 1.8",
    "z:l2:n1:s1": r"a_1'' = 2.2 \times 0.7 + 1.8 \times 0.8 = 2.98",
    "a:l2:n1:s1": r"a_1'' = 2.98",
}
LATEX_STARTS = {
    "note:gap": r"y - a_1'' = 3.2 - 2.98 = 0.22",
    "note:forward_hidden": r"z_1 = W_1 x + b_1,\quad a_1 = f(z_1)",
    "note:forward_output": r"z_2 = W_2 * a_1 + b_2,\quad \hat{y} = f(z_2)",
    "note:matrices": r"W_1 = ",
    "sample_loss:s1": r"L = \frac{1}{2}\|\hat{y} - y\|^{2}",
    "note:loss_expanded": r"L = \frac{1}{2}\|f_2(W_2 * A_2 + b_2) - y\|^{2}",
    "note:loss_expanded_full": r"L = \frac{1}{2}\|f_2(W_2 * f_1(W_1 A_1 + b_1) + b_2) - y\|^{2}",
    "note:A": r"A_2 = (a_1', a_2')",
    "note:params": r"L = \frac{1}{2}\|f_2(W_2 * A_2 + b_2) - y\|^{2}",
    "note:set_zero": r"\begin{array}{l} \frac{\partial L}{\partial W} = 0",
    "note:credit": r"L \;\rightarrow\; a_1''",
}
LATEX_CONTAINS = {
    "note:trial_from": [r"w_{31} = 0.3,", r"w'_{11} = 0.7,", r"w'_{21} = 0.8"],
    # the nudge: only w31, w'11, w'21 change
    "note:trial_set": [r"w_{11} = 0.5,", r"w_{22} = 0.3,", r"w_{31} = 0.35,", r"w'_{11} = 0.78,", r"w'_{21} = 0.83"],
    # forward again, our own arithmetic: 1*0.5 + 2*0.4 + 3*0.35 = 2.35; 2.35*0.78 + 1.8*0.83 = 1.833 + 1.494 = 3.327
    "note:trial_forward": [r"a_1' = 1 \times 0.5 + 2 \times 0.4 + 3 \times 0.35 = 2.35", r"a_2' = 1.8",
                           r"a_1'' = 2.35 \times 0.78 + 1.8 \times 0.83 = 3.327"],
    # compare with the target: |3.327 - 3.2| = 0.127, closer than |2.98 - 3.2| = 0.22
    "note:trial_compare": ["3.327 - 3.2", "= 0.127 < 0.22"],
    "note:matrices": [r"w_{11} & w_{21} & w_{31} \\ w_{12} & w_{22} & w_{32}", r"0.5 & 0.4 & 0.3 \\ 0.6 & 0.3 & 0.2",
                      r"W_2 = \begin{pmatrix} w'_{11} & w'_{21} \end{pmatrix}"],
    "note:forward_hidden": [r"\begin{pmatrix} 2.2 \\ 1.8 \end{pmatrix}"],
    "note:forward_output": [r"a_1'' = 2.98"],
    "note:A": ["(2.2, 1.8)", "(a_1, a_2, a_3) = (1, 2, 3)"],
    "note:params": [r"\min_{W,\, b} L"],
    # the derivative is not 0 yet: (y_hat - y) a_1' = -0.22 * 2.2 = -0.484
    "note:set_zero": [r"\frac{\partial L}{\partial w'_{11}} = (\hat{y} - y)\, a_1' = -0.22 \times 2.2 = -0.484"],
    "note:credit": [r"w'_{11} \rightarrow a_1' \rightarrow w_{11},\ w_{21},\ w_{31}",
                    r"w'_{21} \rightarrow a_2' \rightarrow w_{12},\ w_{22},\ w_{32}"],
    "sample_loss:s1": [r"(2.98 - 3.2)^{2} = 0.0242"],  # 0.5 * 0.22^2 = 0.0242
}
NUDGE = {"w:l1:n1:k3": 0.35, "w:l2:n1:k1": 0.78, "w:l2:n1:k2": 0.83}


def _by_id(steps):
    return {v.id: v for v in steps}


def test_note_view_follows_the_note():
    got = [(v.id, v.note.line, v.note.printed, v.note.kind) for v in note_view(NOTE)]
    assert got == EXPECTED
    assert not any(v.added for v in note_view(NOTE))


def test_lines_are_the_notes_text():
    if not (NOTES_DIR / NOTE_FILE).is_file():
        pytest.skip("the note text is not on this machine")
    lines = note_lines(NOTE_FILE)
    for v in note_view(NOTE):
        assert v.note.text == lines[v.note.line - 1].strip(), v.id
    assert "3.293" in lines[42 - 1] and "0.22" in lines[28 - 1]


def test_the_notes_symbols_and_forms():
    steps = _by_id(note_view(NOTE))
    for ident, latex in LATEX_EQUALS.items():
        assert steps[ident].rendered.latex == latex, ident
    for ident, start in LATEX_STARTS.items():
        assert steps[ident].rendered.latex.startswith(start), (ident, steps[ident].rendered.latex)
    for ident, parts in LATEX_CONTAINS.items():
        for part in parts:
            assert part in steps[ident].rendered.latex, (ident, part, steps[ident].rendered.latex)


def test_printed_numbers_read_as_their_kind():
    trace = note_trace(NOTE)
    steps = _by_id(note_view(NOTE))
    nudged = compute_trace(with_givens(trace.network, NUDGE))
    for ident, _line, printed, kind in EXPECTED:
        if printed is None:
            continue
        value = nudged.value("a:l2:n1:s1") if ident == "note:trial_forward" else trace.value(ident)
        assert steps[ident].rendered.value == pytest.approx(value)
        if kind == "match":
            assert at_printed(value, printed) == printed, ident
        else:
            assert at_printed(value, printed) != printed, ident
    # the slip: the nudged forward pass gives 3.327 ...
    assert at_printed(nudged.value("a:l2:n1:s1"), "0.001") == "3.327"
    assert at_printed(nudged.value("a:l1:n1:s1"), "0.01") == "2.35"
    # ... and the printed 3.293 is what 0.35 in w22 instead of w31 gives (2.2 * 0.78 + 1.9 * 0.83)
    swapped = compute_trace(with_givens(trace.network, {"w:l1:n2:k2": 0.35, "w:l2:n1:k1": 0.78,
                                                        "w:l2:n1:k2": 0.83}))
    assert at_printed(swapped.value("a:l2:n1:s1"), "3.293") == "3.293"
    # the gap the note states (0.22) is y - a_1''
    assert at_printed(trace.value("t:n1:s1") - trace.value("a:l2:n1:s1"), "0.22") == "0.22"
    slip = steps["note:trial_forward"].note
    assert "3.327" in slip.reason["en"] and "3.327" in slip.reason["zh"] and "w₂₂" in slip.reason["en"]
    for ident in ("note:loss_expanded", "note:params"):
        assert "f₂" in steps[ident].note.reason["en"] and "f₂" in steps[ident].note.reason["zh"]


def test_the_notes_remark_once():
    calls = [v.id for v in note_view(NOTE) if v.rendered.callout]
    assert calls == ["a:l2:n1:s1"]  # 省去了偏置参数b,省去了激活函数的使用
    assert "b" in _by_id(note_view(NOTE))["a:l2:n1:s1"].rendered.callout


def test_explanations_light_up_their_chain():
    trace = note_trace(NOTE)
    steps = _by_id(note_view(NOTE))
    assert set(steps["note:trial_set"].rendered.path_ids) == set(NUDGE)
    credit = set(steps["note:credit"].rendered.path_ids)
    assert {"dE_da:l2:n1:s1", "w:l2:n1:k1", "w:l2:n1:k2", "dE_da:l1:n1:s1", "dE_da:l1:n2:s1"} <= credit
    assert {f"w:l1:n{j}:k{k}" for j in (1, 2) for k in (1, 2, 3)} <= credit
    assert steps["note:credit"].rendered.phase == "backward"
    for v in note_view(NOTE):
        if v.step is None:
            assert v.rendered.path_ids, v.id
            assert all(i in trace for i in v.rendered.path_ids), v.id


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_both_languages_render(lang):
    steps = note_view(NOTE, lang=lang)
    assert [v.id for v in steps] == [e[0] for e in EXPECTED]
    for v in steps:
        caption = v.rendered.caption
        assert caption, v.id
        assert bool(CJK.search(caption)) == (lang == "zh") or (lang == "en" and v.id == "note:trial_from") \
            or (lang == "en" and v.id == "note:credit"), (v.id, caption)  # these two quote the note's Chinese terms
        # primes that cannot be misread: a₁′ and a₁″, never an ASCII quote after a symbol
        assert not re.search(r"[₀-₉ᵢⱼ]'", caption), (v.id, caption)
        if v.note.kind in ("slip", "typo"):
            assert v.note.reason[lang], v.id
    zh = _by_id(steps)
    if lang == "zh":
        for v in steps:
            if v.step is None:
                assert CJK.search(v.rendered.caption), v.id
        assert "偏导" in zh["note:set_zero"].rendered.caption


def test_full_view_has_every_step_once():
    trace = note_trace(NOTE)
    full = note_view(NOTE, "full")
    counts = Counter(v.step for v in full if v.step is not None)
    assert counts == Counter(st.id for st in trace.steps)
    assert [v.id for v in full if v.step is None] == [e[0] for e in EXPECTED if e[0].startswith("note:")]
    written = {e[0] for e in EXPECTED}
    for v in full:
        assert v.added == (v.id not in written), v.id
    # the note's own steps keep their order among the added ones
    assert [v.id for v in full if not v.added] == [e[0] for e in EXPECTED]
    # the hidden outputs the note never writes come before the output that needs them
    ids = [v.id for v in full]
    assert ids.index("a:l1:n1:s1") < ids.index("z:l2:n1:s1")


def test_an_edited_network_keeps_the_order_without_note_lines():
    edited = with_givens(note_trace(NOTE).network, {"w:l1:n1:k1": 0.9})
    steps = note_view(NOTE, network=edited)
    assert [v.id for v in steps] == [e[0] for e in EXPECTED if e[0] not in OWN_ONLY]
    assert all(v.note is None for v in steps)
    assert all(v.note is None for v in note_view(NOTE, "full", network=edited))
    # the values are the edited network's: a_1' = 1 * 0.9 + 2 * 0.4 + 3 * 0.3 = 2.6
    assert _by_id(steps)["z:l1:n1:s1"].rendered.latex == r"a_1' = 1 \times 0.9 + 2 \times 0.4 + 3 \times 0.3 = 2.6"
