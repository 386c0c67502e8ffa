"""Exercises: a template's network with fresh, nice numbers that nobody has solved yet.

`generate(template, seed)` keeps everything of the template but its numbers (shape, activations, loss,
reduction, batch size, update order, hand rounding, notation, learning rate) and draws new weights, biases,
inputs and targets with at most two decimals. A draw is kept only when `problems(trace)` finds nothing
degenerate in the iteration it gives (rejection sampling); the same template and seed give the same exercise
everywhere. `seed_for(name, assignment)` turns a student's name or ID and an assignment word into a seed.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from .catalog import load_preset, preset_ids
from .config import ConfigError, Layer, Network, Sample, text
from .functions import ACTIVATIONS
from .limits import MAX_STUDENT_NAME_CHARS, MAX_TITLE_CHARS
from .numbers import round_half_up
from .trace import Trace, compute_trace, step_id

__all__ = ["EXERCISE_VERSION", "MAX_SEED", "config_json", "exercise_info", "generate", "generate_traced",
           "parse_seed", "problems", "seed_for", "student_text", "template_of"]

# Bump whenever the numbers generate() draws for a template and seed change (tests/test_exercise.py holds a golden one).
EXERCISE_VERSION = 1
MAX_SEED = 2**32 - 1
MAX_ATTEMPTS = 300  # whole draws before giving up (the presets need at most 8: bench/bench_exercise.py)
MAX_WORK = 40_000  # ... or once the rejected draws hold this many trace steps (< 1 s): a large network gives up sooner
_ROW_TRIES = 60  # draws of one neuron's weights before the attempt starts again
_LAYER_TRIES = 8

# --- the rules of non-degeneracy (docs/engine.md, "Exercises and worksheets") ---------------------------
MAX_VALUE = 100.0  # every number of the iteration: |v| < 100
MIN_GRADIENT = 1e-4  # every delta and gradient (per sample and batch): |g| >= 0.0001 ...
MIN_GRADIENT_RATIO = 1e-3  # ... and >= 1/1000 of the largest one
MIN_STEP = 5e-5  # every update moves its parameter visibly (w - eta g and w + eta g differ at 4 decimals)
MIN_ERROR = 0.05  # every output differs from its target: |y - t| >= 0.05
SIGMOID_RANGE = (0.05, 0.95)  # sigmoid and softmax outputs, every sample
TANH_MAX = 0.9  # |tanh| <= 0.9
RELU_MARGIN = 0.05  # ReLU: z >= 0.05 (alive, not at the kink); leaky ReLU: |z| >= 0.05
TIE_ABS, TIE_REL = 5e-5, 1e-3  # two values tie when their sizes differ by less than max(TIE_ABS, TIE_REL * size)

_PREFIX = ("Exercise: ", "练习：")
_SEED_MARK = (" (seed ", "（种子 ")


# --- seeds -------------------------------------------------------------------------------------------------

def parse_seed(value: object, where: str = "seed") -> int:
    """A seed: a whole number from 0 to 2**32 - 1 (an int, or its decimal digits as text)."""
    if isinstance(value, str) and re.fullmatch(r"[0-9]{1,10}", value.strip()):
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_SEED:
        raise ConfigError(where, code="bad_seed", limit=MAX_SEED, value=value)
    return value


def student_text(value: object, where: str = "name", *, empty: bool = False) -> str:
    """A student's name or ID, or an assignment word, as it is printed: text of at most 80 characters without
    control or bidi characters, NFC-normalised, white space runs made one space and stripped; empty only if allowed."""
    value = text(value, where, MAX_STUDENT_NAME_CHARS)
    out = " ".join(unicodedata.normalize("NFC", value).split())
    if not out.isprintable():
        raise ConfigError(where, code="bad_char", what="an invisible or unprintable character",
                          what_zh="不可见或不可打印的字符")
    if not out and not empty:
        raise ConfigError(where, code="empty")
    return out


def _key(value: str, where: str, *, empty: bool) -> bytes:
    return unicodedata.normalize("NFC", student_text(value, where, empty=empty).casefold()).encode()


def seed_for(name: str, assignment: str = "") -> int:
    """The seed of one student's exercise: the first 4 bytes (big-endian) of BLAKE2b over
    `backprop-tutor/exercise-seed/v1`, NUL, the assignment word, NUL, the name (both NFC, case-folded, stripped,
    inner white space one space; UTF-8). "Ada Lovelace" and " ada  LOVELACE " get the same seed."""
    key = b"\0".join((b"backprop-tutor/exercise-seed/v1", _key(assignment, "assignment", empty=True),
                      _key(name, "name", empty=False)))
    return int.from_bytes(hashlib.blake2b(key, digest_size=4).digest(), "big")


# --- the template ------------------------------------------------------------------------------------------

def template_of(template: Network | str) -> Network:
    """A preset id or a network (any config, an exercise too) as a template."""
    if isinstance(template, str):
        if template not in preset_ids():
            raise ConfigError("template", code="unknown_name", got=template, choices=", ".join(preset_ids()))
        return load_preset(template)
    if not isinstance(template, Network):
        raise ConfigError("template", code="not_name", value=template)
    return template


def exercise_info(network: Network) -> dict:
    """`{"template", "seed", "version"}` of an exercise (meta `exercise`), or of a preset: seed and version None."""
    info = network.meta.get("exercise")
    if isinstance(info, dict):
        return {"template": info.get("template"), "seed": info.get("seed"), "version": info.get("version")}
    return {"template": network.meta.get("id"), "seed": None, "version": None}


def _titles(template: Network) -> tuple[str | None, str, str]:
    """The template's id and titles (en, zh); an exercise used as a template gives its own template's."""
    info = template.meta.get("exercise")
    if isinstance(info, dict):
        tid = info.get("template")
        if tid in preset_ids():
            return _titles(load_preset(tid))
        return tid, _untitled(template.title, 0), _untitled(template.meta.get("title_zh") or template.title, 1)
    tid = template.meta.get("id")
    en = template.title or tid or "network"
    return tid, en, template.meta.get("title_zh") or en


def _untitled(title: str, lang: int) -> str:
    """An exercise's title without what `generate` added: `Exercise: X (seed 3)` -> `X` (no regex: user text)."""
    head, mark, tail = title.removeprefix(_PREFIX[lang]).rpartition(_SEED_MARK[lang])
    return head if mark and tail[:-1].isdigit() and tail[-1:] in ")）" else title.removeprefix(_PREFIX[lang])


