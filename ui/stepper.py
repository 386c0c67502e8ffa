"""The stepper: one step of the trace at a time, as a fragment so Next reruns only this part of the page."""

from __future__ import annotations

import html
import os
import time

import pandas as pd
import streamlit as st

from engine import PHASES, Trace
from engine.notation import Notation
from engine.render import RenderOptions, format_value, render_trace
from ui import diagram, state
from ui.i18n import t

SHORTCUTS = {"btn_first": "Home", "btn_prev": "Left", "btn_next": "Right", "btn_last": "End"}
# NOTE: a fragment run sends its elements as it makes them, and the browser draws whatever has arrived in
# one go. The formula, its caption and the buttons go out first; this pause lets the browser draw them on
# their own before the diagram (which Streamlit re-creates on every step: its id hashes the figure) and the
# table arrive, so Next shows the new formula without waiting for Plotly. bench/bench_browser.py measures it.
FIRST_PAINT_PAUSE_S = float(os.environ.get("BT_PAUSE", "0.015"))
PHASE_KEYS = {"forward": "jump_forward", "loss": "jump_error", "backward": "jump_backward",
              "update": "jump_update", "check": "jump_check"}


def options(lang: str) -> RenderOptions:
    decimals, significant, mul = state.display_options()
    return RenderOptions(lang=lang, decimals=decimals, significant=significant, mul=mul)


@st.cache_resource(max_entries=64, show_spinner=False)
def chains(config_text: str) -> tuple[dict[str, tuple[str, ...]], dict[str, str]]:
    """Each step's rendered chain links and phase (for the diagram's highlight)."""
    steps = render_trace(state.trace_for(config_text))
    return {r.id: r.path_ids for r in steps}, {r.id: r.phase for r in steps}


@st.cache_resource(max_entries=64, show_spinner=False)
def symbols(config_text: str) -> dict[str, str]:
    """Plain-text symbols of every step (for the table of values)."""
    trace = state.trace_for(config_text)
    notation = Notation.of(trace.network)
    return {s.id: diagram.plain(notation.symbol(s.id)) for s in trace.steps}


def current_rendering(lang: str) -> tuple[Trace, list, int]:
    """The current trace, its steps rendered (engine.render caches them per trace and options), the position."""
    trace = state.current_trace()
    return trace, render_trace(trace, options(lang)), state.position(trace)


def _on_diagram_select(key: str) -> None:
    """A click on a neuron or an edge: go to its step, then start a fresh chart (so the next click counts too)."""
    event = st.session_state.get(key) or {}
    points = event.get("selection", {}).get("points", [])
    target = diagram.step_for_selection(state.current_trace(), points[0].get("customdata")) if points else None
    if target:
        state.set_step(target)
    st.session_state["diagram_nonce"] = st.session_state.get("diagram_nonce", 0) + 1


def diagram_format(opts: RenderOptions):
    """Numbers in the diagram's circles: the chosen precision, else 5 significant digits (room for ~7 characters)."""
    if opts.decimals is not None or opts.significant is not None:
        return lambda value: format_value(value, opts)
    compact = RenderOptions(lang=opts.lang, significant=5, mul=opts.mul)

    def short(value: float) -> str:
        text = format_value(value, compact)
        return text.rstrip("0").rstrip(".") if "." in text and "e" not in text else text

    return short


