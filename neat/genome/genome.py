"""The genome: an immutable pair of gene arrays, its invariants, and its JSON-ready dict form.

A genome is immutable.  Its genes are two groups of equal-length arrays
(``neat.genome.genes``): nodes sorted by id, connections by innovation
number.  Operators (mutation, crossover) return new genomes and never change
their inputs.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

import numpy as np

from ..config import Config, GenomeConfig
from ..errors import InvalidGenomeError
from .genes import (
    CONN_DTYPES,
    NODE_DTYPES,
    ConnectionGenes,
    NodeGenes,
    NodeKind,
    as_genes,
    default_time_constant,
    genome_config_of,
)
from .invariants import check_invariants

__all__ = ["Genome", "genome_to_dict", "genome_from_dict", "GENOME_FORMAT", "GENOME_VERSION"]

GENOME_FORMAT = "neat-genome"
GENOME_VERSION = 1
_KIND_NAMES = [k.name.lower() for k in NodeKind]


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
    key
        The genome's name in a run: an integer unique within the run, given
        by the population when the genome enters it (an elite keeps its key
        from one generation to the next); ``None`` for a genome outside a
        run.  It is not a gene: genomes with equal genes are equal whatever
        their keys.
    validate
        Check every invariant (``validate()``) before returning.
    """

    __slots__ = ("config", "nodes", "conns", "key")

    config: GenomeConfig
    nodes: NodeGenes
    conns: ConnectionGenes
    key: int | None

    def __init__(
        self,
        config: Config | GenomeConfig,
        nodes: NodeGenes | Mapping[str, Any],
        conns: ConnectionGenes | Mapping[str, Any],
        *,
        key: int | None = None,
        validate: bool = True,
    ) -> None:
        object.__setattr__(self, "config", genome_config_of(config))
        object.__setattr__(self, "nodes", as_genes(NodeGenes, NODE_DTYPES, nodes, "node", copy=True,
                                                            config=self.config))
        object.__setattr__(self, "conns", as_genes(ConnectionGenes, CONN_DTYPES, conns, "connection", copy=True))
        object.__setattr__(self, "key", _checked_key(key))
        if validate:
            self.validate()

    @classmethod
    def _trusted(
        cls, config: GenomeConfig, nodes: NodeGenes, conns: ConnectionGenes, key: int | None = None
    ) -> Genome:
        """Wrap arrays the caller owns and will not change (no copy, no checks).

        For operators: their output is valid by construction, and property
        tests check that it is.
        """
        for arr in (*nodes, *conns):
            arr.flags.writeable = False
        return cls._view(config, nodes, conns, key)

    @classmethod
    def _view(cls, config: GenomeConfig, nodes: NodeGenes, conns: ConnectionGenes, key: int | None = None) -> Genome:
        """Wrap read-only arrays (views of a ``GenePool``'s): nothing copied, nothing checked or set."""
        genome = object.__new__(cls)
        object.__setattr__(genome, "config", config)
        object.__setattr__(genome, "nodes", nodes)
        object.__setattr__(genome, "conns", conns)
        object.__setattr__(genome, "key", key)
        return genome

    def replace(self, *, nodes: NodeGenes | None = None, conns: ConnectionGenes | None = None) -> Genome:
        """A genome with new node and/or connection genes (arrays must be fresh; not validated).

        The result is a new genome: it has no key.
        """
        return Genome._trusted(
            self.config,
            self.nodes if nodes is None else nodes,
            self.conns if conns is None else conns,
        )

    def with_key(self, key: int | None) -> Genome:
        """The same genes under ``key`` (the arrays are shared, not copied)."""
        return Genome._trusted(self.config, self.nodes, self.conns, _checked_key(key))

    def copy(self) -> Genome:
        """A genome with copies of the gene arrays (and the same key).

        A genome taken from a ``GenePool`` views the pool's arrays; its copy
        holds only its own genes.
        """
        return Genome._trusted(
            self.config, NodeGenes(*(a.copy() for a in self.nodes)), ConnectionGenes(*(a.copy() for a in self.conns)),
            self.key,
        )

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Genome is immutable; operators return new genomes")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("Genome is immutable")

    def __reduce__(self) -> Any:
        # Lets concurrent.futures ship genomes to worker processes as arrays.
        return (_rebuild, (self.config, tuple(self.nodes), tuple(self.conns), self.key))

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

        The invariants are listed in ``neat.genome.invariants.check_invariants``.
        Returns the genome itself, so ``Genome(...).validate()`` chains.
        """
        check_invariants(self.config, self.nodes, self.conns)
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
        key = "" if self.key is None else f"key={self.key}, "
        return (
            f"Genome({key}inputs={self.num_inputs}, outputs={self.num_outputs}, hidden={self.num_hidden}, "
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
        """A JSON-ready dict of the genome (see ``genome_to_dict``)."""
        return genome_to_dict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Genome:
        """Rebuild a genome from ``to_dict()`` output (validated)."""
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


def genome_to_dict(genome: Genome) -> dict[str, Any]:
    """A JSON-ready dict of ``genome``, self-contained (it embeds the genome config).

    Activations and aggregations are stored by name, node kinds as words.
    """
    n, c = genome.nodes, genome.conns
    return {
        "format": GENOME_FORMAT,
        "version": GENOME_VERSION,
        "key": genome.key,
        "genome_config": genome.config.to_dict(),
        "nodes": {
            "id": n.id.tolist(),
            "kind": [_KIND_NAMES[k] for k in n.kind.tolist()],
            "bias": n.bias.tolist(),
            "response": n.response.tolist(),
            "activation": genome.activation_names(),
            "aggregation": genome.aggregation_names(),
            "time_constant": n.time_constant.tolist(),
        },
        "connections": {
            "innovation": c.innovation.tolist(),
            "src": c.src.tolist(),
            "dst": c.dst.tolist(),
            "weight": c.weight.tolist(),
            "enabled": c.enabled.tolist(),
        },
    }


_TOP_FIELDS = ("format", "version", "key", "genome_config", "nodes", "connections")
_GENE_FIELDS: dict[str, dict[str, str]] = {
    "nodes": {"id": "integer", "kind": "kind", "bias": "number", "response": "number", "activation": "name",
              "aggregation": "name", "time_constant": "number"},
    "connections": {"innovation": "integer", "src": "integer", "dst": "integer", "weight": "number",
                    "enabled": "boolean"},
}
"""The dict form's gene fields and what each entry holds (``NodeGenes`` / ``ConnectionGenes`` fields, in order)."""


