"""Session state, the current network (always the last valid one), and the URL.

The URL holds `?preset=ID&step=STEP&lang=zh|en&present=1` (an exercise: `exercise=ID&seed=N&v=1` instead of
`preset`, ui/exercises.py). It is read once, on a session's first run
(STEP is a step id or a 1-based position); bad values fall back with a notice. After that the session
state is the truth and every run writes it back to the URL, so a link always opens what is on screen.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable

import streamlit as st

from engine import (
    ConfigError,
    Network,
    Trace,
    compute_trace,
    load_preset,
    memo,
    noteview,
    parse_config_text,
    preset_ids,
)
from engine.matrix import matrix_view
from engine.render import RenderOptions, render_trace
from ui import display
from ui.i18n import LANGS, t

DEFAULT_PRESET = "note000"
TRUE = ("1", "true", "yes", "on")
FALSE = ("0", "false", "no", "off")
PRECISIONS = display.PRECISIONS
MULS = ("times", "cdot")


# --- the network and its trace ---------------------------------------------------------------------------

def config_text_of(network: Network) -> str:
    """The engine's JSON for a network: the current network's identity and the trace cache's key."""
    return json.dumps(network.to_config(), ensure_ascii=False, indent=2)


# NOTE: one byte-bounded cache (engine.memo) shared by every session, not st.cache_resource (bounded by
# entries only: 64 largest traces are gigabytes). A Trace is never mutated, and handing out the same object
# lets engine.render reuse what it keeps per trace, which keeps Next fast. Keys: ("trace" | "network", text).
TRACES = memo.ByteLRU("ui.traces", memo.TRACE_BUDGET)
# Per config text: the diagram's chains, the check page's fields, names table and marks.
UI_CACHE = memo.ByteLRU("ui.views", memo.UI_BUDGET)


def trace_for(config_text: str) -> Trace:
    """The trace of a config, computed once per distinct config text (the key) for all sessions."""
    return TRACES.get_or_make(("trace", config_text), lambda: compute_trace(network_for(config_text)),
                              size=lambda trace: len(trace.steps) * memo.TRACE_BYTES_PER_STEP + 2 * len(config_text))


def network_for(config_text: str) -> Network:
    """The (immutable) network of a config text."""
    return TRACES.get_or_make(("network", config_text), lambda: parse_config_text(config_text),
                              size=lambda network: memo.deep_sizeof(network) + 2 * len(config_text))


def chains_for(config_text: str) -> tuple[dict[str, tuple[str, ...]], dict[str, str]]:
    """Each step's rendered chain links and phase (for the diagram's highlight)."""
    def make():
        steps = render_trace(trace_for(config_text))
        return {r.id: r.path_ids for r in steps}, {r.id: r.phase for r in steps}

    return UI_CACHE.get_or_make(("chains", config_text), make)


def render_options(lang: str) -> RenderOptions:
    """The display settings as the engine's RenderOptions."""
    decimals, significant, mul = display_options()
    return RenderOptions(lang=lang, decimals=decimals, significant=significant, mul=mul)


