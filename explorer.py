"""Activation Explorer: `streamlit run explorer.py`. Page config and navigation, nothing else."""
import streamlit as st

from ui.nav import streamlit_pages

st.set_page_config(page_title="Activation Explorer", page_icon=":material/ssid_chart:", layout="wide")
st.navigation(streamlit_pages()).run()
