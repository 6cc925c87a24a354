"""Helpers shared by the data tests (a uniquely named module, importable beside other test folders)."""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

import numpy as np
import pytest

from optimlab.data import remote as _remote
from optimlab.data.idx import IDX_STEMS, write_idx


def synthetic_arrays(seed=0, n_train=30, n_test=12, shape=(4, 5), n_classes=3):
    rng = np.random.default_rng(seed)
    return (
        rng.integers(0, 256, size=(n_train, *shape), dtype=np.uint8),
        np.arange(n_train, dtype=np.uint8) % n_classes,
        rng.integers(0, 256, size=(n_test, *shape), dtype=np.uint8),
        np.arange(n_test, dtype=np.uint8) % n_classes,
    )


def write_idx_folder(folder: Path, arrays=None, *, gz=True) -> Path:
    """Write the four standard-named IDX files of ``arrays`` (default: synthetic) into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for stem, a in zip(IDX_STEMS, arrays if arrays is not None else synthetic_arrays()):
        write_idx(folder / (stem + ".gz" if gz else stem), a)
    return folder


def pins_for(folder: Path, name="mnist", mirrors=()) -> _remote.Remote:
    """A Remote whose pins are the real hashes of the synthetic .gz files in ``folder``."""
    files = []
    for stem in IDX_STEMS:
        gz = (folder / (stem + ".gz")).read_bytes()
        files.append(
            _remote.PinnedFile(stem, hashlib.sha256(gz).hexdigest(), hashlib.sha256(gzip.decompress(gz)).hexdigest())
        )
    return _remote.Remote(name, tuple(mirrors), tuple(files))


FASHION_DIR = Path("/usr/share/datasets/fashion-mnist")
needs_fashion = pytest.mark.skipif(
    not all((FASHION_DIR / f"{s}.gz").is_file() for s in IDX_STEMS),
    reason="Debian package dataset-fashion-mnist not installed",
)
