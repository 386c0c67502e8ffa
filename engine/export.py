"""The whole worked solution: `trace --json` with LaTeX and captions, Markdown, a standalone LaTeX document, CSV."""

from __future__ import annotations

import csv
import io
import json
import re

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
    "matrix": {"en": "Matrix form (note 004)", "zh": "矩阵形式（笔记 004）"},
    "sample": {"en": "Sample {s}", "zh": "样本 {s}"},
    "watch": {"en": "Watch out:", "zh": "注意："},
    "interleaved": {
        "en": "As in the notes, each parameter is updated right after its gradient; every gradient above uses the old parameters.",
        "zh": "和笔记一样，每求出一个梯度就更新对应的参数；上面所有梯度都用更新之前的参数计算。",
    },
}


def _options(lang: str, decimals: int | None, significant: int | None, mul: str) -> RenderOptions:
    return RenderOptions(lang=lang, decimals=decimals, significant=significant, mul=mul)


def trace_json(trace: Trace, *, lang: str = "en", decimals: int | None = None, significant: int | None = None,
               mul: str = "times") -> dict:
    """`trace.to_json()` with a `latex` and a `caption` field on every step."""
    rendered = render_trace(trace, _options(lang, decimals, significant, mul))
    out = trace.to_json()
    for step, r in zip(out["steps"], rendered):
        step["latex"] = r.latex
        step["caption"] = r.caption
    return out


def export(trace: Trace, fmt: str, *, lang: str = "en", decimals: int | None = None, significant: int | None = None,
           mul: str = "times") -> str:
    """The whole solution as "markdown", "latex" (a standalone document), "csv" or "json"."""
    opts = _options(lang, decimals, significant, mul)
    if fmt == "markdown":
        return markdown(trace, opts)
    if fmt == "latex":
        return latex_document(trace, opts)
    if fmt == "csv":
        return csv_table(trace, opts)
    if fmt == "json":
        return json.dumps(trace_json(trace, lang=lang, decimals=decimals, significant=significant, mul=mul),
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
    lines = []
    order = {"s": 0, "l": 1, "e": 2}  # samples, then layers, then eta
    for key in sorted(groups, key=lambda k: (order[k[0]], int(k[1:]) if k[1:].isdigit() else 0)):
        parts = groups[key]
        for i in range(0, len(parts), 6):  # at most six per line, so a wide layer wraps
            lines.append(r", \quad ".join(parts[i:i + 6]))
    return lines


def _sections(trace: Trace, opts: RenderOptions) -> list[tuple[str, list[RenderedStep]]]:
    """The steps by phase, in the notes' order; a batch-of-one's `loss = sample loss` line is left out."""
    rendered = render_trace(trace, opts)
    same = {s.id for s in trace.steps if s.same_as}
    return [(phase, [r for r in rendered if r.phase == phase and r.id not in same]) for phase in PHASES]


def _sample_of(trace: Trace, r: RenderedStep) -> int | None:
    return trace.step(r.id).sample if len(trace.network.samples) > 1 and r.phase in ("forward", "check") \
        and r.quantity in ("z", "a") else None


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


def markdown(trace: Trace, opts: RenderOptions) -> str:
    """Markdown with $$ blocks (GitHub, Jupyter, Obsidian), sections in the notes' order."""
    lang = opts.lang
    out = [f"# {_md_line(_title(trace, lang))}", ""]
    description = _description(trace, lang)
    if description:
        out += [_md_text(description), ""]
    out += [f"*{_md_text(summary(trace, lang))}*", "", f"## {_heading('given', lang)}", ""]
    for line in givens_latex(trace, opts):
        out += _md_math(line)
    for phase, steps in _sections(trace, opts):
        if not steps:
            continue
        out += [f"## {_heading(phase, lang)}", ""]
        if phase == "update" and trace.network.update_order == "after_each_gradient":
            out += [_md_text(_heading("interleaved", lang)), ""]
        sample = None
        for r in steps:
            s = _sample_of(trace, r)
            if s is not None and s != sample:
                sample = s
                out += [f"### {_heading('sample', lang, s=s)}", ""]
            out += [_md_text(r.caption), ""]
            out += _md_math(r.latex)
            if r.callout:
                out += [f"> **{_heading('watch', lang)}** {_md_text(r.callout)}", ""]
    out += [f"## {_heading('matrix', lang)}", ""]
    for title, block in matrix_view(trace, opts):
        out += [f"### {_md_line(title)}", ""]
        out += _md_math(block)
    return "\n".join(out).rstrip("\n") + "\n"


# --- LaTeX -------------------------------------------------------------------------------------------------

_TEX_SPECIALS = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "#": r"\#",
                 "^": r"\^{}", "_": r"\_", "%": r"\%", "~": r"\~{}"}
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
            out.append("?")
    return "".join(out)


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


def latex_document(trace: Trace, opts: RenderOptions) -> str:
    """A standalone article (amsmath, amssymb) that compiles with pdflatex as it is."""
    lang = opts.lang
    en_opts = RenderOptions("en", opts.decimals, opts.significant, opts.mul)
    english = {r.id: r for r in render_trace(trace, en_opts)}

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
    out += [rf"\section*{{{heading('given')}}}"]
    for line in givens_latex(trace, opts):
        out += [r"\[", line, r"\]"]
    for phase, steps in _sections(trace, opts):
        if not steps:
            continue
        out += ["", rf"\section*{{{heading(phase)}}}"]
        if phase == "update" and trace.network.update_order == "after_each_gradient":
            out += [text(_heading("interleaved", "zh"), _heading("interleaved", "en")), ""]
        sample = None
        for r in steps:
            s = _sample_of(trace, r)
            if s is not None and s != sample:
                sample = s
                out += [rf"\subsection*{{{heading('sample', s=s)}}}"]
            en = english[r.id]
            out += [text(r.caption, en.caption)]
            out += _display(r.latex)
            if r.callout:
                out += [rf"\textbf{{{heading('watch')}}} {text(r.callout, en.callout or '')}", ""]
    out += ["", rf"\section*{{{heading('matrix')}}}"]
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
