"""ProgressReporter: a tqdm bar when drawing to a terminal, nothing otherwise."""

import io
import sys

import pytest

import neat
from neat import ProgressReporter, RenderError
from neat.evaluation.tasks import BUILTIN_DATASETS, DatasetEvaluator

CONFIG = neat.Config(run={"population_size": 20})
xor_fitness = DatasetEvaluator(*BUILTIN_DATASETS["xor"])


def test_the_bar_counts_generations_and_shows_the_fitness():
    stream = io.StringIO()
    population = neat.Population(CONFIG, seed=1, reporters=[ProgressReporter(5, stream=stream, enabled=True)])
    population.run(xor_fitness, 5)
    text = stream.getvalue()
    assert "5/5" in text and "best" in text and "species" in text


def test_off_when_the_stream_is_not_a_terminal():
    stream = io.StringIO()  # isatty() is False: a log file, a pipe, CI
    reporter = ProgressReporter(3, stream=stream)
    assert not reporter.enabled
    neat.Population(CONFIG, seed=1, reporters=[reporter]).run(xor_fitness, 3)
    assert stream.getvalue() == ""


def test_missing_tqdm_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "tqdm", None)
    with pytest.raises(RenderError, match=r'pip install "neatlab\[progress\]"'):
        ProgressReporter(enabled=True)
    assert not ProgressReporter(stream=io.StringIO()).enabled  # off: tqdm is not needed
