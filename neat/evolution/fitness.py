"""The contract of fitness evaluation as the run loop sees it.

``evaluate(genomes) -> fitness`` returns one real number per genome, in
order, and does not modify the genomes.  An ``evaluate`` that also takes a
``generation`` keyword is told the generation it evaluates (so what it
draws per generation, such as episode seeds, is the same in a resumed run).

What counts as a fitness is decided in one place, for every path:

- ``fitness_value(value, index)`` checks one genome's value (``neat.Evaluator``
  calls it on what the per-genome fitness function returned, in this process
  and in workers);
- ``fitness_values(fitness, size)`` checks a whole generation's values (what
  ``evaluate`` returned to ``Population.tell`` / ``run``) with the same rules;
- ``checked_fitness`` adds ``[run] invalid_fitness``: what to do with NaN and
  infinite values.

A fitness is a real number: a Python ``int`` or ``float``, a NumPy integer
or floating scalar (or a 0-d array of one), or another ``numbers.Real``
(``fractions.Fraction``).  ``bool``, complex numbers, strings, bytes,
``None``, containers and numbers too large for a float64 are refused with an
``EvaluationError`` naming the genome.  A generation's fitness is a sequence
(``list``, ``tuple``, ...) or a 1-d array of them, one per genome.
"""

from __future__ import annotations

import inspect
import math
import numbers
import warnings
from collections.abc import Callable, Mapping, Sequence, Set
from typing import Any

import numpy as np

from ..errors import EvaluationError
from ..genome import Genome

__all__ = [
    "Evaluate",
    "InvalidFitnessWarning",
    "takes_generation",
    "fitness_value",
    "fitness_values",
    "checked_fitness",
]

Evaluate = Callable[[list[Genome]], Any]
"""``evaluate(genomes) -> fitness``: one number per genome, in order; genomes are not modified."""

REAL_NUMBER = "a real number (a Python or NumPy int or float)"


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


def _shown(value: Any, limit: int = 60) -> str:
    """``value`` for a message: its repr (shortened) and its type."""
    try:
        text = repr(value)
    except Exception:  # a broken __repr__ must not hide the real error
        text = "<unprintable>"
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return text if value is None else f"{text} ({type(value).__name__})"


def _is_real(value: Any) -> bool:
    if isinstance(value, (bool, np.bool_)):
        return False
    if isinstance(value, np.ndarray):
        return value.ndim == 0 and value.dtype.kind in "iuf"
    return isinstance(value, numbers.Real)


def fitness_value(value: Any, index: int) -> float:
    """One genome's fitness as a ``float``, or ``EvaluationError`` naming the genome.

    Parameters
    ----------
    value
        What the fitness function returned for the genome: a real number (see
        the module's docstring).  NaN and infinities are returned as they are;
        ``[run] invalid_fitness`` decides about them.
    index
        The genome's index in its generation (named in the error).

    Raises
    ------
    EvaluationError
        ``value`` is not a real number, or is too large for a float64.
    """
    if not _is_real(value):
        raise EvaluationError(f"fitness of genome {index} is {_shown(value)}; a fitness must be {REAL_NUMBER}")
    try:
        result = float(value)
        overflow = math.isinf(result) and isinstance(value, (np.floating, np.ndarray)) and not np.isinf(value)
    except OverflowError:  # a Python int or a Fraction beyond the float64 range
        overflow = True
    except (TypeError, ValueError) as exc:  # a numbers.Real whose __float__ fails
        raise EvaluationError(f"fitness of genome {index} is {_shown(value)}, which is not a float: {exc}") from None
    if overflow:
        raise EvaluationError(
            f"fitness of genome {index} is {_shown(value)}, too large for a float64 (at most about 1.8e308)"
        )
    return result


def fitness_values(fitness: Any, size: int) -> np.ndarray:
    """A generation's fitness as ``(size,)`` float64, NaN and infinities included.

    The same rules as ``fitness_value`` for each genome, whose index the
    error names (the first bad one).

    Parameters
    ----------
    fitness
        One real number per genome, in order: a sequence, or a 1-d array of
        a real dtype (or any array-like that NumPy converts to one).
    size
        The number of genomes.

    Raises
    ------
    EvaluationError
        ``fitness`` is not a sequence or a 1-d array, has the wrong length, or
        holds a value that is not a real number.
    """
    expected = f"{size} real numbers, one per genome in order, as a sequence or a 1-d array"
    if not isinstance(fitness, np.ndarray) and hasattr(fitness, "__array__"):
        fitness = np.asarray(fitness)  # pandas, array-API arrays, ...
    if isinstance(fitness, np.ndarray):
        if fitness.shape != (size,):
            raise EvaluationError(
                f"expected {size} fitness values (one per genome, shape ({size},)), got shape {fitness.shape}"
            )
        if fitness.dtype.kind not in "iuf":  # bool, complex, strings, objects: judged one by one
            return np.array([fitness_value(v, i) for i, v in enumerate(fitness)], dtype=np.float64)
        with np.errstate(over="ignore"):
            values = fitness.astype(np.float64)
        if fitness.dtype.kind == "f":  # a long double can be too large for a float64
            too_large = np.flatnonzero(np.isinf(values) & ~np.isinf(fitness))
            if too_large.size:
                fitness_value(fitness[too_large[0]], int(too_large[0]))
        return values
    if isinstance(fitness, Mapping):
        raise EvaluationError(
            f"fitness is a {type(fitness).__name__} of {len(fitness)} items; expected {expected} "
            "(a mapping has no genome order: list its values in the order of the genomes)"
        )
    if isinstance(fitness, (str, bytes, bytearray, Set)) or not isinstance(fitness, Sequence):
        hint = "; make it a list" if hasattr(fitness, "__next__") else ""
        raise EvaluationError(f"fitness is {_shown(fitness)}; expected {expected}{hint}")
    if len(fitness) != size:
        raise EvaluationError(
            f"expected {size} fitness values (one per genome, shape ({size},)), got shape ({len(fitness)},)"
        )
    if set(map(type, fitness)) <= _PLAIN_REALS:  # the common case, converted in one call
        try:
            return np.array(fitness, dtype=np.float64)
        except OverflowError:  # an int too large: named below
            pass
    return np.array([fitness_value(v, i) for i, v in enumerate(fitness)], dtype=np.float64)


_PLAIN_REALS = {float, int, np.float64, np.float32, np.int64, np.int32}
"""Types whose values ``np.array(..., dtype=float64)`` converts exactly as ``fitness_value`` does."""


def checked_fitness(
    fitness: Any, size: int, *, invalid: str = "error", minimize: bool = False, generation: int = 0
) -> np.ndarray:
    """``fitness`` as ``(size,)`` float64, or ``EvaluationError`` naming the first bad value.

    Parameters
    ----------
    fitness
        One real number per genome: a sequence or a 1-D real array (see
        ``fitness_values``).
    invalid
        ``[run] invalid_fitness``: ``"error"`` refuses NaN and infinite values;
        ``"worst"`` replaces them with the worst finite value of the
        generation (with an ``InvalidFitnessWarning``).
    minimize
        True when lower fitness is better (decides what "worst" is).
    generation
        Shown in the warning.
    """
    values = fitness_values(fitness, size)
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
