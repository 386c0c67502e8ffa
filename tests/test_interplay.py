"""Where note views, fill-in mode and exercises meet, through AppTest (and the engine where the app only hands on).

Hand arithmetic used below.
Note 000 (x = 1, 0.5; w1..w6 = 0.5, 1.5, 2.3, 3, 1, 1; t = 4; linear): h1 = 1.25, h2 = 3.8, y = 5.05, E = ½·1.05² = 0.55125.
Exercise note000, seed 3 (x = 0.4, −0.6; w1..w4 = 0.8, −0.7, −0.1, 0.5; w5, w6 = 0.4, −0.9; t = 1.6; η = 0.1):
    h1 = 0.8·0.4 + (−0.7)(−0.6) = 0.32 + 0.42 = 0.74, h2 = −0.1·0.4 + 0.5·(−0.6) = −0.34,
    y = 0.4·0.74 + (−0.9)(−0.34) = 0.296 + 0.306 = 0.602, E = ½(0.602 − 1.6)² = ½·0.996004 = 0.498002;
    with w5 = 1 instead: y = 0.74 + 0.306 = 1.046.
Note 001: ∂Loss/∂yₒ = −(y − yₒ) = −(0.8 − 0.59) = −0.21 (Loss itself is ½·0.21² = 0.02205).
Note 004: W¹₁₁ = 0.2, ΔW¹₁₁ = 0.008744620851 (the note's line), the new W¹₁₁ = 0.2 + 0.008744620851 = 0.2087446209.
"""

from __future__ import annotations

import json

import pytest
from test_app import edit_cells, grid, open_editor
from test_app_hostile import config_with, upload
from test_fillin import elements, fill, marks, start, stepper_data

from engine import compute_trace, load_preset, noteview, preset_ids
from engine.exercise import generate
from engine.export import export
from engine.render import RenderOptions, render_trace
from engine.worksheet import worksheet
from ui import state

NOTES = [p for p in preset_ids() if noteview.has_note_view(load_preset(p))]


def payload(at) -> dict:
    return json.loads(stepper_data(at)["payload"])


def steps(at) -> dict[str, dict]:
    return {s["id"]: s for s in payload(at)["steps"]}


def question(step: dict) -> str:
    """What fill-in mode asks at a step (stepper.js fillQuestion without a hint): `<this> = ?`."""
    return step.get("ask") or step["latex"].split(" = ")[0]


def report_step(at, step_id: str):
    """The browser's report after a pause on `step_id` (one rerun)."""
    widgets = at._tree.get_widget_states()
    widget = widgets.widgets.add()
    widget.id = elements(at)["stepper"].proto.id
    widget.json_value = json.dumps({"step": {"id": step_id, "seq": at.session_state["_stepper_seq"], "n": 1},
                                    "want": None, "fill": None})
    at._run(widgets)
    assert not at.exception, at.exception
    return at


# --- fill-in mode asks for the quantity it marks --------------------------------------------------------------

@pytest.mark.parametrize("preset", NOTES)
@pytest.mark.parametrize("view", ["note", "full"])
def test_fill_in_asks_for_the_step_it_marks_in_every_note_view(preset, view):
    """The question's left side is the step's own symbol: never another quantity of the note's line (note 004's
    ΔW¹₁₁ where the new W¹₁₁ is marked), never numbers (note 000's closing `E⁺ < E`)."""
    at = start(preset=preset, mode="fill", view=view)
    trace = compute_trace(load_preset(preset))
    symbols = {r.id: r.symbol for r in render_trace(trace, RenderOptions())}
    wrong = {s["id"]: question(s) for s in payload(at)["steps"]
             if s["step"] and question(s) != symbols[s["step"]]}
    assert wrong == {}


def test_the_new_weight_is_asked_and_marked_not_its_change():
    at = start(preset="note004", mode="fill", step="new_w:l1:n1:k1")
    step = steps(at)["new_w:l1:n1:k1"]
    assert step["latex"].startswith(r"\Delta W^1_{11} = ")  # the note's line starts with the change...
    assert question(step) == r"{W^{1}_{11}}_{\text{new}}"  # ...but the new weight is what is marked
    fill(at, id="new_w:l1:n1:k1", text="0.2087446209")  # 0.2 + 0.008744620851
    assert marks(at)["results"]["new_w:l1:n1:k1"]["verdict"] == "correct"
    at = start(preset="note001", mode="fill")
    assert question(steps(at)["dE_da:l2:n1:s1"]) == r"\frac{\partial Loss}{\partial y_o}"  # not "Loss = ?"
    fill(at, id="dE_da:l2:n1:s1", text="-0.21")
    assert marks(at)["results"]["dE_da:l2:n1:s1"]["verdict"] == "correct"


