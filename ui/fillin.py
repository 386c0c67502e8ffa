"""Fill-in mode of Step through: the learner types each step's value before it is shown; the server marks it.

The stepper (ui/stepper_component/stepper.js, its fill-in section) asks for the current step's value while the
step is neither answered nor revealed: the formula shows `h_1 = ?`, the diagram, the values table and the steps so
far show no value the learner has not reached. Messages:

browser -> server  the stepper component's state "fill" (ui/stepper.py hands it to `submitted`):
                   {"id": trace step id, "text": what was typed} | {"id", "reveal": true} | {"restart": true},
                   each with the stepper's "seq" and report number "n".
server -> browser  a second, small component (key FILL_KEY, ui/stepper_component/fill.js) whose data is
                   `view()`: the marks of every answer, the revealed steps, the score, and "ack" (the report it
                   answers) with "error" (why the text was not taken). Its script hands the data to the stepper
                   (a window event), so an answer costs a few kB, not the whole trace again.

Marking: all of this network's answers so far go to the self-check's marker (`engine.check.check_answers`), so an
answer that follows from the learner's own earlier wrong one is "carried". Text is parsed by
`engine.numbers.parse_number` (never evaluated). Per session and network: at most one answer per step, each at
most MAX_TEXT characters, at most MAX_FILLED answers and reveals; the answers of the last MAX_NETWORKS networks are
kept.
"""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path

import streamlit as st

from engine import Trace
from engine.check import Answer, check_answers
from engine.numbers import parse_number
from ui import state, stepper_data
from ui.i18n import t, t_plain

MAX_TEXT = 40  # characters of one typed value
MAX_FILLED = 500  # answers and reveals per network (every preset has at most 232 steps); each answer marks them all
MAX_NETWORKS = 4  # networks whose answers a session keeps
FILL_KEY = "stepper_fill"
HERE = Path(__file__).resolve().parent / "stepper_component"
RESULTS = st.components.v2.component(
    "backprop_tutor.stepper_fill",
    js=(HERE / "fill.js").read_text(encoding="utf-8"),
    html="",
)


def on() -> bool:
    return state.filling()


def mode_switch() -> None:
    """The page header's switch (kept across pages, in the URL as ?mode=fill); allowed while presenting."""
    st.toggle(t("fill_mode", state.lang()), key=state.keep("fill_mode", False), on_change=state.remember,
              args=("fill_mode",), help=t("fill_mode_help", state.lang()))


def net_key(config_text: str) -> str:
    """Which network the answers belong to (the stepper's data carries it, so the page never mixes two)."""
    return stepper_data.fingerprint("fill", config_text)


def _entry(key: str) -> dict:
    """This session's answers for network `key` (made empty when new; the network unused longest is forgotten)."""
    nets: dict = st.session_state.setdefault("_fill_nets", {})
    entry = nets.pop(key, None) or {"answers": {}, "revealed": [], "epoch": 0}
    while len(nets) >= MAX_NETWORKS:
        nets.pop(next(iter(nets)))
    nets[key] = entry
    return entry


def _reply() -> dict:
    return st.session_state.setdefault("_fill_reply", {"ack": None, "k": 0, "error": None})


def parse(text: str, lang: str) -> tuple[float | None, str | None]:
    """(value, None) for a number the learner typed; (None, why not) otherwise, in plain text."""
    stripped = text.strip()
    if not stripped:
        return None, t_plain("fill_empty", lang)
    if len(text) > MAX_TEXT:
        return None, t_plain("fill_too_long", lang, n=len(text), limit=MAX_TEXT)
    try:
        return parse_number(stripped), None
    except ValueError:
        try:
            finite = math.isfinite(float(stripped))
        except ValueError:
            finite = True
        return None, t_plain("fill_not_number" if finite else "fill_not_finite", lang, text=stripped)


def _is_step(trace: Trace, ident: object) -> bool:
    """A computed step of `trace` (givens are not asked)."""
    if not isinstance(ident, str) or len(ident) > 200:
        return False
    try:
        trace.position(ident)
    except KeyError:
        return False
    return True


