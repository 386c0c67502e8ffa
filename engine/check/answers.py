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
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..config import MAX_FILE_BYTES, ConfigError
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


def parse_answers_json(text: str, trace: Trace, name: str = "answers") -> list[Answer]:
    """A JSON object of {step id or name: number}; ConfigError with one line for a bad file."""
    if len(text) > MAX_FILE_BYTES:
        raise ConfigError(name, f"is {len(text)} bytes, beyond the limit of {MAX_FILE_BYTES}")

    def constant(token: str) -> Any:
        raise ValueError(f"{token} is not a number here")

    try:
        raw = json.loads(text, parse_float=_NumberText, parse_int=_NumberText, parse_constant=constant,
                         object_pairs_hook=_Pairs)
    except json.JSONDecodeError as err:
        raise ConfigError(name, f"not valid JSON: {err.msg} at line {err.lineno} column {err.colno}") from None
    except ValueError as err:
        raise ConfigError(name, str(err)) from None
    if not isinstance(raw, _Pairs):
        raise ConfigError(name, "expected a JSON object mapping step ids or names to numbers, "
                                'e.g. {"h1": 1.25, "dE/dw5": 1.3125}')
    if not raw:
        raise ConfigError(name, 'has no answers; give step ids or names with numbers, e.g. {"h1": 1.25}')
    names = names_of(trace)
    out: list[Answer] = []
    seen: dict[str, str] = {}
    for key, value in raw:
        where = f"{name}[{key!r}]"
        if isinstance(value, str):  # a JSON number as written, or a numeric string
            number_text = str(value)
        else:
            shown = "an object" if isinstance(value, _Pairs) else "a list" if isinstance(value, list) else \
                json.dumps(value)
            raise ConfigError(where, f"expected a number, got {shown}")
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


_SPLIT = re.compile(r";|\s{2,}(?=[^\s=≈;]+\s*[=≈])")
_NUMBER_THEN_NAME = re.compile(r"^\s*(?P<number>\S+)\s+(?P<name>\S+)\s*$")


_PROBLEMS = {
    "no_equals": ("line {n}: {chunk!r} has no '='; write name = number, e.g. h1 = 1.25",
                  "第 {n} 行：{chunk!r} 没有“=”；请写成 名称 = 数字，例如 h1 = 1.25"),
    "no_name": ("line {n}: no name before '=' in {chunk!r}", "第 {n} 行：{chunk!r} 的“=”前面没有名称"),
    "no_number": ("line {n}: {key} has no number after '='", "第 {n} 行：{key} 的“=”后面没有数字"),
    "not_number": ("line {n}: {key}: {number!r} is not a number", "第 {n} 行：{key}：{number!r} 不是数字"),
    "name": ("line {n}: {error}", "第 {n} 行：{error}"),
    "twice": ("line {n}: {key} was already given on line {first}; both are marked",
              "第 {n} 行：{key} 在第 {first} 行已经给出；两个都会批改"),
}


def parse_answer_lines(text: str, trace: Trace, lang: str = "en") -> tuple[list[Answer], list[str]]:
    """Answers pasted as written on paper (`h1 = 1.25`, `dE/dw5 = 1.05 × 1.25 = 1.3125`), and a list
    of problems in `lang`, one per bad entry: `line 3: ...`."""

    def problem(kind: str, **args) -> None:
        problems.append(_PROBLEMS[kind][lang == "zh"].format(**args))

    names = names_of(trace)
    answers: list[Answer] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    for n, line in enumerate(unicodedata.normalize("NFKC", text).splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        for chunk in _SPLIT.split(line):
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
                m = _NUMBER_THEN_NAME.match(middle)
                if m and _is_number(m.group("number")) and _known(names, m.group("name")):
                    entries.append((current, m.group("number")))
                    current = m.group("name")
            entries.append((current, parts[-1].strip()))
            for key, number_text in entries:
                if not key:
                    problem("no_name", n=n, chunk=chunk)
                    continue
                if not number_text:
                    problem("no_number", n=n, key=key)
                    continue
                try:
                    value = parse_number(number_text)
                except ValueError:
                    problem("not_number", n=n, key=key, number=number_text)
                    continue
                try:
                    ident = names.resolve(key)
                except NameError_ as err:
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
        names.resolve(key)
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
