"""compare(data=...): a comparison on arrays of one's own, with seeds, summary.json, figures and the report."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest

from optimlab.api import compare
from optimlab.data import load_dataset
from optimlab.errors import ConfigError, OptimlabError, OptimlabWarning
from optimlab.experiment import load_recipe
from optimlab.data.own import OwnData

SMALL = dict(iters=40, batch_size=20, eval_interval=20, plots=False, report=False)


def blobs(seed: int = 0, n: int = 240, d: int = 6, k: int = 3, shift: float = 0.0) -> dict:
    """Standardized features of three Gaussian blobs, split 2:1."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, n)
    x = rng.normal(size=(n, d)) + 2.0 * np.eye(k, d)[y] + shift
    cut = 2 * n // 3
    return {"x_train": x[:cut], "y_train": y[:cut], "x_test": x[cut:], "y_test": y[cut:], "name": "blobs"}


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)         # a default runs/ folder lands here, never in the checkout


def test_trains_seeds_on_own_arrays_and_records_them(tmp_path):
    data = blobs()
    out = compare(data=data, optimizers="sgd,adam", seeds=2, out=tmp_path / "r", **{**SMALL, "iters": 400})
    ds = out.summary["dataset"]
    assert ds["name"] == "blobs" and ds["source"] == "arrays passed to compare(data=...)"
    assert (ds["n_train"], ds["n_test"], ds["input_dim"], ds["n_classes"], ds["scale"]) == (160, 80, 6, 3, 1.0)
    assert len(ds["sha256"]) == 64
    assert sorted({r["seed"] for r in out.summary["runs"]}) == [0, 1]
    assert all(r["status"] == "ok" for r in out.summary["runs"])
    adam = [r["final_test_accuracy"] for r in out.summary["runs"] if r["label"] == "Adam"]
    assert min(adam) > 0.8               # the blobs are separable: learnt, not chance (1/3)
    recipe = (tmp_path / "r" / "recipe.toml").read_text()
    assert 'dataset = "arrays"' in recipe and "data=the same arrays" in recipe
    assert "optimlab compare --recipe" not in recipe      # that command cannot train it again


def test_the_same_arrays_train_the_same_numbers_as_the_named_dataset(tmp_path):
    """A Dataset passed as data trains what its name trains: one path for both. Its SHA-256 is that of the same
    arrays, then of the scale and class count, which decide the numbers too."""
    from optimlab.data.datasets import dataset_sha256

    named = compare(dataset="digits", optimizers="sgd,rmsprop", seeds=1, out=tmp_path / "a", **SMALL)
    ds = load_dataset("digits")
    own = compare(data=ds, optimizers="sgd,rmsprop", seeds=1, out=tmp_path / "b", **SMALL)
    assert own.summary["dataset"]["sha256"] == dataset_sha256(ds.x_train, ds.y_train, ds.x_test, ds.y_test,
                                                              extra="scale=0.0625 n_classes=10")
    assert named.summary["dataset"]["sha256"] == dataset_sha256(ds.x_train, ds.y_train, ds.x_test, ds.y_test)
    assert own.summary["dataset"]["scale"] == 1 / 16

    def acc(o):
        return [(r["label"], r["final_test_accuracy"], r["final_loss"]) for r in o.summary["runs"]]
    assert acc(own) == acc(named)


def test_its_recipe_trains_again_with_the_same_arrays_and_refuses_without(tmp_path):
    data = blobs(1)
    first = compare(data=data, optimizers="momentum", seeds=1, out=tmp_path / "r", **SMALL)
    again = compare(tmp_path / "r" / "recipe.toml", data=blobs(1), out=tmp_path / "r2", **SMALL)
    assert [r["final_test_accuracy"] for r in again.summary["runs"]] == \
        [r["final_test_accuracy"] for r in first.summary["runs"]]
    assert again.summary["dataset"]["sha256"] == first.summary["dataset"]["sha256"]
    assert load_recipe(tmp_path / "r" / "recipe.toml").dataset == "arrays"
    with pytest.raises(ConfigError, match=r"invalid dataset: 'arrays'.*compare\(recipe, data=the same arrays\)"):
        compare(tmp_path / "r" / "recipe.toml", out=tmp_path / "r3", **SMALL)
    assert not (tmp_path / "r3").exists()


def test_the_command_line_says_what_an_arrays_recipe_needs(tmp_path):
    from optimlab.cli import main

    compare(data=blobs(), optimizers="sgd", seeds=1, out=tmp_path / "r", **SMALL)
    import contextlib
    import io

    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        rc = main(["compare", "--recipe", str(tmp_path / "r" / "recipe.toml"), "--out", str(tmp_path / "x"),
                   "--no-plots"])
    assert rc == 2
    line = err.getvalue().strip()
    assert len(line.splitlines()) == 1 and "invalid dataset: 'arrays'" in line and "data=" in line
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize("bad, match", [
    (dict(dataset="mnist"), r"invalid data: given with dataset='mnist'"),
    (dict(data_dir="/tmp"), r"invalid data: given with data_dir='/tmp'"),
])
def test_data_with_a_dataset_name_is_refused(tmp_path, bad, match):
    with pytest.raises(ConfigError, match=match):
        compare(data=blobs(), out=tmp_path / "r", **SMALL, **bad)
    assert not (tmp_path / "r").exists()


