"""The network as a Plotly figure: neurons in columns, edges with their weights, the current step lit up.

Pure (no Streamlit): the page passes the trace, the current step and the ids to highlight; a click on a
neuron or an edge comes back as the point's customdata and `step_for_selection` turns it into a step id.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from engine import Trace, format_number, parse_step_id
from engine.notation import Notation
from engine.render import RenderOptions, format_value
from engine.symbols import plain
from ui import safe
from ui.i18n import t

NEGATIVE = "#0072B2"  # Okabe-Ito blue
POSITIVE = "#D55E00"  # Okabe-Ito vermillion
HIGHLIGHT = "#E69F00"  # Okabe-Ito orange: the current step's chain
CURRENT = "#1A1D23"
EDGE = "#B8BEC8"
NEURON_FILL = "#FFFFFF"
NEURON_LINE = "#5B6270"
MAX_LABEL = 24  # characters of a symbol in the diagram (a longer one ends in "…")
HALO = "0 0 3px #fff, 0 0 3px #fff, 0 0 3px #fff, 0 0 2px #fff"  # edge labels stay readable over lines

EDGE_QUANTITIES = ("w", "dE_dw", "dz_dw", "dz_da", "new_w")
NEURON_QUANTITIES = ("a", "z", "delta", "dE_da", "da_dz", "x", "b", "dE_db", "dz_db", "new_b")

def _label(latex: str) -> str:
    """A notation symbol for Plotly's text (a subset of HTML): plain text, `<` `>` `&` as entities, short."""
    return safe.html(plain(latex), MAX_LABEL)


# --- the figure --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Highlight:
    neurons: frozenset[tuple[int, int]]  # (layer, neuron), layer 0 = inputs
    edges: frozenset[tuple[int, int, int]]  # (layer, neuron, source)
    error: bool  # the error node E and the output -> E edges


def highlight_of(trace: Trace, ids: Iterable[str]) -> Highlight:
    """Which neurons and edges the given step/given ids touch (the current step's chain)."""
    neurons: set[tuple[int, int]] = set()
    edges: set[tuple[int, int, int]] = set()
    error = False
    L = len(trace.network.layers)
    for ident in ids:
        p = parse_step_id(ident)
        if p is None:
            continue
        q, li, j, k = p["quantity"], p["layer"], p["neuron"], p["source"]
        if q in ("loss", "sample_loss", "loss_after", "sample_loss_after", "loss_change", "t") or \
                (q == "dE_da" and li == L):
            error = True
            if q == "dE_da":
                neurons.add((L, j))
        elif q in EDGE_QUANTITIES and li and j and k:
            edges.add((li, j, k))
        elif q == "x" and j:
            neurons.add((0, j))
        elif q in NEURON_QUANTITIES and li:
            if j:
                neurons.add((li, j))
            else:  # a shared bias: every neuron of its layer
                neurons.update((li, n) for n in range(1, trace.network.sizes[li] + 1))
    return Highlight(frozenset(neurons), frozenset(edges), error)


def chain_ids(paths: dict[str, tuple[str, ...]], phases: dict[str, str], step_id: str, *,
              links: tuple[str, ...] | None = None, phase: str | None = None) -> set[str]:
    """Everything on a backward step's chain, back to the error along every path.

    `paths` maps each step id to its rendered `path_ids` (one link of the chain); following the links
    through the backward steps reaches the error (note 004's Equation A: through every neuron fed).
    Forward, loss, update and check steps keep their own links only. `links` and `phase` replace the
    step's own (a note's form of a step, or one of its explanations, which `paths` does not have).
    """
    own = paths.get(step_id, ()) if links is None else links
    seen = {step_id, *own}
    if (phases.get(step_id) if phase is None else phase) != "backward":
        return seen
    todo = [i for i in seen if phases.get(i) == "backward"]
    while todo:
        for ident in paths.get(todo.pop(), ()):
            if ident not in seen:
                seen.add(ident)
                if phases.get(ident) == "backward":
                    todo.append(ident)
    return seen


def _positions(sizes: tuple[int, ...]) -> dict[tuple[int, int], tuple[float, float]]:
    tallest = max(sizes)
    return {(layer, j): (float(layer), (tallest - 1) / 2 - (j - 1) - (tallest - n) / 2)
            for layer, n in enumerate(sizes) for j in range(1, n + 1)}


