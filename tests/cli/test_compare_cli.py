"""``optimlab compare`` end to end through the real command line, and its handling of bad input."""

import csv
import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import numpy as np
import pytest

from optimlab.errors import OptimlabWarning

# the note's Adam and Adam + BatchNorm differ only in batch normalization: an option that sets it for every run makes
# them one run, and says so
MERGED_OFF = (r"^with batchnorm off, 'Adam \+ BatchNorm' would train the same numbers as 'Adam': trained once, "
              r"as 'Adam'$")
MERGED_ON = (r"^with batchnorm on, 'Adam' would train the same numbers as 'Adam \+ BatchNorm': trained once, "
             r"as 'Adam \+ BatchNorm'$")

ENV = {**os.environ, "OPTIMLAB_CACHE_DIR": "/nonexistent-optimlab-cache"}


def run_cli(*args, cwd=None, timeout=300):
    return subprocess.run([sys.executable, "-m", "optimlab", *args], capture_output=True, text=True, cwd=cwd,
                          env=ENV, timeout=timeout)


@pytest.fixture(scope="module")
def note_run(tmp_path_factory):
    """The note's experiment, unchanged, on the 5,000 real MNIST digits."""
    out = tmp_path_factory.mktemp("cli") / "note"
    r = run_cli("compare", "--dataset", "mnist-5k", "--out", str(out), "--no-progress", "--no-report")
    assert r.returncode == 0, r.stderr
    return out, r


