"""Fill-in mode in Step through (ui/fillin.py, the stepper's fill-in section) in a real browser: type, Enter, marked.

Note 000 by hand: h1 = w1·x1 + w2·x2 = 0.5·1 + 1.5·0.5 = 1.25; h2 = w3·x1 + w4·x2 = 2.3·1 + 3·0.5 = 3.8, and with w3 and
w4 swapped 3·1 + 2.3·0.5 = 4.15; E = ½(y − t)² = ½(5.05 − 4)² = 0.55125, and without the ½ 1.1025.
"""

from __future__ import annotations

import re

from playwright.sync_api import expect
from streamlit_page import (
    STEPPER_ROOT_JS,
    exceptions,
    open_stepper,
    rerun_requests,
    stepper_now,
    stepper_state,
)

VERDICT = ".bt-fill-verdict"
INPUT = ".bt-fill-input"
SCORE = ".bt-fill-score"
IN_BOX_JS = f"() => {{ const r = {STEPPER_ROOT_JS}; return !!r && r.activeElement === r.querySelector('.bt-fill-input'); }}"
NODE_VALUE_JS = f"""key => {{ const r = {STEPPER_ROOT_JS};
  const g = [...r.querySelectorAll('.bt-node')].find(g => g.querySelector('.bt-node-name').textContent === key);
  return g.querySelector('.bt-node-value').textContent; }}"""


def page_errors(page) -> list[str]:
    return [e for e in page.console_errors if "favicon" not in e]


def verdict(page, kind: str) -> str:
    box = page.locator(f'{VERDICT}[data-verdict="{kind}"]')
    box.wait_for(state="visible", timeout=15_000)
    return box.inner_text()


