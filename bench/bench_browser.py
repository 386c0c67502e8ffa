"""Times the stepper in the real browser (Debian's headless Chromium driven by Playwright).

Run: python -m bench.bench_browser [--cold N] [--notes note000,note001,note002] [--presses 50] [--port P]

The stepper (ui/stepper_component/) gets every rendered step once and steps in the page; the server hears
where the learner is 450 ms after the last press (one fragment run). So:

(a) Start-up: from `streamlit run app.py` (a fresh server on a free loopback port) to the first formula painted
    (KaTeX in the stepper's `.bt-formula`, seen in the first animation frame after it appeared); median of N
    cold starts (default 3). The server's "healthy" time is shown too.
(b) Key press to new formula painted, IN THE PAGE: a probe installed before the app's scripts (so its
    capture-phase keydown listener on window runs before the stepper's) takes the key event's timestamp; a
    MutationObserver on the stepper's `.bt-formula` (inside its shadow root) sees the new formula, and the first
    animation frame after that change marks it painted ("frame"; a task after that frame, "after frame", is
    when that frame's style, layout and paint are done). The browser's own Event Timing entry (as INP uses:
    key event to the next paint, 8 ms steps, reported only from 16 ms) is matched to each press too. For every
    step of notes 000-002 (→ from the first to the last step), after one untimed warm-up pass through note 001.
(c) Round trip from Playwright: from `page.keyboard.press` until Playwright sees the new
    `#current-step[data-step-id]` (one `wait_for_function`, polled every animation frame).
(d) Server CPU: the streamlit process's utime+stime (/proc/<pid>/stat) over N presses (default 50) of → at a
    presenter's pace (each press waits until painted), read after the debounced sync has settled (the server
    shows the last step and the app is idle). Also counts the script runs the presses caused. Goal: about 0.

Prints Markdown tables with the load average and writes the raw numbers to bench/results/browser-<time>.json
(gitignored).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from deploy.replicas import stop_group

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1440, "height": 1000}
NOTES = ("note000", "note001", "note002")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

# The stepper's shadow root (an open one; its host is the element whose shadowRoot holds `.bt-stepper`).
ROOT = """(() => {
  const c = window.__btRoot;
  if (c && c.host && c.host.isConnected && c.querySelector('.bt-stepper')) return c;
  const host = [...document.querySelectorAll('*')].find(e => e.shadowRoot && e.shadowRoot.querySelector('.bt-stepper'));
  return (window.__btRoot = host ? host.shadowRoot : null);
})()"""

FORMULA_PAINTED = """() => {
  const root = __ROOT__;
  const k = root && root.querySelector('.bt-formula .katex');
  if (!k) return false;
  const box = k.getBoundingClientRect();
  return box.width > 0 && box.height > 0;
}""".replace("__ROOT__", ROOT)

CURRENT = f"() => {{ const r = {ROOT}; const e = r && r.querySelector('#current-step'); return e ? e.dataset.stepId : null; }}"
NEW_STEP = (f"(old) => {{ const r = {ROOT}; const e = r && r.querySelector('#current-step');"
            " return !!e && !!e.dataset.stepId && e.dataset.stepId !== old && e.dataset.stepId; }")
AT_LAST = f"() => {ROOT}.querySelector('.bt-btn[data-action=next]').disabled"

# Installed with add_init_script: runs before the app's scripts, so this keydown listener (capture, on window)
# comes before the stepper's, which stops the event's propagation once handled.
PROBE = """
(() => {
  const b = window.__btBench = { results: [], key: null, observed: null };
  const root = () => {
    const c = window.__btBenchRoot;
    if (c && c.host && c.host.isConnected) return c;
    const host = [...document.querySelectorAll('*')].find(e => e.shadowRoot && e.shadowRoot.querySelector('.bt-stepper'));
    return (window.__btBenchRoot = host ? host.shadowRoot : null);
  };
  const observer = new MutationObserver(() => {
    const k = b.key;
    if (!k || k.changed !== undefined) return;
    k.changed = performance.now();
    requestAnimationFrame((frameTime) => {
      k.frame = performance.now();
      k.frameTime = frameTime;
      setTimeout(() => {
        k.afterFrame = performance.now();
        const r = root();
        const line = r && r.querySelector('#current-step');
        const annotation = r && r.querySelector('.bt-formula .katex-mathml annotation');
        b.results.push({ key: k.key, id: line ? line.dataset.stepId : null, stamp: k.stamp,
                         tex: annotation ? annotation.textContent.slice(0, 60) : null,
                         eventToChange: k.changed - k.stamp, eventToFrame: k.frame - k.stamp,
                         eventToAfterFrame: k.afterFrame - k.stamp, listenerToFrame: k.frame - k.listener,
                         katexErrors: r ? r.querySelectorAll('.katex-error').length : -1 });
        b.key = null;
      }, 0);
    });
  });
  // The browser's own measure (Event Timing, as INP uses): from the key event to the next paint after its handlers,
  // in 8 ms steps; only events of at least 16 ms are reported, so a press without an entry took under 16 ms.
  b.events = [];
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) if (e.name === 'keydown') b.events.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'event', durationThreshold: 16, buffered: true });
  } catch (err) { b.events = null; }
  window.addEventListener('keydown', (e) => {
    const r = root();
    if (!r) return;
    const formula = r.querySelector('.bt-formula');
    if (b.observed !== formula) {
      observer.disconnect();
      observer.observe(formula, { subtree: true, childList: true, characterData: true });
      b.observed = formula;
    }
    b.key = { key: e.key, stamp: e.timeStamp, listener: performance.now() };
  }, true);
})();
"""
PROBE_COUNT = "() => window.__btBench.results.length"

# Installed with add_init_script for a cold start: the first animation frame (epoch ms) at which the app's
# websocket is up, the stepper shows its formula's text (KaTeX still loading), and KaTeX's formula is painted.
START_MARKS = """
(() => {
  const marks = window.__btMarks = {};
  const at = () => performance.timeOrigin + performance.now();
  const tick = () => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (!marks.connected && app && app.dataset.testConnectionState === 'CONNECTED') marks.connected = at();
    const host = [...document.querySelectorAll('*')].find(e => e.shadowRoot && e.shadowRoot.querySelector('.bt-stepper'));
    const f = host && host.shadowRoot.querySelector('.bt-formula');
    if (!marks.stepper && f && f.textContent) marks.stepper = at();
    const k = f && f.querySelector('.katex');
    if (k && k.getBoundingClientRect().width > 0) { marks.katex = at(); return; }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})();
