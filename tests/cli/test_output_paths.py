"""Output paths of compare, sweep, landscape and report: checked before any long work, refused in one line
(exit status 2, no traceback), never deleting what optimlab did not write, and replaced as a whole."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from optimlab.cli import main
from optimlab.errors import ConfigError
from optimlab.train.loop import usable_cpus

COMPARE = ["compare", "--dataset", "digits", "--iters", "20", "--eval-interval", "10", "--optimizers", "sgd",
           "--no-report", "--no-progress"]
SWEEP = ["sweep", "--dataset", "digits", "--optimizers", "sgd", "--lrs", "0.1", "--seeds", "1", "--iters", "20",
         "--eval-interval", "10", "--jobs", "0", "--no-progress"]
LANDSCAPE = ["landscape", "--steps", "5", "--no-gif"]
HAS_PROC = Path("/proc/self").is_dir()


@pytest.fixture
def cwd(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def no_training(monkeypatch):
    """Fail the test if a comparison starts training or a sweep starts an executor."""
    import optimlab.api
    import optimlab.experiment.executors

    def boom(*a, **k):
        raise AssertionError("started before the output path was checked")

    monkeypatch.setattr(optimlab.api, "run_compare", boom)
    monkeypatch.setattr(optimlab.experiment.executors, "make_executor", boom)


def refused(capsys, argv, *needles):
    """Run the CLI in this process; it must exit 2 with one line on stderr holding every needle."""
    rc = main(argv)
    err = capsys.readouterr().err
    assert rc == 2, err
    assert err.startswith("optimlab: error: ") and err.count("\n") == 1 and "Traceback" not in err, err
    for needle in needles:
        assert needle in err, err
    return err


def tree(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): (p.read_text(errors="replace") if p.is_file() else "/")
            for p in sorted(root.rglob("*"))}


# -- compare ------------------------------------------------------------------------------------------------

def test_compare_keeps_a_folder_it_did_not_write(cwd, capsys, no_training):
    (cwd / "userdir").mkdir()
    (cwd / "userdir" / "notes.txt").write_text("precious")
    (cwd / "afile").write_text("mine")
    before = tree(cwd)
    refused(capsys, COMPARE + ["--out", "userdir"], "'userdir'", "notes.txt", "earlier optimlab compare run folder")
    refused(capsys, COMPARE + ["--out", "afile"], "'afile'", "existing file")
    assert tree(cwd) == before


def test_no_output_folder_is_made_inside_a_run_or_sweep_folder(cwd, capsys):
    """A bad-input review: compare --out good/sub was accepted, and the run folder good then held 'sub', which its
    next compare refused to replace. Every command refuses a folder inside a run or sweep folder, before writing."""
    assert main(COMPARE + ["--no-plots", "--out", "good"]) == 0
    assert main(SWEEP + ["--no-plots", "--no-report", "--out", "sw"]) == 0
    capsys.readouterr()
    before = tree(cwd)
    for argv, inner in ((COMPARE + ["--out", "good/sub"], "good/sub"), (SWEEP + ["--out", "good/s"], "good/s"),
                        (LANDSCAPE + ["--out", "good/l"], "good/l"), (COMPARE + ["--out", "sw/c"], "sw/c"),
                        (SWEEP + ["--out", "sw/deeper/s"], "sw/deeper/s")):
        outer = str(cwd / inner.split("/")[0])
        refused(capsys, argv, f"refusing to write into '{inner}': it lies inside '{outer}', an optimlab output folder")
    assert tree(cwd) == before
    assert main(COMPARE + ["--no-plots", "--out", "good"]) == 0       # still replaced as a whole
    capsys.readouterr()
    # a code review: a link into a run folder passed; a project of one's own with a sweep recipe named sweep.toml
    # beside a test-data folder was taken for a sweep folder (every default output refused); a FIFO named
    # summary.json above hung the check
    os.symlink(cwd / "good", cwd / "link")
    refused(capsys, COMPARE + ["--out", "link/c"], "refusing to write into 'link/c': it lies inside")
    (cwd / "proj" / "test-data").mkdir(parents=True)
    (cwd / "proj" / "sweep.toml").write_text('name = "mine"\ndataset = "digits"\n')
    os.mkfifo(cwd / "proj" / "summary.json")
    assert main(COMPARE + ["--no-plots", "--out", "proj/runs/c"]) == 0
    assert main(SWEEP + ["--no-plots", "--no-report", "--out", "proj/runs/s"]) == 0


def test_a_damaged_or_deeply_nested_summary_is_one_line(cwd, capsys, no_training):
    """A bad-input review: a summary.json of '[' * 100000 was a RecursionError's traceback from report and compare,
    and a damaged one was called "no summary.json" though it was there."""
    (cwd / "deep").mkdir()
    (cwd / "deep" / "summary.json").write_text("[" * 100000 + "]" * 100000)
    before = tree(cwd)
    refused(capsys, ["report", "deep"], "summary.json is not valid JSON (nested too deeply)")
    refused(capsys, COMPARE + ["--out", "deep"], "its summary.json is not one optimlab compare wrote: unreadable, "
            "damaged or edited")
    assert tree(cwd) == before


def test_compare_replaces_an_earlier_run_folder_as_a_whole_but_not_a_foreign_file(cwd, capsys):
    assert main(COMPARE + ["--out", "r"]) == 0
    assert (cwd / "r" / "loss.png").is_file()
    assert main(COMPARE + ["--out", "r", "--no-plots"]) == 0          # an earlier run: replaced, stale figures gone
    assert sorted(p.name for p in (cwd / "r").iterdir()) == ["metrics.csv", "recipe.toml", "summary.json"]
    (cwd / "r" / "mine.txt").write_text("precious")
    capsys.readouterr()
    refused(capsys, COMPARE + ["--out", "r"], "'mine.txt'")
    assert (cwd / "r" / "mine.txt").read_text() == "precious" and (cwd / "r" / "summary.json").is_file()
    (cwd / "empty").mkdir()
    assert main(COMPARE + ["--out", "empty", "--no-plots"]) == 0
    assert (cwd / "empty" / "summary.json").is_file()
    assert not [p.name for p in cwd.iterdir() if p.name.startswith(".")]       # no staging leftovers


def test_a_read_only_earlier_run_folder_is_refused_before_training(cwd, capsys, monkeypatch):
    """Replacing a run folder moves it aside, which needs it writable (its '..' entry changes): without that, the
    new results were trained and then stranded in a hidden staging folder. (As root every folder is writable, so
    the permission is what os.access answers.)"""
    import optimlab.results.store as store

    assert main(COMPARE + ["--out", "r", "--no-plots"]) == 0
    capsys.readouterr()
    before = tree(cwd)
    real = store.os.access
    monkeypatch.setattr(store.os, "access", lambda p, mode: False if Path(p).name == "r" else real(p, mode))
    import optimlab.api

    monkeypatch.setattr(optimlab.api, "run_compare", lambda *a, **k: pytest.fail("trained"))
    refused(capsys, COMPARE + ["--out", "r"], "cannot replace 'r': the folder is read-only")
    assert tree(cwd) == before


def test_a_failed_swap_names_the_folder_and_where_the_results_are(cwd, capsys, monkeypatch):
    import optimlab.results.store as store

    assert main(COMPARE + ["--out", "r", "--no-plots"]) == 0
    capsys.readouterr()
    real = store.os.replace

    def replace(src, dst):
        if Path(dst).name == "previous":
            raise PermissionError(13, "Permission denied")
        return real(src, dst)

    monkeypatch.setattr(store.os, "replace", replace)
    assert main(COMPARE + ["--out", "r", "--no-plots"]) == 2
    err = capsys.readouterr().err.splitlines()[-1]
    assert err.startswith("optimlab: error: cannot write 'r': Permission denied; the new results are in "), err
    staged = [p for p in cwd.iterdir() if p.name.startswith(".r.partial-")]
    assert len(staged) == 1 and str(staged[0].name) in err and (staged[0] / "summary.json").is_file()
    assert not [p for p in cwd.iterdir() if p.name.startswith(".r.old-")] and (cwd / "r" / "summary.json").is_file()


@pytest.mark.parametrize("name", ["", "../../escape", "..", ".", "a/b", "x\u0000y", "tab\there"])
def test_compare_recipe_name_must_be_a_folder_name(cwd, capsys, no_training, name):
    (cwd / "runs" / "earlier").mkdir(parents=True)
    (cwd / "runs" / "earlier" / "summary.json").write_text("{}")
    recipe = cwd / "r.toml"
    recipe.write_text(f'name = {json.dumps(name)}\n[[runs]]\nlabel = "SGD"\noptimizer = "sgd"\nlr = 0.01\n')
    before = tree(cwd)
    refused(capsys, COMPARE + ["--recipe", str(recipe)], f"invalid recipe name: {name!r}", "without slashes",
            "or give --out")
    assert tree(cwd) == before


def test_a_recipe_with_a_byte_order_mark_reads_and_one_in_utf16_is_named(cwd, capsys, no_training):
    """Windows Notepad's UTF-8 byte-order mark was "is not valid TOML: Invalid statement (at line 1, column 1)" and
    a UTF-16 recipe "'utf-8' codec can't decode byte 0xff …" (a recipe review)."""
    text = 'name = "bom"\n[[runs]]\nlabel = "SGD"\noptimizer = "sgd"\nlr = 0.01\n'
    (cwd / "bom.toml").write_bytes(b"\xef\xbb\xbf" + text.encode())
    from optimlab.experiment import load_recipe

    assert load_recipe(cwd / "bom.toml").name == "bom"
    (cwd / "u16.toml").write_bytes(text.encode("utf-16"))
    refused(capsys, COMPARE + ["--recipe", "u16.toml"], "recipe 'u16.toml' is not UTF-8 text (byte 0: b'\\xff'; "
            "accepted: a .toml file saved as UTF-8")


def test_compare_recipe_name_with_a_slash_is_fine_with_out(cwd, capsys):
    recipe = cwd / "r.toml"
    recipe.write_text('name = "note 1/2"\n[[runs]]\nlabel = "SGD"\noptimizer = "sgd"\nlr = 0.01\n')
    assert main(COMPARE + ["--recipe", str(recipe), "--out", "o", "--no-plots"]) == 0
    assert json.loads((cwd / "o" / "summary.json").read_text())["runs"][0]["label"] == "SGD"
    assert main(SWEEP + ["--name", "a/b", "--out", "s", "--no-plots", "--no-report"]) == 0    # the same for a sweep
    assert (cwd / "s" / "summary.json").is_file()


@pytest.mark.parametrize("out, needle", [
    ("", "invalid output folder: ''"),
    (".", "current folder"),
    ("..", "current folder"),
    ("f2/sub", "is not a folder"),
    pytest.param("/proc/optout", "cannot write '/proc/optout'",
                 marks=pytest.mark.skipif(not HAS_PROC, reason="needs /proc")),
])
def test_compare_unusable_out_is_refused_before_training(cwd, capsys, no_training, out, needle):
    (cwd / "f2").write_text("a file")
    before = tree(cwd)
    refused(capsys, COMPARE + ["--out", out], needle)
    assert tree(cwd) == before                         # no ..old-/..partial- leftovers, nothing created


# -- report -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("out, needle", [
    ("rep/outdir", "is a folder"),
    ("rep/f/r.html", "is not a folder"),
    ("", "invalid --out: ''"),
    ("/dev/null", "not a regular file"),
    pytest.param("/proc/r.html", "cannot write '/proc/r.html'",
                 marks=pytest.mark.skipif(not HAS_PROC, reason="needs /proc")),
])
def test_report_out_is_checked(cwd, capsys, out, needle):
    (cwd / "rep" / "outdir").mkdir(parents=True)
    (cwd / "rep" / "f").write_text("a file")
    before = tree(cwd)
    refused(capsys, ["report", "no-such-run", "--out", out], needle)
    assert tree(cwd) == before


def test_an_os_error_while_writing_is_one_line(capsys, monkeypatch):
    import optimlab.cli

    def fail(args):
        raise IsADirectoryError(21, "Is a directory", "out/.x.abc.tmp", None, "out/x")

    monkeypatch.setattr(optimlab.cli, "run_compare_cli", fail)
    assert refused(capsys, ["compare"]) == "optimlab: error: cannot write 'out/x': Is a directory\n"


def test_cli_prints_no_traceback_as_a_process(tmp_path):
    (tmp_path / "afile").write_text("mine")
    r = subprocess.run([sys.executable, "-m", "optimlab", *COMPARE, "--out", "afile"], capture_output=True,
                       text=True, cwd=tmp_path, timeout=120)
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "existing file" in r.stderr, r.stderr
    assert (tmp_path / "afile").read_text() == "mine"


# -- landscape ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("argv, needle", [
    (["--out", "afile"], "existing file"),
    (["--out", ""], "invalid output folder: ''"),
    (["--steps", "100000000"], "100,000"),
    (["--start=1e308,1e308"], "invalid --start"),
    pytest.param(["--out", "/proc/lsx"], "cannot write '/proc/lsx'",
                 marks=pytest.mark.skipif(not HAS_PROC, reason="needs /proc")),
])
def test_landscape_bad_out_steps_start_are_one_line_and_write_nothing(cwd, capsys, argv, needle):
    (cwd / "afile").write_text("mine")
    before = tree(cwd)
    refused(capsys, LANDSCAPE + argv, needle)
    assert tree(cwd) == before


def test_landscape_where_every_run_diverges_at_once_still_draws(cwd, capsys):
    assert main(["landscape", "--optimizers", "sgd", "--lr", "sgd=1e300", "--no-gif", "--out", "o"]) == 0
    assert (cwd / "o" / "landscape_bowl.png").stat().st_size > 1000
    # and says so in its table, without NumPy's overflow warning from the trial steps above it (a review: RMSProp at
    # 1e308 printed "RuntimeWarning: overflow encountered in divide" and its source line)
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert main(["landscape", "--optimizers", "rmsprop", "--lr", "1e308", "--no-gif", "--out", "p"]) == 0
    assert not [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]
    assert "diverged at 1" in capsys.readouterr().out


def test_landscapes_share_a_folder_and_keep_other_files(cwd, capsys):
    (cwd / "o").mkdir()
    (cwd / "o" / "notes.txt").write_text("precious")
    assert main(LANDSCAPE + ["--out", "o"]) == 0
    assert main(LANDSCAPE + ["--function", "saddle", "--out", "o"]) == 0
    assert sorted(p.name for p in (cwd / "o").iterdir()) == [
        "landscape_bowl.json", "landscape_bowl.png", "landscape_saddle.json", "landscape_saddle.png", "notes.txt",
        "trajectories_bowl.csv", "trajectories_saddle.csv"]
    assert (cwd / "o" / "notes.txt").read_text() == "precious"
    assert '"function": "saddle"' in (cwd / "o" / "landscape_saddle.json").read_text()
    assert '"function": "bowl"' in (cwd / "o" / "landscape_bowl.json").read_text()     # not replaced by the saddle
    assert main(LANDSCAPE + ["--out", "."]) == 0                        # the current folder is fine too
    assert (cwd / "landscape_bowl.png").is_file()
    assert not [p.name for p in cwd.rglob(".*")]                        # no temporary file left anywhere


def test_a_landscape_keeps_files_of_its_names_it_did_not_write(cwd, capsys):
    """A bad-input review: a user's landscape_bowl.png and trajectories_bowl.csv were replaced without a word (compare,
    sweep and report keep what they did not write). The landscape's JSON beside them marks them as its own."""
    from optimlab.viz.landscape import run_landscape, write_landscape

    (cwd / "mine").mkdir()
    (cwd / "mine" / "landscape_bowl.png").write_text("precious")
    (cwd / "mine" / "trajectories_bowl.csv").write_text("data")
    before = tree(cwd)
    refused(capsys, LANDSCAPE + ["--out", "mine"], "refusing to replace 'mine/landscape_bowl.png', "
            "'mine/trajectories_bowl.csv': not files optimlab landscape wrote (no landscape_bowl.json of a bowl "
            "landscape beside them)")
    with pytest.raises(ConfigError, match="refusing to replace"):          # the Python function too
        write_landscape(run_landscape("bowl", steps=5), cwd / "mine", gif=False)
    (cwd / "mine" / "landscape_bowl.json").write_text('{"config": {"function": "saddle"}}')   # another function's
    refused(capsys, LANDSCAPE + ["--out", "mine"], "refusing to replace")
    assert tree(cwd) == {**before, "mine/landscape_bowl.json": '{"config": {"function": "saddle"}}'}
    assert main(LANDSCAPE + ["--out", "o"]) == 0 and main(LANDSCAPE + ["--out", "o"]) == 0      # its own: replaced
    assert "replacing this function's earlier files" in capsys.readouterr().out
    (cwd / "f").mkdir()                                         # a FIFO of the JSON's name is not read (it would hang)
    (cwd / "f" / "landscape_bowl.png").write_text("x")
    os.mkfifo(cwd / "f" / "landscape_bowl.json")
    refused(capsys, LANDSCAPE + ["--out", "f"], "refusing to replace")
    (cwd / "g").mkdir()                                         # a FIFO alone of its names: not replaced either
    os.mkfifo(cwd / "g" / "landscape_bowl.json")
    refused(capsys, LANDSCAPE + ["--out", "g"], "refusing to replace 'g/landscape_bowl.json'")
    assert (cwd / "g" / "landscape_bowl.json").is_fifo()