def test_fill_in_note000_with_the_keyboard(page, app_server):
    state = open_stepper(page, app_server, {"preset": "note000", "mode": "fill", "step": "z:l1:n1:s1"})
    assert state["id"] == "z:l1:n1:s1" and state["tex"] == "h_1 = {?}"  # the symbol only: no value leaks
    assert page.evaluate(NODE_VALUE_JS, "h₁") == "?" and page.evaluate(NODE_VALUE_JS, "y") == "?"
    assert "1.25" not in page.locator(".bt-stepper").inner_text()
    # typing a number goes into the box; the stepper's keys do nothing there
    asked = len(rerun_requests(page))
    page.keyboard.type("1.25")
    assert page.evaluate(IN_BOX_JS) and page.locator(INPUT).input_value() == "1.25"
    for key in ("ArrowRight", "ArrowLeft", "End", "Home", "PageDown", "r"):
        page.keyboard.press(key)
        assert stepper_now(page)["id"] == "z:l1:n1:s1", f"{key} in the box moved the stepper"
    assert page.locator(INPUT).input_value() == "r1.25"  # Home put the caret first; "r" is typed, no Streamlit rerun
    page.wait_for_timeout(300)
    assert rerun_requests(page)[asked:] == []  # Streamlit's "r" (rerun) did not fire
    page.keyboard.press("Backspace")
    page.keyboard.press("Enter")
    text = verdict(page, "correct")
    assert "✓" in text and "Correct" in text and "1.25" in text
    state = stepper_state(page)
    assert "1.25" in state["tex"] and state["id"] == "z:l1:n1:s1"  # revealed with the verdict
    expect(page.locator(".bt-values tbody tr").first).to_contain_text("1.25 ✓")  # the values so far, with the mark
    expect(page.locator(SCORE)).to_contain_text(re.compile(r"^1 correct · 0 carried · 0 wrong · 0 revealed of \d+"))
    # Enter again: the next step (h2), its box ready
    page.keyboard.press("Enter")
    state = stepper_state(page, "z:l1:n1:s1")
    assert state["id"] == "z:l1:n2:s1" and state["tex"] == "h_2 = {?}"
    page.wait_for_function(IN_BOX_JS)
    page.keyboard.type("4.15")  # w3 and w4 swapped: 3·1 + 2.3·0.5
    page.keyboard.press("Enter")
    text = verdict(page, "wrong")
    assert "✗" in text and "Wrong" in text
    why = page.locator(f"{VERDICT} .bt-fill-why").inner_text()
    assert "4.15" in why and "3.8" in why and "w3 ↔ w4" in why, why  # the likely mistake, named
    expect(page.locator(SCORE)).to_contain_text(re.compile(r"^1 correct · 0 carried · 1 wrong · 0 revealed of \d+"))
    # a hint: the formula in symbols only (? in the box), then Esc leaves the box and → steps
    page.keyboard.press("Enter")
    state = stepper_state(page, "z:l1:n2:s1")
    assert state["id"] == "z:l2:n1:s1"
    page.wait_for_function(IN_BOX_JS)
    page.keyboard.press("?")
    expect(page.locator(".bt-formula .katex-mathml annotation")).to_have_text("y = w_5 h_1 + w_6 h_2 = {?}")
    assert page.locator(INPUT).input_value() == ""
    page.keyboard.type("abc")
    page.keyboard.press("Enter")
    assert "'abc' is not a number" in verdict(page, "error")  # one message, as text; the box keeps the focus
    assert page.evaluate(IN_BOX_JS) and stepper_now(page)["id"] == "z:l2:n1:s1"
    page.keyboard.press("Escape")
    page.keyboard.press("ArrowRight")
    state = stepper_state(page, "z:l2:n1:s1")
    assert state["tex"].endswith("= {?}")
    page.keyboard.press("Alt+h")  # the hint from outside the box too
    page.wait_for_function(
        f"() => {{ const a = {STEPPER_ROOT_JS}.querySelector('.bt-formula .katex-mathml annotation');"
        " return a && (a.textContent.match(/=/g) || []).length >= 2; }")
    hint = page.locator(".bt-formula .katex-mathml annotation").text_content()
    assert not re.search(r"\d\.\d", hint), hint  # symbols, no values
    page.locator(".bt-fill-btn[data-fill=reveal]").click()
    assert "Revealed" in verdict(page, "revealed")
    expect(page.locator(SCORE)).to_contain_text(re.compile(r"^1 correct · 0 carried · 1 wrong · 1 revealed of \d+"))
    assert not stepper_state(page)["tex"].endswith("{?}")
    page.locator(".bt-fill-btn[data-fill=restart]").click()
    expect(page.locator(SCORE)).to_contain_text(re.compile(r"^0 correct · 0 carried · 0 wrong · 0 revealed of \d+"))
    assert stepper_state(page)["tex"].endswith("= {?}")
    assert exceptions(page) == []
    assert page_errors(page) == []


def test_fill_in_in_chinese_names_the_mistake(page, app_server):
    state = open_stepper(page, app_server, {"preset": "note000", "mode": "fill", "lang": "zh", "step": "sample_loss:s1"})
    assert state["id"] == "sample_loss:s1" and state["tex"] == "E = {?}"
    for name, word in (("check", "检查"), ("hint", "提示"), ("reveal", "显示答案"), ("restart", "重新开始")):
        expect(page.locator(f".bt-fill-btn[data-fill={name}]")).to_have_text(word)
    page.locator(INPUT).fill("1.1025")  # (5.05 − 4)²: the ½ dropped
    page.locator(".bt-fill-btn[data-fill=check]").click()
    text = verdict(page, "wrong")
    assert "错误" in text and "1.1025" in text
    assert "平方误差" in page.locator(f"{VERDICT} .bt-fill-why").inner_text()
    expect(page.locator(SCORE)).to_contain_text(re.compile(r"^正确 0 · 带错 0 · 错误 1 · 显示答案 0 · 共 \d+ 步"))
    assert exceptions(page) == []
    assert page_errors(page) == []
