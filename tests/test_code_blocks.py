"""Every Python code block of README.md and docs/*.md runs, so that none can rot.

A page's ```python blocks are pasted, in order, into one script, as a reader
would copy them into a file, and the script runs in a fresh interpreter whose
working directory is an empty temporary folder: a block that only works from
the repository root, or that needs something an earlier block of its page does
not define, fails here.  A few pages document files of the repository and say
so; their folder gets a copy of those files (``FILES``).  Blocks that cannot
run in a test are listed in ``EXCLUDED``, each with the reason; a test checks
that the list names only blocks that exist.  A failure names the block and its
line in the page.
"""

from __future__ import annotations

import dataclasses
import os
import pathlib
import re
import shutil
import subprocess
import sys
import textwrap

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
PAGES = ["README.md", *sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "docs").glob("*.md"))]

# A fenced block: its indentation (blocks inside list items and admonitions are indented), its
# language, and its text, up to the closing fence at the same indentation.
FENCE = re.compile(r"^(?P<indent>[ \t]*)```(?P<lang>[\w-]*)[^\n]*\n(?P<body>.*?)^(?P=indent)```[ \t]*$", re.M | re.S)

# A block is named by its page and a piece of its text (its first line, or what sets it apart), so
# that the names survive blocks added above it.  (page, text) -> why the block does not run here.
EXCLUDED: dict[tuple[str, str], str] = {
    ("docs/config.md", 'neat.Config.from_toml_file("run.toml")'):
        "a fragment that reads the reader's own run.toml; the page is generated from neat/config/reference.py",
    ("docs/ga.md", "elite_candidates=10"):
        "the article's scale: a population of 1,000 networks with two hidden layers of 256 nodes "
        "(gigabytes), on an env the reader picks (obs, actions, env_id)",
    ("docs/ga.md", "noise_table_size=1 << 24"):
        "the article's scale, continued: a configuration for the reader's own env (obs, actions)",
    ("docs/gym.md", "GymEvaluator(\n    env,"): "the signature of GymEvaluator and its methods, a reference",
    ("docs/gym.md", 'GymEvaluator("LunarLander-v3", episodes=3, executor=pool)'):
        "200 generations of LunarLander-v3 (box2d) in a process pool: many minutes; "
        "tests/evaluation/test_gym_parallel.py tests the pooled evaluator",
    ("docs/gym_examples.md", 'GymEvaluator("LunarLander-v3", episodes=5, executor=pool)'):
        "LunarLander-v3 (box2d) in a process pool: seconds per generation; examples/lunar_lander.py runs "
        "in tests/evaluation/test_gym_examples.py",
    ("docs/gym_examples.md", "InvertedDoublePendulum-v5"):
        "MuJoCo, seconds per generation; examples/inverted_double_pendulum.py runs in "
        "tests/evaluation/test_gym_examples.py",
    ("docs/gym_examples.md", "GymEvaluator(shaped_env,"):
        "two lines quoted from examples/mountain_car.py (shaped_env and seed are the script's)",
    ("docs/neat_python.md", "neat.DefaultGenome"): "neat-python's own code, shown for comparison: it needs "
        "neat-python, not neatlab",
    ("docs/parallel.md", 'Client("tcp://'): "connects to the reader's Dask scheduler",
    ("docs/parallel.md", "LocalCluster(n_workers=2"): "starts a Dask LocalCluster: about half a minute on the "
        "2-core machine; tests/evaluation/test_evaluator.py runs the evaluator on a Dask client",
}

# page -> (files of the repository its blocks read, copied into the page's folder, and why)
FILES: dict[str, tuple[dict[str, str], str]] = {
    "docs/gym.md": ({"examples/cartpole.toml": "examples/cartpole.toml"},
                    "it explains examples/cartpole.py and reads its config, from the repository root"),
    "docs/gym_examples.md": (
        {f"examples/{n}.toml": f"examples/{n}.toml" for n in ("acrobot", "pendulum", "lunar_lander",
                                                               "inverted_double_pendulum")},
        "it says: run these from the repository root (they read the example configs)",
    ),
    "docs/neat_python.md": ({"examples/config-feedforward": "config-feedforward"},
                            "the reader's neat-python config file: neat-python's XOR config, as in examples/"),
}

# (page, text) -> the file the page tells the reader to save the block as: written, not run.
# Blocks that run import them (``from my_ops import flip_weight``).
SAVED_AS: dict[tuple[str, str], str] = {
    ("docs/testing.md", "def flip_weight(genome, config, tracker, rng):"): "my_ops.py",
    ("docs/testing.md", "def test_flip_weight_gives_valid_genomes"): "test_my_ops.py",
    ("docs/testing.md", 'settings.register_profile("ci"'): "conftest.py",
}

# page -> a command run in the page's folder after its blocks (the page shows running it).
THEN_RUN: dict[str, list[str]] = {
    "docs/testing.md": [sys.executable, "-m", "pytest", "test_my_ops.py", "-q", "-p", "no:cacheprovider"],
}


