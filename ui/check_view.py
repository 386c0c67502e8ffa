"""The check page's parts: the learner's answers (pasted or per field), the marks, the notes' slips.

No math here: every verdict, value, explanation and LaTeX line comes from engine.check and engine.render.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from engine import PHASES, ConfigError, Trace, list_presets, load_preset, memo, parse_number, preset_ids
from engine.check import (
    MISTAKE_INFO,
    MODES,
    Answer,
    CheckReport,
    Names,
    Result,
    check_answers,
    check_printed,
    names_of,
    parse_answer_lines,
    words,
)
from engine.render import RenderOptions, format_value, render_trace
from ui import diagram, display, safe, state
from ui.i18n import LANGS, t, t_plain

CURRENT = "current"  # the chk_preset option for the network on the Step-through page
MAX_PROBLEMS = 20  # problems listed (the rest counted): a long hostile paste gives a short message
BIG = 40  # steps: beyond this the fields show only what a hand calculation usually writes down


# --- the network, its names and its fields (cached per config text) --------------------------------------

@dataclass(frozen=True)
class Field:
    """One step as a field: its id, phase, the name a learner types, its LaTeX symbol, and whether it is one
    of the numbers a hand calculation usually writes down."""

    id: str
    phase: str
    name: str
    symbol: str
    usual: bool


# NOTE: every cache here is byte-bounded (engine.memo): state.UI_CACHE, keyed by (what, config text, ...).

def preset_text(preset_id: str) -> str:
    return state.UI_CACHE.get_or_make(("preset_text", preset_id), lambda: state.config_text_of(load_preset(preset_id)))


def names_for(config_text: str) -> Names:
    """The learner's names of a trace (engine.check caches them per trace, within memo.NAMES_BUDGET)."""
    return names_of(state.trace_for(config_text))


def _usual(trace: Trace, names: Names, step) -> bool:
    q, last = step.quantity, len(trace.network.layers)
    if step.phase == "check":
        wanted = q == "loss_after"
    else:
        wanted = q in ("z", "a", "sample_loss", "loss", "delta", "new_w", "new_b") or \
            (q == "dE_da" and step.layer == last) or (q in ("dE_dw", "dE_db") and step.sample is None)
    if not wanted:
        return False
    try:  # where two steps share a name (z and a of a linear neuron), keep the one the name means
        return names.resolve(names.display(step.id)) == step.id
    except ValueError:
        return True


def fields_for(config_text: str) -> tuple[Field, ...]:
    def make() -> tuple[Field, ...]:
        trace = state.trace_for(config_text)
        names = names_for(config_text)
        symbols = {r.id: r.symbol for r in render_trace(trace)}
        return tuple(Field(s.id, s.phase, names.display(s.id), symbols[s.id], _usual(trace, names, s))
                     for s in trace.steps)

    return state.UI_CACHE.get_or_make(("fields", config_text), make)


def accepted_names(config_text: str) -> pd.DataFrame:
    """Every given and step with its name (the givens first), for the list of names a learner may use."""
    def make() -> pd.DataFrame:
        trace = state.trace_for(config_text)
        names = names_for(config_text)
        rows = [(names.display(g), g, "") for g in trace.givens]
        rows += [(names.display(s.id), s.id, s.phase) for s in trace.steps]
        return pd.DataFrame(rows, columns=["name", "id", "phase"])

    return state.UI_CACHE.get_or_make(("accepted_names", config_text), make)


def chains(config_text: str) -> tuple[dict[str, tuple[str, ...]], dict[str, str]]:
    """Each step's chain links and phase, for the diagram's highlight."""
    return state.chains_for(config_text)


# --- choosing the network --------------------------------------------------------------------------------

def network_options() -> list[str]:
    edited = st.session_state.get("source") in ("edited", "upload", "exercise")  # not a preset's own numbers
    return [*preset_ids(), *((CURRENT,) if edited else ())]


