"""The invariants every genome keeps, checked in one place (``Genome.validate``)."""

from __future__ import annotations

import typing

import numpy as np

from ..config import GenomeConfig
from ..errors import InvalidGenomeError
from .genes import ConnectionGenes, NodeGenes, NodeKind
from .graph import longest_path_depths

__all__ = ["check_invariants"]


def check_invariants(cfg: GenomeConfig, nodes: NodeGenes, conns: ConnectionGenes) -> None:
    """Raise ``InvalidGenomeError`` naming the first invariant the genes break.

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
    8. every weight, bias, response and time constant is finite and within its configured
       bounds (input nodes carry no attributes, so only finiteness is
       checked there), and every activation/aggregation code names one of
       the configured options.
    """
    ids = nodes.id
    n_in, n_out = cfg.num_inputs, cfg.num_outputs

    def fail(message: str) -> typing.NoReturn:
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
    for name in ("bias", "response", "time_constant"):
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
