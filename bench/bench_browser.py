"""Times the app in the real browser (Debian's headless Chromium driven by Playwright).

Run: python -m bench.bench_browser [--cold N] [--notes note000,note001,note002] [--port P]

(a) Start-up: from `streamlit run app.py` (a fresh server on a free loopback port) to the first page
    fully rendered (the formula's KaTeX visible); median of N cold starts (default 3).
(b) Next: for every step of notes 000-002, from pressing Next (the keyboard's Right arrow) to the new
    formula being visible. Timed in the page: a capture-phase keydown listener takes the key's
    timestamp, a MutationObserver sees `#current-step[data-step-id]` change with the new KaTeX in
    the DOM ("in DOM"), then the next animation frame plus a task marks the frame painted ("painted").
    Also timed from Python: `page.keyboard.press` until Playwright sees the new formula ("round trip"),
    and until the page reports the fragment run finished ("run finished": the chart and the table have
    arrived too). Between steps the benchmark waits until nothing in the page has changed for 150 ms
    (the chart drawn), as a learner reads a step before pressing again (not timed). One pass through
    note 001 first warms up the server's caches and the browser (not timed).

Prints Markdown tables (median, p95, max per note and overall) with the load average, and writes the
raw numbers to bench/results/browser-<time>.json (gitignored).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1440, "height": 1000}
NOTES = ("note000", "note001", "note002")
FORMULA = ".st-key-formula .katex"
FORMULA_VISIBLE = """() => {
  const k = document.querySelector('.st-key-formula .katex');
  if (!k) return false;
  const box = k.getBoundingClientRect();
  return box.width > 0 && box.height > 0 && getComputedStyle(k).visibility !== 'hidden';
}"""

# In the page: time one Next from the key to the new formula (in the DOM, then painted).
PROBE = """
() => {
  if (window.__btBench) return;
  const formula = () => {
    const a = document.querySelector('.st-key-formula .katex-mathml annotation');
    return a ? a.textContent : null;
  };
  const b = window.__btBench = { armed: false, keyAt: null, result: null };
  window.addEventListener('keydown', (e) => { if (b.armed && b.keyAt === null) b.keyAt = e.timeStamp; }, true);
  b.arm = (oldId) => {
    b.oldId = oldId; b.oldTex = formula(); b.keyAt = null; b.result = null;
    b.armedAt = performance.now(); b.armed = true;
  };
  const check = () => {
    if (!b.armed || b.keyAt === null) return;
    const el = document.querySelector('#current-step');
    const tex = formula();
    if (!el || el.dataset.stepId === b.oldId || tex === null || tex === b.oldTex) return;
    if (!document.querySelector('.st-key-formula .katex')) return;
    const dom = performance.now();
    b.armed = false;
    requestAnimationFrame(() => setTimeout(() => {
      b.result = { id: el.dataset.stepId, keyToDom: dom - b.keyAt, keyToPaint: performance.now() - b.keyAt,
                   armToDom: dom - b.armedAt, errors: document.querySelectorAll('.katex-error').length };
    }, 0));
  };
  new MutationObserver(check).observe(document.body, { subtree: true, childList: true, attributes: true,
                                                       characterData: true });
}
"""
DONE = "() => window.__btBench && window.__btBench.result"
# Resolves once nothing in the page has changed for `quiet` ms (the chart has been drawn), or after `limit` ms.
SETTLED = """
([quiet, limit]) => new Promise((resolve) => {
  const start = performance.now();
  let last = start;
  const observer = new MutationObserver(() => { last = performance.now(); });
  observer.observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
  const tick = () => {
    const now = performance.now();
    if (now - last >= quiet || now - start >= limit) { observer.disconnect(); resolve(now - start); }
    else setTimeout(tick, 10);
  };
  setTimeout(tick, 10);
})
"""
IDLE = ("() => { const a = document.querySelector('[data-testid=\"stApp\"]');"
        " return a && a.dataset.testScriptState === 'notRunning'; }")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            return r.status == 200
    except (urllib.error.URLError, OSError):
        return False


class Server:
    """`streamlit run app.py` on a loopback port, in its own process group."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.started = time.perf_counter()
        self.log = open(RESULTS / f"server-{self.port}.log", "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
             "--server.port", str(self.port), "--server.address", "127.0.0.1",
             "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
            cwd=REPO, stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)

    def wait_healthy(self, timeout_s: float = 60) -> None:
        deadline = time.monotonic() + timeout_s
        while not healthy(f"{self.url}/_stcore/health"):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"streamlit did not start; see {self.log.name}")
            time.sleep(0.02)

    def stop(self) -> None:
        if self.proc.poll() is None:
            for sig in (signal.SIGTERM, signal.SIGKILL):
                try:
                    os.killpg(self.proc.pid, sig)
                    self.proc.wait(timeout=10)
                    break
                except ProcessLookupError:
                    break
                except subprocess.TimeoutExpired:
                    continue
        self.log.close()


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1] if len(values) >= 2 else values[0]


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f}, {five:.2f}, {fifteen:.2f}"


