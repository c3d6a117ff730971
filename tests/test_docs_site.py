"""The documentation site: mkdocs.yml's nav covers docs/ exactly, and the strict build passes.

``make docs`` builds the site into site/; these tests build it into a temporary directory.
The site opens from the file system (``site/index.html`` in a browser, no web server): pages are
``NAME.html`` and every link between them is a relative path to a file.

mkdocs.yml's nav is read by a small line parser, so the nav checks run without PyYAML or
mkdocs; where PyYAML is installed, the parser is checked against it.
"""

import os
import pathlib
import re
import subprocess
import sys
from html.parser import HTMLParser

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
MKDOCS_YML = ROOT / "mkdocs.yml"

NAV_ITEM = re.compile(
    r"""^(?P<indent>\s*)-\s+(?:"(?P<dq>(?:[^"\\]|\\.)*)"|'(?P<sq>[^']*)'|(?P<plain>[^:'"]+?))\s*:\s*(?P<value>.*?)\s*$"""
)
BARE_PAGE = re.compile(r"^\s*-\s+(?P<value>\S+)\s*$")


def nav_from_text(text):
    """``(title, page)`` of every entry of mkdocs.yml's ``nav:`` that names a page, in order (no YAML library)."""
    entries, inside = [], False
    for line in text.splitlines():
        if not inside:
            inside = line.rstrip() == "nav:"
            continue
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line[0].isspace():
            break  # the next top-level key
        item, bare = NAV_ITEM.match(line), BARE_PAGE.match(line)
        assert item or bare, f"mkdocs.yml nav line not understood: {line!r}"
        value = (item or bare).group("value").strip("\"'")
        if value and not value.startswith(("http://", "https://")):
            title = (item.group("dq") or item.group("sq") or item.group("plain")) if item else None
            entries.append((title, value))
    return entries


def top_level_setting(text, key):
    """The value of a top-level ``key: value`` line of mkdocs.yml, or None."""
    found = re.search(rf"^{re.escape(key)}:\s*(\S+)\s*(#.*)?$", text, re.MULTILINE)
    return None if found is None else found.group(1)


def nav_pages(nav):
    """Every page path (relative to docs/) named in an mkdocs nav as PyYAML reads it, in order."""
    pages = []
    for item in nav:
        value = next(iter(item.values())) if isinstance(item, dict) else item
        if isinstance(value, list):
            pages.extend(nav_pages(value))
        elif isinstance(value, str) and not value.startswith(("http://", "https://")):
            pages.append(value)
    return pages


def test_every_page_is_in_the_nav_and_every_nav_entry_exists():
    text = MKDOCS_YML.read_text(encoding="utf-8")
    assert top_level_setting(text, "docs_dir") == "docs"
    listed = [page for _, page in nav_from_text(text)]
    assert len(listed) > 20 and "index.md" in listed and "api/evolution/population.md" in listed
    duplicates = sorted({page for page in listed if listed.count(page) > 1})
    assert not duplicates, f"pages listed twice in the nav: {duplicates}"
    missing = sorted(page for page in listed if not (DOCS / page).is_file())
    assert not missing, f"nav entries without a file under docs/: {missing}"
    on_disk = {path.relative_to(DOCS).as_posix() for path in DOCS.rglob("*.md")}
    orphans = sorted(on_disk - set(listed))
    assert not orphans, f"pages under docs/ missing from the nav in mkdocs.yml: {orphans}"


def test_the_nav_parser_reads_mkdocs_yml_as_yaml_does():
    yaml = pytest.importorskip("yaml")
    text = MKDOCS_YML.read_text(encoding="utf-8")
    config = yaml.safe_load(text)
    assert [page for _, page in nav_from_text(text)] == nav_pages(config["nav"])
    assert config.get("use_directory_urls") is False and top_level_setting(text, "use_directory_urls") == "false"


def test_pages_are_files_so_the_site_opens_from_the_file_system():
    # with directory URLs, a link to "quickstart/" opens a folder listing from the file system, not the page
    assert top_level_setting(MKDOCS_YML.read_text(encoding="utf-8"), "use_directory_urls") == "false"


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        self.links.extend(value for name, value in attrs if name in ("href", "src") and value)


def broken_links(site):
    """``{page: [links]}`` of every relative link in the built site that is not a file next to its page."""
    broken = {}
    for page in sorted(site.rglob("*.html")):
        if page.name == "404.html":
            continue  # served by a web server for any missing path: its links are absolute on purpose
        parser = _Links()
        parser.feed(page.read_text(encoding="utf-8"))
        for link in parser.links:
            if re.match(r"^([a-z][a-z0-9+.-]*:|//|#)", link, re.IGNORECASE):
                continue  # another site, data: or javascript:, or a place on the same page
            target = link.split("#")[0].split("?")[0]
            if target and not (page.parent / target).is_file():
                broken.setdefault(page.relative_to(site).as_posix(), []).append(link)
    return broken


@pytest.fixture(scope="module")
def built_site(tmp_path_factory):
    for module in ("mkdocs", "material", "mkdocstrings", "mkdocstrings_handlers.python"):
        pytest.importorskip(module, reason='the docs extra is needed: pip install -e ".[docs]"')
    site = tmp_path_factory.mktemp("docs") / "site"
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--clean", "-d", str(site)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    return site, result


def test_strict_build_passes(built_site):
    site, result = built_site
    assert result.returncode == 0, f"mkdocs build --strict failed:\n{result.stdout}\n{result.stderr}"
    assert (site / "index.html").is_file()


def test_every_nav_link_of_the_built_site_resolves_to_a_file(built_site):
    site, result = built_site
    assert result.returncode == 0, f"mkdocs build --strict failed:\n{result.stdout}\n{result.stderr}"
    pages = [page for _, page in nav_from_text(MKDOCS_YML.read_text(encoding="utf-8"))]
    home = _Links()
    home.feed((site / "index.html").read_text(encoding="utf-8"))
    for page in pages:
        html = page.removesuffix(".md") + ".html"
        assert (site / html).is_file(), f"{page} was not built as {html}"
        assert html in home.links, f"index.html has no link {html!r} to {page}"
    broken = broken_links(site)
    assert not broken, f"links that do not open a file from the file system: {broken}"
