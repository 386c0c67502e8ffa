"""Exercises and worksheets in Chromium (issue 12): the Practice page's printed sheet (KaTeX, print media, a student a
page) and `/?exercise=ID&seed=N` on Step through."""

from urllib.parse import parse_qs, urlparse

from streamlit_page import exceptions, expect_rerun, goto_app, katex_errors, stepper_state

from engine import compute_trace, noteview
from engine.exercise import generate

SHEET = ".st-key-pr_sheet"


def pdf_pages(pdf: bytes) -> int:
    return pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages")


def open_print_view(page, button: str) -> None:
    with expect_rerun(page):
        page.get_by_role("button", name=button, exact=True).click()
    page.locator(f"{SHEET} .katex").first.wait_for()


def test_the_practice_page_prints_a_worksheet_with_katex_and_no_chrome(page, app_server):
    goto_app(page, app_server, {"exercise": "note002", "seed": "7"}, path="practice")
    assert exceptions(page) == []
    assert page.locator("h1").first.inner_text() == "Practice"
    open_print_view(page, "Print worksheet")
    assert exceptions(page) == [] and katex_errors(page) == 0
    sheet = page.locator(SHEET)
    assert "Exercise: Note 002" in sheet.locator("h1").first.inner_text()
    assert "(seed 7)" in sheet.locator("h1").first.inner_text()
    assert sheet.locator(".katex").count() > 40  # the givens, the equations and every numbered line
    assert page.locator('[data-testid="stSidebar"]').is_visible()
    page.emulate_media(media="print")
    assert not page.locator('[data-testid="stSidebar"]').is_visible()
    assert not page.locator(".st-key-pr_toolbar").is_visible()
    assert not page.locator('header[data-testid="stHeader"]').is_visible()
    assert sheet.is_visible()
    page.emulate_media(media="screen")
    with expect_rerun(page):
        page.get_by_role("button", name="Back to Practice").click()
    open_print_view(page, "Print answer key")
    assert katex_errors(page) == 0 and exceptions(page) == []
    assert page.locator(SHEET).locator("h1").first.inner_text().startswith("Answer key")


def test_a_class_pack_prints_each_student_on_a_new_page(page, app_server):
    goto_app(page, app_server, {"exercise": "note000", "seed": "1"}, path="practice")
    names = page.locator(".st-key-pk_names textarea")
    names.fill("Ada Lovelace\n[x](https://evil)\n<b>Grace</b>")
    with expect_rerun(page):
        names.press("Control+Enter")  # a text area sends its value on Ctrl+Enter (or when it loses the focus)
    page.get_by_text("3 students").wait_for()
    open_print_view(page, "Print all worksheets")
    assert katex_errors(page) == 0 and exceptions(page) == []
    sheet = page.locator(SHEET)
    assert sheet.locator("hr").count() == 2
    assert sheet.locator('a:not([href^="#"])').count() == 0  # the names are text: no link but headings' anchors
    assert sheet.locator("b").count() == 0
    text = sheet.inner_text().replace("\u2060", "")
    assert "[x](https://evil)" in text and "<b>Grace</b>" in text
    page.emulate_media(media="print")
    assert pdf_pages(page.pdf()) >= 3  # the whole pack is printed (the app's scrolling box does not cut it short)
    # each student starts a page: a page break after each separator
    breaks = page.evaluate("""(sel) => [...document.querySelectorAll(sel + ' hr')]
        .map(hr => getComputedStyle(hr).breakAfter)""", SHEET)
    assert breaks == ["page", "page"]


def test_an_exercise_link_opens_its_first_step_on_step_through(page, app_server):
    goto_app(page, app_server, {"exercise": "note000", "seed": "3"})
    assert exceptions(page) == []
    step = noteview.view_index(compute_trace(generate("note000", 3)), "note").ids[0]
    state = stepper_state(page)
    assert (state["id"], state["position"]) == (step, 1)
    assert state["katexErrors"] == 0
    heading = page.locator(".st-key-header h4").inner_text()
    assert heading.startswith("Exercise: Note 000") and heading.endswith("seed 3")
    query = {k: v[-1] for k, v in parse_qs(urlparse(page.url).query).items()}
    assert (query.get("exercise"), query.get("seed"), query.get("v")) == ("note000", "3", "1"), page.url
    assert "preset" not in query


def test_a_hostile_name_in_an_exercise_link_is_text(page, app_server):
    goto_app(page, app_server, {"exercise": "note002", "name": "[x](https://evil) <b>b</b>", "assignment": "hw"})
    assert exceptions(page) == []
    heading = page.locator(".st-key-header h4")
    assert heading.locator('a:not([href^="#"])').count() == 0 and heading.locator("b").count() == 0
    assert "[x](https://evil) <b>b</b>" in heading.inner_text().replace("\u2060", "")
    assert page.locator('a[href*="evil"]:not([href^="#"])').count() == 0  # (a heading's own anchor is "#...")
