"""One byte-bounded, thread-safe LRU cache for everything the tutor keeps between runs (no Streamlit here).

Every cache of the app and the engine is a `ByteLRU` with a budget in bytes; the budgets are the named
constants below, in one place, with the reasoning that keeps the server's resident memory under a ceiling.

    cache = ByteLRU("renderings", RENDER_BUDGET)
    value = cache.get_or_make(key, make)            # make() runs at most once per key at a time
    value = cache.get_or_make(key, make, size=n)    # the caller knows the size (bytes) better than sizeof()

A hit is O(1): a dict lookup and a move to the end of the order, under one lock. A miss runs `make()`
outside the lock (another thread asking for the same key waits for it instead of building it twice),
measures the value (`sizeof`, or the `size` given), stores it and evicts the least recently used entries
until the cache is within its budget. A value larger than the whole budget is returned but not kept.

Caches keyed by an object that must not be kept alive by the cache (a trace) key by `ident(obj)`: a serial
number that is never reused. When the object is garbage-collected its serial is queued (weakref.finalize,
lock-free) and the next miss of any cache drops the entries whose key is, or starts with, a dead serial.

THE CEILING (issue 8): the server's resident memory stays under 1 GB whatever learners do within the
documented limits (at most 6 layers x 10 neurons, 10 inputs, 16 samples: 28,795 steps at most).
  - The process itself (Python, Streamlit, NumPy, SymPy, pandas, Plotly, the engine, every preset rendered):
    180 MB resident (bench/bench_memory.py, "baseline"); Streamlit's runtime with a class's sessions
    (session state, the message cache): allow 100 MB more.
  - The caches below: at most the sum of the budgets (432 MB) of counted bytes. Counted bytes estimate what
    Python allocated (tracemalloc); resident memory grows by about 1.2x that (allocator overhead and
    fragmentation; bench/bench_memory.py measured +361 MB resident for caches holding 300 MB): 520 MB.
  - The work in flight that is not yet in a cache: a largest network being prepared (its trace, lines and
    two renderings: about 150 MB) while each cache may still hold the entry it is about to evict.
  - The count-bounded functools caches of pure functions (below): at most 40 MB.
  180 + 100 + 520 + 150 + 40 = 990 MB < 1 GB. bench/bench_memory.py measures the peak for 8 distinct
  largest networks x every precision: 501 MB (before engine.memo: 3,583 MB, growing ~420 MB a network).

Calibration of the per-step sizes (tracemalloc, Python 3.11, the largest network: 28,795 steps; see
bench/bench_memory.py and tests/test_memo.py, which checks the estimates against tracemalloc):
  trace 22.8 MB (793 B/step), lines 54 MB (1,880 B/step), one rendering 33-36 MB (1,150-1,250 B/step;
  deep_sizeof counts 1,550 B/step, shared tuples included), names 27.1 MB (943 B/step), recompute graph
  23.0 MB (800 B/step), matrix view 0.4 MB. A Names or a graph holds its trace: its size counts the trace.
"""

from __future__ import annotations

import collections
import itertools
import sys
import threading
import types
import weakref
from collections.abc import Callable, Hashable
from dataclasses import dataclass, fields, is_dataclass
from typing import Any

MB = 1 << 20

# --- the budgets (bytes), in one place ----------------------------------------------------------------------
TRACE_BUDGET = 64 * MB  # traces and networks by config text (ui.state): 2 largest traces, the presets many times
LINES_BUDGET = 64 * MB  # engine.render: each trace's lines before precision and language (1 largest)
RENDER_BUDGET = 80 * MB  # engine.render: rendered steps per (trace, options) (2 largest renderings)
NOTEVIEW_BUDGET = 16 * MB  # engine.noteview: views' items, indexes and renderings (a note's: ~0.5 MB; a view in
#                            the engine's order only wraps the rendered steps: ~200 B a step)
NAMES_BUDGET = 64 * MB  # engine.check.names: a learner's names per trace, with its trace (1 largest)
GRAPH_BUDGET = 56 * MB  # engine.check.recompute: the step graph per trace, with its trace (1 largest)
MATRIX_BUDGET = 8 * MB  # engine.matrix: the matrix view per (trace, options) (0.4 MB each at most)
UI_BUDGET = 56 * MB  # ui: the check page's fields, names table, marks; the stepper's chains and symbols
STEPPER_BUDGET = 24 * MB  # ui.stepper: the JSON the browser-side stepper gets, per (config, options, window)
CACHE_TOTAL = (TRACE_BUDGET + LINES_BUDGET + RENDER_BUDGET + NAMES_BUDGET + GRAPH_BUDGET + MATRIX_BUDGET
               + UI_BUDGET + STEPPER_BUDGET)
