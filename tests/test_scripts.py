"""The example and benchmark scripts run and print what they promise (no timing is checked)."""

import importlib
import json
import pathlib
import re
import shlex
import subprocess
import sys

import pytest

import neat

ROOT = pathlib.Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
GYM_EXAMPLES = ["cartpole", "cartpole_no_velocity", "acrobot", "mountain_car", "pendulum", "lunar_lander", "bipedal_walker",
                "inverted_double_pendulum"]


def run(*args):
    return subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout


def test_grow_genome_example():
    out = run("examples/grow_genome.py", "--generations", "4", "--seed", "1")
    assert "matching innovations" in out and "child size" in out and "innov" in out


def test_genome_benchmark_prints_json_last():
    last = run("benchmarks/genome.py", "--quick").strip().splitlines()[-1]
    figures = json.loads(last)
    for key in ("perturb_100k_ms", "align_1k_us", "distance_10k_ms"):
        assert figures[key] > 0


def test_xor_example_evolves_a_solution(tmp_path):
    out = tmp_path / "xor"
    text = run("examples/xor.py", "--seed", "3", "--out", str(out))
    assert "solved after" in text and "gen    0" in text
    from neat import load_genome

    winner = load_genome(out / "champion.json")
    # the run folder holds the winner's topology (with the input names) and the fitness plot
    assert '"x1"' in (out / "champion.svg").read_text() or ">x1<" in (out / "champion.svg").read_text()
    assert (out / "fitness.png").read_bytes()[:4] == b"\x89PNG" and (out / "stats.csv").exists()
    sys.path.insert(0, str(ROOT / "examples"))
    try:
        from xor import solves_xor
    finally:
        sys.path.pop(0)
    assert solves_xor(winner)


def test_xor_and_reproduction_benchmarks_print_json_last():
    figures = json.loads(run("benchmarks/xor.py", "--runs", "1").strip().splitlines()[-1])
    for key in ("success_rate", "evaluations_mean", "evaluations_median", "evaluations_max", "generations_mean",
                "hidden_nodes_mean", "enabled_connections_mean", "seconds_per_run_median",
                "bookkeeping_ms_per_generation"):
        assert key in figures
    figures = json.loads(run("benchmarks/reproduction.py", "--quick").strip().splitlines()[-1])
    assert {"bookkeeping_ms_150", "bookkeeping_ms_1000", "bookkeeping_ms_10000", "fallback_children_per_generation",
            "species_count_cv"} <= set(figures)


def test_generation_benchmark_prints_json_last():
    figures = json.loads(run("benchmarks/generation.py", "--quick", "--sizes", "2000").strip().splitlines()[-1])
    assert {"generation_ms_2000", "compile_ms_2000", "forward_ms_2000", "tell_ms_2000"} <= set(figures)


def test_ga_cartpole_example_runs(tmp_path):
    out = run("examples/ga_cartpole.py", "--generations", "2", "--population", "16", "--episodes", "2",
              "--out", str(tmp_path / "ga"))
    assert "gen    0" in out and "champion on 100 fresh episodes" in out
    from neat import load_genome

    assert (tmp_path / "ga" / "champion.svg").exists() and (tmp_path / "ga" / "fitness.png").exists()
    assert load_genome(tmp_path / "ga" / "champion.json").size() == (16, 4 * 16 + 16 * 2)


def import_example(name, monkeypatch):
    monkeypatch.syspath_prepend(str(EXAMPLES))
    return importlib.import_module(name)


def assert_names(names, config):
    """One readable name for every input and output of ``config``'s genomes."""
    assert names is not None, "no node names: the topology picture would show bare node ids"
    assert len(names) == config.genome.num_inputs + config.genome.num_outputs
    assert len(set(names)) == len(names) and all(isinstance(n, str) and n.strip() for n in names)


@pytest.mark.parametrize("name", GYM_EXAMPLES)
def test_every_gym_example_names_its_observations_and_actions(name, monkeypatch):
    task = import_example(name, monkeypatch).TASK
    assert task.name == name
    assert_names(task.node_names, neat.Config.from_toml_file(EXAMPLES / f"{name}.toml"))


def test_the_xor_and_ga_examples_name_their_inputs_and_outputs(monkeypatch):
    assert_names(import_example("xor", monkeypatch).NODE_NAMES, neat.Config.from_toml_file(EXAMPLES / "xor.toml"))
    ga = import_example("ga_cartpole", monkeypatch)
    assert_names(ga.NODE_NAMES, ga.ga_config(0))