def _title(prefix: str, base: str, suffix: str) -> str:
    room = MAX_TITLE_CHARS - len(prefix) - len(suffix)
    return prefix + (base if len(base) <= room else base[:room - 1] + "…") + suffix


# --- drawing nice numbers ----------------------------------------------------------------------------------

class _Draw:
    """Deterministic choices from a seed: only random.Random(seed).getrandbits is used, whose stream for an int
    seed is the same on every platform and Python version (hash randomisation plays no part)."""

    def __init__(self, seed: int):
        self._bits = random.Random(seed).getrandbits

    def below(self, n: int) -> int:
        k = max(1, (n - 1).bit_length())
        while True:
            v = self._bits(k)
            if v < n:
                return v

    def pick(self, seq: Sequence):
        return seq[self.below(len(seq))]

    def chance(self, num: int, den: int) -> bool:
        return self.below(den) < num

    def sample(self, seq: Sequence, k: int) -> list:
        pool = list(seq)
        for i in range(k):  # a partial Fisher-Yates shuffle
            j = i + self.below(len(pool) - i)
            pool[i], pool[j] = pool[j], pool[i]
        return pool[:k]


def _pool(count: int) -> range:
    """Sizes in hundredths for `count` numbers of different sizes, with room to spare: tenths (0.1..0.9) when
    they are plenty, else twentieths (0.05..0.95), else hundredths (0.01..0.99, then ..1.99)."""
    for step, top in ((10, 90), (5, 95), (1, 99)):
        if len(range(step, top + 1, step)) >= 2 * count:
            return range(step, top + 1, step)
    return range(1, 200)


