"""Layers, each with its forward right beside its backward.

Every layer accepts arrays with an optional leading model axis: ``x`` is ``(batch, features)`` for one
model or ``(K, batch, features)`` for K models in lockstep, and parameters are ``(in, out)`` or
``(K, in, out)``. Matmuls and reductions run on the last two axes, so one code path serves one model and
a stack of models. Backward passes use the values their forward stored, named as in the textbook.

Parameter gradients are written into preallocated arrays (``dW``, ``db`` …) that the network lays out in
one flat buffer, so an optimizer can update every parameter of every model in one pass.
"""

from __future__ import annotations

import numpy as np


def _sum_batch(a: np.ndarray, out: np.ndarray) -> None:
    """Sum over the batch axis (-2), keeping it, into ``out`` (shape ``(..., 1, n)``)."""
    np.sum(a, axis=-2, keepdims=True, out=out)


def flush_subnormals(a: np.ndarray) -> np.ndarray:
    """Set ``a``'s subnormal values (nonzero, below the dtype's smallest normal number: 1.2e-38 in float32) to 0,
    in place, and return ``a``.

    Gradients are born this small where a unit saturates: a sigmoid's slope y(1 − y) is about e^−|x|, a softmax
    probability e^(z − max). On x86 CPUs every arithmetic operation that meets a subnormal operand takes a slow
    microcode path, and one such value in a gradient is fed to a whole row of a weight-gradient matmul: in the
    sweep's cohort of 23 models (0.3–0.7 % subnormal values), the first layer's weight gradient took 5.3 ms on an
    Intel Xeon, against 1.4 ms on the same shapes with ordinary values (benchmarks/RESULTS.md). A value below
    1.2e-38 cannot move a float32 weight larger than about 1e-31 — ``w − lr·g`` rounds back to ``w`` — so the
    flush changes no such weight (a bias still at exactly 0 stays 0 rather than becoming subnormal); it is what a
    CPU's flush-to-zero mode would do, in NumPy. The default sweep's every loss and accuracy is the same with it."""
    np.copyto(a, 0, where=np.abs(a) < np.finfo(a.dtype).tiny)
    return a


class Affine:
    """``y = x W + b``. ``need_dx=False`` skips the input gradient (the first layer needs none).

    ``cancelled``: the models whose batch normalization right after this layer subtracts the batch mean, and with
    it ``b`` (``True`` for all, a ``slice`` of the model axis or a ``(K, 1, 1)`` mask). Their ``∂L/∂b`` is exactly
    0; computed, it is float32 rounding noise, which Adam divides by its own square root into steps
    of about the learning rate (a 100-step float32 run moved it by up to 3e-3; tests/nn/test_gradcheck.py). It is
    written as 0.

    With K models, each model's matmul is its own BLAS call of the same shape as when it trains alone (an
    input shared by all models is broadcast), so a model's numbers do not depend on which models share its
    stack — bit for bit. One ``(B, in) @ (in, K·out)`` matmul would be no faster here, once the copy it
    needs is counted, and its rounding can change with K.
    """

    def __init__(self, W, b, dW, db, need_dx=True, cancelled=None):
        self.W, self.b, self.dW, self.db, self.need_dx, self.cancelled = W, b, dW, db, need_dx, cancelled
        self.x = None

    def forward(self, x, train=True):
        self.x = x
        y = np.matmul(x, self.W)
        y += self.b
        return y

    def backward(self, dout):
        np.matmul(np.swapaxes(self.x, -1, -2), dout, out=self.dW)
        c = self.cancelled
        if c is True:
            self.db[...] = 0
        else:
            _sum_batch(dout, self.db)
            if isinstance(c, slice):
                self.db[c] = 0
            elif c is not None:
                np.copyto(self.db, 0, where=c)
        if self.need_dx:
            return np.matmul(dout, np.swapaxes(self.W, -1, -2))
        return None


