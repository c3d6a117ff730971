"""Recurrent networks: a genome with cycles compiled into one node-by-node matrix.

Time semantics (those of neat-python's ``RecurrentNetwork``): the network
holds a value for every node, 0 after ``reset()``.  One call is one time
step: every non-input node's new value is computed at once from the previous
step's values of all nodes and the current inputs::

    v_t[j] = act_j(response_j * agg_j({w_ij * u_t[i]}) + bias_j)
    u_t[i] = x_t[i] for inputs, v_{t-1}[i] for every other node

so every connection between non-input nodes (self-loops included) carries
its source's value from the previous step, and a connection from an input
carries the current input.  The call returns the outputs' new values.  A
signal therefore needs ``k`` steps to cross ``k`` connections after the
input layer.

A batch ``X: (batch, n_inputs)`` steps ``batch`` independent states at once;
a 1-D ``x`` is a batch of one.  The batch size is fixed from the first call
after ``reset()``.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from ..genome import Genome
from ._common import check_input, enabled_edges, float_dtype, reaching_outputs, renumbered_nodes, run_block
from .base import CompiledNetwork
from .base import _rebuild as _rebuild  # pickles made before the base class name it here

__all__ = ["RecurrentNetwork", "CTRNNNetwork", "compile_recurrent", "ctrnn_rates"]


def compile_recurrent(
    genome: Genome, dtype: Any = np.float64, *, validate: bool = False, exact: bool = False
) -> RecurrentNetwork:
    # The return is a CTRNNNetwork (a RecurrentNetwork) for a config with ctrnn = true.
    """Compile a genome (cycles and self-loops allowed) into a ``RecurrentNetwork``.

    Nodes from which no output can be reached are dropped; the others are
    numbered inputs first, then by activation function, aggregation and id.
    A feed-forward genome compiles too (it then needs as many steps as it
    has layers for an input to reach the outputs).  ``validate`` runs
    ``genome.validate()`` first; without it only what the compiler relies on
    is checked (see ``compile_feedforward``).  A config with ``ctrnn = true``
    gives a ``CTRNNNetwork`` (the genome's time constants, ``ctrnn_dt`` and
    ``ctrnn_integration``).  ``exact``: exact mode (see ``neat.nn.compile``).
    """
    dtype = float_dtype(dtype)
    if validate:
        genome.validate()
    cfg = genome.config
    src, dst, weight = enabled_edges(genome)
    nodes = genome.nodes
    n, n_in, n_out = len(nodes.id), cfg.num_inputs, cfg.num_outputs
    keep = reaching_outputs(n, n_in, n_out, src, dst)
    kept = np.flatnonzero(keep[n_in:]) + n_in
    order = np.lexsort((nodes.aggregation[kept], nodes.activation[kept]))
    index, node_arguments = renumbered_nodes(genome, kept[order])
    live = keep[dst]
    ctrnn: dict[str, Any] = {}
    if cfg.ctrnn:
        position = np.searchsorted(nodes.id, node_arguments["node_ids"])
        ctrnn = {"time_constant": nodes.time_constant[position], "dt": cfg.ctrnn_dt,
                 "integration": cfg.ctrnn_integration}
    return (CTRNNNetwork if cfg.ctrnn else RecurrentNetwork)(
        **node_arguments,
        **ctrnn,
        edge_src=index[src[live]],
        edge_dst=index[dst[live]],
        edge_weight=weight[live],
        pruned_ids=nodes.id[~keep],
        dtype=dtype,
        exact=exact,
        check=False,
    )


class RecurrentNetwork(CompiledNetwork):
    """A compiled recurrent network with its state (see the module docstring for the time semantics).

    Attributes are those of ``FeedForwardNetwork`` without layers:
    ``num_inputs``, ``num_outputs``, ``node_ids``, ``output_indices``,
    ``bias``, ``response``, ``activation_codes``, ``aggregation_codes``,
    ``activation_names``, ``aggregation_names``, ``edge_src``, ``edge_dst``,
    ``edge_weight``, ``pruned_ids``, ``dtype``, ``exact``; the constructor takes them as
    keywords (checked unless ``check=False``).  The dense matrix ``weights``
    has shape ``(n_nodes, n_nodes)``: ``weights[i, j]`` is the weight from
    node index ``i`` to node index ``j``.
    """

    KIND: ClassVar[str] = "recurrent"

    def _check(self) -> None:
        """Check the arrays are a consistent network (``ValueError`` naming the first problem)."""
        n, n_in = self.num_nodes, self.num_inputs
        self._check_arrays()
        if n <= n_in:
            raise ValueError(f"a network needs nodes beyond its {n_in} inputs, got {n} nodes")
        self._check_node_arrays()
        self._check_outputs(show_indices=False)
        self._check_codes_and_edges()
        src, dst = self.edge_src, self.edge_dst
        if len(src) and (src.min() < 0 or src.max() >= n or dst.min() < n_in or dst.max() >= n):
            raise ValueError(f"edges must run from node indices in [0, {n}) to non-input indices in [{n_in}, {n})")

    def _build_plan(self) -> None:
        """One block of every non-input node, reading every node; and no state yet."""
        n = self.num_nodes
        (self._block,) = self._build_blocks([self.num_inputs], [n], [n])
        self._output_rows = self.output_indices + 1
        self._state: np.ndarray | None = None

    # ------------------------------------------------------------------
    def reset(self) -> None:
        """Forget the state: every node's value is 0 again, and the next call may pick a new batch size."""
        self._state = None

    def step(self, X: Any) -> np.ndarray:
        """Advance one time step.

        Parameters
        ----------
        X : (batch, num_inputs) or (num_inputs,) array_like of real numbers
            This step's inputs, one row per independent state.

        Returns
        -------
        (batch, num_outputs) or (num_outputs,) array of ``dtype``
            The outputs' new values.  NaN inputs propagate; a non-finite node
            value makes every node NaN from the next step on (``0 * inf`` in
            the dense product), until ``reset()``.

        Raises
        ------
        ValueError
            ``X`` has the wrong shape or dtype, or a batch size other than the
            state's (call ``reset()`` first).
        """
        X = check_input(X, self.num_inputs)
        one = X.ndim == 1
        batch = 1 if one else X.shape[0]
        B = self._state
        if B is None:
            B = np.zeros((self.num_nodes + 1, batch), dtype=self.dtype)
            B[0] = 1.0
        elif B.shape[1] != batch:
            raise ValueError(
                f"the network's state holds a batch of {B.shape[1]}, got X with batch {batch}; "
                "call reset() before changing the batch size"
            )
        B[1 : self.num_inputs + 1] = X[:, None] if one else X.T
        self._advance(B)
        self._state = B
        out = B[self._output_rows]
        return out[:, 0] if one else np.ascontiguousarray(out.T)

    forward = step
    __call__ = step

    def _advance(self, B: np.ndarray) -> None:
        """Overwrite the node rows of the state buffer ``B`` with the next step's values."""
        run_block(B, *self._block)

    def run(self, inputs: Any) -> np.ndarray:
        """Step through a sequence from the current state.

        Parameters
        ----------
        inputs : (steps, batch, num_inputs) or (steps, num_inputs)

        Returns
        -------
        (steps, batch, num_outputs) or (steps, num_outputs)
        """
        inputs = np.asarray(inputs)
        if inputs.ndim not in (2, 3):
            raise ValueError(
                f"expected inputs of shape (steps, batch, {self.num_inputs}) or (steps, {self.num_inputs}), "
                f"got {inputs.shape}"
            )
        return (
            np.stack([self.step(x) for x in inputs])
            if len(inputs)
            else np.empty((0, *inputs.shape[1:-1], self.num_outputs), dtype=self.dtype)
        )

    @property
    def state(self) -> np.ndarray | None:
        """(batch, n_nodes) the current value of every node (a copy), or None after ``reset()``."""
        return None if self._state is None else self._state[1:].T.copy()

    # ------------------------------------------------------------------
    @property
    def weights(self) -> np.ndarray:
        """(n_nodes, n_nodes) dense weights, float64: ``weights[i, j]`` from index ``i`` to ``j``."""
        W = np.zeros((self.num_nodes, self.num_nodes))
        np.add.at(W, (self.edge_src, self.edge_dst), self.edge_weight)
        return W

    def __repr__(self) -> str:
        return (
            f"RecurrentNetwork(inputs={self.num_inputs}, outputs={self.num_outputs}, nodes={self.num_nodes}, "
            f"connections={self.num_connections}, dtype={self.dtype.name}"
            f"{', exact=True' if self.exact else ''})"
        )


