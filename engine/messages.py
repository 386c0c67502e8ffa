"""What bad input is told, in English and Chinese: one template per kind of problem."""

from __future__ import annotations

from typing import Any

LANGS = ("en", "zh")

MESSAGES: dict[str, tuple[str, str]] = {
    "not_number": ("expected a number, got {got}", "应为数字，实际为{got}"),
    "not_finite": ("expected a finite number, got {got}", "应为有限的数字，实际为 {got}"),
    "beyond_limit": ("{got} is beyond the limit of ±{limit}", "{got} 超出了 ±{limit} 的范围"),
    "not_positive": ("must be greater than 0, got {got}", "必须大于 0，实际为 {got}"),
    "not_list": ("expected a list of numbers, got {got}", "应为数字列表，实际为{got}"),
    "empty": ("is empty", "为空"),
    "wrong_length": ("expected {n} {what}, got {got}", "应有 {n} 个{what_zh}，实际为 {got} 个"),
    "not_name": ("expected a name, got {got}", "应为名称，实际为{got}"),
    "unknown_name": ("unknown {got!r}; {hint}expected one of {choices}", "未知的 {got!r}；{hint_zh}可选：{choices}"),
    "not_choice": ("expected one of {choices}, got {got}", "应为 {choices} 之一，实际为{got}"),
    "unknown_key": ("unknown key; {hint}expected one of {choices}", "未知的键；{hint_zh}可用的键：{choices}"),
    "layer_not_object": ("expected an object with activation, weights and bias, got {got}",
                         "应为含 activation、weights、bias 的对象，实际为{got}"),
    "softmax_not_last": ("softmax is only allowed on the last layer", "softmax 只能用在最后一层"),
    "missing": ("missing", "缺失"),
    "not_rows": ("expected a list of rows (one per neuron, each a list of numbers), got {got}",
                 "应为若干行（每个神经元一行，每行是一个数字列表），实际为{got}"),
    "too_many_neurons": ("{n} neurons is beyond the limit of {limit} per layer", "{n} 个神经元超出了每层 {limit} 个的上限"),
    "ragged_rows": ("rows have different lengths", "各行长度不一致"),
    "empty_rows": ("rows are empty", "行为空"),
    "too_many_inputs": ("{n} inputs is beyond the limit of {limit}", "{n} 个输入超出了 {limit} 个的上限"),
    "wrong_shape": ("expected {rows} row{rows_s} of {cols} number{cols_s}, got {got_rows} row{got_rows_s} of {got_cols}",
                    "应为 {rows} 行、每行 {cols} 个数，实际为 {got_rows} 行、每行 {got_cols} 个数"),
    "no_layers": ("expected a list of at least one layer", "至少需要一层"),
    "too_many_layers": ("{n} layers is beyond the limit of {limit}", "{n} 层超出了 {limit} 层的上限"),
    "loss_needs_output": ("{loss} needs a {needs} output layer; the last layer is {last}",
                          "{loss} 要求输出层为 {needs}，而最后一层是 {last}"),
    "bad_round_to": ("expected null or a whole number from 0 to {limit}, got {got}",
                     "应为 null 或 0 到 {limit} 之间的整数，实际为{got}"),
    "no_samples": ("expected a list of at least one sample", "至少需要一个样本"),
    "too_many_samples": ("{n} samples is beyond the limit of {limit}", "{n} 个样本超出了 {limit} 个的上限"),
    "sample_not_object": ("expected an object with x and target, got {got}", "应为含 x 和 target 的对象，实际为{got}"),
    "targets_not_probabilities": ("{loss} needs targets between 0 and 1", "{loss} 要求目标值在 0 到 1 之间"),
    "not_text": ("expected text, got {got}", "应为文本，实际为{got}"),
    "not_object": ("expected an object, got {got}", "应为对象，实际为{got}"),
    "not_config_object": ("expected a JSON object, got {got}", "应为 JSON 对象，实际为{got}"),
    "too_large": ("is {n} bytes, beyond the limit of {limit}", "有 {n} 字节，超出了 {limit} 字节的上限"),
    "bad_json": ("not valid JSON: {detail} at line {line} column {column}", "不是有效的 JSON：第 {line} 行第 {column} 列（{detail}）"),
    "no_file": ("no such file", "文件不存在"),
    "unreadable": ("cannot be read ({detail})", "无法读取（{detail}）"),
    "not_utf8": ("is not UTF-8 text", "不是 UTF-8 文本"),
    "not_regular_file": ("is not a regular file ({kind})", "不是普通文件（{kind_zh}）"),
    "too_long": ("is {n} characters long, beyond the limit of {limit}", "有 {n} 个字符，超出了 {limit} 个字符的上限"),
    "too_many_items": ("has {n} entries, beyond the limit of {limit}", "有 {n} 项，超出了 {limit} 项的上限"),
    "too_many_lines": ("has {n} lines, beyond the limit of {limit}", "有 {n} 行，超出了 {limit} 行的上限"),
    "too_deep": ("lists and objects are nested too deeply", "列表和对象的嵌套层数太多"),
    "too_many_digits": ("a whole number with {n} digits is beyond the limit of {limit} digits",
                        "含 {n} 位数字的整数超出了 {limit} 位的上限"),
    "duplicate_key": ("the key {key} appears twice in one object", "同一个对象里键 {key} 出现了两次"),
    "bad_char": ("contains {what}", "含有{what_zh}"),
    "bad_symbol": ("the LaTeX symbol {got} is not allowed: {problem}", "LaTeX 符号 {got} 不允许：{problem}"),
    "needs_marks": ("expected a LaTeX template containing {marks}, got {got}", "应为含有 {marks_zh} 的 LaTeX 模板，实际为{got}"),
    "not_symbol": ("expected a LaTeX symbol (text), got {got}", "应为 LaTeX 符号（文本），实际为{got}"),
    "not_symbol_list": ("expected a list of {n} {what} (LaTeX text or null), got {got}",
                        "应为 {n} 个{what_zh}组成的列表（LaTeX 文本或 null），实际为{got}"),
    "bad_step_id": ("expected a step id such as z:l1:n1:s1, got {got}", "应为步骤编号（如 z:l1:n1:s1），实际为{got}"),
    "bad_seed": ("expected a whole number from 0 to {limit}, got {got}", "应为 0 到 {limit} 之间的整数，实际为{got}"),
    "no_exercise": ("no exercise without degenerate numbers was found in {tries} draws for this network; try another "
                    "seed or a smaller network", "这个网络在 {tries} 次抽取中没有找到不退化的练习数字；请换一个种子或用更小的网络"),
    "overflow": ("the value overflowed ({number}): the numbers are too large for this network; use smaller weights or inputs",
                 "数值溢出（{number}）：这个网络的数太大了；请用更小的权重或输入"),
}