def _computed(trace: Trace, ident: str, upto: int) -> float | None:
    """The value of a step if it has been computed by position `upto`, else None."""
    if ident in trace.givens:
        return trace.givens[ident].value
    try:
        return trace.step(ident).value if trace.position(ident) <= upto else None
    except KeyError:
        return None


def gradients_shown(trace: Trace, step_id: str) -> bool:
    """After the backward phase every gradient is known: colour the edges by it."""
    phase = trace.step(step_id).phase
    return phase in ("update", "check")


def _scatter(**trace) -> dict:
    # NOTE: plain dicts; st.plotly_chart validates the figure once, building go objects here would do it twice
    return {"type": "scatter", "showlegend": False, "selected": {"marker": {"opacity": 1}},
            "unselected": {"marker": {"opacity": 1}}, **trace}


@dataclass
class _View:
    """What one figure needs to know about the trace at the current step."""

    trace: Trace
    notation: Notation
    step_id: str
    upto: int
    sample: int
    phase: str
    fmt: Callable[[float], str]
    scale: float
    lang: str

    def value(self, ident: str) -> float | None:
        return _computed(self.trace, ident, self.upto)


def _gradients(trace: Trace) -> dict[tuple[int, int, int], float]:
    grads = {}
    for li, layer in enumerate(trace.network.layers, 1):
        for j, row in enumerate(layer.weights, 1):
            for k in range(1, len(row) + 1):
                if f"dE_dw:l{li}:n{j}:k{k}" in trace:
                    grads[(li, j, k)] = trace.value(f"dE_dw:l{li}:n{j}:k{k}")
    return grads


def _edges(view: _View, pos: dict, hl: Highlight, current: Highlight, by_gradient: bool) -> list[dict]:
    """Edges (a few traces: one per look, segments split by None) and their clickable labels."""
    trace, notation, fmt = view.trace, view.notation, view.fmt
    sizes = trace.network.sizes
    grads = _gradients(trace)
    biggest = max((abs(g) for g in grads.values()), default=0.0) or 1.0
    segments: dict[tuple[str, float], tuple[list, list]] = {}
    labels: dict[str, list] = {"x": [], "y": [], "text": [], "customdata": [], "hovertext": []}
    for li in range(1, len(sizes)):
        n_src, n_dst = sizes[li - 1], sizes[li]
        for j in range(1, n_dst + 1):
            for k in range(1, n_src + 1):
                (x0, y0), (x1, y1) = pos[(li - 1, k)], pos[(li, j)]
                key = (li, j, k)
                width, colour = 1.5, EDGE
                if by_gradient and key in grads:
                    colour = NEGATIVE if grads[key] < 0 else POSITIVE if grads[key] > 0 else EDGE
                    width = 1.5 + round(7 * abs(grads[key]) / biggest)  # whole pixels: few distinct looks
                if key in hl.edges:
                    colour = colour if by_gradient else HIGHLIGHT
                    width = max(width, 5)
                looks = [("outline", width + 5)] if key in current.edges else []
                for look in (*looks, (colour, width)):
                    xs, ys = segments.setdefault(look, ([], []))
                    xs.extend((x0, x1, None))
                    ys.extend((y0, y1, None))
                symbol = notation.weight(li, j, k)
                weight = trace.value(f"w:l{li}:n{j}:k{k}")
                new = view.value(f"new_w:l{li}:n{j}:k{k}")
                if view.phase == "check" and new is not None:  # the second forward pass runs on the new weights
                    symbol, weight = notation.updated(symbol), new
                name = _label(symbol)
                # NOTE: past the middle, edges into one neuron fan apart and crossing edges have split: room for
                # a label. A layer with more than 2x2 edges has room for the value only (the symbol is in the hover).
                text = f"{name}<br>{fmt(weight)}" if n_src <= 2 and n_dst <= 2 else fmt(weight)
                hover = f"{name} = {fmt(weight)}"
                if key in grads and view.value(f"dE_dw:l{li}:n{j}:k{k}") is not None:
                    hover += f"<br>∂{_label(notation.loss)}/∂{_label(notation.weight(li, j, k))} = {fmt(grads[key])}"
                if new is not None and view.phase != "check":
                    hover += f"<br>{_label(notation.updated(notation.weight(li, j, k)))} = {fmt(new)}"
                labels["x"].append(x0 + 0.62 * (x1 - x0))
                labels["y"].append(y0 + 0.62 * (y1 - y0))
                labels["text"].append(f"<b>{text}</b>" if key in hl.edges else text)
                labels["customdata"].append([f"w:l{li}:n{j}:k{k}"])
                labels["hovertext"].append(hover)
    ordered = sorted(segments.items(), key=lambda item: item[0][0] != "outline")  # outlines below their edge
    data = [_scatter(x=xs, y=ys, mode="lines", hoverinfo="skip",
                     line={"color": CURRENT if colour == "outline" else colour, "width": width * view.scale})
            for (colour, width), (xs, ys) in ordered]
    data.append(_scatter(**labels, mode="markers+text", hoverinfo="text", name="edges", textposition="middle center",
                         textfont={"size": 12 * view.scale, "color": CURRENT, "shadow": HALO},
                         marker={"size": 28 * view.scale, "color": "rgba(255,255,255,0.01)", "line": {"width": 0}}))
    return data


