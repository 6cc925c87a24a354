"""The IDX parser: round trips, and one clear DatasetError naming the file for every malformed input."""

from __future__ import annotations

import gzip

import numpy as np
import pytest
from _optimlab_data_helpers import synthetic_arrays, write_idx_folder

from optimlab.data.idx import (
    IMAGES_MAGIC,
    LABELS_MAGIC,
    TEST_IMAGES,
    TRAIN_IMAGES,
    TRAIN_LABELS,
    find_idx_files,
    parse_idx,
    read_idx,
    read_idx_folder,
    write_idx,
)
from optimlab.errors import DatasetError


def idx_bytes(array: np.ndarray, magic_dtype: int = 0x08) -> bytes:
    header = bytes([0, 0, magic_dtype, array.ndim]) + b"".join(n.to_bytes(4, "big") for n in array.shape)
    return header + array.astype(np.uint8).tobytes()


@pytest.mark.parametrize("suffix", ["", ".gz"])
def test_round_trip_raw_and_gz(tmp_path, suffix):
    images, labels, _, _ = synthetic_arrays()
    write_idx(tmp_path / f"img{suffix}", images)
    write_idx(tmp_path / f"lab{suffix}", labels)
    got = read_idx(tmp_path / f"img{suffix}", magic=IMAGES_MAGIC)
    assert got.dtype == np.uint8 and got.shape == images.shape
    np.testing.assert_array_equal(got, images)
    np.testing.assert_array_equal(read_idx(tmp_path / f"lab{suffix}", magic=LABELS_MAGIC), labels)


def test_header_is_big_endian_and_exact():
    a = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    data = idx_bytes(a)
    assert data[:4] == b"\x00\x00\x08\x03" and data[4:8] == b"\x00\x00\x00\x02"
    np.testing.assert_array_equal(parse_idx(data, magic=IMAGES_MAGIC), a)


IMAGES = np.zeros((3, 4, 5), dtype=np.uint8)


@pytest.mark.parametrize(
    "name, content, magic, words",
    [
        ("bad-magic", b"\x12\x34" + idx_bytes(IMAGES)[2:], IMAGES_MAGIC, ["bad magic number 0x12340803", "0x00000803"]),
        ("bad-dtype", idx_bytes(IMAGES, 0x0D), None, ["data type 0x0d", "0x08"]),
        ("2d-images", idx_bytes(IMAGES[:, 0]), IMAGES_MAGIC, ["0x00000802", "expected 0x00000803"]),
        ("images-as-labels", idx_bytes(IMAGES), LABELS_MAGIC, ["0x00000803", "expected 0x00000801"]),
        ("truncated-data", idx_bytes(IMAGES)[:-7], IMAGES_MAGIC, ["truncated", "(3, 4, 5)", "60 bytes"]),
        ("truncated-header", idx_bytes(IMAGES)[:9], IMAGES_MAGIC, ["truncated"]),
        ("tiny", b"\x00\x00", None, ["truncated"]),
        ("trailing", idx_bytes(IMAGES) + b"xx", IMAGES_MAGIC, ["2 bytes after the data"]),
        ("gzip-without-suffix", gzip.compress(idx_bytes(IMAGES)), IMAGES_MAGIC, ["gzip", ".gz"]),
        # a zero dimension (a traceback from NumPy), sizes whose product overflows int64 (it wrapped to 0 bytes)
        ("zero-dimension", bytes([0, 0, 8, 3]) + b"".join(n.to_bytes(4, "big") for n in (600, 0, 28)), IMAGES_MAGIC,
         ["shape (600, 0, 28)", "at least 1"]),
        ("overflowing-size", bytes([0, 0, 8, 3]) + b"".join(n.to_bytes(4, "big") for n in (2**31, 2**31, 4)),
         IMAGES_MAGIC, ["truncated", "(2147483648, 2147483648, 4) (18446744073709551616 bytes)"]),
    ],
)
def test_malformed_raw_files(tmp_path, name, content, magic, words):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(DatasetError) as e:
        read_idx(path, magic=magic)
    message = str(e.value)
    assert str(path) in message and "\n" not in message
    for w in words:
        assert w in message


@pytest.mark.parametrize(
    "content, words",
    [
        (idx_bytes(IMAGES), ["not a gzip file"]),
        (gzip.compress(idx_bytes(IMAGES))[:-12], ["corrupt or truncated gzip"]),
        (b"\x1f\x8b" + b"garbage" * 5, ["corrupt or truncated gzip"]),
    ],
)
def test_malformed_gz_files(tmp_path, content, words):
    path = tmp_path / f"{TRAIN_IMAGES}.gz"
    path.write_bytes(content)
    with pytest.raises(DatasetError) as e:
        read_idx(path, magic=IMAGES_MAGIC)
    assert str(path) in str(e.value) and all(w in str(e.value) for w in words)


def test_folder_reads_and_prefers_gz(tmp_path):
    arrays = synthetic_arrays()
    folder = write_idx_folder(tmp_path / "d", arrays)
    write_idx(folder / TRAIN_IMAGES, arrays[0][:1])  # a raw twin that must be ignored
    got = read_idx_folder(folder)
    assert got.files[TRAIN_IMAGES].name == TRAIN_IMAGES + ".gz"
    for a, b in zip(arrays, (got.x_train, got.y_train, got.x_test, got.y_test)):
        np.testing.assert_array_equal(a, b)
    assert len(got.content_sha256) == 4