class Unusable(Exception):
    """A network that could not be made current; `message` (Markdown-safe, in the session's language) says why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


_REFUSED = memo.ByteLRU("ui.refused", 1 * memo.MB)  # config text -> why it could not be used (not retried each run)
# More work that shows a network (e.g. the stepper's data for the browser): fn(config_text, trace, options),
# run by prepare() before the network becomes current; whatever it raises refuses the network.
PREPARERS: list[Callable[[str, Trace, RenderOptions], object]] = []


def register_preparer(fn: Callable[[str, Trace, RenderOptions], object]) -> None:
    if fn not in PREPARERS:
        PREPARERS.append(fn)


# NOTE: preparing the largest network the limits allow takes seconds and ~150 MB while it is built (memo.py's
# ceiling counts one). Large networks are prepared one at a time, whoever uploads them: a second waits its turn
# instead of pushing the server past its memory ceiling; small networks (every preset) never wait.
LARGE_NETWORK_WEIGHTS = 2000  # weights x samples above which a network counts as large
_LARGE = threading.BoundedSemaphore(1)


def is_large(network: Network) -> bool:
    weights = sum(len(layer.weights) * len(layer.weights[0]) for layer in network.layers)
    return weights * len(network.samples) > LARGE_NETWORK_WEIGHTS


def prepare(network: Network) -> str:
    """Everything that shows `network`, done before it becomes current: its config text, trace, every step
    rendered with the current options (and the default ones: the check page's and the diagram's), the
    matrix view, the chains, and every registered preparer (PREPARERS). Returns the config text; Unusable
    (one clear message, never a traceback) when any of it fails, and then nothing about the session has changed."""
    if is_large(network):
        with _LARGE:
            return _prepare(network)
    return _prepare(network)


def _prepare(network: Network) -> str:
    lang_now = lang()
    text = None
    try:
        text = config_text_of(network)
        refused = _REFUSED.get((text, lang_now))
        if refused is not None:
            raise Unusable(refused)
        text.encode("utf-8")  # a lone surrogate (JSON "\ud800") cannot go to the browser
        trace = trace_for(text)
        opts = render_options(lang_now)
        render_trace(trace, opts)
        render_trace(trace)
        matrix_view(trace, opts)
        chains_for(text)
        for fn in PREPARERS:
            fn(text, trace, opts)
        return text
    except Unusable:
        raise
    except UnicodeError:
        message = t("unusable_config", lang_now, error=t("unusable_text", lang_now))
    except ConfigError as err:
        message = t("unusable_config", lang_now, error=err.text(lang_now))
    except Exception as err:  # noqa: BLE001 - whatever fails, the learner gets one line and the last network
        message = t("unusable", lang_now, kind=type(err).__name__)
    if text is not None:
        _REFUSED.put((text, lang_now), message, size=len(text) + len(message) + 200)
    raise Unusable(message)


def current_text() -> str:
    return st.session_state["config_text"]


def current_trace() -> Trace:
    return trace_for(current_text())


def base_network() -> Network:
    """The network the editors started from: the chosen preset, or an opened file."""
    return network_for(st.session_state["base_text"])


def use_network(network: Network, source: str | None = None) -> None:
    """Make `network` the current one (Unusable, and nothing changes, when it cannot be shown); the step stays
    where it was when the new trace has it."""
    ss = st.session_state
    text = config_text_of(network)
    if text != ss.get("config_text"):
        text = prepare(network)
    if source:
        ss["source"] = source
    if text == ss.get("config_text"):
        return
    ss["config_text"] = text
    trace = trace_for(text)
    if not has_step(trace, ss.get("step_id")):
        steps = steps_of(trace)
        position = min(ss.get("step_pos", 0), len(steps) - 1)
        ss["step_id"] = steps.ids[position]
        ss["step_pos"] = position


def start_from(network: Network, source: str, step_id: str | None = None) -> None:
    """A new starting point (a preset, a file): the editors reload it, the stepper goes to `step_id` or 1.
    Unusable, and nothing changes, when the network cannot be shown."""
    from ui import editors  # the editors import this module

    text = prepare(network)
    ss = st.session_state
    ss["base_text"] = text
    ss["config_text"] = text
    ss["source"] = ss["base_source"] = source
    ss["draft"] = editors.draft_from_network(network)
    ss["editor_version"] = ss.get("editor_version", 0) + 1
    editors.forget_widgets()
    trace = trace_for(text)
    set_step(step_id if has_step(trace, step_id) else steps_of(trace).ids[0])


def choose_preset(preset_id: str, keep_step: bool = False) -> None:
    ss = st.session_state
    previous = ss.get("preset_id")
    ss["preset_id"] = preset_id
    try:
        start_from(load_preset(preset_id), "preset", ss.get("step_id") if keep_step else None)
    except Unusable:
        if previous is None:  # a session's first network: nothing to fall back to
            raise
        ss["preset_id"] = previous
        raise
    if not ss.get("_precision_chosen"):  # the note's own precision, until the learner picks one
        put("precision", display.default_precision(preset_id))


def precision_chosen() -> None:
    """on_change of the precision select: the learner's choice now outlives preset changes (and is in the URL)."""
    remember("precision")
    st.session_state["_precision_chosen"] = True


# --- the current step ---------------------------------------------------------------------------------

VIEWS = ("note", "full")  # as in the note (a note's own steps and order), full detail (and the tutor's steps)


def view_of(network: Network) -> str:
    """The view the stepper shows: the learner's choice where a note's script applies (as in the note until they
    choose), else `trace`, the engine's own order (callers need not ask noteview again which it is)."""
    if not noteview.has_note_view(network):
        return "trace"
    chosen = st.session_state.get("_view")  # the switch's stored value (kept while the switch is not drawn)
    return chosen if chosen in VIEWS else "note"


