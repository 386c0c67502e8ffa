"""Times the engine: parse + compute_trace for every preset and for the largest network the limits allow.

Run: python -m bench.bench_engine   (prints a Markdown table; figures go to README's "Measured" section)
"""

from __future__ import annotations

import random
import statistics
import time

from engine import compute_trace, load_preset, parse_config, preset_ids
from engine.config import MAX_LAYERS, MAX_NEURONS, MAX_SAMPLES


def _largest() -> dict:
    rng = random.Random(0)
    n = MAX_NEURONS
    layers = [{"activation": "sigmoid", "weights": [[rng.uniform(-1, 1) for _ in range(n)] for _ in range(n)],
               "bias": [0.1] * n} for _ in range(MAX_LAYERS)]
    samples = [{"x": [rng.random() for _ in range(n)], "target": [0.5] * n} for _ in range(MAX_SAMPLES)]
    return {"title": "limits", "layers": layers, "learning_rate": 0.1, "samples": samples}


def _time(fn, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def main() -> None:
    print("| network | steps | median ms | p95 ms |")
    print("|---|---:|---:|---:|")
    cases = [(pid, load_preset(pid)) for pid in preset_ids()]
    cases.append((f"limits: {MAX_LAYERS}x{MAX_NEURONS} neurons, {MAX_SAMPLES} samples", parse_config(_largest())))
    for name, network in cases:
        repeat = 5 if name.startswith("limits") else 50
        times = _time(lambda n=network: compute_trace(n), repeat)
        p95 = statistics.quantiles(times, n=20)[-1] if len(times) >= 20 else max(times)
        print(f"| {name} | {len(compute_trace(network))} | {statistics.median(times):.2f} | {p95:.2f} |")


if __name__ == "__main__":
    main()
