"""Note 000 as the note writes it (../shared/notes/000_529b48cadf9d314e.txt), written by hand from `cat -n`:
each line that writes a number, in the note's order, what it printed and how that reads."""

from __future__ import annotations

from notes_common import note_trace, note_view

from engine import load_preset
from engine.noteview import view_items
from engine.trace import with_givens

NOTE = "note000"
EXPECTED = [  # (item, line, printed, kind)
    ("note:why", 19, None, None),               # w+ = w - eta dE/dw: why gradients, and of what
    ("note:truth", 31, None, None),             # the true weights give y = 4 (t)
    ("z:l1:n1:s1", 43, "1.25", "match"),        # h1 = w1 x1 + w2 x2 = 0.5 + 0.75
    ("z:l1:n2:s1", 46, "3.8", "match"),         # h2 = 2.3 + 1.5
    ("z:l2:n1:s1", 48, "5.05", "match"),        # y = 1.25 + 3.8
    ("sample_loss:s1", 50, "0.55125", "match"),  # 1/2 (1.05)^2
    ("dE_dw:l2:n1:k1", 54, "1.3125", "match"),  # the whole chain first: 1.05 . h1 = 1.05 . 1.25
    ("dE_da:l2:n1:s1", 57, "-1.05", "slip"),    # then dE/dy, with the sign slip
    ("new_w:l2:n1:k1", 59, "0.86875", "match"),  # 1 - 0.1 x 1.3125
    ("dE_dw:l2:n1:k2", 65, "3.99", "match"),    # 1.05 x 3.8
    ("new_w:l2:n1:k2", 67, "0.601", "match"),   # 1 - 0.399
    ("dE_dw:l1:n1:k1", 73, "1.05", "match"),    # 1.05 . w5 (the old one) . x1
    ("new_w:l1:n1:k1", 79, "0.395", "match"),   # 0.5 - 0.105
    ("new_w:l1:n1:k2", 87, "1.4475", "match"),  # 1.5 - 0.1 x 0.525
    ("new_w:l1:n2:k1", 87, "2.195", "match"),   # 2.3 - 0.105
    ("new_w:l1:n2:k2", 87, "2.9475", "match"),  # 3 - 0.0525
    ("check.z:l1:n1:s1", 91, "1.11875", "match"),  # 0.395 + 1.4475 x 0.5
    ("check.z:l1:n2:s1", 93, "3.66875", "typo"),   # writes x_4 for x_2; the value is right
    ("check.z:l2:n1:s1", 95, "3.1768", "match"),   # 0.86875 x 1.11875 + 0.601 x 3.66875 = 3.17683...
    ("sample_loss_after:s1", 97, "0.3388", "match"),  # 1/2 (3.17683 - 4)^2 = 0.33880...
    ("loss", 99, "0.55125", "match"),           # "smaller than the previous 0.55125"
]


def test_the_note_view_is_the_notes_lines_in_order():
    got = [(v.id, v.note.line, v.note.printed, v.note.kind) for v in note_view(NOTE)]
    assert got == EXPECTED


def test_the_note_writes_no_delta_no_f_prime_and_its_warning_once():
    views = note_view(NOTE)
    assert not any(v.step and v.step.split(":")[0] in ("delta", "da_dz", "a") for v in views)
    warned = [v.id for v in views if v.rendered.callout]
    assert warned == ["dE_dw:l1:n1:k1"]  # "the old w5, not w5+", once, where the note says it
    assert "w₅⁺" in views[[v.id for v in views].index("dE_dw:l1:n1:k1")].rendered.callout


def test_the_notes_own_forms():
    latex = {v.id: v.rendered.latex for v in note_view(NOTE)}
    # line 54: the product first, with dE/dy's value and h1 as a symbol, then its value
    assert latex["dE_dw:l2:n1:k1"] == (r"\frac{\partial E}{\partial w_5} = \frac{\partial E}{\partial y} \cdot "
                                       r"\frac{\partial y}{\partial w_5} = 1.05 \cdot h_1 = 1.05 \cdot 1.25 = 1.3125")
    # line 57 shown right (+1), the note's -1.05 is the slip under it
    assert latex["dE_da:l2:n1:s1"].endswith(r"\cdot 1 = 1.05")
    # line 73-77: 1.05 . w5 . x1 = 1.05 . 1 . 1
    assert latex["dE_dw:l1:n1:k1"].endswith(r"= 1.05 \cdot w_5 \cdot x_1 = 1.05 \cdot 1 \cdot 1 = 1.05")
    # line 31: the true weights give h1 = 1 + 1 = 2, h2 = 3 + 2 = 5, y = 0.5 x 2 + 0.6 x 5 = 4
    assert latex["note:truth"].endswith(r"= 0.5 \times 2 + 0.6 \times 5 = 4")
    # line 99: the error after the update is smaller than 0.55125
    assert latex["loss"].endswith("< 0.55125")


def test_slip_and_typo_say_why_in_both_languages():
    for lang, words in (("en", ("+1.05", "x₂")), ("zh", ("+1.05", "x₂"))):
        notes = {v.id: v.note for v in note_view(NOTE, lang=lang)}
        assert words[0] in notes["dE_da:l2:n1:s1"].reason[lang]
        assert words[1] in notes["check.z:l1:n2:s1"].reason[lang]


def test_an_edited_note_keeps_the_order_but_not_the_notes_numbers():
    edited = with_givens(load_preset(NOTE), {"w:l2:n1:k1": 2.0})
    views = note_view(NOTE, network=edited)
    # own_only: the true weights, and the closing remark (its 0.55125 and its "smaller" hold for the note's numbers)
    assert [v.id for v in views] == [e[0] for e in EXPECTED if e[0] not in ("note:truth", "loss")]
    assert all(v.note is None for v in views)
    # w5 = 2: y = 2 x 1.25 + 3.8 = 6.3, dE/dy = 2.3, dE/dw5 = 2.3 x 1.25 = 2.875
    assert dict((v.id, v.rendered.latex) for v in views)["dE_dw:l2:n1:k1"].endswith(r"= 2.3 \cdot 1.25 = 2.875")


def test_full_detail_adds_every_other_step_once_marked_added():
    trace = note_trace(NOTE)
    full = view_items(trace, "full")
    steps = [it.step for it in full if it.step]
    assert sorted(steps) == sorted(st.id for st in trace.steps)
    added = {it.id for it in full if it.added}
    assert "delta:l2:n1:s1" in added and "a:l1:n1:s1" in added and "dE_dw:l2:n1:k1" not in added
    ids = [it.id for it in full]
    # an added step comes just before the first of the note's lines that needs it
    assert ids.index("a:l1:n1:s1") < ids.index("z:l2:n1:s1")
    assert ids.index("dE_dw:l1:n1:k2") < ids.index("new_w:l1:n1:k2")
