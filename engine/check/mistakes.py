"""The mistake models behind a wrong answer, in the order they are tried.

Mistake models (each recomputes the step from its operands with one thing done wrong, at the step
itself or at one or all of the steps it is computed from, and carries that to the step)
    wrong_update_direction  w + η·g instead of w − η·g
    missing_learning_rate   w − g instead of w − η·g
    used_updated_weight     a new weight (w+) used in a gradient where the old one belongs
    used_old_weight         the old weights used in the second forward pass
    shared_bias_not_summed  a shared bias's gradient from one neuron's δ instead of the sum
    one_path                ∂E/∂a of a hidden neuron along one path only where two or more meet (note
                            004's Equation A: the other paths' δ·w terms left out)
    batch_reduction         sum over the batch instead of the mean, or the reverse
    missing_activation_derivative  δ without the factor da/dz
    activation_for_derivative      a or z written where da/dz belongs
    used_z_for_a            z used where the activation a belongs (or the activation skipped)
    factor_half             the 1/2 or the 2 of a squared error lost or doubled (loss or dE/dy)
    other_sample            another sample's value, or its input or target, used; or one sample's
                            term for a batch value
    sign                    the sign flipped, of the step or of one derivative it is built from
    rounding                right method, rounded too early (operands, or every intermediate,
                            to 1-6 decimals or 2-4 significant digits) or to too few digits
    decimal_point           the result with its decimal point moved: ×10^k or ×10^−k, k = 1..3
    digit_swap              two adjacent digits swapped, one digit changed, dropped or doubled
    swapped_weights         the values of two weights of one layer exchanged (w_jk read as w_kj);
                            tried last, as so many pairs can match by chance
    A slip at a single step is looked for at the target and the NEAREST steps written before it, and
    one answer's search stops after WORK recomputed steps (then only the sign, the rounding, the
    decimal point and a typo of the value itself are tried): both only bite in networks near the
    size limits. What each model is called, in English and Chinese, is data: mistakes.json (models.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from decimal import ROUND_DOWN, ROUND_HALF_UP
from typing import Any

from ..numbers import round_half_up
from ..trace import Step
from .answers import Answer
from .models import MISTAKE_INFO
from .names import Names, _quantity, _sample, _with_sample
from .precision import _at, _cut, _round_significant, _written
from .recompute import Candidate, Detail, Lookup, _core_step, _Graph, _Run

SQUARED_LOSSES = ("half_squared_error", "squared_error", "mean_squared_error")


def _decimals(places: int) -> str:
    return "1 decimal" if places == 1 else f"{places} decimals"


def _fewer_places(answer: Answer) -> range:
    """The decimals the learner wrote and down to 4 fewer: where a result rounded too early is looked for."""
    d = _written(answer)
    if d is None:
        return range(0)
    places = -d.as_tuple().exponent
    return range(places, max(-1, places - 5), -1)


def _args(run: _Run, step: Step) -> dict[str, Any]:
    return run.graph.args[step.id]


def _at_steps(run: _Run, en: str, zh: str) -> Callable[[list[Step]], Detail]:
    return lambda steps: (en.format(run.listed(steps)), zh.format(run.listed(steps)))


def _m_wrong_update_direction(run: _Run) -> Iterator[Candidate]:
    ups = [s for s in run.free if s.op == "update"]
    yield from run.each_then_all(ups, lambda s, get: get(_args(run, s)["old"]) + get(_args(run, s)["rate"])
                                 * get(_args(run, s)["gradient"]), _at_steps(run, "in {}", "在 {} 中"))


def _m_missing_learning_rate(run: _Run) -> Iterator[Candidate]:
    ups = [s for s in run.free if s.op == "update"]
    yield from run.each_then_all(ups, lambda s, get: get(_args(run, s)["old"]) - get(_args(run, s)["gradient"]),
                                 _at_steps(run, "in {}", "在 {} 中"))


def _m_used_updated_weight(run: _Run) -> Iterator[Candidate]:
    paths = [s for s in run.free if s.op == "weight" and "new_" + _args(run, s)["weight"] in run.base]

    def detail(steps: list[Step]) -> Detail:
        new = run.listed("new_" + _args(run, s)["weight"] for s in steps)
        old = run.listed(_args(run, s)["weight"] for s in steps)
        return f"{new} instead of {old}", f"用了 {new} 而不是 {old}"

    yield from run.each_then_all(paths, lambda s, get: get("new_" + _args(run, s)["weight"]), detail)


def _m_used_old_weight(run: _Run) -> Iterator[Candidate]:
    sums = [s for s in run.free if s.phase == "check" and s.op == "weighted_sum"]

    def old(s: Step, get: Lookup) -> float:
        a = _args(run, s)
        total = sum(get(w.removeprefix("new_")) * get(x) for w, x in zip(a["weights"], a["inputs"]))
        return total + (get(a["bias"].removeprefix("new_")) if a.get("bias") else 0.0)

    yield from run.each_then_all(sums, old, _at_steps(run, "in {}", "在 {} 中"))


def _is_shared_bias_sum(run: _Run, s: Step) -> bool:
    return s.quantity == "dE_db" and s.neuron is None and s.op == "sum" \
        and all(_quantity(t) == "delta" for t in _args(run, s)["terms"])


def _m_shared_bias_not_summed(run: _Run) -> Iterator[Candidate]:
    sums = [s for s in run.free if _is_shared_bias_sum(run, s)]
    if not sums:
        return
    for m in range(len(_args(run, sums[0])["terms"])):
        def detail(steps: list[Step], m: int = m) -> Detail:
            taken = run.listed(_args(run, s)["terms"][m] for s in steps)
            return f"only {taken}", f"只取了 {taken}"

        yield from run.each_then_all(sums, lambda s, get, m=m: get(_args(run, s)["terms"][m]), detail)


def _m_one_path(run: _Run) -> Iterator[Candidate]:
    meets = [s for s in run.free if s.op == "sum_over_paths" and len(_args(run, s)["deltas"]) > 1]
    for s in run.nearest(meets):
        for d, w in zip(_args(run, s)["deltas"], _args(run, s)["weights"]):
            name, through = run.names.display(s.id), run.names.display(d)
            yield (run.value({s.id: lambda st, get, d=d, w=w: get(d) * get(w)}),
                   (f"{name} only along the path through {through}", f"{name} 只算了经过 {through} 的一条路径"))


def _is_batch_reduction(run: _Run, s: Step) -> bool:
    if s.op not in ("mean", "sum") or s.sample is not None:
        return False
    return len(_args(run, s)["terms"]) > 1 and not _is_shared_bias_sum(run, s)


def _m_batch_reduction(run: _Run) -> Iterator[Candidate]:
    if run.graph.S < 2:
        return
    steps = [s for s in run.free if _is_batch_reduction(run, s)]

    def other(s: Step, get: Lookup) -> float:
        total = sum(get(t) for t in _args(run, s)["terms"])
        return total if s.op == "mean" else total / len(_args(run, s)["terms"])

    yield from run.each_then_all(steps, other, _at_steps(run, "in {}", "在 {} 中"))


def _activation_of(run: _Run, s: Step) -> str:
    return run.graph.network.layers[s.layer - 1].activation


def _m_missing_activation_derivative(run: _Run) -> Iterator[Candidate]:
    deltas = [s for s in run.free if s.quantity == "delta" and _activation_of(run, s) != "identity"]

    def without(s: Step, get: Lookup) -> float:
        a = _args(run, s)
        return get(a["factors"][0]) if s.op == "product" else get(a["dE_da"][s.neuron - 1])

    yield from run.each_then_all(deltas, without, _at_steps(run, "in {}", "在 {} 中"))


def _m_activation_for_derivative(run: _Run) -> Iterator[Candidate]:
    steps = [s for s in run.free if s.op == "activation_derivative" and "z" in _args(run, s)
             and s.extra.get("activation") != "identity"]
    for key in ("a", "z"):
        def detail(chosen: list[Step], key: str = key) -> Detail:
            used = run.listed(_args(run, s)[key] for s in chosen)
            return f"{used} for {run.listed(chosen)}", f"把 {used} 当成了 {run.listed(chosen)}"

        yield from run.each_then_all(steps, lambda s, get, key=key: get(_args(run, s)[key]), detail)


def _z_of(ident: str) -> str | None:
    return ident.replace("a:", "z:", 1) if _quantity(ident) == "a" else None


def _m_used_z_for_a(run: _Run) -> Iterator[Candidate]:
    pos = run.graph.pos

    def a_with_z(i: str) -> bool:
        return _z_of(i) is not None and i in pos and _activation_of(run, run.graph.step(i)) != "identity"

    def with_z(s: Step, get: Lookup) -> float:
        return run.recompute(s, lambda i: get(_z_of(i)) if a_with_z(i) else get(i))

    readers = [s for s in run.free if s.op != "activation" and any(a_with_z(i) for i in run.graph.deps[s.id])]
    yield from run.each_then_all(readers, with_z, _at_steps(run, "in {}", "在 {} 中"))
    outputs = [s for s in run.free if s.op == "activation" and s.extra.get("activation") != "identity"]
    yield from run.each_then_all(outputs, lambda s, get: get(_args(run, s)["z"]),
                                 _at_steps(run, "{} without the activation", "{} 没有经过激活函数"))


def _m_factor_half(run: _Run) -> Iterator[Candidate]:
    if run.graph.network.loss not in SQUARED_LOSSES:
        return
    for op in ("loss_derivative", "loss"):
        steps = [s for s in run.free if s.op == op]
        for factor in (0.5, 2.0):
            word = ("half of {}", "{} 只算了一半") if factor == 0.5 else ("twice {}", "{} 算成了两倍")
            yield from run.each_then_all(steps, lambda s, get, f=factor: f * run.recompute(s, get),
                                         _at_steps(run, *word))


def _m_other_sample(run: _Run) -> Iterator[Candidate]:
    S = run.graph.S
    if S < 2:
        return
    per_sample = run.nearest([s for s in run.free if s.sample is not None])
    for s in per_sample:
        for other in range(1, S + 1):
            if other != s.sample and _with_sample(s.id, other) in run.base:
                name = run.names.display(_with_sample(s.id, other))
                yield (run.value({s.id: lambda st, get, o=other: run.base[_with_sample(st.id, o)]}),
                       (f"{name} (sample {other}) for sample {s.sample}", f"样本 {s.sample} 用了样本 {other} 的 {name}"))
    for s in per_sample:  # the right step, but another sample's input or target
        if not any(i[:2] in ("x:", "t:") for i in run.graph.deps[s.id]):
            continue
        for other in range(1, S + 1):
            if other == s.sample:
                continue

            def moved(st: Step, get: Lookup, o: int = other) -> float:
                return run.recompute(st, lambda ident: get(_with_sample(ident, o)) if ident[:2] in ("x:", "t:")
                                     else get(ident))

            name = run.names.display(s.id)
            yield (run.value({s.id: moved}), (f"{name} with the inputs or targets of sample {other}",
                                              f"{name} 用了样本 {other} 的输入或目标值"))
    target = run.target
    if _is_batch_reduction(run, target):
        for term in _args(run, target)["terms"]:  # one sample's term for the whole batch
            name = run.names.display(term)
            yield run.value({target.id: lambda st, get, t=term: get(t)}), (f"only {name}", f"只用了 {name}")


def _m_swapped_weights(run: _Run) -> Iterator[Candidate]:
    givens = run.graph.trace.givens
    near = run.nearest([s for s in run.closure if s.op == "weighted_sum"])
    used = sorted({i for s in near for i in run.graph.deps[s.id] if i[:2] == "w:"})
    pairs: dict[frozenset[str], tuple[str, str]] = {}
    for a in used:  # each weight used near the target, with every other weight of its layer
        for b in givens:
            if b[:2] == "w:" and b != a and givens[b].layer == givens[a].layer:
                pairs.setdefault(frozenset((a, b)), (a, b))
    for first, second in list(pairs.values())[:200]:
        a, b = run.base[first], run.base[second]
        if a != b:
            names = f"{run.names.display(first)} ↔ {run.names.display(second)}"
            yield run.value({}, {first: b, second: a}), (names, names)


_SIGNED = ("dE_da", "delta", "dE_dw", "dE_db", "da_dz", "dz_da", "loss_change")


def _m_sign(run: _Run) -> Iterator[Candidate]:
    yield -run.plain, None
    flip = lambda st, get: -run.recompute(st, get)  # noqa: E731
    steps = [s for s in run.free if s.id != run.target.id and s.quantity in _SIGNED]
    for s in run.nearest(steps):
        yield run.value({s.id: flip}), _at_steps(run, "of {}", "{} 的符号")([s])
    outputs = [s for s in run.free if s.op == "loss_derivative"]
    if len(outputs) > 1:
        yield run.value({s.id: flip for s in outputs}), _at_steps(run, "of {}", "{} 的符号")(outputs)


def _m_rounding(run: _Run) -> Iterator[Candidate]:
    value = run.plain
    for p in _fewer_places(run.answer):  # the result rounded or cut off to too few digits
        yield round_half_up(value, p), (f"the result rounded to {_decimals(p)}", f"结果只保留了 {p} 位小数")
        yield _cut(value, p), (f"the result cut off at {_decimals(p)}", f"结果截断到 {p} 位小数")
    core = _core_step(run.graph, run.target)
    shown = {run.target.id, core.id}
    schemes: list[tuple[Callable[[float], float], str, str]] = []
    for p in range(1, 7):
        schemes.append((lambda v, p=p: round_half_up(v, p), f"rounded to {_decimals(p)}", f"四舍五入到 {p} 位小数"))
    for p in range(1, 7):
        schemes.append((lambda v, p=p: _cut(v, p), f"cut off at {_decimals(p)}", f"截断到 {p} 位小数"))
    for n in (2, 3, 4):
        schemes.append((lambda v, n=n: _round_significant(v, n), f"rounded to {n} significant digits",
                        f"保留 {n} 位有效数字"))
    unwritten = {s.id for s in run.free} - shown

    def rounded(r: Callable[[float], float], get: Lookup) -> Lookup:
        return lambda i: r(get(i)) if i in unwritten else get(i)

    for r, en, zh in schemes:  # the operands rounded before use (not the givens, nor what was written down)
        yield (run.value({core.id: lambda st, get, r=r: run.recompute(st, rounded(r, get))}),
               (f"its operands {en} first", f"先把用到的数{zh}"))
    steps = [s for s in run.free if s.id not in shown and s.op not in ("constant", "weight", "input")]
    for r, en, zh in schemes:  # every intermediate rounded as it was written down
        yield (run.value({s.id: (lambda st, get, r=r: r(run.recompute(st, get))) for s in steps}),
               (f"every intermediate value {en}", f"每个中间值都{zh}"))


def _shifted(value: float) -> Iterator[tuple[str, float, Detail]]:
    """The value with its decimal point moved 1 to 3 places either way."""
    for k in (1, 2, 3):
        for sign, en, zh, op in ((1, "right", "右", "×"), (-1, "left", "左", "÷")):
            places = "1 place" if k == 1 else f"{k} places"
            yield "decimal_point", value * 10.0 ** (sign * k), (f"moved {places} to the {en}: {op}{10 ** k}",
                                                                f"{zh}移了 {k} 位：{op}{10 ** k}")


def _m_decimal_point(run: _Run) -> Iterator[Candidate]:
    for _, value, detail in _shifted(run.plain):
        yield value, detail


def _digit_strings(value: float, places: int) -> list[str]:
    out = []
    for mode in (ROUND_HALF_UP, ROUND_DOWN):
        q = _at(value, -places, mode)
        if q is not None:
            out.append(format(abs(q), "f"))
    return out


def _one_typo(written: str, right: str) -> bool:
    """Two adjacent digits swapped, one digit changed, one dropped or one doubled/inserted."""
    if written == right:
        return False
    if len(written) == len(right):
        diff = [i for i, (a, b) in enumerate(zip(written, right)) if a != b]
        if len(diff) == 1:
            return written[diff[0]].isdigit() and right[diff[0]].isdigit()
        return len(diff) == 2 and diff[1] == diff[0] + 1 and written[diff[0]] == right[diff[1]] \
            and written[diff[1]] == right[diff[0]]
    longer, shorter = (written, right) if len(written) > len(right) else (right, written)
    if len(longer) != len(shorter) + 1:
        return False
    return any(longer[i].isdigit() and longer[:i] + longer[i + 1:] == shorter for i in range(len(longer)))


def _typo_of(answer: Answer, value: float) -> str | None:
    """The right value as the learner would have written it, when the answer is one typo away from it."""
    d = _written(answer)
    if d is None or d.is_zero() or value == 0 or (d < 0) != (value < 0):
        return None
    places = -d.as_tuple().exponent
    written = format(abs(d), "f")
    for p in (places + 1, places, places - 1):  # a dropped digit first: it shows the most
        if p < 0:
            continue
        for right in _digit_strings(value, p):
            if _one_typo(written, right):
                return ("-" if value < 0 else "") + right
    return None


def _typo(answer: Answer, value: float) -> Iterator[Candidate]:
    """The answer itself, when it is one typo away from `value` as the learner would have written it."""
    right = _typo_of(answer, value)
    if right is not None:
        yield float(answer.value), (f"{right} was meant", f"本应是 {right}")


def _m_digit_swap(run: _Run) -> Iterator[Candidate]:
    yield from _typo(run.answer, run.plain)


def _direct_candidates(run: _Run) -> Iterator[tuple[str, float, Detail]]:
    """The mistakes seen from the step's own value alone: its sign, its rounding, a typo."""
    yield "sign", -run.plain, None
    for p in _fewer_places(run.answer):
        yield "rounding", round_half_up(run.plain, p), (f"the result rounded to {_decimals(p)}",
                                                        f"结果只保留了 {p} 位小数")
    yield from _shifted(run.plain)
    for value, detail in _m_digit_swap(run):
        yield "digit_swap", value, detail


