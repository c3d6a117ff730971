"""The documentation site: mkdocs.yml's nav covers docs/ exactly, and the strict build passes.

``make docs`` builds the site into site/; these tests build it into a temporary directory.
"""

import os
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def nav_pages(nav):
    """Every page path (relative to docs/) named in an mkdocs nav, in order."""
    pages = []
    for item in nav:
        value = next(iter(item.values())) if isinstance(item, dict) else item
        if isinstance(value, list):
            pages.extend(nav_pages(value))
        elif isinstance(value, str) and not value.startswith(("http://", "https://")):
            pages.append(value)
    return pages


def test_every_page_is_in_the_nav_and_every_nav_entry_exists():
    yaml = pytest.importorskip("yaml")
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    assert config["docs_dir"] == "docs"
    listed = nav_pages(config["nav"])
    duplicates = sorted({page for page in listed if listed.count(page) > 1})
    assert not duplicates, f"pages listed twice in the nav: {duplicates}"
    missing = sorted(page for page in listed if not (DOCS / page).is_file())
    assert not missing, f"nav entries without a file under docs/: {missing}"
    on_disk = {path.relative_to(DOCS).as_posix() for path in DOCS.rglob("*.md")}
    orphans = sorted(on_disk - set(listed))
    assert not orphans, f"pages under docs/ missing from the nav in mkdocs.yml: {orphans}"


def test_strict_build_passes(tmp_path):
    for module in ("mkdocs", "material", "mkdocstrings", "mkdocstrings_handlers.python"):
        pytest.importorskip(module, reason='the docs extra is needed: pip install -e ".[docs]"')
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--clean", "-d", str(tmp_path / "site")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    if result.returncode != 0:
        print(result.stdout)
        print(result.stderr)
    assert result.returncode == 0, f"mkdocs build --strict failed:\n{result.stdout}\n{result.stderr}"
    assert (tmp_path / "site" / "index.html").is_file()
    assert (tmp_path / "site" / "api" / "evolution" / "population" / "index.html").is_file()
