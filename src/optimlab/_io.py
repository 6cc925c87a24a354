"""Atomic writes: write to a temporary file in the same folder, then rename over the target."""

from __future__ import annotations

import csv
import errno
import itertools
import json
import os
import re
import shutil
import signal
import stat
import tempfile
import threading
import unicodedata
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Sequence

import numpy as np

from .errors import FileFormatError


_UMASK_LOCK = threading.Lock()


def nearest_existing(path: str | os.PathLike) -> Path:
    """``path`` itself if it exists (a link counts), else its closest parent that does."""
    p = Path(path)
    while not os.path.lexists(p) and p != p.parent:
        p = p.parent
    return p


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
def signals_held() -> Iterator[None]:
    """Ctrl-C and SIGTERM wait until the block is done: for the few steps that must not be cut in two (a
    temporary created and not yet guarded, a folder swapped). The signal is recorded and raised again as the
    block ends. Python runs signal handlers in the main thread only, so only there is anything held."""
    if threading.current_thread() is not threading.main_thread():      # only the main thread sets handlers
        yield
        return
    caught: set[int] = set()
    previous = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)}
    # None: a handler set outside Python; SIG_IGN: ignored (nohup, a background job), and it stays so
    held = [s for s, h in previous.items() if h is not None and h is not signal.SIG_IGN]
    for s in held:
        signal.signal(s, lambda signum, frame: caught.add(signum))
    try:
        yield
    finally:
        for s in held:
            signal.signal(s, previous[s])
        # now delivered, to the handler it was meant for; of both, SIGTERM (its handler ends the process either way)
        for s in held:
            if s in caught:
                signal.raise_signal(s)
                break


# what atomic_paths leaves if killed (mkstemp's 8 characters, _second_name's 8 hex digits): group 1 is the file's name
LEFT_BY_A_WRITE = re.compile(r"\.(.+)\.optimlab-(?:[a-z0-9_]{8}\.tmp|[0-9a-f]{8}\.old)")


def left_for(name: str) -> str | None:
    """The file a leftover of a killed write was for (``.report.html.optimlab-k2jd_8x0.tmp`` → ``report.html``; a
    leftover of a leftover, as a GIF written into a temporary leaves, too), or None for a name that is no leftover (a
    user's ``.notes.html.20241201.old`` is none: the marker ``optimlab-`` is in every name this module makes)."""
    found = None
    while (m := LEFT_BY_A_WRITE.fullmatch(name)) is not None:
        found = name = m[1]
    return found


@contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success rename it over ``path``, on error remove it.

    The file ends up with the mode ``open()`` would give it (0o666 minus the umask), not mkstemp's 0600. An error
    names ``path``, not the hidden temporary (:func:`atomic_paths` for one file).
    """
    with atomic_paths([path]) as (tmp,):
        yield tmp


@contextmanager
def atomic_paths(paths: Sequence[str | os.PathLike]) -> Iterator[list[Path]]:
    """A temporary path beside each of ``paths`` (files that go together); on success all are renamed over theirs,
    or none is. Each file they replace is first linked to a hidden name beside it (copied where a link cannot be
    made), so that no name is ever missing; if putting a new file in place fails, those put in place already get
    their earlier files back. A folder with one of the names is refused before anything is replaced. An error
    names the file being written (a failed write() names none, or the hidden temporary; with several files and no
    name, their folder). (One by one, a rename that failed on the third file left the first two new.)"""
    paths = [Path(p) for p in paths]
    tmps: list[Path] = []
    try:
        for path in paths:
            path.parent.mkdir(parents=True, exist_ok=True)
            with signals_held():         # created and remembered in one step: an interrupt comes after, and is
                try:                     # cleaned up below
                    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.optimlab-", suffix=".tmp", dir=path.parent)
                except OSError as e:     # e.g. a read-only folder: name the file being written, not the temporary
                    raise OSError(e.errno, e.strerror or str(e), os.fspath(path)) from e
                tmps.append(Path(tmp))
                os.close(fd)
        yield tmps
        for tmp in tmps:
            apply_default_mode(tmp, directory=False)
        swapped = False
        try:
            with signals_held():
                _swap_in(list(zip(tmps, paths)))
                swapped = True
        except KeyboardInterrupt as e:  # held through a swap that was done: these files are in place (a command
            if swapped:                 # whose output they are says so: see optimlab.cli._stopped)
                e.swapped_in = paths
            raise
    except OSError as e:
        named = e.filename if e.filename2 is None else e.filename2
        where = {os.fspath(t): p for t, p in zip(tmps, paths)}.get(os.fspath(named)) if named is not None else \
            paths[0] if len(paths) == 1 else Path(os.path.commonpath([os.path.abspath(p.parent) for p in paths]))
        if where is None:
            raise
        raise OSError(e.errno, e.strerror or str(e), os.fspath(where)) from e
    finally:
        with signals_held():            # a second Ctrl-C during the cleanup left the temporaries (a review)
            for tmp in tmps:
                tmp.unlink(missing_ok=True)


def mark_written(e: KeyboardInterrupt, paths: Sequence[str | os.PathLike]) -> bool:
    """Mark ``e`` with ``written`` (which the CLI says: ``interrupted after … was written whole``) when it came as
    :func:`atomic_paths` put exactly ``paths`` in place, and waited for them; whether it did. (Not when it came inside
    their write: a GIF's own temporary written into the landscape's is swapped in too.)"""
    if list(getattr(e, "swapped_in", None) or ()) != list(paths):
        return False
    e.written = list(paths)
    return True


def _second_name(path: Path) -> Path:
    """A new hidden name beside ``path`` for the file there (a link itself, if it is one): a hard link, or a copy
    where a link cannot be made (a file system without them, a file that may not be linked); never an existing
    name, and no partial copy left behind."""
    def fresh() -> Path:
        return path.with_name(f".{path.name}.optimlab-{os.urandom(4).hex()}.old")

    for _ in range(100):
        old = fresh()
        try:
            os.link(path, old, follow_symlinks=False)
            return old
        except FileExistsError:
            continue
        except OSError:
            break
    while True:
        old = fresh()
        try:
            if path.is_symlink():
                os.symlink(os.readlink(path), old)
                return old
            dst = open(old, "xb")               # made here, or FileExistsError: another name
        except FileExistsError:
            continue
        try:
            with dst, open(path, "rb") as src:
                shutil.copyfileobj(src, dst)
            shutil.copystat(path, old)
            return old
        except BaseException:
            old.unlink(missing_ok=True)
            raise


def _swap_in(pairs: list[tuple[Path, Path]]) -> None:
    """Rename each temporary over its path, all or none (see :func:`atomic_paths`)."""
    for _, path in pairs:
        if path.is_dir() and not path.is_symlink():
            raise IsADirectoryError(errno.EISDIR, "a folder has this name", os.fspath(path))
    backups: dict[Path, Path] = {}              # an earlier file's second name, until the new ones are all in
    placed: list[Path] = []
    try:
        for _, path in pairs:
            if os.path.lexists(path):
                backups[path] = _second_name(path)
        for tmp, path in pairs:
            os.replace(tmp, path)
            placed.append(path)
    except OSError as e:
        kept = []
        for p in reversed(placed):
            try:
                if p in backups:
                    os.replace(backups[p], p)
                    del backups[p]
                else:
                    p.unlink()
            except OSError:                     # not lost: said where it is
                kept.append(f"the earlier {p.name} is kept as {backups.pop(p).name}" if p in backups else
                            f"the new {p.name} stays")
        for old in backups.values():            # second names of files never replaced
            old.unlink(missing_ok=True)
        raise OSError(e.errno, "; ".join([e.strerror or str(e), *kept]), os.fspath(path)) from e
    for old in backups.values():
        old.unlink(missing_ok=True)


@contextmanager
def made_folder(folder: Path) -> Iterator[None]:
    """``folder`` made (with its missing parents) for the block; those made here are removed again, innermost first,
    if they are still empty at its end (a command refused before writing leaves no empty ``runs/``)."""
    made = list(itertools.takewhile(lambda d: not d.exists(), (folder, *folder.parents)))      # innermost first
    folder.mkdir(parents=True, exist_ok=True)
    try:
        yield
    finally:
        for d in made:
            try:
                d.rmdir()
            except OSError:
                break


@contextmanager
def exclusive_lock(path: Path, busy, wait: float = 0.0) -> Iterator[None]:
    """Hold an exclusive ``flock`` on the file ``path`` (made if missing, holding "<pid> <host>"), removed again at
    the end. The system releases a lock when its holder ends however it ends, so a file left behind (SIGKILL, a
    power cut) is simply taken over. While another process holds it, raises ``busy(who)`` (who: "process N on
    HOST"), or, with ``wait``, once it has been held that many seconds more (a report of a run waits for another's,
    which takes a second or two). Without ``fcntl`` (Windows) nothing is locked."""
    try:
        import fcntl
    except ImportError:
        yield
        return
    import socket
    import time

    deadline = time.monotonic() + wait
    while True:
        fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            try:
                holder = os.read(fd, 200).decode("utf-8", "replace").split()
            finally:
                os.close(fd)
            if time.monotonic() < deadline:
                time.sleep(0.1)
                continue
            raise busy(f"process {holder[0]} on {holder[1]}" if len(holder) == 2 else "another process") from None
        try:
            same = os.fstat(fd).st_ino == os.stat(path).st_ino      # not a file another holder removed meanwhile
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)
    try:
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()} {socket.gethostname()}".encode())
        yield
    finally:
        try:                # removed while still locked: the next holder makes a new one
            Path(path).unlink(missing_ok=True)
        except OSError:     # a folder no longer writable: left, and taken over (its error hid the command's own)
            pass
        os.close(fd)


def write_text(path: str | os.PathLike, text: str) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def json_default(value: Any) -> Any:
    """A NumPy scalar (an added optimizer's ``np.float32(0.01)`` default lr) as the Python number it holds; anything
    else JSON cannot write is the error it was."""
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def json_text(obj: Any) -> str:
    """The text of optimlab's JSON files (indented, UTF-8 as is)."""
    return json.dumps(obj, indent=2, ensure_ascii=False, allow_nan=True, default=json_default) + "\n"


def write_json(path: str | os.PathLike, obj: Any) -> None:
    write_text(path, json_text(obj))


def read_json(path: str | os.PathLike) -> Any:
    """The JSON value in ``path``; a ValueError (as for any malformed JSON) for one nested beyond Python's recursion
    limit (a review's '[' * 100000: a RecursionError's traceback from report and compare)."""
    text = Path(path).read_text(encoding="utf-8")
    try:
        return json.loads(text)
    except RecursionError:
        raise ValueError("nested too deeply") from None


def _read_problem(name: str, e: OSError) -> FileFormatError:
    if isinstance(e, FileNotFoundError):
        return FileFormatError(f"{name} is missing")
    if isinstance(e, IsADirectoryError):
        return FileFormatError(f"{name} is not a file")
    return FileFormatError(f"{name}: {e.strerror or type(e).__name__}")


def read_json_checked(path: str | os.PathLike) -> Any:
    """:func:`read_json`, every failure a one-line :class:`FileFormatError` naming the file."""
    name = Path(path).name
    try:
        return read_json(path)
    except UnicodeDecodeError:
        raise FileFormatError(f"{name} is not UTF-8 text") from None
    except ValueError as e:
        raise FileFormatError(f"{name} is not valid JSON ({str(e).splitlines()[0]})") from None
    except OSError as e:
        raise _read_problem(name, e) from None


def csv_records(path: str | os.PathLike, required: Sequence[str], *,
                empty_ok: bool = False) -> Iterator[tuple[int, dict[str, str]]]:
    """``(line number, row)`` for every non-blank data row of a CSV file with a header line.

    Strict, with every failure a one-line :class:`FileFormatError` naming the file: missing, not UTF-8,
    empty (unless ``empty_ok``), a header without the ``required`` columns, or a row whose field count is not
    the header's (a file cut mid-line)."""
    name = Path(path).name
    try:
        with open(path, newline="", encoding="utf-8") as f:
            reader = csv.reader(f)
            header = next(reader, None)
            if header is None:
                if empty_ok:
                    return
                raise FileFormatError(f"{name} is empty (expected the header {','.join(required)})")
            absent = [c for c in required if c not in header]
            if absent:
                raise FileFormatError(f"{name} line 1: no column {', '.join(absent)} in the header "
                                      f"(expected {','.join(required)})")
            for fields in reader:
                if not fields:
                    continue
                if len(fields) != len(header):
                    raise FileFormatError(f"{name} line {reader.line_num}: expected {len(header)} fields, found "
                                          f"{len(fields)} (truncated or edited?)")
                yield reader.line_num, dict(zip(header, fields))
    except UnicodeDecodeError:
        raise FileFormatError(f"{name} is not UTF-8 text") from None
    except csv.Error as e:
        raise FileFormatError(f"{name}: {str(e).splitlines()[0] if str(e) else 'malformed CSV'}") from None
    except OSError as e:
        raise _read_problem(name, e) from None


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


def has_control(text: str) -> bool:
    """Whether ``text`` holds a control or format character or a line break (a NUL, a tab, U+2028 …): what a run's
    label and a run folder's name may not hold."""
    return any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in text)


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal: wide (CJK) characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def home_shown(path: str | os.PathLike) -> str:
    """``path`` made absolute, with the home folder written ``~`` (a report handed in by a student named their user
    name in every footer: a teacher's review)."""
    p = Path(os.path.abspath(path))
    try:
        return str(Path("~") / p.relative_to(Path.home()))
    except (ValueError, RuntimeError):          # outside the home folder, or no home known
        return str(p)


