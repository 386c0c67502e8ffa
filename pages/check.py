"""Check my work: mark a hand calculation step by step, name the likely mistake; and check the notes."""

import streamlit as st

from ui import check_view, state
from ui.i18n import t

lang = state.page_lang()
with st.container(horizontal=True, vertical_alignment="center"):
    st.title(t("page_check", lang), width="stretch")
    state.language_switch()
st.markdown(t("chk_intro", lang))

config_text = check_view.choose_network(lang)
paste_tab, fields_tab = st.tabs([t("chk_tab_paste", lang), t("chk_tab_fields", lang)])
with paste_tab:
    check_view.paste_box(config_text, lang)
with fields_tab:
    check_view.field_inputs(config_text, lang)
with st.container(horizontal=True, vertical_alignment="bottom"):
    st.button(t("chk_button", lang), key="btn_check", type="primary", icon=":material/fact_check:",
              on_click=check_view.snapshot, args=(config_text,))
    check_view.tolerance_input(lang)
    check_view.accept_input(lang)
st.caption(t("chk_precision_rule", lang))
check_view.marking_rules(lang)

marked = st.session_state.get("chk_snapshot")
if marked and marked["config"] == config_text:
    if check_view.current_inputs(config_text) != marked:
        st.info(t("chk_stale", lang), icon=":material/refresh:")
    check_view.results(marked, lang)

notes = st.expander(t("notes_title", lang), key="tab_notes", on_change="rerun", icon=":material/menu_book:")
if notes.open:
    with notes:
        check_view.check_the_notes(lang)
state.sync_url(lang=lang, step=None, present=None, mode=None)
