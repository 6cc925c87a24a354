"""Download against a real HTTP server on 127.0.0.1: pinned hashes, cache, mirror fallback, offline errors."""

from __future__ import annotations

import gzip
import time
from pathlib import Path

import numpy as np
import pytest
from _optimlab_data_helpers import pins_for, synthetic_arrays

from optimlab.data import load_dataset
from optimlab.data import remote as _remote
from optimlab.data.datasets import load_pinned_folder
from optimlab.data.idx import IDX_STEMS, TRAIN_IMAGES
from optimlab.errors import DatasetError


def test_correct_hash_is_cached_and_reused_offline(served, closed_port_url, isolated_env):
    url, root = served
    remote = pins_for(root, mirrors=[url])
    folder = _remote.download(remote, timeout=5)
    assert folder == isolated_env / "mnist"
    assert sorted(p.name for p in folder.iterdir()) == sorted(s + ".gz" for s in IDX_STEMS)
    ds = load_pinned_folder(remote, folder)
    np.testing.assert_array_equal(ds.x_train, synthetic_arrays()[0].reshape(30, -1))
    # Second time: served from the cache, no network needed.
    offline = remote.with_mirrors([closed_port_url])
    assert _remote.download(offline, timeout=5) == folder


def test_wrong_hash_is_rejected_and_leaves_nothing(served, isolated_env):
    url, root = served
    good = pins_for(root, mirrors=[url])
    bad_first = _remote.PinnedFile(TRAIN_IMAGES, "0" * 64, "0" * 64)      # neither the .gz nor its content
    remote = _remote.Remote("mnist", (url,), (bad_first,) + good.files[1:])
    with pytest.raises(_remote.DownloadError) as e:
        _remote.download(remote, timeout=5)
    assert "SHA-256 mismatch" in str(e.value) and TRAIN_IMAGES in str(e.value)
    folder = isolated_env / "mnist"
    assert not folder.exists() or list(folder.iterdir()) == []
    # the published .gz with another content pin (a file of another dataset under this name): rejected too
    other = _remote.PinnedFile(TRAIN_IMAGES, "0" * 64, good.files[1].content_sha256)
    with pytest.raises(_remote.DownloadError, match="SHA-256 mismatch"):
        _remote.download(_remote.Remote("mnist", (url,), (other,) + good.files[1:]), timeout=5)


@pytest.mark.parametrize("dead", ["closed", "404"])
def test_dead_first_mirror_falls_back_to_next(served, closed_port_url, dead):
    url, root = served
    first = closed_port_url if dead == "closed" else url.replace("/mnist", "/no-such-folder")
    folder = _remote.download(pins_for(root, mirrors=[first, url]), timeout=5)
    assert all((folder / f"{s}.gz").is_file() for s in IDX_STEMS)


def test_no_network_gives_one_clear_line(served, closed_port_url):
    url, root = served
    remote = pins_for(root, mirrors=[closed_port_url, url.replace("/mnist", "/gone")])
    start = time.monotonic()
    with pytest.raises(DatasetError) as e:
        _remote.download(remote, timeout=5)
    assert time.monotonic() - start < 5
    msg = str(e.value)
    assert "\n" not in msg
    for words in ("Connection refused", "HTTP 404", "offline options", "--data-dir", "OPTIMLAB_DATA", "mnist-5k", "digits"):
        assert words in msg


def test_load_dataset_downloads_with_injected_pins_and_mirrors(served, monkeypatch, closed_port_url):
    url, root = served
    remote = pins_for(root, mirrors=["http://unused.invalid"])
    monkeypatch.setitem(_remote.REMOTES, "mnist", remote)
    monkeypatch.setattr(_remote, "MNIST", remote)
    ds = load_dataset("mnist", mirrors=[closed_port_url, url], timeout=5)
    assert (ds.name, ds.n_train, ds.n_test, ds.image_shape, ds.n_classes) == ("mnist", 30, 12, (4, 5), 10)
    assert ds.notice is None


def test_auto_downloads_when_a_mirror_answers(served, monkeypatch, capsys):
    url, root = served
    remote = pins_for(root, mirrors=[url])
    monkeypatch.setattr(_remote, "MNIST", remote)
    monkeypatch.setitem(_remote.REMOTES, "mnist", remote)
    ds = load_dataset("auto", timeout=5)
    assert ds.name == "mnist" and ds.notice is None
    assert capsys.readouterr().err == ""                  # silent unless asked for progress


