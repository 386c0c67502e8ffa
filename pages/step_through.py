"""Step through one iteration: choose or build a network, then go step by step (buttons or arrow keys)."""

import streamlit as st

from engine import load_preset, preset_ids
from engine.export import export
from engine.render import matrix_view
from ui import editors, state, stepper
from ui.i18n import t

STYLE = """<style>
.st-key-formula .katex-display { margin: 0.4rem 0; padding: 0.4rem 0; overflow-x: auto; overflow-y: hidden; }
.st-key-formula .katex { font-size: 1.5em; }
.st-key-caption [data-testid="stMarkdownContainer"] p { font-size: 1.1rem; text-align: center; }
.st-key-caption [data-testid="stAlert"] { text-align: left; max-width: 60rem; margin: 0 auto; }
.bt-step { text-align: center; color: #5B6270; font-size: 0.8rem; }
</style>"""

PRESENT_STYLE = """<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stExpandSidebarButton"],
header[data-testid="stHeader"] { display: none !important; }
[data-testid="stMainBlockContainer"] { max-width: 100%; padding: 1rem 3rem 2rem 3rem; }
.st-key-formula .katex { font-size: 2.2em; }
.st-key-caption [data-testid="stMarkdownContainer"] p { font-size: 1.7rem; line-height: 1.4; }
.st-key-nav button p, .st-key-phases button p { font-size: 1.35rem; }
.st-key-nav [data-testid="stMarkdownContainer"] p { font-size: 1.6rem; }
.bt-step { font-size: 1rem; }
</style>"""


def preset_title(preset_id: str, lang: str) -> str:
    network = load_preset(preset_id)
    if lang == "zh" and network.meta.get("title_zh"):
        return network.meta["title_zh"]
    return network.title or preset_id


def _preset_chosen() -> None:
    chosen = st.session_state["sel_preset"]
    if chosen not in preset_ids():  # not one of the options (a stale label): keep the current preset
        st.session_state["sel_preset"] = state.stored("sel_preset")
        return
    state.remember("sel_preset")
    state.choose_preset(chosen)


def sidebar(lang: str) -> None:
    trace = state.current_trace()
    decimals, significant, mul = state.display_options()
    with st.sidebar:
        st.selectbox(t("preset", lang), preset_ids(), format_func=lambda p: preset_title(p, lang),
                     key=state.keep("sel_preset", state.DEFAULT_PRESET), on_change=_preset_chosen,
                     help=t("preset_help", lang))
        st.subheader(t("display", lang))

        def precision_label(p: str) -> str:
            if p == "auto":
                return t("precision_auto", lang)
            return t("precision_decimals" if p[0] == "d" else "precision_significant", lang, n=int(p[1:]))

        st.selectbox(t("precision", lang), state.PRECISIONS, format_func=precision_label,
                     key=state.keep("precision", "auto"), on_change=state.remember, args=("precision",))
        st.segmented_control(t("mul", lang), state.MULS, format_func={"times": "×", "cdot": "·"}.get, required=True,
                             key=state.keep("mul", "times"), on_change=state.remember, args=("mul",))
        st.subheader(t("downloads", lang))
        name = st.session_state.get("preset_id", "network") if st.session_state.get("source") == "preset" else "network"
        options = {"lang": lang, "decimals": decimals, "significant": significant, "mul": mul}
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
    title = preset_title(ss["preset_id"], lang) if ss.get("base_source") == "preset" else \
        (network.title or ss.get("upload_name", ""))
    if ss.get("source") == "edited":
        title += f" ({t('edited', lang)})"
    elif ss.get("source") == "upload":
        title += f" ({t('uploaded', lang)})"
    with st.container(horizontal=True, vertical_alignment="center", key="header"):
        st.markdown(f"#### {title}", width="stretch")
        state.language_switch()
        state.present_switch()


def description(lang: str) -> None:
    ss = st.session_state
    base = state.base_network()
    text = base.meta.get("description", {})
    if isinstance(text, dict):
        text = text.get(lang) or text.get("en")
    with st.expander(t("about_example", lang), icon=":material/menu_book:"):
        if text:
            st.markdown(text)
        if base.meta.get("source"):
            st.caption(t("source_note", lang, source=base.meta["source"]))
        if ss.get("source") == "edited":
            st.caption(t("edited_link", lang))


lang = state.page_lang()
presenting = state.presenting()
st.html(STYLE + (PRESENT_STYLE if presenting else ""))
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
            for title, latex in matrix_view(state.current_trace(), stepper.options(lang)):
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
