"""Grow genomes by mutation and crossover and print them.

Two lineages start from the same minimal genome (3 inputs, 2 outputs, fully
connected), grow for a few generations by structural and weight mutations
sharing one InnovationTracker, and are then crossed.  The output shows the
genes with their innovation numbers, the size of each genome and the
compatibility distance between them.

Run:  python examples/grow_genome.py [--seed N] [--generations N]
"""

from __future__ import annotations

import argparse

import neat


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--generations", type=int, default=8)
    args = parser.parse_args()

    config = neat.Config(
        genome={"num_inputs": 3, "num_outputs": 2, "activation_options": ("neat_sigmoid", "tanh", "relu")},
        mutation={"node_add_prob": 0.5, "conn_add_prob": 0.6, "activation_mutate_rate": 0.1},
    )
    rng = neat.make_rng(args.seed)
    tracker = neat.InnovationTracker.for_config(config)
    root = neat.new_genome(config, tracker, rng)
    print("start genome:", repr(root))

    lineages = [root, root]
    for generation in range(1, args.generations + 1):
        tracker.new_generation()
        lineages = [neat.mutate(g, config, tracker, rng) for g in lineages]
        sizes = ", ".join(f"{g.num_hidden} hidden/{g.num_enabled} enabled" for g in lineages)
        print(f"generation {generation}: {sizes}; innovations so far: {len(tracker)}")

    a, b = lineages
    child = neat.crossover(a, b, config, rng, equal_fitness=True).validate()
    shared = neat.align_by_innovation(a.conns.innovation, b.conns.innovation)[0]
    print()
    print(f"lineage A innovations: {a.conns.innovation.tolist()}")
    print(f"lineage B innovations: {b.conns.innovation.tolist()}")
    print(f"matching innovations:  {shared.tolist()}")
    print(f"compatibility distance A-B: {neat.distance(a, b, config):.3f}")
    print()
    print("child of A x B (equal fitness: genes of both parents):")
    print(child.describe())
    hidden, enabled = child.size()
    print(f"\nchild size: {hidden} hidden nodes, {enabled} enabled connections of {child.num_connections}")


if __name__ == "__main__":
    main()
