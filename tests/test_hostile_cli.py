"""The command line under hostile files and arguments (issue 8, point 6): always exit 2 with ONE line on
stderr, `error: <field>: <what is wrong>`, nothing on stdout, never a traceback, never a hang."""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from engine.cli import main
from engine.limits import MAX_FILE_BYTES

ROOT = Path(__file__).resolve().parents[1]

GOOD = {
    "title": "hostile",
    "layers": [{"activation": "sigmoid", "weights": [[0.1, -0.2], [0.3, 0.4]], "bias": [0.1, -0.1]},
               {"activation": "sigmoid", "weights": [[0.5, -0.6]], "bias": 0.2}],
    "learning_rate": 0.5,
    "samples": [{"x": [1.0, 0.5], "target": [0.8]}],
}


def _with(**changes) -> dict:
    cfg = copy.deepcopy(GOOD)
    cfg.update(changes)
    return cfg


def _notation(**symbols) -> dict:
    return _with(notation=symbols)


# Overflows within the limits: six identity layers of 1e6 weights; the update makes the check pass overflow.
OVERFLOW = {
    "layers": [{"activation": "identity", "weights": [[1e6] * 10 for _ in range(10)]} for _ in range(5)]
    + [{"activation": "identity", "weights": [[1e6] * 10]}],
    "learning_rate": 1e6,
    "samples": [{"x": [1e6] * 10, "target": [0]}],
}

# (id, config file text: a dict is dumped as JSON, a str written as is, the field the error must name)
BAD_FILES = [
    ("deep-nesting", "[" * 100_000 + "]" * 100_000, "config.json"),
    ("deep-nesting-unclosed", "[" * 100_000, "config.json"),
    ("int-hundreds-of-digits", json.dumps(GOOD).replace('"learning_rate": 0.5', '"learning_rate": ' + "9" * 350),
     "learning_rate"),
    ("int-thousands-of-digits", json.dumps(GOOD).replace('"learning_rate": 0.5', '"learning_rate": ' + "9" * 5000),
     "config.json"),
    ("float-beyond-double", json.dumps(GOOD).replace('"learning_rate": 0.5', '"learning_rate": 1e999'),
     "learning_rate"),
    ("lone-surrogate-title", json.dumps(_with(title="\ud800")), "title"),
    ("lone-surrogate-key", json.dumps(GOOD)[:-1] + ', "\\udc80x": 1}', "'\\udc80x'"),
    ("control-chars-in-key", json.dumps(GOOD)[:-1] + ', "a\\nb\\u001b[2J": 1}', "'a\\nb\\x1b[2J'"),
    ("surrogate-in-symbol", json.dumps(_notation(loss="E\udfff")), "notation.loss"),
    ("notation-loss-number", json.dumps(_notation(loss=5)), "notation.loss"),
    ("notation-updated-null", json.dumps(_notation(updated=None)), "notation.updated"),
    ("notation-delta-number", json.dumps(_notation(delta=7)), "notation.delta"),
    ("notation-sample-number", json.dumps(_notation(sample=2)), "notation.sample"),
    ("notation-sample-no-hash", json.dumps(_notation(sample="@")), "notation.sample"),
    ("notation-not-object", json.dumps(_with(notation=["E"])), "notation"),
    ("notation-trailing-backslash", json.dumps(_notation(loss="E\\")), "notation.loss"),
    ("notation-nested-subscripts", json.dumps(_notation(loss="x" + "_{x" * 3000 + "}" * 3000)), "notation.loss"),
    ("notation-input", json.dumps(_notation(loss=r"\input{/etc/passwd}")), "notation.loss"),
    ("notation-write18", json.dumps(_notation(learning_rate=r"\write18{rm -rf ~}")), "notation.learning_rate"),
    ("notation-rule", json.dumps(_notation(inputs=[r"\rule{2000px}{1500px}", "x_2"])), "notation.inputs[0]"),
    ("notation-colorbox", json.dumps(_notation(targets=[r"\colorbox{red}{t}"])), "notation.targets[0]"),
    ("notation-html", json.dumps(_notation(loss='<a href="https://evil">E</a>')), "notation.loss"),
    ("notation-wrong-shape", json.dumps(_notation(weights=[[["w_1"]]])), "notation.weights"),
    ("notation-unknown-key", json.dumps(_notation(los="E")), "notation.los"),
    ("notation-bad-convention", json.dumps(_notation(matrix_convention="WX")), "notation.matrix_convention"),
    ("duplicate-key", json.dumps(GOOD)[:-1] + ', "learning_rate": 0.1}', "learning_rate"),
    ("duplicate-key-nested", json.dumps(GOOD).replace('"bias": 0.2', '"bias": 0.2, "bias": 0.3'), "bias"),
    ("nan-literal", json.dumps(GOOD).replace("-0.2", "NaN", 1), "layers[0].weights[0][1]"),
    ("infinity-literal", json.dumps(GOOD).replace("-0.2", "-Infinity", 1), "layers[0].weights[0][1]"),
    ("title-too-long", json.dumps(_with(title="t" * 5000)), "title"),
    ("title-control-char", json.dumps(_with(title="a\u202eb")), "title"),
    ("description-wrong-type", json.dumps(_with(description=[1])), "description"),
    ("printed-bad-number", json.dumps(_with(printed=[{"step": "loss", "text": "1" * 100}])), "printed[0].text"),
    ("not-utf8", b"\xff\xfe{}", "config.json"),
    ("overflow", json.dumps(OVERFLOW), "check.z:l4:n1:s1"),
]


