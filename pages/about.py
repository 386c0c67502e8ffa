"""About: the notes each preset reproduces, the notation, how to use the tutor, the keyboard shortcuts."""

import pandas as pd
import streamlit as st

from engine import list_presets, load_preset
from ui import state
from ui.i18n import t

lang = state.page_lang()
with st.container(horizontal=True, vertical_alignment="center"):
    st.title(t("app_title", lang), width="stretch")
    state.language_switch()
st.markdown(t("about_intro", lang))

st.header(t("about_notes", lang))
st.markdown(t("about_notes_intro", lang))
rows = []
for preset in list_presets():
    title = preset["title_zh"] if lang == "zh" and preset.get("title_zh") else preset["title"]
    rows.append({t("col_preset", lang): preset["id"], t("col_title", lang): title,
                 t("col_source", lang): preset.get("source") or "—"})
st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", height="content", key="about_presets")
for preset in list_presets():
    description = load_preset(preset["id"]).meta.get("description")
    if isinstance(description, dict) and (description.get(lang) or description.get("en")):
        title = preset["title_zh"] if lang == "zh" and preset.get("title_zh") else preset["title"]
        with st.expander(f"{preset['id']} — {title}"):
            st.markdown(description.get(lang) or description["en"])
            if preset.get("source"):
                st.caption(t("source_note", lang, source=preset["source"]))

st.header(t("about_notation", lang))
st.markdown(t("about_notation_md", lang))
st.header(t("about_use", lang))
st.markdown(t("about_use_md", lang))
st.header(t("about_keys", lang))
st.markdown(t("about_keys_md", lang))
st.header(t("about_colours", lang))
st.markdown(t("about_colours_md", lang))
state.sync_url(lang=lang, preset=None, step=None, present=None, mode=None, exercise=None, seed=None, v=None)
