"""Evolve a CartPole-v1 controller (gymnasium) with NEAT.

Each genome plays ``--episodes`` episodes per generation (the same starts for
every genome, new starts every generation); its fitness is the mean return
(500 = the pole stayed up to the env's time limit every time).  A genome that
balances every training episode is then tested on fresh validation episodes;
the first to average >= 490 there is the champion and evolution stops.  The
champion is saved as JSON and replayed on 100 episodes it has never seen
(solved: mean return >= 475, the gymnasium threshold).

Run:  python examples/cartpole.py [--seed N] [--out cartpole-champion.json] [--generations N]
"""

from __future__ import annotations

import argparse
import pathlib
import sys
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

import neat
from neat.gym import GymEvaluator

HERE = pathlib.Path(__file__).resolve().parent
ENV_ID = "CartPole-v1"
MAX_RETURN = 500.0  # CartPole-v1's time limit, one reward per step
VALIDATION_TARGET = 490.0  # mean return a candidate needs on the validation episodes
SOLVED = 475.0  # gymnasium's reward threshold for CartPole-v1
# Replays draw their starts from a branch of the seeds training never uses;
# validation and the final test use different replay seeds of their own.
VALIDATION_SEED_OFFSET = 1_000_000
TEST_SEED_OFFSET = 2_000_000


class ValidatedFitness:
    """Training fitness from a ``GymEvaluator``, plus a check of the best genomes on fresh episodes.

    Called as ``fitness(genomes, generation=g)`` by ``Population.run``.  The
    top ``candidates`` genomes of a generation that reached the maximum
    return on every training episode are replayed on ``validation_episodes``
    episodes; the first that averages ``VALIDATION_TARGET`` becomes
    ``champion``.
    """

    def __init__(
        self, evaluator: GymEvaluator, *, validation_episodes: int, validation_seed: int, candidates: int = 3
    ) -> None:
        self.evaluator = evaluator
        self.validation_episodes = validation_episodes
        self.validation_seed = validation_seed
        self.candidates = candidates
        self.champion: neat.Genome | None = None
        self.validation_return: float | None = None

    def __call__(self, genomes: list[neat.Genome], *, generation: int) -> np.ndarray:
        fitness = self.evaluator(genomes, generation=generation)
        if self.champion is None:
            for i in np.argsort(-fitness, kind="stable")[: self.candidates].tolist():
                if fitness[i] < MAX_RETURN:
                    break
                returns = self.evaluator.replay(genomes[i], self.validation_episodes, seed=self.validation_seed)
                if returns.mean() >= VALIDATION_TARGET:
                    self.champion, self.validation_return = genomes[i], float(returns.mean())
                    break
        return fitness


def evolve(
    config: neat.Config,
    *,
    seed: int,
    episodes: int = 10,
    validation_episodes: int = 50,
    generations: int | None = None,
    reporters: Sequence[Any] = (),
    vectorized: bool | str | None = None,
    test_episodes: int = 100,
) -> dict[str, Any]:
    """One run: evolve until a validated champion (or ``generations``), then test it.

    Returns a dict with ``champion`` (a Genome), ``validated`` (bool),
    ``generations``, ``env_steps`` (training and validation),
    ``seconds`` (to the champion, testing excluded) and ``test_returns``
    (``(test_episodes,)`` returns on fresh episodes).
    """
    start = time.perf_counter()
    with GymEvaluator(ENV_ID, episodes=episodes, seed=seed, vectorized=vectorized) as evaluator:
        fitness = ValidatedFitness(
            evaluator, validation_episodes=validation_episodes, validation_seed=seed + VALIDATION_SEED_OFFSET
        )
        population = neat.Population(config, seed=seed, reporters=reporters)
        best = population.run(fitness, generations, stop=lambda pop: fitness.champion is not None)
        champion = fitness.champion or best
        seconds = time.perf_counter() - start
        env_steps = evaluator.env_steps
        test_returns = evaluator.replay(champion, test_episodes, seed=seed + TEST_SEED_OFFSET)
    return {
        "champion": champion,
        "validated": fitness.champion is not None,
        "validation_return": fitness.validation_return,
        "generations": population.generation + 1,
        "env_steps": env_steps,
        "seconds": seconds,
        "test_returns": test_returns,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Evolve a CartPole-v1 controller with NEAT.")
    parser.add_argument("--config", default=HERE / "cartpole.toml", type=pathlib.Path)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="cartpole-champion.json", type=pathlib.Path)
    parser.add_argument("--generations", type=int, default=None, help="at most this many generations")
    parser.add_argument("--episodes", type=int, default=10, help="training episodes per genome and generation")
    parser.add_argument("--serial", action="store_true", help="step plain envs instead of a vector env")
    args = parser.parse_args(argv)

    config = neat.Config.from_toml_file(args.config)
    run = evolve(
        config,
        seed=args.seed,
        episodes=args.episodes,
        generations=args.generations,
        reporters=[neat.StdOutReporter()],
        vectorized=False if args.serial else None,
    )
    champion, test = run["champion"], run["test_returns"]
    hidden, enabled = champion.size()
    print(
        f"\n{'validated champion' if run['validated'] else 'no validated champion; best genome'} after "
        f"{run['generations']} generations, {run['env_steps']} env steps, {run['seconds']:.2f}s"
    )
    print(f"champion: {hidden} hidden nodes, {enabled} enabled connections")
    neat.save_genome(champion, args.out)
    print(f"saved {args.out}")
    solved = bool(test.mean() >= SOLVED)
    print(
        f"test on {len(test)} fresh episodes: mean return {test.mean():.1f} (min {test.min():.0f}, "
        f"max {test.max():.0f}): {'solved' if solved else 'not solved'} (>= {SOLVED:.0f})"
    )
    return 0 if solved else 1


if __name__ == "__main__":
    sys.exit(main())
