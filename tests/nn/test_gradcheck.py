"""Backpropagation against central differences, float64: every layer and the whole network."""

import numpy as np
import pytest

from optimlab.nn import (Affine, BatchNormalization, MultiLayerNet, ReLU, Sigmoid, SoftmaxWithLoss, gradient_check,
                         numerical_gradient)
from optimlab.nn.layers import flush_subnormals, row_max

TOL = 1e-6


def _layer_check(layer, x, params=()):
    """Check d(sum(y * r))/dx and /dparams for a random projection r of the output."""
    rng = np.random.default_rng(42)
    y = layer.forward(x, True)
    r = rng.standard_normal(y.shape)
    f = lambda: float(np.sum(layer.forward(x, True) * r))  # noqa: E731
    layer.forward(x, True)
    dx = layer.backward(r)
    errors = {}
    if dx is not None:
        errors["x"] = gradient_check(dx, numerical_gradient(f, x))
    for name, p, dp in params:
        layer.forward(x, True)
        layer.backward(r)
        analytic = dp.copy()
        errors[name] = gradient_check(analytic, numerical_gradient(f, p))
    return errors


@pytest.mark.parametrize("K", [None, 3])
def test_affine(K):
    rng = np.random.default_rng(0)
    lead = () if K is None else (K,)
    W, b = rng.standard_normal(lead + (5, 4)), rng.standard_normal(lead + (1, 4))
    dW, db = np.zeros_like(W), np.zeros_like(b)
    x = rng.standard_normal(lead + (6, 5))
    errs = _layer_check(Affine(W, b, dW, db), x, [("W", W, dW), ("b", b, db)])
    assert max(errs.values()) < TOL, errs


def test_affine_shared_input_for_k_models():
    """One (B, in) batch feeding K models (a matmul per model, see Affine): it must agree with K separate matmuls."""
    rng = np.random.default_rng(1)
    W, b = rng.standard_normal((3, 5, 4)), rng.standard_normal((3, 1, 4))
    dW, db = np.zeros_like(W), np.zeros_like(b)
    x = rng.standard_normal((6, 5))
    layer = Affine(W, b, dW, db, need_dx=False)
    y = layer.forward(x)
    np.testing.assert_allclose(y, np.stack([x @ W[k] + b[k] for k in range(3)]), rtol=1e-12)
    errs = _layer_check(layer, x, [("W", W, dW), ("b", b, db)])
    assert max(errs.values()) < TOL, errs


@pytest.mark.parametrize("layer_cls", [Sigmoid, ReLU])
@pytest.mark.parametrize("K", [None, 2])
def test_activations(layer_cls, K):
    rng = np.random.default_rng(2)
    x = rng.standard_normal(((K,) if K else ()) + (6, 5))
    x[np.abs(x) < 1e-3] = 0.5    # keep ReLU away from its kink
    assert _layer_check(layer_cls(), x)["x"] < TOL


def test_sigmoid_saturates_without_overflow_warning():
    s = Sigmoid()
    with np.errstate(all="raise"):
        y = s.forward(np.array([[-1000.0, 0.0, 1000.0]]))
    np.testing.assert_array_equal(y, [[0.0, 0.5, 1.0]])


@pytest.mark.parametrize("active", [slice(1, 3), np.array([True, False, True, False]).reshape(-1, 1, 1)],
                         ids=["slice", "mask"])
def test_batchnorm_for_some_models_of_a_stack(active):
    """Models with and without batch normalization in one stack: the active ones normalize (gradients as
    usual), the others pass x through (dx = dout) and get zero γ, β gradients."""
    rng = np.random.default_rng(4)
    K = 4
    g, bt = 1 + 0.1 * rng.standard_normal((K, 1, 4)), 0.1 * rng.standard_normal((K, 1, 4))
    dg, dbt = np.zeros_like(g), np.zeros_like(bt)
    rm, rv = np.zeros((K, 1, 4)), np.ones((K, 1, 4))
    x = rng.standard_normal((K, 7, 4)) * 3 + 1
    layer = BatchNormalization(g, bt, dg, dbt, rm, rv, active=active)
    errs = _layer_check(layer, x, [("gamma", g, dg), ("beta", bt, dbt)])
    assert max(errs.values()) < TOL, errs
    on = np.arange(K)[active] if isinstance(active, slice) else np.flatnonzero(active.ravel())
    off = np.setdiff1d(np.arange(K), on)
    assert not dg[off].any() and not dbt[off].any() and dg[on].any()
    y = layer.forward(x, True)
    np.testing.assert_array_equal(y[off], x[off])


