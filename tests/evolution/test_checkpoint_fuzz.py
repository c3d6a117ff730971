"""Fuzzing ``load_checkpoint``: any file but an intact checkpoint is a ``CheckpointError`` saying what is wrong.

Seeded corpora of mutated checkpoints (bytes, zip structure, members, array
values, metadata values), most with a digest recomputed the way
``save_checkpoint`` computes it, so the loader's own checks (not the
checksum) have to find what is wrong.  Every file either raises
``CheckpointError`` from an explicit check (never the loader's last-resort
wrapper, never another exception) or loads into a population that runs
two more generations (reproduction included) without error.
"""

import io
import json
import pickle
import struct
import warnings
import zipfile

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from neat import CheckpointError, Config
from neat.evolution import checkpoint
from neat.evolution.checkpoint import Checkpointer, load_checkpoint, save_checkpoint
from neat.evolution.population import Population
from neat.evolution.presets import fixed_topology_ga

LAST_RESORT = "checkpoint content is malformed ("


def weight_sum(genomes):
    return [float(g.conns.weight[g.conns.enabled].sum()) for g in genomes]


NEAT = Config(
    genome={"num_inputs": 2, "num_outputs": 1},
    mutation={"node_add_prob": 0.4, "conn_add_prob": 0.5},
    speciation={"compatibility_threshold": 1.0},
    reproduction={"elitism": 1, "min_species_size": 1},
    run={"population_size": 12, "seed": 3},
)
RECURRENT = NEAT.replace(
    genome={"feed_forward": False}, speciation={"target_species": 3}, run={"objective": "min", "seed": 5}
)
COMPACT = fixed_topology_ga(2, 1, (3,), population_size=8, truncation_size=3, compact=True, seed=2)
NOISE = fixed_topology_ga(2, 1, (3,), population_size=8, truncation_size=3, noise_table_size=200, seed=6)


def _make_bases(folder):
    """Checkpoints of a few kinds of runs: written by a Checkpointer, and after run() returned (fitness pending)."""
    bases = {}
    for name, config in (("neat", NEAT), ("recurrent", RECURRENT), ("compact", COMPACT), ("noise", NOISE)):
        saver = Checkpointer(folder, prefix=f"{name}-", every=4)
        pop = Population(config, reporters=[saver])
        pop.run(weight_sum, generations=5)
        bases[name] = saver.last_path.read_bytes()
        save_checkpoint(pop, folder / f"{name}-pending.npz")
        bases[f"{name}-pending"] = (folder / f"{name}-pending.npz").read_bytes()
    return bases


@pytest.fixture(scope="module")
def bases(tmp_path_factory):
    return _make_bases(tmp_path_factory.mktemp("bases"))


def outcome(data, folder, what="", name="mutant.npz"):
    """``"refused"`` (a specific ``CheckpointError``) or ``"loaded"`` (and ran two more generations).

    Anything else (another exception from the loader, the loader's last-resort wrapper, a loaded
    population that fails to run) fails the test, naming ``what`` was changed.
    """
    path = folder / name
    path.write_bytes(data)
    try:
        population = load_checkpoint(path)
    except CheckpointError as exc:
        assert LAST_RESORT not in str(exc), f"{what}: only the last-resort wrapper caught it: {exc}"
        assert str(path) in str(exc), f"{what}: the message does not name the file: {exc}"
        return "refused"
    except Exception as exc:
        raise AssertionError(f"{what}: load_checkpoint raised {type(exc).__name__}: {exc}") from exc
    try:
        population.run(weight_sum, generations=2)
        for genome in population.genomes:
            genome.validate()
    except Exception as exc:
        raise AssertionError(f"{what}: the loaded checkpoint cannot run: {type(exc).__name__}: {exc}") from exc
    return "loaded"


# --- building files --------------------------------------------------------------------------------------
def split(data):
    """The members of a checkpoint: metadata (parsed) and the other arrays."""
    with np.load(io.BytesIO(data), allow_pickle=False) as archive:
        arrays = {name: archive[name] for name in archive.files}
    meta = json.loads(arrays.pop("meta").tobytes())
    arrays.pop("digest")
    return meta, arrays


