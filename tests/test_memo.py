"""engine.memo: the byte-bounded LRU every cache uses; the caches stay within their budgets (issue 8)."""

from __future__ import annotations

import gc
import os
import threading
import time
import tracemalloc

import pytest

from bench.bench_memory import largest
from engine import compute_trace, load_preset, memo, parse_config
from engine.render import RenderOptions, render_trace

PRECISIONS = (None, *range(2, 7))


# --- the cache itself ------------------------------------------------------------------------------------

def test_get_or_make_caches_and_counts():
    cache = memo.ByteLRU("t", 1000, sizeof=lambda v: 10)
    calls = []
    assert cache.get_or_make("a", lambda: calls.append(1) or "A") == "A"
    assert cache.get_or_make("a", lambda: calls.append(1) or "B") == "A"
    s = cache.stats()
    assert (s.entries, s.bytes, s.hits, s.misses) == (1, 10, 1, 1) and calls == [1]


def test_least_recently_used_goes_first_until_within_budget():
    cache = memo.ByteLRU("t", 100, sizeof=lambda v: v)
    for key in "abcd":
        cache.get_or_make(key, lambda: 30)
    assert "a" not in cache and set("bcd") <= {k for k in "bcd" if k in cache}
    cache.get("b")  # b is now the most recent
    cache.get_or_make("e", lambda: 30)
    assert "c" not in cache and "b" in cache and "e" in cache
    assert cache.stats().bytes <= 100
    cache.get_or_make("big", lambda: 80)  # room is made for it
    assert cache.stats().bytes <= 100 and "big" in cache


def test_a_value_larger_than_the_budget_is_returned_not_kept():
    cache = memo.ByteLRU("t", 100, sizeof=lambda v: v)
    cache.get_or_make("small", lambda: 50)
    assert cache.get_or_make("huge", lambda: 500) == 500
    assert "huge" not in cache and "small" in cache and cache.stats().bytes == 50


def test_an_explicit_size_wins_over_sizeof():
    cache = memo.ByteLRU("t", 100, sizeof=lambda v: 1)
    cache.get_or_make("a", lambda: "x", size=60)
    cache.get_or_make("b", lambda: "y", size=lambda v: 60)
    assert cache.stats().bytes == 60 and "b" in cache and "a" not in cache


def test_concurrent_misses_make_the_value_once():
    cache = memo.ByteLRU("t", 1000, sizeof=lambda v: 1)
    made = []

    def make():
        made.append(1)
        time.sleep(0.2)
        return "v"

    threads = [threading.Thread(target=lambda: cache.get_or_make("k", make)) for _ in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert made == [1]


def test_a_failing_make_is_not_cached_and_does_not_block():
    cache = memo.ByteLRU("t", 1000)
    with pytest.raises(ZeroDivisionError):
        cache.get_or_make("k", lambda: 1 / 0)
    assert cache.get_or_make("k", lambda: 2) == 2


def test_entries_of_a_collected_object_are_dropped():
    class Thing:
        pass

    cache = memo.ByteLRU("t", 10_000, sizeof=lambda v: 10)
    thing = Thing()
    cache.get_or_make((memo.ident(thing), "x"), lambda: 1)
    cache.get_or_make((memo.ident(thing),), lambda: 2)
    other = Thing()
    assert memo.ident(other) != memo.ident(thing)
    del thing
    gc.collect()
    cache.get_or_make("unrelated", lambda: 3)  # a miss purges
    assert len(cache) == 1


def test_deep_sizeof_is_close_to_tracemalloc():
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        value = tuple({"id": f"step{i}", "latex": "x" * 40 + str(i), "v": i * 0.5, "path": (f"a{i}", f"b{i}")}
                      for i in range(20_000))
        measured = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    estimate = memo.deep_sizeof(value)
    assert 0.8 * measured <= estimate <= 1.5 * measured, (estimate, measured)


def test_the_budgets_are_within_the_ceiling():
    assert memo.CACHE_TOTAL <= 0.5 * memo.RSS_CEILING
    from engine import latex, symbols

    assert latex.number.cache_info().maxsize == memo.NUMBER_CACHE_ENTRIES
    assert latex.plain_number.cache_info().maxsize == memo.NUMBER_CACHE_ENTRIES
    assert symbols.plain.cache_info().maxsize == memo.PLAIN_CACHE_ENTRIES


# --- the per-step estimates against tracemalloc ----------------------------------------------------------

def _largest(seed: int) -> dict:
    return largest(seed)


def _smaller(seed: int, layers: int = 3, samples: int = 4) -> dict:
    config = _largest(seed)
    config["layers"] = config["layers"][:layers]
    config["samples"] = config["samples"][:samples]
    return config


def test_the_trace_estimate_is_not_below_what_a_trace_takes():
    network = parse_config(_smaller(1))
    compute_trace(network)  # imports and first-call set-up
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        trace = compute_trace(network)
        measured = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert len(trace) * memo.TRACE_BYTES_PER_STEP >= 0.9 * measured, (len(trace), measured)


# --- every cache within its budget, with many distinct large traces and many options -----------------------

def test_the_caches_stay_within_their_budgets(monkeypatch):
    """Many distinct traces, each rendered with many options, the matrix view, names and graphs: every
    cache's counted bytes stay within its budget (shrunk here so that the test is quick)."""
    from engine import matrix, render
    from engine.check import names, recompute

    # a trace here: 4,261 steps; its lines about 8.5 MB (estimated), a rendering about 6.6 MB (measured)
    budgets = {render._LINES: 20 * memo.MB, render._RENDERED: 16 * memo.MB, matrix._CACHE: 256 * 1024,
               names._NAMES: 20 * memo.MB, recompute._GRAPHS: 20 * memo.MB}
    for cache, budget in budgets.items():
        monkeypatch.setattr(cache, "max_bytes", budget)
    seen_over = []
    for seed in range(6):
        trace = compute_trace(parse_config(_smaller(seed)))
        for d in PRECISIONS:
            for lang in ("en", "zh"):
                opts = RenderOptions(lang=lang, decimals=d)
                rendered = render_trace(trace, opts)
                assert len(rendered) == len(trace)
                matrix.matrix_view(trace, opts)
        names.names_of(trace)
        recompute._graph_of(trace)
        for cache in budgets:
            s = cache.stats()
            if s.bytes > s.max_bytes:
                seen_over.append(s)
    assert not seen_over
    assert render._RENDERED.stats().evictions > 0  # the budget was reached, and kept
    s = render._RENDERED.stats()
    assert s.entries >= 2 and s.bytes <= s.max_bytes


def test_a_rendering_hit_is_fast_and_the_same():
    trace = compute_trace(load_preset("note002"))
    first = render_trace(trace)
    t0 = time.perf_counter()
    for _ in range(1000):
        again = render_trace(trace)
    per_hit_ms = (time.perf_counter() - t0)  # 1000 hits, in seconds = ms per hit
    assert again == first
    assert per_hit_ms < 0.2, per_hit_ms


@pytest.mark.skipif(not os.environ.get("BT_SLOW"), reason="about a minute: BT_SLOW=1 runs it")
def test_the_largest_traces_within_the_real_budgets():
    """The documented limits: distinct largest traces one after the other never take the caches over budget."""
    from engine import render

    for seed in range(3):
        trace = compute_trace(parse_config(_largest(seed)))
        render_trace(trace)
        for stats in memo.all_stats():
            assert stats.bytes <= stats.max_bytes, stats
        assert render._RENDERED.stats().bytes <= memo.RENDER_BUDGET
