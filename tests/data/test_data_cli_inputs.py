"""``optimlab data``: bad --timeout / --data-dir values are one-line errors; a failed fetch leaves no empty folders.

Downloads go to a real HTTP server on 127.0.0.1 (the ``served`` fixture of conftest.py).
"""

from __future__ import annotations

import argparse
import os
import stat

import pytest
from _optimlab_data_helpers import pins_for

from optimlab.cli import main
from optimlab.data import remote as _remote
from optimlab.data.cli import add_data_parser, run_data
from optimlab.data.idx import IDX_STEMS
from optimlab.errors import ConfigError, DatasetError


def run(argv, capsys):
    p = argparse.ArgumentParser(prog="optimlab")
    add_data_parser(p.add_subparsers(dest="command"))
    rc = run_data(p.parse_args(["data", *argv]))
    return rc, capsys.readouterr().out


def cli(argv, capsys):
    """The real CLI: exit status and stderr."""
    rc = main(["data", *argv])
    return rc, capsys.readouterr().err


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


# -- --timeout ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["-1", "0", "-0.0", "nan", "inf", "-inf", "1e308"])     # 1e308 was accepted
def test_timeout_must_be_positive_and_finite(value, capsys, isolated_env, served):
    url, _ = served
    rc, err = cli(["fetch", "mnist", f"--timeout={value}", "--mirror", url], capsys)
    assert rc == 2 and err.count("\n") == 1
    assert err.startswith("optimlab: error: invalid --timeout: ") and "a number of seconds > 0, at most 86400" in err
    assert "Traceback" not in err and ".gz" not in err         # never reached a mirror
    assert not isolated_env.exists()                           # nothing created


@pytest.mark.parametrize("value", [-1, 0, float("nan"), float("inf"), "soon", None, True])
def test_download_api_checks_the_timeout(value, tmp_path):
    with pytest.raises(ConfigError, match="invalid timeout: .*a number of seconds > 0, at most 86400"):
        _remote.download(_remote.MNIST, tmp_path / "d", timeout=value)
    assert not (tmp_path / "d").exists()


def test_a_valid_timeout_is_accepted(capsys, served, monkeypatch, isolated_env):
    url, root = served
    monkeypatch.setitem(_remote.REMOTES, "mnist", pins_for(root))
    rc, out = run(["fetch", "mnist", "--mirror", url, "--timeout", "0.5"], capsys)
    assert rc == 0 and "30 train / 12 test" in out


# -- --data-dir ----------------------------------------------------------------------------------------------------

def test_fetch_data_dir_that_is_a_file(capsys, tmp_path, served):
    url, _ = served
    f = tmp_path / "afile"
    f.write_text("keep me")
    rc, err = cli(["fetch", "mnist", "--data-dir", str(f), "--mirror", url], capsys)
    assert rc == 2 and err.count("\n") == 1
    assert f"--data-dir {str(f)!r} is a file, not a directory" in err and "download" not in err
    rc, err = cli(["fetch", "mnist", "--data-dir", str(f / "sub"), "--mirror", url], capsys)
    assert rc == 2 and err.count("\n") == 1
    assert f"cannot be created: {str(f)!r} is a file, not a directory" in err
    assert f.read_text() == "keep me"
    with pytest.raises(ConfigError, match="is a file, not a directory"):
        _remote.download(_remote.MNIST.with_mirrors([url]), f)


@pytest.mark.parametrize("command", [["list"], ["verify", "mnist"], ["verify", "digits"], ["verify", "idx"]])
def test_list_and_verify_need_an_existing_data_dir(command, capsys, tmp_path):
    missing = tmp_path / "nonexistent"
    rc, err = cli([*command, "--data-dir", str(missing)], capsys)
    assert rc == 2 and err == f"optimlab: error: --data-dir {str(missing)!r} not found (accepted: an existing folder)\n"
    f = tmp_path / "afile"
    f.write_text("x")
    rc, err = cli([*command, "--data-dir", str(f)], capsys)
    assert rc == 2 and err.count("\n") == 1 and "is a file, not a directory" in err
    assert not missing.exists()


def test_list_with_an_existing_empty_data_dir_still_lists(capsys, tmp_path):
    rc, out = run(["list", "--data-dir", str(tmp_path)], capsys)
    assert rc == 0 and "mnist " in out and "needs DIR" in out


