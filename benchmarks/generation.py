"""A whole NEAT generation at population 10,000 and 100,000 on 3-input parity.

One generation is what a user's loop does::

    genomes = population.ask()
    stack = neat.compile_population(genomes)        # compile
    outputs = stack.forward(X)                      # forward: all genomes on the 8 cases
    population.tell(8 - squared errors)             # tell: speciation + reproduction

After a few warm-up generations (so species and topologies have formed),
each part is timed per generation; the median over the timed generations
is printed.  The last line of output is one JSON object:
``generation_ms_10000``, ``generation_ms_100000`` and the split
``compile_ms_10000``, ``forward_ms_10000``, ``tell_ms_10000`` (and the same
for 100000), plus ``fallback_children_per_generation_10000`` (children made
by a single-genome operator).  The script uses the public API only
(``neat.Config``, ``neat.Population``, ``neat.compile_population``), so the
same file measures an older commit too.

The config is NEAT's defaults with the compatibility threshold steered to
20 species (``--target-species``; 0 keeps the fixed threshold 3.0, under
which a population of 100,000 three-input genomes splits into thousands of
species of a few genomes each, a stress test of speciation rather than a
run anyone would make).

Run:  python benchmarks/generation.py [--quick] [--sizes 10000 100000] [--target-species N]
"""

from __future__ import annotations

import argparse
import itertools
import json
import time

import numpy as np

import neat

PARITY_INPUTS = np.array(list(itertools.product((0.0, 1.0), repeat=3)))
PARITY_TARGETS = (PARITY_INPUTS.sum(axis=1) % 2)[:, None]


def config_for(size: int, target_species: int) -> neat.Config:
    """NEAT's defaults on a 3-input, 1-output genome, full start topology; the threshold steered to
    ``target_species`` species (0: the fixed default threshold, under which populations this large
    split into thousands of species of a few genomes)."""
    return neat.Config(
        genome={"num_inputs": 3, "num_outputs": 1},
        mutation={"conn_add_prob": 0.2, "node_add_prob": 0.03},
        speciation={"target_species": target_species},
        run={"population_size": size, "seed": 0},
    )


def one_generation(population: neat.Population) -> dict[str, float]:
    """Seconds of each part of one generation."""
    t0 = time.perf_counter()
    genomes = population.ask()
    t1 = time.perf_counter()
    stack = neat.compile_population(genomes)
    t2 = time.perf_counter()
    outputs = stack.forward(PARITY_INPUTS)
    errors = outputs - PARITY_TARGETS
    fitness = 8.0 - np.einsum("pij,pij->p", errors, errors)
    t3 = time.perf_counter()
    population.tell(fitness)
    t4 = time.perf_counter()
    return {"ask": t1 - t0, "compile": t2 - t1, "forward": t3 - t2, "tell": t4 - t3, "generation": t4 - t0}


def measure(size: int, warmup: int, timed: int, target_species: int) -> dict[str, float]:
    population = neat.Population(config_for(size, target_species))
    for _ in range(warmup):
        one_generation(population)
    fallbacks_before = getattr(population, "fallbacks", 0)
    parts = [one_generation(population) for _ in range(timed)]
    result = {key: float(np.median([p[key] for p in parts])) * 1e3 for key in parts[0]}
    result["fallbacks"] = (getattr(population, "fallbacks", 0) - fallbacks_before) / timed
    result["species"] = len(population.species)
    result["connections"] = float(np.mean([g.num_connections for g in population.genomes[:1000]]))
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer generations (a smoke test)")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--target-species", type=int, default=20,
                        help="[speciation] target_species (0: the fixed default threshold)")
    args = parser.parse_args()
    results: dict[str, float] = {}
    for size in args.sizes:
        warmup, timed = (1, 1) if args.quick else ((8, 5) if size <= 10_000 else (4, 3))
        r = measure(size, warmup, timed, args.target_species)
        print(
            f"population {size:>7}: generation {r['generation']:9.1f} ms = ask {r['ask']:.1f} + compile "
            f"{r['compile']:.1f} + forward {r['forward']:.1f} + tell {r['tell']:.1f}; {r['species']} species, "
            f"{r['connections']:.1f} connections per genome, {r['fallbacks']:.1f} fallback children per generation"
        )
        for key in ("generation", "compile", "forward", "tell", "ask"):
            results[f"{key}_ms_{size}"] = round(r[key], 2)
        results[f"fallback_children_per_generation_{size}"] = r["fallbacks"]
    print(json.dumps(results))


if __name__ == "__main__":
    main()
