"""Note 002 step by step, as the note writes it (../shared/notes/002_ea276b9112dd4a97.txt).

The expected sequence below was written by hand from the note text (`cat -n`), not copied from the engine:
each line that writes a number or a formula, in the note's order, with the number the note printed there and
how that number reads against the right value (match, truncated, slip, typo).
"""

from __future__ import annotations

from collections import Counter

from notes_common import CJK, at_printed, note_lines, note_trace, note_view

from engine import load_preset
from engine.noteview import has_note_view
from engine.trace import with_givens

NOTE = "note002"
NOTE_FILE = "002_ea276b9112dd4a97.txt"

# (view item, line in the note, what the note printed there, how it reads)
EXPECTED = [
    ("note:structure", 4, None, None),          # 2 个输入层 / 1 个隐藏层 / 1 个输出层
    ("note:activation", 6, None, None),         # sigmoid f(x) = 1 / (1 + e^-x)
    ("note:loss_rule", 7, None, None),          # E = 1/2 (target - output)^2
    ("note:W_H", 9, None, None),                # W^H = ((0.15, 0.20), (0.25, 0.30))
    ("note:b_1", 9, "0.35", "match"),           # one b_1 for the hidden layer
    ("note:W_O", 10, None, None),               # W^O = (w_5, w_6) = (0.40, 0.45)
    ("note:b_2", 10, "0.60", "match"),
    ("note:sample_1", 12, "0.01", "match"),     # X_1 = [0.05, 0.10], y_1 = 0.01
    ("note:sample_2", 13, "0.99", "match"),     # X_2 = [0.80, 0.20], y_2 = 0.99
    ("note:eta", 15, "0.5", "match"),
    ("note:step1", 19, None, "typo"),           # x_1 = [0.05, 0.10] <- 样本 1 (the sample, called X_1 above)
    ("z:l1:n1:s1", 21, "0.375", "slip"),        # 0.15 x 0.05 = 0.0075, so 0.3775
    ("a:l1:n1:s1", 23, "0.59326", "truncated"),  # 0.593270
    ("z:l1:n2:s1", 25, "0.3925", "match"),
    ("a:l1:n2:s1", 27, "0.59688", "match"),     # 0.596884
    ("z:l2:n1:s1", 32, "1.10590", "truncated"),  # 1.105906
    ("a:l2:n1:s1", 34, "0.75136", "truncated"),  # 0.751365
    ("sample_loss:s1", 36, "0.27483", "slip"),  # E_1 right after sample 1's forward pass; 0.27481
    ("note:batch", 38, None, None),             # 还要计算出样本二的误差, 然后相加
    ("sample_loss:s2", 40, "0.02692", "match"),  # 省略计算
    ("loss", 42, "0.150875", "slip"),           # carries 0.27483; 0.150867
    ("note:path", 46, None, None),              # w_5 -> z_o -> a_o -> E
    ("note:chain", 48, None, None),             # dE/dw_5 = dE/da_o x da_o/dz_o x dz_o/dw_5
    ("dE_da:l2:n1:s1", 52, None, None),         # E_1 = 1/2 (y_1 - a_o)^2 -> (0.75136 - 0.01)
    ("note:dE1_dw5", 54, "0.74136", "typo"),    # labelled dE_1/dw_5, is dE_1/da_o
    ("delta:l2:n1:s1", 58, "0.13849", "typo"),  # z_{01}, z_{001}: o typed as 0; value cut off
    ("delta:l2:n1:s2", 60, "-0.04267", "slip"),  # -0.04257
    ("dz_dw:l2:n1:k1:s1", 64, "0.593626", "slip"),  # a_h1 of sample 1 is 0.59327
    ("dz_dw:l2:n1:k1:s2", 64, "0.62983", "slip"),   # a_h1 of sample 2 is 0.62481
    ("dE_dw:l2:n1:k1", 64, "0.02777", "slip"),  # 0.02778
    ("dE_dw:l2:n1:k2", 66, "0.02755", "slip"),  # 0.02754
    ("dE_db:l2:n1", 70, "0.04791", "slip"),     # carries -0.04267; 0.04796
    ("note:onward", 72, None, None),            # 一直往前 ...
    ("new_w:l1:n1:k1", 80, None, None),         # 更新的 w_1, w_2, w_3, w_4 和 b_1
    ("new_w:l1:n1:k2", 80, None, None),
    ("new_w:l1:n2:k1", 80, None, None),
    ("new_w:l1:n2:k2", 80, None, None),
    ("new_b:l1", 80, None, None),
]
IDS = [e[0] for e in EXPECTED]
EXPLANATIONS = [i for i in IDS if i.startswith("note:")]

