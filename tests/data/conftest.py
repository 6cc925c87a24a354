"""Fixtures for the data tests: an isolated cache, synthetic IDX folders, a local HTTP server."""

from __future__ import annotations

import functools
import http.server
import socket
import threading

import pytest
from _optimlab_data_helpers import write_idx_folder

from optimlab.data import remote as _remote


@pytest.fixture(autouse=True)
def isolated_env(tmp_path, monkeypatch):
    """Every test gets its own empty cache and no OPTIMLAB_DATA."""
    monkeypatch.setenv(_remote.CACHE_ENV, str(tmp_path / "cache"))
    monkeypatch.delenv(_remote.DATA_ENV, raising=False)
    return tmp_path / "cache"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # keep the test output clean
        pass


@pytest.fixture
def served(tmp_path):
    """(base URL, folder): a real HTTP server on 127.0.0.1 serving synthetic IDX .gz files."""
    root = write_idx_folder(tmp_path / "www" / "mnist")
    handler = functools.partial(_QuietHandler, directory=str(tmp_path / "www"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/mnist", root
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def closed_port_url():
    """A URL on 127.0.0.1 where nothing listens (connection refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/mnist"
