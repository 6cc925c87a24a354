"""What a notebook user may pass to Trainer by mistake: one clear line at construction, before any training."""

from types import SimpleNamespace

import numpy as np
import pytest

from optimlab.data import load_dataset, load_mnist
from optimlab.errors import ConfigError
from optimlab.optim import make_optimizer
from optimlab.train import NetConfig, TrainConfig, Trainer

CFG = TrainConfig(iters=20, batch_size=16, eval_interval=10)


@pytest.fixture(scope="module")
def digits():
    return load_dataset("digits")


def refused(match, fn):
    with pytest.raises(ConfigError, match=match) as e:
        fn()
    assert "\n" not in str(e.value)


def test_one_label_per_optimizer(digits):
    two = [make_optimizer("sgd"), make_optimizer("adam")]
    refused(r"invalid labels: \['only one'\] for 2 optimizers", lambda: Trainer(digits, two, ["only one"], train=CFG))
    refused(r"invalid labels: \['a', 'b', 'c'\] for 2", lambda: Trainer(digits, two, ["a", "b", "c"], train=CFG))
    refused(r"invalid labels: \[1, 2\]", lambda: Trainer(digits, two, [1, 2], train=CFG))
    # a string is one label, not one per character
    hs = Trainer(digits, [make_optimizer("sgd")], "plain sgd", train=CFG).run()
    assert [h.label for h in hs] == ["plain sgd"]


def test_a_single_optimizer_is_a_cohort_of_one(digits):
    alone = Trainer(digits, make_optimizer("adam"), train=CFG).run()
    listed = Trainer(digits, [make_optimizer("adam")], train=CFG).run()
    assert alone[0].label == "adam" and alone[0].loss == listed[0].loss


@pytest.mark.parametrize("optimizers", [[], ["adam"], [make_optimizer("sgd"), "adam"]])
def test_optimizers_must_be_optimizer_objects(digits, optimizers):
    refused(r"invalid optimizers: .*make_optimizer\('adam'\)", lambda: Trainer(digits, optimizers, train=CFG))


def test_train_and_net_must_be_configs(digits):
    refused(r"invalid train: \{'iters': 20\} \(accepted: a TrainConfig", lambda: Trainer(
        digits, make_optimizer("sgd"), train={"iters": 20}))
    refused(r"invalid net: \{'hidden': \(10,\)\} \(accepted: a NetConfig.*one per optimizer", lambda: Trainer(
        digits, make_optimizer("sgd"), net={"hidden": (10,)}, train=CFG))


@pytest.mark.parametrize("seed, shown", [(-1, "-1"), (1.7, "1.7"), ("3", "'3'"), (True, "True"), (2**32, str(2**32))])
def test_seed_is_an_integer_in_range(digits, seed, shown):
    refused(rf"invalid seed: {shown} \(accepted: an integer in \[0, 2\*\*32\)\)",
            lambda: Trainer(digits, make_optimizer("sgd"), train=CFG, seed=seed))
    assert Trainer(digits, make_optimizer("sgd"), train=CFG, seed=np.int64(2**32 - 1)).seed == 2**32 - 1


@pytest.mark.parametrize("name", ["iters", "batch_size", "eval_interval"])
def test_the_protocol_is_bounded(name):
    """A typo's 10²⁰ iterations would train for ever: at most 10 million (hours), said in one line."""
    refused(rf"invalid {name}: 10000001 \(accepted: an integer from 1 to 10,000,000\)",
            lambda: TrainConfig(**{name: 10_000_001}))
    assert getattr(TrainConfig(**{name: 10_000_000}), name) == 10_000_000


def test_run_iters_must_be_positive(digits):
    t = Trainer(digits, make_optimizer("sgd"), train=CFG)
    for bad in (-5, 0, 2.5, 10**20):
        refused(rf"invalid iters: {bad}", lambda: t.run(iters=bad))
    assert t.iteration == 0


