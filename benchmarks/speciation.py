"""How steady the species count is when the threshold is steered to a target.

A LunarLander-shaped population (the genome, mutation and speciation
settings of examples/lunar_lander.toml: 8 inputs, 4 outputs, full start
topology, population 150, ``target_species = 8``) evolves for 60 generations
on random fitness (a seeded NumPy generator; no gymnasium needed).  The
species count of each generation is the number of species ``speciate``
makes (before stagnant species are dropped), the count the threshold is
steered by.  ``species_count_cv`` is its coefficient of variation (standard
deviation / mean) over generations 20 to 59, once the threshold has had time
to find its level: near 0 when the count settles, near 1 when it swings
between a handful and dozens of species.

Prints one line per seed, then one JSON object on its last line with
``species_count_cv`` (the mean over the seeds), ``species_count_cv_per_seed``,
``species_count_mean`` and ``species_counts`` (every generation's count,
per seed).

Run:  python benchmarks/speciation.py [--seed 0] [--seeds N]
"""

from __future__ import annotations

import argparse
import json
import pathlib

import numpy as np

import neat

ROOT = pathlib.Path(__file__).resolve().parents[1]
CONFIG = ROOT / "examples" / "lunar_lander.toml"
GENERATIONS = 60
FIRST_MEASURED = 20
TARGET_SPECIES = 8


class _SpeciesCounter(neat.Reporter):
    """Records how many species each generation was divided into."""

    def __init__(self) -> None:
        self.counts: list[int] = []

    def species_changed(self, population, species) -> None:
        self.counts.append(len(species))


def species_counts(seed: int, generations: int = GENERATIONS) -> list[int]:
    """The species count of each of ``generations`` generations of the LunarLander-shaped run with ``seed``.

    Parameters
    ----------
    seed
        Seeds both the population and the random fitness.
    generations
        How many generations are speciated.
    """
    config = neat.Config.from_toml_file(CONFIG).replace(speciation={"target_species": TARGET_SPECIES})
    counter = _SpeciesCounter()
    population = neat.Population(config, seed=seed, reporters=[counter])
    # A generator of its own, so the fitness does not depend on how the population draws.
    fitness_rng = np.random.default_rng([seed, 1])
    for _ in range(generations):
        population.tell(fitness_rng.random(len(population.ask())))
    return counter.counts


def coefficient_of_variation(counts: list[int], first: int = FIRST_MEASURED) -> float:
    """std / mean of ``counts[first:]`` (population standard deviation)."""
    tail = np.asarray(counts[first:], dtype=np.float64)
    return float(tail.std() / tail.mean())


def species_count_cv(seed: int) -> float:
    """Coefficient of variation of the species count over generations 20-59 of the run with ``seed``.

    Lower is steadier; the steering is meant to keep it under 0.25.
    """
    return coefficient_of_variation(species_counts(seed))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=0, help="first seed")
    parser.add_argument("--seeds", type=int, default=1, help="number of seeds: seed, seed + 1, ...")
    args = parser.parse_args()
    per_seed, counts = {}, {}
    for seed in range(args.seed, args.seed + args.seeds):
        counts[seed] = species_counts(seed)
        per_seed[seed] = round(coefficient_of_variation(counts[seed]), 4)
        tail = counts[seed][FIRST_MEASURED:]
        print(f"seed {seed}: cv {per_seed[seed]:.3f}, mean {np.mean(tail):.1f} species, counts {counts[seed]}")
    tails = [c[FIRST_MEASURED:] for c in counts.values()]
    result = {
        "species_count_cv": round(float(np.mean(list(per_seed.values()))), 4),
        "species_count_cv_per_seed": {str(k): v for k, v in per_seed.items()},
        "species_count_mean": round(float(np.mean(tails)), 3),
        "generations": [FIRST_MEASURED, GENERATIONS - 1],
        "target_species": TARGET_SPECIES,
        "species_counts": {str(k): v for k, v in counts.items()},
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
