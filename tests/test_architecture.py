"""The house rules of ``neat/`` (docs/architecture.md), checked on the source.

- no module imports a module of a higher layer, at module level or inside a
  function (lazily), ``if TYPE_CHECKING:`` imports included;
- the import graph of the package has no cycle (imports under ``if
  TYPE_CHECKING:`` never run, so they are left out of this check only);
- ``import neat`` imports NumPy and no other third-party package;
- the old flat module names still lead to their stage folders' modules.

The checker itself is tested on small made-up packages, so a cycle or an
upward import that someone adds is known to fail the suite.
"""

from __future__ import annotations

import ast
import pathlib
import subprocess
import sys
import textwrap

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]

LAYERS: list[tuple[str, ...]] = [
    ("neat.errors", "neat.rng", "neat.functions", "neat.files"),
    ("neat.config",),
    ("neat.genome",),
    ("neat.nn",),
    ("neat.evolution",),
    ("neat.evaluation", "neat.envs"),
    ("neat.interop", "neat.viz", "neat.testing"),
    ("neat.cli", "neat.__main__"),
]
"""Lowest first; a module may import its own layer and the ones before it (``neat`` itself is above all)."""


def module_name(path: pathlib.Path, root: pathlib.Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def is_package(path: pathlib.Path) -> bool:
    return path.name == "__init__.py"


class _Imports(ast.NodeVisitor):
    """Every import of a module: (target module, imported names, under ``if TYPE_CHECKING``)."""

    def __init__(self, module: str, package: bool) -> None:
        self.package = module if package else module.rpartition(".")[0]
        self.found: list[tuple[str, tuple[str, ...], bool]] = []
        self._type_checking = 0

    def visit_If(self, node: ast.If) -> None:
        test = node.test
        guarded = (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
            isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
        )
        if guarded:
            self._type_checking += 1
            for child in node.body:
                self.visit(child)
            self._type_checking -= 1
            for child in node.orelse:
                self.visit(child)
        else:
            self.generic_visit(node)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self.found.append((alias.name, (), self._type_checking > 0))

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level:
            base = self.package.split(".")
            base = base[: len(base) - (node.level - 1)]
            target = ".".join(base + ([node.module] if node.module else []))
        else:
            target = node.module or ""
        self.found.append((target, tuple(a.name for a in node.names), self._type_checking > 0))


def import_graph(root: pathlib.Path, package: str) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """``(runtime edges, all edges)`` between the modules of ``package`` (a folder under ``root``).

    An edge ``a -> b`` means running ``a`` imports ``b``: the module named,
    the submodules named in ``from b import sub``, and ``b``'s parent packages
    that ``a`` is not inside of (those are initialised before ``b``).
    """
    files = {module_name(p, root): p for p in (root / package).rglob("*.py")}
    runtime: dict[str, set[str]] = {m: set() for m in files}
    everything: dict[str, set[str]] = {m: set() for m in files}
    for module, path in files.items():
        visitor = _Imports(module, is_package(path))
        visitor.visit(ast.parse(path.read_text(encoding="utf-8"), str(path)))
        for target, names, type_only in visitor.found:
            if not (target == package or target.startswith(package + ".")):
                continue
            targets = {target} | {f"{target}.{n}" for n in names if f"{target}.{n}" in files}
            parts = target.split(".")
            for k in range(2, len(parts)):
                parent = ".".join(parts[:k])
                if not (module == parent or module.startswith(parent + ".")):
                    targets.add(parent)
            # A package the importer lies inside is already being initialised: no edge.
            targets = {t for t in targets if t in files and t != module and not module.startswith(t + ".")}
            everything[module] |= targets
            if not type_only:
                runtime[module] |= targets
    return runtime, everything


def layer_of(module: str, layers: list[tuple[str, ...]]) -> int | None:
    for rank, prefixes in enumerate(layers):
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return rank
    return None


def upward_imports(edges: dict[str, set[str]], layers: list[tuple[str, ...]]) -> list[str]:
    """Imports from a module to a module of a higher layer (modules in no layer are reported too)."""
    problems = []
    for module, targets in sorted(edges.items()):
        own = layer_of(module, layers)
        if own is None:
            if "." in module:
                problems.append(f"{module} is in no layer; add it to LAYERS and docs/architecture.md")
            continue
        for target in sorted(targets):
            other = layer_of(target, layers)
            if other is None or other > own:
                problems.append(f"{module} (layer {own}) imports {target} (layer {other})")
    return problems


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


# --- the package -----------------------------------------------------------------
def test_no_module_imports_a_higher_layer():
    _, everything = import_graph(ROOT, "neat")
    assert upward_imports(everything, LAYERS) == []


def test_the_import_graph_has_no_cycle():
    runtime, _ = import_graph(ROOT, "neat")
    assert cycles(runtime) == []


def test_every_module_is_placed_in_a_layer():
    runtime, _ = import_graph(ROOT, "neat")
    unplaced = [m for m in runtime if m != "neat" and layer_of(m, LAYERS) is None]
    assert unplaced == []


def test_import_neat_imports_numpy_alone():
    # NumPy's compiled extensions (numpy.random's) load cython_runtime, a module of NumPy's making.
    code = (
        "import sys; before = set(sys.modules); import neat\n"
        "new = {m.split('.')[0] for m in set(sys.modules) - before}\n"
        "stdlib = set(sys.stdlib_module_names)\n"
        "print(' '.join(sorted(m for m in new if m not in stdlib and not m.startswith('_') and m != 'neat')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    loaded = set(out.split())
    assert "numpy" in loaded and loaded <= {"numpy", "cython_runtime"}


def test_old_module_names_lead_to_the_stage_folders():
    code = textwrap.dedent(
        """
        import neat
        assert neat.visualize.draw_net is neat.viz.draw.draw_net
        assert neat.plot.plot_fitness is neat.viz.plot.plot_fitness
        from neat.gym import GymEvaluator
        assert GymEvaluator is neat.GymEvaluator
        import neat.mutation
        assert neat.mutation is neat.genome.mutation
        for old, new in neat.MOVED_MODULES.items():
            import importlib
            assert importlib.import_module(old) is importlib.import_module(new), old
        print("ok")
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.stdout.strip() == "ok", out.stderr


def test_import_neat_loads_no_optional_package():
    code = "import sys, neat; print(sorted(m for m in ('gymnasium', 'networkx', 'graphviz', 'matplotlib', 'tqdm', 'hypothesis') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_every_former_public_name_is_still_exported():
    import neat

    former = [
        "CheckpointError", "Checkpointer", "Config", "ConfigError", "ConnectionGenes", "EvaluationError",
        "Evaluator", "ExtinctionError", "FeedForwardNetwork", "Genome", "GymEvaluator", "GenomeConfig",
        "InnovationTracker", "InvalidGenomeError", "MutationConfig", "NeatError", "NeatPythonConfigWarning",
        "NodeGenes", "NodeKind", "Population", "PopulationNetwork", "ProgressReporter", "RecurrentNetwork",
        "RenderError", "Reporter", "ReproductionConfig", "RunConfig", "SpeciationConfig", "StagnationConfig",
        "StatisticsError", "StatisticsReporter", "StdOutReporter", "add_connection", "add_node",
        "align_by_innovation", "compile", "compile_population", "crossover", "delete_connection", "delete_node",
        "distance", "distances", "fixed_topology_ga", "genome_shape", "load_checkpoint", "load_network",
        "load_genome", "make_rng", "mutate", "mutate_functions", "mutate_node_attributes", "mutate_weights",
        "new_genome", "new_genomes", "pack_genomes", "register_activation", "read_neat_python",
        "register_aggregation", "save_checkpoint", "save_network", "save_genome", "spawn", "toggle_enabled",
    ]
    missing = [name for name in former if not hasattr(neat, name)]
    assert missing == []
    assert set(former) <= set(neat.__all__)


def test_modules_stay_short():
    long = {
        str(p.relative_to(ROOT)): n
        for p in (ROOT / "neat").rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > 520
    }
    assert long == {}


# --- the checker, on made-up packages ------------------------------------------------
def make_package(root: pathlib.Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")


TOY_LAYERS = [("toy.low",), ("toy.high",)]


def test_checker_finds_a_cycle_made_by_a_lazy_import(tmp_path):
    make_package(tmp_path, {
        "toy/__init__.py": "",
        "toy/low/__init__.py": "",
        "toy/low/a.py": "from .b import f\n",
        "toy/low/b.py": "def f():\n    from .a import g\n",
    })
    runtime, _ = import_graph(tmp_path, "toy")
    assert cycles(runtime) == [["toy.low.a", "toy.low.b"]]


def test_checker_finds_an_upward_import(tmp_path):
    make_package(tmp_path, {
        "toy/__init__.py": "",
        "toy/low/__init__.py": "",
        "toy/low/a.py": "def f():\n    from ..high.b import g\n",
        "toy/high/__init__.py": "",
        "toy/high/b.py": "from ..low.a import f\n",
    })
    _, everything = import_graph(tmp_path, "toy")
    assert upward_imports(everything, TOY_LAYERS) == [
        "toy.low.a (layer 0) imports toy.high (layer 1)",
        "toy.low.a (layer 0) imports toy.high.b (layer 1)",
    ]
    runtime, _ = import_graph(tmp_path, "toy")
    assert cycles(runtime) == [["toy.high.b", "toy.low.a"]]


def test_checker_counts_type_checking_imports_for_layers_not_cycles(tmp_path):
    make_package(tmp_path, {
        "toy/__init__.py": "",
        "toy/low/__init__.py": "",
        "toy/low/a.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ..high.b import g\n",
        "toy/high/__init__.py": "",
        "toy/high/b.py": "from ..low import a\n",
    })
    runtime, everything = import_graph(tmp_path, "toy")
    assert cycles(runtime) == []
    assert upward_imports(everything, TOY_LAYERS) == [
        "toy.low.a (layer 0) imports toy.high (layer 1)",
        "toy.low.a (layer 0) imports toy.high.b (layer 1)",
    ]


def test_checker_sees_a_cycle_through_a_package_init(tmp_path):
    make_package(tmp_path, {
        "toy/__init__.py": "",
        "toy/low/__init__.py": "from .a import f\n",
        "toy/low/a.py": "def f():\n    pass\n",
        "toy/high/__init__.py": "",
        "toy/high/b.py": "from ..low.a import f\n",
        "toy/high/c.py": "from . import b\n",
    })
    runtime, _ = import_graph(tmp_path, "toy")
    assert runtime["toy.high.b"] == {"toy.low", "toy.low.a"}
    assert cycles(runtime) == []
    (tmp_path / "toy/low/a.py").write_text("def f():\n    from ..high import c\n")
    runtime, _ = import_graph(tmp_path, "toy")
    assert cycles(runtime) == [["toy.high.b", "toy.high.c", "toy.low", "toy.low.a"]]


@pytest.mark.parametrize("layers", [LAYERS])
def test_layers_are_named_in_the_architecture_page(layers):
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    for prefixes in layers:
        for prefix in prefixes:
            assert f"`{prefix}`" in text, prefix
