"""The folded eval-mode path (optimlab.nn.inference) computes what the layers compute in eval mode."""

import warnings

import numpy as np
import pytest

from optimlab.nn import MultiLayerNet
from optimlab.nn import inference


def _trained_net(n_models, use_batchnorm, activation, dtype="float64", steps=5, hidden=(7, 5)):
    """A network moved away from its start (and with non-trivial BN statistics) by a few SGD steps."""
    rng = np.random.default_rng(1)
    net = MultiLayerNet(12, list(hidden), 4, activation=activation, weight_init_std=0.5, use_batchnorm=use_batchnorm,
                        n_models=n_models, dtype=dtype, rng=rng)
    for _ in range(steps):
        x = rng.random((16, 12)).astype(dtype)
        t = rng.integers(0, 4, 16)
        net.loss_and_grad(x, t)
        net.trainable()[...] -= 0.5 * net.trainable(net.grad)
    if net.use_batchnorm:            # γ, β away from 1, 0 so that folding them is really tested
        net.theta[..., net.n_trainable:] += rng.normal(0, 0.3, net.theta[..., net.n_trainable:].shape)
    return net, rng


CASES = [(None, False, "sigmoid"), (None, True, "sigmoid"), (1, False, "relu"), (4, False, "sigmoid"),
         (4, True, "relu"), (4, [False, True, True, False], "sigmoid"), (4, [True, False, True, False], "sigmoid")]


@pytest.mark.parametrize("n_models,bn,activation", CASES)
def test_folded_logits_equal_layer_eval_mode(n_models, bn, activation):
    net, rng = _trained_net(n_models, bn, activation)
    x = rng.random((33, 12))
    expected = net.predict(x, train=False)
    layers = inference.folded_layers(net, inference.snapshot(net))
    got = inference.logits(net, layers, inference.eval_set(x, np.zeros(len(x)), net.dtype).xT).transpose(0, 2, 1)
    if n_models is None:
        got = got[0]
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("hidden", [(7,), (9, 7, 5)])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("bn", [False, [True, False, True]])
@pytest.mark.parametrize("activation", ["sigmoid", "relu"])
def test_folded_logits_equal_layer_eval_mode_at_other_depths(hidden, dtype, bn, activation):
    """The tanh form's halvings and shifts reach every layer: one hidden layer, three, with and without BN."""
    net, rng = _trained_net(3, bn, activation, dtype=dtype, hidden=hidden)
    x = rng.random((33, 12)).astype(dtype)
    expected = net.predict(x, train=False)
    layers = inference.folded_layers(net, inference.snapshot(net))
    got = inference.logits(net, layers, inference.eval_set(x, np.zeros(len(x)), net.dtype).xT).transpose(0, 2, 1)
    tol = dict(rtol=1e-10, atol=1e-12) if dtype == "float64" else dict(rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(got, expected, **tol)


@pytest.mark.parametrize("where,value", [("W2", np.inf), ("W2", -np.inf), ("W3", 3e38), ("W1", np.nan)])
def test_a_model_with_non_finite_or_overflowing_weights_scores_nan_without_a_warning(where, value):
    """An infinite weight behind a sigmoid, or finite weights so large (3e38) that the folded bias overflows
    float32, make that model's accuracy NaN (it diverged); the other models score as before, and nothing warns
    (the evaluation runs in a background thread, where a warning raised as an error would be lost)."""
    net, rng = _trained_net(3, False, "sigmoid", dtype="float32")
    x, t = rng.random((40, 12)).astype(np.float32), rng.integers(0, 4, 40)
    data = inference.eval_set(x, t, net.dtype)
    before = inference.accuracy(net, inference.snapshot(net), data)
    if value == 3e38:
        net.params[where][1] = np.where(np.arange(4) % 2, value, -value)      # ±3e38 per class, every row
    else:
        net.params[where][1, 0, 0] = value
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        after = inference.accuracy(net, inference.snapshot(net), data)
    assert np.isnan(after[1])
    np.testing.assert_array_equal(after[[0, 2]], before[[0, 2]])


def test_a_diverged_model_is_nan_throughout_its_folded_layers_and_the_snapshot_is_untouched():
    """With relu and no BN the later layers' folded Wᵀ and b can be views of the snapshot (hidden [1]): marking a
    diverged model NaN must not write into it; the other models' folded layers are as before."""
    rng = np.random.default_rng(3)
    net = MultiLayerNet(12, [1, 5], 4, activation="relu", weight_init_std=0.5, n_models=3, rng=rng)
    before = inference.folded_layers(net, inference.snapshot(net))
    net.params["W2"][1, 0, 0] = np.inf
    snap = inference.snapshot(net)
    theta = snap.theta.copy()
    layers = inference.folded_layers(net, snap)
    np.testing.assert_array_equal(snap.theta, theta)
    for (W, b), (W0, b0) in zip(layers, before):
        assert np.isnan(W[1]).all() and (b is None or np.isnan(b[1]).all())
        np.testing.assert_array_equal(W[[0, 2]], W0[[0, 2]])
        if b is not None:
            np.testing.assert_array_equal(b[[0, 2]], b0[[0, 2]])


@pytest.mark.parametrize("chunk", [1, 7, 33, 2000])
def test_accuracy_does_not_depend_on_chunk_and_matches_argmax(chunk):
    net, rng = _trained_net(4, [False, True, True, False], "sigmoid")
    x = rng.random((33, 12))
    t = rng.integers(0, 4, 33)
    expected = (net.predict(x, train=False).argmax(-1) == t).mean(-1)
    np.testing.assert_array_equal(net.accuracy(x, t, batch=chunk), expected)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_count_correct_is_argmax_with_the_first_of_tied_maxima(dtype):
    rng = np.random.default_rng(5)
    K, C, B = 3, 10, 500
    z = rng.integers(-3, 4, (K, C, B)).astype(dtype)       # few distinct values: many ties, also with the label
    z[1] = rng.standard_normal((C, B))
    z[2, :, :50] = 0                                       # all tied: only label 0 counts
    for t in (rng.integers(0, C, B), np.zeros(B, np.uint8), np.full(B, C - 1)):
        got = inference._count_correct(z, t)
        np.testing.assert_array_equal(got, (z.argmax(axis=1) == t).sum(axis=-1))
    assert inference._count_correct(z[:, :, :1] * 0, np.array([1]))[0] == 0      # tie with class 0: class 0 wins


def test_eval_set_scales_integer_pixels_and_appends_the_bias_row():
    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 256, (50, 12)).astype(np.uint8)
    data = inference.eval_set(pixels, np.eye(4)[rng.integers(0, 4, 50)], "float32", scale=1 / 255)
    assert data.xT.shape == (13, 50) and data.xT.dtype == np.float32 and data.t.shape == (50,)
    np.testing.assert_array_equal(data.xT[:12], (pixels.astype(np.float32) * np.float32(1 / 255)).T)
    np.testing.assert_array_equal(data.xT[12], 1)


