"""The layout of the design card: explorer.py is Home, the other pages live in Streamlit's own
pages/ folder, and one table (ui/nav.PAGES) draws the menu. These tests fail if the old
app_pages/ folder, a second navigation table or a page without the shared setup comes back; and
if TensorFlow could load before core/__init__.py sets its process settings.

And the house by feature (docs/architecture.md): they fail if a module under core/ or
activations/ imports plotly (figures belong in charts/), if two of the app's modules import each
other, directly or round a longer loop (core/jobs.py and core/ray_executor.py once did), if a
package folder grows past ten modules, or if a chart re-selects a view's networks; if anything
below ui/ imports streamlit, if core/playground leans on a wing other than train or another wing
leans on it, if a benchmark imports the tests, and if a download made on the click bypasses
ui/runtime.download_button."""

import ast
import os
import subprocess
import sys
from pathlib import Path

from ui.nav import PAGES

ROOT = Path(__file__).resolve().parent.parent
PAGE_FILES = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "pages").glob("*.py"))
SOURCES = [
    p for p in ROOT.rglob("*.py") if not {".git", "tests", "bench"} & set(p.relative_to(ROOT).parts)
]


PACKAGES = ("activations", "core", "charts", "ui")
# Where each top-level folder of the app sits: pages/ and ui/ may use streamlit, everything below
# them may not (user_activations/ is loaded by the catalogue); tools/ is a script beside the app.
ABOVE_UI = ("explorer.py", "pages", "ui")
BELOW_UI = ("charts", "core", "activations", "user_activations")
BESIDE = ("tools",)
MAX_MODULES = 10


def test_no_app_pages_folder():
    assert not (ROOT / "app_pages").exists()


def test_the_table_lists_home_and_every_file_in_pages_once():
    assert [p.path for p in PAGES][0] == "explorer.py"
    assert sorted(p.path for p in PAGES[1:]) == PAGE_FILES
    assert len({p.title for p in PAGES}) == len(PAGES)


def _calls(path: Path, methods_only: bool = False) -> list[str]:
    """Names of the functions called in `path` (`st.page_link(...)` gives "page_link")."""
    calls = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute):
                calls.append(func.attr)
            elif not methods_only:
                calls.append(getattr(func, "id", ""))
    return calls


def test_no_second_navigation():
    # st.navigation or st.Page next to a pages/ folder makes Streamlit run a cold deep link as a
    # v1 app; a page_link table other than ui/nav.py would be a second menu to keep in step.
    offenders = [p.name for p in SOURCES if {"navigation", "Page"} & set(_calls(p, True))]
    assert offenders == []
    linking = [p.relative_to(ROOT).as_posix() for p in SOURCES if "page_link" in _calls(p)]
    assert sorted(linking) == ["explorer.py", "ui/nav.py"]


def test_built_in_page_list_is_hidden():
    config = (ROOT / ".streamlit" / "config.toml").read_text()
    assert "showSidebarNavigation = false" in config


def test_every_page_is_a_main_that_calls_setup_first():
    # Page config must come before any other element, and every page draws the same sidebar.
    for path in ["explorer.py", *PAGE_FILES]:
        tree = ast.parse((ROOT / path).read_text())
        mains = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "main"]
        assert mains, f"{path} has no main()"
        first = mains[0].body[0]
        called = (
            first.value.func
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Call)
            else None
        )
        assert getattr(called, "id", None) == "setup", f"{path}: main() does not start with setup()"
        last = tree.body[-1]
        assert isinstance(last, ast.Expr) and getattr(last.value.func, "id", None) == "main", path


