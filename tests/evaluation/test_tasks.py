"""Tasks a config describes: dataset tables and their fitness."""

import numpy as np
import pytest

import neat
from neat import ConfigError
from neat.evaluation.tasks import BUILTIN_DATASETS, DatasetEvaluator, load_dataset, task_evaluator


def test_builtin_tables():
    inputs, targets = BUILTIN_DATASETS["xor"]
    assert inputs.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]] and targets[:, 0].tolist() == [0, 1, 1, 0]
    inputs, targets = BUILTIN_DATASETS["parity3"]
    assert inputs.shape == (8, 3) and targets[:, 0].tolist() == [inputs[i].sum() % 2 for i in range(8)]


def test_fitness_is_rows_times_outputs_minus_the_squared_error():
    config = neat.Config(genome={"num_inputs": 3, "num_outputs": 1}, run={"population_size": 10})
    genomes = neat.Population(config, seed=2).genomes
    evaluate = DatasetEvaluator(*BUILTIN_DATASETS["parity3"])
    expected = [8 - np.sum((neat.compile(g).forward(evaluate.inputs) - evaluate.targets) ** 2) for g in genomes]
    np.testing.assert_allclose(evaluate(genomes), expected, rtol=1e-12)
    assert evaluate.perfect == 8


def test_recurrent_genomes_step_through_the_rows_in_order():
    config = neat.Config(genome={"num_inputs": 2, "num_outputs": 1, "feed_forward": False},
                         mutation={"conn_add_prob": 1.0, "node_add_prob": 0.5}, run={"population_size": 6})
    population = neat.Population(config, seed=4)
    evaluate = DatasetEvaluator(*BUILTIN_DATASETS["xor"])
    population.run(evaluate, 3)
    genomes = population.genomes
    for genome, fitness in zip(genomes, evaluate(genomes)):
        net = neat.compile(genome)
        net.reset()
        outputs = np.array([net.step(row[None, :])[0] for row in evaluate.inputs])
        assert fitness == pytest.approx(4 - np.sum((outputs - evaluate.targets) ** 2), rel=1e-12)


def test_dataset_shape_must_match_the_genome():
    with pytest.raises(ConfigError, match=r"dataset = 'parity3' has 3 inputs and 1 outputs, but \[genome\] has num_inputs = 2"):
        load_dataset("parity3", 2, 1)


@pytest.mark.parametrize(
    ("text", "message"),
    [("", "no rows of numbers"), ("a,b,c\n1,x,0\n", "row 2 is not all numbers"), ("1,2,nan\n", "NaN or infinite")],
)
def test_bad_csv_tables(tmp_path, text, message):
    (tmp_path / "t.csv").write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_dataset("t.csv", 2, 1, tmp_path)
    with pytest.raises(ConfigError, match="cannot read"):
        load_dataset("missing.csv", 2, 1, tmp_path)


@pytest.mark.parametrize(
    ("task", "message"),
    [({"kind": "dataset"}, r"\[task\] dataset = None is not allowed"), ({"kind": "gym"}, r"\[task\] env_id = None")],
)
def test_a_task_needs_its_data(task, message):
    with pytest.raises(ConfigError, match=message):
        neat.Config(task=task)


def test_no_task_is_an_error_for_the_command_line_only():
    with pytest.raises(ConfigError, match="the config has no task"):
        task_evaluator(neat.Config())


def test_toml_leaves_out_an_unused_task_section_and_keeps_a_used_one():
    assert "[task]" not in neat.Config().to_toml()
    config = neat.Config(task={"kind": "dataset", "dataset": "xor"})
    assert "[task]" in config.to_toml() and neat.Config.from_toml(config.to_toml()) == config


def test_the_task_reducers_are_the_gym_evaluators():
    import dataclasses

    from neat.config import TaskConfig
    from neat.evaluation.gym import REDUCERS

    field = next(f for f in dataclasses.fields(TaskConfig) if f.name == "reducer")
    assert set(field.metadata["choices"]) == set(REDUCERS)