def _signed(d: _Draw, sizes: list[int]) -> list[int]:
    return [-m if d.chance(1, 2) else m for m in sizes]


def _inputs(d: _Draw, n: int) -> list[float]:
    """n inputs of distinct sizes in 0.1..0.9 (0.05..0.95 for many), about one in four negative."""
    step = 10 if n <= 6 else 5
    return [(-m if d.chance(1, 4) else m) / 100 for m in d.sample(range(step, 100, step), n)]


def _fits(activation: str, z: np.ndarray, negative: bool) -> bool:
    """The generator's margins, a little inside the rules, for one neuron's z over the samples. A leaky ReLU
    may go negative only when `negative` (drawn for one neuron in four: its gradients are 100 times smaller)."""
    size = np.abs(z)
    if activation == "sigmoid":
        return bool(np.all(size <= 2.0))  # a in [0.12, 0.88]
    if activation == "tanh":
        return bool(np.all((size >= 0.05) & (size <= 1.2)))  # |a| <= 0.83
    if activation == "relu" or activation == "leaky_relu" and not negative:
        return bool(np.all((z >= 0.1) & (z <= 10)))
    return bool(np.all((size >= 0.1) & (size <= 10)))  # identity, a leaky ReLU that may go negative


def _activate(activation: str, z: np.ndarray, round_to: int | None) -> np.ndarray:
    a = np.array([ACTIVATIONS[activation].value(row) for row in z])
    if round_to is not None:
        a = np.vectorize(lambda v: round_half_up(float(v), round_to))(a)
    return a


def _distinct(values: np.ndarray) -> bool:
    sizes = sorted(abs(float(v)) for v in values)
    return all(not _tie(u, v) for u, v in zip(sizes, sizes[1:]))


def _layer(d: _Draw, layer: Layer, A: np.ndarray, round_to: int | None) -> tuple[Layer, np.ndarray] | None:
    """New weights and biases for one layer whose inputs are A (samples x neurons), and its activations."""
    rows, cols = layer.size, A.shape[1]
    weights_pool = _pool(rows * cols)
    bias_pool = _pool(rows)
    shared = _signed(d, [d.pick(bias_pool)])[0] if layer.bias_mode == "shared" else None
    used_w: set[int] = set()
    used_b: set[int] = set()
    W, B = [], []
    for _ in range(rows):
        negative = d.chance(1, 4)
        for _ in range(_ROW_TRIES):
            row = _signed(d, d.sample([m for m in weights_pool if m not in used_w], cols))
            b = shared if shared is not None else (
                _signed(d, [d.pick([m for m in bias_pool if m not in used_b])])[0]
                if layer.bias_mode == "per_neuron" else 0)
            z = A @ (np.array(row) / 100) + b / 100
            if layer.activation == "softmax" or _fits(layer.activation, z, negative):
                break
        else:
            return None
        used_w.update(abs(w) for w in row)
        used_b.add(abs(b))
        W.append(row)
        B.append(b)
    Z = A @ (np.array(W).T / 100) + np.array(B) / 100
    a = _activate(layer.activation, Z, round_to)
    if layer.activation == "softmax" and not np.all((a >= 0.08) & (a <= 0.92)):
        return None
    if rows > 1 and not all(_distinct(row) for row in a):
        return None
    weights = tuple(tuple(w / 100 for w in row) for row in W)
    bias = None if layer.bias_mode == "none" else (
        shared / 100 if shared is not None else tuple(b / 100 for b in B))
    return Layer(layer.activation, weights, bias), a


