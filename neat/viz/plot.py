"""Plots of a run: fitness per generation and species sizes, with matplotlib.

``plot_fitness(stats, "fitness.png")`` and ``plot_species(stats, "species.svg")``
take a ``StatisticsReporter``, its list of ``GenerationStats``, or the path of
the CSV it wrote (``StatisticsReporter.to_csv``).  Figures are built on
``matplotlib.figure.Figure`` with the Agg canvas, so no pyplot state or GUI
backend is touched, and written atomically as PNG, SVG or PDF (by suffix).

Needs matplotlib (``pip install "neatlab[plot]"``); imported lazily, like
matplotlib itself: ``import neat`` loads neither.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ConfigError, RenderError, StatisticsError
from ..evolution.reporting import GenerationStats, StatisticsReporter
from ..files import atomic_write_bytes

__all__ = ["plot_fitness", "plot_species", "PLOT_FORMATS"]

PLOT_FORMATS = ("png", "svg", "pdf")
"""File formats the plots are written in, chosen by the path's suffix."""

Stats = StatisticsReporter | Sequence[GenerationStats] | str | PathLike[str]


def _generations(stats: Any) -> list[GenerationStats]:
    """``stats`` as a non-empty list of ``GenerationStats``; ``StatisticsError`` otherwise."""
    if isinstance(stats, StatisticsReporter):
        generations = list(stats.generations)
        source = "the StatisticsReporter"
    elif isinstance(stats, (str, PathLike)):
        generations = StatisticsReporter.read_csv(stats)
        source = f"statistics file {str(stats)!r}"
    elif isinstance(stats, Sequence) and all(isinstance(g, GenerationStats) for g in stats):
        generations = list(stats)
        source = "the list of GenerationStats"
    else:
        raise StatisticsError(
            "expected a StatisticsReporter, a list of GenerationStats or the path of a statistics CSV file, "
            f"got {type(stats).__name__}"
        )
    if not generations:
        raise StatisticsError(f"{source} holds no generations to plot")
    return generations


def _plot_format(path: Path) -> str:
    fmt = path.suffix.lstrip(".").lower()
    if fmt not in PLOT_FORMATS:
        raise ConfigError(f"cannot write a plot to {str(path)!r}: give a path ending in .png, .svg or .pdf")
    return fmt