MODELS: tuple[tuple[str, Callable[[_Run], Iterator[Candidate]]], ...] = (
    ("wrong_update_direction", _m_wrong_update_direction),
    ("missing_learning_rate", _m_missing_learning_rate),
    ("used_updated_weight", _m_used_updated_weight),
    ("used_old_weight", _m_used_old_weight),
    ("shared_bias_not_summed", _m_shared_bias_not_summed),
    ("one_path", _m_one_path),
    ("batch_reduction", _m_batch_reduction),
    ("missing_activation_derivative", _m_missing_activation_derivative),
    ("activation_for_derivative", _m_activation_for_derivative),
    ("used_z_for_a", _m_used_z_for_a),
    ("factor_half", _m_factor_half),
    ("other_sample", _m_other_sample),
    ("sign", _m_sign),
    ("rounding", _m_rounding),
    ("decimal_point", _m_decimal_point),
    ("digit_swap", _m_digit_swap),
    ("swapped_weights", _m_swapped_weights),  # NOTE: last: so many pairs match by chance; a typo is likelier
)
MISTAKES = tuple(m for m, _ in MODELS)  # the models' keys, in the order they are tried
assert MISTAKES == tuple(k for k, info in MISTAKE_INFO.items() if info.kind == "model"), "mistakes.json: the models"


def _given_candidates(graph: _Graph, names: Names, ident: str, answer: Answer,
                      base: Mapping[str, float]) -> Iterator[tuple[str, float, Detail]]:
    """A given copied wrongly: another sample's, the sign, rounded, a typo."""
    value = base[ident]
    s = _sample(ident)
    if s is not None:
        for other in range(1, graph.S + 1):
            if other != s:
                name = names.display(_with_sample(ident, other))
                yield "other_sample", base[_with_sample(ident, other)], (name, name)
    yield "sign", -value, None
    for p in _fewer_places(answer):
        yield "rounding", round_half_up(value, p), (f"rounded to {_decimals(p)}", f"四舍五入到 {p} 位小数")
    yield from _shifted(value)
    for typo, detail in _typo(answer, value):
        yield "digit_swap", typo, detail
