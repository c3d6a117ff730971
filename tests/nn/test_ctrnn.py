"""CTRNNs: per-node time constants, a slow reference integrator, single network vs population stack."""
import dataclasses
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from neat import Config, ConfigError, Genome
from neat.functions import activation_function, aggregation_function
from neat.genome.mutation import mutate_node_attributes
from neat.nn import compile, compile_population, compile_recurrent
from neat.nn.recurrent import CTRNNNetwork
from neat.rng import make_rng
from neat.testing import configs, genome_families, grown_genomes

STEPS = 6


def ctrnn_config(config, dt=0.05, integration="euler"):
    g = dataclasses.replace(
        config.genome, feed_forward=False, ctrnn=True, ctrnn_dt=dt, ctrnn_integration=integration,
        time_constant_init_mean=0.5, time_constant_init_stdev=0.5, time_constant_min=0.01, time_constant_max=5.0,
    )
    m = dataclasses.replace(config.mutation, time_constant_mutate_prob=1.0, time_constant_perturb_rate=0.8,
                            time_constant_replace_rate=0.2, time_constant_mutate_power=0.3)
    return dataclasses.replace(config, genome=g, mutation=m)


@st.composite
def ctrnn_populations(draw, max_size=5):
    dt = draw(st.sampled_from([0.01, 0.1, 0.5]))
    config = ctrnn_config(draw(configs(feed_forward=False)), dt, draw(st.sampled_from(["euler", "exponential"])))
    genomes = list(draw(genome_families(config, min_size=1, max_size=max_size)).genomes)
    genomes.append(draw(grown_genomes(config, max_steps=20)))
    X = draw(hnp.arrays(np.float64, (STEPS, len(genomes), 2, config.genome.num_inputs),
                        elements=st.floats(-3.0, 3.0, allow_nan=False, allow_infinity=False)))
    return genomes, X


def reference(genome: Genome, inputs) -> np.ndarray:
    """The CTRNN equations stepped node by node in plain Python (no compiler, no pruning): (steps, n_out)."""
    cfg = genome.config
    n = genome.nodes
    ids = n.id.tolist()
    y = {i: 0.0 for i in ids}
    incoming = {i: [] for i in ids}
    for s, d, w, e in zip(genome.conns.src.tolist(), genome.conns.dst.tolist(), genome.conns.weight.tolist(),
                          genome.conns.enabled.tolist()):
        if e:
            incoming[d].append((s, w))
    outs = []
    for x in inputs:
        for k in range(cfg.num_inputs):
            y[k] = float(x[k])
        new = {}
        for p, i in enumerate(ids):
            if p < cfg.num_inputs:
                continue
            act = activation_function(cfg.activation_options[n.activation[p]])
            agg = aggregation_function(cfg.aggregation_options[n.aggregation[p]])
            values = np.array([y[s] * w for s, w in incoming[i]])
            total = agg(values[None, :])[0] if len(values) else 0.0
            z = float(act(np.array([n.bias[p] + n.response[p] * total]))[0])
            tau = float(n.time_constant[p])
            a = cfg.ctrnn_dt / tau if cfg.ctrnn_integration == "euler" else 1.0 - math.exp(-cfg.ctrnn_dt / tau)
            new[i] = y[i] + a * (z - y[i])
        y.update(new)
        outs.append([y[cfg.num_inputs + o] for o in range(cfg.num_outputs)])
    return np.array(outs)


@given(ctrnn_populations())
def test_single_network_equals_the_reference_integrator(case):
    genomes, X = case
    for p, g in enumerate(genomes):
        net = compile(g)
        assert isinstance(net, CTRNNNetwork)
        for b in range(X.shape[2]):
            net.reset()
            got = net.run(X[:, p, b])
            want = reference(g, X[:, p, b])
            with np.errstate(invalid="ignore"):
                np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-9)