def _pixels():
    d = blobs()
    d = {k: v for k, v in d.items() if k != "name"}
    d["x_train"] = np.clip(d["x_train"] * 40 + 128, 0, 255).astype(np.uint8)
    d["x_test"] = np.clip(d["x_test"] * 40 + 128, 0, 255).astype(np.uint8)
    return d


@pytest.mark.parametrize("make, match", [
    (lambda: {"x_train": np.zeros((4, 3))}, r"invalid data: a SimpleNamespace|invalid data: a dict"),
    (lambda: {**blobs(), "y_test": blobs()["y_test"][:-1]}, r"y_test"),
    (lambda: {**blobs(), "x_test": blobs()["x_test"][:, :5]}, r"invalid x_test"),
    (_pixels, r"whole numbers up to 2\d\d and no scale"),
    (lambda: {**_pixels(), "scale": 0.0}, r"invalid data scale: 0\.0 \(accepted: a positive number"),
    (lambda: {**blobs(), "name": ""}, r"invalid data name: '' \(accepted: a line of text"),
    (lambda: {**blobs(), "name": "a\nb"}, r"invalid data name"),
    (lambda: {**blobs(), "name": 3}, r"invalid data name: 3"),
])
def test_bad_arrays_are_one_line_before_any_folder(tmp_path, make, match):
    with pytest.raises(ConfigError, match=match) as e:
        compare(data=make(), out=tmp_path / "r", **SMALL)
    assert "\n" not in str(e.value)
    assert not (tmp_path / "r").exists() and not (tmp_path / "runs").exists()


def test_integer_pixels_with_a_scale_train_and_record_it(tmp_path):
    out = compare(data={**_pixels(), "scale": 1 / 255}, optimizers="adam", seeds=1, out=tmp_path / "r", **SMALL)
    assert out.summary["dataset"]["scale"] == pytest.approx(1 / 255)
    assert out.summary["dataset"]["name"] == "arrays"         # no name given
    assert out.summary["runs"][0]["status"] == "ok"


def test_a_warning_about_the_arrays_is_said_once_for_every_seed(tmp_path):
    raw = blobs()
    raw["x_train"] = raw["x_train"] * 100          # unstandardized: warned of
    raw["x_test"] = raw["x_test"] * 100
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        compare(data=raw, optimizers="sgd", seeds=3, out=tmp_path / "r", **SMALL)
    said = [w for w in caught if issubclass(w.category, OptimlabWarning) and "root mean square" in str(w.message)]
    assert len(said) == 1


def test_the_figures_and_report_name_the_data(tmp_path):
    out = compare(data=blobs(), optimizers="sgd,adam", seeds=1, out=tmp_path / "r", iters=40, batch_size=20,
                  eval_interval=20)
    assert out.figures
    html = (tmp_path / "r" / "report.html").read_text(encoding="utf-8")
    assert "blobs" in html and "arrays passed to compare(data=...)" in html
    summary = json.loads((tmp_path / "r" / "summary.json").read_text())
    assert summary["dataset"]["name"] == "blobs"


def test_figure_context_is_the_data_name(tmp_path, monkeypatch):
    import optimlab.viz.figures as figures

    seen = []
    real = figures.comparison_figures

    def spy(*args, **kwargs):
        seen.append(kwargs.get("dataset"))
        return real(*args, **kwargs)

    monkeypatch.setattr(figures, "comparison_figures", spy)
    compare(data=blobs(), optimizers="sgd", seeds=1, out=tmp_path / "r", iters=40, batch_size=20, eval_interval=20,
            report=False)
    assert seen == ["blobs"]


def test_own_data_is_checked_once_and_read_only():
    data = blobs()
    own = OwnData.of(data)
    assert OwnData.of(own) is own
    assert not own.x_train.flags.writeable
    assert data["x_train"].flags.writeable             # the caller's arrays are left as they were
    assert own.info()["n_classes"] == 3 and "blobs" in repr(own)


# -- an .npz file of one's own: --dataset npz --data-dir FILE ------------------------------------------------------

def save_npz(path, data: dict, **extra) -> None:
    np.savez(path, **{k: v for k, v in data.items() if k != "name"}, **extra)