# --- note 000's closing remark belongs to the note's own numbers --------------------------------------------

def test_an_exercise_of_note000_never_shows_the_notes_0_55125():
    at = start(exercise="note000", seed="3")
    shown = payload(at)["steps"]
    text = json.dumps(shown, ensure_ascii=False)
    assert "0.55125" not in text and "0.5513" not in text
    assert shown[-1]["id"] == "sample_loss_after:s1"  # the note's remark "smaller than 0.55125" is the note's
    assert steps(at)["sample_loss:s1"]["value"] == "0.4980"  # E = 0.498002, at the worksheet's 4 decimals
    key = worksheet(generate("note000", 3), key=True)
    assert "0.55125" not in key and "<" not in key.split("## ", 2)[-1]


def test_an_upload_that_claims_note000_with_other_numbers_gets_the_view_but_not_the_notes_words():
    config = json.loads(state.config_text_of(generate("note000", 3)))
    del config["exercise"], config["title_zh"]
    config["id"] = "note000"
    config["learning_rate"] = 4  # E⁺ > E now: no "smaller than" may be said
    trace = compute_trace(state.network_for(json.dumps(config)))
    assert trace.value("loss_after") > trace.value("loss") == 0.498002
    at = start(preset="note000")
    upload(at, "claims.json", json.dumps(config).encode())
    assert not at.exception and at.session_state["source"] == "upload"
    assert [w for w in at.segmented_control if w.key == "view"]  # the note's shape: its view
    text = json.dumps(payload(at)["steps"], ensure_ascii=False)
    assert "0.55125" not in text and "smaller" not in text and '"note":' not in text  # no line of the note
    other = config_with(id="note000")  # note 001's network claiming to be note 000: another shape, no view
    upload(at, "other.json", other)
    assert not at.exception and not [w for w in at.segmented_control if w.key == "view"]
    assert [s["id"] for s in payload(at)["steps"]] == \
        [s.id for s in compute_trace(state.network_for(at.session_state["config_text"])).steps]


# --- an exercise keeps its view, answers and place --------------------------------------------------------------

def test_an_edited_exercise_keeps_the_note_view_and_reset_brings_back_the_answers():
    at = start(exercise="note000", seed="3", mode="fill", step="z:l2:n1:s1")
    note_ids = list(steps(at))
    assert note_ids[0] == "note:why" and len(note_ids) == 19  # 21 less the two own_only items
    fill(at, id="z:l1:n1:s1", text="0.74")
    open_editor(at)
    edit_cells(at, grid(at, "w", 2), {0: {"h₁": "1"}})  # w5 = 1
    assert not at.exception and at.session_state["source"] == "edited"
    assert state.trace_for(at.session_state["config_text"]).value("z:l2:n1:s1") == 1.046  # 1·0.74 + (−0.9)(−0.34)
    assert list(steps(at)) == note_ids  # still as in the note (the exercise's template), no line of the note
    assert at.session_state["step_id"] == "z:l2:n1:s1" and "view" not in at.query_params
    at.button(key="btn_reset").click().run()
    assert marks(at)["results"]["z:l1:n1:s1"]["verdict"] == "correct"  # the exercise's own answers again


def test_view_and_language_switches_keep_the_answers_and_the_step_in_fill_mode():
    at = start(exercise="note000", seed="3", mode="fill", step="z:l1:n2:s1")
    fill(at, id="z:l1:n1:s1", text="0.74")
    fill(at, id="z:l1:n2:s1", text="-0.35")  # wrong: −0.34
    at.segmented_control(key="view").set_value("full").run()
    at.segmented_control(key="lang").set_value("zh").run()
    assert at.session_state["step_id"] == "z:l1:n2:s1" and at.query_params["view"] == "full"
    got = marks(at)["results"]
    assert got["z:l1:n1:s1"]["verdict"] == "correct" and got["z:l1:n2:s1"]["verdict"] == "wrong"
    assert steps(at)["a:l1:n1:s1"].get("added") and steps(at)["note:why"].get("explain")
    at.segmented_control(key="view").set_value("note").run()
    assert at.session_state["step_id"] == "z:l1:n2:s1" and marks(at)["score"]["wrong"] == 1