def test_snapshot_is_a_copy():
    net, rng = _trained_net(2, True, "sigmoid")
    x, t = rng.random((20, 12)), rng.integers(0, 4, 20)
    snap, data = inference.snapshot(net), inference.eval_set(x, t, net.dtype)
    before = inference.accuracy(net, snap, data)
    logits_before = inference.logits(net, inference.folded_layers(net, snap), data.xT)
    net.theta[...] = 0                                  # training goes on: the snapshot must not see it
    net.buffers["running_var1"][...] = 7
    np.testing.assert_array_equal(inference.logits(net, inference.folded_layers(net, snap), data.xT), logits_before)
    np.testing.assert_array_equal(inference.accuracy(net, snap, data), before)


def test_saturated_sigmoid_gives_no_warning():
    net, rng = _trained_net(None, False, "sigmoid", dtype="float32")
    net.params["W1"][...] = 1e4                         # tanh(±huge) = ±1: σ is exactly 0 or 1, no warning
    x = np.stack([np.full(12, 1.0), np.full(12, -1.0)]).astype(np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        xT = inference.eval_set(x, np.zeros(2), net.dtype).xT
        got = inference.logits(net, inference.folded_layers(net, inference.snapshot(net)), xT)[0].T
    np.testing.assert_allclose(got, net.predict(x, train=False), rtol=1e-5, atol=1e-5)


def test_training_moves_only_the_running_statistics_of_models_with_batchnorm():
    # models 0 and 2 of 3 have the layer (a mask, not a slice): the masked path moved model 1's buffers too (a review)
    net = MultiLayerNet(8, [6, 5], 4, n_models=3, use_batchnorm=[True, False, True], rng=0)
    x = np.random.default_rng(0).random((3, 5, 8))
    net.gradient(x, np.array([0, 1, 2, 3, 2]))
    for name, buf in net.buffers.items():
        assert not buf[1].any(), name
        assert buf[0].any() and buf[2].any(), name
