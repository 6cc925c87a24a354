"""Atomic writes give files the mode a plain ``open()`` would (0o666 minus the umask), not mkstemp's 0600."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

import numpy as np
import pytest

from optimlab import _io


def mode(p: Path) -> int:
    return stat.S_IMODE(os.stat(p).st_mode)


@pytest.fixture
def set_umask():
    """Call it with a umask; the test's original umask comes back afterwards."""
    old = os.umask(0o022)
    os.umask(old)

    def set_(mask: int) -> None:
        os.umask(mask)

    try:
        yield set_
    finally:
        os.umask(old)


@pytest.mark.parametrize("mask, want", [(0o022, 0o644), (0o077, 0o600), (0o027, 0o640), (0o002, 0o664)])
def test_written_files_follow_the_umask(tmp_path, set_umask, mask, want):
    set_umask(mask)
    _io.write_text(tmp_path / "a.txt", "x")
    _io.write_json(tmp_path / "b.json", {"a": 1})
    _io.write_npz(tmp_path / "c.npz", {"a": np.arange(3)})
    with _io.atomic_path(tmp_path / "d.bin") as tmp:
        tmp.write_bytes(b"\0")
    for name in ("a.txt", "b.json", "c.npz", "d.bin"):
        assert mode(tmp_path / name) == want, name
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "b.json", "c.npz", "d.bin"]   # no temporaries


def test_same_mode_as_plain_open(tmp_path, set_umask):
    set_umask(0o022)
    (tmp_path / "plain").write_text("x")
    _io.write_text(tmp_path / "atomic", "x")
    assert mode(tmp_path / "atomic") == mode(tmp_path / "plain") == 0o644


def test_rewrite_gets_the_default_mode(tmp_path, set_umask):
    """A file an older version left at 0600 is readable again once rewritten."""
    set_umask(0o022)
    p = tmp_path / "report.html"
    p.write_text("old")
    os.chmod(p, 0o600)
    _io.write_text(p, "new")
    assert mode(p) == 0o644 and p.read_text() == "new"


def test_a_failed_write_leaves_the_old_file(tmp_path, set_umask):
    set_umask(0o022)
    p = tmp_path / "f.txt"
    _io.write_text(p, "old")
    with pytest.raises(RuntimeError):
        with _io.atomic_path(p) as tmp:
            tmp.write_text("half")
            raise RuntimeError("boom")
    assert p.read_text() == "old" and [x.name for x in tmp_path.iterdir()] == ["f.txt"]


def test_current_umask_reads_without_changing(set_umask):
    set_umask(0o027)
    assert _io.current_umask() == 0o027
    assert _io.current_umask() == 0o027
    assert _io.default_mode() == 0o640 and _io.default_mode(directory=True) == 0o750


def test_current_umask_without_proc(set_umask, monkeypatch):
    """Where /proc/self/status is not there, the umask is set and restored under a lock."""
    def no_proc(*a, **k):
        raise FileNotFoundError("/proc/self/status")

    monkeypatch.setattr(_io, "open", no_proc, raising=False)
    set_umask(0o027)
    assert _io.current_umask() == 0o027
    assert _io.current_umask() == 0o027          # and it was put back
    monkeypatch.undo()
    assert _io.current_umask() == 0o027


def test_apply_default_mode_on_mkdtemp_directories(tmp_path, set_umask):
    set_umask(0o022)
    d = Path(tempfile.mkdtemp(dir=tmp_path))
    assert mode(d) == 0o700
    _io.apply_default_mode(d, directory=True)
    assert mode(d) == 0o755
    e = Path(tempfile.mkdtemp(dir=tmp_path))
    _io.apply_default_mode(e)                     # directory=None: looks
    assert mode(e) == 0o755
    fd, f = tempfile.mkstemp(dir=tmp_path)
    os.close(fd)
    _io.apply_default_mode(f)
    assert mode(Path(f)) == 0o644
    _io.apply_default_mode(tmp_path / "missing")  # best effort: never raises


