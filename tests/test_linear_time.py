"""Every parser that sees user text runs in linear time (issue 8, point 1).

Each test feeds a former hot spot the input that made it quadratic (seconds to minutes) and asserts what
comes out. No timings are asserted: the generous `timeout` marker fails a test that takes tens of seconds,
as each of these did before (a line of 60,000 spaces took 27 s in the answer splitter, a name of 30,000
spaces 39 s in the name resolver).
"""

from __future__ import annotations

import functools

import pytest

from engine import ConfigError, compute_trace, load_preset, parse_config_text, parse_number
from engine.check import names_of, parse_answer_lines
from engine.check.answers import _split
from engine.check.names import _after_base, _qualified
from engine.check.spelling import canon, pretty
from engine.latex import katex_problems, symbol_problems
from engine.limits import MAX_ANSWER_CHARS, MAX_ANSWER_LINES, MAX_NAME_CHARS, MAX_NUMBER_CHARS
from engine.symbols import group, plain

pytestmark = pytest.mark.timeout(10)

SPACES = " " * 60_000


@functools.cache
def note000():
    return compute_trace(load_preset("note000"))


# --- the answer splitter ----------------------------------------------------------------------------------

def test_splitter_on_a_long_run_of_spaces():
    assert _split("h1 = 1" + SPACES + "2") == ["h1 = 1" + SPACES + "2"]  # no `name =` after the run: one answer
    assert _split("h1 = 1" + SPACES + "h2 = 3") == ["h1 = 1", "h2 = 3"]
    assert _split(SPACES) == [SPACES]


def test_splitter_on_many_runs_and_equals_signs():
    assert _split("a  " * 30_000 + "= 1") == [("a  " * 29_999).rstrip(), "a  = 1"]
    assert _split("x = 1  " * 20_000) == ["x = 1"] * 19_999 + ["x = 1  "]
    assert _split("x = 1;" * 20_000) == ["x = 1"] * 20_000 + [""]


def test_splitter_still_splits_as_written():
    assert _split("w2+ = 1.4475  w3+ = 2.195") == ["w2+ = 1.4475", "w3+ = 2.195"]
    assert _split("h1 = 1.25; h2 ≈ 3.8") == ["h1 = 1.25", " h2 ≈ 3.8"]
    assert _split("dE/dw5 = 1.05 × 1.25   = 1.3125") == ["dE/dw5 = 1.05 × 1.25   = 1.3125"]


def test_pasted_line_with_a_long_run_of_spaces_just_under_the_limit():
    text = "h1 = 1" + " " * (MAX_ANSWER_CHARS - 10) + "2"
    answers, problems = parse_answer_lines(text, note000())
    assert answers == [] and len(problems) == 1
    assert problems[0].startswith("line 1: h1: '1") and "is not a number" in problems[0]


def test_a_paste_beyond_the_limits_gets_one_clear_message():
    answers, problems = parse_answer_lines("h1 = 1" + SPACES + "2", note000())
    assert answers == [] and problems == [
        f"the answers are {6 + 60_000 + 1} characters long, beyond the limit of {MAX_ANSWER_CHARS}; "
        "paste fewer at a time"]
    answers, problems = parse_answer_lines("h1 = 1.25\n" * 100_000, note000(), "zh")
    assert answers == [] and problems == [f"答案共 1000000 个字符，超出了 {MAX_ANSWER_CHARS} 个字符的上限；请分几次粘贴"]
    answers, problems = parse_answer_lines("\n" * (MAX_ANSWER_LINES + 1), note000())
    assert answers == [] and problems == [
        f"the answers have {MAX_ANSWER_LINES + 1} lines, beyond the limit of {MAX_ANSWER_LINES}; paste fewer at a time"]


def test_a_long_line_of_answers_is_marked_quickly():
    text = "  ".join(["h1 = 1.25", "h2 = 3.8", "y = 6.95"] * 1500)[:MAX_ANSWER_CHARS]
    answers, problems = parse_answer_lines(text, note000())
    assert {a.id for a in answers} == {"a:l1:n1:s1", "a:l1:n2:s1", "a:l2:n1:s1"}
    assert len(answers) + len(problems) >= 1500


# --- names ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", [
    "h1" + " " * 30_000,
    " " * 30_000 + "x",
    "delta_o" + " " * 30_000 + "sample 2",
    "y" + " " * 30_000 + "after",
])
def test_a_long_name_is_refused_before_it_is_read(name):
    with pytest.raises(ValueError, match=f"beyond the limit of {MAX_NAME_CHARS}"):
        names_of(note000()).resolve(name)


