"""Evolve XOR with NEAT, as in the NEAT paper.

Fitness is (4 - sum of |output - target|)^2 over the four cases (16 is
perfect); a network solves XOR when every output is on the right side of
0.5.  Prints one line per generation, saves the winner, its topology and the
fitness plot under runs/xor/ and reports its size.

Run:  python examples/xor.py [--config examples/xor.toml] [--seed N] [--out runs/xor]
"""

from __future__ import annotations

import argparse
import pathlib
import sys

import numpy as np

import neat
from neat.cli import save_run

HERE = pathlib.Path(__file__).resolve().parent
INPUTS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
TARGETS = np.array([0.0, 1.0, 1.0, 0.0])
NODE_NAMES = ("x1", "x2", "xor")  # the inputs, then the output, in the topology picture


def xor_outputs(genomes: list[neat.Genome]) -> np.ndarray:
    """(P, 4) outputs of every genome on the four XOR cases, in one population forward."""
    return neat.compile_population(genomes).forward(INPUTS)[:, :, 0]


def evaluate(genomes: list[neat.Genome]) -> np.ndarray:
    """(P,) XOR fitness: (4 - sum |output - target|)^2."""
    error = np.abs(xor_outputs(genomes) - TARGETS).sum(axis=1)
    return (4.0 - error) ** 2


def solves_xor(genome: neat.Genome) -> bool:
    """True when every output is on the right side of 0.5."""
    return bool(np.all((xor_outputs([genome])[0] > 0.5) == (TARGETS > 0.5)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Evolve XOR with NEAT.")
    parser.add_argument("--config", default=HERE / "xor.toml", type=pathlib.Path)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", default=pathlib.Path("runs") / "xor", type=pathlib.Path,
                        help="folder for the winner, its topology, statistics and plots")
    parser.add_argument("--checkpoint-dir", type=pathlib.Path, help="save a checkpoint every 10 generations here")
    args = parser.parse_args(argv)

    config = neat.Config.from_toml_file(args.config)
    statistics = neat.StatisticsReporter()
    reporters: list = [neat.StdOutReporter(), statistics]
    if args.checkpoint_dir:
        reporters.append(neat.Checkpointer(args.checkpoint_dir, every=10, keep=3))
    population = neat.Population(config, seed=args.seed, reporters=reporters)
    winner = population.run(evaluate, stop=lambda pop: solves_xor(pop.best_genome))

    hidden, enabled = winner.size()
    solved = solves_xor(winner)
    print(f"\n{'solved' if solved else 'not solved'} after {population.evaluations} evaluations "
          f"({population.generation + 1} generations)")
    print(f"winner: {hidden} hidden nodes, {enabled} enabled connections, fitness {population.best_fitness:.4f}")
    for x, y in zip(INPUTS, xor_outputs([winner])[0]):
        print(f"  {x.astype(int).tolist()} -> {y:.4f}")
    for line in save_run(args.out, winner, statistics, node_names=NODE_NAMES):
        print(line)
    return 0 if solved else 1


if __name__ == "__main__":
    sys.exit(main())
