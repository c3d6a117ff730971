"""The visual discrimination ("boxes") task of HyperNEAT (Gauci and Stanley 2007; Stanley et al. 2009).

A network sees an 11 x 11 binary field holding two boxes, a small 1 x 1 box
and a large 3 x 3 box, through an input sheet with one node per pixel, and
must point at the centre of the large box with the most active node of an
output sheet of the same size.  A CPPN paints the weights of all
``121 x 121 = 14,641`` input-to-output connections from their geometry
(HyperNEAT, ``neat.nn.hyperneat``), so one small genome describes the whole
network, and the same CPPN decodes onto a finer sheet (33 x 33: 1,185,921
connections) without further evolution.

The test fields
---------------
Cells are ``(column, row)`` of the 11 x 11 field, ``(0, 0)`` at the top left.
The large box's centre takes each of the 25 positions ``{1, 3, 5, 7, 9}^2``
(every box lies wholly inside the field; the positions are spread evenly).
For each, the small box lies 5 cells away in one of three directions: right
``(+5, 0)``, down ``(0, +5)`` and diagonally ``(+5, +5)``; a coordinate past
the last cell wraps around to the other side (``mod 11``), as in the paper.
That is ``25 x 3 = 75`` fields (``box_positions``), the same for every
genome and generation; the boxes never overlap.

A finer field of ``resolution`` r pixels per side covers the same square: a
pixel is on when its centre lies in a cell that is on, so at ``r = 33`` each
cell is 3 x 3 pixels and the large box 9 x 9.

The substrate
-------------
Two sheets in the plane: input and output node ``k = row * r + col`` both
sit at the centre of pixel ``(col, row)``, ``x = -1 + (2 col + 1) / r``,
``y = -1 + (2 row + 1) / r`` (so a cell's centre has the same coordinates
at every resolution).  Every input connects to every output.  The CPPN gets
``x1, y1, x2, y2`` and the distance ``d`` (``distance_input``) and outputs
the weight; weights are expressed and scaled by the substrate's threshold
rule (``neat.nn.substrate``).  Output nodes are ``tanh`` with no bias.

Scoring
-------
The network's choice in a field is its most active output node (the first
one, in node order, on a tie: ``numpy.argmax``; a flat output thus picks the
top-left pixel).  Its distance ``d`` to the target is measured in cells from
the chosen pixel's centre to the large box's centre.  A field is a hit when
the chosen pixel lies in the large box's centre cell (at 11 x 11: is that
cell).  Over the 75 fields::

    fitness      = 1 - sqrt(mean(d^2)) / D_max          (in [0, 1], 1 = every choice on target)
    success_rate = hits / 75

``D_max = 10 sqrt(2)``, the largest distance between two cells: the paper's
sum of squared distances, made a root mean and scaled to ``[0, 1]``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

from ..errors import ConfigError
from ..genome import Genome
from ..nn.feedforward import FeedForwardNetwork
from ..nn.hyperneat import decode, decode_population
from ..nn.population import PopulationNetwork
from ..nn.substrate import Substrate

__all__ = [
    "BoxesScore",
    "BoxesTask",
    "DIRECTIONS",
    "FIELD_SIZE",
    "LARGE_BOX_CENTRES",
    "SMALL_BOX_DISTANCE",
    "SUCCESS_THRESHOLD",
    "box_positions",
    "pixel_coordinates",
    "render_fields",
]

FIELD_SIZE = 11
"""Cells per side of the task's field."""

LARGE_BOX_CENTRES = (1, 3, 5, 7, 9)
"""Columns (and rows) of the large box's centre: 25 positions."""

SMALL_BOX_DISTANCE = 5
"""Cells between the large box's centre and the small box, along each axis moved."""

DIRECTIONS = {"right": (1, 0), "down": (0, 1), "diagonal": (1, 1)}
"""Where the small box lies from the large one (unit steps in (column, row), times ``SMALL_BOX_DISTANCE``)."""

SUCCESS_THRESHOLD = 0.95
"""A network solves the task when its success rate is at least this (72 of the 75 fields)."""

MAX_DISTANCE = float(np.hypot(FIELD_SIZE - 1, FIELD_SIZE - 1))
"""The largest distance between two cells: fitness 0 at this root mean squared distance."""


class BoxesScore(NamedTuple):
    """How networks did on the 75 fields: each entry a float, or a ``(P,)`` array for a population."""

    fitness: Any
    success_rate: Any
    mean_distance: Any


