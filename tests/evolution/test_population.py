import warnings

import numpy as np
import pytest

from neat import Config, ConfigError, EvaluationError
from neat.errors import ExtinctionError
from neat.evolution.fitness import InvalidFitnessWarning
from neat.evolution.population import Population
from neat.evolution.reporting import Reporter, StatisticsReporter


def weight_sum(genomes):
    """A cheap smooth task: fitness is the sum of enabled weights."""
    return [float(g.conns.weight[g.conns.enabled].sum()) for g in genomes]


def small(**run):
    return Config(genome={"num_inputs": 2, "num_outputs": 1}, run={"population_size": 30, "seed": 1, **run})


class Recorder(Reporter):
    def __init__(self):
        self.calls = []

    def __getattribute__(self, name):
        hooks = ("start_generation", "post_evaluate", "solution_found", "species_changed",
                 "species_stagnant", "extinction", "end_generation", "end_run")
        if name in hooks:
            return lambda *args: object.__getattribute__(self, "calls").append(name)
        return object.__getattribute__(self, name)


def test_population_size_is_exact_every_generation():
    cfg = small().replace(run={"population_size": 37}, reproduction={"min_species_size": 1},
                          speciation={"compatibility_threshold": 0.5})
    pop = Population(cfg)
    for _ in range(15):
        genomes = pop.ask()
        assert len(genomes) == 37
        pop.tell(weight_sum(genomes))
        for g in pop.genomes:
            g.validate()


def test_maximise_improves_and_best_is_kept():
    pop = Population(small())
    first = max(weight_sum(pop.ask()))
    best = pop.run(weight_sum, generations=25)
    assert pop.best_fitness > first
    assert best is pop.best_genome
    assert weight_sum([best])[0] == pop.best_fitness


def test_minimise_is_honoured():
    pop = Population(small(objective="min"))
    first = min(weight_sum(pop.ask()))
    stats = StatisticsReporter()
    pop.add_reporter(stats)
    pop.run(weight_sum, generations=25)
    assert pop.best_fitness < first
    assert pop.best_fitness == min(g.best for g in stats.generations)
    assert stats.best_fitness()[-1] <= stats.best_fitness()[0]


def test_same_seed_same_run():
    def history(seed):
        pop = Population(small(), seed=seed)
        stats = StatisticsReporter()
        pop.add_reporter(stats)
        pop.run(weight_sum, generations=12)
        return pop, stats.to_csv()

    (a, csv_a), (b, csv_b) = history(5), history(5)
    assert csv_a == csv_b
    assert all(x == y for x, y in zip(a.genomes, b.genomes))
    assert a.best_genome == b.best_genome
    _, csv_c = history(6)
    assert csv_c != csv_a


def test_champions_are_copied_unchanged():
    cfg = small().replace(speciation={"compatibility_threshold": 100.0}, reproduction={"elitism": 2})
    pop = Population(cfg)
    genomes = pop.ask()
    fitness = np.arange(len(genomes), dtype=float)
    pop.tell(fitness)
    # The elites are bit-identical copies and keep their keys; every other child has a new key.
    assert pop.genomes[0] == genomes[-1] and pop.genomes[1] == genomes[-2]
    assert [pop.genomes[0].key, pop.genomes[1].key] == [genomes[-1].key, genomes[-2].key]
    assert sorted(g.key for g in pop.genomes[2:]) == list(range(len(genomes), 2 * len(genomes) - 2))


def test_termination_by_threshold_generations_and_callback():
    pop = Population(small(fitness_threshold=5.0))
    pop.run(weight_sum, generations=200)
    assert pop.solved() and pop.best_fitness >= 5.0 and pop.generation < 199
    pop = Population(small())
    pop.run(weight_sum, generations=7)
    assert pop.generation == 6 and pop.evaluations == 7 * 30
    pop.run(weight_sum, generations=3)  # continues: makes generation 7 first
    assert pop.generation == 9 and pop.evaluations == 10 * 30
    pop = Population(small())
    pop.run(weight_sum, generations=50, stop=lambda p: p.generation == 4)
    assert pop.generation == 4
    with pytest.raises(ConfigError, match="needs a way to stop"):
        Population(small()).run(weight_sum)


def test_reporter_hooks_in_order():
    rec = Recorder()
    pop = Population(small(fitness_threshold=1e9), reporters=[rec])
    pop.run(weight_sum, generations=2)
    assert rec.calls == ["start_generation", "post_evaluate", "species_changed", "end_generation",
                         "start_generation", "post_evaluate", "end_run"]