def _is_integer(v: Any) -> bool:
    return isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_))


_ENTRY_CHECKS: dict[str, tuple[tuple[type, ...], Any, str]] = {
    # what: (exact types that pass at once, the full test, what is expected in words)
    "integer": ((int,), _is_integer, "an integer"),
    "number": ((int, float), _is_number, "a number"),
    "boolean": ((bool,), lambda v: isinstance(v, (bool, np.bool_)), "true or false"),
    "kind": ((), lambda v: v in _KIND_NAMES, "one of " + ", ".join(map(repr, _KIND_NAMES))),
    "name": ((str,), lambda v: isinstance(v, str), "a string"),
}


def _json_type(value: Any) -> str:
    """What ``value`` is, in JSON's words."""
    if value is None:
        return "null"
    if isinstance(value, (bool, np.bool_)):
        return "a boolean"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, (int, np.integer)):
        return "an integer"
    if isinstance(value, (float, np.floating)):
        return "a number with a decimal point" if float(value).is_integer() else "a number"
    if isinstance(value, (list, tuple, np.ndarray)):
        return "an array"
    if isinstance(value, Mapping):
        return "an object"
    return f"a {type(value).__name__}"


def _shown(value: Any) -> str:
    text = repr(value.tolist() if isinstance(value, np.ndarray) else value)
    return text if len(text) <= 60 else text[:57] + "..."


def _check_fields(where: str, data: Mapping[str, Any], fields: tuple[str, ...], optional: tuple[str, ...] = ()) -> None:
    unknown = [k for k in data if k not in fields]
    if unknown:
        hint = difflib.get_close_matches(str(unknown[0]), fields, n=1)
        raise InvalidGenomeError(
            f"genome {where}has the unknown field {unknown[0]!r}" + (f"; did you mean {hint[0]!r}?" if hint else "")
            + f" (fields: {', '.join(fields)})"
        )
    missing = [k for k in fields if k not in data and k not in optional]
    if missing:
        raise InvalidGenomeError(f"genome {where}lacks the field {missing[0]!r} (fields: {', '.join(fields)})")


