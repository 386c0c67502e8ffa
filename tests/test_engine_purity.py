"""The engine stays a pure computing library: no Streamlit, and no evaluation of text as code."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ENGINE_SOURCES = sorted((ROOT / "engine").rglob("*.py"))
FORBIDDEN_CALLS = {"eval", "exec", "sympify", "parse_expr", "parse_latex"}  # as `f(...)` or `module.f(...)`
FORBIDDEN_BUILTINS = {"compile", "__import__"}  # only the builtins (`re.compile` is fine)


def test_there_are_engine_sources():
    assert any(p.name == "__init__.py" for p in ENGINE_SOURCES)


def test_importing_engine_does_not_import_streamlit():
    code = (
        "import engine, engine.cli, engine.trace, sys; "
        "assert 'streamlit' not in sys.modules, 'streamlit imported'"
    )
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr


def _imports(tree: ast.AST) -> list[str]:
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", None)) == "import_module"
        ):
            names += [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
    return names


@pytest.mark.parametrize("path", ENGINE_SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_engine_source_never_imports_streamlit(path):
    text = path.read_text(encoding="utf-8")
    assert "import streamlit" not in text
    bad = [n for n in _imports(ast.parse(text)) if n.split(".")[0] == "streamlit"]
    assert not bad, f"{path.name} imports {bad}"


@pytest.mark.parametrize("path", ENGINE_SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_engine_source_never_evaluates_text(path):
    text = path.read_text(encoding="utf-8")
    calls = []
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Call):
            f = node.func
            name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else None
            if name in FORBIDDEN_CALLS or (isinstance(f, ast.Name) and name in FORBIDDEN_BUILTINS):
                calls.append(f"{name}() at line {node.lineno}")
    assert not calls, f"{path.name}: {calls}"
    for needle in ("eval(", "exec(", "sympify("):
        for lineno, line in enumerate(text.splitlines(), 1):
            code = line.split("#", 1)[0]
            if needle in code and "literal_eval(" not in code:
                pytest.fail(f"{path.name}:{lineno}: {line.strip()}")
