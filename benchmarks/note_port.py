"""Faithful NumPy port of the note's own training loop (the reference side).

The note (``/work/shared/seed/learning-rate-optimizers-note.ja.md``) trains the
"Deep Learning from Scratch" course network

    MultiLayerNet(784, [40, 20], 10, activation='sigmoid', weight_init_std=0.01)

for 1000 iterations with SGD, Momentum, AdaGrad, RMSProp, Adam and Adam with
batch normalization.  This module re-implements the course-style layer objects
and the note's loop *including its costs*, so it can serve as the "how the note
runs" baseline of the speed benchmark:

* float64 everywhere (course weights are ``np.random.randn`` float64),
* parameters in a dict ``'W1'..'b3'`` that the layers share by reference and
  that the loop updates in place, key by key,
* layers in an ``OrderedDict`` of Affine / [BatchNormalization] / Sigmoid
  objects plus a SoftmaxWithLoss last layer,
* the first Affine layer computes ``dx`` too (the course Affine always does),
* ``network.loss`` evaluated inside the per-key loop, exactly as the note
  does: 6 extra forward passes per iteration (test-mode, results appended to a
  list and never used for training),
* one-hot labels (``load_mnist(one_hot_label=True)``) and ``network.accuracy``
  on the full test set and on the minibatch every ``eval_interval`` iterations
  (``accuracy`` arg-maxes the one-hot labels every time, as the course does),
* batches drawn with replacement: ``rng.choice(train_size, batch_size)``.

Deviation from the note: the note uses the global ``np.random`` state; here a
fresh ``np.random.default_rng(seed)`` is created for every run (weights first,
then batches), so all 6 runs share the same initial weights and batch sequence.

Written from the note and the course's published layer semantics; not copied.
"""

from __future__ import annotations

import time
from collections import OrderedDict

import numpy as np

__all__ = [
    "RUN_NAMES",
    "MultiLayerNet",
    "prepare_note_data",
    "run_note_experiment",
    "run_note_single",
]

# Order in which the note presents its runs.
RUN_NAMES = ("sgd", "momentum", "adagrad", "rmsprop", "adam", "adam_bn")

PARAM_KEYS = ("W1", "W2", "W3", "b1", "b2", "b3")  # the note's update order


# --------------------------------------------------------------------------
# course-style functions and layers
# --------------------------------------------------------------------------

def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def softmax(x):
    if x.ndim == 2:
        x = x.T
        x = x - np.max(x, axis=0)
        y = np.exp(x) / np.sum(np.exp(x), axis=0)
        return y.T
    x = x - np.max(x)
    return np.exp(x) / np.sum(np.exp(x))


def cross_entropy_error(y, d):
    if y.ndim == 1:
        d = d.reshape(1, d.size)
        y = y.reshape(1, y.size)
    if d.size == y.size:  # one-hot teacher -> label index
        d = d.argmax(axis=1)
    batch_size = y.shape[0]
    return -np.sum(np.log(y[np.arange(batch_size), d] + 1e-7)) / batch_size


class Affine:
    def __init__(self, W, b):
        self.W = W
        self.b = b
        self.x = None
        self.original_x_shape = None
        self.dW = None
        self.db = None

    def forward(self, x):
        self.original_x_shape = x.shape
        x = x.reshape(x.shape[0], -1)
        self.x = x
        return np.dot(self.x, self.W) + self.b

    def backward(self, dout):
        dx = np.dot(dout, self.W.T)  # computed even for the first layer
        self.dW = np.dot(self.x.T, dout)
        self.db = np.sum(dout, axis=0)
        return dx.reshape(*self.original_x_shape)


class Sigmoid:
    def __init__(self):
        self.out = None

    def forward(self, x):
        out = sigmoid(x)
        self.out = out
        return out

    def backward(self, dout):
        return dout * (1.0 - self.out) * self.out