def _imported_modules(path: Path) -> set[str]:
    """The top-level package of every module `path` imports."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_only_core_and_activations_import_tensorflow():
    # Fails if a page or ui module imports TensorFlow or Keras itself: opened first, it would
    # load TensorFlow before core/__init__.py turns oneDNN on, and the app would train its CNN
    # 1.5× slower on AMD CPUs, with nothing to show it. (User activation files are loaded by the
    # catalogue, after TensorFlow.)
    loaders = ("core", "activations", "user_activations")
    app = [p for p in SOURCES if p.relative_to(ROOT).parts[0] not in loaders]
    offenders = [
        p.relative_to(ROOT).as_posix()
        for p in app
        if {"tensorflow", "keras"} & _imported_modules(p)
    ]
    assert offenders == []


def test_importing_the_app_turns_onednn_on():
    # Fails if `activations` loads TensorFlow before core's process settings (or TensorFlow stops
    # reading TF_ENABLE_ONEDNN_OPTS at load): the app's kernels would quietly be the slow ones.
    env = {k: v for k, v in os.environ.items() if k != "TF_ENABLE_ONEDNN_OPTS"}
    code = (
        "import activations, tensorflow\n"
        "from tensorflow.python.util import _pywrap_util_port\n"
        "print('oneDNN', _pywrap_util_port.IsMklEnabled())\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert "oneDNN True" in done.stdout, done.stderr[-2000:]


def test_nothing_below_ui_imports_streamlit():
    # Fails if a module in charts/, core/, activations/ or user_activations/ imports streamlit
    # (even inside a function): it could then only be tested or benchmarked with a Streamlit
    # runtime, and a job on the server would depend on a page. Fails too if a new top-level
    # folder appears without being placed above, below or beside ui/ here, so none escapes.
    tops = {p.relative_to(ROOT).parts[0] for p in SOURCES}
    assert tops == set(ABOVE_UI + BELOW_UI + BESIDE), "place the new folder in ABOVE_UI/BELOW_UI"
    below = [p for p in SOURCES if p.relative_to(ROOT).parts[0] in BELOW_UI]
    offenders = [
        p.relative_to(ROOT).as_posix() for p in below if "streamlit" in _imported_modules(p)
    ]
    assert offenders == []


def _names_used(path: Path) -> set[str]:
    """Every name and attribute `path` refers to (`Shown.of(...)` gives "Shown" and "of")."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, ast.Attribute):
            names.add(node.attr)
        elif isinstance(node, ast.ImportFrom):
            names |= {alias.name for alias in node.names}
    return names


def _calls_of(path: Path, owner: str, method: str) -> int:
    """How many times `path` calls `owner.method(...)`."""
    return sum(
        1
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == method
        and getattr(node.func.value, "id", None) == owner
    )


def test_a_views_selection_is_made_by_the_page_that_draws_it_and_passed_down():
    # Fails if a chart, table or page helper selects a sweep's networks (each activation at its
    # best rate) itself again instead of taking the view's `Shown`: drawing one finished
    # comparison used to make that selection seven times, once per figure builder.
    below = [p for p in SOURCES if p.relative_to(ROOT).parts[0] in ("charts", "ui")]
    selecting = [
        p.relative_to(ROOT).as_posix()
        for p in below
        if "best_rates" in _names_used(p) or _calls_of(p, "Shown", "of")
    ]
    assert selecting == []
    pages = {f: _calls_of(ROOT / f, "Shown", "of") for f in PAGE_FILES}
    assert {f for f, n in pages.items() if n} == {"pages/runs.py", "pages/train.py"}


def test_no_module_under_core_or_activations_imports_plotly():
    # core/ is the engine and activations/ the catalogue; every figure, table and image builder
    # lives in charts/, which they never import.
    below = [p for p in SOURCES if p.relative_to(ROOT).parts[0] in ("core", "activations")]
    assert below, "no modules found under core/ and activations/"
    offenders = [p.relative_to(ROOT).as_posix() for p in below if "plotly" in _imported_modules(p)]
    assert offenders == []


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _import_graph() -> dict[str, set[str]]:
    """The app's modules and, for each, the app's modules it imports anywhere in its file (at
    load, inside a function, under TYPE_CHECKING): `from a.b import c` is an edge to a.b.c when
    that is a module, else to a.b (as import checkers count it: the package a.b's own
    __init__ runs too, but it is not what the module asked for)."""
    modules = {_module_name(p): p for p in SOURCES if p.relative_to(ROOT).parts[0] in PACKAGES}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        edges = set()
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                    base = ".".join([*anchor, base] if base else anchor)
                targets = [f"{base}.{alias.name}" for alias in node.names]
            else:
                continue
            for target in targets:
                while target and target not in modules:
                    target = target.rpartition(".")[0]
                if target and target != name:
                    edges.add(target)
        graph[name] = edges
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan): each holds a cycle."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_graph_finds_a_cycle_when_there_is_one():
    # The check below is only as good as this: two modules importing each other, and a loop of
    # three, are found; a chain is not.
    assert _cycles({"a": {"b"}, "b": {"a"}}) == [["a", "b"]]
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": set()}) == []


