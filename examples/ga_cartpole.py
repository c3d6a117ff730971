"""The fixed-topology GA on CartPole-v1: the NumPy CartPole GA, as a NEAT configuration.

The seed article's setup: a 4-16-2 network (ReLU hidden layer, argmax over
the two outputs), population 64, every child a copy of the best network plus
Gaussian noise (sigma 0.1) on all weights and biases, the best kept
unchanged, fitness the mean return over 15 episodes.  The start weights are
N(0, 1) and the biases start at zero (the preset's default).  It runs on the same
engine as NEAT (``neat.evolution.presets.fixed_topology_ga``): same ``Population``,
reporters, checkpoints and evaluators.  Prints the highest and mean reward
per generation, stops when the best mean reward reaches 475 (CartPole-v1 is
capped at 500; the article's uncapped CartPole reached 2,060), saves the
champion and reports its mean return over 100 fresh episodes.

Run:  python examples/ga_cartpole.py [--seed N] [--generations N] [--out runs/ga_cartpole]
"""

from __future__ import annotations

import argparse
import pathlib
import sys
import time

import numpy as np

import neat
from neat.cli import save_run
from neat.evolution.presets import fixed_topology_ga

TARGET = 475.0
TEST_SEED_OFFSET = 2_000_000
# CartPole's observations, then the two outputs (the larger one is the action), in the topology picture
NODE_NAMES = ("cart position", "cart velocity", "pole angle", "pole angular velocity", "push left", "push right")


def ga_config(seed: int, population: int = 64, sigma: float = 0.1) -> neat.Config:
    """The seed article's GA: 4-16-2, ReLU hidden, population 64, sigma 0.1, the best kept."""
    return fixed_topology_ga(4, 2, (16,), hidden_activation="relu", output_activation="identity",
                             population_size=population, truncation_size=1, sigma=sigma, seed=seed)


def evolve(seed: int, generations: int, episodes: int = 15, population: int = 64, reporters=()) -> dict:
    """One run; returns the champion, the generation that reached the target (or None) and counts."""
    pop = neat.Population(ga_config(seed, population), reporters=list(reporters))
    with neat.GymEvaluator("CartPole-v1", episodes=episodes, seed=seed) as evaluator:
        start = time.perf_counter()
        pop.run(evaluator, generations=generations, stop=lambda p: p.best_fitness >= TARGET)
        seconds = time.perf_counter() - start
        reached = pop.generation if pop.best_fitness >= TARGET else None
        test = evaluator.replay(pop.best_genome, 100, seed=seed + TEST_SEED_OFFSET)
    return {"champion": pop.best_genome, "reached": reached, "best": pop.best_fitness, "seconds": seconds,
            "env_steps": evaluator.env_steps, "test_returns": test}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The fixed-topology GA on CartPole-v1.")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--generations", type=int, default=20)
    parser.add_argument("--episodes", type=int, default=15)
    parser.add_argument("--population", type=int, default=64)
    parser.add_argument("--out", type=pathlib.Path, default=pathlib.Path("runs") / "ga_cartpole",
                        help="folder for the champion, its topology, statistics and plots")
    args = parser.parse_args(argv)
    statistics = neat.StatisticsReporter()
    result = evolve(args.seed, args.generations, args.episodes, args.population,
                    [neat.StdOutReporter(), statistics])
    when = f"in generation {result['reached']}" if result["reached"] is not None else "not reached"
    print(f"\nbest mean reward {result['best']:.1f} ({when}), {result['env_steps']} env steps, "
          f"{result['seconds']:.2f}s")
    for line in save_run(args.out, result["champion"], statistics, node_names=NODE_NAMES):
        print(line)
    test = result["test_returns"]
    print(f"champion on 100 fresh episodes: mean return {np.mean(test):.1f} "
          f"(min {np.min(test):.0f}, max {np.max(test):.0f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