# the right values, by hand, at the decimals the note prints (for the slips and typos)
HAND = {
    "z:l1:n1:s1": "0.3775",          # 0.15*0.05 + 0.2*0.1 + 0.35
    "sample_loss:s1": "0.27481",     # 1/2 * 0.741365^2
    "loss": "0.150867",              # (0.274811 + 0.026923) / 2
    "note:dE1_dw5": "0.74137",       # 0.751365 - 0.01 (rounded; the note cuts off)
    "delta:l2:n1:s1": "0.13850",     # 0.741365 * 0.751365 * 0.248635 (rounded; the note cuts off)
    "delta:l2:n1:s2": "-0.04257",    # -0.232046 * 0.183460
    "dz_dw:l2:n1:k1:s1": "0.593270",  # sigmoid(0.3775)
    "dz_dw:l2:n1:k1:s2": "0.62481",  # sigmoid(0.51)
    "dE_dw:l2:n1:k1": "0.02778",     # 1/2 (0.082167 - 0.026599)
    "dE_dw:l2:n1:k2": "0.02754",     # 1/2 (0.082668 - 0.027584)
    "dE_db:l2:n1": "0.04796",        # 1/2 (0.138499 - 0.042571)
}

# the note's own symbols in each item's LaTeX: (the LaTeX starts with, it also contains)
SYMBOLS = {
    "note:W_H": (r"W^H = \begin{pmatrix} w_1 & w_2 \\ w_3 & w_4 \end{pmatrix}", ()),
    "note:b_1": ("b_1 = ", ()),
    "note:W_O": ("W^O = (w_5, w_6)", ()),
    "note:b_2": ("b_2 = ", ()),
    "note:sample_1": ("X_1 = ", ("y_1 = ",)),
    "note:sample_2": ("X_2 = ", ("y_2 = ",)),
    "note:eta": (r"\eta = ", ()),
    "note:step1": ("X_1 = (i_1, i_2)", ()),
    "z:l1:n1:s1": (r"z_{h1} = w_1 \cdot i_1 + w_2 \cdot i_2 + b_1 = ", ()),
    "a:l1:n1:s1": (r"a_{h1} = \text{sigmoid}(z_{h1}) = \frac{1}{1+e^{-", ()),
    "z:l1:n2:s1": (r"z_{h2} = w_3 \cdot i_1 + w_4 \cdot i_2 + b_1 = (", ()),
    "a:l1:n2:s1": (r"a_{h2} = \text{sigmoid}(z_{h2})", ()),
    "z:l2:n1:s1": (r"z_o = w_5 \cdot a_{h1} + w_6 \cdot a_{h2} + b_2 = (", ()),
    "a:l2:n1:s1": ("a_o = ", ()),
    "sample_loss:s1": (r"E_1 = \frac{1}{2} (y_1 - a_o)^{2}", ()),
    "note:batch": ("E_{total} = ", ("E_1", "E_2")),
    "sample_loss:s2": ("E_2 = ", ("y_2",)),
    "loss": (r"E_{total} = \frac{E_1 + E_2}{2}", ()),
    "note:path": (r"w_5 \rightarrow z_o \rightarrow a_o \rightarrow E", ()),
    "note:chain": (r"\frac{\partial E}{\partial w_5} = \frac{\partial E}{\partial a_o} \times", ()),
    "dE_da:l2:n1:s1": (r"E_1 = \frac{1}{2} (y_1 - a_o)^{2} \rightarrow", (r"\frac{\partial E_1}{\partial a_o}",)),
    "note:dE1_dw5": (r"\frac{\partial E_1}{\partial w_5} = ", ()),
    "delta:l2:n1:s1": (r"\frac{\partial E_1}{\partial z_{o1}} = \frac{\partial E_1}{\partial a_{o1}} \cdot "
                       r"\frac{\partial a_{o1}}{\partial z_{o1}}", ()),
    "delta:l2:n1:s2": (r"\frac{\partial E_2}{\partial z_{o2}}", ()),
    "dz_dw:l2:n1:k1:s1": (r"\frac{\partial z_o}{\partial w_5} = a_{h1}", ("X_1",)),
    "dz_dw:l2:n1:k1:s2": (r"\frac{\partial z_o}{\partial w_5} = a_{h1}", ("X_2",)),
    "dE_dw:l2:n1:k1": (r"\frac{\partial E_{total}}{\partial w_5} = "
                       r"\frac{1}{2} (\delta_{o1} \cdot a_{h1} + \delta_{o2} \cdot a_{h1})", ()),
    "dE_dw:l2:n1:k2": (r"\frac{\partial E_{total}}{\partial w_6} = "
                       r"\frac{1}{2} (\delta_{o1} \cdot a_{h2} + \delta_{o2} \cdot a_{h2})", ()),
    "dE_db:l2:n1": (r"\frac{\partial E_{total}}{\partial b_2} = \frac{1}{2} (\delta_{o1} + \delta_{o2})", ()),
    "note:onward": (r"\frac{\partial E_{total}}{\partial w_1}", (r"\frac{\partial E_{total}}{\partial b_1}",)),
    "new_w:l1:n1:k1": ("w_1", ()),
    "new_w:l1:n1:k2": ("w_2", ()),
    "new_w:l1:n2:k1": ("w_3", ()),
    "new_w:l1:n2:k2": ("w_4", ()),
    "new_b:l1": ("b_1", ()),
}