@pytest.mark.parametrize("tail", [
    "[ 2" + " " * 50_000 + "x",
    "(s" + " " * 50_000 + "x)",
    "(sample =" + " " * 50_000 + "2" + " " * 50_000 + "x)",
    ", s" + " " * 50_000 + "x",
    " sample" + " " * 50_000 + "x",
    "@" + " " * 50_000 + "x",
])
def test_sample_qualifiers_on_long_runs_of_spaces(tail):
    assert list(_qualified("a" + " " * 50_000 + tail)) == []


def test_sample_qualifiers_still_read():
    assert list(_qualified("delta_o [2]")) == [("delta_o", 2)]
    assert list(_qualified("delta_o (sample = 2)")) == [("delta_o", 2)]
    assert list(_qualified("delta_o (样本 2)")) == [("delta_o", 2)]
    assert list(_qualified("delta_o, s=2")) == [("delta_o", 2)]
    assert list(_qualified("delta_o sample 2")) == [("delta_o", 2)]
    assert list(_qualified("delta_osample 2")) == []
    assert list(_qualified("a" + " " * 50_000 + "[3]")) == [("a", 3)]


def test_after_on_long_runs():
    assert _after_base("y" + " " * 60_000 + "x") is None
    assert _after_base("y" + " _" * 30_000 + "after") == "y"
    assert _after_base("y" + " " * 60_000 + "(" + " " * 60_000 + "after") == "y" + " " * 60_000 + "("
    assert _after_base("y" + " " * 60_000 + "(" + " " * 60_000 + "after" + " " * 60_000) is None
    assert _after_base("E_after") == "E" and _after_base("h1+") == "h1" and _after_base("after") is None


def test_names_resolve_as_before_at_the_limit():
    names = names_of(note000())
    assert names.resolve("y" + " " * (MAX_NAME_CHARS - 7) + "after") == "check.a:l2:n1:s1"
    assert names.resolve("h1" + " " * (MAX_NAME_CHARS - 2)) == "a:l1:n1:s1"


def test_spelling_on_long_text():
    # names are cut at MAX_NAME_CHARS before they are spelled; the regexes themselves are linear
    assert canon("\\frac{" * (MAX_NAME_CHARS // 6)) == "/" * (MAX_NAME_CHARS // 6)
    assert pretty("^{(" * 20_000) == "^(" * 20_000
    assert canon("w" + " " * 100_000 + "5") == "w5"
    assert canon("\\left" * 20_000 + "\\, " * 20_000) == ""


# --- numbers -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["1" * 100_000, "1" * 50_000 + "/" + "2" * 50_000, "-" + "." * 100_000,
                                  "1e" + "9" * 100_000])
def test_a_long_number_is_refused_before_it_is_read(text):
    with pytest.raises(ValueError, match=f"beyond the limit of {MAX_NUMBER_CHARS}"):
        parse_number(text)


def test_numbers_at_the_limit_still_parse():
    assert parse_number("0." + "1" * (MAX_NUMBER_CHARS - 2)) == pytest.approx(0.111111111111)
    assert parse_number("3/4") == 0.75


# --- LaTeX -------------------------------------------------------------------------------------------------

def test_katex_problems_on_unclosed_environments_and_text():
    problems = katex_problems("\\begin{" * 30_000)
    assert "unbalanced '{'" in problems
    problems = katex_problems("\\text{" * 30_000)
    assert problems[0] == "unbalanced '{'" and not any("special" in p for p in problems)
    problems = katex_problems("\\text{a_" * 20_000 + "}" * 20_000)
    assert problems == ["unescaped special character in \\text{" + "a_\\text{" * 19_999 + "a_" + "}" * 19_999 + "}"]


def test_symbol_problems_stop_at_the_size_limit():
    assert symbol_problems("x" + "_{x" * 50_000 + "}" * 50_000) == ["longer than 64 characters"]
    assert symbol_problems("x_{x_{x_{x_{x}}}}") == []
    assert symbol_problems("x_{x_{x_{x_{x_{x}}}}}") == ["braces nested more than 4 deep"]


def test_plain_symbols_on_long_text():
    assert plain("\\eta" * 30_000) == "η" * 30_000
    assert plain("x\\") == "x\\"
    assert group("\\alpha" * 50_000, 0) == ("\\alpha", 6)


# --- config text -------------------------------------------------------------------------------------------

def test_a_config_of_spaces_and_brackets():
    with pytest.raises(ConfigError, match="not valid JSON"):
        parse_config_text(" " * 900_000 + "{")
    with pytest.raises(ConfigError, match="nested too deeply"):
        parse_config_text("[" * 400_000)
    with pytest.raises(ConfigError, match="beyond the limit of 1000000"):
        parse_config_text(" " * 1_000_001)
