"""Captions read like a teacher talking to a class, in English and in Chinese.

"The derivative of E with respect to w₅" (never "slope"); "E 对 w₅ 的偏导" in Chinese, with no English word left;
primes that cannot be misread (a₁′ vs a₁″). The expected captions of note 000 are written here by hand.
"""

from __future__ import annotations

import functools
import re

import pytest

from engine import compute_trace, load_preset, preset_ids
from engine.notation import Notation
from engine.render import RenderOptions, render_trace
from engine.symbols import plain

EN, ZH = RenderOptions(lang="en"), RenderOptions(lang="zh")
# the steps whose caption speaks of a derivative (an update: the new weight is the old minus η times one)
DERIVATIVE_STEPS = {"dE_da", "da_dz", "delta", "dz_da", "dz_dw", "dz_db", "dE_dw", "dE_db", "new_w", "new_b"}


@functools.cache
def rendered(preset: str, lang: str):
    return render_trace(compute_trace(load_preset(preset)), RenderOptions(lang=lang))


@functools.cache
def symbols_of(preset: str) -> tuple[str, ...]:
    """Every notation symbol of the preset as captions write it (plain text), longest first."""
    trace = compute_trace(load_preset(preset))
    network = trace.network
    nt = Notation.of(network)
    texs = {nt.symbol(ident) for ident in (*trace.givens, *(st.id for st in trace.steps))}
    texs |= {nt.loss, nt.learning_rate}
    texs |= {nt.sample_loss(s) for s in range(1, len(network.samples) + 1)}
    for layer, spec in enumerate(network.layers, start=1):  # a neuron named without its sample, in a batch
        texs |= {f(layer, j) for j in range(1, len(spec.weights) + 1) for f in (nt.neuron, nt.pre_activation)}
    texs |= {nt.updated(t) for t in list(texs)}
    return tuple(sorted({plain(t) for t in texs}, key=len, reverse=True))


def without_symbols(text: str, symbols: tuple[str, ...]) -> str:
    """The caption with every notation symbol taken out, where it stands as a symbol (not inside a word)."""
    for sym in symbols:
        text = re.sub(rf"(?<![A-Za-z]){re.escape(sym)}(?![A-Za-z])", " ", text)
    return text


@pytest.mark.parametrize("preset", preset_ids())
def test_no_caption_speaks_of_a_slope(preset):
    for lang in ("en", "zh"):
        for r in rendered(preset, lang):
            for text in (r.caption, r.callout or ""):
                assert "slope" not in text.lower() and "斜率" not in text, (r.id, text)


@pytest.mark.parametrize("preset", preset_ids())
def test_chinese_captions_have_no_english_words(preset):
    symbols = symbols_of(preset)
    for r in rendered(preset, "zh"):
        rest = without_symbols(r.caption, symbols)
        assert not re.search(r"[A-Za-z]", rest), (r.id, r.caption, rest)
        assert "'" not in r.caption and "′′" not in r.caption, r.caption  # primes as ′ and ″, never '' or ′′


def test_the_symbol_check_still_sees_english_words():
    # a symbol is taken out only where it stands alone: "tanh" survives even when h is a symbol
    assert re.search(r"[A-Za-z]", without_symbols("h₁ 经过 tanh 得到", ("h₁", "h")))
    assert not re.search(r"[A-Za-z]", without_symbols("E_total 对 w₅ 的偏导", ("E_total", "w₅")))


@pytest.mark.parametrize("preset", preset_ids())
def test_every_derivative_caption_says_pian_dao_and_the_derivative(preset):
    for en, zh in zip(rendered(preset, "en"), rendered(preset, "zh")):
        assert en.id == zh.id
        if en.quantity in DERIVATIVE_STEPS:
            assert "偏导" in zh.caption, (zh.id, zh.caption)
            assert "derivative" in en.caption, (en.id, en.caption)
        assert "导数" not in zh.caption, zh.caption  # one term for one thing: 偏导
        assert "'s " not in en.caption.replace("that neuron's", ""), en.caption  # no chains of possessives


@pytest.mark.parametrize("preset", preset_ids())
def test_captions_are_full_sentences(preset):
    for r in rendered(preset, "en"):
        assert r.caption.endswith(".") and ".." not in r.caption, r.caption
        first = r.caption.split(" ", 1)[0]  # a word starts with a capital; a symbol (h₁, y) stays as it is
        assert not (first.isascii() and first.isalpha() and first.islower() and len(first) > 1), r.caption
    for r in rendered(preset, "zh"):
        assert r.caption.endswith("。") and "：：" not in r.caption, r.caption