def build(meta, arrays, *, meta_bytes=None):
    """A checkpoint of ``meta`` and ``arrays`` whose digest matches (computed as ``save_checkpoint`` does)."""
    meta_bytes = json.dumps(meta).encode("utf-8") if meta_bytes is None else meta_bytes
    arrays = dict(arrays, meta=np.frombuffer(meta_bytes, dtype=np.uint8))
    arrays["digest"] = np.frombuffer(checkpoint._digest(meta_bytes, arrays).encode("ascii"), dtype=np.uint8)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def zip_of(members):
    """A zip archive of ``(name, bytes)`` members, written by zipfile (stored)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (a duplicate name, on purpose)
        for name, content in members:
            archive.writestr(name, content)
    return buffer.getvalue()


def npy(array, **kwargs):
    buffer = io.BytesIO()
    np.save(buffer, array, **kwargs)
    return buffer.getvalue()


def patch_headers(data, index, *, flags=None, method=None):
    """``data`` with member ``index``'s general-purpose flags and/or compression method set in both of its zip headers."""
    data = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        infos, central = archive.infolist(), archive.start_dir
    local = infos[index].header_offset
    for offset in range(len(infos)):  # walk the central directory to entry ``index``
        assert data[central : central + 4] == b"PK\x01\x02"
        if offset == index:
            break
        n, m, k = struct.unpack("<HHH", data[central + 28 : central + 34])
        central += 46 + n + m + k
    for flag_at, method_at in ((local + 6, local + 8), (central + 8, central + 10)):
        if flags is not None:
            data[flag_at : flag_at + 2] = struct.pack("<H", flags)
        if method is not None:
            data[method_at : method_at + 2] = struct.pack("<H", method)
    return bytes(data)


