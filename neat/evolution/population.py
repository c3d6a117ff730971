"""The population: ``ask`` for genomes, ``tell`` their fitness, ``run`` the loop.

``tell`` hands the scores to the reproduction strategy that ``[reproduction]
strategy`` names and reports what it returns.  NEAT's
(``neat.evolution.reproduction.NeatReproduction``) reads like the paper::

    speciate -> update stagnation -> drop stagnant species -> share fitness
    -> decide offspring counts -> select parents and make children

the fixed-topology GA's (``neat.evolution.truncation.TruncationReproduction``)
is truncation selection, Gaussian mutation and one elite.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from ..config import Config
from ..errors import ConfigError, EvaluationError, ExtinctionError
from ..genome import Genome
from ..genome.innovation import InnovationTracker
from ..genome.pool import GenePool, GenomeSequence
from ..genome.topology import new_genomes
from ..rng import SeedLike, make_rng
from .compact import start_genomes
from .complexity import Regulation, mean_complexity, regulate
from .fitness import Evaluate, checked_fitness, takes_generation
from .reporting import call_reporters
from .reproduction import NeatReproduction
from .species import SpeciesSet
from .strategy import ReproductionStrategy
from .truncation import TruncationReproduction

__all__ = ["Population", "RunState", "reproduction_strategy"]


def reproduction_strategy(config: Config, elite_evaluate: Evaluate | None = None) -> ReproductionStrategy:
    """The strategy ``[reproduction] strategy`` names, made for ``config``."""
    if config.reproduction.strategy == "truncation":
        return TruncationReproduction(config, elite_evaluate)
    return NeatReproduction(config)


@dataclass(frozen=True)
class RunState:
    """Everything a run carries from one generation to the next (what a checkpoint saves).

    Attributes
    ----------
    pool
        The current generation's genes (with the genomes' keys).
    species
        The species (representatives and stagnation bookkeeping; members are
        empty between generations).
    tracker
        A copy of the run's innovation tracker.
    rng_state
        The state of the run's generator (``rng.bit_generator.state``).
    generation, evaluations
        Generations made and fitness values told so far.
    next_key
        The key the next new genome will get.
    best_genome, best_fitness
        The best genome evaluated so far and its fitness.
    pending_fitness : (P,) float64 or None
        The fitness told to the current generation when it was not yet reproduced.
    lineages
        With compact genomes: each genome's seeds.
    regulation
        Complexity regulation's state (``neat.evolution.complexity.Regulation``).
    """

    pool: GenePool
    species: SpeciesSet
    tracker: InnovationTracker
    rng_state: dict[str, Any]
    generation: int = 0
    evaluations: int = 0
    next_key: int = 0
    best_genome: Genome | None = None
    best_fitness: float | None = None
    pending_fitness: np.ndarray | None = None
    lineages: tuple[tuple[int, ...], ...] | None = None
    regulation: Regulation = Regulation()


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
        Observers of the run (see ``neat.evolution.reporting.Reporter``).
    genomes
        Start genomes instead of fresh ones from the start topology.
    elite_evaluate
        With ``[reproduction] strategy = "truncation"`` and ``elite_candidates
        = K > 0``: ``elite_evaluate(genomes, generation=g)`` re-scores the K
        best genomes (e.g. on extra episodes) to choose the elite.

    Attributes
    ----------
    genomes : GenomeSequence
        The current generation (what ``ask()`` returns), a sequence of
        ``Genome``s made from ``pool`` as they are read.
    pool : GenePool
        The current generation's genes, one struct of arrays.
    generation : int
        Number of generations made so far (0 for the start genomes).
    species : SpeciesSet
        The species: representatives and stagnation bookkeeping.
    tracker : InnovationTracker
        The run's historical markings.
    best_genome, best_fitness
        The best genome evaluated so far and its fitness.
    fitness : (P,) float64, read-only, or None
        The fitness values of the generation evaluated last, in the order of
        its genomes; None before this population's first evaluation.
    generation_champion, generation_champion_fitness
        The best genome of the generation evaluated last (the first of
        equals) and its fitness; None before the first evaluation.
    evaluations : int
        Number of fitness values told so far.
    lineages : list of tuple of int, or None
        With ``compact_genomes``: each genome's seeds (see ``neat.evolution.compact``).
    fallbacks : int
        Children made so far by a single-genome operator instead of the
        batched ones (see ``neat.evolution.strategy.NextGeneration``).
    regulation : Regulation
        Complexity regulation's state (``[reproduction] complexity_regulation``); see ``phase``.
    evaluation_statistics : dict
        The last evaluation's ``evaluate.generation_statistics()`` (``run``) or ``statistics=`` (``tell``).

    Every genome of the run has a key (``genome.key``), unique within the
    run: 0, 1, 2, ... in order of birth; an elite keeps its key.
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
        self._reproduction = reproduction_strategy(config, elite_evaluate)
        self.elite_evaluate = elite_evaluate
        self.rng = make_rng(config.run.seed if seed is None else seed)
        self.tracker = InnovationTracker.for_config(config)
        self.reporters = list(reporters)
        self.generation = 0
        self.evaluations = 0
        self.best_genome: Genome | None = None
        self.best_fitness: float | None = None
        self.species = SpeciesSet(threshold=config.speciation.compatibility_threshold)
        self.lineages: list[tuple[int, ...]] | None = None
        self.fallbacks = 0
        self.regulation = Regulation()
        self.evaluation_statistics: dict[str, float | int | str] = {}
        if genomes is not None:
            if self._compact:
                raise ConfigError("compact_genomes runs start from their own seeds; genomes= cannot be given")
            start = self._adopt(genomes)
        elif self._compact:
            seeds = self.rng.integers(2**63 - 1, size=config.run.population_size)
            self.lineages = [(int(s),) for s in seeds]
            start = start_genomes(config, self.tracker, seeds)
        else:
            start = new_genomes(config, self.tracker, self.rng, config.run.population_size)
        size = config.run.population_size
        self.pool = GenePool.pack(start).with_keys(np.arange(size))
        self.next_key = size
        self._fitness: np.ndarray | None = None  # told, not yet reproduced
        self._evaluated: tuple[np.ndarray, Genome] | None = None  # the last evaluated generation's
        self._started = False

    @property
    def _compact(self) -> bool:
        rc = self.config.reproduction
        return rc.strategy == "truncation" and rc.compact_genomes

    def _adopt(self, genomes: Sequence[Genome]) -> list[Genome]:
        """The given start genomes, checked, their genes registered with the tracker (keys are the run's own).

        A connection gets the run's innovation number for its ``(src, dst)``
        (the genome's own number is replaced where they differ), so genomes
        made by different trackers still line up in crossover.
        """
        genomes = list(genomes)
        if len(genomes) != self.config.run.population_size:
            raise ConfigError(
                f"[run] population_size = {self.config.run.population_size} but {len(genomes)} genomes were given"
            )
        adopted = []
        for g in genomes:
            g.validate()
            numbers = self.tracker.innovations(g.conns.src, g.conns.dst)
            if not np.array_equal(numbers, g.conns.innovation):
                order = np.argsort(numbers, kind="stable")
                g = g.replace(conns=type(g.conns)(numbers[order], *(f[order] for f in g.conns[1:])))
            if len(g.hidden_ids):
                self.tracker.reserve_node_ids(int(g.hidden_ids.max()) + 1)
            adopted.append(g)
        return adopted

    @property
    def genomes(self) -> GenomeSequence:
        """The current generation's genomes (made from ``pool`` as they are read)."""
        return self.pool.genomes()

    # --- state -----------------------------------------------------------
    def state(self) -> RunState:
        """A snapshot of everything the run carries on (see ``RunState``; a checkpoint saves it)."""
        return RunState(
            pool=self.pool,
            species=self.species,
            tracker=self.tracker.copy(),
            rng_state=self.rng.bit_generator.state,
            generation=self.generation,
            evaluations=self.evaluations,
            next_key=self.next_key,
            best_genome=self.best_genome,
            best_fitness=self.best_fitness,
            pending_fitness=self._fitness,
            lineages=None if self.lineages is None else tuple(self.lineages),
            regulation=self.regulation,
        )

    @classmethod
    def from_state(
        cls,
        config: Config,
        state: RunState,
        *,
        rng: np.random.Generator,
        reporters: Iterable[Any] = (),
        elite_evaluate: Evaluate | None = None,
    ) -> Population:
        """The population ``state`` describes, continuing with ``rng`` (whose state is ``state.rng_state``)."""
        population = cls.__new__(cls)
        population.config = config
        population._reproduction = reproduction_strategy(config, elite_evaluate)
        population.elite_evaluate = elite_evaluate
        population.rng = rng
        population.tracker = state.tracker.copy()
        population.reporters = list(reporters)
        population.generation = state.generation
        population.evaluations = state.evaluations
        population.best_genome = state.best_genome
        population.best_fitness = state.best_fitness
        population.species = state.species
        population.pool = state.pool
        population.next_key = state.next_key
        population.fallbacks = 0
        population.regulation, population.evaluation_statistics = state.regulation, {}
        population.lineages = None if state.lineages is None else list(state.lineages)
        population._fitness = state.pending_fitness
        population._evaluated = None
        if state.pending_fitness is not None:
            population._remember(state.pending_fitness)
        population._started = False
        return population

    # --- properties ------------------------------------------------------
    @property
    def minimize(self) -> bool:
        """True when lower fitness is better (``[run] objective = "min"``)."""
        return self.config.run.minimize

    @property
    def phase(self) -> str | None:
        """The phase (``"complexify"`` / ``"simplify"``) that breeds the next generation; None without regulation."""
        return None if self.config.reproduction.complexity_regulation == "none" else self.regulation.phase

    @property
    def size(self) -> int:
        return len(self.pool)

    @property
    def fitness(self) -> np.ndarray | None:
        """The fitness values of the generation evaluated last: ``(P,)`` float64, read-only.

        In the order of that generation's genomes (``population.genomes``
        until ``tell`` makes the next generation).  They stay after
        reproduction: a reporter's ``end_generation`` and ``start_generation``
        still see the values of the generation just reproduced
        (``population.generation - 1`` then).  None before this population's
        first evaluation (also in a population resumed from a checkpoint
        written between generations).
        """
        return None if self._evaluated is None else self._evaluated[0]

    @property
    def generation_champion(self) -> Genome | None:
        """The best genome of the generation evaluated last (the first of equals), or None.

        Unlike ``best_genome`` (the best ever), the champion of that one generation.
        """
        return None if self._evaluated is None else self._evaluated[1]

    @property
    def generation_champion_fitness(self) -> float | None:
        """The fitness of ``generation_champion``, or None before the first evaluation."""
        if self._evaluated is None:
            return None
        values = self._evaluated[0]
        return float(values.min() if self.minimize else values.max())

    def _remember(self, values: np.ndarray) -> Genome:
        """Keep ``values`` (read-only) and the current generation's champion; return the champion."""
        kept = np.array(values, dtype=np.float64)
        kept.flags.writeable = False
        champion = self.pool[int(np.argmin(kept) if self.minimize else np.argmax(kept))].copy()
        self._evaluated = (kept, champion)  # the champion has its own arrays: it outlives the generation
        return champion

    def add_reporter(self, reporter: Any) -> None:
        self.reporters.append(reporter)

    def _report(self, hook: str, *args: Any) -> None:
        call_reporters(self.reporters, hook, self, *args)

    # --- ask / tell ------------------------------------------------------
    def ask(self) -> GenomeSequence:
        """The genomes of the current generation, to be evaluated in this order.

        A ``Sequence[Genome]`` (``len``, indexing, iteration; ``list(...)``
        makes every genome); its ``pool`` is the generation's ``GenePool``,
        which ``neat.compile_population`` compiles without making the
        genomes.  If the previous generation was told but not yet reproduced
        (``run`` stopped at a solution), the next generation is made first.
        """
        if self._fitness is not None:
            self._advance()
        if not self._started:
            self._started = True
            self._report("start_generation")
        return self.pool.genomes()

    def tell(self, fitness: Any, statistics: dict[str, float | int | str] | None = None) -> None:
        """Take one fitness value per genome (in ``ask()`` order) and make the next generation (+ ``statistics``)."""
        self._keep(self._checked(fitness), statistics)
        self._advance()

    def _checked(self, fitness: Any) -> np.ndarray:
        """The told ``fitness`` as ``(P,)`` float64 (``EvaluationError`` if it is not one real number per genome)."""
        if self._fitness is not None:
            raise EvaluationError(f"generation {self.generation} was already told its fitness")
        run = self.config.run
        return checked_fitness(
            fitness, len(self.pool), invalid=run.invalid_fitness, minimize=self.minimize, generation=self.generation
        )

    def _keep(self, values: np.ndarray, statistics: dict[str, float | int | str] | None = None) -> None:
        """Record the checked fitness (and the evaluator's statistics) of the current generation and report it."""
        self.evaluations += len(values)
        self.evaluation_statistics = dict(statistics or {})
        rc = self.config.reproduction
        if rc.complexity_regulation != "none":
            complexity = mean_complexity(self.pool, rc.complexity_metric)
            self.regulation = regulate(self.regulation, complexity, self.generation, self.config)
        champion = self._remember(values)
        best = float(values.min() if self.minimize else values.max())
        if self.best_fitness is None or self._better(best, self.best_fitness):
            self.best_fitness = best
            self.best_genome = champion
        self._fitness = values
        self._report("post_evaluate", values)

    def _better(self, a: float, b: float) -> bool:
        return a < b if self.minimize else a > b

    def _advance(self) -> None:
        """Make the next generation from the told fitness (the body of ``tell``)."""
        scores = -self._fitness if self.minimize else self._fitness
        phase = {} if self.phase is None else {"phase": self.phase}
        result = self._reproduction.next_generation(
            self.pool, scores, self.species, self.generation, self.tracker, self.rng, self.lineages, **phase
        )
        self._report("species_changed", result.speciated)
        for s in result.stagnant:
            self._report("species_stagnant", s)
        if result.extinct:
            self._report("extinction")
            if self.config.run.on_extinction == "stop":
                raise ExtinctionError(
                    f"every species died in generation {self.generation} "
                    '([run] on_extinction = "stop"; set it to "restart" to start again from fresh genomes)'
                )
        self.lineages = result.lineages
        # Members index the old generation; only representatives and bookkeeping carry on.
        empty = np.empty(0, dtype=np.int64)
        species = result.species
        self.species = replace(species, species=tuple(replace(s, members=empty) for s in species.species))
        keys = result.pool.keys.copy()
        new = keys < 0
        keys[new] = np.arange(self.next_key, self.next_key + int(new.sum()))
        self.next_key += int(new.sum())
        self.pool = result.pool.with_keys(keys)
        self.fallbacks += result.fallbacks
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
        takes a ``generation`` keyword (as ``neat.GymEvaluator`` does), it is
        given the generation number, so that what it draws per generation
        (episode seeds) is the same in a run resumed from a checkpoint.

        Stops after ``generations`` evaluated generations (default:
        ``[run] max_generations``), when the fitness threshold is reached,
        or when ``stop(population)`` returns true after an evaluation.  When
        it stops, the last generation has been evaluated but not reproduced;
        calling ``run`` again continues.  ``stop`` is called after each
        evaluation, before reproduction: ``population.genomes``,
        ``population.fitness`` and ``population.generation_champion`` are
        then those of the generation just evaluated.

        Raises
        ------
        EvaluationError
            Evaluating a generation failed (``evaluate`` raised, or returned
            something that is not one real number per genome); the message
            starts with ``evaluating generation N failed:``.

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
        statistics = getattr(getattr(evaluate, "__self__", evaluate), "generation_statistics", None)
        done = 0
        while limit is None or done < limit:
            genomes = self.ask()
            failed = f"evaluating generation {self.generation} failed"
            try:
                fitness = evaluate(genomes, generation=self.generation) if pass_generation else evaluate(genomes)
                values = self._checked(fitness)
            except EvaluationError as exc:  # already says what failed (e.g. which genome's fitness)
                raise EvaluationError(f"{failed}: {exc}") from exc.__cause__
            except Exception as exc:
                raise EvaluationError(f"{failed}: {_called(evaluate)} raised {type(exc).__name__}: {exc}") from exc
            self._keep(values, statistics() if callable(statistics) else None)
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


def _called(evaluate: Any) -> str:
    """How a message names the ``evaluate`` given to ``run``: ``name(genomes)`` or its type."""
    name = getattr(evaluate, "__name__", None)
    if (inspect.isfunction(evaluate) or inspect.ismethod(evaluate)) and name and name != "<lambda>":
        return f"{name}(genomes)"
    if inspect.isfunction(evaluate):
        return "the evaluate function"
    return f"the evaluate callable ({type(evaluate).__name__})"