def test_an_npz_file_is_a_dataset_for_the_command_and_its_recipe(tmp_path, capsys):
    from optimlab.cli import main

    save_npz(tmp_path / "own.npz", blobs(2), name="blobs-npz")
    rc = main(["compare", "--dataset", "npz", "--data-dir", "own.npz", "--optimizers", "sgd,adam", "--iters", "40",
               "--batch-size", "20", "--eval-interval", "20", "--out", "r", "--no-plots", "--no-report",
               "--no-progress"])
    assert rc == 0
    err = capsys.readouterr().err
    assert "blobs-npz" in err and str(tmp_path / "own.npz") in err        # the dataset line names it and its file
    summary = json.loads((tmp_path / "r" / "summary.json").read_text())
    assert summary["dataset"]["name"] == "blobs-npz" and summary["dataset"]["source"] == str(tmp_path / "own.npz")
    recipe = load_recipe(tmp_path / "r" / "recipe.toml")
    assert (recipe.dataset, recipe.data_dir) == ("npz", str(tmp_path / "own.npz"))     # absolute: found from anywhere
    assert "optimlab compare --recipe" in (tmp_path / "r" / "recipe.toml").read_text()
    again = compare(tmp_path / "r" / "recipe.toml", out=tmp_path / "r2", plots=False, report=False)
    assert [r["final_test_accuracy"] for r in again.summary["runs"]] == \
        [r["final_test_accuracy"] for r in summary["runs"]]
    # the same arrays in Python train the same numbers (its file's float64 and labels as stored)
    inline = compare(data={**blobs(2), "name": "blobs-npz"}, optimizers="sgd,adam", out=tmp_path / "r3", **SMALL)
    assert [r["final_test_accuracy"] for r in inline.summary["runs"]] == \
        [r["final_test_accuracy"] for r in summary["runs"]]
    assert inline.summary["dataset"]["sha256"] == summary["dataset"]["sha256"]


def test_an_npz_without_a_name_is_named_after_its_file(tmp_path):
    save_npz(tmp_path / "my-data.npz", blobs())
    out = compare(dataset="npz", data_dir=tmp_path / "my-data.npz", optimizers="sgd", out=tmp_path / "r", **SMALL)
    assert out.summary["dataset"]["name"] == "my-data"


def _npz(path, **arrays):
    np.savez(path, **arrays)


def _raw_member(path, key):
    """An .npz whose member ``key``.npy holds bytes without the .npy header (NumPy's load returns them as bytes: a data
    review's scale member ended in AttributeError: 'bytes' object has no attribute 'ndim')."""
    import io
    import zipfile

    with zipfile.ZipFile(path, "w") as z:
        for k, v in {**{k: v for k, v in blobs().items() if k != "name"}, "scale": np.float64(1.0)}.items():
            if k == key:
                z.writestr(f"{k}.npy", b"\x80\x04not an npy header at all")
            else:
                buf = io.BytesIO()
                np.save(buf, np.asarray(v))
                z.writestr(f"{k}.npy", buf.getvalue())


@pytest.mark.parametrize("make, match", [
    (lambda p: _npz(p, **{k: v for k, v in blobs().items() if k not in ("name", "y_test")}),
     r"own\.npz: no y_test \(accepted: an \.npz with x_train, y_train, x_test, y_test"),
    (lambda p: _npz(p, **{("y_tset" if k == "y_test" else k): v for k, v in blobs().items() if k != "name"}),
     r"array 'y_tset' is not one optimlab reads .*did you mean 'y_test'"),
    (lambda p: _npz(p, x_train=np.array([[1, "a"]], dtype=object), y_train=[0], x_test=np.ones((1, 2)), y_test=[0]),
     r"holds an array of Python objects, which only pickle can read"),
    (lambda p: p.write_text("x_train,y_train\n1,2\n"), r"own\.npz: not an \.npz file \(accepted: the zip of arrays"),
    (lambda p: np.save(p.with_suffix(".npy"), np.ones(3)) or p.write_bytes(p.with_suffix(".npy").read_bytes()),
     r"own\.npz: not an \.npz file"),
    (lambda p: save_npz(p, blobs(), scale=np.array([1.0, 2.0])), r"scale is float64 with shape \(2,\)"),
    (lambda p: save_npz(p, blobs(), name=np.array(3)), r"name is int64 with shape \(\) \(accepted: text"),
    (lambda p: save_npz(p, blobs(), n_classes=2.5), r"invalid n_classes: 2\.5 \(accepted: a whole number"),
    (lambda p: save_npz(p, blobs(), scale=-1.0), r"own\.npz: invalid data scale: -1\.0"),
    (lambda p: _npz(p, **{**{k: v for k, v in blobs().items() if k != "name"}, "y_train": blobs()["y_train"][:5]}),
     r"own\.npz: .*y_train"),
    (lambda p: save_npz(p, _pixels()), r"own\.npz: invalid data: x_train holds whole numbers up to"),
    (lambda p: _raw_member(p, "scale"), r"own\.npz: scale is not a NumPy array \(the member scale\.npy has no \.npy "
                                        r"header; accepted: arrays saved with np\.savez"),
    (lambda p: _raw_member(p, "x_train"), r"own\.npz: x_train is not a NumPy array"),
])
def test_a_bad_npz_file_is_one_line_naming_it_before_any_folder(tmp_path, make, match):
    make(tmp_path / "own.npz")
    with pytest.raises(OptimlabError, match=match) as e:
        compare(dataset="npz", data_dir=tmp_path / "own.npz", out=tmp_path / "r", **SMALL)
    assert "\n" not in str(e.value)
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize("where, match", [
    (None, r"dataset 'npz' needs its file: pass --data-dir FILE\.npz"),
    ("missing.npz", r"missing\.npz: does not exist \(accepted for --dataset npz: an \.npz file"),
    (".", r"is a folder \(accepted for --dataset npz"),
])
def test_npz_needs_an_existing_file(tmp_path, where, match):
    with pytest.raises(OptimlabError, match=match):
        compare(dataset="npz", data_dir=where, out=tmp_path / "r", **SMALL)
    assert not (tmp_path / "r").exists()


