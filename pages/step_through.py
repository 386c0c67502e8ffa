"""Step through one iteration: choose or build a network, then go step by step (buttons or arrow keys)."""

import streamlit as st

from engine import preset_ids
from engine.export import export
from engine.render import matrix_view
from ui import display, editors, exercises, fillin, safe, state, stepper
from ui.i18n import t

# NOTE: the stepper draws itself (ui/stepper_component/); these only tidy the page around it.
PRESENT_STYLE = """<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stExpandSidebarButton"],
header[data-testid="stHeader"] { display: none !important; }
[data-testid="stMainBlockContainer"] { max-width: 100%; padding: 0.6rem 2.5rem 0.5rem 2.5rem; }
.st-key-header h4 { font-size: max(1.1rem, 2.8vh); padding: 0; }
</style>"""


def _preset_chosen() -> None:
    chosen = st.session_state["sel_preset"]
    if chosen not in preset_ids():  # not one of the options (a stale label): keep the current preset
        st.session_state["sel_preset"] = state.stored("sel_preset")
        return
    state.remember("sel_preset")
    try:
        state.choose_preset(chosen)
    except state.Unusable as problem:  # cannot happen with the shipped presets; never a traceback if it does
        st.toast(problem.message, icon=":material/error:")


def sidebar(lang: str) -> None:
    trace = state.current_trace()
    decimals, significant, mul = state.display_options()
    with st.sidebar:
        st.selectbox(t("preset", lang), preset_ids(), format_func=lambda p: display.preset_title(p, lang),
                     key=state.keep("sel_preset", state.DEFAULT_PRESET), on_change=_preset_chosen,
                     help=t("preset_help", lang))
        view = state.view_of(trace.network)
        if view != "trace":  # a note's network: as in the note, or full detail
            st.segmented_control(t("view", lang), state.VIEWS, format_func=lambda v: t(f"view_{v}", lang),
                                 required=True, key=state.keep("view", "note"), on_change=state.view_chosen,
                                 help=t("view_help", lang))
        st.subheader(t("display", lang))

        def precision_label(p: str) -> str:
            if p == "auto":
                return t("precision_auto", lang)
            return t("precision_decimals" if p[0] == "d" else "precision_significant", lang, n=int(p[1:]))

        st.selectbox(t("precision", lang), state.PRECISIONS, format_func=precision_label,
                     key=state.keep("precision", "auto"), on_change=state.precision_chosen)
        st.segmented_control(t("mul", lang), state.MULS, format_func={"times": "×", "cdot": "·"}.get, required=True,
                             key=state.keep("mul", "times"), on_change=state.remember, args=("mul",))
        st.subheader(t("downloads", lang))
        info = exercises.current()
        name = st.session_state.get("preset_id", "network") if st.session_state.get("source") == "preset" else "network"
        if info and info["template"] and st.session_state.get("source") == "exercise":
            name = f"exercise-{info['template']}-{info['seed']}"
        options = {"lang": lang, "decimals": decimals, "significant": significant, "mul": mul, "view": view}
        for key, fmt, ext, mime in (("dl_markdown", "markdown", "md", "text/markdown"),
                                    ("dl_latex", "latex", "tex", "application/x-tex"),
                                    ("dl_csv", "csv", "csv", "text/csv")):
            st.download_button(t(key, lang), lambda fmt=fmt: export(trace, fmt, **options), file_name=f"{name}.{ext}",
                               mime=mime, key=key, on_click="ignore", icon=":material/download:", width="stretch")
        st.download_button(t("dl_config", lang), state.current_text(), file_name=f"{name}.json",
                           mime="application/json", key="dl_config", on_click="ignore", icon=":material/data_object:",
                           width="stretch")


def header(lang: str) -> None:
    ss = st.session_state
    network = state.network_for(state.current_text())
    title = display.preset_title(ss["preset_id"], lang) if ss.get("base_source") == "preset" else \
        (network.title or ss.get("upload_name", ""))
    title = safe.text(title, 150)  # a preset's title is ours; an upload's (or its file name) is the learner's
    title = exercises.title(lang) or title  # an exercise: its template and seed (a student's name as text)
    if ss.get("source") == "edited":
        title += f" ({t('edited', lang)})"
    elif ss.get("source") == "upload":
        title += f" ({t('uploaded', lang)})"
    with st.container(horizontal=True, vertical_alignment="center", key="header"):
        st.markdown(f"#### {title}", width="stretch")
        state.language_switch()
        fillin.mode_switch()
        state.present_switch()


def description(lang: str) -> None:
    ss = st.session_state
    base = state.base_network()
    text = base.meta.get("description", {})
    if isinstance(text, dict):
        text = text.get(lang) or text.get("en")
    info = exercises.current()
    with st.expander(t("about_example", lang), icon=":material/menu_book:"):
        if info and info["template"]:  # fresh numbers on a template's network: say which, and how to get it again
            st.markdown(t("exercise_about", lang, template=info["template"], seed=info["seed"]))
        if text:
            st.markdown(text if ss.get("base_source") == "preset" else safe.text(text, 2000))
        if base.meta.get("source"):
            st.caption(t("source_note", lang, source=base.meta["source"]))
        if ss.get("source") == "edited":
            st.caption(t("edited_link", lang))


lang = state.page_lang()
presenting = state.presenting()
if presenting:
    st.html(PRESENT_STYLE)
top = st.container()
stepper_slot = st.container()
problems = editors.check_draft(lang)
if not presenting:
    editor = st.expander(t("editor", lang), key="exp_editor", on_change="rerun", icon=":material/tune:")
    if editor.open:
        with editor:
            problems = editors.show(lang)
    matrices = st.expander(t("matrix_view", lang), key="exp_matrix", on_change="rerun", icon=":material/grid_on:")
    if matrices.open:
        with matrices:
            for title, latex in matrix_view(state.current_trace(), state.render_options(lang)):
                st.markdown(f"**{title}**")
                st.latex(latex)
    sidebar(lang)
with top:
    header(lang)
    state.show_notices()
    if not presenting:
        description(lang)
with stepper_slot:
    if problems:
        st.warning(t("bad_input_short", lang), icon=":material/error:")
    stepper.stepper()
