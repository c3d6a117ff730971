"""Files: atomic writes, stale temporaries, and reading JSON and ``.npz`` (values checked) with the project's errors.

Every write goes to a temporary file in the same directory that is then
renamed over the target, so a crash mid-write leaves the previous file
intact.  A writer killed before the rename (``SIGKILL``, a power cut) leaves
its temporary behind; the next write to the same target removes it (see
``remove_stale_temporaries`` for when a temporary counts as stale).  Nothing
here unpickles: the project's formats are JSON, TOML and ``.npz``, and
``read_npz`` reads the last without ``np.load``'s pickle path at all.
"""

from __future__ import annotations

import io
import json
import math
import os
import re
import socket
import struct
import tempfile
import time
import zipfile
import zlib
from collections.abc import Callable
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np

from .errors import CheckpointError

__all__ = ["atomic_write_bytes", "atomic_write_text", "read_json", "read_npz", "remove_stale_temporaries",
           "checked_int", "checked_number", "checked_object", "checked_array", "STALE_AFTER_SECONDS"]

STALE_AFTER_SECONDS = 3600.0
"""A temporary untouched for this long is stale whoever wrote it (see ``remove_stale_temporaries``)."""

_TEMPORARY = re.compile(r"^\.(?P<target>.+?)\.(?:(?P<host>[A-Za-z0-9-]*)-(?P<pid>\d+)\.)?[A-Za-z0-9_]+\.tmp$")
"""``.<target>.<host>-<pid>.<random>.tmp``, and ``.<target>.<random>.tmp`` (temporaries of earlier versions)."""


def _host() -> str:
    """This machine's name as it appears in temporary names: letters, digits and '-' only, at most 24."""
    return re.sub(r"[^A-Za-z0-9-]", "-", socket.gethostname())[:24]


def atomic_write_bytes(path: str | PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (temporary file, fsync, rename).

    The temporary is ``.<name>.<host>-<pid>.<random>.tmp`` in the target's
    folder; stale temporaries of the same target (left by writers that were
    killed) are removed first (``remove_stale_temporaries``).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(path.parent, lambda name: name == path.name)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{_host()}-{os.getpid()}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, _new_file_mode())  # mkstemp makes 0600; give the file the mode open() would
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def _alive(pid: int) -> bool:
    """True unless process ``pid`` of this machine certainly does not exist."""
    if pid == os.getpid():
        return True
    if os.name == "nt":  # os.kill(pid, 0) would terminate it there; rely on the age rule alone
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (OSError, OverflowError):
        return True  # it exists (another user's: PermissionError), or we cannot tell: keep its file
    return True


def remove_stale_temporaries(
    directory: str | PathLike[str], targets: Callable[[str], bool] | None = None
) -> list[Path]:
    """Remove the temporaries of interrupted atomic writes in ``directory``; return the paths removed.

    A temporary ``.<target>.<host>-<pid>.<random>.tmp`` is stale when

    - ``host`` is this machine and process ``pid`` no longer exists (its
      writer was killed before it could rename or remove it), or
    - it has not been modified for ``STALE_AFTER_SECONDS`` (one hour), for
      temporaries of other machines sharing the folder (whose processes
      cannot be seen from here), of a process id reused since, and of
      earlier versions (``.<target>.<random>.tmp``, no process id).

    A temporary of a live writer is never removed: a write takes seconds,
    and its file's modification time moves while it is written.  Files not
    named like a temporary are never touched, and one this process may not
    delete is left alone (cleaning never makes a write fail).

    Parameters
    ----------
    directory
        The folder to clean (a missing folder has nothing to clean).
    targets
        Which target names to clean for (``targets(name)`` true); ``None``: all.
    """
    directory = Path(directory)
    try:
        entries = list(os.scandir(directory))
    except OSError:  # missing, not a folder, not readable: nothing this process can clean
        return []
    host, now, removed = _host(), time.time(), []
    for entry in entries:
        match = _TEMPORARY.match(entry.name)
        if match is None or (targets is not None and not targets(match["target"])):
            continue
        try:
            if not entry.is_file(follow_symlinks=False):
                continue
            old = now - entry.stat(follow_symlinks=False).st_mtime >= STALE_AFTER_SECONDS
            dead = match["pid"] is not None and match["host"] == host and not _alive(int(match["pid"]))
            if old or dead:
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:  # gone already (renamed by its writer, or another cleaner's), or not ours to delete
            continue
    return removed


