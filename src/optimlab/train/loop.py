"""The training loop: K models that share one minibatch stream train in lockstep (a *cohort*).

One model is a cohort of one and runs through the same code. Each model has its own optimizer; models
whose optimizers share a class and conventions are updated together in one pass with their
hyperparameters stacked (see :func:`optimlab.optim.stack_hyperparameters`).
"""

from __future__ import annotations

import collections
import contextlib
import json
import math
import numbers
import os
import sys
import threading
import time
import warnings
import zipfile
from dataclasses import asdict, dataclass, fields, replace
from types import SimpleNamespace
from typing import Any, Callable, Mapping, Sequence

import numpy as np
from threadpoolctl import threadpool_limits

from .._io import json_default, read_npz, write_npz
from ..errors import ConfigError, FileFormatError, OptimlabWarning, did_you_mean
from ..nn import MultiLayerNet, inference
from ..nn.network import MAX_CLASSES, check_labels, hidden_sizes
from ..optim import Optimizer, OptState, stack_hyperparameters
from ..optim.checks import check_elementwise
from .history import History


@dataclass(frozen=True)
class NetConfig:
    """The network. Defaults: the note's ``MultiLayerNet(784, [40, 20], 10, 'sigmoid', 0.01)``
    (input and output sizes come from the data)."""

    hidden: tuple[int, ...] = (40, 20)      # hidden_size_list
    activation: str = "sigmoid"             # 'sigmoid' | 'relu'
    init: float | str = 0.01                # weight_init_std: a number, 'xavier' or 'he'
    batchnorm: bool = False                 # use_batchnorm
    freeze_bn_affine: bool = False          # True: γ, β never updated, as in the course code behind the note

    def __post_init__(self):
        """``hidden`` as a tuple of positive ints, so that the config is hashable, JSON-ready and the same every
        time it is read (a generator would be used up)."""
        object.__setattr__(self, "hidden", hidden_sizes(self.hidden))


MAX_ITERS = 10_000_000      # 10,000 times the note's 1000 iterations: hours of training, not a typo's years


@dataclass(frozen=True)
class TrainConfig:
    """The protocol. Defaults are the note's: ``iters`` training steps of ``batch_size`` examples, drawn with
    replacement (``replace=False``: by shuffled epochs), test-set and minibatch accuracy every
    ``eval_interval`` steps (and after the last), in ``dtype`` arithmetic (``'float32'``, or ``'float64'`` as the
    note's NumPy code)."""

    iters: int = 1000           # iters_num
    batch_size: int = 100       # batch_size
    eval_interval: int = 10     # plot_interval: test and minibatch accuracy every this many iterations
    replace: bool = True        # minibatches drawn with replacement, like np.random.choice(train_size, batch_size)
    dtype: str = "float32"      # 'float32' (fast) or 'float64' (the note's precision)

    def __post_init__(self):
        for name in ("iters", "batch_size", "eval_interval"):
            v = getattr(self, name)
            if not isinstance(v, (int, np.integer)) or isinstance(v, bool) or not 1 <= v <= MAX_ITERS:
                raise ConfigError(f"invalid {name}: {v!r} (accepted: an integer from 1 to {MAX_ITERS:,})")
            object.__setattr__(self, name, int(v))   # np.int64(300) trained, then recipe.toml could not be written
        if not isinstance(self.replace, bool):
            raise ConfigError(f"invalid replace: {self.replace!r} (accepted: true or false)")
        if self.dtype not in ("float32", "float64"):
            raise ConfigError(f"invalid dtype: {self.dtype!r} (accepted: float32, float64)")

    def check_data(self, n_train: int, name: str = "the data") -> None:
        """A one-line ConfigError unless a minibatch fits in the ``n_train`` training examples (with or without
        replacement: a larger batch is a mistake, and a huge one would exhaust memory before failing)."""
        if self.batch_size > n_train:
            raise ConfigError(f"invalid batch_size: {self.batch_size} exceeds the {n_train:,} training examples of "
                              f"{name} (accepted: 1 to {n_train})")


MAX_SEED = 2**32        # a seed is an integer in [0, 2**32)
UNSCALED_ABOVE = 10.0   # a column whose inputs' root mean square is larger, after the scale, was not standardized


def check_seed(seed: Any, name: str = "seed") -> int:
    """``seed`` as an int, or a one-line ConfigError unless it is an integer in [0, 2**32) (a bool, a float or a
    string is refused: 1.7 would silently be seed 1)."""
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or not 0 <= seed < MAX_SEED:
        raise ConfigError(f"invalid {name}: {seed!r} (accepted: an integer in [0, 2**32))")
    return int(seed)


