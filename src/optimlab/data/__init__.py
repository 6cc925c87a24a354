"""Datasets by name, IDX parsing, download with pinned hashes and a cache.

>>> from optimlab.data import load_dataset
>>> ds = load_dataset("digits")            # doctest: +SKIP
>>> ds.x_train.shape, ds.scale             # doctest: +SKIP
((1438, 64), 0.0625)
"""

from optimlab.data.datasets import DATASET_NAMES, Dataset, load_dataset, load_mnist

__all__ = ["DATASET_NAMES", "Dataset", "load_dataset", "load_mnist"]
