"""Marking: each answer correct, carried or wrong, and for a wrong one the rule or the first mistake model that
explains it (the package doc, Verdicts and Premature rounding)."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from ..numbers import format_number
from ..trace import Step, Trace
from .answers import Answer
from .explain import _computation, _line
from .mistakes import MODELS, _direct_candidates, _given_candidates
from .models import MISTAKE_INFO, words
from .names import names_of
from .precision import MIN_FIGURES, _round_significant, agrees, figures, too_few_figures, written_like
from .recompute import WORK, Detail, _graph_of, _OutOfBudget, _Run
from .report import _TEXT, Result, words_for

MAX_FIGURES = 15  # premature rounding: the most significant figures "later answers need at least N" looks at


def _same(a: float, b: float) -> bool:
    """Equal but for binary noise (the slack `agrees` allows)."""
    return abs(a - b) <= 1e-12 * max(1.0, abs(a), abs(b))


class _Marker:
    """The marks of one learner's answers on one trace."""

    def __init__(self, trace: Trace, answers: list[Answer], tolerance: float | None, lang: str,
                 mode: str = "strict", min_figures: int = MIN_FIGURES, voice: str = "learner"):
        self.trace = trace
        self.graph = _graph_of(trace)
        self.names = names_of(trace)
        self.tolerance = tolerance
        self.mode = mode
        self.min_figures = min_figures
        self.lang = lang if lang in _TEXT else "en"
        self.words = words_for(self.lang, voice)  # "you wrote", or "the note printed" (the notes audit)
        self.answers = answers
        self.pinned: dict[str, float] = {}
        self.first: dict[str, Answer] = {}
        for a in answers:
            self.pinned.setdefault(a.id, float(a.value))
            self.first.setdefault(a.id, a)
        self.carried = self.graph.carried(self.pinned)
        self.verdict_of: dict[str, str] = {}
        self.result_of: dict[str, Result] = {}  # the first result of each id
        self.blamed: dict[str, list[str]] = {}  # premature rounding: the rounded answer -> the answers it threw off
        self._own: dict[str, float] = {}
        self.budget = [WORK]  # steps looked at or recomputed for premature rounding, in the whole check
        self.given_pos = {g: i for i, g in enumerate(trace.givens)}

    # --- the learner's own numbers ---------------------------------------------------------------------

    def agrees(self, value: float, answer: Answer) -> bool:
        return agrees(value, answer, self.tolerance, self.mode, self.min_figures)

    def own(self, ident: str) -> float:
        """The value the step's operation gives from the learner's numbers (a given: its true value)."""
        if ident not in self._own:
            self._own[ident] = self.graph.evaluate(self.graph.step(ident), self.carried.__getitem__) \
                if ident in self.graph.pos else self.graph.true[ident]
        return self._own[ident]

    def faithful(self, ident: str) -> bool:
        """An answer that is exactly what the learner's own earlier numbers give (no rounding entered there)."""
        return _same(self.pinned[ident], self.own(ident))

    def rounded(self, ident: str) -> bool:
        """Where a rounding entered: written as a decimal (so its figures can be counted), differing both from what
        the learner's own numbers give and from the true value."""
        value = self.pinned[ident]
        return not self.faithful(ident) and not _same(value, self.graph.true[ident]) \
            and figures(self.first[ident]) is not None

    def order(self, answer: Answer) -> tuple[int, int]:
        return self.order_of(answer.id)

    def order_of(self, ident: str) -> tuple[int, int]:
        if ident in self.graph.pos:
            return (1, self.graph.pos[ident])
        return (0, self.given_pos[ident])

    def walk(self, ident: str, through: Callable[[str], bool]) -> tuple[list[str], int]:
        """The answered steps and givens the step is computed from, looking past an answer only where `through`
        says so; and how many ids were looked at."""
        out: list[str] = []
        seen: set[str] = set()
        stack = list(self.graph.deps.get(ident, ()))
        while stack:
            i = stack.pop()
            if i in seen:
                continue
            seen.add(i)
            if i in self.pinned:
                out.append(i)
                if not through(i):
                    continue
            if i in self.graph.pos:
                stack.extend(self.graph.deps[i])
        return out, len(seen)

    def frontier(self, ident: str) -> list[str]:
        """The answered steps and givens the step is computed from, nearest first, not looking past them."""
        return sorted(self.walk(ident, lambda i: False)[0], key=lambda i: self.graph.pos.get(i, -1))

    def correct(self, ident: str) -> bool:
        return self.verdict_of.get(ident, "correct") == "correct"

    def upstream(self, ident: str) -> tuple[list[str], list[str]]:
        """Looking past the correct answers that only followed from earlier ones: the answers not correct it
        comes from, and the correct ones where a rounding entered (written value != what the learner's own
        numbers give); not looking past either. ([], []) when the search outgrows the budget."""
        answers, looked = self.walk(ident, lambda i: self.correct(i) and self.faithful(i))
        self.budget[0] -= looked
        if self.budget[0] < 0:
            return [], []
        bad = [i for i in answers if not self.correct(i)]
        rounded = [i for i in answers if self.correct(i) and self.rounded(i)]
        return sorted(bad, key=self.order_of), sorted(rounded, key=self.order_of)

    def recomputed(self, ident: str, changed_values: Mapping[str, float]) -> float:
        """The step from the learner's numbers with some of them changed; the answers that only followed from
        earlier ones (faithful) follow the change, the others keep the value written."""
        local = dict(changed_values)
        changed = set(local)
        closure = self.graph.closure(ident)
        self.budget[0] -= len(closure)
        if self.budget[0] < 0:
            raise _OutOfBudget

        def get(i: str) -> float:
            return local[i] if i in local else self.carried[i]

        for s in closure:
            sid = s.id
            if sid in changed_values or (sid != ident and changed.isdisjoint(self.graph.deps[sid])):
                continue
            if sid != ident and sid in self.pinned and not self.faithful(sid):
                continue
            local[sid] = self.graph.evaluate(s, get)
            changed.add(sid)
        return get(ident)

    def right_if_written(self, value: float, answer: Answer, ident: str) -> bool:
        """Whether `value`, written at the answer's precision, would be marked right."""
        if self.tolerance is not None:
            return self.agrees(value, answer)
        return self.agrees(self.graph.true[ident], written_like(value, answer))

    # --- the marks ---------------------------------------------------------------------------------------

    def mark(self) -> list[Result]:
        results = []
        for answer in sorted(self.answers, key=self.order):
            result = self.mark_one(answer)
            self.verdict_of.setdefault(answer.id, result.verdict)
            self.result_of.setdefault(answer.id, result)
            results.append(result)
        for culprit, later in self.blamed.items():
            self.explain_premature(culprit, later)
        return results

    def right_line(self, ident: str, name: str) -> str:
        expected = self.graph.true[ident]
        if ident in self.graph.pos:
            return _line(self.graph, self.names, ident, self.graph.true.__getitem__, expected)
        return _TEXT[self.lang]["given"].format(name=name, value=format_number(expected))

    def mark_one(self, answer: Answer) -> Result:
        ident = answer.id
        true = self.graph.true
        expected = true[ident]
        t = self.words
        result = Result(ident, float(answer.value), expected, "correct", key=answer.key, text=answer.text,
                        name=self.names.display(ident))
        given_text = answer.text or format_number(answer.value)
        is_step = ident in self.graph.pos
        right_line = self.right_line(ident, result.name)
        stop = "。" if self.lang == "zh" else ". "
        if self.agrees(expected, answer):
            result.explanation = right_line
            return result
        own = self.own(ident) if is_step else expected
        if self.tolerance is None:
            reads_true = too_few_figures(expected, answer, self.mode, self.min_figures)
            if reads_true or (is_step and too_few_figures(own, answer, self.mode, self.min_figures)):
                result.verdict, result.mistake = "wrong", "too_few_figures"
                result.reproduced, result.follow_through = (expected, False) if reads_true else (own, True)
                result.explanation = right_line + stop + self.rule_text(
                    "too_few_figures", given=given_text, figures=figures(answer), need=self.min_figures,
                    right=format_number(expected))
                return result
        if is_step and self.agrees(own, answer):
            step = self.graph.step(ident)
            bad = [i for i in self.frontier(ident) if not self.correct(i)]
            culprit = None
            if not bad:
                deep, rounded = self.upstream(ident)
                bad = deep
                if not bad and rounded:
                    culprit = self.culprit(ident, answer, rounded)
                    bad = [culprit]
            result.carried_value = own
            if not bad:  # NOTE: only when the search for the rounding outgrew its budget (near the size limits)
                result.explanation = right_line + t["rounded"].format(given=given_text, carried=format_number(own))
                return result
            if culprit is not None:
                self.blame(culprit, ident)
            result.carried_from = bad
            result.follow_through = True
            sources = ", ".join(f"{self.names.display(i)} = {self.first[i].text or format_number(self.pinned[i])}"
                                for i in bad)
            reason = self.trivial(step)
            if reason is not None:
                result.verdict, result.mistake = "wrong", "trivial_step"
                result.explanation = right_line + stop + self.rule_text("trivial_step", sources=sources,
                                                                        reason=reason[self.lang == "zh"])
                return result
            result.verdict = "carried"
            sym, _ = _computation(self.graph, self.names, step, true.__getitem__)
            result.explanation = t["carried_text"].format(
                line=f"{result.name} = {sym}", sources=sources, carried=format_number(own),
                right=right_line.split(" = ", 1)[1] if " = " in right_line else right_line)
            return result
        result.verdict = "wrong"
        found = self.diagnose(answer)
        you = t["you_wrote"].format(given=given_text)
        if found is None:
            result.explanation = right_line + stop + t["no_mistake"].format(you=you)
            return result
        mistake, reproduced, detail, own_numbers = found
        result.mistake, result.reproduced, result.follow_through = mistake, reproduced, own_numbers
        zh = self.lang == "zh"
        desc = words(mistake, "message", self.lang)
        if detail is not None:
            desc += ("（" + detail[1] + "）") if zh else f" ({detail[0]})"
        template = t["mistake_own"] if own_numbers else t["mistake"]
        if mistake == "digit_swap":
            template = t["typo"]
        result.explanation = right_line + stop + template.format(you=you, desc=desc, reproduced=format_number(reproduced))
        return result

    def rule_text(self, key: str, more: bool = False, **fields) -> str:
        info = MISTAKE_INFO[key]
        words = info.message_more if more and info.message_more else info.message
        return words[self.lang].format(**fields) + ("。" if self.lang == "zh" else ".")

    # --- premature rounding --------------------------------------------------------------------------------

    def culprit(self, ident: str, answer: Answer, rounded: list[str]) -> str:
        """Of the correct answers where a rounding entered, the first (in the trace's order) that, written
        exactly, makes this answer come out right; the first of them if none does alone."""
        true = self.graph.true
        try:
            for x in rounded:
                if self.right_if_written(self.recomputed(ident, {x: true[x]}), answer, ident):
                    return x
        except _OutOfBudget:
            pass
        return rounded[0]

    def blame(self, culprit: str, later: str) -> None:
        """A correct answer rounded too early: wrong from now on (the answers after it see it as not correct)."""
        self.blamed.setdefault(culprit, []).append(later)
        result = self.result_of[culprit]
        if result.verdict == "correct":
            result.verdict, result.mistake, result.reproduced = "wrong", "premature_rounding", result.given
            self.verdict_of[culprit] = "wrong"

    def need(self, culprit: str, later: list[str]) -> int | None:
        """The fewest significant figures of the culprit, rounded from its true value, with which every later
        answer it threw off comes out right (the answers in between following it); None if none up to 15 do."""
        written = figures(self.first[culprit])
        if written is None:
            return None
        true = self.graph.true[culprit]
        try:
            for n in range(written + 1, MAX_FIGURES + 1):
                value = _round_significant(true, n)
                if all(self.right_if_written(self.recomputed(y, {culprit: value}), self.first[y], y) for y in later):
                    return n
        except _OutOfBudget:
            pass
        return None

    def explain_premature(self, culprit: str, later: list[str]) -> None:
        result = self.result_of[culprit]
        need = self.need(culprit, later)
        answer = self.first[culprit]
        text = self.rule_text("premature_rounding", more=need is None, name=result.name,
                              given=answer.text or format_number(answer.value), figures=figures(answer), need=need)
        result.explanation = self.right_line(culprit, result.name) + ("。" if self.lang == "zh" else ". ") + text

    # --- no follow-through credit for a step made trivial ------------------------------------------------------

    def trivial(self, step: Step) -> Detail:
        """Why the learner's earlier numbers made this step trivial (a zero derivative, a dead ReLU, a factor 0,
        a zero gradient in an update), in English and Chinese; None when they did not."""
        true, get, a = self.graph.true, self.carried.__getitem__, self.graph.args[step.id]
        own = self.own(step.id)
        if step.op == "update":
            g = a["gradient"]
            if get(g) == 0 and true[g] != 0:
                return self.reason("zero_gradient", gradient=self.names.display(g), old=self.names.display(a["old"]))
            return None
        if own != 0 or true[step.id] == 0:
            return None
        if step.op == "activation_derivative" and "z" in a:
            act = step.extra.get("activation")
            if act in ("sigmoid", "tanh") and abs(get(a["a"])) in (0.0, 1.0):
                f = "a(1 − a)" if act == "sigmoid" else "1 − a²"
                return self.reason("saturated", f=f, a=self.names.display(a["a"]), value=format_number(get(a["a"])))
            if act == "relu" and get(a["z"]) <= 0:
                return self.reason("dead_relu", z=self.names.display(a["z"]), value=format_number(get(a["z"])))
            return None
        if step.op == "product":
            terms = [a["factors"]]
        elif step.op == "sum_over_paths":
            terms = [list(pair) for pair in zip(a["deltas"], a["weights"])]
        else:
            return None
        # every term has a factor 0 that the right numbers do not have (terms that only cancel are not trivial)
        zero = [next((f for f in term if get(f) == 0 and true[f] != 0), None) for term in terms]
        if None in zero:
            return None
        if len(terms) == 1:
            return self.reason("zero_factor", factor=self.names.display(zero[0]))
        return self.reason("zero_paths")

    def reason(self, key: str, **fields: str) -> tuple[str, str]:
        return (_TEXT["en"]["reasons"][key].format(**fields), _TEXT["zh"]["reasons"][key].format(**fields))

    # --- the mistake models ------------------------------------------------------------------------------------

    def diagnose(self, answer: Answer) -> tuple[str, float, Detail, bool] | None:
        """The first mistake model that reproduces the answer: (key, value, how, from the learner's own numbers)."""
        ident = answer.id
        bases: list[tuple[Mapping[str, float], bool]] = [(self.graph.true, False)]
        sources = self.frontier(ident) if ident in self.graph.pos else []
        if any(self.pinned[i] != self.graph.true[i] for i in sources):
            bases.append((self.carried, True))
        if ident not in self.graph.pos:
            for mistake, value, detail in _given_candidates(self.graph, self.names, ident, answer, self.graph.true):
                if self.agrees(value, answer):
                    return mistake, value, detail, False
            return None
        step = self.graph.step(ident)
        pinned = set(self.pinned) - {ident}
        budget = [WORK]
        runs = [(_Run(self.graph, self.names, step, base, pinned, answer, [len(self.graph.trace.steps)]), own_numbers)
                for base, own_numbers in bases]
        for run, _ in runs:
            run.budget = budget
        try:
            for mistake, model in MODELS:
                for run, own_numbers in runs:
                    if self.agrees(run.plain, answer):
                        continue
                    for value, detail in model(run):
                        if self.agrees(value, answer):
                            return mistake, value, detail, own_numbers
        except _OutOfBudget:  # a big network: what can still be said from the value itself
            for run, own_numbers in runs:
                for mistake, value, detail in _direct_candidates(run):
                    if self.agrees(value, answer):
                        return mistake, value, detail, own_numbers
        return None
