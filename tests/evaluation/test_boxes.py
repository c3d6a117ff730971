"""The boxes task (neat.evaluation.boxes): its fields, its scores, batched evaluation, generalisation."""

import numpy as np
import pytest

import neat
from neat.errors import ConfigError
from neat.evaluation.boxes import (
    DIRECTIONS,
    FIELD_SIZE,
    LARGE_BOX_CENTRES,
    MAX_DISTANCE,
    BoxesTask,
    box_positions,
    pixel_coordinates,
    render_fields,
)
from neat.evolution.presets import cppn_config
from neat.nn.hyperneat import decode
from neat.nn.substrate import Substrate


@pytest.fixture(scope="module")
def task():
    return BoxesTask()


def distance_cppn(scale=2.0):
    """A hand-made CPPN: weight = gauss(scale * d), falling with the distance d between the two points.

    Its network adds up the field around each output: a blur, whose peak is the large box's centre.
    """
    config = cppn_config(5, 1)
    genome = neat.new_genome(config, neat.InnovationTracker(6), neat.make_rng(0))
    data = genome.to_dict()
    nodes, conns = data["nodes"], data["connections"]
    out = nodes["kind"].index("output")
    nodes["activation"][out] = "gauss"
    nodes["bias"][out] = 0.0
    nodes["response"][out] = 1.0
    conns["weight"] = [scale if src == 4 else 0.0 for src in conns["src"]]  # input 4 is d
    conns["enabled"] = [src == 4 for src in conns["src"]]
    return neat.Genome.from_dict(data)


# --- the fields -------------------------------------------------------------------
def test_the_75_cases_are_25_large_box_positions_times_3_small_box_directions():
    large, small = box_positions()
    assert large.shape == small.shape == (75, 2)
    centres = {(c, r) for c in LARGE_BOX_CENTRES for r in LARGE_BOX_CENTRES}
    assert {tuple(p) for p in large.tolist()} == centres and len(centres) == 25
    # Every large box lies wholly inside the field; every small box is a cell of it.
    assert large.min() >= 1 and large.max() <= FIELD_SIZE - 2
    assert small.min() >= 0 and small.max() <= FIELD_SIZE - 1
    steps = np.array(list(DIRECTIONS.values()))
    assert np.array_equal(small, (large + 5 * np.tile(steps, (25, 1))) % FIELD_SIZE)
    # The boxes never overlap: the small box is outside the 3 x 3 large box.
    assert np.all(np.abs(small - large).max(axis=1) >= 2)
    assert len({(tuple(a), tuple(b)) for a, b in zip(large.tolist(), small.tolist())}) == 75


def test_an_11x11_field_holds_the_3x3_large_box_and_the_1x1_small_box():
    large, small = box_positions()
    fields = render_fields(large, small)
    assert fields.shape == (75, 121) and set(np.unique(fields)) == {0.0, 1.0}
    for field, (cx, cy), (sx, sy) in zip(fields, large, small):
        expected = np.zeros((11, 11))
        expected[cy - 1 : cy + 2, cx - 1 : cx + 2] = 1.0
        expected[sy, sx] = 1.0
        assert np.array_equal(field.reshape(11, 11), expected)  # rows are y, columns x


def test_a_finer_field_draws_each_cell_as_a_block_of_pixels():
    large, small = box_positions()
    coarse, fine = render_fields(large, small, 11), render_fields(large, small, 33)
    assert fine.shape == (75, 33 * 33) and np.all(fine.sum(axis=1) == 81 + 9)
    blocks = fine.reshape(75, 11, 3, 11, 3)
    assert np.array_equal(blocks.min(axis=(2, 4)), blocks.max(axis=(2, 4)))  # each 3 x 3 block is uniform
    assert np.array_equal(blocks[:, :, 0, :, 0].reshape(75, 121), coarse)


def test_pixel_centres_line_up_across_resolutions():
    coarse, fine = pixel_coordinates(11), pixel_coordinates(33)
    assert coarse.shape == (121, 2) and np.all(np.abs(fine) < 1)
    rows, cols = np.divmod(np.arange(121), 11)
    assert np.allclose(fine[(3 * rows + 1) * 33 + 3 * cols + 1], coarse, rtol=0, atol=1e-15)
    assert np.allclose(coarse[:11, 0], -1 + (2 * np.arange(11) + 1) / 11) and np.all(coarse[:11, 1] == coarse[0, 1])


