"""The driver shared by the gymnasium examples (acrobot.py, mountain_car.py, lunar_lander.py, ...).

Every example is one ``Task`` and one call, ``sys.exit(run_task(TASK))``.  A
run reads as:

    config (examples/NAME.toml, --population overrides its size)
    -> each generation: every genome plays ``--episodes`` training episodes
       (the same starts for all genomes, new starts every generation);
       fitness = the reducer (mean) of its training returns
    -> the best few genomes whose fitness reaches ``validate_at`` replay
       ``validation_episodes`` fresh episodes (seeds training never uses)
       with the env's own reward; the best validated genome so far is the
       champion, and the run stops once it averages ``validation_target``
    -> the champion (else the best genome by training fitness) is saved as
       JSON and replayed on ``--test-episodes`` other fresh episodes.

Training may use another env than testing (MountainCar trains on a
reward-shaped wrapper and is validated and tested on the real env); both may
be a wrapper (cartpole_no_velocity.py trains and tests on CartPole without
its velocities: ``train_env`` and ``test_env``).  This
module sits next to the examples and is imported from there (``python
examples/NAME.py`` puts ``examples/`` on ``sys.path``).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import dataclasses
import pathlib
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

import neat
from neat.cli import missing_extra, save_run
from neat.evaluation.gym import GymEvaluator

HERE = pathlib.Path(__file__).resolve().parent
# Replays draw their starts from a branch of the seeds training never uses;
# validation and the final test use different replay seeds of their own.
VALIDATION_SEED_OFFSET = 1_000_000
TEST_SEED_OFFSET = 2_000_000


@dataclasses.dataclass(frozen=True)
class Task:
    """What differs from one example to the next.

    Attributes
    ----------
    name
        File stem: the config is ``examples/NAME.toml``; results go to ``runs/NAME/``.
    env_id
        The gymnasium env the champion is validated and tested on (unless ``test_env`` is given).
    solved
        Mean test return that counts as solved (the script's exit status is 0 then).
    episodes
        Default training episodes per genome and generation (``--episodes``).
    validate_at
        Training fitness from which a genome is replayed on validation episodes.
    validation_target
        Mean validation return that stops the run.
    validation_episodes, candidates
        How many fresh episodes a candidate plays, and at most how many
        candidates per generation.
    train_env
        The env to train on (an id or a zero-argument factory); default ``env_id``.
    test_env
        The env to validate and test on (an id or a zero-argument factory); default
        ``env_id``.  A factory that wraps ``env_id`` (e.g. an observation wrapper)
        changes what the genomes see in validation and test as well.
    evaluator
        Keyword arguments of both ``GymEvaluator`` s (``observation_normalization``, ``frame_skip``, ...).
    training
        Keyword arguments of the training ``GymEvaluator`` only (e.g. a shorter ``max_steps``).
    reducer
        Training fitness from a genome's episode returns (``GymEvaluator``'s ``reducer``).
    parallel
        Whether the script offers ``--workers N`` (a process pool for the training episodes).
    summary
        ``test returns -> extra line`` printed after the test (e.g. how often the goal was reached).
    node_names
        Names of the observations then the actions, for the topology picture.
    """

    name: str
    env_id: str
    description: str
    solved: float
    episodes: int
    validate_at: float
    validation_target: float
    validation_episodes: int = 20
    candidates: int = 3
    train_env: str | Callable[[], Any] | None = None
    test_env: str | Callable[[], Any] | None = None
    evaluator: dict[str, Any] = dataclasses.field(default_factory=dict)
    training: dict[str, Any] = dataclasses.field(default_factory=dict)
    reducer: str | Callable[[np.ndarray], float] = "mean"
    parallel: bool = False
    summary: Callable[[np.ndarray], str] | None = None
    node_names: tuple[str, ...] | None = None


class ValidatedFitness:
    """Training fitness, plus a check of the best genomes of each generation on fresh episodes.

    Called as ``fitness(genomes, generation=g)`` by ``Population.run``.  Up to
    ``task.candidates`` genomes of a generation, best first, whose fitness
    reaches ``task.validate_at`` play ``task.validation_episodes`` episodes
    of ``tester`` (the real env); ``champion`` is the one with the best
    validation mean so far, ``done`` turns true once it reaches
    ``task.validation_target``.
    """

    def __init__(self, task: Task, trainer: GymEvaluator, tester: GymEvaluator, *, seed: int) -> None:
        self.task = task
        self.trainer = trainer
        self.tester = tester
        self.seed = seed
        self.champion: neat.Genome | None = None
        self.validation_return = -np.inf
        self.validation_steps = 0
        self._checked: list[neat.Genome] = []  # the candidates of the last generation

    @property
    def done(self) -> bool:
        return self.champion is not None and self.validation_return >= self.task.validation_target

    def __call__(self, genomes: list[neat.Genome], *, generation: int) -> np.ndarray:
        fitness = self.trainer(genomes, generation=generation)
        before = self.tester.env_steps
        checked = []
        for i in np.argsort(-fitness, kind="stable")[: self.task.candidates].tolist():
            if fitness[i] < self.task.validate_at:
                break
            checked.append(genomes[i])
            if any(genomes[i] == g for g in self._checked):
                continue  # an elite, unchanged since the last generation: validated already
            returns = self.tester.replay(genomes[i], self.task.validation_episodes, seed=self.seed)
            if returns.mean() > self.validation_return:
                self.champion, self.validation_return = genomes[i], float(returns.mean())
                print(
                    f"  validation: mean return {self.validation_return:.1f} over {len(returns)} fresh episodes "
                    f"(training fitness {fitness[i]:.1f}): new champion",
                    flush=True,
                )
            if self.done:
                break
        self._checked = checked
        self.validation_steps += self.tester.env_steps - before
        return fitness


def evolve(
    task: Task,
    config: neat.Config,
    *,
    seed: int,
    episodes: int,
    generations: int | None = None,
    test_episodes: int = 100,
    reporters: Sequence[Any] = (),
    executor: concurrent.futures.Executor | None = None,
    vectorized: bool | str | None = None,
) -> dict[str, Any]:
    """One run: evolve until a validated champion (or ``generations``), then test it.

    Returns a dict with ``champion`` (a Genome), ``validated`` (bool: it
    reached the validation target), ``validation_return`` (its validation
    mean, or None), ``generations``, ``env_steps`` (training and validation),
    ``seconds`` (to the end of evolution, testing excluded) and
    ``test_returns`` (``(test_episodes,)`` returns on fresh episodes of the real env).
    """
    start = time.perf_counter()
    common = {"vectorized": vectorized, **task.evaluator}
    training = {**common, **task.training}
    if executor is not None:
        training["executor"] = executor
    trainer = GymEvaluator(task.train_env or task.env_id, episodes=episodes, seed=seed, reducer=task.reducer, **training)
    tester = GymEvaluator(task.test_env or task.env_id, seed=seed, **common)
    with trainer, tester:
        fitness = ValidatedFitness(task, trainer, tester, seed=seed + VALIDATION_SEED_OFFSET)
        population = neat.Population(config, seed=seed, reporters=reporters)
        best = population.run(fitness, generations, stop=lambda pop: fitness.done)
        champion = fitness.champion or best
        seconds = time.perf_counter() - start
        test_returns = tester.replay(champion, test_episodes, seed=seed + TEST_SEED_OFFSET)
    return {
        "champion": champion,
        "validated": fitness.done,
        "validation_return": None if fitness.champion is None else fitness.validation_return,
        "generations": population.generation + 1,
        "env_steps": trainer.env_steps + fitness.validation_steps,
        "seconds": seconds,
        "test_returns": test_returns,
    }


def parse_args(task: Task, argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=task.description)
    parser.add_argument("--config", default=HERE / f"{task.name}.toml", type=pathlib.Path)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=pathlib.Path("runs") / task.name, type=pathlib.Path,
                        help="folder for the champion, its topology, statistics and plots (default: runs/NAME)")
    parser.add_argument("--generations", type=int, default=None, help="at most this many generations (default: the config's max_generations)")
    parser.add_argument("--episodes", type=int, default=task.episodes, help="training episodes per genome and generation")
    parser.add_argument("--test-episodes", type=int, default=100, help="fresh episodes the champion is tested on")
    parser.add_argument("--population", type=int, default=None, help="population size (default: the config's)")
    parser.add_argument("--serial", action="store_true", help="step plain envs even where a vector env exists")
    if task.parallel:
        parser.add_argument("--workers", type=int, default=0, help="play the training episodes in N worker processes")
    return parser.parse_args(argv)


def missing_extra_of(task: Task) -> str | None:
    """What to install when the task's env needs a package that is missing (Box2D, MuJoCo); None if it is made."""
    import gymnasium

    try:
        gymnasium.make(task.env_id).close()
    except Exception as exc:
        hint = missing_extra(exc, task.env_id)
        if hint is None:
            raise
        return hint
    return None


