"""XOR Lab entry point: ``streamlit run app/main.py`` from the repo root."""

import sys
from pathlib import Path

# `streamlit run app/main.py` puts app/ on sys.path, not the repo root; core/ and app/ live there.
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from app import chart, class_mode, nav, state, ui, warmup  # noqa: E402

st.set_page_config(page_title="XOR Lab", page_icon=":material/hub:", layout="wide", initial_sidebar_state="auto")
warmup.start()  # once per server process: fills the default settings' caches in the background


def _page(file: str, title: str, icon: str, url_path: str, summary: str) -> st.Page:
    if url_path == "":
        return st.Page(f"../pages/{file}", title=title, icon=icon, default=True)
    return st.Page(f"../pages/{file}", title=title, icon=icon, url_path=url_path)


pages = [_page(*p) for p in nav.available()]
current = st.navigation(pages)
class_mode.take_link(current.url_path)  # a class or teacher link joins this session, then leaves the address
link_at_start = ui.link_at_open(current.url_path)  # the address's settings, if this run opens the page
net_problems = state.load_link()
ui.sidebar_common()
class_mode.sidebar()
notice = st.empty()
warmup.prefer(current.url_path)  # if the warm-up is still running, this page's caches come next
chart.forget_drawn()  # the charts this run draws; a fragment's rerun later replaces only its own
with warmup.page_running(current.url_path):  # the warm-up steps aside for other chapters
    current.run()
if problems := net_problems + ui.check_link(current.url_path, link_at_start):
    notice.warning(
        "This link had settings that could not be used, so defaults were used instead: " + "; ".join(problems) + ".",
        icon=":material/link_off:",
    )
ui.share_link()