def test_a_sweep_trains_on_an_npz_file_in_worker_processes_and_refuses_a_changed_one(tmp_path):
    """Workers are other processes (and for Dask, maybe elsewhere): they read the file by its absolute path, and a
    file changed since is refused by its SHA-256 as any dataset is."""
    from optimlab.experiment.executors import LocalExecutor
    from optimlab.experiment.sweep import SweepSpec, run_sweep
    from optimlab.train import TrainConfig

    save_npz(tmp_path / "own.npz", blobs(3), name="blobs")
    spec = SweepSpec(name="own", dataset="npz", data_dir="own.npz", optimizers=("sgd", "adam"), lrs=(0.01, 0.1),
                     seeds=(0,), test_seeds=(10,), train=TrainConfig(iters=40, batch_size=20, eval_interval=20))
    with LocalExecutor(1) as ex:
        result = run_sweep(spec, ex, out=tmp_path / "s")
    assert result.summary["dataset"]["name"] == "blobs"
    assert result.summary["dataset"]["source"] == str(tmp_path / "own.npz")
    assert all(r["status"] == "ok" for r in result.table), [r.get("error") for r in result.table]
    toml = (tmp_path / "s" / "sweep.toml").read_text()
    assert 'dataset = "npz"' in toml and f'data_dir = "{tmp_path / "own.npz"}"' in toml
    save_npz(tmp_path / "own.npz", blobs(4), name="blobs")         # other arrays under the same name
    with pytest.raises(ConfigError, match=r"sha256|SHA-256"):
        run_sweep(spec, out=tmp_path / "s")


# -- a review of data of one's own: what its checks let through -----------------------------------------------------

@pytest.mark.parametrize("change, match", [
    ({"scale": "1/255"}, r"invalid data scale: '1/255' \(accepted: a positive number"),
    ({"scale": None}, r"invalid data scale: None"),
    ({"scale": True}, r"invalid data scale: True"),
    ({"scale": 1e300}, r"invalid data scale: 1e\+300 \(accepted: a scale that keeps x_train finite"),
    ({"y_train": blobs()["y_train"][:, None]}, r"shape \(160, 1\) .*a column of labels: pass y\.ravel\(\)"),
    ({"y_train": 2 * np.eye(3)[blobs()["y_train"]]}, r"one-hot rows hold a single 1 and 0 elsewhere"),
    ({"y_train": blobs()["y_train"].astype(float)}, r"whole-number floats: pass y\.astype\(int\)"),
    ({"y_train": np.zeros(160, dtype=int)}, r"invalid y_train: every label is 0, one class \(accepted: labels of at "
                                            r"least 2 classes"),
    ({"scael": 1 / 255}, r"invalid data: key 'scael' is not one optimlab reads .*did you mean 'scale'"),
    # a bad-input review: a label of 2**63 filled the machine's memory before any check (a set of every number up to
    # it), 10**9 was a MemoryError's traceback; features of zero columns were a traceback of the digest
    ({"y_train": np.where(np.arange(160) == 0, 2**63, blobs()["y_train"]).astype(np.uint64)},
     r"invalid y_train: label 9223372036854775808 would give the network 9,223,372,036,854,775,809 outputs "
     r"\(accepted: class indices 0 to K-1, K at most 1,048,576; renumber them"),
    ({"y_train": np.where(np.arange(160) == 0, 10**9, blobs()["y_train"])}, r"label 1000000000 would give the network"),
    ({"n_classes": 10**12}, r"invalid n_classes: 1000000000000 \(accepted: a whole number from 1 to 1,048,576"),
    ({"n_classes": "ten"}, r"invalid n_classes: 'ten' \(accepted: a whole number"),
    ({"x_train": np.zeros((160, 0)), "x_test": np.zeros((80, 0))},
     r"invalid x_train: an array of float64 with shape \(160, 0\) \(accepted: .*N >= 1, features >= 1\)"),
])
def test_what_a_review_found_let_through_is_one_line(tmp_path, change, match):
    with warnings.catch_warnings():
        warnings.simplefilter("error")          # and no NumPy overflow warning on the way
        with pytest.raises(ConfigError, match=match) as e:
            compare(data={**blobs(), **change}, out=tmp_path / "r", **SMALL)
    assert "\n" not in str(e.value) and not (tmp_path / "r").exists()


