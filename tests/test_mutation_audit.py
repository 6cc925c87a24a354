"""Edges two mutation audits found unpinned (2026-11-30: 58 hand-made mutants of the numbers users see, 13 of which
survived and changed behaviour; 2026-12-01: 50 more, 8 such). Each test fails on its mutant: the one named in its
docstring."""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np
import pytest

from optimlab.errors import ConfigError, DatasetError


def test_relu_passes_no_gradient_at_exactly_zero():
    """``x > 0``, not ``>=``: an input of exactly 0 (a zero row with zero biases) has gradient 0."""
    from optimlab.nn import ReLU

    r = ReLU()
    assert r.forward(np.array([[-1.0, 0.0, 2.0]])).tolist() == [[0.0, 0.0, 2.0]]
    assert r.backward(np.ones((1, 3))).tolist() == [[0.0, 0.0, 1.0]]


def test_a_model_with_some_non_finite_logits_has_no_accuracy():
    """Every logit must be finite (``.all``, not ``.any``): one infinite class bias made up an accuracy."""
    from optimlab.nn import MultiLayerNet
    from optimlab.nn.inference import accuracy, eval_set, snapshot

    rng = np.random.default_rng(0)
    net = MultiLayerNet(4, [3], 3, n_models=2, rng=0)
    net.params["b2"][0, 0, 1] = np.inf                       # model 0, class 1 only
    acc = accuracy(net, snapshot(net), eval_set(rng.random((10, 4)), rng.integers(0, 3, 10)))
    assert math.isnan(acc[0]) and math.isfinite(acc[1])


def test_batchnorm_running_statistics_start_at_zero_and_initialize_resets_them():
    """The course code starts the running mean and variance at 0 (a start at 1 changes the early accuracies)."""
    from optimlab.nn import MultiLayerNet

    rng = np.random.default_rng(1)
    net = MultiLayerNet(4, [3, 2], 3, use_batchnorm=True, rng=0, dtype="float64")
    names = sorted(net.buffers)
    assert names == ["running_mean1", "running_mean2", "running_var1", "running_var2"]
    assert all(not net.buffers[k].any() for k in names)
    net.loss_and_grad(rng.random((8, 4)), rng.integers(0, 3, 8))
    assert all(net.buffers[k].any() for k in names)            # a training step moved them
    net.initialize(rng=0)
    assert all(not net.buffers[k].any() for k in names)


def test_batchnorm_rows_of_models_without_it_get_zero_gradients_whatever_the_buffer_held():
    """Models that skip BatchNorm (a slice of the stack) have γ, β gradients 0, even over a dirty gradient buffer."""
    from optimlab.nn import MultiLayerNet

    rng = np.random.default_rng(2)
    net = MultiLayerNet(4, [3], 3, n_models=3, use_batchnorm=[True, True, False], rng=0, dtype="float64")
    net.grad[...] = 7.0
    net.loss_and_grad(rng.random((8, 4)), rng.integers(0, 3, 8))
    assert not net.grads["gamma1"][2].any() and not net.grads["beta1"][2].any()
    assert net.grads["gamma1"][:2].any()


def test_divergence_is_dated_at_the_step_whose_loss_was_not_finite():
    """``diverged_at`` is that step's number (1-based), between evaluations too (not the step before)."""
    from optimlab.data import load_dataset
    from optimlab.optim import make_optimizer

    digits = load_dataset("digits")
    from optimlab.train import NetConfig, TrainConfig, Trainer

    (h,) = Trainer(digits, [make_optimizer("sgd", lr=1e6)], train=TrainConfig(iters=40, eval_interval=40),
                   net=NetConfig(activation="relu", init="he"), seed=0).run(eval_threads=0)
    assert h.status == "diverged" and 1 < h.diverged_at < 40
    assert h.diverged_at == 1 + next(i for i, v in enumerate(h.loss) if not math.isfinite(v))


def test_a_target_reached_exactly_counts():
    """``iterations_to`` is the first evaluation at or above the target (``>=``)."""
    from optimlab.train import History

    h = History("x", eval_iters=[10, 20], test_acc=[0.5, 0.8], extra={"val_acc": [0.5, 0.8]})
    assert h.iterations_to(0.8, "val_acc") == 20 and h.iterations_to(0.8) == 20 and h.iterations_to(0.81) is None