def test_data_must_be_a_dataset_with_class_index_labels(digits):
    opt = make_optimizer("sgd")

    def replace(ds, **changes):          # a Dataset checks itself: this is a plain object with its fields
        fields = ("x_train", "y_train", "x_test", "y_test", "scale", "n_classes")
        return SimpleNamespace(**{**{f: getattr(ds, f) for f in fields}, **changes})

    refused(r"invalid data: a str without x_train, y_train, x_test, y_test .*load_dataset", lambda: Trainer(
        "digits", opt, train=CFG))
    # integer pixels without a scale: 0-16 (or 0-255) inputs saturate the sigmoids and trained badly, silently
    refused(r"invalid data: x_train holds whole numbers up to 16 and no scale \(accepted: a scale attribute or key, "
            r"e\.g\. 1/255 for pixels — scale=1 keeps the values as they are — or floats in \[0, 1\]",
            lambda: Trainer(SimpleNamespace(
                x_train=digits.x_train, y_train=digits.y_train, x_test=digits.x_test, y_test=digits.y_test), opt,
                train=CFG))
    # the same pixels as floats (load_mnist(normalize=False) cast to float32) trained as badly, silently
    refused(r"invalid data: x_train holds whole numbers up to 16 and no scale", lambda: Trainer(SimpleNamespace(
        x_train=digits.x_train.astype(np.float32), y_train=digits.y_train, x_test=digits.x_test,
        y_test=digits.y_test), opt, train=CFG))
    standardized = (digits.x_train - digits.x_train.mean(0)) / (digits.x_train.std(0) + 1)     # not pixels: taken
    Trainer(SimpleNamespace(x_train=standardized.astype(np.float32), y_train=digits.y_train,
                            x_test=digits.x_test.astype(np.float32) / 16, y_test=digits.y_test), opt, train=CFG)
    book = {"x_train": digits.x_train / 16, "t_train": digits.y_train, "x_test": digits.x_test / 16,
            "t_test": digits.y_test}                  # the book's names for the labels, t_train and t_test
    assert Trainer(book, opt, train=CFG).arrays.y_test is not None
    both = {**book, "y_train": digits.y_train, "y_test": digits.y_test, "t_train": digits.y_train[::-1]}
    assert np.array_equal(Trainer(both, opt, train=CFG).arrays.y_train, digits.y_train)     # y_train wins
    counts = np.minimum(digits.x_train, 6).astype(np.float32)          # whole numbers below 16: counts, codes — data
    Trainer(SimpleNamespace(x_train=counts, y_train=digits.y_train, x_test=np.minimum(digits.x_test, 6).astype(
        np.float32), y_test=digits.y_test), opt, train=CFG)
    refused(r"invalid data: x_test holds whole numbers up to 16 and no scale", lambda: Trainer(SimpleNamespace(
        x_train=digits.x_train / 16, y_train=digits.y_train, x_test=digits.x_test.astype(np.float32),
        y_test=digits.y_test), opt, train=CFG))                       # x_train scaled, x_test not: refused too
    refused(r"invalid y_train: an array of float32 with shape \(1438, 3\) \(accepted: class indices, a 1-D "
            r"integer array, or one-hot rows \(1438, 10\)\)", lambda: Trainer(
                replace(digits, y_train=np.eye(3, dtype=np.float32)[digits.y_train % 3]), opt, train=CFG))
    refused(r"invalid x_train: an array of <U1 with shape \(2, 2\)", lambda: Trainer(
        replace(digits, x_train=[["a", "b"], ["c", "d"]]), opt, train=CFG))
    refused(r"invalid y_test: label 10 \(accepted: 0 to 9\)", lambda: Trainer(
        replace(digits, y_test=np.where(digits.y_test == 3, 10, digits.y_test)), opt, train=CFG))
    refused(r"invalid y_train: label -1", lambda: Trainer(
        replace(digits, y_train=np.where(digits.y_train == 3, -1, digits.y_train)), opt, train=CFG))
    refused(r"invalid y_train: 1437 labels for 1438 images", lambda: Trainer(
        replace(digits, y_train=digits.y_train[1:]), opt, train=CFG))
    refused(r"invalid x_test: an array of uint8 with shape \(359, 63\) \(accepted: flattened images as numbers, "
            r"\(N, 64\)", lambda: Trainer(
        replace(digits, x_test=digits.x_test[:, 1:]), opt, train=CFG))
    refused(r"invalid y_val: label 12", lambda: Trainer(
        digits, opt, train=CFG, val=(digits.x_test, np.full(len(digits.y_test), 12))))
    # test=False never looks at the test set: it need not be there
    no_test = SimpleNamespace(x_train=digits.x_train, y_train=digits.y_train, scale=digits.scale, n_classes=10)
    assert Trainer(no_test, opt, train=CFG, test=False, val=(digits.x_test, digits.y_test)).run()[0].extra["val_acc"]


