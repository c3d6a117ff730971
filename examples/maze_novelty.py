"""Novelty search against fitness in a deceptive maze (Lehman and Stanley, 2011), with NEAT.

A robot with six rangefinders and four goal radars steers (turn, speed)
through ``neat/Maze-hard-v0`` (or ``-medium-``) for 400 steps; its fitness is
``1 - distance_to_goal / diagonal`` at the end (1: it reached the goal, which
ends the episode).  Every genome's behaviour is where its robot ends up
(``info["position"]``), recorded by ``GymEvaluator(..., behaviour=...)``;
``NoveltySearch`` turns fitness and behaviours into the scores NEAT selects on:

- ``--method novelty``: the novelty of the final position (mean distance to
  its 15 nearest neighbours among the population and an archive of past
  positions); the goal is never looked at;
- ``--method fitness``: the fitness alone (plain NEAT);
- ``--method blend``: half the rank of each.

The run stops when a robot reaches the goal (``search.best_fitness >= 1``,
``SUCCESS_FITNESS``) or after ``--generations``.  The generation line's
``best``/``mean`` are the scores (novelty for ``novelty``); the true fitness
of the generation is printed every 10 generations and at the end.

Written into ``--out`` (default ``runs/maze_<method>/``):

- ``trajectories.png``: the maze with the final population's paths (their
  episodes replayed one by one in a ``MazeEnv``) and where they end (red dots);
- ``positions.png``: the final positions of the final population over the maze;
- ``archive.png`` (novelty and blend): the archive's positions;
- ``maze_fitness.png``: the best and mean true fitness per generation;
- as the other examples: ``champion.json`` (the genome that came closest to
  the goal), ``champion.svg``, ``stats.csv``, ``fitness.png`` and
  ``species.png`` (of the scores NEAT selected on).

The NEAT settings are ``examples/maze.toml`` (population 250, as in the
paper); the novelty settings are ``NOVELTY`` below.  The envs are stepped all
at once by the maze's NumPy vector env (``vectorized="vector_entry_point"``):
a generation of 250 robots x 400 steps takes about 0.3-0.5 s on one core.
``benchmarks/maze.py`` runs the three methods over seeds.

Run:  python examples/maze_novelty.py [--method novelty|fitness|blend] [--maze hard|medium]
      [--generations 400] [--population 250] [--seed 0] [--out runs/maze_novelty]
"""

from __future__ import annotations

import argparse
import pathlib
import sys
import time
from typing import Any

import numpy as np

import neat
import neat.envs
from neat.cli import save_run
from neat.evaluation.gym import GymEvaluator
from neat.evaluation.gym.spaces import actions_from_outputs, output_range_of
from neat.evaluation.novelty import MODES, NoveltySearch

HERE = pathlib.Path(__file__).resolve().parent
MAZES = ("hard", "medium")
SUCCESS_FITNESS = 1.0
"""``MazeEnv``'s fitness is exactly 1 when the robot ends within the goal's radius (the episode then terminates)."""
NOVELTY = {"k": 15, "archive_threshold": 6.0, "blend": 0.5, "archive_size": 10_000}
"""``NoveltySearch`` settings: the paper's k and initial threshold (in maze units), its dynamic threshold
(the library's defaults: lowered 5% after 10 generations without an addition, raised 20% when more than 4
are added in one generation)."""
NODE_NAMES = (
    "range right", "range front-right", "range front", "range front-left", "range left", "range back",
    "radar front", "radar left", "radar back", "radar right", "turn", "speed",
)


def env_id(maze: str) -> str:
    """The gymnasium id, with the module in front so that worker processes register the mazes too."""
    return f"neat.envs:neat/Maze-{maze}-v0"


def final_position(observations: Any, actions: Any, info: dict[str, Any]) -> np.ndarray:
    """An episode's behaviour: the robot's final ``(x, y)``."""
    return np.asarray(info["position"], dtype=np.float64)


def maze_config(population: int | None = None, path: pathlib.Path = HERE / "maze.toml") -> neat.Config:
    config = neat.Config.from_toml_file(path)
    if population is not None:
        config = config.replace(run={"population_size": population})
    return config


class FitnessLog(neat.Reporter):
    """Records the true fitness (best, mean) of every generation; prints it every ``every`` generations."""

    def __init__(self, search: NoveltySearch, every: int = 10, quiet: bool = False) -> None:
        self.search = search
        self.every = every
        self.quiet = quiet
        self.best: list[float] = []
        self.mean: list[float] = []

    def post_evaluate(self, population: Any, fitness: np.ndarray) -> None:
        f = self.search.fitness
        self.best.append(float(f.max()))
        self.mean.append(float(f.mean()))
        if not self.quiet and (population.generation % self.every == 0 or f.max() >= SUCCESS_FITNESS):
            print(f"  maze fitness: best {f.max():.4f}  mean {f.mean():.4f}  best-ever {self.search.best_fitness:.4f}  "
                  f"archive {len(self.search.archive)}", flush=True)


