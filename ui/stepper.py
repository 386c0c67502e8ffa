"""The stepper: the whole trace goes to the browser once; every press is handled there (ui/stepper_component/).

The server sends every rendered step when the network, the language or the display options change, and
learns where the learner is lazily: the component reports the current step once the learner pauses
(one rerun of this fragment, not one per press), so downloads, the URL, Check my work and a reload
start where the learner is. The server moves the learner only when it means to (a new network, a URL,
a click elsewhere); `seq` tells the browser so.
"""

from __future__ import annotations

import html
import sys
from pathlib import Path

import streamlit as st
from streamlit import config as st_config

from engine import Trace, memo, noteview
from engine.memo import ByteLRU, ident
from engine.noteview import ViewIndex, render_view
from engine.render import RenderOptions, render_trace
from ui import fillin, state, stepper_data
from ui.i18n import t

HERE = Path(__file__).resolve().parent / "stepper_component"
COMPONENT = st.components.v2.component(
    "backprop_tutor.stepper",
    js=(HERE / "stepper.js").read_text(encoding="utf-8"),
    css=(HERE / "stepper.css").read_text(encoding="utf-8"),
    html='<noscript>JavaScript is needed to step through the trace.</noscript>',
)
KEY = "stepper"
# NOTE: a preset's data is 20-100 kB, a window of the largest trace about 1.5 MB.
PAYLOADS = ByteLRU("stepper payloads", memo.STEPPER_BUDGET, sizeof=lambda value: sys.getsizeof(value[1]) + 256)


def katex_base() -> str:
    """Where the app serves KaTeX (static/katex, `server.enableStaticServing`), under any base URL path."""
    base = str(st_config.get_option("server.baseUrlPath") or "").strip("/")
    return "/" + (base + "/" if base else "") + "app/static/katex/"


def payload(trace: Trace, opts: RenderOptions, window: stepper_data.Window, view: str = "trace") -> tuple[str, str]:
    """(fingerprint, JSON) of the stepper's data; cached per trace, options, view and window, bounded by bytes."""
    return PAYLOADS.get_or_make((ident(trace), opts, view, window), lambda: _make_payload(trace, opts, window, view))


def _make_payload(trace: Trace, opts: RenderOptions, window: stepper_data.Window, view: str) -> tuple[str, str]:
    # a note's view (ViewSteps); any other network in the engine's order, without a wrapper per step
    steps = render_trace(trace, opts) if view == "trace" else render_view(trace, opts, view)
    text = stepper_data.encode(stepper_data.build(trace, steps, opts, window))
    return stepper_data.fingerprint(text), text


def _report(name: str) -> dict | None:
    """The browser's report `name` ({"seq", "n", ...}), or None when it was made before the server last moved the
    learner (a report made under an older `seq` must not undo that move) or is malformed."""
    ss = st.session_state
    value = (ss.get(KEY) or {}).get(name)
    if not isinstance(value, dict) or value.get("seq") != ss.get("_stepper_seq"):
        return None
    return value


def _reported() -> None:
    """The browser says where the learner is (after a pause in stepping)."""
    value = _report("step")
    step_id = value.get("id") if value else None
    if isinstance(step_id, str) and state.has_step(state.current_trace(), step_id):
        state.set_step(step_id)
        st.session_state["_stepper_reported"] = step_id


def _filled() -> None:
    """Fill-in mode: the learner answered, revealed or started again (ui/fillin.py marks it)."""
    ss = st.session_state
    fillin.submitted(state.current_trace(), (ss.get(KEY) or {}).get("fill"), ss.get("_stepper_seq"))


def _wanted() -> None:
    """The browser is near the edge of the window it was sent (a very long trace): centre a window there."""
    value = _report("want")
    pos = value.get("pos") if value else None
    steps = state.steps_of(state.current_trace())
    if isinstance(pos, int) and not isinstance(pos, bool) and 0 <= pos < len(steps):
        state.set_step(steps.ids[pos])
        st.session_state["_stepper_reported"] = st.session_state["step_id"]


def _server_choice(steps: ViewIndex, pos: int) -> tuple[int, str, int]:
    """(seq, step, position) of the step the server last chose; they change only when the server, not the
    browser, chose it. So a rerun after a report sends an identical element, and Streamlit sends only a
    reference to it instead of the whole trace again."""
    ss = st.session_state
    if ss.get("step_id") != ss.get("_stepper_reported") or "_stepper_sent" not in ss:
        ss["_stepper_seq"] = ss.get("_stepper_seq", 0) + 1
        ss["_stepper_reported"] = ss.get("step_id")
        ss["_stepper_sent"] = (steps.ids[pos], pos)
    seq = ss["_stepper_seq"]
    step_id, position = ss["_stepper_sent"]
    if (position >= len(steps) or steps.ids[position] != step_id) and step_id in steps.positions:
        position = steps.positions[step_id]  # the same step in a new view (the browser finds it by id)
        ss["_stepper_sent"] = (step_id, position)
    return seq, step_id, position


def prepare(text: str, trace: Trace, opts: RenderOptions) -> None:
    """state.prepare's hook: a network whose stepper data cannot be built never becomes current."""
    view = state.view_of(trace.network)
    payload(trace, opts, stepper_data.Window.around(len(noteview.view_index(trace, view)), 0), view)


state.register_preparer(prepare)


@st.fragment
def stepper() -> None:
    """Buttons, phase jumps, the formula, the diagram, the values so far: all in the browser."""
    lang = state.lang()
    opts = state.render_options(lang)
    trace = state.current_trace()
    view = state.view_of(trace.network)
    steps = state.steps_of(trace)
    pos = state.position(trace)
    state.sync_step_url()
    window = stepper_data.Window.around(len(steps), pos)
    try:
        fingerprint, text = payload(trace, opts, window, view)
    except (ValueError, OverflowError) as error:  # NOTE: a number JSON cannot carry (inf, nan): say so, no traceback
        st.error(t("stepper_unshowable", lang, error=type(error).__name__), icon=":material/error:")
        return
    words = stepper_data.words(lang)
    seq, sent_step, sent_position = _server_choice(steps, pos)
    COMPONENT(
        key=KEY,
        data={"payload": text, "fingerprint": fingerprint, "step": sent_step, "position": sent_position,
              "seq": seq, "present": state.presenting(), "katex_base": katex_base(), "words": words,
              "fill": fillin.net_key(state.current_text()) if fillin.on() else None},
        default={"step": None, "want": None, "fill": None},
        on_step_change=_reported,
        on_want_change=_wanted,
        on_fill_change=_filled,
    )
    if fillin.on():
        fillin.show(trace)
    st.html(f'<div class="bt-server-step" hidden data-step-id="{html.escape(steps.ids[pos])}"></div>')
    if not state.presenting():
        st.caption(t("stepper_keys", lang))
        if fillin.on():
            st.caption(t("fill_keys", lang))