@pytest.mark.parametrize(
    "fitness, message",
    [
        ([1.0] * 29, r"expected 30 fitness values .* got shape \(29,\)"),
        ([1.0] * 29 + [float("nan")], "genome 29: nan"),
        ([1.0] * 28 + [float("inf"), 2.0], "genome 28: inf"),
        ([1.0] * 10 + ["bad"] + [1.0] * 19, "fitness of genome 10 is 'bad'"),
        ([1.0] * 10 + [None] + [1.0] * 19, "fitness of genome 10 is None"),
    ],
)
def test_bad_fitness_is_an_evaluation_error_naming_the_genome(fitness, message):
    pop = Population(small())
    pop.ask()
    with pytest.raises(EvaluationError, match=message):
        pop.tell(fitness)


def test_bad_fitness_can_be_replaced_by_the_worst():
    pop = Population(small(invalid_fitness="worst"))
    genomes = pop.ask()
    fitness = np.arange(30, dtype=float)
    fitness[3] = np.nan
    with pytest.warns(InvalidFitnessWarning, match="genome 3"):
        pop.tell(fitness)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pop.tell(weight_sum(pop.ask()))
    assert len(genomes) == 30


def test_evaluate_that_raises_keeps_the_cause():
    def broken(genomes):
        raise ZeroDivisionError("boom")

    with pytest.raises(EvaluationError, match="generation 0: ZeroDivisionError: boom") as info:
        Population(small()).run(broken, generations=3)
    assert isinstance(info.value.__cause__, ZeroDivisionError)


def test_extinction_restart_and_stop():
    cfg = small().replace(stagnation={"max_stagnation": 1, "species_elitism": 0})
    rec = Recorder()
    pop = Population(cfg, reporters=[rec])
    for _ in range(3):
        pop.tell(np.zeros(30))  # never improves: every species stagnates
    assert "extinction" in rec.calls and len(pop.genomes) == 30
    stop = Population(cfg.replace(run={"on_extinction": "stop"}))
    with pytest.raises(ExtinctionError, match="every species died"):
        for _ in range(3):
            stop.tell(np.zeros(30))


def test_population_that_cannot_be_split_is_a_config_error():
    with pytest.raises(ConfigError, match="target_species = 20 .* exceed \\[run\\] population_size = 30"):
        small().replace(speciation={"target_species": 20})
    with pytest.raises(ConfigError, match="min_species_size = 40"):
        small().replace(reproduction={"min_species_size": 40})


def test_telling_twice_is_an_error():
    pop = Population(small())
    pop._record(weight_sum(pop.ask()))
    with pytest.raises(EvaluationError, match="already told"):
        pop._record(weight_sum(pop.genomes))


def test_stdout_reporter_prints_one_line_per_generation_and_csv_reads_back(tmp_path):
    import io

    from neat.evolution.reporting import StdOutReporter

    stream = io.StringIO()
    stats = StatisticsReporter()
    pop = Population(small(), reporters=[StdOutReporter(stream), stats])
    pop.run(weight_sum, generations=4)
    lines = [line for line in stream.getvalue().splitlines() if line.startswith("gen ")]
    assert [int(line.split()[1]) for line in lines] == [0, 1, 2, 3]
    assert "species" in lines[0] and "evals" in lines[0]
    stats.to_csv(tmp_path / "s.csv")
    back = StatisticsReporter.read_csv(tmp_path / "s.csv")
    assert [g.best for g in back] == [g.best for g in stats.generations]
    assert back[0].species_sizes == stats.generations[0].species_sizes


def test_evaluate_taking_a_generation_keyword_is_told_the_generation():
    seen = []

    def evaluate(genomes, *, generation):
        seen.append(generation)
        return weight_sum(genomes)

    pop = Population(small())
    pop.run(evaluate, generations=3)
    pop.run(evaluate, generations=2)
    assert seen == [0, 1, 2, 3, 4]


def test_genome_keys_are_unique_in_the_run_and_reported():
    stats = StatisticsReporter()
    pop = Population(small(), reporters=[stats])
    seen: dict[int, object] = {}
    for _ in range(8):
        genomes = pop.ask()
        for g in genomes:
            assert g.key is not None
            if g.key in seen:  # only an elite comes back, with the same genes
                assert seen[g.key] == g
            seen[g.key] = g
        assert len({g.key for g in genomes}) == len(genomes)
        fitness = weight_sum(genomes)
        pop.tell(fitness)
        assert stats.generations[-1].best_key == genomes[int(np.argmax(fitness))].key
    assert pop.next_key > max(seen)


def test_statistics_csv_keeps_the_best_key(tmp_path):
    stats = StatisticsReporter()
    Population(small(), reporters=[stats]).run(weight_sum, generations=3)
    rows = StatisticsReporter.read_csv(tmp_path / "s.csv") if stats.to_csv(tmp_path / "s.csv") else None
    assert [r.best_key for r in rows] == [g.best_key for g in stats.generations]
    assert all(isinstance(r.best_key, int) for r in rows)
