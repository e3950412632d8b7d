"""The app's pages in menu order, and the setup every page calls first.

One table drives the sidebar and the home page's links. The pages are Streamlit's own
multipage layout (explorer.py is Home, pages/*.py the rest), so a cold deep link such as
/custom runs that page directly; the built-in page list is hidden in .streamlit/config.toml
and the sidebar is drawn here with st.page_link instead.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from ui.customs import conflicts_ui, from_link, pending_notices, with_definitions
from ui.runtime import keep_keras_session


@dataclass(frozen=True)
class Page:
    path: str  # relative to the folder of explorer.py, as st.page_link takes it
    title: str
    icon: str
    description: str


PAGES = (
    Page("explorer.py", "Home", ":material/home:", "What this is and where to go."),
    Page(
        "pages/gallery.py",
        "Gallery",
        ":material/grid_view:",
        "Every Keras activation and the tutorial's customs, with f′, f″, formulas and "
        "measured properties.",
    ),
    Page(
        "pages/custom.py",
        "Custom",
        ":material/edit:",
        "Write your own activation as an expression in x, see it with its derivatives, add it "
        "and get Keras code.",
    ),
    Page(
        "pages/depth.py",
        "Depth",
        ":material/stacked_line_chart:",
        "Push a batch through an untrained network up to 100 layers deep: mean, variance, dead "
        "units and gradient norms per layer, for each activation.",
    ),
    Page(
        "pages/train.py",
        "Train",
        ":material/model_training:",
        "Train small networks on MNIST or regression data with each activation; loss and "
        "accuracy side by side, live.",
    ),
    Page(
        "pages/playground.py",
        "Playground",
        ":material/bubble_chart:",
        "TensorFlow Playground's 2-D datasets with any activations side by side: decision "
        "boundaries and what each neuron computes, live.",
    ),
    Page(
        "pages/sweep.py",
        "Sweep",
        ":material/grid_on:",
        "Which activation still trains at depth N? A grid of depths × activations × learning "
        "rates as jobs, and a heatmap that fills in live.",
    ),
    Page(
        "pages/search.py",
        "Search",
        ":material/travel_explore:",
        "Search for activations as Ramachandran et al. (2017) did: b(u1(x), u2(x)) screened, "
        "trained on MNIST-1D and ranked against relu and Swish.",
    ),
    Page(
        "pages/kan.py",
        "KAN",
        ":material/hub:",
        "Fit a function of two variables with a Kolmogorov–Arnold network: a learnable spline on "
        "every edge, the grid refined step by step, the network drawn as its edge functions.",
    ),
    Page(
        "pages/runs.py",
        "Runs",
        ":material/history:",
        "Every saved run: overlay them, rename and tag, download CSV/JSON, PNG, an HTML report, "
        "the model and a script.",
    ),
    Page(
        "pages/experiments.py",
        "Experiments",
        ":material/science:",
        "Classic results about activations (Glorot & Bengio, dying ReLU, SELU, Mish, the "
        "tutorial's example) reproduced here, each with its criterion and a verdict.",
    ),
)


# Streamlit draws "Press Enter to apply" (and a text box's "36/120") inside a number or text box,
# at its bottom right, while a typed value is not yet applied: a long value in a narrow box ran
# under it. Its wrapper already sits at the box's bottom edge, with no height; the hint hangs up
# from it by its own `bottom`, so moving the wrapper does nothing: the hint itself is hung below,
# in the gap to the next element, under the box's right edge.
PAGE_STYLE = """<style>
:is([data-testid="stNumberInput"], [data-testid="stTextInput"])
  div:has(> [data-testid="InputInstructions"]) {
  right: 0;
}
:is([data-testid="stNumberInput"], [data-testid="stTextInput"])
  [data-testid="InputInstructions"] {
  top: 0.125rem;
  bottom: auto;
  line-height: 1;
  white-space: nowrap;
}
</style>"""


def link_to(title: str, label: str, icon: str | None = None, **query: str) -> None:
    """A link to the page called `title` with `query` in its URL (its choices filled in)."""
    page = next(p for p in PAGES if p.title == title)
    # The customs it names travel with it (def=…): the page it opens compiles them again.
    query = with_definitions(query)
    st.page_link(page.path, label=label, icon=icon or page.icon, query_params=query)


def setup(title: str) -> None:
    """Page config, the app's style and its sidebar; the first thing every page does."""
    keep_keras_session()
    st.set_page_config(
        page_title=title if title == "Activation Explorer" else f"{title} · Activation Explorer",
        page_icon=":material/ssid_chart:",
        layout="wide",
    )
    st.html(PAGE_STYLE)
    with st.sidebar:
        for page in PAGES:
            st.page_link(page.path, label=page.title, icon=page.icon)
    # A link's customs join this session's catalogue before the page reads its settings.
    for notice in from_link() + pending_notices():
        st.warning(notice)
    conflicts_ui()