def test_text_tables_align_japanese_labels():
    from optimlab._io import text_table

    from optimlab._io import display_width

    lines = text_table(["run", "acc"], [["アダム（BN）", "0.8"], ["SGD", "0.1"]]).splitlines()
    column = [display_width(line[:line.index(v)]) for line, v in zip(lines, ("acc", "-", "0.8", "0.1"))]
    assert column == [14, 0, 14, 14] and lines[1] == "-" * 12 + "  ---"        # アダム（BN）: 5 wide characters and 2 narrow ones = 12 columns


def test_a_full_disk_names_the_file_being_written(tmp_path):
    """A failed write() carries no file name ('No space left on device'): the error names the file, as the
    results folder will have it (not its staging copy), and nothing is left behind."""
    import errno

    from optimlab._io import atomic_path
    from optimlab.results.store import staged_directory

    with pytest.raises(OSError) as e:
        with atomic_path(tmp_path / "x.json"):
            raise OSError(errno.ENOSPC, "No space left on device")
    assert (e.value.errno, e.value.filename) == (errno.ENOSPC, str(tmp_path / "x.json"))
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(OSError) as e:
        with staged_directory(tmp_path / "run") as stage:
            with atomic_path(stage / "summary.json"):
                raise OSError(errno.ENOSPC, "No space left on device")
    assert e.value.filename == str(tmp_path / "run" / "summary.json") and list(tmp_path.iterdir()) == []
    assert e.value.strerror == f"No space left on device; nothing was written to {str(tmp_path / 'run')!r}"
    # a writer that names the file it was given (PIL saving a GIF): that is the hidden temporary, gone now
    with pytest.raises(OSError) as e:
        with atomic_path(tmp_path / "a.gif") as tmp:
            raise OSError(errno.ENOSPC, "No space left on device", str(tmp))
    assert e.value.filename == str(tmp_path / "a.gif") and list(tmp_path.iterdir()) == []


def test_an_interrupt_waits_for_the_block_to_finish():
    import signal
    import time

    seen = []
    with pytest.raises(KeyboardInterrupt):
        with _io.signals_held():
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.05)                          # without the hold, KeyboardInterrupt is raised in here
            seen.append("finished")
    assert seen == ["finished"]


@pytest.mark.parametrize("earlier", [False, True])
def test_ctrl_c_during_the_swap_leaves_a_whole_folder(tmp_path, monkeypatch, earlier):
    """Ctrl-C arriving as the staged results replace the run folder: the swap finishes first (the folder holds
    the new results, no hidden stage or old copy is left beside it), then the interrupt is raised. It left the
    stage behind when it came between the results' last write and the rename."""
    import signal

    from optimlab.results import store

    target = tmp_path / "run"
    if earlier:
        target.mkdir()
        (target / "summary.json").write_text("{}")
    real = store.apply_default_mode

    def interrupted(path, directory=None):
        os.kill(os.getpid(), signal.SIGINT)
        real(path, directory)

    with pytest.raises(KeyboardInterrupt):
        with store.staged_directory(target, foreign=lambda d: None) as stage:
            (stage / "summary.json").write_text('{"new": true}')
            monkeypatch.setattr(store, "apply_default_mode", interrupted)
    assert [p.name for p in tmp_path.iterdir()] == ["run"]
    assert (target / "summary.json").read_text() == '{"new": true}'