def test_primes_read_as_real_prime_characters():
    assert plain("a_1'") == "a₁′" and plain("a_1''") == "a₁″" and plain("w'_{11}") == "w′₁₁"
    assert plain(r"{w_5}^{\prime\prime}") == "w₅″" and plain(r"f^{\prime}") == "f′"
    assert plain("a_1'") != plain("a_1''") and len(plain("a_1''")) == 3  # one ″, not two ′ side by side
    steps = {r.id: r for r in rendered("note003", "en")}
    assert steps["dz_da:l2:n1:k1"].caption == "The derivative of a₁″ with respect to a₁′ is the weight w′₁₁."
    zh = {r.id: r for r in rendered("note003", "zh")}
    assert zh["dz_dw:l2:n1:k1:s1"].caption == "a₁″ 对 w′₁₁ 的偏导就是 a₁′，也就是与 w′₁₁ 相乘的输入。"


NOTE000_EN = {
    "z:l1:n1:s1": "h₁ is the weighted sum of x₁ and x₂: multiply each input by its weight and add the products.",
    "sample_loss:s1": "The error E compares the output y with the target t: it is half the squared difference.",
    "dE_da:l2:n1:s1": "The backward pass starts at the output: the derivative of E with respect to y.",
    "dz_dw:l2:n1:k1:s1": "The derivative of y with respect to w₅ is h₁, the input that w₅ multiplies.",
    "dE_dw:l2:n1:k1": ("By the chain rule, the derivative of E with respect to w₅ is the derivative of E with respect "
                       "to y times the derivative of y with respect to w₅."),
    "new_w:l2:n1:k1": ("The new w₅, written w₅⁺, is the old w₅ minus the learning rate η times the derivative of E "
                       "with respect to w₅."),
    "dz_da:l2:n1:k1": "The derivative of y with respect to h₁ is the weight w₅.",
    "dz_dw:l1:n1:k2:s1": "The derivative of h₁ with respect to w₂ is x₂, the input that w₂ multiplies.",
    "delta:l2:n1:s1": ("δ⁽²⁾₁ is the derivative of E with respect to y. The neuron is linear, so there is no "
                       "activation derivative to multiply."),
}
NOTE000_ZH = {
    "z:l1:n1:s1": "h₁ 是 x₁、x₂ 的加权和：每个输入乘以各自的权重，再相加。",
    "sample_loss:s1": "误差 E 衡量输出 y 与目标 t 的差距：取差的平方的一半。",
    "dE_da:l2:n1:s1": "反向计算从输出开始：先求 E 对 y 的偏导。",
    "dz_dw:l2:n1:k1:s1": "y 对 w₅ 的偏导就是 h₁，也就是与 w₅ 相乘的输入。",
    "dE_dw:l2:n1:k1": "根据链式法则，E 对 w₅ 的偏导 = E 对 y 的偏导 × y 对 w₅ 的偏导。",
    "new_w:l2:n1:k1": "新的 w₅ 记作 w₅⁺，它等于旧的 w₅ 减去学习率 η 乘以 E 对 w₅ 的偏导。",
    "dz_da:l2:n1:k1": "y 对 h₁ 的偏导就是权重 w₅。",
    "dz_dw:l1:n1:k2:s1": "h₁ 对 w₂ 的偏导就是 x₂，也就是与 w₂ 相乘的输入。",
    "delta:l2:n1:s1": "δ⁽²⁾₁ 是 E 对 y 的偏导。这个神经元是线性的，没有激活函数的偏导要乘。",
}


@pytest.mark.parametrize("lang, expected", [("en", NOTE000_EN), ("zh", NOTE000_ZH)])
def test_note000_captions_by_hand(lang, expected):
    steps = {r.id: r for r in rendered("note000", lang)}
    for ident, caption in expected.items():
        assert steps[ident].caption == caption, ident


def test_note000_old_weight_callout_in_both_languages():
    en = {r.id: r for r in rendered("note000", "en")}["dE_dw:l1:n1:k1"].callout
    zh = {r.id: r for r in rendered("note000", "zh")}["dE_dw:l1:n1:k1"].callout
    assert en == "Use the old weight w₅, not w₅⁺: compute every derivative before changing any weight."
    assert zh == "这里要用更新前的 w₅，不能用 w₅⁺：所有偏导都要在参数更新之前算好。"
