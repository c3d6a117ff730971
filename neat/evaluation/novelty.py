"""Novelty search: behaviour descriptors, k-nearest-neighbour novelty, a bounded archive, and blended scores.

``NoveltySearch(evaluate, ...)`` wraps an evaluator that returns, besides
fitness, one behaviour descriptor per genome (``evaluate(genomes) ->
(fitness (P,), behaviours (P, d))``) into the ``evaluate(genomes,
generation=g) -> scores (P,)`` that ``Population.run`` and ``tell`` take, so
NEAT (speciation, fitness sharing) and the fixed-topology GA (GA-NS) select
on novelty, on fitness, or on a blend of their normalised ranks.

Novelty of a behaviour is the mean Euclidean distance to its ``k`` nearest
neighbours among the current population (itself left out) and the archive
(``knn_novelty``).  See ``docs/novelty.md`` for the archive's rules.
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Callable, Sequence
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import CheckpointError, ConfigError, EvaluationError
from ..evolution.fitness import takes_generation
from ..evolution.reporting import Reporter
from ..files import atomic_write_bytes, checked_int, checked_number, checked_object, read_npz
from ..genome import Genome
from ..rng import make_rng

__all__ = ["NoveltySearch", "NoveltyCheckpointer", "knn_novelty", "final_observation_behaviour", "MODES"]

MODES = ("novelty", "fitness", "blend")
"""What ``NoveltySearch`` scores genomes by."""

_MEMORY_BYTES = 4 * 2**20
"""Bytes of one chunk of the (rows, reference) distance matrix in ``knn_novelty``."""


# --- k nearest neighbours ----------------------------------------------------------------------------
def _as_behaviours(values: Any, what: str, rows: int | None = None, dims: int | None = None) -> np.ndarray:
    """``values`` as a finite ``(n, d)`` float64 array (a 1-d array of n values is ``(n, 1)``)."""
    a = np.asarray(values, dtype=np.float64)
    if a.ndim == 1:
        a = a[:, None]
    if a.ndim != 2:
        raise EvaluationError(f"{what} has shape {a.shape}; expected (P, d): one row of d numbers per genome")
    if rows is not None and a.shape[0] != rows:
        raise EvaluationError(f"{what} has {a.shape[0]} rows for {rows} genomes; expected one row per genome")
    if dims is not None and a.shape[1] != dims:
        raise EvaluationError(f"{what} has {a.shape[1]} columns; the archive's behaviours have {dims}")
    bad = ~np.isfinite(a).all(axis=1)
    if bad.any():
        raise EvaluationError(
            f"{what} is not finite (NaN or infinite) for genome(s) at position(s) {np.flatnonzero(bad)[:10].tolist()}; "
            "every behaviour must be finite numbers"
        )
    return np.ascontiguousarray(a)


def knn_novelty(
    behaviours: Any, archive: Any = None, k: int = 15, *, memory: int = _MEMORY_BYTES
) -> np.ndarray:
    """Mean Euclidean distance of each behaviour to its ``k`` nearest neighbours.

    The neighbours of row ``i`` are the other rows of ``behaviours`` (row
    ``i`` itself left out; an equal behaviour of another genome is a
    neighbour at distance 0) and every row of ``archive``.  With fewer than
    ``k`` neighbours, the mean is over all of them; with none, novelty is 0.

    The result is exact: the same numbers as sorting every distance
    ``sqrt(sum((a - b) ** 2))`` and averaging the ``k`` smallest.  Rows are
    done in chunks whose distance matrix takes about ``memory`` bytes: a
    matrix product (``|a|^2 + |b|^2 - 2 a.b`` on centred data) ranks the
    candidates, and every candidate that rounding could put among the ``k``
    nearest (within a proven error bound) is measured exactly.

    Parameters
    ----------
    behaviours
        ``(P, d)`` (or ``(P,)``) finite numbers.
    archive
        ``(A, d)`` finite numbers, or ``None`` (no archive).
    k
        Number of neighbours, at least 1.

    Returns
    -------
    (P,) float64
    """
    if not isinstance(k, (int, np.integer)) or isinstance(k, bool) or k < 1:
        raise ConfigError(f"k (the number of nearest neighbours) is {k!r}; expected an integer >= 1")
    queries = _as_behaviours(behaviours, "behaviours")
    P, d = queries.shape
    if archive is None:
        archive = np.empty((0, d))
    stored = _as_behaviours(archive, "archive", dims=d) if np.size(archive) else np.empty((0, d))
    reference = np.concatenate([queries, stored])
    N = len(reference)
    k = int(min(k, N - 1))
    if P == 0 or k == 0:
        return np.zeros(P)
    centre = reference.mean(axis=0)
    ref_c = reference - centre
    ref_sq = np.einsum("ij,ij->i", ref_c, ref_c)
    # Rank by  |b|^2 - 2 a.b  (|a|^2 is the same along a row): one matrix product of augmented rows.
    left = np.concatenate([ref_c, np.ones((N, 1))], axis=1)
    right = np.concatenate([-2.0 * ref_c, ref_sq[:, None]], axis=1)
    # |ranked + |a|^2 - exact| <= C d eps (|a|^2 + |b|^2) for centred a, b (the product, the norms, centring,
    # the exact formula's own rounding): C < 8 + 16 / d whatever the BLAS summation order.
    slack = (8.0 * d + 16.0) * np.finfo(np.float64).eps
    max_ref_sq = float(ref_sq.max())
    # A strided subset's k-th smallest is an upper bound of the k-th smallest of all: a cheap threshold.
    stride = max(1, min(16, (N - 1) // (8 * (k + 1))))
    subset = np.arange(0, N, stride)
    rows = max(1, int(memory) // (8 * N))
    out = np.empty(P)
    for start in range(0, P, rows):
        stop = min(start + rows, P)
        local = np.arange(stop - start)
        ranked = left[start:stop] @ right.T
        ranked[local, start + local] = np.inf  # a genome is not its own neighbour
        sample = ranked[:, subset] if stride > 1 else ranked
        kth = np.partition(sample, k - 1, axis=1)[:, k - 1]
        bound = slack * (ref_sq[start:stop] + max_ref_sq)
        mask = ranked <= (kth + 2.0 * bound)[:, None]
        out[start:stop] = _refine(queries, reference, mask, start, k, memory)
    return out


def _refine(queries: np.ndarray, reference: np.ndarray, mask: np.ndarray, start: int, k: int,
            memory: int) -> np.ndarray:
    """Mean of the ``k`` smallest exact distances of each row of ``mask`` to its candidate columns."""
    flat = np.flatnonzero(mask)  # (much faster than a 2-d nonzero) in row-major order: grouped by row
    rows_all, cols_all = np.divmod(flat, mask.shape[1])
    counts = np.bincount(rows_all, minlength=len(mask))
    ends = np.cumsum(counts)
    out = np.empty(len(mask))
    budget = max(int(memory) // (8 * (queries.shape[1] + 2)), 1)
    lo = 0
    while lo < len(mask):  # rows in groups whose padded candidates fit the memory budget
        hi, widest = lo + 1, int(counts[lo])
        if lo == 0 and len(mask) * int(counts.max()) <= budget:  # the usual case: all rows at once
            hi, widest = len(mask), int(counts.max())
        while hi < len(mask) and (hi + 1 - lo) * max(widest, int(counts[hi])) <= budget:
            widest = max(widest, int(counts[hi]))
            hi += 1
        first = ends[lo] - counts[lo]
        row, col = rows_all[first : ends[hi - 1]] - lo, cols_all[first : ends[hi - 1]]
        diff = queries[start + lo + row] - reference[col]
        exact = np.sqrt(np.sum(diff * diff, axis=-1))
        padded = np.full((hi - lo, widest), np.inf)
        padded[row, np.arange(len(row)) - (ends[lo:hi] - counts[lo:hi] - first)[row]] = exact
        if widest > k:
            padded = np.partition(padded, k - 1, axis=1)[:, :k]
        out[lo:hi] = np.sort(padded, axis=1).mean(axis=1)
        lo = hi
    return out


def _ranks(values: np.ndarray) -> np.ndarray:
    """Ranks normalised to [0, 1] (0: the lowest; ties share their mean rank; a single value: 1)."""
    n = len(values)
    if n < 2:
        return np.ones(n)
    order = np.argsort(values, kind="stable")
    sorted_values = values[order]
    starts = np.flatnonzero(np.r_[True, sorted_values[1:] != sorted_values[:-1]])
    ends = np.r_[starts[1:], n]
    mean_rank = (starts + ends - 1) / 2.0
    ranks = np.empty(n)
    ranks[order] = np.repeat(mean_rank, ends - starts)
    return ranks / (n - 1)


# --- behaviours of gymnasium episodes ----------------------------------------------------------------
def final_observation_behaviour(observations: Any, actions: Any = None, info: Any = None) -> np.ndarray:
    """The behaviour of an episode as its final observation, flattened to a ``(d,)`` float64 vector.

    The ready choice of a per-episode behaviour function ``behaviour(observations,
    actions, info) -> (d,)``: ``observations`` is the episode's observations in
    order (a sequence or an array whose first axis is time); the last one is
    the descriptor (e.g. an agent's final position in a maze).  A ``Dict``
    observation gives its values, flattened, in key order.
    """
    if isinstance(observations, np.ndarray):
        if observations.ndim == 0 or len(observations) == 0:
            raise EvaluationError("final_observation_behaviour: the episode has no observations")
        last = observations[-1]
    else:
        seq = list(observations)
        if not seq:
            raise EvaluationError("final_observation_behaviour: the episode has no observations")
        last = seq[-1]
    if isinstance(last, dict):
        last = np.concatenate([np.ravel(np.asarray(last[key], dtype=np.float64)) for key in sorted(last)])
    return np.ravel(np.asarray(last, dtype=np.float64))


# --- the search --------------------------------------------------------------------------------------
def _number(value: Any, what: str, low: float, *, above: bool = False, allow_inf: bool = False) -> float:
    ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
    if ok:
        value = float(value)
        ok = (value > low if above else value >= low) and (math.isfinite(value) or (allow_inf and value == math.inf))
    if not ok:
        raise ConfigError(f"NoveltySearch: {what} is {value!r}; expected a number {'>' if above else '>='} {low}")
    return value


def _integer(value: Any, what: str, low: int, allow_none: bool = False) -> int | None:
    if value is None and allow_none:
        return None
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < low:
        raise ConfigError(f"NoveltySearch: {what} is {value!r}; expected an integer >= {low}"
                          + (" or None" if allow_none else ""))
    return int(value)


_ARRAYS = ("fitness", "behaviours", "novelty", "scores", "best_behaviour")
_META = {"format", "generation", "threshold", "stale", "added", "best_fitness", "rng"}


class NoveltySearch:
    """Scores genomes by novelty, fitness, or a blend: ``search(genomes, generation=g) -> (P,)``.

    Parameters
    ----------
    evaluate
        ``evaluate(genomes[, generation=g]) -> (fitness, behaviours)``:
        ``(P,)`` fitness and ``(P, d)`` behaviour descriptors (``(P,)`` means
        ``d = 1``), or an object with such an ``evaluate`` method.  It is given
        the generation when it takes a ``generation`` keyword.
    mode
        ``"novelty"``: the scores are the novelty; ``"fitness"``: the fitness
        (a plain run that still records behaviours and the archive);
        ``"blend"``: ``(1 - blend) * rank(fitness) + blend * rank(novelty)``,
        ranks normalised to [0, 1] (ties share their mean rank).
    blend
        Novelty's weight in ``"blend"`` mode, in [0, 1].
    k
        Neighbours of the novelty (``knn_novelty``); Lehman & Stanley use 15.
    archive_threshold
        Initial novelty threshold: a behaviour more novel than it joins the
        archive.  ``None``: the median novelty of the first generation;
        ``math.inf``: no additions by threshold (random ones only).
    threshold_patience, threshold_lower, threshold_raise_above, threshold_raise, threshold_floor
        The dynamic threshold: after ``threshold_patience`` (10) generations in
        a row without an addition by threshold it is multiplied by
        ``threshold_lower`` (0.95); when more than ``threshold_raise_above`` (4)
        behaviours are added by threshold in one generation, by
        ``threshold_raise`` (1.2); it never goes below ``threshold_floor``.
    archive_random
        Behaviours of each generation added to the archive at random
        (besides those over the threshold), drawn without replacement.
    archive_size
        At most this many behaviours in the archive (``None``: no bound); when
        more, the oldest are evicted (first in, first out; within a
        generation, in genome order).
    minimize
        The fitness is lower-better: the ``"fitness"`` mode's scores are
        ``-fitness``, ``"blend"`` ranks it reversed, ``best_fitness`` is the lowest.
    seed
        Seed of the generator of the random archive additions.

    Attributes
    ----------
    generation : int
        The generation evaluated last (-1 before the first).
    fitness, behaviours, novelty, scores : numpy.ndarray or None
        The last generation's true fitness, behaviours, novelty and scores
        (what ``Population`` was given), e.g. for a ``stop`` callback.
    best_fitness : float or None
        The best true fitness ever seen; ``best_behaviour`` its behaviour,
        ``best_genome`` its genome (kept while this object lives; not saved).
    threshold : float or None
        The archive's current novelty threshold.
    archive : numpy.ndarray
        ``(A, d)`` archived behaviours, oldest first; ``archive_generations`` when each was added.
    added : int
        Behaviours added to the archive in the last generation.
    """

    def __init__(
        self,
        evaluate: Any,
        *,
        mode: str = "novelty",
        blend: float = 0.5,
        k: int = 15,
        archive_threshold: float | None = None,
        threshold_patience: int = 10,
        threshold_lower: float = 0.95,
        threshold_raise_above: int = 4,
        threshold_raise: float = 1.2,
        threshold_floor: float = 0.0,
        archive_random: int = 0,
        archive_size: int | None = 10_000,
        minimize: bool = False,
        seed: int | None = 0,
    ) -> None:
        function = evaluate if callable(evaluate) else getattr(evaluate, "evaluate", None)
        if not callable(function):
            raise ConfigError("NoveltySearch: evaluate must be a function (genomes -> (fitness, behaviours)) "
                              f"or an object with an evaluate method, got {type(evaluate).__name__}")
        if mode not in MODES:
            raise ConfigError(f"NoveltySearch: mode is {mode!r}; allowed: {', '.join(map(repr, MODES))}")
        self._evaluate: Callable[..., Any] = function
        self._pass_generation = takes_generation(function)
        self.mode = mode
        self.blend = _number(blend, "blend", 0.0)
        if self.blend > 1.0:
            raise ConfigError(f"NoveltySearch: blend is {blend!r}; expected a number in [0, 1]")
        self.k = _integer(k, "k", 1)
        self.threshold_patience = _integer(threshold_patience, "threshold_patience", 1)
        self.threshold_lower = _number(threshold_lower, "threshold_lower", 0.0, above=True)
        self.threshold_raise_above = _integer(threshold_raise_above, "threshold_raise_above", 0)
        self.threshold_raise = _number(threshold_raise, "threshold_raise", 0.0, above=True)
        self.threshold_floor = _number(threshold_floor, "threshold_floor", 0.0)
        self.archive_random = _integer(archive_random, "archive_random", 0)
        self.archive_size = _integer(archive_size, "archive_size", 1, allow_none=True)
        self.minimize = bool(minimize)
        self.rng = make_rng(seed)
        self.threshold = None if archive_threshold is None else _number(
            archive_threshold, "archive_threshold", 0.0, allow_inf=True)
        self.archive = np.empty((0, 0))
        self.archive_generations = np.empty(0, dtype=np.int64)
        self.generation = -1
        self.stale = 0  # generations in a row without an addition by threshold
        self.added = 0
        self.fitness: np.ndarray | None = None
        self.behaviours: np.ndarray | None = None
        self.novelty: np.ndarray | None = None
        self.scores: np.ndarray | None = None
        self.best_fitness: float | None = None
        self.best_behaviour: np.ndarray | None = None
        self.best_genome: Genome | None = None

    # --- one generation ---------------------------------------------------------------------------
    def __call__(self, genomes: Sequence[Genome], *, generation: int | None = None) -> np.ndarray:
        """Evaluate ``genomes``, update the archive, and return their ``(P,)`` scores (higher is better).

        ``generation`` (``Population.run`` passes it) defaults to one past the last evaluated.
        """
        g = self.generation + 1 if generation is None else int(generation)
        result = self._evaluate(genomes, generation=g) if self._pass_generation else self._evaluate(genomes)
        try:
            if isinstance(result, np.ndarray):  # fitness alone
                raise TypeError
            fitness, behaviours = result
        except (TypeError, ValueError):
            raise EvaluationError(f"NoveltySearch: evaluate returned {type(result).__name__}; "
                                  "expected a pair (fitness (P,), behaviours (P, d))") from None
        P = len(genomes)
        fitness = np.asarray(fitness, dtype=np.float64).reshape(-1)
        if fitness.shape != (P,) or not np.isfinite(fitness).all():
            raise EvaluationError(f"NoveltySearch: evaluate's fitness has shape {fitness.shape} (all finite: "
                                  f"{bool(np.isfinite(fitness).all())}); expected ({P},) finite numbers")
        dims = self.archive.shape[1] if len(self.archive) else None
        behaviours = _as_behaviours(behaviours, "the behaviour descriptors", rows=P, dims=dims)
        novelty = knn_novelty(behaviours, self.archive if len(self.archive) else None, self.k)
        self._update_archive(behaviours, novelty, g)
        self.generation, self.fitness, self.behaviours, self.novelty = g, fitness, behaviours, novelty
        if P:
            best = int(np.argmin(fitness) if self.minimize else np.argmax(fitness))
            if self.best_fitness is None or (fitness[best] < self.best_fitness if self.minimize
                                             else fitness[best] > self.best_fitness):
                self.best_fitness = float(fitness[best])
                self.best_behaviour = behaviours[best].copy()
                self.best_genome = genomes[best]
        self.scores = self._scores(fitness, novelty)
        return self.scores

    def evaluate(self, genomes: Sequence[Genome], *, generation: int | None = None) -> np.ndarray:
        """The same as calling the search."""
        return self(genomes, generation=generation)

    def generation_statistics(self) -> dict[str, float | int]:
        """``archive_size`` and ``novelty_threshold`` (when set) now, for the reporters (``Population.run`` asks)."""
        stats: dict[str, float | int] = {"archive_size": len(self.archive)}
        if self.threshold is not None:
            stats["novelty_threshold"] = float(self.threshold)
        return stats

    def _scores(self, fitness: np.ndarray, novelty: np.ndarray) -> np.ndarray:
        signed = -fitness if self.minimize else fitness
        if self.mode == "novelty":
            return novelty.copy()
        if self.mode == "fitness":
            return signed.copy()
        return (1.0 - self.blend) * _ranks(signed) + self.blend * _ranks(novelty)

    def _update_archive(self, behaviours: np.ndarray, novelty: np.ndarray, generation: int) -> None:
        if self.threshold is None and len(novelty):
            self.threshold = max(float(np.median(novelty)), self.threshold_floor)
        chosen = np.zeros(len(novelty), dtype=bool)
        if self.threshold is not None:
            chosen = novelty > self.threshold
        by_threshold = int(chosen.sum())
        if self.archive_random:
            rest = np.flatnonzero(~chosen)
            n = min(self.archive_random, len(rest))
            if n:
                chosen[self.rng.choice(rest, size=n, replace=False)] = True
        self.added = int(chosen.sum())
        if self.added:
            archive = self.archive if len(self.archive) else np.empty((0, behaviours.shape[1]))
            self.archive = np.concatenate([archive, behaviours[chosen]])
            self.archive_generations = np.concatenate(
                [self.archive_generations, np.full(self.added, generation, dtype=np.int64)])
            if self.archive_size is not None and len(self.archive) > self.archive_size:
                self.archive = self.archive[-self.archive_size:].copy()
                self.archive_generations = self.archive_generations[-self.archive_size:].copy()
        if self.threshold is None or not math.isfinite(self.threshold):
            return
        self.stale = 0 if by_threshold else self.stale + 1
        if self.stale >= self.threshold_patience:
            self.threshold = max(self.threshold * self.threshold_lower, self.threshold_floor)
            self.stale = 0
        if by_threshold > self.threshold_raise_above:
            self.threshold = self.threshold * self.threshold_raise

    # --- state ------------------------------------------------------------------------------------
    def state_dict(self) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        """``(arrays, meta)``: the archive and the last generation as arrays, the rest JSON-ready.

        ``load_state_dict`` into a search made with the same arguments continues exactly where this one is.
        """
        arrays = {"archive": self.archive, "archive_generations": self.archive_generations}
        arrays.update({name: getattr(self, name) for name in _ARRAYS if getattr(self, name) is not None})
        meta = {"format": "neat-novelty-1", "generation": self.generation, "threshold": self.threshold,
                "stale": self.stale, "added": self.added, "best_fitness": self.best_fitness,
                "rng": self.rng.bit_generator.state}
        return arrays, meta

    def load_state_dict(self, arrays: dict[str, np.ndarray], meta: Any, where: str = "novelty state") -> None:
        """Take the state ``state_dict`` gave (checked: ``CheckpointError`` naming ``where`` if malformed)."""
        meta = checked_object(where, "the metadata", meta, _META)
        if meta["format"] != "neat-novelty-1":
            raise CheckpointError(f"{where}: format is {meta['format']!r:.40}; expected 'neat-novelty-1'")
        archive = np.asarray(arrays.get("archive", np.empty((0, 0))))
        generations = np.asarray(arrays.get("archive_generations", np.empty(0, dtype=np.int64)))
        if (archive.ndim != 2 or archive.dtype.kind != "f" or generations.shape != (len(archive),)
                or generations.dtype.kind not in "iu"):
            raise CheckpointError(f"{where}: the archive is {archive.shape} {archive.dtype} and its generations "
                                  f"{generations.shape} {generations.dtype}; expected (A, d) floats and (A,) integers")
        if not np.isfinite(archive).all():
            raise CheckpointError(f"{where}: the archive holds NaN or infinite behaviours; expected finite numbers")
        threshold = meta["threshold"]
        if threshold is not None:
            threshold = checked_number(where, "threshold", threshold) if threshold != math.inf else threshold
            if threshold < 0:
                raise CheckpointError(f"{where}: threshold is {threshold!r}; expected a number >= 0 or null")
        best = meta["best_fitness"]
        rng = make_rng(0)
        try:
            rng.bit_generator.state = meta["rng"]
        except (TypeError, ValueError, KeyError) as exc:
            raise CheckpointError(f"{where}: the generator state is malformed ({exc}); expected a PCG64 state") from None
        self.generation = checked_int(where, "generation", meta["generation"], low=-1)
        self.stale = checked_int(where, "stale", meta["stale"])
        self.added = checked_int(where, "added", meta["added"])
        self.best_fitness = None if best is None else checked_number(where, "best_fitness", best)
        self.threshold = None if threshold is None else float(threshold)
        self.archive, self.archive_generations = archive.astype(np.float64), generations.astype(np.int64)
        for name in _ARRAYS:
            setattr(self, name, np.asarray(arrays[name], dtype=np.float64).copy() if name in arrays else None)
        self.rng = rng
        self.best_genome = None

    def save(self, path: str | PathLike[str]) -> None:
        """Write the state to an ``.npz`` file atomically (the metadata as a JSON text member ``meta``)."""
        arrays, meta = self.state_dict()
        buffer = io.BytesIO()
        np.savez(buffer, **arrays, meta=np.array(json.dumps(meta)))
        atomic_write_bytes(path, buffer.getvalue())

    def load(self, path: str | PathLike[str]) -> None:
        """Take the state ``save`` wrote (``CheckpointError`` if the file is unreadable or malformed)."""
        path = Path(path)
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise CheckpointError(f"cannot read novelty archive {str(path)!r}: {exc.strerror or exc}") from None
        arrays = read_npz(raw, str(path), "novelty archive")
        meta = arrays.pop("meta", None)
        if meta is None or meta.dtype.kind != "U" or meta.ndim != 0:
            raise CheckpointError(f"{path}: no 'meta' text member; not a file written by NoveltySearch.save")
        try:
            meta = json.loads(str(meta))
        except json.JSONDecodeError as exc:
            raise CheckpointError(f"{path}: the 'meta' member is not valid JSON: {exc}") from None
        self.load_state_dict(arrays, meta, str(path))


class NoveltyCheckpointer(Reporter):
    """A reporter that saves a ``NoveltySearch``'s state beside ``neat.Checkpointer``'s files.

    Every ``every`` generations it writes ``<directory>/<prefix><generation>.npz``
    with the generation number ``Checkpointer`` uses (the next generation to
    evaluate), so ``load_checkpoint("checkpoint-G.npz")`` and
    ``search.load("novelty-G.npz")`` resume the run exactly.
    """

    def __init__(self, search: NoveltySearch, directory: str | PathLike[str], *, every: int = 1,
                 prefix: str = "novelty-") -> None:
        self.search = search
        self.directory = Path(directory)
        self.every = _integer(every, "every", 1)
        self.prefix = prefix
        self.last_path: Path | None = None

    def end_generation(self, population: Any) -> None:
        if population.generation % self.every == 0:
            self.last_path = self.directory / f"{self.prefix}{population.generation}.npz"
            self.search.save(self.last_path)
