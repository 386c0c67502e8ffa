"""Helpers for driving a running Streamlit app with Playwright (sync API).

How "Streamlit has finished" is detected (checked against Streamlit 1.67's frontend bundle):
the app root ``[data-testid="stApp"]`` carries two attributes that the frontend keeps current,
``data-test-connection-state`` (``CONNECTED`` once the websocket is up) and
``data-test-script-state`` (``initial`` before the first run, then ``running`` /
``rerunRequested`` / ``notRunning`` / ``compilationError``). Streamlit's own e2e suite waits on
these. The running-man icon in ``[data-testid="stStatusWidget"]`` is NOT a reliable signal on
its own: it only appears after a delay, so a fast rerun never shows it.

Gotcha: those DOM attributes are not enough after an interaction. A fast rerun (a few ms) goes
running -> notRunning inside one React render batch, so the attribute never visibly changes, and
right after a click it still reads ``notRunning`` before the rerun has even started. So
``expect_rerun(page)`` counts the server's ``script_finished`` messages on the app's websocket
(decoded with Streamlit's own protobufs) and waits for one more, then for the DOM to be idle.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlencode

if TYPE_CHECKING:
    from playwright.sync_api import Page

# Screenshots and the server log go here (gitignored).
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"

APP = '[data-testid="stApp"]'
CONNECTED = f'{APP}[data-test-connection-state="CONNECTED"]'
IDLE = f'{APP}[data-test-script-state="notRunning"], {APP}[data-test-script-state="compilationError"]'
RUNNING_ICON = '[data-testid="stStatusWidgetRunningIcon"]'
EXCEPTION = '[data-testid="stException"]'
KATEX_ERROR = ".katex-error"
SKELETON = '[data-testid="stSkeleton"]'

DEFAULT_TIMEOUT_MS = 30_000


def wait_for_app_idle(page: Page, timeout_ms: int = DEFAULT_TIMEOUT_MS, settle_ms: int = 100) -> None:
    """Wait until the app is connected, its script run has finished and the page has painted."""
    page.wait_for_selector(CONNECTED, state="attached", timeout=timeout_ms)
    page.wait_for_selector(IDLE, state="attached", timeout=timeout_ms)
    # The status widget leaves with a 200 ms transition; lazily loaded elements show a skeleton.
    page.locator(RUNNING_ICON).wait_for(state="detached", timeout=timeout_ms)
    page.locator(SKELETON).first.wait_for(state="detached", timeout=timeout_ms)
    if settle_ms:
        page.wait_for_timeout(settle_ms)


def app_url(base_url: str, query: str | dict[str, str] = "", path: str = "") -> str:
    """Build the URL of a page of the app: `query` is "a=1&b=2" (with or without "?") or a dict."""
    if isinstance(query, dict):
        query = urlencode(query)
    query = query.lstrip("?")
    url = base_url.rstrip("/") + "/" + path.lstrip("/")
    return f"{url}?{query}" if query else url


def goto_app(
    page: Page,
    base_url: str,
    query: str | dict[str, str] = "",
    path: str = "",
    timeout_ms: int = DEFAULT_TIMEOUT_MS,
) -> None:
    """Open the app (optionally a page path and query string) and wait until it is idle."""
    watch_script_runs(page)
    page.goto(app_url(base_url, query, path), wait_until="domcontentloaded", timeout=timeout_ms)
    wait_for_app_idle(page, timeout_ms)


def watch_script_runs(page: Page) -> None:
    """Count finished script runs from the app's websocket. Idempotent; call before `page.goto`.

    The `page` fixture and `goto_app` call it, so tests rarely need to.
    """
    if getattr(page, "_bt_script_runs", None) is not None:
        return
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    early = ForwardMsg.ScriptFinishedStatus.FINISHED_EARLY_FOR_RERUN
    runs = {"finished": 0}
    page._bt_script_runs = runs

    def on_frame(payload: bytes | str) -> None:
        if isinstance(payload, str):
            return
        try:
            msg = ForwardMsg.FromString(payload)
        except Exception:  # noqa: BLE001 - not a ForwardMsg: ignore the frame
            return
        if msg.WhichOneof("type") == "script_finished" and msg.script_finished != early:
            runs["finished"] += 1

    def on_websocket(ws) -> None:
        if ws.url.endswith("/_stcore/stream"):
            ws.on("framereceived", on_frame)

    page.on("websocket", on_websocket)


def script_runs_finished(page: Page) -> int:
    """How many script runs (reruns and fragment runs) have finished since the page was watched."""
    runs = getattr(page, "_bt_script_runs", None)
    if runs is None:
        raise RuntimeError("call watch_script_runs(page) before opening the app")
    return runs["finished"]


@contextmanager
def expect_rerun(page: Page, timeout_ms: int = DEFAULT_TIMEOUT_MS) -> Iterator[None]:
    """Around an interaction that triggers a rerun: wait for that rerun to finish and render.

    Times out if the interaction caused no rerun (e.g. clicking an option already selected).
    """
    before = script_runs_finished(page)
    yield
    deadline = time.monotonic() + timeout_ms / 1000
    # Playwright's sync API delivers websocket events only while it waits, so wait in small steps.
    while script_runs_finished(page) <= before:
        if time.monotonic() > deadline:
            raise TimeoutError(f"no Streamlit script run finished within {timeout_ms} ms")
        page.wait_for_timeout(20)
    wait_for_app_idle(page, timeout_ms)


def katex_errors(page: Page) -> int:
    """Number of LaTeX snippets KaTeX failed to render (it draws them as `.katex-error`)."""
    return page.locator(KATEX_ERROR).count()


def exceptions(page: Page) -> list[str]:
    """Texts of the Python exceptions Streamlit shows on the page (empty when none)."""
    return page.locator(EXCEPTION).all_inner_texts()
