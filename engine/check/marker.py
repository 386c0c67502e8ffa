"""Marking: each answer correct, carried or wrong, and for a wrong one the first mistake model that reproduces it."""

from __future__ import annotations

from collections.abc import Mapping

from ..numbers import format_number
from ..trace import Trace
from .answers import Answer
from .explain import _computation, _line
from .mistakes import MODELS, _direct_candidates, _given_candidates
from .names import names_of
from .precision import agrees
from .recompute import WORK, Detail, _graph_of, _OutOfBudget, _Run
from .report import _MISTAKE_TEXT, _TEXT, Result


class _Marker:
    """The marks of one learner's answers on one trace."""

    def __init__(self, trace: Trace, answers: list[Answer], tolerance: float | None, lang: str):
        self.trace = trace
        self.graph = _graph_of(trace)
        self.names = names_of(trace)
        self.tolerance = tolerance
        self.lang = lang if lang in _TEXT else "en"
        self.answers = answers
        self.pinned: dict[str, float] = {}
        self.first: dict[str, Answer] = {}
        for a in answers:
            self.pinned.setdefault(a.id, float(a.value))
            self.first.setdefault(a.id, a)
        self.carried = self.graph.carried(self.pinned)
        self.verdict_of: dict[str, str] = {}

    def order(self, answer: Answer) -> tuple[int, int]:
        if answer.id in self.trace.givens:
            return (0, list(self.trace.givens).index(answer.id))
        return (1, self.graph.pos[answer.id])

    def frontier(self, ident: str) -> list[str]:
        """The answered steps and givens the step is computed from, nearest first, not looking past them."""
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
            elif i in self.graph.pos:
                stack.extend(self.graph.deps[i])
        return sorted(out, key=lambda i: self.graph.pos.get(i, -1))

    def mark(self) -> list[Result]:
        results = []
        for answer in sorted(self.answers, key=self.order):
            result = self.mark_one(answer)
            self.verdict_of.setdefault(answer.id, result.verdict)
            results.append(result)
        return results

    def mark_one(self, answer: Answer) -> Result:
        ident = answer.id
        true = self.graph.true
        expected = true[ident]
        t = _TEXT[self.lang]
        result = Result(ident, float(answer.value), expected, "correct", key=answer.key, text=answer.text,
                        name=self.names.display(ident))
        given_text = answer.text or format_number(answer.value)
        is_step = ident in self.graph.pos
        right_line = _line(self.graph, self.names, ident, true.__getitem__, expected) if is_step else \
            t["given"].format(name=result.name, value=format_number(expected))
        if agrees(expected, answer, self.tolerance):
            result.explanation = right_line
            return result
        if is_step:
            step = self.graph.step(ident)
            own = self.graph.evaluate(step, self.carried.__getitem__)
            if agrees(own, answer, self.tolerance):
                sources = self.frontier(ident)
                bad = [i for i in sources if self.verdict_of.get(i, "correct") != "correct"]
                result.carried_value = own
                if not bad:
                    result.explanation = right_line + t["rounded"].format(given=given_text, carried=format_number(own))
                    return result
                result.verdict = "carried"
                result.carried_from = bad
                own_line = ", ".join(f"{self.names.display(i)} = {self.first[i].text or format_number(self.pinned[i])}"
                                     for i in bad)
                sym, _ = _computation(self.graph, self.names, step, true.__getitem__)
                result.explanation = t["carried_text"].format(
                    line=f"{result.name} = {sym}", sources=own_line, carried=format_number(own),
                    right=right_line.split(" = ", 1)[1] if " = " in right_line else right_line)
                return result
        result.verdict = "wrong"
        found = self.diagnose(answer)
        you = t["you_wrote"].format(given=given_text)
        stop = "。" if self.lang == "zh" else ". "
        if found is None:
            result.explanation = right_line + stop + t["no_mistake"].format(you=you)
            return result
        mistake, reproduced, detail, own_numbers = found
        result.mistake, result.reproduced = mistake, reproduced
        zh = self.lang == "zh"
        desc = _MISTAKE_TEXT[mistake][1 if zh else 0]
        if detail is not None:
            desc += ("（" + detail[1] + "）") if zh else f" ({detail[0]})"
        template = t["mistake_own"] if own_numbers else t["mistake"]
        if mistake == "digit_swap":
            template = t["typo"]
        result.explanation = right_line + stop + template.format(you=you, desc=desc, reproduced=format_number(reproduced))
        return result

    def diagnose(self, answer: Answer) -> tuple[str, float, Detail, bool] | None:
        """The first mistake model that reproduces the answer: (key, value, how, from the learner's own numbers)."""
        ident = answer.id
        bases: list[tuple[Mapping[str, float], bool]] = [(self.graph.true, False)]
        sources = self.frontier(ident) if ident in self.graph.pos else []
        if any(self.pinned[i] != self.graph.true[i] for i in sources):
            bases.append((self.carried, True))
        if ident not in self.graph.pos:
            for mistake, value, detail in _given_candidates(self.graph, self.names, ident, answer, self.graph.true):
                if agrees(value, answer, self.tolerance):
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
                    if agrees(run.plain, answer, self.tolerance):
                        continue
                    for value, detail in model(run):
                        if agrees(value, answer, self.tolerance):
                            return mistake, value, detail, own_numbers
        except _OutOfBudget:  # a big network: what can still be said from the value itself
            for run, own_numbers in runs:
                for mistake, value, detail in _direct_candidates(run):
                    if agrees(value, answer, self.tolerance):
                        return mistake, value, detail, own_numbers
        return None
