"""The stepper's keys, as presenters expect them (reveal.js's map), in a real browser.

Next = → ↓ PageDown Space n N; Previous = ← ↑ PageUp Shift+Space p P; Home/End; B or "." blanks the screen
(any key or a click brings it back); F toggles full screen; keys are ignored while a text field has the focus;
Streamlit's own single-letter hotkeys ("r" rerun, "c" clear caches) do not fire while stepping. A press is
handled in the page, synchronously in a keydown listener, so the state is checked right after the press; the
server hears about the step once, 450 ms after the last press.
"""

from __future__ import annotations

import pytest
from streamlit_page import (
    blur,
    exceptions,
    open_stepper,
    press_step,
    pump,
    rerun_requests,
    script_runs_finished,
    server_step,
    stepper_now,
    wait_server_step,
)

from engine import compute_trace, load_preset, noteview

PRESET = "note002"
BLANK = '[data-testid="bt-blank"]'


@pytest.fixture
def ids() -> list[str]:
    """The steps the page steps through: note 002 as the note writes it (its own lines, in its order)."""
    trace = compute_trace(load_preset(PRESET))
    return list(noteview.view_index(trace, noteview.default_view(trace.network)).ids)


@pytest.fixture
def stepper(page, app_server) -> dict:
    """note002 open at its first step, the app idle and the server in step with the page."""
    state = open_stepper(page, app_server, {"preset": PRESET})
    wait_server_step(page, state["id"])
    return state


def page_errors(page) -> list[str]:
    return [e for e in page.console_errors if "favicon" not in e]


KEY_PAIRS = [  # (next, previous)
    ("PageDown", "PageUp"),  # a presenter's clicker
    ("Space", "Shift+Space"),
    ("n", "p"),
    ("N", "P"),
    ("ArrowDown", "ArrowUp"),
    ("ArrowRight", "ArrowLeft"),
]


def test_next_and_previous_keys(page, stepper, ids):
    """Each pair in one page (a page load costs more than all the presses)."""
    state = stepper
    for forward, back in KEY_PAIRS:
        for i in (1, 2, 3):
            state = press_step(page, forward, state["id"])
            assert (state["id"], state["position"]) == (ids[i], i + 1), f"{forward} to step {i + 1}"
        state = press_step(page, back, state["id"])
        assert (state["id"], state["position"]) == (ids[2], 3), back
        state = press_step(page, "End", state["id"])
        assert state["id"] == ids[-1]
        page.keyboard.press(forward)  # at the last step: stays there
        assert stepper_now(page)["id"] == ids[-1], forward
        state = press_step(page, "Home", state["id"])
        assert state["id"] == ids[0]
        page.keyboard.press(back)  # at the first step: stays there
        assert stepper_now(page)["id"] == ids[0], back
        assert page.evaluate("() => window.scrollY") == 0, f"{forward}/{back} scrolled the page"
    assert page_errors(page) == []


def test_blanking_the_screen(page, stepper, ids):
    state = press_step(page, "ArrowRight", stepper["id"])
    blank = page.locator(BLANK)
    for key in ("b", "B", "."):
        page.keyboard.press(key)
        blank.wait_for(state="visible")
        assert page.evaluate(f"() => document.querySelector('{BLANK}').parentElement === document.body")
        colour, box = page.evaluate(f"""() => {{ const b = document.querySelector('{BLANK}');
            return [getComputedStyle(b).backgroundColor, b.getBoundingClientRect().toJSON()]; }}""")
        assert colour == "rgb(0, 0, 0)", key
        assert (box["x"], box["y"], box["width"], box["height"]) == (0, 0, 1280, 900), key
        page.keyboard.press("ArrowRight")  # any key brings the screen back, and does nothing else
        assert blank.count() == 0, key
        assert stepper_now(page)["id"] == state["id"], f"the key that ended {key}'s blank moved the stepper"
    page.keyboard.press("b")
    blank.wait_for(state="visible")
    page.keyboard.press("x")
    assert blank.count() == 0
    page.keyboard.press(".")
    blank.wait_for(state="visible")
    blank.click()  # a click too
    assert blank.count() == 0
    state = press_step(page, "ArrowRight", state["id"])
    assert state["id"] == ids[2]
    assert page_errors(page) == []


