"""Fixtures for end-to-end tests: a live `streamlit run` server and Debian's Chromium via Playwright.

Everything under tests/browser/ is marked `browser`: `pytest -m "not browser"` leaves it out,
`pytest -m browser` runs only it. Without Chromium or Playwright these tests are skipped, or fail
when REQUIRE_BROWSER=1 or CI=true. BACKPROP_APP chooses the script to serve (default: app.py in
the repo root); the server always runs from the repo root, so .streamlit/config.toml applies.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent.parent
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SERVER_START_TIMEOUT_S = 60
VIEWPORT = {"width": 1280, "height": 900}

if str(HERE) not in sys.path:  # let test modules `from streamlit_page import ...`
    sys.path.insert(0, str(HERE))

from streamlit_page import ARTIFACTS, DEFAULT_TIMEOUT_MS, watch_script_runs  # noqa: E402


def _browser_required() -> bool:
    return os.environ.get("REQUIRE_BROWSER") == "1" or os.environ.get("CI", "").lower() == "true"


def _unavailable(reason: str) -> None:
    if _browser_required():
        pytest.fail(f"{reason} (required: REQUIRE_BROWSER=1 or CI=true)", pytrace=False)
    pytest.skip(reason)


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects anything
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator:
    report = yield
    setattr(item, f"rep_{report.when}", report)  # lets the `page` fixture see a failed test
    return report


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _health_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            return r.status == 200 and r.read().decode().strip() == "ok"
    except (urllib.error.URLError, OSError):
        return False


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    for sig, wait_s in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait_s)
            return
        except subprocess.TimeoutExpired:
            continue


@pytest.fixture(scope="session")
def app_server() -> Iterator[str]:
    """Run `streamlit run` on a free loopback port; yield its base URL, e.g. http://127.0.0.1:8765."""
    app = Path(os.environ.get("BACKPROP_APP", "app.py"))
    if not app.is_absolute():
        app = REPO_ROOT / app
    if not app.is_file():
        pytest.fail(f"no Streamlit app at {app} (set BACKPROP_APP to serve another)", pytrace=False)
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log_path = ARTIFACTS / "streamlit-server.log"
    cmd = [
        sys.executable, "-m", "streamlit", "run", str(app),
        "--server.headless", "true",
        "--server.port", str(port),
        "--server.address", "127.0.0.1",
        "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
    ]  # fmt: skip
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            cmd, cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True,  # own process group, so teardown can end all of it
        )  # fmt: skip
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while not _health_ok(f"{base_url}/_stcore/health"):
            if proc.poll() is not None or time.monotonic() > deadline:
                tail = log_path.read_text(errors="replace")[-3000:]
                what = f"exited with {proc.returncode}" if proc.poll() is not None else "is not healthy"
                pytest.fail(f"streamlit server {what} after start:\n{tail}", pytrace=False)
            time.sleep(0.25)
        yield base_url
    finally:
        _stop(proc)


@pytest.fixture(scope="session")
def browser() -> Iterator:
    """Headless Debian Chromium driven by Playwright (never Playwright's own browser download)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright Python package is not installed")
    if not os.access(CHROMIUM, os.X_OK):
        _unavailable(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser, request: pytest.FixtureRequest) -> Iterator:
    """A fresh page (own context, 1280x900). `page.console_errors` lists the browser console errors.

    A screenshot is saved to tests/browser/artifacts/ when the test fails.
    """
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    pg = context.new_page()
    pg.console_errors = []
    pg.on("console", lambda msg: pg.console_errors.append(msg.text) if msg.type == "error" else None)
    pg.on("pageerror", lambda exc: pg.console_errors.append(str(exc)))
    watch_script_runs(pg)
    try:
        yield pg
    finally:
        rep = getattr(request.node, "rep_call", None)
        if rep is not None and rep.failed:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            name = "".join(c if c.isalnum() or c in "-_." else "_" for c in request.node.name)
            try:
                pg.screenshot(path=str(ARTIFACTS / f"FAILED-{name}.png"), full_page=True)
            except Exception:  # noqa: BLE001 - a broken page must not hide the real failure
                pass
        context.close()
