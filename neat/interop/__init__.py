"""Other formats: genome and config JSON files, neat-python's INI configs.

- ``jsonfiles``: ``save_genome`` / ``load_genome``, ``save_config_json`` / ``load_config_json``;
- ``neat_python``: ``load_config``, ``read_neat_python``, ``convert`` (neat-python's INI to our TOML);
- ``neat_python_ini``: neat-python's sections and keys as neat-python reads them;
- ``onnx``: ``to_onnx`` / ``save_onnx`` / ``export_genome_file`` (needs the ``onnx`` extra; onnx is imported on use).

Networks are saved by ``neat.nn`` (``.npz``); runs by ``neat.evolution.checkpoint``.
"""

from .jsonfiles import load_config_json, load_genome, save_config_json, save_genome
from .neat_python import NeatPythonConfigWarning, convert, load_config, parse_neat_python, read_neat_python

__all__ = [
    "NeatPythonConfigWarning",
    "convert",
    "load_config",
    "load_config_json",
    "load_genome",
    "parse_neat_python",
    "read_neat_python",
    "save_config_json",
    "save_genome",
]