def ctrnn_rates(time_constant: Any, dt: float, integration: str) -> np.ndarray:
    """The rate ``a`` of every node: ``y <- y + a (z - y)`` per step (float64).

    ``'euler'``: ``a = dt / tau`` (forward Euler of ``tau dy/dt = -y + z``);
    ``'exponential'``: ``a = 1 - exp(-dt / tau)`` (the decay integrated exactly, neat-python 2.0).
    """
    tau = np.asarray(time_constant, dtype=np.float64)
    if integration == "euler":
        return dt / tau
    if integration == "exponential":
        return -np.expm1(-dt / tau)
    raise ValueError(f"integration must be 'euler' or 'exponential', got {integration!r}")


class CTRNNNetwork(RecurrentNetwork):
    """A continuous-time recurrent network (CTRNN): a ``RecurrentNetwork`` whose nodes integrate.

    Every non-input node ``i`` follows ``tau_i dy_i/dt = -y_i + z_i`` with
    ``z_i = act_i(bias_i + response_i * agg_i(w_ji y_j))`` held over a step
    (inputs enter as in ``RecurrentNetwork``); one call advances the time by
    ``dt``::

        y_i <- y_i + a_i (z_i - y_i),   a_i = dt / tau_i ('euler') or 1 - exp(-dt / tau_i) ('exponential')

    With ``a_i = 1`` (Euler with ``tau_i = dt``) this is the plain recurrent
    step.  Attributes: those of ``RecurrentNetwork`` plus ``time_constant``
    ((n_nodes,) float64, per node index; inputs' unused), ``dt`` and ``integration``.
    Networks are not saved to ``.npz`` files (``save`` raises).
    """

    KIND: ClassVar[str] = "ctrnn"

    def __init__(self, *, time_constant: Any, dt: float, integration: str = "euler", **arguments: Any) -> None:
        self.time_constant = np.array(time_constant, dtype=np.float64)
        self.time_constant.flags.writeable = False
        self.dt, self.integration = float(dt), str(integration)
        super().__init__(**arguments)

    def _check(self) -> None:
        super()._check()
        tau = self.time_constant
        if tau.shape != (self.num_nodes,) or not np.all(np.isfinite(tau)) or np.any(tau[self.num_inputs:] <= 0):
            raise ValueError(f"time_constant must hold {self.num_nodes} finite values, > 0 for non-input nodes")
        if not (np.isfinite(self.dt) and self.dt > 0):
            raise ValueError(f"dt must be a finite number > 0, got {self.dt}")

    def _build_plan(self) -> None:
        super()._build_plan()
        rates = ctrnn_rates(self.time_constant[self.num_inputs:], self.dt, self.integration)
        self._rate = rates.astype(self.dtype)[:, None]

    def _advance(self, B: np.ndarray) -> None:
        top = self.num_inputs + 1
        old = B[top:].copy()
        run_block(B, *self._block)
        B[top:] -= old
        B[top:] *= self._rate
        B[top:] += old

    def arrays(self) -> dict[str, Any]:
        return {**super().arrays(), "time_constant": self.time_constant, "dt": self.dt,
                "integration": self.integration}

    def save(self, path: Any) -> None:
        raise NotImplementedError("CTRNN networks cannot be saved to .npz files yet; save the genome instead")

    def __repr__(self) -> str:
        return super().__repr__().replace("RecurrentNetwork(", "CTRNNNetwork(", 1)[:-1] + (
            f", dt={self.dt}, integration={self.integration})")