def test_folder_missing_file(tmp_path):
    folder = write_idx_folder(tmp_path / "d")
    (folder / f"{TRAIN_LABELS}.gz").unlink()
    with pytest.raises(DatasetError, match="missing IDX file.*train-labels-idx1-ubyte"):
        read_idx_folder(folder)
    assert find_idx_files(tmp_path / "nowhere") == {}


def test_folder_count_mismatch(tmp_path):
    x, y, xt, yt = synthetic_arrays()
    folder = write_idx_folder(tmp_path / "d", (x, y[:-1], xt, yt))
    with pytest.raises(DatasetError) as e:
        read_idx_folder(folder)
    assert "29 labels for 30 images" in str(e.value) and TRAIN_LABELS in str(e.value)


def test_folder_image_size_mismatch(tmp_path):
    x, y, xt, yt = synthetic_arrays()
    folder = write_idx_folder(tmp_path / "d", (x, y, xt[:, :3], yt))
    with pytest.raises(DatasetError, match=f"{TEST_IMAGES}.*same size"):
        read_idx_folder(folder)


def test_a_file_whose_data_runs_past_its_header_is_refused_without_reading_it_all(tmp_path, monkeypatch):
    """A hostile-input review: a 5 MB .gz that expands to 5 GB after a header of 200 small images, or a 6 GB raw file
    whose header says 64 bytes, was read whole (3.8 GB, then a MemoryError traceback). The header bounds the read."""
    import tracemalloc

    import optimlab.data.idx as idx

    header = bytes([0, 0, 8, 1]) + (64).to_bytes(4, "big")
    bomb = tmp_path / f"{TRAIN_IMAGES}.gz"
    bomb.write_bytes(gzip.compress(header + bytes(64) + bytes(64 * 2**20), compresslevel=1))   # 64 MB of zeros
    tracemalloc.start()
    try:
        with pytest.raises(DatasetError, match=r"more than 1,048,576 bytes after the data of shape \(64,\); not a "
                                               r"valid IDX file"):
            idx.read_bytes(bomb)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 * 2**20, peak                      # not the 64 MB behind the header
    raw = tmp_path / TRAIN_LABELS
    with open(raw, "wb") as f:                          # a sparse file: 1 GB that takes no disk
        f.write(header + bytes(64))
        f.truncate(2**30)
    with pytest.raises(DatasetError, match="more than 1,048,576 bytes after the data"):
        idx.read_bytes(raw)
    small = tmp_path / "small"
    small.write_bytes(header + bytes(64) + b"xx")       # a short tail is still counted exactly
    with pytest.raises(DatasetError, match="2 bytes after the data"):
        read_idx(small)
    monkeypatch.setattr(idx, "MAX_IDX_BYTES", 1000)
    big = tmp_path / "big"
    big.write_bytes(bytes([0, 0, 8, 1]) + (5000).to_bytes(4, "big") + bytes(5000))
    with pytest.raises(DatasetError, match=r"header says shape \(5000,\) \(5,000 bytes\), more than optimlab reads "
                                           r"\(1,000 bytes; accepted: IDX files of up to that size\)"):
        idx.read_bytes(big)


def test_something_else_under_an_idx_name_is_said_to_be_no_file(tmp_path):
    """A hostile-input review: a folder, a FIFO or a link loop named train-images-idx3-ubyte.gz was reported as a
    missing file."""
    import os

    arrays = synthetic_arrays()
    for kind in ("folder", "fifo", "loop"):
        folder = write_idx_folder(tmp_path / kind, arrays)
        odd = folder / f"{TRAIN_IMAGES}.gz"
        odd.unlink()
        {"folder": odd.mkdir, "fifo": lambda: os.mkfifo(odd), "loop": lambda: odd.symlink_to(odd)}[kind]()
        with pytest.raises(DatasetError, match=rf"^{odd}: not a regular file \(accepted: the IDX file itself under "
                                               r"that name\)$"):
            read_idx_folder(folder)


def test_a_tiny_file_claiming_a_huge_size_is_read_for_what_it_holds(tmp_path, monkeypatch):
    """A review of the bounded read: one read of the size a header claims set that much memory aside first (an
    18-byte file claiming 2 GB: a MemoryError under a memory limit); it is read in chunks now, and a zero dimension
    still gets parse_idx's own message."""
    import io

    import optimlab.data.idx as idx

    asked = []

    class Recording(io.BytesIO):
        def read(self, n=-1):
            asked.append(n)
            return super().read(n)

    header = bytes([0, 0, 8, 1]) + (2146435072).to_bytes(4, "big")
    data = idx._bounded(Recording(header + bytes(10)), tmp_path / "t")
    assert len(data) == 18 and max(asked) <= 16 * 2**20
    with pytest.raises(DatasetError, match=r"truncated: header says shape \(2146435072,\)"):
        idx.parse_idx(data)
    zero = tmp_path / "zero"
    zero.write_bytes(bytes([0, 0, 8, 2]) + (0).to_bytes(4, "big") + (5).to_bytes(4, "big") + bytes(2 * 2**20))
    with pytest.raises(DatasetError, match=r"shape \(0, 5\); every dimension must be at least 1"):
        read_idx(zero)