def _targets(d: _Draw, template: Network, Y: np.ndarray) -> list[tuple[float, ...]] | None:
    """Targets for outputs Y (samples x outputs), in the template's kind: one-hot classes, 0/1 labels,
    values in (0, 1) or (-1, 1) with two decimals, or for an unbounded output its value moved by 0.2-1.0."""
    activation = template.layers[-1].activation
    labels = all(v in (0.0, 1.0) for s in template.samples for v in s.target)
    one_hot = labels and all(sum(s.target) == 1 for s in template.samples)
    out = []
    for y in Y:
        n = len(y)
        softmax = template.loss == "cross_entropy" or activation == "softmax"
        if softmax and one_hot:  # a batch's samples of different classes while they last
            classes = [j for j in range(n) if all(seen[j] == 0 for seen in out)] or list(range(n))
            k = d.pick(classes)
            t = [1.0 if j == k else 0.0 for j in range(n)]
        elif softmax:  # soft targets that sum to 1
            cuts = sorted(d.sample(range(1, 100), n - 1))
            t = [(b - a) / 100 for a, b in zip([0, *cuts], [*cuts, 100])]
        elif labels and activation == "sigmoid":
            t = [float(d.below(2)) for _ in range(n)]
        elif activation in ("sigmoid", "tanh"):
            low = 1 if activation != "tanh" else -99
            choices = range(low, 100)
            t = []
            for v in y:
                near = [c for c in choices if abs(c / 100 - v) >= 0.1]
                t.append(d.pick(near) / 100)
        else:
            t = [(round(round_half_up(float(v), 1) * 10) + d.pick((-1, 1)) * (2 + d.below(9))) / 10 for v in y]
        if any(abs(a - b) < 2 * MIN_ERROR for a, b in zip(y, t)):
            return None
        out.append(tuple(t))
    return out


def _attempt(d: _Draw, template: Network) -> Network | None:
    xs: list[list[float]] = []
    while len(xs) < len(template.samples):
        x = _inputs(d, template.inputs)
        if x not in xs:
            xs.append(x)
    A = np.array(xs)
    layers = []
    for layer in template.layers:
        for _ in range(_LAYER_TRIES):
            made = _layer(d, layer, A, template.round_to)
            if made is not None:
                break
        else:
            return None
        layers.append(made[0])
        A = made[1]
    targets = _targets(d, template, A)
    if targets is None:
        return None
    samples = tuple(Sample(tuple(x), t) for x, t in zip(xs, targets))
    return replace(template, layers=tuple(layers), samples=samples)


def generate(template: Network | str, seed: int) -> Network:
    """A fresh exercise from a template (a preset id or a network) and a seed (0..2**32-1): the template's
    network with new numbers, none of them degenerate by `problems`. The same template and seed give the same
    exercise on every machine; `config_json` writes it as a config file."""
    return generate_traced(template, seed).network


def generate_traced(template: Network | str, seed: int) -> Trace:
    """`generate`, with the exercise's trace (computed anyway to check it)."""
    seed = parse_seed(seed)
    tpl = template_of(template)
    tid, en, zh = _titles(tpl)
    labels = {"title": _title(_PREFIX[0], en, f"{_SEED_MARK[0]}{seed})"),
              "meta": {"title_zh": _title(_PREFIX[1], zh, f"{_SEED_MARK[1]}{seed}）"),
                       "exercise": {"template": tid, "seed": seed, "version": EXERCISE_VERSION}}}
    d = _Draw(seed)
    work = 0
    for attempt in range(1, MAX_ATTEMPTS + 1):
        network = _attempt(d, tpl)
        if network is not None:
            trace = compute_trace(replace(network, **labels))
            if not problems(trace):
                return trace
        work += len(trace) if network is not None else len(tpl.samples) * sum(tpl.sizes)
        if work > MAX_WORK:
            raise ConfigError("template", code="no_exercise", tries=attempt)
    raise ConfigError("template", code="no_exercise", tries=MAX_ATTEMPTS)


