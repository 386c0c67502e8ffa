"""Times exercises: generate() per preset over many seeds (with its draws), and a class pack of 30.

Run: python -m bench.bench_exercise [SEEDS]   (prints Markdown tables; SEEDS per preset, default 200)
CPU time of this process (time.process_time) beside wall time: on a machine shared with other jobs the wall
time's tail measures the scheduler, not the code.
"""

from __future__ import annotations

import statistics
import sys
import time

from engine import exercise as ex
from engine import preset_ids
from engine.worksheet import class_pack


def _p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20)[-1]


def main(seeds: int = 200) -> None:
    draws = [0]
    attempt = ex._attempt

    def counted(d, template):
        draws[0] += 1
        return attempt(d, template)

    ex._attempt = counted
    ex.generate(preset_ids()[0], 0)  # imports and first-call set-up, not timed
    print("| template | CPU median ms | CPU p95 ms | CPU max ms | wall median ms | wall p95 ms | draws: mean | draws: max |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for pid in preset_ids():
        cpu, wall, counts = [], [], []
        for seed in range(seeds):
            draws[0] = 0
            c0, t0 = time.process_time(), time.perf_counter()
            ex.generate(pid, seed)
            cpu.append((time.process_time() - c0) * 1000)
            wall.append((time.perf_counter() - t0) * 1000)
            counts.append(draws[0])
        print(f"| {pid} | {statistics.median(cpu):.1f} | {_p95(cpu):.1f} | {max(cpu):.1f} | "
              f"{statistics.median(wall):.1f} | {_p95(wall):.1f} | {statistics.mean(counts):.2f} | {max(counts)} |")
    ex._attempt = attempt
    print("\n| class pack, 30 students | format | CPU s | wall s |")
    print("|---|---|---:|---:|")
    names = [f"Student {i:02d}" for i in range(30)]
    for pid in ("note002", "softmax_ce_2_3_3"):
        for fmt in ("latex", "markdown"):
            c0, t0 = time.process_time(), time.perf_counter()
            class_pack(pid, names, assignment="hw3", fmt=fmt, lang="zh")
            print(f"| {pid} | {fmt} (sheets and keys) | {time.process_time() - c0:.2f} | "
                  f"{time.perf_counter() - t0:.2f} |")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
