"""Links in a real browser: /check?lang=zh and /about?lang=zh open in Chinese and keep lang=zh; a / link opens
its step in Chinese.

Until some session has run app.py's st.navigation, a fresh server treats pages/ as Streamlit's legacy
page directory and runs pages/check.py or pages/about.py directly for /check or /about (the bug: English
and lang=en). So the first test here opens /check before anything else: run this file on its own
(`pytest -m browser tests/browser/test_urls.py`) to get that fresh server; tests/test_urls.py covers the
same first visit through AppTest whatever the order.
"""

from urllib.parse import parse_qs, urlparse

from streamlit_page import exceptions, goto_app, stepper_state, wait_url_step

from engine import compute_trace, load_preset, noteview

NAV_STEP_ZH = "逐步演算"  # app.py's navigation, in Chinese: the page went through the router


def query_of(url: str) -> dict[str, str]:
    return {key: values[-1] for key, values in parse_qs(urlparse(url).query).items()}


def nav_texts(page) -> str:
    return " ".join(page.locator('[data-testid="stSidebarNav"]').all_inner_texts())


def test_check_and_about_links_open_in_chinese(page, app_server):
    for path, title in (("check", "检查我的演算"), ("about", "反向传播导师")):
        goto_app(page, app_server, {"lang": "zh"}, path=path)
        assert exceptions(page) == [], path
        assert page.locator("h1").first.inner_text() == title, path
        assert urlparse(page.url).path == f"/{path}"
        assert query_of(page.url).get("lang") == "zh", page.url
        assert NAV_STEP_ZH in nav_texts(page), path


def test_a_step_link_opens_in_chinese_at_that_step(page, app_server):
    goto_app(page, app_server, "lang=zh&preset=note001&step=3")
    assert exceptions(page) == []
    step = noteview.view_index(compute_trace(load_preset("note001")), "note").ids[2]  # as in the note
    state = stepper_state(page)  # the stepper component (in its shadow root, which Playwright's locators pierce)
    assert (state["id"], state["position"]) == (step, 3)
    assert "下一步" in page.locator(".bt-btn[data-action=next]").inner_text()
    wait_url_step(page, step)
    query = query_of(page.url)
    assert (query.get("lang"), query.get("preset"), query.get("step")) == ("zh", "note001", step), page.url