def run_task(task: Task, argv: list[str] | None = None) -> int:
    """The whole example: parse the command line, evolve, save and test the champion; exit status 0 if solved.

    Exit status 2, with one line saying what to install, when the env needs an extra that is missing.
    """
    args = parse_args(task, argv)
    missing = missing_extra_of(task)
    if missing is not None:
        print(f"{task.name}.py: {missing}", file=sys.stderr)
        return 2
    config = neat.Config.from_toml_file(args.config)
    if args.population is not None:
        config = config.replace(run={"population_size": args.population})
    statistics = neat.StatisticsReporter()
    workers = getattr(args, "workers", 0)
    pool = concurrent.futures.ProcessPoolExecutor(workers) if workers > 0 else None
    try:
        run = evolve(
            task,
            config,
            seed=args.seed,
            episodes=args.episodes,
            generations=args.generations,
            test_episodes=args.test_episodes,
            reporters=[neat.StdOutReporter(), statistics],
            executor=pool,
            vectorized=False if args.serial else None,
        )
    finally:
        if pool is not None:
            pool.shutdown()
    champion, test = run["champion"], run["test_returns"]
    hidden, enabled = champion.size()
    if run["validated"]:
        found = "validated champion"
    elif run["validation_return"] is not None:
        found = "best validated genome (validation target not reached)"
    else:
        found = "no validated genome; best genome by training fitness"
    print(
        f"\n{found} after {run['generations']} generations, {run['env_steps']} env steps, {run['seconds']:.1f}s"
    )
    if run["validation_return"] is not None:
        print(
            f"validation: mean return {run['validation_return']:.1f} over {task.validation_episodes} fresh episodes "
            f"(target {task.validation_target:g})"
        )
    print(f"champion: {hidden} hidden nodes, {enabled} enabled connections")
    for line in save_run(args.out, champion, statistics, node_names=task.node_names):
        print(line)
    solved = bool(test.mean() >= task.solved)
    print(
        f"test on {len(test)} fresh episodes: mean return {test.mean():.1f} (min {test.min():.1f}, "
        f"max {test.max():.1f}): {'solved' if solved else 'not solved'} (>= {task.solved:g})"
    )
    if task.summary is not None:
        print(task.summary(test))
    return 0 if solved else 1