def test_a_class_count_read_from_an_npz_as_a_0d_array_is_taken(tmp_path):
    """A code review: dict(np.load("own.npz")) gives n_classes as a 0-d array, which the new check refused."""
    save_npz(tmp_path / "own.npz", blobs(), n_classes=4)
    with np.load(tmp_path / "own.npz") as z:
        data = dict(z)
    assert compare(data=data, optimizers="sgd", out=tmp_path / "r", **SMALL).summary["dataset"]["n_classes"] == 4


def test_labels_with_any_gap_are_warned_of_and_small_integer_codes_are_data(tmp_path):
    """{0, 3, 6} trained 7 outputs without a word (only a missing 0 was warned of); integer features 0–2 were refused
    as unscaled pixels while the same values as floats were taken."""
    d = blobs()
    d["y_train"] = d["y_train"] * 3
    d["y_test"] = d["y_test"] * 3
    with pytest.warns(OptimlabWarning, match=r"y_train has no label 1, 2, 4, 5 \(labels 0 to 6\): the network gets 7 "
                                             r"outputs.*renumber them 0 to 2: np\.unique"):
        OwnData.of(d)
    codes = {**blobs(), "x_train": np.clip(np.round(blobs()["x_train"]), 0, 2).astype(np.int64),
             "x_test": np.clip(np.round(blobs()["x_test"]), 0, 2).astype(np.int64)}
    assert OwnData.of(codes).x_train.dtype == np.int64                       # codes 0–2: data, not pixels
    signed = {**blobs(), "x_train": np.round(blobs()["x_train"] * 4).astype(np.int64),
              "x_test": np.round(blobs()["x_test"] * 4).astype(np.int64)}
    assert OwnData.of(signed).x_train.min() < 0                              # negatives are not pixels either
    with pytest.raises(ConfigError, match=r"x_train holds whole numbers up to 2\d\d and no scale"):
        OwnData.of(_pixels())                                                # 0–255: pixels, a scale is needed


def test_an_npz_file_given_another_way_says_how(tmp_path):
    save_npz(tmp_path / "own.npz", blobs())
    with pytest.raises(OptimlabError, match=r"is an \.npz file, read only as --dataset npz \(accepted: --dataset npz "
                                            r"--data-dir"):
        compare(data_dir=tmp_path / "own.npz", out=tmp_path / "r", **SMALL)
    with pytest.raises(ConfigError, match=r"unknown dataset 'own\.npz': a file is given as --dataset npz --data-dir "
                                          r"own\.npz"):
        compare(dataset="own.npz", out=tmp_path / "r", **SMALL)
    assert not (tmp_path / "r").exists()


def test_a_sweeps_workers_keep_the_datas_warning_to_the_one_line_said_where_it_started(tmp_path, capfd):
    from optimlab.cli import main

    raw = blobs(5)
    raw["x_train"] = raw["x_train"] * 100
    raw["x_test"] = raw["x_test"] * 100
    save_npz(tmp_path / "raw.npz", raw)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rc = main(["sweep", "--dataset", "npz", "--data-dir", "raw.npz", "--optimizers", "sgd,adam", "--lrs",
                   "0.01,0.1", "--seeds", "1", "--test-seeds", "5-5", "--iters", "20", "--batch-size", "20",
                   "--eval-interval", "10", "--jobs", "2", "--no-plots", "--no-report", "--no-progress", "--out", "s"])
    err = capfd.readouterr().err
    assert rc == 0, err
    said = [w for w in caught if "root mean square" in str(w.message)]
    assert len(said) == 1                          # where the sweep started
    assert "root mean square" not in err, err      # the worker processes (their stderr is this one's) add none


