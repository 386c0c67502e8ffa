"""Hostile input in a real browser (issue 8): a crafted URL, a hostile upload, a huge hostile paste.

The page keeps working; nothing from user text becomes a link, an image or a box larger than the viewport
(checked in the document and in the stepper's open shadow root); a second session stays responsive while
the first uploads the largest allowed network or pastes a huge line.
"""

from __future__ import annotations

import json
import random
import time
from pathlib import Path

import pytest
from streamlit_page import exceptions, expect_rerun, goto_app, wait_for_app_idle

from engine import load_preset
from engine.config import MAX_LAYERS, MAX_NEURONS, MAX_SAMPLES

ROOT = Path(__file__).resolve().parent.parent.parent
PAGE_ESCAPES = "safe." in (ROOT / "pages" / "step_through.py").read_text(encoding="utf-8")

EVIL = "evil.example"
LINK = f"[click](https://{EVIL}/phish)"
IMAGE = f"![i](http://{EVIL}/y.png)"
HTML = f'<a href="https://{EVIL}/a">a</a><img src="http://{EVIL}/i.png">'
RULE = r"$\rule{2000px}{1500px}$"
COLOR = r"$\colorbox{red}{\Huge HUGE}$"
TITLE = f"{LINK} {IMAGE} {RULE} <b>b</b> www.{EVIL}"
SECOND_SESSION_S = 5.0  # a rerun of another session while the first works: at most this long

# Every element of the page, in the document and in open shadow roots (the stepper component).
ALL_ELEMENTS_JS = """() => {
  const out = [];
  const walk = (root) => { for (const e of root.querySelectorAll('*')) { out.push(e); if (e.shadowRoot) walk(e.shadowRoot); } };
  walk(document);
  return out;
}"""

EVIL_LINKS_JS = f"""() => {{
  const all = ({ALL_ELEMENTS_JS})();
  return all.filter(e => (e.matches('a[href], img[src], image, iframe, object, embed') &&
                          ((e.getAttribute('href') || '') + (e.getAttribute('src') || '') +
                           (e.getAttribute('xlink:href') || '')).includes('{EVIL}'))
                         || (e.matches('a[href^="http"], img[src^="http"]') && !e.closest('[data-testid="stSidebar"]')
                             && !e.closest('header') && (e.getAttribute('href') || e.getAttribute('src')).includes('{EVIL}')))
            .map(e => e.outerHTML.slice(0, 200));
}}"""

OVERSIZED_JS = f"""() => {{
  const W = window.innerWidth, H = window.innerHeight;
  const all = ({ALL_ELEMENTS_JS})();
  return all.filter(e => e.matches('.katex, .katex *, [data-testid="stAlert"], [data-testid="stMarkdownContainer"] *, '
                                   + '[data-testid="stHeading"], [data-testid="stCaptionContainer"], svg text'))
            .filter(e => {{ const r = e.getBoundingClientRect(); return r.width > W + 2 || r.height > H; }})
            .map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().width) + 'x'
                      + Math.round(e.getBoundingClientRect().height));
}}"""


def visible_texts(texts: list[str]) -> list[str]:
    """Texts as a reader sees them (ui.safe puts an invisible WORD JOINER before a URL)."""
    return [t.replace("\u2060", "") for t in texts]


def assert_nothing_live(page) -> None:
    assert page.evaluate(EVIL_LINKS_JS) == []
    assert page.evaluate(OVERSIZED_JS) == []
    assert exceptions(page) == []


def open_editor(page) -> None:
    summary = page.locator(".st-key-exp_editor summary")
    with expect_rerun(page):
        summary.click()
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').wait_for(state="attached")


def upload(page, name: str, data: bytes) -> None:
    with expect_rerun(page, timeout_ms=120_000):
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
            files=[{"name": name, "mimeType": "application/json", "buffer": data}])
    wait_for_app_idle(page, timeout_ms=120_000)


def largest_config() -> bytes:
    rng = random.Random(7)
    n = MAX_NEURONS
    layers = [{"activation": "sigmoid", "weights": [[rng.uniform(-1, 1) for _ in range(n)] for _ in range(n)],
               "bias": [0.1] * n} for _ in range(MAX_LAYERS)]
    samples = [{"x": [rng.random() for _ in range(n)], "target": [0.5] * n} for _ in range(MAX_SAMPLES)]
    return json.dumps({"title": "largest", "layers": layers, "learning_rate": 0.1, "samples": samples}).encode()


