"""Plots of a run: fitness per generation and species sizes, with matplotlib.

``plot_fitness(stats, "fitness.png")`` and ``plot_species(stats, "species.svg")``
take a ``StatisticsReporter``, its list of ``GenerationStats``, or the path of
the CSV it wrote (``StatisticsReporter.to_csv``).  Figures are built on
``matplotlib.figure.Figure`` with the Agg canvas, so no pyplot state or GUI
backend is touched, and written atomically as PNG, SVG or PDF (by suffix).
``fitness_figure`` and ``species_figure`` return the ``Figure`` itself, to
change or embed before saving.

Generations are whole numbers on the x axis.  A short run stays readable:
every generation is marked when there are few, a single generation is a point
with an error bar, and the species of a run of up to
``SPECIES_BARS_UP_TO`` speciated generations are stacked bars, one per
generation, instead of a stacked area.

Needs matplotlib (``pip install "neatlab[plot]"``); imported lazily, like
matplotlib itself: ``import neat`` loads neither.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import ConfigError, RenderError, StatisticsError
from ..evolution.reporting import GenerationStats, StatisticsReporter
from ..files import atomic_write_bytes

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["plot_fitness", "plot_species", "fitness_figure", "species_figure", "PLOT_FORMATS", "SPECIES_BARS_UP_TO"]

PLOT_FORMATS = ("png", "svg", "pdf")
"""File formats the plots are written in, chosen by the path's suffix."""

MARKERS_UP_TO = 40
"""Runs of at most this many generations get a marker on every generation."""

SPECIES_BARS_UP_TO = 12
"""The species plot draws stacked bars for runs of at most this many speciated generations, an area beyond."""

TICK_EVERY_GENERATION_UP_TO = 12
"""Runs of at most this many generations get a tick on every generation; longer runs whole numbers only."""

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


def _generation_axis(ax: Any, x: np.ndarray, pad: float) -> None:
    """Whole-number generation ticks (every one for a short run), ``pad`` of room either side."""
    from matplotlib.ticker import MaxNLocator

    if len(x) <= TICK_EVERY_GENERATION_UP_TO:
        ax.set_xticks(x.tolist())
    else:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True, min_n_ticks=1))
    ax.set_xlabel("generation")
    ax.set_xlim(float(x.min()) - pad, float(x.max()) + pad)


def fitness_figure(
    stats: Stats,
    *,
    title: str | None = None,
    log: bool = False,
    figsize: tuple[float, float] = (7.0, 4.5),
) -> Figure:
    """The fitness plot as a ``matplotlib.figure.Figure`` (``plot_fitness`` writes it).

    The best genome's fitness and the population's mean per generation, with a
    mean ± one standard deviation band; every generation marked when there are
    at most ``MARKERS_UP_TO``, and a single generation drawn as points with an
    error bar.  Parameters and errors as ``plot_fitness``.

    Returns
    -------
    matplotlib.figure.Figure
        On its own Agg canvas; ``figure.axes[0]`` is the plot.  ``figure.savefig(...)``
        writes it (not atomically; ``plot_fitness`` does).
    """
    generations = _generations(stats)
    x = np.array([g.generation for g in generations], dtype=np.int64)
    best = np.array([g.best for g in generations])
    mean = np.array([g.mean for g in generations])
    stdev = np.array([g.stdev for g in generations])
    marker = "o" if len(x) <= MARKERS_UP_TO else None

    figure = _new_figure(figsize)
    ax = figure.add_subplot()
    if len(x) > 1:
        ax.fill_between(x, mean - stdev, mean + stdev, color="tab:blue", alpha=0.2, linewidth=0,
                        label="population mean ± 1 stdev")
        ax.plot(x, mean, color="tab:blue", marker=marker, markersize=4, label="population mean")
    else:
        ax.errorbar(x, mean, yerr=stdev, color="tab:blue", marker="o", capsize=6,
                    label="population mean ± 1 stdev")
    ax.plot(x, best, color="tab:red", marker=marker, markersize=4, label="best genome")
    if log:
        positive = bool(np.all(best > 0) and np.all(mean - stdev > 0))
        ax.set_yscale("log" if positive else "symlog")
    _generation_axis(ax, x, 0.5 if marker else 0.0)
    ax.set_ylabel("fitness")
    ax.set_title("Fitness per generation" if title is None else title)
    ax.grid(True, alpha=0.3)
    ax.legend(loc="best")
    return figure


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
        The figure's title (default ``"Fitness per generation"``).
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
    return _save(fitness_figure(stats, title=title, log=log, figsize=figsize), path, fmt, dpi)


