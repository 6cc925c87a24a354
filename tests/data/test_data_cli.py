"""``optimlab data {list,fetch,verify}`` through argparse, as the main CLI wires it."""

from __future__ import annotations

import argparse
import shutil

import numpy as np

import pytest
from _optimlab_data_helpers import FASHION_DIR, needs_fashion, pins_for, synthetic_arrays, write_idx_folder

from optimlab.data import remote as _remote
from optimlab.data.cli import add_data_parser, run_data
from optimlab.data.idx import IDX_STEMS
from optimlab.errors import DatasetError, OptimlabError


def run(argv, capsys):
    p = argparse.ArgumentParser(prog="optimlab")
    sub = p.add_subparsers(dest="command")
    add_data_parser(sub)
    rc = run_data(p.parse_args(["data", *argv]))
    return rc, capsys.readouterr().out


def test_list(capsys, tmp_path):
    rc, out = run(["list"], capsys)
    assert rc == 0
    for name in ("mnist ", "fashion-mnist", "mnist-5k", "digits", "idx"):
        assert name in out
    assert "optimlab data fetch mnist" in out and str(tmp_path / "cache") in out
    folder = write_idx_folder(tmp_path / "mine")
    rc, out = run(["list", "--data-dir", str(folder)], capsys)
    assert f"idx            available  {folder}" in out
    # other IDX data is not listed as MNIST: the content's SHA-256 decides, not the file names
    assert f"mnist          other      {folder} holds IDX files, not mnist (SHA-256 differs); they load as " \
           "--dataset idx" in out
    assert "mnist          available" not in out


def test_list_says_when_a_folder_is_incomplete_or_cannot_be_loaded(capsys, tmp_path, monkeypatch):
    """`data list` said a truncated folder "holds IDX files, not mnist (SHA-256 differs); they load as --dataset idx"
    and idx "available", while verify and compare failed on it; a folder with 2 of the 4 files read the same."""
    folder = write_idx_folder(tmp_path / "cut")
    path = folder / "t10k-images-idx3-ubyte.gz"
    import gzip

    path.write_bytes(gzip.compress(gzip.decompress(path.read_bytes())[:-7]))
    rc, out = run(["list", "--data-dir", str(folder)], capsys)
    lines = {line.split()[0]: line for line in out.splitlines() if line.strip()}
    assert "invalid" in lines["mnist"] and "invalid" in lines["idx"] and "available" not in lines["idx"]
    assert str(path) in lines["idx"] and "other" not in lines["mnist"]
    part = tmp_path / "part"
    part.mkdir()
    for stem in IDX_STEMS[:2]:
        (part / f"{stem}.gz").write_bytes((folder / f"{stem}.gz").read_bytes())
    rc, out = run(["list", "--data-dir", str(part)], capsys)
    assert (f"mnist          other      {part} holds 2 of the 4 files, and not mnist's (SHA-256 differs)") in out
    x, y, xt, yt = synthetic_arrays()
    one = write_idx_folder(tmp_path / "one", (x, np.zeros_like(y), xt, np.zeros_like(yt)))
    rc, out = run(["list", "--data-dir", str(one)], capsys)
    assert "idx            invalid    " in out and "the training labels hold 1 class" in out   # as --dataset idx says


def test_list_calls_a_cache_with_some_of_the_files_partial(capsys, isolated_env):
    """An interrupted download left 3 of the 4 files in the cache: `data list` said "missing", as for nothing."""
    from _optimlab_data_helpers import synthetic_arrays, write_idx_folder

    cache = isolated_env / "mnist"
    write_idx_folder(cache, synthetic_arrays())
    (cache / f"{IDX_STEMS[3]}.gz").unlink()
    rc, out = run(["list"], capsys)
    assert rc == 0 and (f"mnist          partial    the cache {cache} holds 3 of the 4 files (an interrupted "
                        "download); 'optimlab data fetch mnist' completes it") in out


