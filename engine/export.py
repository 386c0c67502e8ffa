"""The whole worked solution: `trace --json` with LaTeX and captions, Markdown, a standalone LaTeX document, CSV."""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata

from . import noteview
from .config import ConfigError
from .latex import Num, Style, katex_problems, tex
from .numbers import format_number
from .render import RenderedStep, RenderOptions, _safe_notation, matrix_view, render_trace
from .trace import PHASES, Trace

FORMATS = ("markdown", "latex", "csv", "json")
CSV_COLUMNS = ("id", "phase", "quantity", "layer", "neuron", "source", "sample", "value", "latex", "caption")

_HEADINGS = {
    "given": {"en": "Given", "zh": "已知"},
    "forward": {"en": "1. Forward pass", "zh": "1. 前向传播"},
    "loss": {"en": "2. Error", "zh": "2. 误差"},
    "backward": {"en": "3. Backward pass", "zh": "3. 反向传播"},
    "update": {"en": "4. Update", "zh": "4. 更新参数"},
    "check": {"en": "5. Check: forward pass with the new parameters", "zh": "5. 验证：用新参数再做一次前向传播"},
    "matrix": {"en": "Matrix form", "zh": "矩阵形式"},
    "matrix_note": {"en": "Matrix form (as note 004 writes it)", "zh": "矩阵形式（笔记 004 的写法）"},
    "backward_update": {"en": "3. Backward pass and updates", "zh": "3. 反向传播与参数更新"},
    "explain": {"en": "The note explains", "zh": "笔记的讲解"},
    "view_note": {"en": "As in the note: only the note's own steps, in its order.",
                  "zh": "按笔记：只列笔记自己写的步骤，顺序与笔记相同。"},
    "view_full": {"en": "Full detail: the note's steps, and the steps the tutor adds (marked “added”).",
                  "zh": "完整步骤：笔记的步骤，加上本页补充的步骤（标为“补充”）。"},
    "sample": {"en": "Sample {s}", "zh": "样本 {s}"},
    "watch": {"en": "Watch out:", "zh": "注意："},
    "interleaved": {
        "en": "Each parameter is updated right after its gradient; every gradient uses the old parameters.",
        "zh": "每求出一个梯度就更新对应的参数；所有梯度都用更新之前的参数计算。",
    },
}


def _options(lang: str, decimals: int | None, significant: int | None, mul: str) -> RenderOptions:
    return RenderOptions(lang=lang, decimals=decimals, significant=significant, mul=mul)


def trace_json(trace: Trace, *, lang: str = "en", decimals: int | None = None, significant: int | None = None,
               mul: str = "times", view: str = "trace") -> dict:
    """`trace.to_json()` with `latex`, `caption` and `note` on every step (docs/engine.md, Views). In the `trace`
    view the steps are the trace's, in its order; in `note` and `full` they are the view's items, in its order."""
    opts = _options(lang, decimals, significant, mul)
    out = trace.to_json()
    out["view"] = view
    if view == "trace":
        rendered = render_trace(trace, opts)
        notes = noteview.notes_by_step(trace, lang)
        for step, r in zip(out["steps"], rendered):
            step["latex"] = r.latex
            step["caption"] = r.caption
            lines = notes.get(r.id, [])
            step["note"] = lines[0].to_json() if lines else None
            if len(lines) > 1:
                step["note"]["more"] = [n.to_json() for n in lines[1:]]
        return out
    by_id = {step["id"]: step for step in out["steps"]}
    steps = []
    for v in noteview.render_view(trace, opts, view):
        r = v.rendered
        if v.step is not None:
            step = dict(by_id[v.step], id=v.id, step=v.step, phase=v.phase)
        else:
            step = {"id": v.id, "step": None, "phase": v.phase, "quantity": noteview.EXPLAIN, "layer": None,
                    "neuron": None, "source": None, "sample": None, "value": r.value if r.result else None}
        step.update(latex=r.latex, caption=r.caption, callout=r.callout, added=v.added,
                    note=v.note.to_json() if v.note else None)
        steps.append(step)
    out["steps"] = steps
    return out