def test_a_crafted_url_shows_its_values_as_text(page, app_server):
    goto_app(page, app_server, {"preset": f"[x](https://{EVIL}/p)", "lang": IMAGE, "step": f"<b>x</b>{RULE}",
                                "present": HTML})
    alerts = visible_texts(page.locator('[data-testid="stAlert"]').all_inner_texts())
    assert any(f"[x](https://{EVIL}/p)" in a for a in alerts), alerts  # shown literally
    assert any("<b>x</b>" in a for a in alerts), alerts
    assert_nothing_live(page)
    page.locator("#current-step").wait_for(state="attached")  # the stepper is there (note000, step 1)


def test_a_hostile_upload_that_is_refused_says_why_as_text(page, app_server):
    goto_app(page, app_server)
    open_editor(page)
    config = load_preset("note001").to_config()
    config[LINK] = 1  # an unknown key, echoed in the error
    upload(page, f"{LINK}.json", json.dumps(config).encode())
    errors = visible_texts(page.locator('[data-testid="stAlert"]').all_inner_texts())
    assert any(LINK in e for e in errors), errors
    assert_nothing_live(page)
    config = load_preset("note001").to_config()
    config["notation"] = {"loss": r"\rule{2000px}{1500px}", "inputs": [f"<a href='https://{EVIL}'>i</a>", "x"]}
    upload(page, "notation.json", json.dumps(config).encode())
    assert_nothing_live(page)
    page.locator("#current-step").wait_for(state="attached")


@pytest.mark.xfail(not PAGE_ESCAPES, reason="pages/step_through.py has to show the title through ui.safe", strict=True)
def test_a_hostile_title_and_description_are_shown_as_text(page, app_server):
    goto_app(page, app_server)
    open_editor(page)
    config = load_preset("note001").to_config()
    config.update(title=TITLE, description={"en": f"{LINK} {HTML} {RULE} {COLOR}", "zh": LINK}, source=LINK)
    upload(page, "hostile.json", json.dumps(config).encode())
    assert LINK in visible_texts([page.locator('[data-testid="stMain"]').inner_text()])[0]
    page.locator(".st-key-header").wait_for(state="attached")
    summary = page.locator('[data-testid="stExpander"] summary').first
    summary.click()
    page.wait_for_timeout(300)
    assert_nothing_live(page)


def test_a_huge_hostile_paste_keeps_the_page_and_another_session_working(browser, page, app_server):
    goto_app(page, app_server, path="check")
    other = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    try:
        goto_app(other, app_server, path="check")
        line = f"{LINK} = 1\n{IMAGE} = 2\n{HTML} = 3\nh1 = 1" + " " * 60_000 + "2\n" + f"{RULE} = 4\n" * 2000
        page.locator(".st-key-paste textarea").fill(line)
        page.locator(".st-key-btn_check button").click()  # the first session's run starts; don't wait for it
        t0 = time.monotonic()
        with expect_rerun(other, timeout_ms=30_000):
            other.locator(".st-key-btn_check button").click()
        assert time.monotonic() - t0 < SECOND_SESSION_S
        wait_for_app_idle(page, timeout_ms=120_000)
        assert_nothing_live(page)
        assert exceptions(other) == []
    finally:
        other.context.close()


def test_another_session_stays_responsive_while_the_largest_network_is_uploaded(browser, page, app_server):
    goto_app(page, app_server)
    open_editor(page)
    other = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    try:
        goto_app(other, app_server, path="check")
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
            files=[{"name": "largest.json", "mimeType": "application/json", "buffer": largest_config()}])
        page.wait_for_timeout(500)  # the upload has reached the server, the first session is working on it
        times = []
        for _ in range(3):
            t0 = time.monotonic()
            with expect_rerun(other, timeout_ms=30_000):
                other.locator(".st-key-btn_check button").click()
            times.append(time.monotonic() - t0)
        assert max(times) < SECOND_SESSION_S, times
        assert exceptions(other) == []
        wait_for_app_idle(page, timeout_ms=180_000)
        assert exceptions(page) == []
    finally:
        other.context.close()
