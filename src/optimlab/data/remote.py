"""Pinned files, mirrors and the download cache for MNIST and Fashion-MNIST.

Each file is pinned twice: the SHA-256 of the ``.gz`` the mirrors serve (checked by pooch on
download) and the SHA-256 of its decompressed IDX content (checked on every load, so a file that
was recompressed — Debian's ``dataset-fashion-mnist`` strips the gzip header's file name — or
placed uncompressed is still verified).

Where the hashes were confirmed:

* MNIST ``.gz``: identical in torchvision's mirror list (ossci-datasets), TensorFlow's CVDF mirror
  and many independent registries; content hashes likewise (47,040,016 / 60,008 / 7,840,016 /
  10,008 bytes).
* Fashion-MNIST ``.gz``: the zalandoresearch archive (sizes 26,421,880 / 29,515 / 4,422,102 /
  5,148 bytes, MD5s as published upstream), pinned identically by several public projects.
  Content hashes computed here from ``/usr/share/datasets/fashion-mnist`` (Debian) and matching
  the ones published by independent projects.
"""

from __future__ import annotations

import errno
import itertools
import logging
import math
import os
import queue
import re
import shutil
import socket
import sys
import threading
import time
import urllib.parse
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Sequence

from optimlab._io import apply_default_mode, nearest_existing
from optimlab.data.idx import TEST_IMAGES, TEST_LABELS, TRAIN_IMAGES, TRAIN_LABELS
from optimlab.errors import ConfigError, DatasetError

DOWNLOAD_TIMEOUT = 30.0  # seconds per connect / read of one request
# the most one file's download may bring: the largest pinned file is 47,040,016 bytes decompressed (60,000 images of
# 28 × 28 and a 16-byte header; a mirror that marks .gz as gzip-encoded has it decompressed on the way), about half
# that as served; a server sending more is cut off
MAX_DOWNLOAD = 64 * 2**20
PROBE_TIMEOUT = 3.0  # seconds 'auto' waits to learn whether any mirror answers at all
CACHE_ENV = "OPTIMLAB_CACHE_DIR"  # overrides the user cache folder (tests isolate with it)
DATA_ENV = "OPTIMLAB_DATA"  # a folder of manually placed IDX files


@dataclass(frozen=True)
class PinnedFile:
    stem: str  # standard IDX name without ".gz", e.g. "train-images-idx3-ubyte"
    gz_sha256: str  # SHA-256 of the .gz file as served by the mirrors
    content_sha256: str  # SHA-256 of the decompressed IDX bytes

    @property
    def gz_name(self) -> str:
        return self.stem + ".gz"


@dataclass(frozen=True)
class Remote:
    """A dataset published as four gzipped IDX files on one or more mirrors."""

    name: str
    mirrors: tuple[str, ...]  # base URLs, tried in order; a file's URL is mirror + "/" + gz_name
    files: tuple[PinnedFile, ...]  # in IDX_STEMS order
    system_dirs: tuple[str, ...] = ()  # folders where OS packages install the files

    def pinned(self, stem: str) -> PinnedFile:
        return next(f for f in self.files if f.stem == stem)

    def with_mirrors(self, mirrors: Sequence[str] | None) -> Remote:
        if mirrors is None:
            return self
        if isinstance(mirrors, str):
            mirrors = (mirrors,)
        for m in mirrors:
            try:       # 'http://[::1/x' (an unclosed IPv6 bracket) and port 99999 are ValueErrors of urllib's
                u = urllib.parse.urlparse(m) if isinstance(m, str) else None
                if u is not None:
                    u.port                                  # noqa: B018 - read to check its range
            except ValueError:
                u = None
            if u is None or u.scheme not in ("http", "https") or not u.hostname:    # what requests can fetch
                raise ConfigError(f"invalid mirror: {m!r} (accepted: an http or https base URL, e.g. "
                                  "https://example.org/mnist)")
        return Remote(self.name, tuple(mirrors), self.files, self.system_dirs)