def species_figure(
    stats: Stats,
    *,
    title: str | None = None,
    legend: bool | None = None,
    figsize: tuple[float, float] = (7.0, 4.5),
) -> Figure:
    """The species plot as a ``matplotlib.figure.Figure`` (``plot_species`` writes it).

    Stacked bars, one per generation, for up to ``SPECIES_BARS_UP_TO``
    speciated generations; a stacked area for longer runs.  Parameters and
    errors as ``plot_species``.

    Returns
    -------
    matplotlib.figure.Figure
        On its own Agg canvas; ``figure.axes[0]`` is the plot.
    """
    generations = _generations(stats)
    x, keys, sizes = _species_table(generations)
    unspeciated = [g.generation for g in generations if not g.species_sizes and g.generation > x.max()]
    labels = [f"species {k}" for k in keys]
    colors = [_SPECIES_COLORS[i % len(_SPECIES_COLORS)] for i in range(len(keys))]

    figure = _new_figure(figsize)
    ax = figure.add_subplot()
    bars = len(x) <= SPECIES_BARS_UP_TO
    if bars:
        bottom = np.zeros(len(x), dtype=np.int64)
        for row, label, color in zip(sizes, labels, colors):
            ax.bar(x, row, bottom=bottom, width=0.8, label=label, color=color, edgecolor="white", linewidth=0.5)
            bottom = bottom + row
    else:
        ax.stackplot(x, sizes, labels=labels, colors=colors, linewidth=0.3, edgecolor="white")
    _generation_axis(ax, x, 0.5 if bars else 0.0)
    if unspeciated:  # say why the plot ends before the fitness plot does
        last = unspeciated[-1]
        ax.set_xlabel(f"generation (the run stopped after evaluating generation {last}, before speciating it)")
    ax.set_ylabel("genomes in each species")
    if title is None:
        title = f"Species per generation ({len(keys)} species in all)" if len(keys) > 1 else "Species per generation"
    ax.set_title(title)
    if legend if legend is not None else len(keys) <= 12:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small", frameon=False)
    return figure


# matplotlib's tab20, the ten strong colours (tab10) first and then their light
# shades: 20 colours before one repeats, neighbours in the stack rarely alike.
_SPECIES_COLORS = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
    "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5", "#c49c94", "#f7b6d2", "#c7c7c7", "#dbdb8d", "#9edae5",
)


def plot_species(
    stats: Stats,
    path: str | PathLike[str],
    *,
    title: str | None = None,
    legend: bool | None = None,
    figsize: tuple[float, float] = (7.0, 4.5),
    dpi: int = 120,
) -> Path:
    """Plot the size of every species per generation, stacked.

    Species are stacked in the order they first appear; a species absent from
    a generation (not yet born, or extinct) has size 0 there.  Generations
    with no species recorded (the last generation of a run is evaluated but
    not speciated) are left out.  Up to ``SPECIES_BARS_UP_TO`` generations are
    stacked bars, one per generation; longer runs a stacked area.

    Parameters
    ----------
    stats
        A ``StatisticsReporter``, a sequence of ``GenerationStats``, or the path of
        a CSV file written by ``StatisticsReporter.to_csv``.
    path
        Where to write; the suffix (``.png``, ``.svg`` or ``.pdf``) picks the format.
    title
        The figure's title (default ``"Species per generation"``, with the number
        of species when there are several).
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
    return _save(species_figure(stats, title=title, legend=legend, figsize=figsize), path, fmt, dpi)
