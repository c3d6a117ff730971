import os
import re
import threading
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool

import numpy as np
import pytest

from neat import (
    Checkpointer,
    Config,
    ConfigError,
    EvaluationError,
    InnovationTracker,
    load_checkpoint,
    make_rng,
    new_genomes,
)
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


class DiesOn:
    """Kills its worker process (``os._exit(3)``) on the genome of one key; sleeps on ``sleepy`` keys."""

    def __init__(self, key, sleepy=()):
        self.key = key
        self.sleepy = set(sleepy)

    def __call__(self, genome):
        if genome.key == self.key:
            os._exit(3)
        if genome.key in self.sleepy:
            time.sleep(30)  # terminated with the pool when the other worker dies
        return 1.0


def _keyed(n=8):
    """Genomes whose keys are their indices (a first generation)."""
    return list(Population(CFG.replace(run={"population_size": n})).ask())


def _died(message):
    return re.match(r"a worker process died( \(exit code 3\))?[ ;]", message)


def test_a_dead_worker_alone_on_its_chunk_is_named():
    with ProcessPoolExecutor(2) as pool:
        with pytest.raises(EvaluationError) as info:
            Evaluator(DiesOn(5), executor=pool, workers=1, chunks_per_worker=1)(_keyed(8))
    message = str(info.value)
    assert message.startswith("a worker process died (exit code 3) while evaluating genomes 0..7, the only chunk "
                              "that did not finish, so one of these genomes killed it")
    assert "make a new one, and resume the run from its last checkpoint" in message
    assert isinstance(info.value.__cause__, BrokenProcessPool)


def test_a_dead_worker_among_unfinished_chunks_is_not_guessed():
    # Chunk 0..3 dies on genome 0 while chunk 4..7 is still running: either could have been the one.
    with ProcessPoolExecutor(2) as pool:
        with pytest.raises(EvaluationError) as info:
            Evaluator(DiesOn(0, sleepy=range(4, 8)), executor=pool, chunks_per_worker=1)(_keyed(8))
    message = str(info.value)
    assert _died(message)
    assert "which of the 2 unfinished chunks (genomes 0..3, genomes 4..7) it was evaluating cannot be told" in message


@pytest.mark.parametrize("culprit", [0, 5, 7])
def test_a_dead_worker_never_names_a_wrong_range(culprit):
    with ProcessPoolExecutor(2) as pool:
        with pytest.raises(EvaluationError) as info:
            Evaluator(DiesOn(culprit), executor=pool)(_keyed(8))
    message = str(info.value)
    assert _died(message), message
    spans = [(int(a), int(b)) for a, b in re.findall(r"genomes (\d+)\.\.(\d+)", message)]
    assert spans and any(a <= culprit <= b for a, b in spans)
    assert ("the only chunk" in message) == (len(spans) == 1)
    assert len(spans) == 1 or "cannot be told" in message


def test_a_broken_pool_says_so_on_the_next_generation():
    with ProcessPoolExecutor(2) as pool:
        with pytest.raises(EvaluationError):
            Evaluator(DiesOn(0), executor=pool)(_keyed(8))
        with pytest.raises(EvaluationError, match="could not submit .* broke the pool: make a new executor"):
            Evaluator(weight_fitness, executor=pool)(_keyed(8))


class WaitsOn:
    """Blocks on the genome of one key (any: None), in generation ``generation``, until ``release`` returns."""

    def __init__(self, key, release, generation=None):
        self.key, self.release, self.when = key, release, generation

    def __call__(self, genome, generation=0):
        if self.key in (None, genome.key) and self.when in (None, generation):
            self.release()
        return weight_fitness(genome)


class FileFlag:
    """Waits (up to 60 s) until a file exists: picklable, so it works in worker processes."""

    def __init__(self, path):
        self.path = str(path)

    def __call__(self):
        for _ in range(6000):
            if os.path.exists(self.path):
                return
            time.sleep(0.01)


def test_timeout_names_the_chunk_that_ran_too_long():
    release = threading.Event()
    genomes = _keyed(8)
    try:
        with ThreadPoolExecutor(2) as threads:
            evaluate = Evaluator(WaitsOn(5, lambda: release.wait(60)), executor=threads, timeout=0.5)
            with pytest.raises(EvaluationError) as info:
                evaluate(genomes)
            release.set()
    finally:
        release.set()
    message = str(info.value)
    assert message.startswith("evaluating genomes 4..5 (chunk 3 of 4) took longer than the timeout of 0.5 s")
    assert "keeps running in its worker" in message


def test_timeout_in_a_process_pool(tmp_path):
    flag = tmp_path / "go"
    with ProcessPoolExecutor(2) as pool:
        Evaluator(weight_fitness, executor=pool)(_keyed(8))  # the workers are started
        try:
            with pytest.raises(EvaluationError, match=r"^evaluating genomes 6\.\.7 \(chunk 4 of 4\) took longer than "
                               r"the timeout of 1 s"):
                Evaluator(WaitsOn(7, FileFlag(flag)), executor=pool, timeout=1)(_keyed(8))
        finally:
            flag.touch()  # the chunk that ran past the timeout returns, and the pool shuts down


@pytest.mark.parametrize("timeout", [0, -1.0, float("nan"), "5", True])
def test_timeout_must_be_positive_seconds(timeout):
    with ThreadPoolExecutor(1) as threads:
        with pytest.raises(ConfigError, match="timeout must be a number of seconds > 0"):
            Evaluator(weight_fitness, executor=threads, timeout=timeout)


def test_timeout_needs_an_executor():
    with pytest.raises(ConfigError, match="timeout needs an executor: a fitness function running in this process "
                                          "cannot be interrupted"):
        Evaluator(weight_fitness, timeout=10)


def test_a_run_that_timed_out_resumes_from_its_last_checkpoint(tmp_path):
    cfg = CFG.replace(run={"population_size": 12})

    def finished(evaluate, population=None, checkpointer=None):
        population = population or Population(cfg, reporters=[checkpointer] if checkpointer else [])
        population.run(evaluate, generations=6 - population.generation)
        return population.generation, population.best_genome, [g.conns.weight.tolist() for g in population.genomes]

    release = threading.Event()
    with ThreadPoolExecutor(2) as threads:
        plain = finished(Evaluator(weight_fitness, executor=threads, timeout=30))
        checkpoints = Checkpointer(tmp_path, every=1)
        hangs = Evaluator(WaitsOn(None, lambda: release.wait(60), generation=3), executor=threads, timeout=0.5)
        try:
            with pytest.raises(EvaluationError, match=r"^evaluating generation 3 failed: evaluating genomes 0\.\.2 "
                               r"\(chunk 1 of 4\) took longer than the timeout of 0.5 s"):
                finished(hangs, checkpointer=checkpoints)
        finally:
            release.set()
        resumed = load_checkpoint(checkpoints.last_path)
        assert resumed.generation == 3
        again = finished(Evaluator(weight_fitness, executor=threads, timeout=30), population=resumed)
    assert again == plain  # the resumed run is the run that never stopped


def test_dask_local_cluster_gives_the_serial_values():
    distributed = pytest.importorskip("distributed", reason="the 'distributed' extra is not installed")
    genomes = _genomes(30)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client:
            values = Evaluator(weight_fitness, executor=client.get_executor(), workers=2)(genomes)
    assert np.array_equal(values, Evaluator(weight_fitness)(genomes))