def test_keys_are_ignored_while_a_text_field_has_the_focus(page, stepper, ids):
    combobox = page.locator(".st-key-precision input[role=combobox]")
    combobox.focus()
    for key in ("ArrowRight", "n", "PageDown", "End", "b", "Space"):
        page.keyboard.press(key)
        assert stepper_now(page)["id"] == ids[0], f"{key} moved the stepper while the selectbox had the focus"
        assert page.locator(BLANK).count() == 0, key
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    blur(page)
    state = press_step(page, "ArrowRight", ids[0])
    assert state["id"] == ids[1]


def test_arrow_keys_on_the_language_switch_belong_to_it(page, stepper, ids):
    """The language switch is a radio group: its arrow keys move between its options, not through the steps."""
    page.locator(".st-key-lang button").first.focus()
    for key in ("ArrowRight", "ArrowLeft", "Home", "End"):
        page.keyboard.press(key)
        assert stepper_now(page)["id"] == ids[0], f"{key} on the language switch moved the stepper"
    blur(page)
    assert press_step(page, "ArrowRight", ids[0])["id"] == ids[1]


def test_a_held_key_repeats_steps_but_not_blanking(page, stepper, ids):
    page.keyboard.down("b")
    page.keyboard.down("b")  # an auto-repeat
    page.keyboard.up("b")
    assert page.locator(BLANK).count() == 1
    page.keyboard.press("x")
    assert page.locator(BLANK).count() == 0
    assert stepper_now(page)["id"] == ids[0]


def test_streamlit_hotkeys_do_not_fire_while_stepping(page, stepper, ids):
    """"r" would rerun the app, "c" would offer to clear the caches: while stepping both are the stepper's."""
    before = len(rerun_requests(page))
    runs = script_runs_finished(page)
    state = press_step(page, "ArrowRight", stepper["id"])
    page.keyboard.press("r")
    page.keyboard.press("R")
    page.keyboard.press("c")
    state = press_step(page, "ArrowRight", state["id"])
    assert state["id"] == ids[2]
    wait_server_step(page, ids[2])  # the one debounced sync: a rerun of the stepper's fragment
    pump(page, lambda: script_runs_finished(page) > runs, what="the sync's script run")
    sent = rerun_requests(page)[before:]
    assert sent and all(fragment for fragment in sent), f"a whole-app rerun was requested: {sent}"
    assert len(sent) == 1, sent
    assert page.locator('[role="dialog"]').count() == 0  # no "Clear caches" dialog
    assert stepper_now(page)["id"] == ids[2]


def test_f_toggles_full_screen_without_errors(page, stepper):
    page.keyboard.press("f")  # a headless browser may refuse: then nothing happens, and nothing is thrown
    page.wait_for_function("() => document.readyState === 'complete'")
    page.keyboard.press("F")
    page.keyboard.press("Escape")
    state = press_step(page, "ArrowRight", stepper["id"])
    assert state["position"] == 2
    assert page_errors(page) == []
    assert exceptions(page) == []


def test_fifty_presses_make_at_most_two_server_runs(page, app_server):
    trace = compute_trace(load_preset(PRESET))
    ids = list(noteview.view_index(trace, "full").ids)  # full detail: more than 50 steps
    state = open_stepper(page, app_server, {"preset": PRESET, "view": "full"})
    wait_server_step(page, state["id"])
    runs, sent = script_runs_finished(page), len(rerun_requests(page))
    for _ in range(50):
        state = press_step(page, "ArrowRight", state["id"])
    assert state["id"] == ids[50]
    wait_server_step(page, ids[50])
    pump(page, lambda: script_runs_finished(page) > runs, what="the sync's script run")
    assert server_step(page) == ids[50]
    assert script_runs_finished(page) - runs <= 2, "script runs for 50 presses"
    assert len(rerun_requests(page)) - sent <= 2, "rerun requests for 50 presses"
    assert stepper_now(page)["id"] == ids[50]  # the server's run did not move the learner