def _write(tmp_path: Path, content, name: str = "config.json") -> str:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8",
                        errors="surrogatepass")
    return str(path)


def _refused(code: int, out: str, err: str, field: str) -> str:
    assert "Traceback" not in out + err, err
    assert code == 2, f"exit {code}: {err!r}"
    lines = err.splitlines()
    assert len(lines) == 1, f"want one line on stderr, got {lines!r}"
    assert lines[0].startswith("error: "), lines[0]
    assert field in lines[0], f"{lines[0]!r} does not name {field!r}"
    assert lines[0].isprintable() and len(lines[0]) <= 500
    assert out == "", f"partial output on stdout: {out[:200]!r}"
    return lines[0]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.timeout(60)
@pytest.mark.parametrize(("content", "field"), [pytest.param(c, f, id=i) for i, c, f in BAD_FILES])
@pytest.mark.parametrize("command", ["trace", "check"])
def test_hostile_config_file(tmp_path, capsys, command, content, field):
    path = _write(tmp_path, content)
    extra = ["--answers", _write(tmp_path, {"loss": 0.1}, "answers.json")] if command == "check" else ["--json"]
    _refused(*run(capsys, command, path, *extra), field)


def test_the_messages_say_what_is_wrong(tmp_path, capsys):
    said = {i: _refused(*run(capsys, "trace", _write(tmp_path, c), "--json"), f) for i, c, f in BAD_FILES}
    assert "nested too deeply" in said["deep-nesting"]
    assert "5000 digits" in said["int-thousands-of-digits"]
    assert "beyond the limit" in said["int-hundreds-of-digits"]
    assert "lone surrogate" in said["lone-surrogate-title"]
    assert "unknown key" in said["lone-surrogate-key"] and "unknown key" in said["control-chars-in-key"]
    assert "ends in a backslash" in said["notation-trailing-backslash"]
    assert "beyond the limit of 64" in said["notation-nested-subscripts"]
    assert r"\input" in said["notation-input"] and "allowed" in said["notation-input"]
    assert "appears twice" in said["duplicate-key"]
    assert "overflowed" in said["overflow"]
    assert "expected a LaTeX symbol" in said["notation-updated-null"] and "null" in said["notation-updated-null"]
    assert "@ and #" in said["notation-sample-no-hash"]