RSS_CEILING = 1024 * MB  # what bench/bench_memory.py checks the measured peak against

# Count-bounded functools caches of pure string functions (engine.latex, engine.symbols, engine.render):
# their worst-case entry sizes are stated below; together they stay under 40 MB. (32768: the ~30,000 ids and
# values of the largest trace fit, so rendering it does not thrash them.)
NUMBER_CACHE_ENTRIES = 32768  # engine.latex.number / plain_number: <= 300 B an entry -> <= 10 MB each
PLAIN_CACHE_ENTRIES = 4096  # engine.symbols.plain: a symbol (<= 64 chars, engine.limits; decorated, a few
#   times that) and its text: <= 1 KB an entry -> <= 4 MB
STEP_ID_CACHE_ENTRIES = 32768  # engine.render._parse: a step id and its parsed dict (<= 550 B) -> <= 18 MB

# bytes per step (see the calibration above; rounded up)
TRACE_BYTES_PER_STEP = 850
LINES_BYTES_PER_STEP = 2000
NAMES_BYTES_PER_STEP = 1000
GRAPH_BYTES_PER_STEP = 850


# --- sizes ---------------------------------------------------------------------------------------------------

_ATOMS = (str, bytes, bytearray, int, float, complex, bool, type(None))
_SKIP = (type, weakref.ref, weakref.ProxyType, weakref.CallableProxyType, types.FunctionType, types.MethodType,
         types.BuiltinFunctionType, types.ModuleType, type(threading.Lock()), threading.Event)


def deep_sizeof(obj: Any, limit: int = 2_000_000) -> int:
    """An estimate of the bytes `obj` holds: sys.getsizeof of it and of everything it refers to, counted once.

    Follows tuples, lists, sets, dicts, dataclasses and objects with __slots__ or __dict__; counts NumPy
    arrays by nbytes and pandas objects by memory_usage(deep=True); does not follow types, functions,
    modules or weak references. Stops (and extrapolates) after `limit` objects, so it never takes long.
    """
    seen: set[int] = set()
    total = 0
    todo = [obj]
    count = 0
    while todo:
        o = todo.pop()
        if id(o) in seen:
            continue
        seen.add(id(o))
        count += 1
        if count > limit:  # extrapolate: the rest is like what was counted so far
            return int(total * (1 + len(todo) / count)) + 1
        if isinstance(o, _ATOMS):
            total += sys.getsizeof(o)
            continue
        if isinstance(o, _SKIP):
            continue
        nbytes = _special(o)
        if nbytes is not None:
            total += nbytes
            continue
        total += sys.getsizeof(o)
        if isinstance(o, dict):
            todo.extend(o.keys())
            todo.extend(o.values())
        elif isinstance(o, (tuple, list, set, frozenset, collections.deque)):
            todo.extend(o)
        else:
            todo.extend(_attributes(o))
    return total


def _special(o: Any) -> int | None:
    module = type(o).__module__
    if module.startswith("numpy") and isinstance(getattr(o, "nbytes", None), int):
        return sys.getsizeof(o) if getattr(o, "base", None) is not None else o.nbytes + 112
    if module.startswith("pandas") and hasattr(o, "memory_usage"):
        usage = o.memory_usage(deep=True)
        return int(usage.sum() if hasattr(usage, "sum") else usage)
    return None


def _attributes(o: Any) -> list[Any]:
    out: list[Any] = []
    d = getattr(o, "__dict__", None)
    if isinstance(d, dict):
        out.append(d)
    for cls in type(o).__mro__:
        for name in cls.__dict__.get("__slots__", ()):
            if name in ("__dict__", "__weakref__"):
                continue
            try:
                out.append(getattr(o, name))
            except AttributeError:
                pass
    if not out and is_dataclass(o):
        out.extend(getattr(o, f.name, None) for f in fields(o))
    return out


# --- object identities that are never reused ------------------------------------------------------------------

_SERIALS: weakref.WeakKeyDictionary[Any, int] = weakref.WeakKeyDictionary()
_SERIAL_LOCK = threading.Lock()
_COUNTER = itertools.count(1)
_DEAD: collections.deque[int] = collections.deque()  # serials of collected objects (appended lock-free)


