"""CartPole-v1 with two objectives: the mean return (maximised) and the network size (minimised).

``neat.MultiObjective`` turns the two objectives of every genome into one score
by NSGA-II (non-dominated fronts, then crowding distance), and NEAT
(speciation, fitness sharing, elitism) selects on that score.  The run keeps a
whole Pareto front of trade-offs: small networks that balance a while, larger
ones that balance longer.  At the end the script prints the last generation's
front (return vs enabled connections, each trade-off once), and draws every
genome of that generation with the front highlighted in
``runs/cartpole_multiobjective/front.png``; the statistics of every generation,
with the size of its first front (``front_size``), go to ``stats.csv`` there.

Config: examples/cartpole.toml (population 50), with networks that start with
no connections so the front spreads from 0 connections up.

Run:  python examples/cartpole_multiobjective.py [--seed N] [--generations N] [--population N]
      [--episodes N] [--out runs/cartpole_multiobjective]
"""

from __future__ import annotations

import argparse
import pathlib
import sys

import numpy as np

import neat
from neat.evolution.objectives import MultiObjective

HERE = pathlib.Path(__file__).resolve().parent
NODE_NAMES = ("cart position", "cart velocity", "pole angle", "pole angular velocity", "push left", "push right")


def make_config(seed: int, population: int) -> neat.Config:
    """examples/cartpole.toml, starting from no connections, with the seed and population size given."""
    data = neat.Config.from_toml_file(HERE / "cartpole.toml").to_dict()
    data["genome"]["initial_connection"] = "none"
    data["run"].update(population_size=population, seed=seed)
    return neat.Config.from_dict(data)


def front_table(objectives: np.ndarray, front: np.ndarray) -> list[tuple[float, int]]:
    """The front's distinct (return, connections) pairs, fewest connections first."""
    pairs = {(float(objectives[i, 0]), int(objectives[i, 1])) for i in front}
    return sorted(pairs, key=lambda p: (p[1], -p[0]))


def plot_front(objectives: np.ndarray, front: np.ndarray, path: pathlib.Path, generation: int) -> None:
    """Every genome as a grey dot, the front as red points joined by a step line."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4), dpi=100)
    ax.scatter(objectives[:, 1], objectives[:, 0], s=14, c="0.6", label="population")
    table = front_table(objectives, front)
    size, score = [p[1] for p in table], [p[0] for p in table]
    ax.step(size, score, where="post", c="tab:red", lw=1)
    ax.scatter(size, score, s=30, c="tab:red", zorder=3, label="Pareto front")
    ax.set_xlabel("enabled connections (minimised)")
    ax.set_ylabel("mean return (maximised)")
    ax.set_title(f"CartPole-v1: the Pareto front of generation {generation}")
    ax.legend(loc="lower right")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="CartPole-v1 with two objectives: return and network size.")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--generations", type=int, default=30)
    parser.add_argument("--population", type=int, default=50)
    parser.add_argument("--episodes", type=int, default=5)
    parser.add_argument("--out", type=pathlib.Path, default=pathlib.Path("runs") / "cartpole_multiobjective")
    args = parser.parse_args(argv)
    config = make_config(args.seed, args.population)
    statistics = neat.StatisticsReporter()
    population = neat.Population(config, reporters=[neat.StdOutReporter(), statistics])
    with neat.GymEvaluator("CartPole-v1", episodes=args.episodes, seed=args.seed) as evaluator:
        search = MultiObjective(evaluator, maximize=True, network_size=True)
        population.run(search, generations=args.generations)
    objectives, front = search.objectives, search.front
    print(f"\nthe Pareto front of generation {search.generation} ({len(front)} genomes):")
    print("  mean return  connections")
    for score, size in front_table(objectives, front):
        print(f"  {score:11.1f}  {size:11d}")
    path = args.out / "front.png"
    plot_front(objectives, front, path, search.generation)
    print(f"saved {path}")
    statistics.to_csv(args.out / "stats.csv")  # per generation, with the front's size (column front_size)
    print(f"saved {args.out / 'stats.csv'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