class Payload:
    """A pickle that would create a marker file if anything ever unpickled it."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


# --- the corpora -------------------------------------------------------------------------------------------
def test_zip_structure_corpus(bases, tmp_path):
    data = bases["neat"]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = [(info.filename, archive.read(info)) for info in archive.infolist()]
    cases = {
        "empty file": (b"", "not a readable checkpoint"),
        "not a zip": (b"neat checkpoint? no" * 20, "not a readable checkpoint"),
        "json text": (json.dumps({"format": "neat-checkpoint"}).encode(), "not a readable checkpoint"),
        "a bare .npy": (npy(np.arange(5)), "not a readable checkpoint"),
        "truncated at the end": (data[:-30], "not a readable checkpoint"),
        "truncated in the middle": (data[: len(data) // 3], "not a readable checkpoint"),
        "encrypted member": (patch_headers(data, 3, flags=0x1), "is encrypted"),
        "bzip2 member": (patch_headers(data, 2, method=zipfile.ZIP_BZIP2), "compression method 12"),
        "unknown compression": (patch_headers(data, 0, method=99), "compression method 99"),
        "duplicate member": (zip_of([*members, members[4]]), "appears twice"),
        "a directory": (zip_of([*members, ("sub/", b"")]), "is not an array"),
        "not an .npy name": (zip_of([*members, ("readme.txt", b"hello")]), "is not an array"),
        "bad npy magic": (zip_of([(n, b"NOTNUMPY" + c[8:]) if n == "meta.npy" else (n, c) for n, c in members]),
                          "not a .npy array"),
        "npy header lies about the size": (
            zip_of([(n, c[:-8]) if n == "population.node.bias.npy" else (n, c) for n, c in members]),
            "bytes of data but its header announces"),
        "npy header garbage": (
            zip_of([(n, c[:10] + b"{'descr': <f8, 'shape': (3,)}".ljust(len(c) - 10))
                    if n == "population.conn.weight.npy" else (n, c) for n, c in members]),
            "malformed .npy header"),
        "npy version 3": (zip_of([(n, c[:6] + b"\x03\x00" + c[8:]) if n == "digest.npy" else (n, c)
                                  for n, c in members]), "format version 3.0"),
        "structured dtype": (zip_of([*members, ("x.npy", npy(np.zeros(2, dtype=[("a", "i4")])))]), "dtype"),
        "changed stored bytes": (zip_of(members).replace(b"neat-checkpoint", b"neat-checkpoinX"), "damaged archive"),
    }
    # a member compressed with deflate whose compressed bytes are damaged (the CRC or inflate catches it)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in members:
            archive.writestr(name, content)
    deflated = bytearray(buffer.getvalue())
    with zipfile.ZipFile(io.BytesIO(bytes(deflated))) as archive:
        info = archive.getinfo("population.conn.weight.npy")
    start = info.header_offset + 30 + len(info.filename) + 20
    deflated[start : start + 8] = b"\xff" * 8
    cases["damaged deflate data"] = (bytes(deflated), r"cannot be read \(damaged archive\)")
    for what, (content, message) in cases.items():
        with pytest.raises(CheckpointError, match=message):
            load_checkpoint(_write(tmp_path, content))
        assert outcome(content, tmp_path, what) == "refused", what


def _write(folder, content, name="case.npz"):
    path = folder / name
    path.write_bytes(content)
    return path


def test_pickled_members_are_never_unpickled(bases, tmp_path):
    marker = tmp_path / "pwned"
    payload = np.array([Payload(marker)], dtype=object)
    with zipfile.ZipFile(io.BytesIO(bases["neat"])) as archive:
        members = [(info.filename, archive.read(info)) for info in archive.infolist()]
    pickled = npy(payload, allow_pickle=True)
    files = {
        "extra member": zip_of([*members, ("evil.npy", pickled)]),
        "meta replaced": zip_of([(n, pickled if n == "meta.npy" else c) for n, c in members]),
        "genes replaced": zip_of([(n, pickled if n == "population.node.bias.npy" else c) for n, c in members]),
        "raw pickle as a member": zip_of([*members, ("raw.npy", pickle.dumps(Payload(marker)))]),
        "pickle instead of a zip": pickle.dumps({"meta": Payload(marker)}),
    }
    for what, content in files.items():
        with pytest.raises(CheckpointError) as info:
            load_checkpoint(_write(tmp_path, content))
        if "replaced" in what or "extra" in what:
            assert "holds Python objects (a pickle), which are never loaded" in str(info.value), what
        assert not marker.exists(), what
    pickle.loads(pickle.dumps(Payload(marker))).close()  # (the payload does work when unpickled)
    assert marker.exists()


def _array_mutations(arrays, rng, count):
    """``count`` seeded single-member changes (values, dtypes, shapes, members dropped, added or swapped)."""
    names = sorted(arrays)
    for _ in range(count):
        out = dict(arrays)
        name = names[int(rng.integers(len(names)))]
        a = out[name]
        op = int(rng.integers(12))
        if op == 0:
            del out[name]
        elif op == 1:
            out[f"extra{int(rng.integers(100))}"] = np.zeros(3)
        elif op == 2:
            out[name] = a.reshape(-1, 1) if a.ndim == 1 else a.reshape(-1)
        elif op == 3:
            out[name] = a.astype(str)
        elif op == 4:
            out[name] = a.astype([np.float64, np.int64, np.float32, np.complex128, np.bool_, np.uint64][int(rng.integers(6))])
        elif op == 5:
            out[name] = a[:-1]
        elif op == 6:
            out[name] = np.concatenate([a, a[:1]])
        elif op == 7:
            out[name] = a[::-1].copy()
        elif op == 8:
            out[name] = a.reshape(-1)[0] if a.size else np.float64(1.0)
        elif op == 9:
            other = names[int(rng.integers(len(names)))]
            out[name], out[other] = arrays[other], a
        elif a.size:  # 10, 11: one value changed
            a = a.copy()
            flat = a.reshape(-1)
            i = int(rng.integers(flat.size))
            if a.dtype.kind == "b":
                flat[i] = not flat[i]
            elif a.dtype.kind == "f":
                flat[i] = [np.nan, np.inf, -np.inf, 1e308, 0.0, flat[i] * 0.5, -flat[i]][int(rng.integers(7))]
            else:
                choices = [-1, 0, 1, int(flat[i]) + 1, int(flat[i]) - 1, 2**31, 2**40, np.iinfo(a.dtype).max]
                flat[i] = max(min(choices[int(rng.integers(len(choices)))], np.iinfo(a.dtype).max), np.iinfo(a.dtype).min)
            out[name] = a
        yield f"{name}: op {op}", out


@pytest.mark.parametrize("base", ["neat", "recurrent-pending", "compact", "noise-pending"])
def test_member_corpus_with_matching_digests(bases, tmp_path, base):
    assert outcome(bases[base], tmp_path) == "loaded"  # the intact checkpoint of this kind of run
    meta, arrays = split(bases[base])
    rng = np.random.default_rng(sorted(bases).index(base))
    seen = {"refused": 0, "loaded": 0}
    for what, mutated in _array_mutations(arrays, rng, 60):
        try:
            content = build(meta, mutated)
        except (TypeError, ValueError):
            continue  # (np.savez cannot write it)
        seen[outcome(content, tmp_path, what)] += 1
    assert seen["refused"] > 25, seen  # most such changes are caught, a few are still a consistent checkpoint


def _paths(value, path=()):
    """Every path into a JSON value (the value's own path last)."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value[:4]):
            yield from _paths(item, (*path, i))
    yield path


def _replaced(meta, path, new):
    meta = json.loads(json.dumps(meta))
    if not path:
        return new
    *parents, last = path
    target = meta
    for key in parents:
        target = target[key]
    if new is _DELETE:
        del target[last]
    elif new is _ADD:
        if isinstance(target[last], dict):
            target[last]["unexpected"] = 1
        elif isinstance(target[last], list):
            target[last].append(target[last][-1] if target[last] else 0)
        else:
            target[last] = [target[last]]
    elif new is _NUDGE:
        old = target[last]
        target[last] = old + 1 if isinstance(old, (int, float)) and not isinstance(old, bool) else None
    else:
        target[last] = new
    return meta


_DELETE, _ADD, _NUDGE = object(), object(), object()
REPLACEMENTS = [None, True, -1, 0, 1, 2**40, 2**70, 0.5, float("nan"), float("inf"), float("-inf"), "x", [], {},
                [1, 2, 3], _DELETE, _ADD, _NUDGE, _NUDGE]


@pytest.mark.parametrize("base", ["neat-pending", "recurrent", "compact-pending", "noise"])
def test_metadata_corpus_with_matching_digests(bases, tmp_path, base):
    assert outcome(bases[base], tmp_path) == "loaded"  # the intact checkpoint of this kind of run
    meta, arrays = split(bases[base])
    paths = [p for p in _paths({k: v for k, v in meta.items() if k != "config"}) if p]
    rng = np.random.default_rng(100 + sorted(bases).index(base))
    seen = {"refused": 0, "loaded": 0}
    for _ in range(60):
        path = paths[int(rng.integers(len(paths)))]
        new = REPLACEMENTS[int(rng.integers(len(REPLACEMENTS)))]
        if new is _DELETE and not path:
            continue
        seen[outcome(build(_replaced(meta, path, new), arrays), tmp_path, f"{path} -> {new!r}")] += 1
    assert seen["refused"] > 30 and seen["loaded"] > 0, seen


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda m, a: m.update(generation=-1), "generation is -1"),
        (lambda m, a: m.update(evaluations=-12), "evaluations is -12"),
        (lambda m, a: m.update(pending_fitness=[1.0, 2.0]), "pending_fitness must be a list of 12"),
        (lambda m, a: m.update(pending_fitness=[1.0] * 11 + ["x"]), "pending fitness value is 'x'"),
        (lambda m, a: m.update(pending_fitness=[1.0] * 11 + [float("nan")]), "pending fitness value is nan"),
        (lambda m, a: m.update(best_fitness=None), "best_fitness None"),
        (lambda m, a: m["species"][0].update(created=10**6), r"species 0 created is 1000000"),
        (lambda m, a: m["species"][0].update(last_improved=-1), r"species 0 last_improved is -1"),
        (lambda m, a: m["species"][0].update(best_score=float("nan")), "species 0 best_score is nan"),
        (lambda m, a: m["species"].append(dict(m["species"][0])), "one per representative"),
        (lambda m, a: m["species"][-1].update(key=m["species"][0]["key"]) if len(m["species"]) > 1
         else m["species"].append(m["species"][0]), "repeat a key|one per representative"),
        (lambda m, a: m["species"][0].pop("key"), "species 0 lacks 'key'"),
        (lambda m, a: m["species_set"].update(next_key=0), "species_set next_key is 0"),
        (lambda m, a: m["species_set"].update(threshold=0.0), "threshold .* must be > 0"),
        (lambda m, a: m["species_set"].update(threshold_side=2), "threshold_side is 2"),
        (lambda m, a: m.update(next_key=3), "next_key is 3"),
        (lambda m, a: m.update(config=[1, 2]), "stored config is of type list"),
        (lambda m, a: m.update(config=7), "stored config is of type int"),
        (lambda m, a: m["rng_state"]["state"].update(state=-1), "random generator state is invalid"),
        (lambda m, a: m["tracker"].update(next_node_id=1), "next_node_id"),
        (lambda m, a: m["tracker"].update(next_innovation=0), "next_innovation|innovation"),
        (lambda m, a: m["tracker"].update(splits=[[0, 0, 10**6]]), r"split \[0, 0, 1000000\] is not below"),
        (lambda m, a: m["tracker"].update(splits="none"), "tracker splits must be a list"),
        (lambda m, a: m["tracker"].pop("generation"), "tracker lacks 'generation'"),
        (lambda m, a: m.update(lineages=[[1]] * 12), "lineages are given"),
        (lambda m, a: m.update(unexpected=1), "metadata has unknown keys 'unexpected'"),
        (lambda m, a: m.pop("species"), "metadata lacks 'species'"),
        (lambda m, a: a.update({"population.keys": np.zeros_like(a["population.keys"])}), "keys repeat"),
        (lambda m, a: a.update({"population.keys": a["population.keys"] - 100}), "one key >= 0 per genome"),
        (lambda m, a: a.update({"population.node.bias": a["population.node.bias"].reshape(-1, 1)}),
         r"'population.node.bias' has shape \(\d+, 1\); expected a 1-d array"),
        (lambda m, a: a.update({"population.node.bias": a["population.node.bias"].astype(str)}),
         "'population.node.bias' has dtype <U32; expected floating-point numbers"),
        (lambda m, a: a.update({"population.node.kind": a["population.node.kind"].astype(np.int64) + 256}),
         "'population.node.kind' holds 25[6-8], outside int8"),
        (lambda m, a: a.update({"population.conn.enabled": a["population.conn.enabled"].astype(np.int8)}),
         "'population.conn.enabled' has dtype int8; expected booleans"),
        (lambda m, a: a.update({"tracker.connections": a["tracker.connections"][:, :2]}),
         r"'tracker.connections' has shape \(\d+, 2\); expected an array of shape \(n, 3\)"),
        (lambda m, a: a.update({"tracker.connections": a["tracker.connections"][1:]}), "which the tracker does not record"),
        (lambda m, a: a.update({"best.node_counts": np.array([], np.int64), "best.conn_counts": np.array([], np.int64),
                                "best.node.id": a["best.node.id"][:0]}), "has .* entries but the node counts"),
        (lambda m, a: a.pop("representatives.keys"), "keys for some genome groups but not all"),
        (lambda m, a: a.pop("representatives.node.id"), "'representatives.node.id' is missing"),
        (lambda m, a: a.update(extra=np.zeros(2)), "member 'extra' is not part of a checkpoint"),
    ],
)
def test_inconsistent_values_are_named(bases, tmp_path, change, message):
    meta, arrays = split(bases["neat-pending"])
    change(meta, arrays)
    path = _write(tmp_path, build(meta, arrays))
    with pytest.raises(CheckpointError, match=message) as info:
        load_checkpoint(path)
    assert LAST_RESORT not in str(info.value)


