"""What counts as a fitness: one rule for ``Population.tell`` / ``run`` and ``neat.Evaluator``."""

import re
import warnings
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from neat import Config, EvaluationError
from neat.evaluation import Evaluator
from neat.evolution.fitness import fitness_value, fitness_values
from neat.evolution.population import Population

SIZE = 8


def config(invalid="error"):
    return Config(genome={"num_inputs": 2, "num_outputs": 1},
                  run={"population_size": SIZE, "seed": 3, "invalid_fitness": invalid})


class Lookup:
    """A per-genome fitness returning ``values[genome.key]`` (a module-level class: it pickles)."""

    def __init__(self, values):
        self.values = values

    def __call__(self, genome):
        return self.values[genome.key]


REAL = [1, -3, 2.5, np.float32(0.5), np.float64(-1.25), np.int8(4), np.uint64(7), np.int64(2**40),
        np.longdouble(3.5), np.array(1.5), np.array(2, dtype=np.int32), Fraction(1, 3)]
NOT_REAL = [True, False, np.bool_(True), None, "1.5", b"2", 1j, np.complex128(1), [1.0], (2.0,), np.array([1.0]),
            {"a": 1}, {1.0}, 10**400, -(10**400), Fraction(10**400, 3), np.longdouble("1e4000"),
            np.array("1.5"), object()]


@pytest.mark.parametrize("value", REAL, ids=repr)
def test_a_real_number_is_a_fitness(value):
    assert fitness_value(value, 0) == float(value)
    assert type(fitness_value(value, 0)) is float


@pytest.mark.parametrize("value", NOT_REAL, ids=lambda v: type(v).__name__)
def test_anything_else_is_an_evaluation_error_naming_the_genome(value):
    with pytest.raises(EvaluationError, match=r"^fitness of genome 5 is .*(a real number|too large for a float64)"):
        fitness_value(value, 5)


def test_nan_and_infinities_are_left_to_invalid_fitness():
    assert np.isnan(fitness_value(float("nan"), 0))
    assert fitness_value(-np.inf, 0) == -np.inf
    assert fitness_value(np.float32("inf"), 0) == np.inf


@pytest.mark.parametrize(
    "fitness, message",
    [
        ({0: 1.0, 1: 2.0, 2: 3.0}, r"fitness is a dict of 3 items; expected 3 real numbers.*no genome order"),
        ({1.0, 2.0, 3.0}, r"fitness is \{1.0, 2.0, 3.0\} \(set\); expected 3 real numbers"),
        (frozenset({1.0, 2.0, 3.0}), r"\(frozenset\); expected 3 real numbers"),
        ((x for x in [1.0, 2.0, 3.0]), r"\(generator\); expected 3 real numbers.*; make it a list"),
        ("abc", r"fitness is 'abc' \(str\)"),
        (b"abc", r"fitness is b'abc' \(bytes\)"),
        (None, r"fitness is None; expected 3 real numbers"),
        (2.0, r"fitness is 2.0 \(float\)"),
        (np.array([True, False, True]), r"fitness of genome 0 is np.True_ \(bool\)"),
        (np.array([1.0, 2.0, 1j]), r"fitness of genome 0 is .*\(complex128\)"),
        (np.array(["1", "2", "3"]), r"fitness of genome 0 is np.str_\('1'\)"),
        (np.array([1.0, None, 2.0], dtype=object), r"fitness of genome 1 is None"),
        (np.array([1.0, 2.0, np.longdouble("1e4000")]), r"fitness of genome 2 .* too large for a float64"),
        ([1.0, 10**400, 2.0], r"fitness of genome 1 is 1000.*\(int\), too large for a float64"),
        ([[1.0], [2.0], [3.0]], r"fitness of genome 0 is \[1.0\] \(list\)"),
        (np.ones((3, 1)), r"expected 3 fitness values .* got shape \(3, 1\)"),
        ([1.0, 2.0], r"expected 3 fitness values .* got shape \(2,\)"),
        (np.ones(4), r"expected 3 fitness values .* got shape \(4,\)"),
    ],
    ids=lambda v: type(v).__name__,
)
def test_a_generation_is_one_real_number_per_genome_in_a_sequence_or_a_1d_array(fitness, message):
    with pytest.raises(EvaluationError, match=message):
        fitness_values(fitness, 3)