def test_list_says_when_OPTIMLAB_DATA_names_a_missing_folder(capsys, tmp_path, monkeypatch):
    """`data list` with $OPTIMLAB_DATA misspelt listed mnist as missing and said nothing of it (compare's fallback
    notice names the folder); it now says so in a line of its own, and nothing when the folder exists."""
    monkeypatch.setenv(_remote.DATA_ENV, str(tmp_path / "mnits"))
    rc, out = run(["list"], capsys)
    assert rc == 0 and f"$OPTIMLAB_DATA names '{tmp_path / 'mnits'}', which does not exist: nothing is found there" in out
    (tmp_path / "mnits").mkdir()
    rc, out = run(["list"], capsys)
    assert rc == 0 and "does not exist" not in out


@needs_fashion
def test_partial_folders_and_OPTIMLAB_DATA_get_advice_that_works(capsys, tmp_path, monkeypatch, isolated_env):
    """A review: `data list` called two Fashion-MNIST files "partial" for mnist and said to complete them with a fetch
    that refuses ("not mnist's"), with the path unquoted ("/tmp/my data" broke the command); and with $OPTIMLAB_DATA
    naming Fashion-MNIST's folder, `data fetch mnist` failed advising 'optimlab data fetch mnist', itself."""
    part = tmp_path / "my data"
    part.mkdir()
    for stem in IDX_STEMS[:2]:
        shutil.copy(FASHION_DIR / f"{stem}.gz", part)
    rc, out = run(["list", "--data-dir", str(part)], capsys)
    lines = {line.split()[0]: line for line in out.splitlines() if line.strip()}
    assert lines["mnist"] == f"mnist          other      {part} holds 2 of the 4 files, and not mnist's (SHA-256 differs)"
    assert lines["fashion-mnist"].endswith(f"this completes it: optimlab data fetch fashion-mnist --data-dir '{part}'")
    # a damaged file among them (cut short) is not another dataset's: said, with what to do (a review saw "other")
    import gzip

    cut = FASHION_DIR / f"{IDX_STEMS[2]}.gz"
    (part / cut.name).write_bytes(gzip.compress(gzip.decompress(cut.read_bytes())[:-100]))
    rc, out = run(["list", "--data-dir", str(part)], capsys)
    lines = {line.split()[0]: line for line in out.splitlines() if line.strip()}
    assert lines["fashion-mnist"] == (f"fashion-mnist  invalid    {part} holds 3 of the 4 files, {cut.name} damaged "
                                      f"(cut short, or not IDX); remove it, then: optimlab data fetch fashion-mnist "
                                      f"--data-dir '{part}'")
    monkeypatch.setenv(_remote.DATA_ENV, str(part))          # its own dataset's folder: the fetch's own words
    with pytest.raises(DatasetError, match=rf"^cannot download fashion-mnist into .*: {cut.name} there is not "):
        run(["fetch", "fashion-mnist", "--timeout", "1", "--no-progress"], capsys)
    whole = tmp_path / "fashion"
    shutil.copytree(FASHION_DIR, whole)
    monkeypatch.setenv(_remote.DATA_ENV, str(whole))
    with pytest.raises(DatasetError, match=r"^.*fashion holds the official fashion-mnist files, not mnist; \$OPTIMLAB_DATA "
                                           r"names that folder, where every mnist load looks first \(accepted: "
                                           r"--dataset fashion-mnist for them; or \$OPTIMLAB_DATA unset or naming a "
                                           r"folder for mnist"):
        run(["fetch", "mnist", "--timeout", "1", "--no-progress"], capsys)
    # and so does a compare that loads mnist there (its advice was 'optimlab data fetch mnist', which says this)
    from optimlab.data import load_dataset

    with pytest.raises(DatasetError, match=r"names that folder, where every mnist load looks first"):
        load_dataset("mnist", download=False)


@needs_fashion
def test_list_names_fashion_mnist_files_where_mnist_is_looked_for(capsys, tmp_path):
    """Official Fashion-MNIST files in a folder given for MNIST were 'IDX files that are not mnist'."""
    import shutil

    folder = tmp_path / "f"
    shutil.copytree(FASHION_DIR, folder)
    rc, out = run(["list", "--data-dir", str(folder)], capsys)
    assert rc == 0 and (f"mnist          other      {folder} holds the official fashion-mnist files, not mnist "
                        "(SHA-256 differs); they load as --dataset fashion-mnist") in out


