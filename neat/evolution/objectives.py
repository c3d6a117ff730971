"""Several objectives: NSGA-II's non-dominated sorting and crowding distance, as NEAT scores.

NEAT reproduction and the fixed-topology GA select on one higher-is-better
score per genome.  With several objectives (fitness, novelty, network size,
or any others) this module turns a ``(P, k)`` array of objective values into
such a score, in the order of NSGA-II's crowded comparison (Deb et al. 2002):

- ``pareto_ranks(objectives, maximize)``: the front of each genome; front 0
  holds the genomes no other genome dominates, front 1 those dominated only
  by front 0, and so on.  Genome ``a`` dominates ``b`` when ``a`` is at least
  as good in every objective and better in at least one;
- ``crowding_distance(objectives, ranks)``: how isolated a genome is within
  its front (larger is more isolated; ``inf`` at a front's boundaries);
- ``nsga2_scores(objectives, maximize)``: ``-rank + crowding / (k + 1)``
  (``inf`` crowding counts as ``k + 0.5``), so a better front always scores
  higher, and within a front a larger crowding distance scores higher;
- ``MultiObjective``: wraps ``evaluate(genomes) -> (P, k)`` into the
  ``evaluate(genomes, generation=g) -> scores`` that ``Population.run`` takes,
  optionally adding the network size (enabled connections, minimised).

Objective values must be finite real numbers: a NaN or an infinity is an
``EvaluationError`` naming the genome and the objective.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..errors import EvaluationError
from ..genome import Genome
from .fitness import takes_generation

__all__ = ["MultiObjective", "crowding_distance", "nsga2_scores", "pareto_ranks"]

CHUNK_ELEMENTS = 1 << 22
"""At most this many pairwise comparisons are held in memory at once (a few MB of booleans)."""

NETWORK_SIZE = "network size"


def checked_objectives(objectives: Any, size: int | None = None) -> np.ndarray:
    """``objectives`` as ``(P, k)`` float64, or ``EvaluationError`` saying what is wrong.

    Parameters
    ----------
    objectives
        One row per genome, one column per objective: a 2-d array or nested sequence of real numbers.
    size
        The number of genomes ``P`` the array must have, if known.

    Raises
    ------
    EvaluationError
        Not a 2-d array of real numbers with at least one column (and ``size`` rows), or a value that
        is NaN or infinite (the first such genome and objective are named).
    """
    try:
        array = np.asarray(objectives)
    except (TypeError, ValueError) as exc:
        raise EvaluationError(f"objectives must be a (P, k) array of real numbers: {exc}") from None
    expected = "a (P, k) array of real numbers, one row per genome and one column per objective"
    if array.ndim != 2 or array.shape[1] < 1:
        raise EvaluationError(f"objectives have shape {array.shape}; expected {expected}")
    if array.dtype.kind not in "iuf":
        raise EvaluationError(f"objectives have dtype {array.dtype}; expected {expected}")
    if size is not None and array.shape[0] != size:
        raise EvaluationError(f"expected objectives for {size} genomes (shape ({size}, k)), got shape {array.shape}")
    try:
        array = array.astype(np.float64)
    except OverflowError:  # pragma: no cover - integers beyond float64 are object arrays, refused above
        raise EvaluationError("objectives hold an integer too large for a float64") from None
    bad = ~np.isfinite(array)
    if bad.any():
        genome, objective = (int(i) for i in np.argwhere(bad)[0])
        raise EvaluationError(
            f"objective {objective} of genome {genome} is {array[genome, objective]}; objectives must be "
            "finite real numbers (give a failed genome a very bad finite value instead)"
        )
    return array


def _directions(maximize: bool | Sequence[bool], k: int) -> np.ndarray:
    """``maximize`` as ``(k,)`` bool; ``ValueError`` if it is neither a bool nor ``k`` bools."""
    if isinstance(maximize, (bool, np.bool_)):
        return np.full(k, bool(maximize))
    flags = list(maximize)
    if len(flags) != k or not all(isinstance(f, (bool, np.bool_)) for f in flags):
        raise ValueError(
            f"maximize must be True, False or a sequence of {k} bools (one per objective), got {maximize!r}"
        )
    return np.array(flags, dtype=bool)


def _dominates(costs: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """``(len(rows), len(cols))`` bool: genome ``rows[i]`` dominates genome ``cols[j]`` (costs minimised)."""
    a, b = costs[rows], costs[cols]
    no_worse = np.ones((len(rows), len(cols)), dtype=bool)
    better = np.zeros((len(rows), len(cols)), dtype=bool)
    for m in range(costs.shape[1]):
        am, bm = a[:, m, None], b[None, :, m]
        no_worse &= am <= bm
        better |= am < bm
    return no_worse & better


def _dominated_counts(costs: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """``(len(cols),)`` int64: how many of ``rows`` dominate each of ``cols``, in row chunks of bounded size."""
    counts = np.zeros(len(cols), dtype=np.int64)
    step = max(1, CHUNK_ELEMENTS // max(1, len(cols)))
    for start in range(0, len(rows), step):
        counts += _dominates(costs, rows[start : start + step], cols).sum(axis=0)
    return counts


def pareto_ranks(objectives: Any, maximize: bool | Sequence[bool] = True) -> np.ndarray:
    """The non-dominated front of each genome (fast non-dominated sort, vectorized).

    Parameters
    ----------
    objectives
        ``(P, k)`` finite real numbers: row ``i`` holds genome ``i``'s ``k`` objective values.
    maximize
        Whether each objective is maximised (True) or minimised (False): one bool for all, or ``k``.

    Returns
    -------
    numpy.ndarray
        ``(P,)`` int64: 0 for the genomes no other dominates, ``r + 1`` for those dominated only by
        genomes of fronts ``<= r``.  Equal rows never dominate each other (they share a front).

    Raises
    ------
    EvaluationError
        ``objectives`` is not a ``(P, k)`` array of finite real numbers (the genome is named).
    ValueError
        ``maximize`` is not a bool or ``k`` bools.

    Notes
    -----
    The ``(P, P)`` dominance matrix is never held whole: the number of genomes dominating each genome
    is counted over row chunks of at most ``CHUNK_ELEMENTS`` comparisons, then fronts are peeled
    off, each front's dominance rows against the genomes still unranked recomputed in chunks and
    subtracted from their counts.  Time ``O(P^2 k)``, memory ``O(P k + CHUNK_ELEMENTS)``.
    """
    values = checked_objectives(objectives)
    size, k = values.shape
    costs = np.where(_directions(maximize, k), -values, values)  # every objective minimised
    ranks = np.full(size, -1, dtype=np.int64)
    everyone = np.arange(size)
    counts = _dominated_counts(costs, everyone, everyone)
    remaining = np.ones(size, dtype=bool)
    front, rank = everyone[counts == 0], 0
    while front.size:
        ranks[front] = rank
        remaining[front] = False
        rest = everyone[remaining]
        if not rest.size:
            break
        counts[rest] -= _dominated_counts(costs, front, rest)
        front, rank = rest[counts[rest] == 0], rank + 1
    return ranks


def crowding_distance(objectives: Any, ranks: Any) -> np.ndarray:
    """NSGA-II's crowding distance of each genome within its front.

    For each front and each objective, the front's genomes are sorted by the objective's value
    (ties by genome index, lowest first); the first and last get ``inf``, every other genome adds
    ``(next value - previous value) / (largest - smallest value in the front)`` (0 when the front's
    values of that objective are all equal).  A front of one or two genomes is all ``inf``.  Whether
    an objective is maximised does not matter.

    Parameters
    ----------
    objectives
        ``(P, k)`` finite real numbers.
    ranks
        ``(P,)`` non-negative integers, each genome's front (``pareto_ranks``).

    Returns
    -------
    numpy.ndarray
        ``(P,)`` float64, each finite value in ``[0, k]``, or ``inf``.

    Raises
    ------
    EvaluationError
        ``objectives`` is not a ``(P, k)`` array of finite real numbers.
    ValueError
        ``ranks`` is not ``P`` non-negative integers.
    """
    values = checked_objectives(objectives)
    size, k = values.shape
    fronts = np.asarray(ranks)
    if fronts.shape != (size,) or fronts.dtype.kind not in "iu" or (size and fronts.min() < 0):
        raise ValueError(
            f"ranks must be {size} non-negative integers (one front per genome, as pareto_ranks returns), "
            f"got shape {fronts.shape} and dtype {fronts.dtype}"
        )
    distance = np.zeros(size, dtype=np.float64)
    if not size:
        return distance
    index = np.arange(size)
    for m in range(k):
        order = np.lexsort((index, values[:, m], fronts))  # front by front, ascending value, then index
        front = fronts[order]
        half = values[order, m] * 0.5  # halves: differences of finite values never overflow
        first = np.r_[True, front[1:] != front[:-1]]
        last = np.r_[front[1:] != front[:-1], True]
        group = np.cumsum(first) - 1
        span = half[last] - half[first]  # per front: largest - smallest value (halved)
        inner = np.flatnonzero(~(first | last))
        gap = half[inner + 1] - half[inner - 1]
        width = span[group[inner]]
        distance[order[inner]] += np.divide(gap, width, out=np.zeros_like(gap), where=width > 0)
        distance[order[first | last]] = np.inf
    return distance


def scores_from(ranks: np.ndarray, crowding: np.ndarray, k: int) -> np.ndarray:
    """``-rank + crowding / (k + 1)``, with ``inf`` crowding counted as ``k + 0.5`` (see ``nsga2_scores``)."""
    spread = np.where(np.isinf(crowding), k + 0.5, crowding) / (k + 1)
    return -np.asarray(ranks, dtype=np.float64) + spread


def nsga2_scores(objectives: Any, maximize: bool | Sequence[bool] = True) -> np.ndarray:
    """One higher-is-better score per genome, in NSGA-II's crowded-comparison order.

    ``score = -rank + c / (k + 1)``, where ``rank`` is the genome's front (``pareto_ranks``), ``k``
    the number of objectives and ``c`` its crowding distance (``crowding_distance``), an ``inf``
    crowding distance (a front's boundary) counting as ``c = k + 0.5``.  A finite crowding distance
    is at most ``k``, so a genome's score lies in ``(-rank - 1, -rank + 1)`` minus a margin of
    ``0.5 / (k + 1)`` at the top: front 0 scores in ``[0, 1)``, front 1 in ``[-1, 0)``, and so on.

    Hence a genome of a better front always scores strictly higher; within a front, a larger
    crowding distance never scores lower (equal crowding distances score equal; two that differ by
    less than float64 resolution at the score's magnitude, about ``1e-16 * rank``, may score
    equal), and the boundary genomes score highest.  The scores are what NEAT reproduction (fitness
    sharing) and the GA maximise: use a config with ``[run] objective = "max"``.

    Parameters
    ----------
    objectives
        ``(P, k)`` finite real numbers.
    maximize
        Whether each objective is maximised: one bool for all, or ``k`` bools.

    Returns
    -------
    numpy.ndarray
        ``(P,)`` float64.

    Raises
    ------
    EvaluationError
        ``objectives`` is not a ``(P, k)`` array of finite real numbers (the genome is named).
    ValueError
        ``maximize`` is not a bool or ``k`` bools.
    """
    values = checked_objectives(objectives)
    ranks = pareto_ranks(values, maximize)
    return scores_from(ranks, crowding_distance(values, ranks), values.shape[1])


def network_sizes(genomes: Sequence[Any]) -> np.ndarray:
    """``(P,)`` float64: each genome's number of enabled connections (read from the pool when there is one)."""
    pool = getattr(genomes, "pool", None)
    if pool is not None:
        enabled = np.concatenate([[0], np.cumsum(pool.conns.enabled, dtype=np.int64)])
        return (enabled[pool.conn_offsets[1:]] - enabled[pool.conn_offsets[:-1]]).astype(np.float64)
    return np.array([g.num_enabled for g in genomes], dtype=np.float64)


class MultiObjective:
    """``evaluate(genomes) -> (P, k)`` objectives as ``evaluate(genomes, generation=g) -> scores``.

    The scores are ``nsga2_scores`` of the objectives: give the wrapper to ``Population.run`` (or
    score a generation for ``Population.tell``) with a config whose ``[run] objective = "max"``
    and that has no ``fitness_threshold`` (it would compare scores, not objectives; stop with
    ``stop=`` instead).

    Parameters
    ----------
    evaluate
        ``evaluate(genomes) -> objectives``: a ``(P, k)`` array (or ``(P,)`` for one objective) of
        finite real numbers, one row per genome in order.  If it takes a ``generation`` keyword it
        is given the generation.  ``None``: no objectives of your own (then ``network_size`` must
        be true).
    maximize
        Whether each of your objectives is maximised: one bool for all, or one per column.
    network_size
        If true, one more objective (the last column): the number of enabled connections, minimised.

    Attributes
    ----------
    objectives : numpy.ndarray or None
        ``(P, k)`` float64 (read-only): the last generation's objective values, the network size
        last when asked for; None before the first call.
    maximize : tuple of bool or None
        Per column of ``objectives``: whether it was maximised.
    ranks, crowding, scores : numpy.ndarray or None
        The last generation's fronts, crowding distances and scores (read-only).
    front_size : int
        How many genomes of the last generation are in front 0 (non-dominated).
    front : numpy.ndarray
        Their indices in the generation (int64).
    front_genomes : list of Genome
        Those genomes (copies that outlive the generation).
    generation : int or None
        The generation last evaluated, when it was given.
    """

    def __init__(
        self,
        evaluate: Callable[..., Any] | None,
        maximize: bool | Sequence[bool] = True,
        *,
        network_size: bool = False,
    ) -> None:
        if evaluate is None and not network_size:
            raise ValueError("MultiObjective needs objectives: pass evaluate, or network_size=True, or both")
        if evaluate is not None and not callable(evaluate):
            raise TypeError(f"evaluate must be callable (genomes -> (P, k) objectives), got {type(evaluate).__name__}")
        if not isinstance(maximize, (bool, np.bool_)):
            maximize = tuple(maximize)
            if not maximize or not all(isinstance(f, (bool, np.bool_)) for f in maximize):
                raise ValueError(f"maximize must be True, False or a sequence of bools, got {maximize!r}")
        self._evaluate = evaluate
        self._pass_generation = evaluate is not None and takes_generation(evaluate)
        self._maximize = maximize
        self.network_size = bool(network_size)
        self.objectives: np.ndarray | None = None
        self.maximize: tuple[bool, ...] | None = None
        self.ranks: np.ndarray | None = None
        self.crowding: np.ndarray | None = None
        self.scores: np.ndarray | None = None
        self.front_size = 0
        self.front = np.empty(0, dtype=np.int64)
        self.front_genomes: list[Any] = []
        self.generation: int | None = None

    def _own_objectives(self, genomes: Sequence[Any], generation: int | None) -> np.ndarray:
        """The wrapped evaluate's ``(P, k)`` objectives, checked (``(P, 0)`` without one)."""
        size = len(genomes)
        if self._evaluate is None:
            return np.empty((size, 0), dtype=np.float64)
        if self._pass_generation:
            returned = self._evaluate(genomes, generation=generation)
        else:
            returned = self._evaluate(genomes)
        if not isinstance(returned, np.ndarray) and hasattr(returned, "__array__"):
            returned = np.asarray(returned)
        if np.ndim(returned) == 1:
            returned = np.asarray(returned)[:, None]
        values = checked_objectives(returned, size)
        k = values.shape[1]
        if not isinstance(self._maximize, (bool, np.bool_)) and len(self._maximize) != k:
            raise EvaluationError(
                f"evaluate returned {k} objectives per genome, but maximize= gives {len(self._maximize)} "
                "directions; give one bool per objective (or a single bool for all)"
            )
        return values

    def __call__(self, genomes: Sequence[Any], generation: int | None = None) -> np.ndarray:
        """The generation's ``(P,)`` float64 scores; keeps its objectives, fronts and scores.

        Raises
        ------
        EvaluationError
            The objectives are not ``(P, k)`` finite real numbers (the genome and objective are
            named), or their number does not match ``maximize``.
        """
        own = self._own_objectives(genomes, generation)
        directions = list(_directions(self._maximize, own.shape[1]))
        columns = [own]
        if self.network_size:
            columns.append(network_sizes(genomes)[:, None])
            directions.append(False)
        values = np.concatenate(columns, axis=1)
        ranks = pareto_ranks(values, [bool(d) for d in directions])
        crowding = crowding_distance(values, ranks)
        scores = scores_from(ranks, crowding, values.shape[1])
        for array in (values, ranks, crowding, scores):
            array.flags.writeable = False
        self.objectives, self.ranks, self.crowding, self.scores = values, ranks, crowding, scores
        self.maximize = tuple(bool(d) for d in directions)
        self.front = np.flatnonzero(ranks == 0)
        self.front_size = len(self.front)
        chosen = [genomes[int(i)] for i in self.front]
        self.front_genomes = [g.copy() if isinstance(g, Genome) else g for g in chosen]
        self.generation = generation
        return np.array(scores)

    def generation_statistics(self) -> dict[str, float | int | str]:
        """``front_size`` of the last generation, after the wrapped evaluate's own statistics if it has any."""
        own = getattr(getattr(self._evaluate, "__self__", self._evaluate), "generation_statistics", None)
        stats = dict(own()) if callable(own) else {}
        stats["front_size"] = self.front_size
        return stats

    def __repr__(self) -> str:
        size = f", network_size={self.network_size}" if self.network_size else ""
        return f"MultiObjective({self._evaluate!r}, maximize={self._maximize!r}{size})"
