"""Evaluation: turn a per-genome fitness function into ``evaluate(genomes) -> fitness``.

``Evaluator(fitness)`` evaluates in this process; ``Evaluator(fitness,
executor=...)`` spreads the genomes over any ``concurrent.futures.Executor``:
a ``ProcessPoolExecutor`` on one machine, or a Dask cluster through
``dask.distributed.Client(...).get_executor()``.  Genomes travel in chunks
(a few per worker, not one task per genome) as plain arrays; results come
back in genome order, so the fitness values, and the whole run, are the
same whatever the number of workers.

What the fitness function returns is checked by
``neat.evolution.fitness.fitness_value``, the rule ``Population.tell`` applies
too.  A fitness function that raises or returns something else than a real
number, a worker that dies, or a chunk that runs past ``timeout`` gives an
``EvaluationError`` naming the genome (or the chunk of genomes) and the
cause; checkpoints written before it are intact, so the run can resume.
"""

from __future__ import annotations

import math
import signal
import time
import traceback
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, BrokenExecutor, Executor, Future, wait
from typing import Any

import numpy as np

from ..errors import ConfigError, EvaluationError
from ..evolution.fitness import fitness_value, takes_generation
from ..genome import Genome

__all__ = ["Evaluator", "FitnessFunction", "run_chunks"]

FitnessFunction = Callable[..., float]
"""``fitness(genome) -> float`` (optionally ``fitness(genome, generation=g)``)."""

Failure = tuple[int, "str | None", str, str]
"""``(genome index, exception type or None for a bad value, message, traceback)``."""


def _evaluate_chunk(
    fitness: FitnessFunction, genomes: Sequence[Genome], first_index: int, generation: int | None
) -> tuple[list[float], Failure | None]:
    """Evaluate one chunk (in a worker); never raises for a failing fitness.

    Returns the fitness values computed and, on the first failure, ``(genome
    index, exception type, message, traceback)`` (the type is None when the
    fitness returned something that is not a fitness), so the error can be
    reported with the genome's index in the whole population.
    """
    values: list[float] = []
    for offset, genome in enumerate(genomes):
        index = first_index + offset
        try:
            value = fitness(genome) if generation is None else fitness(genome, generation=generation)
        except Exception as exc:  # reported to the caller, who raises EvaluationError
            return values, (index, type(exc).__name__, str(exc), traceback.format_exc())
        try:
            values.append(fitness_value(value, index))
        except EvaluationError as exc:
            return values, (index, None, str(exc), "")
    return values, None


def _span(start: int, stop: int) -> str:
    return f"genome {start}" if stop - start == 1 else f"genomes {start}..{stop - 1}"


def _exit_code(executor: Executor) -> str:
    """`` (exit code N)`` of the worker process that died, when a process pool lets it be known."""
    processes = getattr(executor, "_processes", None)  # ProcessPoolExecutor's pid -> Process
    if not isinstance(processes, dict):
        return ""
    try:
        # A broken pool terminates its other workers and joins them all: wait (briefly) for every exit code.
        deadline = time.monotonic() + 2.0
        while True:
            codes = {p.exitcode for p in list(processes.values())}
            if None not in codes or time.monotonic() > deadline:
                break
            time.sleep(0.01)
    except Exception:  # best effort: the pool is being torn down
        return ""
    codes -= {None, -signal.SIGTERM}  # still running, or terminated by the pool after the death
    if len(codes) != 1:
        return ""
    (code,) = codes
    if code < 0:
        try:
            return f" (killed by signal {signal.Signals(-code).name})"
        except ValueError:
            return f" (killed by signal {-code})"
    return f" (exit code {code})"


