"""The sweep: spec validation, tuning on validation data only, fresh test seeds, divergence, resume, CLI."""

import csv
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, replace

import numpy as np
import pytest

import optimlab.experiment.sweep as sweep_mod
from optimlab.data import load_dataset
from optimlab.errors import ConfigError
from optimlab.experiment.executors import LocalExecutor, SerialExecutor
from optimlab.experiment.sweep import (SweepSpec, default_sweep_spec, load_sweep_spec, parse_lrs, run_sweep,
                                       TuningFailed, defaults_table, time_to_target_table)
from optimlab.optim import OPTIMIZERS, make_optimizer
from optimlab.train import NetConfig, TrainConfig, Trainer

# Small enough to take a few seconds; big enough that optimizers and lrs differ.
SPEC = SweepSpec(name="t", dataset="digits", lrs=parse_lrs("1e-3:1:4"), seeds=(0, 1),
                 train=TrainConfig(iters=150, eval_interval=50), targets=(0.3, 0.9))
WALL = ("wall_seconds", "task_models")   # timing and scheduling, not results
# these check Dask's own errors: without the [dask] extra they are the one line that says to install it (tested below)
NEEDS_DASK = pytest.mark.skipif(importlib.util.find_spec("distributed") is None, reason="needs the [dask] extra")


def table(path):
    """table.csv without the columns that measure time."""
    with open(path, newline="") as f:
        return [{k: v for k, v in r.items() if k not in WALL and not k.startswith("seconds_to")}
                for r in csv.DictReader(f)]


def dvt_entry(tuned, note, default, tuned_ci, tuned_val_acc):
    """An entry of defaults_vs_tuned: the tuned lr 0.1 against the note's 0.01 on fresh seeds 1000…, with the two
    columns' intervals as given."""
    return {"default_lr": 0.01, "default_test_acc": float(np.mean(note)), "default_lo": default[0],
            "default_hi": default[1], "default_not_ok": 0, "tuned_lr": 0.1, "tuned_val_acc": tuned_val_acc,
            "at_grid_edge": False, "tuned_test_acc": float(np.mean(tuned)), "tuned_lo": tuned_ci[0],
            "tuned_hi": tuned_ci[1], "tuned_not_ok": 0, "gain": float(np.mean(tuned) - np.mean(note)),
            "n_test_seeds": len(tuned), "tuned_test_by_seed": {str(1000 + i): v for i, v in enumerate(tuned)},
            "default_test_by_seed": {str(1000 + i): v for i, v in enumerate(note)}}


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The uninterrupted sweep, in this process."""
    out = tmp_path_factory.mktemp("ref")
    return run_sweep(SPEC, SerialExecutor(), out=out)


def test_docs_files_md_names_every_key_a_sweeps_summary_writes(reference):
    """A docs audit: files.md named defaults_vs_tuned's keys 'lo', 'hi' (there are none) and left settings, targets,
    time_to_target's, the executor's … out. Every key the sweep's summary writes, at each level a reader parses, is
    named in it now; this keeps it so."""
    import re
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "files.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`([^`]+)`", doc))
    s = reference.summary
    first = lambda m: next(iter(m.values()))      # noqa: E731 - a map's first entry
    ttt = first(s["time_to_target"])
    keys = (set(s) | set(s["grid"]) | set(s["dataset"]) | set(s["dataset"]["split"]) | set(s["settings"][0])
            | set(first(s["sensitivity"])) | set(first(s["defaults_vs_tuned"])) | set(ttt) | set(first(ttt["targets"]))
            | set(s["executor"]) | set(s["environment"]))
    missing = sorted(keys - named)
    assert not missing, f"not in docs/files.md: {missing}"


def test_the_gains_paired_interval_is_stored_as_printed(reference, tmp_path):
    """A docs audit: the console printed the gain's paired interval, which summary.json did not hold (a reader had to
    recompute it from the per-seed maps). gain_lo and gain_hi hold it, null where none is printed (2 seeds here)."""
    from optimlab.experiment.sweep import gain_text

    assert all(d["gain_lo"] is None and d["gain_hi"] is None for d in reference.summary["defaults_vs_tuned"].values())
    spec = replace(SPEC, optimizers=("sgd",), lrs=(1.0, 3.0), seeds=(0, 1, 2), test_seeds=(1000, 1001, 1002),
                   train=TrainConfig(iters=150, eval_interval=50))
    d = run_sweep(spec, SerialExecutor(), out=tmp_path).summary["defaults_vs_tuned"]["SGD"]
    assert d["tuned_lr"] != d["default_lr"] and d["gain_lo"] is not None
    assert gain_text(d).endswith(f"[{d['gain_lo']:+.4f}, {d['gain_hi']:+.4f}]")
    assert d["gain_lo"] < d["gain"] < d["gain_hi"]


# -- the spec -------------------------------------------------------------------------------------------------

def test_lr_grid_is_log_spaced_and_validated():
    assert parse_lrs("1e-4:1:9") == (0.0001, 0.000316228, 0.001, 0.00316228, 0.01, 0.0316228, 0.1, 0.316228, 1.0)
    assert parse_lrs("0.01,0.001") == (0.001, 0.01)
    assert parse_lrs("0.5:0.5:1") == (0.5,)
    for bad in ("1e-4:0:9", "1:1e-4:3", "1e-4:1:0", "1e-4:1", "a,b", "-0.1,0.1", "0.1,0.1", "nan", "1e-4:1:2.5",
                "0.1,0.1000000001", "1e-4:1:1",       # one run folder per lr: distinct to 6 digits; N = 1 needs LO = HI
                "1e-4:1:1001", ",".join(str(i + 1) for i in range(1001))):      # at most 1000 lrs, not a typo's 10⁵
        with pytest.raises(ConfigError) as e:
            parse_lrs(bad)
        assert "\n" not in str(e.value) and "learning" in str(e.value)


@pytest.mark.parametrize("kw, match", [
    (dict(optimizers=("adamw",)), "unknown optimizer: 'adamw'"),
    (dict(lrs=(-0.1,)), "invalid learning rate"),
    (dict(seeds=(0, 0)), "invalid seeds"),
    (dict(seeds=(-1,)), "invalid seeds"),
    (dict(seeds=(0, 1000)), re.escape("the default test seeds (1000 on) [1000, 1001] overlap the tuning seeds "
                                      "[0, 1000] (accepted: disjoint seeds, e.g. --test-seeds 1002-1003")),
    (dict(activation=("relu", "relu")), re.escape("invalid activation axis: 'relu,relu' (accepted: distinct values")),
    (dict(optimizers=("",)), re.escape("no optimizers given: '' (accepted: some of")),
    (dict(targets=(1.5,)), "invalid targets"),
    (dict(targets=[]), re.escape("invalid targets: none given (accepted: at least one accuracy in (0, 1]")),  # was ''
    (dict(activation=("tanh",)), "unknown activation"),
    (dict(chunks=0), "invalid chunks"),
    (dict(optimizers=("sgd",), lrs=(0.010000001, 0.5)), "sgd's default 0.01 to 6 significant digits"),
])
def test_bad_specs_raise_one_line_config_errors(kw, match):
    with pytest.raises(ConfigError, match=match) as e:
        SweepSpec(**kw)
    assert "\n" not in str(e.value)


def test_one_value_has_no_interval():
    m, lo, hi = sweep_mod.mean_interval([0.8])
    assert m == 0.8 and np.isnan(lo) and np.isnan(hi)
    m, lo, hi = sweep_mod.mean_interval([0.7, 0.9, None, float("nan")])
    assert m == pytest.approx(0.8) and (lo, hi) == (0.0, 1.0)          # ±12.7 sd with 2 values: clipped
    m, lo, hi = sweep_mod.mean_interval([0.75, 0.8, 0.85])
    assert m == pytest.approx(0.8) and 0.6 < lo < 0.75 and 0.85 < hi < 1
    one = {"defaults_vs_tuned": {"Adam": {"default_lr": 0.01, "default_test_acc": 0.8, "default_lo": None,
                                          "default_hi": None, "default_not_ok": 0, "tuned_lr": 0.01,
                                          "tuned_val_acc": 0.81, "at_grid_edge": False, "tuned_test_acc": 0.8,
                                          "tuned_lo": None, "tuned_hi": None, "tuned_not_ok": 0, "gain": 0.0}}}
    line = defaults_table(one).splitlines()[-1]
    assert "0.8000" in line and "[" not in line          # no zero-width interval from one seed


def test_the_gain_column_has_its_paired_interval():
    """A methodology review: the console and report tables showed the gain (tuned − note lr) bare beside the two
    columns' own intervals, which overlap for a gain every fresh seed agrees on (both lrs train on the same seeds,
    whose luck cancels in the difference). The gain's column has the paired 95 % interval, from 3 seeds on."""
    from scipy import stats

    tuned, note = [0.83, 0.75, 0.88], [0.80, 0.73, 0.84]         # seeds far apart, the gain steady
    d = dvt_entry(tuned, note, default=(0.6, 0.97), tuned_ci=(0.64, 1.0), tuned_val_acc=0.85)
    diff = np.subtract(tuned, note)
    half = stats.t.ppf(0.975, 2) * diff.std(ddof=1) / np.sqrt(3)
    gain, lo, hi = sweep_mod.shown_gain(d)
    assert (lo, hi) == pytest.approx((diff.mean() - half, diff.mean() + half)) and lo > 0    # settled, paired
    line = defaults_table({"defaults_vs_tuned": {"Adam": d}}).splitlines()
    assert "gain [paired 95% CI]" in line[0]
    assert line[2].endswith(f"+0.0300 [{lo:+.4f}, {hi:+.4f}]")
    assert line[3].startswith("(an interval ending at 0.0000 or 1.0000")        # the tuned interval's 1.0 is cut
    two = {**d, "tuned_test_by_seed": {"1000": 0.83, "1001": 0.75}, "default_test_by_seed": {"1000": 0.8, "1001": 0.73}}
    assert sweep_mod.shown_gain(two)[1:] == (None, None) and sweep_mod.gain_text(two) == "+0.0300"   # too few seeds
    assert sweep_mod.gain_text({**d, "gain": None}) == "—"
    # every fresh run at both lrs diverged or failed: two sets of zeros, no gain (it was +0.0000 [-0.0028, +0.0028])
    zeros = {"1000": 0.0, "1001": 0.0, "1002": 0.0}
    lost = {**d, "gain": 0.0, "tuned_not_ok": 3, "default_not_ok": 3, "tuned_test_by_seed": zeros,
            "default_test_by_seed": zeros}
    assert sweep_mod.gain_text(lost, 1 / 359) == "—" and sweep_mod.shown_gain(lost) == (None, None, None)
    assert sweep_mod.gain_text({**lost, "default_not_ok": 2}, 1 / 359).startswith("+0.0000 [")   # one lr learned
    # the tuned lr is the note's: the same runs, a gain of 0 by construction, not a measured 0 ± 0
    same = {**d, "tuned_lr": 0.01, "gain": 0.0, "tuned_test_by_seed": d["default_test_by_seed"]}
    assert sweep_mod.gain_text(same) == "+0.0000"
    # a seed without a value on one side: the paired interval would not be around the gain shown
    missing = {**d, "tuned_test_by_seed": {**d["tuned_test_by_seed"], "1003": None},
               "default_test_by_seed": {**d["default_test_by_seed"], "1003": 0.8}}
    assert sweep_mod.shown_gain(missing)[1:] == (None, None)
    # the report's table and the Japanese console say it (the console's header shorter, its title saying what the
    # difference is, so that the table fits a terminal)
    from optimlab.viz.report_sweep import defaults_table_html

    html = defaults_table_html({"defaults_vs_tuned": {"Adam": d}, "sensitivity": {"Adam": {"optimizer": "adam"}}},
                               set(), "ja")
    assert "差（調整後 − ノート、対応のある 95% 信頼区間）" in html and f"+0.0300 [{lo:+.4f}, {hi:+.4f}]" in html
    assert defaults_table({"defaults_vs_tuned": {"Adam": d}}, "ja").splitlines()[0].endswith("差 [対応あり 95% 信頼区間]")


def test_a_gains_interval_cut_at_minus_one_is_said_to_be_cut():
    """A researcher's review: the console printed a gain as -0.4438 [-1.0000, +0.8116] while its note on cut
    intervals spoke of ends at 0 and 1 only; summary.json's gain_lo was -1.0 where the t-interval reached -1.70."""
    tuned, note = [0.10, 0.94, 0.10], [0.80, 0.83, 0.84]           # two fresh seeds collapsed, one did not
    d = dvt_entry(tuned, note, default=(0.78, 0.86), tuned_ci=(0.2, 0.6), tuned_val_acc=0.93)
    assert sweep_mod.shown_gain(d)[1] == -1.0
    lines = defaults_table({"defaults_vs_tuned": {"Adam": d}}).splitlines()
    assert "[-1.0000, " in lines[2]
    assert lines[3].startswith("(an interval ending at 0.0000 or 1.0000, or a gain's at -1.0000 or +1.0000, reached")
    assert "差の -1.0000 や +1.0000 で終わる区間" in defaults_table({"defaults_vs_tuned": {"Adam": d}}, "ja")
    steady = {**d, "tuned_test_by_seed": {"1000": 0.82, "1001": 0.85, "1002": 0.86}, "gain": 0.02}
    assert len(defaults_table({"defaults_vs_tuned": {"Adam": steady}}).splitlines()) == 3       # nothing cut


def test_a_killed_writes_leftovers_go_when_the_sweep_folder_is_next_locked(tmp_path, reference):
    """A review: a sweep SIGKILLed mid-write left `.sensitivity.png.optimlab-dzmqt0ur.tmp` in its folder, and neither
    the resumed sweep nor `optimlab report` ever removed it. The next sweep or report removes a write's temporaries
    (in the folder and its run folders) and a replaced file's second name where the file is back; a file's only copy
    (its second name without it) is kept."""
    out = tmp_path / "s"
    shutil.copytree(reference.directory, out)
    run_dir = next(p for p in out.iterdir() if p.is_dir())
    left = [out / ".sensitivity.png.optimlab-dzmqt0ur.tmp", run_dir / ".metrics.csv.optimlab-abcd1234.tmp",
            out / ".summary.json.optimlab-0123abcd.old"]
    only_copy = out / ".report.html.optimlab-89abcdef.old"          # its file is not there: kept
    # not the sweep's own files (a code review): a page `report --out SWEEP/x.html` may be writing (it takes no
    # sweep lock), a folder of the user's, a link to a folder elsewhere
    elsewhere, notes = tmp_path / "elsewhere", out / "notes"
    elsewhere.mkdir()
    notes.mkdir()
    (out / "tune-linked").symlink_to(elsewhere)
    others = [out / ".x.html.optimlab-abcd1234.tmp", out / ".my.notes", notes / ".metrics.csv.optimlab-abcd1234.tmp",
              elsewhere / ".metrics.csv.optimlab-abcd1234.tmp"]
    for f in [*left, only_copy, *others]:
        f.write_text("x")
    r = run_sweep(SPEC, SerialExecutor(), out=out)
    assert not r.trained
    assert not any(f.exists() for f in left) and only_copy.exists() and all(f.exists() for f in others)


