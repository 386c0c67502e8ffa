"""Backprop Tutor: `streamlit run app.py`. Only routes; the pages are in pages/ (every one listed here)."""

from pathlib import Path

import streamlit as st

from ui import state
from ui.i18n import t

ICON = Path(__file__).resolve().parent / "static" / "favicon.png"  # local: nothing is fetched from the internet
lang = state.init()
st.set_page_config(page_title=t("app_title", lang), page_icon=str(ICON), layout="wide")
st.navigation([
    st.Page("pages/step_through.py", title=t("page_step", lang), icon=":material/stairs:", default=True),
    st.Page("pages/check.py", title=t("page_check", lang), icon=":material/fact_check:", url_path="check"),
    st.Page("pages/practice.py", title=t("page_practice", lang), icon=":material/edit_square:", url_path="practice"),
    st.Page("pages/about.py", title=t("page_about", lang), icon=":material/info:", url_path="about"),
]).run()
