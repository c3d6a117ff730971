"""The genome: node genes and connection genes as a struct of NumPy arrays.

A genome is immutable.  Its genes are two groups of equal-length arrays::

    nodes: id int64, kind int8, bias, response float64, activation, aggregation int16
    conns: innovation int64, src int64, dst int64, weight float64, enabled bool

nodes sorted by id, connections by innovation number.  Node *ids* are the
genome's names of its nodes, shared across genomes through innovation
tracking: inputs are ``0..I-1``, outputs ``I..I+O-1``, hidden nodes above.
``activation`` and ``aggregation`` are positions in the config's
``activation_options`` / ``aggregation_options``.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any, NamedTuple

import numpy as np

from .config import Config, GenomeConfig
from .errors import InvalidGenomeError
from .graph import longest_path_depths

__all__ = ["NodeKind", "NodeGenes", "ConnectionGenes", "Genome", "genome_config_of"]


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
    """

    id: np.ndarray
    kind: np.ndarray
    bias: np.ndarray
    response: np.ndarray
    activation: np.ndarray
    aggregation: np.ndarray

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


NODE_DTYPES = NodeGenes(np.int64, np.int8, np.float64, np.float64, np.int16, np.int16)
CONN_DTYPES = ConnectionGenes(np.int64, np.int64, np.int64, np.float64, np.bool_)


def genome_config_of(config: Config | GenomeConfig) -> GenomeConfig:
    """The ``GenomeConfig`` inside ``config`` (or ``config`` itself)."""
    if isinstance(config, Config):
        return config.genome
    if isinstance(config, GenomeConfig):
        return config
    raise TypeError(f"expected a Config or GenomeConfig, got {type(config).__name__}")


def _as_genes(cls: type, dtypes: tuple, data: Any, what: str, copy: bool) -> Any:
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