def test_a_folder_that_takes_no_temporary_names_the_file_being_written(tmp_path, monkeypatch):
    """A read-only folder fails at the temporary: the error names the file asked for, not '.report.html.x1y2.tmp'."""
    import errno

    def refuse(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system", str(tmp_path / ".report.html.abc.tmp"))

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    with pytest.raises(OSError) as e:
        _io.write_text(tmp_path / "report.html", "x")
    assert e.value.filename == str(tmp_path / "report.html") and e.value.errno == errno.EROFS
    assert list(tmp_path.iterdir()) == []


def test_ctrl_c_as_the_temporary_is_created_leaves_nothing(tmp_path, monkeypatch):
    """A signal that arrives while mkstemp / mkdtemp runs is raised once the temporary is remembered, so it is
    removed (raising it right after the hold, before the guard, left it behind)."""
    import signal

    from optimlab.results import store

    for name in ("mkstemp", "mkdtemp"):
        real = getattr(tempfile, name)

        def interrupted(*args, _real=real, **kwargs):
            out = _real(*args, **kwargs)
            os.kill(os.getpid(), signal.SIGINT)
            return out

        monkeypatch.setattr(tempfile, name, interrupted)
    with pytest.raises(KeyboardInterrupt):
        _io.write_text(tmp_path / "a.txt", "x")
    with pytest.raises(KeyboardInterrupt):
        with store.staged_directory(tmp_path / "run"):
            pass
    assert list(tmp_path.iterdir()) == []


def test_a_held_sigterm_is_not_lost_to_an_ignored_or_earlier_sigint():
    """Both signals inside one hold: SIGTERM's handler runs (exit 143, not 130); an ignored SIGINT stays ignored
    and does not swallow the SIGTERM after it."""
    import signal

    calls = []

    def on_term(signum, frame):
        calls.append("term")
        raise SystemExit(143)

    for sigint in (signal.default_int_handler, signal.SIG_IGN):
        old_int, old_term = signal.signal(signal.SIGINT, sigint), signal.signal(signal.SIGTERM, on_term)
        try:
            with pytest.raises(SystemExit):
                with _io.signals_held():
                    os.kill(os.getpid(), signal.SIGINT)
                    os.kill(os.getpid(), signal.SIGTERM)
        except KeyboardInterrupt:
            pytest.fail("SIGINT's handler ran instead of SIGTERM's")
        finally:
            signal.signal(signal.SIGINT, old_int)
            signal.signal(signal.SIGTERM, old_term)
    assert calls == ["term", "term"]


def test_files_written_together_replace_all_or_none(tmp_path, monkeypatch):
    """atomic_paths: both files new, or both old, and neither name ever missing; an earlier file that cannot be put
    back is said to be kept, by name; a folder with one of the names is refused before anything is replaced; an
    error in the block names the file being written, not its hidden temporary."""
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("old a")
    b.write_text("old b")
    with _io.atomic_paths([a, b]) as (ta, tb):
        ta.write_text("new a")
        tb.write_text("new b")
    assert (a.read_text(), b.read_text()) == ("new a", "new b") and sorted(tmp_path.iterdir()) == [a, b]
    real = os.replace
    present = []

    def stuck(src, dst):                # the new b cannot be put in place
        present.append(a.exists() and b.exists())          # no name is missing at any step
        if Path(dst) == b and Path(src).suffix == ".tmp":
            raise PermissionError(1, "Operation not permitted", os.fspath(src), None, os.fspath(dst))
        return real(src, dst)

    monkeypatch.setattr(os, "replace", stuck)
    with pytest.raises(PermissionError) as e:
        with _io.atomic_paths([a, b]) as (ta, tb):
            ta.write_text("newer a")
            tb.write_text("newer b")
    assert e.value.filename == os.fspath(b) and e.value.strerror == "Operation not permitted"
    assert (a.read_text(), b.read_text()) == ("new a", "new b") and sorted(tmp_path.iterdir()) == [a, b]
    assert present and all(present)

    def stuck_twice(src, dst):          # ... nor the earlier a put back
        if Path(dst) == b and Path(src).suffix == ".tmp" or Path(dst) == a and Path(src).suffix == ".old":
            raise PermissionError(1, "Operation not permitted", os.fspath(src), None, os.fspath(dst))
        return real(src, dst)

    monkeypatch.setattr(os, "replace", stuck_twice)
    monkeypatch.setattr(os, "link", lambda *a, **k: (_ for _ in ()).throw(OSError(1, "no links here")))   # copies
    with pytest.raises(PermissionError) as e:
        with _io.atomic_paths([a, b]) as (ta, tb):
            ta.write_text("newest a")
            tb.write_text("newest b")
    monkeypatch.undo()
    kept = [p.name for p in tmp_path.iterdir() if p.name.endswith(".old")]
    assert len(kept) == 1 and kept[0].startswith(".a.txt.")
    assert e.value.strerror == f"Operation not permitted; the earlier a.txt is kept as {kept[0]}"
    assert [(tmp_path / n).read_text() for n in (kept[0], "a.txt", "b.txt")] == ["new a", "newest a", "new b"]
    (tmp_path / kept[0]).unlink()
    (tmp_path / "c.txt").mkdir()
    with pytest.raises(IsADirectoryError, match="a folder has this name") as e:
        with _io.atomic_paths([a, tmp_path / "c.txt"]) as (ta, tc):
            ta.write_text("x")
    assert e.value.filename == os.fspath(tmp_path / "c.txt") and a.read_text() == "newest a"
    with pytest.raises(OSError) as e:
        with _io.atomic_paths([a, b]) as (ta, tb):
            raise OSError(28, "No space left on device", os.fspath(tb))     # a write into the temporary failed
    assert e.value.filename == os.fspath(b)
    with pytest.raises(OSError) as e:
        with _io.atomic_paths([a, b]):
            raise OSError(28, "No space left on device")                    # a write that names no file
    assert e.value.filename == os.fspath(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "b.txt", "c.txt"]


def test_an_earlier_files_second_name_is_always_new_and_never_half_copied(tmp_path, monkeypatch):
    """A code review: a hidden .old name already there (or a link there) was overwritten by the copy, through the
    link; a copy that failed part way stayed beside the file."""
    target = tmp_path / "c.txt"
    target.write_text("earlier")
    precious = tmp_path / "precious"
    precious.write_text("mine")
    taken = tmp_path / ".c.txt.optimlab-00000000.old"
    taken.symlink_to(precious)
    draws = iter([b"\0\0\0\0", b"\0\0\0\0", b"\1\1\1\1", b"\0\0\0\0", b"\2\2\2\2"])
    monkeypatch.setattr(os, "urandom", lambda n: next(draws))
    old = _io._second_name(target)                              # linked: the taken name skipped
    assert old.name == ".c.txt.optimlab-01010101.old" and old.read_text() == "earlier" and precious.read_text() == "mine"
    old.unlink()
    monkeypatch.setattr(os, "link", lambda *a, **k: (_ for _ in ()).throw(PermissionError(1, "not here")))
    old = _io._second_name(target)                              # copied: the taken name skipped again
    assert old.name == ".c.txt.optimlab-02020202.old" and old.read_text() == "earlier" and precious.read_text() == "mine"
    old.unlink()
    monkeypatch.setattr(os, "urandom", lambda n: b"\3\3\3\3")

    def broken(src, dst, *a):
        dst.write(b"half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(_io.shutil, "copyfileobj", broken)
    with pytest.raises(OSError, match="No space"):
        _io._second_name(target)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".c.txt.optimlab-00000000.old", "c.txt", "precious"]


def test_a_lock_that_cannot_be_removed_does_not_hide_the_error_of_its_block(tmp_path, monkeypatch):
    """A robustness review: a sweep's folder made unwritable mid-run ended in "cannot write '.../.optimlab-sweep.lock':
    Operation not permitted", the lock file's removal failing over the real error (the next run folder that could not
    be made). The block's error stands now, and the lock file is left to be taken over."""
    from optimlab._io import exclusive_lock

    lock = tmp_path / ".lock"
    real = Path.unlink

    def refused(self, missing_ok=False):
        if self == lock:
            raise PermissionError(1, "Operation not permitted", str(self))
        return real(self, missing_ok=missing_ok)

    monkeypatch.setattr(Path, "unlink", refused)
    with pytest.raises(FileNotFoundError, match="next-run"):
        with exclusive_lock(lock, lambda who: RuntimeError(who)):
            raise FileNotFoundError(2, "No such file or directory", str(tmp_path / "next-run"))
    assert lock.exists()
    monkeypatch.undo()
    with exclusive_lock(lock, lambda who: RuntimeError(who)):       # taken over
        pass
    assert not lock.exists()