@pytest.mark.parametrize("K", [None, 3])
def test_batchnorm(K):
    rng = np.random.default_rng(3)
    lead = () if K is None else (K,)
    g, bt = 1 + 0.1 * rng.standard_normal(lead + (1, 4)), 0.1 * rng.standard_normal(lead + (1, 4))
    dg, dbt = np.zeros_like(g), np.zeros_like(bt)
    rm, rv = np.zeros(lead + (1, 4)), np.ones(lead + (1, 4))
    x = rng.standard_normal(lead + (7, 4)) * 3 + 1
    errs = _layer_check(BatchNormalization(g, bt, dg, dbt, rm, rv), x, [("gamma", g, dg), ("beta", bt, dbt)])
    assert max(errs.values()) < TOL, errs


def test_batchnorm_eval_uses_running_statistics():
    rm, rv = np.full((1, 2), 3.0), np.full((1, 2), 4.0)
    bn = BatchNormalization(np.ones((1, 2)), np.zeros((1, 2)), np.zeros((1, 2)), np.zeros((1, 2)), rm, rv, eps=0.0)
    np.testing.assert_allclose(bn.forward(np.array([[5.0, 1.0]]), train=False), [[1.0, -1.0]])
    bn.forward(np.array([[0.0, 0.0], [2.0, 2.0]]), train=True)       # batch mean 1, var 1
    np.testing.assert_allclose(rm, 0.9 * 3 + 0.1 * 1)
    np.testing.assert_allclose(rv, 0.9 * 4 + 0.1 * 1)


def test_softmax_with_loss_value_and_gradient():
    rng = np.random.default_rng(4)
    z, t = rng.standard_normal((2, 5, 3)), np.array([0, 2, 1, 1, 0])
    layer = SoftmaxWithLoss()
    loss = layer.forward(z, t)
    p = np.exp(z) / np.exp(z).sum(-1, keepdims=True)
    np.testing.assert_allclose(loss, -np.log(p[:, np.arange(5), t]).mean(-1))
    d = layer.backward()
    num = numerical_gradient(lambda: float(layer.forward(z, t).sum()), z)
    assert gradient_check(d, num) < TOL


def test_softmax_is_stable_for_large_logits_and_keeps_nan():
    """The max is subtracted (large logits give finite losses); a model with a NaN logit gets a NaN loss,
    the others are untouched — this is how a diverging run is detected."""
    z = np.array([[[1000.0, 0.0, -1000.0], [0.0, 2000.0, 1.0]],
                  [[np.nan, 0.0, 1.0], [0.0, 1.0, 2.0]]], dtype=np.float32)
    loss = SoftmaxWithLoss().forward(z, np.array([0, 2]))
    assert np.isnan(loss[1])
    np.testing.assert_allclose(loss[0], (0.0 + 1999.0) / 2)


@pytest.mark.parametrize("shape", [(100, 10), (6, 100, 10), (23, 100, 10), (2, 300, 16), (4, 100, 17), (300, 1)])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_row_max_is_numpys_max(shape, dtype):
    """The softmax's row maximum, a running np.maximum over short rows, is z.max(axis=-1) exactly, NaN and ±inf
    included (the loss of a diverged model stays NaN). (Which zero a row of +0 and −0 gives does not matter: the
    shifted logits and the loss are the same either way.)"""
    rng = np.random.default_rng(1)
    z = rng.standard_normal(shape).astype(dtype)
    flat = z.reshape(-1)
    flat[rng.integers(0, flat.size, 12)] = [np.nan, np.inf, -np.inf, 0.0, -0.0, 1e38, -1e38, np.nan, np.inf,
                                            -np.inf, -0.0, 0.0]
    z[..., 0, :] = -np.inf                                  # a row of −inf
    got, want = row_max(z), z.max(axis=-1, keepdims=True)
    assert got.shape == want.shape and got.dtype == want.dtype
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("K", [None, 3])
@pytest.mark.parametrize("batchnorm", [False, True])
@pytest.mark.parametrize("activation", ["sigmoid", "relu"])
def test_whole_network(K, batchnorm, activation):
    rngs = np.random.default_rng(0) if K is None else [np.random.default_rng(i) for i in range(K)]
    net = MultiLayerNet(6, [5, 4], 3, activation=activation, weight_init_std="xavier", use_batchnorm=batchnorm,
                        dtype="float64", n_models=K, rng=rngs)
    x = np.random.default_rng(1).standard_normal((7, 6))
    t = np.array([0, 1, 2, 0, 1, 2, 1])
    grads = {k: v.copy() for k, v in net.gradient(x, t).items()}
    assert set(grads) == set(net.params)
    if batchnorm:
        assert {"gamma1", "beta1", "gamma2", "beta2"} <= set(grads)
    for name, p in net.params.items():
        err = gradient_check(grads[name], numerical_gradient(lambda: net.loss(x, t, train=True).sum(), p))
        assert err < TOL, (name, err)