def evolve(
    method: str,
    maze: str = "hard",
    *,
    generations: int = 400,
    population: int | None = 250,
    seed: int = 0,
    config: neat.Config | None = None,
    reporters: list[Any] | None = None,
    quiet: bool = False,
) -> dict[str, Any]:
    """One run until a robot reaches the goal or ``generations``.

    Returns a dict: ``solved`` (bool), ``generations`` (evaluated), ``evaluations`` (genome
    evaluations, i.e. episodes, until the end), ``best_fitness``, ``champion`` (the genome closest
    to the goal), ``search`` (the ``NoveltySearch``), ``population``, ``log`` (``FitnessLog``), ``seconds``.
    """
    if method not in MODES:
        raise ValueError(f"method must be one of {', '.join(MODES)}, got {method!r}")
    config = config or maze_config(population)
    start = time.perf_counter()
    with GymEvaluator(env_id(maze), vectorized="vector_entry_point", behaviour=final_position) as evaluator:
        search = NoveltySearch(evaluator, mode=method, seed=seed, **NOVELTY)
        log = FitnessLog(search, quiet=quiet)
        pop = neat.Population(config, seed=seed, reporters=[*(reporters or []), log])
        pop.run(search, generations, stop=lambda p: search.best_fitness >= SUCCESS_FITNESS)
    return {
        "solved": bool(search.best_fitness >= SUCCESS_FITNESS),
        "generations": pop.generation + 1,
        "evaluations": int(pop.evaluations),
        "best_fitness": float(search.best_fitness),
        "champion": search.best_genome,
        "search": search,
        "population": pop,
        "log": log,
        "seconds": time.perf_counter() - start,
    }


def replay_trajectories(genomes: list[neat.Genome], maze: str) -> list[np.ndarray]:
    """Each genome's episode replayed in its own ``MazeEnv``: ``(T + 1, 2)`` positions per genome.

    The actions come from one population stack, as in ``GymEvaluator``, so each path ends at the
    behaviour the evaluation recorded.
    """
    stack = neat.compile_population(genomes)
    envs = [neat.envs.MazeEnv(maze) for _ in genomes]
    space = envs[0].action_space
    output_range = output_range_of(genomes[0].config)
    obs = np.array([env.reset(seed=0)[0] for env in envs], dtype=np.float64)
    running = np.ones(len(envs), dtype=bool)
    while running.any():
        actions = actions_from_outputs(space, stack(obs[:, None, :]).reshape(len(envs), -1), output_range)
        for i in np.flatnonzero(running).tolist():
            observation, _, terminated, truncated, _ = envs[i].step(actions[i])
            obs[i] = observation
            running[i] = not (terminated or truncated)
    return [np.asarray(env.trajectory) for env in envs]


def plot_fitness_log(log: FitnessLog, path: pathlib.Path, title: str) -> pathlib.Path:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(6, 3.5), layout="constrained")
    FigureCanvasAgg(figure)
    ax = figure.add_subplot()
    ax.plot(log.best, label="best")
    ax.plot(log.mean, label="mean")
    ax.axhline(SUCCESS_FITNESS, color="tab:green", lw=0.8, ls="--", label="goal")
    ax.set_xlabel("generation")
    ax.set_ylabel("fitness (1 - distance / diagonal)")
    ax.set_title(title)
    ax.legend(loc="lower right")
    figure.savefig(path, dpi=110)
    return path


def save_pictures(run: dict[str, Any], method: str, maze: str, out: pathlib.Path) -> list[str]:
    """The maze pictures and the true-fitness plot; one line per file."""
    search, genomes = run["search"], list(run["population"].genomes)
    lines = []
    paths = replay_trajectories(genomes, maze)
    ends = np.array([p[-1] for p in paths])
    if not np.array_equal(ends, search.behaviours):
        lines.append("note: the replayed paths do not all end where the evaluation recorded")
    where = f"{maze}, {method}, gen {run['generations'] - 1}"
    plot = neat.envs.plot_maze
    lines.append(f"trajectories -> {plot(maze, trajectories=paths, positions=ends, path=out / 'trajectories.png', title=where)}")
    lines.append(f"final positions -> {plot(maze, positions=search.behaviours, path=out / 'positions.png', title=where)}")
    if method != "fitness" and len(search.archive):
        title = f"{maze}, {method}: archive"
        lines.append(f"archive -> {plot(maze, positions=search.archive, path=out / 'archive.png', title=title)}")
    lines.append(f"fitness -> {plot_fitness_log(run['log'], out / 'maze_fitness.png', f'{maze} maze, {method}')}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Novelty search against fitness in a deceptive maze.")
    parser.add_argument("--method", choices=MODES, default="novelty")
    parser.add_argument("--maze", choices=MAZES, default="hard")
    parser.add_argument("--generations", type=int, default=400)
    parser.add_argument("--population", type=int, default=None, help="population size (default: maze.toml's, 250)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--config", type=pathlib.Path, default=HERE / "maze.toml")
    parser.add_argument("--out", type=pathlib.Path, default=None, help="default: runs/maze_<method>")
    args = parser.parse_args(argv)
    out = args.out or pathlib.Path("runs") / f"maze_{args.method}"
    statistics = neat.StatisticsReporter()
    run = evolve(args.method, args.maze, generations=args.generations, seed=args.seed,
                 config=maze_config(args.population, args.config), reporters=[neat.StdOutReporter(), statistics])
    search, champion = run["search"], run["champion"]
    hidden, enabled = champion.size()
    verdict = "goal reached" if run["solved"] else "goal not reached"
    print(f"\n{args.maze} maze, {args.method}: {verdict} after {run['generations']} generations, "
          f"{run['evaluations']} evaluations, {run['seconds']:.1f}s")
    print(f"best fitness {run['best_fitness']:.4f}, ending at ({search.best_behaviour[0]:.1f}, "
          f"{search.best_behaviour[1]:.1f}); champion: {hidden} hidden nodes, {enabled} enabled connections; "
          f"archive {len(search.archive)}")
    for line in save_run(out, champion, statistics, node_names=NODE_NAMES):
        print(line)
    for line in save_pictures(run, args.method, args.maze, out):
        print(line)
    return 0 if run["solved"] else 1


if __name__ == "__main__":
    sys.exit(main())