def export(trace: Trace, fmt: str, *, lang: str = "en", decimals: int | None = None, significant: int | None = None,
           mul: str = "times", view: str = "trace") -> str:
    """The whole solution as "markdown", "latex" (a standalone document), "csv" or "json", in the order of `view`."""
    opts = _options(lang, decimals, significant, mul)
    if view not in noteview.VIEWS:
        raise ConfigError("--view", f"expected one of {', '.join(noteview.VIEWS)}, got {view!r}")
    if fmt == "markdown":
        return markdown(trace, opts, view)
    if fmt == "latex":
        return latex_document(trace, opts, view)
    if fmt == "csv":
        return csv_table(trace, opts)
    if fmt == "json":
        return json.dumps(trace_json(trace, lang=lang, decimals=decimals, significant=significant, mul=mul, view=view),
                          ensure_ascii=False) + "\n"
    raise ConfigError("--format", f"expected one of {', '.join(FORMATS)}, got {fmt!r}")


# --- shared pieces ---------------------------------------------------------------------------------------

def _heading(key: str, lang: str, **args) -> str:
    return _HEADINGS[key][lang].format(**args)


def _title(trace: Trace, lang: str) -> str:
    meta = trace.network.meta
    if lang == "zh" and meta.get("title_zh"):
        return meta["title_zh"]
    return trace.network.title or meta.get("id") or ("Backprop Tutor: one training step" if lang == "en" else "反向传播：一步训练")


def _description(trace: Trace, lang: str) -> str:
    description = trace.network.meta.get("description")
    if isinstance(description, dict):
        return description.get(lang) or description.get("en") or ""
    return description if isinstance(description, str) else ""


_ORDER = {"after_each_gradient": ("after each gradient", "每求出一个梯度就更新"),
          "after_all_gradients": ("after all gradients", "所有梯度求完后再更新")}


def summary(trace: Trace, lang: str) -> str:
    """One plain line describing the network and its settings."""
    net = trace.network
    shape = "-".join(str(n) for n in net.sizes)
    acts = [layer.activation for layer in net.layers]
    S = len(net.samples)
    loss = net.loss.replace("_", " ")
    rate = format_number(net.learning_rate)
    if lang == "zh":
        parts = [f"网络 {shape}", f"激活函数：{'、'.join(acts)}", f"损失：{loss}",
                 f"{S} 个样本（{'取平均' if net.reduction == 'mean' else '求和'}）", f"学习率 η = {rate}",
                 f"更新：{_ORDER[net.update_order][1]}"]
        if net.round_to is not None:
            parts.append(f"手算四舍五入：{net.round_to} 位小数")
    else:
        parts = [f"network {shape}", f"activations: {', '.join(acts)}", f"loss: {loss}",
                 f"{S} sample{'s' if S > 1 else ''} ({net.reduction})", f"learning rate η = {rate}",
                 f"updates: {_ORDER[net.update_order][0]}"]
        if net.round_to is not None:
            parts.append(f"hand rounding: {net.round_to} decimals")
        parts[0] = parts[0].capitalize()
    return " · ".join(parts)


def givens_latex(trace: Trace, opts: RenderOptions) -> list[str]:
    """The given numbers as LaTeX lines: each sample's inputs and targets, each layer's weights and biases, eta."""
    lines = []
    for _, parts in givens_groups(trace, opts):
        for i in range(0, len(parts), 6):  # at most six per line, so a wide layer wraps
            lines.append(r", \quad ".join(parts[i:i + 6]))
    return lines


def givens_groups(trace: Trace, opts: RenderOptions) -> list[tuple[str, list[str]]]:
    """The givens as LaTeX `symbol = value`, grouped: each sample's inputs and targets (`s1`, ...), then each
    layer's weights and biases (`l1`, ...), then the learning rate (`eta`)."""
    nt = _safe_notation(trace)  # the same symbols as the steps
    style = Style(opts.decimals, opts.significant, opts.mul)
    groups: dict[str, list[str]] = {}
    for gid, given in trace.givens.items():
        if given.kind in ("x", "t"):
            key = f"s{given.sample}"
        elif given.kind in ("w", "b"):
            key = f"l{given.layer}"
        else:
            key = "eta"
        groups.setdefault(key, []).append(f"{nt.symbol(gid)} = {tex(Num(given.value, True), style)}")
    order = {"s": 0, "l": 1, "e": 2}  # samples, then layers, then eta
    return [(key, groups[key]) for key in sorted(groups, key=lambda k: (order[k[0]], int(k[1:]) if k[1:].isdigit() else 0))]