def test_a_recipe_of_the_other_command_is_named_as_such(tmp_path, reference, capsys):
    """A review: `compare --recipe s/sweep.toml` said "unknown key 'lrs'", and `sweep --recipe r/recipe.toml` said
    "unknown key 'optimizer_code' … did you mean 'optimizers'?": neither said the file is the other command's."""
    from optimlab.api import compare
    from optimlab.cli import main

    run = tmp_path / "r"
    compare(dataset="digits", iters=5, optimizers="sgd", out=run, plots=False, report=False, progress=False)
    sweep_toml = reference.directory / "sweep.toml"
    assert main(["compare", "--recipe", str(sweep_toml), "--out", str(tmp_path / "c")]) == 2
    err = capsys.readouterr().err
    assert f"{sweep_toml} is a sweep recipe, not one of optimlab compare (accepted: optimlab sweep --recipe" in err
    assert main(["sweep", "--recipe", str(run / "recipe.toml"), "--out", str(tmp_path / "s")]) == 2
    err = capsys.readouterr().err
    assert f"{run / 'recipe.toml'} is a recipe of optimlab compare, not a sweep recipe (accepted: optimlab compare" in err
    assert main(["compare", "--recipe", str(sweep_toml), "--out", str(tmp_path / "c"), "--lang", "ja"]) == 2
    assert capsys.readouterr().err.startswith(f"optimlab: エラー：{sweep_toml} はスイープのレシピで、compare のレシピでは"
                                              f"ありません（optimlab sweep --recipe {sweep_toml} で使います。")
    assert not (tmp_path / "c").exists() and not (tmp_path / "s").exists()
    # from Python, with no file to name: the functions to use (a code review: "optimlab sweep --recipe recipe")
    from optimlab.experiment.recipe import parse_recipe

    with pytest.raises(ConfigError, match=r"^recipe is a sweep recipe, .*\(accepted: parse_sweep_spec and run_sweep;"):
        parse_recipe({"lrs": [0.1]})
    with pytest.raises(ConfigError, match=r"^sweep recipe is a recipe of optimlab compare, .*\(accepted: parse_recipe "
                                          r"and compare;"):
        sweep_mod.parse_sweep_spec({"runs": [{"optimizer": "sgd"}]})


def test_a_validation_split_that_leaves_less_than_a_batch_names_the_split(tmp_path, capsys):
    """A review: --val-fraction 0.999 was refused as "invalid batch_size: 100 exceeds the 1 training examples of
    digits after the validation split (accepted: 1 to 1)": the batch was the note's; the fraction was the mistake."""
    from optimlab.cli import main

    args = ["sweep", "--dataset", "digits", "--lrs", "0.01", "--seeds", "1", "--iters", "10", "--out", str(tmp_path / "s")]
    assert main([*args, "--val-fraction", "0.999"]) == 2
    assert capsys.readouterr().err == ("optimlab: error: invalid val_fraction: 0.999 leaves 1 of the 1,438 training "
                                       "examples of digits to train on, fewer than a batch of 100 (accepted: a smaller "
                                       "--val-fraction, or a smaller --batch-size)\n")
    assert main([*args, "--val-fraction", "0.999", "--lang", "ja"]) == 2
    assert capsys.readouterr().err.splitlines()[0] == (
        "optimlab: エラー：--val-fraction 0.999 では digits の訓練データ 1,438 枚のうち学習に使えるのが 1 枚だけで、"
        "バッチサイズ 100 に足りません（--val-fraction か --batch-size を小さくしてください）")
    assert main([*args, "--batch-size", "5000"]) == 2          # a batch larger than all the data: the batch's error
    assert "invalid batch_size: 5000 exceeds" in capsys.readouterr().err
    assert not (tmp_path / "s").exists()


def test_a_sweeps_equal_accuracies_keep_an_interval_unless_every_run_diverged():
    """A code review: compare's seed statistics took one test example's spread as the least, the sweep's intervals
    did not: three fresh seeds with one accuracy had a 0-wide interval. Runs that all diverged (0 by convention)
    measured nothing and keep none."""
    m, lo, hi = sweep_mod.mean_interval([0.9, 0.9, 0.9], 1 / 1000)
    assert m == 0.9 and lo < 0.9 < hi and hi - 0.9 == pytest.approx(4.303 * (1e-3 / 12 ** 0.5) / 3 ** 0.5, rel=1e-3)
    assert sweep_mod.mean_interval([0.0, 0.0, 0.0], 1 / 1000, measured=False) == (0.0, 0.0, 0.0)
    assert sweep_mod.mean_interval([0.9, 0.9, 0.9]) == (0.9, 0.9, 0.9)          # no step known: no spread


def test_shipped_recipe_is_the_requested_default_and_round_trips(tmp_path):
    spec = default_sweep_spec()
    assert spec.optimizers == tuple(OPTIMIZERS) and len(spec.lrs) == 9 and spec.lrs[0] == 1e-4 and spec.lrs[-1] == 1
    assert spec.seeds == (0, 1, 2) and spec.test_seeds == (1000, 1001, 1002)
    assert (spec.train.iters, spec.train.eval_interval, spec.net) == (1000, 100, NetConfig())
    (tmp_path / "s.toml").write_text(spec.to_toml())
    assert load_sweep_spec(tmp_path / "s.toml") == spec
    grid = replace(spec, batchnorm=(False, True), activation=("sigmoid", "relu"))
    assert len(grid.variants()) == 4
    (tmp_path / "g.toml").write_text(grid.to_toml())
    assert load_sweep_spec(tmp_path / "g.toml") == grid



def test_an_unknown_optimizer_in_a_sweep_file_names_the_file(tmp_path):
    """A sweep folder's sweep.toml naming a plugin's optimizer, uninstalled since, said "unknown optimizer: 'nesterov'"
    without saying where it came from."""
    (tmp_path / "s.toml").write_text('optimizers = ["sgd", "nesterov"]\n')
    with pytest.raises(ConfigError, match=rf"^{re.escape(str(tmp_path / 's.toml'))}: unknown optimizer: 'nesterov' "
                                          r"\(accepted: sgd, momentum"):
        load_sweep_spec(tmp_path / "s.toml")


# -- the protocol ----------------------------------------------------------------------------------------------

def test_tuned_lr_is_the_best_mean_validation_accuracy_and_tested_on_fresh_seeds(reference):
    rows, s = reference.table, reference.summary
    tune = [r for r in rows if r["stage"] == "tune"]
    test = [r for r in rows if r["stage"] == "test"]
    assert len(tune) == 5 * 4 * 2 and {r["seed"] for r in tune} == {0, 1}
    assert {r["seed"] for r in test} == {1000, 1001}                  # fresh seeds only
    assert all(r["final_test_acc"] is None or np.isnan(r["final_test_acc"]) for r in tune)   # never saw the test set
    assert all(0 <= r["final_test_acc"] <= 1 for r in test)
    for o in SPEC.optimizers:
        means = {lr: np.mean([r["final_val_acc"] for r in tune if r["optimizer"] == o and r["lr"] == lr])
                 for lr in SPEC.lrs}
        label = OPTIMIZERS[o].__name__
        assert s["tuned"][label] == max(means, key=lambda lr: (means[lr], -lr))
        tested = {r["lr"] for r in test if r["optimizer"] == o}
        assert tested == {s["tuned"][label], OPTIMIZERS[o]().lr}     # tuned, and the note's default
        d = s["defaults_vs_tuned"][label]
        at = [r["final_test_acc"] for r in test if r["optimizer"] == o and r["lr"] == d["tuned_lr"]]
        assert d["tuned_test_acc"] == pytest.approx(np.mean(at), abs=1e-6) and d["n_test_seeds"] == 2
        by_seed = {str(r["seed"]): r["final_test_acc"] for r in test if r["optimizer"] == o and r["lr"] == d["tuned_lr"]}
        assert d["tuned_test_by_seed"] == pytest.approx(by_seed, abs=1e-6)     # to pair optimizers seed by seed
    assert s["kind"] == "sweep" and s["dataset"]["n_val"] == 144 and s["n_trained"] == len(rows)
    sens = s["sensitivity"]["Adam"]
    assert len(sens["mean"]) == len(sens["lo"]) == len(sens["hi"]) == 4
    assert all(lo <= m <= hi for m, lo, hi in zip(sens["mean"], sens["lo"], sens["hi"]))
    assert "Adam" in defaults_table(s) and "iters to 0.3" in time_to_target_table(s)


def test_test_accuracy_never_drives_the_choice(tmp_path, monkeypatch, reference):
    """Scrambling every test accuracy leaves each tuned lr as it was."""
    real = sweep_mod.table_row

    def scrambled(key, h, targets, *rest):
        row = real(key, h, targets, *rest)
        row["final_test_acc"] = float(np.random.default_rng(abs(hash(key.run_id)) % 2**32).random())
        return row

    monkeypatch.setattr(sweep_mod, "table_row", scrambled)
    shutil.copytree(reference.directory, tmp_path / "copy")
    again = run_sweep(SPEC, SerialExecutor(), out=tmp_path / "copy")       # all runs on disk: nothing trains
    assert again.trained == [] and again.summary["tuned"] == reference.summary["tuned"]


def test_sweep_toml_and_workers_use_the_dataset_auto_chose(tmp_path, monkeypatch):
    """'auto' may fall back to a bundled dataset: sweep.toml names it (without the data_dir it takes none of), and
    the tasks load it by that name, so every worker trains on the data the summary names."""
    import optimlab.data as data_pkg

    real, calls = data_pkg.load_dataset, []

    def fake(name="auto", data_dir=None, **kw):     # auto falls back; named datasets load for real
        calls.append((name, data_dir))
        return real("digits") if name == "auto" else real(name, data_dir, **kw)

    class Recording(SerialExecutor):        # what a worker is told to load
        def submit(self, fn, task, **kw):
            tasks.append((task.dataset, task.data_dir))
            return super().submit(fn, task, **kw)

    tasks = []
    monkeypatch.setattr(data_pkg, "load_dataset", fake)
    monkeypatch.setattr(sweep_mod, "_DATA_CACHE", {})
    spec = replace(SPEC, dataset="auto", data_dir=str(tmp_path), optimizers=("sgd",), lrs=(0.1,), seeds=(0,),
                   train=TrainConfig(iters=20, eval_interval=10))
    result = run_sweep(spec, Recording(), out=tmp_path / "s")
    toml = (tmp_path / "s" / "sweep.toml").read_text()
    assert 'dataset = "digits"' in toml and "data_dir" not in toml and "auto" not in toml
    assert result.summary["dataset"]["name"] == "digits" and all(r["status"] == "ok" for r in result.table)
    assert calls[0] == ("auto", str(tmp_path))
    assert tasks and set(tasks) == {("digits", None)}


def test_run_directory_layout(reference):
    d = reference.directory
    assert json.loads((d / "summary.json").read_text())["kind"] == "sweep"
    assert (d / "sweep.toml").is_file() and (d / "table.csv").is_file()
    run = d / reference.table[0]["run_id"]
    assert {p.name for p in run.iterdir()} == {"config.json", "metrics.csv", "status.json"}
    cfg = json.loads((run / "config.json").read_text())
    assert cfg["dataset"]["name"] == "digits" and cfg["split"]["n_val"] == 144 and cfg["stage"] == "tune"
    head = (d / "table.csv").read_text().splitlines()[0].split(",")
    for col in ("run_id", "stage", "optimizer", "lr", "seed", "batchnorm", "activation", "init", "status", "error",
                "final_val_acc", "best_val_acc", "final_test_acc", "iters_to_0.3", "iters_to_0.9", "wall_seconds"):
        assert col in head


def test_parquet_table_matches_csv_when_pyarrow_is_installed(reference):
    pq = pytest.importorskip("pyarrow.parquet")
    t = pq.read_table(reference.directory / "table.parquet").to_pylist()
    assert [r["run_id"] for r in t] == [r["run_id"] for r in reference.table]
    assert [r["final_val_acc"] for r in t] == [r["final_val_acc"] for r in reference.table]


def test_diverging_lr_is_recorded_and_others_go_on(tmp_path):
    spec = SweepSpec(name="div", dataset="digits", optimizers=("sgd",), lrs=(0.1, 1e10), seeds=(0,),
                     activation=("relu",), init=("he",), train=TrainConfig(iters=100, eval_interval=50))
    r = run_sweep(spec, SerialExecutor(), out=tmp_path)
    by_lr = {row["lr"]: row for row in r.table if row["stage"] == "tune"}
    assert by_lr[1e10]["status"] == "diverged" and by_lr[1e10]["diverged_at"] is not None
    assert by_lr[0.1]["status"] == "ok" and by_lr[0.1]["final_val_acc"] > 0.5
    assert r.summary["tuned"]["SGD"] == 0.1                  # a diverged lr scores 0
    assert json.loads((tmp_path / by_lr[1e10]["run_id"] / "status.json").read_text())["status"] == "diverged"
    again = run_sweep(spec, SerialExecutor(), out=tmp_path)  # diverged is a finished run: not redone
    assert again.trained == []


def test_a_failing_task_is_recorded_as_failed(tmp_path, monkeypatch):
    def boom(task):
        raise RuntimeError("worker exploded")

    monkeypatch.setattr(sweep_mod, "train_task", boom)
    spec = replace(SPEC, optimizers=("sgd",), lrs=(0.1,), seeds=(0,))
    with pytest.raises(TuningFailed) as e:          # no lr is chosen from failed tuning runs (a robustness review:
        run_sweep(spec, SerialExecutor(), out=tmp_path)     # they scored 0, and the grid's smallest lr won)
    assert str(e.value).startswith("1 tuning run failed (tune-sgd-lr0.1-s0: RuntimeError: worker exploded); no "
                                   "learning rate is chosen from failed runs, so the fresh-seed runs of SGD were not "
                                   "trained")
    assert str(e.value).endswith("(accepted: the same command trains the failed ones again and goes on)")
    status = json.loads((tmp_path / "tune-sgd-lr0.1-s0" / "status.json").read_text())
    assert status["status"] == "failed" and "worker exploded" in status["error"]
    assert not any(p.name.startswith("test-") for p in tmp_path.iterdir()) and not (tmp_path / "summary.json").exists()
    monkeypatch.undo()                              # the same command again: trains the failed run, and goes on
    r = run_sweep(spec, SerialExecutor(), out=tmp_path)
    assert {row["status"] for row in r.table} == {"ok"} and r.summary["tuned"]["SGD"] == 0.1


