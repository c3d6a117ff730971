"""Evolve XOR from neat-python's own config file, as a neat-python user would.

``examples/config-feedforward`` is neat-python's XOR config (INI), unchanged.
``neat.Config.from_neat_python`` maps each of its keys to ours (see
docs/neat_python.md), so the run uses neat-python's settings: population
150, sigmoid(5 z) nodes, its mutation rates and genomic distance, and its
stop rule, fitness_criterion = max reaching fitness_threshold = 3.9.

The fitness is neat-python's XOR fitness, 4 - (sum of squared errors) over
the four cases.  Unlike neat-python, the evaluator returns the fitness of
every genome (one array) instead of assigning ``genome.fitness``.

Like neat-python's, a run does not always reach the threshold in 300
generations (34 of seeds 0-39 did; the default seed does, in 51).

Run:  python examples/xor_neat_python.py [--config examples/config-feedforward] [--seed N] [--generations 300]
"""

from __future__ import annotations

import argparse
import pathlib
import sys

import numpy as np

import neat

HERE = pathlib.Path(__file__).resolve().parent
INPUTS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
TARGETS = np.array([0.0, 1.0, 1.0, 0.0])


def xor_outputs(genomes: list[neat.Genome]) -> np.ndarray:
    """(P, 4) outputs of every genome on the four XOR cases, in one population forward."""
    return neat.compile_population(genomes).forward(INPUTS)[:, :, 0]


def eval_genomes(genomes: list[neat.Genome]) -> np.ndarray:
    """(P,) neat-python's XOR fitness: 4 - sum of squared errors."""
    return 4.0 - ((xor_outputs(genomes) - TARGETS) ** 2).sum(axis=1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Evolve XOR from neat-python's config-feedforward.")
    parser.add_argument("--config", default=HERE / "config-feedforward", type=pathlib.Path)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--generations", type=int, default=300, help="at most this many (neat-python's run(f, 300))")
    parser.add_argument("--quiet", action="store_true", help="no per-generation report")
    args = parser.parse_args(argv)

    config = neat.Config.from_neat_python(args.config)
    reporters = [] if args.quiet else [neat.StdOutReporter()]
    population = neat.Population(config, seed=args.seed, reporters=reporters)
    winner = population.run(eval_genomes, args.generations)

    solved = population.solved()
    hidden, enabled = winner.size()
    print(f"\n{'solved' if solved else 'not solved'} after {population.generation + 1} generations "
          f"({population.evaluations} evaluations)")
    print(f"best genome: {hidden} hidden nodes, {enabled} enabled connections, fitness {population.best_fitness:.4f}")
    for x, y, t in zip(INPUTS, xor_outputs([winner])[0], TARGETS):
        print(f"  input {x.astype(int).tolist()}, expected output {t:.0f}, got {y:.4f}")
    return 0 if solved else 1


if __name__ == "__main__":
    sys.exit(main())