def test_one_hot_labels_and_lists_train_as_class_indices(digits):
    """The note loads MNIST with one_hot_label=True; plain lists are arrays. Both train exactly like the indices."""
    fields = ("x_train", "y_train", "x_test", "y_test", "scale", "n_classes")
    plain = {f: getattr(digits, f) for f in fields}
    eye = np.eye(10, dtype=np.float32)
    variants = [plain, {**plain, "y_train": eye[digits.y_train], "y_test": eye[digits.y_test]},
                {**plain, "y_train": eye[digits.y_train], "y_test": eye[digits.y_test], "n_classes": None},
                {**plain, "x_train": digits.x_train.tolist(), "y_train": digits.y_train.tolist(),
                 "y_test": digits.y_test.tolist()}]
    runs = []
    for v in variants:
        data = SimpleNamespace(**{k: x for k, x in v.items() if x is not None})
        h = Trainer(data, make_optimizer("adam"), train=CFG, val=(digits.x_test[:50], eye[digits.y_test[:50]])).run()[0]
        runs.append((h.loss, h.test_acc, h.extra["val_acc"]))
    assert all(r == runs[0] for r in runs[1:])


def test_only_true_one_hot_rows_are_labels_and_val_is_a_pair(digits):
    """A matrix that is not one-hot (images, probabilities, zero rows) is not taken for labels by argmax."""
    opt = make_optimizer("sgd")
    n = len(digits.y_train)
    for bad in (digits.x_train, np.random.default_rng(0).random((n, 10)), np.zeros((n, 10))):
        data = SimpleNamespace(x_train=digits.x_train, y_train=bad, x_test=digits.x_test, y_test=digits.y_test,
                               scale=digits.scale)
        refused(r"invalid y_train: an array of .* \(accepted: class indices, a 1-D integer array, or one-hot rows",
                lambda: Trainer(data, opt, train=CFG))
    for val in ((digits.x_test,), (digits.x_test, digits.y_test, "junk"), {"x": 1, "y": 2}):
        refused(r"invalid val: a (tuple|dict) \(accepted: a pair \(x_val, y_val\)\)",
                lambda: Trainer(digits, opt, train=CFG, val=val))


@pytest.mark.parametrize("hidden", [np.array([40, 20]), range(40, 19, -20), [40, 20], (h for h in (40, 20))])
def test_net_config_keeps_hidden_sizes_as_a_tuple_of_ints(hidden):
    cfg = NetConfig(hidden=hidden)
    assert cfg.hidden == (40, 20) and all(type(h) is int for h in cfg.hidden) and hash(cfg)
    for bad in ("40", [0], [2.5], 40, [True]):
        refused(r"invalid hidden: .* \(accepted: positive integers in a list, e.g. \[40, 20\]\)",
                lambda: NetConfig(hidden=bad))


def test_data_that_is_not_finite_is_refused(digits):
    """A NaN pixel would make every run 'diverge' at the step that draws it: a data bug, not an optimizer's."""
    x = digits.x_test.astype(np.float64)
    x[5, 7] = np.nan
    data = SimpleNamespace(x_train=digits.x_train.astype(np.float64), y_train=digits.y_train, x_test=x,
                           y_test=digits.y_test, scale=digits.scale)
    refused(r"invalid x_test: nan at row 5, column 7 \(accepted: finite numbers\)",
            lambda: Trainer(data, [make_optimizer("adam")], train=CFG))
    data.x_test, data.x_train[3, 2] = digits.x_test, np.inf
    refused(r"invalid x_train: inf at row 3, column 2", lambda: Trainer(data, [make_optimizer("adam")], train=CFG))


