"""Worksheets and answer keys: one numbered blank line per solution step, in order; a key with every step's
value; valid KaTeX in the Markdown; balanced, escaped LaTeX (compiled when a TeX engine is installed)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from engine import ConfigError, compute_trace, load_preset, preset_ids
from engine.exercise import generate, seed_for
from engine.latex import katex_problems
from engine.render import RenderOptions
from engine.worksheet import MARKDOWN_PAGE_BREAK, class_pack, solution_steps, worksheet

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = r"\input{/etc/passwd} 100% R&D a_b <script>alert(1)</script> $x$ #1 ~ ^ {}"
BLANK = re.compile(r"^\*\*(\d+)\.\*\* \$(.*) =\$ (?:\\_)+$")


def math_spans(markdown: str) -> list[str]:
    """Every $$...$$ block and $...$ span of Markdown (an escaped \\$ is text)."""
    spans, i, n = [], 0, len(markdown)
    while i < n:
        if markdown[i] == "\\":
            i += 2
            continue
        if markdown.startswith("$$", i):
            end = markdown.index("$$", i + 2)
            spans.append(markdown[i + 2:end])
            i = end + 2
        elif markdown[i] == "$":
            end = markdown.index("$", i + 1)
            assert "\n" not in markdown[i:end]
            spans.append(markdown[i + 1:end])
            i = end + 1
        else:
            i += 1
    return spans


def balanced(tex: str) -> bool:
    depth = 0
    i = 0
    while i < len(tex):
        if tex[i] == "\\":
            i += 2
            continue
        depth += {"{": 1, "}": -1}.get(tex[i], 0)
        if depth < 0:
            return False
        i += 1
    return depth == 0


def environments_match(tex: str) -> bool:
    stack = []
    for kind, name in re.findall(r"\\(begin|end)\{([^}]*)\}", tex):
        if kind == "begin":
            stack.append(name)
        elif not stack or stack.pop() != name:
            return False
    return not stack


@pytest.mark.parametrize("template", preset_ids())
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_one_blank_line_per_step_in_order_and_a_key_with_every_value(template, lang):
    exercise = generate(template, 5)
    steps = solution_steps(compute_trace(exercise), RenderOptions(lang=lang, decimals=4))
    sheet = worksheet(exercise, lang=lang, name="Ada", assignment="hw3")
    blanks = [BLANK.match(line) for line in sheet.splitlines()]
    blanks = [m for m in blanks if m]
    assert [int(m[1]) for m in blanks] == list(range(1, len(steps) + 1))
    assert [m[2] for m in blanks] == [r.symbol for r in steps]
    key = worksheet(exercise, lang=lang, key=True, name="Ada", assignment="hw3")
    at = 0
    for number, r in enumerate(steps, 1):  # every step's line and value, in order
        at = key.index(f"**{number}.** ", at)
        at = key.index(r.latex, at)
        assert r.result in r.latex  # the value (a note's line may show it among others, as note 004 does)
    for text in (sheet, key):
        assert not [p for span in math_spans(text) for p in katex_problems(span)]
        assert template.replace("_", r"\_") in text
        assert ("**种子：** 5" if lang == "zh" else "**Seed:** 5") in text
        assert ("练习格式版本：" if lang == "zh" else "Exercise format version:") in text
        assert ("作业：" if lang == "zh" else "Assignment:") in text and "hw3" in text


def test_the_sheet_shows_the_givens_and_equations_but_no_results():
    exercise = generate("note002", 11)
    trace = compute_trace(exercise)
    sheet = worksheet(exercise)
    assert "## Given" in sheet and "## The network's equations (sample 1; every sample alike)" in sheet
    for x in (exercise.samples[0].x[0], exercise.layers[0].weights[0][1], exercise.learning_rate):
        assert f"= {x:g}$" in sheet
    assert "**Name / ID:** " + r"\_" * 16 in sheet  # no name given: a line to write it on
    first_result = solution_steps(trace, RenderOptions(decimals=4))[0].result
    assert f"= {first_result}" not in sheet


def test_chinese_sheet_has_chinese_labels():
    sheet = worksheet(generate("note001", 2), lang="zh", name="李雷", assignment="作业1")
    key = worksheet(generate("note001", 2), lang="zh", key=True)
    for word in ("练习", "姓名/学号：", "李雷", "作业：", "已知", "网络的方程", "保留 4 位小数", "四舍五入到 2 位小数"):
        assert word in sheet, word
    assert key.startswith("# 答案：练习：")
    assert "Template" not in sheet and "Seed" not in sheet


def test_a_preset_has_a_worksheet_too():
    sheet = worksheet(load_preset("note002"))
    assert "**Template:** note002" in sheet and "Seed:" not in sheet


def test_hostile_names_are_text():
    md = worksheet(generate("note000", 1), name=HOSTILE)
    line = next(line for line in md.splitlines() if line.startswith("**Name / ID:**"))
    assert "<script>" not in line and "&lt;script&gt;" in line
    assert r"\$x\$" in line and r"a\_b" in line
    tex = worksheet(generate("note000", 1), fmt="latex", name=HOSTILE)
    assert r"\input{" not in tex and r"\textbackslash{}input\{/etc/passwd\}" in tex
    assert r"100\% R\&D a\_b \textless{}script\textgreater{}" in tex and r"\$x\$ \#1" in tex
    assert balanced(tex) and environments_match(tex)


@pytest.mark.parametrize("bad", ["x" * 81, "a\nb", "a\x00b", "a\u202eb", "", "a\u200bb"])
def test_bad_names_are_refused(bad):
    with pytest.raises(ConfigError, match=r"^(name|names\[0\]): "):
        worksheet(generate("note000", 1), name=bad)
    with pytest.raises(ConfigError, match=r"^names\[0\]: "):
        class_pack("note000", [bad], fmt="markdown")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_latex_is_balanced_and_uses_ctex_only_for_chinese(lang):
    tex = worksheet(generate("softmax_ce_2_3_3", 4), fmt="latex", lang=lang, key=True)
    assert balanced(tex) and environments_match(tex)
    assert tex.startswith(r"\documentclass[11pt,UTF8]{ctexart}" if lang == "zh" else r"\documentclass[11pt]{article}")
    assert tex.rstrip().endswith(r"\end{document}") and tex.count(r"\begin{document}") == 1


def test_class_pack_has_a_page_per_student_and_refuses_too_many():
    names = ["Ada Lovelace", "李雷", HOSTILE]
    sheets, keys = class_pack("note002", names, assignment="hw3", fmt="markdown")
    assert sheets.count(MARKDOWN_PAGE_BREAK) == keys.count(MARKDOWN_PAGE_BREAK) == 2
    for name, page in zip(names, sheets.split(MARKDOWN_PAGE_BREAK)):
        assert f"**Seed:** {seed_for(name, 'hw3')}" in page
    assert sheets.split(MARKDOWN_PAGE_BREAK)[0] == worksheet(generate("note002", seed_for("Ada Lovelace", "hw3")),
                                                             name="Ada Lovelace", assignment="hw3")
    tex_sheets, tex_keys = class_pack("note000", [1, 2, 3], fmt="latex")
    assert tex_sheets.count(r"\clearpage") == 2 and balanced(tex_sheets) and environments_match(tex_keys)
    assert tex_sheets.startswith(r"\documentclass[11pt]{article}")
    assert class_pack("note000", ["李雷"], fmt="latex")[0].startswith(r"\documentclass[11pt,UTF8]{ctexart}")
    with pytest.raises(ConfigError, match=r"^students: has more than 200 entries"):
        class_pack("note000", range(201), fmt="markdown")
    with pytest.raises(ConfigError, match=r"^students: is empty"):
        class_pack("note000", [], fmt="markdown")
    with pytest.raises(ConfigError, match=r"^seeds\[1\]: expected a whole number"):
        class_pack("note000", [1, -2], fmt="markdown")
    with pytest.raises(ConfigError, match=r"^format: "):
        class_pack("note000", [1], fmt="docx")


def test_cli_pack_writes_sheets_and_keys(tmp_path):
    names = tmp_path / "names.txt"
    names.write_text("Ada Lovelace\n\n李雷\n", encoding="utf-8")
    out = tmp_path / "out"
    r = subprocess.run([sys.executable, "-m", "engine", "exercise", "--template", "note001", "--names", str(names),
                        "--assignment", "hw3", "--format", "latex", "--lang", "zh", "--out-dir", str(out)],
                       cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    sheets, keys = class_pack("note001", ["Ada Lovelace", "李雷"], assignment="hw3", fmt="latex", lang="zh")
    assert (out / "sheets.tex").read_text(encoding="utf-8") == sheets
    assert (out / "keys.tex").read_text(encoding="utf-8") == keys
    one = subprocess.run([sys.executable, "-m", "engine", "exercise", "--template", "note001", "--seed", "4",
                          "--format", "markdown", "--key"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert one.returncode == 0 and one.stdout == worksheet(generate("note001", 4), key=True)


TEX = [shutil.which(name) for name in ("pdflatex", "xelatex")]


@pytest.mark.skipif(not any(TEX), reason="no pdflatex or xelatex on this machine")
def test_latex_compiles(tmp_path):
    engine_path = TEX[0] or TEX[1]
    for name, lang in (("sheet", "en"), ("key", "en")):
        tex = worksheet(generate("note002", 3), fmt="latex", lang=lang, key=name == "key", name=HOSTILE)
        (tmp_path / f"{name}.tex").write_text(tex, encoding="utf-8")
        r = subprocess.run([engine_path, "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape",
                            f"{name}.tex"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stdout[-2000:]
        assert (tmp_path / f"{name}.pdf").exists()
