"""Evaluation: turn a per-genome fitness function into ``evaluate(genomes) -> fitness``.

``Evaluator(fitness)`` evaluates in this process; ``Evaluator(fitness,
executor=...)`` spreads the genomes over any ``concurrent.futures.Executor``:
a ``ProcessPoolExecutor`` on one machine, or a Dask cluster through
``dask.distributed.Client(...).get_executor()``.  Genomes travel in chunks
(a few per worker, not one task per genome) as plain arrays; results come
back in genome order, so the fitness values, and the whole run, are the
same whatever the number of workers.

A fitness function that raises, or a worker that dies, gives an
``EvaluationError`` naming the genome (or the chunk of genomes) and the
cause; checkpoints written before it are intact, so the run can resume.
"""

from __future__ import annotations

import math
import traceback
from collections.abc import Callable, Sequence
from concurrent.futures import Executor

import numpy as np

from ..errors import EvaluationError
from ..evolution.fitness import takes_generation
from ..genome import Genome

__all__ = ["Evaluator", "FitnessFunction"]

FitnessFunction = Callable[..., float]
"""``fitness(genome) -> float`` (optionally ``fitness(genome, generation=g)``)."""


def _evaluate_chunk(
    fitness: FitnessFunction, genomes: Sequence[Genome], first_index: int, generation: int | None
) -> tuple[list[float], tuple[int, str, str, str] | None]:
    """Evaluate one chunk (in a worker); never raises for a failing fitness.

    Returns the fitness values computed and, on the first failure, ``(genome
    index, exception type, message, traceback)``, so the error can be
    reported with the genome's index in the whole population.
    """
    values: list[float] = []
    for offset, genome in enumerate(genomes):
        try:
            value = fitness(genome) if generation is None else fitness(genome, generation=generation)
            values.append(float(value))
        except Exception as exc:  # reported to the caller, who raises EvaluationError
            return values, (first_index + offset, type(exc).__name__, str(exc), traceback.format_exc())
    return values, None


class Evaluator:
    """``evaluate(genomes) -> (P,) fitness`` from a per-genome fitness function.

    Parameters
    ----------
    fitness
        ``fitness(genome) -> float``.  With an executor it must be picklable:
        a module-level function or an instance of a module-level class.  If
        it takes a ``generation`` keyword, it receives the generation.
    executor
        Any ``concurrent.futures.Executor``; ``None`` evaluates here, in order.
    chunks_per_worker
        How many chunks each worker gets per generation (more balances
        uneven genomes better, fewer ships less).
    workers
        Number of workers, used to size the chunks; read from the executor
        (``_max_workers``) when it has it, else 1.

    Examples
    --------
    >>> from concurrent.futures import ProcessPoolExecutor
    >>> with ProcessPoolExecutor(2) as pool:                        # doctest: +SKIP
    ...     population.run(Evaluator(my_fitness, executor=pool), 100)
    """

    def __init__(
        self,
        fitness: FitnessFunction,
        *,
        executor: Executor | None = None,
        chunks_per_worker: int = 2,
        workers: int | None = None,
    ) -> None:
        if not callable(fitness):
            raise TypeError(f"fitness must be callable, got {type(fitness).__name__}")
        if chunks_per_worker < 1:
            raise ValueError(f"chunks_per_worker must be >= 1, got {chunks_per_worker}")
        self.fitness = fitness
        self.executor = executor
        self.chunks_per_worker = chunks_per_worker
        self.workers = workers if workers is not None else getattr(executor, "_max_workers", None) or 1
        self._pass_generation = takes_generation(fitness)

    def __call__(self, genomes: Sequence[Genome], *, generation: int | None = None) -> np.ndarray:
        """Fitness of every genome, in order.

        Returns
        -------
        (P,) float64
        """
        genomes = list(genomes)
        gen = (generation if generation is not None else 0) if self._pass_generation else None
        if self.executor is None:
            return self._serial(genomes, gen)
        size = max(1, math.ceil(len(genomes) / (self.workers * self.chunks_per_worker)))
        starts = list(range(0, len(genomes), size))
        try:
            futures = [
                self.executor.submit(_evaluate_chunk, self.fitness, genomes[s : s + size], s, gen) for s in starts
            ]
        except Exception as exc:
            raise EvaluationError(f"could not submit genomes to the executor: {type(exc).__name__}: {exc}") from exc
        out = np.empty(len(genomes), dtype=np.float64)
        for start, future in zip(starts, futures):
            try:
                values, failure = future.result()
            except Exception as exc:
                stop = min(start + size, len(genomes)) - 1
                raise EvaluationError(
                    f"a worker failed while evaluating genomes {start}..{stop}: {type(exc).__name__}: {exc}"
                ) from exc
            if failure:
                self._raise(failure)
            out[start : start + len(values)] = values
        return out

    def _serial(self, genomes: list[Genome], generation: int | None) -> np.ndarray:
        out = np.empty(len(genomes), dtype=np.float64)
        for i, genome in enumerate(genomes):
            try:
                value = self.fitness(genome) if generation is None else self.fitness(genome, generation=generation)
                out[i] = float(value)
            except Exception as exc:
                raise EvaluationError(f"fitness of genome {i} raised {type(exc).__name__}: {exc}") from exc
        return out

    @staticmethod
    def _raise(failure: tuple[int, str, str, str]) -> None:
        index, kind, message, trace = failure
        raise EvaluationError(f"fitness of genome {index} raised {kind}: {message}\n--- worker traceback ---\n{trace}")
