"""One plain-language line per step, and the warnings at the steps where learners slip, in English and Chinese.

Captions are plain text (no LaTeX): symbols read as in the diagram, w₅, h₁, yₒ, δ, η (engine.symbols).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .symbols import plain

LANGS = ("en", "zh")

_CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")


@dataclass(frozen=True)
class Slope:
    """A partial derivative read aloud: `of` (LaTeX; None for the error) with respect to `wrt`."""

    of: str | None
    wrt: str
    sample: int | None = None  # the sample whose error this is, in a batch


@dataclass(frozen=True)
class Phrase:
    """What a caption or callout says, before it is put into a language."""

    key: str
    args: dict[str, Any] = field(default_factory=dict)


def _join(names: list[str], lang: str) -> str:
    if lang == "zh":
        return "、".join(names)
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _names(texs: list[str], lang: str) -> str:
    return _join([plain(t) for t in texs], lang)


def _error(sample: int | None, lang: str) -> str:
    if lang == "zh":
        return "误差" if sample is None else f"样本 {sample} 的误差"
    return "the error" if sample is None else f"sample {sample}'s error"


def _noun(of: str | None, sample: int | None, lang: str) -> str:
    return _error(sample, lang) if of is None else plain(of)


def slope_words(slope: Slope, lang: str) -> str:
    """`the error's slope with respect to w5` / `误差对 w5 的偏导`."""
    noun = _noun(slope.of, slope.sample, lang)
    if lang == "zh":
        glue = "" if _CJK.search(noun[-1:]) else " "
        return f"{noun}{glue}对 {plain(slope.wrt)} 的偏导"
    return f"{noun}'s slope with respect to {plain(slope.wrt)}"


def _product(slopes: list[Slope], lang: str) -> str:
    return (" × " if lang == "zh" else " times ").join(slope_words(s, lang) for s in slopes)


def _sentence(text: str) -> str:
    """Capitalise an English sentence that starts with a word (not with a symbol such as y or w5)."""
    for word in ("the ", "sample ", "every ", "with ", "after ", "how ", "forward ", "a "):
        if text.startswith(word):
            return text[0].upper() + text[1:]
    return text


_ACTIVATION_NAMES = {"identity": "identity", "sigmoid": "sigmoid", "tanh": "tanh", "relu": "ReLU",
                     "leaky_relu": "leaky ReLU", "softmax": "softmax"}
_LOSS_HOW = {
    "half_squared_error": ("half the squared difference", "half the sum of the squared differences",
                           "差的平方的一半", "各项差的平方之和的一半"),
    "squared_error": ("the squared difference", "the sum of the squared differences", "差的平方", "各项差的平方之和"),
    "mean_squared_error": ("the squared difference", "the mean of the squared differences", "差的平方",
                           "各项差的平方的平均值"),
    "binary_cross_entropy": ("binary cross-entropy", "binary cross-entropy", "二元交叉熵", "二元交叉熵"),
    "cross_entropy": ("cross-entropy", "cross-entropy", "交叉熵", "交叉熵"),
}


def _en(p: Phrase) -> str:
    a = p.args
    k = p.key
    if k == "weighted_sum":
        if len(a["inputs"]) == 1:
            text = f"{plain(a['z'])} is {plain(a['inputs'][0])} times its weight {plain(a['weights'][0])}"
        else:
            text = f"{plain(a['z'])} is the weighted sum of {_names(a['inputs'], 'en')}, each times its weight"
        if a.get("bias"):
            text += f", plus the bias {plain(a['bias'])}"
        return ("Forward again with the new parameters: " + text) if a.get("check") else text
    if k == "activation":
        act, name, z = a["activation"], plain(a["a"]), plain(a["z"])
        if act == "identity":
            text = (f"{name} has no activation function (linear): its output is the weighted sum itself"
                    if a.get("same") else f"{name} = {z}: a linear neuron passes its weighted sum on unchanged")
        elif act == "softmax":
            text = f"{name} is the softmax of the layer's weighted sums"
        else:
            text = f"{name} is the {_ACTIVATION_NAMES[act]} of {z}"
        if a.get("round_to") is not None:
            text += f", rounded by hand to {a['round_to']} decimals (later steps use the rounded value)"
        return ("Forward again with the new parameters: " + text) if a.get("check") else text
    if k == "sample_loss":
        many = len(a["outputs"]) > 1
        how = _LOSS_HOW[a["loss"]][1 if many else 0]
        who = f"the error {plain(a['E'])}" if a.get("sample") is None else \
            f"{plain(a['E'])}, the error of sample {a['sample']},"
        text = (f"{who} compares the output{'s' if many else ''} {_names(a['outputs'], 'en')} with the "
                f"target{'s' if many else ''} {_names(a['targets'], 'en')}: {how}")
        return f"After the update: {text}" if a.get("check") else _sentence(text)
    if k == "batch_loss":
        E = plain(a["E"])
        if a.get("same"):
            text = f"with a single sample, the error {E} is that sample's error"
        else:
            how = "mean" if a["reduction"] == "mean" else "sum"
            text = f"the batch error {E} is the {how} of the {a['n']} samples' errors"
        return _sentence(("after the update: " + text) if a.get("check") else text)
    if k == "loss_derivative":
        return _sentence(f"{slope_words(a['slope'], 'en')}: the derivative of the loss with respect to the output")
    if k == "chain":
        return _sentence(f"{slope_words(a['slope'], 'en')} is {_product(a['factors'], 'en')}")
    if k == "delta_chain":
        head = f"{plain(a['delta'])} is the error's slope with respect to {plain(a['z'])}"
        if a.get("sample") is not None:
            head = f"{plain(a['delta'])} is sample {a['sample']}'s error's slope with respect to {plain(a['z'])}"
        if len(a["factors"]) == 1:
            return f"{head}: a linear neuron has no activation slope to multiply, so it is {slope_words(a['factors'][0], 'en')}"
        return f"{head}: {_product(a['factors'], 'en')}"
    if k == "paths_sum":
        head = f"{slope_words(a['slope'], 'en')} adds up the {len(a['paths'])} paths through {_names(a['through'], 'en')}"
        if len(a["paths"]) <= 2:
            return _sentence(f"{head}: " + " plus ".join(_product(path, "en") for path in a["paths"]))
        return _sentence(f"{head} (each path: the next neuron's error slope times the weight)")
    if k == "jacobian_sum":
        return (f"{plain(a['delta'])} (the error's slope with respect to {plain(a['z'])}) adds up, over every output "
                f"of the softmax, the error's slope with respect to that output times its slope with respect to "
                f"{plain(a['z'])}")
    if k == "activation_derivative":
        act, slope = a["activation"], slope_words(a["slope"], "en") if a.get("slope") else ""
        name = plain(a["a"])
        if act == "identity" and a.get("same"):
            return f"{name} has no activation function (linear), so its slope is 1"
        text = {
            "identity": f"{slope} is 1: a linear neuron passes its weighted sum on unchanged",
            "sigmoid": f"{slope}: the sigmoid's derivative, written with the output: {name}(1 − {name})",
            "tanh": f"{slope}: the tanh's derivative, written with the output: 1 − {name}²",
            "relu": f"{slope}: 1 where the weighted sum is positive, else 0",
            "leaky_relu": f"{slope}: 1 where the weighted sum is positive, else 0.01",
            "softmax": f"{slope}: a_j(1 − a_j) when j = m, else −a_j a_m",
        }[act]
        return _sentence(text)
    if k == "local_weight":
        return _sentence(f"{slope_words(a['slope'], 'en')} is the weight {plain(a['w'])}")
    if k == "local_input":
        return _sentence(f"{slope_words(a['slope'], 'en')} is the input {plain(a['input'])} that {plain(a['w'])} multiplies")
    if k == "local_bias":
        if a.get("shared"):
            return f"Every weighted sum that the shared bias {plain(a['b'])} feeds has slope 1 with respect to it"
        return _sentence(f"{slope_words(a['slope'], 'en')} is 1: the bias is added as it is")
    if k == "batch_gradient":
        how = "mean" if a["reduction"] == "mean" else "sum"
        return _sentence(f"{slope_words(a['slope'], 'en')} is the {how} of the {a['n']} samples' slopes")
    if k == "shared_bias_sum":
        return _sentence(f"{slope_words(a['slope'], 'en')} adds up the neurons the shared bias feeds: "
                         f"{_names(a['neurons'], 'en')} (each weighted sum has slope 1 with respect to it)")
    if k == "update":
        w = plain(a["param"])
        return (f"The new {w}, {plain(a['new'])}, is the old {w} minus the learning rate {plain(a['eta'])} times "
                f"{slope_words(a['gradient'], 'en')}")
    if k == "loss_change":
        return {"fell": "The error fell: the update made the network's answer better",
                "rose": "The error rose: the step overshot (a smaller learning rate would help)",
                "same": "The error did not change"}[a["direction"]]
    raise KeyError(k)


def _zh(p: Phrase) -> str:
    a = p.args
    k = p.key
    if k == "weighted_sum":
        if len(a["inputs"]) == 1:
            text = f"{plain(a['z'])} 是 {plain(a['inputs'][0])} 乘以权重 {plain(a['weights'][0])}"
        else:
            text = f"{plain(a['z'])} 是 {_names(a['inputs'], 'zh')} 分别乘以权重后的和"
        if a.get("bias"):
            text += f"，再加上偏置 {plain(a['bias'])}"
        return ("用更新后的参数再做一次前向计算：" + text) if a.get("check") else text
    if k == "activation":
        act, name, z = a["activation"], plain(a["a"]), plain(a["z"])
        if act == "identity":
            text = (f"{name} 没有激活函数（线性）：输出就是加权和本身" if a.get("same")
                    else f"{name} = {z}：线性神经元把加权和原样传下去")
        elif act == "softmax":
            text = f"{name} 是这一层各加权和的 softmax"
        else:
            text = f"{name} 是 {z} 经过 {_ACTIVATION_NAMES[act]} 激活函数的输出"
        if a.get("round_to") is not None:
            text += f"，手算四舍五入到 {a['round_to']} 位小数（后面的步骤都用四舍五入后的值）"
        return ("用更新后的参数再做一次前向计算：" + text) if a.get("check") else text
    if k == "sample_loss":
        many = len(a["outputs"]) > 1
        how = _LOSS_HOW[a["loss"]][3 if many else 2]
        who = f"误差 {plain(a['E'])}" if a.get("sample") is None else f"样本 {a['sample']} 的误差 {plain(a['E'])}"
        text = f"{who} 比较输出 {_names(a['outputs'], 'zh')} 和目标 {_names(a['targets'], 'zh')}：{how}"
        return ("更新后：" + text) if a.get("check") else text
    if k == "batch_loss":
        E = plain(a["E"])
        if a.get("same"):
            text = f"只有一个样本，{E} 就是这个样本的误差"
        else:
            how = "平均值" if a["reduction"] == "mean" else "之和"
            text = f"批量误差 {E} 是 {a['n']} 个样本误差的{how}"
        return ("更新后：" + text) if a.get("check") else text
    if k == "loss_derivative":
        return f"{slope_words(a['slope'], 'zh')}：损失函数对输出求导"
    if k == "chain":
        return f"{slope_words(a['slope'], 'zh')} = {_product(a['factors'], 'zh')}"
    if k == "delta_chain":
        err = "误差" if a.get("sample") is None else f"样本 {a['sample']} 的误差"
        head = f"{plain(a['delta'])} 是{err}对 {plain(a['z'])} 的偏导"
        if len(a["factors"]) == 1:
            return f"{head}：线性神经元没有激活函数的导数要乘，所以它就是{_product(a['factors'], 'zh')}"
        return f"{head} = {_product(a['factors'], 'zh')}"
    if k == "paths_sum":
        head = f"{slope_words(a['slope'], 'zh')} = 经过 {_names(a['through'], 'zh')} 的 {len(a['paths'])} 条路径之和"
        if len(a["paths"]) <= 2:
            return f"{head}：" + " + ".join(_product(path, "zh") for path in a["paths"])
        return f"{head}（每条路径：下一个神经元的误差偏导 × 权重）"
    if k == "jacobian_sum":
        return (f"{plain(a['delta'])}（误差对 {plain(a['z'])} 的偏导）= 对 softmax 的每个输出，"
                f"误差对该输出的偏导 × 该输出对 {plain(a['z'])} 的偏导，再求和")
    if k == "activation_derivative":
        act, slope = a["activation"], slope_words(a["slope"], "zh") if a.get("slope") else ""
        name = plain(a["a"])
        if act == "identity" and a.get("same"):
            return f"{name} 没有激活函数（线性），所以导数是 1"
        return {
            "identity": f"{slope} 是 1：线性神经元把加权和原样传下去",
            "sigmoid": f"{slope}：sigmoid 的导数用输出表示为 {name}(1 − {name})",
            "tanh": f"{slope}：tanh 的导数用输出表示为 1 − {name}²",
            "relu": f"{slope}：加权和为正时是 1，否则是 0",
            "leaky_relu": f"{slope}：加权和为正时是 1，否则是 0.01",
            "softmax": f"{slope}：j = m 时为 a_j(1 − a_j)，否则为 −a_j a_m",
        }[act]
    if k == "local_weight":
        return f"{slope_words(a['slope'], 'zh')}就是权重 {plain(a['w'])}"
    if k == "local_input":
        return f"{slope_words(a['slope'], 'zh')}就是 {plain(a['w'])} 所乘的输入 {plain(a['input'])}"
    if k == "local_bias":
        if a.get("shared"):
            return f"共享偏置 {plain(a['b'])} 所连接的每个加权和对它的偏导都是 1"
        return f"{slope_words(a['slope'], 'zh')}是 1：偏置直接加在加权和上"
    if k == "batch_gradient":
        how = "平均值" if a["reduction"] == "mean" else "之和"
        return f"{slope_words(a['slope'], 'zh')} = {a['n']} 个样本偏导的{how}"
    if k == "shared_bias_sum":
        return (f"{slope_words(a['slope'], 'zh')} = 共享偏置所连接的各神经元（{_names(a['neurons'], 'zh')}）的偏导之和"
                f"（每个加权和对它的偏导都是 1）")
    if k == "update":
        w = plain(a["param"])
        return (f"新的 {w}（{plain(a['new'])}）= 旧的 {w} − 学习率 {plain(a['eta'])} × "
                f"{slope_words(a['gradient'], 'zh')}")
    if k == "loss_change":
        return {"fell": "误差下降了：这次更新让网络的输出更接近目标",
                "rose": "误差上升了：这一步走得太远（学习率小一些会更好）",
                "same": "误差没有变化"}[a["direction"]]
    raise KeyError(k)


def _en_callout(p: Phrase) -> str:
    a = p.args
    if p.key == "old_weight":
        many = len(a["weights"]) > 1
        return (f"Use the old weight{'s' if many else ''} {_names(a['weights'], 'en')}, not "
                f"{_names(a['updated'], 'en')}: every gradient is taken before any weight changes.")
    return {
        "sigmoid_with_a": "σ'(z) is written with a: a(1 − a).",
        "tanh_with_a": "tanh'(z) is written with a: 1 − a².",
        "shared_bias": "A shared bias sums over the neurons it feeds.",
        "batch_mean": "The batch takes the mean of the samples' gradients.",
        "batch_sum": "The batch adds up the samples' gradients.",
    }[p.key]


def _zh_callout(p: Phrase) -> str:
    a = p.args
    if p.key == "old_weight":
        return (f"用没有更新之前的 {_names(a['weights'], 'zh')}，不是 {_names(a['updated'], 'zh')}："
                f"所有梯度都在参数更新之前计算。")
    return {
        "sigmoid_with_a": "σ'(z) 用输出 a 来写：a(1 − a)。",
        "tanh_with_a": "tanh'(z) 用输出 a 来写：1 − a²。",
        "shared_bias": "共享偏置的梯度要对它连接的所有神经元求和。",
        "batch_mean": "批量梯度取各样本梯度的平均值。",
        "batch_sum": "批量梯度是各样本梯度之和。",
    }[p.key]


def caption(phrase: Phrase, lang: str) -> str:
    """The caption of a step in `lang` ("en" or "zh")."""
    return _zh(phrase) if lang == "zh" else _en(phrase)


def callout(phrase: Phrase, lang: str) -> str:
    """A short warning in `lang`."""
    return _zh_callout(phrase) if lang == "zh" else _en_callout(phrase)
