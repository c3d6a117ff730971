"""The gene pool: a whole generation's genes as one struct of arrays, ragged by offsets (like CSR).

::

    nodes:  id  kind  bias  response  activation  aggregation  time_constant   sorted by (genome, id)
    conns:  innovation  src  dst  weight  enabled                  sorted by (genome, innovation)
    node_offsets, conn_offsets: (P + 1,)    genome i's genes are rows [offsets[i], offsets[i + 1])
    keys: (P,)                              each genome's key in the run (-1: none yet)

``pool[i]`` is a ``Genome`` whose arrays are views into the pool (nothing is
copied); ``GenePool.pack(genomes)`` packs a list of genomes.  The batched
operators (``neat.genome.batched``) make a generation's children from a pool
in a few vectorized passes; ``neat.nn.compile_population`` compiles one.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, overload

import numpy as np

from ..config import Config, GenomeConfig
from ..errors import InvalidGenomeError
from .genes import CONN_DTYPES, NODE_DTYPES, ConnectionGenes, NodeGenes, genome_config_of
from .genome import Genome

__all__ = ["GenePool", "GenomeSequence", "ranges", "offsets_of", "KEY_SHIFT"]

KEY_SHIFT = 32
"""Combined sort keys are ``genome << KEY_SHIFT | id`` (or innovation): ids and innovations stay below 2**32."""


def offsets_of(counts: Any) -> np.ndarray:
    """``(P + 1,)`` int64 offsets of consecutive runs of ``counts[i]`` rows."""
    counts = np.asarray(counts, dtype=np.int64)
    offsets = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    return offsets


def ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The concatenation of ``arange(starts[i], starts[i] + lengths[i])`` over ``i``.

    Returns
    -------
    (lengths.sum(),) int64
    """
    starts = np.asarray(starts, dtype=np.int64)
    lengths = np.asarray(lengths, dtype=np.int64)
    total = int(lengths.sum())
    if total == 0:
        return np.empty(0, dtype=np.int64)
    first = np.cumsum(lengths) - lengths  # where each range begins in the output
    return np.arange(total, dtype=np.int64) + np.repeat(starts - first, lengths)


