"""GymEvaluator over executors: the same fitness as in-process, errors naming the genomes."""

from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import gymnasium
import numpy as np
import pytest

import neat
from neat import Config, EvaluationError, GymEvaluator

CFG = Config(genome={"num_inputs": 4, "num_outputs": 2}, run={"population_size": 20, "seed": 2})


def broken_cartpole():
    """A CartPole whose step fails: the error must come back from the worker."""

    class Broken(gymnasium.Wrapper):
        def step(self, action):
            raise RuntimeError("the simulator crashed")

    return Broken(gymnasium.make("CartPole-v1"))


def _genomes():
    return neat.Population(CFG).ask()


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_process_pool_gives_the_in_process_fitness(workers):
    genomes = _genomes()
    serial = GymEvaluator("CartPole-v1", episodes=3, seed=5, vectorized=False)
    expected = serial(genomes, generation=4)
    with ProcessPoolExecutor(2) as pool:
        parallel = GymEvaluator("CartPole-v1", episodes=3, seed=5, executor=pool, workers=workers)
        assert np.array_equal(parallel(genomes, generation=4), expected)
        assert np.array_equal(parallel(genomes, generation=4), expected)  # envs reused in the workers
    assert parallel.env_steps == 2 * serial.env_steps and parallel.episodes_run == 2 * serial.episodes_run


def test_a_whole_run_is_the_same_with_threads_or_processes():
    def run(executor):
        pop = neat.Population(CFG)
        pop.run(GymEvaluator("CartPole-v1", episodes=2, executor=executor, workers=2), generations=3)
        return pop.best_fitness, [g.conns.weight.tolist() for g in pop.genomes]

    in_process = run(None)
    with ThreadPoolExecutor(2) as threads:
        assert run(threads) == in_process
    with ProcessPoolExecutor(2) as pool:
        assert run(pool) == in_process


def test_worker_failure_names_the_genomes():
    with ProcessPoolExecutor(2) as pool:
        evaluator = GymEvaluator(broken_cartpole, episodes=1, executor=pool, workers=2)
        # both chunks fail; the one reported is the first to come back
        with pytest.raises(EvaluationError, match=r"a worker failed while playing genomes (0\.\.9|10\.\.19): .*crashed"):
            evaluator(_genomes())


def dying_cartpole():
    """A CartPole whose step kills its worker process, as a crashing simulator would."""
    import os

    class Dying(gymnasium.Wrapper):
        def step(self, action):
            os._exit(3)

    return Dying(gymnasium.make("CartPole-v1"))


def test_a_dead_worker_is_named_or_said_to_be_unknown_never_a_wrong_range():
    with ProcessPoolExecutor(2) as pool:
        evaluator = GymEvaluator(dying_cartpole, episodes=1, executor=pool, workers=2)
        with pytest.raises(EvaluationError) as info:
            evaluator(_genomes())
    message = str(info.value)
    assert message.startswith("CartPole-v1: a worker process died") or "a worker process died" in message
    # both chunks (genomes 0..9 and 10..19) were unfinished when the pool broke: it cannot say which died
    assert "cannot be told" in message and "genomes 0..9, genomes 10..19" in message
    assert "a worker failed while playing genomes 0..9" not in message  # the old, wrong blame
