"""The Practice page's parts (pages/practice.py): choose an exercise, open it in Step through, print or download its
worksheet and answer key, make a class pack.

Every sheet comes from engine.worksheet.class_pack (one student, or a class): made when it is shown, or when a
download button is clicked (st.download_button(data=callable): Streamlit runs the callable in a thread of its own,
so the page never waits for a pack), and cached in state.UI_CACHE (bounded by bytes). A pack of more than one
student is made one at a time for the whole server and is bounded: at most MAX_PACK students (engine.limits) and
MAX_PACK_STEPS steps in all; the browser prints at most PRINT_MAX_STUDENTS students and PRINT_MAX_STEPS steps.

Names and the assignment word are printed through engine.worksheet's escaping and reach the page through ui.safe
(safe.math_markdown for the sheets, safe.plain for the table of names, safe.text in messages).
"""

from __future__ import annotations

import sys
import threading
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit, urlunsplit

import pandas as pd
import streamlit as st

from engine import ConfigError, Network, compute_trace, load_preset, memo, preset_ids
from engine.exercise import EXERCISE_VERSION, MAX_SEED, config_json, seed_for, student_text
from engine.limits import MAX_PACK, MAX_STUDENT_NAME_CHARS
from engine.render import RenderOptions
from engine.worksheet import DEFAULT_DECIMALS, class_pack, solution_steps
from ui import display, exercises, safe, state
from ui.i18n import t, t_plain

CURRENT = "current"  # the template option for the network on the Step-through page (a network of the learner's)
DECIMALS = (2, 3, 4, 5, 6)
MAX_PACK_STEPS = 50_000  # students x steps of one solution: 200 of every preset (softmax_ce_2_3_3: 232 steps)
PRINT_MAX_STUDENTS = 40  # students the browser prints at once (a class); more: download the pack
PRINT_MAX_STEPS = 8_000  # ... and steps in all (one sheet of a network larger than this: download it)
PACK_WAIT_S = 120  # a pack waits this long for the one before it, then its download fails (the browser waits 180 s)
PACK_CACHE_BYTES = 8 * memo.MB  # a pack kept for its other button (sheets, keys) at most this large
NAMES_MAX_CHARS = MAX_PACK * (MAX_STUDENT_NAME_CHARS + 2)  # the names box: 200 lines of 80 characters
_PACKS = threading.BoundedSemaphore(1)  # packs of several students are made one at a time, whoever asks

PRINT_STYLE = """<style>
.st-key-pr_sheet h1 { font-size: 1.6rem; }
.st-key-pr_sheet h2 { font-size: 1.25rem; }
.st-key-pr_sheet h3 { font-size: 1.05rem; }
@media print {
  [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stExpandSidebarButton"],
  header[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"],
  [data-testid="stStatusWidget"], .st-key-pr_toolbar { display: none !important; }
  html, body, .stApp, [data-testid="stAppViewContainer"], [data-testid="stMain"],
  [data-testid="stMainBlockContainer"] { overflow: visible !important; height: auto !important;
                                         position: static !important; }
  [data-testid="stMainBlockContainer"] { padding: 0 !important; max-width: 100% !important; }
  .st-key-pr_sheet hr { break-after: page; border: 0; margin: 0; height: 0; }
  .st-key-pr_sheet .katex-display, .st-key-pr_sheet p { break-inside: avoid; }
  .st-key-pr_sheet h1, .st-key-pr_sheet h2, .st-key-pr_sheet h3 { break-after: avoid; }
}
</style>"""

PRINT_BUTTON = st.components.v2.component(
    "backprop_tutor.print_button",
    html="",
    css=""".bt-print { font: inherit; min-height: 2.5rem; padding: 0.25rem 0.75rem; border-radius: 0.5rem;
  border: 1px solid rgba(49, 51, 63, 0.2); background: transparent; color: inherit; cursor: pointer; }
.bt-print:hover, .bt-print:focus-visible { border-color: #ff4b4b; color: #ff4b4b; }""",
    js="""export default function (component) {
  const { parentElement, data } = component;
  let button = parentElement.querySelector("button.bt-print");
  if (!button) {
    button = document.createElement("button");
    button.type = "button";
    button.className = "bt-print";
    button.addEventListener("click", () => window.print());
    parentElement.appendChild(button);
  }
  button.textContent = (data && data.label) || "Print";
}""",
)


