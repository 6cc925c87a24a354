"""IDX files (the MNIST format): a strict parser and the standard four-file folder layout.

An IDX file is a 4-byte magic number ``0x00 0x00 <dtype> <ndim>``, then ``ndim`` big-endian uint32
sizes, then the data. Only unsigned bytes (dtype ``0x08``) are accepted, which is what MNIST,
Fashion-MNIST, KMNIST and EMNIST use: labels are ``0x00000801`` (1-D), images ``0x00000803`` (3-D,
``N × rows × cols``). Every malformed input raises a one-line :class:`DatasetError` naming the file.
"""

from __future__ import annotations

import gzip
import hashlib
import math
import os
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from optimlab.errors import DatasetError

LABELS_MAGIC = 0x00000801  # unsigned bytes, 1 dimension
IMAGES_MAGIC = 0x00000803  # unsigned bytes, 3 dimensions
UBYTE = 0x08
GZIP_MAGIC = b"\x1f\x8b"

# The four standard names, in the order (x_train, y_train, x_test, y_test); each may end in ".gz".
TRAIN_IMAGES = "train-images-idx3-ubyte"
TRAIN_LABELS = "train-labels-idx1-ubyte"
TEST_IMAGES = "t10k-images-idx3-ubyte"
TEST_LABELS = "t10k-labels-idx1-ubyte"
IDX_STEMS = (TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS)


def parse_idx(data: bytes, *, source: str = "<bytes>", magic: int | None = None) -> np.ndarray:
    """Parse the (decompressed) bytes of an IDX file into a read-only ``uint8`` array.

    ``magic`` pins the expected magic number (``LABELS_MAGIC`` or ``IMAGES_MAGIC``); ``source``
    names the file in error messages.
    """
    if len(data) < 4:
        raise DatasetError(f"{source}: truncated IDX file ({len(data)} bytes; the header alone is at least 4)")
    found = int.from_bytes(data[:4], "big")
    if data[:2] == GZIP_MAGIC:
        raise DatasetError(f"{source}: looks gzip-compressed; name it with a .gz suffix or decompress it")
    if magic is not None and found != magic:
        kind = "labels, 1-D" if magic == LABELS_MAGIC else "images, 3-D"
        raise DatasetError(
            f"{source}: bad magic number 0x{found:08x}; expected 0x{magic:08x} (IDX {kind}, unsigned bytes)"
        )
    if data[0] != 0 or data[1] != 0:
        raise DatasetError(f"{source}: bad magic number 0x{found:08x}; an IDX file starts with two zero bytes")
    if data[2] != UBYTE:
        raise DatasetError(f"{source}: unsupported IDX data type 0x{data[2]:02x}; accepted: 0x08 (unsigned byte)")
    ndim = data[3]
    header = 4 + 4 * ndim
    if ndim == 0 or len(data) < header:
        raise DatasetError(f"{source}: truncated or invalid IDX header ({ndim} dimensions, {len(data)} bytes)")
    shape = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    if 0 in shape:
        raise DatasetError(f"{source}: header says shape {shape}; every dimension must be at least 1")
    expected = math.prod(shape)                  # Python integers: four sizes up to 2³²−1 overflow int64
    got = len(data) - header
    if got < expected:
        raise DatasetError(f"{source}: truncated: header says shape {shape} ({expected} bytes), file holds {got}")
    if got > expected:
        raise DatasetError(f"{source}: {got - expected} bytes after the data of shape {shape}; not a valid IDX file")
    arr = np.frombuffer(data, dtype=np.uint8, count=expected, offset=header).reshape(shape)
    return arr


MAX_IDX_BYTES = 2**31      # the most IDX data one file may hold (EMNIST's largest, 'byclass' images, is 0.55 GB)
TAIL_SHOWN = 2**20         # bytes past the data read to say how many there are; more is refused unread


def read_bytes(path: str | Path) -> bytes:
    """The IDX content of ``path``, gunzipped when the name ends in ``.gz``: its header, then no more data than the
    header says (a 5 MB .gz that expands to 5 GB, or a 6 GB file whose header says 64 bytes, ran out of memory
    after reading it all), and at most :data:`MAX_IDX_BYTES` (a one-line error past that)."""
    path = Path(path)
    try:
        with open(path, "rb") as fh:
            if path.suffix != ".gz":
                return _bounded(fh, path)
            magic = fh.read(2)
            fh.seek(0)
            if magic != GZIP_MAGIC:
                raise DatasetError(f"{path}: not a gzip file (named .gz but starts with {magic.hex() or 'nothing'})")
            try:
                with gzip.GzipFile(fileobj=fh) as stream:
                    return _bounded(stream, path)
            except (OSError, EOFError, zlib.error) as e:     # (the gzip module's errors are OSErrors too)
                raise DatasetError(f"{path}: corrupt or truncated gzip data ({e})") from None
    except OSError as e:
        raise DatasetError(f"{path}: cannot read ({e.strerror or e})") from None


def _read_up_to(stream, n: int, chunk: int = 16 * 2**20) -> bytes:
    """At most ``n`` bytes of ``stream``, read in chunks: one read of ``n`` sets aside ``n`` bytes first (an 18-byte
    file whose header says 2 GB asked for 2 GB before finding 10), so memory grows only with what is there."""
    parts, got = [], 0
    while got < n:
        part = stream.read(min(chunk, n - got))
        if not part:
            break
        parts.append(part)
        got += len(part)
    return b"".join(parts)


