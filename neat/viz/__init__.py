"""Pictures: graphviz drawings of genomes and networks, matplotlib plots of a run.

- ``draw``: ``draw_net`` (a ``graphviz.Digraph``) and ``render`` (SVG, PNG, PDF, DOT);
- ``plot``: ``plot_fitness`` and ``plot_species`` from a ``StatisticsReporter`` or its CSV (``fitness_figure``
  and ``species_figure`` return the matplotlib ``Figure`` instead of saving it).

matplotlib and pygraphviz are imported only when a picture is made; ``import
neat`` imports neither this package nor graphviz.
"""

from .draw import draw_net, render
from .plot import fitness_figure, plot_fitness, plot_species, species_figure

__all__ = ["draw_net", "fitness_figure", "plot_fitness", "plot_species", "render", "species_figure"]