def test_labels_are_unique_and_nothing_is_a_dict(digits):
    """Results are keyed by label, and list(dict) keeps only the keys: both would lose a run without a word."""
    two = [make_optimizer("adam", lr=1e-2), make_optimizer("adam", lr=1e-3)]
    refused(r"invalid labels: 'x' given to more than one optimizer", lambda: Trainer(digits, two, ["x", "x"], train=CFG))
    # the default labels (the optimizers' names) tell repeated names apart by lr, then by number
    assert Trainer(digits, two, train=CFG).labels == ["adam lr=0.01", "adam lr=0.001"]
    same = [make_optimizer("sgd"), make_optimizer("adam"), make_optimizer("adam")]
    assert Trainer(digits, same, train=CFG).labels == ["sgd", "adam lr=0.01 #1", "adam lr=0.01 #2"]
    refused(r"invalid optimizers: a dict \{'a': Adam", lambda: Trainer(digits, dict(a=two[0], b=two[1]), train=CFG))
    refused(r"invalid labels: a dict", lambda: Trainer(digits, two, {"a": 1, "b": 2}, train=CFG))
    assert [h.label for h in Trainer(digits, two, ["adam 1e-2", "adam 1e-3"], train=CFG).run()] == ["adam 1e-2",
                                                                                                   "adam 1e-3"]


def test_an_array_of_hyperparameters_is_refused_for_one_model(digits):
    """Arrays are for stacks of models built inside; a user's array lr would fail deep in NumPy."""
    refused(r"invalid lr of sgd for models trained together: \[0.01, 0.1\] \(accepted: one number per optimizer",
            lambda: Trainer(digits, [make_optimizer("sgd", lr=[0.01, 0.1])], train=CFG))
    refused(r"invalid lr of sgd for models trained together: \[0.01\]",
            lambda: Trainer(digits, [make_optimizer("sgd", lr=np.array([0.01]))], train=CFG))


def test_a_run_past_the_configured_total_is_evaluated_where_it_ends(digits):
    t = Trainer(digits, [make_optimizer("adam")], train=CFG)          # 20 iterations, evaluated every 10
    assert t.run(iters=15)[0].eval_iters == [10]                      # short of the total: on the interval only
    assert t.run()[0].eval_iters == [10, 20]
    assert t.run(iters=27)[0].eval_iters == [10, 20, 27]              # past it: where it ends too


def test_labels_counting_from_one_are_warned(digits):
    """Labels 1 to 10 make an 11-class network whose class 0 never appears: said, not silently trained."""
    data = SimpleNamespace(x_train=digits.x_train, y_train=digits.y_train + 1, x_test=digits.x_test,
                           y_test=digits.y_test + 1, scale=digits.scale)
    with pytest.warns(UserWarning, match=r"y_train has no label 0 \(labels 1 to 10\): the network gets 11 outputs"):
        t = Trainer(data, [make_optimizer("sgd")], train=CFG)
    assert t.net.sizes[-1] == 11
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Trainer(digits, [make_optimizer("sgd")], train=CFG)             # labels from 0: nothing to say


def test_labels_with_gaps_are_told_how_to_renumber(digits):
    """A researcher's binary labels {3, 7} were told "if the labels count from 1, subtract 1"."""
    keep = np.isin(digits.y_train, (3, 7))
    keep_test = np.isin(digits.y_test, (3, 7))
    data = SimpleNamespace(x_train=digits.x_train[keep], y_train=digits.y_train[keep], x_test=digits.x_test[keep_test],
                           y_test=digits.y_test[keep_test], scale=digits.scale)
    with pytest.warns(UserWarning, match=r"y_train has no label 0, 1, 2, 4, 5, 6 \(labels 3 to 7\): the network gets 8 "
                                         r"outputs, classes it never sees included; renumber them 0 to 1: "
                                         r"np\.unique\(y, return_inverse=True\)\[1\] \(or set data\.n_classes\)"):
        Trainer(data, [make_optimizer("sgd")], train=CFG)


