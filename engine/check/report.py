"""The marks of one check, as a table, JSON or LaTeX, and the words of its explanations in English and Chinese."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..numbers import format_number
from ..trace import Trace
from .names import _symbols
from .recompute import _core_step, _graph_of

VERDICTS = ("correct", "carried", "wrong")

_TEXT = {
    "en": {
        "correct": "correct", "carried": "carried", "wrong": "wrong",
        "given": "{name} is given: {value}",
        "you_wrote": "You wrote {given}",
        "mistake": "{you}: {desc}, which gives {reproduced}.",
        "mistake_own": "{you}: from your own earlier numbers, {desc}, which gives {reproduced}.",
        "no_mistake": "{you}; none of the common mistakes gives that.",
        "typo": "{you}: {desc}.",
        "carried_text": "{line}. Not the right value, so it was marked with your own earlier {sources} "
                        "(follow-through): the same method gives {carried}, an error carried forward; the method is "
                        "right. With the right numbers: {right}.",
        "rounded": " Your {given} is what your own rounded numbers give ({carried}).",
        "header": ("name", "given", "expected", "verdict", "mistake"),
        "score": "score: {marks} / {out_of} marks; distinct errors: {distinct_errors} ({correct} correct, "
                 "{carried} carried forward, {wrong} wrong, of {total})",
        "reasons": {
            "saturated": "{f} = 0 because {a} = {value}",
            "dead_relu": "the ReLU is dead: {z} = {value} ≤ 0, so its derivative is 0",
            "zero_factor": "{factor} = 0, so the product is 0",
            "zero_paths": "every path's term is 0",
            "zero_gradient": "{gradient} = 0, so {old} does not change",
        },
        "first": "first wrong answer: ",
        "none": "no answers",
    },
    "zh": {
        "correct": "正确", "carried": "带错", "wrong": "错误",
        "given": "{name} 是已知量：{value}",
        "you_wrote": "你写的是 {given}",
        "mistake": "{you}：{desc}，这样算得 {reproduced}。",
        "mistake_own": "{you}：用你前面自己的数，{desc}，这样算得 {reproduced}。",
        "no_mistake": "{you}；常见错误都得不到这个数。",
        "typo": "{you}：{desc}。",
        "carried_text": "{line}。与正确值不符，于是改用你前面自己的 {sources} 来批改（带错计分）：同样的方法得 "
                        "{carried}，错误是前面带下来的，方法正确。用正确的数：{right}。",
        "rounded": " 你的 {given} 正是用你自己四舍五入后的数算出的（{carried}）。",
        "header": ("名称", "你的答案", "正确值", "判定", "可能的错误"),
        "score": "得分：{marks} / {out_of}，独立错误 {distinct_errors} 个（正确 {correct}，带错 {carried}，"
                 "错误 {wrong}，共 {total}）",
        "reasons": {
            "saturated": "{a} = {value}，所以 {f} = 0",
            "dead_relu": "ReLU 失活：{z} = {value} ≤ 0，导数为 0",
            "zero_factor": "{factor} = 0，乘积也就是 0",
            "zero_paths": "每条路径的项都是 0",
            "zero_gradient": "{gradient} = 0，{old} 不变",
        },
        "first": "第一个错误：",
        "none": "没有答案",
    },
}


# The notes audit (check_printed) marks what a note printed: its explanations speak of the note, not of "you".
_NOTE_VOICE = {
    "en": {
        "you_wrote": "The note printed {given}",
        "mistake_own": "{you}: from the note's own earlier numbers, {desc}, which gives {reproduced}.",
        "carried_text": "{line}. Not the right value, so it was marked with the note's own earlier {sources} "
                        "(follow-through): the same method gives {carried}, an error carried forward; the method is "
                        "right. With the right numbers: {right}.",
        "rounded": " The note's {given} is what its own rounded numbers give ({carried}).",
    },
    "zh": {
        "you_wrote": "笔记写的是 {given}",
        "mistake_own": "{you}：用笔记前面自己的数，{desc}，这样算得 {reproduced}。",
        "carried_text": "{line}。与正确值不符，于是改用笔记前面自己的 {sources} 来核对（带错计分）：同样的方法得 "
                        "{carried}，错误是前面带下来的，方法正确。用正确的数：{right}。",
        "rounded": " 笔记的 {given} 正是用它自己四舍五入后的数算出的（{carried}）。",
    },
}


def words_for(lang: str, voice: str = "learner") -> dict:
    """The explanations' words: to the learner ("you wrote"), or about a note ("the note printed")."""
    lang = lang if lang in _TEXT else "en"
    return {**_TEXT[lang], **_NOTE_VOICE[lang]} if voice == "note" else _TEXT[lang]

