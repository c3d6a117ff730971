"""A recurrent population stack: P recurrent networks stepped by one call, one batched matrix product per step.

Every network keeps the time semantics of ``RecurrentNetwork`` (neat-python's:
each step, every non-input node's new value is computed at once from the
previous step's values and this step's inputs; see ``neat.nn.recurrent``).
The networks are padded to one buffer layout::

    row 0: the constant 1 | inputs | S node slots

A network's non-input nodes fill the first slots in its own order (by
activation, aggregation and id, as ``compile_recurrent`` numbers them); ``S``
is the most non-input nodes any network has, and the other slots are
padding: zero weights in and out.  The node-by-node matrices stack into
``W: (P, S, R)`` (``R = 1 + n_inputs + S``; column 0 holds the bias against
the constant row), the states into ``B: (P, R, batch)``, and one step is::

    B[:, 1:n_in + 1] = inputs                  # shared by all networks, or one batch per network
    Z = W @ B                                  # (P, S, batch): np.matmul over the whole population
    B[:, 1 + n_in:] = f(Z)                     # one call when every node has the activation f

Nodes whose aggregation is not the sum are gathered as in a single network.
When the nodes have several activations, each function is called once on
its nodes, gathered from ``Z`` and scattered into ``B`` (measured faster, by
half on three functions, than giving each function its own padded run of
slots: the padding of every run widens the matrices and the calls).  Inside,
networks are ordered by their node counts and stepped in chunks that skip
the padding none of their networks uses (see ``_chunks``).  A padding slot
is never computed with a function that is not finite at 0.

CTRNN genomes (``[genome] ctrnn = true``) stack the same way; after the
activations every slot moves by its rate, ``B <- B_old + a (B - B_old)``
(``a`` per slot, 0 for padding; see ``CTRNNNetwork``).

Results equal each network stepped alone (``compile_recurrent``) up to float
rounding.  The weights, the gathered aggregations and the activations are
the single network's arithmetic; only the matrix product differs in shape.
The matrix products group their sums by the shapes of the call, so outputs
can differ from the network's alone in the last bits, at any batch size.  In
exact mode (``exact=True``) each step's sums are sums of terms instead
(``neat.nn._terms.sum_terms``, the state seen as ``(P * R, batch)``, a
chunk adding only the terms its networks need), and every network's outputs
are the same bits as its own exact network's.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..functions import activation_function, activation_prescale, aggregation_function, is_builtin_sum
from ..genome.pool import ranges
from ._common import ArrayFn
from ._terms import pack_terms, sum_terms
from .recurrent import RecurrentNetwork, ctrnn_rates
from .stack import StackArrays, recurrent_arrays_from_pool
from .stacked import Gather, StackedNetworks, finite_at_zero, shared_output_rows

__all__ = ["RecurrentPopulationNetwork"]

_CHUNK = 8192
"""Values per activation call (a chunk of networks): see ``_chunks``."""

_Chunk = tuple[int, int, int, tuple[tuple[int, int, ArrayFn], ...], int]
"""``(i, j, w, groups, f)``: inside positions ``i:j``, their slots ``:w``, the activation runs ``(a, b, fn)``
within, and in exact mode the terms ``:f`` their sums need (a power of two; 0 otherwise)."""


class RecurrentPopulationNetwork(StackedNetworks):
    """P recurrent networks, each with its state, stepped together (see the module docstring).

    Build one with ``compile_population`` (genomes of a ``feed_forward =
    false`` config, or a gene pool of them: compiled at once, no per-genome
    compile), ``RecurrentPopulationNetwork(networks)`` (from compiled
    ``RecurrentNetwork``s), ``from_pool`` or ``from_arrays``.

    Parameters
    ----------
    networks
        ``RecurrentNetwork``s with equal ``num_inputs`` and ``num_outputs``
        (their own states are neither read nor changed).
    dtype
        ``float64`` (default) or ``float32``.

    Attributes
    ----------
    size : int
        Number of networks ``P``.
    num_inputs, num_outputs : int
    num_slots : int
        ``S``: node slots per network (padding included).
    num_rows : int
        ``R = 1 + num_inputs + num_slots``: rows of a network's state buffer.
    networks : tuple of RecurrentNetwork
        Each network on its own, without state (made on first access when the
        stack was not built from networks).
    """

    NETWORK = RecurrentNetwork
    _arrays_from_pool = staticmethod(recurrent_arrays_from_pool)

    def _setup(
        self, arrays: StackArrays, dtype: Any, networks: tuple[RecurrentNetwork, ...] | None, exact: bool = False
    ) -> None:
        self._state: np.ndarray | None = None
        self._z: np.ndarray | None = None  # the pre-activations' buffer, reused from step to step
        super()._setup(arrays, dtype, networks, exact)

    def _carry_over(self, stack: RecurrentPopulationNetwork, rows: np.ndarray) -> None:
        """Give the subset ``stack`` the current states of networks ``rows``."""
        if self._state is not None:
            counts = np.diff(self._arrays.node_offsets)[rows]
            old = ranges(self._arrays.node_offsets[rows], counts)  # the old node row of every new node
            B = np.zeros((len(rows), stack.num_rows, self._state.shape[2]), dtype=self.dtype)
            B[:, 0] = 1.0
            B[stack._node_net, stack._node_row] = self._state[self._node_net[old], self._node_row[old]]
            stack._state = B

    # ------------------------------------------------------------------
    def _build(self) -> None:
        a, P, n_in = self._arrays, self.size, self.num_inputs
        node_net = a.node_net
        inner = np.flatnonzero(a.node_layer > 0)  # the non-input nodes, in network then index order

        # Function tables shared by all networks, by name.
        # fn(z) == g(c * z): c goes into the weights, g is called (as in a single network).
        prescales = [activation_prescale(activation_function(name)) for name in a.activation_names]
        act_fns = [inner_fn for _, inner_fn in prescales]
        act_scale = np.array([c for c, _ in prescales])
        agg_fns = [aggregation_function(name) for name in a.aggregation_names]
        is_sum = np.array([is_builtin_sum(fn) for fn in agg_fns], dtype=bool)
        act_code = a.activation.astype(np.intp)
        agg_code = a.aggregation.astype(np.intp)
        bias, response = a.bias * act_scale[act_code], a.response * act_scale[act_code]

        # Slots: a non-input node's slot is its position among its network's
        # non-input nodes, as in the network's own matrix; S is the most any has.
        node_slot = np.where(a.node_layer > 0, a.node_slot, -1)
        S = int(node_slot.max()) + 1
        self.num_slots, self.num_rows = S, 1 + n_in + S
        R = self.num_rows
        node_row = np.where(node_slot >= 0, 1 + n_in + node_slot, 1 + a.node_slot)

        # Inside, the networks are ordered by the slots they use, so that a
        # chunk of consecutive networks is evaluated without most of the
        # padding: see _chunks.
        used = np.diff(a.node_offsets) - n_in  # non-input nodes per network
        self._order = np.argsort(used, kind="stable")  # the network at each inside position
        self._position = np.empty(P, dtype=np.int64)  # the inside position of each network
        self._position[self._order] = np.arange(P)
        self._permuted = bool(np.any(self._order != np.arange(P)))
        self._used = used[self._order]
        net = self._position[node_net]  # every node's inside position
        self._node_net, self._node_row = net, node_row
        self._output_rows = node_row[a.output_node]  # (P, n_out), network order
        self._output_nets = self._position[:, None]
        # Where every network's outputs are the same consecutive rows (one
        # activation and aggregation: outputs have the lowest ids), a slice.
        self._output_slice = shared_output_rows(self._output_rows)

        # Weights (P, S, R) in one flat array: the bias in column 0, then the
        # response-folded weights; add.at because a repeated (src, dst) pair
        # adds up, as in a sum (and as in a single network, in innovation order).
        node_is_sum = is_sum[agg_code]
        sum_nodes = inner[node_is_sum[inner]]
        src_row, dst = node_row[a.edge_src], a.edge_dst
        into_sum = node_is_sum[dst]
        d = dst[into_sum]
        if self.exact:
            # The terms of every sum node (neat.nn._terms.sum_terms), as (F, P, S)
            # arrays over inside positions; a term reads row `position * R + row`
            # of the state seen as (P * R, batch).
            target = np.concatenate((sum_nodes, d))
            column = net[target] * S + node_slot[target]
            flat_src, flat_weight, _, depth = pack_terms(
                np.zeros(len(target), dtype=np.int64),
                column,
                net[target] * R + np.concatenate((np.zeros(len(sum_nodes), dtype=np.int64), src_row[into_sum])),
                np.concatenate((bias[sum_nodes], a.edge_weight[into_sum] * response[d])),
                np.array([P * S]),
                self.dtype,
            )
            F = int(depth[0])
            self._src, self._weight = flat_src.reshape(F, P, S), flat_weight.reshape(F, P, S, 1)
            # The most terms of one sum of every network (inside order): a chunk needs only as many.
            self._terms = np.bincount(column, minlength=P * S).reshape(P, S).max(axis=1)
        else:
            row_pos = (net * S + node_slot) * R  # where each non-input node's row of weights begins
            flat = np.zeros(P * S * R, dtype=np.float64)
            flat[row_pos[sum_nodes]] = bias[sum_nodes]
            np.add.at(flat, row_pos[d] + src_row[into_sum], a.edge_weight[into_sum] * response[d])
            self._weights = flat.astype(self.dtype, copy=False).reshape(P, S, R)
        self._rate = None  # CTRNNs: every slot's rate a (padding: 0, so it stays 0), see CTRNNNetwork
        if a.ctrnn is not None:
            rate = np.zeros((P, S, 1), dtype=self.dtype)
            rate[net[inner], node_slot[inner], 0] = ctrnn_rates(a.time_constant[inner], *a.ctrnn)
            self._rate = rate
        self._gathers = self._make_gathers(inner, node_is_sum, agg_code, agg_fns, bias, response, node_slot, src_row)

        # Activations.  One function for every node: one call per chunk over
        # its slots (padding included, when the function is finite at 0).
        # Several: one call per function on its nodes only, gathered and
        # scattered (measured faster than padding each function's own run of
        # slots, which makes the matrices wider too).
        functions = np.unique(act_code[inner]).tolist()
        groups, indexed = [], []
        if len(functions) == 1 and finite_at_zero(act_fns[functions[0]], self.dtype):
            groups.append((0, S, act_fns[functions[0]]))
        else:
            for f in functions:
                nodes = inner[act_code[inner] == f]
                indexed.append((net[nodes], node_slot[nodes], act_fns[f]))
        self._groups = tuple(groups)
        self._indexed = tuple(indexed)
        self._chunk_plan: tuple[int, tuple[_Chunk, ...]] = (-1, ())  # (batch, its chunks)

    def _chunks(self, batch: int) -> tuple[_Chunk, ...]:
        """The step's chunks for ``batch``: ``(i, j, w, groups, f)``, inside positions ``i:j`` using slots ``:w``.

        About ``_CHUNK`` values each, so that an activation's temporaries stay
        in cache and small enough for the allocator to reuse (large ones may go
        back to the system and be faulted in again on every call, which costs
        more than the arithmetic); ``groups`` are the activation calls over
        slot ranges, clipped to ``w``; ``f`` (exact mode) the terms their sums
        need, a power of two (the rest are ``-0.0``).  Slots from ``w`` on are padding for
        every network of the chunk: they are neither multiplied nor activated
        (and stay 0).
        """
        if self._chunk_plan[0] != batch:
            per = max(1, _CHUNK // max(1, self.num_slots * batch))
            chunks = []
            for i in range(0, self.size, per):
                j = min(i + per, self.size)
                w = int(self._used[j - 1])  # the most of the chunk: positions are ordered by slots used
                groups = tuple((a, min(b, w), fn) for a, b, fn in self._groups if a < w)
                # exact mode: the terms' power of two for the most terms of a sum of the chunk
                f = 1 << (max(int(self._terms[i:j].max()), 1) - 1).bit_length() if self.exact else 0
                chunks.append((i, j, w, groups, f))
            self._chunk_plan = (batch, tuple(chunks))
        return self._chunk_plan[1]

    def _make_gathers(
        self,
        inner: np.ndarray,
        node_is_sum: np.ndarray,
        agg_code: np.ndarray,
        agg_fns: list[ArrayFn],
        bias: np.ndarray,
        response: np.ndarray,
        node_slot: np.ndarray,
        src_row: np.ndarray,
    ) -> tuple[Gather, ...]:
        """Gather groups, by (aggregation, fan-in), for the nodes whose aggregation is not the sum."""
        a, dtype = self._arrays, self.dtype
        others = inner[~node_is_sum[inner]]
        if others.size == 0:
            return ()
        dst = a.edge_dst
        into = ~node_is_sum[dst]
        order = np.argsort(dst[into], kind="stable")  # keeps innovation order per node
        e_src, e_dst, e_w = src_row[into][order], dst[into][order], a.edge_weight[into][order]
        n_nodes = len(node_slot)
        fan = np.bincount(e_dst, minlength=n_nodes)
        start = np.zeros(n_nodes + 1, dtype=np.int64)
        np.cumsum(fan, out=start[1:])
        keys = np.stack((agg_code[others], fan[others]), axis=1)
        groups, inverse = np.unique(keys, axis=0, return_inverse=True)
        inverse = inverse.ravel()
        out = []
        for g, (agg, k) in enumerate(groups.tolist()):
            nodes = others[inverse == g]
            positions = start[nodes][:, None] + np.arange(k)
            out.append(
                Gather(
                    net=self._node_net[nodes],  # inside positions
                    slot=node_slot[nodes],
                    src=e_src[positions],
                    weight=e_w[positions].astype(dtype)[:, :, None],
                    response=response[nodes].astype(dtype)[:, None],
                    bias=bias[nodes].astype(dtype)[:, None],
                    aggregate=agg_fns[agg] if k else None,
                )
            )
        return tuple(out)

    # ------------------------------------------------------------------
    def reset(self) -> None:
        """Forget every network's state: all node values are 0 again, and the next step may pick a new batch size."""
        self._state = None

    def step(self, X: Any) -> np.ndarray:
        """Advance every network one time step.

        Parameters
        ----------
        X : (P, batch, num_inputs), or (batch, num_inputs) / (num_inputs,) shared by all networks
            This step's inputs (real numbers), one row per independent state.

        Returns
        -------
        (P, batch, num_outputs), or (P, num_outputs) for a shared 1-D ``x``
            The outputs' new values.  As in a single network, NaN inputs
            propagate, and a non-finite node value makes every node of its
            network and batch row NaN from the next step on, until ``reset()``;
            other networks are not affected.

        Raises
        ------
        ValueError
            ``X`` has the wrong shape or dtype, or a batch size other than the
            state's (call ``reset()`` first).
        """
        X = np.asarray(X)
        P, n_in = self.size, self.num_inputs
        if X.dtype.kind not in "fiub":
            raise ValueError(f"expected X of a numeric (real) dtype, got {X.dtype}")
        if X.ndim == 3 and X.shape[0] == P and X.shape[2] == n_in:
            inputs = (X[self._order] if self._permuted else X).transpose(0, 2, 1)
        elif X.ndim == 2 and X.shape[1] == n_in:
            inputs = X.T
        elif X.ndim == 1 and X.shape[0] == n_in:
            inputs = X[:, None]
        else:
            raise ValueError(
                f"expected X of shape ({P}, batch, {n_in}), or (batch, {n_in}) / ({n_in},) shared by all networks, "
                f"got {X.shape}"
            )
        batch = inputs.shape[-1]
        B = self._state
        if B is None:
            B = np.zeros((P, self.num_rows, batch), dtype=self.dtype)
            B[:, 0] = 1.0
        elif B.shape[2] != batch:
            raise ValueError(
                f"the stack's state holds a batch of {B.shape[2]}, got X with batch {batch}; "
                "call reset() before changing the batch size"
            )
        B[:, 1 : n_in + 1] = inputs
        Z = self._z
        if Z is None or Z.shape[2] != batch:
            Z = self._z = np.zeros((P, self.num_slots, batch), dtype=self.dtype)
        chunks = self._chunks(batch)
        top, exact = 1 + n_in, self.exact
        if exact:
            values, src, weight = B.reshape(P * self.num_rows, batch), self._src, self._weight  # a view of B
            for i, j, w, _, f in chunks:
                Z[i:j, :w] = sum_terms(values, src[:f, i:j, :w], weight[:f, i:j, :w])
        else:
            W = self._weights
            for i, j, w, _, _ in chunks:
                np.matmul(W[i:j, :w, : top + w], B[i:j, : top + w], out=Z[i:j, :w])
        for g in self._gathers:
            if g.aggregate is None:
                Z[g.net, g.slot] = g.bias
            else:
                # (k, fan, batch) -> (k, batch, fan): aggregations reduce the last axis
                # (contiguous in exact mode, so alike for any k and batch).
                weighted = (B[g.net[:, None], g.src] * g.weight).transpose(0, 2, 1)
                if exact:
                    weighted = np.ascontiguousarray(weighted)
                Z[g.net, g.slot] = g.response * g.aggregate(weighted) + g.bias
        # Every product has read the previous state: now write the new one.
        old = None if self._rate is None else B[:, top:].copy()
        for i, j, _, groups, _ in chunks:
            for a, b, fn in groups:
                B[i:j, top + a : top + b] = fn(Z[i:j, a:b])
        for nets, slots, fn in self._indexed:
            B[nets, top + slots] = fn(Z[nets, slots])
        if old is not None:  # CTRNN: y <- y + a (z - y)
            B[:, top:] -= old
            B[:, top:] *= self._rate
            B[:, top:] += old
        self._state = B
        if self._output_slice is not None:
            out = B[:, self._output_slice].transpose(0, 2, 1)
            out = out[self._position] if self._permuted else out.copy()  # never a view of the state
        else:
            out = B[self._output_nets, self._output_rows].transpose(0, 2, 1)
        return np.ascontiguousarray(out[:, 0] if X.ndim == 1 else out)

    forward = step
    __call__ = step

    def run(self, inputs: Any) -> np.ndarray:
        """Step through a sequence from the current state.

        Parameters
        ----------
        inputs : (steps, P, batch, num_inputs), or (steps, batch, num_inputs) / (steps, num_inputs) shared

        Returns
        -------
        (steps, P, batch, num_outputs), or (steps, P, num_outputs) for shared 1-D steps
        """
        inputs = np.asarray(inputs)
        if inputs.ndim not in (2, 3, 4):
            raise ValueError(
                f"expected inputs of shape (steps, {self.size}, batch, {self.num_inputs}), "
                f"(steps, batch, {self.num_inputs}) or (steps, {self.num_inputs}), got {inputs.shape}"
            )
        if len(inputs):
            return np.stack([self.step(x) for x in inputs])
        shape = (0, self.size, *inputs.shape[2 if inputs.ndim == 4 else 1 : -1], self.num_outputs)
        return np.empty(shape, dtype=self.dtype)

    @property
    def state(self) -> tuple[np.ndarray, ...] | None:
        """Every network's current node values, as its own ``RecurrentNetwork.state``; None after ``reset()``.

        A tuple of ``P`` arrays ``(batch, n_nodes_p)`` (copies), network ``p``'s
        nodes in its node-index order.
        """
        if self._state is None:
            return None
        values = self._state[self._node_net, self._node_row].T  # (batch, N)
        return tuple(np.split(np.ascontiguousarray(values), self._arrays.node_offsets[1:-1], axis=1))

    # ------------------------------------------------------------------
    def __repr__(self) -> str:
        return (
            f"RecurrentPopulationNetwork(size={self.size}, inputs={self.num_inputs}, outputs={self.num_outputs}, "
            f"slots={self.num_slots}, dtype={self.dtype.name}{', exact=True' if self.exact else ''})"
        )