MNIST = Remote(
    name="mnist",
    mirrors=(
        "https://ossci-datasets.s3.amazonaws.com/mnist",  # torchvision's mirror
        "https://storage.googleapis.com/cvdf-datasets/mnist",  # TensorFlow's mirror
        "http://yann.lecun.com/exdb/mnist",  # the original site, often unavailable
    ),
    files=(
        PinnedFile(
            TRAIN_IMAGES,
            "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
            "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
        ),
        PinnedFile(
            TRAIN_LABELS,
            "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
            "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
        ),
        PinnedFile(
            TEST_IMAGES,
            "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
            "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
        ),
        PinnedFile(
            TEST_LABELS,
            "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
            "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
        ),
    ),
)

FASHION_MNIST = Remote(
    name="fashion-mnist",
    mirrors=(
        "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com",
        "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion",
    ),
    files=(
        PinnedFile(
            TRAIN_IMAGES,
            "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
            "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
        ),
        PinnedFile(
            TRAIN_LABELS,
            "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
            "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
        ),
        PinnedFile(
            TEST_IMAGES,
            "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
            "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
        ),
        PinnedFile(
            TEST_LABELS,
            "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
            "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
        ),
    ),
    system_dirs=("/usr/share/datasets/fashion-mnist",),  # Debian package dataset-fashion-mnist
)

REMOTES = {r.name: r for r in (MNIST, FASHION_MNIST)}


class DownloadError(DatasetError):
    """No mirror served a file with its pinned hash; ``failures`` holds one "url: reason" per attempt."""

    def __init__(self, message: str, failures: Sequence[str]):
        super().__init__(message)
        self.failures = list(failures)


def cache_dir() -> Path:
    """The optimlab cache folder: ``$OPTIMLAB_CACHE_DIR`` or the platform's user cache folder."""
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("optimlab"))


def pinned_dataset(contents: dict[str, str], other_than: Remote) -> str | None:
    """The name of the pinned dataset (not ``other_than``) whose four files have these IDX content hashes
    (stem → SHA-256), if any: official Fashion-MNIST files put where MNIST is looked for are named as such."""
    return next((r.name for r in REMOTES.values() if r.name != other_than.name
                 and all(contents.get(f.stem) == f.content_sha256 for f in r.files)), None)


def offline_options(name: str) -> str:
    """One line telling the user how to get ``name`` without this machine downloading it."""
    files = ", ".join(f.gz_name for f in REMOTES[name].files)
    env = missing_data_env()
    missing = f" (it names {env!r} now, which does not exist)" if env else ""    # searched past without a word
    return (
        f"offline options: copy the four IDX files ({files}; raw or .gz) into a folder and pass "
        f"--data-dir DIR (data_dir=DIR) or set {DATA_ENV}=DIR{missing}; run 'optimlab data fetch {name}' on a machine "
        f"with network and copy the folder it fills (its {cache_dir() / name}) to this one; or use a bundled "
        "dataset: 'mnist-5k' or 'digits' (--dataset mnist-5k; in Python load_dataset('mnist-5k') or "
        "load_mnist(name='mnist-5k'))"
    )


MAX_TIMEOUT = 86400.0       # a day per request: enough for any mirror


def check_timeout(timeout: float, option: str = "timeout") -> float:
    """``timeout`` as a float, or a one-line :class:`ConfigError` unless it is a positive finite number."""
    try:
        value = math.nan if isinstance(timeout, bool) else float(timeout)
    except (TypeError, ValueError):
        value = math.nan
    if not (math.isfinite(value) and 0 < value <= MAX_TIMEOUT):      # socket timeouts past ~10^8 s overflow
        raise ConfigError(f"invalid {option}: {timeout!r} (accepted: a number of seconds > 0, at most "
                          f"{MAX_TIMEOUT:g} (a day))")
    return value


def missing_data_env() -> str | None:
    """``$OPTIMLAB_DATA`` when it names nothing that exists (a typo: the folders after it are searched), else None."""
    env = os.environ.get(DATA_ENV)
    return env if env and not Path(env).expanduser().exists() else None