def run_chunks(
    executor: Executor,
    function: Callable[..., Any],
    chunks: Sequence[tuple[int, int, tuple[Any, ...]]],
    *,
    workers: int,
    timeout: float | None = None,
    what: str = "evaluating",
) -> list[Any]:
    """``function(*args)`` for every chunk ``(start, stop, args)`` on ``executor``; the results in chunk order.

    ``start..stop-1`` are the genomes of the chunk (named in errors).  Without
    ``timeout`` every chunk is submitted at once.  With it, at most ``workers``
    chunks are handed to the executor at a time, so a chunk's clock starts
    when a worker can take it, and a chunk that has not returned ``timeout``
    seconds after it was handed over is an ``EvaluationError`` naming it.

    Raises
    ------
    EvaluationError
        A chunk could not be submitted, raised in the executor, ran past the
        timeout, or a worker process died.  The chunks not yet started are
        cancelled.
    """
    results: list[Any] = [None] * len(chunks)
    pending: dict[Future[Any], int] = {}
    handed: dict[Future[Any], float] = {}
    at_once = len(chunks) if timeout is None else max(1, workers)
    queued = iter(range(len(chunks)))

    def stop_all() -> None:
        for future in pending:
            future.cancel()

    def submit() -> None:
        while len(pending) < at_once:
            k = next(queued, None)
            if k is None:
                return
            try:
                future = executor.submit(function, *chunks[k][2])
            except Exception as exc:
                stop_all()
                hint = (
                    " (a worker died earlier and broke the pool: make a new executor)"
                    if isinstance(exc, BrokenExecutor)
                    else ""
                )
                raise EvaluationError(
                    f"could not submit genomes to the executor{hint}: {type(exc).__name__}: {exc}"
                ) from exc
            pending[future] = k
            handed[future] = time.monotonic()

    submit()
    while pending:
        wait_s = None if timeout is None else max(0.0, min(handed.values()) + timeout - time.monotonic())
        done, _ = wait(pending, timeout=wait_s, return_when=FIRST_COMPLETED)
        if not done:  # the oldest chunk ran out of time
            late = min(handed, key=handed.__getitem__)
            start, stop, _ = chunks[pending[late]]
            stop_all()
            raise EvaluationError(
                f"{what} {_span(start, stop)} (chunk {pending[late] + 1} of {len(chunks)}) took longer than "
                f"the timeout of {timeout:g} s; the chunk keeps running in its worker until it returns (shut the "
                "executor down, or terminate its processes); the run can resume from its last checkpoint"
            )
        for future in sorted(done, key=pending.__getitem__):
            k = pending.pop(future)
            del handed[future]
            try:
                results[k] = future.result()
            except BrokenExecutor as exc:
                _raise_broken(executor, chunks, k, pending, exc, what)
            except Exception as exc:
                stop_all()
                start, stop, _ = chunks[k]
                raise EvaluationError(
                    f"a worker failed while {what} {_span(start, stop)}: {type(exc).__name__}: {exc}"
                ) from exc
        submit()
    return results


def _raise_broken(
    executor: Executor,
    chunks: Sequence[tuple[int, int, tuple[Any, ...]]],
    first: int,
    pending: dict[Future[Any], int],
    exc: BaseException,
    what: str,
) -> None:
    """A worker process died: name its chunk when it is the only one unfinished, else say it cannot be told.

    A dead worker breaks a process pool, and every chunk not finished then
    fails with the same error: the chunk the dead worker was running is one of
    them, but nothing says which.
    """
    wait(pending)  # a broken pool fails all its futures at once
    failed = [first] + sorted(k for f, k in pending.items() if f.exception() is not None)
    died = f"a worker process died{_exit_code(executor)}"
    after = (
        "; the executor cannot be used any more: make a new one, and resume the run from its last "
        f"checkpoint ({type(exc).__name__}: {exc})"
    )
    if len(failed) == 1:
        start, stop, _ = chunks[first]
        raise EvaluationError(
            f"{died} while {what} {_span(start, stop)}, the only chunk that did not finish, so one of these "
            f"genomes killed it{after}"
        ) from exc
    spans = ", ".join(_span(*chunks[k][:2]) for k in failed)
    raise EvaluationError(
        f"{died}; which of the {len(failed)} unfinished chunks ({spans}) it was {what} cannot be told{after}"
    ) from exc


