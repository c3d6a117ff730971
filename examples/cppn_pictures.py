"""Picbreeder-style pictures: one CPPN mutated step by step, each step painted over the square.

A CPPN (compositional pattern-producing network) here takes a pixel's
``x``, ``y`` and distance ``d`` from the centre and returns its red, green
and blue (``--grey``: one grey value).  Nothing is evolved: a start CPPN of
the preset ``cppn_config`` is mutated ``--steps`` times with the NEAT
operators (new nodes with a random function among sine, cosine, gaussian,
sigmoid, tanh, abs, ...; new connections; weight changes), and every step is
painted, all of them in one population forward (``neat.viz.patterns.cppn_images``).

Writes into ``--out`` (default runs/cppn_pictures): ``lineage.png``, the
steps as a grid, first step top left; ``final.png``, the last CPPN at
``--size`` pixels; ``final.json``, that CPPN.

Run:  python examples/cppn_pictures.py [--seed N] [--steps N] [--size N] [--grey] [--out runs/cppn_pictures]
"""

from __future__ import annotations

import argparse
import pathlib
import sys

import neat
from neat.evolution.presets import cppn_config
from neat.viz.patterns import cppn_images, image_grid, save_cppn_image, to_pixels, write_png

INPUTS = "xyd"


def lineage(steps: int, *, seed: int, colour: bool = True) -> list[neat.Genome]:
    """``steps`` CPPNs, each a mutated copy of the one before (the first mutated from a start genome)."""
    config = cppn_config(
        len(INPUTS),
        3 if colour else 1,
        activations=("sin", "cos", "gauss", "sigmoid", "tanh", "abs", "hat", "identity"),
        activation_mutate_rate=0.2,
        mutation={"node_add_prob": 0.5, "conn_add_prob": 0.5, "weight_mutate_power": 1.0},
        genome={"weight_init_stdev": 2.0, "bias_init_stdev": 1.0},
    )
    rng = neat.make_rng(seed)
    tracker = neat.InnovationTracker(config.genome.num_inputs + config.genome.num_outputs)
    genome = neat.new_genome(config, tracker, rng)
    out = []
    for _ in range(steps):
        genome = neat.mutate(genome, config, tracker, rng)
        out.append(genome)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Paint a lineage of mutated CPPNs (Picbreeder-style pictures).")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--steps", type=int, default=36, help="mutation steps, one picture each")
    parser.add_argument("--size", type=int, default=256, help="pixels per side of the final picture")
    parser.add_argument("--grey", action="store_true", help="one grey output instead of red, green, blue")
    parser.add_argument("--out", default=pathlib.Path("runs") / "cppn_pictures", type=pathlib.Path)
    args = parser.parse_args(argv)
    if args.steps < 1 or args.size < 1:
        parser.error("--steps and --size must be at least 1")

    cppns = lineage(args.steps, seed=args.seed, colour=not args.grey)
    pictures = cppn_images(cppns, (96, 96), INPUTS)  # every step in one population forward
    args.out.mkdir(parents=True, exist_ok=True)
    grid = write_png(args.out / "lineage.png", image_grid([to_pixels(p) for p in pictures], columns=6))
    final = save_cppn_image(cppns[-1], args.out / "final.png", (args.size, args.size), INPUTS)
    neat.save_genome(cppns[-1], args.out / "final.json")
    hidden, enabled = cppns[-1].size()
    print(f"{len(cppns)} mutation steps (seed {args.seed}); the last CPPN has {hidden} hidden nodes, "
          f"{enabled} enabled connections")
    print(f"lineage -> {grid}")
    print(f"final picture -> {final}")
    print(f"final CPPN -> {args.out / 'final.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
