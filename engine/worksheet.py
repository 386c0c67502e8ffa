"""Worksheets and answer keys for an exercise, as Markdown with KaTeX math or as a standalone LaTeX document.

A worksheet gives the network, its numbers and its equations, then one numbered blank line for every step of
the solution, in the order the solution writes them (`solution_steps`). The answer key has the same numbered
lines worked out: symbol = formula = numbers = result, as the app renders them. `class_pack` makes one document
with every student's sheet and one with every key.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from . import noteview
from .config import ConfigError, Network
from .exercise import exercise_info, generate_traced, parse_seed, seed_for, student_text, template_of
from .export import (
    _CJK,
    _PREAMBLE,
    _display,
    _heading,
    _md_line,
    _md_text,
    _tex_text,
    _title,
    givens_groups,
    phase_runs,
    sample_of,
    says_interleaved,
    summary,
)
from .limits import MAX_PACK
from .render import RenderedStep, RenderOptions, render_trace
from .trace import PHASES, Trace, compute_trace

__all__ = ["FORMATS", "MARKDOWN_PAGE_BREAK", "class_pack", "solution_steps", "worksheet"]

FORMATS = ("markdown", "latex")
DEFAULT_DECIMALS = 4
# Between students in a Markdown pack: a thematic break (the print page breaks the page at each <hr>).
MARKDOWN_PAGE_BREAK = "\n---\n\n"
_BLANK_MD = r"\_" * 16

_WORDS = {
    "key": ("Answer key", "答案"),
    "template": ("Template", "模板"),
    "own": ("own network", "自定义网络"),
    "seed": ("Seed", "种子"),
    "version": ("Exercise format version", "练习格式版本"),
    "assignment": ("Assignment", "作业"),
    "name": ("Name / ID", "姓名/学号"),
    "task": ("Work out every numbered line in order and write its value on the line, to {d} decimals.",
             "按顺序算出每一行的值，写在横线上（保留 {d} 位小数）。"),
    "task_any": ("Work out every numbered line in order and write its value on the line.",
                 "按顺序算出每一行的值，写在横线上。"),
    "rounding": ("Round every neuron output to {k} decimals before you use it further.",
                 "每个神经元的输出先四舍五入到 {k} 位小数，再用于后面的计算。"),
    "sample_data": ("Sample {s}: inputs and targets", "样本 {s}：输入和目标值"),
    "layer_data": ("Layer {l}: weights and biases", "第 {l} 层：权重和偏置"),
    "eta": ("Learning rate", "学习率"),
    "equations": ("The network's equations", "网络的方程"),
    "equations_batch": ("The network's equations (sample 1; every sample alike)",
                        "网络的方程（以样本 1 为例，其余样本相同）"),
    "steps": ("Your solution", "解答"),
}


def _word(key: str, lang: str, **args) -> str:
    return _WORDS[key][lang == "zh"].format(**args)


def _label(key: str, lang: str, **args) -> str:
    """A label with its colon: `Seed:`, `种子：`."""
    return _word(key, lang, **args) + ("：" if lang == "zh" else ":")


def solution_steps(trace: Trace, opts: RenderOptions) -> list[RenderedStep]:
    """Every step the worked solution writes, in its order (the worksheet's numbered lines and the key's).
    From a note's template: the steps the note writes, in the note's order and forms (engine.noteview's
    `note` view), each number asked once and the note's explanations left out. Otherwise the engine's order
    by phase, as `trace --format markdown` writes it, without a batch of one's `loss = sample loss` line."""
    if noteview.has_note_view(trace.network):
        return [v.rendered for v in noteview.render_view(trace, opts, "note") if v.step and v.id == v.step]
    rendered = render_trace(trace, opts)
    same = {s.id for s in trace.steps if s.same_as}
    return [r for phase in PHASES for r in rendered if r.phase == phase and r.id not in same]


@dataclass(frozen=True)
class _Sheet:
    """What one student's page shows besides the network: who and which exercise."""

    trace: Trace
    name: str | None
    assignment: str


def _header(sheet: _Sheet, lang: str) -> tuple[list[tuple[str, str]], str | None]:
    """(label, value) pairs of the exercise line, and the student's name (None: a blank to fill in)."""
    info = exercise_info(sheet.trace.network)
    pairs = [(_label("template", lang), info["template"] or _word("own", lang))]
    if info["seed"] is not None:
        pairs += [(_label("seed", lang), str(info["seed"])), (_label("version", lang), str(info["version"]))]
    if sheet.assignment:
        pairs.append((_label("assignment", lang), sheet.assignment))
    return pairs, sheet.name


def _data_label(key: str, lang: str) -> str:
    if key == "eta":
        return _label("eta", lang)
    return _label("sample_data" if key[0] == "s" else "layer_data", lang, s=key[1:], l=key[1:])