def test_arrays_given_as_a_dataset_name_are_one_short_line():
    """compare(dataset={...arrays...}) printed the arrays' repr, seven lines of it."""
    from optimlab.data import load_dataset

    with pytest.raises(ConfigError) as e:
        load_dataset({"x_train": np.zeros((1000, 4))})
    assert str(e.value) == ("invalid dataset: a dict (accepted: a name: auto, mnist, fashion-mnist, mnist-5k, digits, "
                            "idx, npz; arrays of one's own go to data=, as in compare(data={'x_train': …}), or into "
                            "an .npz file for --dataset npz)")


def test_what_the_notes_load_mnist_returns_trains_as_the_dataset(digits):
    """The note's load_mnist gives ((x_train, t_train), (x_test, t_test)); Trainer refused it ("a tuple without
    x_train"). It and a dict of the four arrays (with scale) now train exactly as the Dataset."""
    opt = make_optimizer("adam")
    runs = [Trainer(d, opt, train=CFG).run()[0] for d in (
        digits, load_mnist(name="digits"), load_mnist(name="digits", one_hot_label=True),
        {"x_train": digits.x_train, "y_train": digits.y_train, "x_test": digits.x_test, "y_test": digits.y_test,
         "scale": digits.scale})]
    assert all((h.loss, h.test_acc) == (runs[0].loss, runs[0].test_acc) for h in runs[1:])


def test_a_notebook_progress_bar_is_not_squeezed_into_a_log_line(monkeypatch):
    """In Jupyter (stderr not a terminal) the bar was made for a CI log: 80 'columns', which a notebook widget takes
    as 80 px, refreshed every 10 s. A notebook's tqdm gets its own defaults."""
    import tqdm.auto
    import tqdm.notebook

    from optimlab.train.loop import _progress

    made = {}

    class Notebook(tqdm.notebook.tqdm):          # what tqdm.auto.tqdm is in a Jupyter kernel
        def __init__(self, *args, **kwargs):
            made.update(kwargs)

        def __del__(self):                        # nothing was set up to tear down
            pass

    monkeypatch.setattr(tqdm.auto, "tqdm", Notebook)
    monkeypatch.setattr("optimlab.progress.find_spec", lambda name: object())      # with ipywidgets installed
    _progress(100, 0, "train")
    assert "ncols" not in made and "mininterval" not in made and made["total"] == 100


def test_running_a_finished_trainer_again_says_so(digits):
    """A notebook cell `hs = tr.run()` run twice returned the same histories without a word."""
    t = Trainer(digits, make_optimizer("sgd"), train=CFG)
    first = [list(h.loss) for h in t.run()]
    with pytest.warns(UserWarning, match=r"this Trainer has trained 20 iterations already, so run\(\) trains none: "
                                         r"run\(iters=N\) with N > 20 goes on"):
        again = t.run()
    assert [h.loss for h in again] == first


def test_a_keyword_trainer_does_not_take_says_where_it_goes():
    """A teacher's review: Trainer(data, opts, iters=500), as compare() takes iters, was Python's TypeError with no
    accepted list; it says the keyword goes in TrainConfig (or NetConfig), or the closest one."""
    from optimlab.data import load_dataset
    from optimlab.errors import ConfigError
    from optimlab.optim import make_optimizer
    from optimlab.train import Trainer

    data, opts = load_dataset("digits"), [make_optimizer("adam")]
    with pytest.raises(ConfigError, match=r"^unknown keyword for Trainer: 'iters' \(accepted: net, train, seed, val, "
                                          r"test, callbacks; iters goes in train=TrainConfig\(iters=…\)\)$"):
        Trainer(data, opts, iters=500)
    with pytest.raises(ConfigError, match=r"; batchnorm goes in net=NetConfig\(batchnorm=…\)\)$"):
        Trainer(data, opts, batchnorm=True)
    with pytest.raises(ConfigError, match=r"; did you mean 'seed'\?\)$"):
        Trainer(data, opts, seeds=3)


