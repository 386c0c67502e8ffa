"""Links to a page other than the default one: /check?lang=zh and /about?lang=zh, through AppTest.

On a fresh server Streamlit runs in its legacy `pages/`-directory mode until some session has called
st.navigation, so opening /check runs pages/check.py directly, without app.py (the router that calls
state.init()). AppTest starts every run in that mode, so switching page before the first run is
exactly that first visit. The pages must still read the URL (state.page_lang) and honour it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from engine import compute_trace, load_preset, noteview
from ui import state

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def open_page(page: str, **query: str) -> AppTest:
    """A session whose first run is `page` with `query` in the URL (no run of the default page first)."""
    at = AppTest.from_file(APP, default_timeout=30)
    for key, value in query.items():
        at.query_params[key] = value
    at.switch_page(page).run()
    assert not at.exception
    return at


@pytest.mark.parametrize("page, title", [("pages/check.py", "检查我的演算"), ("pages/about.py", "反向传播导师")])
def test_a_page_opened_directly_keeps_the_language_of_its_url(page, title):
    at = open_page(page, lang="zh")
    assert at.title[0].value == title
    assert at.session_state["_lang"] == "zh"
    assert at.segmented_control(key="lang").value == "zh"
    assert at.query_params["lang"] == "zh"  # not rewritten to lang=en


@pytest.mark.parametrize("page, title", [("pages/check.py", "Check my work"), ("pages/about.py", "Backprop Tutor")])
def test_a_page_opened_directly_without_a_language_is_in_english(page, title):
    at = open_page(page)
    assert at.title[0].value == title
    assert at.query_params["lang"] == "en"


def test_a_bad_language_on_a_page_falls_back_with_a_notice():
    at = open_page("pages/check.py", lang="xx")
    assert at.title[0].value == "Check my work"
    assert at.query_params["lang"] == "en"
    at.switch_page("pages/step_through.py").run()
    assert any("xx" in w.value for w in at.warning)


def stepper_words(at: AppTest) -> dict:
    """The words the stepper component was sent (its buttons' labels)."""
    (element,) = at.get("bidi_component")
    return json.loads(element.proto.json)["words"]


def test_the_rest_of_a_page_url_is_read_too():
    """present, preset and step in an /about link: the session starts from them, as from a / link."""
    at = open_page("pages/about.py", lang="zh", present="1", preset="note001", step="3")
    assert at.session_state["_present"] is True
    assert at.session_state["preset_id"] == "note001"
    step = noteview.view_index(compute_trace(load_preset("note001")), "note").ids[2]  # the third step of the view
    assert at.session_state["step_id"] == step
    at.switch_page("pages/step_through.py").run()
    assert not at.exception
    assert at.query_params["lang"] == "zh"
    assert at.query_params["present"] == "1"
    assert at.query_params["preset"] == "note001"
    assert at.query_params["step"] == step
    assert stepper_words(at)["next"] == "下一步"


def test_the_default_page_opens_at_the_step_of_its_url_in_chinese():
    at = AppTest.from_file(APP, default_timeout=30)
    for key, value in {"lang": "zh", "preset": "note001", "step": "3"}.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception
    # a position counts in the view shown: as in the note, note 001's third item is its initial values
    assert at.session_state["step_id"] == noteview.view_index(compute_trace(load_preset("note001")), "note").ids[2]
    assert stepper_words(at)["next"] == "下一步"
    assert at.query_params["lang"] == "zh"


def test_the_check_pages_network_keeps_its_value_across_a_language_switch():
    assert "chk_preset" in state.TRANSLATED
    at = open_page("pages/check.py")
    at.selectbox(key="chk_preset").set_value("note002").run()
    at.segmented_control(key="lang").set_value("zh").run()
    assert not at.exception
    assert at.title[0].value == "检查我的演算"
    assert at.selectbox(key="chk_preset").value == "note002"
    # a switch on another page, where the Check page's selectbox is not drawn, is fine too
    at.switch_page("pages/step_through.py").run()
    at.segmented_control(key="lang").set_value("en").run()
    assert not at.exception
    at.switch_page("pages/check.py").run()
    assert not at.exception
    assert at.title[0].value == "Check my work"
    assert at.selectbox(key="chk_preset").value == "note002"