def _neurons(view: _View, pos: dict, hl: Highlight, current: Highlight) -> dict:
    """The neurons with their symbols and the values computed so far ("?" before their step)."""
    points: dict[str, list] = {"x": [], "y": [], "text": [], "customdata": [], "hovertext": []}
    lines, widths = [], []
    prefix = "check." if view.phase == "check" else ""
    for (layer, j), (x, y) in pos.items():
        if layer == 0:
            target = f"x:n{j}:s{view.sample}"
            value, symbol = view.trace.value(target), view.notation.input(j)
        else:
            a = f"a:l{layer}:n{j}:s{view.sample}"
            value = view.value(prefix + a)  # the check pass starts again from "?"
            symbol = view.notation.neuron(layer, j)
            target = prefix + a if view.phase in ("forward", "loss", "check") else f"delta:l{layer}:n{j}:s{view.sample}"
        shown = view.fmt(value) if value is not None else "?"
        points["x"].append(x)
        points["y"].append(y)
        points["text"].append(f"<b>{_label(symbol)}</b><br>{shown}")
        points["customdata"].append([target])
        points["hovertext"].append(f"{_label(symbol)} = {shown}")
        is_current, on_chain = (layer, j) in current.neurons, (layer, j) in hl.neurons
        lines.append(CURRENT if is_current else HIGHLIGHT if on_chain else NEURON_LINE)
        widths.append((5 if is_current else 4 if on_chain else 1.5) * view.scale)
    return _scatter(**points, mode="markers+text", hoverinfo="text", name="neurons", textposition="middle center",
                    textfont={"size": 13 * view.scale, "color": CURRENT},
                    marker={"size": 70 * view.scale, "color": NEURON_FILL, "line": {"color": lines, "width": widths}})


def _error(view: _View, pos: dict, hl: Highlight, at: tuple[float, float]) -> tuple[list[dict], dict]:
    """The error node E (after the update: E of the second forward pass), its links and the targets under it."""
    notation, fmt, scale = view.notation, view.fmt, view.scale
    sizes = view.trace.network.sizes
    check = view.phase == "check"
    step = "loss_after" if check else "loss"
    value = view.value(step)
    symbol = _label(notation.updated(notation.loss) if check else notation.loss)
    targets = ", ".join(f"{_label(notation.target(j))} = {fmt(view.trace.value(f't:n{j}:s{view.sample}'))}"
                        for j in range(1, sizes[-1] + 1))
    xs, ys = [], []
    for j in range(1, sizes[-1] + 1):
        xs.extend((pos[(len(sizes) - 1, j)][0], at[0], None))
        ys.extend((pos[(len(sizes) - 1, j)][1], at[1], None))
    links = _scatter(x=xs, y=ys, mode="lines", hoverinfo="skip",
                     line={"color": HIGHLIGHT if hl.error else EDGE, "width": (4 if hl.error else 1.5) * scale,
                           "dash": "dot"})
    node = _scatter(x=[at[0]], y=[at[1]], mode="markers+text", customdata=[[step]], name="error",
                    text=[f"<b>{symbol}</b><br>{fmt(value) if value is not None else '?'}"],
                    hovertext=[f"{t('diagram_error', view.lang)} {symbol}<br>{t('diagram_target', view.lang)}: {targets}"],
                    hoverinfo="text", textposition="middle center", textfont={"size": 13 * scale, "color": CURRENT},
                    marker={"size": 62 * scale, "symbol": "square", "color": "#F3F5F8",
                            "line": {"color": CURRENT if hl.error else NEURON_LINE, "width": (4 if hl.error else 1.5) * scale}})
    caption = {"x": at[0], "y": at[1], "yshift": -48 * scale, "text": targets, "showarrow": False,
               "font": {"size": 12 * scale, "color": NEURON_LINE}}
    return [links, node], caption


