"""Fitness and species plots from a real run, from its CSV, and from broken input."""

import subprocess
import sys

import numpy as np
import pytest

import neat
from neat import ConfigError, RenderError, StatisticsError
from neat.evolution.reporting import GenerationStats, StatisticsReporter

pytest.importorskip("matplotlib")

from neat.viz.plot import _species_table, plot_fitness, plot_species  # noqa: E402

from ..helpers import XOR  # noqa: E402

INPUTS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
TARGETS = np.array([0.0, 1.0, 1.0, 0.0])
PNG = b"\x89PNG\r\n\x1a\n"


def xor_fitness(genomes):
    outputs = neat.compile_population(genomes).forward(INPUTS)[:, :, 0]
    return (4.0 - np.abs(outputs - TARGETS).sum(axis=1)) ** 2


@pytest.fixture(scope="module")
def stats():
    """Statistics of 5 generations of XOR, with a low threshold so species come and go."""
    config = XOR.replace(run={"population_size": 60, "seed": 3}, speciation={"compatibility_threshold": 1.0})
    reporter = StatisticsReporter()
    neat.Population(config, reporters=[reporter]).run(xor_fitness, generations=5)
    assert len(reporter.generations) == 5
    assert len({k for g in reporter.generations for k in g.species_sizes}) > 1
    return reporter


@pytest.fixture
def csv_file(stats, tmp_path):
    path = tmp_path / "stats.csv"
    stats.to_csv(path)
    return path


def assert_png(path):
    data = path.read_bytes()
    assert data.startswith(PNG) and len(data) > 1000


def assert_svg(path):
    text = path.read_text()
    assert text.startswith("<?xml") and "<svg" in text


def test_fitness_plot_from_a_run_and_from_its_csv(stats, csv_file, tmp_path):
    assert plot_fitness(stats, tmp_path / "fitness.png") == tmp_path / "fitness.png"
    assert_png(tmp_path / "fitness.png")
    assert_svg(plot_fitness(csv_file, tmp_path / "out" / "fitness.svg", title="XOR"))
    assert_svg(plot_fitness(str(csv_file), tmp_path / "fitness-log.svg", log=True))
    assert plot_fitness(stats.generations, tmp_path / "fitness.pdf").read_bytes().startswith(b"%PDF")
    assert "XOR" in (tmp_path / "out" / "fitness.svg").read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "fitness-log.svg", "fitness.pdf", "fitness.png", "out", "stats.csv"
    ]  # atomic writes leave no temporary files


def test_species_plot_from_a_run_and_from_its_csv(stats, csv_file, tmp_path):
    assert_png(plot_species(stats, tmp_path / "species.png"))
    assert_svg(plot_species(csv_file, tmp_path / "species.svg", legend=False))
    assert_svg(plot_species(stats.generations, tmp_path / "species-legend.svg", legend=True, title="XOR species"))


def test_log_scale_with_non_positive_fitness(tmp_path):
    generations = [GenerationStats(g, best=-1.0 + g, mean=-2.0 + g, stdev=0.5, evaluations=10 * g) for g in range(4)]
    assert_png(plot_fitness(generations, tmp_path / "f.png", log=True))


def test_species_table_fills_missing_species_with_zero_and_skips_unspeciated_generations():
    generations = [
        GenerationStats(0, 1.0, 1.0, 0.0, 10, {1: 10}),
        GenerationStats(1, 1.0, 1.0, 0.0, 20, {1: 6, 2: 4}),
        GenerationStats(2, 1.0, 1.0, 0.0, 30, {2: 7, 3: 3}),
        GenerationStats(3, 1.0, 1.0, 0.0, 40, {}),  # the last generation of a run is not speciated
    ]
    x, keys, sizes = _species_table(generations)
    assert x.tolist() == [0, 1, 2]
    assert keys == [1, 2, 3]
    assert sizes.tolist() == [[10, 6, 0], [0, 4, 7], [0, 0, 3]]


