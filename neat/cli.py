"""The command line: ``python -m neat COMMAND ...`` (installed as ``neatlab COMMAND ...``).

Commands
--------
run CONFIG.toml
    Evolve for the config's ``[task]``; writes the champion, statistics,
    checkpoints, a topology picture and fitness plots under ``runs/``.
render GENOME.json -o net.svg
    Draw a genome's topology (SVG, PNG, PDF or DOT).
plot STATS.csv -o fitness.png
    Plot best / mean fitness (and species sizes) from a statistics CSV.
replay GENOME.json --env ENV_ID
    Play a saved genome in a gymnasium env and print its returns.
info CHECKPOINT.npz
    Summarise a checkpoint: generation, best fitness, species, config.
convert CONFIG.ini -o CONFIG.toml
    Convert a neat-python config file to this project's TOML.

Every error is one line on stderr and a non-zero exit status (2 for bad
input, 130 for an interrupt), never a traceback.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .errors import ConfigError, NeatError

__all__ = ["main", "build_parser", "save_run"]

TEST_SEED_OFFSET = 2_000_000  # replays of the champion use starts training never used


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every command."""
    parser = argparse.ArgumentParser(
        prog="neatlab", description="NEAT on NumPy arrays: evolve, render, plot, replay, inspect, convert."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="evolve for the [task] a config file describes")
    run.add_argument("config", type=Path, help="a TOML config with a [task] section")
    run.add_argument("--seed", type=int, default=None, help="the run's seed (default: [run] seed, else 0)")
    run.add_argument("--generations", type=int, default=None, help="at most this many generations "
                     "(default: [run] max_generations)")
    run.add_argument("--out", type=Path, default=None, help="folder for the results (default: runs/NAME-seedS)")
    run.add_argument("--checkpoint-dir", type=Path, default=None, help="folder for checkpoints (default: OUT/checkpoints)")
    run.add_argument("--checkpoint-every", type=int, default=10, help="generations between checkpoints (default 10)")
    run.add_argument("--resume", type=Path, default=None, help="continue the run saved in this checkpoint")
    run.add_argument("--workers", type=int, default=None, help="worker processes for a gym task's episodes")
    run.add_argument("--quiet", action="store_true", help="no per-generation lines")
    run.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                     help="a progress bar (default: on when stderr is a terminal and --quiet is given)")

    render = commands.add_parser("render", help="draw a genome's topology")
    render.add_argument("genome", type=Path, help="a genome JSON file (neat.save_genome)")
    render.add_argument("-o", "--output", type=Path, required=True, help="the picture: .svg, .png, .pdf or .dot")
    render.add_argument("--prune", action="store_true", help="only what the compiled network keeps")
    render.add_argument("--hide-disabled", action="store_true", help="leave disabled connections out")
    render.add_argument("--weights", action="store_true", help="label connections with their weights")
    render.add_argument("--names", default=None,
                        help="comma-separated names of the inputs then the outputs, e.g. 'x,v,theta,omega,left,right'")

    plot = commands.add_parser("plot", help="plot fitness (and species) from a statistics CSV")
    plot.add_argument("stats", type=Path, help="a CSV written by StatisticsReporter.to_csv")
    plot.add_argument("-o", "--output", type=Path, required=True, help="the fitness plot: .png, .svg or .pdf")
    plot.add_argument("--species", type=Path, default=None, help="also write the species plot here")
    plot.add_argument("--log", action="store_true", help="logarithmic fitness axis")

    replay = commands.add_parser("replay", help="play a saved genome in a gymnasium env")
    replay.add_argument("genome", type=Path, help="a genome JSON file")
    replay.add_argument("--env", required=True, help="the gymnasium env id, e.g. CartPole-v1")
    replay.add_argument("--episodes", type=int, default=10)
    replay.add_argument("--seed", type=int, default=0)
    replay.add_argument("--max-steps", type=int, default=None)
    replay.add_argument("--render", nargs="?", const="human", default=None, metavar="MODE",
                        help="gymnasium render_mode (default when given: human; needs a display)")

    info = commands.add_parser("info", help="summarise a checkpoint")
    info.add_argument("checkpoint", type=Path)

    convert = commands.add_parser("convert", help="convert a neat-python config file to TOML")
    convert.add_argument("ini", type=Path, help="a neat-python config file")
    convert.add_argument("-o", "--output", type=Path, required=True, help="the TOML file to write")
    convert.add_argument("--unmapped", choices=("error", "warn"), default="error",
                         help="a neat-python key with no equivalent: an error (default) or a warning")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the exit status."""
    args = build_parser().parse_args(argv)
    handlers = {"run": _run, "render": _render, "plot": _plot, "replay": _replay, "info": _info,
                "convert": _convert}
    try:
        return handlers[args.command](args)
    except NeatError as exc:
        message = " ".join(line.strip() for line in str(exc).splitlines() if line.strip())  # one line
        print(f"neatlab {args.command}: error: {message}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"neatlab {args.command}: error: {exc.filename or ''}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"neatlab {args.command}: interrupted", file=sys.stderr)
        return 130


# --- run ---------------------------------------------------------------------
def _run(args: argparse.Namespace) -> int:
    from .config import Config
    from .evaluation.tasks import task_evaluator
    from .evolution.checkpoint import Checkpointer, load_checkpoint
    from .evolution.population import Population
    from .evolution.reporting import ProgressReporter, StatisticsReporter, StdOutReporter

    config = Config.from_toml_file(args.config)
    if args.workers is not None and config.task.kind == "dataset":
        raise ConfigError("--workers is for gym tasks; a dataset task is evaluated as one population forward")
    if args.generations is not None and args.generations < 1:
        raise ConfigError(f"--generations must be >= 1, got {args.generations}")
    if args.checkpoint_every < 1:
        raise ConfigError(f"--checkpoint-every must be >= 1, got {args.checkpoint_every}")
    if args.generations is None and config.run.max_generations is None and config.run.fitness_threshold is None:
        raise ConfigError("the run needs a way to stop: pass --generations, or set [run] max_generations or "
                          "fitness_threshold")
    seed = args.seed if args.seed is not None else (config.run.seed if config.run.seed is not None else 0)
    evaluator = task_evaluator(config, base_dir=args.config.resolve().parent, seed=seed, workers=args.workers)
    out = args.out or Path("runs") / f"{args.config.stem}-seed{seed}"
    statistics = StatisticsReporter()
    reporters: list[Any] = [statistics]
    if not args.quiet:
        reporters.append(StdOutReporter())
    progress = args.progress if args.progress is not None else args.quiet
    if progress:
        reporters.append(ProgressReporter(args.generations or config.run.max_generations,
                                          enabled=None if args.progress is None else True))
    checkpoints = Checkpointer(args.checkpoint_dir or out / "checkpoints", every=args.checkpoint_every, keep=3)
    reporters.append(checkpoints)
    with evaluator as evaluate:
        earlier: list[Any] = []
        if args.resume is not None:
            population = load_checkpoint(args.resume, config=config, reporters=reporters)
            print(f"resumed {args.resume} at generation {population.generation}")
            if (out / "stats.csv").exists():  # the statistics of the generations before the checkpoint
                earlier = StatisticsReporter.read_csv(out / "stats.csv")
        else:
            population = Population(config, seed=seed, reporters=reporters)
        out.mkdir(parents=True, exist_ok=True)
        config.save_toml(out / "config.toml")
        start = time.perf_counter()
        interrupted = False
        try:
            population.run(evaluate, args.generations)
        except KeyboardInterrupt:
            interrupted = True
            print("interrupted: saving what the run has so far", file=sys.stderr)
        seconds = time.perf_counter() - start
        checkpoints.save(population)  # the final state, resumable with --resume
        champion = population.best_genome
        test = None
        if champion is not None and config.task.kind == "gym" and config.task.test_episodes and not interrupted:
            test = evaluate.replay(champion, config.task.test_episodes, seed=seed + TEST_SEED_OFFSET)
    if champion is None:
        raise ConfigError("no generation was evaluated")
    first_new = statistics.generations[0].generation if statistics.generations else population.generation + 1
    statistics.generations[:0] = [g for g in earlier if g.generation < first_new]
    print(f"\nbest fitness {population.best_fitness:.6g} after {population.generation + 1} generations, "
          f"{population.evaluations} evaluations, {seconds:.1f}s")
    hidden, enabled = champion.size()
    print(f"champion: {hidden} hidden nodes, {enabled} enabled connections")
    if test is not None:
        print(f"champion on {len(test)} fresh episodes of {config.task.env_id}: mean return {np.mean(test):.2f} "
              f"(min {np.min(test):.2f}, max {np.max(test):.2f})")
    for line in save_run(out, champion, statistics):
        print(line)
    print(f"last checkpoint: {checkpoints.last_path} (resume: --resume {checkpoints.last_path})")
    return 130 if interrupted else 0


def save_run(
    out: str | Path, champion: Any, statistics: Any, *, node_names: Sequence[str] | None = None
) -> list[str]:
    """Write a run's results into folder ``out``, as ``run`` and the examples do.

    ``champion.json`` (``neat.save_genome``), ``stats.csv``
    (``StatisticsReporter.to_csv``), and as far as the extras allow,
    ``champion.svg`` (its topology), ``fitness.png`` and ``species.png``.
    A missing renderer is reported, not raised: the genome and statistics
    are saved either way.

    Returns
    -------
    list of str
        One line per file written or skipped.
    """
    from .errors import RenderError, StatisticsError
    from .interop.jsonfiles import save_genome

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    save_genome(champion, out / "champion.json")
    statistics.to_csv(out / "stats.csv")
    lines = [f"champion -> {out / 'champion.json'}", f"statistics -> {out / 'stats.csv'}"]
    try:
        from .viz.draw import draw_net, render

        lines.append(f"topology -> {render(draw_net(champion, node_names=node_names), out / 'champion.svg')}")
    except RenderError as exc:
        lines.append(f"topology not rendered: {exc}")
    try:
        from .viz.plot import plot_fitness, plot_species

        lines.append(f"fitness plot -> {plot_fitness(statistics, out / 'fitness.png')}")
        if any(g.species_sizes for g in statistics.generations):
            lines.append(f"species plot -> {plot_species(statistics, out / 'species.png')}")
    except (RenderError, StatisticsError) as exc:
        lines.append(f"plots not drawn: {exc}")
    return lines


# --- render, plot ------------------------------------------------------------
def _render(args: argparse.Namespace) -> int:
    from .interop.jsonfiles import load_genome
    from .viz.draw import draw_net, render

    genome = load_genome(args.genome)
    names = None
    if args.names is not None:
        names = [n.strip() for n in args.names.split(",")]
    graph = draw_net(genome, node_names=names, prune=args.prune, show_weights=args.weights,
                     disabled="hidden" if args.hide_disabled else "dashed")
    print(f"wrote {render(graph, args.output)}")
    return 0


def _plot(args: argparse.Namespace) -> int:
    from .viz.plot import plot_fitness, plot_species

    print(f"wrote {plot_fitness(args.stats, args.output, log=args.log)}")
    if args.species is not None:
        print(f"wrote {plot_species(args.stats, args.species)}")
    return 0


# --- replay, info, convert ---------------------------------------------------
def _replay(args: argparse.Namespace) -> int:
    from .evaluation.gym import GymEvaluator
    from .interop.jsonfiles import load_genome

    if args.episodes < 1:
        raise ConfigError(f"--episodes must be >= 1, got {args.episodes}")
    genome = load_genome(args.genome)
    with GymEvaluator(args.env, max_steps=args.max_steps, seed=args.seed) as evaluator:
        returns = evaluator.replay(genome, args.episodes, seed=args.seed, render_mode=args.render)
    for i, value in enumerate(returns.tolist()):
        print(f"episode {i}: return {value:.2f}")
    print(f"mean return {np.mean(returns):.2f} over {len(returns)} episodes of {args.env} "
          f"(min {np.min(returns):.2f}, max {np.max(returns):.2f})")
    return 0


def _info(args: argparse.Namespace) -> int:
    from .evolution.checkpoint import load_checkpoint

    population = load_checkpoint(args.checkpoint)
    config = population.config
    print(f"checkpoint      {args.checkpoint}")
    print(f"generation      {population.generation}")
    print(f"evaluations     {population.evaluations}")
    if population.best_genome is not None:
        best = population.best_genome
        hidden, enabled = best.size()
        key = "" if best.key is None else f"genome {best.key}, "
        print(f"best fitness    {population.best_fitness:.6g} ({key}{hidden} hidden nodes, {enabled} enabled connections)")
    print(f"genome keys     {int(population.pool.keys.min())}..{int(population.pool.keys.max())} "
          f"in this generation; the next new genome gets {population.next_key}")
    species = population.species.species
    best_first = sorted(species, key=lambda s: s.best_score, reverse=not population.minimize)
    shown = ", ".join(f"{s.key}: best {s.best_score:.4g}" for s in best_first[:8]) + (" ..." if len(species) > 8 else "")
    print(f"species         {len(species)}" + (f" ({shown})" if species else ""))
    g, rc, run = config.genome, config.reproduction, config.run
    print(f"population      {run.population_size} genomes, objective {run.objective}, strategy {rc.strategy}")
    print(f"genome          {g.num_inputs} inputs, {g.num_outputs} outputs, "
          f"{'feed-forward' if g.feed_forward else 'recurrent'}, start {g.initial_connection}")
    task = config.task
    described = {"dataset": f"dataset {task.dataset}", "gym": f"gym {task.env_id} ({task.episodes} episodes)"}
    print(f"task            {described.get(task.kind, 'none')}")
    return 0


def _convert(args: argparse.Namespace) -> int:
    import warnings

    from .interop.neat_python import convert

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # each setting left out is printed below, one line each
        left_out = convert(args.ini, args.output, unmapped=args.unmapped)
    for setting in left_out:
        print(f"warning: left out {setting}", file=sys.stderr)
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