def test_real_pins_reject_synthetic_download(served):
    url, _ = served  # the real MNIST pins cannot match synthetic files
    with pytest.raises(DatasetError, match="SHA-256 mismatch"):
        load_dataset("mnist", mirrors=[url], timeout=5)


def test_probe(served, closed_port_url):
    url, _ = served
    assert _remote.any_reachable([closed_port_url, url], timeout=2)
    assert not _remote.any_reachable([closed_port_url], timeout=2)
    assert not _remote.any_reachable([], timeout=2)


def test_probe_does_not_wait_for_a_hanging_lookup(monkeypatch):
    def hang(*args, **kwargs):
        time.sleep(5)
        raise OSError("never")

    monkeypatch.setattr(_remote.socket, "create_connection", hang)
    for var in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        monkeypatch.delenv(var, raising=False)
    start = time.monotonic()
    assert not _remote.any_reachable(["https://example.invalid/mnist"], timeout=0.3)
    assert time.monotonic() - start < 1.5


def test_behind_a_proxy_the_probe_asks_the_proxy_and_gives_up_on_one_that_never_answers(served, monkeypatch):
    """Behind a proxy the probe said yes without asking: one that accepted connections and never answered held plain
    `optimlab compare` 93 s (3 mirrors × 30 s) before it fell back to mnist-5k. A HEAD request through the proxy now;
    any answer counts (the test server answers a proxied request with 404: the proxy is there)."""
    import socket
    import threading

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)                                 # accepts (the kernel does), never answers
    held = []
    threading.Thread(target=lambda: held.append(silent.accept()), daemon=True).start()
    try:
        for var in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "no_proxy", "NO_PROXY"):
            monkeypatch.delenv(var, raising=False)
        monkeypatch.setenv("http_proxy", f"http://127.0.0.1:{silent.getsockname()[1]}")
        start = time.monotonic()
        assert not _remote.any_reachable(["http://mirror.example/mnist"], timeout=0.5)
        assert time.monotonic() - start < 1.5
        url, _ = served
        monkeypatch.setenv("http_proxy", url.rsplit("/", 1)[0])       # a proxy that answers
        assert _remote.any_reachable(["http://mirror.example/mnist"], timeout=2)
    finally:
        silent.close()


def test_pinned_hashes_are_well_formed():
    for remote in _remote.REMOTES.values():
        assert tuple(f.stem for f in remote.files) == IDX_STEMS
        for f in remote.files:
            for h in (f.gz_sha256, f.content_sha256):
                assert len(h) == 64 and int(h, 16) >= 0
    # The four MNIST .gz hashes as published by torchvision / TensorFlow mirrors.
    assert _remote.MNIST.pinned(TRAIN_IMAGES).gz_sha256.startswith("440fcabf73cc546f")


def test_a_folder_made_meanwhile_by_another_process_is_fine_and_not_removed(tmp_path, monkeypatch):
    target = tmp_path / "a" / "b"
    real_mkdir = Path.mkdir

    def racing(self, *args, **kwargs):                  # another process wins the race for every folder
        real_mkdir(self)
        raise FileExistsError(17, "File exists", str(self))

    monkeypatch.setattr(Path, "mkdir", racing)
    assert _remote._make_folder(target) == []           # nothing counted as ours, so nothing to clean up
    monkeypatch.undo()
    assert target.is_dir()


def test_a_mirror_serving_recompressed_files_is_accepted_by_content(served, isolated_env):
    """A mirror may recompress the .gz (Debian's dataset-fashion-mnist does): its IDX content is the pinned
    content, which `optimlab data verify` accepts and every load checks, so the download accepts it too."""
    import gzip
    import hashlib

    url, root = served
    remote = pins_for(root, mirrors=[url])
    for p in root.glob("*.gz"):                                   # other gzip bytes, the same IDX content
        p.write_bytes(gzip.compress(gzip.decompress(p.read_bytes()), compresslevel=1, mtime=12345))
    assert all(hashlib.sha256((root / f.gz_name).read_bytes()).hexdigest() != f.gz_sha256 for f in remote.files)
    folder = _remote.download(remote, timeout=5)
    assert sorted(p.name for p in folder.iterdir()) == sorted(s + ".gz" for s in IDX_STEMS)    # no .part left
    np.testing.assert_array_equal(load_pinned_folder(remote, folder).x_train, synthetic_arrays()[0].reshape(30, -1))


