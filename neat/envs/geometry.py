"""Plane geometry of the mazes, vectorized over rays and wall segments (NumPy only).

Walls are line segments, an ``(S, 4)`` array of rows ``(x1, y1, x2, y2)``.
"""

from __future__ import annotations

import numpy as np

__all__ = ["ray_distances", "point_segment_distances", "segments_cross"]

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
    """
    angles = np.asarray(angles, dtype=np.float64).reshape(-1)
    walls = np.asarray(walls, dtype=np.float64).reshape(-1, 4)
    dx, dy = np.cos(angles)[:, None], np.sin(angles)[:, None]  # (R, 1)
    ax, ay = walls[:, 0][None, :], walls[:, 1][None, :]  # (1, S)
    ex, ey = (walls[:, 2] - walls[:, 0])[None, :], (walls[:, 3] - walls[:, 1])[None, :]
    wx, wy = ax - origin[0], ay - origin[1]
    denom = _cross(dx, dy, ex, ey)  # (R, S)
    ok = np.abs(denom) > _EPS
    safe = np.where(ok, denom, 1.0)
    t = _cross(wx, wy, ex, ey) / safe  # along the ray
    u = _cross(wx, wy, dx, dy) / safe  # along the segment
    hit = ok & (t >= 0.0) & (u >= -_EPS) & (u <= 1.0 + _EPS)
    t = np.where(hit, t, np.inf)
    return np.minimum(t.min(axis=1, initial=np.inf), max_range)


def point_segment_distances(points: np.ndarray, walls: np.ndarray) -> np.ndarray:
    """``(N, S)`` Euclidean distances from each of ``(N, 2)`` points to each segment."""
    points = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    walls = np.asarray(walls, dtype=np.float64).reshape(-1, 4)
    a, b = walls[:, :2][None, :, :], walls[:, 2:][None, :, :]
    e = b - a
    length2 = np.maximum((e * e).sum(-1), _EPS)
    p = points[:, None, :]
    s = np.clip(((p - a) * e).sum(-1) / length2, 0.0, 1.0)
    nearest = a + s[..., None] * e
    return np.sqrt(((p - nearest) ** 2).sum(-1))


def segments_cross(p: np.ndarray, q: np.ndarray, walls: np.ndarray) -> np.ndarray:
    """``(S,)`` bools: whether the segment ``p -> q`` meets each wall (touching counts)."""
    walls = np.asarray(walls, dtype=np.float64).reshape(-1, 4)
    d = np.asarray(q, dtype=np.float64) - p
    ex, ey = walls[:, 2] - walls[:, 0], walls[:, 3] - walls[:, 1]
    wx, wy = walls[:, 0] - p[0], walls[:, 1] - p[1]
    denom = _cross(d[0], d[1], ex, ey)
    ok = np.abs(denom) > _EPS
    safe = np.where(ok, denom, 1.0)
    t = _cross(wx, wy, ex, ey) / safe
    u = _cross(wx, wy, d[0], d[1]) / safe
    return ok & (t >= -_EPS) & (t <= 1.0 + _EPS) & (u >= -_EPS) & (u <= 1.0 + _EPS)
