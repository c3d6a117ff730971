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
info FILE
    Describe a checkpoint (generation, best fitness, species, config), a
    genome JSON file or a network ``.npz`` file.
convert CONFIG.ini -o CONFIG.toml
    Convert a neat-python config file to this project's TOML.
export GENOME.json -o net.onnx
    Export a genome's network (or a network ``.npz``) to an ONNX model.

Every error is one line on stderr and a non-zero exit status (2 for bad
input, 130 for an interrupt), never a traceback; a failed ``run`` writes
nothing.  An env whose optional dependency is missing (Box2D, MuJoCo,
pygame for ``replay --render``) names the extra to install.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import sys
import time
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .errors import CheckpointError, ConfigError, NeatError

__all__ = ["main", "build_parser", "save_run", "missing_extra", "EXTRAS"]

TEST_SEED_OFFSET = 2_000_000  # replays of the champion use starts training never used

EXTRAS: dict[str, tuple[str, str]] = {
    "box2d": ("Box2D", "box2d"),
    "mujoco": ("MuJoCo", "mujoco"),
    "pygame": ("pygame", "classic-control"),
}
"""An env's optional dependency (lower case) -> (its name, the neatlab extra that installs it)."""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every command."""
    parser = argparse.ArgumentParser(
        prog="neatlab", description="NEAT on NumPy arrays: evolve, render, plot, replay, inspect, convert."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="evolve for the [task] a config file describes")
    run.add_argument("config", type=Path, help="a TOML config with a [task] section")
    run.add_argument("--seed", type=int, metavar="N", help="the run's seed (default: [run] seed, else 0)")
    run.add_argument("--generations", type=int, metavar="N",
                     help="at most this many generations (default: [run] max_generations)")
    run.add_argument("--out", type=Path, metavar="DIR", help="folder for the results (default: runs/NAME-seedS)")
    run.add_argument("--checkpoint-dir", type=Path, metavar="DIR",
                     help="folder for checkpoints (default: OUT/checkpoints)")
    run.add_argument("--checkpoint-every", type=int, metavar="N", default=10,
                     help="generations between checkpoints (default 10)")
    run.add_argument("--resume", type=Path, metavar="CHECKPOINT", help="continue the run saved in this checkpoint")
    run.add_argument("--workers", type=int, metavar="N", help="worker processes for a gym task's episodes")
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
    replay.add_argument("genome", type=Path, help="a genome JSON file (neat.save_genome)")
    replay.add_argument("--env", required=True, help="the gymnasium env id, e.g. CartPole-v1")
    replay.add_argument("--episodes", type=int, metavar="N", default=10, help="how many episodes to play (default 10)")
    replay.add_argument("--seed", type=int, metavar="N", default=0,
                        help="picks the episodes' starts, a set training never uses (default 0)")
    replay.add_argument("--max-steps", type=int, metavar="N",
                        help="cut each episode after this many steps (default: the env's own limit)")
    replay.add_argument("--render", nargs="?", const="human", default=None, metavar="MODE", help="gymnasium "
                        'render_mode (default when given: human; needs pygame: pip install "neatlab[classic-control]")')
    replay.add_argument("--exact", action="store_true", help="exact mode, as a run trained with [task] exact = true")

    info = commands.add_parser("info", help="describe a checkpoint, a genome JSON file or a network .npz file")
    info.add_argument("file", type=Path, help="a checkpoint (.npz), a genome JSON file (neat.save_genome) or a "
                      "network file (neat.save_network)")

    convert = commands.add_parser("convert", help="convert a neat-python config file to TOML")
    convert.add_argument("ini", type=Path, help="a neat-python config file")
    convert.add_argument("-o", "--output", type=Path, required=True, help="the TOML file to write")
    convert.add_argument("--unmapped", choices=("error", "warn"), default="error",
                         help="a neat-python key with no equivalent: an error (default) or a warning")

    export = commands.add_parser("export", help="export a genome's network (or a network .npz file) to an ONNX model")
    export.add_argument("genome", type=Path, help="a genome JSON file (neat.save_genome) or a network file "
                        "(neat.save_network)")
    export.add_argument("-o", "--output", type=Path, required=True, help="the ONNX file to write, e.g. net.onnx")
    export.add_argument("--dtype", choices=("float32", "float64"), default="float32",
                        help="the model's float type (default float32)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the exit status."""
    args = build_parser().parse_args(argv)
    handlers = {"run": _run, "render": _render, "plot": _plot, "replay": _replay, "info": _info,
                "convert": _convert, "export": _export}
    try:
        return handlers[args.command](args)
    except KeyboardInterrupt:
        print(f"neatlab {args.command}: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        said = isinstance(exc, NeatError) and "neatlab[" in str(exc)  # says what to install already
        message = str(exc) if said else missing_extra(exc)
        if message is None and isinstance(exc, NeatError):
            message = str(exc)
        elif message is None and isinstance(exc, OSError):
            message = f"{exc.filename or ''}: {exc.strerror or exc}"
        elif message is None:
            raise
        message = " ".join(line.strip() for line in message.splitlines() if line.strip())  # one line
        print(f"neatlab {args.command}: error: {message}", file=sys.stderr)
        return 2


def missing_extra(error: BaseException, needed_by: str = "") -> str | None:
    """What to install when ``error`` (or an error it was raised from) says an env's dependency is missing.

    Recognises gymnasium's ``DependencyNotInstalled`` ("Box2D is not
    installed, ...") and ``ModuleNotFoundError`` for the modules in ``EXTRAS``.

    Returns
    -------
    str or None
        One line, e.g. ``LunarLander-v3 needs Box2D, which is not installed:
        pip install "neatlab[box2d]"`` (``needed_by`` starts it); None for
        any other error.
    """
    seen: set[int] = set()
    cause: BaseException | None = error
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        name = cause.name if isinstance(cause, ModuleNotFoundError) else None
        found = re.search(r"\b(box2d|mujoco|pygame) is not installed", str(cause), re.IGNORECASE)
        name = (name or (found.group(1) if found else "")).split(".")[0].lower()
        if name in EXTRAS:
            package, extra = EXTRAS[name]
            what = f"{needed_by} needs {package}, which is" if needed_by else f"{package} is"
            return f'{what} not installed: pip install "neatlab[{extra}]"'
        cause = cause.__cause__ or cause.__context__
    return None


@contextlib.contextmanager
def _env_errors(env_id: str, where: str) -> Iterator[None]:
    """Errors of making or playing a gymnasium env as one-line ``ConfigError`` s that say ``where``."""
    try:
        yield
    except Exception as exc:
        hint = missing_extra(exc, env_id)
        if hint is not None:
            raise ConfigError(hint) from exc
        from_gymnasium = isinstance(exc, ImportError) or type(exc).__module__.startswith("gymnasium")
        if isinstance(exc, NeatError) or not from_gymnasium:
            raise
        raise ConfigError(f"{where}: {type(exc).__name__}: {exc}") from exc


def _check_env(evaluator: Any, genome: Any, env_id: str, where: str) -> None:
    """A gym task's env is made, and fits ``genome``, before anything is written or played."""
    if hasattr(evaluator, "check_genome"):
        with _env_errors(env_id, where):
            evaluator.check_genome(genome)


def _at_least(args: argparse.Namespace, minimum: int, *names: str) -> None:
    for name in names:
        value = getattr(args, name)
        if value is not None and value < minimum:
            raise ConfigError(f"--{name.replace('_', '-')} must be >= {minimum}, got {value}")


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
    _at_least(args, 1, "generations", "checkpoint_every", "workers")
    _at_least(args, 0, "seed")
    if args.generations is None and config.run.max_generations is None and config.run.fitness_threshold is None:
        raise ConfigError("the run needs a way to stop: pass --generations, or set [run] max_generations or "
                          "fitness_threshold")
    seed = args.seed if args.seed is not None else (config.run.seed if config.run.seed is not None else 0)
    # Every check (config, dataset, env) comes before the first file is written: a failed run writes nothing.
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
            if (out / "stats.csv").exists():  # the statistics of the generations before the checkpoint
                earlier = StatisticsReporter.read_csv(out / "stats.csv")
        else:
            population = Population(config, seed=seed, reporters=reporters)
        _check_env(evaluate, population.genomes[0], str(config.task.env_id), f"[task] env_id = {config.task.env_id!r}")
        if args.resume is not None:
            print(f"resumed {args.resume} at generation {population.generation}")
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
    from .viz.draw import RENDER_FORMATS, draw_net, render

    if args.output.suffix.lstrip(".").lower() not in (*RENDER_FORMATS, "dot", "gv"):
        raise ConfigError(f"-o {args.output}: give a file name ending in .svg, .png, .pdf or .dot")
    genome = load_genome(args.genome)
    names = None
    if args.names is not None:
        names = [n.strip() for n in args.names.split(",")]
        expected = genome.num_inputs + genome.num_outputs
        if len(names) != expected:
            raise ConfigError(
                f"--names lists {len(names)} names but the genome has {genome.num_inputs} inputs and "
                f"{genome.num_outputs} outputs: give {expected} comma-separated names, the inputs then the outputs"
            )
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

    _at_least(args, 1, "episodes", "max_steps")
    _at_least(args, 0, "seed")
    genome = load_genome(args.genome)
    where = f"--env {args.env}"
    with GymEvaluator(args.env, max_steps=args.max_steps, seed=args.seed, exact=args.exact) as evaluator:
        _check_env(evaluator, genome, args.env, where)
        if args.render is not None:
            env = evaluator.make_env()
            modes = [str(m) for m in env.metadata.get("render_modes") or ()]
            env.close()
            if modes and args.render not in modes:
                raise ConfigError(f"--render {args.render}: {args.env} renders as {', '.join(modes)}")
        with _env_errors(f"{args.env} with --render" if args.render else args.env, where):
            returns = evaluator.replay(genome, args.episodes, seed=args.seed, render_mode=args.render)
    for i, value in enumerate(returns.tolist()):
        print(f"episode {i}: return {value:.2f}")
    print(f"mean return {np.mean(returns):.2f} over {len(returns)} episodes of {args.env} "
          f"(min {np.min(returns):.2f}, max {np.max(returns):.2f})")
    return 0


def _info(args: argparse.Namespace) -> int:
    """A checkpoint, a genome JSON file or a network file, told apart by their contents."""
    path: Path = args.file
    try:
        with open(path, "rb") as handle:
            head = handle.read(4)
    except OSError as exc:
        raise CheckpointError(f"cannot read {str(path)!r}: {exc.strerror or exc}; expected a checkpoint, genome "
                              "JSON or network file") from None
    not_one = f"{path} is not a checkpoint, genome JSON or network file"
    if head.startswith(b"PK"):  # a zip archive, as .npz files are
        try:
            with zipfile.ZipFile(path) as archive:
                entries = [name.removesuffix(".npy") for name in archive.namelist()]
        except (zipfile.BadZipFile, OSError) as exc:
            raise CheckpointError(f"{not_one}: it starts like a zip archive but cannot be read ({exc})") from None
        if "meta" in entries and "digest" in entries:
            return _info_checkpoint(path)
        if "format" in entries and "node_ids" in entries:
            return _info_network(path)
        shown = ", ".join(entries[:6]) + (", ..." if len(entries) > 6 else "")
        raise CheckpointError(f"{not_one}: it is a zip (.npz) archive with the entries {shown or '(none)'}")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise CheckpointError(f"{not_one}: it is neither JSON nor an .npz archive") from None
    from .genome.genome import GENOME_FORMAT

    if isinstance(data, dict) and data.get("format") == GENOME_FORMAT:
        return _info_genome(path, data)
    raise CheckpointError(f'{not_one}: it is JSON without "format": "{GENOME_FORMAT}"')


def _counts(names: Sequence[str]) -> str:
    unique = sorted(set(names), key=list(names).index)
    return ", ".join(f"{name} ({list(names).count(name)})" for name in unique) or "none"


def _info_genome(path: Path, data: dict[str, Any]) -> int:
    from .genome import NodeKind
    from .genome.graph import is_acyclic
    from .interop.jsonfiles import load_genome
    from .nn import compile

    genome = load_genome(path)
    enabled = genome.conns.enabled
    computing = genome.nodes.kind != NodeKind.INPUT
    print(f"genome          {path}")
    print(f"key             {'none' if genome.key is None else genome.key}")
    fitness = data.get("fitness")
    if isinstance(fitness, (int, float)) and not isinstance(fitness, bool):
        print(f"fitness         {fitness:.6g}")
    print(f"nodes           {genome.num_inputs} inputs, {genome.num_outputs} outputs, {genome.num_hidden} hidden")
    print(f"connections     {int(enabled.sum())} enabled, {int((~enabled).sum())} disabled")
    print(f"activations     {_counts([n for n, c in zip(genome.activation_names(), computing) if c])}")
    print(f"aggregations    {_counts([n for n, c in zip(genome.aggregation_names(), computing) if c])}")
    net = compile(genome)
    kept = f"{net.num_nodes} nodes and {net.num_connections} connections once compiled"
    if genome.config.feed_forward:
        print(f"network         feed-forward, depth {net.num_layers} ({kept})")
    else:
        src, dst = genome.node_index(genome.conns.src[enabled]), genome.node_index(genome.conns.dst[enabled])
        cycles = "no cycles" if is_acyclic(genome.num_nodes, src, dst) else "with cycles"
        print(f"network         recurrent, {cycles} ({kept})")
    return 0


def _info_network(path: Path) -> int:
    from .nn import load_network

    net = load_network(path)
    codes = net.activation_codes[net.num_inputs:].tolist()
    print(f"network         {path}")
    print(f"kind            {net.KIND}, {net.dtype}")
    print(f"nodes           {net.num_inputs} inputs, {net.num_outputs} outputs, "
          f"{net.num_nodes - net.num_inputs - net.num_outputs} hidden ({len(net.pruned_ids)} pruned)")
    print(f"connections     {net.num_connections}")
    if hasattr(net, "num_layers"):
        print(f"depth           {net.num_layers}")
    print(f"activations     {_counts([net.activation_names[c] for c in codes])}")
    return 0


def _info_checkpoint(path: Path) -> int:
    from .evolution.checkpoint import load_checkpoint

    population = load_checkpoint(path)
    config = population.config
    print(f"checkpoint      {path}")
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
        try:
            left_out = convert(args.ini, args.output, unmapped=args.unmapped)
        except ConfigError as exc:  # the hint in the command line's terms
            raise ConfigError(str(exc).replace("load with unmapped='warn'", "pass --unmapped warn")) from None
    for setting in left_out:
        print(f"warning: left out {setting}", file=sys.stderr)
    print(f"wrote {args.output}")
    return 0


def _export(args: argparse.Namespace) -> int:
    from .interop.onnx import export_genome_file

    net = export_genome_file(args.genome, args.output, dtype=args.dtype)
    x, y, state = f"x (batch, {net.num_inputs})", f"y (batch, {net.num_outputs})", f"(batch, {net.num_nodes})"
    shape = f"feed-forward, {x} -> {y}" if net.KIND == "feedforward" else (
        f"recurrent, one step: {x}, state {state} -> {y}, new_state {state}")
    print(f"wrote {args.output}: {shape}, {args.dtype}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
