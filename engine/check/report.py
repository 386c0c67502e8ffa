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
        "carried_text": "{line}. From your own {sources} the same method gives {carried}: an error carried forward, "
                        "the method is right. With the right numbers: {right}.",
        "rounded": " Your {given} is what your own rounded numbers give ({carried}).",
        "header": ("name", "given", "expected", "verdict", "mistake"),
        "score": "score: {correct} correct, {carried} carried forward, {wrong} wrong, of {total}",
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
        "carried_text": "{line}。用你前面自己的 {sources}，同样的方法得 {carried}：错误是前面带下来的，方法正确。"
                        "用正确的数：{right}。",
        "rounded": " 你的 {given} 正是用你自己四舍五入后的数算出的（{carried}）。",
        "header": ("名称", "你的答案", "正确值", "判定", "可能的错误"),
        "score": "得分：正确 {correct}，带错 {carried}，错误 {wrong}，共 {total}",
        "first": "第一个错误：",
        "none": "没有答案",
    },
}

_MISTAKE_TEXT = {
    "sign": ("the sign is flipped (e.g. t − y instead of y − t)", "符号反了（例如把 y − t 写成 t − y）"),
    "used_updated_weight": ("the updated weight was used where the old one belongs (gradients use the old weights)",
                            "用了更新后的权重（求梯度要用更新前的权重）"),
    "used_old_weight": ("the old weights were used in the forward pass after the update",
                        "更新后的前向计算里用了旧权重"),
    "missing_activation_derivative": ("the activation's derivative da/dz was left out of δ",
                                      "δ 里漏乘了激活函数的导数 da/dz"),
    "activation_for_derivative": ("a or z was written where the activation's derivative belongs (sigmoid: a(1 − a))",
                                  "在该用激活函数导数（sigmoid 是 a(1 − a)）的地方用了 a 或 z"),
    "used_z_for_a": ("z was used where the activation a belongs", "在该用激活值 a 的地方用了 z"),
    "factor_half": ("the 1/2 (or the 2) of the squared error was lost or doubled", "平方误差的 1/2（或 2）丢了或多乘了"),
    "batch_reduction": ("the batch was summed instead of averaged, or the reverse", "批量上把求平均当成了求和（或反过来）"),
    "missing_learning_rate": ("the learning rate was left out: w − g instead of w − η·g", "漏了学习率：写成了 w − g 而不是 w − η·g"),
    "wrong_update_direction": ("the update went the wrong way: w + η·g instead of w − η·g", "更新方向反了：写成了 w + η·g 而不是 w − η·g"),
    "other_sample": ("another sample's number was used", "用了另一个样本的数"),
    "swapped_weights": ("two weights were mixed up (their subscripts swapped)", "两个权重弄混了（下标对调）"),
    "shared_bias_not_summed": ("a shared bias's gradient must add up δ of every neuron it feeds; only one was taken",
                               "共享偏置的梯度要把它连接的所有神经元的 δ 加起来，这里只取了一个"),
    "rounding": ("the method is right but numbers were rounded too early or to too few digits",
                 "方法对，但过早四舍五入或保留的位数太少"),
    "digit_swap": ("two digits are swapped or one digit is mistyped", "两个数字写颠倒了或有一位写错了"),
}


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

    def to_json(self) -> dict[str, Any]:
        out = {"id": self.id, "name": self.name, "given": self.given, "expected": self.expected,
               "verdict": self.verdict, "mistake": self.mistake, "reproduced": self.reproduced,
               "explanation": self.explanation}
        if self.verdict == "carried":
            out["carried_from"] = self.carried_from
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
    def score(self) -> dict[str, int]:
        counts = {v: sum(r.verdict == v for r in self.results) for v in VERDICTS}
        return {**counts, "total": len(self.results)}

    def to_json(self) -> dict[str, Any]:
        return {"results": [r.to_json() for r in self.results], "score": self.score}

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
