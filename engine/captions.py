"""One plain-language line per step, and the warnings at the steps where learners slip, in English and Chinese.

Captions are plain text (no LaTeX): symbols read as in the diagram, w₅, h₁, yₒ, δ, η (engine.symbols). They are
short full sentences, as a teacher says them: every derivative reads "the derivative of E with respect to w₅"
("E 对 w₅ 的偏导"), never a slope and never a chain of possessives; Chinese captions name every function in
Chinese (σ 函数, 双曲正切函数, 线性整流函数, 归一化指数函数), so only the notation's symbols are in Latin letters.
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
    """A partial derivative read aloud: `of` (LaTeX: the error's symbol E, or y, h₁...) with respect to `wrt`.

    `of` None reads as "the error" (of `sample`, in a batch), for a caller that has no symbol for it."""

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


def _noun(of: str | None, sample: int | None, lang: str) -> str:
    """What is differentiated: a symbol, or (with no symbol given) the error in words."""
    if of is not None:
        return plain(of)
    if lang == "zh":
        return "误差" if sample is None else f"样本 {sample} 的误差"
    return "the error" if sample is None else f"the error of sample {sample}"


def derivative(of: str | None, wrt: str, lang: str, sample: int | None = None) -> str:
    """`the derivative of E with respect to w₅` / `E 对 w₅ 的偏导`: the one wording of every derivative."""
    noun = _noun(of, sample, lang)
    if lang == "zh":
        return f"{_zh_of(noun)} {plain(wrt)} 的偏导"
    return f"the derivative of {noun} with respect to {plain(wrt)}"


def _zh_of(noun: str) -> str:
    """`E 对` / `误差对`: a space between a symbol and the Chinese that follows it."""
    return f"{noun}{'' if _CJK.search(noun[-1:]) else ' '}对"


def _spaced(text: str) -> str:
    """A Chinese phrase placed after a Chinese character: a space before it when it starts with a symbol."""
    return text if _CJK.search(text[:1]) else " " + text


def slope_words(slope: Slope, lang: str) -> str:
    """A Slope read aloud: `the derivative of E with respect to w₅` / `E 对 w₅ 的偏导`."""
    return derivative(slope.of, slope.wrt, lang, slope.sample)


def _short_paths(paths: list[list[Slope]]) -> bool:
    """Whether paths can be read out factor by factor in a caption: at most 2 paths of at most 3 factors each
    (longer, and a projected caption no longer fits on the screen)."""
    return len(paths) <= 2 and all(len(path) <= 3 for path in paths)


def _product(slopes: list[Slope], lang: str) -> str:
    return (" × " if lang == "zh" else " times ").join(slope_words(s, lang) for s in slopes)


def _en_sentence(text: str) -> str:
    """A full English sentence: capitalised when it starts with a word (never a symbol: y, h₁), with a full stop."""
    first = text.split(" ", 1)[0]
    if first.isascii() and first.isalpha() and first.islower() and len(first) > 1:
        text = text[0].upper() + text[1:]
    return text if text.endswith((".", "?", "!")) else text + "."


def _zh_sentence(text: str) -> str:
    return text if text.endswith(("。", "？", "！")) else text + "。"


def _after_update(text: str, check: bool, lang: str) -> str:
    """A line of the check pass, said after the update."""
    if not check:
        return text
    if lang == "zh":
        return "更新后，" + text
    return "after the update, " + (text[0].lower() + text[1:] if text.startswith(("The ", "With ")) else text)


def _forward_again(text: str, check: bool, lang: str) -> str:
    """A forward line of the check pass, run again with the updated parameters."""
    if not check:
        return text
    return ("用更新后的参数重新做一次前向计算。" if lang == "zh" else
            "run the forward pass again with the updated parameters. ") + text


_ACTIVATION_NAMES = {"identity": ("identity", "恒等函数"), "sigmoid": ("sigmoid", "σ 函数"),
                     "tanh": ("tanh", "双曲正切函数"), "relu": ("ReLU", "线性整流函数"),
                     "leaky_relu": ("leaky ReLU", "带泄漏的线性整流函数"), "softmax": ("softmax", "归一化指数函数")}
# (one output, several outputs) in English, then in Chinese
_LOSS_HOW = {
    "half_squared_error": ("it is half the squared difference", "it is half the sum of the squared differences",
                           "取差的平方的一半", "取各项差的平方之和的一半"),
    "squared_error": ("it is the squared difference", "it is the sum of the squared differences",
                      "取差的平方", "取各项差的平方之和"),
    "mean_squared_error": ("it is the squared difference", "it is the mean of the squared differences",
                           "取差的平方", "取各项差的平方的平均值"),
    "binary_cross_entropy": ("it is the binary cross-entropy", "it is the binary cross-entropy",
                             "用二元交叉熵计算", "用二元交叉熵计算"),
    "cross_entropy": ("it is the cross-entropy", "it is the cross-entropy", "用交叉熵计算", "用交叉熵计算"),
}


# the derivative of a neuron's output with respect to its weighted sum: {d} that derivative read aloud, {a} the
# output, {z} the weighted sum, {m} the other softmax output
_ACTIVATION_DERIVATIVE = {
    "en": {
        "same": "{a} has no activation function, so the derivative of {a} with respect to its weighted sum is 1",
        "identity": "{d} is 1: a linear neuron passes its weighted sum on unchanged",
        "sigmoid": "{d} is the derivative of the sigmoid. Written with the output, it is {a}(1 − {a})",
        "tanh": "{d} is the derivative of tanh. Written with the output, it is 1 − {a}²",
        "relu": "{d} is the derivative of the ReLU: 1 when {z} is positive, otherwise 0",
        "leaky_relu": "{d} is the derivative of the leaky ReLU: 1 when {z} is positive, otherwise 0.01",
        "softmax": "{d} is {a}(1 − {a}): a softmax output differentiated with respect to its own weighted sum",
        "softmax_other": ("{d} is minus {a} times {m}: a softmax output differentiated with respect to the weighted "
                          "sum of another output"),
    },
    "zh": {
        "same": "{a} 没有激活函数，所以 {a} 对它的加权和的偏导是 1",
        "identity": "{d}是 1：线性神经元把加权和原样传下去",
        "sigmoid": "{d}：σ 函数求偏导后可以用输出来写，等于 {a}(1 − {a})",
        "tanh": "{d}：双曲正切函数求偏导后可以用输出来写，等于 1 − {a}²",
        "relu": "{d}：{z} 大于 0 时是 1，否则是 0",
        "leaky_relu": "{d}：{z} 大于 0 时是 1，否则是 0.01",
        "softmax": "{d}是 {a}(1 − {a})：归一化指数函数的输出对它自己的加权和求偏导",
        "softmax_other": "{d}是 −{a} × {m}：归一化指数函数的输出对另一个输出的加权和求偏导",
    },
}


def _activation_derivative(a: dict[str, Any], lang: str) -> str:
    act, name = a["activation"], plain(a["a"])
    if act == "identity" and a.get("same"):
        return _ACTIVATION_DERIVATIVE[lang]["same"].format(a=name)
    s, other = a["slope"], a.get("other")
    key = "softmax_other" if act == "softmax" and other is not None else act
    return _ACTIVATION_DERIVATIVE[lang][key].format(d=slope_words(s, lang), z=plain(s.wrt), a=name,
                                                     m=plain(other) if other is not None else "")


def _en(p: Phrase) -> str:
    a = p.args
    k = p.key
    if k == "weighted_sum":
        if len(a["inputs"]) == 1:
            text = f"{plain(a['z'])} is the input {plain(a['inputs'][0])} times its weight {plain(a['weights'][0])}"
            if a.get("bias"):
                text += f", plus the bias {plain(a['bias'])}"
        else:
            text = (f"{plain(a['z'])} is the weighted sum of {_names(a['inputs'], 'en')}: "
                    f"multiply each input by its weight and add the products")
            if a.get("bias"):
                text += f", then add the bias {plain(a['bias'])}"
        return _forward_again(text, a.get("check"), "en")
    if k == "activation":
        act, name, z = a["activation"], plain(a["a"]), plain(a["z"])
        if act == "identity":
            text = (f"{name} has no activation function, so it is the weighted sum itself" if a.get("same")
                    else f"{name} equals {z}: a linear neuron passes its weighted sum on unchanged")
        elif act == "softmax":
            text = f"{name} is the softmax of all the weighted sums in its layer"
        else:
            text = f"{name} is the {_ACTIVATION_NAMES[act][0]} of {z}"
        if a.get("round_to") is not None:
            text += (f". It is rounded by hand to {a['round_to']} decimals, and later steps use the rounded value")
        return _forward_again(text, a.get("check"), "en")
    if k == "sample_loss":
        many = len(a["outputs"]) > 1
        how = _LOSS_HOW[a["loss"]][1 if many else 0]
        who = f"The error {plain(a['E'])}" if a.get("sample") is None else \
            f"The error of sample {a['sample']}, {plain(a['E'])},"
        text = (f"{who} compares the output{'s' if many else ''} {_names(a['outputs'], 'en')} with the "
                f"target{'s' if many else ''} {_names(a['targets'], 'en')}: {how}")
        return _after_update(text, a.get("check"), "en")
    if k == "batch_loss":
        E = plain(a["E"])
        if a.get("same"):
            text = f"With a single sample, the error {E} is the error of that sample"
        else:
            how = "mean" if a["reduction"] == "mean" else "sum"
            text = f"The batch error {E} is the {how} of the errors of the {a['n']} samples"
        return _after_update(text, a.get("check"), "en")
    if k == "loss_derivative":
        s = a["slope"]
        return f"The backward pass starts at the output: {derivative(s.of, s.wrt, 'en', s.sample)}"
    if k == "chain":
        if len(a["factors"]) == 1:
            return f"{slope_words(a['slope'], 'en')} is {_product(a['factors'], 'en')}"
        return f"By the chain rule, {slope_words(a['slope'], 'en')} is {_product(a['factors'], 'en')}"
    if k == "delta_chain":
        delta, z = plain(a["delta"]), a["z"]
        head = f"{delta} is {derivative(a.get('error'), z, 'en', a.get('sample'))}"
        if len(a["factors"]) == 1:
            factor = a["factors"][0]
            if plain(factor.wrt) == plain(z):
                return f"{head}. The neuron is linear, so there is no activation derivative to multiply"
            return (f"{head}. The neuron is linear, so there is no activation derivative to multiply: "
                    f"{delta} is just {slope_words(factor, 'en')}")
        return f"{head}. By the chain rule, it is {_product(a['factors'], 'en')}"
    if k == "paths_sum":
        s = a["slope"]
        head = (f"{plain(s.wrt)} feeds {_names(a['through'], 'en')}, so {slope_words(s, 'en')} "
                f"adds up the {len(a['paths'])} paths")
        if _short_paths(a["paths"]):  # read out in full only while it stays a sentence
            return f"{head}: " + ", plus ".join(_product(path, "en") for path in a["paths"])
        return (f"{head}, one through each. Each path is the derivative of {_noun(s.of, s.sample, 'en')} with "
                f"respect to the weighted sum of that neuron, times the weight that leads to it")
    if k == "jacobian_sum":
        E, z = _noun(a.get("error"), a.get("sample"), "en"), plain(a["z"])
        return (f"{plain(a['delta'])} is the derivative of {E} with respect to {z}. Every output of the softmax "
                f"depends on {z}, so add up, over the outputs, the derivative of {E} with respect to each output "
                f"times the derivative of that output with respect to {z}")
    if k == "activation_derivative":
        return _activation_derivative(a, "en")
    if k == "local_weight":
        return f"{slope_words(a['slope'], 'en')} is the weight {plain(a['w'])}"
    if k == "local_input":
        return f"{slope_words(a['slope'], 'en')} is {plain(a['input'])}, the input that {plain(a['w'])} multiplies"
    if k == "local_bias":
        if a.get("shared"):
            b = plain(a["b"])
            return (f"The shared bias {b} is added to every weighted sum it feeds, so the derivative of each of them "
                    f"with respect to {b} is 1")
        return f"{slope_words(a['slope'], 'en')} is 1, because the bias is simply added to the weighted sum"
    if k == "batch_gradient":
        how = "mean" if a["reduction"] == "mean" else "sum"
        s = a["slope"]
        return f"{slope_words(s, 'en')} is the {how} of the {a['n']} per-sample derivatives with respect to {plain(s.wrt)}"
    if k == "shared_bias_sum":
        s = a["slope"]
        return (f"The shared bias {plain(s.wrt)} feeds {_names(a['neurons'], 'en')}, so {slope_words(s, 'en')} adds up "
                f"one term for each: the derivative of {_noun(s.of, s.sample, 'en')} with respect to that weighted sum, "
                f"times 1")
    if k == "update":
        w = plain(a["param"])
        return (f"The new {w}, written {plain(a['new'])}, is the old {w} minus the learning rate {plain(a['eta'])} "
                f"times {slope_words(a['gradient'], 'en')}")
    if k == "loss_change":
        return {"fell": "The error fell: the update brought the output closer to the target",
                "rose": "The error rose: the step overshot. A smaller learning rate would help",
                "same": "The error did not change"}[a["direction"]]
    raise KeyError(k)


def _zh(p: Phrase) -> str:
    a = p.args
    k = p.key
    if k == "weighted_sum":
        if len(a["inputs"]) == 1:
            text = f"{plain(a['z'])} 等于输入 {plain(a['inputs'][0])} 乘以权重 {plain(a['weights'][0])}"
            if a.get("bias"):
                text += f"，再加上偏置 {plain(a['bias'])}"
        else:
            text = f"{plain(a['z'])} 是 {_names(a['inputs'], 'zh')} 的加权和：每个输入乘以各自的权重，再相加"
            if a.get("bias"):
                text += f"，最后加上偏置 {plain(a['bias'])}"
        return _forward_again(text, a.get("check"), "zh")
    if k == "activation":
        act, name, z = a["activation"], plain(a["a"]), plain(a["z"])
        if act == "identity":
            text = (f"{name} 没有激活函数，输出就是加权和本身" if a.get("same")
                    else f"{name} = {z}：线性神经元把加权和原样传下去")
        elif act == "softmax":
            text = f"把这一层所有的加权和代入归一化指数函数，得到 {name}"
        else:
            text = f"把 {z} 代入{_spaced(_ACTIVATION_NAMES[act][1])}，得到 {name}"
        if a.get("round_to") is not None:
            text += f"。手算时四舍五入到 {a['round_to']} 位小数，后面的步骤都用四舍五入后的值"
        return _forward_again(text, a.get("check"), "zh")
    if k == "sample_loss":
        many = len(a["outputs"]) > 1
        how = _LOSS_HOW[a["loss"]][3 if many else 2]
        who = f"误差 {plain(a['E'])}" if a.get("sample") is None else f"样本 {a['sample']} 的误差 {plain(a['E'])}"
        text = f"{who} 衡量输出 {_names(a['outputs'], 'zh')} 与目标 {_names(a['targets'], 'zh')} 的差距：{how}"
        return _after_update(text, a.get("check"), "zh")
    if k == "batch_loss":
        E = plain(a["E"])
        if a.get("same"):
            text = f"只有一个样本，{E} 就是这个样本的误差"
        else:
            how = "的平均值" if a["reduction"] == "mean" else "之和"
            text = f"批量误差 {E} 是 {a['n']} 个样本误差{how}"
        return _after_update(text, a.get("check"), "zh")
    if k == "loss_derivative":
        s = a["slope"]
        return f"反向计算从输出开始：先求{_spaced(derivative(s.of, s.wrt, 'zh', s.sample))}"
    if k == "chain":
        if len(a["factors"]) == 1:
            return f"{slope_words(a['slope'], 'zh')} = {_product(a['factors'], 'zh')}"
        return f"根据链式法则，{slope_words(a['slope'], 'zh')} = {_product(a['factors'], 'zh')}"
    if k == "delta_chain":
        delta, z = plain(a["delta"]), a["z"]
        head = f"{delta} 是{_spaced(derivative(a.get('error'), z, 'zh', a.get('sample')))}"
        if len(a["factors"]) == 1:
            factor = a["factors"][0]
            if plain(factor.wrt) == plain(z):
                return f"{head}。这个神经元是线性的，没有激活函数的偏导要乘"
            return f"{head}。这个神经元是线性的，没有激活函数的偏导要乘，所以 {delta} 就是{_spaced(slope_words(factor, 'zh'))}"
        return f"{head}。根据链式法则，{delta} = {_product(a['factors'], 'zh')}"
    if k == "paths_sum":
        s = a["slope"]
        head = (f"{plain(s.wrt)} 同时连到 {_names(a['through'], 'zh')}，所以{_spaced(slope_words(s, 'zh'))}"
                f"是 {len(a['paths'])} 条路径之和")
        if _short_paths(a["paths"]):
            return f"{head}：" + " + ".join(_product(path, "zh") for path in a["paths"])
        return (f"{head}，每个神经元一条。每条路径是{_spaced(_zh_of(_noun(s.of, s.sample, 'zh')))}那个神经元加权和的偏导"
                f"乘以通向它的权重")
    if k == "jacobian_sum":
        E, z = _noun(a.get("error"), a.get("sample"), "zh"), plain(a["z"])
        return (f"{plain(a['delta'])} 是 {E} 对 {z} 的偏导。归一化指数函数的每个输出都依赖 {z}，所以对每个输出求 "
                f"{E} 对该输出的偏导 × 该输出对 {z} 的偏导，再全部加起来")
    if k == "activation_derivative":
        return _activation_derivative(a, "zh")
    if k == "local_weight":
        return f"{slope_words(a['slope'], 'zh')}就是权重 {plain(a['w'])}"
    if k == "local_input":
        return f"{slope_words(a['slope'], 'zh')}就是 {plain(a['input'])}，也就是与 {plain(a['w'])} 相乘的输入"
    if k == "local_bias":
        if a.get("shared"):
            b = plain(a["b"])
            return f"共享偏置 {b} 直接加到它连接的每个加权和上，所以每个加权和对 {b} 的偏导都是 1"
        return f"{slope_words(a['slope'], 'zh')}是 1：偏置直接加在加权和上"
    if k == "batch_gradient":
        how = "取平均值" if a["reduction"] == "mean" else "相加"
        return (f"{slope_words(a['slope'], 'zh')}等于 {a['n']} 个样本的误差各自对 {plain(a['slope'].wrt)} 求偏导，"
                f"再{how}")
    if k == "shared_bias_sum":
        s = a["slope"]
        return (f"共享偏置 {plain(s.wrt)} 同时加在 {_names(a['neurons'], 'zh')} 上，所以{_spaced(slope_words(s, 'zh'))}"
                f"要把{_spaced(_zh_of(_noun(s.of, s.sample, 'zh')))}每个加权和的偏导加起来（每个加权和对 {plain(s.wrt)} 的偏导都是 1）")
    if k == "update":
        w = plain(a["param"])
        return (f"新的 {w} 记作 {plain(a['new'])}，它等于旧的 {w} 减去学习率 {plain(a['eta'])} 乘以"
                f"{_spaced(slope_words(a['gradient'], 'zh'))}")
    if k == "loss_change":
        return {"fell": "误差下降了：这次更新让输出更接近目标",
                "rose": "误差上升了：这一步走得太远，把学习率调小一些会更好",
                "same": "误差没有变化"}[a["direction"]]
    raise KeyError(k)


def _en_callout(p: Phrase) -> str:
    a = p.args
    if p.key == "old_weight":
        many = len(a["weights"]) > 1
        return (f"Use the old weight{'s' if many else ''} {_names(a['weights'], 'en')}, not "
                f"{_names(a['updated'], 'en')}: compute every derivative before changing any weight.")
    return {
        "sigmoid_with_a": "Write σ′(z) with the output a: σ′(z) = a(1 − a).",
        "tanh_with_a": "Write tanh′(z) with the output a: tanh′(z) = 1 − a².",
        "shared_bias": "A shared bias feeds several neurons: add up the derivative through each of them.",
        "batch_mean": "For the batch, take the mean of the per-sample derivatives.",
        "batch_sum": "For the batch, add up the per-sample derivatives.",
    }[p.key]


def _zh_callout(p: Phrase) -> str:
    a = p.args
    if p.key == "old_weight":
        return (f"这里要用更新前的 {_names(a['weights'], 'zh')}，不能用 {_names(a['updated'], 'zh')}："
                f"所有偏导都要在参数更新之前算好。")
    return {
        "sigmoid_with_a": "σ′(z) 可以用输出 a 来写：σ′(z) = a(1 − a)。",
        "tanh_with_a": "tanh′(z) 可以用输出 a 来写：tanh′(z) = 1 − a²。",
        "shared_bias": "共享偏置连接多个神经元：要把经过每个神经元的偏导加起来。",
        "batch_mean": "整批的偏导取各样本偏导的平均值。",
        "batch_sum": "整批的偏导是各样本偏导之和。",
    }[p.key]


def caption(phrase: Phrase, lang: str) -> str:
    """The caption of a step in `lang` ("en" or "zh"): one or a few short sentences."""
    return _zh_sentence(_zh(phrase)) if lang == "zh" else _en_sentence(_en(phrase))


def callout(phrase: Phrase, lang: str) -> str:
    """A short warning in `lang`."""
    return _zh_callout(phrase) if lang == "zh" else _en_callout(phrase)