def _sections(trace: Trace, opts: RenderOptions, view: str = "trace") -> list[tuple[str, list[noteview.ViewStep]]]:
    """The steps under headings. The `trace` view: by phase, in the engine's order, a batch-of-one's
    `loss = sample loss` line left out. The `note` and `full` views: in the view's order, a new heading where
    the phase changes (backward and update share one when each parameter is updated after its gradient)."""
    if view == "trace":
        same = {s.id for s in trace.steps if s.same_as}
        steps = [v for v in noteview.render_view(trace, opts, "trace") if v.id not in same]
        return [(phase, [v for v in steps if v.phase == phase]) for phase in PHASES]
    return phase_runs(trace, noteview.render_view(trace, opts, view), lambda v: v.phase)


def phase_runs(trace: Trace, items: list, phase_of) -> list[tuple[str, list]]:
    """Items under a heading for each run of one phase, in their order (backward and update share one heading
    when each parameter is updated right after its gradient): the exports' and the worksheets' sections."""
    interleaved = trace.network.update_order == "after_each_gradient"
    out: list[tuple[str, list]] = []
    for item in items:
        phase = phase_of(item)
        key = "backward_update" if interleaved and phase in ("backward", "update") else phase
        if not out or out[-1][0] != key:
            out.append((key, []))
        out[-1][1].append(item)
    return out


def says_interleaved(trace: Trace, heading: str) -> bool:
    """Whether the section `heading` begins with the remark that each parameter is updated after its gradient."""
    return heading in ("update", "backward_update") and trace.network.update_order == "after_each_gradient"


def sample_of(trace: Trace, step: str | None, r: RenderedStep) -> int | None:
    """The sample a forward value belongs to, in a batch (a subheading where it changes); else None."""
    return trace.step(step).sample if step and len(trace.network.samples) > 1 and \
        r.phase in ("forward", "check") and r.quantity in ("z", "a") else None


def _matrix_heading(trace: Trace) -> str:
    # note 004's own network, edited or not, or an exercise made from it (its template)
    return "matrix_note" if noteview._template_id(trace.network)[0] == "note004" and \
        noteview.has_note_view(trace.network) else "matrix"


def _with_matrices(trace: Trace, view: str) -> bool:
    """The matrix form is the tutor's addition, except in note 004, which writes it: as in the note, only there."""
    return view != "note" or _matrix_heading(trace) == "matrix_note"


def _remarks(v: noteview.ViewStep, lang: str) -> list[str]:
    """What a step of a view says besides its line: the note's line and what it printed, or "added"."""
    out = []
    if v.note is not None:
        out.append(noteview.describe(v.note, lang))
    if v.added:
        out.append(noteview.note_words(lang)["added"])
    return out


# --- Markdown ----------------------------------------------------------------------------------------------

_MD_SPECIALS = re.compile(r"([\\`*_\[\]#|$~!])")
_MD_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _md_text(text: str) -> str:
    """User or caption text as Markdown text: no emphasis, link, image, code, math or HTML can start in it."""
    text = _CONTROL.sub(" ", text)
    text = _MD_SPECIALS.sub(r"\\\1", text)
    return re.sub(r"[&<>]", lambda m: _MD_HTML[m.group(0)], text)


def _md_line(text: str) -> str:
    """One line of Markdown text (a heading, a title): newlines would start new blocks."""
    return " ".join(_md_text(text).split("\n"))


def _md_math(latex: str) -> list[str]:
    return ["$$", latex, "$$", ""]


def _view_line(view: str) -> str | None:
    return {"note": "view_note", "full": "view_full"}.get(view)


def markdown(trace: Trace, opts: RenderOptions, view: str = "trace") -> str:
    """Markdown with $$ blocks (GitHub, Jupyter, Obsidian), sections in the order of the view."""
    lang = opts.lang
    out = [f"# {_md_line(_title(trace, lang))}", ""]
    description = _description(trace, lang)
    if description:
        out += [_md_text(description), ""]
    out += [f"*{_md_text(summary(trace, lang))}*", ""]
    if _view_line(view) and noteview.has_note_view(trace.network):
        out += [f"*{_md_text(_heading(_view_line(view), lang))}*", ""]
    out += [f"## {_heading('given', lang)}", ""]
    for line in givens_latex(trace, opts):
        out += _md_math(line)
    for phase, steps in _sections(trace, opts, view):
        if not steps:
            continue
        out += [f"## {_heading(phase, lang)}", ""]
        if says_interleaved(trace, phase):
            out += [_md_text(_heading("interleaved", lang)), ""]
        sample = None
        for v in steps:
            r = v.rendered
            s = sample_of(trace, v.step, r)
            if s is not None and s != sample:
                sample = s
                out += [f"### {_heading('sample', lang, s=s)}", ""]
            out += [_md_text(r.caption), ""]
            out += _md_math(r.latex)
            out += [f"*{_md_text(remark)}*\n" for remark in _remarks(v, lang)]
            if r.callout:
                out += [f"> **{_heading('watch', lang)}** {_md_text(r.callout)}", ""]
    if _with_matrices(trace, view):
        out += [f"## {_heading(_matrix_heading(trace), lang)}", ""]
        for title, block in matrix_view(trace, opts):
            out += [f"### {_md_line(title)}", ""]
            out += _md_math(block)
    return "\n".join(out).rstrip("\n") + "\n"