class BatchNormalization:
    """Course BN: momentum 0.9 for running stats (which start at 0), eps 10e-7."""

    def __init__(self, gamma, beta, momentum=0.9, running_mean=None, running_var=None):
        self.gamma = gamma
        self.beta = beta
        self.momentum = momentum
        self.input_shape = None
        self.running_mean = running_mean
        self.running_var = running_var
        self.batch_size = None
        self.xc = None
        self.xn = None
        self.std = None
        self.dgamma = None
        self.dbeta = None

    def forward(self, x, train_flg=True):
        self.input_shape = x.shape
        if x.ndim != 2:
            x = x.reshape(x.shape[0], -1)
        out = self._forward(x, train_flg)
        return out.reshape(*self.input_shape)

    def _forward(self, x, train_flg):
        if self.running_mean is None:
            _, D = x.shape
            self.running_mean = np.zeros(D)
            self.running_var = np.zeros(D)
        if train_flg:
            mu = x.mean(axis=0)
            xc = x - mu
            var = np.mean(xc ** 2, axis=0)
            std = np.sqrt(var + 10e-7)
            xn = xc / std
            self.batch_size = x.shape[0]
            self.xc = xc
            self.xn = xn
            self.std = std
            self.running_mean = self.momentum * self.running_mean + (1 - self.momentum) * mu
            self.running_var = self.momentum * self.running_var + (1 - self.momentum) * var
        else:
            xc = x - self.running_mean
            xn = xc / (np.sqrt(self.running_var + 10e-7))
        return self.gamma * xn + self.beta

    def backward(self, dout):
        if dout.ndim != 2:
            dout = dout.reshape(dout.shape[0], -1)
        dbeta = dout.sum(axis=0)
        dgamma = np.sum(self.xn * dout, axis=0)
        dxn = self.gamma * dout
        dxc = dxn / self.std
        dstd = -np.sum((dxn * self.xc) / (self.std * self.std), axis=0)
        dvar = 0.5 * dstd / self.std
        dxc += (2.0 / self.batch_size) * self.xc * dvar
        dmu = np.sum(dxc, axis=0)
        dx = dxc - dmu / self.batch_size
        self.dgamma = dgamma
        self.dbeta = dbeta
        return dx.reshape(*self.input_shape)


class SoftmaxWithLoss:
    def __init__(self):
        self.loss = None
        self.y = None
        self.d = None

    def forward(self, x, d):
        self.d = d
        self.y = softmax(x)
        self.loss = cross_entropy_error(self.y, self.d)
        return self.loss

    def backward(self, dout=1):
        batch_size = self.d.shape[0]
        if self.d.size == self.y.size:  # one-hot teacher
            dx = (self.y - self.d) / batch_size
        else:
            dx = self.y.copy()
            dx[np.arange(batch_size), self.d] -= 1
            dx = dx / batch_size
        return dx


class MultiLayerNet:
    """Course MultiLayerNet (no dropout / weight decay terms are used here,
    but the weight-decay sum over W is kept in ``loss`` as the course does)."""

    def __init__(self, input_size, hidden_size_list, output_size, activation="sigmoid",
                 weight_init_std=0.01, weight_decay_lambda=0, use_batchnorm=False, rng=None):
        if activation != "sigmoid":
            raise ValueError("only the note's sigmoid network is ported")
        self.rng = np.random.default_rng() if rng is None else rng
        self.input_size = input_size
        self.output_size = output_size
        self.hidden_size_list = list(hidden_size_list)
        self.hidden_layer_num = len(hidden_size_list)
        self.weight_decay_lambda = weight_decay_lambda
        self.use_batchnorm = use_batchnorm
        self.params = {}

        self._init_weight(weight_init_std)

        self.layers = OrderedDict()
        for idx in range(1, self.hidden_layer_num + 1):
            self.layers["Affine" + str(idx)] = Affine(self.params["W" + str(idx)],
                                                      self.params["b" + str(idx)])
            if self.use_batchnorm:
                self.params["gamma" + str(idx)] = np.ones(hidden_size_list[idx - 1])
                self.params["beta" + str(idx)] = np.zeros(hidden_size_list[idx - 1])
                self.layers["BatchNorm" + str(idx)] = BatchNormalization(
                    self.params["gamma" + str(idx)], self.params["beta" + str(idx)])
            self.layers["Activation_function" + str(idx)] = Sigmoid()
        idx = self.hidden_layer_num + 1
        self.layers["Affine" + str(idx)] = Affine(self.params["W" + str(idx)],
                                                  self.params["b" + str(idx)])
        self.last_layer = SoftmaxWithLoss()

    def _init_weight(self, weight_init_std):
        sizes = [self.input_size] + self.hidden_size_list + [self.output_size]
        for idx in range(1, len(sizes)):
            scale = weight_init_std
            if str(weight_init_std).lower() in ("relu", "he"):
                scale = np.sqrt(2.0 / sizes[idx - 1])
            elif str(weight_init_std).lower() in ("sigmoid", "xavier"):
                scale = np.sqrt(1.0 / sizes[idx - 1])
            self.params["W" + str(idx)] = scale * self.rng.standard_normal((sizes[idx - 1], sizes[idx]))
            self.params["b" + str(idx)] = np.zeros(sizes[idx])

    def predict(self, x, train_flg=False):
        for key, layer in self.layers.items():
            if "Dropout" in key or "BatchNorm" in key:
                x = layer.forward(x, train_flg)
            else:
                x = layer.forward(x)
        return x

    def loss(self, x, d, train_flg=False):
        y = self.predict(x, train_flg)
        weight_decay = 0
        for idx in range(1, self.hidden_layer_num + 2):
            W = self.params["W" + str(idx)]
            weight_decay += 0.5 * self.weight_decay_lambda * np.sum(W ** 2)
        return self.last_layer.forward(y, d) + weight_decay

    def accuracy(self, x, d):
        y = self.predict(x, train_flg=False)
        y = np.argmax(y, axis=1)
        if d.ndim != 1:
            d = np.argmax(d, axis=1)
        return np.sum(y == d) / float(x.shape[0])

    def gradient(self, x, d):
        self.loss(x, d, train_flg=True)
        dout = self.last_layer.backward(1)
        for layer in reversed(list(self.layers.values())):
            dout = layer.backward(dout)
        grads = {}
        for idx in range(1, self.hidden_layer_num + 2):
            grads["W" + str(idx)] = (self.layers["Affine" + str(idx)].dW
                                     + self.weight_decay_lambda * self.params["W" + str(idx)])
            grads["b" + str(idx)] = self.layers["Affine" + str(idx)].db
        if self.use_batchnorm:
            for idx in range(1, self.hidden_layer_num + 1):
                grads["gamma" + str(idx)] = self.layers["BatchNorm" + str(idx)].dgamma
                grads["beta" + str(idx)] = self.layers["BatchNorm" + str(idx)].dbeta
        return grads


