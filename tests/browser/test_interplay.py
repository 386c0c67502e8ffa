"""Note views, fill-in mode and exercises together, in a real browser (the stepper's own JavaScript decides these).

Note 000 by hand: h1 = 0.5·1 + 1.5·0.5 = 1.25, h2 = 2.3·1 + 3·0.5 = 3.8, y = 5.05, E = ½(5.05 − 4)² = 0.55125 (one
sample: the batch's E is that sample's E). Note 004: the new W¹₁₁ = 0.2 + ΔW¹₁₁ = 0.2 + 0.008744620851 = 0.2087446209.
"""

from __future__ import annotations

from playwright.sync_api import expect
from streamlit_page import STEPPER_ROOT_JS, exceptions, expect_rerun, open_stepper, stepper_state

VERDICT = ".bt-fill-verdict"
INPUT = ".bt-fill-input"
FORMULA = ".bt-formula .katex-mathml annotation"
NODE_VALUE_JS = f"""key => {{ const r = {STEPPER_ROOT_JS};
  const g = [...r.querySelectorAll('.bt-node')].find(g => g.querySelector('.bt-node-name').textContent === key);
  return g.querySelector('.bt-node-value').textContent; }}"""


def page_errors(page) -> list[str]:
    return [e for e in page.console_errors if "favicon" not in e]


def answer(page, text: str, kind: str = "correct") -> str:
    page.locator(INPUT).fill(text)
    page.locator(".bt-fill-btn[data-fill=check]").click()
    box = page.locator(f'{VERDICT}[data-verdict="{kind}"]')
    box.wait_for(state="visible", timeout=15_000)
    return box.inner_text()


def test_fill_in_asks_for_the_new_weight_where_the_notes_line_starts_with_its_change(page, app_server):
    state = open_stepper(page, app_server, {"preset": "note004", "mode": "fill", "step": "new_w:l1:n1:k1"})
    assert state["id"] == "new_w:l1:n1:k1"
    assert state["tex"] == r"{W^{1}_{11}}_{\text{new}} = {?}", state["tex"]  # not "\Delta W^1_{11} = ?"
    assert "0.2087" not in page.locator(".bt-stepper").inner_text()
    assert "✓" in answer(page, "0.2087446209")
    assert r"= 0.2000 + 0.0087 \\ &= 0.2087" in stepper_state(page)["tex"]  # the note's whole line (4 decimals)
    assert exceptions(page) == [] and page_errors(page) == []


def test_the_error_box_shows_e_once_the_samples_e_is_answered(page, app_server):
    for view, later in (("full", "da_dz:l2:n1:s1"), ("note", "dE_dw:l2:n1:k1")):
        state = open_stepper(page, app_server, {"preset": "note000", "mode": "fill", "view": view,
                                                "step": "sample_loss:s1"})
        assert state["tex"] == "E = {?}"
        assert page.evaluate(NODE_VALUE_JS, "E") == "?"  # not answered yet: nothing shown
        assert "✓" in answer(page, "0.55125")
        expect(page.locator(FORMULA)).to_contain_text("0.55125")
        assert page.evaluate(NODE_VALUE_JS, "E") == "0.55125", view  # the value just typed: no "?"
        page.keyboard.press("Enter")  # marked: Enter goes on
        assert stepper_state(page, "sample_loss:s1")["id"] == later
        assert page.evaluate(NODE_VALUE_JS, "E") == "0.55125", view
        assert page.evaluate(NODE_VALUE_JS, "h₁") == "?"  # never answered: still hidden
    page.keyboard.press("Escape")  # out of the answer box
    page.keyboard.press("End")  # as in the note: its closing remark writes E again, and is still asked (and counted)
    state = stepper_state(page, later)
    assert state["id"] == "loss" and state["tex"] == "E = {?}", state["tex"]  # not "0.3388 < 0.55125 = ?"
    assert page.evaluate(NODE_VALUE_JS, "E⁺") == "?"  # the check phase's box: E⁺ = 0.3388 was never answered
    assert "0.3388" not in page.locator(".bt-formula").inner_text()
    assert exceptions(page) == [] and page_errors(page) == []


def test_switching_the_view_in_fill_mode_keeps_the_answers_and_the_step(page, app_server):
    state = open_stepper(page, app_server, {"preset": "note000", "mode": "fill", "step": "z:l1:n1:s1"})
    assert state["tex"] == "h_1 = {?}"
    assert "✓" in answer(page, "1.25")
    page.wait_for_function("() => new URLSearchParams(location.search).get('step') === 'z:l1:n1:s1'")
    with expect_rerun(page):
        page.locator(".st-key-view button").filter(has_text="Full detail").click()
    page.wait_for_function(f"() => {STEPPER_ROOT_JS}.querySelector('.bt-counter').textContent.endsWith('48')")
    now = stepper_state(page)
    assert now["id"] == "z:l1:n1:s1" and "1.25" in now["tex"] and not now["tex"].endswith("{?}")
    assert page.evaluate(NODE_VALUE_JS, "h₁") == "?"  # full detail asks for h1's output (a step of its own)
    assert exceptions(page) == [] and page_errors(page) == []


def test_note002_shows_a_neurons_value_from_the_notes_line_on(page, app_server):
    """Note 002 opens on the network's structure, in symbols; aₕ₁ = σ(0.15·0.05 + 0.2·0.1 + 0.35) = σ(0.3775) =
    0.59327 is computed twelve items later (not in fill mode: this is the plain stepper)."""
    state = open_stepper(page, app_server, {"preset": "note002"})
    assert state["id"] == "note:structure"
    assert page.evaluate(NODE_VALUE_JS, "aₕ₁") == "?" and page.evaluate(NODE_VALUE_JS, "aₒ") == "?"
    state = open_stepper(page, app_server, {"preset": "note002", "step": "a:l1:n1:s1"})
    assert state["position"] == 13 and page.evaluate(NODE_VALUE_JS, "aₕ₁") == "0.59327"
    assert page.evaluate(NODE_VALUE_JS, "aₒ") == "?"  # written four items later
    assert exceptions(page) == [] and page_errors(page) == []