def steps_of(trace: Trace) -> noteview.ViewIndex:
    """The ids of what the stepper steps through, in order: the items of the current view of `trace`."""
    return noteview.view_index(trace, view_of(trace.network))


def view_chosen() -> None:
    """on_change of the view switch: stay on the same step, or the nearest one the other view has."""
    remember("view")
    ss = st.session_state
    trace = current_trace()
    set_step(noteview.nearest(trace, ss.get("step_id", ""), view_of(trace.network)))


def has_step(trace: Trace, step_id: str | None) -> bool:
    return isinstance(step_id, str) and step_id in steps_of(trace).positions


def set_step(step_id: str) -> None:
    ss = st.session_state
    ss["step_id"] = step_id
    steps = steps_of(current_trace())
    try:
        ss["step_pos"] = steps.position(step_id)
    except KeyError:
        ss["step_id"] = steps.ids[0]
        ss["step_pos"] = 0


def position(trace: Trace) -> int:
    """The current step's 0-based position in the current view of `trace` (repairing an id it does not have)."""
    ss = st.session_state
    steps = steps_of(trace)
    try:
        return steps.position(ss.get("step_id", ""))
    except KeyError:
        pos = min(max(ss.get("step_pos", 0), 0), len(steps) - 1)
        ss["step_id"], ss["step_pos"] = steps.ids[pos], pos
        return pos


def resolve_step(trace: Trace, text: str) -> str | None:
    """A step from the URL: its id (or the nearest item of the view), or its 1-based position in the view; None
    when there is no such step."""
    text = text.strip()
    steps = steps_of(trace)
    if text in steps.positions:
        return text
    if trace.is_step(text.split("#", 1)[0]):
        return noteview.nearest(trace, text, view_of(trace.network))
    if text.isdigit() and 1 <= int(text) <= len(steps):
        return steps.ids[int(text) - 1]
    return None


# --- widgets whose value outlives the page they are on --------------------------------------------------

def keep(key: str, default) -> str:
    """A widget key whose value survives page switches and hidden widgets (stored under `_key`)."""
    ss = st.session_state
    ss.setdefault("_" + key, default)
    if key not in ss:
        ss[key] = ss["_" + key]
    return key


def remember(key: str) -> None:
    """on_change of a `keep` widget: store its new value."""
    st.session_state["_" + key] = st.session_state[key]


def put(key: str, value) -> None:
    """Set a `keep` widget's value from code (before the widget is drawn in this run)."""
    st.session_state["_" + key] = value
    st.session_state[key] = value


def stored(key: str):
    return st.session_state["_" + key]


def lang() -> str:
    return st.session_state.get("_lang", "en")


def presenting() -> bool:
    return bool(st.session_state.get("_present", False))


def filling() -> bool:
    """Fill-in mode (ui/fillin.py): the learner types each step's value before it is shown."""
    return bool(st.session_state.get("_fill_mode", False))


def display_options() -> tuple[int | None, int | None, str]:
    """(decimals, significant, mul) from the display settings."""
    precision = st.session_state.get("_precision", "auto")
    decimals = int(precision[1:]) if precision.startswith("d") else None
    significant = int(precision[1:]) if precision.startswith("s") else None
    return decimals, significant, st.session_state.get("_mul", "times")


# --- the URL -------------------------------------------------------------------------------------------

def notice(key: str, **fmt) -> None:
    st.session_state.setdefault("notices", []).append((key, fmt))


def show_notices() -> None:
    """The URL's fallbacks, once, in the current language."""
    for key, fmt in st.session_state.pop("notices", []):
        st.warning(t(key, lang(), **fmt), icon=":material/link_off:")