def test_chance_is_the_most_common_class_on_imbalanced_data(tmp_path):
    """A review: on data 90 % of one class every run scored 0.9 by answering that class, and the report said they
    "reached 0.80 first, together at iteration 10", the sweep marked none †, and its figure drew chance at 0.5.
    Chance is now the larger of 1 / classes and the most common class's share; a run must beat it by 0.1, or by half
    the room left above it (0.05 here), to have learned."""
    from optimlab.results.stats import chance, format_seed_report, learned_floor
    from optimlab.viz.report import compute_conclusions

    rng = np.random.default_rng(0)
    y = (rng.random(400) < 0.1).astype(int)                 # 10 % class 1; the features carry nothing of it
    x = rng.normal(size=(400, 5))
    data = {"x_train": x[:300], "y_train": y[:300], "x_test": x[300:], "y_test": y[300:], "name": "imbalanced"}
    out = compare(data=data, optimizers="sgd,momentum", seeds=3, out=tmp_path / "r", **SMALL)
    share = float(np.mean(y[300:] == 0))
    assert out.summary["dataset"]["majority_accuracy"] == pytest.approx(share) and share > 0.85
    assert chance(out.summary) == pytest.approx(share)
    assert learned_floor(out.summary) == pytest.approx(share + (1 - share) / 2)
    kinds = [c["kind"] for c in compute_conclusions(tmp_path / "r")]
    assert kinds[0] == "none_learned" and "first_to_target" not in kinds, kinds
    assert "neither learned" in format_seed_report(out.summary)
    # balanced classes keep 1 / classes and the margin of 0.1
    digits = {"dataset": {"n_classes": 10, "majority_accuracy": 0.1003}}
    assert chance(digits) == pytest.approx(0.1003) and learned_floor(digits) == pytest.approx(0.2003)
    assert chance({"dataset": {"n_classes": 2}}) == 0.5 and learned_floor({"dataset": {"n_classes": 2}}) == 0.6
    from optimlab.experiment.executors import SerialExecutor
    from optimlab.experiment.sweep import SweepSpec, defaults_table, run_sweep
    from optimlab.train import TrainConfig

    save_npz(tmp_path / "imb.npz", data)
    spec = SweepSpec(name="imb", dataset="npz", data_dir=str(tmp_path / "imb.npz"), optimizers=("sgd", "adam"),
                     lrs=(0.01, 0.1), seeds=(0,), test_seeds=(10,),
                     train=TrainConfig(iters=40, batch_size=20, eval_interval=20))
    sweep = run_sweep(spec, SerialExecutor(), out=tmp_path / "s")
    table = defaults_table(sweep.summary)
    assert table.count("†") == 3, table                      # both settings, and the note under the table
    from optimlab.results.stats import accuracy_text, learned_margin

    floor, margin = learned_floor(sweep.summary), learned_margin(sweep.summary)
    assert 0.9 < floor < 1 and margin < 0.1                  # half the room above a chance near 0.9
    assert f"(validation accuracy at most {accuracy_text(floor)}, chance + {margin:.3g}):" in table, table
    from optimlab.experiment.sweep import time_to_target_table

    from optimlab.viz.report_sweep import compute_sweep_conclusions

    small = [c for c in compute_sweep_conclusions(sweep.summary) if c["kind"] == "small_validation"]
    assert small and small[0]["text"].startswith("The lrs were chosen on 30 validation examples: one is 0.033 of "
                                                 "accuracy"), small     # the report says it too, not the console only
    ttt = time_to_target_table(sweep.summary)      # targets 0.8 and 0.9: the most common class reaches both
    assert "target 0.8, 0.9; answering the most common class reaches such a target" in ttt, ttt