def test_holm_rejects_only_below_each_bound():
    """Holm's step-down: the smallest p must be *below* α/m (0.05/2 = 0.025 exactly in floats)."""
    from optimlab.results.stats import holm

    assert holm([0.025, 0.04]) == [False, False]
    assert holm([0.0249, 0.04]) == [True, True]
    assert holm([0.0249, 0.06]) == [True, False]


def _summary(values: dict[str, list[float | None]]) -> dict:
    runs = [{"label": label, "seed": s, "final_test_accuracy": v, "status": "ok"}
            for label, vals in values.items() for s, v in enumerate(vals) if v is not None]
    return {"runs": runs, "seeds": sorted({r["seed"] for r in runs})}


def test_holm_corrects_only_for_the_pairs_compared_over_three_seeds_or_more():
    """C ran 2 seeds: its pairs are never called significant, and do not enlarge the family A − B is corrected in."""
    from optimlab.results.stats import paired_differences

    rows = {(r["a"], r["b"]): r for r in paired_differences(_summary({
        "A": [0.80, 0.82, 0.81, 0.83], "B": [0.78, 0.81, 0.80, 0.80], "C": [0.5, 0.9, None, None]}))}
    ab = rows[("A", "B")]
    assert ab["n"] == 4 and 0.025 < ab["p"] < 0.05 and ab["significant"] and ab["holm"]
    assert rows[("A", "C")]["n"] == 2 and not rows[("A", "C")]["holm"]


def test_identical_runs_are_not_a_significant_difference():
    from optimlab.results.stats import paired

    row = paired({0: 0.8, 1: 0.8, 2: 0.8}, {0: 0.8, 1: 0.8, 2: 0.8})
    assert (row["mean_diff"], row["ci95"], row["ties"], row["significant"]) == (0.0, 0.0, 3, False)


def test_an_idx_file_with_one_byte_too_many_is_refused():
    from optimlab.data.idx import parse_idx

    data = bytes([0, 0, 8, 1]) + (3).to_bytes(4, "big") + bytes([1, 2, 3])
    assert parse_idx(data).tolist() == [1, 2, 3]
    with pytest.raises(DatasetError, match="1 bytes after the data"):
        parse_idx(data + b"\0")


def test_a_run_that_diverged_or_failed_scores_zero_in_the_sweep_whatever_it_recorded():
    from optimlab.experiment.sweep import score

    assert score({"final_val_acc": 0.9, "status": "ok"}) == 0.9
    for status in ("diverged", "failed"):
        assert score({"final_val_acc": 0.9, "status": status}) == 0.0


def test_atomic_writes_stage_beside_the_file(tmp_path, monkeypatch):
    """The rename is atomic only within one file system: the temporary file is made in the target's folder."""
    import optimlab._io as io

    renames = []
    real = os.replace
    monkeypatch.setattr(io.os, "replace", lambda a, b: (renames.append((Path(a), Path(b))), real(a, b))[1])
    io.write_text(tmp_path / "sub" / "a.txt", "x")
    ((src, dst),) = renames
    assert dst == tmp_path / "sub" / "a.txt" and src.parent == dst.parent and dst.read_text() == "x"


def test_a_folder_that_changed_while_its_replacement_was_staged_is_not_replaced(tmp_path):
    """The run folder is checked again just before the swap: a file someone put there meanwhile is kept."""
    from optimlab.results.store import staged_directory

    target = tmp_path / "run"
    with pytest.raises(ConfigError):
        with staged_directory(target) as stage:
            (stage / "summary.json").write_text("{}")
            target.mkdir()
            (target / "mine.txt").write_text("keep me")
    assert (target / "mine.txt").read_text() == "keep me"
    assert [p.name for p in tmp_path.iterdir()] == ["run"]              # the stage is gone


# -- a second audit (2026-12-01: 50 mutants of the optimizers, network, training loop, statistics and splits; these
# pin the 8 that survived and changed behaviour)

@pytest.mark.parametrize("name", ["sgd", "momentum", "adagrad", "rmsprop", "adam"])
def test_the_trainers_checked_update_counts_steps_as_the_plain_one(name):
    """``update(..., checked=True)`` (the trainer's flat buffers) passes step ``count + 1`` as the plain call does:
    ``count + 2`` there survived every test, and would shift Adam's bias correction and AdaGrad's first step in
    every trained run while the parity tests, which use the plain call, stayed green."""
    from optimlab.optim import make_optimizer, preset_names

    rng = np.random.default_rng(0)
    grads = [rng.standard_normal(7) for _ in range(3)]
    for preset in preset_names(name):
        opt = make_optimizer(name, preset)
        w1, w2 = np.linspace(-1, 1, 7), np.linspace(-1, 1, 7)
        s1, s2 = opt.init(w1), opt.init(w2)
        for g in grads:
            s1 = opt.update(w1, g.copy(), s1, checked=True)
            s2 = opt.update(w2, g.copy(), s2)
        assert s1.count == s2.count == 3 and np.array_equal(w1, w2), (name, preset)