# --- the documents ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Job:
    """Sheets to make: a template (a preset id, or a network's config text), the students (seeds, or names whose
    seeds come from `assignment`, as class_pack takes them), and the options."""

    template: str
    students: tuple[int | str, ...]
    assignment: str = ""
    decimals: int = DEFAULT_DECIMALS
    mul: str = "times"

    def cache_key(self, fmt: str, lang: str) -> tuple:
        return ("worksheets", exercises.cache_name(self.template), self.students, self.assignment, self.decimals,
                self.mul, fmt, lang)


def template_of(key: str) -> str | Network:
    """A template key (a preset id or a config text) as engine.exercise takes it."""
    return key if key in preset_ids() else state.network_for(key)


def documents(job: Job, fmt: str, lang: str) -> tuple[str, str]:
    """(every sheet, every answer key) of `job` in `fmt` (markdown or latex). A pack of several students waits for
    the one being made (at most PACK_WAIT_S), and is kept only up to PACK_CACHE_BYTES (200 students of a large
    preset are 20 MB: made again rather than push the check page's entries out of state.UI_CACHE). Runs in a
    download's thread too: no Streamlit in here."""
    def build():
        return class_pack(template_of(job.template), list(job.students), assignment=job.assignment, fmt=fmt,
                          lang=lang, decimals=job.decimals, mul=job.mul)

    key = job.cache_key(fmt, lang)
    if len(job.students) == 1:
        return state.UI_CACHE.get_or_make(key, build)
    made = state.UI_CACHE.get(key)
    if made is not None:
        return made
    if not _PACKS.acquire(timeout=PACK_WAIT_S):
        raise TimeoutError("another class pack is being made; try again in a minute")
    try:
        made = state.UI_CACHE.get(key)  # made while this one waited (the other button of the same pack)
        if made is None:
            made = build()
            size = sys.getsizeof(made[0]) + sys.getsizeof(made[1])
            if size <= PACK_CACHE_BYTES:
                state.UI_CACHE.put(key, made, size=size)
        return made
    finally:
        _PACKS.release()


# --- choosing the exercise -------------------------------------------------------------------------------------

def _custom() -> bool:
    """Whether the network on Step through is the learner's own (edited, opened from a file, or an exercise of one)."""
    info = exercises.current()
    return st.session_state.get("source") in ("edited", "upload") or bool(info and not info["template"])


def _current_label(lang: str) -> str:
    how = {"upload": "uploaded", "edited": "edited"}.get(st.session_state.get("source"), "pr_current_exercise")
    return t_plain("pr_current", lang, how=t_plain(how, lang))


def choose_template(lang: str) -> str:
    """The template select; returns the chosen template's key (a preset id, or the current network's config text)."""
    options = [*preset_ids(), *((CURRENT,) if _custom() else ())]
    info = exercises.current()
    default = CURRENT if CURRENT in options else (info or {}).get("template") or st.session_state.get(
        "preset_id", state.DEFAULT_PRESET)
    state.keep("pr_template", default)
    if state.stored("pr_template") not in options:  # the learner's network is gone (a preset chosen since)
        state.put("pr_template", default)
    mine = _current_label(lang)
    st.selectbox(t("pr_template", lang), options, key="pr_template",
                 format_func=lambda o: mine if o == CURRENT else display.preset_title(o, lang),
                 on_change=state.remember, args=("pr_template",), help=t("pr_template_help", lang))
    chosen = state.stored("pr_template")
    return state.current_text() if chosen == CURRENT else chosen


def _new_seed() -> None:
    state.put("pr_seed", exercises.random_seed())


