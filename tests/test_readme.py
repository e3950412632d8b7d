"""The README is a newcomer's first screen and its links hold. These tests fail if the README grows
past 80 lines again (its detail belongs in docs/), if its two commands leave the top or drift from
the test command .ci/run runs, if a page of the menu has no line in it, or if a relative link or
image in README.md or docs/*.md points to a file or heading that is not there (what moving text
between those files breaks: docs/ pages see the pictures as screenshots/x.png, not
docs/screenshots/x.png)."""

import re
from pathlib import Path

import pytest

from ui.nav import PAGES

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
MARKDOWN = [README, *sorted((ROOT / "docs").glob("*.md"))]
FIRST_SCREEN = 80
INSTALL_AND_RUN = "pip install -r requirements.txt && streamlit run explorer.py"
INSTALL_AND_TEST = "pip install -r requirements-test.txt && python -m pytest"

# [text](target) and ![alt](target "title"); the text may hold one level of brackets.
LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
FENCE = re.compile(r"^ {0,3}```.*?^ {0,3}```", re.S | re.M)
CODE_SPAN = re.compile(r"`[^`\n]*`")


def _prose(text: str) -> str:
    """The text without fenced blocks and code spans, where brackets are code, not links."""
    return CODE_SPAN.sub("", FENCE.sub("", text))


def _anchor(heading: str) -> str:
    """GitHub's id for a heading: lower case, punctuation dropped, spaces to hyphens."""
    plain = re.sub(r"[*_`]|\[([^\]]*)\]\([^)]*\)", r"\1", heading.strip()).lower()
    return re.sub(r"[^\w\- ]", "", plain).replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    headings = re.findall(r"^#{1,6} +(.+?) *#*$", _prose(path.read_text()), re.M)
    return {_anchor(h) for h in headings}


def _relative_links(path: Path) -> list[str]:
    targets = LINK.findall(_prose(path.read_text()))
    return [t for t in targets if not re.match(r"[a-z][a-z0-9+.-]*:", t)]


def test_the_whole_readme_is_one_first_screen():
    lines = README.read_text().splitlines()
    assert len(lines) <= FIRST_SCREEN, f"README.md has {len(lines)} lines; move detail to docs/"


def test_the_two_commands_open_the_readme_and_ci_runs_the_test_command_verbatim():
    top = README.read_text().splitlines()[:8]
    assert top[2] == "```bash", "the command block sits right under the title"
    assert top[3].startswith(INSTALL_AND_RUN), top[3]
    assert top[4].startswith(INSTALL_AND_TEST), top[4]
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert ci[-1] == INSTALL_AND_TEST, ".ci/run must end with the README's test command"


def test_every_page_of_the_menu_has_a_line_in_the_readme():
    readme = README.read_text()
    missing = [p.title for p in PAGES[1:] if f"- **[{p.title}](docs/guide.md#" not in readme]
    assert not missing, f"pages with no line under README's ## Pages: {missing}"


@pytest.mark.parametrize("path", MARKDOWN, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_relative_link_and_image_points_to_a_file_and_heading_that_exist(path):
    links = _relative_links(path)
    assert links or path.name != "README.md", "the README links to its docs"
    broken = []
    for target in links:
        file_part, _, fragment = target.partition("#")
        resolved = (path.parent / file_part).resolve() if file_part else path
        if not resolved.exists():
            broken.append(f"{target}: no file {resolved.relative_to(ROOT)}")
        elif fragment and resolved.suffix == ".md" and fragment not in _anchors(resolved):
            broken.append(f"{target}: no heading #{fragment} in {resolved.relative_to(ROOT)}")
    assert not broken, "\n".join(broken)
