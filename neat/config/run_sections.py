"""The config sections of a run and of its task (``[run]``, ``[task]``).

Split from ``neat.config.sections`` (which re-exports them) to keep modules short.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from .options import Section, option

__all__ = ["RunConfig", "TaskConfig", "BUILTIN_DATASET_NAMES"]

BUILTIN_DATASET_NAMES: tuple[str, ...] = ("xor", "and", "or", "nand", "parity3")
"""The names of the built-in tables of ``[task] dataset`` (the tables are ``neat.evaluation.tasks``')."""


@dataclass(frozen=True)
class RunConfig(Section):
    """The run as a whole: population size, objective, termination, seed."""

    SECTION: ClassVar[str] = "run"

    population_size: int = option(150, "Number of genomes per generation.", range="[2, inf)")
    objective: str = option("max", "'max' to maximise fitness, 'min' to minimise it.", choices=("max", "min"))
    fitness_threshold: float | None = option(
        None,
        "Stop once the fitness threshold_criterion names reaches this (>= for 'max', <= for 'min'); "
        "omitted: no threshold.",
        range="(-inf, inf)",
    )
    threshold_criterion: str = option(
        "best",
        "What is compared with fitness_threshold: 'best' (the best fitness so far), or the 'worst' or "
        "'mean' fitness of the generation just evaluated.",
        choices=("best", "worst", "mean"),
    )
    max_generations: int | None = option(None, "Stop after this many generations; omitted: no limit.", range="[1, inf)")
    seed: int | None = option(None, "Seed of the run's random generator; omitted: fresh entropy.", range="[0, inf)")
    on_extinction: str = option(
        "restart",
        "When every species dies: 'restart' from fresh genomes or 'stop' with an ExtinctionError.",
        choices=("restart", "stop"),
    )
    invalid_fitness: str = option(
        "error",
        "A NaN or infinite fitness: 'error' raises EvaluationError naming the genomes; "
        "'worst' gives them the worst fitness of the generation and warns.",
        choices=("error", "worst"),
    )

    @property
    def minimize(self) -> bool:
        """True when lower fitness is better."""
        return self.objective == "min"


@dataclass(frozen=True)
class TaskConfig(Section):
    """What ``python -m neat run`` evolves the genomes for (the library itself never reads this section).

    A ``dataset`` task scores a genome as rows x outputs minus the sum of
    squared errors of its outputs over the table (neat-python's XOR fitness,
    ``4 - SSE``, generalised: perfect = rows x outputs); a ``gym`` task by the
    reduced return of ``episodes`` episodes of ``env_id`` (``neat.GymEvaluator``).
    """

    SECTION: ClassVar[str] = "task"

    kind: str = option(
        "none", "'dataset', 'gym', or 'none' (no task: the config is used from Python).",
        choices=("none", "dataset", "gym"),
    )
    dataset: str | None = option(
        None,
        f"With kind = 'dataset': a built-in table ({', '.join(map(repr, BUILTIN_DATASET_NAMES))}) or the path of "
        "an existing CSV file (relative to the config file's folder) whose rows are num_inputs inputs then "
        "num_outputs targets; a first row of column names is skipped. Checked when the config file is read.",
    )
    env_id: str | None = option(
        None,
        "With kind = 'gym': a gymnasium env id, e.g. 'CartPole-v1', or 'module:EnvId' (the module registers it). "
        "Checked against gymnasium's registry when the config file is read (if gymnasium is installed).",
    )
    episodes: int = option(5, "With kind = 'gym': episodes per genome and generation.", range="[1, inf)")
    max_steps: int | None = option(
        None, "With kind = 'gym': cut episodes after this many steps; omitted: the env's limit.", range="[1, inf)"
    )
    reducer: str = option(
        "mean", "With kind = 'gym': how a genome's episode returns become its fitness.",
        choices=("mean", "median", "min", "max"),
    )
    test_episodes: int = option(
        100, "With kind = 'gym': fresh episodes the champion is tested on after the run.", range="[0, inf)"
    )
    exact: bool = option(
        False,
        "With kind = 'gym': networks in exact mode (docs/reproducibility.md): a genome plays the same bits in "
        "training, in the test episodes and in 'python -m neat replay --exact', at some cost in speed.",
    )

    def _check(self) -> None:
        if self.kind == "dataset" and not self.dataset:
            self._fail("dataset", self.dataset, "a built-in table name or a CSV path when kind = 'dataset'")
        if self.kind == "gym" and not self.env_id:
            self._fail("env_id", self.env_id, "a gymnasium env id when kind = 'gym'")
