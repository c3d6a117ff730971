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

    with pytest.raises(EvaluationError) as info:
        Population(small()).run(broken, generations=3)
    assert str(info.value) == "evaluating generation 0 failed: broken(genomes) raised ZeroDivisionError: boom"
    assert isinstance(info.value.__cause__, ZeroDivisionError)


class Broken:
    def __call__(self, genomes):
        raise KeyError("x")


@pytest.mark.parametrize(
    "evaluate, who",
    [(lambda genomes: 1 / 0, "the evaluate function"), (Broken(), r"the evaluate callable \(Broken\)")],
)
def test_the_message_names_what_the_user_gave_run(evaluate, who):
    with pytest.raises(EvaluationError, match=f"^evaluating generation 0 failed: {who} raised (ZeroDivision|Key)Error"):
        Population(small()).run(evaluate, generations=1)


def test_a_failing_fitness_under_an_evaluator_is_named_in_the_users_words():
    from neat import Evaluator

    target = []

    def fitness(genome, generation):
        if generation == 2 and genome.key in target:
            raise ValueError("no network")
        return float(genome.conns.weight.sum())

    pop = Population(small())
    pop.run(Evaluator(fitness), generations=2)
    target.append(pop.ask()[7].key)  # generation 2's genome 7
    with pytest.raises(EvaluationError) as info:
        pop.run(Evaluator(fitness), generations=5)
    assert str(info.value) == "evaluating generation 2 failed: fitness of genome 7 raised ValueError: no network"
    assert isinstance(info.value.__cause__, ValueError)  # the user's own exception, with its traceback
    assert "evaluate(genomes)" not in str(info.value)


def test_bad_values_returned_to_run_name_the_generation_and_the_genome():
    def evaluate(genomes, generation):
        values = weight_sum(genomes)
        if generation == 1:
            values[4] = "0.5"
        return values

    with pytest.raises(EvaluationError, match=r"^evaluating generation 1 failed: fitness of genome 4 is '0.5' \(str\)"):
        Population(small()).run(evaluate, generations=3)


def falling(genomes, generation):
    """Fitness that gets worse every generation: the champion of a generation is not the best ever."""
    return [v - 10.0 * generation for v in weight_sum(genomes)]


def test_stop_reads_the_generation_just_evaluated():
    seen = []

    def stop(pop):
        fitness = pop.fitness
        assert fitness.dtype == np.float64 and fitness.shape == (30,)
        assert not fitness.flags.writeable
        with pytest.raises(ValueError):
            fitness[0] = 1.0
        expected = falling(pop.genomes, pop.generation)  # an independent evaluation of the same genomes
        assert fitness.tolist() == expected
        best = int(np.argmax(expected))
        assert pop.generation_champion == pop.genomes[best]
        assert pop.generation_champion.key == pop.genomes[best].key
        assert pop.generation_champion_fitness == expected[best] == max(fitness)
        seen.append((pop.generation, pop.generation_champion_fitness, pop.best_fitness))
        return False

    pop = Population(small())
    assert pop.fitness is None and pop.generation_champion is None and pop.generation_champion_fitness is None
    pop.run(falling, generations=5, stop=stop)
    assert [g for g, _, _ in seen] == [0, 1, 2, 3, 4]
    assert seen[-1][1] < seen[-1][2]  # this generation's champion is worse than the best ever


def test_reporters_read_the_generation_just_evaluated():
    class Reads(Reporter):
        def __init__(self):
            self.rows = []

        def post_evaluate(self, pop, fitness):
            assert np.array_equal(pop.fitness, fitness)
            self.rows.append(("post_evaluate", pop.generation, pop.fitness.copy(), pop.generation_champion))

        def end_generation(self, pop):  # after reproduction: still the generation just reproduced
            self.rows.append(("end_generation", pop.generation - 1, pop.fitness.copy(), pop.generation_champion))

    reads = Reads()
    pop = Population(small(objective="min"), reporters=[reads])
    told = []
    for _ in range(3):
        genomes = list(pop.ask())
        fitness = falling(genomes, pop.generation)
        told.append((genomes, fitness))
        pop.tell(fitness)
    assert [(hook, g) for hook, g, _, _ in reads.rows] == [
        ("post_evaluate", 0), ("end_generation", 0), ("post_evaluate", 1), ("end_generation", 1),
        ("post_evaluate", 2), ("end_generation", 2)]
    for _, generation, fitness, champion in reads.rows:
        genomes, expected = told[generation]
        assert fitness.tolist() == expected
        assert champion == genomes[int(np.argmin(expected))]  # minimised: the lowest
    assert pop.generation_champion_fitness == min(told[-1][1])


def test_the_generation_just_evaluated_survives_a_checkpoint_of_a_stopped_run(tmp_path):
    from neat import load_checkpoint, save_checkpoint

    pop = Population(small())
    pop.run(falling, generations=3)  # stopped: generation 2 evaluated, not reproduced
    save_checkpoint(pop, tmp_path / "c.npz")
    back = load_checkpoint(tmp_path / "c.npz")
    assert np.array_equal(back.fitness, pop.fitness) and not back.fitness.flags.writeable
    assert back.generation_champion == pop.generation_champion
    assert back.generation_champion_fitness == pop.generation_champion_fitness


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
    pop._keep(pop._checked(weight_sum(pop.ask())))
    with pytest.raises(EvaluationError, match="already told"):
        pop._checked(weight_sum(pop.genomes))


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


def test_start_genomes_from_different_trackers_are_renumbered_so_runs_and_checkpoints_work(tmp_path):
    import neat

    config = Config(genome={"num_inputs": 2, "num_outputs": 1, "initial_connection": "none"},
                    run={"population_size": 6})
    genomes = []
    for i in range(6):  # each genome numbered by its own tracker, which met the two connections in its own order
        pairs = [(0, 2), (1, 2)] if i % 2 else [(1, 2), (0, 2)]
        g = neat.new_genome(config, neat.InnovationTracker.for_config(config), np.random.default_rng(i))
        conns = neat.ConnectionGenes(
            innovation=np.arange(2), src=np.array([s for s, _ in pairs]), dst=np.array([d for _, d in pairs]),
            weight=np.array([0.5, -0.5]), enabled=np.ones(2, dtype=bool),
        )
        genomes.append(g.replace(conns=conns))
    population = Population(config, seed=0, genomes=genomes)
    numbers = {(s, d): n for g in population.genomes for s, d, n in
               zip(g.conns.src.tolist(), g.conns.dst.tolist(), g.conns.innovation.tolist())}
    assert len(set(numbers.values())) == len(numbers) == 2  # one number per (src, dst) across genomes
    for g in population.genomes:
        g.validate()
    checkpointer = neat.Checkpointer(tmp_path, every=1)
    population.add_reporter(checkpointer)
    population.run(lambda gs: np.arange(len(gs), dtype=float), 2)
    resumed = neat.load_checkpoint(checkpointer.last_path)  # refused before: numbers disagreed with the tracker
    resumed.run(lambda gs: np.arange(len(gs), dtype=float), 1)
