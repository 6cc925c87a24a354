"""Writes cut short (a fault-injection review): a report beside a compare, a second Ctrl-C, a signal during the
swap, a failed rename, what a SIGKILL left — nothing lost, nothing mixed, and what happened said."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import pytest

from optimlab import _io
from optimlab.cli import main
from optimlab.results import store

SMALL = ["--dataset", "digits", "--iters", "10", "--eval-interval", "10", "--optimizers", "sgd", "--no-plots",
         "--no-progress"]


@pytest.fixture
def run(tmp_path):
    out = tmp_path / "run"
    assert main(["compare", *SMALL, "--out", str(out)]) == 0
    return out


def test_a_report_into_a_folder_a_compare_is_writing_is_refused(run, capsys, monkeypatch):
    # it read the old run, the compare swapped in the new one, and the old run's page went into the new folder
    from optimlab.viz import report_cli

    monkeypatch.setattr(report_cli, "REPORT_WAIT", 0.3)   # it waits for a lock a while (another report's is brief)
    before = (run / "report.html").read_bytes()
    with store.output_lock(run):                    # a compare writing this folder
        assert main(["report", str(run)]) == 2
    assert "is being written by another optimlab compare or report" in capsys.readouterr().err
    assert (run / "report.html").read_bytes() == before
    assert main(["report", str(run)]) == 0          # and once it is done, as before


def test_what_a_killed_report_left_does_not_keep_the_folder_from_being_replaced(run, capsys):
    (run / ".report.html.optimlab-k2jd_8x0.tmp").write_text("half a page")      # its temporary and the earlier page's
    (run / ".report.html.optimlab-28c41325.old").write_text("<!DOCTYPE html>")  # second name
    assert main(["compare", *SMALL, "--out", str(run)]) == 0, capsys.readouterr().err
    assert not [p for p in run.iterdir() if p.name.startswith(".")]
    (run / ".notes.k2jd_8x0.tmp").write_text("mine")                  # not a name optimlab writes: kept, refused
    assert main(["compare", *SMALL, "--out", str(run)]) == 2
    assert "it holds '.notes.k2jd_8x0.tmp'" in capsys.readouterr().err


def test_a_ctrl_c_during_the_swap_waits_for_it_and_says_the_results_were_written(run, monkeypatch, capsys):
    swap = store._swap_folder

    def interrupted_swap(stage, target):
        os.kill(os.getpid(), signal.SIGINT)         # arrives mid-swap: held until the swap is done
        swap(stage, target)

    monkeypatch.setattr(store, "_swap_folder", interrupted_swap)
    assert main(["compare", *SMALL, "--lr", "0.5", "--out", str(run)]) == 130
    assert capsys.readouterr().err.strip().splitlines()[-1] == \
        f"optimlab: interrupted after {str(run)!r} was written whole"           # it said "interrupted" alone
    assert json.loads((run / "summary.json").read_text())["runs"][0]["hyperparameters"]["lr"] == 0.5
    assert not [p for p in run.parent.iterdir() if p.name.startswith(".")]


def test_a_failed_second_rename_puts_the_earlier_results_back(run, monkeypatch, capsys):
    before = (run / "summary.json").read_bytes()
    real = os.replace

    def failing(src, dst):
        if Path(src).name.startswith(".run.partial-"):
            raise OSError(5, "Input/output error", os.fspath(dst))
        return real(src, dst)

    monkeypatch.setattr(store.os, "replace", failing)
    assert main(["compare", *SMALL, "--lr", "0.5", "--out", str(run)]) == 2
    err = capsys.readouterr().err
    assert "Input/output error; the new results are in " in err and ".run.partial-" in err and \
        "(move them elsewhere: the next compare into" in err     # it lost both
    assert (run / "summary.json").read_bytes() == before
    assert not list(run.parent.glob(".run.old-*"))


def test_results_a_kill_left_between_the_two_renames_are_put_back(run):
    before = (run / "summary.json").read_bytes()
    old = run.parent / ".run.old-x1y2z3w4"
    old.mkdir()
    os.replace(run, old / "previous")               # SIGKILL here: no run folder, the results in .old-*/previous
    with store.output_lock(run):                    # the next compare: they were kept once, then deleted unsaid
        pass
    assert (run / "summary.json").read_bytes() == before and not old.exists()


def test_a_second_ctrl_c_while_temporaries_are_removed_leaves_none(tmp_path, monkeypatch):
    unlink, calls = Path.unlink, []

    def interrupted_unlink(self, missing_ok=False):
        calls.append(self)
        if len(calls) == 1:
            os.kill(os.getpid(), signal.SIGINT)     # the second Ctrl-C, while the first's cleanup runs
        unlink(self, missing_ok=missing_ok)

    monkeypatch.setattr(Path, "unlink", interrupted_unlink)
    with pytest.raises(KeyboardInterrupt):
        with _io.atomic_paths([tmp_path / "a.png", tmp_path / "b.csv"]):
            raise KeyboardInterrupt                 # the first
    assert len(calls) == 2 and list(tmp_path.iterdir()) == []


def test_one_landscape_of_a_function_at_a_time_and_what_a_killed_one_left_goes(tmp_path):
    from optimlab.errors import ConfigError
    from optimlab.viz.landscape import run_landscape, write_landscape

    result = run_landscape("bowl", ("sgd",), steps=5)
    out = tmp_path / "ls"
    out.mkdir()
    for name in (".landscape_bowl.gif.optimlab-a1b2c3d4.tmp", ".trajectories_bowl.csv.optimlab-0a1b2c3d.old"):
        (out / name).write_text("left by a SIGKILL")
    (out / ".mine.a1b2c3d4.tmp").write_text("not optimlab's")
    busy = lambda who: ConfigError(who)                                       # noqa: E731
    with _io.exclusive_lock(out / ".landscape_bowl.optimlab-lock", busy):    # another landscape writing them
        with pytest.raises(ConfigError, match=r"landscape_bowl\.\* are being written by another optimlab landscape"):
            write_landscape(result, out, gif=False)
    write_landscape(result, out, gif=False)
    assert sorted(p.name for p in out.iterdir()) == [".mine.a1b2c3d4.tmp", "landscape_bowl.json", "landscape_bowl.png",
                                                     "trajectories_bowl.csv"]


def test_only_a_finished_swap_of_the_commands_output_is_said_written(tmp_path, monkeypatch, capsys):
    # a code review: a file swapped into the compare's hidden stage, or a swap that failed with the signal held,
    # was said "written whole" while nothing was
    swap_in = _io._swap_in

    def interrupted_first_file(pairs):
        swap_in(pairs)
        os.kill(os.getpid(), signal.SIGINT)         # after the stage's first file is in: the compare is not done

    monkeypatch.setattr(_io, "_swap_in", interrupted_first_file)
    out = tmp_path / "a"
    assert main(["compare", *SMALL, "--out", str(out)]) == 130
    assert capsys.readouterr().err.strip().splitlines()[-1] == "optimlab: interrupted" and not out.exists()
    monkeypatch.undo()

    def failing_swap(stage, target):
        os.kill(os.getpid(), signal.SIGINT)
        raise OSError(18, "Invalid cross-device link", os.fspath(target))

    monkeypatch.setattr(store, "_swap_folder", failing_swap)
    assert main(["compare", *SMALL, "--out", str(out)]) == 130
    err = capsys.readouterr().err.strip().splitlines()      # the swap's error too (the signal took its place)
    assert err[-2:] == [f"optimlab: error: cannot write {str(out)!r}: Invalid cross-device link", "optimlab: interrupted"]
    assert not out.exists()


def test_a_report_where_no_lock_can_be_made_is_written_as_before(run, monkeypatch, capsys):
    # a code review: a run folder in a shared folder that is not writable could no longer get its report
    def unwritable(path, busy, wait=0.0):
        raise PermissionError(13, "Permission denied", os.fspath(path))

    monkeypatch.setattr(store, "exclusive_lock", unwritable)
    (run / "report.html").unlink()
    assert main(["report", str(run)]) == 0 and (run / "report.html").is_file()


def test_a_report_through_a_link_to_a_folder_a_compare_writes_is_refused(run, capsys, monkeypatch):
    from optimlab.viz import report_cli

    monkeypatch.setattr(report_cli, "REPORT_WAIT", 0.3)
    link = run.parent / "latest"
    link.symlink_to(run)
    with store.output_lock(run):
        assert main(["report", str(link)]) == 2
    assert "is being written by another optimlab compare or report" in capsys.readouterr().err


def test_a_killed_reports_new_page_and_a_gif_written_into_a_temporary_leave_nothing_in_the_way(run, tmp_path):
    # a review: a first report_ja.html killed mid-write kept the folder from being replaced, and a landscape's GIF,
    # written into its temporary, left a temporary of that temporary no rerun removed
    from optimlab.viz.landscape import run_landscape, write_landscape

    (run / ".report_ja.html.optimlab-h0i1oq8n.tmp").write_text("half a page")
    assert main(["compare", *SMALL, "--out", str(run)]) == 0
    out = tmp_path / "ls"
    out.mkdir()
    (out / "..landscape_bowl.gif.optimlab-g7bjm152.tmp.optimlab-9cnwvogt.tmp").write_text("left")
    write_landscape(run_landscape("bowl", ("sgd",), steps=5), out, gif=False)
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


def test_a_report_leaves_the_new_results_an_error_pointed_to(run, capsys):
    # a review: the error said the new results were in .run.partial-*, and the next 'optimlab report' deleted them
    stage = run.parent / ".run.partial-x1y2z3w4"
    stage.mkdir()
    (stage / "summary.json").write_text("{}")
    assert main(["report", str(run)]) == 0 and stage.is_dir()


def test_only_an_optimlab_run_is_put_back_from_an_old_folder(tmp_path, capsys):
    mine = tmp_path / ".r.old-mine" / "previous"
    mine.mkdir(parents=True)
    (mine / "notes.txt").write_text("the user's")
    with store.output_lock(tmp_path / "r"):
        pass
    assert (mine / "notes.txt").read_text() == "the user's" and not (tmp_path / "r").exists()


def test_a_second_report_of_a_run_waits_for_the_first(run, monkeypatch):
    # a review: two reports at once (the English and the Japanese page) were refused once reports took the lock
    import threading

    from optimlab.viz import report_cli

    monkeypatch.setattr(report_cli, "REPORT_WAIT", 5.0)
    held = threading.Event()

    def first():
        with store.output_lock(run, clean=False):
            held.set()
            threading.Event().wait(0.5)

    t = threading.Thread(target=first)
    t.start()
    held.wait()
    assert main(["report", str(run), "--lang", "ja", "--out", str(run / "report_ja.html")]) == 0
    t.join()


def test_hidden_files_of_the_users_that_look_like_leftovers_are_kept(run, tmp_path, capsys):
    # a review: the leftover pattern took a user's dated or named backups for optimlab's and deleted them
    for name in (".notes.html.abcdefgh.tmp", ".metrics.csv.20241201.old"):
        (run / name).write_text("mine")
        assert main(["compare", *SMALL, "--out", str(run)]) == 2
        assert f"it holds {name!r}" in capsys.readouterr().err and (run / name).read_text() == "mine"
        (run / name).unlink()
    from optimlab.viz.landscape import run_landscape, write_landscape

    out = tmp_path / "ls"
    out.mkdir()
    (out / ".landscape_bowl.png.original.tmp").write_text("mine")
    write_landscape(run_landscape("bowl", ("sgd",), steps=5), out, gif=False)
    assert (out / ".landscape_bowl.png.original.tmp").read_text() == "mine"
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / ".c.old-mylink1").symlink_to(tmp_path / "nowhere")         # dangling: it stopped the compare
    (tmp_path / ".c.old-backups").symlink_to(tmp_path / "elsewhere")
    assert main(["compare", *SMALL, "--out", str(tmp_path / "c")]) == 0
    assert (tmp_path / ".c.old-mylink1").is_symlink() and (tmp_path / "elsewhere").is_dir()
