"""Data of one's own: arrays given in Python (``compare(data=...)``) or an ``.npz`` file (``--dataset npz --data-dir
FILE``), checked once as :class:`optimlab.train.Trainer` checks its data, and described for summary.json.

An ``.npz`` file holds the arrays ``x_train`` ``(N, D)``, ``y_train`` ``(N,)`` (class indices, or one-hot rows),
``x_test``, ``y_test``, and may hold ``scale`` (a number: integer pixels need one, e.g. 1/255), ``name`` (text for
the figures and the report; else the file's name) and ``n_classes``::

    np.savez("breast-cancer.npz", x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)

It is read with ``allow_pickle=False``: object arrays (which only pickle can hold) are refused, never run.
"""

from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from optimlab.errors import ConfigError, DatasetError, did_you_mean

OWN_DATA = "arrays"     # what a recipe records for compare(data=...): arrays given in Python, in no file
NPZ = "npz"             # a recipe's dataset read from the .npz file its data_dir names
OWN_DATA_SOURCE = "arrays passed to compare(data=...)"
NPZ_ARRAYS = ("x_train", "y_train", "x_test", "y_test")
NPZ_OPTIONAL = {"scale": "1/255", "name": "'breast-cancer'", "n_classes": "10"}     # with an example each
NPZ_EXAMPLE = "np.savez(FILE, x_train=…, y_train=…, x_test=…, y_test=…)"


@dataclass(frozen=True, eq=False, repr=False)
class OwnData:
    """Arrays of one's own (anything :class:`optimlab.train.Trainer` takes), checked once as it checks them, with
    what summary.json records of them: ``name`` (the data's ``name``, else ``"arrays"``), sizes, ``scale``,
    ``source`` and ``sha256``, a :func:`optimlab.data.datasets.dataset_sha256` of the arrays as trained (features
    in their dtype, labels as class indices). Made by :meth:`of`; a comparison trains every cohort on it."""

    name: str
    arrays: Any             # optimlab.train.loop.TrainArrays, its arrays read-only
    scale: float
    sha256: str
    source: str = OWN_DATA_SOURCE
    notice: str | None = None

    @classmethod
    def of(cls, data: Any, source: str = OWN_DATA_SOURCE, default_name: str = OWN_DATA,
           copy: bool = True) -> "OwnData":
        """``data`` checked (a one-line ConfigError, or a warning, as Trainer gives them); an OwnData as it is.
        ``copy``: the arrays are copied (a caller's array changed later changed what trained, under the old
        digest); False for arrays no one else holds (read from a file)."""
        if isinstance(data, OwnData):
            return data
        from ..train.loop import as_data, check_data
        from .datasets import dataset_sha256

        data = as_data(data)
        arrays = check_data(data)
        name = getattr(data, "name", None)
        name = default_name if name is None else name
        if not isinstance(name, str) or not name.strip() or not name.isprintable() or len(name) > 80:
            raise ConfigError(f"invalid data name: {name!r:.60} (accepted: a line of text up to 80 characters, e.g. "
                              f"'breast-cancer', or no name: {default_name!r})")
        scale = float(getattr(data, "scale", 1.0))       # checked by check_data: a positive number
        labels = {k: np.asarray(getattr(arrays, k), dtype=np.int64) for k in ("y_train", "y_test")}   # int32 or
        arrays = replace(arrays, **labels)                  # one-hot rows: the same labels, the same digest
        arrays = replace(arrays, **{k: _read_only(getattr(arrays, k), copy) for k in NPZ_ARRAYS})
        # what else decides the numbers: the same arrays with another scale or class count trained other ones
        digest = dataset_sha256(arrays.x_train, arrays.y_train, arrays.x_test, arrays.y_test,
                                extra=f"scale={scale!r} n_classes={int(arrays.n_classes)}")
        return cls(name.strip(), arrays, scale, digest, source)

    x_train = property(lambda self: self.arrays.x_train)
    y_train = property(lambda self: self.arrays.y_train)
    x_test = property(lambda self: self.arrays.x_test)
    y_test = property(lambda self: self.arrays.y_test)
    n_classes = property(lambda self: self.arrays.n_classes)
    input_dim = property(lambda self: int(self.arrays.x_train.shape[1]))
    n_train = property(lambda self: len(self.arrays.y_train))
    n_test = property(lambda self: len(self.arrays.y_test))

    def info(self) -> dict[str, Any]:
        """JSON-ready description, as :meth:`optimlab.data.Dataset.info` gives one, with the scale."""
        from .datasets import majority_accuracy

        return {"name": self.name, "n_train": self.n_train, "n_test": self.n_test, "input_dim": self.input_dim,
                "n_classes": int(self.n_classes), "sha256": self.sha256,
                "source": self.source, "notice": self.notice, "scale": self.scale,
                "majority_accuracy": majority_accuracy(self.y_train, self.y_test)}

    def __repr__(self) -> str:
        return (f"OwnData(name={self.name!r}, n_train={self.n_train}, n_test={self.n_test}, "
                f"inputs={self.input_dim}, n_classes={self.n_classes}, sha256={self.sha256[:12]!r}…, "
                f"source={self.source!r})")


