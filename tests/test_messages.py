"""Bad-input messages exist in both languages and keep the command line's English text."""

import re
import string

import pytest

from engine import ConfigError, parse_config, parse_config_text
from engine.messages import MESSAGES

CJK = re.compile(r"[\u4e00-\u9fff]")
GOOD = {"layers": [{"weights": [[0.5, 1.5]]}], "learning_rate": 0.1, "samples": [{"x": [1, 0.5], "target": [4]}]}


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_every_message_has_both_languages_with_the_same_fields(code):
    en, zh = MESSAGES[code]
    assert en and CJK.search(zh), code
    # the English plural endings and hints have Chinese counterparts, never a missing value
    assert {f.removesuffix("_zh") for f in _fields(zh)} - {f.removesuffix("_s") for f in _fields(en)} <= {"what"}


@pytest.mark.parametrize(("change", "where", "english", "chinese"), [
    ({"learning_rate": 0}, "learning_rate", "must be greater than 0, got 0", "必须大于 0"),
    ({"learning_rat": 0.1}, "learning_rat", "did you mean learning_rate?", "是不是 learning_rate？"),
    ({"layers": [{"weights": [[0.5, 1.5, 2]]}]}, "samples[0].x", "expected 3 inputs, got 2", "应有 3 个输入"),
    ({"layers": [{"weights": [["a", 1]]}]}, "layers[0].weights[0][0]", "got the text 'a'", "文本 'a'"),
    ({"layers": [{"weights": [[0.5, 1.5]], "activation": "sigmod"}]}, "layers[0].activation",
     "did you mean sigmoid?", "是不是 sigmoid？"),
    ({"samples": []}, "samples", "at least one sample", "至少需要一个样本"),
])
def test_a_bad_config_is_named_in_both_languages(change, where, english, chinese):
    with pytest.raises(ConfigError) as info:
        parse_config({**GOOD, **change})
    err = info.value
    assert str(err).startswith(f"{where}: ") and english in str(err)
    assert err.text("en") == str(err)
    assert err.text("zh").startswith(f"{where}：") and chinese in err.text("zh")


def test_the_issue_example_reads_the_same():
    bad = {**GOOD, "layers": [{"weights": [[0.15, 0.2], [0.25, 0.3]]}, {"weights": [[0.4, 0.45, 0.5]]}]}
    with pytest.raises(ConfigError, match=r"^layers\[1\]\.weights: expected 1 row of 2 numbers, got 1 row of 3$"):
        parse_config(bad)


def test_malformed_json_in_chinese():
    with pytest.raises(ConfigError) as info:
        parse_config_text("{bad", "net.json")
    assert "第 1 行" in info.value.text("zh") and str(info.value).startswith("net.json: not valid JSON")


def test_pasted_lines_problems_in_both_languages():
    from engine import compute_trace, load_preset
    from engine.check import parse_answer_lines

    trace = compute_trace(load_preset("note000"))
    text = "h1 = 1.25\nfoo = 1\nh2 = abc\nw5+ 0.8\n"
    answers_en, en = parse_answer_lines(text, trace)
    answers_zh, zh = parse_answer_lines(text, trace, "zh")
    assert [a.id for a in answers_en] == [a.id for a in answers_zh] == ["a:l1:n1:s1"]
    assert en[0].startswith("line 2: unknown name 'foo'") and "w5+" in en[0]
    assert zh[0].startswith("第 2 行：这个网络里没有 'foo'") and "w5+" in zh[0]
    assert "不是数字" in zh[1] and "没有“=”" in zh[2]


def test_user_text_in_messages_is_quoted_and_cut():
    from engine.messages import describe, shown, shown_key

    assert shown("abc") == "'abc'"
    assert shown("x" * 1000) == "'" + "x" * 40 + "…'"
    assert shown("a\nb\x1b[2J\ud800\u202e") == r"'a\nb\x1b[2J\ud800\u202e'"
    assert shown_key("learning_rat") == "learning_rat" and shown_key("a b\n") == r"'a b\n'"
    assert describe("y" * 500) == "the text '" + "y" * 40 + "…'"
    assert describe(10**5000) == "a whole number with about 5001 digits"


@pytest.mark.parametrize(("change", "where", "english", "chinese"), [
    ({"title": "\ud800"}, "title", "contains a lone surrogate", "孤立的代理码位"),
    ({"title": "t" * 201}, "title", "is 201 characters long, beyond the limit of 200", "超出了 200 个字符的上限"),
    ({"notation": {"loss": "E\\"}}, "notation.loss", "is not allowed: ends in a backslash", "不允许"),
    ({"notation": {"sample": "@"}}, "notation.sample", "containing @ and #", "含有 @ 和 # 的"),
    ({"notation": {"inputs": ["x"]}}, "notation.inputs", "expected a list of 2 symbols", "应为 2 个符号组成的列表"),
    ({"learning_rate": 10**400}, "learning_rate", "a whole number with about 401 digits is beyond the limit",
     "超出了 ±1e+06 的范围"),
    ({"learning_rat\n\x1b": 0.1}, r"'learning_rat\n\x1b'", "unknown key", "未知的键"),
])
def test_new_refusals_in_both_languages(change, where, english, chinese):
    with pytest.raises(ConfigError) as info:
        parse_config({**GOOD, **change})
    err = info.value
    assert str(err).startswith(f"{where}: ") and english in str(err) and str(err).isprintable()
    assert err.text("zh").startswith(f"{where}：") and chinese in err.text("zh")


@pytest.mark.parametrize(("text", "english", "chinese"), [
    ('{"a": 1, "a": 2}', "the key 'a' appears twice in one object", "键 'a' 出现了两次"),
    ("[" * 100_000, "nested too deeply", "嵌套层数太多"),
    ('{"learning_rate": ' + "1" * 500 + "}", "a whole number with 500 digits", "含 500 位数字的整数"),
])
def test_json_refusals_in_both_languages(text, english, chinese):
    with pytest.raises(ConfigError) as info:
        parse_config_text(text, "net.json")
    assert str(info.value).startswith("net.json: ") and english in str(info.value)
    assert chinese in info.value.text("zh")
