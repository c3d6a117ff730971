"""neat.files: atomic writes leave nothing behind that the next write does not clean up; .npz and JSON reading."""

import io
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest

from neat import CheckpointError
from neat.files import (
    STALE_AFTER_SECONDS,
    _host,
    atomic_write_bytes,
    atomic_write_text,
    read_json,
    read_npz,
    remove_stale_temporaries,
)

ROOT = Path(__file__).resolve().parents[1]

# A writer that stops between writing its temporary and renaming it, until it is killed.
STUCK_WRITER = """
import os, sys, time
sys.path.insert(0, sys.argv[2])
import neat.files

def stuck(src, dst):
    print("written", flush=True)
    time.sleep(3600)

os.replace = stuck
neat.files.atomic_write_bytes(sys.argv[1], b"new" * 1000)
"""


def temporaries(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


@pytest.fixture
def stuck_writer():
    """Start writers stuck mid-write (``start(path) -> process``); any still running are killed at the end."""
    started = []

    def start(path):
        process = subprocess.Popen([sys.executable, "-c", STUCK_WRITER, str(path), str(ROOT)],
                                   stdout=subprocess.PIPE, text=True)
        started.append(process)
        assert process.stdout.readline().strip() == "written"  # its temporary is on disk now
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
        process.wait()
        process.stdout.close()


def dead_pid():
    """The process id of a process that has exited (and been reaped)."""
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True,
                          check=True)
    return int(done.stdout)


def test_a_killed_writers_temporary_is_removed_by_the_next_write(tmp_path, stuck_writer):
    path = tmp_path / "checkpoint-3.npz"
    atomic_write_text(path, "old")
    writer = stuck_writer(path)
    writer.kill()  # SIGKILL: no except or finally runs in it
    writer.wait()
    [left] = temporaries(tmp_path)  # what it left: named for its target, its machine and its process
    assert left.startswith(f".checkpoint-3.npz.{_host()}-{writer.pid}.")
    assert path.read_text() == "old"
    atomic_write_text(path, "newer")
    assert temporaries(tmp_path) == []
    assert path.read_text() == "newer"


def test_a_live_writers_temporary_is_kept(tmp_path, stuck_writer):
    path = tmp_path / "stats.csv"
    writer = stuck_writer(path)
    in_flight = temporaries(tmp_path)
    assert len(in_flight) == 1 and f"-{writer.pid}." in in_flight[0]
    atomic_write_text(path, "mine")  # a concurrent write to the same target leaves the other writer's file alone
    assert temporaries(tmp_path) == in_flight
    assert remove_stale_temporaries(tmp_path) == []
    writer.kill()
    writer.wait()
    assert remove_stale_temporaries(tmp_path) == [tmp_path / in_flight[0]]
    assert path.read_text() == "mine"


def test_temporaries_of_other_machines_and_of_earlier_versions_go_by_age(tmp_path, monkeypatch):
    path = tmp_path / "f.txt"
    names = [".f.txt.otherhost-1.abcd_123.tmp", ".f.txt.x8k2m_q1.tmp"]  # another machine's; the old mkstemp names
    for name in names:
        (tmp_path / name).write_bytes(b"partial")
    atomic_write_text(path, "1")
    assert temporaries(tmp_path) == sorted(names)  # fresh: maybe still being written
    old = time.time() - STALE_AFTER_SECONDS - 60
    os.utime(tmp_path / names[0], (old, old))

    def refuse(target, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(target))

    with monkeypatch.context() as patch:  # a stale file this process may not delete: the write still happens
        patch.setattr(os, "unlink", refuse)
        atomic_write_text(path, "1b")
    assert path.read_text() == "1b" and temporaries(tmp_path) == sorted(names)
    atomic_write_text(path, "2")
    assert temporaries(tmp_path) == [names[1]]
    os.utime(tmp_path / names[1], (old, old))
    atomic_write_text(path, "3")
    assert temporaries(tmp_path) == []


def test_only_temporaries_of_the_target_are_touched(tmp_path):
    pid, host = dead_pid(), _host()
    others = [
        f".g.txt.{host}-{pid}.abc.tmp",  # a stale temporary of another target: left to that target's next write
        ".f.txt.notes",
        "f.txt.tmp",
        ".f.txt.tmp",
        f".f.txt.{host}-{pid}.tmp.bak",
    ]
    for name in others:
        (tmp_path / name).write_bytes(b"keep me")
    (tmp_path / f".f.txt.{host}-{pid}.q_1.tmp").write_bytes(b"stale")
    atomic_write_text(tmp_path / "f.txt", "x")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*others, "f.txt"])
    # without a target filter every stale temporary goes, and still nothing else
    assert remove_stale_temporaries(tmp_path) == [tmp_path / others[0]]
    assert remove_stale_temporaries(tmp_path / "missing") == []


def test_a_target_name_with_dots_and_dashes_is_parsed(tmp_path):
    pid, host = dead_pid(), _host()
    stale = tmp_path / f".run-1.v2.npz.{host}-{pid}.z9_y.tmp"
    stale.write_bytes(b"")
    atomic_write_bytes(tmp_path / "run-1.v2", b"other target")  # a prefix of the name: not its target
    assert stale.exists()
    atomic_write_bytes(tmp_path / "run-1.v2.npz", b"its target")
    assert not stale.exists()


def _npz(**arrays):
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def test_read_npz_reads_plain_arrays_and_refuses_pickles():
    arrays = read_npz(_npz(a=np.arange(3), b=np.ones((2, 2), dtype=np.float32, order="F"), c=np.array(["x"])), "f")
    assert arrays["a"].tolist() == [0, 1, 2] and arrays["b"].shape == (2, 2) and arrays["c"].tolist() == ["x"]
    assert arrays["a"].flags.writeable
    with pytest.raises(CheckpointError, match="member 'o.npy' holds Python objects"):
        read_npz(_npz(o=np.array([{}, None], dtype=object)), "f")
    with pytest.raises(CheckpointError, match=r"f is not a readable model \(truncated or not an .npz file\)"):
        read_npz(b"PK\x03\x04 not really", "f", what="model")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.npy", b"\x93NUMPY\x01\x00" + b"\xff\xff" + b"{")
    with pytest.raises(CheckpointError, match="member 'a.npy' has a malformed .npy header"):
        read_npz(buffer.getvalue(), "f")


def test_read_json_refuses_text_that_is_not_utf8(tmp_path):
    (tmp_path / "g.json").write_bytes(b'{"a": "\xff"}')
    with pytest.raises(CheckpointError, match="genome file .* is not UTF-8 text"):
        read_json(tmp_path / "g.json", "genome")
