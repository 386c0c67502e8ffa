"""The app through Streamlit's AppTest: pages, stepping, the URL, editing, bad input, language, presentation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from engine import compute_trace, load_preset, noteview
from engine.render import RenderOptions

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def start(**query: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def stepper(at: AppTest) -> tuple[dict, dict]:
    """The stepper component's data as the browser gets it: (the mount's data, the parsed payload)."""
    (element,) = at.get("bidi_component")
    data = json.loads(element.proto.json)
    return data, json.loads(data["payload"])


def formula(at: AppTest) -> str:
    """The LaTeX the stepper shows first (the server's current step)."""
    data, payload = stepper(at)
    return payload["steps"][data["position"] - payload["offset"]]["latex"]


def report(at: AppTest, **state) -> AppTest:
    """What the browser does when the learner pauses: set the component's state (one rerun)."""
    (element,) = at.get("bidi_component")
    widgets = at._tree.get_widget_states()
    widget = widgets.widgets.add()
    widget.id = element.proto.id
    seq = at.session_state["_stepper_seq"]
    reports = {name: value if name == "raw" else {**value, "seq": value.get("seq", seq), "n": 1}
               for name, value in state.items()}
    widget.json_value = json.dumps({"step": None, "want": None} | reports.pop("raw", {}) | reports)
    return at._run(widgets)


def open_editor(at: AppTest) -> AppTest:
    at.session_state["exp_editor"] = True
    return at.run()


def grid(at: AppTest, kind: str, layer: int | None = None) -> str:
    version = at.session_state["editor_version"]
    return f"grid_{kind}" + (f"_l{layer}" if layer else "") + f"_v{version}"


def edit_cells(at: AppTest, key: str, rows: dict[int, dict[str, str]]) -> AppTest:
    at.session_state[key] = {"edited_rows": rows, "added_rows": [], "deleted_rows": []}
    return at.run()


def texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [b.label for b in at.button] + [e.value for e in at.error]
    parts += [w.value for w in at.warning]
    return "\n".join(str(p) for p in parts)


def test_every_page_runs():
    at = start()
    assert not at.exception
    assert at.session_state["step_id"] == "note:why"  # as in the note: note 000 starts with why we need gradients
    for page in ("pages/about.py", "pages/check.py", "pages/step_through.py"):
        at.switch_page(page).run()
        assert not at.exception, page
    at.switch_page("pages/about.py").run()
    assert any("000_529b48cadf9d314e.txt" in str(d.value) for d in at.dataframe) or \
        "000_529b48cadf9d314e.txt" in texts(at)


def test_the_browser_gets_every_step_in_one_message():
    at = start(preset="note002", view="full")
    data, payload = stepper(at)
    trace = compute_trace(load_preset("note002"))
    expected = noteview.render_view(trace, RenderOptions(decimals=5), "full")  # note 002 writes 5 decimals
    assert payload["total"] == len(expected) and payload["offset"] == 0
    assert {v.step for v in expected if v.step} == {s.id for s in trace.steps}  # full detail: every step
    assert [s["id"] for s in payload["steps"]] == [v.id for v in expected]
    assert [s["latex"] for s in payload["steps"]] == [v.rendered.latex for v in expected]
    assert data["step"] == expected[0].id and data["position"] == 0
    assert data["katex_base"] == "/app/static/katex/"
    assert Path(APP).parent.joinpath("static/katex/katex.min.js").is_file()


def test_stepping_costs_the_server_nothing_until_the_learner_pauses():
    at = start(preset="note000")
    first = formula(at)
    assert first.startswith(r"w^{+} = w - \eta")  # note 000's first line: the update rule
    seq = stepper(at)[0]["seq"]
    report(at, step={"id": "dE_dw:l2:n1:k1"})  # the browser's report, after a pause
    assert not at.exception
    assert at.session_state["step_id"] == "dE_dw:l2:n1:k1"
    assert at.query_params["step"] == "dE_dw:l2:n1:k1"
    data, _ = stepper(at)
    assert data["seq"] == seq  # the server does not move the learner back: the browser may be further on
    assert any('data-step-id="dE_dw:l2:n1:k1"' in h.value for h in at.html)
    report(at, step={"id": "no:such:step"})  # a forged report is ignored
    assert not at.exception and at.session_state["step_id"] == "dE_dw:l2:n1:k1"
    report(at, step={"id": "z:l1:n1:s1", "seq": seq - 1})  # made before the server last moved the learner: void
    assert at.session_state["step_id"] == "dE_dw:l2:n1:k1"
    report(at, raw={"step": "z:l1:n1:s1"})  # not a report at all
    assert not at.exception and at.session_state["step_id"] == "dE_dw:l2:n1:k1"


def test_a_report_after_a_pause_costs_no_resend_of_the_trace():
    at = start(preset="note002")
    first, _ = stepper(at)
    report(at, step={"id": "dE_dw:l2:n1:k1"})
    again, _ = stepper(at)
    assert again == first  # the same element: Streamlit sends a reference to it, not the trace again
    assert at.session_state["step_id"] == "dE_dw:l2:n1:k1"


def test_the_server_moves_the_learner_only_when_it_means_to():
    at = start(preset="note000", step="10")
    seq = stepper(at)[0]["seq"]
    at.selectbox(key="sel_preset").set_value("note002").run()
    data, _ = stepper(at)
    assert data["step"] == "note:structure" and data["seq"] > seq  # note 002 starts with the network's structure


def test_phase_jumps_go_to_the_first_step_of_each_phase():
    at = start(preset="note002", view="full")
    _, payload = stepper(at)
    ids = [s["id"] for s in payload["steps"]]
    firsts = {phase: ids[i] for phase, i in payload["firsts"].items()}
    # as note 002 writes it: its set-up first, E1 right after sample 1's forward pass
    assert firsts["forward"] == "note:structure"
    assert ids.index("sample_loss:s1") < ids.index("z:l1:n1:s2")
    at = start(preset="tanh_2_2_2")  # not a note: the engine's order
    _, payload = stepper(at)
    ids = [s["id"] for s in payload["steps"]]
    firsts = {phase: ids[i] for phase, i in payload["firsts"].items()}
    assert {phase: firsts[phase].split(":")[0].removeprefix("check.") for phase in firsts} == {
        "forward": "z", "loss": "sample_loss", "backward": "dE_da", "update": "new_w", "check": "z"}
    assert all(ids.index(firsts[p]) < ids.index(firsts[q]) for p, q in
               (("forward", "loss"), ("loss", "backward"), ("backward", "update"), ("update", "check")))


def test_url_opens_a_step_by_id():
    at = start(preset="note000", step="dE_dw:l2:n1:k1")
    assert not at.exception
    assert at.session_state["step_id"] == "dE_dw:l2:n1:k1"
    assert stepper(at)[0]["step"] == "dE_dw:l2:n1:k1"
    assert "w_5" in formula(at) and "1.3125" in formula(at)
    assert not at.warning


def test_precision_follows_the_note_until_the_learner_chooses():
    at = start(preset="note002", step="z:l1:n1:s1")
    assert "0.37750" in formula(at)  # note 002 writes 5 decimals
    assert "precision" not in at.query_params
    at.selectbox(key="precision").set_value("d3").run()
    assert "0.378" in formula(at) and at.query_params["precision"] == "d3"
    at.selectbox(key="sel_preset").set_value("note000").run()
    assert at.session_state["_precision"] == "d3"  # the learner's choice outlives the preset
    at = start(preset="note000", precision="d2")
    assert at.session_state["_precision"] == "d2" and at.query_params["precision"] == "d2"
    at = start(preset="note000", precision="<b>x</b>")
    assert any("precision" in w.value for w in at.warning) and at.session_state["_precision"] == "auto"


def test_url_opens_a_step_by_position_and_language():
    at = start(preset="note001", step="3", lang="zh")
    assert at.session_state["step_pos"] == 2
    assert stepper(at)[0]["words"]["next"] == "下一步"
    assert json.loads(stepper(at)[0]["payload"])["lang"] == "zh"
    assert at.query_params["lang"] == "zh"


@pytest.mark.parametrize("query, fragment", [
    ({"preset": "nope"}, "nope"),
    ({"preset": "note000", "step": "dE_dw:l9"}, "dE_dw:l9"),
    ({"preset": "note000", "step": "999"}, "999"),
    ({"lang": "fr"}, "fr"),
])
def test_bad_url_values_fall_back_with_a_notice(query, fragment):
    at = start(**query)
    assert not at.exception
    assert any(fragment in w.value for w in at.warning)
    assert at.session_state["step_pos"] == 0
    assert at.session_state["preset_id"] in ("note000", query.get("preset"))


def test_choosing_a_preset_resets_to_its_first_step():
    at = start(preset="note000", step="10")
    at.selectbox(key="sel_preset").set_value("note002").run()
    assert not at.exception
    assert at.session_state["preset_id"] == "note002"
    assert at.session_state["step_pos"] == 0
    assert at.query_params["preset"] == "note002"


def test_editing_a_weight_changes_the_numbers():
    at = open_editor(start(preset="note000", step="dE_dw:l2:n1:k1"))
    assert "1.05 \\cdot 1.25" in formula(at)  # the note's form: 1.05 · h_1 = 1.05 · 1.25
    edit_cells(at, grid(at, "w", 2), {0: {"h₁": "2"}})  # w5 = 2: y = 2 * 1.25 + 3.8 = 6.3, dE/dy = 2.3
    assert not at.exception
    assert "2.3 \\cdot 1.25" in formula(at)  # an edited note keeps the note's order and forms
    assert at.session_state["source"] == "edited"
    assert json.loads(at.session_state["config_text"])["layers"][1]["weights"][0][0] == 2


@pytest.mark.parametrize("cell, words", [("abc", "'abc' is not a number"), ("", "empty"), ("nan", "'nan'")])
def test_bad_input_keeps_the_last_valid_network(cell, words):
    at = open_editor(start(preset="note000", step="dE_dw:l2:n1:k1"))
    before_text, before_formula = at.session_state["config_text"], formula(at)
    edit_cells(at, grid(at, "w", 2), {0: {"h₁": cell}})
    assert not at.exception
    assert any(words in e.value and "w₅" in e.value for e in at.error)
    assert at.session_state["config_text"] == before_text
    assert formula(at) == before_formula
    edit_cells(at, grid(at, "w", 2), {0: {"h₁": "1"}})  # fixed again: the message goes
    assert not at.error


def test_bad_settings_are_named_and_do_not_crash():
    at = open_editor(start(preset="note000"))
    before = at.session_state["config_text"]
    at.text_input(key="ed_lr").set_value("-0.1").run()
    assert not at.exception
    assert any("learning_rate" in e.value for e in at.error)
    assert at.session_state["config_text"] == before
    at.text_input(key="ed_lr").set_value("0,2").run()  # a decimal comma is a number
    assert not at.error
    assert json.loads(at.session_state["config_text"])["learning_rate"] == 0.2


def test_changing_the_structure_keeps_a_valid_network():
    at = open_editor(start(preset="note000"))
    at.number_input(key="ed_layers").set_value(3).run()
    assert not at.exception
    assert len(json.loads(at.session_state["config_text"])["layers"]) == 3
    at.number_input(key="ed_neurons_l1").set_value(3).run()
    assert not at.exception
    config = json.loads(at.session_state["config_text"])
    assert len(config["layers"][0]["weights"]) == 3 and len(config["layers"][1]["weights"][0]) == 3
    at.button(key="btn_reset").click().run()
    assert at.session_state["config_text"] == at.session_state["base_text"]


def test_upload_a_config_and_a_bad_one():
    at = open_editor(start())
    config = load_preset("note001").to_config()
    config["learning_rate"] = 0.25
    at.file_uploader(key="upload_config").set_value(("mine.json", json.dumps(config).encode(), "application/json"))
    at.run()
    assert not at.exception
    assert json.loads(at.session_state["config_text"])["learning_rate"] == 0.25
    assert at.session_state["source"] == "upload"
    before = at.session_state["config_text"]
    at.file_uploader(key="upload_config").set_value(("bad.json", b'{"layers": [], "learning_rat": 1}', "application/json"))
    at.run()
    assert not at.exception
    assert any("bad.json" in e.value for e in at.error)
    assert at.session_state["config_text"] == before


def test_language_toggle_changes_the_text():
    at = start()
    assert stepper(at)[0]["words"]["next"] == "Next"
    at.segmented_control(key="lang").set_value("zh").run()
    assert not at.exception
    assert stepper(at)[0]["words"]["next"] == "下一步"
    assert at.query_params["lang"] == "zh"
    at.switch_page("pages/about.py").run()
    assert not at.exception
    assert any("快捷键" in h.value for h in at.header)


def test_presentation_mode_keeps_only_the_stepper():
    at = start(preset="note000")
    assert at.sidebar.selectbox
    at.toggle(key="present").set_value(True).run()
    assert not at.exception
    assert not at.sidebar.selectbox
    assert not at.data_editor
    assert at.query_params["present"] == "1"
    assert stepper(at)[0]["present"] is True
    at2 = start(present="1")
    assert at2.session_state["_present"] is True


def test_the_servers_step_is_in_the_page():
    at = start(preset="note000", step="7")
    step = at.session_state["step_id"]
    assert any(f'data-step-id="{step}"' in h.value and "bt-server-step" in h.value for h in at.html)


def test_matrix_view_opens_on_demand():
    at = start(preset="note004", step="40")
    assert not at.latex
    at.session_state["exp_matrix"] = True
    at.run()
    assert not at.exception
    assert any("W" in m.value for m in at.latex)


def test_downloads_are_offered():
    at = start(preset="note000")
    keys = {b.key for b in at.sidebar.download_button} if hasattr(at.sidebar, "download_button") else \
        {b.key for b in at.download_button}
    assert {"dl_markdown", "dl_latex", "dl_csv", "dl_config"} <= keys


def test_a_long_trace_is_stepped_in_windows():
    from test_stepper_data import _wide

    from ui import stepper_data

    at = open_editor(start())
    at.file_uploader(key="upload_config").set_value(("wide.json", json.dumps(_wide(12)).encode(), "application/json"))
    at.run()
    assert not at.exception
    data, payload = stepper(at)
    assert payload["total"] > stepper_data.FULL_LIMIT and len(payload["steps"]) == stepper_data.WINDOW
    assert payload["offset"] == 0
    report(at, want={"pos": payload["total"] - 1})  # the learner pressed End: the browser asks for that part
    assert not at.exception
    data, payload = stepper(at)
    assert payload["offset"] + len(payload["steps"]) == payload["total"]
    assert at.session_state["step_pos"] == payload["total"] - 1
    assert data["step"] == "z:l1:n1:s1"  # the server did not move the learner; the browser is at the end already
    assert "far" in payload and payload["far"]["a:l1:n1:s1"][0] == 1  # values the diagram needs from before
    report(at, want={"pos": 10 ** 9})  # out of range: ignored
    assert not at.exception and at.session_state["step_pos"] == payload["total"] - 1


def test_a_note_opens_as_in_the_note_with_its_lines_under_the_steps():
    at = start(preset="note000")
    _, payload = stepper(at)
    trace = compute_trace(load_preset("note000"))
    assert [s["id"] for s in payload["steps"]] == list(noteview.view_index(trace, "note").ids)
    steps = {s["id"]: s for s in payload["steps"]}
    slip = steps["dE_da:l2:n1:s1"]["note"]
    assert slip["kind"] == "slip" and "line 57" in slip["text"] and "−1.05" in slip["text"]
    assert "-1.05" in slip["line"]  # the note's own line, as text
    assert steps["note:why"].get("explain") and not any(s.get("added") for s in payload["steps"])
    # the values the note never writes still reach the diagram, from the line that first needs them
    assert payload["far"]["a:l1:n1:s1"][0] == [s["id"] for s in payload["steps"]].index("z:l1:n1:s1")
    assert "view" not in at.query_params  # the default is not written to the URL
    at.segmented_control(key="lang").set_value("zh").run()
    _, payload = stepper(at)
    assert "笔记第 57 行" in {s["id"]: s for s in payload["steps"]}["dE_da:l2:n1:s1"]["note"]["text"]


def test_full_detail_adds_the_tutors_steps_and_keeps_the_learners_place():
    at = start(preset="note000", step="dE_dw:l2:n1:k1")
    at.segmented_control(key="view").set_value("full").run()
    assert not at.exception
    _, payload = stepper(at)
    added = [s["id"] for s in payload["steps"] if s.get("added")]
    assert "delta:l2:n1:s1" in added and "dE_dw:l2:n1:k1" not in added
    assert at.session_state["step_id"] == "dE_dw:l2:n1:k1" and at.query_params["view"] == "full"
    report(at, step={"id": "a:l1:n1:s1"})  # a step only full detail has
    at.segmented_control(key="view").set_value("note").run()
    assert at.session_state["step_id"] == "z:l2:n1:s1"  # the note's line that first needs it
    assert stepper(at)[0]["step"] == "z:l2:n1:s1"


def test_the_view_comes_from_the_url_and_a_bad_one_is_named():
    at = start(preset="note002", view="full", step="a:l1:n1:s2")
    assert at.session_state["step_id"] == "a:l1:n1:s2"
    at = start(preset="note002", view="sideways")
    assert any("sideways" in w.value for w in at.warning)
    assert stepper(at)[0]["step"] == "note:structure"


def test_networks_without_a_note_have_no_view_switch():
    at = start(preset="tanh_2_2_2")
    assert not [w for w in at.segmented_control if w.key == "view"]
    _, payload = stepper(at)
    assert [s["id"] for s in payload["steps"]] == [st.id for st in compute_trace(load_preset("tanh_2_2_2")).steps]