def shortened(text: str, width: int) -> str:
    """``text`` if it is at most ``width`` columns wide (wide characters count two), else its start and its end
    around an ellipsis: labels that differ at the end (``… lr 0.001`` / ``… lr 0.01``, `` (n=3)``) stay apart."""
    if display_width(text) <= width:
        return text
    budget = width - 1
    head, tail = "", ""
    for c in reversed(text):                # the end first: it is where labels of one family differ
        if display_width(c + tail) > budget // 2:
            break
        tail = c + tail
    for c in text:
        if display_width(head + c) > budget - display_width(tail):
            break
        head += c
    return head + "…" + tail


def pad(text: str, width: int) -> str:
    """``text`` padded with spaces to ``width`` terminal columns (wide characters count two)."""
    return text + " " * max(0, width - display_width(text))


def text_table(head: Sequence[str], lines: Sequence[Sequence[Any]], right: Sequence[int] = ()) -> str:
    """A plain-text table: a header, a rule, the rows; columns aligned for the terminal (Japanese labels too),
    the columns numbered in ``right`` (numbers) flush right."""
    rows = [[str(c) for c in r] for r in (head, *lines)]
    widths = [max(display_width(x) for x in col) for col in zip(*rows)]

    def fmt(row):
        return "  ".join(" " * (w - display_width(c)) + c if i in right else pad(c, w)
                         for i, (c, w) in enumerate(zip(row, widths))).rstrip()

    return "\n".join([fmt(rows[0]), fmt(["-" * w for w in widths])] + [fmt(r) for r in rows[1:]])