def _new_file_mode() -> int:
    """0666 less the process umask: the mode a plain ``open(path, "w")`` gives a new file."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def atomic_write_text(path: str | PathLike[str], text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    atomic_write_bytes(path, text.encode("utf-8"))


def read_json(path: str | PathLike[str], what: str) -> Any:
    """Parse the JSON file at ``path``; ``CheckpointError`` naming ``what`` if it cannot."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise CheckpointError(f"cannot read {what} file {str(path)!r}: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise CheckpointError(f"{what} file {str(path)!r} is not UTF-8 text: {exc}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise CheckpointError(f"{what} file {str(path)!r} is not valid JSON: {exc}") from None
    except RecursionError:
        raise CheckpointError(f"{what} file {str(path)!r} nests JSON too deeply to read") from None


# --- .npz ---------------------------------------------------------------------------------------------
_COMPRESSIONS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflate"}
_HEADER_ERRORS = (ValueError, TypeError, KeyError, IndexError, EOFError, struct.error, UnicodeDecodeError,
                  SyntaxError, RecursionError, MemoryError, OverflowError)


def read_npz(data: bytes, where: str, what: str = "checkpoint") -> dict[str, np.ndarray]:
    """The arrays of the ``.npz`` file ``data``, every part of the file checked first.

    Unlike ``np.load`` this never unpickles and never trusts a size it has
    not checked: the zip archive must be readable, each member a plain
    (unencrypted, stored or deflated) ``<name>.npy`` that appears once, each
    ``.npy`` header well formed and describing plain numbers, booleans or
    text (no Python objects, no records) whose size is exactly the data that
    follows.  Anything else is a ``CheckpointError`` starting with ``where``
    (the file's name) that says what is wrong.

    Returns
    -------
    dict
        Member name (without ``.npy``) to array (its own, writable memory).
    """
    unreadable = f"{where} is not a readable {what} (truncated or not an .npz file)"
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise CheckpointError(f"{unreadable}: {exc}") from None
    except (zipfile.LargeZipFile, ValueError, OSError, EOFError, struct.error, UnicodeDecodeError,
            NotImplementedError, RuntimeError, IndexError, KeyError, OverflowError) as exc:
        raise CheckpointError(f"{unreadable}: {type(exc).__name__}: {exc}") from None
    arrays: dict[str, np.ndarray] = {}
    with archive:
        for info in archive.infolist():
            name = info.filename
            if not name.endswith(".npy") or "/" in name or "\\" in name or len(name) == 4:
                raise CheckpointError(
                    f"{where}: member {name!r} is not an array (<name>.npy); a {what} holds arrays only"
                )
            key = name[:-4]
            if key in arrays:
                raise CheckpointError(f"{where}: member {name!r} appears twice; each array may appear once")
            if info.flag_bits & 0x1:
                raise CheckpointError(f"{where}: member {name!r} is encrypted; a {what} is never encrypted")
            if info.compress_type not in _COMPRESSIONS:
                raise CheckpointError(
                    f"{where}: member {name!r} uses zip compression method {info.compress_type}; "
                    "allowed: 0 (stored) and 8 (deflate)"
                )
            try:
                content = archive.read(info)
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, RuntimeError,
                    NotImplementedError, struct.error, OverflowError) as exc:
                raise CheckpointError(f"{where}: member {name!r} cannot be read (damaged archive): {exc}") from None
            arrays[key] = _npy_array(content, f"{where}: member {name!r}")
    return arrays


