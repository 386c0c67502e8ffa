"""Check my work (placeholder until the self-check page lands)."""

import streamlit as st

from ui import state
from ui.i18n import t

lang = state.lang()
with st.container(horizontal=True, vertical_alignment="center"):
    st.title(t("page_check", lang), width="stretch")
    state.language_switch()
st.info(t("check_coming", lang), icon=":material/construction:")
state.sync_url(lang=lang, step=None, present=None)