# --- the URL ------------------------------------------------------------------------------------------------

def test_a_bad_step_names_the_positions_of_the_view_shown():
    at = start(preset="note000", step="22")  # as in the note: 21 items (the trace has 46 steps)
    assert any("from 1 to 21" in w.value for w in at.warning), [w.value for w in at.warning]
    at = start(preset="note000", step="21")
    assert at.session_state["step_id"] == "loss" and not at.warning
    at = start(exercise="note000", seed="3", step="note:truth")  # the note's own numbers only: not here
    assert any("from 1 to 19" in w.value for w in at.warning), [w.value for w in at.warning]
    at = start(preset="note000", view="full", step="49")
    assert any("from 1 to 48" in w.value for w in at.warning), [w.value for w in at.warning]


@pytest.mark.parametrize("raw, expected", [("z:l1:n1:s1#2", "z:l1:n1:s1"), ("loss#2", "loss"),
                                           ("a:l1:n1:s1#3", "z:l2:n1:s1")])
def test_another_occurrence_of_a_step_opens_that_step(raw, expected):
    at = start(preset="note000", step=raw)
    assert not at.exception and at.session_state["step_id"] == expected


def test_the_full_url_of_a_note_in_fill_mode_presenting_in_chinese():
    at = start(preset="note002", view="full", step="a:l1:n1:s2", mode="fill", lang="zh", present="1")
    assert not at.exception and not at.warning
    data = stepper_data(at)
    assert data["step"] == "a:l1:n1:s2" and data["present"] is True and isinstance(data["fill"], str)
    assert payload(at)["lang"] == "zh" and steps(at)["a:l1:n1:s2"]["value"] == "0.62481"  # σ(0.15·0.8 + 0.2·0.2 + 0.35) = σ(0.51)
    assert dict(at.query_params) == {"preset": "note002", "view": "full", "step": "a:l1:n1:s2", "mode": "fill",
                                     "lang": "zh", "present": "1"}


# --- handouts of an exercise follow its template ---------------------------------------------------------------

def test_an_exercise_of_note004_keeps_the_matrix_form_the_note_writes():
    own = export(compute_trace(load_preset("note004")), "markdown", view="note")
    exercise = export(compute_trace(generate("note004", 3)), "markdown", view="note")
    heading = "## Matrix form (as note 004 writes it)"
    assert heading in own and heading in exercise
    latex = export(compute_trace(generate("note004", 3)), "latex", view="note")
    assert "Matrix form (as note 004 writes it)" in latex


def test_an_exercise_of_the_two_hidden_layers_does_not_call_a_positive_weight_negative():
    trace = compute_trace(generate("note004_two_hidden", 0))
    assert trace.value("w:l3:n1:k2") == 0.7  # W₁₀ of this exercise is positive
    for lang, claim in (("en", "with this preset's weights W₁₀ is negative"), ("zh", "按本预设的权重，W₁₀ 是负数")):
        caption = {v.id: v.rendered.caption for v in noteview.render_view(trace, RenderOptions(lang=lang), "note")}
        assert claim not in caption["note:eqA_h4"]


# --- the diagram's values in the note view -------------------------------------------------------------------

def test_note002_opens_without_values_the_note_has_not_computed():
    """Note 002's first item is the network's structure, (i₁, i₂) → (a_h1, a_h2) → a_o, in symbols: the diagram
    must not show a_h1 = σ(0.15·0.05 + 0.2·0.1 + 0.35) = σ(0.3775) = 0.59327 there, twelve lines before the note
    computes it; it shows it from the note's own line on."""
    at = start(preset="note002")
    data = payload(at)
    ids = [s["id"] for s in data["steps"]]
    assert ids[0] == "note:structure" and "0.59327" not in json.dumps(data["steps"][0], ensure_ascii=False)
    far = data.get("far", {})
    for written in ("a:l1:n1:s1", "a:l1:n2:s1", "a:l2:n1:s1"):
        assert written not in far or far[written][0] >= ids.index(written), (written, far.get(written))
    assert steps(at)["a:l1:n1:s1"]["value"] == "0.59327"
