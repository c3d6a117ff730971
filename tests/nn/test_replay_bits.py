"""Exact mode (``exact=True``): a genome scores the same bits alone as in its population stack.

The promise of ``neat.nn._terms.sum_terms``: an exact network's outputs do
not depend on the networks stacked beside it (the stack's padding), on the
batch size, on slicing the stack (``subset``, as slot refill does), or on the
network being compiled alone; feed-forward, recurrent and CTRNN, float64 and
float32, sum and other aggregations (the gathered path).  Compared bit for
bit, not with a tolerance; then end to end: with ``GymEvaluator(...,
exact=True)`` a champion's training fitness is what it scores alone.  And
the default mode (BLAS products) agrees with exact mode to rounding.
"""

import dataclasses
import pickle

import gymnasium
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import neat
from neat import Config
from neat.evaluation.gym import GymEvaluator, episode_seeds, replay_seeds
from neat.evaluation.gym.spaces import actions_from_outputs, output_range_of
from neat.nn import (
    PopulationNetwork,
    RecurrentPopulationNetwork,
    compile,
    compile_population,
    load_network,
    save_network,
)
from neat.testing import configs, genome_families, grown_genomes

from ..oracle import build_genome
from .test_ctrnn import ctrnn_config
from .test_recurrent_population import grown

STEPS = 6


def assert_same_bits(got, want):
    """Equal values, zeros of equal sign, NaN where the other is NaN."""
    got, want = np.asarray(got), np.asarray(want)
    assert got.dtype == want.dtype and got.shape == want.shape, (got.dtype, got.shape, want.dtype, want.shape)
    both_nan = np.isnan(got) & np.isnan(want)
    same = ((got == want) & (np.signbit(got) == np.signbit(want))) | both_nan
    if not same.all():
        at = tuple(np.argwhere(~same)[0])
        raise AssertionError(f"{(~same).sum()} values differ; first at {at}: {got[at]!r} != {want[at]!r}")


@st.composite
def populations(draw, kind):
    """Genomes of one config around which the stack's padding varies, a batch size, a dtype and an input seed."""
    config = draw(configs(feed_forward=kind == "feedforward"))
    config = dataclasses.replace(
        config, genome=dataclasses.replace(config.genome, num_inputs=draw(st.integers(1, 12)), hidden_layers=())
    )
    if kind == "ctrnn":
        config = ctrnn_config(config, draw(st.sampled_from([0.01, 0.1, 0.5])), draw(st.sampled_from(["euler", "exponential"])))
    if draw(st.booleans()):
        # activations with a prescale (folded into the weights) and several functions per network
        g = config.genome
        acts = tuple(dict.fromkeys((*g.activation_options, draw(st.sampled_from(["sigmoid", "neat_sigmoid"])))))
        config = dataclasses.replace(
            config, genome=dataclasses.replace(g, activation_options=acts, activation_default="random")
        )
    family = draw(genome_families(config, min_size=1, max_size=8, max_steps=30))
    genomes = list(family.genomes)
    if draw(st.booleans()):
        genomes.insert(draw(st.integers(0, len(genomes))), draw(grown_genomes(config, max_steps=40)))
    # long sums: where differently blocked sums part ways
    rng = neat.make_rng(draw(st.integers(0, 2**32 - 1)))
    for _ in range(draw(st.integers(0, 12))):
        genomes = [neat.mutate(g, config, family.tracker, rng) for g in genomes]
    batch = draw(st.integers(1, 40))
    dtype = draw(st.sampled_from([np.float64, np.float32]))
    return genomes, batch, np.dtype(dtype), draw(st.integers(0, 2**32 - 1))


