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


class Affine:
    """``y = x W + b``. ``need_dx=False`` skips the input gradient (the first layer needs none)."""

    def __init__(self, W, b, dW, db, need_dx=True):
        self.W, self.b, self.dW, self.db, self.need_dx = W, b, dW, db, need_dx
        self.x = None

    def forward(self, x, train=True):
        self.x = x
        W = self.W
        if x.ndim == 2 and W.ndim == 3:
            # One input shared by K models: a single matmul with [W_1 … W_K] side by side, (B, in) @ (in, K·out),
            # is much faster than K small ones; the copy of W it needs is cheap next to the matmul.
            K, n_in, n_out = W.shape
            y = x @ W.transpose(1, 0, 2).reshape(n_in, K * n_out)
            return y.reshape(-1, K, n_out).transpose(1, 0, 2) + self.b
        return np.matmul(x, W) + self.b

    def backward(self, dout):
        x = self.x
        if x.ndim == 2 and dout.ndim == 3:
            # shared input: x^T @ [dY_1 … dY_K] in one matmul, (in, B) @ (B, K·out), then split per model
            K, B, n_out = dout.shape
            dW = x.T @ dout.transpose(1, 0, 2).reshape(B, K * n_out)
            self.dW[...] = dW.reshape(-1, K, n_out).transpose(1, 0, 2)
        else:
            np.matmul(np.swapaxes(x, -1, -2), dout, out=self.dW)
        _sum_batch(dout, self.db)
        if self.need_dx:
            return np.matmul(dout, np.swapaxes(self.W, -1, -2))
        return None


class Sigmoid:
    r""":math:`y = 1/(1+e^{-x})`, :math:`\partial y/\partial x = y(1-y)`."""

    def forward(self, x, train=True):
        with np.errstate(over="ignore", under="ignore"):   # exp(-x) = inf for x << 0 gives y = 0 exactly
            y = np.exp(-x)
        y += 1
        np.reciprocal(y, out=y)
        self.y = y
        return y

    def backward(self, dout):
        y = self.y
        return dout * y * (1 - y)


class ReLU:
    """``y = max(x, 0)``; the gradient passes where ``x > 0``."""

    def forward(self, x, train=True):
        self.mask = x > 0
        return x * self.mask

    def backward(self, dout):
        return dout * self.mask


class BatchNormalization:
    r"""Batch normalization (Ioffe & Szegedy 2015) over the batch axis.

    Train mode: :math:`\hat x = (x-\mu_B)/\sqrt{\sigma_B^2+\varepsilon}`, :math:`y = \gamma\hat x + \beta`, and the
    running statistics move toward the batch's: :math:`r \leftarrow m\,r + (1-m)\,\mu_B` (m = ``momentum``,
    0.9 as in the course code). Eval mode normalizes with the running statistics. ``gamma`` and ``beta``
    are parameters (trained unless the network freezes them); ``running_mean``/``running_var`` are buffers.
    ``eps`` is 1e-6: the course code writes ``10e-7``.

    ``active`` (K models only): a ``(K, 1, 1)`` boolean mask; inactive models pass through unchanged and
    their γ, β get zero gradients.
    """

    def __init__(self, gamma, beta, dgamma, dbeta, running_mean, running_var, momentum=0.9, eps=1e-6, active=None):
        self.gamma, self.beta, self.dgamma, self.dbeta = gamma, beta, dgamma, dbeta
        self.running_mean, self.running_var = running_mean, running_var
        self.momentum, self.eps, self.active = momentum, eps, active

    def forward(self, x, train=True):
        if not train:
            y = self.gamma * (x - self.running_mean) / np.sqrt(self.running_var + self.eps) + self.beta
        else:
            mu = x.mean(axis=-2, keepdims=True)
            xc = x - mu
            var = np.mean(xc * xc, axis=-2, keepdims=True)
            self.std = np.sqrt(var + self.eps)
            self.xn = xc / self.std
            m = self.momentum
            self.running_mean *= m; self.running_mean += (1 - m) * mu
            self.running_var *= m; self.running_var += (1 - m) * var
            y = self.gamma * self.xn + self.beta
        return y if self.active is None else np.where(self.active, y, x)

    def backward(self, dout):
        xn, active = self.xn, self.active
        _sum_batch(dout, self.dbeta)
        _sum_batch(xn * dout, self.dgamma)
        dxn = dout * self.gamma
        # dx = (B·dxn − Σdxn − x̂·Σ(dxn·x̂)) / (B·σ)
        dx = (dxn - dxn.mean(axis=-2, keepdims=True) - xn * (dxn * xn).mean(axis=-2, keepdims=True)) / self.std
        if active is None:
            return dx
        self.dbeta *= active
        self.dgamma *= active
        return np.where(active, dx, dout)


class SoftmaxWithLoss:
    """Softmax followed by the mean cross-entropy over the batch; labels are class indices ``(B,)``."""

    def forward(self, z, labels):
        z = z - z.max(axis=-1, keepdims=True)
        e = np.exp(z)
        s = e.sum(axis=-1, keepdims=True)
        self.p = e / s
        self.labels = labels
        B = z.shape[-2]
        picked = np.take_along_axis(z, np.broadcast_to(labels[:, None], z.shape[:-1] + (1,)), axis=-1)
        return (np.log(s) - picked).sum(axis=(-2, -1)) / B        # loss per model: (K,) or ()

    def backward(self):
        d = self.p.copy()
        B = d.shape[-2]
        rows = np.arange(B)
        d[..., rows, self.labels] -= 1
        d /= B
        return d