@given(ctrnn_populations())
def test_population_stack_equals_each_network_alone(case):
    genomes, X = case
    stack = compile_population(genomes)
    alone = np.stack([compile(g).run(X[:, p]) for p, g in enumerate(genomes)], axis=1)
    together = stack.run(X)
    np.testing.assert_allclose(together, alone, rtol=1e-9, atol=1e-12)
    # Networks rebuilt from the stack, stacks of networks and subsets are CTRNNs too.
    assert all(isinstance(n, CTRNNNetwork) for n in stack.networks)
    again = type(stack)([compile(g) for g in genomes])
    np.testing.assert_allclose(again.run(X), alone, rtol=1e-9, atol=1e-12)


@given(configs(feed_forward=False), st.data())
def test_tau_equal_to_dt_with_euler_is_the_plain_recurrent_step(config, data):
    config = ctrnn_config(config, dt=0.25)
    g = data.draw(grown_genomes(config, max_steps=15))
    g = g.replace(nodes=g.nodes._replace(time_constant=np.full(g.num_nodes, 0.25)))
    X = data.draw(hnp.arrays(np.float64, (STEPS, 3, config.genome.num_inputs), elements=st.floats(-3, 3)))
    plain = dataclasses.replace(g.config, ctrnn=False)
    want = compile_recurrent(Genome(plain, g.nodes, g.conns)).run(X)
    np.testing.assert_allclose(compile(g).run(X), want, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(compile_population([g]).run(X[:, None])[:, 0], want, rtol=1e-12, atol=1e-12)


def test_small_time_constants_integrate_slowly_and_exactly():
    """One node, one input, no weights: y_t = 1 - (1 - a)^t toward act(bias)."""
    cfg = Config.from_dict({"genome": {"num_inputs": 1, "num_outputs": 1, "feed_forward": False, "ctrnn": True,
                                       "ctrnn_dt": 0.1, "activation_default": "identity",
                                       "activation_options": ["identity"], "initial_connection": "none"}})
    g = Genome(cfg, {"id": [0, 1], "kind": [0, 1], "bias": [0.0, 1.0], "response": [1.0, 1.0],
                     "activation": [0, 0], "aggregation": [0, 0], "time_constant": [1.0, 2.0]},
               {"innovation": [], "src": [], "dst": [], "weight": [], "enabled": []})
    out = compile(g).run(np.zeros((5, 1)))[:, 0]
    np.testing.assert_allclose(out, 1.0 - (1.0 - 0.05) ** np.arange(1, 6))


def test_time_constants_are_genes_mutated_within_bounds_and_saved():
    config = ctrnn_config(Config.from_dict({"genome": {"num_inputs": 2, "num_outputs": 1, "feed_forward": False}}))
    from neat.genome.innovation import InnovationTracker
    from neat.genome.topology import new_genome

    g = new_genome(config, InnovationTracker.for_config(config), make_rng(1))
    assert g.nodes.time_constant[2] != 0.5  # drawn (init stdev 0.5)
    m = mutate_node_attributes(g, config, None, make_rng(2))
    assert not np.array_equal(m.nodes.time_constant, g.nodes.time_constant)
    assert np.all((m.nodes.time_constant[2:] >= 0.01) & (m.nodes.time_constant[2:] <= 5.0))
    assert Genome.from_dict(m.to_dict()) == m
    old = m.to_dict()
    del old["nodes"]["time_constant"]  # a file written before time constants
    assert np.all(Genome.from_dict(old).nodes.time_constant == 0.5)


def test_bad_ctrnn_keys_are_config_errors():
    with pytest.raises(ConfigError, match="ctrnn"):
        Config.from_dict({"genome": {"ctrnn": True}})  # feed_forward = true
    with pytest.raises(ConfigError, match="time_constant_min"):
        Config.from_dict({"genome": {"time_constant_min": 0.0}})
    with pytest.raises(ConfigError, match="ctrnn_integration"):
        Config.from_dict({"genome": {"feed_forward": False, "ctrnn": True, "ctrnn_integration": "rk4"}})