def check_cache_env() -> None:
    """A one-line :class:`ConfigError` when ``$OPTIMLAB_CACHE_DIR`` names a file (a folder that does not exist yet
    is made by ``optimlab data fetch``)."""
    env = os.environ.get(CACHE_ENV)
    if env and Path(env).expanduser().exists() and not Path(env).expanduser().is_dir():
        raise ConfigError(f"invalid ${CACHE_ENV}: {env!r} is a file (accepted: a folder to cache downloads in, or "
                          "unset it for the user cache folder)")


def check_data_dir(folder: str | os.PathLike, option: str = "data directory", *, must_exist: bool = False) -> Path:
    """``folder`` as a Path; a one-line :class:`ConfigError` when it (or the parent it would be made in) is a
    file, or, with ``must_exist``, when it is missing."""
    if not str(folder).strip():         # Path('') is the current folder: never what was meant
        raise ConfigError(f"invalid {option}: {str(folder)!r} (accepted: a folder)")
    path = Path(folder).expanduser()
    if path.exists() and not path.is_dir():
        raise ConfigError(f"{option} {str(folder)!r} is a file, not a directory (accepted: a folder)")
    if path.is_symlink() and not path.exists():     # a loop or a missing target (a loop ended in a traceback)
        raise ConfigError(f"{option} {str(folder)!r} is a link that leads to no folder (accepted: a folder)")
    if must_exist and not path.is_dir():
        raise ConfigError(f"{option} {str(folder)!r} not found (accepted: an existing folder)")
    parent = nearest_existing(path)
    if parent.exists() and not parent.is_dir():
        raise ConfigError(f"{option} {str(folder)!r} cannot be created: {str(parent)!r} is a file, not a directory "
                          "(accepted: a folder)")
    return path


def _make_folder(folder: Path) -> list[Path]:
    """Create ``folder`` and any missing parents; returns the folders created, outermost first."""
    check_data_dir(folder)
    base = nearest_existing(folder)
    missing = list(itertools.takewhile(lambda p: p != base, (folder, *folder.parents)))   # innermost first
    created: list[Path] = []
    try:
        for d in reversed(missing):
            try:
                d.mkdir()
            except FileExistsError:     # another process made it meanwhile: fine, and not ours to remove
                if not d.is_dir():
                    raise
                continue
            created.append(d)
    except OSError as e:
        _remove_empty(created)
        raise DatasetError(f"cannot create data directory {str(folder)!r}: {e.strerror or type(e).__name__}") from None
    return created


def _remove_empty(created: Sequence[Path]) -> None:
    """Remove the folders ``created`` (outermost first) that are still empty, innermost first."""
    for d in reversed(created):
        try:
            d.rmdir()
        except OSError:   # not empty (a file arrived) or already gone: leave it
            break


class _Rejected(ValueError):
    """A file a mirror served that is not the pinned one; its message says how it differs."""


# errors of this machine's disk, not of the mirror: trying the next mirror cannot help
LOCAL_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EISDIR, errno.ENOTDIR}


def _short_reason(exc: BaseException, timeout: float) -> str:
    """A few words for why one download failed (requests' messages run to several lines)."""
    import requests

    if isinstance(exc, requests.HTTPError) and exc.response is not None:
        return f"HTTP {exc.response.status_code}"
    if isinstance(exc, requests.Timeout) or "timed out" in str(exc).lower():   # a read timeout mid-file, too
        return f"no data for {timeout:g} s (timed out)"
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return "the connection closed before the end of the file"
    if isinstance(exc, _Rejected):
        return str(exc)
    m = re.search(r"\[Errno -?\d+\] ([^'\")\]]+)", str(exc))
    if m:
        return m.group(1).strip().rstrip(".")
    return type(exc).__name__


@contextmanager
def _quiet_pooch() -> Iterator[None]:
    """Silence pooch's INFO log lines ("Downloading data from ...") for the duration of a call."""
    import pooch

    logger = pooch.get_logger()
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


