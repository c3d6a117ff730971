"""The only place where random generators are made.

Everything else in the package receives an explicit ``rng`` argument.  Seeds
follow NumPy's SPEC 7: an ``int``, a ``SeedSequence``, an existing
``Generator`` or ``None`` (fresh entropy) are all accepted.
"""

from __future__ import annotations

import numpy as np

__all__ = ["SeedLike", "make_rng", "spawn"]

SeedLike = int | np.random.SeedSequence | np.random.Generator | None


def _bit_generator(seed_seq: np.random.SeedSequence) -> np.random.BitGenerator:
    # PCG64DXSM is NumPy's recommended generator for new code and about 20%
    # faster than PCG64 at drawing normals, which weight mutation lives on.
    return np.random.PCG64DXSM(seed_seq)


def make_rng(seed: SeedLike = None) -> np.random.Generator:
    """Return a ``numpy.random.Generator`` for ``seed``.

    Parameters
    ----------
    seed
        ``int`` or ``SeedSequence``: a new generator seeded by it (the same
        seed gives the same stream, bit for bit). ``Generator``: returned
        as it is. ``None``: a generator seeded from fresh OS entropy.
    """
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, (bool, np.bool_)):
        raise TypeError(f"seed must be an int, SeedSequence, Generator or None, not {seed!r}")
    if seed is None or isinstance(seed, (int, np.integer)):
        if seed is not None and int(seed) < 0:
            raise ValueError(f"seed must be a non-negative integer, got {seed}")
        return np.random.Generator(_bit_generator(np.random.SeedSequence(seed)))
    if isinstance(seed, np.random.SeedSequence):
        return np.random.Generator(_bit_generator(seed))
    raise TypeError(f"seed must be an int, SeedSequence, Generator or None, not {type(seed).__name__}")


def spawn(rng: np.random.Generator, n: int) -> list[np.random.Generator]:
    """Return ``n`` independent child generators of ``rng``.

    The children are derived from ``rng``'s seed sequence, so the same parent
    state always spawns the same children.
    """
    return [np.random.Generator(_bit_generator(s)) for s in rng.bit_generator.seed_seq.spawn(n)]