@needs_fashion
def test_list_reads_each_file_of_a_folder_once(capsys, monkeypatch):
    """The read-through of the last session: ``data list --data-dir`` on Fashion-MNIST decompressed each file five
    times (hashed for mnist's row, parsed as not mnist, hashed again and for fashion-mnist's, loaded with its labels
    for idx's): 5.3 s. Once each now (1.7 s); what it says is unchanged."""
    from collections import Counter

    import optimlab.data.cli as dcli
    import optimlab.data.idx as idx

    reads, real = Counter(), idx.read_bytes

    def counted(path):
        reads[str(path)] += 1
        return real(path)

    monkeypatch.setattr(idx, "read_bytes", counted)
    monkeypatch.setattr(dcli, "read_bytes", counted)
    rc, out = run(["list", "--data-dir", str(FASHION_DIR)], capsys)
    assert rc == 0 and f"fashion-mnist  available  {FASHION_DIR}\n" in out and f"idx            available  {FASHION_DIR}" in out
    assert (f"mnist          other      {FASHION_DIR} holds the official fashion-mnist files, not mnist (SHA-256 "
            "differs); they load as --dataset fashion-mnist") in out
    assert len(reads) == 4 and set(reads.values()) == {1}, reads


def test_subcommand_required(capsys):
    with pytest.raises(SystemExit):
        run([], capsys)
    with pytest.raises(SystemExit):
        run(["fetch", "cifar"], capsys)


def test_verify_bundled(capsys):
    rc, out = run(["verify", "digits"], capsys)
    assert rc == 0 and "matches the pinned value" in out


def test_verify_wrong_files(capsys, tmp_path):
    folder = write_idx_folder(tmp_path / "d")
    rc, out = run(["verify", "mnist", "--data-dir", str(folder)], capsys)
    assert rc == 1 and out.count("MISMATCH") == 4 and "optimlab data fetch mnist" in out


def test_verify_nothing_there(capsys):
    with pytest.raises(OptimlabError, match="no mnist files to verify"):
        run(["verify", "mnist"], capsys)


def test_verify_idx(capsys, tmp_path):
    folder = write_idx_folder(tmp_path / "d")
    rc, out = run(["verify", "idx", "--data-dir", str(folder)], capsys)
    assert rc == 0 and "parsed OK" in out


@needs_fashion
def test_verify_fashion(capsys):
    rc, out = run(["verify", "fashion-mnist"], capsys)
    assert rc == 0 and out.count(" ok (") == 4 and "all 4 files match" in out


@needs_fashion
def test_verify_mnist_on_fashion_files_says_what_they_are(capsys):
    rc, out = run(["verify", "mnist", "--data-dir", "/usr/share/datasets/fashion-mnist"], capsys)
    assert rc == 1 and out.count("MISMATCH") == 4
    assert out.splitlines()[-1] == ("mnist: /usr/share/datasets/fashion-mnist holds the official fashion-mnist files, "
                                    "not mnist: use them with --dataset fashion-mnist ('optimlab data verify "
                                    "fashion-mnist' checks them)")


def test_fetch_into_cache(capsys, served, monkeypatch, closed_port_url, isolated_env):
    url, root = served
    monkeypatch.setitem(_remote.REMOTES, "mnist", pins_for(root))
    rc, out = run(["fetch", "mnist", "--mirror", closed_port_url, "--mirror", url, "--timeout", "5"], capsys)
    assert rc == 0 and "30 train / 12 test" in out
    assert all((isolated_env / "mnist" / f"{s}.gz").is_file() for s in IDX_STEMS)
    rc, out = run(["verify", "mnist"], capsys)
    assert rc == 0 and "the published .gz" in out