@dataclasses.dataclass(frozen=True)
class Block:
    page: str
    index: int  # among the page's Python blocks, from 0
    line: int  # of the opening fence, from 1
    source: str

    @property
    def name(self) -> str:
        return f"{self.page} block {self.index} (line {self.line})"


def python_blocks(page: str) -> list[Block]:
    """The ```python blocks of a page, dedented, in order."""
    text = (ROOT / page).read_text(encoding="utf-8")
    blocks = []
    for match in FENCE.finditer(text):
        if match.group("lang") != "python":
            continue
        line = text.count("\n", 0, match.start()) + 1
        blocks.append(Block(page, len(blocks), line, textwrap.dedent(match.group("body"))))
    return blocks


def matching(registry: dict[tuple[str, str], str], block: Block) -> str | None:
    """The value of the registry's entry for ``block`` (its page and a text it contains), if any."""
    for (page, text), value in registry.items():
        if page == block.page and text in block.source:
            return value
    return None


def page_script(blocks: list[Block]) -> tuple[str, list[tuple[int, Block]]]:
    """The blocks pasted into one script, and the script line each starts on."""
    lines: list[str] = []
    starts = []
    for block in blocks:
        lines.append(f"# --- {block.name}")
        starts.append((len(lines) + 1, block))
        lines.extend(block.source.splitlines())
        lines.append("")
    return "\n".join(lines) + "\n", starts


def block_at(starts: list[tuple[int, Block]], line: int) -> Block | None:
    found = None
    for start, block in starts:
        if start <= line:
            found = block
    return found


def failure_report(stderr: str, starts: list[tuple[int, Block]], script: str) -> str:
    """Which block failed, at which line of its page, and the traceback."""
    where = [int(n) for n in re.findall(rf'File "[^"]*{re.escape(script)}", line (\d+)', stderr)]
    if not where:
        return stderr[-4000:]
    block = block_at(starts, where[-1])
    if block is None:
        return stderr[-4000:]
    start = next(s for s, b in starts if b is block)
    page_line = block.line + 1 + where[-1] - start
    return f"{block.name} failed at {block.page}:{page_line}\n{stderr[-4000:]}"


def check_registries(page: str, blocks: list[Block]) -> None:
    """Every entry of the registries names exactly one Python block of its page, for a reason."""
    for registry in (EXCLUDED, SAVED_AS):
        for entry_page, text in registry:
            assert entry_page in PAGES, f"{entry_page} is not a documentation page"
            if entry_page == page:
                found = [block.index for block in blocks if text in block.source]
                assert len(found) == 1, f"{text!r} should name one Python block of {page}, names {found}"
    assert all(reason.strip() for reason in EXCLUDED.values())
    assert set(FILES) | set(THEN_RUN) <= set(PAGES)


@pytest.mark.parametrize("page", [p for p in PAGES if python_blocks(p)])
def test_code_blocks_run(page, tmp_path):
    blocks = python_blocks(page)
    check_registries(page, blocks)
    files, _ = FILES.get(page, ({}, ""))
    for source, target in files.items():
        (tmp_path / target).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / source, tmp_path / target)
    to_run = []
    for block in blocks:
        if matching(EXCLUDED, block):
            continue
        saved_as = matching(SAVED_AS, block)
        if saved_as:
            (tmp_path / saved_as).write_text(block.source, encoding="utf-8")
            continue
        to_run.append(block)
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "MPLBACKEND": "Agg"}
    if to_run:
        script, starts = page_script(to_run)
        script_name = "page_" + re.sub(r"\W", "_", page) + ".py"
        (tmp_path / script_name).write_text(script, encoding="utf-8")
        proc = subprocess.run([sys.executable, script_name], cwd=tmp_path, capture_output=True, text=True, env=env)
        assert proc.returncode == 0, failure_report(proc.stderr, starts, script_name)
    if page in THEN_RUN:
        proc = subprocess.run(THEN_RUN[page], cwd=tmp_path, capture_output=True, text=True, env=env)
        assert proc.returncode == 0, f"{' '.join(THEN_RUN[page][1:])} in the folder of {page} failed:\n" + (
            proc.stdout[-3000:] + proc.stderr[-3000:]
        )


def test_the_readme_quick_start_prints_the_winner_and_stops_when_solved(tmp_path):
    """README's first block: from any folder, it stops when solved and prints the outputs and the size."""
    block = python_blocks("README.md")[0]
    (tmp_path / "xor.py").write_text(block.source, encoding="utf-8")
    proc = subprocess.run([sys.executable, "xor.py"], cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    generations = [line for line in proc.stdout.splitlines() if line.startswith("gen ")]
    assert 1 <= len(generations) < 300  # stopped by the fitness threshold, not the generation limit
    last = proc.stdout.strip().splitlines()[-1]
    numbers = [float(v) for v in re.findall(r"-?\d+\.?\d*(?:e-?\d+)?", last)]
    assert len(numbers) == 6, f"expected the four outputs and (hidden nodes, connections), got {last!r}"
    outputs = numbers[:4]
    assert [round(v) for v in outputs] == [0, 1, 1, 0]
