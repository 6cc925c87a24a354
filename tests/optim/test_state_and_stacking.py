"""Saving and resuming optimizer state (npz + JSON, no pickle), and K stacked models in lockstep."""

from __future__ import annotations

import json
import zipfile

import numpy as np
import pytest

from optimlab.errors import ConfigError
from optimlab.optim import (OPTIMIZERS, AdaGrad, Adam, Momentum, RMSProp, SGD, load_state, make_optimizer,
                            save_state, stack_hyperparameters)

from .conftest import NAMES

RNG_SEED = 11


def make_params(kind, dtype=np.float64):
    rng = np.random.default_rng(RNG_SEED)
    if kind == "array":
        return rng.standard_normal((3, 4)).astype(dtype)
    return {"W1": rng.standard_normal((3, 4)).astype(dtype), "b1": rng.standard_normal(4).astype(dtype)}


def grad_of(params):
    """A parameter-dependent gradient (of ½Σw² + Σsin w) that keeps the trajectory sensitive."""
    f = lambda w: w + np.cos(w)
    return {k: f(v) for k, v in params.items()} if isinstance(params, dict) else f(params)


def copy(params):
    return {k: v.copy() for k, v in params.items()} if isinstance(params, dict) else params.copy()


def assert_same(a, b):
    if isinstance(a, dict):
        assert a.keys() == b.keys()
        for k in a:
            assert a[k].dtype == b[k].dtype
            np.testing.assert_array_equal(a[k], b[k], err_msg=k)
    else:
        assert a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)