def submitted(trace: Trace, value: object, seq: object) -> None:
    """Handle the browser's fill report `value` (made under `seq`). Anything malformed, stale or about no step of
    `trace` is ignored, and bad text gets one message; the answers so far stay."""
    if not on() or not isinstance(value, dict):
        return
    reply = _reply()
    n = value.get("n")
    reply.update(ack=n if isinstance(n, int) and not isinstance(n, bool) else None, k=reply["k"] + 1, error=None)
    if value.get("seq") != seq:  # made before the server last moved the learner: void
        return
    net = net_key(state.current_text())
    entry = _entry(net)
    if value.get("restart") is True:
        entry.update(answers={}, revealed=[], epoch=entry["epoch"] + 1)
        return
    step_id = value.get("id")
    if not _is_step(trace, step_id) or step_id in entry["answers"] or step_id in entry["revealed"]:
        return  # no such step, or answered already: one answer per step
    lang = state.lang()
    reveal, text = value.get("reveal") is True, value.get("text")
    if not reveal and not isinstance(text, str):
        return
    _, problem = (None, None) if reveal else parse(text, lang)
    if problem is None and len(entry["answers"]) + len(entry["revealed"]) >= MAX_FILLED:
        problem = t_plain("fill_too_many", lang, limit=MAX_FILLED)
    if problem is not None:
        reply["error"] = {"id": step_id, "text": problem}
    elif reveal:
        entry["revealed"].append(step_id)
    else:
        entry["answers"][step_id] = text.strip()
        try:
            _marks(trace, net, entry, lang)
        except Exception as err:  # noqa: BLE001 - never a traceback: the answer is not kept, the learner is told
            del entry["answers"][step_id]
            reply["error"] = {"id": step_id, "text": t_plain("fill_unmarkable", lang, kind=type(err).__name__)}


def _marks(trace: Trace, net: str, entry: dict, lang: str) -> tuple[dict, dict]:
    """(results by step id, score) of the answers in `entry` (network `net`), marked together; cached per session
    until they or the language change."""
    ss = st.session_state
    key = (net, tuple(entry["answers"].items()), lang)
    cached = ss.get("_fill_marks")
    if cached is not None and cached[0] == key:
        return cached[1], cached[2]
    answers = [Answer(step_id, text, parse_number(text), step_id) for step_id, text in entry["answers"].items()]
    report = check_answers(trace, answers, lang=lang)
    results = {}
    for r in report.results:
        results[r.id] = {"verdict": r.verdict, "given": entry["answers"].get(r.id, r.text)}
        if r.verdict != "correct":  # NOTE: a correct answer's explanation is the formula the page now shows
            results[r.id].update(mistake=r.mistake, explanation=r.explanation)
    counts = Counter(r["verdict"] for r in results.values())
    score = {"correct": counts["correct"], "carried": counts["carried"], "wrong": counts["wrong"]}
    extra = report.score if isinstance(report.score, dict) else {}
    if isinstance(extra.get("marks"), int) and isinstance(extra.get("out_of"), int):  # the marker's own score
        score.update(marks=extra["marks"], out_of=extra["out_of"])
    ss["_fill_marks"] = (key, results, score)
    return results, score


def view(trace: Trace) -> dict:
    """What the browser gets: this network's marks, revealed steps, score, and the answer to its last report."""
    lang = state.lang()
    key = net_key(state.current_text())
    entry = _entry(key)
    try:
        results, score = _marks(trace, key, entry, lang)
    except Exception:  # noqa: BLE001 - marked before (submitted); only a changed marker could fail here
        results, score = {}, {"correct": 0, "carried": 0, "wrong": 0}
    reply = _reply()
    return {"net": key, "epoch": entry["epoch"], "results": results, "revealed": list(entry["revealed"]),
            "score": {**score, "revealed": len(entry["revealed"]), "total": len(trace)},
            "ack": reply["ack"], "k": reply["k"], "error": reply["error"]}


def show(trace: Trace) -> None:
    """The marks for the browser, in their own small element (the stepper's own data is not sent again)."""
    RESULTS(key=FILL_KEY, data=view(trace))