def test_only_the_optimizer_whose_tuning_failed_is_left_untuned(tmp_path, monkeypatch):
    """A code review: one optimizer's failed tuning run stopped every optimizer's fresh-seed stage on that network.
    The others are chosen and trained; the error names the one left."""
    real = sweep_mod.train_task

    def adam_fails(task):
        if any(o == "adam" for _, o, _ in task.runs) and not task.test_set:
            raise RuntimeError("worker exploded")
        return real(task)

    monkeypatch.setattr(sweep_mod, "train_task", adam_fails)
    spec = replace(SPEC, optimizers=("sgd", "adam"), lrs=(0.01, 0.1), seeds=(0,), chunks=2)
    with pytest.raises(TuningFailed, match=r"^2 tuning runs failed \(tune-adam-lr0.01-s0: RuntimeError: worker "
                                           r"exploded\); .* so the fresh-seed runs of Adam were not trained"):
        run_sweep(spec, SerialExecutor(), out=tmp_path)
    fresh = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("test-"))
    assert fresh and all(name.startswith("test-sgd-") for name in fresh)
    monkeypatch.undo()
    r = run_sweep(spec, SerialExecutor(), out=tmp_path)             # the same command: Adam tuned, SGD kept
    assert {row["status"] for row in r.table} == {"ok"} and set(r.skipped) >= set(fresh)


def failing_fresh_seed_tasks(error: Exception):
    """The sweep's train_task, but raising ``error`` in its fresh-seed tasks."""
    real = sweep_mod.train_task

    def train_task(task):
        if task.test_set:
            raise error
        return real(task)
    return train_task


def test_failed_fresh_seed_runs_are_recorded_and_the_sweep_ends(tmp_path, monkeypatch):
    """Only tuning failures stop a sweep: a failed fresh-seed run is recorded as failed in the table and summary."""
    monkeypatch.setattr(sweep_mod, "train_task", failing_fresh_seed_tasks(RuntimeError("worker exploded")))
    r = run_sweep(replace(SPEC, optimizers=("sgd",), lrs=(0.1,), seeds=(0,)), SerialExecutor(), out=tmp_path)
    assert {row["stage"]: row["status"] for row in r.table} == {"tune": "ok", "test": "failed"}


def test_the_sweep_command_exits_1_when_runs_failed(tmp_path, monkeypatch, capsys):
    from optimlab.cli import main

    def boom(task):
        raise RuntimeError("worker exploded")

    monkeypatch.setattr(sweep_mod, "train_task", boom)
    rc = main(["sweep", "--dataset", "digits", "--optimizers", "sgd", "--lrs", "0.1", "--seeds", "1", "--iters", "5",
               "--jobs", "0", "--no-plots", "--no-report", "--no-progress", "--out", str(tmp_path / "s")])
    err = capsys.readouterr().err.strip().splitlines()
    assert rc == 1 and err[-1].startswith("optimlab: error: 1 tuning run failed (tune-sgd-lr0.1-s0: RuntimeError: "
                                          "worker exploded)"), err
    assert "the same command trains the failed ones again" in err[-1]


def test_the_worker_death_note_names_the_runs_whose_retries_ran_out(tmp_path, monkeypatch, capsys):
    """The note said every run of a dead worker's tasks was "trained again" when some had failed, their retries
    spent (a robustness review)."""
    from concurrent.futures.process import BrokenProcessPool

    from optimlab.cli import main
    from optimlab.experiment import executors

    class Restarted(SerialExecutor):
        def describe(self):
            return {**super().describe(), "pool_restarts": 3}

    monkeypatch.setattr(sweep_mod, "train_task", failing_fresh_seed_tasks(
        BrokenProcessPool("A process in the process pool was terminated abruptly")))
    monkeypatch.setattr(executors, "make_executor", lambda **kw: Restarted())
    assert main(["sweep", "--dataset", "digits", "--optimizers", "sgd,adam", "--lrs", "0.1", "--seeds", "1",
                 "--test-seeds", "7,8", "--iters", "5", "--no-progress", "--no-plots", "--no-report",
                 "--out", str(tmp_path / "s")]) == 1
    fresh = sum(1 for p in (tmp_path / "s").iterdir() if p.name.startswith("test-"))
    assert fresh == 8                               # the note's lr 0.01 and the tuned 0.1, 2 optimizers, 2 seeds
    assert ("optimlab: note: a worker process died 3 times during the sweep; the runs of its tasks were trained again "
            "in a new one, but for 8 whose retries ran out (failed)") in capsys.readouterr().err


class _LosingItsScheduler(SerialExecutor):
    """Runs ``n`` tasks, then every future is cancelled, as Dask cancels them all when the client loses its
    scheduler (``FutureCancelledError: … scheduler-connection-lost``)."""

    def __init__(self, n):
        self.n = n

    def submit(self, fn, *args, retries=0):
        import concurrent.futures as cf

        deferred = super().submit(fn, *args, retries=retries)
        if self.n > 0:
            self.n -= 1
        else:
            deferred._future = cf.Future()
            deferred._future.cancel()
        return deferred


def test_a_lost_scheduler_stops_the_sweep_and_records_no_run(tmp_path, monkeypatch, capsys, reference):
    """Killing the Dask scheduler recorded every pending run as failed, chose learning rates from that gap, ran the
    fresh-seed stage (failed too) and ended in a traceback. Now the sweep stops with one line and exit 1, the runs
    that finished are kept and nothing else is written; the same command then trains the rest."""
    from optimlab.cli import main
    from optimlab.experiment import executors

    with pytest.raises(executors.ExecutorLost, match=r"^lost the executor \(CancelledError: cancelled\); the "
                                                     r"completed runs are kept"):
        run_sweep(SPEC, _LosingItsScheduler(2), out=tmp_path / "a")
    statuses = [json.loads(p.read_text())["status"] for p in (tmp_path / "a").glob("*/status.json")]
    assert statuses and set(statuses) == {"ok"} and not (tmp_path / "a" / "summary.json").exists()
    r = run_sweep(SPEC, SerialExecutor(), out=tmp_path / "a")
    assert len(r.skipped) == len(statuses)
    assert table(tmp_path / "a" / "table.csv") == table(reference.directory / "table.csv")
    monkeypatch.setattr(executors, "make_executor", lambda **kw: _LosingItsScheduler(1))
    rc = main(["sweep", "--dataset", "digits", "--optimizers", "sgd", "--lrs", "0.1,0.01", "--seeds", "1",
               "--iters", "5", "--no-plots", "--no-report", "--no-progress", "--out", str(tmp_path / "b")])
    err = capsys.readouterr().err.strip().splitlines()
    assert rc == 1 and err[-1].startswith("optimlab: error: lost the executor") and "Traceback" not in "".join(err)


@pytest.mark.parametrize("option,value,needle", [
    ("--lrs", "0.1,,0.2", "invalid learning-rate grid: '0.1,,0.2'"),
    ("--lrs", ",0.1", "invalid learning-rate grid: ',0.1'"),
    ("--seeds", "0,1,", "invalid seeds: '0,1,'"),
    ("--targets", "0.8,,0.9", "invalid targets: '0.8,,0.9'"),
    ("--init", "0.01,,he", "invalid --init: '0.01,,he' has an empty item"),
    ("--activation", "sigmoid,", "invalid --activation: 'sigmoid,' has an empty item"),
])
def test_an_empty_item_in_a_list_is_an_error_not_left_out(tmp_path, capsys, option, value, needle):
    """'0,,3' meant for 0,1,3 ran a smaller sweep without a word; --optimizers already said so."""
    from optimlab.cli import main

    out = tmp_path / "runs"
    rc = main(["sweep", "--dataset", "digits", "--iters", "2", option, value, "--out", str(out)])
    err = capsys.readouterr().err.strip().splitlines()
    assert rc == 2 and len(err) == 1 and needle in err[0], err
    assert not out.exists()


def test_a_changed_setting_is_refused_before_any_executor_starts(tmp_path, capsys):
    """The refusal came after a Dask cluster had started (or, with an unreachable --cluster, 'cannot reach' came
    instead of it)."""
    from optimlab.cli import main

    common = ["sweep", "--dataset", "digits", "--optimizers", "sgd", "--lrs", "0.1", "--seeds", "1",
              "--test-seeds", "1000-1000", "--no-plots", "--no-report", "--no-progress", "--out", str(tmp_path / "s")]
    assert main([*common, "--iters", "5", "--jobs", "0"]) == 0
    capsys.readouterr()
    assert main([*common, "--iters", "6", "--cluster", "tcp://127.0.0.1:9"]) == 2
    err = capsys.readouterr().err
    assert "holds runs trained with other settings" in err and "train.iters: 5 there, 6 now" in err
    assert "executor" not in err and "reach" not in err


# -- resume -----------------------------------------------------------------------------------------------------

class _Counting:
    """Wraps train_task (in-process executors only) and records each run id it trains."""

    def __init__(self):
        self.runs = []

    def __call__(self, task):
        self.runs += [rid for rid, _, _ in task.runs]
        return sweep_mod.__dict__["_real_train_task"](task)


@pytest.fixture
def counting(monkeypatch):
    monkeypatch.setitem(sweep_mod.__dict__, "_real_train_task", sweep_mod.train_task)
    c = _Counting()
    monkeypatch.setattr(sweep_mod, "train_task", c)
    return c


class _Interrupting(SerialExecutor):
    """Stops (as Ctrl-C would) after ``n`` tasks have finished."""

    def __init__(self, n):
        self.n = n

    def as_completed(self, futures):
        for f in futures:
            if self.n == 0:
                raise KeyboardInterrupt
            self.n -= 1
            yield from super().as_completed([f])


def test_interrupted_sweep_resumes_without_training_anything_twice(tmp_path, counting, reference):
    with pytest.raises(KeyboardInterrupt):
        run_sweep(SPEC, _Interrupting(1), out=tmp_path)
    first = list(counting.runs)
    assert 0 < len(first) < len(reference.table)
    assert not (tmp_path / "table.csv").exists()
    r = run_sweep(SPEC, SerialExecutor(), out=tmp_path)
    assert len(counting.runs) == len(set(counting.runs)) == len(reference.table)   # each run trained once
    assert sorted(r.skipped) == sorted(first) and len(r.trained) == len(reference.table) - len(first)
    assert table(tmp_path / "table.csv") == table(reference.directory / "table.csv")


def test_a_run_without_status_json_is_redone_and_only_it(tmp_path, counting, reference):
    run_sweep(SPEC, SerialExecutor(), out=tmp_path)
    counting.runs.clear()
    gone = [r["run_id"] for r in reference.table[3:6]] + [reference.table[-1]["run_id"]]
    for rid in gone:
        (tmp_path / rid / "status.json").unlink()
    damaged = reference.table[7]["run_id"]
    (tmp_path / damaged / "metrics.csv").write_text("garbage")      # its curves do not read back: redone too
    # files that still read back but are not what status.json was written for: redone as well (they counted as
    # complete, and a curve cut at a line end gave a run with no final accuracy in the table)
    cut, edited, garbled = (reference.table[i]["run_id"] for i in (8, 9, 10))
    text = (tmp_path / cut / "metrics.csv").read_text()
    (tmp_path / cut / "metrics.csv").write_text(text[:text.index("\n", 200) + 1])
    cfg = (tmp_path / edited / "config.json").read_text()
    (tmp_path / edited / "config.json").write_text(cfg.replace('"seed": ', '"seed": 7', 1))
    (tmp_path / garbled / "config.json").write_bytes(b"\xff\xfe")
    redone = gone + [damaged, cut, edited, garbled]
    r = run_sweep(SPEC, SerialExecutor(), out=tmp_path)
    assert sorted(counting.runs) == sorted(redone) and sorted(r.trained) == sorted(redone)
    assert table(tmp_path / "table.csv") == table(reference.directory / "table.csv")


