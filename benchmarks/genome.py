"""Genome-core benchmarks: weight perturbation, alignment, population distance.

Prints a few readable lines, then one JSON object on the last line with:

- ``perturb_100k_ms``: perturb all weights of a 100,000-connection genome (target < 1 ms);
  ``normal_100k_ms``: drawing the 100,000 normals alone, the floor it cannot beat;
- ``align_1k_us``: align two 1,000-gene genomes by innovation number (target < 100 us);
- ``distance_10k_ms``: distance of 10,000 genomes of ~50 genes to one representative,
  vectorized (target < 50 ms); ``distance_10k_loop_ms``: the same with a Python loop of
  pairwise distances, measured in the same run; ``distance_speedup``: their ratio.

Run:  python benchmarks/genome.py [--quick]
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

import neat
from neat.genome.crossover import align_by_innovation
from neat.genome.mutation import add_node


def median_time(fn, repeats: int) -> float:
    """Median wall time of ``fn()`` in seconds (after one warm-up call)."""
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def bench_perturb(repeats: int) -> tuple[float, float]:
    config = neat.Config(
        genome={"num_inputs": 1000, "num_outputs": 100},
        mutation={"weight_mutate_prob": 1.0, "weight_perturb_rate": 1.0, "weight_replace_rate": 0.0},
    )
    tracker = neat.InnovationTracker.for_config(config)
    rng = neat.make_rng(0)
    genome = neat.new_genome(config, tracker, rng)
    assert genome.num_connections == 100_000
    perturb = median_time(lambda: neat.mutate_weights(genome, config, tracker, rng), repeats)
    floor = median_time(lambda: rng.standard_normal(100_000), repeats)
    return perturb, floor


def bench_align(repeats: int) -> float:
    rng = neat.make_rng(1)
    a = np.sort(rng.choice(1500, size=1000, replace=False)).astype(np.int64)
    b = np.sort(rng.choice(1500, size=1000, replace=False)).astype(np.int64)
    return median_time(lambda: align_by_innovation(a, b), repeats)


def population_of_small_genomes(n: int) -> tuple[neat.Config, list[neat.Genome]]:
    config = neat.Config(genome={"num_inputs": 10, "num_outputs": 5, "initial_connection": "partial",
                                 "connection_fraction": 0.9})
    tracker = neat.InnovationTracker.for_config(config)
    rng = neat.make_rng(2)
    genomes = neat.new_genomes(config, tracker, rng, n)
    genomes = [add_node(g, config, tracker, rng) if i % 3 == 0 else g for i, g in enumerate(genomes)]
    return config, genomes


def bench_ga(repeats: int) -> dict[str, float]:
    """Gaussian mutation (all weights and biases) and compile of a ~100,000-weight layered genome.

    Mutation both with fresh normals and with a shared noise table (the Deep GA's way).
    """
    from neat.evolution.noise import NoiseTable
    from neat.evolution.presets import fixed_topology_ga
    from neat.genome.mutation import mutate_attributes

    config = fixed_topology_ga(1000, 10, (100,), population_size=2, seed=0)
    genome = neat.Population(config).ask()[0]
    rng = neat.make_rng(3)
    table = NoiseTable(1 << 24)
    return {
        "mutate": median_time(lambda: mutate_attributes([genome], config, rng), repeats),
        "mutate_table": median_time(lambda: table.mutate(genome, config, rng), repeats),
        "compile": median_time(lambda: neat.compile(genome), max(3, repeats // 20)),
        "weights": genome.num_connections,
    }


def bench_compact(repeats: int, noise_table_size: int) -> tuple[float, float]:
    """Rebuild a ~100,000-weight genome 100 generations deep from its 101 seeds, nothing cached.

    The decoder is made once, as a run makes it once (it registers the
    topology and, with a noise table, draws the table); its set-up time is
    returned apart.  Returns ``(rebuild seconds, set-up seconds)``.
    """
    from neat.evolution.compact import CompactDecoder
    from neat.evolution.presets import fixed_topology_ga

    config = fixed_topology_ga(1000, 10, (100,), population_size=2, compact=True, seed=0,
                               noise_table_size=noise_table_size)
    lineage = tuple(range(7, 7 + 101))
    start = time.perf_counter()
    decoder = CompactDecoder(config, cache_size=0)
    decoder.decode(lineage[:1])
    setup = time.perf_counter() - start
    return median_time(lambda: decoder.decode(lineage), repeats), setup


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="few repeats (a smoke test, not a measurement)")
    args = parser.parse_args()
    perturb, floor = bench_perturb(20 if args.quick else 300)
    align = bench_align(20 if args.quick else 3000)
    config, genomes = population_of_small_genomes(10_000)
    rep = genomes[0]
    vectorized = median_time(lambda: neat.distances(genomes, rep, config), 3 if args.quick else 15)
    loop = median_time(lambda: [neat.distance(g, rep, config) for g in genomes], 1 if args.quick else 3)
    genes = float(np.mean([g.num_connections for g in genomes]))
    ga = bench_ga(20 if args.quick else 200)
    compact, compact_setup = bench_compact(3 if args.quick else 15, 1 << 24)
    compact_fresh, _ = bench_compact(1 if args.quick else 5, 0)
    results = {
        "perturb_100k_ms": round(perturb * 1e3, 4),
        "normal_100k_ms": round(floor * 1e3, 4),
        "align_1k_us": round(align * 1e6, 2),
        "distance_10k_ms": round(vectorized * 1e3, 3),
        "distance_10k_loop_ms": round(loop * 1e3, 1),
        "distance_speedup": round(loop / vectorized, 1),
        "distance_mean_genes": round(genes, 1),
        "ga_mutate_100k_ms": round(ga["mutate"] * 1e3, 4),
        "ga_mutate_100k_noise_table_ms": round(ga["mutate_table"] * 1e3, 4),
        "ga_compile_100k_ms": round(ga["compile"] * 1e3, 3),
        "ga_weights": ga["weights"],
        "compact_rebuild_100gen_ms": round(compact * 1e3, 2),
        "compact_rebuild_100gen_fresh_normals_ms": round(compact_fresh * 1e3, 2),
        "compact_decoder_setup_ms": round(compact_setup * 1e3, 1),
        "numpy": np.__version__,
    }
    print(f"perturb 100k weights: {results['perturb_100k_ms']} ms (normals alone {results['normal_100k_ms']} ms)")
    print(f"align 1k genes: {results['align_1k_us']} us")
    print(f"distance 10k x {genes:.0f} genes: {results['distance_10k_ms']} ms vectorized, "
          f"{results['distance_10k_loop_ms']} ms in a loop ({results['distance_speedup']}x)")
    print(f"GA: mutate {ga['weights']} weights {results['ga_mutate_100k_ms']} ms "
          f"({results['ga_mutate_100k_noise_table_ms']} ms with a noise table), compile {results['ga_compile_100k_ms']} ms")
    print(f"compact genome 100 generations deep: rebuilt in {results['compact_rebuild_100gen_ms']} ms with a noise "
          f"table of 2^24 values ({results['compact_rebuild_100gen_fresh_normals_ms']} ms with fresh normals); "
          f"decoder set-up {results['compact_decoder_setup_ms']} ms")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