def config_json(network: Network) -> str:
    """The exercise as a config file (JSON text) that `load_config`, `trace FILE` and `check FILE` accept."""
    return json.dumps(network.to_config(), ensure_ascii=False, indent=2, allow_nan=False) + "\n"


# --- the rules ---------------------------------------------------------------------------------------------

def _tie(u: float, v: float) -> bool:
    u, v = abs(u), abs(v)
    return abs(u - v) < max(TIE_ABS, TIE_REL * max(u, v))


def _n(v: float) -> str:
    return f"{v:.6g}"


def _given_problems(net: Network) -> list[str]:
    out = []
    for li, layer in enumerate(net.layers, 1):
        flat = [w for row in layer.weights for w in row]
        if any(w == 0 for w in flat):
            out.append(f"layer {li}: a weight is 0")
        if len({abs(w) for w in flat}) != len(flat):
            out.append(f"layer {li}: two weights are equal in size")
        biases = [] if layer.bias is None else ([layer.bias] if isinstance(layer.bias, float) else list(layer.bias))
        if any(b == 0 for b in biases):
            out.append(f"layer {li}: a bias is 0")
        if len({abs(b) for b in biases}) != len(biases):
            out.append(f"layer {li}: two biases are equal in size")
    for s, sample in enumerate(net.samples, 1):
        if any(x == 0 for x in sample.x):
            out.append(f"sample {s}: an input is 0")
        if not _distinct(np.array(sample.x)):
            out.append(f"sample {s}: two inputs have the same size")
    if len({s.x for s in net.samples}) != len(net.samples):
        out.append("two samples have the same inputs")
    return out


def _groups(trace: Trace) -> dict[tuple, list]:
    """Values a mistake could put in one another's place: per layer and sample, a quantity's values over the
    layer's neurons (z, a, dE/da, da/dz, delta); every gradient of the network (the batch's); and a per-sample
    gradient with the others of its row (same neuron: another input, or the bias) and of its column (same input,
    another neuron)."""
    net = trace.network
    L = len(net.layers)
    groups: dict[tuple, list] = {}
    for st in trace.steps:
        if st.phase == "check" or st.layer is None:
            continue
        activation = net.layers[st.layer - 1].activation
        q = st.quantity
        if q == "da_dz" and activation not in ("sigmoid", "tanh"):
            continue  # constant (identity, ReLU) or symmetric by nature (the softmax Jacobian)
        if q == "dE_da" and st.layer == L and net.loss == "cross_entropy":
            continue  # -t/y: 0 for every class but the target
        if q in ("z", "a", "dE_da", "da_dz", "delta"):
            groups.setdefault((q, st.layer, st.sample), []).append(st)
        elif q in ("dE_dw", "dE_db") and (st.sample is None or len(net.samples) == 1):
            groups.setdefault(("gradient",), []).append(st)  # the batch gradients: all of them
        elif q in ("dE_dw", "dE_db") and st.neuron is not None:
            groups.setdefault(("row", st.layer, st.sample, st.neuron), []).append(st)
            if q == "dE_dw":
                groups.setdefault(("column", st.layer, st.sample, st.source), []).append(st)
    return groups