# -- 5. state round-trip -------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["array", "dict"])
@pytest.mark.parametrize("preset", ["note", "torch"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_save_load_and_continue_is_bit_identical(name, kind, preset, dtype, tmp_path):
    opt = make_optimizer(name, preset)
    # uninterrupted: 8 steps
    ref = make_params(kind, dtype)
    ref_state = opt.init(ref)
    for _ in range(8):
        opt.update(ref, grad_of(ref), ref_state)
    # 4 steps, save, forget everything but the params, load, 4 more steps
    w = make_params(kind, dtype)
    state = opt.init(w)
    for _ in range(4):
        opt.update(w, grad_of(w), state)
    path = tmp_path / "opt_state.npz"
    save_state(path, opt, state)
    del state
    header, loaded = load_state(path)
    assert header["optimizer"] == name and loaded.count == 4
    opt2 = make_optimizer(header["optimizer"], preset, **header["hyperparameters"])
    assert opt2 == opt
    for _ in range(4):
        opt2.update(w, grad_of(w), loaded)
    assert loaded.count == ref_state.count == 8
    assert_same(w, ref)
    assert set(loaded.slots) == set(ref_state.slots) == set(opt.slots)
    for slot in ref_state.slots:
        assert_same(loaded.slots[slot], ref_state.slots[slot])


def test_saved_state_has_no_pickle_and_a_json_header(name, tmp_path):
    opt = make_optimizer(name)
    w = make_params("dict")
    state = opt.init(w)
    opt.update(w, grad_of(w), state)
    path = tmp_path / "s.npz"
    save_state(path, opt, state)
    assert zipfile.is_zipfile(path)
    with np.load(path, allow_pickle=False) as z:   # raises if anything needs pickle
        arrays = {k: z[k] for k in z.files}
    assert all(a.dtype != object for a in arrays.values())
    header = json.loads(bytes(arrays.pop("__header__")).decode())
    assert header["count"] == 1 and header["optimizer"] == name
    assert header["hyperparameters"] == opt.hyperparameters()
    assert sorted(arrays) == sorted(f"{s}/{k}" for s in opt.slots for k in w)
    assert not list(tmp_path.glob("*.tmp"))          # the atomic write left nothing behind


def test_saved_state_of_stacked_hyperparameters_round_trips(tmp_path):
    opt = stack_hyperparameters([Adam(lr=0.01), Adam(lr=0.02)])
    w = np.ones((2, 3))
    state = opt.init(w)
    opt.update(w, grad_of(w), state)
    save_state(tmp_path / "s.npz", opt, state)
    header, loaded = load_state(tmp_path / "s.npz")
    assert header["hyperparameters"]["lr"] == [[0.01], [0.02]]
    assert_same(loaded.slots["m"], state.slots["m"])


# -- 6. K stacked models ---------------------------------------------------------------------------------------

LRS = [0.003, 0.01, 0.05]

# another numeric hyperparameter to vary per model, besides lr
OTHER = {
    "sgd": {},
    "momentum": {"momentum": [0.0, 0.5, 0.9]},
    "adagrad": {"initial_accumulator": [1e-4, 0.1, 1.0]},
    "rmsprop": {"decay": [0.9, 0.99, 0.5], "eps": [1e-7, 1e-3, 1e-8]},
    "adam": {"beta1": [0.0, 0.9, 0.5], "beta2": [0.999, 0.9, 0.99], "eps": [1e-7, 1e-8, 1e-3]},
}


def separate_and_stacked(opts, params, steps):
    """K single-model runs vs one stacked run on the (K, ...) stack; returns both (K, ...) results."""
    sep = []
    for k, o in enumerate(opts):
        w = copy(params)
        w = {n: v[k].copy() for n, v in w.items()} if isinstance(w, dict) else w[k].copy()
        s = o.init(w)
        for _ in range(steps):
            o.update(w, grad_of(w), s)
        sep.append(w)
    stacked = stack_hyperparameters(opts)
    W = copy(params)
    S = stacked.init(W)
    for _ in range(steps):
        stacked.update(W, grad_of(W), S)
    if isinstance(params, dict):
        return {n: np.stack([s[n] for s in sep]) for n in params}, W
    return np.stack(sep), W


@pytest.mark.parametrize("preset", ["note", "torch"])
def test_stacked_learning_rates_equal_separate_models_exactly(name, preset):
    opts = [make_optimizer(name, preset, lr=lr) for lr in LRS]
    stacked = stack_hyperparameters(opts)
    assert np.shape(stacked.lr) == (3, 1)
    params = np.random.default_rng(0).standard_normal((3, 7))
    sep, W = separate_and_stacked(opts, params, 10)
    np.testing.assert_array_equal(W, sep)
    assert not np.array_equal(W[0], W[1])


def test_stacked_dict_params_equal_separate_models_exactly(name):
    opts = [make_optimizer(name, lr=lr) for lr in LRS]
    rng = np.random.default_rng(1)
    params = {"W": rng.standard_normal((3, 4, 2)), "b": rng.standard_normal((3, 2))}
    # (K, 1) hyperparameters broadcast against (K, P) arrays; for (K, a, b) arrays stack with ndim=3
    sep, W = separate_and_stacked(opts, {"b": params["b"]}, 6)
    np.testing.assert_array_equal(W["b"], sep["b"])
    stacked3 = stack_hyperparameters(opts, ndim=3)
    assert np.shape(stacked3.lr) == (3, 1, 1)
    Wm = {"W": params["W"].copy()}
    S = stacked3.init(Wm)
    for _ in range(6):
        stacked3.update(Wm, grad_of(Wm), S)
    for k, o in enumerate(opts):
        w = {"W": params["W"][k].copy()}
        s = o.init(w)
        for _ in range(6):
            o.update(w, grad_of(w), s)
        np.testing.assert_array_equal(Wm["W"][k], w["W"])


def test_stacked_other_hyperparameters_equal_separate_models(name):
    other = OTHER[name]
    opts = [make_optimizer(name, lr=lr, **{h: v[k] for h, v in other.items()}) for k, lr in enumerate(LRS)]
    stacked = stack_hyperparameters(opts)
    for h in other:
        assert np.shape(getattr(stacked, h)) == (3, 1)
    params = np.random.default_rng(2).standard_normal((3, 5))
    sep, W = separate_and_stacked(opts, params, 10)
    # β^t of a (K, 1) array may go through a vectorised pow that differs from Python's in the last bit
    np.testing.assert_allclose(W, sep, rtol=1e-14, atol=0)


def test_stacking_equal_values_keeps_plain_floats():
    stacked = stack_hyperparameters([Adam(lr=0.01), Adam(lr=0.02)])
    assert isinstance(stacked.beta1, float) and isinstance(stacked.eps, float)
    assert stacked.bias_correction == "lr"


@pytest.mark.parametrize("opts", [
    [SGD(), Momentum()],
    [Adam(), RMSProp()],
    [RMSProp(), AdaGrad()],
    [Momentum(lr_in_buffer=True), Momentum(lr_in_buffer=False)],
    [Adam(bias_correction="lr"), Adam(bias_correction="moments")],
    [AdaGrad.preset("note-code"), AdaGrad.preset("torch")],
    [RMSProp.preset("torch"), RMSProp.preset("optax")],
    [Adam(), Adam(), Adam(bias_correction="none")],
], ids=lambda o: "+".join(f"{type(x).__name__}" for x in o))
def test_stacking_different_classes_or_conventions_raises(opts):
    with pytest.raises(ConfigError, match="cannot stack"):
        stack_hyperparameters(opts)


def test_stacking_nothing_raises():
    with pytest.raises(ConfigError, match="non-empty"):
        stack_hyperparameters([])


def test_every_optimizer_has_a_stacking_case():
    assert set(OTHER) == set(NAMES) == set(OPTIMIZERS)