def test_a_folder_trained_with_other_settings_is_refused_and_kept(tmp_path, counting):
    """Rerunning with another protocol, preset or dataset would silently replace the earlier results (and leave
    stale runs beside them): refused before anything is written. More lrs, seeds or optimizers extend it."""
    spec = replace(SPEC, optimizers=("adam",), lrs=(0.01,), seeds=(0,))
    run_sweep(spec, SerialExecutor(), out=tmp_path)
    before = {p.relative_to(tmp_path): p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    counting.runs.clear()
    for changed, diff in [(dict(train=TrainConfig(iters=100, eval_interval=50)), "train.iters: 150 there, 100 now"),
                          (dict(preset="torch"), "preset: 'note' there, 'torch' now"),
                          (dict(dataset="mnist-5k"), "dataset.name: 'digits' there, 'mnist-5k' now"),
                          (dict(net=NetConfig(hidden=(30, 20))), "net.hidden: [40, 20] there, [30, 20] now"),
                          (dict(net=NetConfig(freeze_bn_affine=True)),
                           "net.freeze_bn_affine: False there, True now")]:
        with pytest.raises(ConfigError) as e:
            run_sweep(replace(spec, **changed), SerialExecutor(), out=tmp_path)
        assert str(e.value).startswith(f"{tmp_path} holds runs trained with other settings (") and diff in str(e.value)
        assert "a new --out" in str(e.value) and "\n" not in str(e.value)
    assert counting.runs == []
    assert {p.relative_to(tmp_path): p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before
    r = run_sweep(replace(spec, lrs=(0.01, 0.1), seeds=(0, 1)), SerialExecutor(), out=tmp_path)   # extends it
    earlier = {str(p.parent) for p in before if p.name == "status.json"}
    assert set(r.skipped) == earlier and len(r.trained) == len(r.table) - len(earlier) > 0
    # another architecture-axis value makes other run ids: another batchnorm extends it under the same protocol,
    # but not with other iterations (the folder would mix runs of 150 and 100 iterations)
    bn = replace(spec, lrs=(0.01, 0.1), seeds=(0, 1), batchnorm=(False, True))     # the grid so far, and BN
    with pytest.raises(ConfigError, match=r"\(test-adam-lr0.01-s1000: train.iters: 150 there, 100 now\)"):
        run_sweep(replace(bn, train=TrainConfig(iters=100, eval_interval=50)), SerialExecutor(), out=tmp_path)
    assert not any(p.name.endswith("-bn") for p in tmp_path.iterdir())
    assert run_sweep(bn, SerialExecutor(), out=tmp_path).trained
    with pytest.raises(ConfigError, match=r"train.iters: 150 there, 100 now"):
        run_sweep(replace(spec, activation=("relu",), train=TrainConfig(iters=100, eval_interval=50)),
                  SerialExecutor(), out=tmp_path)


def test_a_smaller_grid_into_a_sweeps_folder_is_refused_and_the_table_kept(tmp_path):
    """A rerun with --optimizers adam (or fewer lrs, seeds, architectures) made table.csv and summary.json describe
    that part only — 2 rows of 81 — without a word, while the README says results are never silently replaced."""
    spec = replace(SPEC, optimizers=("sgd", "adam"), lrs=(0.01, 0.1), seeds=(0,))
    run_sweep(spec, SerialExecutor(), out=tmp_path)
    before = {p.relative_to(tmp_path): p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    for part, needle in [(dict(optimizers=("adam",)), "more optimizers (sgd is not in this one's)"),
                         (dict(lrs=(0.01,)), "more lrs (0.1 is not in this one's)"),
                         (dict(batchnorm=(True,)), "more architectures (batchnorm off, activation sigmoid, init 0.01 "
                                                   "is not in this one's)")]:
        with pytest.raises(ConfigError) as e:
            run_sweep(replace(spec, **part), SerialExecutor(), out=tmp_path)
        assert str(e.value).startswith(f"{tmp_path} holds a sweep over {needle}") and "a new --out" in str(e.value)
    assert {p.relative_to(tmp_path): p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before
    assert len(run_sweep(spec, SerialExecutor(), out=tmp_path).table) == len(table(tmp_path / "table.csv"))


def test_local_processes_and_chunking_give_the_same_table(tmp_path, reference):
    with LocalExecutor(2) as ex:
        r = run_sweep(replace(SPEC, chunks=3), ex, out=tmp_path)
        assert r.summary["executor"]["kind"] == "local" and r.summary["executor"]["chunks_per_cohort"] == 3
    assert table(tmp_path / "table.csv") == table(reference.directory / "table.csv")


def test_fresh_seed_runs_of_one_seed_train_as_one_task(tmp_path, monkeypatch):
    """Tuning cohorts are split into chunks for the workers; the test stage is not, so that every optimizer's
    seconds to target at a seed are shares of the same steps."""
    tasks = []
    real = sweep_mod.train_task

    def recording(task):
        tasks.append(task)
        return real(task)

    monkeypatch.setattr(sweep_mod, "train_task", recording)
    run_sweep(replace(SPEC, chunks=3), SerialExecutor(), out=tmp_path)
    tune = [t for t in tasks if not t.test_set]
    test = [t for t in tasks if t.test_set]
    assert len(tune) == 3 * len(SPEC.seeds)
    assert sorted(t.seed for t in test) == sorted(SPEC.test_seeds) and all(len(t.runs) > 3 for t in test)


def test_local_executor_resubmits_after_a_worker_is_killed():
    import os
    import signal
    import time
    from concurrent.futures.process import BrokenProcessPool

    with LocalExecutor(2) as ex:
        plain = ex.submit(time.sleep, 1.0)                    # running when the worker dies, no retries
        retried = [ex.submit(time.sleep, 1.0, retries=1) for _ in range(3)] + [ex.submit(pow, 2, 10, retries=1)]
        waiting = ex.submit(pow, 2, 3)                        # no retries either, but not started when it dies
        time.sleep(0.5)                                       # both workers are sleeping
        os.kill(next(iter(ex._pool._processes)), signal.SIGKILL)
        assert [f.result(timeout=60) for f in retried] == [None, None, None, 1024]
        with pytest.raises(BrokenProcessPool):                # no retries left: reported, not hung
            plain.result(timeout=60)
        assert waiting.result(timeout=60) == 8
        assert ex.restarts == 1
        assert ex.submit(pow, 3, 2).result(timeout=60) == 9   # and the pool works on


def test_closing_or_aborting_a_local_executor_ends_every_future_at_once():
    """A code review of the one-task-per-worker pool: close() with tasks running deadlocked (it held the executor's
    lock while the pool's thread needed it to hand over a result), so a failing test inside `with LocalExecutor()`
    hung; abort() waited its whole 5 s grace for the same reason; the waiting tasks it cancelled were never
    reported done, so as_completed waited for ever; and a task the pool could not take was lost."""
    import concurrent.futures as cf
    import threading
    import time

    ex = LocalExecutor(2)
    running = [ex.submit(time.sleep, 1.0) for _ in range(2)]
    waiting = [ex.submit(time.sleep, 1.0) for _ in range(2)]
    mine = ex.submit(time.sleep, 1.0)
    assert mine.cancel()                                    # still waiting: the caller may cancel it
    time.sleep(0.3)
    done = threading.Event()
    closer = threading.Thread(target=lambda: (ex.close(), done.set()), daemon=True)
    closer.start()
    assert done.wait(30), "close() hung"
    assert [f.result(timeout=5) for f in running] == [None, None]
    assert all(f.cancelled() for f in waiting + [mine])
    assert len(list(cf.as_completed(running + waiting + [mine], timeout=5))) == 5

    ex = LocalExecutor(2)
    running = [ex.submit(time.sleep, 30) for _ in range(2)]
    waiting = [ex.submit(time.sleep, 30) for _ in range(3)]
    end = time.monotonic() + 60
    while len(ex._pool._processes) < 2 and time.monotonic() < end:
        time.sleep(0.05)
    time.sleep(1.0)                                         # both workers inside their task
    t0 = time.monotonic()
    ex.abort()
    assert time.monotonic() - t0 < 4                        # the workers stop at SIGINT: no 5 s grace spent
    assert len(list(cf.as_completed(running + waiting, timeout=10))) == 5
    assert all(f.cancelled() for f in waiting) and not any(f.cancelled() for f in running)

    with LocalExecutor(1) as ex:
        real = ex._pool.submit

        def refused(*a, **k):
            raise OSError(24, "Too many open files")

        ex._pool.submit = refused
        lost = ex.submit(pow, 2, 3)
        with pytest.raises(OSError, match="Too many open files"):
            lost.result(timeout=5)
        ex._pool.submit = real
        assert ex.submit(pow, 2, 4).result(timeout=60) == 16    # its place was not kept


def test_a_workers_death_costs_a_retry_only_to_the_tasks_it_stopped():
    """A robustness review: every task was in the pool from the start, and a death failed them all as the pool broke,
    each losing a retry; three deaths (the OOM killer in a long sweep) failed 60 of a sweep's 90 runs, most of which
    had never started, and the lrs were then chosen from the failures. The pool now holds one task per worker: the
    two running at each of three deaths fail (their retries spent), the six waiting behind them are not touched."""
    import os
    import signal
    import time
    from concurrent.futures.process import BrokenProcessPool

    with LocalExecutor(2) as ex:
        running = [ex.submit(time.sleep, 30, retries=2) for _ in range(2)]
        waiting = [ex.submit(pow, 2, k, retries=2) for k in range(6)]
        for death in range(3):
            end = time.monotonic() + 60
            while len(ex._pool._processes) < 2 and time.monotonic() < end:
                time.sleep(0.05)
            time.sleep(0.5)                                   # the two sleepers sent to the fresh pool
            os.kill(next(iter(ex._pool._processes)), signal.SIGKILL)
            while ex.restarts == death and time.monotonic() < end:
                time.sleep(0.05)
        for f in running:
            with pytest.raises(BrokenProcessPool):
                f.result(timeout=60)
        assert [f.result(timeout=60) for f in waiting] == [1, 2, 4, 8, 16, 32]
        assert ex.restarts == 3


def test_local_workers_stop_when_the_sweep_is_killed():
    """SIGKILL of `optimlab sweep` (the OOM killer, a job scheduler's kill) left its two worker processes — and the
    pool's forkserver and resource tracker they keep alive — waiting for work for ever (seen 25 s after, 0 % CPU). Now
    a worker whose parent is gone stops its task as Ctrl-C does and exits within ORPHAN_GRACE seconds."""
    import os
    import signal
    import subprocess
    import time

    script = ("import sys, time\n"
              "from optimlab.experiment.executors import LocalExecutor\n"
              "if __name__ == '__main__':\n"
              "    ex = LocalExecutor(2)\n"
              "    futures = [ex.submit(time.sleep, 120) for _ in range(4)]\n"     # one running in each, two waiting
              "    while len(ex._pool._processes) < 2: time.sleep(0.05)\n"
              "    time.sleep(1.0)\n"
              "    print(*ex._pool._processes, flush=True)\n"
              "    time.sleep(120)\n")
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        workers = [int(pid) for pid in proc.stdout.readline().split()]
        assert len(workers) == 2
    finally:
        proc.kill()
        proc.wait()

    def running(pid):                      # not a zombie waiting for whoever adopted it to reap it
        try:
            with open(f"/proc/{pid}/stat") as f:
                return f.read().rsplit(")", 1)[1].split()[0] != "Z"
        except FileNotFoundError:
            return False

    end = time.monotonic() + 30
    while any(running(pid) for pid in workers) and time.monotonic() < end:
        time.sleep(0.2)
    left = [pid for pid in workers if running(pid)]
    for pid in left:                                      # not to leave them behind when the test fails
        os.kill(pid, signal.SIGKILL)
    assert not left


def test_sweep_on_local_processes_loses_no_run_when_a_worker_is_killed(tmp_path, reference):
    import os
    import signal
    import threading
    import time

    spec = replace(SPEC, train=TrainConfig(iters=1000, eval_interval=250), name="kill")
    with LocalExecutor(2) as ex:
        def kill():
            while not ex._pool._processes:
                time.sleep(0.05)
            time.sleep(1.5)                                   # inside the first tasks
            os.kill(next(iter(ex._pool._processes)), signal.SIGKILL)

        killer = threading.Thread(target=kill, daemon=True)
        killer.start()
        r = run_sweep(spec, ex, out=tmp_path)
        killer.join()
        assert ex.restarts >= 1
    assert {row["status"] for row in r.table} == {"ok"} and len(r.trained) == len(r.table) == len(reference.table)


# A task that dies as a worker killed halfway through sending its result would: it writes the header of a 1 MiB
# message and its first bytes into the pool's result pipe (holding the pipe's write lock, as a sending worker does),
# then SIGKILLs its own process. The second time (its marker file there) it returns.
HALF_SENT = """
import os, signal, struct, sys
from pathlib import Path


def task(marker):
    marker = Path(marker)
    if marker.exists():
        return "trained again"
    marker.touch()
    frame = sys._getframe(1)
    while "result_queue" not in frame.f_locals:           # the pool's worker loop, which sends what this returns
        frame = frame.f_back
    queue = frame.f_locals["result_queue"]
    if queue._wlock is not None:
        queue._wlock.acquire()
    os.write(queue._writer.fileno(), struct.pack("!i", 1 << 20) + bytes(1000))
    os.kill(os.getpid(), signal.SIGKILL)
"""


def _half_sent(tmp_path, script):
    import os
    import subprocess

    (tmp_path / "half_sent.py").write_text(HALF_SENT, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")])}
    return subprocess.run([sys.executable, "-c", script, str(tmp_path / "marker")], capture_output=True, text=True,
                          timeout=90, env=env, cwd=tmp_path)


def test_a_worker_killed_while_it_sends_a_result_breaks_the_pool(tmp_path):
    """Python's pool reads the rest of a half-sent result for ever and never sees the worker gone (the manager thread
    blocks in ``recv``); the command waited until Ctrl-C (README's former known limit). The watchdog sees the dead
    worker in a pool not broken and ends that read: the task is trained again in a fresh pool, within seconds."""
    r = _half_sent(tmp_path, (
        "import sys, time\nimport half_sent\nfrom optimlab.experiment.executors import LocalExecutor\n"
        "t0 = time.monotonic()\nwith LocalExecutor(2) as ex:\n"
        "    print(ex.submit(half_sent.task, sys.argv[1], retries=1).result(), ex.restarts)\n"
        "print(round(time.monotonic() - t0))\n"))
    assert r.returncode == 0, r.stderr
    answer, seconds = r.stdout.splitlines()
    assert answer == "trained again 1"
    assert int(seconds) <= LocalExecutor.STUCK_AFTER + 15


def test_an_executor_dropped_without_close_takes_its_workers_and_watchdog_with_it(tmp_path):
    """A code review: the watchdog thread held its executor, so one dropped without close() (a notebook's) kept its
    worker process and four threads until the interpreter's exit; before the watchdog the pool went with it."""
    import subprocess

    script = ("import gc, multiprocessing, operator, threading, time\n"
              "from optimlab.experiment.executors import LocalExecutor\n"
              "if __name__ == '__main__':\n"
              "    for _ in range(3):\n"
              "        ex = LocalExecutor(1)\n"
              "        assert ex.submit(operator.add, 1, 2).result() == 3\n"
              "        del ex\n"
              "        gc.collect()\n"
              "    end = time.monotonic() + 20\n"
              "    while time.monotonic() < end and (multiprocessing.active_children() or any(\n"
              "            t.name == 'optimlab-pool-watchdog' for t in threading.enumerate())):\n"
              "        time.sleep(0.1)\n"
              "    print(len(multiprocessing.active_children()),\n"
              "          sum(t.name == 'optimlab-pool-watchdog' for t in threading.enumerate()))\n")
    (tmp_path / "drop.py").write_text(script, encoding="utf-8")
    r = subprocess.run([sys.executable, str(tmp_path / "drop.py")], capture_output=True, text=True, timeout=120,
                       cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["0", "0"]


def test_abort_ends_a_pool_waiting_on_a_half_sent_result(tmp_path):
    """Ctrl-C while the pool waits on a half-sent result (the watchdog not yet come): the process still exits — the
    manager thread, which Python joins at exit, was left reading that message for ever."""
    r = _half_sent(tmp_path, (
        "import sys, time\nfrom pathlib import Path\nimport half_sent\n"
        "from optimlab.experiment.executors import LocalExecutor\n"
        "LocalExecutor.STUCK_AFTER = 1e9\nex = LocalExecutor(1)\nfuture = ex.submit(half_sent.task, sys.argv[1])\n"
        "while not Path(sys.argv[1]).exists():\n    time.sleep(0.05)\n"
        "time.sleep(1)\nex.abort()\nprint('stopped', future.done())\n"))
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["stopped", "True"]


def test_the_console_says_a_worker_died(tmp_path, monkeypatch, capsys):
    """A review: a worker SIGKILLed mid-sweep was retried and the results were right, but only summary.json and the
    report said so (pool_restarts); the console said "18 runs (18 trained …)". A note line says it now.

    The worker is killed while it trains (a kill while it sends is the test below): a kill 1.5 s after the pool
    started once landed in a result's write on a slow CI run, where Python's pool waited for the rest of that
    message for ever. A plugin optimizer, trained by the workers, writes a file named by its process id at its
    fifth step and then trains slowly; that process is the one killed."""
    import os
    import signal
    import threading
    import time

    from optimlab.cli import main
    from optimlab.experiment import executors
    from optimlab.optim import plugins

    plugin = tmp_path / "slow_optim.py"
    plugin.write_text(
        "import multiprocessing, os, time\nfrom dataclasses import dataclass\nfrom pathlib import Path\n"
        "from optimlab.optim import SGD\n\n\n@dataclass(frozen=True)\nclass Slow(SGD):\n    name = 'slow'\n\n"
        "    def rule(self, w, g, s, t):\n"
        "        if t == 5 and multiprocessing.parent_process() is not None:      # in a sweep worker\n"
        "            (Path(__file__).parent / f'training.{os.getpid()}').touch()\n"
        "        if t > 5:\n            time.sleep(0.005)\n"
        "        w -= self.lr * g\n", encoding="utf-8")
    monkeypatch.setenv("OPTIMLAB_PLUGINS", str(plugin))
    monkeypatch.setattr(plugins, "plugins_loaded", False)
    monkeypatch.setattr(plugins, "plugin_errors", {})
    made, real = [], executors.make_executor
    monkeypatch.setattr(executors, "make_executor", lambda **kw: made.append(real(**kw)) or made[-1])
    killed = []

    def kill():
        end = time.monotonic() + 120
        while time.monotonic() < end:
            started = sorted(tmp_path.glob("training.*"))
            if started:
                pid = int(started[0].suffix[1:])
                os.kill(pid, signal.SIGKILL)                  # inside its task's training, 5 ms a step
                killed.append(pid)
                return
            time.sleep(0.02)

    killer = threading.Thread(target=kill, daemon=True)
    killer.start()
    try:
        assert main(["sweep", "--dataset", "digits", "--optimizers", "slow", "--lrs", "1e-3:1:4", "--seeds", "2",
                     "--iters", "400", "--eval-interval", "200", "--jobs", "2", "--no-progress", "--no-plots",
                     "--no-report", "--out", str(tmp_path / "s")]) == 0
    finally:
        killer.join(timeout=60)
        dict.pop(OPTIMIZERS, "slow", None)
    assert killed
    restarts = made[0].restarts
    assert restarts >= 1
    assert (f"optimlab: note: a worker process died {restarts} time{'s' * (restarts != 1)} during the sweep; the runs "
            "of its tasks were trained again in a new one") in capsys.readouterr().err


def test_a_sweep_goes_on_when_a_worker_dies_halfway_through_sending(tmp_path, monkeypatch, capsys):
    """The whole command: a plugin optimizer's first step in a worker leaves half a result in the pool's pipe and
    kills its process (as a kill while sending would). The sweep ends, every run trained, and says a worker died;
    before, it waited for ever."""
    from optimlab.cli import main
    from optimlab.experiment import executors
    from optimlab.optim import plugins

    plugin = tmp_path / "dying_optim.py"
    plugin.write_text(
        "import multiprocessing\nfrom dataclasses import dataclass\nfrom pathlib import Path\n"
        "from optimlab.optim import SGD\nimport half_sent\n\n\n@dataclass(frozen=True)\nclass Dying(SGD):\n"
        "    name = 'dying'\n\n    def rule(self, w, g, s, t):\n"
        "        if t == 5 and multiprocessing.parent_process() is not None:      # in a sweep worker\n"
        "            half_sent.task(Path(__file__).parent / 'died')\n"
        "        w -= self.lr * g\n", encoding="utf-8")
    (tmp_path / "half_sent.py").write_text(HALF_SENT, encoding="utf-8")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")]))
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("OPTIMLAB_PLUGINS", str(plugin))
    monkeypatch.setattr(plugins, "plugins_loaded", False)
    monkeypatch.setattr(plugins, "plugin_errors", {})
    made, real = [], executors.make_executor
    monkeypatch.setattr(executors, "make_executor", lambda **kw: made.append(real(**kw)) or made[-1])
    try:
        assert main(["sweep", "--dataset", "digits", "--optimizers", "dying", "--lrs", "1e-3:1:4", "--seeds", "2",
                     "--iters", "100", "--eval-interval", "50", "--jobs", "2", "--no-progress", "--no-plots",
                     "--no-report", "--out", str(tmp_path / "s")]) == 0
    finally:
        dict.pop(OPTIMIZERS, "dying", None)
    assert (tmp_path / "died").exists() and made[0].restarts == 1
    assert ("optimlab: note: a worker process died 1 time during the sweep; the runs of its tasks were trained again "
            "in a new one") in capsys.readouterr().err
    rows = table(tmp_path / "s" / "table.csv")
    assert rows and {r["status"] for r in rows} == {"ok"}


def test_the_console_says_a_scheduler_has_no_workers(tmp_path, monkeypatch, capsys):
    """A review: a scheduler with no workers made the sweep wait, saying "workers: 0" and nothing more. A note says
    it waits for one, and Ctrl-C there says what is kept."""
    from optimlab.cli import main
    from optimlab.experiment import SerialExecutor, executors, sweep

    class Empty(SerialExecutor):
        def describe(self):
            return {"kind": "dask", "workers": 0, "how": "scheduler file"}

    def waiting(*args, **kwargs):
        raise KeyboardInterrupt                         # the user's Ctrl-C while it waits

    monkeypatch.setattr(executors, "make_executor", lambda **kw: Empty())
    monkeypatch.setattr(sweep, "run_sweep", waiting)
    assert main(["sweep", "--dataset", "digits", "--lrs", "0.01", "--seeds", "1", "--iters", "10", "--no-progress",
                 "--out", str(tmp_path / "s")]) == 130
    err = capsys.readouterr().err.splitlines()
    assert err[1:] == ["optimlab: note: the scheduler has no workers yet; the sweep waits for one (Ctrl-C stops it, "
                       "and the same command resumes it)",
                       "optimlab: note: no run had finished; the same command starts the sweep again",
                       "optimlab: interrupted"], err


# -- common random numbers -----------------------------------------------------------------------------------

def test_same_seed_same_initial_weights_and_batches():
    ds = load_dataset("digits")
    cfg = TrainConfig(iters=30, eval_interval=30)

    def trainer(opts, seed):
        t = Trainer(ds, opts, train=cfg, seed=seed)
        drawn, sample = [], t.sampler.next
        t.sampler.next = lambda: drawn.append(idx := sample()) or idx
        return t, drawn

    a, batches_a = trainer([make_optimizer("sgd", lr=0.1), make_optimizer("adam", lr=0.001)], seed=7)
    b, batches_b = trainer([make_optimizer("rmsprop", lr=0.01)], seed=7)
    c, batches_c = trainer([make_optimizer("sgd", lr=0.1)], seed=8)
    assert np.array_equal(a.net.theta[0], a.net.theta[1])          # two optimizers, one start
    assert np.array_equal(a.net.theta[0], b.net.theta[0])          # whatever else is in the cohort
    assert not np.array_equal(a.net.theta[0], c.net.theta[0])      # another seed, another start
    seen = []
    a.callbacks.append(lambda t: seen.append(t.last_batch[1].copy()))
    a.run(), b.run(), c.run()
    assert len(batches_a) == 30 and all(np.array_equal(x, y) for x, y in zip(batches_a, batches_b))
    assert not all(np.array_equal(x, y) for x, y in zip(batches_a, batches_c))
    assert all(np.array_equal(ds.y_train[i], y) for i, y in zip(batches_a, seen))
    assert not np.array_equal(a.net.theta[0], a.net.theta[1])      # and then they part ways


# -- CLI and figure --------------------------------------------------------------------------------------------

def _parse(argv):
    from optimlab.cli import _Parser
    from optimlab.cli_sweep import add_sweep_parser

    p = _Parser(prog="optimlab")
    add_sweep_parser(p.add_subparsers(dest="command", parser_class=_Parser))
    return p.parse_args(["sweep", *argv])


def test_cli_runs_prints_tables_and_draws_the_figure(tmp_path, capsys):
    from optimlab.cli_sweep import run_sweep_cli, spec_from_args

    args = _parse(["--dataset", "digits", "--optimizers", "sgd,adam", "--lrs", "0.01,0.1", "--seeds", "2",
                   "--iters", "100", "--eval-interval", "50", "--targets", "0.3", "--jobs", "0", "--out",
                   str(tmp_path), "--lang", "ja", "--no-progress", "--batchnorm", "both"])
    spec = spec_from_args(args)
    assert spec.seeds == (0, 1) and spec.test_seeds == (1000, 1001) and spec.batchnorm == (False, True)
    assert run_sweep_cli(args) == 0
    captured = capsys.readouterr()
    out = captured.out
    assert "実行方式：逐次実行、ワーカー 1 個" in captured.err
    # --lang ja: the tables and lines are Japanese, the settings of a label too (a Japanese review: 「SGD (no BN)」);
    # the files keep the label as it is
    assert "Adam（BN あり）" in out and "SGD（BN なし）" in out and "0.3 までの反復回数" in out and "所要時間" in out
    assert "(BN)" not in out and "(no BN)" not in out
    assert {"SGD (no BN)", "Adam (BN)"} <= set(json.loads((tmp_path / "summary.json").read_text())["tuned"])
    page = (tmp_path / "report.html").read_text()
    assert "SGD（BN なし）" in page and "(no BN)" not in page and "(BN)" not in page
    assert "グリッド：最適化手法 2 種 × 学習率 2 点 × 調整用シード 2 個 × 構成 2 通り。テスト用の新しいシード 1000、1001" in out
    assert "iters to" not in out and "wall time" not in out and "test acc" not in out
    # the sweep records its language: `optimlab report` writes the page again in it, and says so in it
    assert json.loads((tmp_path / "summary.json").read_text())["lang"] == "ja"
    (tmp_path / "report.html").unlink()
    from optimlab.cli import main

    assert main(["report", str(tmp_path)]) == 0
    assert capsys.readouterr().out.startswith(f"レポート：{tmp_path / 'report.html'}（")
    assert '<html lang="ja">' in (tmp_path / "report.html").read_text(encoding="utf-8")
    from optimlab.viz.report import build_report_html

    assert '<html lang="ja">' in build_report_html(tmp_path)            # from Python too, without a lang
    assert (tmp_path / "sensitivity_ja.png").stat().st_size > 10_000


@pytest.mark.parametrize("argv, match", [
    (["--lrs", "1e-4:0:9"], "learning-rate grid"),
    (["--lrs", "-0.1"], "learning rate"),
    (["--optimizers", "sgd,lion"], "unknown optimizer: 'lion'"),
    (["--seeds", "x"], "invalid seeds"),
    (["--seeds", "0-2", "--test-seeds", "2-4"], "overlap"),
    (["--seeds", "3", "--test-seeds", "1000"], "test seeds 0-999 overlap the tuning seeds [0, 1, 2] (accepted: "
                                               "disjoint seeds, e.g. --test-seeds 1000-1999; a bare number N is a "
                                               "count"),
    (["--targets", "0,0.9"], "invalid targets"),
    pytest.param(["--cluster", "http://localhost:1"], "tcp://HOST:PORT", marks=NEEDS_DASK),
    pytest.param(["--scheduler-file", "/nonexistent.json"], "scheduler file not found", marks=NEEDS_DASK),
    pytest.param(["--scheduler-file", "/etc/passwd"], "not a Dask scheduler file: '/etc/passwd'", marks=NEEDS_DASK),
    (["--jobs", "-1"], "invalid --jobs"),
    (["--workers", "100000"], "invalid --workers: 100000 (accepted: at most "),
    (["--jobs", "100000"], "invalid --jobs: 100000 (accepted: at most "),
])
def test_cli_errors_are_one_line(argv, match):
    from optimlab.cli_sweep import run_sweep_cli

    with pytest.raises(ConfigError) as e:
        run_sweep_cli(_parse(["--dataset", "digits", *argv]))
    assert "\n" not in str(e.value) and match in str(e.value)


def test_sensitivity_figure_in_english(reference, tmp_path):
    from optimlab.viz.sweep_figures import save_sweep_figures

    (path,) = save_sweep_figures(reference.summary, tmp_path)
    assert path.endswith("sensitivity.png") and (tmp_path / "sensitivity.png").stat().st_size > 10_000


def test_seconds_to_target_are_withheld_when_tasks_differ_in_size(tmp_path):
    """A resume trains missing fresh-seed runs in a smaller task, where a model's share of the steps is larger;
    the summary then marks the seconds as not comparable instead of comparing them."""
    spec = replace(SPEC, optimizers=("sgd", "adam"), lrs=(0.1,), seeds=(0,), test_seeds=(1000, 1001))
    r = run_sweep(spec, SerialExecutor(), out=tmp_path)
    test = [row for row in r.table if row["stage"] == "test"]
    assert {row["task_models"] for row in test} == {4}          # sgd and adam, each at 0.1 and its default 0.01
    assert all(d["seconds_comparable"] for d in r.summary["time_to_target"].values())
    for run_dir in tmp_path.glob("test-adam-*"):
        (run_dir / "status.json").unlink()
    again = run_sweep(spec, SerialExecutor(), out=tmp_path)
    assert {row["task_models"] for row in again.table if row["stage"] == "test"} == {2, 4}
    assert not any(d["seconds_comparable"] for d in again.summary["time_to_target"].values())
    assert all(x["seconds_median"] is None for d in again.summary["time_to_target"].values()
               for x in d["targets"].values())
    assert "? seconds not comparable" in time_to_target_table(again.summary)


@pytest.mark.parametrize("option", [["--workers", "2"], ["--cluster", "tcp://127.0.0.1:1"],
                                    ["--scheduler-file", "sched.json"]])
def test_dask_options_without_dask_say_how_to_install_it(tmp_path, monkeypatch, capsys, option):
    """Dask is an extra: without it, --workers/--cluster/--scheduler-file are one line naming the extra (it was
    a ModuleNotFoundError traceback), before anything is written."""
    from optimlab.cli import main

    monkeypatch.setitem(sys.modules, "distributed", None)          # import distributed -> ImportError
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sched.json").write_text("{}")
    rc = main(["sweep", "--dataset", "digits", "--optimizers", "sgd", "--lrs", "0.1", "--seeds", "1", "--iters", "5",
               "--no-progress", "--out", "s", *option])
    err = capsys.readouterr().err.strip()
    assert rc == 2 and len(err.splitlines()) == 1, err
    assert f"{option[0]} runs the sweep on Dask, which is not installed" in err and "'.[dask]'" in err
    assert not (tmp_path / "s").exists()


@pytest.mark.skipif(sys.platform == "win32", reason="fcntl")
def test_one_sweep_at_a_time_per_folder(tmp_path):
    """Two sweeps started into one folder each trained every run: the second is now one line while the first
    holds the folder (here another process holds its lock); the lock file a process leaves when it dies is taken
    over, and the lock goes when the sweep ends."""
    import subprocess

    spec = replace(SPEC, optimizers=("sgd",), lrs=(0.1,), seeds=(0,), test_seeds=(1000,))
    out = tmp_path / "s"
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time\n"
        "from optimlab.experiment.sweep import sweep_lock\n"
        "with sweep_lock(sys.argv[1]):\n"
        "    print('held', flush=True)\n"
        "    time.sleep(60)\n"), str(out)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(ConfigError) as e:
            run_sweep(spec, SerialExecutor(), out=out)
        assert str(e.value).startswith(f"{out} is being written by another optimlab sweep or report (process {holder.pid} on ")
        assert "\n" not in str(e.value) and not (out / "sweep.toml").exists()
    finally:
        holder.kill()
        holder.wait()
    lock = out / sweep_mod.LOCK_NAME
    assert lock.exists()                                   # left by the killed holder: stale
    r = run_sweep(spec, SerialExecutor(), out=out)
    assert r.trained and not lock.exists()


def test_a_sweep_that_stops_before_any_run_leaves_no_folder(tmp_path, capsys):
    """The command makes the folder (for its lock) before it loads the data: a sweep that fails there removes it
    again."""
    from optimlab.cli import main

    rc = main(["sweep", "--dataset", "mnist", "--data-dir", str(tmp_path / "nope"), "--no-progress",
               "--out", str(tmp_path / "s")])
    assert rc == 2 and "not found" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_sigterm_ends_the_command_even_with_a_pool_thread_stuck(tmp_path):
    """A worker killed while sending its result leaves the pool's manager thread waiting for the rest of that message
    for ever; the interpreter joins that thread at exit, so `optimlab sweep --jobs 2` outlived SIGTERM (after printing
    'terminated'). Here such a thread is stood in for (one waiting for ever, registered as a pool's): the command
    still ends with 143."""
    import subprocess
    import textwrap

    script = textwrap.dedent(f"""
        import os, signal, sys, threading
        from concurrent.futures import process

        stuck = threading.Thread(target=threading.Event().wait)     # a manager thread that never returns
        stuck.start()

        class Wakeup:
            def wakeup(self):
                pass

        process._threads_wakeups[stuck] = Wakeup()
        threading.Timer(2.0, os.kill, (os.getpid(), signal.SIGTERM)).start()
        sys.argv = ["optimlab", "sweep", "--dataset", "digits", "--optimizers", "sgd", "--lrs", "0.1", "--seeds", "1",
                    "--iters", "100000", "--jobs", "0", "--no-progress", "--out", {str(tmp_path / "s")!r}]
        from optimlab.cli import entry
        entry()
    """)
    r = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert r.returncode == 143 and r.stderr.strip().splitlines()[-1] == "optimlab: terminated"


def test_a_sweep_spec_reads_grids_and_seeds_written_as_on_the_command_line():
    """SweepSpec(lrs="1e-4:10:11") was read character by character ("invalid learning-rate grid: ['1', 'e', ...]"),
    and seeds="0-2" likewise; they are read as --lrs and --seeds read them, and a bare number is one lr or a count."""
    s = SweepSpec(lrs="1e-4:10:11", seeds="0-2", test_seeds="1000-1001")
    assert len(s.lrs) == 11 and s.lrs[0] == 1e-4 and s.lrs[-1] == 10.0
    assert (s.seeds, s.test_seeds) == ((0, 1, 2), (1000, 1001))
    s = SweepSpec(lrs=0.1, seeds=2)
    assert (s.lrs, s.seeds) == ((0.1,), (0, 1))
    s = SweepSpec(lrs={0.1: "a", 0.01: "b"}.keys(), seeds=(i for i in (3, 4)))       # any iterable, as before
    assert (s.lrs, s.seeds) == ((0.01, 0.1), (3, 4))
    with pytest.raises(ConfigError, match=r"invalid learning-rate grid: None \(accepted"):
        SweepSpec(lrs=None)


def test_a_sweep_folder_is_refused_before_training_for_a_file_where_a_run_belongs(tmp_path):
    """A file named as a run folder was found only after training (writing its status.json: 'Not a directory'),
    and a damaged sweep.toml was called 'no sweep.toml'; each is one line before any work now."""
    from optimlab.experiment.sweep import foreign_in_sweep_dir

    d = tmp_path / "s"
    d.mkdir()
    (d / "sweep.toml").write_text(SPEC.to_toml(), encoding="utf-8")
    (d / "tune-sgd-lr0.1-s0").mkdir()
    assert foreign_in_sweep_dir(d) is None
    (d / "tune-adam-lr0.1-s0").write_text("x")
    assert foreign_in_sweep_dir(d) == "'tune-adam-lr0.1-s0' there is a file where a run's folder belongs"
    with pytest.raises(ConfigError, match="a file where a run's folder belongs"):
        run_sweep(SPEC, out=d)
    (d / "sweep.toml").write_text("garbage[", encoding="utf-8")
    assert "its sweep.toml cannot be read" in foreign_in_sweep_dir(d)


def test_a_validation_split_smaller_than_the_classes_is_refused():
    """fraction 1e-12 tuned every lr on one image (validation accuracy 0 or 1) and said nothing."""
    from optimlab.experiment.splits import validation_split

    y = np.repeat(np.arange(10), 50)
    with pytest.raises(ConfigError, match=r"give 1 validation examples for 10 classes \(accepted: at least one per"):
        validation_split(y, fraction=1e-12)
    assert len(validation_split(y, fraction=0.02)[1]) == 10


def test_an_interrupted_extension_leaves_the_folder_describing_one_sweep(tmp_path, monkeypatch):
    """Extending a sweep (a third seed) and pressing Ctrl-C: sweep.toml was rewritten before any training (it said
    3 seeds beside results of 2, and the report's configuration said so), and an interrupt between table.csv and
    summary.json left 96 rows beside 64 runs (optimlab report then refused the folder). The folder's own files
    change only at the end, together."""
    import os
    import signal

    small = replace(SPEC, optimizers=("sgd",), lrs=(0.1, 1.0), seeds=(0,), test_seeds=(1000,))
    out = tmp_path / "s"
    run_sweep(small, SerialExecutor(), out=out)
    own = ("sweep.toml", "summary.json", "table.csv")
    before = {n: (out / n).read_bytes() for n in own}
    more = replace(small, seeds=(0, 1), test_seeds=(1000, 1001))

    def interrupted(self):
        raise KeyboardInterrupt

    monkeypatch.setattr(sweep_mod._Driver, "run", interrupted)
    with pytest.raises(KeyboardInterrupt):
        run_sweep(more, SerialExecutor(), out=out)
    assert {n: (out / n).read_bytes() for n in own} == before
    monkeypatch.undo()
    real = sweep_mod.table_csv

    def table_then_ctrl_c(rows):
        os.kill(os.getpid(), signal.SIGINT)          # held until the folder's files are all written
        return real(rows)

    monkeypatch.setattr(sweep_mod, "table_csv", table_then_ctrl_c)
    with pytest.raises(KeyboardInterrupt):
        run_sweep(more, SerialExecutor(), out=out)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["n_runs"] == len(table(out / "table.csv")) == 8
    assert load_sweep_spec(out / "sweep.toml").seeds == (0, 1)


def _row(stage, lr, seed, acc, status="ok", its=None, secs=None, models=1, net=None):
    net = net or SPEC.net
    return {"stage": stage, "optimizer": "sgd", "lr": lr, "seed": seed, "batchnorm": net.batchnorm,
            "activation": net.activation, "init": net.init, "status": status, "final_val_acc": acc,
            "final_test_acc": acc, "iters_to_0.8": its, "seconds_to_0.8": secs, "task_models": models}


def test_summarize_edges_medians_and_counts():
    """summarize, from hand-made rows (the second mutation audit: none of these was pinned): the grid edge (top
    lr; a one-lr grid has none), the median iterations to a target over the fresh seeds that reached it, seconds
    only when every fresh run trained in tasks of one known size, and a failed fresh run counted as not ok."""
    spec = replace(SPEC, optimizers=("sgd",), lrs=(0.01, 0.1), seeds=(0,), test_seeds=(1000, 1001, 1002),
                   targets=(0.8,))
    net = spec.variants()[0]
    rows = [_row("tune", 0.01, 0, 0.5), _row("tune", 0.1, 0, 0.85),
            _row("test", 0.1, 1000, 0.85, its=10, secs=1.0), _row("test", 0.1, 1001, 0.86, its=20, secs=2.0),
            _row("test", 0.1, 1002, 0.0, status="failed", its=None),
            *(_row("test", 0.01, s, 0.5) for s in (1000, 1001, 1002))]
    s = sweep_mod.summarize(spec, rows, {("sgd", net): 0.1}, {})
    d, t = s["defaults_vs_tuned"]["SGD"], s["time_to_target"]["SGD"]
    assert d["at_grid_edge"] is True and d["tuned_not_ok"] == 1 and d["tuned_failed"] == 1
    assert t["targets"]["0.8"] == {"reached": 2, "n": 3, "iters_median": 15.0, "seconds_median": 1.5}
    rows[3] = _row("test", 0.1, 1001, 0.86, its=60, secs=6.0)
    rows[4] = _row("test", 0.1, 1002, 0.86, its=20, secs=2.0)
    t = sweep_mod.summarize(spec, rows, {("sgd", net): 0.1}, {})["time_to_target"]["SGD"]
    assert t["targets"]["0.8"]["iters_median"] == 20.0                   # the median of 10, 20, 60 (not the mean)
    rows = [{**r, "task_models": None} if r["stage"] == "test" else r for r in rows]    # sizes not recorded
    t = sweep_mod.summarize(spec, rows, {("sgd", net): 0.1}, {})["time_to_target"]["SGD"]
    assert t["seconds_comparable"] is False and t["targets"]["0.8"]["seconds_median"] is None
    one = replace(spec, lrs=(0.1,))
    assert sweep_mod.summarize(one, [r for r in rows if r["lr"] == 0.1], {("sgd", net): 0.1},
                               {})["defaults_vs_tuned"]["SGD"]["at_grid_edge"] is False


def test_ctrl_c_while_a_run_is_written_waits_until_it_is_whole(tmp_path, monkeypatch):
    """An interrupt between a run's folder and its files left an empty (or config-only) run folder in 2 of 4 tries
    (a sweep audit): Ctrl-C now waits the moment the three files take; a folder made for a write that fails is
    removed again."""
    import signal

    import optimlab.experiment.sweep as sweep_module
    from optimlab.train import History

    real = sweep_module.write_metrics_csv

    def interrupted(*args, **kwargs):
        signal.raise_signal(signal.SIGINT)               # Ctrl-C while the run's files are being written
        return real(*args, **kwargs)

    monkeypatch.setattr(sweep_module, "write_metrics_csv", interrupted)
    h = History("tune-adam-lr0.01-s0", loss=[1.0], eval_iters=[1], test_acc=[0.5], train_acc=[0.5])
    with pytest.raises(KeyboardInterrupt):
        sweep_module.write_run(tmp_path / "run", {"run_id": h.label}, h, {})
    assert sorted(p.name for p in (tmp_path / "run").iterdir()) == ["config.json", "metrics.csv", "status.json"]

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(sweep_module, "write_json", full)
    with pytest.raises(OSError):
        sweep_module.write_run(tmp_path / "other", {"run_id": h.label}, h, {})
    assert not (tmp_path / "other").exists()


def test_a_lost_schedulers_reconnect_error_is_not_logged_as_the_client_closes(caplog):
    """Killing the scheduler printed "distributed.client - ERROR - Failed to reconnect to scheduler after 20.00
    seconds" above optimlab's one line: the client logs it as it closes, and the executor had set the client's log
    back to its level just before."""
    import logging

    from optimlab.experiment.executors import DaskExecutor

    class Client:
        def close(self):
            logging.getLogger("distributed.client").error("Failed to reconnect to scheduler after 20.00 seconds")

    log = logging.getLogger("distributed.client")
    before = log.level
    with caplog.at_level(logging.DEBUG):
        log.setLevel(before)
        DaskExecutor(Client()).close()
    assert not [r for r in caplog.records if r.name == "distributed.client"]
    assert log.level == before                        # and set back after


# -- Ctrl-C after the training: what is left to do ----------------------------------------------------------------

SMALL = ["sweep", "--dataset", "digits", "--lrs", "0.01,0.1", "--seeds", "1", "--optimizers", "sgd,adam", "--iters",
         "20", "--no-progress"]


def test_ctrl_c_while_the_figures_are_drawn_says_only_drawing_is_left(tmp_path, monkeypatch, capsys):
    """A review: Ctrl-C while the figures or report were drawn said only "interrupted" (the runs were all kept and
    summary.json written); and the same command draws them, training nothing."""
    from optimlab.cli import main
    from optimlab.viz import sweep_figures

    def stopped(*args, **kwargs):
        raise KeyboardInterrupt

    out = tmp_path / "s"
    with monkeypatch.context() as m:
        m.setattr(sweep_figures, "save_sweep_figures", stopped)
        assert main([*SMALL, "--out", str(out)]) == 130
    err = capsys.readouterr().err.splitlines()
    assert err[-2:] == [f"optimlab: note: the runs and summary.json in {str(out)!r} are written; the same command "
                        "draws the figures and report without training", "optimlab: interrupted"], err
    assert (out / "summary.json").is_file() and not (out / "report.html").exists()
    assert main([*SMALL, "--out", str(out)]) == 0
    assert "(0 trained, 6 already complete)" in capsys.readouterr().out
    assert (out / "report.html").is_file() and (out / "sensitivity.png").is_file()


def test_ctrl_c_once_every_run_is_trained_does_not_say_others_are_left(tmp_path, monkeypatch, capsys):
    """Ctrl-C while the folder's table and summary were made said "the same command trains the others": none was
    left."""
    from optimlab.cli import main

    def stopped(*args, **kwargs):
        raise KeyboardInterrupt

    out = tmp_path / "s"
    monkeypatch.setattr(sweep_mod, "summarize", stopped)
    assert main([*SMALL, "--out", str(out)]) == 130
    err = capsys.readouterr().err.splitlines()
    assert err[-2] == (f"optimlab: note: every run in {str(out)!r} is trained (6 complete); the same command "
                       "finishes the sweep (it trains again only runs that failed)"), err


def test_the_ctrl_c_count_is_of_this_sweeps_runs(tmp_path):
    """The note's count of kept runs counts the folders this sweep writes, not any folder with a status in it."""
    from optimlab.cli_sweep import _complete_runs

    spec = SweepSpec(dataset="digits", lrs=(0.01, 0.1), seeds=(0,), optimizers=("sgd", "adam"),
                     train=TrainConfig(iters=20, batch_size=10, eval_interval=10))
    out = tmp_path / "s"
    run_sweep(spec, SerialExecutor(), out=out)
    runs = sorted(p.parent.name for p in out.glob("*/status.json"))
    assert len(runs) >= 6 and _complete_runs(out, spec) == len(runs)
    shutil.copytree(out / "tune-sgd-lr0.01-s0", out / "copy-of-tune-sgd")     # a copy the user made
    assert _complete_runs(out, spec) == len(runs)
    at_01 = [r for r in runs if "-lr0.1-" in r]                   # not in a grid of 0.01 alone (the note's lrs)
    assert at_01 and _complete_runs(out, replace(spec, lrs=(0.01,))) == len(runs) - len(at_01)


def test_local_workers_see_where_the_data_is_now(monkeypatch):
    """A forkserver's workers inherit the environment of the forkserver, started with the process's first pool: in
    a notebook (or this test session) an OPTIMLAB_DATA set after a first sweep did not reach the next one's tasks,
    which then had no folder for dataset 'idx' (found as a test that failed when run after the sweep tests)."""
    import os

    for value in ("/data/first", "/data/second", None):
        for name in ("OPTIMLAB_DATA", "XDG_CACHE_HOME"):       # (the user cache folder is read from the latter)
            if value is None:
                monkeypatch.delenv(name, raising=False)
            else:
                monkeypatch.setenv(name, value)
        ex = LocalExecutor(1)
        try:
            for name in ("OPTIMLAB_DATA", "XDG_CACHE_HOME"):
                assert ex.submit(os.getenv, name).result(timeout=60) == value
        finally:
            ex.close()


@pytest.mark.parametrize("status", ["[]", "null", '"ok"', "5"])
def test_a_status_file_that_is_not_an_object_is_a_run_to_train_again(tmp_path, status):
    """A fuzzing review: a run's status.json holding valid JSON that is not an object ended the resumed sweep in a
    26-line AttributeError; it is a run to train again, like a damaged one."""
    spec = SweepSpec(dataset="digits", lrs=(0.01, 0.1), seeds=(0,), optimizers=("sgd",),
                     train=TrainConfig(iters=3, batch_size=10, eval_interval=3))
    out = tmp_path / "s"
    run_sweep(spec, SerialExecutor(), out=out)
    (out / "tune-sgd-lr0.1-s0" / "status.json").write_text(status)
    again = run_sweep(spec, SerialExecutor(), out=out)
    assert again.trained == ["tune-sgd-lr0.1-s0"]


def test_the_sweeps_own_files_are_replaced_all_or_none(tmp_path, monkeypatch):
    """table.csv, summary.json and sweep.toml (and table.parquet) describe one sweep: a rename that fails on one of
    them puts the earlier ones back (written one by one, a failure on summary.json left a new table beside it)."""
    import os
    from pathlib import Path

    small = SweepSpec(dataset="digits", lrs=(0.01, 0.1), seeds=(0,), optimizers=("sgd",),
                      train=TrainConfig(iters=3, batch_size=10, eval_interval=3))
    out = tmp_path / "s"
    run_sweep(small, SerialExecutor(), out=out)
    own = sorted(p.name for p in out.iterdir() if p.is_file())
    assert {"table.csv", "summary.json", "sweep.toml"} <= set(own)
    before = {n: (out / n).read_bytes() for n in own}
    refused = []

    def refusing(real):
        def move(src, dst):
            if not refused and Path(dst).name == "summary.json" and Path(src).suffix == ".tmp":
                refused.append(dst)
                raise PermissionError(1, "Operation not permitted", os.fspath(src))
            return real(src, dst)
        return move

    with monkeypatch.context() as m:                    # either way of moving a file
        m.setattr(os, "rename", refusing(os.rename))
        m.setattr(os, "replace", refusing(os.replace))
        with pytest.raises(PermissionError):
            run_sweep(replace(small, seeds=(0, 1)), SerialExecutor(), out=out)
    assert refused and {n: (out / n).read_bytes() for n in own} == before
    assert not [p.name for p in out.iterdir() if p.name.startswith(".") and not p.name.endswith(".lock")]


def test_a_folder_in_the_way_or_pyarrow_gone_leaves_no_mixed_sweep_folder(tmp_path, monkeypatch, capsys):
    """A code review: a folder named table.csv was moved aside to a hidden name, and every other earlier file left
    beside the new ones under .old names; a table.parquet from when pyarrow was installed stayed beside a newer
    table.csv."""
    pytest.importorskip("pyarrow.parquet")
    from optimlab.cli import main

    args = ["sweep", "--dataset", "digits", "--optimizers", "sgd", "--lrs", "0.01,0.1", "--seeds", "1", "--iters",
            "3", "--eval-interval", "3", "--jobs", "0", "--no-plots", "--no-report", "--no-progress"]
    out = tmp_path / "s"
    assert main([*args, "--out", str(out)]) == 0
    own = ("summary.json", "sweep.toml", "table.parquet")
    before = {n: (out / n).read_bytes() for n in own}
    (out / "table.csv").unlink()
    (out / "table.csv").mkdir()
    (out / "table.csv" / "mine.txt").write_text("mine")
    capsys.readouterr()
    assert main([*args, "--seeds", "2", "--out", str(out)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[-1] == f"optimlab: error: cannot write {str(out / 'table.csv')!r}: a folder has this name", err
    assert {n: (out / n).read_bytes() for n in own} == before and (out / "table.csv" / "mine.txt").is_file()
    assert not [p.name for p in out.iterdir() if p.name.endswith((".old", ".tmp"))]
    (out / "table.csv" / "mine.txt").unlink()
    (out / "table.csv").rmdir()
    monkeypatch.setattr(sweep_mod, "_has_pyarrow", lambda: False)
    assert main([*args, "--out", str(out)]) == 0
    assert (out / "table.csv").is_file() and not (out / "table.parquet").exists()


def test_the_tuning_run_whose_rule_raised_is_the_one_named(tmp_path, raising_optimizer):
    """A researcher's review: a rule of one's own raised, and the error named the first run of its cohort (SGD's);
    the others' records say whose rule it was, and the innermost frame, the rule's, is kept."""
    spec = replace(SPEC, optimizers=("sgd", "raises"), lrs=(0.1,), seeds=(0,))
    with pytest.raises(TuningFailed, match=r"^2 tuning runs failed \(tune-raises-lr0.1-s0: RuntimeError: boom at "
                                           r"step 31\)"):
        run_sweep(spec, SerialExecutor(), out=tmp_path)
    sgd = json.loads((tmp_path / "tune-sgd-lr0.1-s0" / "status.json").read_text())["error"]
    own = json.loads((tmp_path / "tune-raises-lr0.1-s0" / "status.json").read_text())["error"]
    assert sgd.startswith("failed with tune-raises-lr0.1-s0 (trained in one cohort with it): RuntimeError: boom")
    assert own.startswith("RuntimeError: boom at step 31\n") and 'raise RuntimeError(f"boom at step {t}")' in own


def test_an_optimizer_with_numpy_scalar_defaults_is_swept_and_recorded(tmp_path, monkeypatch):
    """A code review: an added optimizer whose default is np.float32(0.9) stopped the sweep at its first config.json
    (a NumPy scalar is not JSON); its settings are written as plain numbers."""
    from optimlab.optim import OPTIMIZERS
    from optimlab.optim.base import Optimizer

    @dataclass(frozen=True)
    class Heavy(Optimizer):
        """v ← μv − εg; w ← w + v."""

        name = "heavy"
        slots = ("v",)
        lr: float = np.float32(0.01)
        mu: float = np.float32(0.9)

        def rule(self, w, g, s, t):
            v = s["v"]
            v *= self.mu
            v -= self.lr * g
            w += v

    monkeypatch.setitem(OPTIMIZERS, "heavy", Heavy)
    r = run_sweep(replace(SPEC, optimizers=("heavy",), lrs=(0.1,), seeds=(0,)), SerialExecutor(), out=tmp_path)
    assert r.summary["optimizers"]["heavy"]["settings"] == {"mu": pytest.approx(0.9)}
    assert type(r.summary["optimizers"]["heavy"]["settings"]["mu"]) is float
    # an added class's module name says little (a plugin's is optimlab's own): its file is recorded too
    assert r.summary["optimizers"]["heavy"]["file"] == __file__ and "file" not in r.summary["optimizers"].get("sgd", {})
    again = run_sweep(replace(SPEC, optimizers=("heavy",), lrs=(0.1,), seeds=(0,)), SerialExecutor(), out=tmp_path)
    assert again.trained == []          # the same command again: a re-test found it stopped in a TypeError


def test_a_setting_whose_every_fresh_run_diverged_has_no_gain_in_summary_json(tmp_path, monkeypatch):
    """A code review: the console showed no gain for a setting whose every fresh run diverged at both lrs, but
    summary.json kept "gain": 0.0, a measured-looking 0 − 0."""
    from optimlab.optim import OPTIMIZERS
    from optimlab.optim.base import Optimizer

    @dataclass(frozen=True)
    class Blow(Optimizer):
        """w ← w − 1e40·ε∇E: diverges at any lr in float32."""

        name = "blow"

        def rule(self, w, g, s, t):
            w -= (1e40 * self.lr) * g

    monkeypatch.setitem(OPTIMIZERS, "blow", Blow)
    r = run_sweep(replace(SPEC, optimizers=("blow",), lrs=(0.1,), seeds=(0,), test_seeds=(7, 8, 9),
                          train=TrainConfig(iters=20, eval_interval=10)), SerialExecutor(), out=tmp_path)
    d = r.summary["defaults_vs_tuned"]["Blow"]
    assert d["tuned_not_ok"] == d["default_not_ok"] == d["n_test_seeds"] == 3
    assert d["gain"] is None and d["gain_lo"] is None and d["gain_hi"] is None


def test_a_sweep_result_prints_as_one_line(tmp_path):
    """A teacher's review: run_sweep(...) as a notebook cell's last value printed about 10,000 characters (the spec,
    the summary and every row); it prints one line, as compare()'s result does."""
    spec = replace(SPEC, optimizers=("sgd",), lrs=(0.1,), seeds=(0,), train=TrainConfig(iters=20, eval_interval=10))
    r = run_sweep(spec, SerialExecutor(), out=tmp_path / "s")
    text = repr(r)
    assert "\n" not in text and len(text) < 300
    assert text == (f"SweepResult({str(tmp_path / 's')!r}: {len(r.table)} runs, {len(r.table)} trained now, 0 already "
                     f"complete; tuned lr: SGD {r.tuned_lrs['SGD']:g})")


def test_a_small_validation_split_is_said_and_val_fraction_sets_its_size(tmp_path, capsys):
    """A researcher's breast-cancer sweep tuned every lr on 38 validation examples without a word; the split could
    be set only in a recipe's [split] table."""
    from optimlab.cli import main

    base = ["sweep", "--dataset", "digits", "--optimizers", "sgd", "--lrs", "0.1", "--seeds", "1", "--test-seeds",
            "9-9", "--iters", "5", "--eval-interval", "5", "--jobs", "0", "--no-plots", "--no-report", "--no-progress"]
    assert main(base + ["--out", str(tmp_path / "a")]) == 0
    out = capsys.readouterr().out
    assert main(base + ["--out", str(tmp_path / "a2"), "--lang", "ja"]) == 0
    assert "（学習率は 144 件の検証データで選びます：1 件で正解率が 0.0069 変わり" in capsys.readouterr().out
    assert "dataset: digits (1,294 train / 144 validation / 359 test)" in out
    assert ("(the lrs are chosen on 144 validation examples: one is 0.0069 of accuracy, and an accuracy on so few has "
            "a sampling error of up to about ±0.082 (95%), so the lr chosen may be the best on these examples only; "
            "--val-fraction holds out more)") in out
    assert main(base + ["--val-fraction", "0.75", "--out", str(tmp_path / "b"), "--lang", "ja"]) == 0
    out = capsys.readouterr().out
    assert "検証 1,078 枚" in out and "検証データで選びます" not in out          # from 1,000 on, nothing is added
    summary = json.loads((tmp_path / "b" / "summary.json").read_text())
    assert summary["dataset"]["split"]["fraction"] == 0.75 and summary["dataset"]["n_val"] == 1078
    assert "fraction = 0.75" in (tmp_path / "b" / "sweep.toml").read_text()
    for bad, line in (("1.5", "invalid --val-fraction: 1.5 (accepted: a number in (0, 1), e.g. 0.2)"),
                      ("x", "invalid --val-fraction: 'x' (accepted: a number)")):
        assert main(base + ["--val-fraction", bad, "--out", str(tmp_path / "c")]) == 2
        assert capsys.readouterr().err.strip() == f"optimlab: error: {line}"
        assert not (tmp_path / "c").exists()


def test_a_rerun_with_nothing_to_train_keeps_the_sweeps_seconds(tmp_path):
    """A Japanese student's review: the README's second run_sweep() call, with every run complete, wrote
    total_wall_seconds 0.13 over the 8 s sweep, and the report said "22 runs, 0 s". A resumed call adds its
    seconds to those its folder's summary.json held; a fresh folder counts only its own."""
    spec = replace(SPEC, optimizers=("sgd",), lrs=(0.1,), seeds=(0,), test_seeds=(9,),
                   train=TrainConfig(iters=300, eval_interval=100))
    first = run_sweep(spec, SerialExecutor(), out=tmp_path / "s")
    spent = first.summary["total_wall_seconds"]
    assert spent == pytest.approx(first.wall_seconds, abs=1e-3) and spent > 0
    again = run_sweep(spec, SerialExecutor(), out=tmp_path / "s")
    assert again.summary["n_trained"] == 0
    assert again.summary["total_wall_seconds"] == pytest.approx(spent + again.wall_seconds, abs=2e-3)
    more = run_sweep(replace(spec, lrs=(0.1, 0.3)), SerialExecutor(), out=tmp_path / "s")     # extended: adds
    assert more.summary["total_wall_seconds"] == pytest.approx(spent + again.wall_seconds + more.wall_seconds,
                                                               abs=3e-3)


def test_only_a_bare_count_of_test_seeds_gets_the_one_seed_hint():
    """--test-seeds 100 meant as seed 100 is seeds 0-99: the error says how to write seed 100 alone; a range typed
    out (0-4) or a list is what was meant, and gets no such hint (a code review: 0-4 was told 'for seed 5 alone')."""
    for raw, hint in ((100, True), ("100", True), ("0-4", False), ([0, 1, 2, 3], False), ("0,1,2", False)):
        with pytest.raises(ConfigError) as e:
            SweepSpec(seeds=(0, 1, 2), test_seeds=raw)
        assert ("alone write" in str(e.value)) is hint, (raw, str(e.value))


def test_a_sweep_shorter_than_its_evaluation_interval_says_it_evaluated_once(tmp_path, capsys):
    """`optimlab sweep --iters 20` keeps the sweep's interval of 100: one evaluation per run, at the end, and a
    time-to-target table of one point, without a word (a review)."""
    from optimlab.cli import main

    args = ["--jobs", "0", "--no-plots", "--no-report", "--out"]
    assert main([*SMALL, *args, str(tmp_path / "a")]) == 0
    assert ("(evaluated once, after the last of the 20 iterations: the evaluation interval, 100, is not shorter than "
            "the run; a curve needs a shorter one, e.g. --eval-interval 2)") in capsys.readouterr().out
    assert main([*SMALL, "--eval-interval", "10", *args, str(tmp_path / "b")]) == 0
    assert "evaluated once" not in capsys.readouterr().out


class _Workers(SerialExecutor):
    """In this process, but said to have ``n`` workers (on this machine or not)."""

    def __init__(self, n: int, here: bool = True):
        self.n_workers, self.here = n, here

    @property
    def runs_here(self) -> bool:
        return self.here


@pytest.mark.parametrize("cpus, executor, tuning_threads", [
    (1, SerialExecutor(), 0), (4, SerialExecutor(), 1),
    (2, _Workers(2), 0),                # two tuning tasks (chunks=2), two workers on two cores: each core trains
    (4, _Workers(4), 1),                # two tuning tasks for four workers: two cores to spare (a code review)
    (1, _Workers(2, here=False), 1)])   # workers elsewhere: this machine's cores are not theirs
def test_tuning_tasks_evaluate_in_their_training_thread_when_the_workers_fill_the_cores(tmp_path, monkeypatch, cpus,
                                                                                       executor, tuning_threads):
    """Every core training a task already, a tuning task's Trainer evaluates in its own thread (a thread more per
    worker made them take turns); the fresh seeds' tasks, and any task with a core to spare, keep one evaluation
    thread. Where a run is evaluated changes none of its numbers."""
    seen = []

    class Recording(sweep_mod.Trainer):     # what the Trainer is asked (a code review: the task's field alone was)
        def run(self, *args, **kwargs):
            seen.append((self.test_set is not None, kwargs.get("eval_threads")))
            return super().run(*args, **kwargs)

    monkeypatch.setattr(sweep_mod, "Trainer", Recording)
    monkeypatch.setattr(sweep_mod, "usable_cpus", lambda: cpus)
    spec = replace(SPEC, optimizers=("sgd", "adam"), lrs=(0.01, 0.1), seeds=(0,), chunks=2)
    run_sweep(spec, executor, out=tmp_path / str(cpus))
    assert sorted(set(seen)) == [(False, tuning_threads), (True, 1)]
    monkeypatch.setattr(sweep_mod, "usable_cpus", lambda: 1 if cpus > 1 else 4)
    run_sweep(spec, SerialExecutor(), out=tmp_path / "other")
    assert table(tmp_path / str(cpus) / "table.csv") == table(tmp_path / "other" / "table.csv")


def test_the_sweeps_progress_never_goes_back(tmp_path, monkeypatch):
    """A review: the bar's total grew as each stage was submitted, so its percentage fell back when tuning ended.
    The fresh seeds' runs are counted, as many as they may be, from the start; the total only shrinks, to what ran."""
    import optimlab.progress as progress_mod
    from tqdm import tqdm

    seen = []

    class Recording(tqdm):
        def refresh(self, *a, **k):
            seen.append((self.n, self.total))
            return super().refresh(*a, **k)

        def update(self, n=1):
            out = super().update(n)
            seen.append((self.n, self.total))
            return out

    monkeypatch.setattr(progress_mod, "tqdm_class", lambda: Recording)
    spec = replace(SPEC, optimizers=("sgd", "adam"), lrs=(0.01, 0.1), seeds=(0,), test_seeds=(5, 6))
    r = run_sweep(spec, SerialExecutor(), out=tmp_path, progress=True)
    shares = [n / total for n, total in seen if total]
    assert shares == sorted(shares) and seen[-1] == (len(r.table), len(r.table)), seen
    assert seen[-1][1] < max(total for _, total in seen)     # SGD's note lr 0.01 was tuned: fewer than foreseen
    made = []
    monkeypatch.setattr(progress_mod, "tqdm_class", lambda: made.append(1) or Recording)
    run_sweep(spec, SerialExecutor(), out=tmp_path, progress=True)      # nothing left to train: no bar ("0run" was)
    assert made == []


def test_a_sweep_records_the_code_and_arithmetic_that_trained_its_runs_and_says_when_they_differ(tmp_path):
    """A reproducibility review: a sweep started under OPENBLAS_CORETYPE=SkylakeX and resumed under Haswell matched
    neither, without a word, and summary.json named only what wrote it. Each run's status.json records its
    arithmetic (NumPy, its BLAS kernel, SIMD loops, the variables choosing them); the summary groups the runs by code
    and arithmetic, and runs of different arithmetic are said in a warning (en, ja)."""
    from optimlab.cli_text import japanese_warning
    from optimlab.errors import OptimlabWarning

    spec = replace(SPEC, optimizers=("sgd",), lrs=(0.1,), seeds=(0,), test_seeds=(5,))
    r = run_sweep(spec, SerialExecutor(), out=tmp_path)
    (group,) = r.summary["trained_by"]
    assert group["runs"] == len(r.table) == 3 and group["optimlab_source_sha256"] == r.summary["optimlab_source_sha256"]
    assert group["arithmetic"]["numpy"] == np.__version__ and group["arithmetic"]["blas"]
    status = tmp_path / "tune-sgd-lr0.1-s0" / "status.json"
    record = json.loads(status.read_text())
    record["worker"]["arithmetic"]["blas"] = ["openblas 0.3.31 SkylakeX"]
    status.write_text(json.dumps(record))
    with pytest.warns(OptimlabWarning, match=r"were trained with different arithmetic: 2 runs \(e\.g\. test-sgd-lr0.1-s5\) "
                                             r"with numpy .*; 1 run \(tune-sgd-lr0.1-s0\) with numpy \S+, openblas "
                                             r"0.3.31 SkylakeX.*a new --out trains every run here") as caught:
        again = run_sweep(spec, SerialExecutor(), out=tmp_path)          # nothing left to train
    assert sorted(g["runs"] for g in again.summary["trained_by"]) == [1, 2]
    ja = japanese_warning(str(caught[0].message))
    assert ja.startswith(f"{str(tmp_path)!r} の実行には、違う演算環境で学習したものが混ざっています：2 本（例：test-sgd-lr0.1-s5）"
                         "は numpy "), ja
    # a third setup is counted, not listed (a code review: "and 1 more" read as part of the second's text)
    status = tmp_path / "test-sgd-lr0.01-s5" / "status.json"
    record = json.loads(status.read_text())
    record["worker"]["arithmetic"]["numpy_simd"] = "exp X86_V3, power baseline(X86_V2), tanh X86_V3"
    status.write_text(json.dumps(record))
    with pytest.warns(OptimlabWarning, match=r"; and 1 other arithmetic setup \(1 run\)\. Their last bits") as caught:
        run_sweep(spec, SerialExecutor(), out=tmp_path)
    assert "、ほか 1 種類（1 本）。" in japanese_warning(str(caught[0].message))


def test_runs_whose_arithmetic_differs_only_in_what_chose_it_are_not_warned_of(tmp_path):
    """A code review: OPENBLAS_CORETYPE naming the kernel OpenBLAS picks anyway was warned of as other arithmetic; and
    records that differ only in a field the message does not show made the warning's text crash the sweep."""
    import warnings

    spec = replace(SPEC, optimizers=("sgd",), lrs=(0.1,), seeds=(0,), test_seeds=(5,))
    run_sweep(spec, SerialExecutor(), out=tmp_path)
    status = tmp_path / "tune-sgd-lr0.1-s0" / "status.json"
    record = json.loads(status.read_text())
    record["worker"]["arithmetic"].update(cpu_settings="OPENBLAS_CORETYPE=SkylakeX", later_field="x")
    status.write_text(json.dumps(record))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        again = run_sweep(spec, SerialExecutor(), out=tmp_path)
    assert len(again.summary["trained_by"]) == 2            # recorded as they are, said as the same arithmetic


def test_a_resume_that_trains_nothing_keeps_the_sweep_toml_that_names_the_code_that_trained(tmp_path):
    """A reproducibility review: a finished sweep resumed under other code, training nothing, rewrote sweep.toml with
    that code's digest, and rerunning the file under the code that had trained every run then warned that the code
    differed. sweep.toml is kept when nothing trains; a call that trains writes it again."""
    from optimlab.experiment.sweep import load_sweep_spec

    spec = replace(SPEC, optimizers=("sgd",), lrs=(0.1,), seeds=(0,), test_seeds=(5,))
    run_sweep(spec, SerialExecutor(), out=tmp_path)
    toml = tmp_path / "sweep.toml"
    other = "ab" * 32
    text = toml.read_text().replace(sweep_mod.source_sha256(), other)
    toml.write_text(text)                             # as the code that trained the runs wrote it
    run_sweep(spec, SerialExecutor(), out=tmp_path)  # nothing left to train
    assert toml.read_text() == text
    run_sweep(replace(spec, lrs=(0.1, 0.01)), SerialExecutor(), out=tmp_path)    # trains: this code's now
    assert load_sweep_spec(toml).source_sha256 == sweep_mod.source_sha256() and other not in toml.read_text()


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="CPU affinity is a Linux call")
def test_the_default_workers_are_one_per_core_this_process_may_use():
    """A process limited to one core (``taskset -c 0``, a container's cpuset) started a worker per core of the
    machine (``os.cpu_count()``): two workers took turns on one core, while the evaluation threads counted one."""
    code = ("import os; os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]}); "
            "from optimlab.experiment.executors import default_workers; from optimlab.cli_sweep import "
            "max_local_workers; import argparse; from optimlab.cli_sweep import tasks_at_once; "
            "a = argparse.Namespace(jobs=None, workers=None, cluster=None, scheduler_file=None); "
            "print(default_workers(), tasks_at_once(a), max_local_workers())")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["1", "1", "8"]


def test_a_sweep_evaluated_only_at_the_end_says_so_in_its_report_as_compare_does(tmp_path):
    """A review: `sweep --iters 20` (its evaluation interval is 100 by default) drew one-point validation curves and
    read iterations to a target off them, with a note on the console only."""
    from optimlab.cli import main
    from optimlab.viz.report_sweep import compute_sweep_conclusions

    base = ["sweep", "--dataset", "digits", "--optimizers", "sgd", "--lrs", "0.1", "--seeds", "1", "--test-seeds",
            "9-9", "--iters", "20", "--jobs", "0", "--no-plots", "--no-report", "--no-progress"]
    assert main(base + ["--out", str(tmp_path / "once")]) == 0
    said = {c["kind"]: c for c in compute_sweep_conclusions(tmp_path / "once")}["one_evaluation"]
    assert said["facts"] == {"iters": 20, "eval_interval": 100} and said["text"].startswith(
        "Every run was evaluated once, after its last iteration (20)")
    ja = {c["kind"]: c["text"] for c in compute_sweep_conclusions(tmp_path / "once", "ja")}["one_evaluation"]
    assert ja.startswith("どの実行も評価は 20 回目の反復の後の 1 回だけです。")
    assert main(base + ["--eval-interval", "10", "--out", str(tmp_path / "twice")]) == 0
    assert "one_evaluation" not in {c["kind"] for c in compute_sweep_conclusions(tmp_path / "twice")}


def test_a_tie_in_mean_validation_accuracy_goes_to_the_smaller_lr_whatever_the_seed_order():
    """A researcher's review: (3, 5, 7) and (3, 7, 5) correct of 144 validation images are the same mean, but np.mean
    in the two orders gave means one bit apart, and the larger lr was chosen; the rule gives a tie to the smaller."""
    from types import SimpleNamespace

    small, large = [k / 144 for k in (3, 5, 7)], [k / 144 for k in (3, 7, 5)]
    assert float(np.mean(small)) < float(np.mean(large))        # the rounding the choice must not follow
    assert sweep_mod.tuned_index([float(np.mean(small)), float(np.mean(large))]) == 0
    assert sweep_mod.tuned_index([0.5, 0.5 + 1 / (144 * 3)]) == 1     # one image more over three seeds is not a tie
    assert sweep_mod.tuned_index([0.2, 0.9, 0.9, 0.3]) == 1
    # through the driver's choice, from its rows
    accs = {(0.01, 0): small[0], (0.01, 1): small[1], (0.01, 2): small[2],
            (0.1, 0): large[0], (0.1, 1): large[1], (0.1, 2): large[2]}
    driver = SimpleNamespace(spec=SimpleNamespace(lrs=(0.01, 0.1), seeds=(0, 1, 2)), tuned={},
                             row=lambda k: {"status": "ok", "final_val_acc": accs[(k.lr, k.seed)]})
    net = sweep_mod.NetConfig()
    sweep_mod._Driver.select(driver, net, ["adam"])
    assert driver.tuned[("adam", net)] == 0.01