def test_stacked_models_equal_single_models():
    """K models in one network give exactly what K separate networks give (float64)."""
    x = np.random.default_rng(5).standard_normal((8, 6))
    t = np.arange(8) % 3
    stacked = MultiLayerNet(6, [5], 3, weight_init_std=0.5, use_batchnorm=True, dtype="float64", n_models=2,
                            rng=[np.random.default_rng(10), np.random.default_rng(11)])
    loss = stacked.loss_and_grad(x, t)
    for k, seed in enumerate((10, 11)):
        single = MultiLayerNet(6, [5], 3, weight_init_std=0.5, use_batchnorm=True, dtype="float64",
                               rng=np.random.default_rng(seed))
        np.testing.assert_allclose(single.loss_and_grad(x, t), loss[k], rtol=1e-13)
        np.testing.assert_allclose(single.grad, stacked.grad[k], rtol=1e-11, atol=1e-14)


def test_frozen_bn_affine_is_laid_out_after_trainable_parameters():
    net = MultiLayerNet(4, [3], 2, use_batchnorm=True, freeze_bn_affine=True, rng=0)
    assert net.n_trainable == 4 * 3 + 3 + 3 * 2 + 2
    assert net.n_params == net.n_trainable + 2 * 3
    assert not np.shares_memory(net.trainable(), net.params["gamma1"])
    net2 = MultiLayerNet(4, [3], 2, use_batchnorm=True, rng=0)
    assert np.shares_memory(net2.trainable(), net2.params["gamma1"])


def test_init_scales():
    net = MultiLayerNet(100, [50], 10, weight_init_std="he", rng=0, dtype="float64")
    assert abs(net.params["W1"].std() - np.sqrt(2 / 100)) < 0.01
    net = MultiLayerNet(100, [50], 10, weight_init_std="xavier", rng=0, dtype="float64")
    assert abs(net.params["W2"].std() - np.sqrt(1 / 50)) < 0.02
    assert np.all(net.params["b1"] == 0)


@pytest.mark.parametrize("kwargs", [dict(activation="tanh"), dict(weight_init_std=-1), dict(weight_init_std="lecun"),
                                    dict(dtype="float16"), dict(n_models=0)])
def test_bad_network_settings(kwargs):
    from optimlab.errors import ConfigError

    with pytest.raises(ConfigError):
        MultiLayerNet(4, [3], 2, **kwargs)


@pytest.mark.parametrize("flags", [True, [True, False, True], [False, True, True]])
def test_bias_before_batchnorm_has_exactly_zero_gradient(flags):
    """Batch normalization subtracts the batch mean, and with it the bias of the layer before: ∂L/∂b is 0. Computed,
    it was rounding noise in float32 that Adam divides by its own square root into steps of about lr: this test's
    run moved b1 and b2 by up to 6e-4 and 3e-3 (the old code, measured). It is written as 0, for the models with
    batch normalization only (a mask and a slice of the stack), and the output layer's bias still learns."""
    from optimlab.optim import Adam

    net = MultiLayerNet(6, [5, 4], 3, weight_init_std="xavier", use_batchnorm=flags, n_models=3,
                        rng=[np.random.default_rng(i) for i in range(3)])
    bn = np.array([True] * 3 if flags is True else flags)
    rng = np.random.default_rng(1)
    opt, state = Adam(lr=0.01), None
    state = opt.init(net.params)
    for _ in range(100):
        x = rng.standard_normal((16, 6)).astype(np.float32)
        t = rng.integers(0, 3, 16)
        net.loss_and_grad(x, t)
        for name in ("b1", "b2"):
            assert np.all(net.grads[name][bn] == 0) and np.all(net.grads[name][~bn] != 0), name
        state = opt.update(net.params, net.grads, state)
    for name in ("b1", "b2"):
        assert np.all(net.params[name][bn] == 0) and np.all(np.abs(net.params[name][~bn]) > 1e-3), name
    assert np.all(np.abs(net.params["b3"]) > 1e-3)


