"""Atomic writes: write to a temporary file in the same folder, then rename over the target."""

from __future__ import annotations

import json
import os
import stat
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import numpy as np


_UMASK_LOCK = threading.Lock()


def current_umask() -> int:
    """The process umask, read without changing it where the OS allows (Linux: /proc/self/status).

    Elsewhere it is read the only portable way, by setting and restoring it, under a lock so that two
    callers here never see each other's temporary value.
    """
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    with _UMASK_LOCK:
        mask = os.umask(0o077)   # the strictest value, should another thread create a file meanwhile
        os.umask(mask)
    return mask


def default_mode(directory: bool = False) -> int:
    """The permission bits ``open()`` (0o666) or ``mkdir()`` (0o777) would give under the current umask."""
    return (0o777 if directory else 0o666) & ~current_umask()


def apply_default_mode(path: str | os.PathLike, directory: bool | None = None) -> None:
    """Give ``path`` the mode a plain ``open()``/``mkdir()`` would have (best effort, never raises).

    ``tempfile.mkstemp``/``mkdtemp`` create 0600/0700 entries; call this on them before renaming them
    into place so that results are readable by whoever the umask allows. ``directory=None``: look.
    """
    p = Path(path)
    try:
        if directory is None:
            directory = stat.S_ISDIR(os.stat(p).st_mode)
        os.chmod(p, default_mode(directory))
    except OSError:   # e.g. a file system without POSIX modes: keep what it has
        pass


@contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success rename it over ``path``, on error remove it.

    The file ends up with the mode ``open()`` would give it (0o666 minus the umask), not mkstemp's 0600.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        apply_default_mode(tmp_path, directory=False)
        os.replace(tmp_path, path)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise


def write_text(path: str | os.PathLike, text: str) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_json(path: str | os.PathLike, obj: Any) -> None:
    write_text(path, json.dumps(obj, indent=2, ensure_ascii=False, allow_nan=True) + "\n")


def read_json(path: str | os.PathLike) -> Any:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def write_npz(path: str | os.PathLike, arrays: dict[str, np.ndarray]) -> None:
    """Save arrays as an uncompressed ``.npz`` (never pickled objects)."""
    for k, v in arrays.items():
        if np.asarray(v).dtype == object:
            raise TypeError(f"array {k!r} has dtype object; only numeric arrays are stored")
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as f:
            np.savez(f, **arrays)


def read_npz(path: str | os.PathLike) -> dict[str, np.ndarray]:
    with np.load(path, allow_pickle=False) as z:
        return {k: z[k] for k in z.files}