def _bounded(stream, path: Path) -> bytes:
    """An IDX file's bytes from ``stream``, read no further than its header's sizes allow (plus up to
    :data:`TAIL_SHOWN` bytes, so that :func:`parse_idx` can say how many follow the data); what is not IDX is returned
    as read so far, for :func:`parse_idx` to say why."""
    head = stream.read(4)
    if len(head) < 4 or head[:3] != bytes([0, 0, UBYTE]) or head[3] == 0:
        return head
    dims = stream.read(4 * head[3])
    if len(dims) < 4 * head[3]:
        return head + dims
    shape = tuple(int.from_bytes(dims[4 * i: 4 * i + 4], "big") for i in range(head[3]))
    expected = math.prod(shape)
    if expected == 0:                    # a zero dimension: parse_idx says so
        return head + dims
    if expected > MAX_IDX_BYTES:         # (a short file of such a header is truncated: parse_idx says so)
        body = _read_up_to(stream, MAX_IDX_BYTES + 1)
        if len(body) > MAX_IDX_BYTES:
            raise DatasetError(f"{path}: header says shape {shape} ({expected:,} bytes), more than optimlab reads "
                               f"({MAX_IDX_BYTES:,} bytes; accepted: IDX files of up to that size)")
        return head + dims + body
    body = _read_up_to(stream, expected + TAIL_SHOWN + 1)
    if len(body) > expected + TAIL_SHOWN:
        raise DatasetError(f"{path}: more than {TAIL_SHOWN:,} bytes after the data of shape {shape}; not a valid "
                           "IDX file")
    return head + dims + body


def read_idx(path: str | Path, *, magic: int | None = None) -> np.ndarray:
    """Read one IDX file (raw or ``.gz``); see :func:`parse_idx`."""
    return parse_idx(read_bytes(path), source=str(path), magic=magic)


def find_idx_files(folder: str | Path) -> dict[str, Path]:
    """The standard-named IDX files present in ``folder`` (stem -> path; ``.gz`` preferred over raw)."""
    folder = Path(folder)
    found = {}
    for stem in IDX_STEMS:
        for name in (stem + ".gz", stem):
            if (folder / name).is_file():
                found[stem] = folder / name
                break
    return found


@dataclass(frozen=True)
class IdxFolder:
    """The four arrays of a standard IDX folder, with the files read and SHA-256 of their IDX content."""

    x_train: np.ndarray  # uint8 (N_train, rows, cols)
    y_train: np.ndarray  # uint8 (N_train,)
    x_test: np.ndarray
    y_test: np.ndarray
    files: dict[str, Path]  # stem -> file read
    content_sha256: dict[str, str]  # stem -> SHA-256 of the decompressed IDX bytes


def read_idx_folder(folder: str | Path) -> IdxFolder:
    """Read and cross-check the four standard IDX files in ``folder``."""
    folder = Path(folder)
    files = find_idx_files(folder)
    missing = [s for s in IDX_STEMS if s not in files]
    odd = [folder / n for s in missing for n in (s + ".gz", s) if os.path.lexists(folder / n)]
    if odd:     # a folder, a FIFO or a broken link under the name: "missing" sent one looking for it elsewhere
        raise DatasetError(f"{odd[0]}: not a regular file (accepted: the IDX file itself under that name)")
    if missing:
        raise DatasetError(
            f"{folder}: missing IDX file(s) {', '.join(missing)} (each may end in .gz); "
            f"expected the four files {', '.join(IDX_STEMS)}"
        )
    arrays, digests = {}, {}
    for stem, magic in zip(IDX_STEMS, (IMAGES_MAGIC, LABELS_MAGIC, IMAGES_MAGIC, LABELS_MAGIC)):
        data = read_bytes(files[stem])
        digests[stem] = hashlib.sha256(data).hexdigest()
        arrays[stem] = parse_idx(data, source=str(files[stem]), magic=magic)
    for images, labels in ((TRAIN_IMAGES, TRAIN_LABELS), (TEST_IMAGES, TEST_LABELS)):
        if len(arrays[images]) != len(arrays[labels]):
            raise DatasetError(
                f"{files[labels]}: {len(arrays[labels])} labels for {len(arrays[images])} images "
                f"in {files[images].name}; the counts must match"
            )
    if arrays[TRAIN_IMAGES].shape[1:] != arrays[TEST_IMAGES].shape[1:]:
        raise DatasetError(
            f"{files[TEST_IMAGES]}: image size {arrays[TEST_IMAGES].shape[1:]} differs from the training "
            f"images' {arrays[TRAIN_IMAGES].shape[1:]}; train and test images must have the same size"
        )
    return IdxFolder(
        x_train=arrays[TRAIN_IMAGES],
        y_train=arrays[TRAIN_LABELS],
        x_test=arrays[TEST_IMAGES],
        y_test=arrays[TEST_LABELS],
        files=files,
        content_sha256=digests,
    )


def write_idx(path: str | Path, array: np.ndarray) -> None:
    """Write a ``uint8`` array as an IDX file (gzipped when ``path`` ends in ``.gz``); for tests and tools."""
    from optimlab._io import atomic_path

    array = np.ascontiguousarray(array)
    if array.dtype != np.uint8 or array.ndim == 0:
        raise DatasetError(f"{path}: IDX writer takes a uint8 array with ≥1 dimension, got {array.dtype} {array.shape}")
    header = bytes([0, 0, UBYTE, array.ndim]) + b"".join(int(n).to_bytes(4, "big") for n in array.shape)
    data = header + array.tobytes()
    if str(path).endswith(".gz"):
        data = gzip.compress(data, mtime=0)
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