def ident(obj: Any) -> int:
    """A serial number for `obj` (weakly held): the same for its lifetime, never given to another object."""
    serial = _SERIALS.get(obj)
    if serial is None:
        with _SERIAL_LOCK:
            serial = _SERIALS.get(obj)
            if serial is None:
                serial = _SERIALS[obj] = next(_COUNTER)
                weakref.finalize(obj, _DEAD.append, serial)
    return serial


# --- the cache -----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Stats:
    name: str
    entries: int
    bytes: int
    max_bytes: int
    hits: int
    misses: int
    evictions: int


_ALL: weakref.WeakSet[ByteLRU] = weakref.WeakSet()
_ALL_LOCK = threading.Lock()


class ByteLRU:
    """A least-recently-used cache bounded by the bytes of its values (see the module's docstring)."""

    def __init__(self, name: str, max_bytes: int, sizeof: Callable[[Any], int] = deep_sizeof):
        self.name = name
        self.max_bytes = int(max_bytes)
        self.sizeof = sizeof
        self._data: collections.OrderedDict[Hashable, tuple[Any, int]] = collections.OrderedDict()
        self._bytes = 0
        self._hits = self._misses = self._evictions = 0
        self._lock = threading.Lock()
        self._pending: dict[Hashable, threading.Event] = {}
        with _ALL_LOCK:
            _ALL.add(self)

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, key: Hashable) -> bool:
        return key in self._data

    def get(self, key: Hashable, default: Any = None) -> Any:
        with self._lock:
            entry = self._data.get(key)
            if entry is None:
                return default
            self._data.move_to_end(key)
            self._hits += 1
            return entry[0]

    def get_or_make(self, key: Hashable, make: Callable[[], Any], size: int | Callable[[Any], int] | None = None) -> Any:
        """The value for `key`, made by `make()` (and kept, within the budget) when it is not cached."""
        while True:
            with self._lock:
                entry = self._data.get(key)
                if entry is not None:
                    self._data.move_to_end(key)
                    self._hits += 1
                    return entry[0]
                waiting = self._pending.get(key)
                if waiting is None:
                    self._misses += 1
                    done = self._pending[key] = threading.Event()
                    break
            waiting.wait()  # another thread is making it: use its value (or make it if that failed)
        try:
            purge_dead()
            value = make()
            nbytes = size(value) if callable(size) else size if size is not None else self.sizeof(value)
            self.put(key, value, nbytes)
            return value
        finally:
            with self._lock:
                self._pending.pop(key, None)
            done.set()

    def put(self, key: Hashable, value: Any, size: int | None = None) -> None:
        nbytes = max(int(self.sizeof(value) if size is None else size), 1)
        with self._lock:
            old = self._data.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            if nbytes > self.max_bytes:  # larger than the whole budget: the caller uses it, nobody keeps it
                return
            self._data[key] = (value, nbytes)
            self._bytes += nbytes
            while self._bytes > self.max_bytes and self._data:
                _, (_, freed) = self._data.popitem(last=False)
                self._bytes -= freed
                self._evictions += 1

    def discard(self, key: Hashable) -> None:
        with self._lock:
            old = self._data.pop(key, None)
            if old is not None:
                self._bytes -= old[1]

    def discard_serials(self, dead: set[int]) -> None:
        """Drop the entries keyed by (or by a tuple starting with) a serial in `dead`."""
        with self._lock:
            for key in [k for k in self._data if (k[0] if isinstance(k, tuple) and k else k) in dead]:
                self._bytes -= self._data.pop(key)[1]

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self._bytes = 0

    def stats(self) -> Stats:
        with self._lock:
            return Stats(self.name, len(self._data), self._bytes, self.max_bytes, self._hits, self._misses,
                         self._evictions)


def purge_dead() -> None:
    """Drop every cache's entries for objects that were garbage-collected (called on a miss, not on a hit)."""
    if not _DEAD:
        return
    dead: set[int] = set()
    while True:
        try:
            dead.add(_DEAD.popleft())
        except IndexError:
            break
    with _ALL_LOCK:
        caches = list(_ALL)
    for cache in caches:
        cache.discard_serials(dead)


def all_stats() -> list[Stats]:
    """Every cache's stats (for the memory test and the benchmark)."""
    with _ALL_LOCK:
        caches = list(_ALL)
    return sorted((c.stats() for c in caches), key=lambda s: s.name)
