"""neat-python 2.0's CTRNN configs (time_constant_* keys) import as CTRNN configs and run."""
import warnings
from pathlib import Path

import numpy as np
import pytest

from neat import Population, load_neat_python_config
from neat.nn import compile, compile_population
from neat.nn.recurrent import CTRNNNetwork

DATA = Path(__file__).parent.parent / "data" / "neat_python"


def load(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return load_neat_python_config(DATA / name)


@pytest.mark.parametrize(("name", "tau"), [("config-ctrnn-single-pole", (0.01, 0.0, 0.001, 1.0, 0.005, 0.3, 0.05)),
                                           ("config-ctrnn-lorenz", (1.0, 0.5, 0.01, 5.0, 0.1, 0.5, 0.1))])
def test_ctrnn_configs_convert_and_run(name, tau):
    config = load(name)
    g, m = config.genome, config.mutation
    assert g.ctrnn and not g.feed_forward and g.ctrnn_integration == "exponential"
    assert (g.time_constant_init_mean, g.time_constant_init_stdev, g.time_constant_min, g.time_constant_max,
            m.time_constant_mutate_power, m.time_constant_perturb_rate, m.time_constant_replace_rate) == tau
    config = config.replace(run={"population_size": 20, "seed": 3})
    pop = Population(config)
    genomes = pop.ask()
    assert isinstance(compile(genomes[0]), CTRNNNetwork)
    X = np.random.default_rng(0).uniform(-1, 1, (4, g.num_inputs))

    def evaluate(genomes):
        out = compile_population(genomes).run(X)  # (steps, P, n_out)
        assert np.all(np.isfinite(out))
        return -np.abs(out).sum(axis=(0, 2))

    pop.run(evaluate, 3)
    taus = np.concatenate([gen.nodes.time_constant[g.num_inputs:] for gen in pop.ask()])
    assert np.all((taus >= g.time_constant_min) & (taus <= g.time_constant_max))