class Genome:
    """An immutable NEAT genome.

    The arrays are copied and made read-only.  Operators (mutation, crossover)
    return new genomes and never change their inputs.

    Parameters
    ----------
    config
        The ``Config`` (or its ``GenomeConfig``) the genome belongs to; it
        fixes the number of inputs and outputs, the attribute bounds and the
        names behind activation and aggregation codes.
    nodes
        A ``NodeGenes`` or a mapping of its field names to arrays.
    conns
        A ``ConnectionGenes`` or a mapping of its field names to arrays.
    validate
        Check every invariant (``validate()``) before returning.
    """

    __slots__ = ("config", "nodes", "conns")

    config: GenomeConfig
    nodes: NodeGenes
    conns: ConnectionGenes

    def __init__(
        self,
        config: Config | GenomeConfig,
        nodes: NodeGenes | Mapping[str, Any],
        conns: ConnectionGenes | Mapping[str, Any],
        *,
        validate: bool = True,
    ) -> None:
        object.__setattr__(self, "config", genome_config_of(config))
        object.__setattr__(self, "nodes", _as_genes(NodeGenes, NODE_DTYPES, nodes, "node", copy=True))
        object.__setattr__(self, "conns", _as_genes(ConnectionGenes, CONN_DTYPES, conns, "connection", copy=True))
        if validate:
            self.validate()

    @classmethod
    def _trusted(cls, config: GenomeConfig, nodes: NodeGenes, conns: ConnectionGenes) -> Genome:
        """Wrap arrays the caller owns and will not change (no copy, no checks).

        For operators: their output is valid by construction, and property
        tests check that it is.
        """
        genome = object.__new__(cls)
        for arr in (*nodes, *conns):
            arr.flags.writeable = False
        object.__setattr__(genome, "config", config)
        object.__setattr__(genome, "nodes", nodes)
        object.__setattr__(genome, "conns", conns)
        return genome

    def replace(self, *, nodes: NodeGenes | None = None, conns: ConnectionGenes | None = None) -> Genome:
        """A genome with new node and/or connection genes (arrays must be fresh; not validated)."""
        return Genome._trusted(
            self.config,
            self.nodes if nodes is None else nodes,
            self.conns if conns is None else conns,
        )

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Genome is immutable; operators return new genomes")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("Genome is immutable")

    def __reduce__(self) -> Any:
        # Lets concurrent.futures ship genomes to worker processes as arrays.
        return (_rebuild, (self.config, tuple(self.nodes), tuple(self.conns)))

    # ------------------------------------------------------------------
    @property
    def num_inputs(self) -> int:
        return self.config.num_inputs

    @property
    def num_outputs(self) -> int:
        return self.config.num_outputs

    @property
    def num_nodes(self) -> int:
        """Number of node genes (inputs, outputs and hidden)."""
        return len(self.nodes.id)

    @property
    def num_hidden(self) -> int:
        """Number of hidden node genes."""
        return self.num_nodes - self.num_inputs - self.num_outputs

    @property
    def num_connections(self) -> int:
        """Number of connection genes, enabled or not."""
        return len(self.conns.innovation)

    @property
    def num_enabled(self) -> int:
        """Number of enabled connection genes."""
        return int(np.count_nonzero(self.conns.enabled))

    @property
    def input_ids(self) -> np.ndarray:
        """(I,) int64 ids of the input nodes, in order."""
        return self.nodes.id[: self.num_inputs]

    @property
    def output_ids(self) -> np.ndarray:
        """(O,) int64 ids of the output nodes, in order."""
        return self.nodes.id[self.num_inputs : self.num_inputs + self.num_outputs]

    @property
    def hidden_ids(self) -> np.ndarray:
        """(H,) int64 ids of the hidden nodes, ascending."""
        return self.nodes.id[self.num_inputs + self.num_outputs :]

    def size(self) -> tuple[int, int]:
        """``(hidden nodes, enabled connections)``: the usual measure of a NEAT network's size."""
        return self.num_hidden, self.num_enabled

    def node_index(self, ids: Any) -> np.ndarray:
        """Positions in ``nodes`` of the node ``ids`` (which must exist)."""
        return np.searchsorted(self.nodes.id, ids)

    def activation_names(self) -> list[str]:
        """Activation name of every node, in node order."""
        options = self.config.activation_options
        return [options[c] for c in self.nodes.activation.tolist()]

    def aggregation_names(self) -> list[str]:
        """Aggregation name of every node, in node order."""
        options = self.config.aggregation_options
        return [options[c] for c in self.nodes.aggregation.tolist()]

    # ------------------------------------------------------------------
    def validate(self) -> Genome:
        """Check every invariant; raise ``InvalidGenomeError`` naming the first broken one.

        Invariants:

        1. node ids are unique and sorted ascending;
        2. the first ``num_inputs`` nodes are the inputs with ids ``0..I-1``,
           the next ``num_outputs`` the outputs with ids ``I..I+O-1``, and every
           other node is hidden with a larger id;
        3. innovation numbers are unique and sorted ascending;
        4. every connection's endpoints exist;
        5. no connection ends in an input node;
        6. no two connections join the same ``(src, dst)`` pair;
        7. with ``feed_forward = true`` the enabled connections form no cycle;
        8. every weight, bias and response is finite and within its configured
           bounds (input nodes carry no attributes, so only finiteness is
           checked there), and every activation/aggregation code names one of
           the configured options.

        Returns the genome itself, so ``Genome(...).validate()`` chains.
        """
        cfg = self.config
        nodes, conns = self.nodes, self.conns
        ids = nodes.id
        n_in, n_out = cfg.num_inputs, cfg.num_outputs

        def fail(message: str) -> None:
            raise InvalidGenomeError(message)

        # 1. ids unique and sorted
        if ids.size > 1:
            bad = np.flatnonzero(np.diff(ids) <= 0)
            if bad.size:
                i = int(bad[0])
                what = "duplicated" if ids[i] == ids[i + 1] else "not sorted"
                fail(
                    f"node ids must be unique and ascending: id {int(ids[i + 1])} at position {i + 1} is {what} "
                    f"(follows {int(ids[i])})"
                )
        # 2. inputs and outputs fixed in number and order
        if len(ids) < n_in + n_out:
            fail(f"genome has {len(ids)} nodes but needs at least {n_in} inputs + {n_out} outputs")
        expected_kind = np.full(len(ids), NodeKind.HIDDEN, dtype=np.int8)
        expected_kind[:n_in] = NodeKind.INPUT
        expected_kind[n_in : n_in + n_out] = NodeKind.OUTPUT
        bad = np.flatnonzero(nodes.kind != expected_kind)
        if bad.size:
            i = int(bad[0])
            kind = int(nodes.kind[i])
            kind_name = NodeKind(kind).name.lower() if kind in NodeKind._value2member_map_ else f"code {kind}"
            fail(
                f"node {int(ids[i])} at position {i} is {kind_name} but must be "
                f"{NodeKind(int(expected_kind[i])).name.lower()}: inputs come first ({n_in}), then outputs ({n_out}), then hidden nodes"
            )
        fixed = np.arange(n_in + n_out, dtype=np.int64)
        bad = np.flatnonzero(ids[: n_in + n_out] != fixed)
        if bad.size:
            i = int(bad[0])
            fail(
                f"input/output node at position {i} has id {int(ids[i])}, expected {i} "
                f"(inputs are 0..{n_in - 1}, outputs {n_in}..{n_in + n_out - 1})"
            )
        # 3. innovations unique and sorted
        innov = conns.innovation
        if innov.size > 1:
            bad = np.flatnonzero(np.diff(innov) <= 0)
            if bad.size:
                i = int(bad[0])
                what = "duplicated" if innov[i] == innov[i + 1] else "not sorted"
                fail(
                    f"innovation numbers must be unique and ascending: innovation {int(innov[i + 1])} "
                    f"at position {i + 1} is {what}"
                )
        # 4. endpoints exist
        for end in ("src", "dst"):
            endpoint = getattr(conns, end)
            pos = np.searchsorted(ids, endpoint)
            pos_clipped = np.minimum(pos, max(len(ids) - 1, 0))
            missing = np.flatnonzero((pos >= len(ids)) | (ids[pos_clipped] != endpoint))
            if missing.size:
                k = int(missing[0])
                fail(
                    f"connection with innovation {int(innov[k])} ({int(conns.src[k])} -> {int(conns.dst[k])}): "
                    f"{'source' if end == 'src' else 'target'} node {int(endpoint[k])} does not exist"
                )
        # 5. nothing flows into an input
        into_input = np.flatnonzero(conns.dst < n_in)
        if into_input.size:
            k = int(into_input[0])
            fail(
                f"connection with innovation {int(innov[k])} ends in input node {int(conns.dst[k])}; "
                "connections may not enter input nodes"
            )
        # 6. (src, dst) pairs unique
        if len(innov) > 1:
            order = np.lexsort((conns.dst, conns.src))
            s, d = conns.src[order], conns.dst[order]
            dup = np.flatnonzero((s[1:] == s[:-1]) & (d[1:] == d[:-1]))
            if dup.size:
                k = int(dup[0])
                fail(
                    f"two connections join {int(s[k])} -> {int(d[k])} (innovations "
                    f"{int(innov[order[k]])} and {int(innov[order[k + 1]])}); each pair may appear once"
                )
        # 7. acyclic when feed-forward
        if cfg.feed_forward and conns.enabled.any():
            on = conns.enabled
            depth = longest_path_depths(
                len(ids), np.searchsorted(ids, conns.src[on]), np.searchsorted(ids, conns.dst[on])
            )
            if np.any(depth < 0):
                on_cycle = ids[depth < 0]
                fail(
                    f"feed_forward genome has a cycle of enabled connections through nodes "
                    f"{on_cycle[:10].tolist()}{'...' if len(on_cycle) > 10 else ''}"
                )
        # 8. attributes finite and within bounds
        for name in ("weight",):
            values = conns.weight
            lo, hi = cfg.weight_min, cfg.weight_max
            bad = np.flatnonzero(~np.isfinite(values) | (values < lo) | (values > hi))
            if bad.size:
                k = int(bad[0])
                fail(
                    f"connection with innovation {int(innov[k])} has {name} {float(values[k])!r}; "
                    f"allowed: finite and in [{lo}, {hi}]"
                )
        non_input = slice(n_in, None)
        for name in ("bias", "response"):
            values = getattr(nodes, name)
            bad = np.flatnonzero(~np.isfinite(values))
            if bad.size:
                k = int(bad[0])
                fail(f"node {int(ids[k])} has {name} {float(values[k])!r}; must be finite")
            lo, hi = getattr(cfg, f"{name}_min"), getattr(cfg, f"{name}_max")
            sub = values[non_input]
            bad = np.flatnonzero((sub < lo) | (sub > hi))
            if bad.size:
                k = int(bad[0]) + n_in
                fail(f"node {int(ids[k])} has {name} {float(values[k])!r}; allowed: [{lo}, {hi}]")
        for name in ("activation", "aggregation"):
            codes = getattr(nodes, name)
            options = getattr(cfg, f"{name}_options")
            bad = np.flatnonzero((codes < 0) | (codes >= len(options)))
            if bad.size:
                k = int(bad[0])
                fail(
                    f"node {int(ids[k])} has {name} code {int(codes[k])}; allowed codes 0..{len(options) - 1} "
                    f"for {list(options)}"
                )
        return self

    def is_valid(self) -> bool:
        """True when ``validate()`` passes."""
        try:
            self.validate()
        except InvalidGenomeError:
            return False
        return True

    # ------------------------------------------------------------------
    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Genome):
            return NotImplemented
        return (
            self.config == other.config
            and all(np.array_equal(a, b) for a, b in zip(self.nodes, other.nodes))
            and all(np.array_equal(a, b) for a, b in zip(self.conns, other.conns))
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return (
            f"Genome(inputs={self.num_inputs}, outputs={self.num_outputs}, hidden={self.num_hidden}, "
            f"connections={self.num_connections} ({self.num_enabled} enabled))"
        )

    def __str__(self) -> str:
        return self.describe()

    def describe(self, max_rows: int = 50) -> str:
        """A readable table of the genes (at most ``max_rows`` of each kind)."""
        lines = [repr(self), "nodes:", f"  {'id':>6} {'kind':<7} {'bias':>9} {'response':>9} activation/aggregation"]
        acts, aggs = self.activation_names(), self.aggregation_names()
        for i in range(min(self.num_nodes, max_rows)):
            kind = NodeKind(int(self.nodes.kind[i])).name.lower()
            if kind == "input":
                lines.append(f"  {int(self.nodes.id[i]):>6} {kind:<7}")
                continue
            lines.append(
                f"  {int(self.nodes.id[i]):>6} {kind:<7} {self.nodes.bias[i]:>9.4f} "
                f"{self.nodes.response[i]:>9.4f} {acts[i]}/{aggs[i]}"
            )
        if self.num_nodes > max_rows:
            lines.append(f"  ... {self.num_nodes - max_rows} more nodes")
        lines.append("connections:")
        lines.append(f"  {'innov':>6} {'src':>6} -> {'dst':<6} {'weight':>9} enabled")
        for k in range(min(self.num_connections, max_rows)):
            c = self.conns
            lines.append(
                f"  {int(c.innovation[k]):>6} {int(c.src[k]):>6} -> {int(c.dst[k]):<6} "
                f"{c.weight[k]:>9.4f} {'yes' if c.enabled[k] else 'no'}"
            )
        if self.num_connections > max_rows:
            lines.append(f"  ... {self.num_connections - max_rows} more connections")
        return "\n".join(lines)

    # ------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of the genome (see ``neat.io``)."""
        from .io import genome_to_dict

        return genome_to_dict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Genome:
        """Rebuild a genome from ``to_dict()`` output (validated)."""
        from .io import genome_from_dict

        return genome_from_dict(data)

    def to_networkx(self, *, enabled_only: bool = False) -> Any:
        """The genome as a ``networkx.DiGraph``.

        Nodes carry ``kind``, ``bias``, ``response``, ``activation`` and
        ``aggregation``; edges carry ``innovation``, ``weight`` and ``enabled``.
        """
        import networkx as nx

        graph = nx.DiGraph()
        acts, aggs = self.activation_names(), self.aggregation_names()
        for i, node_id in enumerate(self.nodes.id.tolist()):
            graph.add_node(
                node_id,
                kind=NodeKind(int(self.nodes.kind[i])).name.lower(),
                bias=float(self.nodes.bias[i]),
                response=float(self.nodes.response[i]),
                activation=acts[i],
                aggregation=aggs[i],
            )
        c = self.conns
        for k in range(len(c.innovation)):
            if enabled_only and not c.enabled[k]:
                continue
            graph.add_edge(
                int(c.src[k]),
                int(c.dst[k]),
                innovation=int(c.innovation[k]),
                weight=float(c.weight[k]),
                enabled=bool(c.enabled[k]),
            )
        return graph


def _rebuild(config: GenomeConfig, nodes: tuple, conns: tuple) -> Genome:
    return Genome._trusted(config, NodeGenes(*nodes), ConnectionGenes(*conns))
