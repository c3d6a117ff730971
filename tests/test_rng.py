import pathlib
import re

import numpy as np
import pytest

from neat import make_rng, spawn

PACKAGE = pathlib.Path(__file__).resolve().parents[1] / "neat"


def test_same_seed_same_stream():
    assert np.array_equal(make_rng(3).random(5), make_rng(3).random(5))
    assert not np.array_equal(make_rng(3).random(5), make_rng(4).random(5))
    g = make_rng(1)
    assert make_rng(g) is g
    assert np.array_equal(make_rng(np.random.SeedSequence(9)).random(3), make_rng(9).random(3))


def test_spawned_children_are_reproducible_and_independent():
    a = [c.random(3) for c in spawn(make_rng(5), 3)]
    b = [c.random(3) for c in spawn(make_rng(5), 3)]
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    assert not np.array_equal(a[0], a[1])


@pytest.mark.parametrize("bad", [-1, 1.5, "seed", True])
def test_bad_seeds(bad):
    with pytest.raises((TypeError, ValueError)):
        make_rng(bad)


def test_no_global_randomness_in_the_package():
    """Randomness only through Generators passed in: no `random` module, no legacy global NumPy API."""
    forbidden = re.compile(
        r"^\s*(import random\b|from random import)|np\.random\.(seed|rand|randn|randint|random|choice|shuffle|normal|uniform)\("
    , re.M)
    offenders = [str(p) for p in PACKAGE.rglob("*.py") if forbidden.search(p.read_text())]
    assert offenders == []