# --------------------------------------------------------------------------
# the note's loop
# --------------------------------------------------------------------------

def _one_hot(y, n_classes=10):
    t = np.zeros((y.shape[0], n_classes), dtype=np.float64)
    t[np.arange(y.shape[0]), y] = 1.0
    return t


def prepare_note_data(x_train, y_train, x_test, y_test):
    """``load_mnist(normalize=True, one_hot_label=True)`` equivalent, float64.

    ``x_*`` may be uint8 pixel arrays (N, 784) / (N, 28, 28) or floats already
    in [0, 1]; ``y_*`` are integer labels.  Returns float64 x and one-hot float64 d.
    """
    def _x(x):
        x = np.asarray(x)
        x = x.reshape(x.shape[0], -1)
        if x.dtype == np.uint8:
            return x.astype(np.float64) / 255.0
        return x.astype(np.float64, copy=False)

    n_classes = int(max(np.max(y_train), np.max(y_test))) + 1
    n_classes = max(n_classes, 10)
    return (_x(x_train), _one_hot(np.asarray(y_train), n_classes),
            _x(x_test), _one_hot(np.asarray(y_test), n_classes))


def run_note_single(name, x_train, d_train, x_test, d_test, seed=0, iters=1000,
                    batch_size=100, eval_interval=10, verbose=False):
    """One of the note's six cells.  ``d_*`` are one-hot float64."""
    if name not in RUN_NAMES:
        raise ValueError(f"unknown run {name!r}; expected one of {RUN_NAMES}")
    rng = np.random.default_rng(seed)
    use_batchnorm = name == "adam_bn"
    network = MultiLayerNet(input_size=x_train.shape[1], hidden_size_list=[40, 20],
                            output_size=d_train.shape[1], activation="sigmoid",
                            weight_init_std=0.01, use_batchnorm=use_batchnorm, rng=rng)

    learning_rate = {"sgd": 0.01, "momentum": 0.3, "adagrad": 0.1, "rmsprop": 0.01,
                     "adam": 0.01, "adam_bn": 0.01}[name]
    momentum = 0.9
    decay_rate = 0.99
    beta1, beta2 = 0.9, 0.999

    train_size = x_train.shape[0]
    train_loss_list = []
    accuracies_train = []
    accuracies_test = []
    state_a = {}  # v (momentum), h (adagrad/rmsprop), m (adam)
    state_b = {}  # v (adam)

    for i in range(iters):
        batch_mask = rng.choice(train_size, batch_size)
        x_batch = x_train[batch_mask]
        d_batch = d_train[batch_mask]

        grad = network.gradient(x_batch, d_batch)

        if name == "sgd":
            for key in PARAM_KEYS:
                network.params[key] -= learning_rate * grad[key]
                loss = network.loss(x_batch, d_batch)
                train_loss_list.append(loss)
        elif name == "momentum":
            for key in PARAM_KEYS:
                if i == 0:
                    state_a[key] = np.zeros_like(network.params[key])
                state_a[key] = momentum * state_a[key] - learning_rate * grad[key]
                network.params[key] += state_a[key]
                loss = network.loss(x_batch, d_batch)
                train_loss_list.append(loss)
        elif name == "adagrad":
            for key in PARAM_KEYS:
                if i == 0:
                    state_a[key] = np.full_like(network.params[key], 1e-4)
                else:
                    state_a[key] += np.square(grad[key])
                network.params[key] -= learning_rate * grad[key] / (np.sqrt(state_a[key]))
                loss = network.loss(x_batch, d_batch)
                train_loss_list.append(loss)
        elif name == "rmsprop":
            for key in PARAM_KEYS:
                if i == 0:
                    state_a[key] = np.zeros_like(network.params[key])
                state_a[key] *= decay_rate
                state_a[key] += (1 - decay_rate) * np.square(grad[key])
                network.params[key] -= learning_rate * grad[key] / (np.sqrt(state_a[key]) + 1e-7)
                loss = network.loss(x_batch, d_batch)
                train_loss_list.append(loss)
        else:  # adam, adam_bn (gamma/beta are never updated, as in the note)
            learning_rate_t = learning_rate * np.sqrt(1.0 - beta2 ** (i + 1)) / (1.0 - beta1 ** (i + 1))
            for key in PARAM_KEYS:
                if i == 0:
                    state_a[key] = np.zeros_like(network.params[key])
                    state_b[key] = np.zeros_like(network.params[key])
                state_a[key] += (1 - beta1) * (grad[key] - state_a[key])
                state_b[key] += (1 - beta2) * (grad[key] ** 2 - state_b[key])
                network.params[key] -= learning_rate_t * state_a[key] / (np.sqrt(state_b[key]) + 1e-7)
                loss = network.loss(x_batch, d_batch)
                train_loss_list.append(loss)

        if (i + 1) % eval_interval == 0:
            accr_test = network.accuracy(x_test, d_test)
            accuracies_test.append(accr_test)
            accr_train = network.accuracy(x_batch, d_batch)
            accuracies_train.append(accr_train)
            if verbose:
                print(f"[note:{name}] iter {i + 1}: train {accr_train:.3f} test {accr_test:.3f}")

    return {
        "final_test_acc": float(accuracies_test[-1]) if accuracies_test else float("nan"),
        "test_acc": [float(a) for a in accuracies_test],
        "train_acc": [float(a) for a in accuracies_train],
        "eval_iters": list(range(eval_interval, iters + 1, eval_interval)),
        "final_loss": float(train_loss_list[-1]) if train_loss_list else float("nan"),
    }


def run_note_experiment(x_train, y_train, x_test, y_test, seed=0, iters=1000,
                        batch_size=100, eval_interval=10, runs=RUN_NAMES, verbose=False):
    """All six runs of the note.  ``x_*``: uint8 pixels or float64 in [0, 1];
    ``y_*``: int labels (converted to one-hot here, as the note loads them).

    Returns ``{"side": "note", "runs": {name: {"final_test_acc", "test_acc",
    "train_acc", "eval_iters", ...}}, "run_seconds": {name: s}}``.
    """
    xtr, dtr, xte, dte = prepare_note_data(x_train, y_train, x_test, y_test)
    out = {"side": "note", "runs": {}, "run_seconds": {}}
    with np.errstate(over="ignore"):  # course sigmoid overflows harmlessly in exp(-x)
        for name in runs:
            t0 = time.perf_counter()
            out["runs"][name] = run_note_single(name, xtr, dtr, xte, dte, seed=seed, iters=iters,
                                                batch_size=batch_size,
                                                eval_interval=eval_interval, verbose=verbose)
            out["run_seconds"][name] = time.perf_counter() - t0
    return out