def test_fetch_and_verify_speak_japanese(capsys, served, monkeypatch, isolated_env, tmp_path):
    """`data list --lang ja` had Japanese; `fetch` and `verify`, the next two commands a student types, refused
    --lang."""
    rc, out = run(["verify", "mnist", "--data-dir", str(write_idx_folder(tmp_path / "d")), "--lang", "ja"], capsys)
    assert rc == 1 and out.count("不一致：内容の SHA-256 は") == 4
    assert out.splitlines()[-1] == ("mnist：4 ファイルのうち 4 個が一致しません。'optimlab data fetch mnist' で"
                                    "ダウンロードし直してください")
    url, root = served
    monkeypatch.setitem(_remote.REMOTES, "mnist", pins_for(root))
    rc, out = run(["fetch", "mnist", "--mirror", url, "--no-progress", "--lang", "ja"], capsys)
    assert rc == 0 and out.splitlines() == [f"mnist：{isolated_env / 'mnist'} にダウンロードします",
                                            f"mnist：訓練 30 枚・テスト 12 枚の画像を {isolated_env / 'mnist'} に置きました"
                                            "（SHA-256 確認済み）"]
    rc, out = run(["verify", "mnist", "--lang", "ja"], capsys)
    assert rc == 0 and out.count("OK（公開されている .gz そのもの）") == 4
    assert out.splitlines()[-1] == "mnist：4 ファイルすべてが登録済みの SHA-256 と一致します"
    rc, out = run(["verify", "digits", "--lang", "ja"], capsys)
    assert rc == 0 and "は登録済みの値と一致しました" in out and "digits：訓練 1,438 枚・テスト 359 枚、入力 64 次元、10 クラス" in out
    rc, out = run(["verify", "digits"], capsys)             # English unless asked
    assert rc == 0 and "matches the pinned value" in out


def test_every_line_of_verify_and_fetch_has_its_japanese(capsys, served, monkeypatch, isolated_env, tmp_path):
    """A code review: the Japanese test left the missing, recompressed, uncompressed, other-dataset, already-there and
    mismatch lines untried."""
    import gzip

    url, root = served
    monkeypatch.setitem(_remote.REMOTES, "mnist", pins_for(root))
    mine = tmp_path / "mine"
    mine.mkdir()
    stems = list(IDX_STEMS)
    (mine / stems[0]).write_bytes(gzip.decompress((root / f"{stems[0]}.gz").read_bytes()))              # raw
    (mine / f"{stems[1]}.gz").write_bytes(gzip.compress(gzip.decompress((root / f"{stems[1]}.gz").read_bytes()),
                                                        compresslevel=1))                              # recompressed
    (mine / f"{stems[2]}.gz").write_bytes((root / f"{stems[2]}.gz").read_bytes())                        # as published
    rc, out = run(["verify", "mnist", "--data-dir", str(mine), "--lang", "ja"], capsys)
    lines = out.splitlines()
    assert rc == 1 and lines[0] == f"{mine} の mnist"
    assert f"  {stems[0]}  OK（圧縮なし。IDX の内容は一致します）" in lines
    assert f"  {stems[1]}.gz  OK（圧縮し直されていますが、IDX の内容は一致します）" in lines
    assert f"  {stems[2]}.gz  OK（公開されている .gz そのもの）" in lines
    assert f"  {stems[3]}[.gz]  ありません" in lines
    assert lines[-1] == "mnist：4 ファイルのうち 1 個が一致しません。'optimlab data fetch mnist' でダウンロードし直してください"
    (mine / stems[3]).write_bytes(gzip.decompress((root / f"{stems[3]}.gz").read_bytes()))
    for lang, last in (("ja", "mnist：4 ファイルすべての IDX の内容が登録済みの SHA-256 と一致します"),
                       ("en", "mnist: the IDX content of all 4 files matches the pinned SHA-256")):
        rc, out = run(["verify", "mnist", "--data-dir", str(mine), "--lang", lang], capsys)    # not "all 4 files
        assert rc == 0 and out.splitlines()[-1] == last                        # match" under "recompressed" lines
    monkeypatch.setenv(_remote.DATA_ENV, str(root))          # the files already there: fetch says so
    rc, out = run(["fetch", "mnist", "--lang", "ja", "--mirror", url], capsys)
    assert rc == 0 and out.splitlines()[0] == f"mnist：{root} にすでにあります（訓練 30 枚・テスト 12 枚、SHA-256 確認済み）"
    assert out.splitlines()[1].startswith("mnist：ダウンロードするものがないため、--mirror は使いませんでした")  # a data review
    rc, out = run(["fetch", "mnist", "--mirror", url], capsys)
    assert rc == 0 and out.splitlines()[1] == ("mnist: --mirror not used, nothing to download (to download from it "
                                               "anyway: optimlab data fetch mnist --mirror URL --data-dir DIR, into a "
                                               "folder of your own)")
    rc, out = run(["fetch", "mnist"], capsys)
    assert rc == 0 and len(out.splitlines()) == 1                   # no --mirror: nothing more said
    from optimlab.data import cli as data_cli
    from optimlab.data.datasets import BUNDLED_SHA256

    monkeypatch.setitem(BUNDLED_SHA256, "digits", "0" * 64)     # the bundled data changed
    rc, out = run(["verify", "digits", "--lang", "ja"], capsys)
    assert rc == 1 and out.splitlines()[-1].startswith("digits：不一致。SHA-256 は ")
    assert out.splitlines()[-1].endswith(f"登録済みの値は {'0' * 64} です（同梱データか分け方が変わっています）")
    assert set(data_cli._SAY["en"]) == set(data_cli._SAY["ja"])