def _npy_array(content: bytes, where: str) -> np.ndarray:
    """The array in the ``.npy`` bytes ``content`` (``CheckpointError`` starting with ``where`` if malformed)."""
    fp = io.BytesIO(content)
    try:
        version = np.lib.format.read_magic(fp)
    except _HEADER_ERRORS as exc:
        raise CheckpointError(f"{where} is not a .npy array: {exc}") from None
    if version not in ((1, 0), (2, 0)):
        raise CheckpointError(f"{where} has .npy format version {version[0]}.{version[1]}; readable: 1.0 and 2.0")
    try:
        read_header = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
        shape, fortran_order, dtype = read_header(fp)
    except _HEADER_ERRORS as exc:
        raise CheckpointError(f"{where} has a malformed .npy header: {exc}") from None
    if dtype.hasobject:
        raise CheckpointError(
            f"{where} holds Python objects (a pickle), which are never loaded; expected plain numbers"
        )
    if dtype.names is not None or dtype.subdtype is not None or dtype.kind not in "biufcSU" or dtype.itemsize == 0:
        raise CheckpointError(f"{where} has dtype {dtype}; expected plain numbers, booleans or text")
    if any(n < 0 for n in shape):
        raise CheckpointError(f"{where} has a negative dimension in its shape {shape}")
    count = math.prod(shape)
    offset = fp.tell()
    if (len(content) - offset) != count * dtype.itemsize:
        raise CheckpointError(
            f"{where} holds {len(content) - offset} bytes of data but its header announces shape {shape} "
            f"of {dtype} ({count * dtype.itemsize} bytes)"
        )
    flat = np.frombuffer(content, dtype=dtype, count=count, offset=offset)
    return flat.reshape(shape, order="F" if fortran_order else "C").copy()


# --- checked values: what was read is what was expected, or a CheckpointError saying where and what -------
LARGEST_COUNT = 2**62
"""The default bound of ``checked_int``: counters below it leave room for int64 arithmetic."""


def _shown(n: int) -> str:
    return f"2**{n.bit_length() - 1}" if n >= 2**16 and n & (n - 1) == 0 else str(n)


def checked_int(where: str, what: str, value: Any, low: int = 0, high: int = LARGEST_COUNT) -> int:
    """``value`` if it is an integer in ``[low, high]`` (a JSON number; ``bool`` is not one)."""
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        expected = f"an integer in [{_shown(low)}, {_shown(high)}]"
        raise CheckpointError(f"{where}: {what} is {value!r:.80}; expected {expected}")
    return value


def checked_number(where: str, what: str, value: Any, *, minus_inf: bool = False) -> float:
    """``value`` as a float if it is a finite number (or -inf, if allowed)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = float(value)
        if math.isfinite(number) or (minus_inf and number == -math.inf):
            return number
    expected = "a finite number" + (" or -inf" if minus_inf else "")
    raise CheckpointError(f"{where}: {what} is {value!r:.80}; expected {expected}")


def checked_object(
    where: str, what: str, value: Any, required: set[str], optional: frozenset[str] = frozenset()
) -> dict[str, Any]:
    """``value`` if it is a JSON object with the ``required`` keys and no keys but those and ``optional``."""
    if not isinstance(value, dict):
        raise CheckpointError(f"{where}: {what} is of type {type(value).__name__}; expected an object")
    missing, extra = required - value.keys(), value.keys() - required - optional
    if missing:
        raise CheckpointError(f"{where}: {what} lacks " + ", ".join(map(repr, sorted(missing))))
    if extra:
        raise CheckpointError(f"{where}: {what} has unknown keys {', '.join(map(repr, sorted(extra)))} "
                              f"(allowed: {', '.join(sorted(required | optional))})")
    return value


_KINDS = {"b": ("b", "booleans"), "i": ("iu", "integers"), "u": ("iu", "integers"),
          "f": ("f", "floating-point numbers")}


def checked_array(
    where: str, arrays: dict[str, np.ndarray], name: str, dtype: Any, columns: int | None = None
) -> np.ndarray:
    """Member ``name`` as ``dtype`` if it is a 1-d array (``(n, columns)`` if given) of the same kind of values.

    Integers must also fit ``dtype`` (no value wraps around when converted).
    """
    a, target = arrays[name], np.dtype(dtype)
    if a.ndim != (1 if columns is None else 2) or (columns is not None and a.shape[1] != columns):
        shape = "a 1-d array" if columns is None else f"an array of shape (n, {columns})"
        raise CheckpointError(f"{where}: member {name!r} has shape {a.shape}; expected {shape}")
    kinds, expected = _KINDS[target.kind]
    if a.dtype.kind not in kinds:
        raise CheckpointError(f"{where}: member {name!r} has dtype {a.dtype}; expected {expected} ({target})")
    if target.kind in "iu" and a.size:
        info, low, high = np.iinfo(target), int(a.min()), int(a.max())
        if low < info.min or high > info.max:
            raise CheckpointError(f"{where}: member {name!r} holds {low if low < info.min else high}, outside {target}")
    return a.astype(target)
