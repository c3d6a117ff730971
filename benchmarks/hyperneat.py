"""HyperNEAT benchmarks: decoding CPPNs onto substrates.

Prints readable lines, then one JSON object on the last line with:

- ``decode_ms_pop150_11x11``: ``neat.nn.decode_population`` of 150 CPPN genomes
  onto the 11 x 11 -> 11 x 11 substrate (14,641 connections each; 2-D, distance
  input, threshold 0.2): query, expression rule and the population stack of
  the decoded networks; target < 200 ms;
- ``decode_cpu_ms_pop150_11x11``, ``decode_cpu_ms_1M``: the same two measured
  in CPU time of this process (``time.process_time``), which other processes
  sharing the cores inflate less than wall time;
- ``decode_weights_ms_pop150_11x11``: the same query returning the
  ``(150, 14641)`` weight table only (``decode_weights``);
- ``decode_ms_pop150_11x11_cppn_float32``: ``decode_population`` with the CPPNs
  evaluated in float32 (``cppn_dtype=np.float32``);
- ``decode_ms_1M``: ``neat.nn.decode`` of one CPPN onto 32 x 32 -> 32 x 32
  (``decode_connections_1M`` = 1,048,576 connections); target < 1 s;
- ``decode_ms_1M_cppn_float32``: the same in float32;
- ``cppn_hidden_nodes_mean``: mean hidden nodes of the 150 CPPNs.

The boxes task (``neat.evaluation.boxes``; ``boxes_figures``), over ``--seeds``
runs (default 5; seeds 0, 1, ...) of ``cppn_config`` CPPNs (x1, y1, x2, y2, d
-> weight), population 150, at most ``--generations`` generations each
(default 100), a run stopping once its generation champion hits >= 95% of
the 75 fields at 11 x 11:

- ``boxes_success``: fraction of the runs solved within that budget;
- ``boxes_generations_median``: median generations evaluated per run (an
  unsolved run counts all of them);
- ``boxes_champion_success_mean``: mean success rate at 11 x 11 of the runs'
  last generation champions (a solved run's is at least 0.95);
- ``boxes_generalisation``: mean success rate of the runs' champions decoded
  at 33 x 33 (no further evolution);
- ``boxes_budget``: evaluations allowed per run (150 x generations), with
  ``boxes_population``, ``boxes_max_generations``, ``boxes_seeds``;
- ``boxes_seconds_per_run_median``: wall time of a run.

With ``--no-distance`` the CPPNs get x1, y1, x2, y2 only (a harder search) and
every boxes key ends in ``_no_distance``.

The CPPNs are what a run a few dozen generations in holds: start genomes of
``neat.evolution.presets.cppn_config`` (sin, cos, gauss, bipolar sigmoid, tanh,
abs, identity) mutated 20 times each by ``neat.mutate`` with raised
add-node and add-connection rates, so that they have hidden nodes of mixed
functions.  Timings are medians of repeated measurements.

Run:  python benchmarks/hyperneat.py [--quick] [--only decode boxes] [--seeds N] [--generations N] [--no-distance]
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from typing import Any

import numpy as np

import neat
from neat.evolution.presets import cppn_config
from neat.nn import Substrate, decode, decode_population, decode_weights, grid


def median_ms(fn: Callable[[], Any], repeats: int, clock: Callable[[], float] = time.perf_counter) -> float:
    """Median time of ``fn()`` by ``clock`` (wall time by default) in milliseconds, after one warm-up call."""
    fn()
    times = []
    for _ in range(repeats):
        start = clock()
        fn()
        times.append(clock() - start)
    return float(np.median(times)) * 1e3


def evolved_cppns(substrate: Substrate, count: int, *, mutations: int = 20, seed: int = 0) -> list[neat.Genome]:
    """``count`` CPPN genomes for ``substrate``: start genomes mutated ``mutations`` times each."""
    config = cppn_config(
        substrate.cppn_inputs, substrate.cppn_outputs, mutation={"node_add_prob": 0.3, "conn_add_prob": 0.5}
    )
    tracker = neat.InnovationTracker.for_config(config)
    rng = neat.make_rng(seed)
    genomes = []
    for _ in range(count):
        genome = neat.new_genome(config, tracker, rng)
        for _ in range(mutations):
            genome = neat.mutate(genome, config, tracker, rng)
        genomes.append(genome)
    return genomes


def decode_figures(quick: bool = False) -> dict[str, float]:
    """The decoding measurements (see the module docstring)."""
    repeats = 2 if quick else 9
    size = 15 if quick else 150
    sheet = grid(11, 11)
    substrate = Substrate(sheet, sheet)
    cppns = evolved_cppns(substrate, size)
    hidden = float(np.mean([g.num_hidden for g in cppns]))
    print(f"{size} CPPNs, {hidden:.1f} hidden nodes on average; substrate 11x11 -> 11x11, "
          f"{substrate.num_connections} connections each")
    figures: dict[str, float] = {"cppn_hidden_nodes_mean": hidden}
    figures["decode_ms_pop150_11x11"] = median_ms(lambda: decode_population(cppns, substrate), repeats)
    figures["decode_cpu_ms_pop150_11x11"] = median_ms(
        lambda: decode_population(cppns, substrate), repeats, time.process_time
    )
    figures["decode_weights_ms_pop150_11x11"] = median_ms(lambda: decode_weights(cppns, substrate), repeats)
    figures["decode_ms_pop150_11x11_cppn_float32"] = median_ms(
        lambda: decode_population(cppns, substrate, cppn_dtype=np.float32), repeats
    )
    stack = decode_population(cppns, substrate)
    expressed = np.count_nonzero(decode_weights(cppns, substrate)) / size
    print(f"decode_population: {figures['decode_ms_pop150_11x11']:.1f} ms ({stack!r}); "
          f"{expressed:.0f} connections expressed per network on average")
    print(f"decode_weights: {figures['decode_weights_ms_pop150_11x11']:.1f} ms; "
          f"CPPNs in float32: {figures['decode_ms_pop150_11x11_cppn_float32']:.1f} ms")

    side = 12 if quick else 32
    big = Substrate(grid(side, side), grid(side, side))
    cppn = max(cppns, key=lambda g: len(g.nodes.id))  # the largest CPPN of the generation
    figures["decode_connections_1M"] = float(big.num_connections)
    figures["decode_ms_1M"] = median_ms(lambda: decode(cppn, big), max(1, repeats // 2))
    figures["decode_cpu_ms_1M"] = median_ms(lambda: decode(cppn, big), max(1, repeats // 2), time.process_time)
    figures["decode_ms_1M_cppn_float32"] = median_ms(lambda: decode(cppn, big, cppn_dtype=np.float32),
                                                     max(1, repeats // 2))
    net = decode(cppn, big)
    print(f"decode onto {side}x{side} -> {side}x{side} ({big.num_connections:,} connections, "
          f"{len(cppn.nodes.id)} CPPN nodes): {figures['decode_ms_1M']:.1f} ms, "
          f"float32 CPPN {figures['decode_ms_1M_cppn_float32']:.1f} ms; {net.num_connections:,} expressed")
    return figures


def boxes_figures(
    quick: bool = False, seeds: int = 5, distance_input: bool = True, generations: int = 100
) -> dict[str, float]:
    """The boxes task's measurements (see the module docstring); ``quick``: 1 run, population 30, 5 generations.

    ``distance_input=False``: CPPNs of x1, y1, x2, y2 only; the keys end in ``_no_distance``.
    """
    from neat.evaluation.boxes import SUCCESS_THRESHOLD, BoxesTask

    runs, size, limit = (1, 30, 5) if quick else (seeds, 150, generations)
    task = BoxesTask(distance_input=distance_input)
    config = cppn_config(task.substrate.cppn_inputs, task.substrate.cppn_outputs, population_size=size)
    solved, used, coarse, fine, seconds = [], [], [], [], []
    for seed in range(runs):
        start = time.perf_counter()
        population = neat.Population(config, seed=seed)
        population.run(task, limit, stop=lambda pop: task.solves(pop.generation_champion))
        champion = population.generation_champion
        seconds.append(time.perf_counter() - start)
        coarse.append(float(task.success_rate(task.network(champion))))
        solved.append(coarse[-1] >= SUCCESS_THRESHOLD)
        used.append(population.generation + 1)
        fine.append(task.score_at(champion, 33).success_rate)
        print(f"boxes seed {seed}: {'solved' if solved[-1] else 'not solved'} after {used[-1]} generations "
              f"({seconds[-1]:.1f} s); the champion finds {coarse[-1]:.0%} of the large boxes at 11x11, "
              f"{fine[-1]:.0%} at 33x33")
    suffix = "" if distance_input else "_no_distance"
    figures = {
        "boxes_success": float(np.mean(solved)),
        "boxes_generations_median": float(np.median(used)),
        "boxes_champion_success_mean": float(np.mean(coarse)),
        "boxes_generalisation": float(np.mean(fine)),
        "boxes_budget": float(size * limit),
        "boxes_population": float(size),
        "boxes_max_generations": float(limit),
        "boxes_seeds": float(runs),
        "boxes_seconds_per_run_median": float(np.median(seconds)),
    }
    return {key + suffix: value for key, value in figures.items()}


MEASUREMENTS: dict[str, Callable[..., dict[str, float]]] = {"decode": decode_figures, "boxes": boxes_figures}
"""Each measurement by name: a function ``(quick) -> figures``; ``main`` merges their figures."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, few repeats (a smoke test, not a measurement)")
    parser.add_argument("--only", nargs="+", choices=sorted(MEASUREMENTS), help="run only these measurements")
    parser.add_argument("--seeds", type=int, default=5, help="boxes: runs (seeds 0 .. N-1)")
    parser.add_argument("--generations", type=int, default=100, help="boxes: at most this many generations a run")
    parser.add_argument("--no-distance", action="store_true", help="boxes: CPPNs without the distance input")
    args = parser.parse_args()
    figures: dict[str, float] = {}
    for name in args.only or MEASUREMENTS:
        extra = (
            {"seeds": args.seeds, "distance_input": not args.no_distance, "generations": args.generations}
            if name == "boxes"
            else {}
        )
        figures.update(MEASUREMENTS[name](args.quick, **extra))
    print(json.dumps({key: round(value, 3) for key, value in figures.items()}))


if __name__ == "__main__":
    main()