"""


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

    def cpu_seconds(self) -> float:
        """The server process's user + system CPU time so far."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime (fields 14, 15 of stat)

    def stop(self) -> None:
        stop_group(self.proc)
        self.log.close()


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1] if len(values) >= 2 else values[0]


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f}, {five:.2f}, {fifteen:.2f}"


def cold_start(browser) -> dict:
    """Seconds from `streamlit run` to healthy, and to the first formula painted."""
    started_epoch = time.time()
    server = Server()
    try:
        server.wait_healthy()
        healthy_s = time.perf_counter() - server.started
        context = browser.new_context(viewport=VIEWPORT)
        context.add_init_script(START_MARKS)
        page = context.new_page()
        page.goto(server.url, wait_until="commit")
        page.wait_for_function(FORMULA_PAINTED, polling="raf", timeout=60_000)  # checked every frame
        painted_s = time.perf_counter() - server.started
        page.wait_for_function("() => !!window.__btMarks.katex", timeout=10_000)
        marks = {k: v / 1000 - started_epoch for k, v in page.evaluate("() => window.__btMarks").items()}
        context.close()
        return {"healthy_s": healthy_s, "formula_painted_s": painted_s, "connected_s": marks.get("connected"),
                "formula_text_s": marks.get("stepper"), "katex_painted_s": marks.get("katex")}
    finally:
        server.stop()


def open_note(page, base_url: str, note: str) -> None:
    page.goto(f"{base_url}/?preset={note}", wait_until="domcontentloaded")
    page.wait_for_function(FORMULA_PAINTED, polling="raf", timeout=60_000)
    wait_app_idle(page)
    page.evaluate("() => document.activeElement && document.activeElement.blur()")


def wait_app_idle(page) -> None:
    page.wait_for_function("() => { const a = document.querySelector('[data-testid=\"stApp\"]');"
                           " return !!a && a.dataset.testConnectionState === 'CONNECTED'"
                           " && a.dataset.testScriptState === 'notRunning'; }", timeout=60_000)


def wait_server_step(page, step_id: str) -> None:
    """Until the server has rendered the page for `step_id` (the debounced sync's run) and the app is idle."""
    page.wait_for_function("id => { const e = document.querySelector('.bt-server-step');"
                           " return !!e && e.dataset.stepId === id; }", arg=step_id, timeout=60_000)
    wait_app_idle(page)