# --- LaTeX -------------------------------------------------------------------------------------------------

_TEX_SPECIALS = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "#": r"\#",
                 "^": r"\^{}", "_": r"\_", "%": r"\%", "~": r"\~{}",
                 "<": r"\textless{}", ">": r"\textgreater{}", "|": r"\textbar{}"}  # NOTE: < > | print ¡ ¿ — in OT1
_TEX_UNICODE = {
    "σ": r"$\sigma$", "δ": r"$\delta$", "η": r"$\eta$", "α": r"$\alpha$", "Δ": r"$\Delta$", "Φ": r"$\Phi$",
    "φ": r"$\phi$", "∂": r"$\partial$", "−": "-", "×": r"$\times$", "²": r"$^2$", "·": r"$\cdot$", "→": r"$\to$",
    "≈": r"$\approx$", "…": r"\dots{}", "“": "``", "”": "''", "‘": "`", "’": "'", "–": "--", "—": "---",
    "λ": r"$\lambda$", "θ": r"$\theta$", "ŷ": r"$\hat{y}$", "⊙": r"$\odot$", "∞": r"$\infty$",
}
_CJK = re.compile(r"[\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]")


def _tex_text(text: str) -> str:
    """Plain text for pdflatex: specials escaped, the symbols captions use as math, anything else unknown dropped."""
    out = []
    for ch in text:
        if ch in "\n\t":  # NOTE: a blank line inside \zhen{...} or \title{...} would end it with an error
            out.append(" ")
        elif ch in _TEX_SPECIALS:
            out.append(_TEX_SPECIALS[ch])
        elif ch in _TEX_UNICODE:
            out.append(_TEX_UNICODE[ch])
        elif 32 <= ord(ch) < 127 or _CJK.match(ch) or ch in "àáâäçèéêëìíîïñòóôöùúûüÀÁÉÈÖÜß":
            out.append(ch)
        else:
            out.append(_tex_script(ch))
    return "".join(out)


def _tex_script(ch: str) -> str:
    """A Unicode sub- or superscript a caption uses (zₕ, w₁, δ⁽²⁾, w⁺) as math; `?` for anything else."""
    kind, _, code = unicodedata.decomposition(ch).partition(" ")
    if kind not in ("<sub>", "<super>") or not re.fullmatch(r"[0-9A-F]{4}", code):
        return "?"
    base = chr(int(code, 16))
    inner = "-" if base == "−" else base if base.isascii() and (base.isalnum() or base in "()+-=") else \
        _TEX_UNICODE.get(base, "?").strip("$")
    return f"${'_' if kind == '<sub>' else '^'}{{{inner}}}$" if inner != "?" else "?"


def _bilingual(zh: str, en: str, lang: str) -> str:
    """Chinese when CJKutf8 and its fonts are installed, else the English text (pdflatex cannot set CJK alone)."""
    if lang != "zh":
        return _tex_text(en)
    return rf"\zhen{{{_tex_text(zh)}}}{{{_tex_text(en)}}}"


def _display(latex: str) -> list[str]:
    """A display equation; a chain a = b = c is broken into aligned lines."""
    pieces = latex.split(" = ")
    if len(pieces) > 1 and not any(katex_problems(p) for p in pieces):
        body = f"{pieces[0]} &= {pieces[1]}" + "".join(f" \\\\\n  &= {p}" for p in pieces[2:])
        return [r"\begin{align*}", f"  {body}", r"\end{align*}"]
    return [r"\[", latex, r"\]"]


