"""The validation split: disjoint from the examples models update on and from the test set, deterministic."""

import numpy as np
import pytest

from optimlab.data import load_dataset
from optimlab.data.datasets import stratified_split
from optimlab.errors import ConfigError
from optimlab.experiment.splits import split_dataset, validation_size, validation_split
from optimlab.optim import make_optimizer
from optimlab.train import TrainConfig, Trainer


@pytest.fixture(scope="module")
def digits():
    return load_dataset("digits")


def test_sizes_follow_fraction_or_cap():
    assert validation_size(60000) == 5000          # 10 % would be 6,000: capped at 5,000
    assert validation_size(1437) == 144            # 10 %
    assert validation_size(100, 0.1, 3) == 3
    for bad in (0, 1, 1.5):
        with pytest.raises(ConfigError, match="validation fraction"):
            validation_size(100, bad)


def test_split_is_a_deterministic_stratified_partition():
    y = np.random.default_rng(3).integers(0, 10, 6000)
    tr, va = validation_split(y)
    tr2, va2 = validation_split(y)
    assert np.array_equal(va, va2) and np.array_equal(tr, tr2)
    assert len(va) == 600 and len(np.intersect1d(tr, va)) == 0
    assert np.array_equal(np.union1d(tr, va), np.arange(len(y)))
    share = np.bincount(y[va], minlength=10) / len(va)
    assert np.allclose(share, np.bincount(y, minlength=10) / len(y), atol=0.003)
    _, va3 = validation_split(y, seed=1)
    assert not np.array_equal(va, va3)


def test_validation_is_disjoint_from_training_and_test_examples(digits):
    data = split_dataset(digits)
    assert len(np.intersect1d(data.train_idx, data.val_idx)) == 0
    assert len(data.train_idx) + len(data.val_idx) == digits.n_train
    assert np.array_equal(data.x_val, digits.x_train[data.val_idx])
    assert np.array_equal(data.x_train, digits.x_train[data.train_idx])
    # indices into the original 1,797 digits: the bundled test set and the validation split never meet
    table = _original_table()
    train_orig, test_orig = stratified_split(table[:, -1].astype(np.int64))   # the bundled split, rebuilt
    assert np.array_equal(table[train_orig, :-1], digits.x_train)
    assert len(np.intersect1d(train_orig[data.val_idx], test_orig)) == 0
    assert len(np.intersect1d(train_orig[data.train_idx], test_orig)) == 0
    assert data.x_test is digits.x_test


def _original_table():
    from optimlab.data.datasets import _packaged_csv

    table = _packaged_csv("sklearn", "datasets/data/digits.csv.gz")
    if table is None:
        pytest.skip("scikit-learn's digits.csv.gz not found")
    return table


def test_training_batches_never_index_validation_examples(digits):
    data = split_dataset(digits)
    trainer = Trainer(data, [make_optimizer("sgd", lr=0.1), make_optimizer("adam", lr=0.01)],
                      train=TrainConfig(iters=200, batch_size=100, eval_interval=100), seed=5, val=data.val)
    drawn = []
    sample = trainer.sampler.next
    trainer.sampler.next = lambda: drawn.append(idx := sample()) or idx
    trainer.run()
    used = data.train_idx[np.concatenate(drawn)]                # positions in the original training set
    assert len(drawn) == 200 and used.max() < digits.n_train
    assert not np.isin(used, data.val_idx).any()
    assert len(np.unique(used)) > 0.9 * len(data.train_idx)     # and they do cover the training part
    assert trainer.histories[0].extra["val_acc"]                 # validation accuracy recorded
