"""Pictures of CPPN patterns: Picbreeder-style images and HyperNEAT substrate slices.

``cppn_image(cppn)`` paints a CPPN over the square ``[-1, 1]^2``: every pixel
is one input row (its ``x``, ``y`` and distance ``d`` from the centre), all
pixels go through one batched forward, and the outputs are the picture (one
output: grey, three: red, green, blue).  ``cppn_images(cppns)`` paints many
CPPNs with one population forward.

``substrate_weights_image(cppn_or_network, substrate, source=(x, y))`` is a
slice of a HyperNEAT connectivity pattern: the weights of the connections
leaving one substrate node, laid out over the grid of the nodes they reach.

Coordinates: pixel ``(row, col)`` of an ``H x W`` picture has its centre at
``x = -1 + (2 col + 1) / W`` and ``y = -1 + (2 row + 1) / H``: ``x`` grows to
the right and ``y`` downwards, as image rows do.

PNG files are written with the standard library alone (``zlib``), atomically;
no matplotlib is needed.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Sequence
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ConfigError
from ..files import atomic_write_bytes
from ..genome import Genome
from ..nn.feedforward import FeedForwardNetwork
from ..nn.population import PopulationNetwork, compile_population

__all__ = [
    "COORDINATE_INPUTS",
    "coordinate_inputs",
    "cppn_image",
    "cppn_images",
    "diverging_pixels",
    "image_grid",
    "save_cppn_image",
    "save_substrate_weights_image",
    "substrate_weights_image",
    "to_pixels",
    "write_png",
]

COORDINATE_INPUTS = {"x": "x coordinate", "y": "y coordinate", "d": "distance from the centre", "b": "constant 1"}
"""The letters of ``inputs``: what each CPPN input of a picture gets."""


# --- PNG ---------------------------------------------------------------------
def write_png(path: str | PathLike[str], pixels: Any) -> Path:
    """Write ``pixels`` ((H, W) grey or (H, W, 3) RGB, uint8) as a PNG file, atomically; return the path."""
    path = Path(path)
    if path.suffix.lower() != ".png":
        raise ConfigError(f"cannot write a PNG picture to {str(path)!r}: give a path ending in .png")
    pixels = np.asarray(pixels)
    if pixels.dtype != np.uint8 or not (pixels.ndim == 2 or (pixels.ndim == 3 and pixels.shape[2] == 3)):
        raise ConfigError(
            f"a PNG picture must be a uint8 array of shape (H, W) or (H, W, 3), got {pixels.dtype} {pixels.shape}"
        )
    if pixels.shape[0] == 0 or pixels.shape[1] == 0:
        raise ConfigError(f"a PNG picture needs at least one pixel, got shape {pixels.shape}")
    height, width = pixels.shape[:2]
    colour_type = 0 if pixels.ndim == 2 else 2
    rows = np.ascontiguousarray(pixels).reshape(height, -1)
    raw = np.concatenate([np.zeros((height, 1), dtype=np.uint8), rows], axis=1).tobytes()  # filter 0 per row

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
    atomic_write_bytes(path, data)
    return path


def to_pixels(values: Any, value_range: tuple[float, float] | str = "auto") -> np.ndarray:
    """Real values -> uint8 pixels (same shape).

    ``value_range``: ``(lo, hi)`` maps ``lo`` to 0 and ``hi`` to 255, values
    outside clipped; ``"auto"`` takes the array's own finite minimum and
    maximum (a flat array becomes mid grey).  Non-finite values become 0.
    """
    v = np.asarray(values, dtype=np.float64)
    finite = np.isfinite(v)
    if isinstance(value_range, str):
        if value_range != "auto":
            raise ConfigError(f'value_range must be "auto" or (lo, hi) with lo < hi, got {value_range!r}')
        lo, hi = (float(v[finite].min()), float(v[finite].max())) if finite.any() else (0.0, 0.0)
        if hi <= lo:
            return np.where(finite, 128, 0).astype(np.uint8)
    else:
        lo, hi = _range(value_range)
    scaled = np.clip((np.where(finite, v, lo) - lo) / (hi - lo), 0.0, 1.0)
    return np.where(finite, np.rint(scaled * 255.0), 0).astype(np.uint8)


def diverging_pixels(values: Any, limit: float | None = None) -> np.ndarray:
    """Signed values -> (..., 3) uint8 RGB: white at 0, red for positive, blue for negative.

    The colour is full at ``|value| >= limit`` (default: the largest
    ``|value|``; an all-zero array is white).  Non-finite values are black.
    """
    v = np.asarray(values, dtype=np.float64)
    finite = np.isfinite(v)
    if limit is None:
        limit = float(np.abs(v[finite]).max()) if finite.any() else 0.0
    elif not (np.isfinite(limit) and limit > 0):
        raise ConfigError(f"limit must be a positive finite number, got {limit!r}")
    t = np.clip(np.abs(np.where(finite, v, 0.0)) / limit, 0.0, 1.0) if limit > 0 else np.zeros_like(v)
    fade = np.rint(255.0 * (1.0 - t)).astype(np.uint8)
    full = np.full_like(fade, 255)
    positive = v > 0
    rgb = np.stack([np.where(positive, full, fade), fade, np.where(positive, fade, full)], axis=-1)
    rgb[~finite] = 0
    return rgb


def image_grid(pictures: Sequence[Any], columns: int, *, gap: int = 4, scale: int = 1) -> np.ndarray:
    """Tile equal-sized uint8 pictures ((H, W) or (H, W, 3)) into one RGB picture, row by row, white gaps."""
    if not pictures:
        raise ConfigError("image_grid needs at least one picture")
    if columns < 1 or gap < 0 or scale < 1:
        raise ConfigError(f"image_grid needs columns >= 1, gap >= 0, scale >= 1; got {columns}, {gap}, {scale}")
    tiles = [_rgb(p) for p in pictures]
    h, w = tiles[0].shape[:2]
    if any(t.shape[:2] != (h, w) for t in tiles):
        raise ConfigError(f"image_grid needs pictures of one size; got {sorted({t.shape[:2] for t in tiles})}")
    h, w = h * scale, w * scale
    rows = -(-len(tiles) // columns)
    grid = np.full((rows * h + (rows + 1) * gap, columns * w + (columns + 1) * gap, 3), 255, dtype=np.uint8)
    for k, tile in enumerate(tiles):
        r, c = divmod(k, columns)
        top, left = gap + r * (h + gap), gap + c * (w + gap)
        grid[top : top + h, left : left + w] = _enlarge(tile, scale)
    return grid


# --- CPPN pictures -------------------------------------------------------------
def coordinate_inputs(size: tuple[int, int] = (256, 256), inputs: str = "xyd") -> np.ndarray:
    """``(H * W, len(inputs))`` CPPN inputs of every pixel, row by row (see the module docstring)."""
    height, width = _size(size)
    _check_inputs(inputs)
    y, x = np.meshgrid(_centres(height), _centres(width), indexing="ij")
    columns = {"x": x, "y": y, "d": np.sqrt(x * x + y * y), "b": np.ones_like(x)}
    return np.stack([columns[c].ravel() for c in inputs], axis=1)


def cppn_image(
    cppn: Genome | FeedForwardNetwork,
    size: tuple[int, int] = (256, 256),
    inputs: str = "xyd",
    *,
    channels: Sequence[int] | None = None,
) -> np.ndarray:
    """The picture a CPPN paints over ``[-1, 1]^2``: one batched forward over all pixels.

    Parameters
    ----------
    cppn
        A feed-forward ``Genome`` (compiled here) or ``FeedForwardNetwork``
        with ``len(inputs)`` inputs.
    size
        ``(H, W)`` pixels.
    inputs
        What each CPPN input gets, one letter per input, in order: ``x``,
        ``y``, ``d`` (distance from the centre, ``sqrt(x^2 + y^2)``), ``b``
        (the constant 1).
    channels
        Which outputs make the picture: one (grey) or three (RGB).  Default:
        the only output, or the three outputs of a CPPN with three.

    Returns
    -------
    (H, W) or (H, W, 3) float64: the raw outputs (``to_pixels`` makes pixels of them).
    """
    return cppn_images([cppn], size, inputs, channels=channels)[0]


def cppn_images(
    cppns: Sequence[Genome] | Sequence[FeedForwardNetwork] | PopulationNetwork,
    size: tuple[int, int] = (256, 256),
    inputs: str = "xyd",
    *,
    channels: Sequence[int] | None = None,
) -> np.ndarray:
    """``(P, H, W)`` or ``(P, H, W, 3)`` pictures of ``P`` CPPNs, from one population forward.

    ``cppns``: feed-forward genomes of one config, compiled networks, or a
    ``PopulationNetwork``; the other arguments as in ``cppn_image``.
    """
    height, width = _size(size)
    stack = cppns if isinstance(cppns, PopulationNetwork) else _stack(cppns)
    if stack.num_inputs != len(inputs):
        raise ConfigError(
            f"the CPPN has {stack.num_inputs} inputs but inputs={inputs!r} gives {len(inputs)}: give one letter "
            f"per input ({', '.join(f'{k} = {v}' for k, v in COORDINATE_INPUTS.items())})"
        )
    picked = _channels(channels, stack.num_outputs)
    out = stack.forward(coordinate_inputs((height, width), inputs))[:, :, picked]
    out = out.astype(np.float64, copy=False).reshape(len(stack), height, width, len(picked))
    return out[..., 0] if len(picked) == 1 else out


def save_cppn_image(
    cppn: Genome | FeedForwardNetwork,
    path: str | PathLike[str],
    size: tuple[int, int] = (256, 256),
    inputs: str = "xyd",
    *,
    channels: Sequence[int] | None = None,
    value_range: tuple[float, float] | str = "auto",
) -> Path:
    """Write ``cppn_image(...)`` as a PNG (values to pixels by ``to_pixels(value_range)``); return the path."""
    return write_png(path, to_pixels(cppn_image(cppn, size, inputs, channels=channels), value_range))


# --- substrate slices ------------------------------------------------------------
def substrate_weights_image(
    cppn_or_network: Genome | FeedForwardNetwork,
    substrate: Any,
    source: tuple[float, ...] | int = (0.0, 0.0),
) -> np.ndarray:
    """The weights of the connections leaving one substrate node, as an image over the nodes they reach.

    Parameters
    ----------
    cppn_or_network
        A CPPN (a ``Genome``, or a ``FeedForwardNetwork`` with the
        substrate's ``cppn_inputs`` inputs), decoded here with
        ``neat.nn.hyperneat.decode_weights``; or a network ``decode`` made
        on ``substrate`` (its weights are read).
    substrate
        A ``neat.nn.substrate.Substrate``.
    source
        The node: its coordinates (the nearest node that has outgoing
        connections is taken) or its index among the substrate's nodes
        (inputs, then hidden layers, then outputs).

    Returns
    -------
    (rows, cols) float64: ``image[r, c]`` is the expressed (thresholded and
    scaled) weight to the target node at the ``r``-th smallest ``y`` and the
    ``c``-th smallest ``x``; 0 where no connection is expressed.  The target
    nodes must lie on a full ``x``/``y`` grid (``ConfigError`` otherwise).
    """
    from ..nn.hyperneat import decode_weights, substrate_connections

    src, dst, _ = substrate_connections(substrate)
    points = substrate.node_coordinates
    node = _source_node(points, np.unique(src), source)
    chosen = np.flatnonzero(src == node)
    if _is_decoded_network(cppn_or_network, substrate):
        weights = _network_weights(cppn_or_network, src[chosen], dst[chosen])
    else:
        weights = np.asarray(decode_weights([cppn_or_network], substrate), dtype=np.float64)[0, chosen]
    return _on_grid(points[dst[chosen]], weights)


def save_substrate_weights_image(
    cppn_or_network: Genome | FeedForwardNetwork,
    substrate: Any,
    path: str | PathLike[str],
    source: tuple[float, ...] | int = (0.0, 0.0),
    *,
    scale: int = 16,
) -> Path:
    """Write ``substrate_weights_image(...)`` as a PNG: red positive, blue negative, white unexpressed.

    Full colour is the substrate's ``max_weight``; each node is a ``scale x scale`` square.
    """
    image = substrate_weights_image(cppn_or_network, substrate, source)
    limit = float(getattr(substrate, "max_weight", 0.0)) or None
    return write_png(path, _enlarge(diverging_pixels(image, limit), scale))


# --- helpers -----------------------------------------------------------------------
def _range(value_range: Any) -> tuple[float, float]:
    try:
        lo, hi = (float(v) for v in value_range)
    except (TypeError, ValueError):
        lo = hi = float("nan")
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
        raise ConfigError(f'value_range must be "auto" or (lo, hi) with lo < hi, got {value_range!r}')
    return lo, hi


def _size(size: Any) -> tuple[int, int]:
    try:
        height, width = (int(s) for s in size)
        ok = (height, width) == tuple(size) and height >= 1 and width >= 1
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise ConfigError(f"size must be (height, width), two whole numbers >= 1, got {size!r}")
    return height, width


def _check_inputs(inputs: str) -> None:
    if not isinstance(inputs, str) or not inputs or set(inputs) - set(COORDINATE_INPUTS):
        raise ConfigError(
            f"inputs must be a string of the letters {', '.join(f'{k} ({v})' for k, v in COORDINATE_INPUTS.items())}"
            f", one per CPPN input; got {inputs!r}"
        )


def _centres(n: int) -> np.ndarray:
    return -1.0 + (2.0 * np.arange(n) + 1.0) / n


def _channels(channels: Sequence[int] | None, num_outputs: int) -> list[int]:
    if channels is None:
        if num_outputs not in (1, 3):
            raise ConfigError(
                f"the CPPN has {num_outputs} outputs: pick one (grey) or three (RGB) with channels=..., "
                "e.g. channels=(0,)"
            )
        return list(range(num_outputs))
    picked = [int(c) for c in channels]
    if len(picked) not in (1, 3) or any(not 0 <= c < num_outputs for c in picked):
        raise ConfigError(
            f"channels must name one or three of the CPPN's outputs 0..{num_outputs - 1}, got {list(channels)!r}"
        )
    return picked


def _stack(cppns: Sequence[Any]) -> PopulationNetwork:
    cppns = list(cppns)
    if not cppns:
        raise ConfigError("no CPPN to paint: give at least one genome or network")
    for c in cppns:
        if isinstance(c, Genome) and not c.config.feed_forward:
            raise ConfigError("a CPPN picture needs a feed-forward CPPN ([genome] feed_forward = true)")
        if not isinstance(c, (Genome, FeedForwardNetwork)):
            raise ConfigError(f"a CPPN must be a Genome or a FeedForwardNetwork, got {type(c).__name__}")
    return compile_population(cppns)  # type: ignore[return-value]


def _rgb(picture: Any) -> np.ndarray:
    p = np.asarray(picture)
    if p.dtype != np.uint8 or not (p.ndim == 2 or (p.ndim == 3 and p.shape[2] == 3)):
        raise ConfigError(f"pictures must be uint8 arrays (H, W) or (H, W, 3), got {p.dtype} {p.shape}")
    return np.repeat(p[:, :, None], 3, axis=2) if p.ndim == 2 else p


def _enlarge(pixels: np.ndarray, scale: int) -> np.ndarray:
    if scale < 1:
        raise ConfigError(f"scale must be a whole number >= 1, got {scale!r}")
    return pixels.repeat(scale, axis=0).repeat(scale, axis=1) if scale > 1 else pixels


def _source_node(points: np.ndarray, sources: np.ndarray, source: Any) -> int:
    if isinstance(source, (int, np.integer)):
        if int(source) not in set(sources.tolist()):
            raise ConfigError(
                f"source node {int(source)} has no outgoing connections on this substrate "
                f"(nodes with some: {sources.min()}..{sources.max()})"
            )
        return int(source)
    where = np.asarray(source, dtype=np.float64)
    if where.shape != (points.shape[1],) or not np.all(np.isfinite(where)):
        raise ConfigError(f"source must be a node index or {points.shape[1]} finite coordinates, got {source!r}")
    distance = np.linalg.norm(points[sources] - where, axis=1)
    return int(sources[int(np.argmin(distance))])


def _is_decoded_network(obj: Any, substrate: Any) -> bool:
    if isinstance(obj, Genome):
        return False
    if not isinstance(obj, FeedForwardNetwork):
        raise ConfigError(f"expected a CPPN genome or a FeedForwardNetwork, got {type(obj).__name__}")
    shape = (obj.num_inputs, obj.num_outputs)
    if shape == (len(substrate.inputs), len(substrate.outputs)):
        return True
    if shape == (substrate.cppn_inputs, substrate.cppn_outputs):
        return False
    raise ConfigError(
        f"a network with {shape[0]} inputs and {shape[1]} outputs is neither a CPPN for this substrate "
        f"({substrate.cppn_inputs} inputs, {substrate.cppn_outputs} outputs) nor a network decoded on it "
        f"({len(substrate.inputs)} inputs, {len(substrate.outputs)} outputs)"
    )


def _network_weights(network: FeedForwardNetwork, src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """The weights of the substrate connections ``src -> dst`` (node indices) in a decoded network (0 if absent)."""
    n = network.num_nodes
    keys = network.edge_src * n + network.edge_dst
    order = np.argsort(keys, kind="stable")
    keys, weights = keys[order], network.edge_weight[order]
    wanted = src * n + dst
    at = np.minimum(np.searchsorted(keys, wanted), max(len(keys) - 1, 0))
    found = (keys[at] == wanted) if len(keys) else np.zeros(len(wanted), dtype=bool)
    return np.where(found, weights[at] if len(keys) else 0.0, 0.0)


def _on_grid(points: np.ndarray, values: np.ndarray) -> np.ndarray:
    xs, cols = np.unique(points[:, 0], return_inverse=True)
    ys, rows = np.unique(points[:, 1], return_inverse=True)
    if len(xs) * len(ys) != len(points) or len(np.unique(rows * len(xs) + cols)) != len(points):
        raise ConfigError(
            f"the {len(points)} target nodes do not lie on a full x/y grid ({len(xs)} x values, {len(ys)} y values): "
            "a substrate slice is drawn over a grid layer only"
        )
    image = np.zeros((len(ys), len(xs)), dtype=np.float64)
    image[rows.ravel(), cols.ravel()] = values
    return image
