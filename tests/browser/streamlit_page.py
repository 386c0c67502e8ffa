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
    """Count finished script runs from the app's websocket, and the rerun requests the browser sends.

    Idempotent; call before `page.goto`. The `page` fixture and `goto_app` call it, so tests rarely need to.
    """
    if getattr(page, "_bt_script_runs", None) is not None:
        return
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    early = ForwardMsg.ScriptFinishedStatus.FINISHED_EARLY_FOR_RERUN
    runs = {"finished": 0}
    page._bt_script_runs = runs
    requests: list[str] = []  # one per rerun the browser asked for: its fragment id, "" for a whole-app rerun
    page._bt_rerun_requests = requests

    def decoded(proto, payload: bytes | str):
        """A binary frame as `proto` (BackMsg or ForwardMsg); None for a text frame or another message."""
        if isinstance(payload, str):
            return None
        try:
            return proto.FromString(payload)
        except Exception:  # noqa: BLE001 - not this message: ignore the frame
            return None

    def on_sent(payload: bytes | str) -> None:
        msg = decoded(BackMsg, payload)
        if msg is not None and msg.WhichOneof("type") == "rerun_script":
            requests.append(msg.rerun_script.fragment_id)

    def on_frame(payload: bytes | str) -> None:
        msg = decoded(ForwardMsg, payload)
        if msg is not None and msg.WhichOneof("type") == "script_finished" and msg.script_finished != early:
            runs["finished"] += 1

    def on_websocket(ws) -> None:
        if ws.url.endswith("/_stcore/stream"):
            ws.on("framereceived", on_frame)
            ws.on("framesent", on_sent)

    page.on("websocket", on_websocket)


def script_runs_finished(page: Page) -> int:
    """How many script runs (reruns and fragment runs) have finished since the page was watched."""
    runs = getattr(page, "_bt_script_runs", None)
    if runs is None:
        raise RuntimeError("call watch_script_runs(page) before opening the app")
    return runs["finished"]


def rerun_requests(page: Page) -> list[str]:
    """The reruns the browser has asked for since the page was watched: each one's fragment id ("" = whole app)."""
    requests = getattr(page, "_bt_rerun_requests", None)
    if requests is None:
        raise RuntimeError("call watch_script_runs(page) before opening the app")
    return requests


def pump(page: Page, until, timeout_ms: int = DEFAULT_TIMEOUT_MS, what: str = "condition") -> None:
    """Wait until `until()` is true. Playwright's sync API delivers websocket events only while it waits,
    so this waits in small steps (for conditions on counted websocket messages)."""
    deadline = time.monotonic() + timeout_ms / 1000
    while not until():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} not reached within {timeout_ms} ms")
        page.wait_for_timeout(20)


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


# --- the stepper (ui/stepper_component/): a components-v2 component in an open shadow root -------------------
#
# Playwright's CSS locators pierce open shadow roots (`page.locator("#current-step")` finds it); code running in
# the page must go through the host's shadowRoot: STEPPER_ROOT_JS is an expression for it (null until mounted).

STEPPER_ROOT_JS = """(() => {
  const cached = window.__btTestRoot;
  if (cached && cached.host && cached.host.isConnected && cached.querySelector('.bt-stepper')) return cached;
  const host = [...document.querySelectorAll('*')].find(e => e.shadowRoot && e.shadowRoot.querySelector('.bt-stepper'));
  window.__btTestRoot = host ? host.shadowRoot : null;
  return window.__btTestRoot;
})()"""

# The stepper's current step once it is painted with KaTeX and differs from `old` (false until then).
STEPPER_STATE_JS = """(old) => {
  const root = __ROOT__;
  if (!root) return false;
  const line = root.querySelector('#current-step');
  const formula = root.querySelector('.bt-formula');
  if (!line || !line.dataset.stepId || line.dataset.stepId === old) return false;
  const annotation = formula.querySelector('.katex-mathml annotation');
  if (!annotation) return false;
  const active = root.querySelector('.bt-phase.bt-active');
  const callout = root.querySelector('.bt-callout');
  return {
    id: line.dataset.stepId,
    position: Number(line.dataset.position),
    wrapId: root.querySelector('.bt-stepper').dataset.stepId,
    tex: annotation.textContent,
    broken: formula.classList.contains('bt-broken'),
    caption: root.querySelector('.bt-caption').textContent,
    callout: callout.hidden ? null : callout.textContent,
    counter: root.querySelector('.bt-counter').textContent,
    phase: active ? active.dataset.phase : null,
    nextDisabled: root.querySelector('.bt-btn[data-action=next]').disabled,
    previousDisabled: root.querySelector('.bt-btn[data-action=previous]').disabled,
    katexErrors: root.querySelectorAll('.katex-error').length + document.querySelectorAll('.katex-error').length,
    exceptions: document.querySelectorAll('[data-testid="stException"]').length,
  };
}""".replace("__ROOT__", STEPPER_ROOT_JS)

