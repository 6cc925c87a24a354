"""A validation split carved from the training set, for tuning without looking at the test set.

The split is a function of the labels and a fixed seed only: every process (a Dask worker on another
machine included) that loads the same dataset gets the same indices. Models train on the rest of the
training set; the test set is never touched by the split and is used only to report.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..data.datasets import majority_accuracy
from ..data.own import OwnData
from ..errors import ConfigError

SPLIT_SEED = 0          # seed of the validation split: fixed, so a split never depends on a run's seed
VAL_FRACTION = 0.1      # share of the training set held out for validation ...
VAL_MAX = 5000          # ... but never more than this many examples (MNIST: 5,000 of 60,000)


def validation_size(n: int, fraction: float = VAL_FRACTION, max_size: int = VAL_MAX) -> int:
    """``min(round(fraction * n), max_size)``, at least 1 and leaving at least one training example."""
    if not 0 < fraction < 1:
        raise ConfigError(f"invalid validation fraction: {fraction!r} (accepted: a number in (0, 1))")
    if not isinstance(max_size, (int, np.integer)) or max_size < 1:
        raise ConfigError(f"invalid validation max_size: {max_size!r} (accepted: an integer >= 1)")
    if n < 2:
        raise ConfigError(f"cannot carve a validation split from {n} training examples (accepted: at least 2)")
    return int(min(max(1, round(fraction * n)), max_size, n - 1))


def validation_split(y: np.ndarray, fraction: float = VAL_FRACTION, max_size: int = VAL_MAX,
                     seed: int = SPLIT_SEED) -> tuple[np.ndarray, np.ndarray]:
    """Stratified, deterministic ``(train_idx, val_idx)`` of the labels ``y``, both sorted.

    Each class gives its share of the ``validation_size`` examples (largest remainders settle the
    rounding), chosen by a permutation drawn from ``seed``.
    """
    y = np.asarray(y)
    n_val = validation_size(len(y), fraction, max_size)
    rng = np.random.default_rng(seed)
    classes, counts = np.unique(y, return_counts=True)
    if n_val < len(classes):     # tuning on 1 image (fraction 1e-12) chose every lr from a val accuracy of 0 or 1
        need = min(len(classes) / len(y) * 1.5, 0.5)
        raise ConfigError(f"invalid validation split: fraction {fraction!r} and max_size {max_size} give {n_val} "
                          f"validation examples for {len(classes)} classes (accepted: at least one per class, e.g. "
                          f"fraction {need:.2g} here)")
    quota = n_val * counts / len(y)
    take = np.floor(quota).astype(int)
    order = np.argsort(-(quota - take), kind="stable")        # largest remainders first
    take[order[:n_val - take.sum()]] += 1
    val = [rng.permutation(np.flatnonzero(y == c))[:k] for c, k in zip(classes, take)]
    val_idx = np.sort(np.concatenate(val)).astype(np.int64)
    mask = np.ones(len(y), dtype=bool)
    mask[val_idx] = False
    return np.flatnonzero(mask).astype(np.int64), val_idx


@dataclass(frozen=True, eq=False, repr=False)
class SplitData:
    """A dataset with part of its training set held out: what :class:`optimlab.train.Trainer` needs.

    ``x_train, y_train`` are the examples models update on; ``x_val, y_val`` the held-out ones;
    ``train_idx, val_idx`` their positions in the original training set; the test set is the original one.
    """

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    train_idx: np.ndarray
    val_idx: np.ndarray
    scale: float
    n_classes: int
    sha256: str                 # the original dataset's
    split: dict[str, Any]       # fraction, max_size, seed, n_train, n_val
    source: str = ""            # where the original dataset came from
    notice: str | None = None   # the loader's note, e.g. what 'auto' fell back to
    own: bool = False           # arrays of one's own (optimlab.data.own.OwnData): their scale is recorded, as compare's

    @property
    def input_dim(self) -> int:
        return int(self.x_train.shape[1])

    @property
    def val(self) -> tuple[np.ndarray, np.ndarray]:
        return self.x_val, self.y_val

    def info(self) -> dict[str, Any]:
        return {"name": self.name, "n_train": len(self.y_train), "n_val": len(self.y_val), "n_test": len(self.y_test),
                "input_dim": self.input_dim, "n_classes": self.n_classes, "sha256": self.sha256,
                "split": dict(self.split), "source": self.source, "notice": self.notice,
                **({"scale": self.scale} if self.own else {}),
                # chance on the validation split (tuning) and the test set (the fresh seeds): the larger
                "majority_accuracy": majority_accuracy(self.y_train, self.y_val, self.y_test)}

    def __repr__(self) -> str:
        return (f"SplitData(name={self.name!r}, n_train={len(self.y_train)}, n_val={len(self.y_val)}, "
                f"n_test={len(self.y_test)})")


def split_dataset(ds, fraction: float = VAL_FRACTION, max_size: int = VAL_MAX, seed: int = SPLIT_SEED) -> SplitData:
    """Hold out a validation split of ``ds`` (an :class:`optimlab.data.Dataset`); see :func:`validation_split`."""
    train_idx, val_idx = validation_split(ds.y_train, fraction, max_size, seed)
    split = {"fraction": fraction, "max_size": int(max_size), "seed": int(seed), "n_train": len(train_idx),
             "n_val": len(val_idx), "stratified": True}
    return SplitData(name=ds.name, x_train=ds.x_train[train_idx], y_train=ds.y_train[train_idx],
                     x_val=ds.x_train[val_idx], y_val=ds.y_train[val_idx], x_test=ds.x_test, y_test=ds.y_test,
                     train_idx=train_idx, val_idx=val_idx, scale=float(ds.scale), n_classes=int(ds.n_classes),
                     sha256=getattr(ds, "sha256", ""), split=split, source=str(getattr(ds, "source", "")),
                     notice=getattr(ds, "notice", None), own=isinstance(ds, OwnData))