def inputs(seed, shape):
    """Inputs in [-3, 3] with a few exact zeros and negative zeros."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(-3.0, 3.0, shape)
    X[rng.random(shape) < 0.05] = 0.0
    X[rng.random(shape) < 0.05] = -0.0
    return X


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@given(populations("feedforward"))
def test_feedforward_rows_of_any_stack_are_the_network_alone(case):
    genomes, batch, dtype, seed = case
    P, n_in = len(genomes), genomes[0].config.num_inputs
    X = inputs(seed, (P, batch, n_in))
    nets = [compile(g, dtype, exact=True) for g in genomes]
    alone = np.stack([net(x) for net, x in zip(nets, X)])
    # every row of the batch on its own (a batch of one, a 1-D vector)
    for p in range(P):
        for b in {0, batch - 1}:
            assert_same_bits(nets[p](X[p, b]), alone[p, b])
            assert_same_bits(nets[p](X[p, b : b + 1]), alone[p, b : b + 1])
    for stack in (compile_population(genomes, dtype, exact=True), PopulationNetwork(nets, dtype, exact=True)):
        assert_same_bits(stack(X), alone)
        assert_same_bits(stack(X[0]), np.stack([net(X[0]) for net in nets]))  # one batch shared
        assert_same_bits(stack(X[0, 0]), np.stack([net(X[0, 0]) for net in nets]))  # one vector shared
    # a genome in a stack of its own (a replay) and in a slice of the stack (slot refill narrows to one)
    rows = np.random.default_rng(seed).permutation(P)[: max(1, P // 2)]
    assert stack.subset(rows).exact
    assert_same_bits(stack.subset(rows)(X[rows]), alone[rows])
    for p in range(P):
        assert_same_bits(compile_population([genomes[p]], dtype, exact=True)(X[p : p + 1]), alone[p : p + 1])


def check_recurrent(case):
    genomes, batch, dtype, seed = case
    P, n_in = len(genomes), genomes[0].config.num_inputs
    X = inputs(seed, (STEPS, P, batch, n_in))
    alone = np.stack([compile(g, dtype, exact=True).run(X[:, p]) for p, g in enumerate(genomes)], axis=1)
    # one batch row stepped alone, as a batch of one
    for p in range(P):
        net = compile(genomes[p], dtype, exact=True)
        assert_same_bits(net.run(X[:, p, -1]), alone[:, p, -1])
    for stack in (compile_population(genomes, dtype, exact=True),
                  RecurrentPopulationNetwork([compile(g, dtype) for g in genomes], dtype, exact=True)):
        assert_same_bits(stack.run(X), alone)
    # a stack of one genome; a subset made half-way carries the states on
    for p in range(P):
        one = compile_population([genomes[p]], dtype, exact=True)
        assert_same_bits(one.run(X[:, p : p + 1]), alone[:, p : p + 1])
    stack = compile_population(genomes, dtype, exact=True)
    half = STEPS // 2
    stack.run(X[:half])
    rows = np.random.default_rng(seed).permutation(P)[: max(1, P // 2)]
    assert_same_bits(stack.subset(rows).run(X[half:, rows]), alone[half:, rows])


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@given(populations("recurrent"))
def test_recurrent_rows_of_any_stack_are_the_network_alone_at_every_step(case):
    check_recurrent(case)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@given(populations("ctrnn"))
def test_ctrnn_rows_of_any_stack_are_the_network_alone_at_every_step(case):
    check_recurrent(case)


def test_padding_terms_keep_the_sign_of_zero():
    """A sum that is -0.0 stays -0.0 whatever the padding (the padding terms are -0.0, not +0.0)."""
    cfg = Config(genome={"num_inputs": 2, "num_outputs": 1, "activation_default": "identity",
                         "activation_options": ["identity"]})
    # node 2's sum: bias -0.0, 2.0 * x0 = -0.0; the other genome widens the stack (hidden nodes, more terms)
    genome = build_genome(cfg, conns=[(0, 2, 2.0)], bias={2: -0.0})
    wide = build_genome(cfg, hidden=[3, 4], conns=[(0, 3, 1.0), (1, 3, 1.0), (0, 4, 1.0), (3, 2, 1.0), (4, 2, 1.0),
                                                  (1, 2, 1.0), (1, 4, 1.0)])
    x = np.array([[-0.0, 5.0]])
    alone = compile(genome, exact=True)(x)
    assert np.signbit(alone[0, 0]) and alone[0, 0] == 0.0
    assert_same_bits(compile_population([genome, wide], exact=True)(np.stack([x, x]))[0], alone)
    assert_same_bits(compile_population([genome, wide], exact=True)(x)[0], alone)


# --- end to end: a champion replays as it was scored ------------------------------------------
class HenonEnv(gymnasium.Env):
    """A driven Henon map: chaotic and float64 throughout, so an action's last bit shows in the return.

    (Gymnasium's own control envs take float32 actions, which round such differences away.)
    """

    def __init__(self):
        self.observation_space = gymnasium.spaces.Box(-np.inf, np.inf, (2,), np.float64)
        self.action_space = gymnasium.spaces.Box(-1.0, 1.0, (1,), np.float64)

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        self.state, self.t = self.np_random.uniform(-0.1, 0.1, 2), 0
        return self.state.copy(), {}

    def step(self, action):
        x, y = self.state
        self.state = np.array([1.0 - 1.4 * x * x + y + 0.05 * float(np.asarray(action).reshape(-1)[0]), 0.3 * x])
        self.t += 1
        escaped = not bool(np.all(np.abs(self.state) < 10.0))
        return self.state.copy(), float(self.state[0]), escaped, self.t >= 150 + 10 * (self.t % 7 == 0), {}


def henon():
    return HenonEnv()


def _returns_alone(evaluator, genome, seeds):
    """Each episode played by the genome's own compiled network, one observation at a time, on a plain env."""
    env = evaluator.make_env()
    output_range = evaluator.output_range if evaluator.output_range != "auto" else output_range_of(genome.config)
    returns = []
    try:
        for seed in seeds.tolist():
            net = compile(genome, exact=True)
            obs, _ = env.reset(seed=seed)
            total, steps = 0.0, 0
            while True:
                y = net(evaluator.inputs(np.asarray(obs)[None])[0])
                action = actions_from_outputs(evaluator.action_space, y[None], output_range)[0]
                obs, reward, terminated, truncated, _ = env.step(action)
                total += float(reward)
                steps += 1
                if terminated or truncated or (evaluator.max_steps is not None and steps >= evaluator.max_steps):
                    break
            returns.append(total)
    finally:
        env.close()
    return np.array(returns)


@pytest.mark.parametrize("feed_forward", [True, False])
@pytest.mark.parametrize("vectorized", [False, "sync"])
def test_training_returns_are_the_genome_alone_on_a_chaotic_env(feed_forward, vectorized):
    """Exact training (one population stack, serial envs or a SyncVectorEnv with slot refill) = each genome alone."""
    config = Config(
        genome={"num_inputs": 2, "num_outputs": 1, "feed_forward": feed_forward, "activation_default": "identity",
                "activation_options": ["identity", "tanh"], "initial_connection": "full",
                "weight_init_stdev": 0.5, "bias_init_stdev": 0.3},
        mutation={"node_add_prob": 0.6, "conn_add_prob": 0.9, "activation_mutate_rate": 0.2,
                  "weight_mutate_power": 0.2},
    )
    genomes = grown(config, 8, seed=4, rounds=20)
    with GymEvaluator(
        henon, episodes=3, seed=11, output_range=None, vectorized=vectorized, slots=5, exact=True
    ) as evaluator:
        trained = evaluator.episode_returns(genomes, generation=2)  # 8 x 3 episodes, one stack
        seeds = episode_seeds(11, 2, 3)
        for p, genome in enumerate(genomes):
            np.testing.assert_array_equal(_returns_alone(evaluator, genome, seeds), trained[p])
            np.testing.assert_array_equal(evaluator.episode_returns([genome], generation=2)[0], trained[p])
        champion = genomes[int(np.argmax(trained.mean(axis=1)))]
        np.testing.assert_array_equal(evaluator.replay(champion, episodes=4, seed=5),
                                      _returns_alone(evaluator, champion, replay_seeds(5, 4)))


# --- exact mode: the same networks, the same values to rounding -----------------------------------
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@settings(max_examples=30)
@given(st.sampled_from(["feedforward", "recurrent", "ctrnn"]).flatmap(lambda k: populations(k).map(lambda c: (k, c))))
def test_exact_and_default_agree_to_rounding(kind_case):
    """Not a bit test: the two modes compute the same sums in different orders (float64)."""
    kind, (genomes, batch, _, seed) = kind_case
    P, n_in = len(genomes), genomes[0].config.num_inputs
    X = inputs(seed, (STEPS, P, batch, n_in))
    stacks = [compile_population(genomes, exact=exact) for exact in (False, True)]
    assert [s.exact for s in stacks] == [False, True]
    if kind == "feedforward":
        got = [s(X[0]) for s in stacks] + [np.stack([compile(g, exact=e)(X[0, p]) for p, g in enumerate(genomes)])
                                           for e in (False, True)]
        steps = [(got, 1e-12)]
    else:
        got = [s.run(X) for s in stacks]
        # the first step as tight as a feed-forward pass; later steps feed rounding back (and may amplify it)
        steps = [([y[:1] for y in got], 1e-12), (got, 1e-9)]
    for ys, tolerance in steps:
        finite = np.isfinite(ys[0])
        for other in ys[1:]:
            assert np.array_equal(np.isfinite(other), finite)
            np.testing.assert_allclose(other[finite], ys[0][finite], rtol=tolerance, atol=tolerance)


def test_exact_is_kept_by_astype_pickling_subsets_and_files(tmp_path):
    config = Config(genome={"num_inputs": 3, "num_outputs": 2, "initial_connection": "full"})
    genomes = grown(config, 5, seed=3, rounds=8)
    X = inputs(1, (5, 7, 3))
    net = compile(genomes[0], exact=True)
    assert net.exact and "exact=True" in repr(net) and not compile(genomes[0]).exact
    for copy in (net.astype(np.float64), pickle.loads(pickle.dumps(net))):
        assert copy.exact
        assert_same_bits(copy(X[0]), net(X[0]))
    save_network(net, tmp_path / "net.npz")
    loaded = load_network(tmp_path / "net.npz")
    assert loaded.exact
    assert_same_bits(loaded(X[0]), net(X[0]))
    save_network(compile(genomes[0]), tmp_path / "default.npz")
    assert not load_network(tmp_path / "default.npz").exact
    stack = compile_population(genomes, exact=True)
    for copy in (pickle.loads(pickle.dumps(stack)), stack.subset([4, 0, 2])):
        assert copy.exact and all(n.exact for n in copy.networks)
    assert_same_bits(pickle.loads(pickle.dumps(stack))(X), stack(X))
    assert_same_bits(stack.subset([4, 0, 2])(X[[4, 0, 2]]), stack(X)[[4, 0, 2]])


def test_exact_goes_to_the_workers():
    """A pool's workers compile as the evaluator does: exact training there = each genome alone."""
    from concurrent.futures import ThreadPoolExecutor

    config = Config(genome={"num_inputs": 2, "num_outputs": 1, "activation_default": "identity",
                            "activation_options": ["identity", "tanh"], "initial_connection": "full",
                            "weight_init_stdev": 0.5},
                    mutation={"node_add_prob": 0.6, "conn_add_prob": 0.9})
    genomes = grown(config, 6, seed=2, rounds=15)
    with ThreadPoolExecutor(2) as pool, GymEvaluator(
        henon, episodes=2, seed=3, output_range=None, executor=pool, workers=2, exact=True
    ) as evaluator:
        assert evaluator._worker_settings()["exact"] is True
        trained = evaluator.episode_returns(genomes, generation=1)
        seeds = episode_seeds(3, 1, 2)
        for p, genome in enumerate(genomes):
            np.testing.assert_array_equal(_returns_alone(evaluator, genome, seeds), trained[p])