def choose_numbers(lang: str) -> tuple[int, str | None, str] | None:
    """Seed, or a student's name or ID and an assignment word; returns (seed, name or None, assignment), or None
    (and says why) when the name cannot be used."""
    info = exercises.current() or {"seed": None, "name": None, "assignment": ""}  # defaults: the current exercise's
    st.segmented_control(t("pr_by", lang), ("seed", "name"), format_func=lambda o: t_plain(f"pr_by_{o}", lang),
                         required=True, key=state.keep("pr_by", "name" if info["name"] else "seed"),
                         on_change=state.remember, args=("pr_by",))
    if state.stored("pr_by") == "seed":
        with st.container(horizontal=True, vertical_alignment="bottom"):
            seed = st.number_input(t("pr_seed", lang), min_value=0, max_value=MAX_SEED, step=1, width=260,
                                   key=state.keep("pr_seed", exercises.random_seed() if info["seed"] is None
                                                  else info["seed"]),
                                   on_change=state.remember, args=("pr_seed",), help=t("pr_seed_help", lang, limit=MAX_SEED))
            st.button(t("pr_new_seed", lang), key="pr_new", on_click=_new_seed, icon=":material/casino:")
        return int(seed), None, ""
    with st.container(horizontal=True):
        raw_name = st.text_input(t("pr_name", lang), key=state.keep("pr_name", info["name"] or ""),
                                 max_chars=MAX_STUDENT_NAME_CHARS,
                                 on_change=state.remember, args=("pr_name",))
        raw_assignment = st.text_input(t("pr_assignment", lang), key=state.keep("pr_assignment", info["assignment"]),
                                       max_chars=MAX_STUDENT_NAME_CHARS, on_change=state.remember,
                                       args=("pr_assignment",), help=t("pr_assignment_help", lang))
    if not raw_name.strip():
        st.info(t("pr_name_needed", lang), icon=":material/badge:")
        return None
    try:
        name = student_text(raw_name, "name")
        assignment = student_text(raw_assignment, "assignment", empty=True)
    except ConfigError as err:
        st.warning(t("pr_bad_name", lang, error=err.text(lang)), icon=":material/error:")
        return None
    seed = seed_for(name, assignment)
    st.caption(t("pr_name_seed", lang, name=name, seed=seed))
    return seed, name, assignment


def decimals_input(lang: str) -> int:
    return st.selectbox(t("pr_decimals", lang), DECIMALS, key=state.keep("pr_decimals", DEFAULT_DECIMALS),
                        on_change=state.remember, args=("pr_decimals",), width=200)


# --- the exercise chosen ---------------------------------------------------------------------------------------

def template_steps(template: str) -> int:
    """Steps of one solution from `template` (an exercise has its template's: the same shape). A preset's trace
    takes about a millisecond."""
    return len(compute_trace(load_preset(template)) if template in preset_ids() else state.trace_for(template))


def share_link(template: str, seed: int, lang: str) -> str:
    """The link that opens this exercise in Step through, for anyone."""
    query = urlencode({"exercise": template, "seed": seed, "v": EXERCISE_VERSION, "lang": lang})
    url = getattr(st.context, "url", None)
    if not url:
        return f"/?{query}"
    parts = urlsplit(url)
    path = parts.path.rstrip("/")
    path = path[: -len("/practice")] if path.endswith("/practice") else path
    return urlunsplit((parts.scheme, parts.netloc, path + "/", query, ""))


def _open(template: str, seed: int, name: str | None, assignment: str, fill: bool, lang: str) -> None:
    try:
        exercises.start(template_of(template), seed, name, assignment)
    except ConfigError as err:
        st.error(t("pr_failed", lang, error=err.text(lang)), icon=":material/error:")
        return
    except state.Unusable as err:
        st.error(err.message, icon=":material/error:")
        return
    state.put("fill_mode", fill)
    st.switch_page("pages/step_through.py")


def _print(job: Job, key: bool) -> None:
    st.session_state["pr_print"] = {"job": job, "key": key}