def test_no_two_modules_of_the_app_import_each_other_even_round_a_loop():
    graph = _import_graph()
    assert "core.serve.jobs" in graph and "core.serve.executors" in graph["core.serve.jobs"]
    assert _cycles(graph) == []


def test_no_package_folder_holds_more_than_ten_modules():
    # A newcomer reads a folder at a glance; past ten modules it wants splitting by feature.
    folders = {p.parent for p in SOURCES if p.relative_to(ROOT).parts[0] in PACKAGES}
    folders.add(ROOT / "pages")
    crowded = {
        folder.relative_to(ROOT).as_posix(): count
        for folder in folders
        if (count := len(list(folder.glob("*.py")))) > MAX_MODULES
    }
    assert crowded == {}


def test_the_wings_of_core_depend_one_way_and_nothing_below_charts_imports_it():
    # serve builds on study and train, study on train; core/ and activations/ never import
    # charts/ or ui/. A reverse edge is how a loop starts, long before it closes. (The search is
    # study: core/study/search; its server-side job is serve: core/serve/search_jobs.py.)
    allowed = {
        "core.train": {"core.train", "core"},
        "core.study": {"core.study", "core.train", "core"},
        "core.serve": {"core.serve", "core.study", "core.train", "core"},
    }
    graph = _import_graph()
    wrong = []
    for module, imported in graph.items():
        top = module.split(".")[0]
        wing = ".".join(module.split(".")[:2])
        for target in imported:
            if top in ("core", "activations") and target.split(".")[0] in ("charts", "ui"):
                wrong.append(f"{module} -> {target}")
            into = ".".join(target.split(".")[:2]) if target.startswith("core.") else target
            if wing in allowed and target.startswith("core") and into not in allowed[wing]:
                wrong.append(f"{module} -> {target}")
    assert wrong == []


# Threads that are not long work: the PNG renderer's event loop (charts/exports.py) answers one
# figure at a time for the page that asked and owns no work of its own.
THREAD_ALLOWED = {"core/serve/tasks.py", "charts/exports.py"}
THREAD_MAKERS = {"Thread", "Timer", "ThreadPoolExecutor", "ProcessPoolExecutor", "Process"}


def test_long_work_gets_its_thread_from_the_task_runner_only():
    # Fails if a module starts a thread (or a pool, or a process) of its own instead of asking
    # core/serve/tasks.py's start_thread: four runners that each started their own threads
    # each grew their own registry, owner rule and recovery, and the bugs lived in those seams.
    found = []
    for path in SOURCES:
        where = path.relative_to(ROOT).as_posix()
        if where in THREAD_ALLOWED:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if name in THREAD_MAKERS:
                    found.append(f"{where}:{node.lineno} {name}(…)")
    assert found == []


# The one edge from core/playground into another wing than train: core/playground/job.py asks
# the task model (core/serve/tasks.py) for its thread (start_thread) and for the server's id
# its saver writes as a running run's owner (SERVER_ID). docs/architecture.md names it; a
# second such edge fails the test below.
PLAYGROUND_EXCEPTIONS = {"core.playground.job -> core.serve.tasks"}


def _wing(module: str) -> str:
    """core.train.network.engine -> core.train; core -> core."""
    return ".".join(module.split(".")[:2])