def test_rmsprops_initial_accumulator_is_used():
    """``RMSProp(initial_accumulator=1)`` starts h at 1 (``zeros_like`` ignored it without a test failing)."""
    from optimlab.optim import RMSProp

    opt = RMSProp(lr=0.1, decay=0.99, eps=1e-7, initial_accumulator=1.0)
    w = np.zeros(3)
    opt.update(w, np.ones(3), opt.init(w))
    np.testing.assert_allclose(w, -0.1 / (math.sqrt(0.99 * 1.0 + 0.01 * 1.0) + 1e-7), rtol=1e-12)


def test_adams_recorded_rate_without_bias_correction_is_its_lr():
    """``lr_t`` is what ``--telemetry`` records: ε itself when the rule does not correct (a corrected rate there
    survived)."""
    from optimlab.optim import Adam

    assert Adam(lr=0.01, bias_correction="none").lr_t(1) == 0.01
    assert Adam(lr=0.01).lr_t(1) == pytest.approx(0.01 * math.sqrt(0.001) / 0.1)


def test_the_last_iteration_is_evaluated_when_it_is_not_on_the_interval():
    """25 iterations, evaluated every 10: at 10, 20 and 25 — the final accuracy is the last iteration's."""
    from optimlab.data import load_dataset
    from optimlab.optim import make_optimizer
    from optimlab.train import TrainConfig, Trainer

    (h,) = Trainer(load_dataset("digits"), [make_optimizer("adam")], train=TrainConfig(iters=25, eval_interval=10),
                   seed=0).run(eval_threads=1)
    assert h.eval_iters == [10, 20, 25] and len(h.test_acc) == 3


def test_an_evaluation_dates_divergence_earlier_than_the_next_steps_loss():
    """Weights made non-finite by update i, an evaluation point: the evaluation sees it at i, the loss only at step
    i + 1, and the evaluation may be recorded after that step (a background thread). The earlier date stands."""
    from optimlab.data import load_dataset
    from optimlab.optim import make_optimizer
    from optimlab.train import TrainConfig, Trainer

    tr = Trainer(load_dataset("digits"), [make_optimizer("sgd")], train=TrainConfig(iters=30, eval_interval=10), seed=0)
    h = tr.histories[0]
    h.diverged_at, h.status = 21, "diverged"            # the loss of step 21, dated first
    tr._record(20, np.zeros(1), {"test": np.array([np.nan]), "batch": np.array([np.nan]), "val": None})
    assert h.diverged_at == 20 and h.status == "diverged"
    tr._record(30, np.zeros(1), {"test": np.array([np.nan]), "batch": np.array([np.nan]), "val": None})
    assert h.diverged_at == 20                          # a later evaluation does not move it


def test_models_drawn_from_one_seed_start_apart():
    """``MultiLayerNet(..., n_models=2, rng=0)``: the two models draw one after the other from that seed's
    generator, so they start apart (K generators of the same seed survived: K identical models), and the same
    call gives the same start."""
    from optimlab.nn import MultiLayerNet

    a, b = MultiLayerNet(6, [4], 3, n_models=2, rng=0), MultiLayerNet(6, [4], 3, n_models=2, rng=0)
    assert not np.array_equal(a.params["W1"][0], a.params["W1"][1])
    assert np.array_equal(a.params["W1"], b.params["W1"])


def test_the_validation_split_keeps_a_training_example_and_rounds_by_largest_remainders():
    """``validation_size`` leaves one training example (``n``, not ``n - 1``, left none); the rounding slots go to
    the classes with the largest remainders (the smallest survived: a less stratified split)."""
    from optimlab.experiment.splits import validation_size, validation_split

    assert validation_size(2, 0.9) == 1 and validation_size(10, 0.99) == 9
    y = np.array([0] * 50 + [1] * 30 + [2] * 20)                # quotas at n_val 7: 3.5, 2.1, 1.4
    _, val = validation_split(y, fraction=0.07, max_size=7)
    assert np.bincount(y[val]).tolist() == [4, 2, 1]
