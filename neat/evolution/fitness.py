"""The contract of fitness evaluation as the run loop sees it.

``evaluate(genomes) -> fitness`` returns one real number per genome, in
order, and does not modify the genomes.  An ``evaluate`` that also takes a
``generation`` keyword is told the generation it evaluates (so what it
draws per generation, such as episode seeds, is the same in a resumed run).
``checked_fitness`` turns what it returned into a ``(P,)`` float64 array or
raises ``EvaluationError`` saying what is wrong.
"""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from ..errors import EvaluationError
from ..genome import Genome

__all__ = ["Evaluate", "InvalidFitnessWarning", "takes_generation", "checked_fitness"]

Evaluate = Callable[[list[Genome]], Any]
"""``evaluate(genomes) -> fitness``: one number per genome, in order; genomes are not modified."""


class InvalidFitnessWarning(RuntimeWarning):
    """Some genomes got a NaN/inf fitness and were given the worst fitness instead."""


def takes_generation(function: Callable[..., Any]) -> bool:
    """True when ``function`` takes a ``generation`` keyword argument (then it is told the generation)."""
    try:
        parameter = inspect.signature(function).parameters.get("generation")
    except (TypeError, ValueError):
        return False
    return parameter is not None and parameter.kind in (
        inspect.Parameter.KEYWORD_ONLY,
        inspect.Parameter.POSITIONAL_OR_KEYWORD,
    )


def checked_fitness(
    fitness: Any, size: int, *, invalid: str = "error", minimize: bool = False, generation: int = 0
) -> np.ndarray:
    """``fitness`` as ``(size,)`` float64, or ``EvaluationError`` naming the first bad value.

    Parameters
    ----------
    fitness
        One real number per genome: a sequence or a 1-D real array.
    invalid
        ``[run] invalid_fitness``: ``"error"`` refuses NaN and infinite values;
        ``"worst"`` replaces them with the worst finite value of the
        generation (with an ``InvalidFitnessWarning``).
    minimize
        True when lower fitness is better (decides what "worst" is).
    generation
        Shown in the warning.
    """
    if not (isinstance(fitness, np.ndarray) and fitness.dtype.kind in "fiu"):
        try:
            items = list(fitness)
        except TypeError:
            raise EvaluationError(
                f"fitness must be a sequence of {size} numbers, got {type(fitness).__name__}"
            ) from None
        for i, v in enumerate(items):
            if v is None or isinstance(v, (str, bytes, bool)) or np.ndim(v) != 0:
                raise EvaluationError(f"fitness of genome {i} is {v!r}; fitness values must be numbers")
        fitness = items
    try:
        values = np.array(fitness, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise EvaluationError(f"fitness values must be numbers: {exc}") from None
    if values.shape != (size,):
        raise EvaluationError(
            f"expected {size} fitness values (one per genome, shape ({size},)), got shape {values.shape}"
        )
    bad = np.flatnonzero(~np.isfinite(values))
    if bad.size:
        listed = ", ".join(f"genome {i}: {values[i]}" for i in bad[:10].tolist())
        more = f" and {bad.size - 10} more" if bad.size > 10 else ""
        if invalid == "error" or bad.size == size:
            raise EvaluationError(f"fitness must be finite; got {listed}{more}")
        finite = values[np.isfinite(values)]
        worst = float(finite.max() if minimize else finite.min())
        warnings.warn(
            f"generation {generation}: non-finite fitness ({listed}{more}) replaced by the worst, {worst}",
            InvalidFitnessWarning,
            stacklevel=4,
        )
        values[bad] = worst
    return values