def init() -> str:
    """Idempotent set-up of the session; on its first run, read the URL. Returns the language."""
    ss = st.session_state
    if ss.get("_initialised"):
        return lang()
    ss["_initialised"] = True
    qp = st.query_params
    raw = qp.get("lang")
    chosen = "en"
    if raw is not None:
        if raw.strip().lower() in LANGS:
            chosen = raw.strip().lower()
        else:
            notice("bad_lang", value=raw)
    put("lang", chosen)
    raw = qp.get("present")
    on = False
    if raw is not None:
        if raw.strip().lower() in TRUE:
            on = True
        elif raw.strip().lower() not in FALSE:
            notice("bad_present", value=raw)
    put("present", on)
    raw = qp.get("mode")  # ?mode=fill: fill-in mode
    if raw is not None and raw.strip().lower() not in ("fill", "", "step"):
        notice("bad_mode", value=raw)
    put("fill_mode", raw is not None and raw.strip().lower() == "fill")
    raw = qp.get("precision")
    if raw is not None and display.parse_precision(raw) is None:
        notice("bad_precision", value=raw)
    chosen_precision = display.parse_precision(raw)
    ss["_precision_chosen"] = chosen_precision is not None
    keep("precision", chosen_precision or "auto")
    keep("mul", "times")
    raw = qp.get("preset")
    preset = DEFAULT_PRESET
    if raw is not None:
        if raw.strip() in preset_ids():
            preset = raw.strip()
        else:
            notice("bad_preset", value=raw, fallback=DEFAULT_PRESET)
    put("sel_preset", preset)
    raw = qp.get("view")
    if raw is not None:
        if raw.strip().lower() in VIEWS:
            put("view", raw.strip().lower())
        else:
            notice("bad_view", value=raw)
    from ui import exercises  # it imports this module

    if not exercises.open_from_url(qp, preset):  # ?exercise=ID&seed=N: an exercise instead of the preset
        choose_preset(preset)
    raw = qp.get("step")
    if raw is not None:
        trace = current_trace()
        step = resolve_step(trace, raw)
        if step is None:
            notice("bad_step", value=raw, count=len(steps_of(trace)))  # positions are the view's
        else:
            set_step(step)
    return lang()


def page_lang() -> str:
    """A page script's first call: make sure the session was set up from the URL; returns the language.

    app.py (the router) calls init() before any page runs, except on a fresh server: with a `pages/`
    directory next to app.py, Streamlit starts in its legacy pages-directory mode, where opening
    /check or /about runs pages/check.py or pages/about.py directly, without app.py, until some
    session has called st.navigation (which ends that mode for the whole process). Such a run
    reads the URL here (so `lang`, `present`, `preset`, `step` are honoured) and reruns, now
    through app.py, so the page also gets app.py's page config and navigation.
    """
    if not st.session_state.get("_initialised"):
        init()
        _leave_pages_directory_mode()
        st.rerun()  # through app.py; no loop: the session is initialised now
    return lang()


def _leave_pages_directory_mode() -> None:
    """What st.navigation does first: stop treating pages/ as Streamlit's legacy page directory."""
    try:
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError:  # a Streamlit without that mode: the rerun just runs the page again
        return
    PagesManager.uses_pages_directory = False


def sync_url(**params: str | None) -> None:
    """Write the state to the URL (None removes a parameter); only what changed, so nothing flickers."""
    qp = st.query_params
    for key, value in params.items():
        if value is None:
            if key in qp:
                del qp[key]
        elif qp.get(key) != value:
            qp[key] = value


def sync_step_url() -> None:
    ss = st.session_state
    from ui import exercises  # it imports this module

    sync_url(**exercises.url_params(), step=ss.get("step_id"), lang=lang(), present="1" if presenting() else None,
             mode="fill" if filling() else None,
             view="full" if view_of(current_trace().network) == "full" else None,  # as in the note: a note's default
             precision=ss.get("_precision") if ss.get("_precision_chosen") else None)


# --- the switches every page shows ------------------------------------------------------------------------

# `keep` widgets whose option labels depend on the language (Practice's template, source of numbers, pack source)
TRANSLATED = ("sel_preset", "chk_preset", "precision", "pr_template", "pr_by", "pk_by")


def _language_changed() -> None:
    """A select widget's browser-side value is its label: after a language change, send every translated
    widget its value again, or the old language's label would come back as an unknown option."""
    from ui import editors

    remember("lang")
    for key in TRANSLATED:
        if key in st.session_state and "_" + key in st.session_state:
            st.session_state[key] = st.session_state["_" + key]
    editors.forget_widgets()


def language_switch() -> None:
    from ui.i18n import LANG_NAMES

    st.segmented_control(t("language", lang()), LANGS, format_func=LANG_NAMES.get, required=True,
                         key=keep("lang", "en"), on_change=_language_changed, label_visibility="collapsed")


def present_switch() -> None:
    st.toggle(t("present", lang()), key=keep("present", False), on_change=remember, args=("present",),
              help=t("present_help", lang()))
