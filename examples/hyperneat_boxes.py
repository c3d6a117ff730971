"""Evolve a CPPN for HyperNEAT's visual discrimination ("boxes") task, then test it on a 3x finer substrate.

An 11 x 11 field shows a small and a large box; the network, 121 inputs fully
connected to 121 outputs (14,641 weights, all painted by one evolved CPPN
from the coordinates of their ends), must point at the large box's centre
with its most active output (``neat.evaluation.boxes``).  Every generation
is decoded at once (``decode_population``) and scored on the 75 standard
fields in one population forward.  The run stops once the champion hits at
least 95% of the fields; the same CPPN is then decoded onto 33 x 33 sheets
(1,185,921 weights) and tested there without further evolution.

Writes into ``--out`` (default runs/hyperneat_boxes): the champion CPPN
(``champion.json``, its topology and the fitness plot), and three pictures:
``weights_11x11.png`` and ``weights_33x33.png``, the weights from the centre
input node to every output node (red positive, blue negative, white not
expressed), and ``response.png``, one field at 33 x 33 beside the network's
output activations (bright = active).

With the distance input (the default) random CPPNs already blur the field
and the task falls in a generation or two; ``--no-distance`` gives the CPPN
only ``x1, y1, x2, y2`` and evolution must find the locality itself (much
harder: see docs/hyperneat.md).

Run:  python examples/hyperneat_boxes.py [--seed N] [--generations N] [--population N] [--no-distance]
      [--out runs/hyperneat_boxes]
"""

from __future__ import annotations

import argparse
import pathlib
import sys

import neat
from neat.cli import save_run
from neat.evaluation.boxes import SUCCESS_THRESHOLD, BoxesTask, render_fields
from neat.evolution.presets import cppn_config
from neat.viz.patterns import image_grid, save_substrate_weights_image, to_pixels, write_png


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Evolve a HyperNEAT CPPN for the boxes task.")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--generations", type=int, default=100, help="at most this many generations")
    parser.add_argument("--population", type=int, default=150)
    parser.add_argument("--no-distance", action="store_true", help="no distance input: the CPPN gets x1, y1, x2, y2")
    parser.add_argument("--out", default=pathlib.Path("runs") / "hyperneat_boxes", type=pathlib.Path,
                        help="folder for the champion and the pictures")
    args = parser.parse_args(argv)

    task = BoxesTask(distance_input=not args.no_distance)
    substrate = task.substrate
    config = cppn_config(substrate.cppn_inputs, substrate.cppn_outputs, population_size=args.population)
    statistics = neat.StatisticsReporter()
    population = neat.Population(config, seed=args.seed, reporters=[neat.StdOutReporter(), statistics])
    population.run(task, args.generations, stop=lambda pop: task.solves(pop.generation_champion))
    champion = population.generation_champion  # the last generation's best: the one the stop rule checked

    rate = task.success_rate(task.network(champion))
    fine = task.score_at(champion, 33)
    solved = rate >= SUCCESS_THRESHOLD
    hidden, enabled = champion.size()
    print(f"\n{'solved' if solved else 'not solved'} after {population.generation + 1} generations: "
          f"CPPN with {hidden} hidden nodes, {enabled} enabled connections")
    print(f"11x11: large box found in {rate:.0%} of the {task.num_fields} fields "
          f"({substrate.num_connections:,} possible connections)")
    print(f"33x33: large box found in {fine.success_rate:.0%}, mean distance {fine.mean_distance:.2f} cells "
          f"(same CPPN, {task.substrate_at(33).num_connections:,} possible connections)")

    node_names = (*substrate.cppn_input_names, *substrate.cppn_output_names)
    for line in save_run(args.out, champion, statistics, node_names=node_names):
        print(line)
    for line in save_pictures(task, champion, args.out):
        print(line)
    return 0 if solved else 1


def save_pictures(task: BoxesTask, champion: neat.Genome, out: pathlib.Path) -> list[str]:
    """The champion's weights from the centre input at 11x11 and 33x33, and its response to one field at 33x33."""
    lines = []
    for resolution, scale in ((11, 16), (33, 6)):
        path = out / f"weights_{resolution}x{resolution}.png"
        save_substrate_weights_image(champion, task.substrate_at(resolution), path, source=(0.0, 0.0), scale=scale)
        lines.append(f"weights from the centre input at {resolution}x{resolution} -> {path}")
    case = 3 * 16 + 1  # large box at (3, 7), small box 5 cells below it (wrapped to the top)
    field = render_fields(task.large[case : case + 1], task.small[case : case + 1], 33)
    response = task.network(champion, 33).forward(field)[0]
    pictures = [to_pixels(field.reshape(33, 33), (0.0, 1.0)), to_pixels(response.reshape(33, 33))]
    path = write_png(out / "response.png", image_grid(pictures, 2, gap=6, scale=6))
    lines.append(f"a field and the network's response at 33x33 -> {path}")
    return lines


if __name__ == "__main__":
    sys.exit(main())
