"""Smoke test: the app's front page renders with no Python exception and no broken LaTeX."""

from streamlit_page import ARTIFACTS, exceptions, goto_app, katex_errors


def test_front_page_renders(page, app_server):
    goto_app(page, app_server)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "smoke-front-page.png"), full_page=True)
    assert page.locator('[data-testid="stMain"]').is_visible()
    assert exceptions(page) == []
    assert katex_errors(page) == 0