def _equations(trace: Trace, opts: RenderOptions) -> list[str]:
    """The forward pass and the loss in symbols, for the first sample (symbol = formula)."""
    out = []
    for r in render_trace(trace, opts):
        step = trace.step(r.id)
        if r.phase in ("forward", "loss") and step.sample in (None, 1) and r.formula and not step.same_as:
            out.append(f"{r.symbol} = {r.formula}")
    return out


def _instructions(trace: Trace, opts: RenderOptions, lang: str) -> list[str]:
    out = [_word("task", lang, d=opts.decimals) if opts.decimals is not None else _word("task_any", lang)]
    if trace.network.round_to is not None:
        out.append(_word("rounding", lang, k=trace.network.round_to))
    return out


def _runs(trace: Trace, steps: list[RenderedStep]) -> list[tuple[str, list[tuple[int, RenderedStep]]]]:
    """Numbered steps under a heading for each run of one phase, as the exports make them."""
    return phase_runs(trace, list(enumerate(steps, 1)), lambda numbered: numbered[1].phase)


def _title_of(trace: Trace, lang: str, key: bool) -> str:
    title = _title(trace, lang)
    return f"{_word('key', lang)}{'：' if lang == 'zh' else ' — '}{title}" if key else title


# --- Markdown ------------------------------------------------------------------------------------------------

def _markdown(sheet: _Sheet, opts: RenderOptions, key: bool) -> str:
    trace, lang = sheet.trace, opts.lang
    pairs, name = _header(sheet, lang)
    out = [f"# {_md_line(_title_of(trace, lang, key))}", "",
           " · ".join(f"**{_md_line(label)}** {_md_line(value)}" for label, value in pairs), "",
           f"**{_md_line(_label('name', lang))}** {_md_line(name) if name else _BLANK_MD}", "",
           f"*{_md_text(summary(trace, lang))}*", ""]
    if not key:
        out += [_md_text(line) + "\n" for line in _instructions(trace, opts, lang)]
    out += [f"## {_heading('given', lang)}", ""]
    out += [f"- **{_md_line(_data_label(group, lang))}** " + ", ".join(f"${part}$" for part in parts)
            for group, parts in givens_groups(trace, opts)]
    batch = len(trace.network.samples) > 1
    out += ["", f"## {_word('equations_batch' if batch else 'equations', lang)}", ""]
    for line in _equations(trace, opts):
        out += ["$$", line, "$$", ""]
    for phase, numbered in _runs(trace, solution_steps(trace, opts)):
        out += [f"## {_heading(phase, lang)}", ""]
        if says_interleaved(trace, phase):
            out += [_md_text(_heading("interleaved", lang)), ""]
        sample = None
        for number, r in numbered:
            s = sample_of(trace, r.id, r)
            if s is not None and s != sample:
                sample = s
                out += [f"### {_heading('sample', lang, s=s)}", ""]
            if key:
                out += [f"**{number}.** {_md_text(r.caption)}", "", "$$", r.latex, "$$", ""]
            else:
                out += [f"**{number}.** ${r.symbol} =$ {_BLANK_MD}", ""]
    return "\n".join(out).rstrip("\n") + "\n"


# --- LaTeX ---------------------------------------------------------------------------------------------------

def _latex(sheet: _Sheet, opts: RenderOptions, key: bool) -> str:
    trace, lang = sheet.trace, opts.lang
    pairs, name = _header(sheet, lang)
    out = [rf"\section*{{{_tex_text(_title_of(trace, lang, key))}}}",
           r"\noindent " + r" \quad ".join(rf"\textbf{{{_tex_text(label)}}} {_tex_text(value)}"
                                            for label, value in pairs) + r"\par",
           rf"\noindent\textbf{{{_tex_text(_label('name', lang))}}} "
           + (_tex_text(name) if name else r"\rule{8cm}{0.4pt}") + r"\par\medskip",
           rf"\emph{{{_tex_text(summary(trace, lang))}}}\par"]
    if not key:
        out += [_tex_text(line) + r"\par" for line in _instructions(trace, opts, lang)]
    out += [rf"\subsection*{{{_tex_text(_heading('given', lang))}}}", r"\begin{itemize}"]
    out += [rf"\item \textbf{{{_tex_text(_data_label(group, lang))}}} " + ", ".join(f"${part}$" for part in parts)
            for group, parts in givens_groups(trace, opts)]
    out.append(r"\end{itemize}")
    batch = len(trace.network.samples) > 1
    out.append(rf"\subsection*{{{_tex_text(_word('equations_batch' if batch else 'equations', lang))}}}")
    for line in _equations(trace, opts):
        out += [r"\[", line, r"\]"]
    for phase, numbered in _runs(trace, solution_steps(trace, opts)):
        out.append(rf"\subsection*{{{_tex_text(_heading(phase, lang))}}}")
        if says_interleaved(trace, phase):
            out.append(_tex_text(_heading("interleaved", lang)) + r"\par")
        sample = None
        for number, r in numbered:
            s = sample_of(trace, r.id, r)
            if s is not None and s != sample:
                sample = s
                out.append(rf"\medskip\noindent\textit{{{_tex_text(_heading('sample', lang, s=s))}}}\par")
            if key:
                out += [rf"\noindent\makebox[2.5em][l]{{{number}.}}{_tex_text(r.caption)}\par", *_display(r.latex)]
            else:
                out.append(rf"\noindent\makebox[2.5em][l]{{{number}.}}${r.symbol} = {{}}$\enspace\hrulefill\par\medskip")
    return "\n".join(out) + "\n"