def build_figure(trace: Trace, step_id: str, lang: str = "en", highlighted: Iterable[str] = (), *,
                 fmt: Callable[[float], str] | None = None, scale: float = 1.0, height: int | None = None) -> dict:
    """The diagram at `step_id` as a Plotly figure dict (what go.Figure and st.plotly_chart take).

    Neurons show the values computed so far; `highlighted` (the step's chain) is drawn in orange, the step's
    own neuron or edge in black; from the update phase on, edges are coloured by the sign of their gradient.
    """
    step = trace.step(step_id)
    view = _View(trace, Notation.of(trace.network), step_id, trace.position(step_id), step.sample or 1, step.phase,
                 fmt or (lambda v: format_number(v, significant=6)), scale, lang)
    sizes = trace.network.sizes
    L, tallest = len(sizes) - 1, max(sizes)
    pos = _positions(sizes)
    hl = highlight_of(trace, [step_id, *highlighted])
    current = highlight_of(trace, [step_id])
    by_gradient = gradients_shown(trace, step_id)
    error_at = (L + 0.75, sum(pos[(L, j)][1] for j in range(1, sizes[-1] + 1)) / sizes[-1])
    error, caption = _error(view, pos, hl, error_at)
    data = [*_edges(view, pos, hl, current, by_gradient), error[0], _neurons(view, pos, hl, current), error[1]]
    if by_gradient:
        data += [_scatter(x=[None], y=[None], mode="lines", name=t(f"diagram_{sign}", lang), hoverinfo="skip",
                          line={"color": colour, "width": 6 * scale}, showlegend=True)
                 for sign, colour in (("negative", NEGATIVE), ("positive", POSITIVE))]
    # NOTE: "pan" with both axes fixed: nothing moves. Streamlit's chart turns a missing or False dragmode into
    # "pan" after its first draw, which costs the browser one more state update on every step.
    layout = {
        "height": height or int((200 + 105 * tallest) * scale),
        "margin": {"l": 10, "r": 10, "t": 10, "b": 10},
        "xaxis": {"visible": False, "range": [-0.45, L + 1.2], "fixedrange": True},
        "yaxis": {"visible": False, "range": [-(tallest - 1) / 2 - 0.75, (tallest - 1) / 2 + 0.55], "fixedrange": True},
        "plot_bgcolor": "white", "paper_bgcolor": "white", "dragmode": "pan", "hovermode": "closest",
        "clickmode": "event+select", "showlegend": by_gradient, "annotations": [caption],
        "legend": {"orientation": "h", "x": 0.5, "xanchor": "center", "y": 0.0, "yanchor": "top",
                   "font": {"size": 12 * scale}},
    }
    return {"data": data, "layout": layout}


def step_for_selection(trace: Trace, point_customdata) -> str | None:
    """The step a clicked point stands for: a neuron's own step, an edge's gradient, the error's loss."""
    ident = point_customdata
    if isinstance(ident, (list, tuple)):
        ident = ident[0] if ident else None
    if not isinstance(ident, str):
        return None
    try:
        trace.step(ident)
        return ident
    except KeyError:
        pass
    if parse_step_id(ident) is None or ident not in trace.givens:
        return None
    return given_targets(trace).get(ident)


def given_targets(trace: Trace) -> dict[str, str]:
    """The step each given opens when clicked: a weight's or a bias's gradient, else (an input, a target, the
    learning rate) the first step that uses it. One pass over the trace for all of them."""
    first_use: dict[str, str] = {}
    for step in trace.steps:
        for operand in step.operand_ids():
            first_use.setdefault(operand, step.id)
    targets = {}
    for ident in trace.givens:
        p = parse_step_id(ident)
        if p is None:
            continue
        q, li, j, k = p["quantity"], p["layer"], p["neuron"], p["source"]
        own = {"w": f"dE_dw:l{li}:n{j}:k{k}", "b": f"dE_db:l{li}" + (f":n{j}" if j else "")}.get(q)
        target = own if own is not None and own in trace else first_use.get(ident)
        if target is not None:
            targets[ident] = target
    return targets


_COMPACT = RenderOptions(significant=5)


def compact_number(value: float) -> str:
    """A number for a neuron's circle (room for ~7 characters): 5 significant digits, no trailing zeros."""
    text = format_value(value, _COMPACT)
    return text.rstrip("0").rstrip(".") if "." in text and "e" not in text else text