def test_write_landscape_writes_all_files_or_none(tmp_path, monkeypatch):
    from optimlab.viz import landscape

    (tmp_path / "notes.txt").write_text("precious")
    earlier = '{"config": {"function": "bowl"}, "an": "earlier one"}'
    (tmp_path / "landscape_bowl.json").write_text(earlier)
    result = landscape.run_landscape("bowl", steps=3)

    def broken(_):
        raise RuntimeError("disk full, say")

    monkeypatch.setattr(landscape, "trajectories_csv", broken)          # fails after the PNG and GIF are drawn
    with pytest.raises(RuntimeError):
        landscape.write_landscape(result, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["landscape_bowl.json", "notes.txt"]
    assert (tmp_path / "landscape_bowl.json").read_text() == earlier
    monkeypatch.undo()
    paths = landscape.write_landscape(result, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["landscape_bowl.gif", "landscape_bowl.json",
                                                           "landscape_bowl.png", "notes.txt", "trajectories_bowl.csv"]
    assert paths["gif"].read_bytes()[:6] == b"GIF89a"


# -- sweep --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("argv, needle", [
    (["--out", "afile"], "existing file"),
    (["--out", ""], "invalid output folder: ''"),
    (["--out", "userdir"], "'notes.txt'"),
    (["--dataset", "nope"], "unknown dataset 'nope'"),
    (["--data-dir", "/nonexistent-optimlab"], "takes no data_dir (got /nonexistent-optimlab)"),      # digits
    (["--dataset", "mnist", "--data-dir", "/nonexistent-optimlab"], "data directory '/nonexistent-optimlab' not found"),
    (["--init", "0.01,0.01"], "invalid init axis"),
    (["--activation", "sigmoid,sigmoid"], "invalid activation axis"),
    (["--name", ".."], "invalid sweep name"),
    pytest.param(["--out", "/proc/swx"], "cannot write '/proc/swx'",
                 marks=pytest.mark.skipif(not HAS_PROC, reason="needs /proc")),
])
def test_sweep_bad_input_is_refused_before_any_executor_starts(cwd, capsys, no_training, argv, needle):
    (cwd / "afile").write_text("mine")
    (cwd / "userdir").mkdir()
    (cwd / "userdir" / "notes.txt").write_text("precious")
    before = tree(cwd)
    err = refused(capsys, SWEEP + argv, needle)
    assert "executor" not in err and tree(cwd) == before