# NOTE: the mistakes' words are data (mistakes.json, read by models.py); this view keeps the old (en, zh) shape


@dataclass
class Result:
    """The mark for one answer."""

    id: str
    given: float
    expected: float
    verdict: str
    mistake: str | None = None
    explanation: str = ""
    reproduced: float | None = None
    key: str = ""
    text: str | None = None
    name: str = ""
    carried_from: list[str] = field(default_factory=list)
    carried_value: float | None = None
    where: str | None = None
    follow_through: bool = False  # marked against the learner's own earlier numbers (they were not right)

    def to_json(self) -> dict[str, Any]:
        out = {"id": self.id, "name": self.name, "given": self.given, "expected": self.expected,
               "verdict": self.verdict, "mistake": self.mistake, "reproduced": self.reproduced,
               "explanation": self.explanation, "follow_through": self.follow_through,
               "carried_from": self.carried_from}
        if self.verdict == "carried":
            out["carried_value"] = self.carried_value
        if self.where:
            out["where"] = self.where
        return out


@dataclass
class CheckReport:
    """Every answer's mark, in the trace's order (check_printed: the note's order)."""

    results: list[Result]
    lang: str = "en"
    trace: Trace | None = field(default=None, repr=False, compare=False)
    mode: str = "strict"  # how numbers were accepted: "strict", "last_digit" or "tolerance"

    def latex(self, result: Result) -> str:
        """The right computation of an answered step in LaTeX, as the step-through page writes it
        (a linear neuron's output shows its weighted sum); a given shows its value."""
        from ..render import RenderOptions, render_step

        if self.trace is None or result.id not in self.trace:
            return ""
        symbol = _symbols(self.trace.network)(result.id.removeprefix("check."))
        if result.id in self.trace.givens:
            return f"{symbol} = {format_number(result.expected)}"
        graph = _graph_of(self.trace)
        core = _core_step(graph, graph.step(result.id))
        rendered = render_step(self.trace, core.id, RenderOptions(lang=self.lang if self.lang in _TEXT else "en"))
        return rendered.latex if rendered.symbol == symbol else f"{symbol} = {rendered.latex}"

    @property
    def first_wrong(self) -> Result | None:
        return next((r for r in self.results if r.verdict == "wrong"), None)

    @property
    def distinct_errors(self) -> int:
        """One per distinct mistake: each wrong answer (a step answered twice, wrong twice, counts once);
        the answers carried from it cost nothing further."""
        return len({r.id for r in self.results if r.verdict == "wrong"})

    @property
    def out_of(self) -> int:
        return len(self.results)

    @property
    def marks(self) -> int:
        """A mark for every answer, less one per distinct error."""
        return self.out_of - self.distinct_errors

    @property
    def score(self) -> dict[str, int]:
        counts = {v: sum(r.verdict == v for r in self.results) for v in VERDICTS}
        return {**counts, "total": len(self.results), "marks": self.marks, "out_of": self.out_of,
                "distinct_errors": self.distinct_errors}

    def to_json(self) -> dict[str, Any]:
        return {"results": [r.to_json() for r in self.results], "score": self.score, "mode": self.mode}

    def to_text(self) -> str:
        t = _TEXT.get(self.lang, _TEXT["en"])
        if not self.results:
            return t["none"]
        marks = {"correct": "✓", "carried": "→", "wrong": "✗"}
        rows = [t["header"]] + [
            (r.name or r.id, r.text or format_number(r.given), format_number(r.expected),
             f"{marks[r.verdict]} {t[r.verdict]}", r.mistake or "") for r in self.results]
        widths = [max(len(row[i]) for row in rows) for i in range(5)]
        lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
        lines.append("")
        lines.append(t["score"].format(**self.score))
        if (first := self.first_wrong) is not None:
            lines.append(t["first"] + first.explanation)
        return "\n".join(lines)