def _checked_genes(group: str, data: Any) -> dict[str, list]:
    """The columns of ``data["nodes"]`` or ``data["connections"]``, every entry of the right JSON type."""
    fields = _GENE_FIELDS[group]
    if not isinstance(data, Mapping):
        raise InvalidGenomeError(f"genome {group} is {_json_type(data)}; expected an object of the fields "
                                 f"{', '.join(fields)}")
    _check_fields(f"{group} ", data, tuple(fields), optional=("time_constant",))  # absent in older files
    columns = {}
    for field, what in fields.items():
        if field not in data:
            continue
        values = data[field]
        exact, test, expected = _ENTRY_CHECKS[what]
        if not isinstance(values, (list, tuple)):
            raise InvalidGenomeError(f"genome {group}.{field} is {_shown(values)} ({_json_type(values)}); "
                                     f"expected an array of entries, each {expected}")
        if not all(type(v) in exact for v in values):
            for index, value in enumerate(values):
                if not test(value):
                    raise InvalidGenomeError(f"genome {group}.{field}[{index}] is {_shown(value)} "
                                             f"({_json_type(value)}); expected {expected}")
        columns[field] = list(values)
    lengths = {field: len(values) for field, values in columns.items()}
    if len(set(lengths.values())) > 1:
        raise InvalidGenomeError(f"genome {group} fields must have one entry per gene, got lengths "
                                 + ", ".join(f"{f}={n}" for f, n in lengths.items()))
    return columns


def _codes(names: list[str], options: tuple[str, ...], what: str) -> np.ndarray:
    for index, name in enumerate(names):
        if name not in options:
            raise InvalidGenomeError(
                f"genome nodes.{what}[{index}]: {name!r} is not among {what}_options {list(options)}"
            )
    return np.array([options.index(name) for name in names], dtype=np.int16)


def genome_from_dict(data: Mapping[str, Any]) -> Genome:
    """Rebuild (and validate) a genome from ``genome_to_dict`` output.

    Every field is checked before anything is converted: ids and innovation
    numbers are integers, biases, responses and weights numbers (not strings,
    booleans or null), ``enabled`` true or false, kinds, activations and
    aggregations names; unknown and missing fields are errors, except
    ``nodes.time_constant`` (files written before it: every node gets the
    config's clamped ``time_constant_init_mean``).

    Raises
    ------
    InvalidGenomeError
        Naming the field, e.g. ``genome connections.weight[3] is '0.5' (a string); expected a number``.
    ConfigError
        When the embedded ``genome_config`` is not a valid ``[genome]`` section.
    """
    if not isinstance(data, Mapping) or data.get("format") != GENOME_FORMAT:
        raise InvalidGenomeError(f'not a genome: expected a JSON object with "format": "{GENOME_FORMAT}"')
    if data.get("version") != GENOME_VERSION:
        raise InvalidGenomeError(f"unsupported genome version {data.get('version')!r} (supported: {GENOME_VERSION})")
    _check_fields("", data, _TOP_FIELDS, optional=("key",))
    config = GenomeConfig.from_dict(data["genome_config"])
    nodes = _checked_genes("nodes", data["nodes"])
    conns = _checked_genes("connections", data["connections"])
    nodes["kind"] = [_KIND_NAMES.index(k) for k in nodes["kind"]]
    nodes["activation"] = _codes(nodes["activation"], config.activation_options, "activation")
    nodes["aggregation"] = _codes(nodes["aggregation"], config.aggregation_options, "aggregation")
    return Genome(config, nodes, conns, key=data.get("key"))


def _rebuild(config: GenomeConfig, nodes: tuple, conns: tuple, key: int | None = None) -> Genome:
    if len(nodes) == len(NodeGenes._fields) - 1:  # pickled before time constants
        nodes = (*nodes, np.full(len(nodes[0]), default_time_constant(config)))
    return Genome._trusted(config, NodeGenes(*nodes), ConnectionGenes(*conns), key)


def _checked_key(key: Any) -> int | None:
    if key is None:
        return None
    if isinstance(key, (bool, np.bool_)) or not isinstance(key, (int, np.integer)):
        raise InvalidGenomeError(f"a genome key must be an integer or None, got {key!r}")
    return int(key)

