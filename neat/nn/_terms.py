"""The sums of exact mode (not public API): what makes a network's outputs the same bits alone and in any stack.

**Exact mode** (``exact=True``).  By default a block's sums are BLAS matrix
products, which group their additions by the shapes and strides of the call:
a network alone and inside a population stack agree to rounding only.  In
exact mode a sum node's pre-activation is the sum of its *terms*: its bias
(times the constant row) and ``weight * response`` times the value of each
enabled connection's source.  Every exact network, single or stacked, adds
them the same way (``sum_terms``): the terms of a node in ascending order of
their source's buffer row (the bias first), padded to a power of two ``F``
with terms that are exactly ``-0.0`` (the additive identity of IEEE
arithmetic: ``x + (-0.0) == x`` for every ``x``, zeros of both signs
included), multiplied and then added in a fixed tree (term ``i`` with term
``i + F/2``, then again on the first half, ...).  Padding a node's terms to a
larger power of two only adds subtrees of ``-0.0`` on the right, so the
result does not depend on ``F``, hence not on the other nodes, networks, the
batch or the padding of a population stack.  Other aggregations reduce a
contiguous last axis (the same for any number of nodes and batch), and the
buffer is always ``(rows, batch)``.

``pack_terms`` lays the terms out at compile time, ``sum_terms`` adds them;
single networks (``neat.nn._common.build_blocks``) and both population stacks
use these two, so every exact network adds every sum the same way.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

__all__ = ["Terms", "pack_terms", "sum_terms"]


class Terms(NamedTuple):
    """The sums of a block in exact mode, as ``sum_terms`` reads them."""

    src: np.ndarray  # (F, *shape) int64 buffer rows
    weight: np.ndarray  # (F, *shape, 1)


def pack_terms(
    block: np.ndarray,
    column: np.ndarray,
    src: np.ndarray,
    weight: np.ndarray,
    widths: np.ndarray,
    dtype: np.dtype,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Lay out the terms of sums, block by block, as ``sum_terms`` reads them (exact mode).

    Parameters
    ----------
    block, column : (t,) int
        The block of every term and its sum's column within the block.
    src : (t,) int
        The buffer row each term reads.
    weight : (t,) float64
        Each term's weight (cast to ``dtype`` here, once).
    widths : (K,) int
        Columns (sums) of every block, each at least 1.
    dtype : numpy.dtype
        Type of the weights.

    Returns
    -------
    flat_src : (T,) int64
        Block ``k``'s terms are ``flat_src[offsets[k]:offsets[k + 1]]`` as
        ``(depth[k], widths[k])``: row ``r`` holds every sum's ``r``-th term
        by ascending ``src`` (equal sources in the given order); missing terms
        read row 0 with the weight ``-0.0``.
    flat_weight : (T,) dtype
        The weights, laid out as ``flat_src``.
    offsets : (K + 1,) int64
    depth : (K,) int64
        The smallest power of two at least the most terms of a sum of the block (at least 1).
    """
    widths = np.asarray(widths, dtype=np.int64)
    col_start = np.zeros(len(widths) + 1, dtype=np.int64)
    np.cumsum(widths, out=col_start[1:])
    target = col_start[block] + column
    order = np.lexsort((src, target))
    target = target[order]
    count = np.bincount(target, minlength=int(col_start[-1]))
    first = np.zeros(len(count) + 1, dtype=np.int64)
    np.cumsum(count, out=first[1:])
    rank = np.arange(len(target)) - first[target]
    most = np.maximum.reduceat(count, col_start[:-1]) if len(count) else np.zeros(0, dtype=np.int64)
    depth = np.ones(len(widths), dtype=np.int64)
    while np.any(depth < most):
        depth = np.where(depth < most, depth * 2, depth)
    offsets = np.zeros(len(widths) + 1, dtype=np.int64)
    np.cumsum(depth * widths, out=offsets[1:])
    k = block[order]
    pos = offsets[k] + rank * widths[k] + column[order]
    flat_src = np.zeros(int(offsets[-1]), dtype=np.int64)
    flat_src[pos] = src[order]
    flat_weight = np.full(int(offsets[-1]), -0.0, dtype=dtype)
    flat_weight[pos] = weight[order]
    return flat_src, flat_weight, offsets, depth


def sum_terms(values: np.ndarray, src: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """The sums of terms, added in the one fixed order every exact network uses.

    Parameters
    ----------
    values : (rows, batch)
        The buffer the terms read.
    src : (F, *shape) int
        Row of every term; ``F`` a power of two, row ``r`` the ``r``-th
        term of every sum (in ascending source order, padded with ``-0.0`` terms).
    weight : (F, *shape, 1)
        The terms' weights.

    Returns
    -------
    (*shape, batch)
        A new array: ``sum_r weight[r] * values[src[r]]`` with every product
        rounded, then term ``i`` added to term ``i + F/2``, the first half so
        again, until one is left.  The result does not depend on ``F`` (a
        larger one adds ``-0.0``) nor on ``shape`` (elementwise).
    """
    T = values[src]
    np.multiply(T, weight, out=T)
    h = len(T)
    while h > 1:
        h >>= 1
        T[:h] += T[h : 2 * h]
    return T[0]