def test_fetch_without_a_progress_bar(capsys, served, monkeypatch, isolated_env):
    """A bar per file on stderr, also in a log; --no-progress leaves stderr empty, as compare's and sweep's do."""
    url, root = served
    monkeypatch.setitem(_remote.REMOTES, "mnist", pins_for(root))
    p = argparse.ArgumentParser(prog="optimlab")
    add_data_parser(p.add_subparsers(dest="command"))
    assert run_data(p.parse_args(["data", "fetch", "mnist", "--mirror", url, "--no-progress"])) == 0
    captured = capsys.readouterr()
    assert "30 train / 12 test" in captured.out and captured.err == ""
    shutil.rmtree(isolated_env / "mnist")
    assert run_data(p.parse_args(["data", "fetch", "mnist", "--mirror", url])) == 0
    assert "mnist train-images-idx3-ubyte.gz" in capsys.readouterr().err            # the bar, named by its file


def test_fetch_offline_is_a_user_error(capsys, closed_port_url):
    with pytest.raises(DatasetError, match="could not download mnist.*offline options"):
        run(["fetch", "mnist", "--mirror", closed_port_url], capsys)


def test_fetch_never_replaces_files_in_a_folder_you_named(capsys, served, monkeypatch, isolated_env, tmp_path):
    """`data fetch --data-dir mine` replaced the user's own IDX files there (any file failing the pinned hash), with
    exit 0, and a failure part-way left a mix of two datasets: refused before any download, the files as they were.
    In the cache, optimlab's own folder, a damaged file is still fetched again."""
    url, root = served
    monkeypatch.setitem(_remote.REMOTES, "mnist", pins_for(root))
    mine = write_idx_folder(tmp_path / "mine", synthetic_arrays(seed=7))
    before = {p.name: p.read_bytes() for p in mine.iterdir()}
    with pytest.raises(DatasetError, match=r"^cannot download mnist into '.*mine': train-images-idx3-ubyte\.gz there "
                                           r"is not mnist's \(SHA-256 differs\); a download would replace it or be read in its place "
                                           r"\(accepted: "):
        run(["fetch", "mnist", "--data-dir", str(mine), "--mirror", url, "--timeout", "5"], capsys)
    assert {p.name: p.read_bytes() for p in mine.iterdir()} == before


def test_fetch_keeps_a_file_put_in_the_folder_while_it_downloads(capsys, served, monkeypatch, isolated_env, tmp_path):
    """A review: a file of the user's written into --data-dir during a fetch was replaced by the download, exit 0 (the
    folder was checked once, before the first download). It is checked again before each file takes its name."""
    url, root = served
    monkeypatch.setitem(_remote.REMOTES, "mnist", pins_for(root))
    mine = tmp_path / "mine"
    mine.mkdir()
    real = _remote._check_served

    def meanwhile(part, f):                 # the user saves a file of that name while the download runs
        real(part, f)
        if f.stem == IDX_STEMS[1]:
            (mine / f"{f.stem}.gz").write_bytes(b"the user's own file")

    monkeypatch.setattr(_remote, "_check_served", meanwhile)
    with pytest.raises(DatasetError, match=rf"^cannot download mnist into '.*mine': {IDX_STEMS[1]}\.gz there is not "
                                           r"mnist's \(SHA-256 differs\)"):
        run(["fetch", "mnist", "--data-dir", str(mine), "--mirror", url, "--timeout", "5", "--no-progress"], capsys)
    assert (mine / f"{IDX_STEMS[1]}.gz").read_bytes() == b"the user's own file"