def test_checkpoints_without_keys_from_the_first_format_still_load(bases, tmp_path):
    meta, arrays = split(bases["neat"])
    for group in ("population", "representatives", "best"):
        del arrays[f"{group}.keys"]
    del meta["next_key"]
    del meta["species_set"]["threshold_step"], meta["species_set"]["threshold_side"]
    assert outcome(build(meta, arrays), tmp_path) == "loaded"
    assert load_checkpoint(tmp_path / "mutant.npz").pool.keys.tolist() == list(range(12))
    meta["next_key"] = 12  # but half of the new format is not a checkpoint
    with pytest.raises(CheckpointError, match="metadata has unknown keys 'next_key'"):
        load_checkpoint(_write(tmp_path, build(meta, arrays)))


# (offset in the local header, offset in the central directory entry, width) of the zip fields a change breaks
ZIP_FIELDS = {"flags": (6, 8, 2), "method": (8, 10, 2), "crc": (14, 16, 4), "compressed size": (18, 20, 4),
              "size": (22, 24, 4), "name length": (26, 28, 2), "extra length": (28, 30, 2)}


def _zip_headers(data):
    """Every member's (local header offset, central directory entry offset)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        infos, central = archive.infolist(), archive.start_dir
    headers = []
    for info in infos:
        headers.append((info.header_offset, central))
        n, m, k = struct.unpack("<HHH", data[central + 28 : central + 34])
        central += 46 + n + m + k
    return headers


@pytest.mark.parametrize("base", ["neat", "compact-pending"])
def test_byte_corpus(bases, tmp_path, base):
    """Every field of two members' zip headers set to telling values, then seeded random byte changes and cuts."""
    data = bases[base]
    headers = _zip_headers(data)
    mutants = []
    for local, central in (headers[1], headers[-1]):
        for in_local, in_central, width in ZIP_FIELDS.values():
            for at in (local + in_local, central + in_central):
                for value in (1, 9, 99, 2 ** (8 * width) - 1):
                    content = bytearray(data)
                    content[at : at + width] = value.to_bytes(width, "little")
                    mutants.append(bytes(content))
    rng = np.random.default_rng(7)
    for _ in range(40):
        content = bytearray(data)
        for at in rng.integers(len(content), size=int(rng.integers(1, 4))):
            content[at] = int(rng.integers(256))
        mutants.append(bytes(content[: int(rng.integers(len(content)))] if rng.random() < 0.3 else content))
    seen = {"refused": 0, "loaded": 0}
    for i, content in enumerate(mutants):
        # a change in the archive's bookkeeping (a timestamp, a local header's copy of a field) can leave it intact
        seen[outcome(content, tmp_path, f"mutant {i}")] += 1
    assert seen["refused"] > 60, seen


JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | st.text(max_size=5),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=6,
)


@given(st.data())
def test_any_metadata_value_is_refused_or_runs(bases, tmp_path_factory, data):
    base = data.draw(st.sampled_from(["neat", "recurrent-pending", "compact"]))
    meta, arrays = split(bases[base])
    # (values in the config: test_inconsistent_values_are_named; a huge noise table or layer would be allocated)
    paths = [p for p in _paths(meta) if p[:1] != ("config",)]
    path = data.draw(st.sampled_from(paths))
    new = data.draw(JSON)
    outcome(build(_replaced(meta, path, new), arrays), tmp_path_factory.mktemp("meta"), f"{path} -> {new!r}")


def test_a_config_that_cannot_make_a_run_here_is_a_checkpoint_error(bases, tmp_path):
    meta, arrays = split(bases["noise"])
    meta["config"]["reproduction"]["elite_candidates"] = 2  # needs an elite_evaluate, which load_checkpoint lacks
    with pytest.raises(CheckpointError, match="stored config cannot make a run: ConfigError: .*elite_evaluate"):
        load_checkpoint(_write(tmp_path, build(meta, arrays)))