def test_features_that_were_not_standardized_are_warned_of():
    """A researcher's raw breast-cancer features (up to 4254) trained Adam to predict only the majority class (0.628,
    0.952 standardized), without a word; a standardized column's one outlier (10.2) is no reason to warn."""
    import warnings

    from sklearn.datasets import load_breast_cancer

    x, y = load_breast_cancer(return_X_y=True)
    data = SimpleNamespace(x_train=x[:400], y_train=y[:400], x_test=x[400:], y_test=y[400:], scale=1.0)
    with pytest.warns(UserWarning, match=r"^x_train's column 23 has a root mean square of 1\d{3} after scaling: the "
                                         r"network learns poorly from inputs far from 1 .*standardize each feature"):
        Trainer(data, [make_optimizer("adam")], train=CFG)
    mean, sd = x[:400].mean(axis=0), x[:400].std(axis=0)
    standard = SimpleNamespace(x_train=(x[:400] - mean) / sd, y_train=y[:400], x_test=(x[400:] - mean) / sd,
                               y_test=y[400:], scale=1.0)
    assert np.abs(standard.x_train).max() > 10
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Trainer(standard, [make_optimizer("adam")], train=CFG)


def test_the_japanese_line_of_each_data_warning_gives_the_same_advice(digits):
    """Read-through: the English warning for labels {3, 7} changed to 'renumber them', while the Japanese line
    (printed first under --lang ja) still said to subtract 1; the unscaled-features warning had none."""
    from optimlab.cli_text import japanese_warning

    def said(data) -> str:
        with pytest.warns(UserWarning) as record:
            Trainer(data, [make_optimizer("sgd")], train=CFG)
        return japanese_warning(str(record[0].message))

    keep, keep_test = np.isin(digits.y_train, (3, 7)), np.isin(digits.y_test, (3, 7))
    gaps = SimpleNamespace(x_train=digits.x_train[keep], y_train=digits.y_train[keep], scale=digits.scale,
                           x_test=digits.x_test[keep_test], y_test=digits.y_test[keep_test])
    assert said(gaps) == ("y_train にラベル 0, 1, 2, 4, 5, 6 がありません。np.unique(y, return_inverse=True)[1] で 0〜1 に"
                          "番号を付け直してください")
    shifted = SimpleNamespace(x_train=digits.x_train, y_train=digits.y_train + 1, x_test=digits.x_test,
                              y_test=digits.y_test + 1, scale=digits.scale)
    assert said(shifted) == "y_train にラベル 0 がありません。ラベルが 1 から始まるなら 1 を引いてください"
    raw = SimpleNamespace(x_train=digits.x_train, y_train=digits.y_train, x_test=digits.x_test, y_test=digits.y_test,
                          scale=100.0)
    assert said(raw).startswith("x_train の列 ") and "標準化してください" in said(raw)


@pytest.mark.parametrize("dtype", [np.uint8, np.uint64, np.int32])
def test_labels_of_any_integer_type_are_counted(digits, dtype):
    """The classes are counted per label (np.bincount, which some NumPy versions refuse for uint64 labels as they
    come): a gap is still said."""
    keep = digits.y_train != 4
    data = SimpleNamespace(x_train=digits.x_train[keep], y_train=digits.y_train[keep].astype(dtype),
                           x_test=digits.x_test, y_test=digits.y_test.astype(dtype), scale=digits.scale)
    with pytest.warns(UserWarning, match=r"y_train has no label 4 \(labels 0 to 9\): the network gets 10 outputs"):
        t = Trainer(data, [make_optimizer("sgd")], train=CFG)
    assert t.net.sizes[-1] == 10 and t.run()[0].test_acc
