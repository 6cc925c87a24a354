"""The folded eval-mode path (optimlab.nn.inference) computes what the layers compute in eval mode."""

import warnings

import numpy as np
import pytest

from optimlab.nn import MultiLayerNet
from optimlab.nn import inference


def _trained_net(n_models, use_batchnorm, activation, dtype="float64", steps=5):
    """A network moved away from its start (and with non-trivial BN statistics) by a few SGD steps."""
    rng = np.random.default_rng(1)
    net = MultiLayerNet(12, [7, 5], 4, activation=activation, weight_init_std=0.5, use_batchnorm=use_batchnorm,
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
    got = inference.logits(net, layers, x)
    if n_models is None:
        got = got[0]
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("chunk", [1, 7, 33, 1000])
def test_accuracy_does_not_depend_on_chunk_and_matches_argmax(chunk):
    net, rng = _trained_net(4, [False, True, True, False], "sigmoid")
    x = rng.random((33, 12))
    t = rng.integers(0, 4, 33)
    expected = (net.predict(x, train=False).argmax(-1) == t).mean(-1)
    np.testing.assert_array_equal(net.accuracy(x, t, batch=chunk), expected)


def test_integer_pixels_are_scaled_per_chunk():
    net, rng = _trained_net(2, False, "sigmoid", dtype="float32")
    pixels = rng.integers(0, 256, (50, 12)).astype(np.uint8)
    t = rng.integers(0, 4, 50)
    snap = inference.snapshot(net)
    as_float = inference.accuracy(net, snap, pixels.astype(np.float32) / np.float32(255), t)
    np.testing.assert_array_equal(inference.accuracy(net, snap, pixels, t, scale=1 / 255, chunk=8), as_float)


def test_snapshot_is_a_copy():
    net, rng = _trained_net(2, True, "sigmoid")
    x, t = rng.random((20, 12)), rng.integers(0, 4, 20)
    snap = inference.snapshot(net)
    before = inference.accuracy(net, snap, x, t)
    logits_before = inference.logits(net, inference.folded_layers(net, snap), x)
    net.theta[...] = 0                                  # training goes on: the snapshot must not see it
    net.buffers["running_var1"][...] = 7
    np.testing.assert_array_equal(inference.logits(net, inference.folded_layers(net, snap), x), logits_before)
    np.testing.assert_array_equal(inference.accuracy(net, snap, x, t), before)


def test_saturated_sigmoid_gives_no_warning_and_exact_limits():
    net, rng = _trained_net(None, False, "sigmoid", dtype="float32")
    net.params["W1"][...] = 1e4                         # exp overflows to inf: 1/(1+inf) = 0, no warning
    x = np.stack([np.full(12, 1.0), np.full(12, -1.0)]).astype(np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = inference.logits(net, inference.folded_layers(net, inference.snapshot(net)), x)[0]
    np.testing.assert_allclose(got, net.predict(x, train=False), rtol=1e-5, atol=1e-5)
