"""A class on one server: N simulated learners in real Streamlit websocket sessions.

Run: python -m bench.bench_load [--learners 30] [--seconds 30] [--rate 1.0] [--open-burst]
                                [--mix step=2,rerun=1,precision=1,check=1] [--server-arg runner.postScriptGC=true]
                                [--url http://127.0.0.1:8501 --pid PID] [--replicas K] [--rounds 1] [--settle 30]

Without --url it starts `streamlit run app.py` itself on a free loopback port (from the repo root, so
.streamlit/config.toml applies; --server-arg adds `--KEY VALUE` options, e.g. runner.postScriptGC=true
to measure with Streamlit's GC after every run, which the config turns off). With --url it drives a running server (only loopback addresses are accepted); --pid
then names the server process to read CPU and memory from /proc (else those columns are empty).
With --replicas K it starts K replicas behind nginx (deploy/replicas.py) and drives the class through
nginx; CPU and memory are then summed over the replicas.

A learner (bench/st_client.py speaks the browser's protocol):
  1. opens the app as a browser tab does: the page's HTML and linked JS/CSS (gzip; --no-static skips
     it), then the websocket and the first script run with the page's query string
     (`preset=<--preset>` on the step page, or /check). "open" is the time from the first byte asked
     to `script_finished`; the page is "usable" when that run finished without an exception element
     and rendered the page's main element (the formula container on /, the paste box on /check).
  2. then acts about `--rate` times a second (the next action is due `1/rate` s after the previous one
     was due, ±50 % jitter; a learner never has two actions in flight, as in a browser). An action is
     one BackMsg -> `script_finished`, timed. Actions (`--mix`, weights):
       rerun      a plain rerun of the page with its current query string and widget values;
       precision  change the `precision` selectbox to another option (step page);
       step       what the browser-side stepper component sends after the learner pressed Next and
                  paused: its state {"step": <next step id>} as the component's JSON value, in a rerun of
                  the stepper's fragment (presses themselves never reach the server);
       next       press the old stepper's Next button (`btn_next`).
     An action whose widget is not on the page (a stepper without that button, say) falls back to a
     plain rerun, counted as `fallback`.
       check      on /check: paste a hand calculation (one line per answer field) and press "Check".
     Learners are split between the step page and /check in proportion to the weights of their actions.
  3. closes its session after `--seconds`.

Server CPU seconds per action: the server's utime+stime (/proc/PID/stat) over the action phase, divided
by the actions completed in it. Resident memory (VmRSS): at start (after one warm-up session), peak
(sampled every 0.5 s), and `--settle` seconds after every session closed. `--rounds N` runs the class N
times on the same server (memory should not climb round after round).

Prints a Markdown table and writes everything to bench/results/load-<time>.json (gitignored).
Every request goes to the loopback address given or started; every loop is bounded by count and time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.st_client import StSession, http_request  # noqa: E402
from deploy.replicas import stop_group  # noqa: E402

RESULTS = REPO / "bench" / "results"
ACTIONS = ("rerun", "precision", "step", "next", "check")
# Most of a class steps through (the component reports each step), some change the display or reload,
# a fifth are on Check my work submitting a hand calculation: every learner acts about once a second.
DEFAULT_MIX = "step=2,rerun=1,precision=1,check=1"
CHECK_ACTIONS = {"check"}
# What makes each page "usable": its main element rendered (the step-through component, or the formula
# container of the button stepper before it; the paste box on /check).
MAIN_ELEMENTS = {"": ("stepper", "formula"), "check": ("paste",)}
CLK_TCK = os.sysconf("SC_CLK_TCK")
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


# --- the server -----------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# `streamlit run ...` through its CLI entry point. Same program as `python -m streamlit run`, but the command
# line does not read "streamlit run": on a shared machine a broad `pkill -f "streamlit run"` run by someone
# restarting their own server would otherwise end this one in the middle of a measurement.
STREAMLIT_RUN = [sys.executable, "-c", "import sys; from streamlit.web.cli import main; sys.argv[0] = 'st'; "
                 "sys.exit(main())", "run"]


def healthy(base_url: str) -> bool:
    try:
        return http_request(base_url + "/_stcore/health", timeout=2)[0] == 200
    except OSError:
        return False


class Server:
    """`streamlit run app.py` on a free loopback port, in its own process group."""

    def __init__(self, server_args: list[str], log_path: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(log_path, "wb")  # noqa: SIM115 - closed in stop()
        cmd = [*STREAMLIT_RUN, "app.py", "--server.headless", "true",
               "--server.port", str(self.port), "--server.address", "127.0.0.1",
               "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none", *server_args]
        self.proc = subprocess.Popen(cmd, cwd=REPO, stdout=self.log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)
        self.pid = self.proc.pid

    def wait_healthy(self, timeout_s: float = 60) -> None:
        deadline = time.monotonic() + timeout_s
        while not healthy(self.url):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"streamlit did not start; see {self.log.name}")
            time.sleep(0.1)

    def stop(self) -> None:
        stop_group(self.proc)
        self.log.close()


def _pids(pid: int | list[int] | None) -> list[int]:
    return [] if not pid else [pid] if isinstance(pid, int) else list(pid)


def cpu_seconds(pid: int | list[int] | None) -> float | None:
    """utime + stime of the server process(es) (summed over replicas), in seconds."""
    total = None
    for p in _pids(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total = (total or 0.0) + (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime
        except (OSError, IndexError, ValueError):
            return None
    return total


def rss_mb(pid: int | list[int] | None) -> float | None:
    """VmRSS of the server process(es) (summed over replicas), in MB."""
    total = None
    for p in _pids(pid):
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total = (total or 0.0) + int(line.split()[1]) / 1024
        except OSError:
            return None
    return total


# --- the learners ------------------------------------------------------------------------------------------

def parse_mix(text: str) -> dict[str, float]:
    mix = {}
    for part in text.split(","):
        name, _, weight = part.partition("=")
        name = name.strip()
        if name not in ACTIONS:
            raise SystemExit(f"--mix: unknown action {name!r} (one of {', '.join(ACTIONS)})")
        mix[name] = float(weight or 1)
    if not any(mix.values()):
        raise SystemExit("--mix: every weight is 0")
    return mix


def paste_for(session: StSession, rng: random.Random) -> str:
    """A hand calculation for the /check paste box: `name = number` for every answer field on the page."""
    names = []
    for key, w in session.widgets.items():
        if key.startswith("ans_") and " · " in w.proto.label:
            name = w.proto.label.split(" · ", 1)[1]
            names.append(name.replace("\\", ""))
    if not names:  # fall back to the placeholder's examples
        names = [line.split(" = ")[0] for line in session.widgets["paste"].proto.placeholder.splitlines()]
    return "\n".join(f"{n} = {rng.uniform(-1, 1):.4f}" for n in names)


@dataclass
class Learner:
    index: int
    page: str
    actions: dict[str, float]
    open_ms: float | None = None
    open_ws_ms: float | None = None
    usable: bool = False
    latencies: dict[str, list[float]] = field(default_factory=dict)
    fallbacks: int = 0
    step_id: str | None = None
    done_opening: bool = False
    errors: list[str] = field(default_factory=list)


async def learner(lr: Learner, base_url: str, preset: str, args, opened: asyncio.Event,
                  rng: random.Random) -> None:
    query = f"preset={urllib.parse.quote(preset)}" if lr.page == "" else ""
    s = StSession(base_url, page=lr.page, query=query, timeout=args.timeout,
                  user_agent=f"bt-bench-learner-{lr.index}")
    t0 = time.perf_counter()
    try:
        if args.static:
            await asyncio.to_thread(s.fetch_page)
        else:
            await asyncio.to_thread(s.get, "/_stcore/health")  # the XSRF cookie, as the page load would set
        run = await s.open()
        lr.open_ws_ms = run.ms
        lr.open_ms = (time.perf_counter() - t0) * 1000
        lr.usable = run.ok and any(k in (s.blocks | set(s.widgets)) for k in MAIN_ELEMENTS[lr.page])
        if not run.ok:
            lr.errors.append(f"open: {run.status} {run.exceptions[:1]}")
        elif not lr.usable:
            lr.errors.append(f"open: none of {MAIN_ELEMENTS[lr.page]} on the page")
    except Exception as e:  # noqa: BLE001 - every failure is counted, none stops the class
        lr.errors.append(f"open: {type(e).__name__}: {e}"[:300])
    finally:
        lr.done_opening = True
    if not lr.usable:
        await s.close()
        return
    # Everyone acts from the same moment, once the whole class has opened (the wait is bounded).
    for _ in range(int((args.timeout + args.ramp + 30) * 20) + 1):
        if opened.is_set():
            break
        await asyncio.sleep(0.05)
    t_end = time.perf_counter() + args.seconds
    names, weights = zip(*lr.actions.items())
    interval = 1.0 / args.rate
    due = time.perf_counter() + rng.uniform(0, interval)  # learners do not act in lockstep
    try:
        while True:
            now = time.perf_counter()
            if due > now:
                await asyncio.sleep(due - now)
            if time.perf_counter() >= t_end:
                break
            due += interval * rng.uniform(0.5, 1.5)
            action = rng.choices(names, weights)[0]
            try:
                run = await do_action(s, action, lr, rng)
            except Exception as e:  # noqa: BLE001
                lr.errors.append(f"{action}: {type(e).__name__}: {e}"[:300])
                if s.ws is None or s.ws.state.name != "OPEN":
                    break
                continue
            lr.latencies.setdefault(action, []).append(run.ms)
            if not run.ok:
                lr.errors.append(f"{action}: {run.status} {run.exceptions[:1]}"[:300])
                if run.status.startswith(("timeout", "closed")):
                    break
    finally:
        await s.close()


async def do_action(s: StSession, action: str, lr: Learner, rng: random.Random):
    if action == "precision" and "precision" in s.widgets:
        options = list(s.widgets["precision"].proto.options)
        current = s.widgets["precision"].proto.raw_value
        choice = rng.choice([o for o in options if o != current] or options)
        return await s.rerun({"precision": choice})
    if action == "step" and s.widgets.get("stepper") and s.widgets["stepper"].kind == "bidi_component":
        value = next_step_state(s.widgets["stepper"], lr)
        if value is not None:
            return await s.rerun({"stepper": value}, fragment_id=s.widgets["stepper"].fragment_id)
    if action == "next" and "btn_next" in s.widgets and not s.widgets["btn_next"].proto.disabled:
        return await s.rerun(press="btn_next")
    if action == "next" and "btn_first" in s.widgets and "btn_next" in s.widgets:  # at the last step: start over
        return await s.rerun(press="btn_first")
    if action == "check" and "paste" in s.widgets and "btn_check" in s.widgets:
        return await s.rerun({"paste": paste_for(s, rng)}, press="btn_check")
    if action != "rerun":
        lr.fallbacks += 1
    return await s.rerun()


def next_step_state(widget, lr: Learner) -> str | None:
    """The stepper component's state after one Next (wrapping to the first step at the end), as JSON."""
    try:
        data = json.loads(widget.proto.json)
        steps = json.loads(data["payload"])["steps"]
        offset = json.loads(data["payload"]).get("offset", 0)
        ids = [s["id"] for s in steps]
        here = lr.step_id if lr.step_id in ids else data["step"]
        i = ids.index(here) if here in ids else data.get("position", offset) - offset
        lr.step_id = ids[(i + 1) % len(ids)]
        return json.dumps({"step": lr.step_id, "want": None})
    except (KeyError, ValueError, TypeError, IndexError):
        return None