def test_note_view_follows_the_note():
    view = note_view(NOTE)
    got = [(v.id, v.note.line, v.note.printed, v.note.kind) for v in view]
    assert got == EXPECTED
    assert not any(v.added for v in view)


def test_lines_are_the_notes_own():
    lines = note_lines(NOTE_FILE)
    for v in note_view(NOTE):
        assert v.note.text == lines[v.note.line - 1].strip(), v.id
        if v.note.printed is not None:
            assert v.note.printed in v.note.text, v.id


def test_order_of_the_note():
    view = note_view(NOTE)
    # sample 1's error comes right after sample 1's forward pass, before anything of sample 2
    ids = [v.id for v in view]
    assert ids.index("sample_loss:s1") == ids.index("a:l2:n1:s1") + 1
    assert ids.index("sample_loss:s1") < ids.index("sample_loss:s2") < ids.index("loss")
    # the per-sample deltas, then the batch gradients w5, w6, b2, then the hidden updates
    assert ids.index("delta:l2:n1:s2") < ids.index("dE_dw:l2:n1:k1") < ids.index("dE_dw:l2:n1:k2") \
        < ids.index("dE_db:l2:n1") < ids.index("new_w:l1:n1:k1")
    assert [v.note.line for v in view] == sorted(v.note.line for v in view)


def test_symbols_of_the_note():
    view = note_view(NOTE)
    by_id = {v.id: v for v in view}
    for ident, (start, parts) in SYMBOLS.items():
        latex = by_id[ident].rendered.latex
        assert latex.startswith(start), (ident, latex)
        for part in parts:
            assert part in latex, (ident, part, latex)
    for v in view:
        # the note never marks a sample with [1] or [2], and writes o (not 0) in z_{o1}, a_{o1}, delta_{o1}
        assert "[1]" not in v.rendered.latex and "[2]" not in v.rendered.latex, v.id
        assert "{01}" not in v.rendered.latex and "{001}" not in v.rendered.latex, v.id
        assert "slope" not in v.rendered.caption.lower(), v.id


