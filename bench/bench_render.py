"""Times rendering: every step of every preset as LaTeX with captions, cold (a fresh trace) and cached; and each
note's "As in the note" view (engine.noteview: its script's lines and forms on top of the rendering), cold.

Run: python -m bench.bench_render   (prints a Markdown table of median / p95 / total ms)
"""

from __future__ import annotations

import statistics
import time

from engine import compute_trace, load_preset, noteview, parse_config, preset_ids
from engine.export import export
from engine.matrix import matrix_view
from engine.render import RenderOptions, render_trace

from .bench_engine import _largest

OPTIONS = (RenderOptions(), RenderOptions(lang="zh", decimals=4, mul="cdot"))


def _ms(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1000


def _p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20)[-1] if len(times) >= 20 else max(times)


def main() -> None:
    render_trace(compute_trace(load_preset(preset_ids()[0])))  # imports and first-call set-up, not timed
    print("| network | steps | cold median ms | cold p95 ms | cached median ms | cached p95 ms | matrix view ms | markdown ms |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    cases = [(pid, load_preset(pid)) for pid in preset_ids()]
    cases.append(("limits: 6x10 neurons, 16 samples", parse_config(_largest())))
    total_cold = 0.0
    for name, network in cases:
        repeat = 3 if name.startswith("limits") else 30
        cold, cached = [], []
        for _ in range(repeat):
            trace = compute_trace(network)  # a new trace: nothing cached for it
            cold.append(sum(_ms(lambda o=opts, t=trace: render_trace(t, o)) for opts in OPTIONS[:1]))
            cached.append(_ms(lambda t=trace: render_trace(t, OPTIONS[0])))
        trace = compute_trace(network)
        matrix = _ms(lambda t=trace: matrix_view(t, OPTIONS[0]))
        md = _ms(lambda t=trace: export(t, "markdown"))
        total_cold += statistics.median(cold)
        print(f"| {name} | {len(trace)} | {statistics.median(cold):.2f} | {_p95(cold):.2f} | "
              f"{statistics.median(cached):.3f} | {_p95(cached):.3f} | {matrix:.1f} | {md:.1f} |")
    print(f"\nTotal, every step of every network rendered cold once (medians added): {total_cold:.1f} ms")
    print("\n| note | view | items | cold median ms (rendering included) | view on a cached rendering, median ms |")
    print("|---|---|---:|---:|---:|")
    for pid in preset_ids():
        network = load_preset(pid)
        if not noteview.has_note_view(network):
            continue
        for view in ("note", "full"):
            cold, warm = [], []
            for _ in range(20):
                trace = compute_trace(network)
                cold.append(_ms(lambda t=trace, v=view: noteview.render_view(t, OPTIONS[0], v)))
                trace = compute_trace(network)
                render_trace(trace, OPTIONS[0])
                warm.append(_ms(lambda t=trace, v=view: noteview.render_view(t, OPTIONS[0], v)))
            items = len(noteview.render_view(trace, OPTIONS[0], view))
            print(f"| {pid} | {view} | {items} | {statistics.median(cold):.2f} | {statistics.median(warm):.2f} |")


if __name__ == "__main__":
    main()
