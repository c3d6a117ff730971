"""Observing a run: the reporter protocol, a stdout reporter, a statistics reporter.

A reporter is any object with some of the methods of ``Reporter``; the
population calls each hook on every reporter that has it.  Hooks only
observe: they receive values and must not change the population.
"""

from __future__ import annotations

import csv
import io
import sys
import time
from dataclasses import dataclass, field
from os import PathLike
from typing import TYPE_CHECKING, Any, TextIO

import numpy as np

from ..errors import RenderError, StatisticsError
from ..files import atomic_write_text

if TYPE_CHECKING:  # pragma: no cover
    from ..genome import Genome
    from .population import Population
    from .species import Species

__all__ = ["Reporter", "StdOutReporter", "ProgressReporter", "StatisticsReporter", "GenerationStats", "extra_statistics"]

_COLUMNS = ("generation", "best", "mean", "stdev", "evaluations", "num_species", "species_sizes", "best_key")
_EXTRA = {"phase": str, "complexity": float, "archive_size": int, "novelty_threshold": float, "front_size": int}
"""The statistics past the fitness, with their types: the CSV's columns after ``_COLUMNS``, in this order."""


def extra_statistics(population: Population) -> dict[str, float | int | str]:
    """The statistics of the generation evaluated last besides fitness, present ones only.

    ``phase`` and ``complexity`` (the mean complexity) with complexity regulation, and whatever the evaluator
    said (``population.evaluation_statistics``: ``archive_size`` and ``novelty_threshold`` of
    ``NoveltySearch``, ``front_size`` of ``MultiObjective``, or an evaluator's own).
    """
    extra: dict[str, float | int | str] = {}
    phase = getattr(population, "phase", None)
    if phase is not None:
        extra["phase"] = phase
        extra["complexity"] = population.regulation.complexity
    extra.update(getattr(population, "evaluation_statistics", None) or {})
    return extra


def _extra_text(extra: dict[str, float | int | str]) -> str:
    """The short stdout form of ``extra_statistics``: ``  simplify 12.3c  archive 120 thr 1.3  front 12``."""
    parts = []
    if "phase" in extra:
        complexity = extra.get("complexity")
        parts.append(f"{extra['phase']}" + ("" if complexity is None else f" {complexity:.4g}c"))
    if "archive_size" in extra:
        threshold = extra.get("novelty_threshold")
        parts.append(f"archive {extra['archive_size']}" + ("" if threshold is None else f" thr {threshold:.3g}"))
    if "front_size" in extra:
        parts.append(f"front {extra['front_size']}")
    return "".join(f"  {p}" for p in parts)


def generation_best(population: Population, fitness: np.ndarray) -> float:
    """The best of a generation's ``fitness`` (the lowest when the population minimises)."""
    return float(np.min(fitness) if population.minimize else np.max(fitness))


def generation_best_key(population: Population, fitness: np.ndarray) -> int | None:
    """The key of the generation's best genome (the first of equals), or None if it has none."""
    f = np.asarray(fitness)
    key = int(population.pool.keys[int(np.argmin(f) if population.minimize else np.argmax(f))])
    return None if key < 0 else key


class Reporter:
    """Base class with every hook as a no-op; subclass and override what you need.

    Hooks, in the order a generation calls them:

    ``start_generation(population)``
        before ``ask()`` hands out the generation's genomes;
    ``post_evaluate(population, fitness)``
        after the fitness values are told (``fitness: (P,)`` as given);
    ``solution_found(population, genome, fitness)``
        when the fitness threshold is reached;
    ``species_changed(population, species)``
        after speciation, with the generation's species;
    ``species_stagnant(population, species)``
        for each species removed for stagnation;
    ``extinction(population)``
        when every species died;
    ``end_generation(population)``
        after the next generation has been made (a consistent point to checkpoint);
    ``end_run(population)``
        when ``run`` returns.
    """

    def start_generation(self, population: Population) -> None: ...

    def post_evaluate(self, population: Population, fitness: np.ndarray) -> None: ...

    def solution_found(self, population: Population, genome: Genome, fitness: float) -> None: ...

    def species_changed(self, population: Population, species: tuple[Species, ...]) -> None: ...

    def species_stagnant(self, population: Population, species: Species) -> None: ...

    def extinction(self, population: Population) -> None: ...

    def end_generation(self, population: Population) -> None: ...

    def end_run(self, population: Population) -> None: ...