def download(
    remote: Remote,
    dest: str | Path | None = None,
    *,
    timeout: float = DOWNLOAD_TIMEOUT,
    progress: bool = False,
) -> Path:
    """Download the four ``.gz`` files of ``remote`` into ``dest`` (default: the cache) and return the folder.

    Each file is fetched with pooch from the first mirror that serves it (the one that served the previous file is
    asked first) with the pinned SHA-256 — of the
    published ``.gz``, or of its IDX content when a mirror serves it recompressed (as ``optimlab data verify``
    accepts); a file takes its name only after that check (it is downloaded into a hidden work folder,
    ``.optimlab-download-<host>-<pid>-<thread>``, removed at the end — or by the next download on this machine, if
    this process was killed), and a file already there that passes it is not fetched again. One that fails it is fetched again
    in the cache, and refused elsewhere before anything is downloaded (a folder you named holds your files).
    Raises a one-line :class:`DatasetError` listing every mirror's failure and the offline options;
    folders this call created are removed again when the download fails and they are still empty.
    A ``dest`` that is a file, or a ``timeout`` that is not a positive finite number, is a :class:`ConfigError`.
    """
    import pooch
    import requests

    timeout = check_timeout(timeout)
    folder = Path(dest).expanduser() if dest is not None else cache_dir() / remote.name
    if folder.parent == cache_dir():
        check_cache_env()       # it read "'afile/mnist' cannot be created"
    if not remote.mirrors:
        raise DatasetError(f"no mirrors given for {remote.name}; {offline_options(remote.name)}")
    created = _make_folder(folder)
    try:
        _download_files(remote, folder, timeout, progress, pooch, requests)
    except BaseException:
        _remove_empty(created)
        raise
    return folder


def _check_served(part: Path, f: PinnedFile) -> None:
    """Accept the downloaded ``part`` as ``f`` or raise :class:`_Rejected` saying what came instead. A mirror that
    marks .gz files as gzip-encoded has them decompressed on the way (the HTTP client undoes the encoding): the
    pinned IDX content, compressed again here."""
    import gzip
    import hashlib

    from .idx import GZIP_MAGIC

    if _verified(part, f):
        return
    raw = part.read_bytes()
    if raw[:2] != GZIP_MAGIC:
        if hashlib.sha256(raw).hexdigest() == f.content_sha256:
            part.write_bytes(gzip.compress(raw, mtime=0))
            return
        head = raw[:512].lstrip().lower()
        what = "an HTML page (a network login page?)" if head.startswith((b"<!doctype html", b"<html")) else \
            "not a gzip file"
        raise _Rejected(f"got {len(raw):,} bytes that are {what}, file rejected")
    raise _Rejected("SHA-256 mismatch, file rejected")


class _Capped:
    """The file pooch's downloader writes into, refusing more than :data:`MAX_DOWNLOAD` bytes (a hostile or broken
    mirror sent 3 GB, or a small gzip-encoded reply that decompressed to 5 GB, before the hash could reject it)."""

    def __init__(self, out):
        self._out, self.n = out, 0

    def write(self, chunk: bytes) -> int:
        self.n += len(chunk)
        if self.n > MAX_DOWNLOAD:
            raise _Rejected(f"sent more than {MAX_DOWNLOAD:,} bytes (no pinned file is that large), file rejected")
        return self._out.write(chunk)

    def flush(self) -> None:
        self._out.flush()


def _capped_downloader(http):
    """``http`` (a pooch.HTTPDownloader) writing through :class:`_Capped`."""
    def download(url: str, output_file, pooch_obj) -> None:
        with open(output_file, "wb") as out:
            http(url, _Capped(out), pooch_obj)
    return download