_PREAMBLE = r"""\documentclass[11pt]{article}
\usepackage[utf8]{inputenc}
\usepackage{amsmath,amssymb}
\IfFileExists{geometry.sty}{\usepackage[margin=2cm]{geometry}}{}
\allowdisplaybreaks
\setlength{\parindent}{0pt}
\setlength{\parskip}{4pt}
"""

_CJK_SETUP = r"""% Chinese needs CJKutf8 and the gbsn font (Debian: texlive-lang-chinese); without them the English text is used.
\newif\ifcjk
\IfFileExists{CJKutf8.sty}{\IfFileExists{c70gbsn.fd}{\cjktrue}{}}{}
\ifcjk\usepackage{CJKutf8}\fi
\newcommand{\zhen}[2]{\ifcjk #1\else #2\fi}
"""


def latex_document(trace: Trace, opts: RenderOptions, view: str = "trace") -> str:
    """A standalone article (amsmath, amssymb) that compiles with pdflatex as it is, in the order of the view."""
    lang = opts.lang
    en_opts = RenderOptions("en", opts.decimals, opts.significant, opts.mul)
    english = {v.id: v for v in noteview.render_view(trace, en_opts, view)}

    def text(zh: str, en: str) -> str:
        return _bilingual(zh, en, lang)

    def heading(key: str, **args) -> str:
        return text(_heading(key, "zh", **args), _heading(key, "en", **args))

    out = [_PREAMBLE.rstrip("\n")]
    if lang == "zh":
        out.append(_CJK_SETUP.rstrip("\n"))
    title = text(_title(trace, "zh"), _title(trace, "en"))
    out += [rf"\title{{{title}}}", r"\date{}", r"\begin{document}"]
    if lang == "zh":
        out.append(r"\ifcjk\begin{CJK}{UTF8}{gbsn}\fi")
    out += [r"\maketitle", ""]
    description = text(_description(trace, "zh"), _description(trace, "en"))
    if description:
        out += [description, ""]
    out += [rf"\emph{{{text(summary(trace, 'zh'), summary(trace, 'en'))}}}", ""]
    if _view_line(view) and noteview.has_note_view(trace.network):
        out += [rf"\emph{{{heading(_view_line(view))}}}", ""]
    out += [rf"\section*{{{heading('given')}}}"]
    for line in givens_latex(trace, opts):
        out += [r"\[", line, r"\]"]
    for phase, steps in _sections(trace, opts, view):
        if not steps:
            continue
        out += ["", rf"\section*{{{heading(phase)}}}"]
        if says_interleaved(trace, phase):
            out += [text(_heading("interleaved", "zh"), _heading("interleaved", "en")), ""]
        sample = None
        for v in steps:
            r = v.rendered
            s = sample_of(trace, v.step, r)
            if s is not None and s != sample:
                sample = s
                out += [rf"\subsection*{{{heading('sample', s=s)}}}"]
            en = english[v.id].rendered
            out += [text(r.caption, en.caption)]
            out += _display(r.latex)
            for zh_remark, en_remark in zip(_remarks(v, "zh"), _remarks(english[v.id], "en")):
                out += [rf"\emph{{{text(zh_remark, en_remark)}}}", ""]
            if r.callout:
                out += [rf"\textbf{{{heading('watch')}}} {text(r.callout, en.callout or '')}", ""]
    if _with_matrices(trace, view):
        out += ["", rf"\section*{{{heading(_matrix_heading(trace))}}}"]
        zh_blocks = matrix_view(trace, RenderOptions("zh", opts.decimals, opts.significant, opts.mul))
        for (en_title, block), (zh_title, _) in zip(matrix_view(trace, en_opts), zh_blocks):
            out += [rf"\paragraph{{{text(zh_title, en_title)}}}"]
            out += _display(block)
    if lang == "zh":
        out.append(r"\ifcjk\end{CJK}\fi")
    out.append(r"\end{document}")
    return "\n".join(out) + "\n"


# --- CSV ---------------------------------------------------------------------------------------------------

def csv_table(trace: Trace, opts: RenderOptions) -> str:
    """One row per step: id, phase, quantity, indices, value (at the chosen precision), LaTeX, caption."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for step, r in zip(trace.steps, render_trace(trace, opts)):
        writer.writerow([step.id, step.phase, step.quantity,
                         *("" if v is None else v for v in (step.layer, step.neuron, step.source, step.sample)),
                         format_number(step.value, decimals=opts.decimals, significant=opts.significant),
                         r.latex, r.caption])
    return buffer.getvalue()
