"""``compile``: a genome to the network that evaluates it, chosen by the genome's config."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..genome import Genome
from .feedforward import FeedForwardNetwork, compile_feedforward
from .recurrent import RecurrentNetwork, compile_recurrent

__all__ = ["compile"]


def compile(
    genome: Genome, dtype: Any = np.float64, *, validate: bool = False
) -> FeedForwardNetwork | RecurrentNetwork:
    """Compile ``genome`` into a network.

    ``feed_forward = true`` in the genome's config gives a ``FeedForwardNetwork``
    (``compile_feedforward``), ``false`` a ``RecurrentNetwork``
    (``compile_recurrent``).  ``dtype`` is ``float64`` (default) or ``float32``;
    ``validate`` runs ``genome.validate()`` first.
    """
    if genome.config.feed_forward:
        return compile_feedforward(genome, dtype, validate=validate)
    return compile_recurrent(genome, dtype, validate=validate)
