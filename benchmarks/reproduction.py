"""Bookkeeping time of one generation: speciation + reproduction, no evaluation.

For populations of 150, 1,000, 10,000 and 100,000 XOR-shaped genomes (2
inputs, 1 output, NEAT's default rates) with random fitness, times
``Population.tell`` after a few warm-up generations (so species and
topologies have formed).  Also counts the children made by a single-genome
operator instead of the batched ones (``fallback_children_per_generation``,
over the timed generations of every size), and measures how well the
steered compatibility threshold settles: ``species_count_cv``, the
coefficient of variation of the species count over generations 20-60 of a
LunarLander-shaped run with ``target_species = 8`` and random fitness
(``benchmarks/speciation.py``).

The last line of output is one JSON object: ``bookkeeping_ms_150``,
``bookkeeping_ms_1000``, ``bookkeeping_ms_10000``, ``bookkeeping_ms_100000``
(median milliseconds over the timed generations),
``fallback_children_per_generation``, ``species_count_cv``, and
``species_150`` ... (species at the end of each size's run).  The timing uses
the public API only, so the same script measures an older commit (where
``fallbacks`` and the speciation module may not exist: they are then left out).

Run:  python benchmarks/reproduction.py [--quick] [--sizes 150 1000 ...]
"""

from __future__ import annotations

import argparse
import json
import pathlib
import sys
import time

import numpy as np

import neat

HERE = pathlib.Path(__file__).resolve().parent
SCHEDULE = {150: (10, 20), 1000: (5, 5), 10_000: (5, 3), 100_000: (3, 2)}
"""Warm-up and timed generations per population size."""


def bookkeeping(population_size: int, warmup: int, timed: int) -> dict[str, float]:
    config = neat.Config(
        genome={"num_inputs": 2, "num_outputs": 1},
        run={"population_size": population_size, "seed": 0},
    )
    pop = neat.Population(config)
    fitness_rng = np.random.default_rng(1)
    times = []
    fallbacks = 0
    for generation in range(warmup + timed):
        fitness = fitness_rng.random(len(pop.ask()))
        before = getattr(pop, "fallbacks", 0)
        start = time.perf_counter()
        pop.tell(fitness)
        if generation >= warmup:
            times.append(time.perf_counter() - start)
            fallbacks += getattr(pop, "fallbacks", 0) - before
    return {"ms": float(np.median(times)) * 1e3, "fallbacks": fallbacks, "generations": timed,
            "species": len(pop.species)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="small sizes, few generations (a smoke test)")
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SCHEDULE))
    parser.add_argument("--cv-seeds", type=int, default=3, help="seeds of the species_count_cv run (mean)")
    args = parser.parse_args()
    schedule = {size: SCHEDULE.get(size, (3, 2)) for size in args.sizes}
    if args.quick:
        schedule = {150: (1, 2), 1000: (1, 1), 10_000: (0, 1)}
    results: dict[str, float] = {}
    fallbacks = generations = 0
    for size, (warmup, timed) in schedule.items():
        r = bookkeeping(size, warmup, timed)
        results[f"bookkeeping_ms_{size}"] = round(r["ms"], 3)
        results[f"species_{size}"] = r["species"]
        fallbacks += r["fallbacks"]
        generations += r["generations"]
        print(f"population {size:>6}: {results[f'bookkeeping_ms_{size}']} ms per generation, {r['species']} species")
    if hasattr(neat.Population, "state"):  # the batched engine counts its fallbacks
        results["fallback_children_per_generation"] = round(fallbacks / generations, 3)
    sys.path.insert(0, str(HERE))
    try:
        from speciation import species_count_cv
    except ImportError:  # an older commit without the measurement
        pass
    else:
        seeds = 1 if args.quick else args.cv_seeds
        cvs = [species_count_cv(seed) for seed in range(seeds)]
        results["species_count_cv"] = round(float(np.mean(cvs)), 4)
        print(f"species count cv over generations 20-60 (target_species = 8): {cvs}")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