class GenePool:
    """A generation of genomes as one struct of arrays (see the module docstring).

    Build one with ``GenePool.pack(genomes)`` or ``GenePool(config, nodes,
    conns, node_offsets, conn_offsets, keys)`` (arrays the pool then owns;
    they are made read-only).  Every genome of a pool has the same config.

    Attributes
    ----------
    config : GenomeConfig
    nodes : NodeGenes of (U,) arrays
    conns : ConnectionGenes of (T,) arrays
    node_offsets, conn_offsets : (P + 1,) int64
    keys : (P,) int64
        Genome keys; -1 where a genome has none.
    """

    __slots__ = ("config", "nodes", "conns", "node_offsets", "conn_offsets", "keys", "_cache")

    def __init__(
        self,
        config: Config | GenomeConfig,
        nodes: NodeGenes,
        conns: ConnectionGenes,
        node_offsets: np.ndarray,
        conn_offsets: np.ndarray,
        keys: np.ndarray | None = None,
    ) -> None:
        self.config = genome_config_of(config)
        self.nodes = NodeGenes(*(np.asarray(a, dtype=t) for a, t in zip(nodes, NODE_DTYPES)))
        self.conns = ConnectionGenes(*(np.asarray(a, dtype=t) for a, t in zip(conns, CONN_DTYPES)))
        self.node_offsets = np.asarray(node_offsets, dtype=np.int64)
        self.conn_offsets = np.asarray(conn_offsets, dtype=np.int64)
        size = len(self.node_offsets) - 1
        self.keys = np.full(size, -1, dtype=np.int64) if keys is None else np.asarray(keys, dtype=np.int64)
        for arr in (*self.nodes, *self.conns, self.node_offsets, self.conn_offsets, self.keys):
            arr.flags.writeable = False
        self._cache: dict[str, np.ndarray] = {}
        self._check_shape()

    @classmethod
    def _trusted(
        cls,
        config: GenomeConfig,
        nodes: NodeGenes,
        conns: ConnectionGenes,
        node_offsets: np.ndarray,
        conn_offsets: np.ndarray,
        keys: np.ndarray,
    ) -> GenePool:
        """Wrap arrays of the right dtypes and layout (no conversion, no checks): for the batched operators."""
        pool = object.__new__(cls)
        pool.config, pool.nodes, pool.conns = config, nodes, conns
        pool.node_offsets, pool.conn_offsets, pool.keys = node_offsets, conn_offsets, keys
        for arr in (*nodes, *conns, node_offsets, conn_offsets, keys):
            arr.flags.writeable = False
        pool._cache = {}
        return pool

    def _check_shape(self) -> None:
        p = len(self.keys)
        if len(self.conn_offsets) != p + 1 or len(self.node_offsets) != p + 1:
            raise InvalidGenomeError(
                f"a pool of {p} genomes needs node_offsets and conn_offsets of length {p + 1}, got "
                f"{len(self.node_offsets)} and {len(self.conn_offsets)}"
            )
        for name, offsets, n in (("node", self.node_offsets, len(self.nodes.id)),
                                 ("conn", self.conn_offsets, len(self.conns.innovation))):
            if offsets[0] != 0 or offsets[-1] != n or np.any(np.diff(offsets) < 0):
                raise InvalidGenomeError(f"{name}_offsets must rise from 0 to the number of {name} genes ({n})")

    # --- building ----------------------------------------------------------
    @classmethod
    def pack(cls, genomes: Sequence[Genome], config: Config | GenomeConfig | None = None) -> GenePool:
        """The pool of ``genomes`` (their arrays concatenated; keys kept, -1 for ``None``).

        ``config`` is needed only for an empty list; otherwise it is the
        genomes' (all must share one genome config).
        """
        pool = getattr(genomes, "pool", None)
        if isinstance(pool, GenePool):  # a GenomeSequence: already packed
            return pool
        genomes = list(genomes)
        if not genomes:
            if config is None:
                raise ValueError("packing no genomes needs the config")
            cfg = genome_config_of(config)
            return cls(cfg, NodeGenes(*(np.empty(0, t) for t in NODE_DTYPES)),
                       ConnectionGenes(*(np.empty(0, t) for t in CONN_DTYPES)), np.zeros(1), np.zeros(1))
        cfg = genomes[0].config
        for i, g in enumerate(genomes):
            if g.config is not cfg and g.config != cfg:
                raise InvalidGenomeError(f"genome {i} has another genome config than genome 0; a pool holds one")
        if len(genomes) == 1:  # a genome's arrays are read-only already: share them
            nodes, conns = genomes[0].nodes, genomes[0].conns
        else:
            # zip(*...) turns the genomes' gene tuples into one tuple of arrays per field, in C.
            nodes = NodeGenes(*(np.concatenate(column) for column in zip(*[g.nodes for g in genomes])))
            conns = ConnectionGenes(*(np.concatenate(column) for column in zip(*[g.conns for g in genomes])))
        keys = np.array([-1 if g.key is None else g.key for g in genomes], dtype=np.int64)
        return cls(
            cfg,
            nodes,
            conns,
            offsets_of([len(g.nodes.id) for g in genomes]),
            offsets_of([len(g.conns.innovation) for g in genomes]),
            keys,
        )

    def take(self, index: Any) -> GenePool:
        """The pool of genomes ``index`` (an int array or a boolean mask), in that order."""
        index = np.arange(len(self))[index] if np.asarray(index).dtype == bool else np.asarray(index, np.int64)
        node_rows = ranges(self.node_offsets[index], self.node_counts[index])
        conn_rows = ranges(self.conn_offsets[index], self.conn_counts[index])
        taken = GenePool._trusted(
            self.config,
            self.nodes.take(node_rows),
            self.conns.take(conn_rows),
            offsets_of(self.node_counts[index]),
            offsets_of(self.conn_counts[index]),
            self.keys[index],
        )
        edges = self._known_edges()
        if edges is not None:  # the same rows, shifted to where each genome now starts
            shift = np.repeat(taken.node_offsets[:-1] - self.node_offsets[index], self.conn_counts[index])
            taken._set_edges(edges[0][conn_rows] + shift, edges[1][conn_rows] + shift)
        return taken

    def with_keys(self, keys: Any) -> GenePool:
        """The same genes under other keys (arrays shared)."""
        keys = np.array(keys, dtype=np.int64)
        if keys.shape != self.keys.shape:
            raise ValueError(f"expected {len(self)} keys, got shape {keys.shape}")
        pool = GenePool._trusted(self.config, self.nodes, self.conns, self.node_offsets, self.conn_offsets, keys)
        pool._cache = self._cache  # the genes are the same
        return pool

    # --- reading -------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.keys)

    @property
    def size(self) -> int:
        """Number of genomes ``P``."""
        return len(self.keys)

    @overload
    def __getitem__(self, i: int) -> Genome: ...

    @overload
    def __getitem__(self, i: slice) -> list[Genome]: ...

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        i = int(i)
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(f"genome {i} of a pool of {len(self)}")
        a, b = int(self.node_offsets[i]), int(self.node_offsets[i + 1])
        c, d = int(self.conn_offsets[i]), int(self.conn_offsets[i + 1])
        key = int(self.keys[i])
        n, k = self.nodes, self.conns  # read-only, so their slices are too
        return Genome._view(
            self.config,
            NodeGenes(n[0][a:b], n[1][a:b], n[2][a:b], n[3][a:b], n[4][a:b], n[5][a:b], n[6][a:b]),
            ConnectionGenes(k[0][c:d], k[1][c:d], k[2][c:d], k[3][c:d], k[4][c:d]),
            None if key < 0 else key,
        )

    def __iter__(self) -> Iterator[Genome]:
        return (self[i] for i in range(len(self)))

    def genomes(self) -> GenomeSequence:
        """The pool as a ``Sequence[Genome]`` that makes each genome when it is read."""
        return GenomeSequence(self)

    @property
    def node_counts(self) -> np.ndarray:
        """(P,) int64 node genes per genome."""
        return self._cached("node_counts", lambda: np.diff(self.node_offsets))

    @property
    def conn_counts(self) -> np.ndarray:
        """(P,) int64 connection genes per genome."""
        return self._cached("conn_counts", lambda: np.diff(self.conn_offsets))

    @property
    def node_genome(self) -> np.ndarray:
        """(U,) int64: the genome of every node gene."""
        return self._cached("node_genome", lambda: np.repeat(np.arange(len(self)), self.node_counts))

    @property
    def conn_genome(self) -> np.ndarray:
        """(T,) int64: the genome of every connection gene."""
        return self._cached("conn_genome", lambda: np.repeat(np.arange(len(self)), self.conn_counts))

    @property
    def node_keys(self) -> np.ndarray:
        """(U,) int64 ``genome << 32 | id``, ascending (the pool's node order)."""
        return self._cached("node_keys", lambda: (self.node_genome << KEY_SHIFT) | self.nodes.id)

    @property
    def conn_keys(self) -> np.ndarray:
        """(T,) int64 ``genome << 32 | innovation``, ascending (the pool's connection order)."""
        return self._cached("conn_keys", lambda: (self.conn_genome << KEY_SHIFT) | self.conns.innovation)

    def node_positions(self, genome: np.ndarray, ids: np.ndarray) -> np.ndarray:
        """Rows of the nodes ``ids`` of ``genome`` (which must exist): ``(k,)`` int64."""
        return np.searchsorted(self.node_keys, (np.asarray(genome, np.int64) << KEY_SHIFT) | ids)

    def edge_nodes(self) -> tuple[np.ndarray, np.ndarray]:
        """Every connection's endpoints as node rows of the pool: ``src, dst`` (T,) int64."""
        if "edge_src" not in self._cache:
            g = self.conn_genome
            self._cache["edge_src"] = self.node_positions(g, self.conns.src)
            self._cache["edge_dst"] = self.node_positions(g, self.conns.dst)
        return self._cache["edge_src"], self._cache["edge_dst"]

    def _known_edges(self) -> tuple[np.ndarray, np.ndarray] | None:
        """``edge_nodes()`` if already computed (or handed down by the operator that made the pool), else None."""
        if "edge_src" in self._cache:
            return self._cache["edge_src"], self._cache["edge_dst"]
        return None

    def _set_edges(self, src: np.ndarray, dst: np.ndarray) -> None:
        """Record ``edge_nodes()`` computed by whoever built the pool (it knows them without a search)."""
        src.flags.writeable = False
        dst.flags.writeable = False
        self._cache["edge_src"], self._cache["edge_dst"] = src, dst

    def _with_cache_of(self, other: GenePool) -> GenePool:
        """Share ``other``'s derived arrays (keys, counts, edges): for a pool with the same gene rows."""
        self._cache = dict(other._cache)
        return self

    def _cached(self, name: str, make: Any) -> np.ndarray:
        value = self._cache.get(name)
        if value is None:
            value = self._cache[name] = make()
            value.flags.writeable = False
        return value

    def validate(self) -> GenePool:
        """Check the layout, the keys and every genome's invariants (``InvalidGenomeError`` naming the genome).

        Beyond ``Genome.validate``: keys are -1 (none) or >= 0, and node ids
        and innovation numbers lie in ``[0, 2**KEY_SHIFT)``, the range the
        pool's combined sort keys (``node_keys``, ``conn_keys``) can hold.
        """
        self._check_shape()
        if np.any(self.keys < -1):
            raise InvalidGenomeError(f"genome keys must be -1 (none) or >= 0, got {int(self.keys.min())}")
        for what, values, genome in (("node id", self.nodes.id, lambda: self.node_genome),
                                     ("innovation number", self.conns.innovation, lambda: self.conn_genome)):
            bad = np.flatnonzero((values < 0) | (values >= 1 << KEY_SHIFT))
            if bad.size:
                raise InvalidGenomeError(
                    f"genome {int(genome()[bad[0]])} of the pool: {what} {int(values[bad[0]])} is outside "
                    f"[0, 2**{KEY_SHIFT}), the range the pool's sort keys hold"
                )
        for i, genome in enumerate(self):  # (each genome's genes sorted, so the pool's by (genome, id) too)
            try:
                genome.validate()
            except InvalidGenomeError as exc:
                raise InvalidGenomeError(f"genome {i} of the pool: {exc}") from None
        return self

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, GenePool):
            return NotImplemented
        return (
            self.config == other.config
            and np.array_equal(self.node_offsets, other.node_offsets)
            and np.array_equal(self.conn_offsets, other.conn_offsets)
            and np.array_equal(self.keys, other.keys)
            and all(np.array_equal(a, b) for a, b in zip(self.nodes, other.nodes))
            and all(np.array_equal(a, b) for a, b in zip(self.conns, other.conns))
        )

    __hash__ = None  # type: ignore[assignment]

    def __reduce__(self) -> Any:
        return (GenePool, (self.config, tuple(self.nodes), tuple(self.conns), self.node_offsets,
                           self.conn_offsets, self.keys))

    def __repr__(self) -> str:
        return f"GenePool(genomes={len(self)}, nodes={len(self.nodes.id)}, connections={len(self.conns.innovation)})"


class GenomeSequence(Sequence):
    """A pool's genomes as a ``Sequence[Genome]``, each made (as views) when it is read.

    What ``Population.ask()`` returns: ``len``, indexing, iteration and
    slicing work as on a list; ``list(seq)`` makes every genome.  Code that
    understands pools (``neat.nn.compile_population``) reads ``seq.pool``
    instead of the genomes.
    """

    __slots__ = ("pool",)

    def __init__(self, pool: GenePool) -> None:
        self.pool = pool

    def __len__(self) -> int:
        return len(self.pool)

    def __getitem__(self, i: Any) -> Any:
        return self.pool[i]

    def __iter__(self) -> Iterator[Genome]:
        return iter(self.pool)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, GenomeSequence):
            return self.pool == other.pool
        if isinstance(other, (list, tuple)):
            return len(other) == len(self) and all(a == b for a, b in zip(self, other))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __reduce__(self) -> Any:
        return (GenomeSequence, (self.pool,))

    def __repr__(self) -> str:
        return f"GenomeSequence({len(self)} genomes)"