def network_label(option: str, lang: str) -> str:
    if option == CURRENT:
        how = t({"upload": "uploaded", "exercise": "chk_exercise"}.get(st.session_state.get("source"), "edited"), lang)
        return t("chk_current", lang, how=how)
    return display.preset_title(option, lang)


def _network_chosen(options: list[str]) -> None:
    if st.session_state["chk_preset"] not in options:  # a stale label after a language change
        st.session_state["chk_preset"] = state.stored("chk_preset")
        return
    state.remember("chk_preset")


def choose_network(lang: str) -> str:
    """The network selectbox; returns the config text of the chosen network."""
    ss = st.session_state
    options = network_options()
    default = CURRENT if CURRENT in options else ss.get("preset_id", state.DEFAULT_PRESET)
    state.keep("chk_preset", default)
    if state.stored("chk_preset") not in options:  # the edited network is gone (reset to its preset)
        state.put("chk_preset", default)
    if ss.get("_chk_lang") != lang:  # the options' labels changed: send the value again (see state.TRANSLATED)
        ss["_chk_lang"] = lang
        ss["chk_preset"] = state.stored("chk_preset")
    st.selectbox(t("chk_network", lang), options, format_func=lambda o: network_label(o, lang), key="chk_preset",
                 on_change=_network_chosen, args=(options,), help=t("chk_network_help", lang))
    chosen = state.stored("chk_preset")
    return state.current_text() if chosen == CURRENT else preset_text(chosen)


# --- entering numbers ------------------------------------------------------------------------------------

def escape_md(text: str) -> str:
    """Plain text for st.markdown: names like `z_h1[1]` or `a*` stay as written (see ui.safe.text)."""
    return safe.text(text)


def paste_box(config_text: str, lang: str) -> None:
    names = names_for(config_text)
    placeholder = "\n".join(f"{name} = …" for name in names.examples()[:4])
    st.text_area(t("chk_paste_label", lang), key=state.keep("paste", ""), height=220, placeholder=placeholder,
                 on_change=state.remember, args=("paste",), help=t("chk_paste_help", lang))
    table = accepted_names(config_text)
    with st.expander(t("chk_names", lang, n=len(table)), icon=":material/list:"):
        st.markdown(t("chk_names_intro", lang))
        shown = table.rename(columns={"name": t("col_name", lang), "id": t("step_id", lang),
                                      "phase": t("col_phase", lang)})
        shown[t("col_phase", lang)] = [t(f"phase_{p}", lang) if p else "" for p in table["phase"]]
        st.dataframe(shown, hide_index=True, height=300, key="names_table")


def shown_fields(config_text: str) -> list[Field]:
    fields = fields_for(config_text)
    if len(fields) <= BIG or st.session_state.get("_chk_all_steps"):
        return list(fields)
    return [f for f in fields if f.usual]


def field_inputs(config_text: str, lang: str) -> None:
    """A text field per step, grouped by phase (keys `ans_<step id>`)."""
    if len(fields_for(config_text)) > BIG:
        st.toggle(t("chk_all_steps", lang), key=state.keep("chk_all_steps", False), on_change=state.remember,
                  args=("chk_all_steps",), help=t("chk_all_steps_help", lang))
    st.caption(t("chk_fields_intro", lang))
    fields = shown_fields(config_text)
    for phase in PHASES:
        group = [f for f in fields if f.phase == phase]
        if not group:
            continue
        with st.expander(f"{t(f'phase_{phase}', lang)} ({len(group)})", expanded=phase == "forward"):
            columns = st.columns(4)
            for i, f in enumerate(group):
                key = f"ans_{f.id}"
                with columns[i % 4]:
                    st.text_input(f"${f.symbol}$ · {escape_md(f.name)}", key=state.keep(key, ""),
                                  on_change=state.remember, args=(key,), help=f"{t('step_id', lang)}: `{f.id}`")


def _tolerance_changed() -> None:
    st.session_state["_tolerance"] = st.session_state["tolerance"]