class Evaluator:
    """``evaluate(genomes) -> (P,) fitness`` from a per-genome fitness function.

    Parameters
    ----------
    fitness
        ``fitness(genome) -> float``: a real number (Python or NumPy int or
        float; NaN and infinities are left to ``[run] invalid_fitness``).
        With an executor it must be picklable: a module-level function or an
        instance of a module-level class.  If it takes a ``generation``
        keyword, it receives the generation.
    executor
        Any ``concurrent.futures.Executor``; ``None`` evaluates here, in order.
    chunks_per_worker
        How many chunks each worker gets per generation (more balances
        uneven genomes better, fewer ships less).
    workers
        Number of workers, used to size the chunks; read from the executor
        (``_max_workers``) when it has it, else 1.
    timeout
        Seconds a chunk may take, counted from when it is handed to the
        executor; ``None``: no limit.  With a timeout at most ``workers``
        chunks are handed over at a time (so set ``workers`` to the number of
        task slots).  A chunk that runs longer is an ``EvaluationError``
        naming its genomes; it keeps running in its worker.  Needs an
        executor: a fitness running in this process cannot be interrupted.

    Raises
    ------
    EvaluationError
        When called: a fitness raised or returned something else than a real
        number (naming the genome), a worker died, or a chunk ran past
        ``timeout`` (naming the chunk).

    Examples
    --------
    >>> from concurrent.futures import ProcessPoolExecutor
    >>> with ProcessPoolExecutor(2) as pool:                        # doctest: +SKIP
    ...     population.run(Evaluator(my_fitness, executor=pool, timeout=60), 100)
    """

    def __init__(
        self,
        fitness: FitnessFunction,
        *,
        executor: Executor | None = None,
        chunks_per_worker: int = 2,
        workers: int | None = None,
        timeout: float | None = None,
    ) -> None:
        if not callable(fitness):
            raise TypeError(f"fitness must be callable, got {type(fitness).__name__}")
        if chunks_per_worker < 1:
            raise ConfigError(f"chunks_per_worker must be >= 1, got {chunks_per_worker}")
        if timeout is not None:
            if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0:
                raise ConfigError(f"timeout must be a number of seconds > 0 (or None for no limit), got {timeout!r}")
            if executor is None:
                raise ConfigError(
                    "timeout needs an executor: a fitness function running in this process cannot be "
                    "interrupted; pass executor=ProcessPoolExecutor(...) too, or leave timeout=None"
                )
        self.fitness = fitness
        self.executor = executor
        self.chunks_per_worker = chunks_per_worker
        self.workers = workers if workers is not None else getattr(executor, "_max_workers", None) or 1
        self.timeout = None if timeout is None else float(timeout)
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
        chunks = [
            (s, min(s + size, len(genomes)), (self.fitness, genomes[s : s + size], s, gen))
            for s in range(0, len(genomes), size)
        ]
        results = run_chunks(self.executor, _evaluate_chunk, chunks, workers=self.workers, timeout=self.timeout)
        out = np.empty(len(genomes), dtype=np.float64)
        for (start, _, _), (values, failure) in zip(chunks, results):
            if failure:
                self._raise(failure)
            out[start : start + len(values)] = values
        return out

    def _serial(self, genomes: list[Genome], generation: int | None) -> np.ndarray:
        out = np.empty(len(genomes), dtype=np.float64)
        for i, genome in enumerate(genomes):
            try:
                value = self.fitness(genome) if generation is None else self.fitness(genome, generation=generation)
            except Exception as exc:
                raise EvaluationError(f"fitness of genome {i} raised {type(exc).__name__}: {exc}") from exc
            out[i] = fitness_value(value, i)
        return out

    @staticmethod
    def _raise(failure: Failure) -> None:
        index, kind, message, trace = failure
        if kind is None:  # a value that is not a fitness, with fitness_value's message
            raise EvaluationError(message)
        raise EvaluationError(f"fitness of genome {index} raised {kind}: {message}\n--- worker traceback ---\n{trace}")