def step_through(page, base_url: str, note: str) -> list[dict]:
    """Press → through every step of `note`; one record per press (in-page probe + Playwright round trip)."""
    open_note(page, base_url, note)
    records = []
    old = page.evaluate(CURRENT)
    while not page.evaluate(AT_LAST):
        count = page.evaluate(PROBE_COUNT)
        t0 = time.perf_counter()
        page.keyboard.press("ArrowRight")
        new = page.wait_for_function(NEW_STEP, arg=old, polling="raf", timeout=30_000).json_value()
        round_trip = (time.perf_counter() - t0) * 1000
        page.wait_for_function(f"() => window.__btBench.results.length > {count}", polling="raf", timeout=30_000)
        probe = page.evaluate(f"() => window.__btBench.results[{count}]")
        if probe["id"] != new:
            raise AssertionError(f"{note}: the probe saw {probe['id']}, Playwright {new}")
        if probe["katexErrors"]:
            raise AssertionError(f"{note}: KaTeX error at {new}")
        records.append({"note": note, "from": old, "to": new, "round_trip_ms": round_trip, **probe})
        old = new
    if not records:
        raise AssertionError(f"{note}: stepping did not start")
    wait_server_step(page, old)  # leave no sync pending for the next note
    events = page.evaluate("() => window.__btBench.events")
    for r in records:  # an Event Timing entry has the key event's timestamp as its start
        match = [e["duration"] for e in events or [] if abs(e["start"] - r["stamp"]) < 0.5]
        r["event_timing_ms"] = match[0] if match else (None if events is None else "<16")
    return records