def tolerance_input(lang: str) -> None:
    """Off (empty) by default; kept across page switches like the other inputs."""
    ss = st.session_state
    if "tolerance" not in ss and ss.get("_tolerance") is not None:
        ss["tolerance"] = ss["_tolerance"]
    st.number_input(t("chk_tolerance", lang), min_value=0.0, value=None, step=0.001, format="%g", key="tolerance",
                    placeholder=t("chk_tolerance_off", lang), on_change=_tolerance_changed,
                    help=t("chk_tolerance_help", lang), width=220)


def accept_input(lang: str) -> None:
    """What a number may read as: rounded or cut off at the digits written, or that with the last digit ±1."""
    st.selectbox(t("chk_accept", lang), MODES, format_func=lambda m: t_plain(f"chk_accept_{m}", lang),
                 key=state.keep("chk_accept", MODES[0]), on_change=state.remember, args=("chk_accept",),
                 help=t("chk_accept_help", lang), width=260)


def marking_rules(lang: str) -> None:
    """The page's help: how answers are marked, and the mistakes the checker can name (from engine.check's table)."""
    rules = st.expander(t("chk_rules_title", lang), icon=":material/help:", key="chk_rules", on_change="rerun")
    if not rules.open:  # NOTE: drawn only when open: no table built on every rerun of the page
        return
    with rules:
        st.markdown(t("chk_rules_md", lang))
        st.caption(t("chk_models_intro", lang))
        st.dataframe(pd.DataFrame([{t("col_mistake", lang): words(key, "label", lang),
                                    t("col_reproduces", lang): words(key, "reproduces", lang),
                                    t("col_teacher", lang): words(key, "teacher", lang)} for key in MISTAKE_INFO]),
                     hide_index=True, key="models_table",
                     column_config={t("col_mistake", lang): st.column_config.TextColumn(width=200),
                                    t("col_reproduces", lang): st.column_config.TextColumn(width="large"),
                                    t("col_teacher", lang): st.column_config.TextColumn(width="large")})


def current_inputs(config_text: str) -> dict:
    """What the Check button marks: the pasted text, the filled fields shown, the tolerance, what is accepted."""
    ss = st.session_state

    def value(key: str, default):  # the widget's value; its stored copy when the widget is not on the page
        return ss[key] if key in ss else ss.get("_" + key, default)

    fields = {f.id: value(f"ans_{f.id}", "") for f in shown_fields(config_text)}
    return {"config": config_text, "paste": value("paste", ""), "tolerance": value("tolerance", None),
            "mode": value("chk_accept", MODES[0]),
            "fields": {k: v for k, v in fields.items() if v and v.strip()}}


def snapshot(config_text: str) -> None:
    """on_click of Check: mark the answers as they are now (the marks stay until Check is pressed again)."""
    st.session_state["chk_snapshot"] = current_inputs(config_text)


# --- the answers ---------------------------------------------------------------------------------------

def answers_of(inputs: dict, lang: str) -> tuple[list[Answer], list[str]]:
    """The answers in the fields and the pasted lines, and the problems (in `lang`), one per bad entry."""
    trace = state.trace_for(inputs["config"])
    names = names_for(inputs["config"])
    answers: list[Answer] = []
    problems: list[str] = []
    for ident, text in inputs["fields"].items():
        if ident not in trace:
            continue
        try:
            answers.append(Answer(names.display(ident), text.strip(), parse_number(text), ident))
        except ValueError:
            problems.append(t("prob_field", lang, name=names.display(ident), text=text.strip()))
    pasted, engine_problems = parse_answer_lines(inputs["paste"], trace, lang) if inputs["paste"].strip() else ([], [])
    in_fields = {a.id for a in answers}
    for ident in dict.fromkeys(a.id for a in pasted if a.id in in_fields):
        problems.append(t("prob_both", lang, name=names.display(ident)))
    problems += engine_problems
    return answers + pasted, problems


# --- the marks -------------------------------------------------------------------------------------------