def test_sweep_folder_resumes_and_drops_stale_outputs(cwd, capsys):
    assert main(SWEEP + ["--out", "s", "--no-report"]) == 0
    assert (cwd / "s" / "sensitivity.png").is_file()
    (cwd / "s" / "report.html").write_text("an earlier report")
    capsys.readouterr()
    assert main(SWEEP + ["--out", "s", "--no-plots", "--no-report"]) == 0
    assert "0 trained, 3 already complete" in capsys.readouterr().out          # resumed: nothing trained again
    # the report is drawn from the summary just replaced: removed; the figure draws what did not change: kept
    # (a changed grid removes it: test_a_sweep_in_both_languages_keeps_both_figures_and_each_report_shows_its_own)
    assert (cwd / "s" / "sensitivity.png").is_file() and not (cwd / "s" / "report.html").exists()
    (cwd / "s" / "notes.txt").write_text("precious")                     # the user's file: kept, no obstacle
    capsys.readouterr()
    assert main(SWEEP + ["--out", "s", "--no-plots", "--no-report"]) == 0
    assert "0 trained, 3 already complete" in capsys.readouterr().out
    assert (cwd / "s" / "notes.txt").read_text() == "precious"


def test_run_sweep_refuses_a_foreign_folder(tmp_path):
    from optimlab.experiment import SerialExecutor
    from optimlab.experiment.sweep import SweepSpec, run_sweep

    (tmp_path / "notes.txt").write_text("precious")
    spec = SweepSpec(name="t", dataset="digits", optimizers=("sgd",), lrs=(0.1,), seeds=(0,))
    with pytest.raises(ConfigError, match="notes.txt"):
        run_sweep(spec, SerialExecutor(), out=tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]
    with pytest.raises(ConfigError, match="invalid sweep name"):
        run_sweep(SweepSpec(name=".", dataset="digits"), SerialExecutor())      # . as runs/<name>: refused
    with pytest.raises(ConfigError, match="invalid batchnorm axis"):
        SweepSpec(batchnorm=(True, True))


