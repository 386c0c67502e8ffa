"""The app through Streamlit's AppTest: pages, stepping, the URL, editing, bad input, language, presentation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from engine import load_preset

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def start(**query: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def formula(at: AppTest) -> str:
    """The current step's LaTeX (the first st.latex on the step-through page)."""
    return at.latex[0].value


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
    assert at.session_state["step_id"] == "z:l1:n1:s1"
    for page in ("pages/about.py", "pages/check.py", "pages/step_through.py"):
        at.switch_page(page).run()
        assert not at.exception, page
    at.switch_page("pages/about.py").run()
    assert any("000_529b48cadf9d314e.txt" in str(d.value) for d in at.dataframe) or \
        "000_529b48cadf9d314e.txt" in texts(at)


def test_next_and_previous_change_the_formula():
    at = start(preset="note000")
    first = formula(at)
    assert "h_1" in first and "1.25" in first
    at.button(key="btn_next").click().run()
    second = formula(at)
    assert second != first
    assert at.query_params["step"] == at.session_state["step_id"]
    at.button(key="btn_prev").click().run()
    assert formula(at) == first
    at.button(key="btn_last").click().run()
    assert at.session_state["step_id"] == "loss_change"
    assert at.button(key="btn_next").disabled
    at.button(key="btn_first").click().run()
    assert formula(at) == first
    assert at.button(key="btn_prev").disabled


def test_buttons_have_keyboard_shortcuts():
    at = start()
    shortcuts = {key: at.button(key=key).proto.shortcut for key in ("btn_first", "btn_prev", "btn_next", "btn_last")}
    assert {k: v.lower() for k, v in shortcuts.items()} == {"btn_first": "home", "btn_prev": "left", "btn_next": "right",
                                                          "btn_last": "end"}


def test_jump_to_each_phase():
    at = start(preset="note002")
    for key, phase in (("jump_backward", "backward"), ("jump_update", "update"), ("jump_check", "check"),
                       ("jump_error", "loss"), ("jump_forward", "forward")):
        at.button(key=key).click().run()
        step = at.session_state["step_id"]
        assert step.split(":")[0].removeprefix("check.") in {
            "forward": ("z",), "loss": ("sample_loss",), "backward": ("dE_da",), "update": ("new_w", "new_b"),
            "check": ("z",)}[phase], (key, step)


def test_url_opens_a_step_by_id():
    at = start(preset="note000", step="dE_dw:l2:n1:k1")
    assert not at.exception
    assert at.session_state["step_id"] == "dE_dw:l2:n1:k1"
    assert "w_5" in formula(at) and "1.3125" in formula(at)
    assert not at.warning


def test_url_opens_a_step_by_position_and_language():
    at = start(preset="note001", step="3", lang="zh")
    assert at.session_state["step_pos"] == 2
    assert at.button(key="btn_next").label == "下一步"
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
    assert "1.05 \\times 1.25" in formula(at)
    edit_cells(at, grid(at, "w", 2), {0: {"h₁": "2"}})  # w5 = 2: y = 2 * 1.25 + 3.8 = 6.3, dE/dy = 2.3
    assert not at.exception
    assert "2.3 \\times 1.25" in formula(at)
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
    assert at.button(key="btn_next").label == "Next"
    at.segmented_control(key="lang").set_value("zh").run()
    assert not at.exception
    assert at.button(key="btn_next").label == "下一步"
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
    assert at.button(key="btn_next")
    at2 = start(present="1")
    assert at2.session_state["_present"] is True


def test_step_id_is_in_the_page():
    at = start(preset="note000", step="7")
    step = at.session_state["step_id"]
    assert any(f'data-step-id="{step}"' in h.value and 'id="current-step"' in h.value for h in at.html)


def test_history_and_matrix_view_open_on_demand():
    at = start(preset="note004", step="40")
    shown = len(at.latex)
    at.session_state["exp_history"] = True
    at.session_state["exp_matrix"] = True
    at.run()
    assert not at.exception
    assert len(at.latex) > shown + 40  # the 40 steps so far, and the matrix blocks
    assert any("W" in m.value for m in at.latex[1:])


def test_downloads_are_offered():
    at = start(preset="note000")
    keys = {b.key for b in at.sidebar.download_button} if hasattr(at.sidebar, "download_button") else \
        {b.key for b in at.download_button}
    assert {"dl_markdown", "dl_latex", "dl_csv", "dl_config"} <= keys