def test_relu_of_minus_infinity_is_zero_as_in_the_evaluation():
    y = ReLU().forward(np.array([-np.inf, -1.0, 0.0, 2.0, np.inf, np.nan], dtype=np.float32))
    np.testing.assert_array_equal(y, np.array([0, 0, 0, 2, np.inf, np.nan], dtype=np.float32))
    assert y.dtype == np.float32


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_flush_subnormals_zeroes_only_subnormals_and_keeps_nan(dtype):
    """Values below the smallest normal number become 0 (both signs); the smallest normal, inf and NaN stay — a
    NaN gradient is how a diverging run shows."""
    tiny = np.finfo(dtype).tiny
    below = np.nextafter(tiny, 0, dtype=dtype)
    a = np.array([tiny, -tiny, below, -below, tiny / 1000, 0, 1, np.inf, -np.inf, np.nan], dtype=dtype)
    out = flush_subnormals(a)
    assert out is a
    np.testing.assert_array_equal(a, np.array([tiny, -tiny, 0, 0, 0, 0, 1, np.inf, -np.inf, np.nan], dtype=dtype))


def test_sigmoid_and_softmax_gradients_have_no_subnormals():
    """A saturated sigmoid's slope y(1 − y) ≈ e^−|x| times a small upstream gradient, and a confident softmax's
    probability e^(z − max), fall below float32's smallest normal number: those gradients are exactly 0 (x86
    CPUs compute with subnormal operands several times slower), the others exactly as before."""
    x = np.array([[-80.0, -2.0, 0.0, 3.0]], dtype=np.float32)
    s = Sigmoid()
    y = s.forward(x)
    dout = np.full_like(x, 1e-5)
    expected = (1 - y) * y * dout
    assert 0 < abs(expected[0, 0]) < np.finfo(np.float32).tiny          # would be subnormal
    d = s.backward(dout)
    assert d[0, 0] == 0
    np.testing.assert_array_equal(d[0, 1:], expected[0, 1:])

    z = np.array([[0.0, 95.0, 1.0], [1.0, 2.0, 3.0]], dtype=np.float32)
    layer = SoftmaxWithLoss()
    layer.forward(z, np.array([1, 2]))
    d = layer.backward()
    p = np.exp(z - z.max(-1, keepdims=True)) / np.exp(z - z.max(-1, keepdims=True)).sum(-1, keepdims=True)
    assert 0 < p[0, 0] / 2 < np.finfo(np.float32).tiny
    assert d[0, 0] == 0 and d[0, 2] == 0
    assert np.all((d == 0) | (np.abs(d) >= np.finfo(np.float32).tiny))
    np.testing.assert_allclose(d[1], (p[1] - [0, 0, 1]) / 2, rtol=1e-6)


def test_saturated_network_feeds_no_subnormal_gradient_to_its_weight_matmuls():
    """Large initial weights saturate every sigmoid: each gradient arriving at an affine layer is normal or 0."""
    net = MultiLayerNet(30, [40, 20], 10, weight_init_std=8.0, n_models=3, rng=[np.random.default_rng(i) for i in
                                                                                   range(3)])
    arriving = []
    for layer in net.layers:
        if isinstance(layer, Affine):
            backward = layer.backward
            layer.backward = lambda dout, backward=backward: (arriving.append(dout.copy()), backward(dout))[1]
    rng = np.random.default_rng(0)
    x, t = rng.random((100, 30)).astype(np.float32) * 8, rng.integers(0, 10, 100)
    tiny = np.finfo(np.float32).tiny
    for _ in range(3):
        net.loss_and_grad(x, t)
        net.theta[...] -= 0.5 * net.grad
    assert len(arriving) == 9
    assert all(np.all((d == 0) | (np.abs(d) >= tiny)) for d in arriving)
