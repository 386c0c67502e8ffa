"""What one answer costs in fill-in mode (ui/fillin.py): bytes over the websocket, server CPU, Enter to verdict.

Run: python -m bench.bench_fillin [--notes note002,softmax_ce_2_3_3] [--answers 30] [--port P]

For each preset, a fresh browser opens `?mode=fill&view=full` at the first step and answers `--answers` steps the
way a learner does (type the value, Enter, read the verdict, Enter to the next step); every third answer is wrong.
Per answer it records the websocket bytes both ways from Enter until the verdict is painted and the app is idle
(the fill report, the fragment run's messages), and the time from Enter to the verdict; over all answers, the
server's CPU seconds (/proc/<pid>/stat), less the same time idle. For comparison it prints the size of the
message that carried the stepper's data when the page opened: what every answer would cost if the marks were sent
in the stepper's own data.
"""

from __future__ import annotations

import argparse
import statistics
import time

from bench.bench_browser import CHROMIUM, CHROMIUM_ARGS, RESULTS, VIEWPORT, Server, load, p95, wait_app_idle
from engine import compute_trace, load_preset

ROOT = """(() => {
  const host = [...document.querySelectorAll('*')].find(e => e.shadowRoot && e.shadowRoot.querySelector('.bt-stepper'));
  return host ? host.shadowRoot : null;
})()"""
ASKING = f"() => {{ const r = {ROOT}; return !!r && !r.querySelector('.bt-fill-row').hidden; }}"
CURRENT = f"() => {{ const r = {ROOT}; return r ? r.querySelector('#current-step').dataset.stepId : null; }}"
MARKED = f"""() => {{ const r = {ROOT}; const v = r && r.querySelector('.bt-fill-verdict');
  return !!v && !v.hidden && ['correct', 'carried', 'wrong'].includes(v.dataset.verdict); }}"""


def watch_bytes(page) -> dict:
    """Bytes of the app's websocket frames, both ways, and the largest frame the browser received."""
    count = {"in": 0, "out": 0, "largest_in": 0}

    def on_websocket(ws) -> None:
        if not ws.url.endswith("/_stcore/stream"):
            return

        def got(payload) -> None:
            count["in"] += len(payload)
            count["largest_in"] = max(count["largest_in"], len(payload))

        ws.on("framereceived", got)
        ws.on("framesent", lambda payload: count.__setitem__("out", count["out"] + len(payload)))

    page.on("websocket", on_websocket)
    return count


def answer_all(browser, base: str, note: str, answers: int, server: Server | None) -> dict:
    trace = compute_trace(load_preset(note))
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    count = watch_bytes(page)
    page.goto(f"{base}/?preset={note}&mode=fill&view=full", wait_until="domcontentloaded")
    page.wait_for_function(CURRENT, timeout=60_000)
    wait_app_idle(page)
    page.wait_for_timeout(500)
    opened = dict(count)
    records = []
    cpu_before = server.cpu_seconds() if server else None
    t0 = time.perf_counter()
    while len(records) < answers:
        if not page.evaluate(ASKING):
            old = page.evaluate(CURRENT)
            page.keyboard.press("Enter")  # an explanation, or a step marked already: on to the next
            page.wait_for_function(f"old => ({CURRENT})() !== old", arg=old, timeout=10_000)
            continue
        step_id = page.evaluate(CURRENT).split("#", 1)[0]
        value = round(trace.value(step_id), 4)
        text = f"{value + 0.37:.4f}" if len(records) % 3 == 2 else f"{value:.4f}"
        page.locator(".bt-fill-input").fill(text)
        before = dict(count)
        started = time.perf_counter()
        page.locator(".bt-fill-input").press("Enter")
        page.wait_for_function(MARKED, polling="raf", timeout=30_000)
        verdict_ms = (time.perf_counter() - started) * 1000
        wait_app_idle(page)
        page.wait_for_timeout(100)
        records.append({"step": step_id, "text": text, "verdict_ms": verdict_ms,
                        "bytes_in": count["in"] - before["in"], "bytes_out": count["out"] - before["out"]})
    busy_s = time.perf_counter() - t0
    cpu = server.cpu_seconds() - cpu_before if server else None
    idle = None
    if server:
        idle_before = server.cpu_seconds()
        page.wait_for_timeout(int(busy_s * 1000))
        idle = server.cpu_seconds() - idle_before
    context.close()
    return {"note": note, "records": records, "opened_bytes_in": opened["in"], "largest_frame_at_open": opened["largest_in"],
            "cpu_s": cpu, "idle_cpu_s": idle}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", default="note002,softmax_ce_2_3_3", help="presets to answer in")
    parser.add_argument("--answers", type=int, default=30, help="answers per preset")
    parser.add_argument("--port", type=int, help="use a server already running on this port (no CPU figure)")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    RESULTS.mkdir(parents=True, exist_ok=True)
    print(f"load average before: {load()}")
    server = None if args.port else Server()
    try:
        if server:
            server.wait_healthy()
        base = server.url if server else f"http://127.0.0.1:{args.port}"
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            try:
                answer_all(browser, base, "note001", 5, None)  # warm-up: imports, caches
                runs = [answer_all(browser, base, note, args.answers, server) for note in args.notes.split(",")]
            finally:
                browser.close()
    finally:
        if server:
            server.stop()
    print("\n| preset | answers | bytes to the browser per answer, median (max) | bytes to the server, median"
          " | Enter to verdict, median / p95 ms | server CPU per answer, ms (idle subtracted)"
          " | the stepper's data message at open, bytes |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for run in runs:
        recs = run["records"]
        bytes_in = [r["bytes_in"] for r in recs]
        ms = [r["verdict_ms"] for r in recs]
        cpu = "" if run["cpu_s"] is None else f"{1000 * (run['cpu_s'] - run['idle_cpu_s']) / len(recs):.0f}"
        print(f"| {run['note']} | {len(recs)} | {statistics.median(bytes_in):,.0f} ({max(bytes_in):,}) | "
              f"{statistics.median(r['bytes_out'] for r in recs):,.0f} | {statistics.median(ms):.0f} / {p95(ms):.0f} | "
              f"{cpu} | {run['largest_frame_at_open']:,} |")
    print(f"\nload average after: {load()}")


if __name__ == "__main__":
    main()