def box_positions() -> tuple[np.ndarray, np.ndarray]:
    """The 75 test cases: ``(large, small)``, each ``(75, 2)`` int64 ``(column, row)`` cells.

    ``large`` is the large box's centre, ``small`` the small box; cases go by
    the large box's row, then column (``LARGE_BOX_CENTRES``), then direction
    (right, down, diagonal).
    """
    centres = np.array(LARGE_BOX_CENTRES, dtype=np.int64)
    rows, cols = np.meshgrid(centres, centres, indexing="ij")
    large = np.repeat(np.stack([cols.ravel(), rows.ravel()], axis=1), len(DIRECTIONS), axis=0)
    steps = np.tile(np.array(list(DIRECTIONS.values()), dtype=np.int64), (len(centres) ** 2, 1))
    small = (large + SMALL_BOX_DISTANCE * steps) % FIELD_SIZE
    return large, small


def pixel_coordinates(resolution: int) -> np.ndarray:
    """``(r * r, 2)`` float64 ``(x, y)`` centres of the pixels of an ``r x r`` sheet, row-major, in ``[-1, 1]``."""
    r = _resolution(resolution)
    centres = -1.0 + (2.0 * np.arange(r) + 1.0) / r
    y, x = np.meshgrid(centres, centres, indexing="ij")
    return np.stack([x.ravel(), y.ravel()], axis=1)


def render_fields(large: Any, small: Any, resolution: int = FIELD_SIZE) -> np.ndarray:
    """``(n, r * r)`` float64 fields of 0s and 1s: the boxes of ``n`` cases drawn at ``resolution``.

    ``large`` (centres) and ``small`` are ``(n, 2)`` cells of the 11 x 11 field;
    a pixel is 1 when its centre lies in a cell of either box.
    """
    large, small = np.asarray(large, dtype=np.int64), np.asarray(small, dtype=np.int64)
    cells = _cells_of(pixel_coordinates(resolution))  # (r*r, 2)
    in_large = np.all(np.abs(cells[None, :, :] - large[:, None, :]) <= 1, axis=2)
    in_small = np.all(cells[None, :, :] == small[:, None, :], axis=2)
    return (in_large | in_small).astype(np.float64)