# -- failed fetches leave no empty folders ---------------------------------------------------------------------------

def test_failed_fetch_into_the_cache_leaves_no_empty_folder(capsys, closed_port_url, isolated_env):
    with pytest.raises(DatasetError, match="could not download mnist"):
        run(["fetch", "mnist", "--mirror", closed_port_url, "--timeout", "5"], capsys)
    assert not isolated_env.exists()                  # neither cache/ nor cache/mnist was left behind


def test_failed_fetch_removes_only_the_folders_it_created(capsys, closed_port_url, tmp_path):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "other.txt").write_text("x")
    dest = tmp_path / "mine" / "new" / "deeper"
    with pytest.raises(DatasetError, match="could not download mnist"):
        run(["fetch", "mnist", "--data-dir", str(dest), "--mirror", closed_port_url], capsys)
    assert not (tmp_path / "mine" / "new").exists()
    assert (tmp_path / "mine" / "other.txt").read_text() == "x"
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(DatasetError):
        run(["fetch", "mnist", "--data-dir", str(empty), "--mirror", closed_port_url], capsys)
    assert empty.is_dir()                             # existed before: kept


def test_partly_failed_fetch_keeps_the_verified_files(capsys, served, monkeypatch, tmp_path):
    url, root = served
    monkeypatch.setitem(_remote.REMOTES, "mnist", pins_for(root))
    (root / f"{IDX_STEMS[-1]}.gz").unlink()           # the server now lacks the last file
    dest = tmp_path / "new" / "mnist"
    with pytest.raises(DatasetError, match=f"could not download mnist file {IDX_STEMS[-1]}.gz .*HTTP 404"):
        run(["fetch", "mnist", "--data-dir", str(dest), "--mirror", url], capsys)
    assert sorted(p.name for p in dest.iterdir()) == sorted(f"{s}.gz" for s in IDX_STEMS[:-1])


def test_fetched_files_follow_the_umask(capsys, served, monkeypatch, tmp_path, umask_022):
    url, root = served
    monkeypatch.setitem(_remote.REMOTES, "mnist", pins_for(root))
    dest = tmp_path / "d"
    rc, _ = run(["fetch", "mnist", "--data-dir", str(dest), "--mirror", url], capsys)
    assert rc == 0
    assert stat.S_IMODE(dest.stat().st_mode) == 0o755
    assert {stat.S_IMODE((dest / f"{s}.gz").stat().st_mode) for s in IDX_STEMS} == {0o644}


@pytest.mark.parametrize("command", [["fetch", "mnist"], ["verify", "mnist"], ["list"]])
def test_an_empty_data_dir_is_not_the_current_folder(command, capsys, tmp_path, monkeypatch):
    """``--data-dir ''`` searched and filled the current folder ("looked in mnist, ."); every other option
    refuses ''."""
    monkeypatch.chdir(tmp_path)
    rc, err = cli([*command, "--data-dir", ""], capsys)
    assert rc == 2 and err == "optimlab: error: invalid --data-dir: '' (accepted: a folder)\n"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("kind", ["file", "missing"])
