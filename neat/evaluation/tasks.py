"""Tasks a config file describes (its ``[task]`` section), for ``python -m neat run``.

Two kinds:

* ``dataset``: a table of inputs and targets, built in (``xor``, ``and``,
  ``or``, ``nand``, ``parity3``) or read from a CSV file.  Fitness is rows x
  outputs minus the sum of squared errors (neat-python's XOR fitness,
  ``4 - SSE``, for any table); feed-forward genomes are evaluated as one
  population forward, recurrent ones step through the rows in order.
* ``gym``: a gymnasium env, through ``neat.GymEvaluator``.

``task_evaluator(config)`` returns the evaluator; the library itself never
needs a ``[task]``: from Python you pass any evaluator to ``Population.run``.
"""

from __future__ import annotations

import csv
import itertools
from collections.abc import Sequence
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np

from ..config import Config
from ..errors import ConfigError
from ..genome import Genome
from ..nn import compile, compile_population

__all__ = ["BUILTIN_DATASETS", "DatasetEvaluator", "load_dataset", "task_evaluator"]


def _truth_table(n_inputs: int, rule: Any) -> tuple[np.ndarray, np.ndarray]:
    rows = np.array(list(itertools.product((0.0, 1.0), repeat=n_inputs)))
    return rows, np.array([[float(rule(row))] for row in rows])


BUILTIN_DATASETS: dict[str, tuple[np.ndarray, np.ndarray]] = {
    "xor": _truth_table(2, lambda r: r.sum() == 1),
    "and": _truth_table(2, lambda r: r.all()),
    "or": _truth_table(2, lambda r: r.any()),
    "nand": _truth_table(2, lambda r: not r.all()),
    "parity3": _truth_table(3, lambda r: r.sum() % 2 == 1),
}
"""Built-in tables: name -> (inputs ``(rows, n_inputs)``, targets ``(rows, 1)``).

Their names are ``neat.config.sections.BUILTIN_DATASET_NAMES``, which the config
checks ``[task] dataset`` against (a test keeps the two equal)."""


def load_dataset(
    spec: str, num_inputs: int, num_outputs: int, base_dir: str | PathLike[str] = "."
) -> tuple[np.ndarray, np.ndarray]:
    """The table ``spec`` names: a built-in name or a CSV path (relative to ``base_dir``).

    A CSV row is ``num_inputs`` inputs then ``num_outputs`` targets; a first
    row that is not all numbers is taken as column names.

    Returns
    -------
    inputs : (rows, num_inputs) float64
    targets : (rows, num_outputs) float64
    """
    if spec in BUILTIN_DATASETS:
        inputs, targets = BUILTIN_DATASETS[spec]
    else:
        inputs, targets = _read_csv(Path(base_dir) / spec, num_inputs, num_outputs)
    if inputs.shape[1] != num_inputs or targets.shape[1] != num_outputs:
        raise ConfigError(
            f"[task] dataset = {spec!r} has {inputs.shape[1]} inputs and {targets.shape[1]} outputs, but [genome] "
            f"has num_inputs = {num_inputs} and num_outputs = {num_outputs}"
        )
    return inputs.copy(), targets.copy()


def _read_csv(path: Path, num_inputs: int, num_outputs: int) -> tuple[np.ndarray, np.ndarray]:
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            rows = [row for row in csv.reader(handle) if row and any(cell.strip() for cell in row)]
    except OSError as exc:
        raise ConfigError(
            f"[task] dataset: cannot read {str(path)!r} ({exc.strerror or exc}); expected a built-in table "
            f"({', '.join(BUILTIN_DATASETS)}) or a CSV file"
        ) from None
    values = []
    for number, row in enumerate(rows, start=1):
        try:
            values.append([float(cell) for cell in row])
        except ValueError:
            if number == 1:
                continue  # column names
            raise ConfigError(f"{path}: row {number} is not all numbers: {row!r}") from None
        if len(row) != num_inputs + num_outputs:
            raise ConfigError(
                f"{path}: row {number} has {len(row)} columns; expected num_inputs + num_outputs = "
                f"{num_inputs + num_outputs}"
            )
    if not values:
        raise ConfigError(f"{path}: no rows of numbers")
    table = np.array(values)
    if not np.all(np.isfinite(table)):
        raise ConfigError(f"{path}: the table holds NaN or infinite values")
    return table[:, :num_inputs], table[:, num_inputs:]


class DatasetEvaluator:
    """Fitness on a table: ``rows * outputs - sum of squared errors`` (higher is better).

    Parameters
    ----------
    inputs : (rows, n_inputs)
    targets : (rows, n_outputs)
    """

    def __init__(self, inputs: Any, targets: Any) -> None:
        self.inputs = np.asarray(inputs, dtype=np.float64)
        self.targets = np.asarray(targets, dtype=np.float64)
        if self.inputs.ndim != 2 or self.targets.ndim != 2 or len(self.inputs) != len(self.targets):
            raise ConfigError(
                f"inputs and targets must be (rows, n) tables with the same rows, got shapes "
                f"{self.inputs.shape} and {self.targets.shape}"
            )

    @property
    def perfect(self) -> float:
        """The fitness of a genome with no error: rows x outputs."""
        return float(self.targets.size)

    def outputs(self, genomes: Sequence[Genome]) -> np.ndarray:
        """Every genome's outputs on the table.

        Returns
        -------
        (P, rows, n_outputs)
        """
        if genomes and not genomes[0].config.feed_forward:
            return np.stack([self._recurrent_outputs(g) for g in genomes])
        return compile_population(genomes).forward(self.inputs)

    def _recurrent_outputs(self, genome: Genome) -> np.ndarray:
        net = compile(genome)
        net.reset()
        return np.concatenate([net.step(row[None, :]) for row in self.inputs])

    def __call__(self, genomes: Sequence[Genome]) -> np.ndarray:
        """Fitness of each genome.

        Returns
        -------
        (P,) float64
        """
        errors = self.outputs(genomes) - self.targets
        return self.perfect - np.einsum("pij,pij->p", errors, errors)

    def __enter__(self) -> DatasetEvaluator:
        return self

    def __exit__(self, *exc: Any) -> None:
        return None


def task_evaluator(
    config: Config, *, base_dir: str | PathLike[str] = ".", seed: int = 0, workers: int | None = None
) -> Any:
    """The evaluator of ``config.task`` (a context manager: use it in a ``with``).

    Parameters
    ----------
    base_dir
        Where a CSV dataset path is relative to (the config file's folder).
    seed
        The gym task's episode seed.
    workers
        The gym task's number of worker processes (None: in this process).
    """
    task = config.task
    if task.kind == "dataset":
        assert task.dataset is not None  # checked by TaskConfig
        inputs, targets = load_dataset(task.dataset, config.genome.num_inputs, config.genome.num_outputs, base_dir)
        return DatasetEvaluator(inputs, targets)
    if task.kind == "gym":
        from .gym import GymEvaluator

        return GymEvaluator(task.env_id, episodes=task.episodes, max_steps=task.max_steps, seed=seed,
                            reducer=task.reducer, workers=workers, exact=task.exact)
    raise ConfigError(
        "the config has no task: add a [task] section with kind = \"dataset\" (and dataset = ...) or "
        "kind = \"gym\" (and env_id = ...) to run it from the command line"
    )