def mistake_text(result: Result, names: Names, lang: str) -> str:
    if result.verdict == "carried":
        return t_plain("mistake_carried", lang, sources=", ".join(names.display(i) for i in result.carried_from))
    if result.verdict == "wrong":  # NOTE: for the tables' cells (plain text); the words are engine.check's table
        return words(result.mistake, "label", lang) if result.mistake else t_plain("mistake_none", lang)
    return ""


def results_frame(report: CheckReport, names: Names, lang: str) -> pd.DataFrame:
    opts = RenderOptions(lang=lang)
    rows = [{t("col_name", lang): r.name or names.display(r.id),
             t("col_given", lang): r.text or format_value(r.given, opts),
             t("col_expected", lang): format_value(r.expected, opts),
             t("col_verdict", lang): t(f"verdict_{r.verdict}", lang),
             t("col_mistake", lang): mistake_text(r, names, lang)} for r in report.results]
    return pd.DataFrame(rows, columns=[t(c, lang) for c in ("col_name", "col_given", "col_expected", "col_verdict",
                                                            "col_mistake")])


COLOURS = {"correct": "#007A5A", "carried": "#B86E00", "wrong": "#C0392B"}  # green, amber, red: dark enough on white


def styled(frame: pd.DataFrame, lang: str):
    """The verdict column in colour (the marks ✓ ↪ ✗ say the same without colour)."""
    colour = {t(f"verdict_{v}", lang): c for v, c in COLOURS.items()}
    return frame.style.map(lambda cell: f"color: {colour[cell]}; font-weight: 600" if cell in colour else "",
                           subset=[t("col_verdict", lang)])


def score_line(report: CheckReport, lang: str) -> str:
    """`**8 / 9 marks** — 1 distinct error; 3 carried forward (no further penalty)`: one mark off per distinct error."""
    errors = report.distinct_errors
    line = f"**{t('chk_marks', lang, marks=report.marks, out_of=report.out_of)}** — "
    line += t("chk_errors_none", lang) if not errors else \
        t("chk_errors_one", lang) if errors == 1 else t("chk_errors", lang, n=errors)
    carried = report.score["carried"]
    if carried:
        line += ("；" if lang == "zh" else "; ") + t("chk_carried_free", lang, n=carried)
    return line


def figure_for(config_text: str, ident: str, lang: str) -> dict | None:
    """The diagram at a step (or at the first step using a given) with the step's chain lit up."""
    trace = state.trace_for(config_text)
    fmt = diagram.compact_number  # room for ~7 characters in a circle, as on the step-through page
    if ident in trace.givens:  # a given written wrong: the first step that uses it, with the given lit up
        step = diagram.step_for_selection(trace, ident)
        return None if step is None else diagram.build_figure(trace, step, lang, [ident], fmt=fmt)
    return diagram.build_figure(trace, ident, lang, diagram.chain_ids(*chains(config_text), ident), fmt=fmt)


def explain(report: CheckReport, result: Result, lang: str) -> None:
    """A wrong (or carried) answer: the engine's explanation and the right computation in LaTeX."""
    st.markdown(safe.text(result.explanation, limit=2000))
    latex = report.latex(result)
    if latex:
        st.caption(t("chk_right_computation", lang))
        st.latex(latex)


def marked(config_text: str, answers: tuple[tuple[str, str | None, float, str | None], ...],
           tolerance: float | None, lang: str, mode: str = MODES[0]) -> CheckReport:
    """The marks (a big network's wrong answers take a while to diagnose: once per distinct set of answers).
    A report holds its trace: its size counts the trace's (engine.memo.TRACE_BYTES_PER_STEP) too."""
    def make() -> CheckReport:
        return check_answers(state.trace_for(config_text), [Answer(*a) for a in answers], tolerance=tolerance,
                             lang=lang, mode=mode)

    def size(report: CheckReport) -> int:
        return (memo.deep_sizeof(report.results) + len(state.trace_for(config_text).steps) * memo.TRACE_BYTES_PER_STEP
                + 2 * len(config_text) + memo.deep_sizeof(answers))

    return state.UI_CACHE.get_or_make(("marked", config_text, answers, tolerance, lang, mode), make, size=size)