def test_a_named_data_folder_that_is_not_one_stops_compare(capsys, tmp_path, monkeypatch, kind):
    """--data-dir FILE said 'not found'; OPTIMLAB_DATA=FILE fell back to mnist-5k without a word: each is one line
    before any work. A missing OPTIMLAB_DATA folder is no error (the cache and system folders come after it), but
    auto's fallback notice says it does not exist; bundled datasets read no folder at all."""
    target = tmp_path / "x"
    if kind == "file":
        target.write_text("x")
    says = "is a file, not a directory (accepted: a folder)" if kind == "file" else "not found (accepted: an existing folder)"
    rc = main(["compare", "--data-dir", str(target), "--out", str(tmp_path / "o"), "--no-progress"])
    assert rc == 2 and capsys.readouterr().err == f"optimlab: error: data directory {str(target)!r} {says}\n"
    monkeypatch.setenv(_remote.DATA_ENV, str(target))
    if kind == "missing":
        from optimlab.data import load_dataset

        notice = load_dataset("auto", download=False).notice
        assert f"($OPTIMLAB_DATA names {str(target)!r}, which does not exist)" in notice
    if kind == "file":
        for command in (["compare", "--dataset", "mnist"], ["sweep"]):
            rc = main([*command, "--out", str(tmp_path / "o"), "--no-progress"])
            assert rc == 2 and capsys.readouterr().err == f"optimlab: error: $OPTIMLAB_DATA {str(target)!r} {says}\n"
        for command in (["data", "list"], ["data", "verify", "fashion-mnist"], ["data", "fetch", "mnist"]):
            rc = main(command)          # they searched past it and listed or verified another folder, with rc 0
            assert rc == 2 and capsys.readouterr().err == f"optimlab: error: $OPTIMLAB_DATA {str(target)!r} {says}\n"
        # a folder given on the command line is what they read, not $OPTIMLAB_DATA: no error about it
        (tmp_path / "given").mkdir()
        main(["data", "list", "--data-dir", str(tmp_path / "given")])
        assert "OPTIMLAB_DATA" not in capsys.readouterr().err
        assert not (tmp_path / "o").exists()
    rc = main(["compare", "--dataset", "digits", "--optimizers", "sgd", "--iters", "5", "--no-plots", "--no-report",
               "--no-progress", "--out", str(tmp_path / "o")])
    assert rc == 0, capsys.readouterr().err


def test_a_missing_or_odd_optimlab_data_is_named_where_the_data_was_not_found(tmp_path, monkeypatch):
    """A fuzzing review: with OPTIMLAB_DATA naming a folder that does not exist, --dataset mnist offline said "set
    OPTIMLAB_DATA=DIR" without a word about the one set; a line break in it split auto's note in three lines."""
    from optimlab.data import load_dataset

    monkeypatch.setenv(_remote.DATA_ENV, str(tmp_path / "mnits"))
    assert f"set OPTIMLAB_DATA=DIR (it names {str(tmp_path / 'mnits')!r} now, which does not exist);" in \
        _remote.offline_options("mnist")
    monkeypatch.setenv(_remote.DATA_ENV, str(tmp_path))
    assert "(it names" not in _remote.offline_options("mnist")
    monkeypatch.setenv(_remote.DATA_ENV, str(tmp_path / "a\nb"))
    notice = load_dataset("auto", download=False).notice
    assert "\n" not in notice and repr(str(tmp_path / "a\nb")) in notice


def test_an_optimlab_cache_dir_that_is_a_file_is_refused_by_every_command_that_reads_it(tmp_path, monkeypatch, capsys):
    """A fuzzing review: data fetch refused $OPTIMLAB_CACHE_DIR naming a file, but data list printed "cache: afile"
    with status 0 and compare's auto searched past it to mnist-5k without a word."""
    afile = tmp_path / "afile"
    afile.write_text("x")
    monkeypatch.setenv(_remote.CACHE_ENV, str(afile))
    says = (f"optimlab: error: invalid $OPTIMLAB_CACHE_DIR: {str(afile)!r} is a file (accepted: a folder to cache "
            "downloads in, or unset it for the user cache folder)\n")
    for command in (["data", "list"], ["data", "verify", "mnist"], ["data", "fetch", "mnist"],
                    ["compare", "--iters", "3", "--out", str(tmp_path / "o")],
                    ["sweep", "--iters", "3", "--out", str(tmp_path / "s")]):
        assert main(command) == 2 and capsys.readouterr().err == says, command
    assert not (tmp_path / "o").exists() and not (tmp_path / "s").exists()
    assert main(["compare", "--dataset", "digits", "--iters", "3", "--no-plots", "--no-report", "--no-progress",
                 "--out", str(tmp_path / "o")]) == 0          # a bundled dataset reads no folder


def test_a_failed_fetch_says_in_japanese_what_to_do_offline(capsys, closed_port_url):
    rc, err = cli(["fetch", "mnist", "--mirror", closed_port_url, "--no-progress", "--lang", "ja"], capsys)
    first, second = err.splitlines()[:2]
    assert rc == 2 and first.startswith("optimlab: エラー：mnist をダウンロードできませんでした")
    assert "--data-dir DIR で指定してください" in first and "--dataset mnist-5k" in first
    assert second.startswith("optimlab: error: could not download mnist")
