"""The learner's answers: read from a JSON object or from lines pasted as written on paper.

Answers
    An answer is a number for one step or given, keyed by its id (`dE_dw:l2:n1:k1`, as in
    `trace --json`) or by a name the learner writes. `parse_answers_json` reads a JSON object
    (`{"h1": 1.25, "dE/dw5": "1.3125"}`); `parse_answer_lines` reads lines written as on paper:
    `name = number`, where only the first and the last parts of `dE/dw5 = 1.05 × 1.25 = 1.3125`
    count, several answers may share a line (`w2+ = 1.4475  w3+ = 2.195`, or separated by `;`),
    `≈` works like `=`, and blank lines and lines starting with `#` are skipped.
    Numbers are parsed by `engine.numbers.parse_number`; nothing is evaluated.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..config import ConfigError, load_json
from ..limits import MAX_ANSWER_CHARS, MAX_ANSWER_LINES, MAX_ANSWERS, MAX_NAME_CHARS
from ..messages import shown
from ..numbers import parse_number
from ..trace import Trace
from .names import NameError_, Names, names_of


@dataclass(frozen=True)
class Answer:
    """One number the learner wrote: `key` a step id or a name, `text` the number as written."""

    key: str
    text: str | None
    value: float
    id: str | None = None  # the resolved step or given id, once known


def _resolve_or_raise(names: Names, key: str, where: str) -> str:
    try:
        return names.resolve(key)
    except NameError_ as err:
        raise ConfigError(where, str(err)) from None


class _NumberText(str):
    """A JSON number exactly as written (`0.2980` keeps its 4 decimals)."""


class _Pairs(list):
    """A JSON object as its (key, value) pairs, in the file's order."""


class _Constant(ValueError):
    """NaN or Infinity in an answers file."""


def parse_answers_json(text: str, trace: Trace, name: str = "answers") -> list[Answer]:
    """A JSON object of {step id or name: number}; ConfigError with one line for a bad file."""
    def constant(token: str) -> Any:
        raise _Constant(f"{token} is not a number here")

    try:
        raw = load_json(text, name, parse_float=_NumberText, parse_int=_NumberText, parse_constant=constant,
                        object_pairs_hook=_Pairs)
    except _Constant as err:
        raise ConfigError(name, str(err)) from None
    if not isinstance(raw, _Pairs):
        raise ConfigError(name, "expected a JSON object mapping step ids or names to numbers, "
                                'e.g. {"h1": 1.25, "dE/dw5": 1.3125}')
    if not raw:
        raise ConfigError(name, 'has no answers; give step ids or names with numbers, e.g. {"h1": 1.25}')
    if len(raw) > MAX_ANSWERS:
        raise ConfigError(name, code="too_many_items", n=len(raw), limit=MAX_ANSWERS)
    names = names_of(trace)
    out: list[Answer] = []
    seen: dict[str, str] = {}
    keys: set[str] = set()
    for key, value in raw:
        where = f"{name}[{shown(key)}]"
        if key in keys:
            raise ConfigError(where, code="duplicate_key", key=shown(key))
        keys.add(key)
        if isinstance(value, str):  # a JSON number as written, or a numeric string
            number_text = str(value)
        else:
            what = "an object" if isinstance(value, _Pairs) else "a list" if isinstance(value, list) else \
                json.dumps(value)
            raise ConfigError(where, f"expected a number, got {what}")
        try:
            number = parse_number(number_text)
        except ValueError as err:
            raise ConfigError(where, f"expected a number: {err}") from None
        ident = _resolve_or_raise(names, key, where)
        if ident in seen:
            raise ConfigError(where, f"names the same step as {seen[ident]!r} ({ident})")
        seen[ident] = key
        out.append(Answer(key, number_text.strip(), number, ident))
    return out


SUGGESTED_NAMES = 5  # unknown names in one paste that get "did you mean ...?"


def _split(line: str) -> list[str]:
    """A line's answers: split at `;`, and at a run of 2 or more spaces followed by `name =` (or `≈`).

    NOTE: a hand scanner, linear in the line: the regex it replaces, `\\s{2,}(?=[^\\s=≈;]+\\s*[=≈])`,
    rescanned a run of spaces from each of its positions and took 27 s on a line with 60,000 spaces.
    """
    out: list[str] = []
    for piece in line.split(";"):
        start, i, n = 0, 0, len(piece)
        while i < n:
            if not piece[i].isspace():
                i += 1
                continue
            j = i
            while j < n and piece[j].isspace():
                j += 1
            if j - i >= 2:  # a run of spaces: a new answer when `name =` follows
                k = j
                while k < n and not piece[k].isspace() and piece[k] not in "=≈":
                    k += 1
                m = k
                while m < n and piece[m].isspace():
                    m += 1
                if k > j and m < n and piece[m] in "=≈":
                    out.append(piece[start:i])
                    start = j
            i = j
        out.append(piece[start:])
    return out