def results(inputs: dict, lang: str) -> None:
    """The marks of the answers in `inputs`: problems, score, table, the first wrong answer explained."""
    answers, problems = answers_of(inputs, lang)
    if problems:
        with st.container(key="chk_problems"):
            shown = [f"- {safe.text(p)}" for p in problems[:MAX_PROBLEMS]]
            if len(problems) > MAX_PROBLEMS:
                shown.append(f"- … (+{len(problems) - MAX_PROBLEMS})")
            st.warning("\n".join([t("chk_problems", lang), *shown]), icon=":material/error:")
    if not answers:
        if not problems:
            st.info(t("chk_nothing", lang), icon=":material/edit_note:")
        return
    names = names_for(inputs["config"])
    try:
        mode = inputs.get("mode") if inputs.get("mode") in MODES else MODES[0]
        report = marked(inputs["config"], tuple((a.key, a.text, a.value, a.id) for a in answers),
                        inputs["tolerance"], lang, mode)
    except ConfigError as err:  # not expected (every answer here has a step id): say so rather than crash
        st.error(safe.text(str(err)), icon=":material/error:")
        return
    with st.container(key="chk_results"):
        st.subheader(t("chk_results", lang))
        st.markdown(score_line(report, lang))
        st.dataframe(styled(results_frame(report, names, lang), lang), hide_index=True, key="results_table",
                     height=min(38 + 35 * len(report.results), 600),
                     column_config={t("col_mistake", lang): st.column_config.TextColumn(width="large")})
    first = report.first_wrong
    if first is None:
        if report.score["carried"]:
            st.info(t("chk_only_carried", lang), icon=":material/subdirectory_arrow_right:")
        else:
            st.success(t("chk_all_correct", lang), icon=":material/check_circle:")
        return
    with st.container(key="chk_first_wrong"):
        first_wrong(inputs["config"], report, first, names, lang)
    others = [r for r in report.results if r.verdict != "correct"]
    if len(others) > 1:
        with st.expander(t("chk_explain_all", lang, n=len(others)), icon=":material/school:"):
            for r in others:
                with st.container(border=True):
                    st.markdown(f"**{escape_md(r.name or names.display(r.id))}** · "
                                f"{t(f'verdict_{r.verdict}', lang)}")
                    explain(report, r, lang)


def first_wrong(config_text: str, report: CheckReport, first: Result, names: Names, lang: str) -> None:
    """The first wrong answer: what went wrong, the right computation, and where it is in the network."""
    name = first.name or names.display(first.id)
    st.subheader(t("chk_first_wrong", lang, name=name))
    explain(report, first, lang)
    figure = figure_for(config_text, first.id, lang)
    if figure is not None:
        chart_column, caption_column = st.columns([3, 2], vertical_alignment="center")
        with chart_column:
            st.plotly_chart(figure, key="chk_diagram", config={"displayModeBar": False, "staticPlot": True},
                            width="stretch")
        with caption_column:
            st.caption(t("chk_diagram_caption", lang, name=name))


# --- check the notes -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class NoteCheck:
    """A note's printed numbers, marked: one report for the note, one per experiment it describes."""

    id: str
    title: str
    reports: tuple[tuple[str | None, str | None, CheckReport], ...]  # (experiment label, its description, report)

    @property
    def printed(self) -> int:
        return sum(len(r.results) for *_, r in self.reports)

    def count(self, verdict: str) -> int:
        return sum(r.score[verdict] for *_, r in self.reports)

    @property
    def slips(self) -> list[tuple[str | None, str | None, CheckReport, Result]]:
        return [(label, description, report, r) for label, description, report in self.reports
                for r in report.results if r.verdict != "correct"]