class StdOutReporter(Reporter):
    """One line per generation: generation, best, mean, species, evaluations, seconds."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream
        self._start = 0.0
        self._fitness: np.ndarray | None = None
        self._extra = ""

    def _print(self, text: str) -> None:
        print(text, file=self.stream or sys.stdout, flush=True)

    def start_generation(self, population: Population) -> None:
        self._start = time.perf_counter()

    def post_evaluate(self, population: Population, fitness: np.ndarray) -> None:
        self._fitness = fitness
        self._extra = _extra_text(extra_statistics(population))

    def species_changed(self, population: Population, species: tuple[Species, ...]) -> None:
        self._print_line(population, f"{len(species):3d}")

    def end_run(self, population: Population) -> None:
        # The last generation of a run is evaluated but not speciated.
        self._print_line(population, "  -")

    def _print_line(self, population: Population, species: str) -> None:
        f = self._fitness
        if f is None:
            return
        self._fitness = None
        best = generation_best(population, f)
        key = generation_best_key(population, f)
        self._print(
            f"gen {population.generation:4d}  best {best:11.5g} (genome {'-' if key is None else key:>6})  "
            f"mean {np.mean(f):11.5g}  best-ever {population.best_fitness:11.5g}  species {species}  "
            f"evals {population.evaluations:8d}  {time.perf_counter() - self._start:7.3f}s{self._extra}"
        )

    def solution_found(self, population: Population, genome: Genome, fitness: float) -> None:
        hidden, enabled = genome.size()
        name = "" if genome.key is None else f" by genome {genome.key}"
        self._print(
            f"solved in generation {population.generation}{name}: fitness {fitness:.6g}, "
            f"{hidden} hidden nodes, {enabled} enabled connections"
        )

    def species_stagnant(self, population: Population, species: Species) -> None:
        self._print(f"species {species.key} removed: no improvement for {species.stagnation(population.generation)} generations")

    def extinction(self, population: Population) -> None:
        self._print(f"all species extinct in generation {population.generation}")


class ProgressReporter(Reporter):
    """A progress bar over generations (tqdm), showing best and mean fitness and the species count.

    Off when the stream is not a terminal (a log file, a pipe, CI), so logs
    stay one line per generation with ``StdOutReporter``.

    Parameters
    ----------
    total
        The number of generations the run will evaluate, if known (gives an ETA).
    stream
        Where the bar is drawn; default ``sys.stderr``.
    enabled
        Force the bar on or off; default: on when ``stream`` is a terminal.
    """

    def __init__(self, total: int | None = None, *, stream: TextIO | None = None, enabled: bool | None = None) -> None:
        self.total = total
        self.stream = stream
        if enabled is None:
            isatty = getattr(stream or sys.stderr, "isatty", None)
            enabled = bool(isatty and isatty())
        self.enabled = enabled
        self._bar: Any = None
        if enabled:
            try:
                import tqdm  # noqa: F401
            except ImportError:
                raise RenderError(
                    'the progress bar needs tqdm: pip install "neatlab[progress]" (or pip install tqdm)'
                ) from None

    def post_evaluate(self, population: Population, fitness: np.ndarray) -> None:
        if not self.enabled:
            return
        if self._bar is None:
            from tqdm import tqdm

            self._bar = tqdm(total=self.total, file=self.stream or sys.stderr, unit="gen", dynamic_ncols=True)
        f = np.asarray(fitness, dtype=np.float64)
        best = generation_best(population, f)
        self._bar.set_postfix_str(
            f"best {best:.5g}  mean {np.mean(f):.5g}  best-ever {population.best_fitness:.5g}  "
            f"species {len(population.species)}",
            refresh=False,
        )
        self._bar.update(1)

    def end_run(self, population: Population) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


@dataclass
class GenerationStats:
    """What the statistics reporter keeps of one generation."""

    generation: int
    best: float
    mean: float
    stdev: float
    evaluations: int
    species_sizes: dict[int, int] = field(default_factory=dict)
    best_key: int | None = None
    """The key of the generation's best genome."""
    extra: dict[str, float | int | str] = field(default_factory=dict)
    """Statistics past the fitness (``extra_statistics``): ``phase``, ``complexity``, ``archive_size``,
    ``novelty_threshold``, ``front_size``, or an evaluator's own; only those present."""