class _FaultyHandler(__import__("http.server").server.BaseHTTPRequestHandler):
    """Serves the synthetic files of ``root`` the way a misconfigured or flaky mirror does, by the URL's first part:
    ``ce`` marks the .gz as gzip-encoded (the client decompresses it on the way), ``html`` answers with a login page,
    ``drop`` closes the connection half-way through, ``slow`` sends the headers and then nothing."""

    root: Path

    def log_message(self, format, *args):
        pass

    def do_GET(self):
        self.seen.append(self.path)
        mode, name = self.path.strip("/").split("/")[0], self.path.rsplit("/", 1)[-1]
        body = (self.root / name).read_bytes()
        if mode in ("html", "htmlws"):    # htmlws: as some portals send it, after a line break and spaces
            body = (b"\n  " if mode == "htmlws" else b"") + \
                b"<!DOCTYPE html><html><body>Please log in to the campus network</body></html>"
        if mode == "huge":                # 2 MiB, where a test sets the cap to 1 MiB
            body = bytes(2 * 2**20)
        if mode == "cebomb":              # 4 KiB that the client decompresses to 2 MiB
            body = gzip.compress(bytes(2 * 2**20))
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Content-Type", "text/html" if mode == "html" else "application/octet-stream")
        if mode in ("ce", "cebomb"):
            self.send_header("Content-Encoding", "gzip")
        self.end_headers()
        if mode == "slow":
            time.sleep(1.5)
            return
        if mode == "late":          # a download that takes a moment
            time.sleep(0.2)
        self.wfile.write(body[: len(body) // 2] if mode == "drop" else body)


@pytest.fixture
def faulty(served):
    import http.server
    import threading

    url, root = served
    handler = type("Handler", (_FaultyHandler,), {"root": root, "seen": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", root
    finally:
        server.shutdown()
        server.server_close()


def test_the_next_files_ask_the_mirror_that_served_the_last_one_first(faulty, served, isolated_env):
    """A data review: with a stalled mirror listed first, each of the four files waited out its timeout there again
    before the good mirror served it (30 s for a download of 1 s)."""
    base, root = faulty
    url, _ = served
    handler_seen = next(c for c in _FaultyHandler.__subclasses__() if c.root == root).seen
    folder = _remote.download(pins_for(root, mirrors=[f"{base}/slow", url]), timeout=0.5)
    assert all((folder / f"{s}.gz").is_file() for s in IDX_STEMS)
    assert handler_seen == [f"/slow/{IDX_STEMS[0]}.gz"]          # asked once, for the first file only


def test_a_mirror_that_gzip_encodes_its_gz_files_is_accepted(faulty, isolated_env):
    """Content-Encoding: gzip on a .gz (a common server setting) made the client store the decompressed IDX, and
    the file was rejected as a SHA-256 mismatch after the whole download: it is the pinned content, kept."""
    base, root = faulty
    remote = pins_for(root, mirrors=[f"{base}/ce"])
    folder = _remote.download(remote, timeout=5)
    assert sorted(p.name for p in folder.iterdir()) == sorted(s + ".gz" for s in IDX_STEMS)
    np.testing.assert_array_equal(load_pinned_folder(remote, folder).x_train, synthetic_arrays()[0].reshape(30, -1))


@pytest.mark.parametrize("mode, reason", [
    ("html", "got 76 bytes that are an HTML page (a network login page?), file rejected"),
    ("htmlws", "got 79 bytes that are an HTML page (a network login page?), file rejected"),
    ("drop", "the connection closed before the end of the file"),
    ("slow", "no data for 0.5 s (timed out)"),
])
def test_what_a_flaky_mirror_did_is_said_in_a_few_words(faulty, isolated_env, mode, reason):
    """A login page was called a SHA-256 mismatch, a connection closed mid-file ChunkedEncodingError, and a mirror
    silent mid-file ConnectionError; nothing is left behind."""
    base, root = faulty
    with pytest.raises(_remote.DownloadError) as e:
        _remote.download(pins_for(root, mirrors=[f"{base}/{mode}"]), timeout=0.5)
    assert e.value.failures == [f"{base}/{mode}/{TRAIN_IMAGES}.gz: {reason}"]
    assert not (isolated_env / "mnist").exists()


@pytest.mark.parametrize("mode", ["huge", "cebomb"])
def test_a_mirror_sending_more_than_any_pinned_file_is_cut_off(faulty, isolated_env, monkeypatch, mode):
    """A hostile-input review: a mirror sending 3 GB, or a gzip-encoded reply that decompressed to 5 GB, was written
    to disk whole and read into memory before the hash rejected it (a MemoryError traceback). Past MAX_DOWNLOAD
    (64 MiB; 1 MiB here) the download stops, and nothing is left."""
    base, root = faulty
    monkeypatch.setattr(_remote, "MAX_DOWNLOAD", 2**20)
    with pytest.raises(_remote.DownloadError) as e:
        _remote.download(pins_for(root, mirrors=[f"{base}/{mode}"]), timeout=5)
    assert e.value.failures == [f"{base}/{mode}/{TRAIN_IMAGES}.gz: sent more than 1,048,576 bytes (no pinned file is "
                                "that large), file rejected"]
    assert not (isolated_env / "mnist").exists()


def test_this_machines_write_errors_stop_at_once_and_name_the_folder(served, tmp_path, monkeypatch):
    """A full disk was reported as a failure of every mirror in turn (each downloaded again), and a folder with a
    file's name after a whole download: one line naming the data directory, before the next mirror."""
    import errno

    import pooch

    url, root = served
    blocked = tmp_path / "blocked"
    (blocked / f"{TRAIN_IMAGES}.gz").mkdir(parents=True)
    with pytest.raises(DatasetError, match=rf"^cannot download {TRAIN_IMAGES}\.gz into '{blocked}': a folder has its "
                                           r"name \(accepted: remove or rename that folder\)$"):
        _remote.download(pins_for(root, mirrors=[url]), blocked, timeout=5)
    calls = []

    def full(self, url, output_file, pooch_, check_only=False):
        calls.append(url)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pooch.HTTPDownloader, "__call__", full)
    with pytest.raises(DatasetError, match=rf"^cannot write into data directory '{tmp_path / 'full'}': No space left "
                                           r"on device \(accepted: a folder you can write to"):
        _remote.download(pins_for(root, mirrors=[url, url]), tmp_path / "full", timeout=5)
    assert len(calls) == 1 and not (tmp_path / "full").exists()


def test_a_download_shows_a_named_bar_per_file(faulty, monkeypatch, capsys, isolated_env, closed_port_url):
    """optimlab compare (progress=True) sat silent for as long as a slow mirror took: each file now has a progress
    bar named by the dataset and the file, from its first bytes (a mirror that refuses the connection shows none)."""
    base, root = faulty
    remote = pins_for(root, mirrors=["http://unused.invalid"])
    monkeypatch.setitem(_remote.REMOTES, "mnist", remote)
    assert load_dataset("mnist", mirrors=[f"{base}/late"], timeout=5, progress=True).n_train == 30
    err = capsys.readouterr().err
    assert all(f"mnist {stem}.gz: 100%" in err for stem in IDX_STEMS), err
    with pytest.raises(_remote.DownloadError):
        _remote.download(pins_for(root, mirrors=[closed_port_url]), isolated_env / "other", timeout=5, progress=True)
    assert capsys.readouterr().err == ""


def test_the_bar_ends_full_without_dropping_to_zero_or_counting_the_file_twice(capsys):
    """pooch counts chunks (the last one overshoots), then calls reset() and update(total) to fill the bar: a real
    reset showed 82 %, then 0 %, then 100 % at "48.3GB/s"."""
    bar = _remote._Bar("mnist train-images-idx3-ubyte.gz")
    bar.total = 100
    bar.update(64)
    bar.update(64)                                   # 128 of 100: pooch's chunk size past the end
    bar.reset()
    bar.update(100)
    assert bar._bar.n == 100 and bar._bar.total == 100
    bar.close()
    err = capsys.readouterr().err
    assert "100/100" in err.rsplit("\r", 1)[-1] and err.count("  0%") == 1       # only as it appeared


def test_a_damaged_file_under_a_pinned_name_is_fetched_again_and_replaced(served, isolated_env):
    """A file already at the target name counts only if it is the pinned one: a damaged one is downloaded again."""
    url, root = served
    folder = isolated_env / "mnist"
    folder.mkdir(parents=True)
    (folder / f"{TRAIN_IMAGES}.gz").write_bytes(b"damaged")
    remote = pins_for(root, mirrors=[url])
    assert _remote.download(remote, timeout=5) == folder
    assert (folder / f"{TRAIN_IMAGES}.gz").read_bytes() == (root / f"{TRAIN_IMAGES}.gz").read_bytes()


def test_a_mirror_with_a_trailing_slash_is_one_url(served, closed_port_url):
    url, root = served
    with pytest.raises(_remote.DownloadError) as e:
        _remote.download(pins_for(root, mirrors=[closed_port_url + "/"]), timeout=5)
    assert e.value.failures[0].startswith(f"{closed_port_url}/{TRAIN_IMAGES}.gz: ")


def test_files_of_another_dataset_are_named_only_when_all_four_are_its(served):
    """pinned_dataset: the four content hashes must all be Fashion-MNIST's to call the folder Fashion-MNIST."""
    fashion = _remote.REMOTES["fashion-mnist"]
    contents = {f.stem: f.content_sha256 for f in fashion.files}
    assert _remote.pinned_dataset(contents, _remote.REMOTES["mnist"]) == "fashion-mnist"
    one = {**{s: "0" * 64 for s in contents}, fashion.files[0].stem: fashion.files[0].content_sha256}
    assert _remote.pinned_dataset(one, _remote.REMOTES["mnist"]) is None


def test_a_cache_variable_naming_a_file_is_said_as_such(served, tmp_path, monkeypatch):
    """OPTIMLAB_CACHE_DIR=afile said "data directory 'afile/mnist' cannot be created", naming no variable."""
    from optimlab.errors import ConfigError

    url, root = served
    (tmp_path / "afile").write_text("x")
    monkeypatch.setenv(_remote.CACHE_ENV, str(tmp_path / "afile"))
    with pytest.raises(ConfigError, match=rf"^invalid \$OPTIMLAB_CACHE_DIR: '{tmp_path / 'afile'}' is a file "
                                          r"\(accepted: a folder to cache downloads in, or unset it"):
        _remote.download(pins_for(root, mirrors=[url]), timeout=5)


def test_a_download_killed_mid_file_leaves_only_a_hidden_folder_that_the_next_one_removes(faulty, served, tmp_path):
    """SIGKILL during a download left pooch's tmpXXXXXXXX beside the data for good (SIGINT and SIGTERM clean up). The
    temporary files live in a hidden work folder per process; the next download removes those of dead processes and
    leaves a live one's alone."""
    import os
    import signal
    import subprocess
    import sys
    import textwrap

    base, root = faulty
    folder = tmp_path / "data"
    child = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        from pathlib import Path
        from _optimlab_data_helpers import pins_for
        from optimlab.data import remote
        print("start", flush=True)
        remote.download(pins_for(Path({str(root)!r}), mirrors=[{base + '/slow'!r}]), {str(folder)!r}, timeout=30)
    """)
    proc = subprocess.Popen([sys.executable, "-c", child], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "start"
    deadline = time.monotonic() + 20
    while not any(folder.glob(".optimlab-download-*/*")) and time.monotonic() < deadline:
        time.sleep(0.05)                             # until pooch's temporary file exists, mid-download
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    left = [p.relative_to(folder) for p in folder.rglob("*")]
    host = _remote._host()
    assert left and all(str(p).startswith(f".optimlab-download-{host}-{proc.pid}-") for p in left), left
    live = folder / f".optimlab-download-{host}-{os.getppid()}-1"        # a live process's (this one's parent)
    live.mkdir()
    elsewhere = folder / f".optimlab-download-other.host-{proc.pid}-1"   # another machine's (a shared cache)
    elsewhere.mkdir()
    _remote.download(pins_for(root, mirrors=[served[0]]), folder, timeout=5)
    assert sorted(p.name for p in folder.iterdir()) == sorted([live.name, elsewhere.name] + [s + ".gz" for s in IDX_STEMS])


def test_a_file_already_there_uncompressed_is_not_fetched_again(served, tmp_path):
    """A verified train-labels-idx1-ubyte did not stop fetch from downloading the .gz beside it."""
    import gzip

    url, root = served
    folder = tmp_path / "d"
    folder.mkdir()
    stem = IDX_STEMS[1]
    (folder / stem).write_bytes(gzip.decompress((root / f"{stem}.gz").read_bytes()))
    _remote.download(pins_for(root, mirrors=[url]), folder, timeout=5)
    assert sorted(p.name for p in folder.iterdir()) == sorted([stem] + [s + ".gz" for s in IDX_STEMS if s != stem])
    assert load_pinned_folder(pins_for(root), folder).n_train == 30
    other = tmp_path / "other"                   # someone else's uncompressed file there: refused, not passed over
    other.mkdir()
    (other / stem).write_bytes(b"not the pinned file")
    with pytest.raises(DatasetError, match=rf"{stem} there is not mnist's \(SHA-256 differs\); a download would "):
        _remote.download(pins_for(root, mirrors=[url]), other, timeout=5)
    assert [p.name for p in other.iterdir()] == [stem]
