"""Bookkeeping time of one generation: speciation + reproduction, no evaluation.

For populations of 150, 1,000 and 10,000 XOR-shaped genomes (2 inputs, 1
output) with random fitness, times ``Population.tell`` after a few warm-up
generations (so species and topologies have formed) and prints one JSON
object on its last line: ``bookkeeping_ms_150``, ``bookkeeping_ms_1000``,
``bookkeeping_ms_10000`` (median over the timed generations).

Run:  python benchmarks/reproduction.py [--quick]
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

import neat


def bookkeeping_ms(population_size: int, warmup: int, timed: int) -> float:
    config = neat.Config(
        genome={"num_inputs": 2, "num_outputs": 1},
        run={"population_size": population_size, "seed": 0},
    )
    pop = neat.Population(config)
    fitness_rng = np.random.default_rng(1)
    times = []
    for generation in range(warmup + timed):
        fitness = fitness_rng.random(len(pop.ask()))
        start = time.perf_counter()
        pop.tell(fitness)
        if generation >= warmup:
            times.append(time.perf_counter() - start)
    return float(np.median(times)) * 1e3


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="small sizes, few generations (a smoke test)")
    args = parser.parse_args()
    sizes = {150: (10, 20), 1000: (5, 5), 10000: (2, 3)}
    if args.quick:
        sizes = {150: (1, 2), 1000: (1, 1), 10000: (0, 1)}
    results = {}
    for size, (warmup, timed) in sizes.items():
        results[f"bookkeeping_ms_{size}"] = round(bookkeeping_ms(size, warmup, timed), 3)
        print(f"population {size:>6}: {results[f'bookkeeping_ms_{size}']} ms per generation")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