class _Bar:
    """A progress bar on stderr for one file's download, named by ``description``, for pooch's downloader (which
    sets ``total`` and calls ``update``, ``reset`` and ``close``); it appears with the first bytes, so a mirror that
    fails at once shows none."""

    def __init__(self, description: str):
        self.description, self.total, self._bar, self._filling = description, 0, None, False

    def update(self, n: int) -> None:
        if self._bar is None:
            from ..progress import tqdm_class

            self._bar = tqdm_class()(total=self.total or None, desc=self.description, unit="B", unit_scale=True,
                                     leave=True, dynamic_ncols=True, file=sys.stderr)
        if self._filling:                # after reset, pooch's update(total) means "full": set, not added
            self._bar.n = n
            self._bar.refresh()
        else:
            self._bar.update(n)

    def reset(self) -> None:
        """pooch ends with reset() and update(total) to fill the bar: a real reset dropped it to 0 % and then
        counted the whole file again in an instant ("48.3GB/s")."""
        self._filling = True

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def _verified(path: Path, f: PinnedFile) -> bool:
    """Whether ``path`` is the pinned file: the published ``.gz``, or a recompressed one whose IDX content is
    the pinned content (as ``optimlab data verify`` accepts, and every load checks)."""
    import hashlib

    from .idx import read_bytes

    try:
        if hashlib.sha256(path.read_bytes()).hexdigest() == f.gz_sha256:
            return True
        return hashlib.sha256(read_bytes(path)).hexdigest() == f.content_sha256
    except (OSError, DatasetError):
        return False


def _download_files(remote: Remote, folder: Path, timeout: float, progress: bool, pooch, requests) -> None:
    ours = folder.resolve() == (cache_dir() / remote.name).resolve()
    # before any download: outside the cache, a file of that name that is not the pinned one is the user's (in the
    # cache, a damaged one is fetched again); checked again before each rename, for a file put there meanwhile
    mine = None if ours else _yours(remote, folder)
    for f in remote.files if mine is not None else ():
        mine(f)
    _remove_stale_work(folder)
    # one folder per process and thread (two fetches into one cache must not share it), for pooch's temporary file
    # and ours: removed at the end, and by the next download if this process was killed (SIGKILL left pooch's
    # tmpXXXXXXXX beside the data, for good)
    work = folder / f"{WORK_PREFIX}{_host()}-{os.getpid()}-{threading.get_ident()}"
    try:
        _download_each(remote, folder, work, timeout, progress, pooch, requests, mine)
    finally:
        shutil.rmtree(work, ignore_errors=True)


WORK_PREFIX = ".optimlab-download-"


def _host() -> str:
    """This machine's name as a folder name can hold it (a cache shared over NFS has other machines' pids)."""
    return re.sub(r"[^A-Za-z0-9.]", "_", socket.gethostname()) or "host"


def _remove_stale_work(folder: Path) -> None:
    """Remove the work folders of this machine's downloads whose process is gone (killed before it could); another
    machine's (a shared cache) are left alone, since its pids mean nothing here."""
    mine = f"{WORK_PREFIX}{_host()}-"
    for d in folder.glob(f"{mine}*") if folder.is_dir() else ():
        try:
            pid = int(d.name[len(mine):].split("-")[0])
            os.kill(pid, 0)                  # raises ProcessLookupError when no such process runs
        except ProcessLookupError:
            shutil.rmtree(d, ignore_errors=True)
        except (ValueError, OSError):        # not ours by its name, or another user's live process
            pass


def _yours(remote: Remote, folder: Path):
    """A check that raises the one-line DatasetError when a file of ``remote``'s name in ``folder`` (outside the
    cache) is not the pinned one: the user's, which a download must not replace."""
    def check(f: PinnedFile) -> None:
        for target in (folder / f.gz_name, folder / f.stem):
            if target.is_file() and not _verified(target, f):
                raise DatasetError(f"cannot download {remote.name} into {str(folder)!r}: {target.name} there is not "
                                   f"{remote.name}'s (SHA-256 differs); a download would replace it or be read in "
                                   "its place (accepted: a folder without it, e.g. another --data-dir, or move that "
                                   "file away)")
    return check


