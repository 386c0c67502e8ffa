"""The notes' own way through an iteration (engine/noteview.py): views, scripts, the note's lines, the CLI."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from engine import load_preset, preset_ids
from engine.cli import main
from engine.export import export, trace_json
from engine.noteview import (
    ScriptError,
    check_script,
    default_view,
    describe,
    fill,
    has_note_view,
    known_from,
    load_script,
    nearest,
    printed_kind,
    render_view,
    view_index,
    view_items,
)
from engine.render import RenderOptions
from engine.trace import compute_trace, with_givens

NOTES = [p for p in preset_ids() if load_script(p) is not None]  # the notes, and note 004's Equation A preset


def trace_of(preset: str):
    return compute_trace(load_preset(preset))


@pytest.mark.parametrize("preset", NOTES)
def test_every_notes_script_fits_and_renders_in_both_languages(preset):
    assert has_note_view(load_preset(preset))
    assert check_script(preset) == []


@pytest.mark.parametrize("preset", NOTES)
def test_full_detail_has_every_step_once_and_the_notes_order(preset):
    trace = trace_of(preset)
    note = view_items(trace, "note")
    full = view_items(trace, "full")
    assert sorted(it.step for it in full if it.step and "#" not in it.id) == sorted(st.id for st in trace.steps)
    assert [it.id for it in full if not it.added] == [it.id for it in note]  # the note's items, in its order
    assert len({it.id for it in full}) == len(full)


@pytest.mark.parametrize("preset", [p for p in preset_ids() if p not in NOTES])
def test_other_networks_have_only_the_engines_order(preset):
    trace = trace_of(preset)
    assert not has_note_view(trace.network) and default_view(trace.network) == "full"
    assert [v.id for v in render_view(trace, RenderOptions(), "full")] == [st.id for st in trace.steps]
    assert not any(v.added or v.note for v in render_view(trace, RenderOptions(), "full"))


@pytest.mark.parametrize("value, printed, kind", [
    (1.25, "1.25", "match"), (3.176832813, "3.1768", "match"), (0.5932699921, "0.59327", "match"),
    (0.5932699921, "0.59326", "truncated"), (0.751365, "0.75136", "truncated"), (0.751365, "0.75137", "match"),
    (1.05, "-1.05", None), (0.3775, "0.375", None), (4.0, "4", "match"), (2.5, "3", "match"), (2.5, "2", "truncated"),
    (-0.04257, "-0.0425", "truncated"), (-0.04257, "-0.0426", "match"), (1.0, "abc", None),
])
def test_printed_kind_by_hand(value, printed, kind):
    assert printed_kind(value, printed) == kind


def test_fill_replaces_references_and_nothing_else():
    trace = trace_of("note000")
    opts = RenderOptions()
    assert fill(r"h_1 = [[z:l1:n1:s1]]", trace, [], opts) == "h_1 = 1.25"
    assert fill(r"[[-dE_da:l2:n1:s1]] + [[(dE_da:l2:n1:s1)]]", trace, [], opts) == "-1.05 + 1.05"
    assert fill(r"[[(-dE_da:l2:n1:s1)]]", trace, [], opts) == "(-1.05)"
    # w5+ - w5 = 0.86875 - 1; two paths as a sum of products: 1.05 x 1 + 1.25 x 2
    assert fill(r"[[d:new_w:l2:n1:k1]]", trace, [], opts) == "-0.13125"
    assert fill(r"[[dE_da:l2:n1:s1*w:l2:n1:k1 + a:l1:n1:s1*x:n1:s1]]", trace, [], opts) == "2.3"
    assert fill(r"\frac{a}{b} [[eta]]", trace, [], RenderOptions(decimals=3)) == r"\frac{a}{b} 0.100"
    experiment = [compute_trace(with_givens(trace.network, {"w:l2:n1:k1": 0.5}))]
    assert fill(r"[[e0:w:l2:n1:k1]]", trace, experiment, opts) == "0.5"
    for bad in (r"[[no:such]]", r"[[z:l1:n1:s1", r"[[e3:eta]]", r"[[d:z:l1:n1:s1]]"):
        with pytest.raises(ScriptError):
            fill(bad, trace, experiment, opts)


def test_the_note_view_follows_the_template_through_exercises_but_not_another_shape():
    net = load_preset("note000")
    exercise = replace(with_givens(net, {"w:l1:n1:k1": 0.4, "x:n1:s1": 2.0}),
                       meta={"exercise": {"template": "note000", "seed": 7}})
    assert has_note_view(exercise)
    views = render_view(compute_trace(exercise), RenderOptions(), "note")
    assert views[0].id == "note:why" and all(v.note is None for v in views)  # fresh numbers: no "the note printed"
    # h1 = 0.4 x 2 + 1.5 x 0.5 = 1.55
    assert dict((v.id, v.rendered.latex) for v in views)["z:l1:n1:s1"].endswith("= 1.55")
    other = replace(net, round_to=2)  # not the note's settings any more
    assert not has_note_view(other)
    assert not has_note_view(replace(net, meta={"id": "relu_2_3_1"}))


def test_nearest_and_known_from():
    trace = trace_of("note000")
    assert nearest(trace, "a:l1:n1:s1", "note") == "z:l2:n1:s1"  # y is the first line that needs h1's output
    assert nearest(trace, "dE_dw:l2:n1:k1", "note") == "dE_dw:l2:n1:k1"
    assert nearest(trace, "nonsense", "note") == "note:why"
    note = render_view(trace, RenderOptions(), "note")
    index = view_index(trace, "note")
    known = known_from(trace, note)
    assert known["a:l1:n1:s1"] == index.position("z:l1:n1:s1")  # linear: h1's output is h1, known once written
    assert known["loss"] == index.position("sample_loss:s1")  # written again only in the closing remark
    assert known["loss_after"] == index.position("sample_loss_after:s1")  # left out: known once computable
    assert known["delta:l2:n1:s1"] == index.position("dE_dw:l2:n1:k1")  # before the line that first needs it
    assert known_from(trace, render_view(trace, RenderOptions(), "trace")) == {}


def test_describe_says_the_line_what_was_printed_and_why_in_both_languages():
    notes = {v.id: v.note for v in render_view(trace_of("note000"), RenderOptions(), "note")}
    en = describe(notes["dE_da:l2:n1:s1"], "en")
    assert en.startswith("In the note, line 57: the note printed −1.05; the sign is a slip")
    assert describe(notes["z:l1:n1:s1"], "zh") == "笔记第 43 行：笔记写的是 1.25"


def test_trace_json_views(capsys):
    trace = trace_of("note000")
    plain = trace_json(trace)
    assert [s["id"] for s in plain["steps"]] == [st.id for st in trace.steps]  # the contract: unchanged
    notes = {s["id"]: s["note"] for s in plain["steps"]}
    assert notes["a:l1:n1:s1"] is None and notes["z:l1:n1:s1"]["line"] == 43
    assert notes["loss"]["line"] == 99  # the note writes E only in its closing remark
    note = trace_json(trace, view="note")
    assert note["view"] == "note" and note["steps"][0]["step"] is None and note["steps"][0]["value"] is None
    slip = next(s for s in note["steps"] if s["id"] == "dE_da:l2:n1:s1")
    assert (slip["note"]["printed"], slip["note"]["kind"], slip["value"], slip["added"]) == ("-1.05", "slip", 1.05, False)
    assert main(["trace", "--preset", "note000", "--view", "full", "--json"]) == 0
    full = json.loads(capsys.readouterr().out)
    assert any(s["added"] for s in full["steps"]) and full["view"] == "full"
    assert main(["trace", "--preset", "tanh_2_2_2", "--view", "note", "--json"]) == 2
    assert "--view" in capsys.readouterr().err


def test_handouts_follow_the_view_and_claim_the_note_only_when_it_is_one():
    trace = trace_of("note000")
    md = export(trace, "markdown", view="note")
    assert md.index("1.3125") < md.index(r"\left[\frac{1}{2}")  # line 54 before line 57
    assert "In the note, line 57: the note printed −1.05" in md
    assert "As in the notes" not in md and "delta" not in md
    tex = export(trace, "latex", view="full", lang="zh")
    assert "本页补充的步骤" in tex and tex.count(r"\begin{document}") == 1
    other = export(trace_of("tanh_2_2_2"), "markdown")
    assert "note 004" not in other and "In the note" not in other and "As in the note" not in other
    assert "Matrix form (as note 004 writes it)" in export(trace_of("note004"), "markdown")


@pytest.mark.parametrize("lang, says, never", [("en", "The note printed -1.05", "You wrote"),
                                               ("zh", "笔记写的是 -1.05", "你写的是")])
def test_the_notes_audit_speaks_of_the_note_not_of_you(lang, says, never):
    from engine.check import check_printed

    slips = [r for r in check_printed(load_preset("note000"), lang=lang).results if r.verdict != "correct"]
    assert [r.id for r in slips] == ["dE_da:l2:n1:s1"] and says in slips[0].explanation
    for preset in NOTES:
        for r in check_printed(load_preset(preset), lang=lang).results:
            assert never not in r.explanation and "your own" not in r.explanation and "你前面自己" not in r.explanation
