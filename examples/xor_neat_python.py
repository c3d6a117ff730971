"""Evolve XOR from neat-python's own config file, as a neat-python user would.

``examples/config-feedforward`` is neat-python's XOR config (INI), unchanged.
``neat.load_neat_python_config`` maps each of its keys to ours (see
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

import neat
from neat.evaluation.tasks import BUILTIN_DATASETS, DatasetEvaluator

HERE = pathlib.Path(__file__).resolve().parent

# neat-python's XOR fitness, 4 - sum of squared errors, over the four cases in one population forward.
eval_genomes = DatasetEvaluator(*BUILTIN_DATASETS["xor"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Evolve XOR from neat-python's config-feedforward.")
    parser.add_argument("--config", default=HERE / "config-feedforward", type=pathlib.Path)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--generations", type=int, default=300, help="at most this many (neat-python's run(f, 300))")
    parser.add_argument("--quiet", action="store_true", help="no per-generation report")
    args = parser.parse_args(argv)

    config = neat.load_neat_python_config(args.config)
    reporters = [] if args.quiet else [neat.StdOutReporter()]
    population = neat.Population(config, seed=args.seed, reporters=reporters)
    winner = population.run(eval_genomes, args.generations)

    solved = population.solved()
    hidden, enabled = winner.size()
    print(f"\n{'solved' if solved else 'not solved'} after {population.generation + 1} generations "
          f"({population.evaluations} evaluations)")
    print(f"best genome: {hidden} hidden nodes, {enabled} enabled connections, fitness {population.best_fitness:.4f}")
    outputs = eval_genomes.outputs([winner])[0, :, 0]
    for x, y, t in zip(eval_genomes.inputs, outputs, eval_genomes.targets[:, 0]):
        print(f"  input {x.astype(int).tolist()}, expected output {t:.0f}, got {y:.4f}")
    return 0 if solved else 1


if __name__ == "__main__":
    sys.exit(main())