def cold_start(browser) -> dict:
    """Seconds from `streamlit run` to healthy, and to the first page's formula visible."""
    server = Server()
    try:
        server.wait_healthy()
        healthy_s = time.perf_counter() - server.started
        context = browser.new_context(viewport=VIEWPORT)
        page = context.new_page()
        page.goto(server.url, wait_until="commit")
        page.wait_for_function(FORMULA_VISIBLE, polling="raf", timeout=60_000)  # polled every frame, not backing off
        rendered_s = time.perf_counter() - server.started
        context.close()
        return {"healthy_s": healthy_s, "formula_visible_s": rendered_s}
    finally:
        server.stop()


def wait_idle(page) -> None:
    page.wait_for_function(IDLE, polling="raf", timeout=30_000)


def step_through(page, base_url: str, note: str) -> list[dict]:
    """Press Right through every step of `note`; one record per step."""
    page.goto(f"{base_url}/?preset={note}", wait_until="domcontentloaded")
    page.locator(FORMULA).first.wait_for(state="visible", timeout=60_000)
    page.locator(".st-key-btn_next button").wait_for(state="visible", timeout=60_000)
    wait_idle(page)
    page.evaluate(SETTLED, [300, 5000])  # the chart, the table, the buttons' shortcuts: all in place
    page.evaluate(PROBE)
    page.evaluate("() => document.activeElement && document.activeElement.blur()")  # shortcuts skip inputs
    records = []
    while not page.locator(".st-key-btn_next button").is_disabled():
        old = page.locator("#current-step").get_attribute("data-step-id")
        page.evaluate("id => window.__btBench.arm(id)", old)
        t0 = time.perf_counter()
        page.keyboard.press("ArrowRight")
        result = page.wait_for_function(DONE, polling="raf", timeout=30_000).json_value()
        round_trip = (time.perf_counter() - t0) * 1000
        if result["errors"]:
            raise AssertionError(f"{note}: KaTeX error at {result['id']}")
        wait_idle(page)
        finished = (time.perf_counter() - t0) * 1000
        # a learner reads the step before pressing again: let the chart finish drawing (not timed)
        settle = page.evaluate(SETTLED, [150, 3000])
        records.append({"note": note, "from": old, "to": result["id"], "key_to_dom_ms": result["keyToDom"],
                        "key_to_paint_ms": result["keyToPaint"], "arm_to_dom_ms": result["armToDom"],
                        "round_trip_ms": round_trip, "run_finished_ms": finished, "settle_ms": settle})
    if not records:
        raise AssertionError(f"{note}: stepping did not start")
    return records


def table(rows: list[tuple[str, list[dict]]]) -> str:
    out = ["| note | steps | in DOM median ms | in DOM p95 ms | painted median ms | painted p95 ms | "
           "painted max ms | round trip median ms | round trip p95 ms | run finished median ms |",
           "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for name, recs in rows:
        dom = [r["key_to_dom_ms"] for r in recs]
        paint = [r["key_to_paint_ms"] for r in recs]
        rt = [r["round_trip_ms"] for r in recs]
        idle = [r["run_finished_ms"] for r in recs]
        out.append(f"| {name} | {len(recs)} | {statistics.median(dom):.0f} | {p95(dom):.0f} | "
                   f"{statistics.median(paint):.0f} | {p95(paint):.0f} | {max(paint):.0f} | "
                   f"{statistics.median(rt):.0f} | {p95(rt):.0f} | {statistics.median(idle):.0f} |")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cold", type=int, default=3, help="cold starts to time (0: skip)")
    parser.add_argument("--notes", default=",".join(NOTES), help="presets to step through")
    parser.add_argument("--port", type=int, help="step through a server already running on this port")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    RESULTS.mkdir(parents=True, exist_ok=True)
    load_before = load()
    print(f"load average before: {load_before} ({os.cpu_count()} CPUs)")
    raw: dict = {"load_before": load_before, "cpus": os.cpu_count(), "started": time.strftime("%Y-%m-%d %H:%M:%S")}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            starts = [cold_start(browser) for _ in range(args.cold)]
            raw["cold_starts"] = starts
            if starts:
                print(f"\n| start-up (median of {len(starts)} cold starts) | s |\n|---|---:|")
                print(f"| `streamlit run` to server healthy | {statistics.median(s['healthy_s'] for s in starts):.2f} |")
                print(f"| `streamlit run` to first formula visible | "
                      f"{statistics.median(s['formula_visible_s'] for s in starts):.2f} |")
            server = None if args.port else Server()
            try:
                if server:
                    server.wait_healthy()
                base = server.url if server else f"http://127.0.0.1:{args.port}"
                context = browser.new_context(viewport=VIEWPORT)
                page = context.new_page()
                # one warm-up pass through a short note, not timed: caches, imports, Plotly's first draw
                step_through(page, base, "note001")
                rows = [(note, step_through(page, base, note)) for note in args.notes.split(",")]
                context.close()
            finally:
                if server:
                    server.stop()
        finally:
            browser.close()
    load_after = load()
    rows.append(("all", [r for _, recs in rows for r in recs]))
    print(f"\nNext (Right arrow) to the new formula, {VIEWPORT['width']}x{VIEWPORT['height']}:\n")
    print(table(rows))
    print(f"\nload average after: {load_after}")
    raw.update(load_after=load_after, steps=rows[-1][1])
    path = RESULTS / f"browser-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(raw, indent=1))
    print(f"raw numbers: {path.relative_to(REPO)}")


if __name__ == "__main__":
    main()