# --- the scores ---------------------------------------------------------------------
def one_hot(cells, resolution=11):
    out = np.zeros((len(cells), resolution * resolution))
    out[np.arange(len(cells)), cells[:, 1] * resolution + cells[:, 0]] = 1.0
    return out


def test_pointing_at_the_large_box_scores_1_and_at_the_small_box_scores_by_distance(task):
    perfect = task.score_outputs(one_hot(task.large), 11)
    assert perfect.fitness == 1.0 and perfect.success_rate == 1.0 and perfect.mean_distance == 0.0
    fooled = task.score_outputs(one_hot(task.small), 11)
    d = np.linalg.norm(task.small - task.large, axis=1)
    assert fooled.success_rate == 0.0
    assert fooled.mean_distance == pytest.approx(d.mean())
    assert fooled.fitness == pytest.approx(1 - np.sqrt(np.mean(d**2)) / MAX_DISTANCE)
    assert MAX_DISTANCE == pytest.approx(10 * np.sqrt(2))


def test_a_flat_output_picks_the_first_node_and_a_population_scores_row_by_row(task):
    flat = task.score_outputs(np.zeros((75, 121)), 11)  # ties: the first node, the top-left cell
    d = np.linalg.norm(task.large, axis=1)
    assert flat.success_rate == 0.0 and flat.mean_distance == pytest.approx(d.mean())
    both = task.score_outputs(np.stack([one_hot(task.large), np.zeros((75, 121))]), 11)
    assert np.allclose(both.fitness, [1.0, flat.fitness]) and np.allclose(both.success_rate, [1.0, 0.0])


def test_at_a_finer_resolution_any_pixel_of_the_centre_cell_is_a_hit(task):
    # Pixel (3c + 2, 3r) is in cell (c, r) at 33 x 33, a third of a cell from its centre.
    cells = task.large.copy()
    out = np.zeros((75, 33 * 33))
    out[np.arange(75), (3 * cells[:, 1]) * 33 + 3 * cells[:, 0] + 2] = 1.0
    score = task.score_outputs(out, 33)
    assert score.success_rate == 1.0
    assert score.mean_distance == pytest.approx(np.hypot(1 / 3, 1 / 3))


def test_a_blurring_network_finds_every_large_box_at_11x11_and_33x33(task):
    cppn = distance_cppn()
    network = decode(cppn, task.substrate)
    assert network.num_inputs == network.num_outputs == 121
    assert task.success_rate(network) == 1.0
    assert task.score(network).fitness == 1.0
    fine = task.score_at(cppn, 33)
    assert fine.success_rate == 1.0 and fine.mean_distance == 0.0


def test_the_generalisation_test_decodes_the_same_cppn_on_33x33_sheets(task):
    cppn = distance_cppn()
    network = task.network(cppn, 33)
    assert network.num_inputs == network.num_outputs == 33 * 33
    assert task.substrate_at(33).num_connections == (33 * 33) ** 2
    score = task.score_at(cppn, 33)
    assert all(isinstance(v, float) for v in score)
    assert score == task.score(network)


# --- evaluation -------------------------------------------------------------------------
def test_evaluating_a_generation_at_once_equals_scoring_each_genome(task):
    config = cppn_config(5, 1, population_size=24)
    genomes = neat.Population(config, seed=3).ask()
    fitness = task(genomes)
    assert fitness.shape == (24,)
    one_by_one = [task.score(task.network(g)).fitness for g in genomes]
    assert np.allclose(fitness, one_by_one, rtol=0, atol=1e-12)
    assert len(set(np.round(fitness, 9))) > 1  # random CPPNs differ
    assert task([]).shape == (0,)


def test_hyperneat_solves_the_task_in_a_few_generations():
    task = BoxesTask()
    population = neat.Population(cppn_config(5, 1, population_size=60), seed=0)
    population.run(task, 30, stop=lambda pop: task.success_rate(task.network(pop.generation_champion)) >= 0.95)
    assert task.success_rate(task.network(population.generation_champion)) >= 0.95


def test_bad_resolutions_and_outputs_are_config_errors(task):
    for bad in (10, 0, 11.0, True, "33"):
        with pytest.raises(ConfigError, match="resolution must be a whole number"):
            BoxesTask(bad)
    with pytest.raises(ConfigError, match=r"expected outputs of shape \(\.\.\., 75, 121\)"):
        task.score_outputs(np.zeros((75, 120)), 11)
    with pytest.raises(ConfigError, match="r \\* r inputs"):
        task.score(decode(distance_cppn(), Substrate(pixel_coordinates(11), pixel_coordinates(11)[:5])))
