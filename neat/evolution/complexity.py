"""Complexity regulation: SharpNEAT's phased search, alternating complexifying and simplifying phases.

With ``[reproduction] complexity_regulation = "absolute"`` or ``"relative"``
the population measures the mean complexity of every generation it is told
the fitness of (``mean_complexity``), and ``regulate`` decides the phase
that breeds the next generation:

* complexifying (NEAT as configured) -> simplifying when the mean exceeds
  the ceiling: ``complexity_ceiling`` itself (``"absolute"``), or the mean
  at the end of the last simplifying phase (at first: of generation 0)
  plus ``complexity_ceiling`` (``"relative"``);
* simplifying -> complexifying when the phase has lasted
  ``min_simplify_generations``, the mean is under the ceiling (relative:
  the last generation's mean plus the margin) and the moving average of the
  mean over the last ``complexity_window`` generations did not fall since
  the generation before (simplification has stalled), both averages over
  generations of this phase (from the switch on).

A simplifying generation is bred with ``simplifying_config(config)``: no
add-node, no add-connection, no enabled-flag flips, deletions at
``simplify_conn_delete_prob`` / ``simplify_node_delete_prob``, and every
child a mutated copy of one parent (no crossover, which could join two
parents' genes), so no child holds a gene its parent lacked; and every
species keeps its ``elitism`` champions whatever its size
(``elitism_min_species_size`` 0): deletions split the population into many
small species, which would otherwise keep no champion and lose the best
networks while they are pruned.

The regulation's state (``Regulation``) is data: the population keeps it,
checkpoints save it, and a resumed run continues bit for bit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from ..config import Config
from ..genome.pool import GenePool

__all__ = ["PHASES", "Regulation", "mean_complexity", "regulate", "simplifying_config"]

PHASES = ("complexify", "simplify")
"""The two phases of complexity regulation."""


@dataclass(frozen=True)
class Regulation:
    """The state of complexity regulation after a generation.

    Attributes
    ----------
    phase
        ``"complexify"`` or ``"simplify"``: the phase that breeds the next generation.
    last_switch
        The generation in which the phase last changed (0 before any change).
    ceiling
        The ceiling in force (None before the first generation is measured).
    history
        The mean complexity of the last ``complexity_window + 1`` generations, oldest first.
    """

    phase: str = "complexify"
    last_switch: int = 0
    ceiling: float | None = None
    history: tuple[float, ...] = ()

    @property
    def complexity(self) -> float | None:
        """The mean complexity of the generation measured last."""
        return self.history[-1] if self.history else None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (``from_dict`` reads it back equal)."""
        return {"phase": self.phase, "last_switch": self.last_switch, "ceiling": self.ceiling,
                "history": list(self.history)}

    @classmethod
    def from_dict(cls, data: Any) -> Regulation:
        """The state ``to_dict`` gave; ``ValueError`` saying what is wrong when it is not one."""
        if not isinstance(data, dict) or set(data) != {"phase", "last_switch", "ceiling", "history"}:
            raise ValueError("complexity regulation state must be a table with keys phase, last_switch, ceiling, "
                             f"history; got {data!r:.80}")
        phase, last, ceiling, history = data["phase"], data["last_switch"], data["ceiling"], data["history"]
        if phase not in PHASES:
            raise ValueError(f"complexity regulation phase is {phase!r:.40}; expected one of {list(PHASES)}")
        if not isinstance(last, int) or isinstance(last, bool) or last < 0:
            raise ValueError(f"complexity regulation last_switch is {last!r:.40}; expected an integer >= 0")
        if ceiling is not None and not _finite(ceiling):
            raise ValueError(f"complexity regulation ceiling is {ceiling!r:.40}; expected a finite number or null")
        if not isinstance(history, list) or not all(_finite(x) and x >= 0 for x in history):
            raise ValueError("complexity regulation history must be a list of finite numbers >= 0")
        return cls(phase, last, None if ceiling is None else float(ceiling), tuple(float(x) for x in history))


def _finite(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def mean_complexity(pool: GenePool, metric: str = "connections") -> float:
    """The mean complexity of the genomes of ``pool``.

    ``"connections"``: enabled connections per genome; ``"genes"``: connection
    genes (enabled or not) plus hidden nodes per genome.
    """
    if not len(pool):
        return 0.0
    if metric == "connections":
        return float(np.count_nonzero(pool.conns.enabled)) / len(pool)
    if metric == "genes":
        cfg = pool.config
        hidden = len(pool.nodes.id) - len(pool) * (cfg.num_inputs + cfg.num_outputs)
        return float(len(pool.conns.innovation) + hidden) / len(pool)
    raise ValueError(f"complexity metric is {metric!r}; expected 'connections' or 'genes'")


def _moving_average(history: tuple[float, ...], window: int) -> float:
    return float(np.mean(history[-window:]))


def regulate(state: Regulation, complexity: float, generation: int, config: Config) -> Regulation:
    """The regulation after generation ``generation`` whose mean complexity is ``complexity`` (see the module)."""
    rc = config.reproduction
    relative = rc.complexity_regulation == "relative"
    history = (*state.history, float(complexity))[-(rc.complexity_window + 1):]
    ceiling = state.ceiling
    if ceiling is None:  # the first generation measured
        ceiling = complexity + rc.complexity_ceiling if relative else rc.complexity_ceiling
    phase, last = state.phase, state.last_switch
    if phase == "complexify":
        if complexity > ceiling:
            phase, last = "simplify", generation
    else:
        window = rc.complexity_window  # both averages over means of this phase only (from the switch on)
        stalled = generation - last >= window and len(history) > window and (
            _moving_average(history, window) >= _moving_average(history[:-1], window))
        if generation - last >= rc.min_simplify_generations and complexity < ceiling and stalled:
            phase, last = "complexify", generation
        if relative:  # the margin above the population's current (simplified) mean
            ceiling = complexity + rc.complexity_ceiling
    if not relative:
        ceiling = rc.complexity_ceiling
    return Regulation(phase, last, float(ceiling), history)


def simplifying_config(config: Config) -> Config:
    """``config`` as a simplifying phase breeds: deletions only, mutated copies only, every species' elites kept."""
    rc = config.reproduction
    mutation = replace(config.mutation, conn_add_prob=0.0, node_add_prob=0.0, enabled_mutate_rate=0.0,
                       conn_delete_prob=rc.simplify_conn_delete_prob, node_delete_prob=rc.simplify_node_delete_prob)
    return replace(config, mutation=mutation,
                   reproduction=replace(rc, mutate_only_fraction=1.0, elitism_min_species_size=0))