def test_misplaced_paths_and_values_say_what_they_are(cwd, capsys, no_training):
    """A file for a folder, a folder for a file, a sweep folder for a compare one, an empty path, a mirror that is
    not a URL: each named for what it is, in one line."""
    (cwd / "s").mkdir()
    (cwd / "s" / "summary.json").write_text(json.dumps({"kind": "sweep", "optimlab_version": "0.1.0"}))
    refused(capsys, COMPARE + ["--out", "s"], "refusing to replace 's': it is an optimlab sweep folder")
    refused(capsys, ["report", ""], "invalid run directory: ''")
    refused(capsys, ["report", "s/summary.json"], "'s/summary.json' is a file, not a run directory; give the "
                                                  "folder that holds it, 's'")
    (cwd / "dir.toml").mkdir()
    refused(capsys, ["compare", "--recipe", "dir.toml"], "recipe is a folder, not a file: 'dir.toml'")
    refused(capsys, ["compare", "--recipe", ""], "recipe is empty: '' (accepted: a path")   # was "a folder: '.'"
    refused(capsys, ["sweep", "--recipe", " "], "sweep recipe is empty: ' '")
    refused(capsys, ["data", "fetch", "mnist", "--mirror", "notaurl", "--data-dir", "d"],
            "invalid mirror: 'notaurl' (accepted: an http or https base URL")
    refused(capsys, ["data", "fetch", "mnist", "--mirror", "ftp://x", "--data-dir", "d"],    # failed after a probe
            "invalid mirror: 'ftp://x' (accepted: an http or https base URL")
    for bad in ("http://[::1/x", "http://127.0.0.1:99999/x", "http://:80/x"):    # a traceback; a failed fetch
        refused(capsys, ["data", "fetch", "mnist", "--mirror", bad, "--data-dir", "d"],
                f"invalid mirror: '{bad}' (accepted: an http or https base URL")
    refused(capsys, SWEEP + ["--targets", "a,0.8"], "invalid targets: 'a,0.8' (accepted:")
    refused(capsys, SWEEP + ["--targets", "0.8,0.8"], "invalid targets: '0.8,0.8' (accepted: distinct")
    if Path("/dev/null").exists():
        refused(capsys, ["compare", "--recipe", "/dev/null"], "recipe is not a regular file: '/dev/null'")