def _latex_document(bodies: list[str], lang: str) -> str:
    """Sheets or keys, one student a page: an article, or ctexart (CTeX: compile with xelatex) for Chinese."""
    text = "".join(bodies)
    preamble = _PREAMBLE
    if lang == "zh" or _CJK.search(text):
        preamble = preamble.replace(r"\documentclass[11pt]{article}", r"\documentclass[11pt,UTF8]{ctexart}")
        preamble = preamble.replace("\\usepackage[utf8]{inputenc}\n", "")
    return preamble + "\\begin{document}\n" + "\\clearpage\n".join(bodies) + "\\end{document}\n"


# --- the public functions ------------------------------------------------------------------------------------

def _options(lang: str, decimals: int | None, mul: str) -> RenderOptions:
    return RenderOptions(lang=lang, decimals=decimals, mul=mul)


def _format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise ConfigError("format", code="not_choice", choices=", ".join(FORMATS), value=fmt)
    return fmt


def worksheet(exercise: Network | Trace, *, fmt: str = "markdown", lang: str = "en", key: bool = False,
              name: str | None = None, assignment: str = "", decimals: int | None = DEFAULT_DECIMALS,
              mul: str = "times") -> str:
    """One student's worksheet (or with `key`, its answer key) as Markdown with $-math or a LaTeX document.
    Works for any network: an exercise prints its template, seed and format version; a preset its id. Given
    the exercise's trace (engine.exercise.generate_traced), its sheet and key share it and its renderings."""
    opts = _options(lang, decimals, mul)
    trace = exercise if isinstance(exercise, Trace) else compute_trace(exercise)
    sheet = _Sheet(trace, None if name is None else student_text(name),
                   student_text(assignment, "assignment", empty=True))
    if _format(fmt) == "markdown":
        return _markdown(sheet, opts, key)
    return _latex_document([_latex(sheet, opts, key)], lang)


def _students(seeds_or_names: Iterable[int | str], assignment: str) -> list[tuple[int, str | None]]:
    """(seed, name) per student: an int is a seed, a string a name (its seed from `seed_for`)."""
    out: list[tuple[int, str | None]] = []
    for i, item in enumerate(seeds_or_names):
        if i >= MAX_PACK:
            raise ConfigError("students", code="too_many_items", n=f"more than {MAX_PACK}", limit=MAX_PACK)
        if isinstance(item, str):
            name = student_text(item, f"names[{i}]")
            out.append((seed_for(name, assignment), name))
        else:
            out.append((parse_seed(item, f"seeds[{i}]"), None))
    if not out:
        raise ConfigError("students", code="empty")
    return out


def class_pack(template: Network | str, seeds_or_names: Iterable[int | str], *, assignment: str = "",
               fmt: str = "latex", lang: str = "en", decimals: int | None = DEFAULT_DECIMALS,
               mul: str = "times") -> tuple[str, str]:
    """A class's worksheets and answer keys: (one document with every student's sheet, one with every key), in
    the order given, a page each. Each item is a seed (int) or a student's name or ID (str: its seed is
    `seed_for(name, assignment)`, and the name is printed). At most MAX_PACK (200) students."""
    opts = _options(lang, decimals, mul)
    _format(fmt)
    assignment = student_text(assignment, "assignment", empty=True)
    tpl = template_of(template)
    sheets, keys = [], []
    for seed, name in _students(seeds_or_names, assignment):
        sheet = _Sheet(generate_traced(tpl, seed), name, assignment)
        make = _markdown if fmt == "markdown" else _latex
        sheets.append(make(sheet, opts, False))
        keys.append(make(sheet, opts, True))
    if fmt == "markdown":
        return MARKDOWN_PAGE_BREAK.join(sheets), MARKDOWN_PAGE_BREAK.join(keys)
    return _latex_document(sheets, lang), _latex_document(keys, lang)
