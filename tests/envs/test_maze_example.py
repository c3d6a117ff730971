"""examples/maze_novelty.py and benchmarks/maze.py run end to end on a tiny budget."""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys

import numpy as np
import pytest

import neat

ROOT = pathlib.Path(__file__).resolve().parents[2]
TINY = ["--maze", "medium", "--generations", "2", "--population", "20", "--seed", "3"]


def run_script(*args):
    return subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, check=False)


def test_the_maze_example_runs_and_draws_its_pictures(tmp_path):
    pytest.importorskip("matplotlib")
    out = tmp_path / "maze"
    proc = run_script("examples/maze_novelty.py", "--method", "novelty", *TINY, "--out", str(out))
    assert proc.returncode in (0, 1) and "Traceback" not in proc.stderr, proc.stderr  # 1: goal not reached
    assert "gen    0  best" in proc.stdout and "gen    1  best" in proc.stdout
    assert "medium maze, novelty: goal" in proc.stdout and "maze fitness: best" in proc.stdout
    assert "note: the replayed paths" not in proc.stdout  # the pictures show the evaluated episodes
    for name in ("trajectories.png", "positions.png", "archive.png", "maze_fitness.png", "fitness.png"):
        assert (out / name).read_bytes()[:4] == b"\x89PNG", name
    champion = neat.load_genome(out / "champion.json")
    assert (champion.config.num_inputs, champion.config.num_outputs) == (10, 2)
    assert (out / "stats.csv").exists()


def test_replayed_trajectories_end_at_the_recorded_behaviours(monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT / "examples"))
    import maze_novelty

    config = maze_novelty.maze_config(20)
    run = maze_novelty.evolve("fitness", "medium", generations=2, seed=1, config=config, quiet=True)
    genomes = list(run["population"].genomes)
    paths = maze_novelty.replay_trajectories(genomes, "medium")
    assert len(paths) == 20 and all(p.shape[1] == 2 and len(p) >= 2 for p in paths)
    ends = np.array([p[-1] for p in paths])
    assert ends.tobytes() == run["search"].behaviours.tobytes()
    assert run["evaluations"] == 40 and run["generations"] == 2 and not run["solved"]
    np.testing.assert_array_equal(paths[0][0], [25.0, 25.0])


def test_the_maze_benchmark_prints_json_last():
    proc = run_script("benchmarks/maze.py", "--runs", "1", *TINY[:6])
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    figures = json.loads(lines[-1])
    assert {"novelty_success", "fitness_success", "blend_success", "novelty_evaluations_median",
            "fitness_evaluations_median", "blend_evaluations_median"} <= set(figures)
    assert (figures["runs"], figures["maze"], figures["generations"], figures["population"]) == (1, "medium", 2, 20)
    assert sum(" seed  0: " in line for line in lines) == 3  # a progress line per run
    for method in ("novelty", "fitness", "blend"):
        assert figures[f"{method}_success"] in (0.0, 1.0)
