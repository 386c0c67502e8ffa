"""Exercises in the app (issue 12): a template's network with fresh numbers, in the URL as `?exercise=ID&seed=N&v=1`.

An exercise becomes the current network the way a preset or an upload does (state.start_from, source "exercise"),
so it must pass state.prepare. `st.session_state[INFO]` says which exercise it is: `{"template": a preset id, or
None for a network of the learner's own, "seed", "name", "assignment"}` (name and assignment: the student's, when
the seed came from them; shown as text, never as Markdown). While the learner works on an exercise of a preset the
URL holds `exercise`, `seed` and `v` (the exercise format version) instead of `preset`; an exercise of the learner's
own network cannot be put in a link, so the URL keeps the preset, as for an upload.

On a session's first run (state.init) `?exercise=ID` opens an exercise: with `&seed=N`, with `&name=...` (and
`&assignment=...`: the seed is engine.exercise.seed_for's), or alone (a fresh random seed). A bad template, seed or
name gives one notice and the preset instead.
"""

from __future__ import annotations

import hashlib
import secrets

import streamlit as st

from engine import ConfigError, Network, preset_ids
from engine.exercise import EXERCISE_VERSION, MAX_SEED, generate, parse_seed, seed_for, student_text
from engine.worksheet import DEFAULT_DECIMALS
from ui import display, safe, state
from ui.i18n import t

INFO = "exercise_info"
URL_KEYS = ("exercise", "seed", "v", "name", "assignment")


def random_seed() -> int:
    return secrets.randbelow(MAX_SEED + 1)


def cache_name(template: str | Network) -> str:
    """A template in cache keys: a preset's id, or a digest of a network's config text (a key is not counted in a
    cache's bytes: a config text of up to 1 MB must not be one)."""
    text = template if isinstance(template, str) else state.config_text_of(template)
    return text if len(text) <= 64 else hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def exercise_text(template: str | Network, seed: int) -> str:
    """The config text of an exercise, made once per template and seed for every session (ConfigError when the
    template gives none: remembered too, so a network that gives none is not tried again on every run)."""
    def make():
        try:
            return "ok", state.config_text_of(generate(template, seed))
        except ConfigError as err:
            return "error", {"en": err.text("en"), "zh": err.text("zh")}

    kind, value = state.UI_CACHE.get_or_make(("exercise", cache_name(template), seed), make)
    if kind == "error":
        raise ConfigError("", value.get(state.lang(), value["en"]))
    return value


def exercise_network(template: str | Network, seed: int) -> Network:
    return state.network_for(exercise_text(template, seed))


def start(template: str | Network, seed: int, name: str | None = None, assignment: str = "") -> None:
    """Make the exercise of `template` (a preset id or a network) and `seed` the current network, at its first step
    (ConfigError or state.Unusable, and nothing changes, when it cannot be made or shown)."""
    network = exercise_network(template, seed)
    state.start_from(network, "exercise")
    ss = st.session_state
    tid = template if isinstance(template, str) else None
    ss[INFO] = {"template": tid, "seed": seed, "name": name, "assignment": assignment}
    if tid is not None:
        ss["preset_id"] = tid
        state.put("sel_preset", tid)
    if not ss.get("_precision_chosen"):  # the worksheet's precision, until the learner picks one
        state.put("precision", f"d{DEFAULT_DECIMALS}")


def current() -> dict | None:
    """The exercise the current network started from (INFO), or None when it started from a preset or a file."""
    ss = st.session_state
    return ss.get(INFO) if ss.get("base_source") == "exercise" else None


def url_params() -> dict[str, str | None]:
    """What the URL says about the current network: `preset`, or `exercise`, `seed` and `v`; never a name."""
    info = current()
    if info and info["template"]:
        return {"preset": None, "exercise": info["template"], "seed": str(info["seed"]), "v": str(EXERCISE_VERSION),
                "name": None, "assignment": None}
    return {"preset": st.session_state.get("preset_id"), **dict.fromkeys(URL_KEYS)}


def title(lang: str) -> safe.Md | None:
    """The page header for an exercise: `Exercise: <template title> · seed N` (and the student's name, as text)."""
    info = current()
    if info is None:
        return None
    if info["template"]:
        text = t("exercise_title", lang, title=display.preset_title(info["template"], lang), seed=info["seed"])
    else:  # a network of the learner's own: the exercise's title says it all
        base = state.base_network()
        text = safe.text(display.network_title(base, lang), 150)
    if info["name"]:
        text = safe.Md(f"{text} · {safe.text(info['name'], 80)}")
    return text


# --- the URL ---------------------------------------------------------------------------------------------------

def open_from_url(query, fallback: str) -> bool:
    """`?exercise=...` on a session's first run: make it current and return True; or one notice (the caller then
    shows `fallback`, a preset) and False. No `exercise` in the URL: False, and nothing is said."""
    raw = query.get("exercise")
    if raw is None:
        return False
    template = raw.strip()
    if template not in preset_ids():
        state.notice("bad_exercise", value=raw, fallback=fallback)
        return False
    raw_seed, raw_name = query.get("seed"), query.get("name")
    name, assignment = None, ""
    if raw_seed is not None:
        try:
            seed = parse_seed(raw_seed)
        except ConfigError:
            state.notice("bad_seed", value=raw_seed, limit=MAX_SEED, fallback=fallback)
            return False
    elif raw_name is not None:
        try:
            name = student_text(raw_name, "name")
            assignment = student_text(query.get("assignment") or "", "assignment", empty=True)
            seed = seed_for(name, assignment)
        except ConfigError as err:
            state.notice("bad_student", error=err.text(state.lang()), fallback=fallback)
            return False
    else:  # ?exercise=ID alone: fresh numbers (the seed goes into the URL, so a reload keeps them)
        seed = random_seed()
    raw_version = query.get("v")
    if raw_version is not None and raw_version.strip() != str(EXERCISE_VERSION):
        state.notice("bad_exercise_version", value=raw_version, version=EXERCISE_VERSION)
    try:
        start(template, seed, name, assignment)
    except ConfigError as err:
        state.notice("exercise_failed", error=err.text(state.lang()), fallback=fallback)
        return False
    except state.Unusable as err:
        state.notice("exercise_failed", error=safe.Md(err.message), fallback=fallback)
        return False
    return True
