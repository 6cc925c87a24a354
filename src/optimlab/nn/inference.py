"""Eval-mode inference on a snapshot of the weights: the fast path for accuracy on a whole dataset.

In eval mode the network is a chain of affine maps and activations, and batch normalization with its
running statistics is itself an affine map, so it is folded into the affine layer before it:

.. math::
    s = \\gamma/\\sqrt{r_{\\sigma^2}+\\varepsilon},\\qquad W \\leftarrow W\\,\\mathrm{diag}(s),\\qquad
    b \\leftarrow b\\,s + \\beta - r_\\mu s

The sigmoid is computed as :math:`1/(1+e^{u})` from :math:`u = -z`, with the sign folded into the weights
too, so a hidden layer costs one matmul and four in-place element-wise passes (bias, exp, +1, reciprocal)
over a chunk of rows small enough to stay in cache. All K models' first layers are one matmul.

Everything here reads only the snapshot it is given, never the layers' stored activations, so it can run in
another thread while the same network trains (see :class:`optimlab.train.Trainer`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Snapshot:
    """A copy of a network's parameters ``theta`` (``(K, P)``) and buffers, taken at ``iteration``."""

    theta: np.ndarray
    buffers: dict[str, np.ndarray]
    iteration: int = 0


def snapshot(net, iteration: int = 0) -> Snapshot:
    """Copy ``net``'s parameters and BatchNorm statistics (a few hundred KB): training may go on meanwhile."""
    theta = net.theta if net.n_models is not None else net.theta[None]
    return Snapshot(theta.copy(), {k: (v if net.n_models is not None else v[None]).copy()
                                   for k, v in net.buffers.items()}, iteration)


def folded_layers(net, snap: Snapshot) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per layer ``(W, b)`` with BatchNorm folded in and, for sigmoid layers, the sign flipped (see module doc).

    The first layer's ``W`` is ``(in, K·out)`` (all models side by side) and its ``b`` ``(1, K·out)``; the
    others are ``(K, in, out)`` and ``(K, 1, out)``."""
    K = snap.theta.shape[0]
    p = {s.name: snap.theta[:, s.offset:s.offset + s.size].reshape((K,) + s.shape) for s in net.specs}
    n_layers = len(net.sizes) - 1
    bn_rows = net.batchnorm_models()
    out = []
    for i in range(1, n_layers + 1):
        W, b = p[f"W{i}"], p[f"b{i}"]
        hidden = i < n_layers
        if hidden and len(bn_rows):
            s = np.ones_like(b)
            t = np.zeros_like(b)
            rv, rm = snap.buffers[f"running_var{i}"][bn_rows], snap.buffers[f"running_mean{i}"][bn_rows]
            s[bn_rows] = p[f"gamma{i}"][bn_rows] / np.sqrt(rv + net.bn_eps)
            t[bn_rows] = p[f"beta{i}"][bn_rows] - rm * s[bn_rows]
            W, b = W * s, b * s + t
        if hidden and net.activation == "sigmoid":
            W, b = -W, -b
        if i == 1:
            n_in, n_out = W.shape[1:]
            W = np.ascontiguousarray(W.transpose(1, 0, 2)).reshape(n_in, K * n_out)
            b = np.ascontiguousarray(b.transpose(1, 0, 2)).reshape(1, K * n_out)
        out.append((W, b))
    return out


def _activate(z: np.ndarray, activation: str) -> None:
    """The hidden activation, in place: sigmoid from u = −z as 1/(1+eᵘ) (inf → 0 is exact), or ReLU."""
    if activation == "sigmoid":
        with np.errstate(over="ignore", under="ignore"):
            np.exp(z, out=z)
        z += 1
        np.reciprocal(z, out=z)
    else:
        np.maximum(z, 0, out=z)


def logits(net, layers, x: np.ndarray, scratch: dict | None = None) -> np.ndarray:
    """Eval-mode logits ``(K, B, C)`` of the folded ``layers`` for inputs ``x`` ``(B, in)`` (one chunk).

    ``scratch`` (a dict, empty at first) keeps the output arrays between calls with the same batch size:
    writing into memory already touched is faster than into fresh pages."""
    scratch = {} if scratch is None else scratch
    (W1, b1), rest = layers[0], layers[1:]
    B, K = len(x), (rest[0][0].shape[0] if rest else W1.shape[1] // net.sizes[1])

    def buffer(i, shape):
        buf = scratch.get(i)
        if buf is None or buf.shape != shape:
            buf = scratch[i] = np.empty(shape, dtype=np.result_type(x, W1))
        return buf

    h = np.matmul(x, W1, out=buffer(1, (B, W1.shape[1])))
    h += b1
    if not rest:
        return h.reshape(B, K, -1).transpose(1, 0, 2)
    _activate(h, net.activation)
    a = h.reshape(B, K, -1).transpose(1, 0, 2)       # (K, B, n1), a view
    for j, (W, b) in enumerate(rest, start=2):
        a = np.matmul(a, W, out=buffer(j, (K, B, W.shape[-1])))
        a += b
        if j < len(layers):
            _activate(a, net.activation)
    return a


def accuracy(net, snap: Snapshot, x: np.ndarray, t: np.ndarray, scale: float = 1.0, chunk: int = 1000) -> np.ndarray:
    """Fraction of correct predictions per model ``(K,)``, ``chunk`` rows at a time.

    ``x`` may be integers (uint8 pixels): each chunk is cast to the network's dtype and multiplied by ``scale``.
    The count of correct predictions is exact, so the result does not depend on ``chunk``."""
    layers = folded_layers(net, snap)
    t = np.asarray(t)
    K = snap.theta.shape[0]
    correct = np.zeros(K, dtype=np.int64)
    buf = np.empty((min(chunk, len(t)), x.shape[1]), dtype=net.dtype)
    scratch: dict = {}
    for a in range(0, len(t), chunk):
        xc = x[a:a + chunk]
        if xc.dtype != net.dtype or scale != 1:
            xc = buf[:len(xc)]
            np.multiply(x[a:a + chunk], net.dtype.type(scale), out=xc, casting="unsafe")
        z = logits(net, layers, xc, scratch)
        correct += (z.argmax(axis=-1) == t[a:a + chunk]).sum(axis=-1)
    return correct / max(len(t), 1)
