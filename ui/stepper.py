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

from engine import Trace, memo
from engine.memo import ByteLRU, ident
from engine.render import RenderOptions, render_trace
from ui import state, stepper_data
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


def payload(trace: Trace, opts: RenderOptions, window: stepper_data.Window) -> tuple[str, str]:
    """(fingerprint, JSON) of the stepper's data; cached per trace, options and window, bounded by bytes."""
    return PAYLOADS.get_or_make((ident(trace), opts, window), lambda: _make_payload(trace, opts, window))


def _make_payload(trace: Trace, opts: RenderOptions, window: stepper_data.Window) -> tuple[str, str]:
    rendered = render_trace(trace, opts)
    text = stepper_data.encode(stepper_data.build(trace, rendered, opts, window))
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


def _wanted() -> None:
    """The browser is near the edge of the window it was sent (a very long trace): centre a window there."""
    value = _report("want")
    pos = value.get("pos") if value else None
    trace = state.current_trace()
    if isinstance(pos, int) and not isinstance(pos, bool) and 0 <= pos < len(trace):
        state.set_step(trace.steps[pos].id)
        st.session_state["_stepper_reported"] = st.session_state["step_id"]


def _server_choice(trace: Trace, pos: int) -> tuple[int, str, int]:
    """(seq, step, position) of the step the server last chose; they change only when the server, not the
    browser, chose it. So a rerun after a report sends an identical element, and Streamlit sends only a
    reference to it instead of the whole trace again."""
    ss = st.session_state
    if ss.get("step_id") != ss.get("_stepper_reported") or "_stepper_sent" not in ss:
        ss["_stepper_seq"] = ss.get("_stepper_seq", 0) + 1
        ss["_stepper_reported"] = ss.get("step_id")
        ss["_stepper_sent"] = (trace.steps[pos].id, pos)
    seq = ss["_stepper_seq"]
    step_id, position = ss["_stepper_sent"]
    return seq, step_id, position


def prepare(text: str, trace: Trace, opts: RenderOptions) -> None:
    """state.prepare's hook: a network whose stepper data cannot be built never becomes current."""
    payload(trace, opts, stepper_data.Window.around(len(trace), 0))


state.register_preparer(prepare)


@st.fragment
def stepper() -> None:
    """Buttons, phase jumps, the formula, the diagram, the values so far: all in the browser."""
    lang = state.lang()
    opts = state.render_options(lang)
    trace = state.current_trace()
    pos = state.position(trace)
    state.sync_step_url()
    window = stepper_data.Window.around(len(trace), pos)
    try:
        fingerprint, text = payload(trace, opts, window)
    except (ValueError, OverflowError) as error:  # NOTE: a number JSON cannot carry (inf, nan): say so, no traceback
        st.error(t("stepper_unshowable", lang, error=type(error).__name__), icon=":material/error:")
        return
    words = stepper_data.words(lang)
    seq, sent_step, sent_position = _server_choice(trace, pos)
    COMPONENT(
        key=KEY,
        data={"payload": text, "fingerprint": fingerprint, "step": sent_step, "position": sent_position,
              "seq": seq, "present": state.presenting(), "katex_base": katex_base(), "words": words},
        default={"step": None, "want": None},
        on_step_change=_reported,
        on_want_change=_wanted,
    )
    st.html(f'<div class="bt-server-step" hidden data-step-id="{html.escape(trace.steps[pos].id)}"></div>')
    if not state.presenting():
        st.caption(t("stepper_keys", lang))
