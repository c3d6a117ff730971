"""The population: ``ask`` for genomes, ``tell`` their fitness, ``run`` the loop.

``tell`` hands the scores to the reproduction strategy that ``[reproduction]
strategy`` names and advances.  NEAT's (``neat.reproduction.NeatReproduction``)
reads like the paper::

    speciate -> update stagnation -> drop stagnant species -> share fitness
    -> decide offspring counts -> select parents and make children

the fixed-topology GA's (``TruncationReproduction``) is truncation selection,
Gaussian mutation and one elite.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from .compact import start_genomes
from .config import Config
from .errors import ConfigError, EvaluationError
from .evaluation import takes_generation
from .genome import Genome
from .innovation import InnovationTracker
from .reporting import call_reporters
from .reproduction import reproduction_strategy
from .rng import SeedLike, make_rng
from .species import SpeciesSet
from .topology import new_genomes

__all__ = ["Population", "Evaluate"]

Evaluate = Callable[[list[Genome]], Any]
"""``evaluate(genomes) -> fitness``: one number per genome, in order; genomes are not modified."""


class InvalidFitnessWarning(RuntimeWarning):
    """Some genomes got a NaN/inf fitness and were given the worst fitness instead."""


class Population:
    """A NEAT population.

    Parameters
    ----------
    config
        The run's configuration.
    seed
        Seed of the run's generator (``int``, ``SeedSequence``, ``Generator``);
        default: ``config.run.seed``.  The same config and seed give the same
        run, bit for bit.
    reporters
        Observers of the run (see ``neat.reporting.Reporter``).
    genomes
        Start genomes instead of fresh ones from the start topology.
    elite_evaluate
        With ``[reproduction] strategy = "truncation"`` and ``elite_candidates
        = K > 0``: ``elite_evaluate(genomes, generation=g)`` re-scores the K
        best genomes (e.g. on extra episodes) to choose the elite.

    Attributes
    ----------
    genomes : list of Genome
        The current generation (what ``ask()`` returns).
    generation : int
        Number of generations made so far (0 for the start genomes).
    species : SpeciesSet
        The species: representatives and stagnation bookkeeping.
    tracker : InnovationTracker
        The run's historical markings.
    best_genome, best_fitness
        The best genome evaluated so far and its fitness.
    evaluations : int
        Number of fitness values told so far.
    lineages : list of tuple of int, or None
        With ``compact_genomes``: each genome's seeds (see ``neat.compact``).
    """

    def __init__(
        self,
        config: Config,
        *,
        seed: SeedLike = None,
        reporters: Iterable[Any] = (),
        genomes: Sequence[Genome] | None = None,
        elite_evaluate: Evaluate | None = None,
    ) -> None:
        if not isinstance(config, Config):
            raise ConfigError(f"Population needs a neat.Config, got {type(config).__name__}")
        self.config = config
        self._set_strategy(elite_evaluate)
        self.rng = make_rng(config.run.seed if seed is None else seed)
        self.tracker = InnovationTracker.for_config(config)
        self.reporters = list(reporters)
        self.generation = 0
        self.evaluations = 0
        self.best_genome: Genome | None = None
        self.best_fitness: float | None = None
        self.species = SpeciesSet(threshold=config.speciation.compatibility_threshold)
        self.lineages: list[tuple[int, ...]] | None = None
        if genomes is not None:
            if self._compact:
                raise ConfigError("compact_genomes runs start from their own seeds; genomes= cannot be given")
            self.genomes = self._adopt(genomes)
        elif self._compact:
            seeds = self.rng.integers(2**63 - 1, size=config.run.population_size)
            self.lineages = [(int(s),) for s in seeds]
            self.genomes = start_genomes(config, self.tracker, seeds)
        else:
            self.genomes = new_genomes(config, self.tracker, self.rng, config.run.population_size)
        self._fitness: np.ndarray | None = None  # told, not yet reproduced
        self._started = False

    @property
    def _compact(self) -> bool:
        rc = self.config.reproduction
        return rc.strategy == "truncation" and rc.compact_genomes

    def _set_strategy(self, elite_evaluate: Evaluate | None) -> None:
        self._reproduction = reproduction_strategy(self.config)
        self.elite_evaluate = elite_evaluate
        if self.config.reproduction.strategy == "truncation" and self.config.reproduction.elite_candidates:
            if elite_evaluate is None:
                raise ConfigError(
                    f"[reproduction] elite_candidates = {self.config.reproduction.elite_candidates} needs "
                    "Population(..., elite_evaluate=...): the function that re-scores the candidates "
                    "(e.g. a GymEvaluator with more episodes)"
                )
            if not takes_generation(elite_evaluate):
                raise ConfigError("elite_evaluate must take the genomes and a generation keyword")

    def _adopt(self, genomes: Sequence[Genome]) -> list[Genome]:
        genomes = list(genomes)
        if len(genomes) != self.config.run.population_size:
            raise ConfigError(
                f"[run] population_size = {self.config.run.population_size} but {len(genomes)} genomes were given"
            )
        for g in genomes:
            g.validate()
            for s, d in zip(g.conns.src.tolist(), g.conns.dst.tolist()):
                self.tracker.innovation(s, d)
            if len(g.hidden_ids):
                self.tracker.reserve_node_ids(int(g.hidden_ids.max()) + 1)
        return genomes

    # --- properties ------------------------------------------------------
    @property
    def minimize(self) -> bool:
        """True when lower fitness is better (``[run] objective = "min"``)."""
        return self.config.run.minimize

    @property
    def size(self) -> int:
        return len(self.genomes)

    def add_reporter(self, reporter: Any) -> None:
        self.reporters.append(reporter)

    def _report(self, hook: str, *args: Any) -> None:
        call_reporters(self.reporters, hook, self, *args)

    # --- ask / tell ------------------------------------------------------
    def ask(self) -> list[Genome]:
        """The genomes of the current generation, to be evaluated in this order.

        If the previous generation was told but not yet reproduced (``run``
        stopped at a solution), the next generation is made first.
        """
        if self._fitness is not None:
            self._advance()
        if not self._started:
            self._started = True
            self._report("start_generation")
        return list(self.genomes)

    def tell(self, fitness: Any) -> None:
        """Take one fitness value per genome (in ``ask()`` order) and make the next generation."""
        self._record(fitness)
        self._advance()

    def _record(self, fitness: Any) -> None:
        if self._fitness is not None:
            raise EvaluationError(f"generation {self.generation} was already told its fitness")
        values = self._checked_fitness(fitness)
        self.evaluations += len(values)
        best = int(np.argmin(values) if self.minimize else np.argmax(values))
        if self.best_fitness is None or self._better(float(values[best]), self.best_fitness):
            self.best_fitness = float(values[best])
            self.best_genome = self.genomes[best]
        self._fitness = values
        self._report("post_evaluate", values)

    def _better(self, a: float, b: float) -> bool:
        return a < b if self.minimize else a > b

    def _checked_fitness(self, fitness: Any) -> np.ndarray:
        p = len(self.genomes)
        if not (isinstance(fitness, np.ndarray) and fitness.dtype.kind in "fiu"):
            try:
                items = list(fitness)
            except TypeError:
                raise EvaluationError(
                    f"fitness must be a sequence of {p} numbers, got {type(fitness).__name__}"
                ) from None
            for i, v in enumerate(items):
                if v is None or isinstance(v, (str, bytes, bool)) or np.ndim(v) != 0:
                    raise EvaluationError(f"fitness of genome {i} is {v!r}; fitness values must be numbers")
            fitness = items
        try:
            values = np.array(fitness, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise EvaluationError(f"fitness values must be numbers: {exc}") from None
        if values.shape != (p,):
            raise EvaluationError(
                f"expected {p} fitness values (one per genome, shape ({p},)), got shape {values.shape}"
            )
        bad = np.flatnonzero(~np.isfinite(values))
        if bad.size:
            listed = ", ".join(f"genome {i}: {values[i]}" for i in bad[:10].tolist())
            more = f" and {bad.size - 10} more" if bad.size > 10 else ""
            if self.config.run.invalid_fitness == "error" or bad.size == p:
                raise EvaluationError(f"fitness must be finite; got {listed}{more}")
            finite = values[np.isfinite(values)]
            worst = float(finite.max() if self.minimize else finite.min())
            warnings.warn(
                f"generation {self.generation}: non-finite fitness ({listed}{more}) replaced by the worst, {worst}",
                InvalidFitnessWarning,
                stacklevel=3,
            )
            values[bad] = worst
        return values

    def _advance(self) -> None:
        """Make the next generation from the told fitness (the body of ``tell``)."""
        scores = -self._fitness if self.minimize else self._fitness
        children, species, lineages = self._reproduction.next_generation(self, scores)
        self.lineages = lineages
        # Members index the old generation; only representatives and bookkeeping carry on.
        empty = np.empty(0, dtype=np.int64)
        self.species = replace(species, species=tuple(replace(s, members=empty) for s in species.species))
        self.genomes = children
        self.generation += 1
        self._fitness = None
        self._started = False
        self._report("end_generation")

    # --- the loop --------------------------------------------------------
    def solved(self) -> bool:
        """True when the fitness ``[run] threshold_criterion`` names reaches ``[run] fitness_threshold``.

        ``"best"``: the best fitness so far; ``"worst"`` / ``"mean"``: the
        worst / mean fitness of the generation just evaluated (False once it
        has been reproduced).
        """
        run = self.config.run
        threshold = run.fitness_threshold
        if threshold is None or self.best_fitness is None:
            return False
        if run.threshold_criterion == "best":
            value = self.best_fitness
        elif self._fitness is None:
            return False
        elif run.threshold_criterion == "mean":
            value = float(np.mean(self._fitness))
        else:  # "worst"
            value = float(self._fitness.max() if self.minimize else self._fitness.min())
        return value <= threshold if self.minimize else value >= threshold

    def run(
        self,
        evaluate: Evaluate,
        generations: int | None = None,
        *,
        stop: Callable[[Population], bool] | None = None,
    ) -> Genome:
        """Evolve: ``ask``, ``evaluate``, ``tell``, until a termination condition.

        ``evaluate(genomes)`` returns one fitness per genome.  If it also
        takes a ``generation`` keyword (as ``neat.gym`` evaluators do), it is
        given the generation number, so that what it draws per generation
        (episode seeds) is the same in a run resumed from a checkpoint.

        Stops after ``generations`` evaluated generations (default:
        ``[run] max_generations``), when the fitness threshold is reached,
        or when ``stop(population)`` returns true after an evaluation.  When
        it stops, the last generation has been evaluated but not reproduced;
        calling ``run`` again continues.

        Returns
        -------
        Genome
            The best genome found (also ``population.best_genome``).
        """
        limit = self.config.run.max_generations if generations is None else generations
        if limit is None and self.config.run.fitness_threshold is None and stop is None:
            raise ConfigError(
                "run() needs a way to stop: pass generations=, or set [run] max_generations or fitness_threshold"
            )
        if limit is not None and limit < 1:
            raise ValueError(f"generations must be >= 1, got {limit}")
        pass_generation = takes_generation(evaluate)
        done = 0
        while limit is None or done < limit:
            genomes = self.ask()
            try:
                fitness = evaluate(genomes, generation=self.generation) if pass_generation else evaluate(genomes)
            except EvaluationError:
                raise
            except Exception as exc:
                raise EvaluationError(
                    f"evaluate(genomes) raised in generation {self.generation}: {type(exc).__name__}: {exc}"
                ) from exc
            self._record(fitness)
            done += 1
            if self.solved():
                self._report("solution_found", self.best_genome, self.best_fitness)
                break
            if stop is not None and stop(self):
                break
            if limit is not None and done >= limit:
                break
            self._advance()
        self._report("end_run")
        return self.best_genome

    # --- persistence -----------------------------------------------------
    def save_checkpoint(self, path: Any) -> None:
        """Save the whole run state (see ``neat.checkpoint``)."""
        from .checkpoint import save_checkpoint

        save_checkpoint(self, path)

    @classmethod
    def from_checkpoint(
        cls,
        path: Any,
        *,
        config: Config | None = None,
        reporters: Iterable[Any] = (),
        elite_evaluate: Evaluate | None = None,
    ) -> Population:
        """Resume a run saved with ``save_checkpoint`` (see ``neat.checkpoint``)."""
        from .checkpoint import load_checkpoint

        return load_checkpoint(path, config=config, reporters=reporters, elite_evaluate=elite_evaluate)
