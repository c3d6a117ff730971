"""Pictures: graphviz drawings of genomes and networks, matplotlib plots of a run.

- ``draw``: ``draw_net`` (a ``graphviz.Digraph``) and ``render`` (SVG, PNG, PDF, DOT);
- ``plot``: ``plot_fitness`` and ``plot_species`` from a ``StatisticsReporter`` or its CSV.

matplotlib and pygraphviz are imported only when a picture is made; ``import
neat`` imports neither this package nor graphviz.
"""

from .draw import draw_net, render
from .plot import plot_fitness, plot_species

__all__ = ["draw_net", "plot_fitness", "plot_species", "render"]
