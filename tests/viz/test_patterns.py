"""CPPN pictures and substrate slices (neat.viz.patterns), and the PNG writer they use."""

import struct
import zlib

import numpy as np
import pytest

import neat
from neat.errors import ConfigError
from neat.evolution.presets import cppn_config
from neat.nn.hyperneat import decode, decode_weights, expressed_weights
from neat.nn.substrate import Substrate, grid
from neat.viz.patterns import (
    coordinate_inputs,
    cppn_image,
    cppn_images,
    diverging_pixels,
    image_grid,
    save_cppn_image,
    save_substrate_weights_image,
    substrate_weights_image,
    to_pixels,
    write_png,
)


def read_png(path):
    """(H, W) or (H, W, 3) uint8 pixels of a PNG written with filter 0 (what write_png writes)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks = 8, {}
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        assert crc == zlib.crc32(kind + body) & 0xFFFFFFFF
        chunks[kind] = chunks.get(kind, b"") + body
        pos += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    assert depth == 8 and b"IEND" in chunks
    channels = {0: 1, 2: 3}[colour]
    raw = np.frombuffer(zlib.decompress(chunks[b"IDAT"]), dtype=np.uint8).reshape(height, 1 + width * channels)
    assert np.all(raw[:, 0] == 0)
    pixels = raw[:, 1:].reshape(height, width, channels)
    return pixels[:, :, 0] if channels == 1 else pixels


def hand_cppn(num_inputs, num_outputs, weights, activation="identity"):
    """A CPPN whose output k is ``activation(sum_i weights[k][i] * input_i)`` (no bias, no hidden node)."""
    config = cppn_config(num_inputs, num_outputs, activations=(activation,), output_activation=activation)
    genome = neat.new_genome(config, neat.InnovationTracker.for_config(config), neat.make_rng(0))
    data = genome.to_dict()
    nodes, conns = data["nodes"], data["connections"]
    nodes["bias"] = [0.0] * len(nodes["bias"])
    outputs = [i for i, kind in zip(nodes["id"], nodes["kind"]) if kind == "output"]
    conns["weight"] = [float(weights[outputs.index(d)][s]) for s, d in zip(conns["src"], conns["dst"])]
    return neat.Genome.from_dict(data)


# --- PNG and pixels -----------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(5, 7), (4, 3, 3), (1, 1)])
def test_write_png_writes_what_a_png_reader_reads_back(tmp_path, shape):
    pixels = np.random.default_rng(0).integers(0, 256, size=shape, dtype=np.uint8)
    path = write_png(tmp_path / "p.png", pixels)
    assert np.array_equal(read_png(path), pixels)


def test_write_png_refuses_other_suffixes_and_arrays(tmp_path):
    with pytest.raises(ConfigError, match=r"ending in \.png"):
        write_png(tmp_path / "p.jpg", np.zeros((2, 2), dtype=np.uint8))
    with pytest.raises(ConfigError, match="uint8 array of shape"):
        write_png(tmp_path / "p.png", np.zeros((2, 2)))
    with pytest.raises(ConfigError, match="uint8 array of shape"):
        write_png(tmp_path / "p.png", np.zeros((2, 2, 4), dtype=np.uint8))


def test_to_pixels_maps_the_range_onto_0_to_255():
    assert to_pixels([[-2.0, 0.0, 2.0]]).tolist() == [[0, 128, 255]]
    assert to_pixels([1.0, 1.0]).tolist() == [128, 128]  # flat: mid grey
    assert to_pixels([-3.0, 0.0, 0.5, 3.0, np.nan], (-1.0, 1.0)).tolist() == [0, 128, 191, 255, 0]
    with pytest.raises(ConfigError, match="value_range"):
        to_pixels([0.0], (1.0, 1.0))


def test_diverging_pixels_are_white_at_zero_red_above_blue_below():
    rgb = diverging_pixels([0.0, 3.0, -3.0, 1.5, 9.0], limit=3.0)
    assert rgb.tolist() == [[255, 255, 255], [255, 0, 0], [0, 0, 255], [255, 128, 128], [255, 0, 0]]
    assert diverging_pixels(np.zeros(2)).tolist() == [[255, 255, 255]] * 2


def test_image_grid_tiles_pictures_row_by_row():
    a, b = np.zeros((2, 3), dtype=np.uint8), np.full((2, 3, 3), 7, dtype=np.uint8)
    grid_ = image_grid([a, b, a], columns=2, gap=1)
    assert grid_.shape == (2 * 2 + 3, 2 * 3 + 3, 3)
    assert np.all(grid_[1:3, 1:4] == 0) and np.all(grid_[1:3, 5:8] == 7) and np.all(grid_[4:6, 1:4] == 0)
    assert np.all(grid_[4:6, 5:8] == 255) and np.all(grid_[0] == 255)  # the empty slot and the gaps are white
    with pytest.raises(ConfigError, match="one size"):
        image_grid([a, np.zeros((3, 3), dtype=np.uint8)], 2)


# --- CPPN pictures --------------------------------------------------------------------------
def test_coordinate_inputs_are_pixel_centres_row_by_row():
    X = coordinate_inputs((2, 4), "xydb")
    assert X.shape == (8, 4)
    assert np.allclose(X[:4, 0], [-0.75, -0.25, 0.25, 0.75]) and np.allclose(X[:, 1], [-0.5] * 4 + [0.5] * 4)
    assert np.allclose(X[:, 2], np.hypot(X[:, 0], X[:, 1])) and np.all(X[:, 3] == 1.0)
    with pytest.raises(ConfigError, match="letters"):
        coordinate_inputs((2, 2), "xyz")


def test_a_cppn_image_is_the_cppn_at_every_pixel():
    cppn = hand_cppn(3, 1, [[1.0, -2.0, 0.5]])  # x - 2 y + d / 2
    image = cppn_image(cppn, (6, 5))
    X = coordinate_inputs((6, 5), "xyd")
    assert image.shape == (6, 5)
    assert np.allclose(image.ravel(), X[:, 0] - 2 * X[:, 1] + 0.5 * X[:, 2])
    assert image[0, 4] > image[0, 0] and image[5, 0] < image[0, 0]  # x grows rightwards, y downwards


def test_three_outputs_make_a_colour_picture_and_channels_pick_outputs():
    cppn = hand_cppn(3, 3, [[1, 0, 0], [0, 1, 0], [0, 0, 1]])
    rgb = cppn_image(cppn, (4, 4))
    X = coordinate_inputs((4, 4), "xyd").reshape(4, 4, 3)
    assert rgb.shape == (4, 4, 3) and np.allclose(rgb, X)
    assert np.allclose(cppn_image(cppn, (4, 4), channels=(2,)), X[:, :, 2])
    with pytest.raises(ConfigError, match="one or three"):
        cppn_image(cppn, (4, 4), channels=(0, 1))
    two = hand_cppn(3, 2, [[1, 0, 0], [0, 1, 0]])
    with pytest.raises(ConfigError, match="2 outputs: pick one"):
        cppn_image(two, (4, 4))
    with pytest.raises(ConfigError, match="has 3 inputs but inputs='xy' gives 2"):
        cppn_image(cppn, (4, 4), inputs="xy")


def test_a_population_of_cppns_is_painted_at_once_as_each_alone():
    config = cppn_config(3, 3, mutation={"node_add_prob": 0.5, "conn_add_prob": 0.5})
    tracker, rng = neat.InnovationTracker.for_config(config), neat.make_rng(5)
    cppns = [neat.new_genome(config, tracker, rng) for _ in range(6)]
    cppns = [neat.mutate(neat.mutate(g, config, tracker, rng), config, tracker, rng) for g in cppns]
    batch = cppn_images(cppns, (8, 9))
    assert batch.shape == (6, 8, 9, 3)
    for genome, picture in zip(cppns, batch):
        assert np.allclose(picture, cppn_image(genome, (8, 9)), rtol=0, atol=1e-12)
        assert np.allclose(picture, cppn_image(neat.compile(genome), (8, 9)), rtol=0, atol=1e-12)


def test_save_cppn_image_writes_the_picture_as_pixels(tmp_path):
    cppn = hand_cppn(3, 1, [[1.0, 0.0, 0.0]])
    path = save_cppn_image(cppn, tmp_path / "x.png", (3, 4), value_range=(-1.0, 1.0))
    assert np.array_equal(read_png(path), to_pixels(cppn_image(cppn, (3, 4)), (-1.0, 1.0)))
    assert read_png(path)[0].tolist() == [32, 96, 159, 223]


# --- substrate slices --------------------------------------------------------------------------
def test_a_substrate_slice_is_the_expressed_weight_to_every_target_node():
    substrate = Substrate(grid(5, 5), grid(3, 4))  # outputs: 3 rows (y), 4 columns (x)
    cppn = hand_cppn(5, 1, [[0.0, 0.0, 1.0, 0.0, 0.0]])  # weight = x2
    image = substrate_weights_image(cppn, substrate, source=(0.0, 0.0))
    expected, _ = expressed_weights(np.linspace(-1, 1, 4), substrate)
    assert image.shape == (3, 4)
    assert np.allclose(image, np.tile(expected, (3, 1)))
    assert image[0, 0] == -3.0 and image[0, 3] == 3.0  # |w| = 1: max_weight


def test_a_slice_of_the_decoded_network_equals_the_slice_of_its_cppn():
    substrate = Substrate(grid(4, 4), grid(6, 5), hidden=[grid(2, 3)], weight_threshold=0.3)
    config = cppn_config(substrate.cppn_inputs, 1, mutation={"node_add_prob": 0.5, "conn_add_prob": 0.5})
    tracker, rng = neat.InnovationTracker.for_config(config), neat.make_rng(2)
    cppn = neat.new_genome(config, tracker, rng)
    for _ in range(8):
        cppn = neat.mutate(cppn, config, tracker, rng)
    network = decode(cppn, substrate)
    for source in [(-1.0, -1.0), 0, 16 + 4, (0.9, 0.1)]:  # an input, a hidden node (targets: outputs)
        from_cppn = substrate_weights_image(cppn, substrate, source)
        assert np.allclose(from_cppn, substrate_weights_image(network, substrate, source), rtol=0, atol=1e-12)
    weights = decode_weights([cppn], substrate)[0]
    # Input 0 connects to the 6 hidden nodes first (2 rows x 3 columns).
    assert np.allclose(substrate_weights_image(cppn, substrate, 0).ravel(), weights[:6])
    hidden = substrate_weights_image(cppn, substrate, 16 + 4)
    assert hidden.shape == (6, 5)


def test_slices_need_a_node_with_connections_and_a_grid_of_targets(tmp_path):
    substrate = Substrate(grid(3, 3), [(0.0, 0.0), (0.5, 0.2), (-0.3, 0.9)])
    cppn = hand_cppn(5, 1, [[0.0, 0.0, 1.0, 0.0, 0.0]])
    with pytest.raises(ConfigError, match="do not lie on a full x/y grid"):
        substrate_weights_image(cppn, substrate, 0)
    on_grid = Substrate(grid(3, 3), grid(2, 2))
    with pytest.raises(ConfigError, match="no outgoing connections"):
        substrate_weights_image(cppn, on_grid, 9)  # an output
    with pytest.raises(ConfigError, match="neither a CPPN for this substrate"):
        substrate_weights_image(neat.compile(hand_cppn(3, 1, [[1, 0, 0]])), on_grid, 0)
    path = save_substrate_weights_image(cppn, on_grid, tmp_path / "w.png", (0.0, 0.0), scale=3)
    pixels = read_png(path)
    assert pixels.shape == (6, 6, 3)
    assert pixels[0, 0].tolist() == [0, 0, 255] and pixels[0, 5].tolist() == [255, 0, 0]  # -3 blue, +3 red