def test_one_compare_at_a_time_writes_a_folder(cwd, capsys, no_training):
    """Five compares started into one --out all said 'results in …' and one result was left: a compare into a
    folder another compare is writing is refused in one line before any work, and the lock file beside the folder
    is gone when its holder ends, as are the folders made for it."""
    from optimlab.results.store import output_lock

    with output_lock(cwd / "runs" / "r"):
        assert sorted(p.name for p in (cwd / "runs").iterdir()) == [".r.optimlab-lock"]
        assert main(COMPARE + ["--out", "runs/r"]) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"optimlab: error: {cwd / 'runs' / 'r'} is being written by another optimlab compare "
                              "or report (process ") and err.endswith("(accepted: wait until it ends, or another --out)\n")
    assert list(cwd.iterdir()) == []


def test_what_a_killed_compare_left_beside_its_folder_is_removed_by_the_next(cwd, capsys):
    """A compare killed by SIGKILL left its hidden stage (.base.partial-*) for good, and every such kill added one:
    the next compare into that --out removes it, and the folder of replaced results (.base.old-*) once the results
    are there; without them an .old-* folder holds the previous results (a kill between the swap's two renames):
    they are put back, and this compare replaces them as it says (they were kept one run, then deleted unsaid).
    Other hidden folders are not touched."""
    runs = cwd / "runs"
    assert main(COMPARE + ["--out", "runs/earlier"]) == 0
    (runs / ".base.old-k1ll3d02").mkdir()
    os.replace(runs / "earlier", runs / ".base.old-k1ll3d02" / "previous")
    for name in (".base.partial-k1ll3d01/accuracy_sgd.png", ".basement.partial-x/keep", ".other.partial-x/keep"):
        (runs / name).parent.mkdir(parents=True)
        (runs / name).write_text("x")
    capsys.readouterr()
    assert main(COMPARE + ["--out", "runs/base"]) == 0                 # no runs/base: the earlier results go back
    assert "(replacing the run that was there)" in capsys.readouterr().out
    assert sorted(p.name for p in runs.iterdir()) == [".basement.partial-x", ".other.partial-x", "base"]
    (runs / ".base.partial-k1ll3d03").mkdir()
    assert main(COMPARE + ["--out", "runs/base"]) == 0
    assert sorted(p.name for p in runs.iterdir()) == [".basement.partial-x", ".other.partial-x", "base"]
    assert (runs / ".basement.partial-x" / "keep").read_text() == "x"
    capsys.readouterr()


