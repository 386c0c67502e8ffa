"""Check my work in a real browser: paste a hand calculation with one wrong number, press Check, read the marks."""

from streamlit_page import ARTIFACTS, exceptions, expect_rerun, goto_app, katex_errors, wait_for_app_idle

ANSWERS = """h1 = 1.25
y = 5.05
dE/dw5 = 1.05 × 1.25 = 1.3125
w5+ = 1.13125
∂E/∂w1 = 1.05"""  # w5+ is wrong: 1 + 0.1 × 1.3125, the update in the wrong direction


def test_check_marks_a_pasted_calculation(page, app_server):
    goto_app(page, app_server, path="check")
    assert exceptions(page) == []
    page.locator(".st-key-paste textarea").fill(ANSWERS)
    with expect_rerun(page):
        page.locator(".st-key-btn_check button").click()
    page.locator(".st-key-chk_first_wrong").wait_for(state="visible")
    wait_for_app_idle(page)

    cells = page.locator('.st-key-chk_results [data-testid="stDataFrame"] td')
    marks = [text for text in cells.all_inner_texts() if text.startswith(("✓", "↪", "✗"))]
    assert marks.count("✓ correct") == 4 and marks.count("✗ wrong") == 1, marks
    assert "update in the wrong direction (w + η·g)" in cells.all_inner_texts()
    assert "4 / 5 marks — 1 distinct error" in page.locator(".st-key-chk_results").inner_text()

    first = page.locator(".st-key-chk_first_wrong")
    assert "First wrong answer: w5+" in first.inner_text()
    assert "the update went the wrong way" in first.inner_text()
    first.locator(".katex").first.wait_for(state="visible")
    assert first.locator('[data-testid="stPlotlyChart"]').count() == 1
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "check-page.png"), full_page=True)
    assert katex_errors(page) == 0
    assert exceptions(page) == []