SERVER_STEP = ".bt-server-step[data-step-id]"  # the step the server knows (after the debounced sync's rerun)


def stepper_state(page: Page, old: str = "", timeout_ms: int = DEFAULT_TIMEOUT_MS) -> dict:
    """The stepper's current step (see STEPPER_STATE_JS), waiting until it is painted and is not `old`."""
    handle = page.wait_for_function(STEPPER_STATE_JS, arg=old, polling="raf", timeout=timeout_ms)
    return handle.json_value()


def stepper_now(page: Page) -> dict | None:
    """The stepper's current step right now, without waiting (None when it is not painted)."""
    return page.evaluate(f"() => ({STEPPER_STATE_JS})('') || null")


def open_stepper(page: Page, base_url: str, query: str | dict[str, str] = "",
                 timeout_ms: int = 60_000) -> dict:
    """Open the step-through page and wait until the app is idle and the stepper shows a formula."""
    goto_app(page, base_url, query, timeout_ms=timeout_ms)
    return stepper_state(page, timeout_ms=timeout_ms)


def press_step(page: Page, key: str, old: str, timeout_ms: int = 10_000) -> dict:
    """Press a key that moves the stepper away from step `old`; the new step once painted."""
    page.keyboard.press(key)
    # The stepper handles a key synchronously in its keydown listener: usually the new step is there already.
    now = page.evaluate(STEPPER_STATE_JS, old)
    return now or stepper_state(page, old, timeout_ms)


KEY_RECORDER_JS = """() => {
  if (window.__btKeyLog) return;
  const log = window.__btKeyLog = [];
  const state = __STATE__;
  // keyup comes after the stepper's keydown listener has drawn the new step (the stepper listens to keydown only)
  window.addEventListener('keyup', (e) => log.push({ key: e.key, state: state('') || null }), true);
}""".replace("__STATE__", STEPPER_STATE_JS)


def press_many(page: Page, key: str, times: int) -> list[dict]:
    """Press `key` `times` times; the stepper's state after each press (recorded in the page at each keyup).

    Cheaper than `press_step` per press (no round trip to read the page between presses) for long walks.
    """
    page.evaluate(KEY_RECORDER_JS)
    start = page.evaluate("() => window.__btKeyLog.length")
    for _ in range(times):
        page.keyboard.press(key)
    page.wait_for_function("n => window.__btKeyLog.length >= n", arg=start + times)
    return [entry["state"] for entry in page.evaluate("n => window.__btKeyLog.slice(n)", start)]


def server_step(page: Page) -> str | None:
    """The step the server last rendered the page for (None before the first run has drawn it)."""
    return page.evaluate(
        "() => { const e = document.querySelector('.bt-server-step'); return e ? e.dataset.stepId : null; }")


def wait_server_step(page: Page, step_id: str, timeout_ms: int = DEFAULT_TIMEOUT_MS) -> None:
    """Wait until the server knows the learner is on `step_id` (the debounced sync's rerun has finished)."""
    page.wait_for_function(
        "id => { const e = document.querySelector('.bt-server-step'); return !!e && e.dataset.stepId === id; }",
        arg=step_id, timeout=timeout_ms)
    wait_for_app_idle(page, timeout_ms, settle_ms=0)


def wait_url_step(page: Page, step_id: str, timeout_ms: int = DEFAULT_TIMEOUT_MS) -> None:
    """Wait until the page's URL says `?step=<step_id>`."""
    page.wait_for_function("id => new URLSearchParams(location.search).get('step') === id", arg=step_id,
                           timeout=timeout_ms)


def blur(page: Page) -> None:
    """Give the keyboard back to the document (the stepper ignores keys while a text field has the focus)."""
    page.evaluate("""() => {
      let a = document.activeElement;
      while (a && a.shadowRoot && a.shadowRoot.activeElement) a = a.shadowRoot.activeElement;
      if (a && a !== document.body && a.blur) a.blur();
    }""")