def test_printed_numbers_read_as_their_kind():
    for v in note_view(NOTE):
        printed, kind = v.note.printed, v.note.kind
        if printed is None:
            continue
        rounded = at_printed(v.rendered.value, printed)
        cut = at_printed(v.rendered.value, printed, "cut")
        if kind == "match":
            assert printed == rounded, v.id
        elif kind == "truncated":
            assert printed == cut and printed != rounded, v.id
        elif kind == "typo":  # a wrong symbol; the number itself is right, rounded or cut off
            assert printed in (rounded, cut), v.id
        else:
            assert kind == "slip" and printed not in (rounded, cut), v.id
        if v.id in HAND:  # our own arithmetic, at the decimals of the hand value
            assert at_printed(v.rendered.value, HAND[v.id]) == HAND[v.id], v.id


def test_slips_and_typos_are_explained():
    for v in note_view(NOTE):
        if v.note.kind in ("slip", "typo"):
            assert v.note.reason["en"] and CJK.search(v.note.reason["zh"]), v.id


def test_both_languages():
    en = {v.id: v for v in note_view(NOTE, lang="en")}
    zh = {v.id: v for v in note_view(NOTE, lang="zh")}
    assert list(en) == list(zh) == IDS
    for ident in IDS:
        assert en[ident].rendered.latex == zh[ident].rendered.latex
        assert en[ident].rendered.caption and zh[ident].rendered.caption, ident
        assert en[ident].rendered.caption != zh[ident].rendered.caption, ident
        assert CJK.search(zh[ident].rendered.caption), ident
    for ident in EXPLANATIONS:
        assert zh[ident].step is None and CJK.search(zh[ident].rendered.caption), ident
    # the note's own warning (核心!!!) once, where it makes it; the tutor's batch remark is left out
    with_callout = [i for i in IDS if en[i].rendered.callout]
    assert with_callout == ["dE_da:l2:n1:s1"]
    assert "核心" in zh["dE_da:l2:n1:s1"].rendered.callout


def test_full_view_has_every_step_once():
    trace = note_trace(NOTE)
    full = note_view(NOTE, "full")
    steps = Counter(v.step for v in full if v.step is not None)
    assert steps == Counter(st.id for st in trace.steps)
    assert [v.id for v in full if v.step is None] == EXPLANATIONS
    assert [v.id for v in full if not v.added] == IDS
    assert all(v.note is None for v in full if v.added)
    ids = [v.id for v in full]
    # sample 2's forward pass, which the note leaves out, comes in just before its error
    assert ids.index("sample_loss:s1") < ids.index("z:l1:n1:s2") < ids.index("a:l2:n1:s2") < ids.index("sample_loss:s2")
    # the shared bias b1's gradient, which the note never writes, comes before b1's update
    assert ids.index("dE_db:l1") < ids.index("new_b:l1")


def test_edited_network_keeps_the_order_without_the_notes_lines():
    network = with_givens(load_preset(NOTE), {"w:l2:n1:k1": 0.5})
    assert has_note_view(network)
    view = note_view(NOTE, network=network)
    assert [v.id for v in view] == IDS
    assert all(v.note is None for v in view)
    by_id = {v.id: v for v in view}
    assert "0.5 \\times" in by_id["z:l2:n1:s1"].rendered.latex  # the new w5, through the note's form
    assert by_id["dE_dw:l2:n1:k1"].rendered.latex.startswith(SYMBOLS["dE_dw:l2:n1:k1"][0])
    full = note_view(NOTE, "full", network=network, lang="zh")
    assert all(v.note is None for v in full)