def split_pages(n: int, mix: dict[str, float]) -> list[tuple[str, dict[str, float]]]:
    step = {a: w for a, w in mix.items() if a not in CHECK_ACTIONS and w > 0}
    check = {a: w for a, w in mix.items() if a in CHECK_ACTIONS and w > 0}
    share = sum(check.values()) / sum(mix.values())
    n_check = round(n * share) if step else n
    if check and n_check == 0 and n >= 2:
        n_check = 1
    pages = []
    for i in range(n):  # spread the /check learners evenly through the class
        on_check = bool(check) and int((i + 1) * n_check / n) > int(i * n_check / n)
        pages.append(("check", check) if on_check else ("", step))
    return pages


# --- one class -----------------------------------------------------------------------------------------------

def pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    values = sorted(values)
    k = (len(values) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def summary(values: list[float]) -> dict:
    return {"n": len(values), "median": pct(values, 0.5), "p95": pct(values, 0.95),
            "max": max(values) if values else None, "mean": statistics.fmean(values) if values else None}


async def sample_memory(pid: int | None, peak: dict, stop: asyncio.Event) -> None:
    for _ in range(100_000):  # bounded: ends with the class (every 0.5 s)
        value = rss_mb(pid)
        if value is not None:
            peak["rss"] = max(peak.get("rss", 0.0), value)
        try:
            await asyncio.wait_for(stop.wait(), 0.5)
            return
        except TimeoutError:
            continue


async def one_class(base_url: str, pid: int | None, args, mix: dict[str, float], round_no: int) -> dict:
    rng = random.Random(args.seed + round_no)
    pages = split_pages(args.learners, mix)
    learners = [Learner(i, page, actions) for i, (page, actions) in enumerate(pages)]
    peak: dict = {}
    stop = asyncio.Event()
    sampler = asyncio.create_task(sample_memory(pid, peak, stop))
    rss_start, cpu0 = rss_mb(pid), cpu_seconds(pid)
    load0 = os.getloadavg()
    opened = asyncio.Event()
    t_open = time.perf_counter()
    tasks = []
    # Everyone opens within --ramp seconds (0 with --open-burst: all at once); once all have opened, all
    # act for --seconds. Server CPU is read at that boundary: the open phase and the action phase apart.
    ramp = 0.0 if args.open_burst else args.ramp
    for lr in learners:
        delay = 0.0 if ramp == 0 else ramp * lr.index / max(1, len(learners) - 1)
        tasks.append(asyncio.create_task(_delayed(delay, learner(lr, base_url, args.preset, args, opened,
                                                                random.Random(rng.random())))))
    for _ in range(int((args.timeout + ramp + 30) * 20) + 1):
        if all(lr.done_opening for lr in learners):
            break
        await asyncio.sleep(0.05)
    t_opened = time.perf_counter()
    cpu_open = cpu_seconds(pid)
    rss_opened = rss_mb(pid)
    opened.set()
    actions_before = 0
    await asyncio.wait_for(asyncio.gather(*tasks), timeout=ramp + args.seconds + 3 * args.timeout + 30)
    t_done = time.perf_counter()
    cpu_done = cpu_seconds(pid)
    actions_total = sum(len(v) for lr in learners for v in lr.latencies.values())
    rss_closed = rss_mb(pid)
    await asyncio.sleep(args.settle)  # sessions closed; the server may drop them after its TTL
    rss_settled = rss_mb(pid)
    stop.set()
    await sampler
    lat_all = [ms for lr in learners for v in lr.latencies.values() for ms in v]
    by_action = {}
    for a in ACTIONS:
        values = [ms for lr in learners for ms in lr.latencies.get(a, [])]
        if values:
            by_action[a] = summary(values)
    action_phase_s = t_done - t_opened
    actions_in_phase = actions_total - actions_before
    errors = [e for lr in learners for e in lr.errors]
    return {
        "round": round_no,
        "learners": len(learners),
        "on_check_page": sum(1 for lr in learners if lr.page == "check"),
        "open_ms": summary([lr.open_ms for lr in learners if lr.open_ms is not None]),
        "open_ws_ms": summary([lr.open_ws_ms for lr in learners if lr.open_ws_ms is not None]),
        "usable": sum(lr.usable for lr in learners),
        "all_opened_s": t_opened - t_open,
        "rss_mb_all_open": rss_opened,
        "action_ms": summary(lat_all),
        "by_action": by_action,
        "actions": actions_total,
        "actions_per_s": actions_in_phase / action_phase_s if action_phase_s > 0 else None,
        "fallbacks": sum(lr.fallbacks for lr in learners),
        "errors": len(errors),
        "error_samples": sorted(set(errors))[:10],
        "cpu_s_open_phase": None if cpu0 is None or cpu_open is None else cpu_open - cpu0,
        "cpu_s_per_open": (None if cpu0 is None or cpu_open is None
                           else (cpu_open - cpu0) / max(1, sum(lr.open_ms is not None for lr in learners))),
        "cpu_s_per_action": (None if cpu_open is None or cpu_done is None or not actions_in_phase
                             else (cpu_done - cpu_open) / actions_in_phase),
        "server_cpu_util": (None if cpu_open is None or cpu_done is None or action_phase_s <= 0
                            else (cpu_done - cpu_open) / action_phase_s),
        "rss_mb": {"start": rss_start, "peak": peak.get("rss"), "closed": rss_closed,
                   f"after_{args.settle:g}s": rss_settled},
        "loadavg_before": load0,
        "loadavg_after": os.getloadavg(),
    }


async def _delayed(delay: float, coro):
    if delay:
        await asyncio.sleep(delay)
    return await coro


async def warm_up(base_url: str, preset: str, timeout: float) -> None:
    """One session through both pages: the first run imports and caches what every learner then shares."""
    s = StSession(base_url, query=f"preset={urllib.parse.quote(preset)}", timeout=timeout)
    try:
        await asyncio.to_thread(s.get, "/_stcore/health")
        run = await s.open()
        if not run.ok:
            raise RuntimeError(f"warm-up run failed: {run.status} {run.exceptions}")
        await s.rerun(page="check")
    finally:
        await s.close()


# --- output ----------------------------------------------------------------------------------------------

def fmt(v, digits=0) -> str:
    if v is None:
        return "–"
    return f"{v:.{digits}f}"


def table(results: list[dict], settle: float) -> str:
    lines = ["| round | learners | usable | open median / p95 / max (ms) | action median / p95 / max (ms) | "
             "actions/s | errors | fallbacks | server CPU s/action | CPU util | RSS start / peak / "
             f"+{settle:g}s (MB) |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        o, a, m = r["open_ms"], r["action_ms"], r["rss_mb"]
        lines.append(
            f"| {r['round']} | {r['learners']} ({r['on_check_page']} on /check) | {r['usable']}/{r['learners']} | "
            f"{fmt(o['median'])} / {fmt(o['p95'])} / {fmt(o['max'])} | "
            f"{fmt(a['median'])} / {fmt(a['p95'])} / {fmt(a['max'])} | {fmt(r['actions_per_s'], 1)} | "
            f"{r['errors']} | {r['fallbacks']} | {fmt(r['cpu_s_per_action'], 3)} | {fmt(r['server_cpu_util'], 2)} | "
            f"{fmt(m['start'])} / {fmt(m['peak'])} / {fmt(m[f'after_{settle:g}s'])} |")
    lines.append("")
    lines.append("| round | action | n | median (ms) | p95 (ms) | max (ms) |")
    lines.append("|---|---|---|---|---|---|")
    for r in results:
        for name, s in r["by_action"].items():
            lines.append(f"| {r['round']} | {name} | {s['n']} | {fmt(s['median'])} | {fmt(s['p95'])} | {fmt(s['max'])} |")
    return "\n".join(lines)


def check_loopback(url: str) -> None:
    host = urllib.parse.urlsplit(url).hostname or ""
    if host not in LOOPBACK and not host.startswith("127."):
        raise SystemExit(f"--url must be a loopback address (127.0.0.1, localhost), not {host!r}")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--learners", type=int, default=30)
    p.add_argument("--seconds", type=float, default=30, help="how long every learner acts (default 30)")
    p.add_argument("--rate", type=float, default=1.0, help="actions per learner per second (default 1)")
    p.add_argument("--open-burst", action="store_true", help="every learner opens at the same moment")
    p.add_argument("--ramp", type=float, default=5.0, help="without --open-burst: opens spread over this many s")
    p.add_argument("--mix", default=DEFAULT_MIX,
                   help=f"action weights ({', '.join(ACTIONS)}); default {DEFAULT_MIX}")
    p.add_argument("--preset", default="note002")
    p.add_argument("--no-static", dest="static", action="store_false",
                   help="skip fetching the page's HTML/JS/CSS on open")
    p.add_argument("--url", help="a running server (loopback only); default: start one")
    p.add_argument("--pid", type=int, action="append",
                   help="with --url: the server's process id for CPU and memory (repeat for replicas: summed)")
    p.add_argument("--replicas", type=int, default=0,
                   help="start K replicas behind nginx (deploy/replicas.py) and drive the class through nginx")
    p.add_argument("--server-arg", action="append", default=[], metavar="KEY=VALUE",
                   help="extra `streamlit run` option for the started server(s), e.g. runner.postScriptGC=true")
    p.add_argument("--rounds", type=int, default=1)
    p.add_argument("--settle", type=float, default=30, help="seconds to wait after the sessions close (memory)")
    p.add_argument("--timeout", type=float, default=60, help="per run (s): longer counts as an error")
    p.add_argument("--no-warmup", dest="warmup", action="store_false")
    p.add_argument("--seed", type=int, default=8)
    p.add_argument("--label", default="")
    args = p.parse_args(argv)
    if not (1 <= args.learners <= 500 and 0 < args.rate <= 20 and 0 < args.seconds <= 3600 and 1 <= args.rounds <= 20):
        raise SystemExit("out of range: 1-500 learners, rate 0-20/s, 0-3600 s, 1-20 rounds")
    mix = parse_mix(args.mix)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    server = None
    server_args = []
    for item in args.server_arg:
        key, _, value = item.partition("=")
        server_args += [f"--{key.lstrip('-')}", value]
    deployment = None
    if args.url:
        check_loopback(args.url)
        base_url, pid = args.url.rstrip("/"), args.pid
    elif args.replicas:
        import importlib.util

        spec = importlib.util.spec_from_file_location("bt_replicas", REPO / "deploy" / "replicas.py")
        replicas = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(replicas)
        deployment = replicas.Deployment(args.replicas, replica_args=server_args)
    else:
        server = Server(server_args, RESULTS / f"load-{stamp}-server.log")
        base_url, pid = server.url, server.pid
    results = []
    try:
        if deployment:
            deployment.start()
            base_url, pid = deployment.url, [proc.pid for proc in deployment.procs]
        if server:
            server.wait_healthy()
        rss_boot = rss_mb(pid)
        if args.warmup:
            asyncio.run(warm_up(base_url, args.preset, args.timeout))
        for r in range(1, args.rounds + 1):
            results.append(asyncio.run(one_class(base_url, pid, args, mix, r)))
            print(f"round {r}: {json.dumps({k: results[-1][k] for k in ('usable', 'errors', 'actions')})}",
                  file=sys.stderr, flush=True)
    finally:
        if server:
            server.stop()
        if deployment:
            deployment.stop()
    report = {
        "label": args.label, "time": stamp,
        "url": base_url if args.url else f"(started: {args.replicas} replicas behind nginx)" if args.replicas else "(started)",
        "args": {k: v for k, v in vars(args).items()}, "mix": mix, "server_args": server_args,
        "cpus": os.cpu_count(), "rss_mb_after_boot": rss_boot, "client_cpu_s": sum(os.times()[:2]),
        "rounds": results,
    }
    out = RESULTS / f"load-{stamp}{'-' + args.label if args.label else ''}.json"
    out.write_text(json.dumps(report, indent=2))
    print(f"\n{args.learners} learners, {args.seconds:g} s at {args.rate:g}/s, mix {args.mix}, "
          f"{'burst' if args.open_burst else f'ramp {args.ramp:g} s'} open, server args {server_args or 'none'}"
          f"{f', {args.replicas} replicas behind nginx' if args.replicas else ''}; "
          f"load avg {results[0]['loadavg_before'] if results else ''}\n")
    print(table(results, args.settle))
    for r in results:
        for e in r["error_samples"]:
            print(f"  round {r['round']} error: {e}")
    print(f"\nwrote {out.relative_to(REPO)}")
    return 0 if all(r["errors"] == 0 for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