# NOTE: st.cache_resource is bounded here by what can be asked: one entry per language (2), for the presets
@st.cache_resource(max_entries=len(LANGS), show_spinner=False)
def note_checks(lang: str) -> tuple[NoteCheck, ...]:
    """check_printed for every preset of a note, and for each experiment it records."""
    out = []
    for preset in list_presets():
        if not preset.get("source"):
            continue
        network = load_preset(preset["id"])
        reports = [(None, None, check_printed(network, lang=lang))]
        for i, experiment in enumerate(network.meta.get("experiments") or []):
            description = experiment.get("description")
            if isinstance(description, dict):
                description = description.get(lang) or description.get("en")
            reports.append((f"{t('notes_experiment', lang)} {i + 1}", description,
                            check_printed(network, experiment=i, lang=lang)))
        title = preset["title_zh"] if lang == "zh" and preset.get("title_zh") else preset["title"]
        out.append(NoteCheck(preset["id"], title, tuple(reports)))
    return tuple(out)


def note_summary(note: NoteCheck, lang: str) -> str:
    if not note.printed:
        return t("notes_empty", lang, note=note.id)
    slips = len(note.slips)
    if not slips:
        return t("notes_clean", lang, note=note.id, printed=note.printed)
    kinds = [t(f"chk_score_{v}", lang, n=note.count(v)) for v in ("wrong", "carried") if note.count(v)]
    return t("notes_count_one" if slips == 1 else "notes_count", lang, note=note.id, slips=slips,
             printed=note.printed, kinds=("，" if lang == "zh" else ", ").join(kinds))


def check_the_notes(lang: str) -> None:
    notes = note_checks(lang)
    st.markdown(t("notes_intro", lang))
    st.dataframe(pd.DataFrame([{t("col_note", lang): n.id, t("col_title", lang): n.title,
                                t("col_printed", lang): n.printed, t("col_slips", lang): len(n.slips)}
                               for n in notes]), hide_index=True, key="notes_table",
                 column_config={t("col_printed", lang): st.column_config.NumberColumn(width=120),
                                t("col_slips", lang): st.column_config.NumberColumn(width=100)})
    ids = [n.id for n in notes]
    key = state.keep("notes_preset", ids[0])
    if st.session_state[key] not in ids:
        state.put(key, ids[0])
    st.segmented_control(t("notes_pick", lang), ids, key=key, required=True, on_change=state.remember, args=(key,))
    note = notes[ids.index(state.stored(key))]
    st.markdown(f"**{escape_md(note_summary(note, lang))}**")
    slips = note.slips
    if not slips:
        return
    opts = RenderOptions(lang=lang)
    rows = [{t("col_name", lang): r.name, t("col_note_value", lang): r.text or format_value(r.given, opts),
             t("col_expected", lang): format_value(r.expected, opts),
             t("col_verdict", lang): t(f"verdict_{r.verdict}", lang),
             t("col_mistake", lang): mistake_text(r, names_of(report.trace), lang),
             t("col_where", lang): (f"[{label}] " if label else "") + (r.where or "")}
            for label, _, report, r in slips]
    st.dataframe(styled(pd.DataFrame(rows), lang), hide_index=True, key="slips_table",
                 column_config={t("col_name", lang): st.column_config.TextColumn(width=110),
                                t("col_note_value", lang): st.column_config.TextColumn(width=100),
                                t("col_expected", lang): st.column_config.TextColumn(width=110),
                                t("col_verdict", lang): st.column_config.TextColumn(width=90),
                                t("col_mistake", lang): st.column_config.TextColumn(width=210),
                                t("col_where", lang): st.column_config.TextColumn(width="large")})
    for label, description, report, r in slips:
        where = (f"{label}: " if label else "") + (r.where or r.name)
        with st.container(border=True):
            st.markdown(f"**{escape_md(r.name)}** · {t(f'verdict_{r.verdict}', lang)} — {escape_md(where)}")
            if description:
                st.caption(escape_md(description))
            explain(report, r, lang)