class StatisticsReporter(Reporter):
    """Per-generation best, mean, stdev of fitness and species sizes; CSV export.

    ``stats.generations`` is a list of ``GenerationStats``; ``best_fitness()``,
    ``mean_fitness()``, ``stdev_fitness()`` return ``(G,)`` arrays.
    """

    def __init__(self) -> None:
        self.generations: list[GenerationStats] = []
        self._pending: GenerationStats | None = None

    def post_evaluate(self, population: Population, fitness: np.ndarray) -> None:
        f = np.asarray(fitness, dtype=np.float64)
        best = generation_best(population, f)
        self._pending = GenerationStats(
            population.generation, best, float(np.mean(f)), float(np.std(f)), population.evaluations,
            best_key=generation_best_key(population, f), extra=extra_statistics(population),
        )

    def species_changed(self, population: Population, species: tuple[Species, ...]) -> None:
        if self._pending is not None:
            self._pending.species_sizes = {s.key: s.size for s in species}
            self.generations.append(self._pending)
            self._pending = None

    def end_run(self, population: Population) -> None:
        if self._pending is not None:  # the last generation was evaluated but not reproduced
            self.generations.append(self._pending)
            self._pending = None

    def best_fitness(self) -> np.ndarray:
        return np.array([g.best for g in self.generations])

    def mean_fitness(self) -> np.ndarray:
        return np.array([g.mean for g in self.generations])

    def stdev_fitness(self) -> np.ndarray:
        return np.array([g.stdev for g in self.generations])

    def to_csv(self, path: str | PathLike[str] | None = None) -> str:
        """The statistics as CSV text (written atomically to ``path`` if given).

        Columns: generation, best, mean, stdev, evaluations, num_species,
        species_sizes (``key:size`` pairs joined by ``;``), best_key (the
        key of the generation's best genome; empty when it has none), then
        phase, complexity (complexity regulation's phase and mean
        complexity), archive_size, novelty_threshold (``NoveltySearch``),
        front_size (``MultiObjective``), then an evaluator's own statistics
        by name; a cell is empty where its generation has no such value.
        """
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        own = sorted({k for g in self.generations for k in g.extra} - set(_EXTRA))
        writer.writerow([*_COLUMNS, *_EXTRA, *own])
        for g in self.generations:
            sizes = ";".join(f"{k}:{v}" for k, v in g.species_sizes.items())
            extra = [_cell(g.extra.get(k)) for k in (*_EXTRA, *own)]
            writer.writerow([g.generation, repr(g.best), repr(g.mean), repr(g.stdev), g.evaluations,
                             len(g.species_sizes), sizes, "" if g.best_key is None else g.best_key, *extra])
        text = buffer.getvalue()
        if path is not None:
            atomic_write_text(path, text)
        return text

    @staticmethod
    def read_csv(path: str | PathLike[str]) -> list[GenerationStats]:
        """Read statistics written by ``to_csv`` (``StatisticsError`` naming the file if it cannot)."""
        try:
            with open(path, newline="", encoding="utf-8") as handle:
                return [_generation_from_row(row) for row in csv.DictReader(handle)]
        except OSError as exc:
            raise StatisticsError(f"cannot read statistics file {str(path)!r}: {exc.strerror or exc}") from None
        except KeyError as exc:
            raise StatisticsError(
                f"statistics file {str(path)!r} has no column {exc}; expected a CSV written by "
                "StatisticsReporter.to_csv"
            ) from None
        except (ValueError, TypeError, AttributeError, UnicodeDecodeError) as exc:
            raise StatisticsError(
                f"statistics file {str(path)!r} cannot be parsed ({exc}); expected a CSV written by "
                "StatisticsReporter.to_csv"
            ) from None


def _generation_from_row(row: dict[str, str]) -> GenerationStats:
    sizes: dict[int, int] = {}
    if row["species_sizes"]:
        for pair in row["species_sizes"].split(";"):
            k, v = pair.split(":")
            sizes[int(k)] = int(v)
    key = row.get("best_key")  # files written before genomes had keys have no such column
    extra = {name: _EXTRA.get(name, _parsed)(text) for name, text in row.items()
             if name not in _COLUMNS and text not in ("", None)}
    return GenerationStats(int(row["generation"]), float(row["best"]), float(row["mean"]),
                           float(row["stdev"]), int(row["evaluations"]), sizes, int(key) if key else None, extra)


def _cell(value: float | int | str | None) -> str:
    """A CSV cell of an extra statistic: empty for none, ``repr`` of a float (exact round trip)."""
    if value is None:
        return ""
    return repr(float(value)) if isinstance(value, (float, np.floating)) else str(value)


def _parsed(text: str) -> float | int | str:
    """An evaluator's own statistic read back: an integer, else a number, else the text."""
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def call_reporters(reporters: list[Any], hook: str, *args: Any) -> None:
    """Call ``hook(*args)`` on every reporter that defines it."""
    for reporter in reporters:
        method = getattr(reporter, hook, None)
        if method is not None:
            method(*args)
