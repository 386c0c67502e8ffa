"""What the browser-side stepper needs, built once per trace and display options (pure: no Streamlit).

The stepper component (ui/stepper_component/) steps through the trace in the browser without asking the
server. It gets, in one message: every rendered step (LaTeX and its parts, caption, callout, phase, the
value at the chosen precision, which neurons and edges it lights up), the network's layout for the
diagram (symbols, weights, gradients, what a click on each element opens) and the page's words in the
chosen language. Everything here is data: the browser shows text with textContent and formulas with
KaTeX (trust off), so nothing in it is ever read as HTML.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass

from engine import PHASES, Trace, noteview
from engine.notation import Notation
from engine.noteview import ViewStep
from engine.render import RenderedStep, RenderOptions, format_value, render_trace
from engine.symbols import plain
from ui import diagram
from ui.i18n import t

FORMAT_VERSION = 1
# NOTE: a trace within the documented limits has at most ~29,000 steps (6 layers of 10, 16 samples), some
# 25 MB as data. Up to FULL_LIMIT steps go to the browser in one message (notes 000-004: 50-170 steps,
# 20-100 kB); a longer trace goes as a window of WINDOW steps around the current one (about 1 MB), and
# the browser asks for the next window when the learner steps past its edge.
FULL_LIMIT = 1500
WINDOW = 1000
BREAKABLE = 60  # a formula longer than this (LaTeX characters) also goes as its parts, to break at "=" if too wide

WORDS = ("first", "previous", "next", "last", "counter", "step_id", "history", "values", "col_n", "col_symbol",
         "col_value", "col_phase", "diagram_help", "diagram_negative", "diagram_positive", "diagram_target",
         "diagram_error", "stepper_loading", "stepper_blank_hint", "stepper_keys", "stepper_diagram",
         "stepper_formula", "stepper_phases", "stepper_nav", "note_added", "note_explain", "note_kind_match",
         "note_kind_truncated", "note_kind_slip", "note_kind_typo", "note_source")
# fill-in mode (ui/fillin.py): the words of the stepper's answer box
WORDS += ("fill_label", "fill_placeholder", "fill_check", "fill_hint", "fill_reveal", "fill_restart", "fill_correct",
          "fill_carried", "fill_wrong", "fill_revealed", "fill_yours", "fill_checking", "fill_no_reply",
          "fill_no_hint", "fill_score", "fill_marks", "fill_region", "fill_empty")


@dataclass(frozen=True)
class Window:
    """Which steps go to the browser: [start, stop) of the trace."""

    start: int
    stop: int

    @staticmethod
    def around(total: int, position: int) -> Window:
        """The whole trace, or a window with at least WINDOW // 4 steps each side of `position` (but at the
        ends). Windows start at multiples of WINDOW // 2, so learners near one place share one cached window."""
        if total <= FULL_LIMIT:
            return Window(0, total)
        stride = WINDOW // 2
        start = (max(0, position - WINDOW // 4) // stride) * stride
        start = max(0, min(start, total - WINDOW))
        return Window(start, min(total, start + WINDOW))


def _highlight(h: diagram.Highlight) -> dict:
    return {"n": sorted(f"{layer}_{j}" for layer, j in h.neurons),
            "e": sorted(f"{li}_{j}_{k}" for li, j, k in h.edges), "err": h.error}


def _number_format(opts: RenderOptions) -> Callable[[float], str]:
    """Numbers in the diagram: the chosen precision, else as short as a neuron's circle needs."""
    if opts.decimals is not None or opts.significant is not None:
        return lambda value: format_value(value, opts)
    return diagram.compact_number


def _graph(trace: Trace, opts: RenderOptions) -> dict:
    """The diagram's fixed part: neurons, edges (weights, gradients, new weights), the error node, clicks."""
    network = trace.network
    notation = Notation.of(network)
    fmt = _number_format(opts)
    sizes = network.sizes
    samples = len(network.samples)
    nodes = []
    for j in range(1, sizes[0] + 1):
        nodes.append({"key": f"0_{j}", "layer": 0, "j": j, "label": plain(notation.input(j)),
                      "x": [fmt(trace.value(f"x:n{j}:s{s}")) for s in range(1, samples + 1)]})
    for li in range(1, len(sizes)):
        for j in range(1, sizes[li] + 1):
            nodes.append({"key": f"{li}_{j}", "layer": li, "j": j, "label": plain(notation.neuron(li, j))})
    edges = []
    for li in range(1, len(sizes)):
        for j in range(1, sizes[li] + 1):
            for k in range(1, sizes[li - 1] + 1):
                symbol = notation.weight(li, j, k)
                grad_id = f"dE_dw:l{li}:n{j}:k{k}"
                edges.append({
                    "key": f"{li}_{j}_{k}", "layer": li, "j": j, "k": k, "label": plain(symbol),
                    "updated": plain(notation.updated(symbol)), "w": fmt(trace.value(f"w:l{li}:n{j}:k{k}")),
                    "grad": trace.value(grad_id) if grad_id in trace else None,
                    "grad_label": f"∂{plain(notation.loss)}/∂{plain(symbol)}"})
    targets = [", ".join(f"{plain(notation.target(j))} = {fmt(trace.value(f't:n{j}:s{s}'))}"
                         for j in range(1, sizes[-1] + 1)) for s in range(1, samples + 1)]
    return {"sizes": list(sizes), "samples": samples, "nodes": nodes, "edges": edges,
            "error": {"label": plain(notation.loss), "updated": plain(notation.updated(notation.loss)),
                      "targets": targets},
            "clicks": diagram.given_targets(trace)}


def _step(v: ViewStep, trace: Trace, paths: dict, phases: dict, opts: RenderOptions, names: dict,
          short: Callable[[float], str], lang: str) -> dict:
    r = v.rendered
    own = [v.step] if v.step else []
    chain = diagram.chain_ids(paths, phases, v.step or v.id, links=r.path_ids, phase=r.phase)
    value = format_value(r.value, opts) if v.step else r.result and format_value(r.value, opts)
    out = {"id": v.id, "step": v.step, "phase": r.phase, "latex": r.latex,
           "caption": r.caption, "callout": r.callout, "value": value,
           "symbol": names[v.id], "sample": (trace.step(v.step).sample if v.step else None) or 1,
           "hl": _highlight(diagram.highlight_of(trace, [*own, *chain])),
           "cur": _highlight(diagram.highlight_of(trace, own or list(r.path_ids)))}
    if v.note is not None:
        out["note"] = {"text": noteview.describe(v.note, lang), "line": v.note.text[:300], "kind": v.note.kind}
    if v.added:
        out["added"] = True
    if v.step is None:
        out["explain"] = True
    if r.formula:  # fill-in mode's hint: the formula in symbols only
        out["hint"] = f"{r.symbol} = {r.formula}"
    if v.step and r.latex.split(" = ")[0] != r.symbol:
        # fill-in mode's question: the step's own symbol where the note's form starts with another quantity
        # (note 004's ΔW¹₁₁ for the new W¹₁₁, note 001's Loss for ∂Loss/∂yₒ) or with numbers (note 000's E⁺ < E)
        out["ask"] = r.symbol
    if len(r.latex) > BREAKABLE:
        out["parts"] = r.latex.split(" = ")  # engine.latex.equation joins the parts with " = "
    if value:
        compact = short(r.value)
        if compact != value:  # the diagram's circles have room for ~7 characters
            out["short"] = compact
    return out


def words(lang: str) -> dict[str, str]:
    out = {key: t(key, lang) for key in WORDS if key != "counter"}
    out["counter"] = t("counter", lang, n="{n}", total="{total}")
    out.update({f"phase_{name}": t(f"phase_{name}", lang) for name in PHASES})
    return out


def _trace_step(s: ViewStep | RenderedStep) -> str | None:
    """The trace step a view's item shows (a RenderedStep of the trace's own order is its own step)."""
    return s.step if isinstance(s, ViewStep) else s.id


def _value(s: ViewStep | RenderedStep) -> float:
    return s.rendered.value if isinstance(s, ViewStep) else s.value


def build(trace: Trace, steps: list[ViewStep] | list[RenderedStep], opts: RenderOptions, window: Window) -> dict:
    """The stepper's data for `window` of a view of the trace: its ViewSteps, or the trace's RenderedSteps in the
    engine's own order (a long trace: no wrapper per step). Everything but the current step and the page's state."""
    shown_steps = [s if isinstance(s, ViewStep) else ViewStep(s.id, s.id, s, None, False)
                   for s in steps[window.start:window.stop]]
    notation = Notation.of(trace.network)
    explain = noteview.note_words(opts.lang)["explain"]  # the values table's name for one of the note's explanations
    names = {v.id: plain(notation.symbol(v.step)) if v.step else explain for v in shown_steps}
    every = render_trace(trace, opts)  # the chain follows the trace's own links, whatever the view shows
    paths = {r.id: r.path_ids for r in every}
    phases = {r.id: r.phase for r in every}
    firsts: dict[str, int] = {}
    for i, v in enumerate(steps):
        firsts.setdefault(v.phase, i)
    short = _number_format(opts)
    shown = [_step(v, trace, paths, phases, opts, names, short, opts.lang) for v in shown_steps]
    data = {"version": FORMAT_VERSION, "total": len(steps), "offset": window.start,
            "firsts": firsts, "ends": [steps[0].id, steps[-1].id],
            "steps": shown, "graph": _graph(trace, opts), "lang": opts.lang}
    far = {}
    if (window.start, window.stop) != (0, len(steps)):
        # What the diagram shows from outside the window: each neuron's output and delta, the weights' gradients
        # and new values, the loss (position and short value), so no circle says "?" for a value already known.
        for i, v in enumerate(steps):
            step = _trace_step(v)
            if step and not window.start <= i < window.stop and _FAR.match(step):
                far.setdefault(step, [i, short(_value(v))])
    if steps and isinstance(steps[0], ViewStep):
        # A view that leaves steps out, or writes one later than it is known (as in the note): when each value
        # the diagram shows becomes known.
        for ident, at in noteview.known_from(trace, steps).items():
            if _FAR.match(ident) and (ident not in far or at < far[ident][0]):
                far[ident] = [at, short(trace.value(ident))]
    if far:
        data["far"] = far
    return data


_FAR = re.compile(r"(?:check\.)?(?:a|delta):|dE_dw:|new_w:|loss(?:_after)?$")


def fingerprint(*parts: str) -> str:
    """A short stable id of what the browser was sent (so it can tell a new network from a re-send)."""
    digest = hashlib.blake2b(digest_size=10)
    for part in parts:
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    return digest.hexdigest()


def encode(data: dict) -> str:
    """The data as compact JSON (what goes over the websocket)."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