# how a wrong value is described inside a message
_KINDS = {
    "text": ("the text {value!r}", "文本 {value!r}"),
    "null": ("null", " null"),
    "bool": ("{value}", " {value}"),
    "list": ("a list of {n}", "含 {n} 项的列表"),
    "object": ("an object", "对象"),
    "other": ("{value!r}", " {value!r}"),
}
# the noun in "expected 2 inputs"
NOUNS = {"input": "输入", "target": "目标值", "bias": "偏置"}


SHOWN_CHARS = 40  # how much of a user's text a message repeats


def shown(text: Any, limit: int = SHOWN_CHARS) -> str:
    """User text as a message may repeat it: quoted (repr: control characters, lone surrogates and
    invisible marks escaped), cut to `limit` characters with an ellipsis."""
    text = str(text)
    cut = len(text) > limit
    out = repr(text[:limit])
    return out[:-1] + "…" + out[-1] if cut else out


def shown_key(key: Any, limit: int = SHOWN_CHARS) -> str:
    """A key or field name for the `where` of a message: as is when it is a plain short name, else `shown`."""
    text = str(key)
    if 0 < len(text) <= limit and text.isascii() and all(c.isalnum() or c in "_-.[]:" for c in text):
        return text
    return shown(text, limit)


def _number_text(value: Any) -> str:
    if isinstance(value, int) and value.bit_length() > 128:  # NOTE: repr of a 5000-digit int raises ValueError
        return f"a whole number with about {int(value.bit_length() * 0.30103) + 1} digits"
    return repr(value)


def describe(value: Any, lang: str = "en") -> str:
    """A wrong value as a message shows it: the text 'abc', null, a list of 3."""
    if isinstance(value, bool):
        kind, args = "bool", {"value": str(value).lower()}
    elif isinstance(value, str):
        kind, args = "text", {"value": _Shown(shown(value))}
    elif value is None:
        kind, args = "null", {}
    elif isinstance(value, list):
        kind, args = "list", {"n": len(value)}
    elif isinstance(value, dict):
        kind, args = "object", {}
    else:
        kind, args = "other", {"value": _Shown(_number_text(value))}
    return _KINDS[kind][lang == "zh"].format(**args)


class _Shown(str):
    """Text already quoted by `shown`: `{value!r}` keeps it as it is."""

    def __repr__(self) -> str:
        return str(self)


def render(code: str, lang: str, params: dict[str, Any]) -> str:
    """One message in one language."""
    en, zh = MESSAGES[code]
    return (zh if lang == "zh" else en).format(**params)
