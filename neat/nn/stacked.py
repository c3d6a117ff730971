"""What the feed-forward and the recurrent population stacks share.

Both hold ``P`` compiled networks as one flat description (a
``neat.nn.stack.StackArrays``), are built from compiled networks, from a
gene pool or from that description, slice into subsets, and pickle as the
description alone (the receiving process rebuilds the same layout, so the
same results; no network is compiled there).  ``StackedNetworks`` is that
common part; ``PopulationNetwork`` and ``RecurrentPopulationNetwork`` add
their layout (``_build``) and their forward pass.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ClassVar, NamedTuple

import numpy as np

from ..genome.pool import GenePool
from ._common import ArrayFn, float_dtype
from .base import CompiledNetwork
from .stack import StackArrays, networks_of, stack_arrays_from_networks, take_networks

__all__ = ["StackedNetworks", "Gather", "finite_at_zero", "shared_output_rows"]


class Gather(NamedTuple):
    """Slots (across networks) sharing an aggregation other than sum and a fan-in."""

    net: np.ndarray  # (k,) network of each slot
    slot: np.ndarray  # (k,) slot (within the layer, or row of the step's pre-activations)
    src: np.ndarray  # (k, fan) buffer rows of the inputs, innovation order
    weight: np.ndarray  # (k, fan, 1)
    response: np.ndarray  # (k, 1)
    bias: np.ndarray  # (k, 1)
    aggregate: ArrayFn | None  # None: fan-in 0, the aggregate is 0


def shared_output_rows(output_rows: np.ndarray) -> slice | None:
    """The slice of buffer rows every network's outputs occupy, when they are the same consecutive rows for all.

    ``output_rows``: ``(P, n_out)`` each network's output rows.  ``None``
    otherwise (the outputs are then gathered network by network).
    """
    if not output_rows.size:
        return None
    r0, n_out = int(output_rows[0, 0]), output_rows.shape[1]
    same = np.array_equal(output_rows, np.broadcast_to(np.arange(r0, r0 + n_out), output_rows.shape))
    return slice(r0, r0 + n_out) if same else None


def finite_at_zero(fn: ArrayFn, dtype: np.dtype) -> bool:
    """Whether ``fn(0)`` is finite, so a padding slot computing it is harmless."""
    with np.errstate(all="ignore"):
        return bool(np.all(np.isfinite(fn(np.zeros(1, dtype=dtype)))))


class StackedNetworks:
    """``P`` networks of one kind as one flat description (the base of the population stacks).

    Subclasses name the network class they hold (``NETWORK``), how a pool
    compiles to the flat description (``_arrays_from_pool``), and build their
    layout in ``_build``.

    Parameters
    ----------
    networks
        Compiled networks of the subclass's kind, with equal ``num_inputs``
        and ``num_outputs``.
    dtype
        ``float64`` (default) or ``float32``.
    exact
        Exact mode (see ``neat.nn.compile``): every network's outputs are the
        same bits as its own exact network's, for any stack, subset and batch.
        Default ``False``: BLAS products, equal to rounding.

    Attributes
    ----------
    exact : bool
        Whether the stack is in exact mode (its subsets and ``networks`` are too,
        unless it was built from networks, which are then returned as given).
    """

    NETWORK: ClassVar[type[CompiledNetwork]]
    _arrays_from_pool: ClassVar[Callable[[GenePool], StackArrays]]

    def __init__(self, networks: Sequence[CompiledNetwork], dtype: Any = np.float64, exact: bool = False) -> None:
        nets = tuple(networks)
        if not nets:
            raise ValueError("a population stack needs at least one network")
        kind = self.NETWORK.__name__
        for p, net in enumerate(nets):
            if not isinstance(net, self.NETWORK):
                other = [c.__name__ for c in StackedNetworks.__subclasses__() if isinstance(net, c.NETWORK)]
                hint = f"; stack those with {other[0]} (or compile_population)" if other else ""
                raise TypeError(f"a {type(self).__name__} holds {kind}s; item {p} is a {type(net).__name__}{hint}")
        n_in, n_out = nets[0].num_inputs, nets[0].num_outputs
        for p, net in enumerate(nets):
            if (net.num_inputs, net.num_outputs) != (n_in, n_out):
                raise ValueError(
                    f"network {p} has {net.num_inputs} inputs and {net.num_outputs} outputs; "
                    f"network 0 has {n_in} and {n_out}"
                )
        self._setup(stack_arrays_from_networks(nets), dtype, nets, exact)

    @classmethod
    def from_pool(cls, pool: GenePool, dtype: Any = np.float64, exact: bool = False) -> Any:
        """The stack of every genome of ``pool``, compiled at once (no per-genome compile)."""
        return cls.from_arrays(cls._arrays_from_pool(pool), dtype, exact)

    @classmethod
    def from_arrays(cls, arrays: StackArrays, dtype: Any = np.float64, exact: bool = False) -> Any:
        """The stack of the networks ``arrays`` describes (what ``arrays()`` returns; not checked)."""
        if arrays.size < 1:
            raise ValueError("a population stack needs at least one network")
        stack = cls.__new__(cls)
        stack._setup(arrays, dtype, None, exact)
        return stack

    def _setup(
        self, arrays: StackArrays, dtype: Any, networks: tuple[Any, ...] | None, exact: bool = False
    ) -> None:
        for field in arrays:
            if isinstance(field, np.ndarray):
                field.flags.writeable = False  # shared with subsets and the networks made from them
        self._arrays = arrays
        self._networks = networks
        self.size = arrays.size
        self.num_inputs, self.num_outputs = arrays.num_inputs, arrays.num_outputs
        self.dtype = float_dtype(dtype)
        self.exact = bool(exact)
        self._build()

    def _build(self) -> None:
        raise NotImplementedError

    # ------------------------------------------------------------------
    def arrays(self) -> StackArrays:
        """The flat description of the networks: what the stack is built from and pickled as."""
        return self._arrays

    @property
    def networks(self) -> tuple[Any, ...]:
        """Every network on its own, each equal to compiling its genome alone.

        Made from the flat arrays on first access (one constructor call per
        network) unless the stack was built from networks.
        """
        if self._networks is None:
            self._networks = networks_of(self._arrays, self.dtype, self.NETWORK, self.exact)
        return self._networks

    def subset(self, rows: Any) -> Any:
        """The stack of networks ``rows``, in that order.

        Parameters
        ----------
        rows : (k,) int or (P,) bool
            Network positions (negative ones count from the end) or a mask; at least one.

        Returns
        -------
        The same kind of stack, sliced from the flat arrays in a few
        vectorized passes; its outputs equal ``self``'s for those networks
        (a recurrent stack's subset carries their current states over).
        """
        index = np.atleast_1d(np.asarray(rows))
        rows = np.arange(self.size)[index] if index.size else index.astype(np.int64)
        if rows.size == 0:
            raise ValueError("a population stack needs at least one network")
        stack = type(self).__new__(type(self))
        nets = None if self._networks is None else tuple(self._networks[i] for i in rows.tolist())
        stack._setup(take_networks(self._arrays, rows), self.dtype, nets, self.exact)
        self._carry_over(stack, rows)
        return stack

    def _carry_over(self, stack: Any, rows: np.ndarray) -> None:
        """Give ``stack`` (networks ``rows`` of this one) what else it keeps of them (a state)."""

    def __reduce__(self) -> Any:
        # Travels as its flat arrays (without a state) and is rebuilt with the same layout.
        return (_rebuild_stack, (type(self), self._arrays, self.dtype, self.exact))

    def __len__(self) -> int:
        return self.size


def _rebuild_stack(cls: type[StackedNetworks], arrays: StackArrays, dtype: Any, exact: bool = False) -> StackedNetworks:
    return cls.from_arrays(arrays, dtype, exact)