def exercise_panel(template: str, numbers: tuple[int, str | None, str], decimals: int, lang: str) -> int | None:
    """The exercise chosen: what it is, open it, print it, download it. Returns its steps (None: no exercise)."""
    seed, name, assignment = numbers
    try:
        text = exercises.exercise_text(template_of(template), seed)
    except ConfigError as err:
        st.error(t("pr_failed", lang, error=err.text(lang)), icon=":material/error:")
        return None
    trace = state.trace_for(text)
    mul = state.display_options()[2]
    lines = len(solution_steps(trace, RenderOptions(lang=lang, decimals=decimals, mul=mul)))
    title = display.network_title(trace.network, lang)
    st.markdown(t("pr_exercise", lang, title=safe.text(title, 200), version=EXERCISE_VERSION, steps=lines))
    job = Job(template, (name,) if name else (seed,), assignment, decimals, mul)
    printable = len(trace) <= PRINT_MAX_STEPS
    with st.container(horizontal=True):
        if st.button(t("pr_open", lang), key="pr_open", type="primary", icon=":material/stairs:"):
            _open(template, seed, name, assignment, False, lang)
        if st.button(t("pr_fill", lang), key="pr_fill", icon=":material/edit_note:"):
            _open(template, seed, name, assignment, True, lang)
        st.button(t("pr_print_sheet", lang), key="pr_print_sheet", on_click=_print, args=(job, False),
                  icon=":material/print:", disabled=not printable)
        st.button(t("pr_print_key", lang), key="pr_print_key", on_click=_print, args=(job, True),
                  icon=":material/key:", disabled=not printable)
    if not printable:
        st.caption(t("pr_sheet_too_large", lang, steps=len(trace), limit=PRINT_MAX_STEPS))
    if template in preset_ids():
        st.caption(t("pr_link", lang))
        st.code(share_link(template, seed, lang), language=None, wrap_lines=True)
    else:
        st.caption(t("pr_link_own", lang))
    stem = f"{template if template in preset_ids() else 'network'}-seed{seed}"
    with st.container(horizontal=True):
        for label, fmt, ext, which, mime in (("pr_dl_sheet_tex", "latex", "tex", 0, "application/x-tex"),
                                             ("pr_dl_sheet_md", "markdown", "md", 0, "text/markdown"),
                                             ("pr_dl_key_tex", "latex", "tex", 1, "application/x-tex"),
                                             ("pr_dl_key_md", "markdown", "md", 1, "text/markdown")):
            st.download_button(t(label, lang), lambda fmt=fmt, which=which: documents(job, fmt, lang)[which],
                               file_name=f"{stem}-{'key' if which else 'worksheet'}.{ext}", mime=mime, key=label,
                               on_click="ignore", icon=":material/download:")
        st.download_button(t("pr_dl_config", lang), lambda: config_json(trace.network), file_name=f"{stem}.json",
                           mime="application/json", key="pr_dl_config", on_click="ignore",
                           icon=":material/data_object:")
    st.caption(t("pr_latex_note", lang))
    return len(trace)


# --- the class pack ----------------------------------------------------------------------------------------------

def parse_names(text: str, lang: str) -> tuple[list[str], list[str]]:
    """The names or IDs of a names box (one a line, blank lines skipped): (names, problems as plain text)."""
    lines = [(i, line) for i, line in enumerate(text[:NAMES_MAX_CHARS].splitlines(), 1) if line.strip()]
    if len(lines) > MAX_PACK:
        return [], [t_plain("pr_pack_too_many", lang, n=len(lines), limit=MAX_PACK)]
    names, problems = [], []
    for i, line in lines:
        try:
            names.append(student_text(line, t_plain("pr_pack_line", lang, n=i)))
        except ConfigError as err:
            problems.append(err.text(lang))
    return names, problems


def _students(lang: str) -> tuple[list[int] | list[str], str, list[str]]:
    """The pack's students (seeds, or names) and assignment word, and the problems with them."""
    by = st.segmented_control(t("pr_pack_by", lang), ("names", "seeds"),
                              format_func=lambda o: t_plain(f"pr_pack_by_{o}", lang), required=True,
                              key=state.keep("pk_by", "names"), on_change=state.remember, args=("pk_by",))
    if by == "seeds":
        with st.container(horizontal=True):
            first = st.number_input(t("pr_pack_first", lang), min_value=0, max_value=MAX_SEED, step=1,
                                    key=state.keep("pk_first", 1), on_change=state.remember, args=("pk_first",))
            count = st.number_input(t("pr_pack_count", lang), min_value=1, max_value=MAX_PACK, step=1,
                                    key=state.keep("pk_count", 30), on_change=state.remember, args=("pk_count",))
        students: list = list(range(int(first), min(int(first) + int(count), MAX_SEED + 1)))
        problems: list[str] = []
    else:
        text = st.text_area(t("pr_pack_names", lang, limit=MAX_PACK), key=state.keep("pk_names", ""),
                            max_chars=NAMES_MAX_CHARS, height=160, on_change=state.remember, args=("pk_names",))
        students, problems = parse_names(text, lang)
    raw = st.text_input(t("pr_assignment", lang), key=state.keep("pk_assignment", ""),
                        max_chars=MAX_STUDENT_NAME_CHARS, on_change=state.remember, args=("pk_assignment",),
                        help=t("pr_assignment_help", lang))
    try:
        assignment = student_text(raw, "assignment", empty=True)
    except ConfigError as err:
        assignment = ""
        problems.append(err.text(lang))
    return students, assignment, problems