@dataclass(frozen=True)
class TrainArrays:
    """What :class:`Trainer` trains and evaluates on, checked: images ``(N, D)``, labels as class indices."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray | None
    y_test: np.ndarray | None
    val: tuple[np.ndarray, np.ndarray] | None
    n_classes: int


DATA_KEYS_SHOWN = ("x_train", "y_train", "x_test", "y_test", "scale", "name", "n_classes")
DATA_KEYS = frozenset(DATA_KEYS_SHOWN + ("t_train", "t_test", "image_shape"))     # the book's names too


def as_data(data: Any) -> Any:
    """``data`` as an object with ``x_train``, ``y_train``, ``x_test``, ``y_test`` attributes: a Dataset or any such
    object as it is; what the note's ``load_mnist`` returns, ``((x_train, t_train), (x_test, t_test))``, or a dict
    with those four keys, wrapped."""
    if isinstance(data, dict) and not set(data) <= DATA_KEYS:     # a misspelt "scael" or "nmae" was dropped unseen
        key = next(k for k in data if k not in DATA_KEYS)
        raise ConfigError(f"invalid data: key {key!r} is not one optimlab reads (accepted: {', '.join(DATA_KEYS_SHOWN)}"
                          f"{did_you_mean(str(key), DATA_KEYS_SHOWN)})")
    if isinstance(data, dict) and {"x_train", "t_train"} <= set(data) and "y_train" not in data:   # the book's names
        data = {("y" + k[1:] if k in ("t_train", "t_test") else k): v for k, v in data.items()}
    if isinstance(data, dict) and {"x_train", "y_train", "x_test", "y_test"} <= set(data):
        return SimpleNamespace(**data)
    if (isinstance(data, (tuple, list)) and len(data) == 2
            and all(isinstance(pair, (tuple, list)) and len(pair) == 2 for pair in data)):
        (x_train, y_train), (x_test, y_test) = data
        return SimpleNamespace(x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)
    return data


def check_data(data: Any, test: bool = True, val: Any = None) -> TrainArrays:
    """``data``'s arrays as :class:`TrainArrays`, or a one-line ConfigError unless they are what :class:`Trainer`
    needs. Labels may be class indices or one-hot rows (the note's ``one_hot_label=True``); lists are arrays.
    Integer pixels need ``data.scale`` (1/255 for bytes): unscaled, 0–255 inputs saturate the sigmoids and train
    badly without any error."""
    needed = ("x_train", "y_train") + (("x_test", "y_test") if test else ())
    missing = [a for a in needed if not hasattr(data, a)]
    if missing:
        raise ConfigError(f"invalid data: a {type(data).__name__} without {', '.join(missing)} (accepted: a Dataset "
                          "from optimlab.data.load_dataset, load_mnist()'s ((x_train, t_train), (x_test, t_test)), "
                          "or an object or dict with x_train, y_train, x_test, y_test and, for integer pixels, "
                          "scale)")
    n_classes = getattr(data, "n_classes", None)
    if n_classes is None and np.ndim(data.y_train) == 2:
        n_classes = np.shape(data.y_train)[1]                 # one-hot rows: their width is the class count
    if isinstance(n_classes, (np.ndarray, np.generic)) and np.ndim(n_classes) == 0:
        n_classes = n_classes.item()                          # dict(np.load("own.npz")) gives a 0-d array
    # 10**12 was refused as "invalid hidden sizes: [40, 20]" by the memory check (a review): the count is named
    if n_classes is not None and (isinstance(n_classes, (bool, np.bool_)) or not isinstance(n_classes, numbers.Real)
                                  or not float(n_classes).is_integer() or not 1 <= n_classes <= MAX_CLASSES):
        raise ConfigError(f"invalid n_classes: {n_classes!r:.40} (accepted: a whole number from 1 to {MAX_CLASSES:,}, "
                          "the number of classes)")

    def pixels(x: np.ndarray, what: str) -> None:
        """Unscaled pixels, without a scale: non-negative whole numbers up to 16 or more (integers, or floats in the
        first 1000 rows: load_mnist(normalize=False) cast to float32, or digits' 0–16; they trained RMSProp on
        mnist-5k to 0.62 test accuracy instead of 0.88, silently). Counts or ordinal codes below 16, and numbers
        below 0, are data (integer codes 0–2 were refused as pixels, the same values as floats not: a review)."""
        if hasattr(data, "scale") or not x.size:
            return
        head = x if x.dtype.kind in "iu" else x[:1000]
        top = head.max()
        if top >= 16 and head.min() >= 0 and (x.dtype.kind in "iu" or bool(np.all(head == np.round(head)))):
            raise ConfigError(f"invalid data: {what} holds whole numbers up to {top:g} and no scale (accepted: a "
                              "scale attribute or key, e.g. 1/255 for pixels — scale=1 keeps the values as they are — "
                              "or floats in [0, 1] as load_mnist(normalize=True) gives)")

    def images(x: Any, what: str, width: int | None) -> np.ndarray:
        x = np.asarray(x)
        if x.ndim != 2 or x.dtype.kind not in "iuf" or x.size == 0 or (width is not None and x.shape[1] != width):
            raise ConfigError(f"invalid {what}: an array of {x.dtype} with shape {x.shape} (accepted: flattened images "
                              f"as numbers, (N, {'features' if width is None else width}), N >= 1"
                              f"{', features >= 1' if width is None else ''})")     # (200, 0): a traceback (a review)
        if x.dtype.kind == "f" and not np.isfinite(x).all():      # else every run would "diverge" on the data
            row, col = (int(i[0]) for i in np.nonzero(~np.isfinite(x)))
            raise ConfigError(f"invalid {what}: {x[row, col]} at row {row}, column {col} (accepted: finite numbers)")
        return x

    if val is not None and not (isinstance(val, (tuple, list)) and len(val) == 2):
        raise ConfigError(f"invalid val: a {type(val).__name__} (accepted: a pair (x_val, y_val))")
    scale = getattr(data, "scale", 1.0)
    if isinstance(scale, np.ndarray) and scale.ndim == 0:
        scale = scale.item()
    if isinstance(scale, bool) or not isinstance(scale, (int, float, np.integer, np.floating)) \
            or not (math.isfinite(scale) and scale > 0):       # "1/255" as text, None: a traceback of float()
        raise ConfigError(f"invalid data scale: {scale!r:.40} (accepted: a positive number, e.g. 1/255 for pixels; "
                          "1 keeps the values as they are)")
    x = images(data.x_train, "x_train", None)
    pixels(x, "x_train")
    # raw features (breast-cancer's reach 4254): a column's root mean square, not one outlier of standardized data
    with np.errstate(over="ignore", invalid="ignore"):
        rms = np.sqrt(np.mean(np.square(x[:1000] * float(scale), dtype=np.float64), axis=0))
    if rms.size and not np.all(np.isfinite(rms)):           # scale 1e300: every run "diverged" after NumPy's warnings
        raise ConfigError(f"invalid data scale: {scale!r} (accepted: a scale that keeps x_train finite; x_train × "
                          f"{scale:g} overflows)")
    if rms.size and rms.max() > UNSCALED_ABOVE:
        col = int(np.argmax(rms))
        warnings.warn(f"x_train's column {col} has a root mean square of {rms[col]:.4g} after scaling: the network "
                      "learns poorly from inputs far from 1 (its sigmoid units saturate; raw breast-cancer features "
                      "trained Adam to predict only the majority class); standardize each feature with the training "
                      "set's mean and standard deviation, the same for x_test", OptimlabWarning, stacklevel=3)
    y = check_labels(data.y_train, "y_train", len(x), n_classes)
    counts = np.bincount(y.astype(np.intp, copy=False))     # labels are below MAX_CLASSES (check_labels)
    used = np.flatnonzero(counts)
    if len(used) == 1:      # a 1-output network, accuracy 1.0 for every run, without a word (a review)
        raise ConfigError(f"invalid y_train: every label is {int(used[0])}, one class (accepted: labels of at least 2 "
                          "classes; a classifier has nothing to tell apart in one)")
    # the labels 0 .. max that no example has (a count per label, not np.unique: no sort, and NumPy 2.4's unique
    # imports numpy.ma, 10–20 ms before the first step of a fresh process)
    n_unused = len(counts) - len(used)
    unused = np.flatnonzero(counts == 0)[:7].tolist()
    if n_classes is None and unused:        # never-seen classes get outputs: 1-based labels, or {0, 3, 6}
        advice = "if the labels count from 1, subtract 1" if unused == [0] and n_unused == 1 else \
            f"renumber them 0 to {len(used) - 1}: np.unique(y, return_inverse=True)[1]"
        warnings.warn(f"y_train has no label {', '.join(map(str, unused[:6]))}{' …' if n_unused > 6 else ''} "
                      f"(labels {int(y.min())} to {int(y.max())}): the network gets {int(y.max()) + 1} outputs, "
                      f"classes it never sees included; {advice} (or set data.n_classes)", OptimlabWarning,
                      stacklevel=3)
    n_classes = int(n_classes) if n_classes is not None else int(y.max()) + 1
    sets = {}
    for what, pair in (("test", (data.x_test, data.y_test) if test else None), ("val", val)):
        if pair is not None:
            xs = images(pair[0], f"x_{what}", x.shape[1])
            pixels(xs, f"x_{what}")                   # x_train / 255 beside an unscaled x_test: refused too
            sets[what] = (xs, check_labels(pair[1], f"y_{what}", len(xs), n_classes))
    x_test, y_test = sets.get("test", (None, None))
    return TrainArrays(x, y, x_test, y_test, sets.get("val"), n_classes)


def default_labels(optimizers: Sequence[Optimizer]) -> list[str]:
    """Optimizer names as labels; a name used more than once gets its lr (``adam lr=0.001``), then a number."""
    names = [o.name for o in optimizers]
    labels = [n if names.count(n) == 1 else f"{n} lr={np.asarray(o.lr).tolist():g}" if np.ndim(o.lr) == 0 else n
              for n, o in zip(names, optimizers)]
    return [s if labels.count(s) == 1 else f"{s} #{labels[:i].count(s) + 1}" for i, s in enumerate(labels)]


def seed_streams(seed: int) -> tuple[np.random.Generator, np.random.Generator]:
    """Two independent generators from one seed: (initial weights, minibatch sequence).

    Every model trained with seed ``s`` starts from the same weights and sees the same minibatches,
    whatever its optimizer (common random numbers)."""
    init_ss, batch_ss = np.random.SeedSequence(int(seed)).spawn(2)
    return np.random.default_rng(init_ss), np.random.default_rng(batch_ss)


class BatchSampler:
    """Minibatch indices from a seeded generator, with replacement (the note) or by shuffled epochs."""

    def __init__(self, n: int, batch_size: int, rng: np.random.Generator, replace: bool = True):
        if not replace and batch_size > n:
            raise ConfigError(f"batch size {batch_size} exceeds the {n} training examples (accepted: <= {n})")
        self.n, self.batch_size, self.rng, self.replace = n, batch_size, rng, replace
        self.perm = np.zeros(0, dtype=np.int64)
        self.pos = 0

    def next(self) -> np.ndarray:
        if self.replace:
            return self.rng.integers(0, self.n, size=self.batch_size)
        if self.pos + self.batch_size > len(self.perm):      # a new epoch: integer bookkeeping, no floats
            self.perm, self.pos = self.rng.permutation(self.n), 0
        idx = self.perm[self.pos:self.pos + self.batch_size]
        self.pos += self.batch_size
        return idx

    def get_state(self) -> tuple[dict[str, Any], np.ndarray]:
        return {"rng": self.rng.bit_generator.state, "pos": self.pos}, self.perm

    def set_state(self, meta: dict[str, Any], perm: np.ndarray) -> None:
        self.rng.bit_generator.state = meta["rng"]
        self.pos, self.perm = int(meta["pos"]), perm.astype(np.int64)


@dataclass
class _Group:
    rows: slice
    opt: Optimizer
    state: OptState


TRAINER_KEYWORDS = ("net", "train", "seed", "val", "test", "callbacks")


def _groups(optimizers: Sequence[Optimizer], net: MultiLayerNet) -> list[_Group]:
    """Consecutive models whose optimizers share class and conventions are updated together."""
    groups, start = [], 0
    for k in range(1, len(optimizers) + 1):
        if k == len(optimizers) or not _same_kind(optimizers[k], optimizers[start]):
            checked = set()
            for o in optimizers[start:k]:       # each setting: one that makes NaN at its settings is refused alike
                settings = repr(o.hyperparameters())        # wherever it stands in the group (a review)
                if settings not in checked:
                    checked.add(settings)
                    check_elementwise(o)
            opt = stack_hyperparameters(list(optimizers[start:k]), ndim=2, dtype=net.dtype)
            rows = slice(start, k)
            groups.append(_Group(rows, opt, opt.init(net.trainable()[rows])))
            start = k
    return groups


def _same_kind(a: Optimizer, b: Optimizer) -> bool:
    return type(a) is type(b) and all(getattr(a, c) == getattr(b, c) for c in a.conventions)


class Trainer:
    """Trains ``len(optimizers)`` models on one minibatch stream, in lockstep.

    ``net`` is one :class:`NetConfig` for all models, or one per model; per-model settings may differ only
    in ``batchnorm`` (see :class:`optimlab.nn.MultiLayerNet`).

    ``data`` needs ``x_train, y_train, x_test, y_test`` (images as integers or floats, flattened) and
    ``scale`` (pixels × scale ∈ [0, 1]). ``val=(x, y)`` adds validation accuracy (``extra['val_acc']``);
    ``test=False`` never evaluates on the test set.
    ``callbacks`` are called as ``cb(trainer)`` after every update (telemetry uses this).
    """

    def __init__(self, data, optimizers: Sequence[Optimizer], labels: Sequence[str] | None = None, *,
                 net: NetConfig | Sequence[NetConfig] = NetConfig(), train: TrainConfig = TrainConfig(), seed: int = 0,
                 val: tuple[np.ndarray, np.ndarray] | None = None, test: bool = True,
                 callbacks: Sequence[Callable[["Trainer"], None]] = (), **unknown: Any):
        if unknown:         # Trainer(data, opts, iters=500), as compare() takes it: a TypeError named no way on
            key = next(iter(unknown))
            where = {f.name: f"train=TrainConfig({f.name}=…)" for f in fields(TrainConfig)}
            where.update({f.name: f"net=NetConfig({f.name}=…)" for f in fields(NetConfig)})
            hint = f"; {key} goes in {where[key]}" if key in where else did_you_mean(key, list(TRAINER_KEYWORDS))
            raise ConfigError(f"unknown keyword for Trainer: {key!r} (accepted: {', '.join(TRAINER_KEYWORDS)}{hint})")
        for what, value in (("optimizers", optimizers), ("labels", labels)):
            if isinstance(value, Mapping):        # list(dict) would quietly keep only its keys
                raise ConfigError(f"invalid {what}: a dict {dict(value)!r:.80} (accepted: a list, e.g. "
                                  + ("[make_optimizer('adam', lr=1e-3)])" if what == "optimizers" else "['a', 'b'])"))
        optimizers = [optimizers] if isinstance(optimizers, Optimizer) else list(optimizers)
        if not optimizers or not all(isinstance(o, Optimizer) for o in optimizers):
            bad = next((o for o in optimizers if not isinstance(o, Optimizer)), None)
            raise ConfigError(f"invalid optimizers: {'none given' if not optimizers else repr(bad)} (accepted: "
                              "one or more optimizers, e.g. [make_optimizer('adam'), make_optimizer('sgd')])")
        labels = [labels] if isinstance(labels, str) else labels
        if labels is not None and (len(labels) != len(optimizers) or not all(isinstance(s, str) for s in labels)):
            raise ConfigError(f"invalid labels: {list(labels)!r} for {len(optimizers)} optimizers (accepted: one "
                              "string per optimizer, or None for their names)")
        for what, value, kind in (("train", train, TrainConfig), ("net", net, NetConfig)):
            ok = isinstance(value, kind) or (what == "net" and isinstance(value, (list, tuple))
                                              and all(isinstance(n, NetConfig) for n in value))
            if not ok:
                raise ConfigError(f"invalid {what}: {value!r} (accepted: a {kind.__name__}(...)"
                                  + (", or one per optimizer)" if what == "net" else ")"))
        self.seed = check_seed(seed)
        data = as_data(data)
        # compare(data=...)'s arrays were checked once, for all its cohorts (their warnings said once)
        from ..data.own import OwnData        # lazily: the data package checks arrays with this module

        arrays = data.arrays if isinstance(data, OwnData) and val is None else check_data(data, test, val)
        n_classes = arrays.n_classes
        train.check_data(len(arrays.y_train), getattr(data, "name", "the data"))
        self.data, self.arrays, self.config = data, arrays, train
        self.labels = list(labels) if labels is not None else default_labels(optimizers)
        repeated = sorted({s for s in self.labels if self.labels.count(s) > 1})
        if repeated:                              # results are keyed by label: one would hide the other
            raise ConfigError(f"invalid labels: {', '.join(map(repr, repeated))} given to more than one optimizer "
                              f"(accepted: one label each, e.g. labels=['adam 1e-3', 'adam 1e-2'])")
        self.optimizers = optimizers
        self.callbacks = list(callbacks)
        K = len(self.optimizers)
        init_rng, batch_rng = seed_streams(self.seed)
        # every model draws its start from a copy of the same generator: same seed, same weights
        state = init_rng.bit_generator.state
        rngs = []
        for _ in range(K):
            r = np.random.default_rng(0)
            r.bit_generator.state = state
            rngs.append(r)
        nets = [net] * K if isinstance(net, NetConfig) else list(net)
        if len(nets) != K or any(replace(n, batchnorm=False) != replace(nets[0], batchnorm=False) for n in nets):
            raise ConfigError("models trained together must share their network except batchnorm "
                              f"(got {len(nets)} network settings for {K} models)")
        self.net_configs = nets
        self.net = MultiLayerNet(arrays.x_train.shape[1], nets[0].hidden, n_classes, activation=nets[0].activation,
                                 weight_init_std=nets[0].init, use_batchnorm=[n.batchnorm for n in nets], n_models=K,
                                 dtype=train.dtype, rng=rngs, freeze_bn_affine=nets[0].freeze_bn_affine)
        self.groups = _groups(self.optimizers, self.net)
        self.sampler = BatchSampler(len(arrays.y_train), train.batch_size, batch_rng, train.replace)
        self.dtype = np.dtype(train.dtype)
        self.scale = self.dtype.type(getattr(data, "scale", 1.0))
        # the evaluation sets are laid out for the eval path once, when first needed (see eval_sets);
        # test=False: never look at the test set (tuning on a validation split)
        self._eval_sources = {"test": (arrays.x_test, arrays.y_test) if test else None, "val": arrays.val}
        self._eval_sets: dict[str, inference.EvalSet | None] = {}
        self._eval_lock = threading.Lock()         # this Trainer's own: another's build never waits for it
        self.iteration = 0
        self.elapsed = 0.0
        self.model_seconds = np.zeros(K)       # each model's share of the training steps' time (see step)
        self.histories = [History(label) for label in self.labels]
        self.last_batch: tuple[np.ndarray, np.ndarray] | None = None

    @property
    def test_set(self) -> inference.EvalSet | None:
        """The test set laid out for evaluation (:func:`optimlab.nn.inference.eval_set`), None with ``test=False``."""
        return self.eval_sets()["test"]

    @property
    def val_set(self) -> inference.EvalSet | None:
        """The validation set laid out for evaluation, None without ``val``."""
        return self.eval_sets()["val"]

    def eval_sets(self) -> dict[str, inference.EvalSet | None]:
        """The test and validation sets as the evaluation reads them, made on the first call, in whichever thread
        makes it (the test set is 31 MB of float32 columns, ~0.1 s to write in a new process): :meth:`run` has its
        first evaluation thread make them while the first steps train, instead of before them."""
        if len(self._eval_sets) < len(self._eval_sources):
            with self._eval_lock:
                for name, source in self._eval_sources.items():
                    if name not in self._eval_sets:
                        self._eval_sets[name] = None if source is None else \
                            inference.eval_set(*source, self.dtype, self.scale)
        return self._eval_sets

    def __getstate__(self) -> dict[str, Any]:       # copy.copy / copy.deepcopy: a new lock, not the held one's copy
        return {**self.__dict__, "_eval_lock": None}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state, _eval_lock=threading.Lock())

    def _as_float(self, x: np.ndarray) -> np.ndarray:
        """``x × scale`` in the training dtype, in one pass (uint8 pixels are cast on the fly)."""
        return np.multiply(x, self.scale, dtype=self.dtype, casting="unsafe")

    # -- one iteration ------------------------------------------------------------------------------------
    def step(self) -> np.ndarray:
        """Draw a minibatch, compute every model's loss and gradient, update every model. Returns the losses.

        Each model's share of the step's time is added to :attr:`model_seconds`: the minibatch, forward and
        backward (shared by all K models) split equally, plus its optimizer's update split among the models it
        updates — so an optimizer whose rule takes more passes accrues more seconds."""
        t0 = time.perf_counter()
        idx = self.sampler.next()
        xb = self._as_float(self.arrays.x_train[idx])
        yb = self.arrays.y_train[idx]
        with np.errstate(over="ignore", invalid="ignore"):   # a diverging model is recorded below, not warned
            loss = self.net.loss_and_grad(xb, yb, checked=True)     # the data was checked at construction
            theta, grad = self.net.trainable(self.net.theta), self.net.trainable(self.net.grad)
            t1 = time.perf_counter()
            self.model_seconds += (t1 - t0) / len(self.model_seconds)
            for g in self.groups:
                try:
                    g.opt.update(theta[g.rows], grad[g.rows], g.state, checked=True)    # buffers made here
                except Exception as e:
                    with contextlib.suppress(AttributeError):    # (an exception class with __slots__ takes none)
                        e.raised_by = tuple(self.labels[g.rows])    # whose rule it was, for the failed runs' records
                    raise
                t2 = time.perf_counter()
                self.model_seconds[g.rows] += (t2 - t1) / (g.rows.stop - g.rows.start)
                t1 = t2
        self.iteration += 1
        self.last_batch = (xb, yb)
        for h, value in zip(self.histories, loss):
            h.loss.append(float(value))
            if h.status == "ok" and not np.isfinite(value):
                h.status, h.diverged_at = "diverged", self.iteration
        for cb in self.callbacks:
            cb(self)
        return loss

    def _eval_task(self, snap: inference.Snapshot, batch: tuple[np.ndarray, np.ndarray]) -> dict[str, np.ndarray]:
        """Accuracies of one snapshot: test set, validation set, and the minibatch of its iteration."""
        net, layers = self.net, inference.folded_layers(self.net, snap)
        acc = {name: inference.accuracy(net, snap, data, layers=layers) if data is not None else None
               for name, data in self.eval_sets().items()}
        acc["batch"] = inference.accuracy(net, snap, inference.eval_set(*batch, self.dtype), layers=layers)
        return acc

    def _record(self, iteration: int, seconds: np.ndarray, acc: dict[str, np.ndarray]) -> None:
        for k, h in enumerate(self.histories):
            h.eval_iters.append(iteration)
            if acc["test"] is not None:
                h.test_acc.append(float(acc["test"][k]))
            h.train_acc.append(float(acc["batch"][k]))
            h.extra.setdefault("wall_s", []).append(float(seconds[k]))
            if acc["val"] is not None:
                h.extra.setdefault("val_acc", []).append(float(acc["val"][k]))
            # NaN accuracy: the model's outputs were not finite after this update (the loss, computed before
            # the next update, shows it one step later, or never when this was the last step)
            no_output = any(a is not None and np.isnan(a[k]) for a in (acc["batch"], acc["test"], acc["val"]))
            if no_output and (h.diverged_at is None or iteration < h.diverged_at):
                h.diverged_at = iteration
                if h.status == "ok":
                    h.status = "diverged"

    def run(self, iters: int | None = None, progress: bool = False, desc: str = "train",
            blas_threads: int | None = 1, eval_threads: int | None = None) -> list[History]:
        """Train until iteration ``iters`` (default: the configured total), evaluating every ``eval_interval`` and
        at the end of training: the configured total, or ``iters`` past it. A run that stops short of the total
        (``iters`` smaller, to save a checkpoint) evaluates only on the interval, so that its continuation gives the
        same history as one run.

        ``blas_threads`` caps BLAS threads (None: leave as is). One thread is the default: the training
        matrices are small, and a second BLAS thread slowed training down (see benchmarks/). It also makes the
        numbers the same on every machine with the same kernels: with more threads BLAS may sum a matmul in
        another order, so under ``None`` the last bits can change with the thread count, and a chaotic run with them
        (``OPENBLAS_NUM_THREADS=2`` moved RMSProp's loss from iteration 6 on, and two of its test accuracies by
        0.001, in a review's 200 iterations). BLAS's thread count is the process's, and threadpoolctl (3.8, where
        this was seen) lets one thread at a time set it: Trainers running at once in threads of one process need one
        ``threadpool_limits(1, user_api="blas")`` around them all (benchmarks/optimlab_side.py) — otherwise the
        other threads' caps are silently not set, and the first run to end lifts its cap under the others.

        Evaluation overlaps training: at each evaluation point the weights are copied (a snapshot, a few
        hundred KB) and ``eval_threads`` background threads (default: one per CPU core this process may use,
        minus the one that trains; 1 to 8) compute the accuracies while training goes on; each uses BLAS as
        ``blas_threads`` sets it (with ``None`` and several cores, they may oversubscribe them). This thread
        lends a hand when more than 4 snapshots wait (so they cannot pile up in memory) and, when training
        ends, evaluates those still waiting beside them. Every snapshot is evaluated with the same arithmetic
        whichever thread takes it, so the histories do not depend on timing. ``eval_threads=0`` evaluates in
        this thread at each evaluation point instead. Each evaluation point's ``wall_s`` is the model's training
        seconds up to it (:attr:`model_seconds`: its share of the steps, evaluation not included).
        """
        if eval_threads is None:
            eval_threads = min(8, max(1, usable_cpus() - 1))
        if iters is not None and (not isinstance(iters, (int, np.integer)) or isinstance(iters, bool)
                                  or not 1 <= iters <= MAX_ITERS):
            raise ConfigError(f"invalid iters: {iters!r} (accepted: an integer from 1 to {MAX_ITERS:,}, or None for "
                              "the configured total)")
        total = self.config.iters if iters is None else int(iters)
        if self.iteration >= total:          # a notebook cell run again: nothing to train, said rather than silent
            warnings.warn(f"this Trainer has trained {self.iteration} iterations already, so run() trains none: "
                          f"run(iters=N) with N > {self.iteration} goes on, a new Trainer starts again",
                          OptimlabWarning, stacklevel=2)
        bar = _progress(total, self.iteration, desc) if progress else None
        t0 = time.perf_counter() - self.elapsed
        points: list[tuple[int, float]] = []
        with _blas_limit(blas_threads):            # around the evaluation threads too: they are joined inside
            evals = _Evaluations(self._eval_task, eval_threads, prepare=self.eval_sets)
            try:
                for cb in self.callbacks:         # callbacks that need the starting point (telemetry) get it
                    if hasattr(cb, "start"):
                        cb.start(self)
                while self.iteration < total:
                    self.step()
                    self.elapsed = time.perf_counter() - t0
                    if (self.iteration % self.config.eval_interval == 0 or self.iteration == self.config.iters
                            or self.iteration == total > self.config.iters):
                        points.append((self.iteration, self.model_seconds.copy()))
                        evals.submit(inference.snapshot(self.net, self.iteration), self.last_batch)
                    if bar is not None:
                        bar.update(1)
                evals.finish()
            finally:
                evals.close()
                if bar is not None:
                    bar.close()
                # also when training stops on an error or Ctrl-C: keep the evaluations already done, in order
                for (iteration, seconds), acc in zip(points, evals.done_in_order()):
                    self._record(iteration, seconds, acc)
        self.elapsed = time.perf_counter() - t0
        for h, seconds in zip(self.histories, self.model_seconds):
            h.wall_seconds = float(seconds)     # its share of the steps (see step), not an equal share of the wall
        return self.histories

    # -- checkpoints ----------------------------------------------------------------------------------------
    def save_checkpoint(self, path: str | os.PathLike) -> None:
        """Parameters, BN buffers, optimizer states, sampler RNG state and histories, in one ``.npz`` (no pickle)."""
        arrays: dict[str, np.ndarray] = {"theta": self.net.theta}
        arrays.update({f"buffer/{k}": v for k, v in self.net.buffers.items()})
        for i, g in enumerate(self.groups):
            arrays.update({f"opt{i}/{s}": v for s, v in g.state.slots.items()})
        sampler_meta, perm = self.sampler.get_state()
        arrays["sampler_perm"] = perm
        meta = {"iteration": self.iteration, "elapsed": self.elapsed, "model_seconds": self.model_seconds.tolist(),
                "counts": [g.state.count for g in self.groups],
                "sampler": sampler_meta, "histories": [h.to_dict() for h in self.histories],
                "labels": self.labels, "seed": self.seed, **self._setup()}
        arrays["__meta__"] = np.frombuffer(json.dumps(meta, default=json_default).encode(), dtype=np.uint8)
        write_npz(path, arrays)

    def _setup(self) -> dict[str, Any]:
        """What a checkpoint must have been saved with to continue here: optimizers, networks, protocol."""
        return {"net": [asdict(n) for n in self.net_configs], "train": asdict(self.config),
                "optimizers": [{"name": o.name, **o.hyperparameters()} for o in self.optimizers]}

    def load_checkpoint(self, path: str | os.PathLike) -> None:
        """Restore a checkpoint written by :meth:`save_checkpoint` into this (identically configured) trainer. A file
        that is not one (truncated, empty, another ``.npz``) or lacks an array or holds one of another shape is a
        one-line :class:`FileFormatError` naming it, and nothing is restored (a review: a bare BadZipFile or KeyError,
        the weights already overwritten; a (1, P) ``theta`` was broadcast over two models)."""
        where = os.fspath(path)
        try:
            arrays = read_npz(path)
            meta = json.loads(bytes(arrays["__meta__"]).decode())
            missing = [k for k in ("labels", "seed", "counts", "sampler", "iteration", "elapsed", "histories")
                       if k not in meta]
        except (zipfile.BadZipFile, EOFError, ValueError, KeyError, UnicodeDecodeError, TypeError) as e:
            raise FileFormatError(f"checkpoint {where!r} cannot be read: {type(e).__name__}: "
                                  f"{(str(e).splitlines() or [''])[0]} (accepted: a file Trainer.save_checkpoint "
                                  "wrote)") from None
        if missing:
            raise FileFormatError(f"checkpoint {where!r} has no {missing[0]!r} (accepted: a file "
                                  "Trainer.save_checkpoint wrote)")
        if meta["labels"] != self.labels or meta["seed"] != self.seed:
            raise ConfigError(f"checkpoint {os.fspath(path)!r} is for runs {meta['labels']} seed {meta['seed']}, "
                              f"not {self.labels} seed {self.seed}")
        now = json.loads(json.dumps(self._setup(), default=json_default))     # as JSON gives it back: tuples are lists
        for key, value in now.items():        # checked before anything is restored
            if meta.get(key) != value:
                raise ConfigError(f"checkpoint {os.fspath(path)!r} was saved with other {key}: {meta.get(key)} there, "
                                  f"{value} here (accepted: a trainer configured as the one that saved it)")
        targets = {"theta": self.net.theta, **{f"buffer/{k}": v for k, v in self.net.buffers.items()},
                   **{f"opt{i}/{s}": a for i, g in enumerate(self.groups) for s, a in g.state.slots.items()}}
        for key, target in targets.items():                # every array there, with its shape, before any is restored
            got = arrays.get(key)
            if got is None or got.shape != target.shape:
                raise FileFormatError(f"checkpoint {where!r}: {key} is "
                                      f"{'missing' if got is None else f'of shape {got.shape}'} (accepted: shape "
                                      f"{target.shape}, as the trainer that saved it had)")
        for key, target in targets.items():
            target[...] = arrays[key]
        for i, g in enumerate(self.groups):
            g.state.count = int(meta["counts"][i])
        self.sampler.set_state(meta["sampler"], arrays["sampler_perm"])
        self.iteration, self.elapsed = int(meta["iteration"]), float(meta["elapsed"])
        self.model_seconds[:] = meta.get("model_seconds", self.elapsed / len(self.model_seconds))
        self.histories = [History.from_dict(d) for d in meta["histories"]]


def _blas_limit(threads: int | None):
    """BLAS capped at ``threads`` threads for the ``with`` block (None or 0: left as it is)."""
    return threadpool_limits(threads, user_api="blas") if threads else contextlib.nullcontext()


def usable_cpus() -> int:
    """The cores this process may run on (its CPU affinity, as ``taskset`` or a container's cpuset limit it), not
    all the machine's cores that ``os.cpu_count()`` counts."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:                     # not on Linux
        return os.cpu_count() or 1


_PENDING = object()


class _Evaluations:
    """Snapshots waiting to be evaluated, taken oldest first by ``threads`` background threads.

    The training thread lends a hand, newest first: with more than ``max_waiting`` snapshots waiting (each
    holds a copy of the weights), and for all that are left when training ends. ``threads=0``: everything is
    evaluated at once in the calling thread. Results come back in submission order whoever computed them.
    An evaluation that raises stops training at the next evaluation point, with that error. ``prepare``, if
    given, is called first by the first background thread (what every evaluation needs, made while training starts).
    """

    def __init__(self, task: Callable, threads: int, max_waiting: int = 4, prepare: Callable | None = None):
        self.task, self.max_waiting, self.prepare = task, max_waiting, prepare
        self.waiting: collections.deque = collections.deque()
        self.results: list = []
        self.error: BaseException | None = None
        self.owner = threading.current_thread()
        self.closed = False
        self.cond = threading.Condition()
        self.threads = [threading.Thread(target=self._work, name=f"optimlab-eval-{i}", daemon=True)
                        for i in range(threads)]
        for t in self.threads:
            t.start()

    def _work(self) -> None:
        if self.prepare is not None and threading.current_thread() is self.threads[0]:
            self._run(None, (), self.prepare)        # while the first steps train: what every task will need
        while True:
            with self.cond:
                while not self.waiting and not self.closed:
                    self.cond.wait()
                if not self.waiting:
                    return
                i, args = self.waiting.popleft()
            self._run(i, args)

    def _run(self, i: int | None, args: tuple, task: Callable | None = None) -> None:
        try:
            out = (task or self.task)(*args)
        except BaseException as e:            # raised in the training thread, at once if it is this one
            with self.cond:
                self.error = self.error or e
                self.cond.notify_all()
            if threading.current_thread() is self.owner:
                raise
            return
        if i is not None:
            with self.cond:
                self.results[i] = out
                self.cond.notify_all()

    def _check(self) -> None:
        if self.error is not None:
            raise self.error

    def _take_newest(self):
        with self.cond:
            return self.waiting.pop() if self.waiting else None

    def submit(self, *args) -> None:
        self._check()
        with self.cond:
            self.results.append(_PENDING)
            self.waiting.append((len(self.results) - 1, args))
            self.cond.notify()
        if not self.threads:
            self._run(*self._take_newest())
        while len(self.waiting) > self.max_waiting and (item := self._take_newest()) is not None:
            self._run(*item)
        self._check()

    def finish(self) -> list:
        while (item := self._take_newest()) is not None:
            self._run(*item)
            self._check()
        with self.cond:
            while any(r is _PENDING for r in self.results) and self.error is None:
                self.cond.wait()
        self._check()
        return self.results

    def done_in_order(self) -> list:
        """The results up to the first one not (successfully) computed."""
        out = []
        for r in self.results:
            if r is _PENDING:
                break
            out.append(r)
        return out

    def close(self) -> None:
        with self.cond:
            self.closed = True
            self.waiting.clear()
            self.cond.notify_all()
        for t in self.threads:
            t.join()


def _progress(total: int, initial: int, desc: str):
    from ..progress import tqdm_class

    tqdm = tqdm_class()
    if any(c.__module__ == "tqdm.notebook" for c in tqdm.__mro__):    # in Jupyter: a widget, as wide as the cell
        return tqdm(total=total, initial=initial, desc=desc, unit="it", leave=True)
    tty = sys.stderr.isatty()
    # In a log (CI), print a line every 10 s at most rather than redrawing many times a second.
    return tqdm(total=total, initial=initial, desc=desc, unit="it", file=sys.stderr, leave=True,
                mininterval=0.2 if tty else 10.0, ncols=None if tty else 80, dynamic_ncols=tty)


def train(data, optimizers: Sequence[Optimizer], labels: Sequence[str] | None = None, **kwargs) -> list[History]:
    """Train a cohort to the end and return its histories (see :class:`Trainer`)."""
    progress = kwargs.pop("progress", False)
    return Trainer(data, optimizers, labels, **kwargs).run(progress=progress)