_PROBLEMS = {
    "no_equals": ("line {n}: {chunk!r} has no '='; write name = number, e.g. h1 = 1.25",
                  "第 {n} 行：{chunk!r} 没有“=”；请写成 名称 = 数字，例如 h1 = 1.25"),
    "no_name": ("line {n}: no name before '=' in {chunk!r}", "第 {n} 行：{chunk!r} 的“=”前面没有名称"),
    "no_number": ("line {n}: {key} has no number after '='", "第 {n} 行：{key} 的“=”后面没有数字"),
    "not_number": ("line {n}: {key}: {number} is not a number", "第 {n} 行：{key}：{number} 不是数字"),
    "long_name": ("line {n}: the name {key} is {length} characters long, beyond the limit of {limit}",
                  "第 {n} 行：名称 {key} 有 {length} 个字符，超出了 {limit} 个字符的上限"),
    "too_long": ("the answers are {n} characters long, beyond the limit of {limit}; paste fewer at a time",
                 "答案共 {n} 个字符，超出了 {limit} 个字符的上限；请分几次粘贴"),
    "too_many_lines": ("the answers have {n} lines, beyond the limit of {limit}; paste fewer at a time",
                       "答案共 {n} 行，超出了 {limit} 行的上限；请分几次粘贴"),
    "too_many": ("line {n}: more than {limit} answers; the rest are not marked",
                 "第 {n} 行：答案超过了 {limit} 个；其余的不批改"),
    "name": ("line {n}: {error}", "第 {n} 行：{error}"),
    "twice": ("line {n}: {key} was already given on line {first}; both are marked",
              "第 {n} 行：{key} 在第 {first} 行已经给出；两个都会批改"),
}


def parse_answer_lines(text: str, trace: Trace, lang: str = "en") -> tuple[list[Answer], list[str]]:
    """Answers pasted as written on paper (`h1 = 1.25`, `dE/dw5 = 1.05 × 1.25 = 1.3125`), and a list
    of problems in `lang`, one per bad entry: `line 3: ...`."""

    def problem(kind: str, **args) -> None:
        problems.append(_PROBLEMS[kind][lang == "zh"].format(**args))

    answers: list[Answer] = []
    problems: list[str] = []
    # the limits, before any parsing: a long paste gets one clear problem, at once
    if len(text) > MAX_ANSWER_CHARS:
        problem("too_long", n=len(text), limit=MAX_ANSWER_CHARS)
        return answers, problems
    lines = unicodedata.normalize("NFKC", text).splitlines()
    if len(lines) > MAX_ANSWER_LINES:
        problem("too_many_lines", n=len(lines), limit=MAX_ANSWER_LINES)
        return answers, problems
    names = names_of(trace)
    seen: dict[str, int] = {}
    unknown = 0
    for n, line in enumerate(lines, 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if len(answers) + len(problems) >= MAX_ANSWERS:
            problem("too_many", n=n, limit=MAX_ANSWERS)
            break
        for chunk in _split(line):
            chunk = chunk.strip().replace("≈", "=")
            if not chunk:
                continue
            if "=" not in chunk:
                problem("no_equals", n=n, chunk=chunk)
                continue
            parts = chunk.split("=")
            entries: list[tuple[str, str]] = []
            current = parts[0].strip()
            for middle in parts[1:-1]:  # `w2+ = 1.4475 w3+ = 2.195` on one line
                words = middle.split()
                if len(words) == 2 and _is_number(words[0]) and _known(names, words[1]):
                    entries.append((current, words[0]))
                    current = words[1]
            entries.append((current, parts[-1].strip()))
            for key, number_text in entries:
                if not key:
                    problem("no_name", n=n, chunk=chunk)
                    continue
                if len(key) > MAX_NAME_CHARS:
                    problem("long_name", n=n, key=shown(key), length=len(key), limit=MAX_NAME_CHARS)
                    continue
                if not number_text:
                    problem("no_number", n=n, key=key)
                    continue
                try:
                    value = parse_number(number_text)
                except ValueError:
                    problem("not_number", n=n, key=key, number=shown(number_text))
                    continue
                try:  # NOTE: close names are looked for only for the first few unknown names: each takes a while
                    ident = names.resolve(key, suggest=unknown < SUGGESTED_NAMES)
                except NameError_ as err:
                    unknown += 1
                    problem("name", n=n, error=err.text(lang))
                    continue
                if ident in seen:
                    problem("twice", n=n, key=key, first=seen[ident])
                seen.setdefault(ident, n)
                answers.append(Answer(key, number_text, value, ident))
    return answers, problems


def _is_number(text: str) -> bool:
    try:
        parse_number(text)
    except ValueError:
        return False
    return True


def _known(names: Names, key: str) -> bool:
    try:
        names.resolve(key, quiet=True)
    except NameError_:
        return False
    return True


def _resolved(trace: Trace, answers: Iterable[Answer]) -> list[Answer]:
    """The answers with their step or given ids; ConfigError for a name that is not here."""
    names = names_of(trace)
    out = []
    for a in answers:
        if a.id is not None and a.id in trace:
            out.append(a)
            continue
        ident = _resolve_or_raise(names, a.key, "answers")
        out.append(Answer(a.key, a.text, float(a.value), ident))
    return out