def test_a_run_folders_recipe_refuses_other_data_than_it_trained_on(tmp_path, capsys):
    """recipe.toml says it "trains the same numbers"; a review changed the .npz it names (or passed other arrays)
    and it trained again without a word. It records the data's SHA-256 and refuses other data, before any folder."""
    from optimlab.cli import main

    save_npz(tmp_path / "own.npz", blobs(6))
    args = ["--no-plots", "--no-report", "--no-progress", "--iters", "20", "--batch-size", "20",
            "--eval-interval", "10"]
    assert main(["compare", "--dataset", "npz", "--data-dir", "own.npz", "--optimizers", "sgd", "--out", "a", *args]) == 0
    digest = json.loads((tmp_path / "a" / "summary.json").read_text())["dataset"]["sha256"]
    assert f'data_sha256 = "{digest}"' in (tmp_path / "a" / "recipe.toml").read_text()
    assert load_recipe(tmp_path / "a" / "recipe.toml").data_sha256 == digest
    assert main(["compare", "--recipe", "a/recipe.toml", "--out", "b", *args]) == 0          # the same file: trains
    capsys.readouterr()
    save_npz(tmp_path / "own.npz", blobs(7))                                                # other arrays, same name
    assert main(["compare", "--recipe", "a/recipe.toml", "--out", "c", *args]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("optimlab: error: invalid data: SHA-256 ") and f"differs from the {digest[:12]}… the " \
        "recipe was trained on" in err and "delete the data_sha256 line of the recipe" in err and "\n" not in err
    assert not (tmp_path / "c").exists()
    # the same data named again (out of habit) keep the check; other data asked for on purpose do not
    assert main(["compare", "--recipe", "a/recipe.toml", "--dataset", "npz", "--data-dir", "own.npz", "--out", "d",
                 *args]) == 2
    assert "invalid data: SHA-256" in capsys.readouterr().err and not (tmp_path / "d").exists()
    (tmp_path / "own.npz").rename(tmp_path / "other.npz")
    assert main(["compare", "--recipe", "a/recipe.toml", "--data-dir", "other.npz", "--out", "d", *args]) == 0
    # compare(data=...) checks its arrays the same way
    compare(data=blobs(8), optimizers="sgd", out=tmp_path / "e2", **SMALL)
    with pytest.raises(ConfigError, match=r"invalid data: SHA-256 .* differs from the"):
        compare(tmp_path / "e2" / "recipe.toml", data=blobs(9), out=tmp_path / "f", **SMALL)
    text = (tmp_path / "a" / "recipe.toml").read_text().replace(digest, "abc")
    (tmp_path / "bad.toml").write_text(text)
    with pytest.raises(ConfigError, match=r"invalid data_sha256: 'abc' in .*bad\.toml \(accepted: 64 lowercase hex"):
        load_recipe(tmp_path / "bad.toml")


def test_a_sweep_folders_sweep_toml_refuses_other_data_than_it_trained_on(tmp_path, capsys):
    """sweep.toml is the spec actually run, but a fresh sweep from it (another --out) trained a changed .npz without
    a word, where a compare recipe refused it. It records the data's SHA-256 now, checked the same way."""
    from optimlab.cli import main
    from optimlab.experiment.sweep import load_sweep_spec

    save_npz(tmp_path / "own.npz", blobs(6))
    args = ["--optimizers", "sgd", "--lrs", "0.1", "--seeds", "1", "--iters", "20", "--batch-size", "20",
            "--eval-interval", "10", "--jobs", "1", "--no-progress"]
    assert main(["sweep", "--dataset", "npz", "--data-dir", "own.npz", "--out", "a", *args]) == 0
    digest = json.loads((tmp_path / "a" / "summary.json").read_text())["dataset"]["sha256"]
    assert load_sweep_spec(tmp_path / "a" / "sweep.toml").data_sha256 == digest
    assert main(["sweep", "--recipe", "a/sweep.toml", "--out", "b", *args]) == 0        # the same file: trains
    capsys.readouterr()
    save_npz(tmp_path / "own.npz", blobs(7))                                            # other arrays, same name
    for extra in ([], ["--dataset", "npz", "--data-dir", "own.npz"]):    # named again out of habit: still checked
        assert main(["sweep", "--recipe", "a/sweep.toml", *extra, "--out", "c", *args]) == 2
        err = capsys.readouterr().err.strip()
        assert err.startswith("optimlab: error: invalid data: SHA-256 ") and f"differs from the {digest[:12]}… the " \
            "sweep recipe was trained on" in err and "data_sha256 line of the sweep recipe" in err and "\n" not in err
        assert not (tmp_path / "c").exists()
    (tmp_path / "own.npz").rename(tmp_path / "other.npz")           # other data on purpose: the digest is moot
    assert main(["sweep", "--recipe", "a/sweep.toml", "--data-dir", "other.npz", "--out", "d", *args]) == 0
    text = (tmp_path / "a" / "sweep.toml").read_text().replace(digest, "ABC")
    (tmp_path / "bad.toml").write_text(text)
    assert main(["sweep", "--recipe", "bad.toml", "--out", "e", *args]) == 2
    assert "error: bad.toml: invalid data_sha256: 'ABC' (accepted: 64 lowercase hex" in capsys.readouterr().err
    assert not (tmp_path / "e").exists()



def test_a_file_changed_during_a_sweep_says_to_put_it_back(tmp_path, monkeypatch):
    """A review swapped the .npz during a sweep: its workers refused the new data, and the message said "the same
    command trains the failed ones again", which the folder then refused (its complete runs trained on the old
    data). It says the data changed and that they must be put back (or another --out taken); both work."""
    import shutil

    from optimlab.experiment import sweep as sw
    from optimlab.experiment.executors import SerialExecutor
    from optimlab.train import TrainConfig

    save_npz(tmp_path / "own.npz", blobs(3))
    shutil.copy(tmp_path / "own.npz", tmp_path / "kept.npz")
    spec = sw.SweepSpec(name="own", dataset="npz", data_dir="own.npz", optimizers=("sgd",), lrs=(0.1,), seeds=(0, 1),
                        test_seeds=(10,), train=TrainConfig(iters=20, batch_size=20, eval_interval=10))
    calls, train_task = [], sw.train_task

    def swap_before_the_second(task):          # the file changes after the first task has trained
        calls.append(task)
        if len(calls) == 2:
            save_npz(tmp_path / "own.npz", blobs(4))
        return train_task(task)

    monkeypatch.setattr(sw, "train_task", swap_before_the_second)
    with pytest.raises(sw.TuningFailed) as e:
        sw.run_sweep(spec, SerialExecutor(), out=tmp_path / "s")
    text = str(e.value)
    assert "on this worker has SHA-256" in text and "the data changed during the sweep" in text, text
    assert text.endswith("(accepted: the data as they were when the sweep started, then the same command (it trains "
                         "the failed ones again and goes on); or a new --out for the data as they are)"), text
    monkeypatch.setattr(sw, "train_task", train_task)
    with pytest.raises(ConfigError, match=r"holds runs trained with other settings .*dataset\.sha256"):
        sw.run_sweep(spec, SerialExecutor(), out=tmp_path / "s")           # the data as they are: refused here
    assert sw.run_sweep(spec, SerialExecutor(), out=tmp_path / "s2").table     # ... trained into a new --out
    shutil.copy(tmp_path / "kept.npz", tmp_path / "own.npz")                   # put back: the same command goes on
    result = sw.run_sweep(spec, SerialExecutor(), out=tmp_path / "s")
    assert all(r["status"] == "ok" for r in result.table)


def test_the_digest_covers_scale_and_class_count_and_not_the_label_dtype():
    """A review: the same arrays saved with scale=50 and n_classes=5 passed an old recipe's check (the digest was of
    the arrays alone) and trained other numbers; int32 labels, which train the same, were refused."""
    base = OwnData.of(blobs())
    assert OwnData.of({**blobs(), "scale": 0.5}).sha256 != base.sha256
    assert OwnData.of({**blobs(), "n_classes": 5}).sha256 != base.sha256
    int32 = {**blobs(), "y_train": blobs()["y_train"].astype(np.int32), "y_test": blobs()["y_test"].astype(np.int32)}
    assert OwnData.of(int32).sha256 == base.sha256
    hot = {**blobs(), "y_train": np.eye(3, dtype=np.int32)[blobs()["y_train"]]}
    assert OwnData.of(hot).sha256 == base.sha256
    d = blobs()
    own = OwnData.of(d)
    d["x_train"][0, 0] += 1.0                   # the caller's array, changed afterwards: not what trains
    assert own.x_train[0, 0] == blobs()["x_train"][0, 0]
    assert OwnData.of(own).sha256 == own.sha256


def test_a_target_below_a_high_chance_is_moved_above_it(tmp_path):
    """A code review: with 89 % of one class and one run learning, the report said every run "reached 0.80 first,
    together" (0.80 is below chance). The target is set above what a run must exceed to have learned."""
    from optimlab.results.stats import learned_floor
    from optimlab.viz.report import compute_conclusions

    rng = np.random.default_rng(0)
    y = (rng.random(600) < 0.11).astype(int)
    x = rng.normal(size=(600, 5))
    x[:, 0] += 3 * y                                        # class 1 can be learned from the first feature
    data = {"x_train": x[:400], "y_train": y[:400], "x_test": x[400:], "y_test": y[400:]}
    out = compare(data=data, optimizers="sgd,adam", seeds=3, out=tmp_path / "r", **{**SMALL, "iters": 300})
    first = next(c for c in compute_conclusions(tmp_path / "r") if c["kind"] == "first_to_target")
    floor = learned_floor(out.summary)
    assert first["facts"]["target_how"] in ("chance", "chance floor") and first["facts"]["target"] > floor
    assert "what a run must exceed to have learned" in first["text"] and "0.80" not in first["text"]
    assert first["facts"]["first"] != ["SGD", "Adam", "Adam + BatchNorm"]      # not "together", at chance
    from optimlab.viz.report import LabelGroup, choose_target
    from optimlab.train import History

    def group(curve):
        return LabelGroup("x", [{"label": "x", "seed": 0, "status": "ok", "final_test_accuracy": curve[-1]}],
                          [History("x", eval_iters=[10, 20], test_acc=list(curve))], "#000000")

    assert choose_target([group([0.9, 0.99])], floor=0.95) == (0.97, "chance", 0.99)
    assert choose_target([group([0.9, 0.951])], floor=0.95) == (0.951, "chance floor", 0.951)
    assert choose_target([group([0.5, 0.9])], floor=0.2) == (0.8, "fixed", 0.9)          # balanced: as before


def test_the_japanese_dataset_line_counts_rows_of_ones_own_data_not_images(tmp_path, capsys):
    """A review: "訓練 379 枚 / テスト 190 枚" for breast-cancer's table rows (枚 counts sheets, images)."""
    from optimlab.cli import main

    save_npz(tmp_path / "own.npz", blobs(), name="blobs")
    assert main(["compare", "--dataset", "npz", "--data-dir", "own.npz", "--optimizers", "sgd", "--iters", "20",
                 "--batch-size", "20", "--eval-interval", "10", "--no-plots", "--no-report", "--no-progress",
                 "--lang", "ja", "--out", "r"]) == 0
    assert "データセット：blobs（訓練 160 件 / テスト 80 件、入力 6 次元、3 クラス、" in capsys.readouterr().err


def test_a_sweeps_japanese_dataset_line_counts_arrays_of_ones_own_in_ken_whatever_the_file_is_named(tmp_path, capsys):
    """A code review: the line chose 枚 (images) or 件 by the dataset's name, so a file of one's own named mnist.npz
    was counted in images; arrays of one's own are told by their scale, as compare tells them by their type."""
    from optimlab.cli import main

    save_npz(tmp_path / "mnist.npz", blobs(3))
    assert main(["sweep", "--dataset", "npz", "--data-dir", str(tmp_path / "mnist.npz"), "--optimizers", "sgd",
                 "--lrs", "0.1", "--seeds", "1", "--test-seeds", "5-5", "--iters", "20", "--batch-size", "20",
                 "--eval-interval", "10", "--jobs", "0", "--no-plots", "--no-report", "--no-progress", "--lang", "ja",
                 "--out", str(tmp_path / "s")]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith("データセット："))
    assert line.startswith("データセット：mnist（") and " 件 / 検証 " in line and "枚" not in line, line
