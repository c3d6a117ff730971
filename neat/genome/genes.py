"""Gene arrays: node genes and connection genes as structs of NumPy arrays.

::

    nodes: id int64, kind int8, bias, response float64, activation, aggregation int16, time_constant float64
    conns: innovation int64, src int64, dst int64, weight float64, enabled bool

Node *ids* are the genome's names of its nodes, shared across genomes through
innovation tracking: inputs are ``0..I-1``, outputs ``I..I+O-1``, hidden nodes
above.  ``activation`` and ``aggregation`` are positions in the config's
``activation_options`` / ``aggregation_options``.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any, NamedTuple

import numpy as np

from ..config import Config, GenomeConfig
from ..errors import InvalidGenomeError

__all__ = ["NodeKind", "NodeGenes", "ConnectionGenes", "NODE_DTYPES", "CONN_DTYPES", "genome_config_of", "as_genes",
           "default_time_constant"]


class NodeKind(enum.IntEnum):
    """The kind of a node gene (stored as ``int8``)."""

    INPUT = 0
    OUTPUT = 1
    HIDDEN = 2


class NodeGenes(NamedTuple):
    """Node genes, one entry per node, sorted by ``id``.

    Attributes
    ----------
    id : (n,) int64
    kind : (n,) int8, a ``NodeKind``
    bias : (n,) float64
    response : (n,) float64
    activation : (n,) int16, position in ``activation_options``
    aggregation : (n,) int16, position in ``aggregation_options``
    time_constant : (n,) float64
        The CTRNN time constant tau (``[genome] ctrnn``); other networks ignore it.
    """

    id: np.ndarray
    kind: np.ndarray
    bias: np.ndarray
    response: np.ndarray
    activation: np.ndarray
    aggregation: np.ndarray
    time_constant: np.ndarray

    def take(self, index: Any) -> NodeGenes:
        """The genes at ``index`` (an int array or a boolean mask)."""
        return NodeGenes(*(a[index] for a in self))


class ConnectionGenes(NamedTuple):
    """Connection genes, one entry per connection, sorted by ``innovation``.

    Attributes
    ----------
    innovation : (m,) int64
    src, dst : (m,) int64, node ids
    weight : (m,) float64
    enabled : (m,) bool
    """

    innovation: np.ndarray
    src: np.ndarray
    dst: np.ndarray
    weight: np.ndarray
    enabled: np.ndarray

    def take(self, index: Any) -> ConnectionGenes:
        """The genes at ``index`` (an int array or a boolean mask)."""
        return ConnectionGenes(*(a[index] for a in self))


NODE_DTYPES = NodeGenes(np.int64, np.int8, np.float64, np.float64, np.int16, np.int16, np.float64)
CONN_DTYPES = ConnectionGenes(np.int64, np.int64, np.int64, np.float64, np.bool_)


def genome_config_of(config: Config | GenomeConfig) -> GenomeConfig:
    """The ``GenomeConfig`` inside ``config`` (or ``config`` itself)."""
    if isinstance(config, Config):
        return config.genome
    if isinstance(config, GenomeConfig):
        return config
    raise TypeError(f"expected a Config or GenomeConfig, got {type(config).__name__}")


def default_time_constant(config: GenomeConfig) -> float:
    """The time constant of new nodes, input nodes and genes saved before time constants: the clamped init mean."""
    return float(np.clip(config.time_constant_init_mean, config.time_constant_min, config.time_constant_max))


def as_genes(cls: type, dtypes: tuple, data: Any, what: str, copy: bool, config: GenomeConfig | None = None) -> Any:
    if isinstance(data, Mapping) and cls is NodeGenes and "time_constant" not in data and config is not None:
        data = {**data, "time_constant": np.full(np.shape(data.get("id", ())), default_time_constant(config))}
    if isinstance(data, Mapping):
        missing = [f for f in cls._fields if f not in data]
        extra = [k for k in data if k not in cls._fields]
        if missing or extra:
            raise InvalidGenomeError(
                f"{what} genes need exactly the fields {', '.join(cls._fields)}"
                + (f"; missing: {', '.join(missing)}" if missing else "")
                + (f"; unknown: {', '.join(map(str, extra))}" if extra else "")
            )
        data = [data[f] for f in cls._fields]
    arrays = []
    for name, dtype, value in zip(cls._fields, dtypes, data):
        try:
            raw = np.asarray(value)
            if np.dtype(dtype).kind in "iub" and raw.dtype.kind == "f":
                if not np.all(np.isfinite(raw)) or not np.all(raw == np.round(raw)):
                    raise ValueError("non-integer values")
            arr = np.array(raw, dtype=dtype, copy=True) if copy else raw.astype(dtype, copy=False)
        except (TypeError, ValueError, OverflowError) as exc:
            raise InvalidGenomeError(f"{what} field {name!r} cannot be read as {np.dtype(dtype)}: {exc}") from None
        if arr.ndim != 1:
            raise InvalidGenomeError(f"{what} field {name!r} must be 1-D, got shape {arr.shape}")
        arr.flags.writeable = False
        arrays.append(arr)
    lengths = {len(a) for a in arrays}
    if len(lengths) > 1:
        sizes = ", ".join(f"{n}={len(a)}" for n, a in zip(cls._fields, arrays))
        raise InvalidGenomeError(f"{what} fields must have equal lengths, got {sizes}")
    return cls(*arrays)

