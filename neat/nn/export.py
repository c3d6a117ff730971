"""Compiled networks as ``.npz`` files: ship a trained network without the genome or the evolution code.

A file holds plain arrays only (loading never unpickles anything):

===================  =========================  ==============================================
key                  array                      meaning
===================  =========================  ==============================================
``format``           str                        ``"neat-network"``
``version``          int                        ``1``
``kind``             str                        ``"feedforward"`` or ``"recurrent"``
``dtype``            str                        ``"float64"`` or ``"float32"``
``exact``            bool                       exact mode (optional: absent means ``False``)
``num_inputs``       int
``node_ids``         (n,) int64                 genome id of each node index
``layer_bounds``     (L+1,) int64               feed-forward only: layer ``l`` is ``[b[l-1], b[l])``
``output_indices``   (O,) int64                 node index of each output
``bias``             (n,) float64
``response``         (n,) float64
``activation_codes`` (n,) int16                 position in ``activation_names``
``aggregation_codes`` (n,) int16                position in ``aggregation_names``
``activation_names`` (k,) str                   function names (looked up in the registry on load)
``aggregation_names`` (m,) str
``edge_src``         (e,) int64                 connection source, a node index
``edge_dst``         (e,) int64                 connection target, a node index
``edge_weight``      (e,) float64               connection weight (innovation order)
``pruned_ids``       (p,) int64                 genome ids dropped at compile time
===================  =========================  ==============================================

Functions are stored by name: a network using a user's function loads in a
process that has registered that name.
"""

from __future__ import annotations

import zipfile
from os import PathLike
from typing import Any

import numpy as np

from ..errors import CheckpointError, ConfigError
from .base import NETWORK_FORMAT, NETWORK_VERSION
from .feedforward import FeedForwardNetwork
from .recurrent import RecurrentNetwork

__all__ = ["save_network", "load_network", "NETWORK_FORMAT", "NETWORK_VERSION"]


_INT_KEYS = (
    "node_ids",
    "output_indices",
    "activation_codes",
    "aggregation_codes",
    "edge_src",
    "edge_dst",
    "pruned_ids",
)
_FLOAT_KEYS = ("bias", "response", "edge_weight")
_NAME_KEYS = ("activation_names", "aggregation_names")
_KINDS: dict[str, type] = {cls.KIND: cls for cls in (FeedForwardNetwork, RecurrentNetwork)}


def save_network(network: FeedForwardNetwork | RecurrentNetwork, path: str | PathLike[str]) -> None:
    """Write ``network`` to ``path`` as an ``.npz`` file, atomically (the name is used as given).

    The same as ``network.save(path)``.  A recurrent network's state is not saved.
    """
    if not isinstance(network, tuple(_KINDS.values())):
        raise TypeError(f"expected a FeedForwardNetwork or RecurrentNetwork, got {type(network).__name__}")
    network.save(path)


def load_network(path: str | PathLike[str]) -> FeedForwardNetwork | RecurrentNetwork:
    """Read a network written by ``save_network`` (or ``network.save``).

    Raises
    ------
    CheckpointError
        The file cannot be read, is not a network file, or its arrays do not
        form a consistent network; or it names a function not registered in
        this process.
    """
    where = f"network file {str(path)!r}"
    try:
        data = np.load(path, allow_pickle=False)
        if not isinstance(data, np.lib.npyio.NpzFile):
            raise CheckpointError(f"{where} is not a network file (an .npz archive), it holds a single array")
        with data:
            arrays = {key: data[key] for key in data.files}
    except CheckpointError:
        raise
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
        raise CheckpointError(f"cannot read {where}: {exc}") from None
    kwargs, cls = _network_arguments(arrays, where)
    try:
        return cls(**kwargs, check=True)
    except ConfigError as exc:
        raise CheckpointError(
            f"{where}: {exc}; register it (neat.register_activation / neat.register_aggregation) before loading"
        ) from None
    except ValueError as exc:
        raise CheckpointError(f"{where} is not a consistent network: {exc}") from None


def _network_arguments(arrays: dict[str, np.ndarray], where: str) -> tuple[dict[str, Any], type]:
    """Constructor arguments from the file's arrays, with every key and dtype checked."""

    def scalar(key: str, kind: str) -> Any:
        value = arrays.get(key)
        if value is None or value.shape != () or value.dtype.kind not in kind:
            raise CheckpointError(f"{where} lacks a valid {key!r} entry; is it a network file?")
        return value.item()

    if arrays.get("format") is None or arrays["format"].shape != () or arrays["format"].item() != NETWORK_FORMAT:
        raise CheckpointError(f'{where} is not a network file: expected "format" = "{NETWORK_FORMAT}"')
    version = scalar("version", "iu")
    if version != NETWORK_VERSION:
        raise CheckpointError(f"{where} has version {version}; this library reads version {NETWORK_VERSION}")
    kind = scalar("kind", "U")
    if kind not in _KINDS:
        raise CheckpointError(f"{where} has kind {kind!r}; expected one of {sorted(_KINDS)}")
    dtype = scalar("dtype", "U")
    if dtype not in ("float32", "float64"):
        raise CheckpointError(f"{where} has dtype {dtype!r}; expected 'float32' or 'float64'")
    kwargs: dict[str, Any] = {"num_inputs": scalar("num_inputs", "iu"), "dtype": dtype}
    if "exact" in arrays:  # files written before exact mode lack it
        kwargs["exact"] = bool(scalar("exact", "b"))
    int_keys = (*_INT_KEYS, *_KINDS[kind]._LAYOUT_ARRAYS)  # feed-forward: layer_bounds
    for keys, kinds, what in ((int_keys, "iu", "integer"), (_FLOAT_KEYS, "f", "float"), (_NAME_KEYS, "U", "string")):
        for key in keys:
            value = arrays.get(key)
            if value is None:
                raise CheckpointError(f"{where} lacks the array {key!r}")
            if value.ndim != 1 or value.dtype.kind not in kinds:
                raise CheckpointError(
                    f"{where}: {key!r} must be a 1-D {what} array, got shape {value.shape} dtype {value.dtype}"
                )
            kwargs[key] = value.tolist() if what == "string" else value
    for what in ("activation", "aggregation"):
        codes, names = kwargs[f"{what}_codes"], kwargs[f"{what}_names"]
        if codes.size and (codes.min() < 0 or codes.max() >= len(names)):
            raise CheckpointError(f"{where}: {what}_codes must lie in [0, {len(names)}) for {names}")
    return kwargs, _KINDS[kind]