def test_fetch_completes_a_data_folder_that_holds_some_of_the_files(capsys, served, monkeypatch, isolated_env,
                                                                    tmp_path):
    """$OPTIMLAB_DATA with two of the four files: fetch stopped on "missing IDX file(s)" while verify said to run
    fetch. It downloads the missing ones there (where every load looks first) and keeps the two."""
    url, root = served
    monkeypatch.setitem(_remote.REMOTES, "mnist", pins_for(root))
    data = tmp_path / "data"
    data.mkdir()
    for stem in IDX_STEMS[:2]:
        (data / f"{stem}.gz").write_bytes((root / f"{stem}.gz").read_bytes())
    monkeypatch.setenv(_remote.DATA_ENV, str(data))
    rc, out = run(["fetch", "mnist", "--mirror", url, "--timeout", "5"], capsys)
    assert rc == 0 and f"downloading into {data}" in out and "30 train / 12 test" in out
    assert sorted(p.name for p in data.iterdir()) == sorted(f"{s}.gz" for s in IDX_STEMS)
    assert not (isolated_env / "mnist").exists()


def test_a_folder_you_cannot_write_to_is_said_as_such_not_as_every_mirror_failing(capsys, served, monkeypatch,
                                                                                  isolated_env):
    """pooch re-raises a folder it cannot write to as PermissionError without an errno: each mirror was said to fail
    with "Permission denied:", then the offline options. One line naming the folder instead."""
    import pooch

    url, root = served
    monkeypatch.setitem(_remote.REMOTES, "mnist", pins_for(root))

    def refused(*args, **kwargs):
        raise PermissionError("Permission denied: cannot write to the cache")      # as pooch raises it: no errno

    monkeypatch.setattr(pooch, "retrieve", refused)
    with pytest.raises(DatasetError, match=rf"^cannot write into data directory '{isolated_env / 'mnist'}': "
                                           r"Permission denied \(accepted: a folder you can write to"):
        run(["fetch", "mnist", "--mirror", url, "--mirror", url, "--timeout", "5"], capsys)


def test_a_data_folder_that_is_a_link_loop_is_one_line(tmp_path, capsys):
    """A hostile-input review: `data fetch --data-dir LOOP` (a link to itself) ended in a RuntimeError traceback."""
    loop = tmp_path / "lp"
    loop.symlink_to(loop)
    with pytest.raises(OptimlabError, match=r"^--data-dir '.*lp' is a link that leads to no folder \(accepted: a "
                                            r"folder\)$"):
        run(["fetch", "mnist", "--data-dir", str(loop), "--mirror", "http://127.0.0.1:1/"], capsys)


@needs_fashion
def test_data_list_has_a_header_and_its_japanese_rows_are_japanese(capsys):
    """A Japanese student's review: the columns あり / 同梱 / 要フォルダ had no names, and the row of a folder holding
    another dataset was English inside the Japanese list."""
    rc, out = run(["list", "--data-dir", str(FASHION_DIR), "--lang", "ja"], capsys)
    lines = out.splitlines()
    assert rc == 0 and lines[0].split() == ["データセット", "状態", "場所・入手方法"]
    assert lines[1] == (f"mnist          別のデータ  {FASHION_DIR} にあるのは公式の fashion-mnist のファイルで、mnist ではあり"
                        "ません。--dataset fashion-mnist で使えます")
    rc, out = run(["list"], capsys)
    assert out.splitlines()[0].split() == ["dataset", "status", "where"]
    from optimlab.data import cli as data_cli                  # each case written in both languages, not translated
                                                                # back from the English by pattern
    assert set(data_cli._WHERE["en"]) == set(data_cli._WHERE["ja"])
