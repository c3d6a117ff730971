"""Plane geometry of the mazes, vectorized over rays and wall segments (NumPy only).

Walls are line segments, an ``(S, 4)`` array of rows ``(x1, y1, x2, y2)``.  The ``_batch`` forms
do many robots at once (``neat.envs.maze_vector``); the single forms are their row 0.
"""

from __future__ import annotations

import numpy as np

__all__ = ["ray_distances", "ray_distances_batch", "point_segment_distances", "segments_cross"]

_EPS = 1e-12


def _cross(ax: np.ndarray, ay: np.ndarray, bx: np.ndarray, by: np.ndarray) -> np.ndarray:
    return ax * by - ay * bx


def ray_distances(origin: np.ndarray, angles: np.ndarray, walls: np.ndarray, max_range: float) -> np.ndarray:
    """Distance from ``origin`` along each ray to the nearest wall, at most ``max_range``.

    Parameters
    ----------
    origin
        ``(2,)`` start point of every ray.
    angles
        ``(R,)`` ray directions in radians (0 along +x, counter-clockwise).
    walls
        ``(S, 4)`` segments ``(x1, y1, x2, y2)``.
    max_range
        Distance returned by a ray that meets no wall within it.

    Returns
    -------
    numpy.ndarray
        ``(R,)`` float64 distances in ``[0, max_range]``.  A ray parallel to
        a segment does not meet it; a ray through a segment's end point does.
        The same numbers as row 0 of ``ray_distances_batch`` (one origin).
    """
    origin = np.asarray(origin, dtype=np.float64).reshape(1, 2)
    angles = np.asarray(angles, dtype=np.float64).reshape(1, -1)
    return ray_distances_batch(origin, angles, walls, max_range)[0]


def ray_distances_batch(origins: np.ndarray, angles: np.ndarray, walls: np.ndarray, max_range: float) -> np.ndarray:
    """``ray_distances`` of ``N`` origins at once: ``(N, 2)`` origins, ``(N, R)`` angles -> ``(N, R)``.

    Row ``i`` is exactly (bit for bit) ``ray_distances(origins[i], angles[i], walls, max_range)``:
    every number comes from the same operations, broadcast over walls x (robots x rays).
    """
    origins = np.asarray(origins, dtype=np.float64).reshape(-1, 2)
    n = len(origins)
    angles = np.asarray(angles, dtype=np.float64).reshape(n, -1)
    r = angles.shape[1]
    walls = np.asarray(walls, dtype=np.float64).reshape(-1, 4)
    # Walls along the first axis, every (robot, ray) along the second: long inner loops.
    dx, dy = np.cos(angles).reshape(1, -1), np.sin(angles).reshape(1, -1)  # (1, N R)
    ox, oy = np.repeat(origins[:, 0], r)[None, :], np.repeat(origins[:, 1], r)[None, :]
    ax, ay = walls[:, 0, None], walls[:, 1, None]  # (S, 1)
    ex, ey = (walls[:, 2] - walls[:, 0])[:, None], (walls[:, 3] - walls[:, 1])[:, None]
    wx, wy = ax - ox, ay - oy  # (S, N R)
    # t (along the ray) and u (along the segment) where the ray's line meets the segment's, in place:
    # the same numbers as _cross(wx, wy, ex, ey) / _cross(dx, dy, ex, ey), and _cross(wx, wy, dx, dy) / it.
    denom = dx * ey
    denom -= dy * ex
    t = wx * ey
    t -= wy * ex
    u = wx * dy
    u -= wy * dx
    with np.errstate(divide="ignore", invalid="ignore"):  # parallel (denom ~ 0): masked out below
        t /= denom
        u /= denom
    miss = np.abs(denom) <= _EPS
    miss |= t < 0.0
    miss |= u < -_EPS
    miss |= u > 1.0 + _EPS
    np.copyto(t, np.inf, where=miss)
    return np.minimum(t.min(axis=0, initial=np.inf), max_range).reshape(n, r)


def point_segment_distances(points: np.ndarray, walls: np.ndarray) -> np.ndarray:
    """``(N, S)`` Euclidean distances from each of ``(N, 2)`` points to each segment."""
    points = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    walls = np.asarray(walls, dtype=np.float64).reshape(-1, 4)
    ax, ay = walls[:, 0, None], walls[:, 1, None]  # (S, 1): walls along the first axis, points the second
    ex, ey = (walls[:, 2] - walls[:, 0])[:, None], (walls[:, 3] - walls[:, 1])[:, None]
    px, py = points[None, :, 0], points[None, :, 1]
    length2 = np.maximum(ex * ex + ey * ey, _EPS)
    s = np.clip(((px - ax) * ex + (py - ay) * ey) / length2, 0.0, 1.0)
    nx, ny = ax + s * ex, ay + s * ey
    return np.sqrt((px - nx) ** 2 + (py - ny) ** 2).T


def segments_cross(p: np.ndarray, q: np.ndarray, walls: np.ndarray) -> np.ndarray:
    """``(S,)`` bools: whether the segment ``p -> q`` meets each wall (touching counts)."""
    p = np.asarray(p, dtype=np.float64).reshape(2)
    dx, dy = np.asarray(q, dtype=np.float64).reshape(2) - p
    walls = np.asarray(walls, dtype=np.float64).reshape(-1, 4)
    ex, ey = walls[:, 2] - walls[:, 0], walls[:, 3] - walls[:, 1]
    wx, wy = walls[:, 0] - p[0], walls[:, 1] - p[1]
    denom = _cross(dx, dy, ex, ey)
    ok = np.abs(denom) > _EPS
    safe = np.where(ok, denom, 1.0)
    t = _cross(wx, wy, ex, ey) / safe
    u = _cross(wx, wy, dx, dy) / safe
    return ok & (t >= -_EPS) & (t <= 1.0 + _EPS) & (u >= -_EPS) & (u <= 1.0 + _EPS)
