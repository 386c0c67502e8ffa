"""Resident memory of the server's work: distinct largest networks, each shown at every precision.

What a class can do within the documented limits at worst: upload distinct networks of the largest size
(6 layers x 10 neurons, 16 samples: 28,795 steps) and look at each with every precision. For each network
this does what the app does for it (ui.state.trace_for, engine.render.render_trace with every precision,
the matrix view, the check page's names and graph) and prints the resident memory after it, read from
/proc/self/status (VmRSS; VmHWM is the peak), and at the end every cache's byte total (engine.memo).

Run: python -m bench.bench_memory [--networks 8] [--precisions all|auto]   (about 5 minutes on 2 cores)
"""

from __future__ import annotations

import argparse
import gc
import random
import time

from engine.config import MAX_LAYERS, MAX_NEURONS, MAX_SAMPLES

PRECISIONS = ("auto", "d2", "d3", "d4", "d5", "d6", "s3", "s4", "s6")  # ui.state.PRECISIONS


def status_mb(field: str) -> float:
    """A line of /proc/self/status (VmRSS, VmHWM, ...) in MB."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    raise KeyError(field)


def largest(seed: int) -> dict:
    rng = random.Random(seed)
    n = MAX_NEURONS
    layers = [{"activation": "sigmoid", "weights": [[rng.uniform(-1, 1) for _ in range(n)] for _ in range(n)],
               "bias": [0.1] * n} for _ in range(MAX_LAYERS)]
    samples = [{"x": [rng.random() for _ in range(n)], "target": [0.5] * n} for _ in range(MAX_SAMPLES)]
    return {"title": f"limits {seed}", "layers": layers, "learning_rate": 0.1, "samples": samples}


def options(precision: str):
    from engine.render import RenderOptions

    decimals = int(precision[1:]) if precision.startswith("d") else None
    significant = int(precision[1:]) if precision.startswith("s") else None
    return RenderOptions(decimals=decimals, significant=significant)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--networks", type=int, default=8)
    parser.add_argument("--precisions", choices=("all", "auto"), default="all")
    args = parser.parse_args()
    precisions = PRECISIONS if args.precisions == "all" else ("auto",)

    # what the server process imports (ui.state imports Streamlit; the pages import pandas and Plotly)
    import pandas  # noqa: F401
    import plotly  # noqa: F401
    import streamlit  # noqa: F401

    from engine import load_preset, parse_config, preset_ids
    from engine.check import names_of
    from engine.check.recompute import _graph_of
    from engine.matrix import matrix_view
    from engine.render import render_trace
    from ui import state

    for pid in preset_ids():  # every preset once, as a class would
        render_trace(state.trace_for(state.config_text_of(load_preset(pid))))
    gc.collect()
    baseline = status_mb("VmRSS")
    print(f"baseline (imports, every preset rendered): {baseline:.0f} MB resident")
    print("| network | seconds | RSS after, MB | peak so far (VmHWM), MB |")
    print("|---:|---:|---:|---:|")
    t_all = time.perf_counter()
    for i in range(args.networks):
        t0 = time.perf_counter()
        text = state.config_text_of(parse_config(largest(i)))
        trace = state.trace_for(text)
        for p in precisions:
            render_trace(trace, options(p))
        matrix_view(trace, options("auto"))
        names_of(trace)
        _graph_of(trace)
        del trace
        gc.collect()
        print(f"| {i + 1} | {time.perf_counter() - t0:.1f} | {status_mb('VmRSS'):.0f} | {status_mb('VmHWM'):.0f} |",
              flush=True)
    print(f"\n{args.networks} distinct largest networks x {len(precisions)} precisions in "
          f"{time.perf_counter() - t_all:.0f} s: peak resident {status_mb('VmHWM'):.0f} MB, now "
          f"{status_mb('VmRSS'):.0f} MB (baseline {baseline:.0f} MB)")
    try:
        from engine import memo
    except ImportError:  # the code before engine.memo: no byte-bounded caches to report
        return
    peak = status_mb("VmHWM")
    print(f"ceiling {memo.RSS_CEILING / memo.MB:.0f} MB: the peak is {'within' if peak * memo.MB <= memo.RSS_CEILING else 'ABOVE'}"
          f" it; cache budgets total {memo.CACHE_TOTAL / memo.MB:.0f} MB\n")
    print("| cache | entries | MB | budget MB | hits | misses | evictions |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for s in memo.all_stats():
        print(f"| {s.name} | {s.entries} | {s.bytes / memo.MB:.1f} | {s.max_bytes / memo.MB:.0f} | {s.hits} | "
              f"{s.misses} | {s.evictions} |")


if __name__ == "__main__":
    main()