@pytest.mark.parametrize(
    "fitness",
    [[1, 2.5, np.float32(3)], (1, 2, 3), range(3), np.array([1, 2, 3], dtype=np.uint8),
     np.array([1.0, 2.0, 3.0], dtype=np.float32), np.array([1, 2.5, np.int64(3)], dtype=object)],
    ids=lambda v: type(v).__name__,
)
def test_sequences_and_real_arrays_are_accepted(fitness):
    values = fitness_values(fitness, 3)
    assert values.dtype == np.float64 and values.shape == (3,)
    assert values.tolist() == [float(v) for v in fitness]


# --- tell and Evaluator accept and refuse the same things ---------------------------------

valid = st.one_of(
    st.integers(-10**6, 10**6),
    st.floats(-1e6, 1e6),
    st.floats(-1e6, 1e6).map(np.float32),
    st.integers(-1000, 1000).map(np.int16),
    st.floats(-1e6, 1e6).map(np.array),
)
non_finite = st.sampled_from([float("nan"), float("inf"), -float("inf"), np.float32("nan")])
invalid = st.one_of(
    st.booleans(),
    st.just(np.bool_(False)),
    st.none(),
    st.text(max_size=3),
    st.binary(max_size=3),
    st.complex_numbers(allow_nan=False, max_magnitude=10),
    st.lists(st.floats(-1, 1), max_size=2),
    st.dictionaries(st.integers(0, 3), st.floats(-1, 1), max_size=2),
    st.frozensets(st.integers(0, 3), max_size=2),
    st.integers(10**309, 10**400),
)


def kind(value):
    """What the rules make of one generated value: "ok", "non-finite" or "bad"."""
    if isinstance(value, (bool, np.bool_, str, bytes, complex, list, dict, frozenset, type(None))):
        return "bad"
    if isinstance(value, int) and abs(value) > 10**308:
        return "bad"
    return "ok" if np.isfinite(value) else "non-finite"


def outcome(action):
    """``("ok", fitness)`` or ``("error", index of the first genome the message names)``."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            population = action()
        except EvaluationError as exc:
            found = re.search(r"genome (\d+)", str(exc))
            return "error", None if found is None else int(found.group(1))
    return "ok", population.fitness.tolist()


@given(
    values=st.lists(st.one_of(valid, valid, valid, non_finite, invalid), min_size=SIZE, max_size=SIZE),
    invalid_fitness=st.sampled_from(["error", "worst"]),
)
def test_tell_and_the_evaluator_accept_and_refuse_the_same_values(values, invalid_fitness):
    def told():
        population = Population(config(invalid_fitness))
        population.ask()
        population.tell(values)
        return population

    def evaluated():
        population = Population(config(invalid_fitness))
        population.run(Evaluator(Lookup(values)), generations=1)
        return population

    by_tell, by_evaluator = outcome(told), outcome(evaluated)
    assert by_tell == by_evaluator
    kinds = [kind(v) for v in values]
    if "bad" in kinds:
        assert by_tell == ("error", kinds.index("bad"))
    elif "non-finite" in kinds and (invalid_fitness == "error" or "ok" not in kinds):
        assert by_tell == ("error", kinds.index("non-finite"))
    else:
        assert by_tell[0] == "ok"


@pytest.mark.parametrize("bad", [True, "1.5", None, 1j, [1.0], 10**400, np.bool_(True)],
                         ids=lambda v: type(v).__name__)
def test_workers_apply_the_same_rule(bad):
    values = [1.0] * SIZE
    values[5] = bad
    population = Population(config())
    genomes = population.ask()
    with pytest.raises(EvaluationError) as serial:
        Evaluator(Lookup(values))(genomes)
    with pytest.raises(EvaluationError) as told:
        population.tell(values)
    assert str(serial.value) == str(told.value)
    assert str(serial.value).startswith("fitness of genome 5 is ")
    with ThreadPoolExecutor(2) as threads:
        with pytest.raises(EvaluationError) as threaded:
            Evaluator(Lookup(values), executor=threads)(genomes)
    assert str(threaded.value) == str(serial.value)


def test_a_process_pool_refuses_a_string_like_tell():
    values = [1.0] * SIZE
    values[6] = "1.5"
    genomes = Population(config()).ask()
    with ProcessPoolExecutor(2) as pool:
        with pytest.raises(EvaluationError, match=r"^fitness of genome 6 is '1.5' \(str\); a fitness must be"):
            Evaluator(Lookup(values), executor=pool)(genomes)
