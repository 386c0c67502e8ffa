"""The whole solution exported: `trace --json` with LaTeX and captions, Markdown, a standalone LaTeX document, CSV."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess

import pytest

from engine import compute_trace, load_preset, parse_config, preset_ids
from engine.cli import main
from engine.config import ConfigError
from engine.export import CSV_COLUMNS, export, trace_json
from engine.render import RenderOptions, render_trace

CJK = re.compile(r"[\u3400-\u9fff]")
HEADINGS = {
    "en": ["## Given", "## 1. Forward pass", "## 2. Error", "## 3. Backward pass", "## 4. Update",
           "## 5. Check: forward pass with the new parameters", "## Matrix form"],
    "zh": ["## 已知", "## 1. 前向传播", "## 2. 误差", "## 3. 反向传播", "## 4. 更新参数", "## 5. 验证", "## 矩阵形式"],
}


def trace_of(preset: str):
    return compute_trace(load_preset(preset))


def test_trace_json_adds_latex_and_caption_to_every_step():
    trace = trace_of("note001")
    plain = trace.to_json()
    out = trace_json(trace, lang="zh", decimals=None, significant=None, mul="cdot")
    assert set(out) == set(plain) | {"view"} and out["view"] == "trace"
    rendered = render_trace(trace, RenderOptions(lang="zh", mul="cdot"))
    for before, after, r in zip(plain["steps"], out["steps"], rendered):
        assert {k: v for k, v in after.items() if k not in ("latex", "caption", "note")} == before
        assert (after["latex"], after["caption"]) == (r.latex, r.caption)
        assert CJK.search(after["caption"])
    json.dumps(out, ensure_ascii=False)


def test_cli_json_and_formats(capsys):
    assert main(["trace", "--preset", "note000", "--json", "--mul", "cdot"]) == 0
    steps = {s["id"]: s for s in json.loads(capsys.readouterr().out)["steps"]}
    assert steps["dE_dw:l2:n1:k1"]["latex"].endswith(r"= 1.05 \cdot 1.25 = 1.3125")
    assert steps["dE_dw:l2:n1:k1"]["caption"]
    for fmt in ("markdown", "latex", "csv"):
        assert main(["trace", "--preset", "note002", "--format", fmt, "--lang", "zh", "--decimals", "5"]) == 0
        assert capsys.readouterr().out.strip()
    assert main(["trace", "--preset", "note000", "--format", "csv", "--decimals", "2", "--significant", "3"]) == 2
    assert "decimals or significant" in capsys.readouterr().err


def test_unknown_format_is_a_config_error():
    with pytest.raises(ConfigError):
        export(trace_of("note000"), "docx")


# --- Markdown ----------------------------------------------------------------------------------------------

def _math_blocks(text: str) -> list[str]:
    """The $$ blocks of a Markdown document, checking each $$ stands on its own line with blank lines around."""
    lines = text.split("\n")
    blocks, i = [], 0
    while i < len(lines):
        if "$$" in lines[i]:
            assert lines[i] == "$$", lines[i]
            assert i == 0 or lines[i - 1] == "", f"no blank line before $$ at line {i}"
            end = lines.index("$$", i + 1)
            assert end == i + 2, "a $$ block holds one line of LaTeX"
            assert end + 1 >= len(lines) or lines[end + 1] == "", f"no blank line after $$ at line {end}"
            blocks.append(lines[i + 1])
            i = end + 1
        else:
            i += 1
    return blocks


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("preset", preset_ids())
def test_markdown_export_of_every_preset(preset, lang):
    trace = trace_of(preset)
    text = export(trace, "markdown", lang=lang)
    assert text.startswith("# ")
    positions = [text.find(h) for h in HEADINGS[lang]]
    assert all(p >= 0 for p in positions) and positions == sorted(positions), positions
    assert text.count("$$") % 2 == 0
    blocks = _math_blocks(text)
    shown = {r.latex for r in render_trace(trace, RenderOptions(lang=lang)) if not trace.step(r.id).same_as}
    assert shown <= set(blocks)
    assert "30000000000000004" not in text and not re.search(r"\d e-\d|\de-0\d", text)


def test_markdown_escapes_caption_text():
    text = export(trace_of("note001"), "markdown")
    assert r"y\_o" in text  # y_o in a caption would start emphasis on some renderers


# --- LaTeX -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("preset", preset_ids())
def test_latex_document_structure(preset, lang):
    doc = export(trace_of(preset), "latex", lang=lang)
    assert doc.startswith(r"\documentclass")
    assert r"\usepackage{amsmath,amssymb}" in doc
    assert doc.index(r"\begin{document}") < doc.rindex(r"\end{document}")
    assert doc.rstrip().endswith(r"\end{document}")
    assert doc.count(r"\begin{align*}") == doc.count(r"\end{align*}")
    body = re.sub(r"\\[{}]", "", doc)
    assert body.count("{") == body.count("}")
    for section in (r"\section*{", ):
        assert doc.count(section) >= 6
    if lang == "en":
        assert not CJK.search(doc)
    else:
        assert r"\usepackage{CJKutf8}" in doc and CJK.search(doc)
        assert not CJK.search(_outside_zhen(doc))  # Chinese only inside \zhen{Chinese}{English}


def _outside_zhen(doc: str) -> str:
    """The document without the first argument of every \\zhen (brace-matched)."""
    out, i = [], 0
    while (start := doc.find(r"\zhen{", i)) >= 0:
        out.append(doc[i:start])
        depth, j = 0, start + len(r"\zhen")
        while True:
            if doc[j] == "\\":
                j += 2
                continue
            depth += {"{": 1, "}": -1}.get(doc[j], 0)
            j += 1
            if depth == 0:
                break
        i = j
    return "".join(out) + doc[i:]


def _pdflatex(tmp_path, name: str, doc: str) -> subprocess.CompletedProcess:
    (tmp_path / f"{name}.tex").write_text(doc, encoding="utf-8")
    return subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", f"{name}.tex"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=300)


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed here (CI needs no TeX)")
@pytest.mark.parametrize(("preset", "lang"), [("note000", "en"), ("note002", "en"), ("softmax_ce_2_3_3", "en"),
                                              ("note001", "zh")])
def test_latex_export_compiles_with_pdflatex(tmp_path, preset, lang):
    done = _pdflatex(tmp_path, "solution", export(trace_of(preset), "latex", lang=lang))
    assert done.returncode == 0, done.stdout[-3000:]
    assert (tmp_path / "solution.pdf").stat().st_size > 10_000


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed here (CI needs no TeX)")
def test_chinese_export_compiles_without_cjk_fonts(tmp_path):
    """Where CJKutf8 is missing, the zh document falls back to English text and still compiles."""
    doc = export(trace_of("note000"), "latex", lang="zh").replace("{CJKutf8.sty}", "{no-such-package.sty}")
    done = _pdflatex(tmp_path, "fallback", doc)
    assert done.returncode == 0, done.stdout[-3000:]


# --- CSV ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("preset", preset_ids())
def test_csv_one_row_per_step(preset):
    trace = trace_of(preset)
    rows = list(csv.reader(io.StringIO(export(trace, "csv", lang="zh"))))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert [r[0] for r in rows[1:]] == [s.id for s in trace.steps]
    rendered = render_trace(trace, RenderOptions(lang="zh"))
    for row, step, r in zip(rows[1:], trace.steps, rendered):
        record = dict(zip(CSV_COLUMNS, row))
        assert record["phase"] == step.phase and record["quantity"] == step.quantity
        assert record["layer"] == ("" if step.layer is None else str(step.layer))
        assert record["sample"] == ("" if step.sample is None else str(step.sample))
        assert float(record["value"]) == pytest.approx(step.value, rel=1e-9, abs=1e-300)
        assert (record["latex"], record["caption"]) == (r.latex, r.caption)


def test_csv_value_at_the_chosen_precision_and_quoting():
    net = parse_config({"layers": [{"activation": "identity", "weights": [[1]], "bias": [0.2]}], "learning_rate": 0.1,
                        "samples": [{"x": [0.1], "target": [1]}]})
    text = export(compute_trace(net), "csv")
    assert "0.30000000000000004" not in text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[0]["value"] == "0.3"
    captions = [r["caption"] for r in rows]
    assert any("," in c for c in captions)  # quoted: commas in a caption survive the round trip
    text = export(trace_of("note000"), "csv", decimals=2)
    assert {r["id"]: r["value"] for r in csv.DictReader(io.StringIO(text))}["new_w:l2:n1:k1"] == "0.87"