def test_compare_writes_every_output(note_run):
    out, r = note_run
    names = {p.name for p in out.iterdir()}
    expected = {"recipe.toml", "metrics.csv", "summary.json", "test_accuracy.png", "loss.png"} | {
        f"accuracy_{s}.png" for s in ("sgd", "momentum", "adagrad", "rmsprop", "adam", "adam_batchnorm")}
    assert expected <= names
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".")]      # no leftover staging folders
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] == "complete"
    assert summary["dataset"]["name"] == "mnist-5k" and summary["dataset"]["n_train"] == 4000
    assert len(summary["dataset"]["sha256"]) == 64
    runs = {x["label"]: x for x in summary["runs"]}
    assert list(runs) == ["SGD", "Momentum", "AdaGrad", "RMSProp", "Adam", "Adam + BatchNorm"]
    for x in runs.values():
        assert {"final_test_accuracy", "best_test_accuracy", "final_train_accuracy", "wall_seconds", "status",
                "hyperparameters", "optimizer"} <= set(x)
        assert x["status"] == "ok"
    assert runs["Momentum"]["hyperparameters"] == {"lr": 0.3, "momentum": 0.9, "lr_in_buffer": True}
    assert runs["Adam + BatchNorm"]["net"]["batchnorm"] is True
    # the recipe actually used is the note's
    recipe = tomllib.loads((out / "recipe.toml").read_text())
    assert recipe["train"] == {"iters": 1000, "batch_size": 100, "eval_interval": 10, "replace": True,
                               "dtype": "float32"}
    assert recipe["net"]["hidden"] == [40, 20] and recipe["net"]["init"] == 0.01
    # metrics: long format; 1000 losses and 100 evaluations per run
    with open(out / "metrics.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["run", "iteration", "metric", "value", "seed"]
    sgd = [r for r in rows if r["run"] == "SGD"]
    assert sum(r["metric"] == "loss" for r in sgd) == 1000
    assert [int(r["iteration"]) for r in sgd if r["metric"] == "test_acc"] == list(range(10, 1001, 10))
    # the printed table names every run
    for label in runs:
        assert label in r.stdout


def test_the_notes_findings_hold(note_run):
    """Adam ends far above chance; SGD at lr 0.01 stays near chance (the note's own figures)."""
    summary = json.loads((note_run[0] / "summary.json").read_text())
    acc = {x["label"]: x["final_test_accuracy"] for x in summary["runs"]}
    assert acc["Adam"] > 0.6 and acc["RMSProp"] > 0.6 and acc["Adam + BatchNorm"] > 0.6
    assert acc["SGD"] < 0.25


def test_japanese_figures_render(tmp_path):
    out = tmp_path / "ja"
    r = run_cli("compare", "--dataset", "digits", "--iters", "30", "--optimizers", "adam", "--lang", "ja",
                "--out", str(out), "--no-progress", "--no-report")
    assert r.returncode == 0, r.stderr
    assert "Glyph" not in r.stderr and "missing from" not in r.stderr     # matplotlib warns on missing glyphs
    assert (out / "accuracy_adam.png").stat().st_size > 5000


@pytest.mark.parametrize("args,needle", [
    (["--optimizers", "sgd,nadam"], "nadam"),
    (["--lr", "adam=-0.1"], "-0.1"),
    (["--lr", "=0.1"], "=0.1"),
    (["--lr", "0.1", "--lr", "0.2"], "--lr given twice for every optimizer: 0.1 and 0.2"),
    (["--init", "1e39"], "invalid init: 1e+39 (accepted: a number from 1e-30 to 1000, xavier, he)"),
    (["--init", "1e-50"], "invalid init: 1e-50 (accepted: a number from 1e-30 to 1000"),    # all-zero float32 weights
    (["--lr", "adam=0.1,adam=0.2"], "--lr given twice for adam: 0.1 and 0.2"),
    (["--lr", "0,01"], "invalid --lr: '0,01' (accepted: numbers with a decimal point, like 0.01)"),  # was "given twice: 0 and 01"
    (["--lr", "sgd=1,5"], "invalid --lr: 'sgd=1,5' (accepted: numbers with a decimal point, like sgd=1.5)"),  # ran sgd at 1, all at 5
    (["--dataset", "mnist", "--data-dir", "/no/such/folder"], "/no/such/folder"),
    (["--dataset", "cifar"], "cifar"),
    (["--dataset", ""], "unknown dataset ''; accepted: auto,"),      # it ran as auto
    (["--iters", "0"], "iters"),
    (["--seeds", "x-y"], "x-y"),
    (["--recipe", "/no/such/recipe.toml"], "recipe.toml"),
    (["--bogus"], "unrecognized arguments: --bogus (accepted: the options that --help lists, each value one word"),
    (["--batchnorm", "maybe"], "invalid --batchnorm: 'maybe' (accepted: on, off)"),   # yes/no are read as on/off
    (["--seed", "0-4"], "invalid --seed: '0-4' (accepted: a whole number; several seeds: --seeds 0-4)"),
    (["--seeds", "0,,3"], "invalid seeds: '0,,3' (accepted:"),       # it ran seeds 0 and 3
    (["--seeds", "0"], "invalid seeds: '0' (accepted: a count like 5 (seeds 0-4), a range like 0-4 or a list like "
                       "0,3,7 of distinct integers in [0, 2**32), at most 1000 seeds; for seed 7 alone write 7-7)"),
])
def test_bad_input_one_line_exit_2_and_no_run_directory(tmp_path, args, needle):
    out = tmp_path / "run"
    r = run_cli("compare", "--dataset", "digits", *args, "--out", str(out), "--no-progress")
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("optimlab: error:") and needle in lines[0], r.stderr
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_learning_rates_comma_separated(tmp_path):
    """``--lr rmsprop=0.02,adam=0.005`` as well as one --lr per optimizer (the comma form was an error)."""
    from optimlab.cli import lr_overrides

    assert lr_overrides(["rmsprop=0.02,adam=0.005"]) == lr_overrides(["rmsprop=0.02", "adam=0.005"]) \
        == {"rmsprop": 0.02, "adam": 0.005}
    assert lr_overrides(["0.1,adam=0.5"]) == {"*": 0.1, "adam": 0.5}


def test_bad_recipe_names_the_key(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "x"\n[[runs]]\noptimizer = "adam"\nlearning_rate = 0.1\n')
    r = run_cli("compare", "--recipe", str(bad), "--out", str(tmp_path / "o"))
    assert r.returncode == 2 and "learning_rate" in r.stderr and not (tmp_path / "o").exists()
    bad.write_text('name = "x"\n[[runs]]\noptimiser = "adam"\n')
    r = run_cli("compare", "--recipe", str(bad), "--out", str(tmp_path / "o"))
    assert r.returncode == 2 and "'optimiser' is not a key, 'optimizer' is" in r.stderr


def test_a_failure_after_training_leaves_no_directory(tmp_path, monkeypatch):
    """A crash while writing outputs removes the half-written directory and keeps the previous one intact."""
    import optimlab.api as api

    out = tmp_path / "run"
    out.mkdir()
    (out / "summary.json").write_text('{"previous": true, "optimlab_version": "0", "runs": []}')

    def boom(*a, **k):
        raise RuntimeError("disk full")

    monkeypatch.setattr(api, "draw_figures", boom)
    with pytest.raises(RuntimeError):
        api.compare(dataset="digits", iters=5, out=out, report=False)
    assert json.loads((out / "summary.json").read_text()) == {"previous": True, "optimlab_version": "0", "runs": []}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


def test_recipe_file_and_python_api(tmp_path):
    from optimlab.api import compare

    recipe = tmp_path / "mine.toml"
    recipe.write_text('name = "mine"\ndataset = "digits"\n[train]\niters = 20\n'
                      '[[runs]]\nlabel = "fast adam"\noptimizer = "adam"\nlr = 0.05\n'
                      '[[runs]]\noptimizer = "adam"\npreset = "torch"\n')
    outcome = compare(recipe, out=tmp_path / "o", report=False, plots=False)
    labels = [r["label"] for r in outcome.summary["runs"]]
    assert labels == ["fast adam", "adam"]
    assert outcome.summary["runs"][1]["hyperparameters"]["bias_correction"] == "moments"
    assert outcome.summary["runs"][0]["hyperparameters"]["lr"] == 0.05


def test_recipe_toml_records_the_dataset_auto_chose(tmp_path, monkeypatch):
    """'auto' may fall back (offline: mnist-5k); recipe.toml says which data was used, so rerunning it on a
    machine with full MNIST trains on the same data."""
    import optimlab.api as api
    from optimlab.data import load_dataset

    monkeypatch.setattr(api, "load_data", lambda recipe, progress=False: load_dataset("digits"))
    out = api.compare(dataset="auto", optimizers=["sgd"], iters=5, out=tmp_path / "o", plots=False, report=False)
    assert 'dataset = "digits"' in (tmp_path / "o" / "recipe.toml").read_text()
    assert out.summary["dataset"]["name"] == "digits"


def test_recipe_toml_drops_the_data_dir_when_auto_fell_back(tmp_path, monkeypatch):
    """A bundled fallback takes no data_dir: recipe.toml must not pair one with it (rerunning it would fail)."""
    import optimlab.api as api
    from optimlab.data import load_dataset
    from optimlab.experiment import load_recipe

    monkeypatch.setattr(api, "load_data", lambda recipe, progress=False: load_dataset("digits"))
    api.compare(dataset="auto", data_dir=str(tmp_path), optimizers=["sgd"], iters=5, out=tmp_path / "o",
                plots=False, report=False)
    again = load_recipe(tmp_path / "o" / "recipe.toml")
    assert (again.dataset, again.data_dir) == ("digits", None)
    assert load_dataset(again.dataset, again.data_dir).name == "digits"


def test_recipe_toml_records_the_idx_folder_OPTIMLAB_DATA_named(tmp_path, monkeypatch):
    """--dataset idx read from $OPTIMLAB_DATA wrote no data_dir: the recipe failed without the variable ("needs a
    folder") and trained on other data with it set elsewhere, without a word. The folder used is recorded."""
    import optimlab.api as api
    from optimlab.data.idx import IDX_STEMS, write_idx
    from optimlab.experiment import load_recipe

    folder = tmp_path / "mine"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for stem, n in zip(IDX_STEMS, (30, 30, 12, 12)):
        write_idx(folder / f"{stem}.gz", rng.integers(0, 256, (n, 4, 5), dtype=np.uint8) if "images" in stem
                  else (np.arange(n) % 3).astype(np.uint8))
    monkeypatch.setenv("OPTIMLAB_DATA", str(folder))
    api.compare(dataset="idx", optimizers=["sgd"], iters=5, batch_size=10, eval_interval=5, out=tmp_path / "o",
                plots=False, report=False)
    again = load_recipe(tmp_path / "o" / "recipe.toml")
    assert (again.dataset, again.data_dir) == ("idx", str(folder))
    monkeypatch.setenv("OPTIMLAB_DATA", str(tmp_path / "elsewhere"))
    rerun = api.compare(again, out=tmp_path / "o2", plots=False, report=False)
    assert rerun.summary["dataset"]["source"] == str(folder)
    # a sweep's tasks keep reading the variable: Dask workers on other machines have the data elsewhere (a review)
    from optimlab.cli import main

    monkeypatch.setenv("OPTIMLAB_DATA", str(folder))
    assert main(["sweep", "--dataset", "idx", "--optimizers", "sgd", "--lrs", "0.1", "--seeds", "1", "--iters", "5",
                 "--eval-interval", "5", "--batch-size", "5", "--no-progress", "--no-plots", "--no-report",
                 "--out", str(tmp_path / "s")]) == 0
    assert "data_dir" not in (tmp_path / "s" / "sweep.toml").read_text()


def test_recipe_toml_writes_every_hyperparameter_so_an_archived_run_reruns_under_other_presets(tmp_path, monkeypatch):
    """recipe.toml wrote `preset = "note"` and the recipe's own values only: AdaGrad's eps and conventions came from
    the preset, so a later version with other preset values would train other numbers from the archived file, without
    a sign. Now each run's every hyperparameter is written out (and summary.json says the protocol and the versions of
    the packages that make the bundled data and the statistics)."""
    import optimlab.api as api
    from optimlab.optim import AdaGrad

    out = api.compare(dataset="digits", optimizers=["adagrad", "adam"], iters=20, out=tmp_path / "a", plots=False,
                      report=False)
    text = (tmp_path / "a" / "recipe.toml").read_text()
    runs = {r["label"]: r for r in tomllib.loads(text)["runs"]}
    assert runs["AdaGrad"] == {"label": "AdaGrad", "optimizer": "adagrad", "preset": "note", "lr": 0.1,
                               "initial_accumulator": 1e-4, "eps": 1e-4, "eps_inside_sqrt": False,
                               "accumulate_first_step": True}
    assert runs["Adam"]["eps"] == 1e-7 and runs["Adam"]["bias_correction"] == "lr"
    # a later version's note preset: the archived recipe still trains the numbers it trained
    monkeypatch.setitem(AdaGrad.presets, "note", {**AdaGrad.presets["note"], "eps": 1e-2})
    again = api.compare(tmp_path / "a" / "recipe.toml", out=tmp_path / "b", plots=False, report=False)
    assert [r["final_loss"] for r in again.summary["runs"]] == [r["final_loss"] for r in out.summary["runs"]]
    changed = api.compare(dataset="digits", optimizers=["adagrad"], iters=20, out=tmp_path / "c", plots=False,
                          report=False)                  # what the note's name alone would train now (2.3301 vs 2.3225)
    assert changed.summary["runs"][0]["final_loss"] != out.summary["runs"][0]["final_loss"]
    assert out.summary["train"] == {"iters": 20, "batch_size": 100, "eval_interval": 10, "replace": True,
                                    "dtype": "float32"}
    assert {"scipy", "scikit-learn", "mlxtend", "numpy"} <= set(out.summary["environment"])


def test_labels_that_share_a_file_name_keep_both_figures(tmp_path):
    from optimlab.api import compare

    recipe = tmp_path / "r.toml"
    recipe.write_text('name = "r"\ndataset = "digits"\n[train]\niters = 10\neval_interval = 5\n'
                      '[[runs]]\nlabel = "Adam lr=1e-3"\noptimizer = "adam"\nlr = 0.001\n'
                      '[[runs]]\nlabel = "Adam lr=1e+3"\noptimizer = "adam"\nlr = 1000.0\n'
                      '[[runs]]\nlabel = "adam LR=1E-3"\noptimizer = "adam"\nlr = 0.002\n')
    out = compare(recipe, out=tmp_path / "o", report=False)
    acc = [f for f in out.figures if f.startswith("accuracy_")]
    assert acc == ["accuracy_adam_lr_1e_3.png", "accuracy_adam_lr_1e_3_2.png", "accuracy_adam_lr_1e_3_3.png"]
    assert all((tmp_path / "o" / f).stat().st_size > 1000 for f in acc)


@pytest.mark.parametrize("label", ["", "   ", "x" * 101, "a\tb"])
def test_bad_labels_are_refused_before_training(tmp_path, label):
    bad = tmp_path / "bad.toml"
    bad.write_text(f'name = "x"\ndataset = "digits"\n[[runs]]\noptimizer = "adam"\nlabel = {json.dumps(label)}\n')
    r = run_cli("compare", "--recipe", str(bad), "--out", str(tmp_path / "o"))
    assert r.returncode == 2 and "invalid run label" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "o").exists()


def test_out_through_dotdot_replaces_the_folder_it_names(tmp_path):
    args = ("compare", "--dataset", "digits", "--iters", "5", "--optimizers", "sgd", "--no-plots", "--no-report")
    assert run_cli(*args, "--out", str(tmp_path / "r1")).returncode == 0
    r = run_cli(*args, "--out", f"{tmp_path}/r1/../r1")
    assert r.returncode == 0, r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r1"]
    assert (tmp_path / "r1" / "summary.json").is_file()


def test_report_out_never_overwrites_other_files_and_names_the_final_folder(tmp_path):
    from optimlab.api import compare

    compare(dataset="digits", optimizers=["sgd"], iters=5, out=tmp_path / "r", plots=False)
    page = (tmp_path / "r" / "report.html").read_text(encoding="utf-8")
    assert f"<code>{tmp_path / 'r'}</code></footer>" in page and ".partial-" not in page
    before = (tmp_path / "r" / "metrics.csv").read_bytes()
    for target, why in ((tmp_path / "r" / "metrics.csv", "invalid report file"),
                        (tmp_path / "notes.html", "not a report optimlab wrote")):
        if target.suffix == ".html":
            target.write_text("<p>my notes</p>")
        r = run_cli("report", str(tmp_path / "r"), "--out", str(target))
        assert r.returncode == 2 and why in r.stderr
    assert (tmp_path / "r" / "metrics.csv").read_bytes() == before
    assert (tmp_path / "notes.html").read_text() == "<p>my notes</p>"
    r = run_cli("report", str(tmp_path / "r"), "--out", str(tmp_path / "r" / "report.html"))
    assert r.returncode == 0, r.stderr                                      # a report may be written again
    # a second-language report kept in the run folder does not stop the folder being replaced by a new run
    r = run_cli("report", str(tmp_path / "r"), "--lang", "ja", "--out", str(tmp_path / "r" / "report_ja.html"))
    assert r.returncode == 0, r.stderr
    again = run_cli("compare", "--dataset", "digits", "--optimizers", "sgd", "--iters", "5", "--no-plots",
                    "--out", str(tmp_path / "r"))
    assert again.returncode == 0, again.stderr
    (tmp_path / "r" / "mine.html").write_text("<p>mine</p>")
    refused = run_cli("compare", "--dataset", "digits", "--optimizers", "sgd", "--iters", "5", "--no-plots",
                      "--out", str(tmp_path / "r"))
    assert refused.returncode == 2 and "mine.html" in refused.stderr
    (tmp_path / "r" / "mine.html").unlink()
    # a review: a copy of the report kept under another name (to keep the old results) was deleted with the run
    kept = (tmp_path / "r" / "report.html").read_bytes()
    (tmp_path / "r" / "report_backup.html").write_bytes(kept)
    refused = run_cli("compare", "--dataset", "digits", "--optimizers", "sgd", "--iters", "5", "--no-plots",
                      "--out", str(tmp_path / "r"))
    assert refused.returncode == 2 and "'report_backup.html', which is not an output of optimlab compare" in refused.stderr
    assert (tmp_path / "r" / "report_backup.html").read_bytes() == kept
    (tmp_path / "r" / "report_backup.html").unlink()
    (tmp_path / "r" / "mine.html").write_text("<p>mine</p>")
    # the default report path is guarded like --out: a report.html of one's own in the run folder is kept
    (tmp_path / "r" / "mine.html").unlink()
    (tmp_path / "r" / "report.html").write_text("<p>my own notes</p>")
    r = run_cli("report", str(tmp_path / "r"))
    assert r.returncode == 2 and "report.html': it is not a report optimlab wrote" in r.stderr
    assert "or --out FILE to write it elsewhere)" in r.stderr
    assert (tmp_path / "r" / "report.html").read_text() == "<p>my own notes</p>"


@pytest.mark.parametrize("batch, says", [("1439", "exceeds the 1,438 training examples of digits"),
                                         ("99999999999999999999", "(accepted: an integer from 1 to 10,000,000)")])
def test_a_batch_larger_than_the_training_set_is_refused_before_training(tmp_path, batch, says):
    r = run_cli("compare", "--dataset", "digits", "--iters", "5", "--batch-size", batch, "--out", str(tmp_path / "o"))
    assert r.returncode == 2 and says in r.stderr, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and not (tmp_path / "o").exists()
    ok = run_cli("compare", "--dataset", "digits", "--iters", "2", "--batch-size", "1438", "--optimizers", "sgd",
                 "--no-plots", "--no-report", "--out", str(tmp_path / "p"))
    assert ok.returncode == 0, ok.stderr


def test_runs_that_fail_give_a_nonzero_exit_and_one_line(tmp_path, monkeypatch, capsys):
    """A run that raises is recorded (the others go on and everything is written), and the command says so
    with exit status 1; a run that diverges is a result, exit 0."""
    import optimlab.experiment.compare as cmp
    from optimlab.cli import main

    real = cmp.Trainer

    def flaky(data, optimizers, labels, **kw):
        if kw["seed"] == 1:
            raise MemoryError("pretend the network does not fit")
        return real(data, optimizers, labels, **kw)

    monkeypatch.setattr(cmp, "Trainer", flaky)
    with pytest.warns(OptimlabWarning, match=MERGED_OFF):     # the note's two Adam runs are one without BN
        rc = main(["compare", "--dataset", "digits", "--iters", "5", "--optimizers", "sgd,adam", "--batchnorm", "off",
                   "--seeds", "0-1", "--no-plots", "--no-report", "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err.strip().splitlines()
    assert rc == 1 and err[-1].startswith("optimlab: error: 2 of 4 runs failed"), err
    assert "SGD: MemoryError: pretend the network does not fit" in err[-1]
    assert (tmp_path / "o" / "summary.json").is_file()
    monkeypatch.undo()
    rc = main(["compare", "--dataset", "digits", "--iters", "5", "--optimizers", "sgd", "--lr", "sgd=1e6",
               "--activation", "relu", "--init", "he", "--no-plots", "--no-report", "--out", str(tmp_path / "d")])
    assert rc == 0 and "diverged" in capsys.readouterr().out


@pytest.mark.parametrize("args, says", [
    (("sweep", "--dataset", "digits", "--lrs", "-0.1,0.1"), "invalid learning rate: -0.1 in '-0.1,0.1'"),
    (("compare", "--dataset", "digits", "--lr", "-0.5"), "invalid learning rate (lr): -0.5"),
    (("landscape", "--start", "-1.2,1", "--lr", "sgd=-1"), "sgd"),
])
def test_negative_values_are_named_not_taken_for_options(tmp_path, args, says):
    r = run_cli(*args, "--out", str(tmp_path / "o"))
    assert r.returncode == 2 and says in r.stderr and "expected one argument" not in r.stderr, r.stderr


def test_compare_in_a_notebook_takes_the_command_line_spellings(tmp_path):
    """optimizers='sgd,adam' is two names (it was split into characters: "unknown optimizer: 's'"); a bare lr is
    every run's; an unknown keyword names itself and the accepted ones (it was a TypeError of apply_overrides)."""
    from optimlab.api import compare
    from optimlab.errors import ConfigError

    out = compare(dataset="digits", optimizers="momentum,sgd", lrs=0.05, iters=10, out=tmp_path / "o", plots=False,
                  report=False)
    assert [(r["label"], r["hyperparameters"]["lr"]) for r in out.summary["runs"]] == [("SGD", 0.05),
                                                                                       ("Momentum", 0.05)]
    with pytest.raises(ConfigError, match=r"unknown option for compare: 'seed' \(accepted: dataset, .*seeds.*on_data.*; did you mean 'seeds'\?\)"):
        compare(dataset="digits", seed=3, out=tmp_path / "p")
    with pytest.raises(ConfigError, match=r"invalid lrs: \[0.01, 0.1\] \(accepted: a number for every optimizer, or one per optimizer like \{'adam': 0.001\}\)"):
        compare(dataset="digits", lrs=[0.01, 0.1], out=tmp_path / "p")    # not K stacked values
    assert not (tmp_path / "p").exists()
    out = compare(dataset="digits", optimizers="sgd", lrs=np.array(0.5), iters=5, out=tmp_path / "z", plots=False,
                  report=False)                                       # a 0-d array is a number too
    assert out.summary["runs"][0]["hyperparameters"]["lr"] == 0.5
    out = compare(dataset="digits", optimizers="sgd", lrs=np.float32(0.5), iters=5, out=tmp_path / "f", plots=False,
                  report=False)                                       # a NumPy number is a number (recipe.toml too)
    assert out.summary["runs"][0]["hyperparameters"]["lr"] == 0.5 and "lr = 0.5" in (tmp_path / "f" / "recipe.toml").read_text()


def test_dataset_names_on_the_command_line_ignore_case(tmp_path):
    r = run_cli("compare", "--dataset", "DIGITS", "--optimizers", "sgd", "--iters", "10", "--out", str(tmp_path / "o"),
                "--no-plots", "--no-report", "--no-progress")
    assert r.returncode == 0 and "dataset: digits" in r.stderr


def test_figure_titles_name_the_seed_in_the_figures_language(tmp_path, monkeypatch):
    import optimlab.viz.figures as figures
    from optimlab.api import compare

    titles, real = [], figures.accuracy_figure
    monkeypatch.setattr(figures, "accuracy_figure",
                        lambda h, title=None, lang="en", **kw: titles.append(title) or real(h, title, lang, **kw))
    for lang, want in (("ja", "SGD（学習率 0.01）（シード 3）"), ("en", "SGD (lr=0.01) (seed 3)")):
        compare(dataset="digits", optimizers="sgd", iters=10, seeds="3-4", lang=lang, out=tmp_path / lang, report=False)
        assert titles[-1] == want


@pytest.mark.parametrize("args, line", [
    (["compare", "--iters", "nan"], "invalid --iters: 'nan' (accepted: a whole number)"),
    (["compare", "--lang", "fr"], "invalid --lang: 'fr' (accepted: en, ja)"),
    (["landscape", "--steps", "abc"], "invalid --steps: 'abc' (accepted: a whole number)"),
    (["frobnicate"], "invalid COMMAND: 'frobnicate' (accepted: compare, data, sweep, landscape, report)"),
    (["compair"], "invalid COMMAND: 'compair' (accepted: compare, data, sweep, landscape, report; did you mean "
                  "'compare'?)"),
    (["data", "bogus"], "invalid command: 'bogus' (accepted: list, fetch, verify)"),     # it said {list,fetch,verify}
])
def test_argparse_errors_say_what_is_accepted(capsys, args, line):
    """argparse's own wording ("invalid int value", "invalid choice ... (choose from ...)") in the project's style."""
    from optimlab.cli import main

    assert main(args) == 2
    assert capsys.readouterr().err == f"optimlab: error: {line}\n"


def test_a_reader_that_has_gone_is_no_error(tmp_path):
    """optimlab … | head: the pipe's reader closed; it printed 'optimlab: error: Broken pipe'. It stops quietly with
    141 (128 + SIGPIPE), as shell tools do."""
    read, write = os.pipe()
    os.close(read)                               # the reader is gone before the first line
    try:
        r = subprocess.run([sys.executable, "-m", "optimlab", "landscape", "--function", "bowl", "--steps", "5",
                            "--no-gif", "--out", str(tmp_path / "l")], stdout=write, stderr=subprocess.PIPE,
                           text=True, env=ENV, timeout=300)
    finally:
        os.close(write)
    assert r.returncode == 141 and r.stderr == ""


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_standard_output_that_cannot_be_written_is_named(tmp_path):
    """A fuzzing review: > /dev/full ended a run it had written whole in "optimlab: error: No space left on device"
    and status 2 (bad input), as if the disk or the run had failed."""
    for unbuffered in ("1", None):          # buffered (as a terminal's default), the write fails at the last flush
        env = {k: v for k, v in ENV.items() if k != "PYTHONUNBUFFERED"}
        env.update({"PYTHONUNBUFFERED": unbuffered} if unbuffered else {})
        out = tmp_path / f"c{unbuffered}"
        with open("/dev/full", "w") as full:
            r = subprocess.run([sys.executable, "-m", "optimlab", "compare", "--dataset", "digits", "--iters", "3",
                                "--no-progress", "--no-plots", "--no-report", "--out", str(out)], stdout=full,
                               stderr=subprocess.PIPE, text=True, env=env, timeout=300)
        assert r.returncode == 1, r.stderr
        assert r.stderr.splitlines()[-1] == ("optimlab: error: cannot write to standard output: No space left on "
                                             "device")
        assert "Traceback" not in r.stderr and "Exception ignored" not in r.stderr, r.stderr
        assert (out / "summary.json").is_file()
    # standard output closed (>&-): print() writes nothing, as before, and the command works
    r = subprocess.run([sys.executable, "-m", "optimlab", "landscape", "--steps", "3", "--no-gif", "--out",
                        str(tmp_path / "l")], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=ENV,
                       timeout=300, preexec_fn=lambda: os.close(1))
    assert r.returncode == 0 and r.stderr == "", r.stderr
    assert (tmp_path / "l" / "landscape_bowl.png").is_file()


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize("argv", [["--help"], ["--version"], ["sweep", "--help"]])
def test_help_and_version_that_cannot_be_written_are_said(argv):
    """The read-through of the last session: ``optimlab --help > /dev/full`` exited 0 with nothing written and
    nothing said (argparse's print passes over a failed write, then exits 0); now as any command's output: one line,
    status 1. Written where it can be, they end with 0 as before."""
    with open("/dev/full", "w") as full:
        r = subprocess.run([sys.executable, "-m", "optimlab", *argv], stdout=full, stderr=subprocess.PIPE, text=True,
                           env=ENV, timeout=120)
    assert (r.returncode, r.stderr) == (1, "optimlab: error: cannot write to standard output: No space left on "
                                           "device\n")
    r = subprocess.run([sys.executable, "-m", "optimlab", *argv], capture_output=True, text=True, env=ENV, timeout=120)
    assert r.returncode == 0 and r.stderr == "" and r.stdout.startswith(("usage: optimlab", "optimlab "))


def test_an_output_name_too_long_to_stage_is_one_line(tmp_path, monkeypatch, capsys):
    """A review: `--out` with a 240-character name (mkdir takes 255) failed on the hidden stage beside it, naming
    `./.eeee….partial-skg9e2qo` and no accepted value; 80 Japanese characters (240 bytes) the same."""
    from optimlab.cli import main

    monkeypatch.chdir(tmp_path)
    small = ["compare", "--dataset", "digits", "--iters", "5", "--optimizers", "sgd", "--no-plots", "--no-report",
             "--no-progress"]
    for name in ("e" * 238, "実" * 80):
        assert main([*small, "--out", name]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and f"its name is {len(name.encode())} bytes long (accepted: at most 237 bytes" in err
        assert os.listdir(tmp_path) == []
    assert main([*small, "--out", "実" * 80, "--lang", "ja"]) == 2
    assert capsys.readouterr().err.startswith(f"optimlab: エラー：出力先 '{'実' * 80}' の名前は 240 バイトで長すぎます（237 バイトまで。")
    assert main([*small, "--out", "e" * 237]) == 0 and (tmp_path / ("e" * 237) / "summary.json").is_file()


def test_plausible_python_mistakes_get_a_line_that_helps(tmp_path):
    """A review of the Python API: optimizers=5 was a TypeError; iter=30 and seed=1 (the CLI's --seed) were unknown
    options with no hint, where the CLI gives one; init="0.01" said a number was accepted, as if 0.01 were not one."""
    from optimlab.api import compare
    from optimlab.errors import ConfigError

    cases = {"optimizers": (5, "invalid optimizers: 5 (accepted: names, e.g. ['sgd', 'adam'] or 'sgd,adam')"),
             "iter": (30, "did you mean 'iters'?)"), "seed": (1, "did you mean 'seeds'?)"),
             "init": ("0.01", "invalid init: '0.01' is text (accepted: the number 0.01 without quotes, from 1e-30 to "
                              "1000; xavier, he)")}
    for key, (value, says) in cases.items():
        with pytest.raises(ConfigError) as e:
            compare(dataset="digits", out=tmp_path / key, **{key: value})
        assert says in str(e.value) and "\n" not in str(e.value)
        assert not (tmp_path / key).exists()
    with pytest.raises(ConfigError, match=r"unknown init: 'nan'"):
        compare(dataset="digits", out=tmp_path / "n", init="nan")


def test_a_missing_dependency_is_one_line(monkeypatch, capsys):
    """A packaging review: with a dependency missing (pip install --no-deps), every command but --help ended in a
    ModuleNotFoundError traceback (threadpoolctl, platformdirs, matplotlib)."""
    import optimlab.cli as cli

    def missing(args):
        raise ModuleNotFoundError("No module named 'threadpoolctl'", name="threadpoolctl")

    monkeypatch.setattr(cli, "run_compare_cli", missing)
    assert cli.main(["compare"]) == 1
    assert capsys.readouterr().err == ("optimlab: error: the module 'threadpoolctl' is missing: a dependency of "
                                       "optimlab is not installed (accepted: pip install optimlab again with its "
                                       "dependencies, or pip install -e . in a clone of optimlab)\n")


def test_ctrl_c_during_a_modules_first_import_is_one_line(monkeypatch, capsys):
    """A review: Ctrl-C about 1 s into `optimlab report` (2 times in ~100) landed in SciPy's first import, which
    raised "ImportError: initialization failed" from the KeyboardInterrupt: a traceback and status 1, not 130."""
    import optimlab.cli as cli

    def importing(args):
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt as e:
            raise ImportError("initialization failed") from e

    monkeypatch.setattr(cli, "run_compare_cli", importing)
    assert cli.main(["compare"]) == 130
    assert capsys.readouterr().err == "optimlab: interrupted\n"

    def broken(args):
        raise ImportError("cannot import name 'x' from 'y'")

    monkeypatch.setattr(cli, "run_compare_cli", broken)
    with pytest.raises(ImportError):                     # any other ImportError is not an interruption
        cli.main(["compare"])


def test_the_fallback_to_the_5000_digits_is_said_in_japanese_too(tmp_path, monkeypatch, capsys):
    """A Japanese student's first screen offline was a 400-character English note. With --lang ja a Japanese line
    now says what happened and how to get full MNIST; the English line (searchable) follows it; English is as was."""
    import optimlab.api as api
    from optimlab.cli import main
    from optimlab.data import load_dataset

    monkeypatch.setattr(api, "load_data", lambda recipe, progress=False: load_dataset("auto", download=False))
    for lang in ("ja", "en"):
        assert main(["compare", "--lang", lang, "--iters", "2", "--optimizers", "sgd", "--no-plots", "--no-report",
                     "--no-progress", "--out", str(tmp_path / lang)]) == 0
        err = capsys.readouterr().err.splitlines()
        notes = [line for line in err if line.startswith("optimlab: ")]
        english = [line for line in notes if line.startswith("optimlab: note: using mnist-5k (5,000 real MNIST")]
        assert len(english) == 1
        if lang == "ja":
            assert notes[0].startswith("optimlab: 注記：MNIST 本体が見つからないため") and "optimlab data fetch mnist" in notes[0]
            assert notes[1] == english[0]
        else:
            assert notes == english


def test_a_negative_nan_or_inf_value_is_joined_to_its_option_so_the_error_names_it():
    """'--lr -nan' and '--lr -inf' (a value starting with '-'): argparse said only 'expected one argument'."""
    from optimlab.cli import _join_negative_values

    assert _join_negative_values(["--lr", "-nan", "--iters", "-inf", "--seeds", "-1"]) == \
        ["--lr=-nan", "--iters=-inf", "--seeds=-1"]
    assert _join_negative_values(["--lr", "-x"]) == ["--lr", "-x"]          # an option, as argparse reads it
    r = run_cli("compare", "--dataset", "digits", "--lr", "-nan", "--no-progress", "--out", "/tmp/optimlab-unused")
    assert r.returncode == 2 and "invalid learning rate (lr): nan" in r.stderr.splitlines()[-1]


def test_batchnorm_on_keeps_runs_that_differ_in_their_hyperparameters():
    """--batchnorm on makes Adam and Adam + BatchNorm one run (a duplicate is dropped); two Adam runs at different
    lrs stay two."""
    from optimlab.experiment import default_recipe
    from optimlab.experiment.recipe import apply_overrides

    note = default_recipe()
    with pytest.warns(OptimlabWarning, match=MERGED_ON):
        assert [r.label for r in apply_overrides(note, batchnorm=True).runs][-1:] == ["Adam + BatchNorm"]  # true of it
    two = _two_adam_runs(note)
    runs = apply_overrides(two, batchnorm=True).runs
    assert sorted(r.hyperparameters["lr"] for r in runs if r.optimizer == "adam") == [0.001, 0.01]


def test_the_table_says_which_runs_have_batch_normalization_their_labels_do_not_show(tmp_path, capsys, monkeypatch):
    """A Japanese student's review: under --batchnorm on the table said "SGD" of an SGD with batch normalization
    (and Adam was merged into Adam + BatchNorm); the note under the table names the runs whose labels hide it."""
    from optimlab.cli import main

    monkeypatch.chdir(tmp_path)
    small = ["--dataset", "digits", "--iters", "20", "--eval-interval", "10", "--no-plots", "--no-report",
             "--no-progress"]
    # a learner's review: the figures' legends still said "SGD"; the labels optimlab gives now say it themselves
    with pytest.warns(OptimlabWarning, match=MERGED_ON):
        assert main(["compare", *small, "--batchnorm", "on", "--optimizers", "sgd,momentum,adam", "--out", "a"]) == 0
    out = capsys.readouterr().out
    assert [line.split("  ")[0] for line in out.splitlines() if line.endswith(" ok")] == \
        ["SGD + BatchNorm", "Momentum + BatchNorm", "Adam + BatchNorm"], out
    assert "with batch normalization" not in out
    import json
    assert [r["label"] for r in json.loads((tmp_path / "a" / "summary.json").read_text())["runs"]] == \
        ["SGD + BatchNorm", "Momentum + BatchNorm", "Adam + BatchNorm"]
    with pytest.warns(OptimlabWarning, match=MERGED_OFF):
        assert main(["compare", *small, "--batchnorm", "off", "--optimizers", "adam", "--out", "b"]) == 0
    assert "Adam + BatchNorm" not in capsys.readouterr().out     # one Adam run, without it, labelled so
    (tmp_path / "r.toml").write_text('name = "r"\ndataset = "digits"\n[[runs]]\nlabel = "Plain SGD"\n'
                                      'optimizer = "sgd"\n')     # a label of one's own is kept: the note says it
    assert main(["compare", *small, "--recipe", "r.toml", "--batchnorm", "on", "--out", "b", "--lang", "ja"]) == 0
    assert "（バッチ正規化あり：Plain SGD。ラベルには表れていません）" in capsys.readouterr().out
    # a code review: a new label another run has already is not given (the recipe was refused then)
    (tmp_path / "two.toml").write_text('name = "two"\ndataset = "digits"\n[[runs]]\nlabel = "SGD"\noptimizer = "sgd"\n'
                                       '[[runs]]\nlabel = "SGD + BatchNorm"\noptimizer = "sgd"\nlr = 0.1\nbatchnorm = true\n')
    for bn in ("on", "off"):
        assert main(["compare", *small, "--recipe", "two.toml", "--batchnorm", bn, "--out", "t"]) == 0
        labels = [line.split("  ")[0] for line in capsys.readouterr().out.splitlines() if line.endswith(" ok")]
        assert labels == ["SGD", "SGD + BatchNorm"], labels
    assert main(["compare", *small, "--out", "c"]) == 0                 # the note's Adam + BatchNorm says so itself
    assert "with batch normalization" not in capsys.readouterr().out
    from optimlab.results.store import summary_table

    run = {"optimizer": "adam", "hyperparameters": {"lr": 0.01}, "final_test_accuracy": 0.9, "best_test_accuracy": 0.9,
           "final_train_accuracy": 0.9, "wall_seconds": 1.0, "status": "ok", "net": {"batchnorm": True}}
    labels = ["Adam batch-norm", "Adam BN付き", "Adam (bn)", "Adam_BatchNorm", "Adamban"]   # a code review: the
    table = summary_table({"runs": [{**run, "label": x} for x in labels], "seeds": [0]})   # first two were noted
    assert table.splitlines()[-1] == "(with batch normalization: Adamban; their labels do not say so)", table


def test_labels_that_name_another_network_than_trained_are_noted():
    """A recipe review: under --batchnorm off "Momentum torch BN" trained without it, and under --activation sigmoid
    --init 0.01 "SGD ReLU He" trained a sigmoid network from std 0.01 — the table said nothing, where --batchnorm on
    had its note."""
    from optimlab.results.store import summary_table

    run = {"optimizer": "sgd", "hyperparameters": {"lr": 0.01}, "final_test_accuracy": 0.9, "best_test_accuracy": 0.9,
           "final_train_accuracy": 0.9, "wall_seconds": 1.0, "status": "ok"}
    net = {"hidden": [40, 20], "activation": "sigmoid", "init": 0.01, "batchnorm": False}
    runs = [{**run, "label": "Momentum torch BN", "net": net}, {**run, "label": "SGD ReLU He", "net": net},
            {**run, "label": "Adam sigmoid", "net": net}, {**run, "label": "Theo's SGD", "net": net},
            {**run, "label": "ReLU He", "net": {**net, "activation": "relu", "init": "he"}},
            {**run, "label": "Xavier ReLU", "net": {**net, "activation": "relu", "init": "xavier"}}]
    lines = summary_table({"runs": runs, "seeds": [0]}).splitlines()
    assert lines[-3:] == [
        "(without batch normalization: Momentum torch BN; their labels say otherwise)",
        "(another activation than their labels name: SGD ReLU He; summary.json and recipe.toml record what trained)",
        "(another initialization than their labels name: SGD ReLU He; summary.json and recipe.toml record what "
        "trained)"], lines
    ja = summary_table({"runs": runs, "seeds": [0]}, lang="ja").splitlines()
    assert ja[-3] == "（バッチ正規化なし：Momentum torch BN。ラベルとは違います）", ja
    assert ja[-2].startswith("（ラベルとは別の活性化関数で学習しました：SGD ReLU He。")
    # a label that denies it says what trained (a code review: "Adam no BN" was noted as saying otherwise), and one
    # that denies what trained does not
    from optimlab.results.store import label_notes

    plain = {"batchnorm": False, "activation": "sigmoid", "init": 0.01}
    assert label_notes({x: plain for x in ("Adam no BN", "SGD (BN off)", "Adam バッチ正規化なし", "Adam without batch norm",
                                           "SGD non-BN", "SGD, not ReLU", "SGD w/o BN")}) == []
    assert label_notes({"Adam no BN": {**plain, "batchnorm": True}}) == [
        "(with batch normalization: Adam no BN; their labels do not say so)"]



def test_the_table_shows_the_settings_besides_the_lr_that_the_preset_would_not_give():
    """A recipe review: a run's β₂ or preset was in its label or nowhere on the console; the table now has a column
    for them when some run has one, and none when no run does (the note's experiment's table as before)."""
    from optimlab.results.store import other_settings, summary_table

    run = {"optimizer": "adam", "preset": "note", "final_test_accuracy": 0.9, "best_test_accuracy": 0.9,
           "final_train_accuracy": 0.9, "wall_seconds": 1.0, "status": "ok", "seed": 0}
    note = {"lr": 0.01, "beta1": 0.9, "beta2": 0.999, "eps": 1e-07, "bias_correction": "lr"}
    runs = [{**run, "label": "A", "hyperparameters": note},
            {**run, "label": "B", "hyperparameters": {**note, "beta2": 0.99, "lr": 0.1}},
            {**run, "label": "C", "preset": "torch", "hyperparameters": {**note, "eps": 1e-08,
                                                                         "bias_correction": "moments"}},
            {**run, "label": "D", "preset": "torch", "hyperparameters": {**note, "eps": 1e-06,
                                                                         "bias_correction": "moments"}}]
    lines = summary_table({"runs": runs, "seeds": [0]}).splitlines()
    a, b = lines[0].index("other settings"), lines[0].index("final test acc")
    assert lines[0][:a].split() == ["run", "optimizer", "lr"]
    assert [(line[:1], line[a:b].strip()) for line in lines[2:6]] == [
        ("A", "—"), ("B", "beta2=0.99"), ("C", "preset=torch"), ("D", "preset=torch eps=1e-06")], lines
    assert "その他の設定" in summary_table({"runs": runs, "seeds": [0]}, lang="ja").splitlines()[0]
    assert "other settings" not in summary_table({"runs": runs[:1], "seeds": [0]})
    assert other_settings({"optimizer": "adagrad", "preset": "note-code", "hyperparameters": {
        "lr": 0.1, "initial_accumulator": 1e-4, "eps": 0.0, "eps_inside_sqrt": False, "accumulate_first_step": False}}) \
        == "preset=note-code"
    assert other_settings({"optimizer": "rmsprop", "preset": "note", "hyperparameters": {
        "lr": 0.1, "decay": 0.9, "eps": 1e-7, "initial_accumulator": 0.0, "eps_inside_sqrt": True}}) \
        == "decay=0.9 eps_inside_sqrt=true"
    assert other_settings({"optimizer": "lion", "preset": "note", "hyperparameters": {"lr": 1}}) == ""   # not known here


def test_summary_json_records_the_command_line_the_optimlab_command_ran(tmp_path, monkeypatch):
    """A reproducibility review: options outside recipe.toml (--jobs, --lang) were recorded nowhere; summary.json
    records the command as typed, and a compare() from Python afterwards records none."""
    import json

    import html

    from optimlab._io import home_shown
    from optimlab.api import compare
    from optimlab.cli import main

    monkeypatch.chdir(tmp_path)
    args = ["compare", "--dataset", "digits", "--optimizers", "sgd", "--iters", "20", "--lr", "sgd=0.1",
            "--out", "runs/it's", "--no-plots", "--no-report", "--no-progress"]
    assert main(args) == 0
    s = json.loads((tmp_path / "runs" / "it's" / "summary.json").read_text())
    assert s["command"] == "optimlab compare --dataset digits --optimizers sgd --iters 20 --lr sgd=0.1 --out " \
                           "'runs/it'\"'\"'s' --no-plots --no-report --no-progress"
    assert s["command_dir"] == home_shown(tmp_path)          # where its relative paths start
    page = (tmp_path / "runs" / "it's" / "x.html")
    assert main(["report", "runs/it's", "--out", str(page)]) == 0     # the page shows them under Configuration
    config = page.read_text()
    config = config[config.index('id="configuration"'):config.index('id="environment"')]
    assert html.escape(s["command"]) in config and html.escape(s["command_dir"]) in config
    out = compare(dataset="digits", optimizers=["sgd"], iters=20, out=tmp_path / "py", report=False, plots=False)
    assert "command" not in out.summary and "command_dir" not in out.summary


def test_an_evaluation_interval_longer_than_the_run_is_said_under_the_table(tmp_path, capsys, monkeypatch):
    """--iters 20 --eval-interval 50 evaluated once, at the end, and drew curves of one point without a word."""
    from optimlab.cli import main

    monkeypatch.chdir(tmp_path)
    small = ["--dataset", "digits", "--optimizers", "sgd", "--no-plots", "--no-report", "--no-progress"]
    assert main(["compare", *small, "--iters", "20", "--eval-interval", "50", "--out", "a"]) == 0
    out = capsys.readouterr().out
    assert ("(evaluated once, after the last of the 20 iterations: the evaluation interval, 50, is not shorter than the "
            "run; a curve needs a shorter one, e.g. --eval-interval 2)") in out, out
    assert json.loads((tmp_path / "a" / "summary.json").read_text())["runs"][0]["final_test_accuracy"] is not None
    assert main(["compare", *small, "--iters", "20", "--eval-interval", "50", "--out", "b", "--lang", "ja"]) == 0
    assert ("（評価は 20 回目の反復の後の 1 回だけです。評価の間隔 50 が反復回数以上のためです。学習曲線を描くには、"
            "--eval-interval 2 などで間隔を短くしてください）") in capsys.readouterr().out
    assert main(["compare", *small, "--iters", "20", "--eval-interval", "20", "--out", "c"]) == 0    # no evaluation at 0
    assert "the evaluation interval, 20, is not shorter than the run" in capsys.readouterr().out
    for iters, every in (("20", "15"), ("20", "10"), ("1", "10")):        # evaluated on the interval, or one step
        assert main(["compare", *small, "--iters", iters, "--eval-interval", every, "--out", "c"]) == 0
        assert "evaluated once" not in capsys.readouterr().out


def _two_adam_runs(recipe):
    from dataclasses import replace

    adam = next(r for r in recipe.runs if r.optimizer == "adam")
    return replace(recipe, runs=[adam, replace(adam, label="Adam slow", hyperparameters={**adam.hyperparameters,
                                                                                         "lr": 0.001})])


def test_recipe_toml_of_an_added_optimizer_with_a_true_false_setting_reads_back(tmp_path, monkeypatch):
    """With every hyperparameter written out, an added optimizer's `flip: bool` (not a convention) was written as
    `flip = false`, and reading that recipe.toml back refused it: 'invalid flip … (accepted: a number)'."""
    from dataclasses import dataclass

    import optimlab.api as api
    from optimlab.experiment import load_recipe
    from optimlab.optim import OPTIMIZERS, SGD

    @dataclass(frozen=True)
    class FlipSGD(SGD):
        name = "flipsgd"
        flip: bool = False

    monkeypatch.setitem(OPTIMIZERS, "flipsgd", FlipSGD)
    recipe = tmp_path / "r.toml"
    recipe.write_text('dataset = "digits"\n[train]\niters = 5\n[[runs]]\nlabel = "f"\noptimizer = "flipsgd"\n')
    api.compare(recipe, out=tmp_path / "o", plots=False, report=False)
    again = load_recipe(tmp_path / "o" / "recipe.toml")
    assert again.runs[0].hyperparameters == {"lr": 0.01, "flip": False}


def test_rerunning_into_a_run_folder_says_it_replaced_the_run_there(tmp_path):
    """`optimlab compare` twice without --out replaced the first (3-seed) run with the second, saying only 'results in
    runs/note/'. The replacement is by design (README); the console now says it, and how to keep runs apart."""
    args = ("compare", "--dataset", "digits", "--iters", "10", "--optimizers", "sgd", "--no-plots", "--no-report",
            "--no-progress", "--out", str(tmp_path / "o"))
    first, second = run_cli(*args), run_cli(*args)
    assert first.returncode == second.returncode == 0
    assert "replacing" not in first.stdout
    assert f"results in {tmp_path / 'o'}/ (replacing the run that was there)\n" in second.stdout   # --out given: no hint
    default = [a for a in args if a not in ("--out", str(tmp_path / "o"))]
    run_cli(*default, cwd=tmp_path)
    third = run_cli(*default, cwd=tmp_path)
    assert "results in runs/note/ (replacing the run that was there; --out DIR keeps runs apart)" in third.stdout


def test_docs_files_md_names_every_file_key_and_metric_a_compare_run_writes(tmp_path):
    """A researcher found summary.json's ci95, a_wins, cohort_size …, telemetry.csv's metrics and the dataset hash
    documented nowhere; docs/files.md now lists them. This keeps it complete: every key a run writes is in it."""
    import re
    from pathlib import Path

    import optimlab.api as api

    doc = (Path(__file__).resolve().parents[2] / "docs" / "files.md").read_text()
    named = set(re.findall(r"`([^`]+)`", doc))
    out = api.compare(dataset="digits", optimizers=["adagrad", "adam"], seeds="0-1", iters=20, telemetry=True,
                      out=tmp_path / "o")                  # figures and report too
    s = out.summary
    keys = set(s) | set(s["runs"][0]) | set(s["seed_statistics"][0]) | set(s["paired_differences"][0]) | \
        set(s["dataset"]) | set(s["train"]) | set(s["runs"][0]["net"])
    files = {"accuracy_<label>.png" if p.name.startswith("accuracy_") else p.name for p in (tmp_path / "o").iterdir()}
    assert {"report.html", "test_accuracy.png", "loss.png", "accuracy_<label>.png"} <= files
    with open(tmp_path / "o" / "metrics.csv") as f:
        metrics = {row["metric"] for row in csv.DictReader(f)}
    with open(tmp_path / "o" / "telemetry.csv") as f:
        telemetry = {row["metric"] for row in csv.DictReader(f)}
    missing = sorted((keys | files | metrics | telemetry) - named)
    assert not missing, f"not in docs/files.md: {missing}"


def test_a_notebook_shows_a_comparison_and_a_run_folder_in_one_line(tmp_path):
    """With 2 seeds out's repr listed 'SGD 0.1031, SGD 0.1003, …' (a label per seed, no seed said); a LoadedRun
    showed as <optimlab.results.store.LoadedRun object at 0x…>."""
    from optimlab.api import compare
    from optimlab.results import LoadedRun

    out = compare(dataset="digits", optimizers="sgd", batchnorm=False, iters=5, seeds="0-1", out=tmp_path / "r",
                  plots=False, report=False)
    mean = sum(r["final_test_accuracy"] for r in out.summary["runs"]) / 2
    assert repr(out) == f"CompareOutcome({str(tmp_path / 'r')!r}, digits, final test accuracy, mean over seeds 0, 1: " \
                        f"SGD {mean:.4f})"
    assert repr(LoadedRun(tmp_path / "r")) == f"LoadedRun({str(tmp_path / 'r')!r}: runs SGD; seeds 0, 1)"
    wild = compare(dataset="digits", optimizers="sgd", lrs=1e5, activation="relu", init="he", iters=30,
                   eval_interval=5, out=tmp_path / "w", plots=False, report=False)
    assert repr(wild).endswith("final test accuracy: SGD 0.0000 (1 of 1 diverged or failed))")    # None: it crashed


def test_a_notebooks_mistakes_are_said_in_its_own_words(tmp_path):
    """compare(batchnorm="on") said 'invalid batchnorm in command-line options'; compare(lrs="adam=0.001") said
    'accepted: a number' without the dict it wants; run_landscape(lrs="sgd=0.1") was a raw ValueError."""
    from optimlab.api import compare
    from optimlab.errors import ConfigError
    from optimlab.viz.landscape import run_landscape

    with pytest.raises(ConfigError, match=r"^invalid batchnorm: 'on' \(accepted: True or False\)$"):
        compare(dataset="digits", batchnorm="on", out=tmp_path / "a")
    with pytest.raises(ConfigError, match=r"^invalid lrs: 'adam=0.001' \(accepted: .*\{'adam': 0.001\}\)$"):
        compare(dataset="digits", lrs="adam=0.001", out=tmp_path / "b")
    with pytest.raises(ConfigError, match=r"^invalid lrs: 'sgd=0.1' \(accepted: a dict .*\{'sgd': 0.1\}"):
        run_landscape("bowl", "sgd", lrs="sgd=0.1")


def test_compare_takes_optimizer_objects_with_all_their_settings(tmp_path):
    """A lesson on Adam's β₁ needed a recipe's RunSpec (not in the README) or the Trainer: compare() took names and
    learning rates only. Objects are runs with every setting they have, labelled by what tells them apart, written to
    recipe.toml (which trains the same numbers again); a name among objects, an unregistered class or the same
    setting twice is one line."""
    from dataclasses import dataclass

    from optimlab.api import compare
    from optimlab.errors import ConfigError
    from optimlab.experiment import load_recipe
    from optimlab.optim import Adam, make_optimizer
    from optimlab.train import TrainConfig, train
    from optimlab.data import load_dataset

    opts = [make_optimizer("adam", beta1=0.5), make_optimizer("adam"), make_optimizer("sgd", lr=0.1)]
    out = compare(dataset="digits", optimizers=opts, iters=30, eval_interval=10, out=tmp_path / "o", plots=False,
                  report=False)
    runs = out.summary["runs"]
    assert [r["label"] for r in runs] == ["Adam (beta1=0.5)", "Adam (beta1=0.9)", "SGD"]
    assert [r["hyperparameters"].get("beta1") for r in runs] == [0.5, 0.9, None] and runs[2]["hyperparameters"]["lr"] == 0.1
    alone = train(load_dataset("digits"), opts, train=TrainConfig(iters=30, eval_interval=10), seed=0)
    assert [r["final_test_accuracy"] for r in runs] == [h.test_acc[-1] for h in alone]
    again = load_recipe(tmp_path / "o" / "recipe.toml")
    assert [r.make_optimizer() for r in again.runs] == opts

    @dataclass(frozen=True)
    class Unlisted(Adam):
        name = "unlisted"

    for given, match in (([opts[0], "sgd"], r"^invalid optimizers: 'sgd' among optimizer objects \(accepted: names"),
                         ([Unlisted()], r"^invalid optimizers: Unlisted is not registered as 'unlisted'"),
                         ([opts[1], Adam()], r"^the same Adam run twice: lr=0.01, beta1=0.9")):
        with pytest.raises(ConfigError, match=match):
            compare(dataset="digits", optimizers=given, iters=5, out=tmp_path / "x", plots=False)
    assert not (tmp_path / "x").exists()


def test_a_rule_that_raises_is_the_one_named_and_its_own_frame_is_kept(tmp_path, capsys, raising_optimizer):
    """A researcher's review: the rule of an added optimizer raised at step 31, and the command said 'SGD:
    RuntimeError' (the first run of the cohort); the recorded traceback kept the three outermost frames, not the
    rule's file and line."""
    from optimlab.api import compare
    from optimlab.cli import failed_runs_status
    from optimlab.errors import OptimlabError
    from optimlab.optim import SGD

    Raises = raising_optimizer
    outcome = compare(dataset="digits", optimizers=[SGD(), Raises()], iters=40, out=tmp_path / "o", plots=False,
                      report=False)
    errors = {r["label"]: r["error"] for r in outcome.summary["runs"]}
    assert errors["Raises"].startswith("RuntimeError: boom at step 31\n")
    assert errors["SGD"].startswith("failed with Raises (trained in one cohort with it): RuntimeError: boom at step 31")
    where = f'File "{Path(__file__).parents[1] / "conftest.py"}"'
    assert where in errors["Raises"] and 'raise RuntimeError(f"boom at step {t}")' in errors["Raises"]
    assert failed_runs_status(outcome.summary["runs"], "label", "s.json") == 1
    assert capsys.readouterr().err.strip().endswith("; Raises: RuntimeError: boom at step 31")
    # into a good run's folder: kept, and the message names the rule that raised
    compare(dataset="digits", optimizers="sgd", iters=5, out=tmp_path / "good", plots=False, report=False)
    with pytest.raises(OptimlabError, match=r"all 2 runs failed \(Raises: RuntimeError: boom at step 31\)"):
        compare(dataset="digits", optimizers=[SGD(), Raises()], iters=40, out=tmp_path / "good", plots=False,
                report=False)


def test_a_notebook_users_values_of_other_types_train_or_are_refused_before_training(tmp_path, monkeypatch):
    """A notebook user's review: iters=np.int64(300) trained every run, then recipe.toml could not be written
    (TypeError from the TOML writer; the whole run lost); seeds=np.arange(2) and range(3) were refused as not "a list
    like 0,3,7"; lrs={"Adam": …}, as the runs are labelled, was an unknown optimizer; out=False, a dict as the recipe,
    on_data=5 and run_sweep({...}) raised TypeError or AttributeError from deep inside, and plots="no" drew the
    figures. Now: taken as the ints, lists and names they are, or one-line ConfigErrors before anything trains."""
    import numpy as np

    from optimlab.api import compare
    from optimlab.errors import ConfigError
    from optimlab.experiment.sweep import run_sweep

    with pytest.warns(OptimlabWarning, match=MERGED_OFF):
        out = compare(dataset="digits", optimizers="adam", batchnorm=np.False_, iters=np.int64(6),
                      batch_size=np.int32(20), eval_interval=np.int64(3), seeds=np.arange(2), lrs={"Adam": 0.005},
                      out=tmp_path / "np", plots=False, report=False)
    recipe = (tmp_path / "np" / "recipe.toml").read_text(encoding="utf-8")
    assert "iters = 6\n" in recipe and "batch_size = 20\n" in recipe and "seeds = [\n    0,\n    1,\n]" in recipe
    assert [r["hyperparameters"]["lr"] for r in out.summary["runs"]] == [0.005, 0.005]
    with pytest.warns(OptimlabWarning, match=MERGED_OFF):
        again = compare(dataset="digits", optimizers="adam", batchnorm=False, iters=6, batch_size=20, eval_interval=3,
                        seeds=range(2), lrs={"adam": 0.005}, out=tmp_path / "py", plots=False, report=False)
    assert [r["final_test_accuracy"] for r in again.summary["runs"]] == \
        [r["final_test_accuracy"] for r in out.summary["runs"]]
    monkeypatch.chdir(tmp_path)
    for kw, match in ((dict(out=False), r"^invalid out: False \(accepted: a folder's path"),
                      (dict(out=123), r"^invalid out: 123 "),
                      (dict(recipe={"name": "x"}), r"^invalid recipe: \{'name': 'x'\} \(accepted: a path to a \.toml"),
                      (dict(on_data=5), r"^invalid on_data: 5 \(accepted: a function"),
                      (dict(plots="no"), r"^invalid plots: 'no' \(accepted: True or False\)$"),
                      (dict(progress="yes"), r"^invalid progress: 'yes' "),
                      (dict(lrs={"Adam": 0.1, "adam": 0.2}), r"^lrs gives the optimizer 'adam' 2 times \('Adam', 'adam': names")):
        with pytest.raises(ConfigError, match=match):
            compare(dataset="digits", iters=5, **kw)
    from optimlab.experiment.sweep import SweepSpec
    spec = SweepSpec(dataset="digits", optimizers=("sgd",), lrs=(0.1,), seeds=(0,), batchnorm=np.array([True, False]))
    assert spec.batchnorm == (True, False) and all(type(b) is bool for b in spec.batchnorm)
    with pytest.raises(ConfigError, match=r"^invalid spec: \{'dataset': 'digits'\} \(accepted: a SweepSpec"):
        run_sweep({"dataset": "digits"}, out=tmp_path / "sw")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["np", "py"]


def test_in_python_the_fallback_to_mnist_5k_is_a_warning_and_the_outcome_names_the_data(tmp_path, monkeypatch):
    """A notebook user's review: compare() without full MNIST trained on mnist-5k and said so only in summary.json;
    the command line prints it. Without an on_data callback (the command line's) it is now a warning."""
    import warnings

    import optimlab.api as api
    from optimlab.api import compare
    from optimlab.data import load_dataset
    from optimlab.errors import OptimlabWarning

    monkeypatch.setattr(api, "load_data", lambda recipe, progress=False: load_dataset("auto", download=False))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = compare(optimizers="sgd", batchnorm=False, iters=3, out=tmp_path / "a", plots=False, report=False)
    said = [str(w.message) for w in caught if issubclass(w.category, OptimlabWarning)]
    assert len(said) == 1 and said[0].startswith("using mnist-5k") and caught[0].filename == __file__
    assert repr(out).startswith(f"CompareOutcome({str(tmp_path / 'a')!r}, mnist-5k, final test accuracy: SGD ")
    seen = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        compare(optimizers="sgd", batchnorm=False, iters=3, out=tmp_path / "b", plots=False, report=False,
                on_data=lambda d: seen.append(d.notice))
    assert not [w for w in caught if issubclass(w.category, OptimlabWarning)] and seen[0].startswith("using mnist-5k")


def test_compare_names_the_report_to_open_last_as_sweep_does(tmp_path, capsys, monkeypatch):
    """A Japanese learner's review: compare ended with the folder, sweep with its page (レポート：…/report.html)."""
    from optimlab.cli import main

    monkeypatch.chdir(tmp_path)
    small = ["--dataset", "digits", "--iters", "20", "--optimizers", "sgd", "--no-plots", "--no-progress"]
    assert main(["compare", *small, "--out", "r", "--lang", "ja"]) == 0
    size = lambda: f"{(tmp_path / 'r' / 'report.html').stat().st_size / 1e6:.1f} MB"       # noqa: E731
    assert capsys.readouterr().out.rstrip().splitlines()[-1] == f"レポート：r/report.html（{size()}）"
    assert main(["compare", *small, "--out", "r"]) == 0             # with its size, as optimlab report and sweep say
    assert capsys.readouterr().out.rstrip().splitlines()[-1] == f"report: r/report.html ({size()})"  # (a README audit)
    assert main(["compare", *small, "--out", "n", "--no-report"]) == 0
    assert "report:" not in capsys.readouterr().out
