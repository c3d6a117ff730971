import os
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import numpy as np
import pytest

from neat import Config, EvaluationError, InnovationTracker, make_rng, new_genomes
from neat.evaluation import Evaluator
from neat.evolution.population import Population

CFG = Config(genome={"num_inputs": 3, "num_outputs": 2}, run={"population_size": 24, "seed": 4})


def weight_fitness(genome):
    return float(np.sum(genome.conns.weight**2))


def generation_fitness(genome, *, generation):
    return float(genome.conns.weight[0]) + generation


def fails_on_big_first_weight(genome):
    if genome.conns.weight[0] > 0.5:
        raise ValueError("weight too big")
    return 1.0


def dies(genome):
    os._exit(3)


def _genomes(n=24):
    return new_genomes(CFG, InnovationTracker.for_config(CFG), make_rng(0), n)


def test_serial_evaluator_in_order():
    genomes = _genomes()
    assert np.array_equal(Evaluator(weight_fitness)(genomes), [weight_fitness(g) for g in genomes])


@pytest.mark.parametrize("workers", [1, 2])
def test_process_pool_gives_the_serial_values(workers):
    genomes = _genomes(37)
    with ProcessPoolExecutor(workers) as pool:
        parallel = Evaluator(weight_fitness, executor=pool)(genomes)
    assert np.array_equal(parallel, Evaluator(weight_fitness)(genomes))


def test_whole_run_is_identical_whatever_the_executor():
    def best_of(executor):
        pop = Population(CFG)
        pop.run(Evaluator(weight_fitness, executor=executor), generations=4)
        return pop.best_genome, [g.conns.weight.tolist() for g in pop.genomes]

    serial = best_of(None)
    with ThreadPoolExecutor(3) as threads:
        assert best_of(threads) == serial
    with ProcessPoolExecutor(2) as pool:
        assert best_of(pool) == serial


def test_generation_keyword_reaches_the_fitness_function():
    genomes = _genomes(5)
    values = Evaluator(generation_fitness)(genomes, generation=7)
    assert np.array_equal(values, [g.conns.weight[0] + 7 for g in genomes])


def test_failing_fitness_names_the_genome():
    genomes = _genomes()
    bad = next(i for i, g in enumerate(genomes) if g.conns.weight[0] > 0.5)
    with pytest.raises(EvaluationError, match=f"genome {bad} raised ValueError: weight too big") as info:
        Evaluator(fails_on_big_first_weight)(genomes)
    assert isinstance(info.value.__cause__, ValueError)
    with ProcessPoolExecutor(2) as pool:
        with pytest.raises(EvaluationError, match=f"genome {bad} raised ValueError: weight too big"):
            Evaluator(fails_on_big_first_weight, executor=pool)(genomes)


def test_dead_worker_is_an_evaluation_error():
    with ProcessPoolExecutor(2) as pool:
        with pytest.raises(EvaluationError, match=r"a worker failed while evaluating genomes 0\.\.\d+: BrokenProcessPool"):
            Evaluator(dies, executor=pool)(_genomes(8))


def test_dask_local_cluster_gives_the_serial_values():
    distributed = pytest.importorskip("distributed", reason="the 'distributed' extra is not installed")
    genomes = _genomes(30)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client:
            values = Evaluator(weight_fitness, executor=client.get_executor(), workers=2)(genomes)
    assert np.array_equal(values, Evaluator(weight_fitness)(genomes))