def _swap_problems(trace: Trace) -> list[str]:
    """A swapped or transposed weight must change the number it goes into."""
    net = trace.network
    out = []
    for li, layer in enumerate(net.layers, 1):
        W = np.array(layer.weights)
        rows, cols = W.shape
        for s in range(1, len(net.samples) + 1):
            prev = (np.array(net.samples[s - 1].x) if li == 1
                    else np.array([trace.value(step_id("a", li - 1, k, None, s)) for k in range(1, cols + 1)]))
            for j in range(rows):
                z = trace.value(step_id("z", li, j + 1, None, s))
                for k in range(cols):
                    for k2 in range(k + 1, cols):
                        swapped = z + (W[j, k2] - W[j, k]) * (prev[k] - prev[k2])
                        if _tie(z, swapped):
                            out.append(f"{step_id('z', li, j + 1, None, s)}: swapping weights {k + 1} and {k2 + 1} "
                                       "gives the same value")
                if rows == cols and rows > 1:
                    transposed = z - W[j] @ prev + W[:, j] @ prev
                    if _tie(z, transposed):
                        out.append(f"{step_id('z', li, j + 1, None, s)}: the transposed weights give the same value")
            if li < len(net.layers):
                V = np.array(net.layers[li].weights)
                if V.shape[0] == V.shape[1] and V.shape[0] > 1:
                    deltas = np.array([trace.value(step_id("delta", li + 1, m, None, s))
                                       for m in range(1, V.shape[0] + 1)])
                    for j in range(rows):
                        ident = step_id("dE_da", li, j + 1, None, s)
                        if _tie(trace.value(ident), float(deltas @ V[j])):
                            out.append(f"{ident}: the transposed weights give the same value")
    return out


def problems(trace: Trace) -> list[str]:
    """Why the numbers of this iteration would make a poor exercise (an empty list: none). The rules are in
    docs/engine.md: sizes, saturation, dead units, errors, zero gradients, invisible updates, ties, swapped
    weights, and the loss must go down."""
    net = trace.network
    out = _given_problems(net)
    for st in trace.steps:
        if not math.isfinite(st.value) or abs(st.value) >= MAX_VALUE:
            out.append(f"{st.id}: {_n(st.value)} is not below {MAX_VALUE:g} in size")
    for st in trace.steps:
        if st.phase != "forward":
            continue
        activation = net.layers[st.layer - 1].activation
        v = st.value
        if st.quantity == "a" and activation in ("sigmoid", "softmax") and not SIGMOID_RANGE[0] <= v <= SIGMOID_RANGE[1]:
            out.append(f"{st.id}: {activation} output {_n(v)} is saturated (outside {SIGMOID_RANGE})")
        elif st.quantity == "a" and activation == "tanh" and abs(v) > TANH_MAX:
            out.append(f"{st.id}: tanh output {_n(v)} is saturated (beyond ±{TANH_MAX})")
        elif st.quantity == "z" and activation == "relu" and v < RELU_MARGIN:
            out.append(f"{st.id}: the ReLU is dead or at its kink (z = {_n(v)})")
        elif st.quantity == "z" and activation == "leaky_relu" and abs(v) < RELU_MARGIN:
            out.append(f"{st.id}: the leaky ReLU is at its kink (z = {_n(v)})")
    L = len(net.layers)
    for s, sample in enumerate(net.samples, 1):
        for j, t in enumerate(sample.target, 1):
            y = trace.value(step_id("a", L, j, None, s))
            if abs(y - t) < MIN_ERROR:
                out.append(f"{step_id('a', L, j, None, s)}: output {_n(y)} is too close to its target {_n(t)}")
    grads = [st for st in trace.steps if st.quantity in ("delta", "dE_dw", "dE_db")]
    floor = max(MIN_GRADIENT, MIN_GRADIENT_RATIO * max((abs(st.value) for st in grads), default=0.0))
    out += [f"{st.id}: {_n(st.value)} is too close to 0 (below {_n(floor)})" for st in grads if abs(st.value) < floor]
    for st in trace.steps:
        if st.phase == "update" and abs(st.value - trace.value(st.operands["old"])) < MIN_STEP:
            out.append(f"{st.id}: the update changes the parameter by less than {MIN_STEP:g}")
    for steps in _groups(trace).values():
        ordered = sorted(steps, key=lambda st: abs(st.value))
        for a, b in zip(ordered, ordered[1:]):
            if _tie(a.value, b.value):
                out.append(f"{a.id} and {b.id}: the same size ({_n(a.value)}, {_n(b.value)})")
    out += _swap_problems(trace)
    if not trace.loss_after < trace.loss:
        out.append(f"loss_after: the loss does not go down ({_n(trace.loss)} -> {_n(trace.loss_after)})")
    return out
