"""benchmarks/property_depth.py: the deep property run counts its steps, checks them and reports as promised."""

import importlib.util
import json
import pathlib
import subprocess
import sys

import pytest

from .helpers import XOR

ROOT = pathlib.Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "benchmarks" / "property_depth.py"


@pytest.fixture
def depth():
    """The benchmark as a module (it is a script, not part of the package)."""
    spec = importlib.util.spec_from_file_location("property_depth", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def last_json(text):
    return json.loads(text.strip().splitlines()[-1])


def out_of_bounds(mutate):
    """``mutate`` with a planted bug: the first weight of every child above ``weight_max``."""

    def broken(genome, config, tracker, rng):
        child = mutate(genome, config, tracker, rng)
        if not child.num_connections:
            return child
        weight = child.conns.weight.copy()
        weight[0] = child.config.weight_max * 2 + 1
        return child.replace(conns=child.conns._replace(weight=weight))

    return broken


def test_a_short_run_prints_its_figures_as_json_last():
    result = subprocess.run([sys.executable, str(SCRIPT), "--steps", "600", "--seed", "3"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    figures = last_json(result.stdout)
    assert figures["operator_steps"] >= 600 and figures["invalid_genomes"] == 0 and figures["seconds"] >= 0
    assert figures["operator_errors"] == 0 and figures["failures"] == []
    parts = figures["steps_by_part"]
    assert parts["hypothesis"] >= 30 and parts["random"] >= 570  # 5% of the budget through Hypothesis
    assert sum(parts.values()) == figures["operator_steps"]
    assert sum(figures["steps_by_operator"]["random"].values()) == parts["random"]
    assert "operator steps, seed 3" in result.stderr  # progress goes to stderr


def test_the_budget_is_split_as_asked(depth, capsys):
    assert depth.main(["--steps", "150", "--hypothesis-share", "1"]) == 0
    figures = last_json(capsys.readouterr().out)
    assert figures["steps_by_part"]["hypothesis"] >= 150 and figures["steps_by_part"]["random"] == 0
    assert {"cross_pool", "mutate_pool", "crossover"} & set(figures["steps_by_operator"]["hypothesis"])


def test_episodes_cover_every_scenario_and_batched_operator(depth):
    tally = depth.Tally(1)
    for index in range(2 * len(depth.SCENARIOS)):  # episodes rotate through the scenarios
        episode = depth.Episode(1, index, tally)
        episode.size = 4  # small pools: a quick test
        episode.run(None)
    assert set(tally.by_scenario) == set(depth.SCENARIOS) and tally.invalid == tally.errors == 0
    assert {"cross_pool", "mutate_pool", "crossover", "mutate", "add_nodes", "delete_connections",
            "mutate_pool_attributes", "mutated_child"} <= {name for name, n in tally.by_operator["random"].items() if n}


def test_an_invalid_genome_is_counted_reported_and_replays(depth, capsys, monkeypatch):
    monkeypatch.setattr(depth, "mutate", out_of_bounds(depth.mutate))
    assert depth.main(["--steps", "3000", "--hypothesis-share", "0", "--seed", "5"]) == 1
    out, err = capsys.readouterr()
    figures = last_json(out)
    assert figures["invalid_genomes"] >= 1 and figures["operator_errors"] == 0
    assert figures["failures"][0]["operator"] == "mutate" and "weight" in figures["failures"][0]["message"]
    failure = json.loads(err.split("FAILURE ", 1)[1].splitlines()[0])
    assert failure["replay"].startswith("python benchmarks/property_depth.py --seed 5 --episode ")
    episode = failure["episode"]
    # The replay runs that one episode again and meets the same failure.
    assert depth.main(["--seed", "5", "--episode", str(episode)]) == 1
    replayed = last_json(capsys.readouterr().out)
    assert replayed["failures"][0]["message"] == figures["failures"][0]["message"]


def test_a_hypothesis_failure_is_counted_with_its_program(depth, capsys, monkeypatch):
    import neat.testing

    monkeypatch.setattr(neat.testing, "mutate", out_of_bounds(neat.testing.mutate))  # the machine's mutate rule
    assert depth.main(["--steps", "100", "--hypothesis-share", "1", "--no-shrink"]) == 1
    out, err = capsys.readouterr()
    figures = last_json(out)
    assert figures["invalid_genomes"] >= 1 and figures["steps_by_part"]["hypothesis"] >= 100
    assert figures["failures"][0]["part"] == "hypothesis" and figures["failures"][0]["operator"] == "mutate"
    assert "failing program" in err and "state.mutate(" in err


def test_an_operator_that_raises_is_an_error_and_the_run_goes_on(depth, capsys, monkeypatch):
    def cross_pool_that_raises(*args, **kwargs):
        raise IndexError("index 7 is out of bounds")

    monkeypatch.setattr(depth, "cross_pool", cross_pool_that_raises)
    assert depth.main(["--steps", "2000", "--hypothesis-share", "0"]) == 1
    figures = last_json(capsys.readouterr().out)
    assert figures["operator_errors"] >= 1 and figures["invalid_genomes"] == 0
    assert figures["operator_steps"] >= 2000  # the other episodes still ran
    assert figures["failures"][0] == {"kind": "error", "part": "random", "operator": "cross_pool",
                                      "message": "IndexError: index 7 is out of bounds"}


def test_a_stale_pool_array_counts_the_genomes_it_breaks(depth):
    tally = depth.Tally(0)
    episode = depth.Episode(0, 0, tally)
    episode.config, episode.tracker = XOR, depth.InnovationTracker.for_config(XOR)
    pool = depth.GenePool.pack(depth.new_genomes(XOR, episode.tracker, episode.rng, 3))
    src, dst = pool.edge_nodes()
    pool._set_edges(src + 1, dst)  # every edge's source one node row off, as a stale hand-down would be
    with pytest.raises(depth.Abort):
        episode.step("take", 0, lambda: pool)
    assert tally.invalid == 3 and "edge_src" in tally.failures[0]["message"]