def test_species_table_of_the_run_sums_to_the_population(stats):
    _, _, sizes = _species_table(stats.generations)
    assert set(sizes.sum(axis=0).tolist()) == {60}


@pytest.mark.parametrize(
    "content, match",
    [
        ("not,a,statistics,file\n1,2,3,4\n", "has no column"),
        ("generation,best,mean,stdev,evaluations,num_species,species_sizes\n0,abc,1,1,1,1,1:5\n", "cannot be parsed"),
        ("generation,best,mean,stdev,evaluations,num_species,species_sizes\n0,1.0,1,1,1,1,oops\n", "cannot be parsed"),
        ("generation,best,mean,stdev,evaluations,num_species,species_sizes\n0,1.0,1\n", "cannot be parsed"),
        ("generation,best,mean,stdev,evaluations,num_species,species_sizes\n", "holds no generations"),
    ],
)
def test_a_broken_csv_is_a_statistics_error_naming_the_file(tmp_path, content, match):
    path = tmp_path / "broken.csv"
    path.write_text(content)
    for plot in (plot_fitness, plot_species):
        with pytest.raises(StatisticsError, match=match) as info:
            plot(path, tmp_path / "out.png")
        assert "broken.csv" in str(info.value)
    assert not (tmp_path / "out.png").exists()


def test_a_binary_or_missing_file_is_a_statistics_error(tmp_path):
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"\xff\xfe\x00\x81garbage")
    with pytest.raises(StatisticsError, match="binary.csv"):
        plot_fitness(binary, tmp_path / "out.png")
    with pytest.raises(StatisticsError, match="cannot read statistics file .*missing.csv"):
        plot_fitness(tmp_path / "missing.csv", tmp_path / "out.png")


def test_nothing_to_plot_and_wrong_input_are_statistics_errors(tmp_path):
    with pytest.raises(StatisticsError, match="no generations"):
        plot_fitness(StatisticsReporter(), tmp_path / "f.png")
    with pytest.raises(StatisticsError, match="no species sizes"):
        plot_species([GenerationStats(0, 1.0, 1.0, 0.0, 10)], tmp_path / "s.png")
    with pytest.raises(StatisticsError, match="expected a StatisticsReporter"):
        plot_fitness([1, 2, 3], tmp_path / "f.png")


@pytest.mark.parametrize("name", ["fitness.jpg", "fitness"])
def test_unknown_suffix_is_a_config_error(stats, tmp_path, name):
    with pytest.raises(ConfigError, match=r"\.png, \.svg or \.pdf"):
        plot_fitness(stats, tmp_path / name)


