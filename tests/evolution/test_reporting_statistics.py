"""The statistics past the fitness: novelty archive, Pareto front, complexity phase, an evaluator's own.

They reach the reporters through ``population.evaluation_statistics`` (an evaluator's
``generation_statistics()``, or ``tell(..., statistics=)``) and ``population.phase``.
"""

import io

import numpy as np
import pytest

import neat
from neat.evaluation.novelty import NoveltySearch
from neat.evolution.objectives import MultiObjective
from neat.evolution.population import Population
from neat.evolution.reporting import GenerationStats, StatisticsReporter, StdOutReporter, extra_statistics

from .test_population import weight_sum

CFG = neat.Config(genome={"num_inputs": 2, "num_outputs": 1}, run={"population_size": 20, "seed": 4})
OLD_COLUMNS = ["generation", "best", "mean", "stdev", "evaluations", "num_species", "species_sizes", "best_key"]


def behaviour_of(genomes):
    w = np.array([[g.conns.weight.sum(), g.nodes.bias.sum()] for g in genomes])
    return -np.abs(w[:, 0] - 2.0), w


def gen_lines(stream):
    return [line for line in stream.getvalue().splitlines() if line.startswith("gen ")]


def test_novelty_search_archive_and_threshold_reach_stdout_and_csv(tmp_path):
    search = NoveltySearch(behaviour_of, k=3, archive_threshold=0.2, archive_size=30, seed=1)
    out, stats = io.StringIO(), StatisticsReporter()
    pop = Population(CFG, reporters=[StdOutReporter(out), stats])
    pop.run(search, generations=5)
    assert search.generation_statistics() == {"archive_size": len(search.archive),
                                              "novelty_threshold": search.threshold}
    assert pop.evaluation_statistics == search.generation_statistics()
    last = gen_lines(out)[-1]
    assert f"archive {len(search.archive)} thr {search.threshold:.3g}" in last
    assert "front" not in last and "complexify" not in last
    path = tmp_path / "stats.csv"
    text = stats.to_csv(path)
    header = text.splitlines()[0].split(",")
    assert header[:8] == OLD_COLUMNS  # the old columns keep their names and order
    assert header[8:] == ["phase", "complexity", "archive_size", "novelty_threshold", "front_size"]
    rows = [line.split(",") for line in text.splitlines()[1:]]
    assert all(r[8] == r[9] == r[12] == "" for r in rows)  # no regulation, no front: empty cells
    back = StatisticsReporter.read_csv(path)
    assert back == stats.generations
    assert back[-1].extra == {"archive_size": len(search.archive), "novelty_threshold": search.threshold}
    assert isinstance(back[-1].extra["archive_size"], int)


def test_novelty_search_given_as_its_bound_method_is_seen_too():
    search = NoveltySearch(behaviour_of, k=3, seed=1)
    pop = Population(CFG)
    pop.run(search.evaluate, generations=2)
    assert pop.evaluation_statistics["archive_size"] == len(search.archive)


def test_front_size_reaches_stdout_and_csv(tmp_path):
    def error(genomes):
        return np.array([abs(g.conns.weight.sum() - 1.0) for g in genomes])

    search = MultiObjective(error, maximize=False, network_size=True)
    out, stats = io.StringIO(), StatisticsReporter()
    Population(CFG, reporters=[StdOutReporter(out), stats]).run(search, generations=3)
    assert search.generation_statistics() == {"front_size": search.front_size}
    assert gen_lines(out)[-1].endswith(f"  front {search.front_size}")
    stats.to_csv(tmp_path / "s.csv")
    back = StatisticsReporter.read_csv(tmp_path / "s.csv")
    assert [g.extra for g in back] == [g.extra for g in stats.generations]
    assert back[-1].extra == {"front_size": search.front_size}


def test_multi_objective_over_a_novelty_search_reports_both():
    search = NoveltySearch(behaviour_of, k=3, seed=1)

    def objectives(genomes, generation):
        novelty = search(genomes, generation=generation)
        return np.column_stack([search.fitness, novelty])

    class Both:
        def __call__(self, genomes, generation):
            return objectives(genomes, generation)

        def generation_statistics(self):
            return search.generation_statistics()

    multi = MultiObjective(Both(), maximize=True)
    pop = Population(CFG)
    pop.run(multi, generations=2)
    assert set(pop.evaluation_statistics) == {"archive_size", "novelty_threshold", "front_size"}


def test_an_evaluators_own_statistics_and_tell_statistics_round_trip(tmp_path):
    class Evaluator:
        calls = 0

        def __call__(self, genomes):
            self.calls += 1
            return weight_sum(genomes)

        def generation_statistics(self):
            return {"solved_cases": self.calls, "temperature": 0.5 * self.calls, "note": f"call-{self.calls}"}

    out, stats = io.StringIO(), StatisticsReporter()
    pop = Population(CFG, reporters=[StdOutReporter(out), stats])
    pop.run(Evaluator(), generations=2)
    pop.tell(weight_sum(pop.ask()), statistics={"archive_size": 7})
    pop.tell(weight_sum(pop.ask()))
    assert pop.evaluation_statistics == {}
    assert "archive 7" in gen_lines(out)[2] and "archive" not in gen_lines(out)[1]
    path = tmp_path / "s.csv"
    text = stats.to_csv(path)
    assert text.splitlines()[0].split(",")[13:] == ["note", "solved_cases", "temperature"]
    back = StatisticsReporter.read_csv(path)
    assert back == stats.generations
    assert back[1].extra == {"solved_cases": 2, "temperature": 1.0, "note": "call-2"}
    assert back[2].extra == {"archive_size": 7} and back[3].extra == {}


def test_complexity_phase_in_extra_statistics():
    cfg = neat.Config(genome={"num_inputs": 2, "num_outputs": 1}, mutation={"conn_add_prob": 0.5},
                      reproduction={"complexity_regulation": "absolute", "complexity_ceiling": 3.0},
                      run={"population_size": 20, "seed": 4})
    pop = Population(cfg)
    pop.run(weight_sum, generations=1)
    assert extra_statistics(pop) == {"phase": pop.phase, "complexity": pop.regulation.complexity}
    assert pop.phase in ("complexify", "simplify") and pop.regulation.complexity == pytest.approx(
        np.mean([g.num_enabled for g in pop.genomes]))
    assert extra_statistics(Population(CFG)) == {}


def test_inf_threshold_round_trips_and_files_without_the_new_columns_still_read(tmp_path):
    stats = StatisticsReporter()
    stats.generations = [GenerationStats(0, 1.0, 0.5, 0.1, 20, {0: 20}, 3, {"novelty_threshold": float("inf"),
                                                                          "complexity": 0.1 + 0.2})]
    stats.to_csv(tmp_path / "s.csv")
    assert StatisticsReporter.read_csv(tmp_path / "s.csv") == stats.generations
    path = tmp_path / "old.csv"
    path.write_text(",".join(OLD_COLUMNS) + "\n0,1.0,0.5,0.1,20,1,0:20,3\n")
    assert StatisticsReporter.read_csv(path) == [GenerationStats(0, 1.0, 0.5, 0.1, 20, {0: 20}, 3, {})]