def _new_figure(figsize: tuple[float, float]) -> Any:
    """A ``Figure`` on its own Agg canvas (no pyplot, no global backend)."""
    try:
        import matplotlib  # noqa: F401  (a clear error when matplotlib itself is missing)
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise RenderError('plotting needs matplotlib: pip install "neatlab[plot]" (or pip install matplotlib)') from None
    figure = Figure(figsize=figsize, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _save(figure: Any, path: Path, fmt: str, dpi: int) -> Path:
    buffer = io.BytesIO()
    figure.savefig(buffer, format=fmt, dpi=dpi)
    atomic_write_bytes(path, buffer.getvalue())
    return path


def _species_table(generations: Sequence[GenerationStats]) -> tuple[np.ndarray, list[int], np.ndarray]:
    """Species sizes as a table, over the generations that were speciated.

    Returns
    -------
    x : (G,) int64
        The generations with species recorded.
    keys : list of int
        Species keys, in order of first appearance.
    sizes : (len(keys), G) int64
        Size of each species in each generation, 0 where it does not exist.
    """
    speciated = [g for g in generations if g.species_sizes]
    if not speciated:
        raise StatisticsError("the statistics hold no species sizes to plot (no generation was speciated)")
    keys: dict[int, None] = {}
    for g in speciated:
        keys.update(dict.fromkeys(g.species_sizes))
    x = np.array([g.generation for g in speciated], dtype=np.int64)
    sizes = np.array([[g.species_sizes.get(k, 0) for g in speciated] for k in keys], dtype=np.int64)
    return x, list(keys), sizes


def plot_fitness(
    stats: Stats,
    path: str | PathLike[str],
    *,
    title: str | None = None,
    log: bool = False,
    figsize: tuple[float, float] = (7.0, 4.5),
    dpi: int = 120,
) -> Path:
    """Plot the best and mean fitness per generation, with a mean ± stdev band.

    Parameters
    ----------
    stats
        A ``StatisticsReporter``, a sequence of ``GenerationStats``, or the path of
        a CSV file written by ``StatisticsReporter.to_csv``.
    path
        Where to write; the suffix (``.png``, ``.svg`` or ``.pdf``) picks the format.
    title
        The figure's title (default ``"Fitness"``).
    log
        A logarithmic fitness axis (symmetric-log when some value is not positive).
    figsize, dpi
        Size in inches, and resolution of a PNG.

    Returns
    -------
    pathlib.Path
        ``path``, written atomically.

    Raises
    ------
    StatisticsError
        ``stats`` is of another type, holds no generations, or its file cannot be read or parsed.
    ConfigError
        ``path`` has another suffix.
    RenderError
        matplotlib is not installed.
    """
    path = Path(path)
    fmt = _plot_format(path)
    generations = _generations(stats)
    x = np.array([g.generation for g in generations])
    best = np.array([g.best for g in generations])
    mean = np.array([g.mean for g in generations])
    stdev = np.array([g.stdev for g in generations])

    figure = _new_figure(figsize)
    ax = figure.add_subplot()
    ax.fill_between(x, mean - stdev, mean + stdev, color="tab:blue", alpha=0.2, linewidth=0, label="mean ± stdev")
    ax.plot(x, mean, color="tab:blue", label="mean")
    ax.plot(x, best, color="tab:red", label="best")
    if log:
        positive = bool(np.all(best > 0) and np.all(mean - stdev > 0))
        ax.set_yscale("log" if positive else "symlog")
    ax.set_xlabel("generation")
    ax.set_ylabel("fitness")
    ax.set_title("Fitness" if title is None else title)
    ax.grid(True, alpha=0.3)
    ax.legend(loc="best")
    return _save(figure, path, fmt, dpi)


def plot_species(
    stats: Stats,
    path: str | PathLike[str],
    *,
    title: str | None = None,
    legend: bool | None = None,
    figsize: tuple[float, float] = (7.0, 4.5),
    dpi: int = 120,
) -> Path:
    """Plot the size of every species per generation as a stacked area.

    Species are stacked in the order they first appear; a species absent from
    a generation (not yet born, or extinct) has size 0 there.  Generations
    with no species recorded (the last generation of a run is evaluated but
    not speciated) are left out.

    Parameters
    ----------
    stats
        A ``StatisticsReporter``, a sequence of ``GenerationStats``, or the path of
        a CSV file written by ``StatisticsReporter.to_csv``.
    path
        Where to write; the suffix (``.png``, ``.svg`` or ``.pdf``) picks the format.
    title
        The figure's title (default ``"Species"``).
    legend
        Name each species in a legend; by default only when there are at most 12.
    figsize, dpi
        Size in inches, and resolution of a PNG.

    Returns
    -------
    pathlib.Path
        ``path``, written atomically.

    Raises
    ------
    StatisticsError
        ``stats`` is of another type, holds no generation with species, or its
        file cannot be read or parsed.
    ConfigError
        ``path`` has another suffix.
    RenderError
        matplotlib is not installed.
    """
    path = Path(path)
    fmt = _plot_format(path)
    x, keys, sizes = _species_table(_generations(stats))

    figure = _new_figure(figsize)
    ax = figure.add_subplot()
    ax.stackplot(x, sizes, labels=[f"species {k}" for k in keys], linewidth=0.3, edgecolor="white")
    ax.set_xlabel("generation")
    ax.set_ylabel("genomes per species")
    ax.set_title("Species" if title is None else title)
    ax.margins(x=0)
    if legend if legend is not None else len(keys) <= 12:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small", frameon=False)
    return _save(figure, path, fmt, dpi)