def class_pack_panel(template: str, steps: int, decimals: int, lang: str) -> None:
    """Names or a range of seeds, an assignment word -> every sheet and every key, as two downloads (and printed)."""
    st.subheader(t("pr_pack", lang))
    st.caption(t("pr_pack_intro", lang))
    students, assignment, problems = _students(lang)
    fmt = st.segmented_control(t("pr_pack_format", lang), ("latex", "markdown"),
                               format_func={"latex": "LaTeX", "markdown": "Markdown"}.get, required=True,
                               key=state.keep("pk_fmt", "latex"), on_change=state.remember, args=("pk_fmt",))
    most = max(1, min(MAX_PACK, MAX_PACK_STEPS // max(steps, 1)))
    if problems:
        st.warning("\n".join(f"- {safe.text(p, 200)}" for p in problems[:10]), icon=":material/error:")
    elif len(students) > most:
        problems.append("too large")
        st.warning(t("pr_pack_too_large", lang, n=len(students), steps=steps, limit=MAX_PACK_STEPS, most=most),
                   icon=":material/error:")
    if not students and not problems:
        st.caption(t("pr_pack_empty", lang))
    if students and not problems:
        st.caption(t("pr_pack_students", lang, n=len(students)))
        if isinstance(students[0], str):
            with st.expander(t("pr_pack_seeds", lang)):
                st.dataframe(pd.DataFrame({t_plain("pr_col_name", lang): [safe.plain(n, 80) for n in students],
                                           t_plain("pr_col_seed", lang): [seed_for(n, assignment) for n in students]}),
                             hide_index=True, width="stretch", key="pk_table")
    mul = state.display_options()[2]
    job = Job(template, tuple(students), assignment, decimals, mul)
    ext, mime = ("tex", "application/x-tex") if fmt == "latex" else ("md", "text/markdown")
    stem = f"{template if template in preset_ids() else 'network'}-{safe.plain(assignment, 40) or 'class'}"
    stem = "".join(c if c.isalnum() or c in "-_" else "_" for c in stem)  # a file name: no path, no quotes
    disabled = bool(problems) or not students
    printable = min(PRINT_MAX_STUDENTS, PRINT_MAX_STEPS // max(steps, 1))
    with st.container(horizontal=True):
        for label, which in (("pr_pack_sheets", 0), ("pr_pack_keys", 1)):
            st.download_button(t(label, lang), lambda which=which: documents(job, fmt, lang)[which],
                               file_name=f"{stem}-{'keys' if which else 'worksheets'}.{ext}", mime=mime, key=label,
                               on_click="ignore", icon=":material/download:", disabled=disabled)
        for label, key in (("pr_pack_print_sheets", False), ("pr_pack_print_keys", True)):
            st.button(t(label, lang), key=label, on_click=_print, args=(job, key), icon=":material/print:",
                      disabled=disabled or len(students) > printable)
    if not disabled and len(students) > printable:
        st.caption(t("pr_pack_print_limit", lang, limit=printable))


# --- the print view ------------------------------------------------------------------------------------------

def printing() -> bool:
    return bool(st.session_state.get("pr_print"))


def _stop_printing() -> None:
    st.session_state.pop("pr_print", None)


def print_view(lang: str) -> None:
    """Only the sheets (or keys), KaTeX rendered, one student a page; the toolbar is not printed (PRINT_STYLE)."""
    job, key = st.session_state["pr_print"]["job"], st.session_state["pr_print"]["key"]
    with st.container(horizontal=True, vertical_alignment="center", key="pr_toolbar"):
        st.button(t("pr_back", lang), key="pr_back", on_click=_stop_printing, icon=":material/arrow_back:")
        PRINT_BUTTON(key="pr_print_button", data={"label": t_plain("pr_print_now", lang)})
        st.caption(t("pr_print_tip", lang), width="stretch")
    try:
        sheets, keys = documents(job, "markdown", lang)
    except (ConfigError, TimeoutError) as err:
        st.error(safe.text(err.text(lang) if isinstance(err, ConfigError) else str(err)), icon=":material/error:")
        return
    with st.container(key="pr_sheet"):
        st.markdown(safe.math_markdown(keys if key else sheets))