def demo_command():
    """The command of the Makefile's demo target that runs the example."""
    makefile = (ROOT / "Makefile").read_text()
    recipe = re.search(r"^demo:.*\n((?:\t.*\n)+)", makefile, re.M).group(1)
    line = next(line.strip() for line in recipe.splitlines() if "examples/" in line and not line.strip().startswith("@"))
    return shlex.split(line.replace("$(BIN)/python", shlex.quote(sys.executable)))


def test_make_demo_shows_learning_and_ends_with_a_solved_saved_champion(tmp_path):
    command = demo_command()
    assert "--config" in command  # the demo's own config, described in the README
    config_path = command[command.index("--config") + 1]
    assert f"{command[1]} --config {config_path}" in " ".join((ROOT / "README.md").read_text().split())
    out = tmp_path / "cartpole"
    proc = subprocess.run([*command, "--out", str(out), "--test-episodes", "20"], cwd=ROOT, capture_output=True,
                          text=True)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]  # 0: solved
    assert "solved (>= 475)" in proc.stdout
    best = [float(line.split()[3]) for line in proc.stdout.splitlines() if line.startswith("gen ")]
    assert len(best) >= 6, "the demo solves too fast for its plots to show learning"
    assert best[0] < 100 <= max(best)
    assert neat.load_genome(out / "champion.json").config.num_inputs == 4
    assert "pole angle" in (out / "champion.svg").read_text()
    for picture in ("fitness.png", "species.png"):
        assert (out / picture).read_bytes()[:4] == b"\x89PNG"


def test_make_demo_installs_the_picture_extras_and_pygame():
    makefile = (ROOT / "Makefile").read_text()
    stamp = re.search(r"^demo:\s*(\S+)", makefile, re.M).group(1)
    recipe = re.search(rf"^{re.escape(stamp)}:.*\n((?:\t.*\n)+)", makefile, re.M).group(1)
    install = next(line for line in recipe.splitlines() if "pip install" in line)
    assert "[viz" in install  # matplotlib, pygraphviz
    assert "classic-control" in install  # pygame, for `neatlab replay --render`


def test_cartpole_multiobjective_example_prints_and_draws_its_front(tmp_path):
    out = run("examples/cartpole_multiobjective.py", "--generations", "3", "--population", "16", "--episodes", "1",
              "--out", str(tmp_path / "mo"))
    assert re.search(r"gen    2 .* front +\d+", out)
    table = out.split("the Pareto front of generation 2")[1].splitlines()[2:]
    rows = [tuple(map(float, line.split())) for line in table if re.fullmatch(r"\s*[\d.]+\s+\d+", line)]
    assert rows and [r[1] for r in rows] == sorted(r[1] for r in rows)  # fewest connections first
    assert [r[0] for r in rows] == sorted(r[0] for r in rows)  # a front: more connections, more return
    assert (tmp_path / "mo" / "front.png").read_bytes()[:4] == b"\x89PNG"
    stats = neat.StatisticsReporter.read_csv(tmp_path / "mo" / "stats.csv")
    fronts = [int(n) for n in re.findall(r"front +(\d+)", out)]
    assert [g.extra["front_size"] for g in stats] == fronts and len(fronts) == 3


@pytest.mark.parametrize("task", ["xor", "maze"])
def test_complexity_benchmark_prints_json_last(task):
    extra = ["--maze", "medium", "--population", "20"] if task == "maze" else []
    lines = run("benchmarks/complexity.py", "--task", task, "--runs", "1", "--generations", "3", "--ceiling", "1.5",
                *extra).strip().splitlines()
    figures = json.loads(lines[-1])
    assert len(lines) == 3 and lines[0].startswith("seed    0 unregulated") and lines[1].startswith("seed    0 regulated")
    for kind in ("regulated", "unregulated"):
        for what in ("mean_connections_max", "mean_connections_mean", "mean_connections_final",
                     "generations_over_ceiling", "success", "final_champion_success", "best_fitness_mean",
                     "first_solved_median"):
            assert f"{kind}_{what}" in figures
        assert figures[f"{kind}_mean_connections_mean"] <= figures[f"{kind}_mean_connections_max"]
    # the start topologies are fully connected (xor: 2 connections, the maze: 20), over a ceiling of 1.5: generation 0
    # is over it in both runs, and the regulated run breeds generation 1 in the simplifying phase
    assert figures["regulated_simplify_share"] > 0 and figures["unregulated_generations_over_ceiling"] > 0
    assert figures["unregulated_mean_connections_max"] >= 2 and figures["regulated_generations_over_ceiling"] > 0
    assert (figures["task"], figures["runs"], figures["generations"], figures["ceiling"]) == (task, 1, 3, 1.5)