def _navigation(trace: Trace, pos: int, lang: str) -> None:
    last = len(trace) - 1
    targets = {"btn_first": 0, "btn_prev": max(pos - 1, 0), "btn_next": min(pos + 1, last), "btn_last": last}
    labels = {"btn_first": ("first", ":material/first_page:"), "btn_prev": ("previous", ":material/chevron_left:"),
              "btn_next": ("next", ":material/chevron_right:"), "btn_last": ("last", ":material/last_page:")}
    with st.container(horizontal=True, horizontal_alignment="center", vertical_alignment="center", key="nav"):
        for key in ("btn_first", "btn_prev"):
            word, icon = labels[key]
            st.button(t(word, lang), key=key, icon=icon, shortcut=SHORTCUTS[key], disabled=pos == 0,
                      on_click=state.set_step, args=(trace.steps[targets[key]].id,))
        st.markdown(f"**{t('counter', lang, n=pos + 1, total=len(trace))}**", width="content")
        for key in ("btn_next", "btn_last"):
            word, icon = labels[key]
            st.button(t(word, lang), key=key, icon=icon, icon_position="right", shortcut=SHORTCUTS[key],
                      disabled=pos == last, type="primary" if key == "btn_next" else "secondary",
                      on_click=state.set_step, args=(trace.steps[targets[key]].id,))
    firsts: dict[str, int] = {}
    for i, step in enumerate(trace.steps):
        firsts.setdefault(step.phase, i)
    phase = trace.steps[pos].phase
    with st.container(horizontal=True, horizontal_alignment="center", key="phases"):
        for name in PHASES:
            st.button(t(f"phase_{name}", lang), key=PHASE_KEYS[name], disabled=name not in firsts,
                      type="primary" if name == phase else "tertiary", on_click=state.set_step,
                      args=(trace.steps[firsts.get(name, 0)].id,))


def _values_table(trace: Trace, steps: list, pos: int, lang: str, opts: RenderOptions) -> None:
    names = symbols(state.current_text())
    rows = [{t("col_n", lang): i + 1, t("col_symbol", lang): names[trace.steps[i].id],
             t("col_value", lang): format_value(trace.steps[i].value, opts),
             t("col_phase", lang): t(f"phase_{trace.steps[i].phase}", lang)}
            for i in range(pos, -1, -1)]
    st.markdown(f"**{t('values', lang)}**")
    st.dataframe(pd.DataFrame(rows), hide_index=True, height=360, key="values_table")


@st.fragment
def stepper() -> None:
    """Buttons, the current step's formula, the diagram, the values so far."""
    ss = st.session_state
    lang = state.lang()
    presenting = state.presenting()
    opts = options(lang)
    trace, steps, pos = current_rendering(lang)
    step = steps[pos]
    state.sync_step_url()

    # NOTE: the formula goes out to the browser first (it is what a learner waits for); the buttons are then
    # drawn into the slot above it.
    navigation = st.container()
    with st.container(key="formula"):
        st.latex(step.latex)
    with st.container(key="caption"):
        st.markdown(step.caption)
        callout = st.empty()  # always a slot, so later elements keep their places and nothing stale lingers
        if step.callout:
            callout.warning(step.callout, icon=":material/priority_high:")
        sid = html.escape(step.id)
        st.html(f'<div id="current-step" class="bt-step" data-step-id="{sid}" data-position="{pos + 1}">'
                f'{t("step_id", lang)}: <code>{sid}</code></div>')
    with navigation:
        _navigation(trace, pos, lang)
    time.sleep(FIRST_PAINT_PAUSE_S)

    chain = diagram.chain_ids(*chains(state.current_text()), step.id)
    figure = diagram.build_figure(trace, step.id, lang, chain, fmt=diagram_format(opts),
                                  scale=1.45 if presenting else 1.0)
    key = f"diagram_{ss.get('diagram_nonce', 0)}"
    chart_column, table_column = (st.container(), None) if presenting else st.columns([3, 2])
    with chart_column:
        st.plotly_chart(figure, key=key, on_select=lambda: _on_diagram_select(key), selection_mode=("points",),
                        config={"displayModeBar": False, "scrollZoom": False}, width="stretch")
        st.caption(t("diagram_help", lang))
    if table_column is not None:
        with table_column:
            _values_table(trace, steps, pos, lang, opts)
        history = st.expander(t("history", lang), key="exp_history", on_change="rerun", icon=":material/list:")
        if history.open:
            with history:
                for done in steps[: pos + 1]:
                    st.latex(done.latex)