def test_missing_matplotlib_says_what_to_install(stats, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    for plot in (plot_fitness, plot_species):
        with pytest.raises(RenderError, match=r'pip install "neatlab\[plot\]"'):
            plot(stats, tmp_path / "f.png")
    assert not (tmp_path / "f.png").exists()


def test_plotting_touches_no_pyplot_state(tmp_path):
    code = (
        "import sys\n"
        "from neat.viz.plot import plot_fitness\n"
        "from neat.evolution.reporting import GenerationStats\n"
        f"plot_fitness([GenerationStats(0, 1.0, 0.5, 0.1, 10), GenerationStats(1, 2.0, 1.0, 0.2, 20)], {str(tmp_path / 'f.png')!r})\n"
        "assert 'matplotlib.pyplot' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    assert_png(tmp_path / "f.png")


def test_reading_a_broken_statistics_file_names_it(tmp_path):
    from neat import StatisticsError
    from neat.evolution.reporting import StatisticsReporter

    (tmp_path / "stats.csv").write_text("generation,best\n0,x\n")
    with pytest.raises(StatisticsError, match=r"stats\.csv' has no column"):
        StatisticsReporter.read_csv(tmp_path / "stats.csv")
    with pytest.raises(StatisticsError, match="cannot read statistics file"):
        StatisticsReporter.read_csv(tmp_path / "missing.csv")


# --- short runs: whole generations, visible marks ------------------------------------------------
def visible_xticks(ax):
    lo, hi = ax.get_xlim()
    return [t for t in ax.get_xticks() if lo <= t <= hi]


def marked_lines(ax):
    """Lines drawn with a marker on every point."""
    return [line for line in ax.get_lines() if line.get_marker() not in (None, "", " ", "None")]


@pytest.fixture(params=[1, 2], ids=["one-generation", "two-generations"])
def short_run_csv(request, tmp_path):
    """The CSV of a real XOR run of one or two generations."""
    reporter = StatisticsReporter()
    neat.Population(XOR.replace(run={"population_size": 30}), seed=1, reporters=[reporter]).run(
        xor_fitness, generations=request.param
    )
    path = tmp_path / "stats.csv"
    reporter.to_csv(path)
    return path, request.param


def test_a_short_run_has_whole_generation_ticks_and_marked_points(short_run_csv, tmp_path):
    from neat.viz.plot import fitness_figure

    path, generations = short_run_csv
    ax = fitness_figure(path).axes[0]
    ticks = visible_xticks(ax)
    assert ticks and all(float(t).is_integer() for t in ticks)
    assert set(range(generations)) <= {int(t) for t in ticks}
    lines = marked_lines(ax)
    assert len(lines) >= 2  # the best genome and the population mean, every generation a marker
    assert all(len(line.get_xdata()) == generations for line in lines)
    assert {"best genome", "population mean ± 1 stdev"} <= {t.get_text() for t in ax.get_legend().get_texts()}
    assert_png(plot_fitness(path, tmp_path / "fitness.png"))


@pytest.mark.parametrize("sizes", [[{1: 50}], [{1: 50}, {1: 30, 2: 20}]], ids=["one-generation", "two-generations"])
def test_the_species_of_a_short_run_are_stacked_bars(sizes, tmp_path):
    from neat.viz.plot import species_figure

    reporter = StatisticsReporter()
    reporter.generations = [GenerationStats(g, 1.0, 1.0, 0.0, 50 * (g + 1), s) for g, s in enumerate(sizes)]
    path = tmp_path / "stats.csv"
    reporter.to_csv(path)
    ax = species_figure(path).axes[0]
    ticks = visible_xticks(ax)
    assert [int(t) for t in ticks] == list(range(len(sizes))) and all(float(t).is_integer() for t in ticks)
    bars = [p for p in ax.patches if p.get_height() > 0]
    assert len(bars) == sum(len(s) for s in sizes)  # one bar segment per species and generation
    for g, s in enumerate(sizes):  # each generation's bar reaches the population size
        assert sum(b.get_height() for b in bars if abs(b.get_x() + b.get_width() / 2 - g) < 1e-9) == sum(s.values())
    assert_png(plot_species(path, tmp_path / "species.png"))


def test_a_long_run_is_a_stacked_area_with_whole_generation_ticks():
    from neat.viz.plot import SPECIES_BARS_UP_TO, fitness_figure, species_figure

    n = SPECIES_BARS_UP_TO + 8
    generations = [GenerationStats(g, 10.0 + g, 5.0 + g / 2, 1.0, 10 * g, {1: 10 - g % 3, 2: g % 3})
                   for g in range(n)]
    ax = species_figure(generations).axes[0]
    assert not [p for p in ax.patches if p.get_height() > 0] and len(ax.collections) == 2  # two filled areas
    assert ax.get_xlabel() == "generation"
    ended = species_figure([*generations, GenerationStats(n, 30.0, 15.0, 1.0, 10 * n)]).axes[0]
    assert f"generation {n}" in ended.get_xlabel()  # why the species plot ends a generation early
    for figure in (species_figure(generations), fitness_figure(generations)):
        ticks = visible_xticks(figure.axes[0])
        assert len(ticks) >= 2 and all(float(t).is_integer() for t in ticks)