class BoxesTask:
    """The boxes task on an ``r x r`` substrate: an evaluator of CPPN genomes and the scores of networks.

    ``task(genomes)`` (or ``task.evaluate``) is the fitness function for
    ``Population.run``: the whole generation is decoded by
    ``neat.nn.hyperneat.decode_population`` and all networks see all 75
    fields in one population forward.  See the module docstring for the
    fields, the substrate and the scores.

    Parameters
    ----------
    resolution
        Pixels per side of the sheets evolution uses (default 11, the task's field).
    weight_threshold, max_weight, distance_input, activation
        The substrate's (``neat.nn.substrate.Substrate``).
    dtype
        Arithmetic of the decoded networks: ``float64`` (default) or ``float32``.

    Examples
    --------
    >>> task = BoxesTask()
    >>> task.substrate.num_connections, task.substrate.cppn_inputs
    (14641, 5)
    """

    def __init__(
        self,
        resolution: int = FIELD_SIZE,
        *,
        weight_threshold: float = 0.2,
        max_weight: float = 3.0,
        distance_input: bool = True,
        activation: str = "tanh",
        output_activation: str | None = "identity",
        dtype: Any = np.float64,
    ) -> None:
        self.resolution = _resolution(resolution)
        self.options = {"output_activation": output_activation,
            "weight_threshold": weight_threshold,
            "max_weight": max_weight,
            "distance_input": distance_input,
            "activation": activation,
        }
        self.dtype = np.dtype(dtype)
        self.large, self.small = box_positions()
        self.substrate = self.substrate_at(self.resolution)
        self.fields = render_fields(self.large, self.small, self.resolution)

    @property
    def num_fields(self) -> int:
        """Number of test fields (75)."""
        return len(self.large)

    def substrate_at(self, resolution: int) -> Substrate:
        """The task's substrate with ``resolution x resolution`` input and output sheets."""
        sheet = pixel_coordinates(resolution)
        return Substrate(sheet, sheet, **self.options)

    # --- evolution ------------------------------------------------------
    def evaluate(self, genomes: Sequence[Genome], *, generation: int = 0) -> np.ndarray:
        """``(P,)`` fitness of CPPN genomes: decode all at once, one forward over all fields."""
        if not len(genomes):
            return np.empty(0)
        stack = decode_population(genomes, self.substrate, dtype=self.dtype)
        return self.score_outputs(stack.forward(self.fields), self.resolution).fitness

    __call__ = evaluate

    # --- scores -----------------------------------------------------------
    def score_outputs(self, outputs: Any, resolution: int) -> BoxesScore:
        """Scores of outputs ``(..., 75, r * r)`` (one network's, or a population's ``(P, 75, r * r)``)."""
        r = _resolution(resolution)
        outputs = np.asarray(outputs)
        if outputs.shape[-2:] != (self.num_fields, r * r):
            raise ConfigError(
                f"expected outputs of shape (..., {self.num_fields}, {r * r}) for {r} x {r} sheets, got {outputs.shape}"
            )
        row, col = np.divmod(np.argmax(outputs, axis=-1), r)
        pixel = np.stack([col, row], axis=-1)  # (..., 75, 2)
        position = (pixel + 0.5) * (FIELD_SIZE / r) - 0.5  # in cells: a cell's centre is at its index
        d2 = np.sum((position - self.large) ** 2, axis=-1)
        hits = np.all(_cells_of(pixel_coordinates(r)[row * r + col]) == self.large, axis=-1)
        fitness = 1.0 - np.sqrt(d2.mean(axis=-1)) / MAX_DISTANCE
        return BoxesScore(fitness, hits.mean(axis=-1), np.sqrt(d2).mean(axis=-1))

    def score(self, network: FeedForwardNetwork | PopulationNetwork) -> BoxesScore:
        """Scores of a network decoded on an ``r x r`` task substrate (``r`` read from its inputs), or of a stack."""
        r = int(round(np.sqrt(network.num_inputs)))
        if r * r != network.num_inputs or network.num_outputs != network.num_inputs or r < FIELD_SIZE:
            raise ConfigError(
                f"a boxes network has r * r inputs and as many outputs, r >= {FIELD_SIZE}; this one has "
                f"{network.num_inputs} inputs and {network.num_outputs} outputs"
            )
        fields = self.fields if r == self.resolution else render_fields(self.large, self.small, r)
        return self.score_outputs(network.forward(fields), r)

    def success_rate(self, network: FeedForwardNetwork | PopulationNetwork) -> Any:
        """Fraction of the 75 fields where the network's most active output is in the large box's centre cell."""
        rate = self.score(network).success_rate
        return float(rate) if np.ndim(rate) == 0 else rate

    def solves(self, cppn: Genome | FeedForwardNetwork, threshold: float = SUCCESS_THRESHOLD) -> bool:
        """Whether ``cppn``'s network (on the task's substrate) hits at least ``threshold`` of the fields."""
        return bool(self.success_rate(self.network(cppn)) >= threshold)

    def network(self, cppn: Genome | FeedForwardNetwork, resolution: int | None = None) -> FeedForwardNetwork:
        """The network ``cppn`` decodes to on the task's substrate at ``resolution`` (default the task's)."""
        r = self.resolution if resolution is None else _resolution(resolution)
        substrate = self.substrate if r == self.resolution else self.substrate_at(r)
        return decode(cppn, substrate, dtype=self.dtype)

    def score_at(self, cppn: Genome | FeedForwardNetwork, resolution: int = 33) -> BoxesScore:
        """Scores of the same CPPN decoded on ``resolution x resolution`` sheets: the generalisation test."""
        return _floats(self.score(self.network(cppn, resolution)))

    def __repr__(self) -> str:
        return (
            f"BoxesTask(resolution={self.resolution}, fields={self.num_fields}, "
            f"connections={self.substrate.num_connections})"
        )


def _resolution(resolution: Any) -> int:
    if isinstance(resolution, bool) or not isinstance(resolution, (int, np.integer)) or resolution < FIELD_SIZE:
        raise ConfigError(
            f"resolution must be a whole number of pixels per side >= {FIELD_SIZE} (the field's cells), "
            f"got {resolution!r}"
        )
    return int(resolution)


def _cells_of(points: np.ndarray) -> np.ndarray:
    """The ``(column, row)`` cell of the 11 x 11 field each ``(x, y)`` point lies in."""
    return np.clip(np.floor((points + 1.0) * FIELD_SIZE / 2.0), 0, FIELD_SIZE - 1).astype(np.int64)


def _floats(score: BoxesScore) -> BoxesScore:
    return BoxesScore(*(float(v) for v in score))