def test_the_playground_is_a_wing_of_its_own_built_on_train():
    # Fails if anything in core/ or activations/ outside core/playground imports it (train,
    # study and serve build on each other, never on the Playground), or if core/playground
    # imports a wing of core other than train, such as study or serve (it would lean on the
    # studies' or the server's internals), beyond PLAYGROUND_EXCEPTIONS. Its importing charts/
    # or ui/ fails the wings test above; activations/ it may import.
    graph = _import_graph()
    playground = {m for m in graph if _wing(m) == "core.playground"}
    assert playground, "no modules found under core/playground"
    below = {m for m in graph if m.split(".")[0] in ("core", "activations")} - playground
    into = sorted(f"{m} -> {t}" for m in below for t in graph[m] if t in playground)
    may_import = {"core", "core.playground", "core.train"}
    out_of = {
        f"{m} -> {t}"
        for m in playground
        for t in graph[m]
        if t.split(".")[0] == "core" and _wing(t) not in may_import
    }
    assert into == []
    assert sorted(out_of - PLAYGROUND_EXCEPTIONS) == []


def test_no_benchmark_imports_the_tests():
    # Fails if a file under bench/ imports tests/ (bench/readme_screenshots.py once imported
    # tests.e2e.helpers and bench/share.py tests.made_up, while the browser tests import
    # bench.browser: a loop between the two folders). What both need lives in bench/
    # (browser.py, made_up.py); tests import it from there, never the other way round.
    bench = sorted((ROOT / "bench").rglob("*.py"))
    assert bench, "no benchmarks found"
    offenders = [p.relative_to(ROOT).as_posix() for p in bench if "tests" in _imported_modules(p)]
    assert offenders == []


def _callable_downloads(source: str) -> list[int]:
    """Lines of `….download_button(label, data, …)` calls whose data is made on the click: a
    lambda, a `partial(…)`, or the name of a function defined in the same module."""
    tree = ast.parse(source)
    functions = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
    functions |= {
        t.id
        for n in ast.walk(tree)
        if isinstance(n, ast.Assign) and isinstance(n.value, ast.Lambda)
        for t in n.targets
        if isinstance(t, ast.Name)
    }
    lines = []
    for node in ast.walk(tree):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "download_button"
        ):
            continue
        data = node.args[1] if len(node.args) > 1 else None
        data = next((k.value for k in node.keywords if k.arg == "data"), data)
        made_on_click = (
            isinstance(data, ast.Lambda)
            or (isinstance(data, ast.Name) and data.id in functions)
            or (isinstance(data, ast.Call) and getattr(data.func, "id", "") == "partial")
        )
        if made_on_click:
            lines.append(node.lineno)
    return lines


def test_a_download_made_on_the_click_goes_through_the_runtimes_button():
    # Fails if a page calls Streamlit's download_button with a callable itself: Streamlit keeps
    # such a file in no session's list, and deletes it after any two script runs (a live
    # view's fragment runs count), before a busy server's browser fetched it ("Download.path:
    # canceled" on a loaded CI run). ui/runtime.download_button keeps it for the session.
    found = []
    for path in SOURCES:
        where = path.relative_to(ROOT).as_posix()
        if where != "ui/runtime.py":
            found += [f"{where}:{line}" for line in _callable_downloads(path.read_text())]
    assert found == []


def test_the_download_check_finds_the_calls_that_lost_files():
    # Fails if the check misses a form of call that lost its file: the nine calls of eecc9b8
    # had these three (found there: all nine), and a file's bytes are not made on the click.
    source = """
def page(st, cols, exports, comparison, partial):
    def share_image():
        return b""
    cols[0].download_button("CSV", lambda: exports.history_csv(comparison), "a.csv")
    st.download_button("PNG", share_image, "a.png")
    st.download_button("PNG", data=partial(exports.chart_png, 1), file_name="a.png")
    st.download_button("Code", "print(1)", "a.py")
"""
    assert _callable_downloads(source) == [5, 6, 7]