# --- what is read: regular files only, within the size limit, checked before reading ---------------------

def _fifo(tmp_path: Path) -> str:
    path = tmp_path / "pipe.json"
    os.mkfifo(path)  # nothing ever writes to it: opening it for reading would block forever
    return str(path)


def _big(tmp_path: Path) -> str:
    path = tmp_path / "big.json"
    with open(path, "wb") as f:
        f.truncate(MAX_FILE_BYTES + 1)  # sparse: costs no disk
    return str(path)


SPECIAL_FILES = [
    ("fifo", _fifo, "named pipe"),
    ("dev-zero", lambda tmp: "/dev/zero", "character device"),
    ("dev-urandom", lambda tmp: "/dev/urandom", "character device"),
    ("directory", lambda tmp: str(tmp), "directory"),
    ("too-large", _big, "beyond the limit of 1000000"),
    ("missing", lambda tmp: str(tmp / "nope.json"), "no such file"),
    ("newline-in-name", lambda tmp: str(tmp / "a\nb.json"), "no such file"),
]


@pytest.mark.timeout(30)
@pytest.mark.parametrize(("make", "words"), [pytest.param(m, w, id=i) for i, m, w in SPECIAL_FILES])
def test_config_file_type_and_size_are_checked_first(tmp_path, capsys, make, words):
    path = make(tmp_path)
    line = _refused(*run(capsys, "trace", path, "--json"), "error: ")
    assert words in line
    assert repr(path)[1:-1] in line or path in line


@pytest.mark.timeout(30)
@pytest.mark.parametrize(("make", "words"), [pytest.param(m, w, id=i) for i, m, w in SPECIAL_FILES])
def test_answers_file_type_and_size_are_checked_first(tmp_path, capsys, make, words):
    path = make(tmp_path)
    line = _refused(*run(capsys, "check", "--preset", "note000", "--answers", path), "error: ")
    assert words in line


BAD_ANSWERS = [
    ("deep", "[" * 100_000, "answers.json"),
    ("duplicate", '{"h1": 1.25, "h1": 1.5}', "h1"),
    ("nan", '{"h1": NaN}', "NaN"),
    ("infinity", '{"h1": Infinity}', "Infinity"),
    ("long-number", '{"h1": "' + "1" * 5000 + '"}', "h1"),
    ("long-name", '{"' + " " * 30_000 + 'h1": 1}', "beyond the limit of 100"),
    ("surrogate-name", '{"\\ud800": 1}', "answers.json"),
    ("too-many", json.dumps({f"h{i}": 1 for i in range(3000)}), "beyond the limit of 2000"),
]


@pytest.mark.timeout(30)
@pytest.mark.parametrize(("content", "field"), [pytest.param(c, f, id=i) for i, c, f in BAD_ANSWERS])
def test_hostile_answers_file(tmp_path, capsys, content, field):
    path = _write(tmp_path, content, "answers.json")
    _refused(*run(capsys, "check", "--preset", "note000", "--answers", path, "--json"), field)


BAD_ARGS = [
    ("empty-preset", ["trace", "--preset", ""], "preset"),
    ("empty-preset-check", ["check", "--preset", "", "--answers", "x.json"], "preset"),
    ("huge-round", ["trace", "--preset", "note000", "--round", "9" * 5000], "--round"),
    ("round-out-of-range", ["trace", "--preset", "note000", "--round", "99"], "--round"),
    ("huge-decimals", ["trace", "--preset", "note000", "--decimals", "1000000"], "--decimals"),
    ("negative-decimals", ["trace", "--preset", "note000", "--decimals", "-1"], "--decimals"),
    ("zero-significant", ["trace", "--preset", "note000", "--significant", "0"], "--significant"),
    ("nan-tolerance", ["check", "--preset", "note000", "--answers", "x.json", "--tolerance", "nan"], "--tolerance"),
    ("inf-tolerance", ["check", "--preset", "note000", "--answers", "x.json", "--tolerance", "1e999"], "--tolerance"),
    ("no-command", [], "usage"),
    ("unknown-option", ["trace", "--preset", "note000", "--evil"], "usage"),
]