def _download_each(remote: Remote, folder: Path, work: Path, timeout: float, progress: bool, pooch,
                   requests, yours=None) -> None:
    order = list(remote.mirrors)        # the mirror that served a file is asked first for the next (a data review: a
    for f in remote.files:              # stalled first mirror made each of the four files wait out its timeout)
        failures = []
        target = folder / f.gz_name
        raw = folder / f.stem                         # uncompressed, as `data verify` and every load accept it
        if (target.is_file() and _verified(target, f)) or (raw.is_file() and _verified(raw, f)):
            continue                                  # already here: not fetched again
        if target.is_dir():
            raise DatasetError(f"cannot download {f.gz_name} into {str(folder)!r}: a folder has its name "
                               "(accepted: remove or rename that folder)")
        part = work / f"{f.stem}.part.gz"           # .gz: read back decompressed
        for mirror in list(order):
            url = mirror.rstrip("/") + "/" + f.gz_name
            bar = _Bar(f"{remote.name} {f.gz_name}") if progress else False     # what is downloading, on its bar
            downloader = _capped_downloader(pooch.HTTPDownloader(progressbar=bar, timeout=timeout,
                                                                 headers={"Accept-Encoding": "identity"}))
            try:
                work.mkdir(exist_ok=True)
                with _quiet_pooch():
                    pooch.retrieve(url, known_hash=None, fname=part.name, path=work, downloader=downloader)
                _check_served(part, f)
                apply_default_mode(part, directory=False)   # pooch's temporary file is 0600: open()'s mode instead
                if yours is not None:     # a file of that name put there during the download (a review): it stays
                    yours(f)
                os.replace(part, target)                     # only a verified file takes the pinned name
                order.remove(mirror)
                order.insert(0, mirror)
                break
            except (ValueError, OSError, requests.RequestException) as e:
                local = isinstance(e, OSError) and not isinstance(e, requests.RequestException) and (
                    e.errno in LOCAL_ERRNOS or isinstance(e, PermissionError))   # pooch re-raises it without errno
                if local:
                    raise DatasetError(f"cannot write into data directory {str(folder)!r}: "
                                       f"{e.strerror or os.strerror(errno.EACCES)} (accepted: a folder you can write to, "
                                       "with room for the files: --data-dir DIR)") from None
                failures.append(f"{url}: {_short_reason(e, timeout)}")
            finally:
                if bar:
                    bar.close()
                if part.exists():                   # (unlink would fail on a read-only folder even with nothing)
                    part.unlink()
        else:
            raise DownloadError(
                f"could not download {remote.name} file {f.gz_name} ({'; '.join(failures)}); "
                + offline_options(remote.name),
                failures,
            )


def any_reachable(urls: Sequence[str], timeout: float = PROBE_TIMEOUT) -> bool:
    """Whether a TCP connection to any of the URLs' hosts opens within ``timeout`` seconds in total.

    Name lookups and connects run in daemon threads, so a hanging resolver cannot hold the caller
    past ``timeout``. With an HTTP(S) proxy configured, the proxy decides what is reachable: the probe is a HEAD
    request through it, and any answer counts (a proxy that accepted connections and never answered made auto wait
    90 s for three mirrors before it fell back).
    """
    if not urls:
        return False
    proxies = urllib.request.getproxies()
    via_proxy = bool(proxies.get("http") or proxies.get("https"))
    results: queue.Queue[bool] = queue.Queue()

    def probe(url: str, host: str, port: int) -> None:
        try:
            if via_proxy:
                import requests

                requests.head(url, timeout=timeout, allow_redirects=False).close()
            else:
                with socket.create_connection((host, port), timeout=timeout):
                    pass
            results.put(True)
        except (OSError, ValueError):           # requests' errors are OSErrors
            results.put(False)

    started = 0
    for url in urls:
        parts = urllib.parse.urlsplit(url)
        if not parts.hostname:
            continue
        port = parts.port or (443 if parts.scheme == "https" else 80)
        threading.Thread(target=probe, args=(url, parts.hostname, port), daemon=True).start()
        started += 1
    deadline = time.monotonic() + timeout
    for _ in range(started):
        try:
            if results.get(timeout=max(0.0, deadline - time.monotonic())):
                return True
        except queue.Empty:
            return False
    return False