def script_runs(page) -> dict:
    """Count the script runs the server finishes (decoded from the app's websocket)."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    runs = {"finished": 0}

    def on_frame(payload) -> None:
        if isinstance(payload, str):
            return
        try:
            msg = ForwardMsg.FromString(payload)
        except Exception:  # noqa: BLE001 - not a ForwardMsg
            return
        if msg.WhichOneof("type") == "script_finished":
            runs["finished"] += 1

    page.on("websocket", lambda ws: ws.on("framereceived", on_frame) if ws.url.endswith("/_stcore/stream") else None)
    return runs


def server_cpu(browser, server: Server, presses: int, note: str = "note002") -> dict:
    """Server CPU seconds over `presses` presses of → (plus the one debounced sync they cause)."""
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    runs = script_runs(page)
    open_note(page, server.url, note)
    first = page.evaluate(CURRENT)
    wait_server_step(page, first)
    page.wait_for_timeout(1000)  # let the open's own after-work (caches, GC) finish before the baseline
    runs_before, cpu_before = runs["finished"], server.cpu_seconds()
    t0 = time.perf_counter()
    old = first
    for _ in range(presses):
        page.keyboard.press("ArrowRight")
        old = page.wait_for_function(NEW_STEP, arg=old, polling="raf", timeout=30_000).json_value()
    pressing_s = time.perf_counter() - t0
    wait_server_step(page, old)
    cpu_after = server.cpu_seconds()
    # idle baseline: the same length of time with nobody pressing
    idle_before = server.cpu_seconds()
    page.wait_for_timeout(int((time.perf_counter() - t0) * 1000))
    idle = server.cpu_seconds() - idle_before
    out = {"presses": presses, "cpu_s": cpu_after - cpu_before, "idle_cpu_s_same_time": idle,
           "script_runs": runs["finished"] - runs_before, "pressing_s": pressing_s,
           "clock_tick_s": 1 / CLOCK_TICKS}
    context.close()
    return out


def event_timing(recs: list[dict]) -> str:
    """Event Timing (key to next paint): the share of presses of 16 ms or more, and the p95 (entries come in 8 ms)."""
    values = [r.get("event_timing_ms") for r in recs]
    if any(v is None for v in values):
        return "n/a"
    full = sorted(16.0 if v == "<16" else float(v) for v in values)  # "<16": under 16 ms, counted as 16 (a bound)
    slow = sum(v != "<16" for v in values)
    med = statistics.median(full)
    return (f"{slow}/{len(values)} ≥ 16 ms; median {'< 16' if med <= 16 else f'{med:.0f}'}, "
            f"p95 {'< 16' if p95(full) <= 16 else f'{p95(full):.0f}'}")


def row(name: str, recs: list[dict]) -> str:
    listener = [r["listenerToFrame"] for r in recs]
    frame = [r["eventToFrame"] for r in recs]
    after = [r["eventToAfterFrame"] for r in recs]
    change = [r["eventToChange"] for r in recs]
    rt = [r["round_trip_ms"] for r in recs]
    return (f"| {name} | {len(recs)} | {statistics.median(change):.1f} | {statistics.median(frame):.1f} | "
            f"{p95(frame):.1f} | {max(frame):.1f} | {statistics.median(after):.1f} | {p95(after):.1f} | "
            f"{statistics.median(listener):.1f} | {event_timing(recs)} | {statistics.median(rt):.1f} | {p95(rt):.1f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cold", type=int, default=3, help="cold starts to time (0: skip)")
    parser.add_argument("--notes", default=",".join(NOTES), help="presets to step through")
    parser.add_argument("--presses", type=int, default=50, help="presses for the server CPU measurement (0: skip)")
    parser.add_argument("--port", type=int, help="step through a server already running on this port (no CPU figure)")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    RESULTS.mkdir(parents=True, exist_ok=True)
    load_before = load()
    print(f"load average before: {load_before} ({os.cpu_count()} CPUs)")
    raw: dict = {"load_before": load_before, "cpus": os.cpu_count(), "started": time.strftime("%Y-%m-%d %H:%M:%S"),
                 "viewport": VIEWPORT}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            starts = [cold_start(browser) for _ in range(args.cold)]
            raw["cold_starts"] = starts
            server = None if args.port else Server()
            try:
                if server:
                    server.wait_healthy()
                base = server.url if server else f"http://127.0.0.1:{args.port}"
                context = browser.new_context(viewport=VIEWPORT)
                context.add_init_script(PROBE)
                page = context.new_page()
                step_through(page, base, "note001")  # warm-up, not timed: caches, KaTeX's fonts, the JIT
                rows = [(note, step_through(page, base, note)) for note in args.notes.split(",")]
                context.close()
                cpu = server_cpu(browser, server, args.presses) if server and args.presses else None
                raw["server_cpu"] = cpu
            finally:
                if server:
                    server.stop()
        finally:
            browser.close()
    load_after = load()
    if starts:
        print(f"\n| start-up (median of {len(starts)} cold starts) | s |\n|---|---:|")
        print(f"| `streamlit run` to server healthy | {statistics.median(s['healthy_s'] for s in starts):.2f} |")
        print(f"| `streamlit run` to first formula painted | "
              f"{statistics.median(s['formula_painted_s'] for s in starts):.2f} |")
        for key, what in (("connected_s", "websocket connected"), ("formula_text_s", "stepper mounted (formula as text)"),
                          ("katex_painted_s", "formula painted (in-page mark)")):
            values = [s[key] for s in starts if s.get(key) is not None]
            if values:
                print(f"| `streamlit run` to {what} | {statistics.median(values):.2f} |")
        print("| each cold start, formula painted | " + ", ".join(f"{s['formula_painted_s']:.2f}" for s in starts) + " |")
    rows.append(("all", [r for _, recs in rows for r in recs]))
    print(f"\n→ to the new formula, {VIEWPORT['width']}x{VIEWPORT['height']}, ms (in the page: from the key event's "
          "timestamp; round trip: Playwright's press until it sees the new step):\n")
    print("| note | presses | to DOM changed, median | to next frame, median | to next frame, p95 | to next frame, max"
          " | after frame, median | after frame, p95 | listener to frame, median | Event Timing (key to next paint)"
          " | round trip, median | round trip, p95 |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, recs in rows:
        print(row(name, recs))
    if cpu:
        print(f"\n| server, {cpu['presses']} presses of → ({cpu['pressing_s']:.1f} s) | figure |\n|---|---:|")
        print(f"| CPU seconds (utime+stime, incl. the debounced sync) | {cpu['cpu_s']:.2f} |")
        print(f"| CPU seconds over the same time with nobody pressing | {cpu['idle_cpu_s_same_time']:.2f} |")
        print(f"| script runs | {cpu['script_runs']} |")
    print(f"\nload average after: {load_after}")
    raw.update(load_after=load_after, steps=rows[-1][1])
    path = RESULTS / f"browser-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(raw, indent=1))
    print(f"raw numbers: {path.relative_to(REPO)}")


if __name__ == "__main__":
    main()