@pytest.mark.parametrize(("argv", "field"), [pytest.param(a, f, id=i) for i, a, f in BAD_ARGS])
def test_hostile_arguments(capsys, argv, field):
    _refused(*run(capsys, *argv), field)


# --- the real process: no traceback, no numpy warning, one line -----------------------------------------

@pytest.mark.timeout(120)
@pytest.mark.parametrize("case", ["overflow", "lone-surrogate-title", "deep-nesting", "fifo"])
def test_as_a_process(tmp_path, case):
    if case == "fifo":
        path, field = _fifo(tmp_path), "named pipe"
    else:
        content, field = next((c, f) for i, c, f in BAD_FILES if i == case)
        path = _write(tmp_path, content)
    r = subprocess.run([sys.executable, "-m", "engine", "trace", path, "--json"], cwd=ROOT, capture_output=True,
                       text=True, timeout=100)
    _refused(r.returncode, r.stdout, r.stderr, field)


def test_good_input_still_works(tmp_path, capsys):
    cfg = _notation(loss="L", updated="@^{new}", sample="{@}_{(#)}", delta=r"\delta_{@}",
                    inputs=["i_1", None], weights=[[["u_1", "u_2"], ["u_3", ""]], None], biases=[None, "c"])
    code, out, err = run(capsys, "trace", _write(tmp_path, cfg), "--json")
    assert (code, err) == (0, "")
    trace = json.loads(out)
    latex = {s["id"]: s["latex"] for s in trace["steps"]}
    assert latex["new_w:l1:n1:k1"].startswith("u_1^{new} = ")
    assert latex["z:l1:n2:s1"].startswith("z^{(1)}_{2} = u_3 i_1 + w^{(1)}_{22} x_{2} + b^{(1)}_{2} = ")
    assert not re.search(r"NaN|Infinity", out)


# --- exports: user text is written as text (issue 8, point 5) -------------------------------------------

HOSTILE = (r"\input{/etc/passwd} $\rule{9in}{9in}$ \write18{ls} <img src=x onerror=alert(1)> [link](http://evil) "
           r"![img](http://evil/x.png) % & # _ ^ ~ {} \\ ``code`` *em*")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_exports_write_hostile_titles_as_text(tmp_path, capsys, lang):
    cfg = _with(title=HOSTILE, title_zh=HOSTILE, source=HOSTILE[:200], id="x",
                description={"en": HOSTILE + "\n\n" + HOSTILE, "zh": HOSTILE})
    path = _write(tmp_path, cfg)
    code, latex, err = run(capsys, "trace", path, "--format", "latex", "--lang", lang)
    assert (code, err) == (0, "")
    for raw in (r"\input", r"\write18", r"\rule"):
        assert raw not in latex.replace(r"\textbackslash{}", "<bs>"), raw
    assert r"\textbackslash{}input\{/etc/passwd\}" in latex and r"\$\textbackslash{}rule" in latex
    assert r"\%" in latex and r"\&" in latex and r"\#" in latex
    assert r"*em*  \textbackslash{}input" in latex  # the blank line inside the description: no paragraph in \zhen{}
    body = re.sub(r"\\[{}]", "", latex)
    assert body.count("{") == body.count("}")

    code, md, err = run(capsys, "trace", path, "--format", "markdown", "--lang", lang)
    assert (code, err) == (0, "")
    assert "<img" not in md and "&lt;img src=x onerror=alert(1)&gt;" in md
    assert not re.search(r"(?<!\\)\]\(", md) and not re.search(r"(?<!\\)!(?=\\?\[)", md)
    assert r"\$\\rule" in md and r"\`\`code\`\`" in md and r"\*em\*" in md
    title = md.splitlines()[0]
    assert title.startswith(r"# \\input{/etc/passwd} \$\\rule")  # a backslash shown, not a command