def test_what_cannot_be_built_is_refused_before_a_good_run_is_replaced(tmp_path):
    """hidden = [100000000, 40, 20] asked NumPy for 78 GiB inside training (2 models): every run 'failed', and that
    record replaced a good run's folder (its report.html gone). Layers that cannot fit this machine, and an added
    optimizer the trainer refuses, are one-line errors (exit 2) before anything is written; the sweep refuses them up
    front too."""
    from dataclasses import dataclass

    import numpy as np

    import optimlab.api as api
    from optimlab.experiment.sweep import SweepSpec, run_sweep
    from optimlab.optim import OPTIMIZERS, Optimizer
    from optimlab.train import NetConfig

    good = tmp_path / "good"
    api.compare(dataset="digits", optimizers=["sgd"], iters=5, out=good, plots=False)
    before = {p.name: p.read_bytes() for p in good.iterdir()}
    (tmp_path / "big.toml").write_text('dataset = "digits"\n[train]\niters = 5\n[net]\nhidden = [100000000000, 40, 20]\n'
                                       '[[runs]]\noptimizer = "sgd"\n[[runs]]\noptimizer = "adam"\n')
    done = subprocess.run([sys.executable, "-m", "optimlab", "compare", "--recipe", str(tmp_path / "big.toml"),
                           "--out", str(good)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    line = done.stderr.strip().splitlines()[-1]
    assert line.startswith("optimlab: error: invalid hidden sizes: [100000000000, 40, 20]: 2 models of "
                           "10,500,000,001,070 parameters need about 3.13e+05 GiB") and "(accepted: smaller hidden" in line
    assert {p.name: p.read_bytes() for p in good.iterdir()} == before
    # 2**62 units: NumPy's product of the shape wrapped round past 2**63, the check passed and the runs failed with
    # "negative dimensions", leaving a folder (a review); Python's integers count it
    from optimlab.nn.network import layout
    assert sum(p.size for p in layout([64, 2 ** 62, 10], False)) == 75 * 2 ** 62 + 10       # W1, b1, W2, b2
    from optimlab.nn import MultiLayerNet
    with pytest.raises(ConfigError, match=r"^invalid hidden sizes: \[4611686018427387904\]: 1 model of "
                                          r"345,876,451,382,054,092,810 parameters"):
        MultiLayerNet(64, [2 ** 62], 10)

    @dataclass(frozen=True)
    class NormSGD(Optimizer):
        name = "normsgd"

        def rule(self, w, g, s, t):
            w -= self.lr * g / (np.linalg.norm(g) + 1e-12)

    OPTIMIZERS["normsgd"] = NormSGD
    try:
        with pytest.raises(ConfigError, match="^NormSGD.rule is not element-wise"):
            api.compare(dataset="digits", optimizers=["normsgd"], iters=5, out=good, plots=False)
        assert {p.name: p.read_bytes() for p in good.iterdir()} == before
        with pytest.raises(ConfigError, match="^NormSGD.rule is not element-wise"):
            SweepSpec(dataset="digits", optimizers=("normsgd",))
    finally:
        del OPTIMIZERS["normsgd"]
    with pytest.raises(ConfigError, match=r"^invalid hidden sizes: \[10000000000, 20\]: 6 models of .*\(--chunks\)\)$"):
        run_sweep(SweepSpec(dataset="digits", optimizers=("sgd", "adam"), net=NetConfig(hidden=(10000000000, 20)),
                            chunks=3),
                  out=tmp_path / "sweep")
    assert not (tmp_path / "sweep" / "sweep.toml").exists()


def test_a_sweep_counts_the_tasks_that_train_at_once_against_memory(tmp_path):
    """Each task's networks fit this machine, two side by side do not: with --jobs 2 both trained together, were killed
    for memory and retried. The sweep counts the tasks that train at once here (--jobs, --workers, a core each by
    default; one for a cluster it connects to, or in-process), each stage's tasks as the sweep makes them (a fresh
    seed's task holds each optimizer at two lrs, more than a tuning task of a one-lr grid), and says so, before
    anything is written."""
    import argparse
    import os

    from optimlab.cli_sweep import tasks_at_once
    from optimlab.experiment.sweep import SweepSpec, check_sweep_folder, run_sweep
    from optimlab.train import NetConfig

    phys = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    h = int(0.3 * phys / (4 * 4) / 75)          # digits: 64 inputs, 10 classes: 75 h + 10 parameters, float32, 4 copies
    spec = SweepSpec(dataset="digits", optimizers=("sgd",), lrs=(0.1,), seeds=(0, 1), test_seeds=(1000, 1001, 1002),
                     net=NetConfig(hidden=(h,)))        # tuning tasks: 1 model each; fresh-seed tasks: 2 (0.1, 0.01)
    for d in ("alone", "two", "many"):
        (tmp_path / d).mkdir()                  # the sweep's lock makes its folder before this check
    check_sweep_folder(spec, tmp_path / "alone", at_once=1)         # one task at a time fits
    accepted = ("(accepted: fewer tasks at once: {} tasks of 2 models train at once here, fewer with --jobs or "
                "--workers; fewer optimizers (a fresh seed's task trains each at its tuned and its note lr); or smaller "
                "hidden layers)")            # not --chunks: a fresh seed's task is never split
    with pytest.raises(ConfigError, match=r"^invalid hidden sizes: .*: 4 models of .*" + re.escape(accepted.format(2))):
        check_sweep_folder(spec, tmp_path / "two", at_once=2)
    with pytest.raises(ConfigError, match=r": 6 models of .*" + re.escape(accepted.format(3))):   # 3 fresh seeds
        check_sweep_folder(spec, tmp_path / "many", at_once=8)
    toml = tmp_path / "big.toml"
    toml.write_text(f'dataset = "digits"\noptimizers = ["sgd"]\nlrs = [0.1]\nseeds = [0, 1]\n'
                    f'test_seeds = [1000, 1001, 1002]\n[net]\nhidden = [{h}]\n')
    for option in (["--jobs", "2"], ["--workers", "2"]):
        done = subprocess.run([sys.executable, "-m", "optimlab", "sweep", "--recipe", str(toml), *option, "--out",
                               str(tmp_path / "cli")], capture_output=True, text=True, timeout=120)
        assert done.returncode == 2, done.stderr
        assert done.stderr.strip().splitlines()[-1].endswith(accepted.format(2)), (option, done.stderr)
        assert not (tmp_path / "cli" / "sweep.toml").exists()
    parse = lambda *a: argparse.Namespace(**{"jobs": None, "workers": None, "cluster": None,  # noqa: E731
                                             "scheduler_file": None, **dict(a)})
    assert [tasks_at_once(parse(*a)) for a in ([("jobs", 0)], [("jobs", 3)], [("workers", 5)],
                                               [("cluster", "tcp://127.0.0.1:8786")], [("scheduler_file", "s.json")],
                                               [])] == [1, 3, 5, 1, 1, usable_cpus()]
    if usable_cpus() >= 2:                      # the default executor: a process per core
        with pytest.raises(ConfigError, match="tasks of 2 models train at once here"):
            run_sweep(spec, out=tmp_path / "api")


def test_a_console_that_cannot_show_the_text_shows_question_marks_not_a_traceback(tmp_path):
    """PYTHONIOENCODING=ascii (or a cp1252 console): the run was written, then printing its table's "—" or the Japanese
    text ended the command in an 18-line UnicodeEncodeError with status 1."""
    import os

    for lang in ("en", "ja"):
        done = subprocess.run([sys.executable, "-m", "optimlab", "compare", "--dataset", "digits", "--iters", "5",
                               "--no-plots", "--no-report", "--lang", lang, "--out", str(tmp_path / f"r {lang} 日本")],
                              capture_output=True, timeout=120, env={**os.environ, "PYTHONIOENCODING": "ascii"})
        assert done.returncode == 0 and b"Traceback" not in done.stderr, done.stderr[-300:]
        assert b"?" in done.stdout and (tmp_path / f"r {lang} 日本" / "summary.json").is_file()


def test_a_rerun_whose_every_run_failed_keeps_the_run_that_was_there(tmp_path):
    """A rule that raised at step 6 failed every run, and that record of errors replaced a good run's folder. With a
    run there, a rerun whose every run failed keeps it and says why in one line; into a new folder the errors are
    written (summary.json's status and error), as before."""
    from dataclasses import dataclass

    import optimlab.api as api
    from optimlab.errors import OptimlabError
    from optimlab.optim import OPTIMIZERS, Optimizer

    @dataclass(frozen=True)
    class Boom(Optimizer):
        name = "boom"

        def rule(self, w, g, s, t):
            if t > 5:
                raise KeyError("boom at step 6")
            w -= self.lr * g

    good = tmp_path / "good"
    api.compare(dataset="digits", optimizers=["sgd"], iters=5, out=good, plots=False)
    before = {p.name: p.read_bytes() for p in good.iterdir()}
    OPTIMIZERS["boom"] = Boom
    try:
        with pytest.raises(OptimlabError, match=r"^all 1 runs failed \(Boom: KeyError: 'boom at step 6'\); the run in "
                                                r".*good was kept \(accepted: "):
            api.compare(dataset="digits", optimizers=["boom"], iters=20, out=good, plots=False)
        assert {p.name: p.read_bytes() for p in good.iterdir()} == before
        with pytest.raises(OptimlabError, match=r"^all 2 runs failed \(Boom: KeyError: 'boom at step 6'\)"):
            api.compare(dataset="digits", optimizers=["boom", "sgd"], iters=20, out=good, plots=False)  # one cohort:
        # named by the rule that raised, not by SGD, which failed with it
        fresh = api.compare(dataset="digits", optimizers=["boom"], iters=20, out=tmp_path / "new", plots=False)
        assert fresh.summary["runs"][0]["status"] == "failed"
    finally:
        del OPTIMIZERS["boom"]


@pytest.mark.parametrize("args, what", [
    (["compare", "--dataset", "digits", "--iters", "3", "--out", "a\nb"], "output folder: 'a\\nb'"),
    (["sweep", "--dataset", "digits", "--iters", "3", "--out", "a\rb"], "output folder: 'a\\rb'"),
    (["landscape", "--steps", "3", "--out", "a\tb"], "output folder: 'a\\tb'"),
    (["report", "r", "--out", "a\nb.html"], "--out: 'a\\nb.html'")])
def test_an_output_path_with_a_control_character_is_refused(cwd, capsys, args, what):
    """A fuzzing review: --out with a newline was taken, and the closing "results in …" line split in two (run labels
    and recipe names with control characters were refused already)."""
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"optimlab: error: invalid {what} holds a control character (accepted: a path without "
                          "control characters or line breaks"), err
    assert err.count("\n") == 1 and list(cwd.iterdir()) == []