class Sigmoid:
    r""":math:`y = 1/(1+e^{-x})`, :math:`\partial y/\partial x = y(1-y)`; a gradient below float's smallest
    normal number is set to 0 (:func:`flush_subnormals`).

    Computed in place on one new array: :math:`-x`, exp, +1, reciprocal. For very negative x, :math:`e^{-x}`
    overflows to inf and :math:`1/\infty = 0` is the exact float answer; for very positive x it
    underflows to 0 and y is exactly 1. Neither is warned.
    (Training keeps this form, chosen where NumPy's float32 exp was about twice as fast as its tanh, on an AMD
    EPYC; on an Intel Xeon with AVX-512 tanh is the faster, and the evaluation uses it, see
    :mod:`optimlab.nn.inference`. Another form here would change the last bits of every trained number.)
    """

    def forward(self, x, train=True):
        y = np.negative(x)
        with np.errstate(over="ignore", under="ignore"):     # e^(−x) → inf or 0: both give the exact limit
            np.exp(y, out=y)
        y += 1
        np.reciprocal(y, out=y)
        self.y = y
        return y

    def backward(self, dout):
        y = self.y
        d = 1 - y
        d *= y
        d *= dout
        return flush_subnormals(d)                 # a saturated unit's slope underflows (see flush_subnormals)


class ReLU:
    """``y = max(x, 0)``; the gradient passes where ``x > 0``. (``x * (x > 0)`` made −inf·0 = NaN: a run with an
    infinite weight was called diverged by its loss while its evaluation, which uses ``max``, still scored it.)"""

    def forward(self, x, train=True):
        self.mask = x > 0
        return np.maximum(x, 0)

    def backward(self, dout):
        return dout * self.mask


