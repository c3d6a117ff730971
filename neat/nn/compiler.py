"""``compile``: a genome to the network that evaluates it, chosen by the genome's config."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..genome import Genome
from .feedforward import FeedForwardNetwork, compile_feedforward
from .recurrent import RecurrentNetwork, compile_recurrent

__all__ = ["compile"]


def compile(
    genome: Genome, dtype: Any = np.float64, *, validate: bool = False, exact: bool = False
) -> FeedForwardNetwork | RecurrentNetwork:
    """Compile ``genome`` into a network.

    ``feed_forward = true`` in the genome's config gives a ``FeedForwardNetwork``
    (``compile_feedforward``), ``false`` a ``RecurrentNetwork``
    (``compile_recurrent``).  ``dtype`` is ``float64`` (default) or ``float32``;
    ``validate`` runs ``genome.validate()`` first.

    ``exact`` (default ``False``) selects exact mode.  By default a network's
    sums are BLAS matrix products, whose order of additions depends on the
    shapes of the call: the network alone and inside a population stack
    (``compile_population``) agree to rounding, and can differ in the last
    bits.  With ``exact=True`` every sum adds its terms in one canonical order
    (ascending source, a fixed tree; ``neat.nn._terms.sum_terms``) and other
    aggregations reduce contiguous rows, so an exact network gives the same
    bits alone, inside any exact stack (``compile_population(...,
    exact=True)``, any subset), and for any batch size.  It is slower.
    """
    if genome.config.feed_forward:
        return compile_feedforward(genome, dtype, validate=validate, exact=exact)
    return compile_recurrent(genome, dtype, validate=validate, exact=exact)