def _read_only(a: np.ndarray, copy: bool = True) -> np.ndarray:
    """``a`` C-contiguous and read-only, a copy (the caller's array stays theirs and writable, and the SHA-256 keeps
    describing what trains), or without ``copy`` a read-only view of it."""
    a = np.array(a, order="C", copy=True) if copy else np.ascontiguousarray(a).view()
    a.flags.writeable = False
    return a


def check_npz_path(path: str | os.PathLike | None) -> Path:
    """The ``.npz`` file ``--data-dir`` names for ``--dataset npz``, or a one-line error before any work."""
    if path is None:
        raise ConfigError(f"dataset 'npz' needs its file: pass --data-dir FILE.npz (data_dir='FILE.npz'), made with "
                          f"{NPZ_EXAMPLE}")
    p = Path(path)
    if not p.is_file():
        what = "is a folder" if p.is_dir() else "is not a regular file" if p.exists() else "does not exist"  # /dev/zero
        raise DatasetError(f"{p}: {what} (accepted for --dataset npz: an .npz file, made with {NPZ_EXAMPLE})")
    return p


def load_npz(path: str | os.PathLike | None) -> OwnData:
    """The arrays of an ``.npz`` file (see the module docstring), checked; its ``source`` is the file's absolute
    path (a recipe or a sweep records it, and a sweep's workers read it there)."""
    p = check_npz_path(path)
    try:
        zipped = zipfile.is_zipfile(p)
    except OSError as e:
        raise DatasetError(f"{p}: cannot be read ({type(e).__name__}: {str(e)[:80]})") from None
    if not zipped:          # np.load would read an .npy, or try pickle on anything else
        raise DatasetError(f"{p}: not an .npz file (accepted: the zip of arrays made with {NPZ_EXAMPLE})")
    try:
        with np.load(p, allow_pickle=False) as z:
            keys = list(z.files)
            known = NPZ_ARRAYS + tuple(NPZ_OPTIONAL)
            unknown = [k for k in keys if k not in known]
            if unknown:      # a misspelt "y_tset" would have been missing, and an extra array trained on by no one
                raise DatasetError(f"{p}: array {unknown[0]!r} is not one optimlab reads (accepted: "
                                   f"{', '.join(known)}{did_you_mean(unknown[0], NPZ_ARRAYS)})")
            missing = [k for k in NPZ_ARRAYS if k not in keys]
            if missing:
                raise DatasetError(f"{p}: no {', '.join(missing)} (accepted: an .npz with {', '.join(NPZ_ARRAYS)}, "
                                   f"made with {NPZ_EXAMPLE})")
            arrays = {k: z[k] for k in keys}
            raw = next((k for k, a in arrays.items() if not isinstance(a, np.ndarray)), None)
            if raw is not None:     # a member without the .npy header: NumPy gives its bytes (a data review:
                raise DatasetError(   # AttributeError: 'bytes' object has no attribute 'ndim')
                    f"{p}: {raw} is not a NumPy array (the member {raw}.npy has no .npy header; accepted: arrays "
                    f"saved with {NPZ_EXAMPLE})")
    except DatasetError:
        raise
    except ValueError as e:         # object arrays: "Object arrays cannot be loaded when allow_pickle=False"
        raise DatasetError(f"{p}: holds an array of Python objects, which only pickle can read, and optimlab loads "
                           f"no pickle (accepted: arrays of numbers; {str(e).splitlines()[0][:80]})") from None
    except (zipfile.BadZipFile, OSError, EOFError) as e:
        raise DatasetError(f"{p}: not a readable .npz file ({type(e).__name__}: {str(e)[:80]}; accepted: a file "
                           f"made with {NPZ_EXAMPLE})") from None
    for key, example in NPZ_OPTIONAL.items():
        if key in arrays:
            a = arrays[key]
            if not (a.ndim == 0 and (a.dtype.kind == "U" if key == "name" else a.dtype.kind in "iuf")):
                raise DatasetError(f"{p}: {key} is {a.dtype} with shape {a.shape} (accepted: "
                                   f"{'text' if key == 'name' else 'a number'}, e.g. np.savez(FILE, …, {key}={example}))")
            arrays[key] = a.item()
    try:                            # n_classes too is checked as for arrays passed in Python (check_data)
        return OwnData.of(arrays, source=str(p.resolve()), default_name=p.stem, copy=False)
    except ConfigError as e:        # the file is the thing to mend: say which
        raise DatasetError(f"{p}: {e}") from None