class BatchNormalization:
    r"""Batch normalization (Ioffe & Szegedy 2015) over the batch axis.

    Train mode: :math:`\hat x = (x-\mu_B)/\sqrt{\sigma_B^2+\varepsilon}`, :math:`y = \gamma\hat x + \beta`, and the
    running statistics move toward the batch's: :math:`r \leftarrow m\,r + (1-m)\,\mu_B` (m = ``momentum``,
    0.9 as in the course code; σ_B² is the biased variance, divided by the batch size B, as there, where ``torch.nn.BatchNorm1d`` keeps the unbiased B − 1 in its running variance). Eval mode normalizes with the running statistics. ``gamma`` and ``beta``
    are parameters (trained unless the network freezes them); ``running_mean``/``running_var`` are buffers,
    both starting at 0 as in the course code (PyTorch and Keras start the variance at 1, which with this
    network's small pre-activations makes the first evaluations worse until the start has decayed: Adam + BN on
    Fashion-MNIST, test accuracy at iterations 10 and 20, 0.34 / 0.51 starting at 0, 0.20 / 0.38 at 1).
    ``eps`` is 1e-6: the course code writes ``10e-7``. This eval mode serves ``predict`` and ``loss(train=False)``;
    ``accuracy`` folds the layer into the affine one before it instead (:mod:`optimlab.nn.inference`; the two are
    tested equal in tests/nn/test_inference.py).

    ``active`` (K models only): the models that use this layer, a ``slice`` of the model axis or a boolean
    mask ``(K, 1, 1)``; the others pass through unchanged and their γ, β get zero gradients.

    The textbook layer is :meth:`_forward` and :meth:`_backward`; :meth:`forward` and :meth:`backward` only choose
    the rows of the models that have it.
    """

    def __init__(self, gamma, beta, dgamma, dbeta, running_mean, running_var, momentum=0.9, eps=1e-6, active=None):
        self.gamma, self.beta, self.dgamma, self.dbeta = gamma, beta, dgamma, dbeta
        self.running_mean, self.running_var = running_mean, running_var
        self.momentum, self.eps, self.active = momentum, eps, active

    def forward(self, x, train=True):
        a = self.active
        if a is None:
            return self._forward(x, train, slice(None))
        if isinstance(a, slice):                 # only the active models' rows are normalized
            y = x.copy() if train else x         # eval: x is a fresh temporary, safe to overwrite
            y[a] = self._forward(x[a], train, a)
            return y
        if not train:
            return np.where(a, self._forward(x, train, slice(None)), x)
        moved = self.running_mean.copy(), self.running_var.copy()
        y = np.where(a, self._forward(x, train, slice(None)), x)
        np.copyto(self.running_mean, moved[0], where=~a)     # the other models' buffers stay as they were (a
        np.copyto(self.running_var, moved[1], where=~a)      # review: they held statistics of layers they do not have)
        return y

    def _forward(self, x, train, rows):
        g, b = self.gamma[rows], self.beta[rows]
        rm, rv = self.running_mean[rows], self.running_var[rows]
        if not train:
            scale = g / np.sqrt(rv + self.eps)       # y = γ(x − r_μ)/√(r_σ²+ε) + β, as x·scale + shift
            y = x * scale
            y += b - rm * scale
            return y
        mu = x.mean(axis=-2, keepdims=True)
        xc = x - mu
        var = np.mean(xc * xc, axis=-2, keepdims=True)
        self.std = np.sqrt(var + self.eps)
        self.xn = xc / self.std
        m = self.momentum
        rm *= m; rm += (1 - m) * mu                  # views: updates the buffers in place
        rv *= m; rv += (1 - m) * var
        return g * self.xn + b

    def backward(self, dout):
        a = self.active
        if a is None:
            return self._backward(dout, slice(None))
        if isinstance(a, slice):
            self.dgamma[...] = 0
            self.dbeta[...] = 0
            dx = dout.copy()
            dx[a] = self._backward(dout[a], a)
            return dx
        dx = self._backward(dout, slice(None))
        self.dbeta *= a
        self.dgamma *= a
        return np.where(a, dx, dout)

    def _backward(self, dout, rows):
        xn = self.xn
        _sum_batch(dout, self.dbeta[rows])
        _sum_batch(xn * dout, self.dgamma[rows])
        dxn = dout * self.gamma[rows]
        # dx = (B·dxn − Σdxn − x̂·Σ(dxn·x̂)) / (B·σ)
        return (dxn - dxn.mean(axis=-2, keepdims=True) - xn * (dxn * xn).mean(axis=-2, keepdims=True)) / self.std


def row_max(z: np.ndarray) -> np.ndarray:
    """``z.max(axis=-1, keepdims=True)``, the same numbers (a maximum does not round; NaN wins in both), taken as a
    running ``np.maximum`` over the columns where rows are short: NumPy reduces each row of 10 logits with a call
    of its own, 99 µs for the sweep cohort's 23 × 100 rows against 17 µs this way (one thread, AMD EPYC)."""
    if z.ndim < 2 or z.shape[-1] > 16 or z.shape[-1] == 0 or z.size // z.shape[-1] < 256:
        return z.max(axis=-1, keepdims=True)
    m = z[..., 0].copy()
    for i in range(1, z.shape[-1]):
        np.maximum(m, z[..., i], out=m)
    return m[..., None]


class SoftmaxWithLoss:
    """Softmax followed by the mean cross-entropy over the batch; labels are class indices ``(B,)``."""

    def forward(self, z, labels):
        z = z - row_max(z)
        e = np.exp(z)
        s = e.sum(axis=-1, keepdims=True)
        self.p = e / s
        self.labels = labels
        B = z.shape[-2]
        picked = z[..., np.arange(B), labels]                      # z of each example's label: (..., B)
        return (np.log(s[..., 0]) - picked).sum(axis=-1) / B       # loss per model: (K,) or ()

    def backward(self):
        d = self.p.copy()
        B = d.shape[-2]
        rows = np.arange(B)
        d[..., rows, self.labels] -= 1
        d /= B
        return flush_subnormals(d)                 # a confident model's probabilities underflow
