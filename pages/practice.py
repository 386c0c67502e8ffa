"""Practice: an exercise with fresh numbers (a template and a seed, or a student's name); open it in Step through,
fill it in, print or download its worksheet and answer key; a class pack with a sheet for every student."""

import streamlit as st

from ui import practice, state
from ui.i18n import t

lang = state.page_lang()
st.html(practice.PRINT_STYLE)
if practice.printing():
    practice.print_view(lang)
else:
    with st.container(horizontal=True, vertical_alignment="center"):
        st.title(t("page_practice", lang), width="stretch")
        state.language_switch()
    state.show_notices()  # a link's fallbacks (e.g. /practice?exercise=...&seed=bad)
    st.markdown(t("pr_intro", lang))
    template = practice.choose_template(lang)
    numbers = practice.choose_numbers(lang)
    decimals = practice.decimals_input(lang)
    steps = practice.exercise_panel(template, numbers, decimals, lang) if numbers else practice.template_steps(template)
    if steps is not None:
        st.divider()
        practice.class_pack_panel(template, steps, decimals, lang)
state.sync_url(lang=lang, preset=None, step=None, present=None, mode=None, view=None, precision=None,
               exercise=None, seed=None, v=None, name=None, assignment=None)
