"""Eval-mode inference on a snapshot of the weights: the fast path for accuracy on a whole dataset.

In eval mode the network is a chain of affine maps and activations, and batch normalization with its
running statistics is itself an affine map, so it is folded into the affine layer before it:

.. math::
    s = \\gamma/\\sqrt{r_{\\sigma^2}+\\varepsilon},\\qquad W \\leftarrow W\\,\\mathrm{diag}(s),\\qquad
    b \\leftarrow b\\,s + \\beta - r_\\mu s

The sigmoid is :math:`\\sigma(z) = \\tfrac12 + \\tfrac12\\tanh(z/2)`. A sigmoid layer keeps only
:math:`t = \\tanh(z/2)`: the halving goes into its own weights, and :math:`\\tfrac12 + \\tfrac12 t` into the
next layer's, whose input it is:

.. math::
    W^\\top(\\tfrac12 + \\tfrac12 t) + b = (\\tfrac12 W)^\\top t + (b + \\tfrac12\\textstyle\\sum_i W_{i\\cdot})

so a hidden layer costs one matmul and one in-place element-wise pass (tanh), plus a bias add after every
matmul but the first (whose bias rides in it as a row of ones under the inputs), over a chunk of examples small
enough to stay in cache. (The route 1/(1 + e⁻ᶻ) took three passes — exp, +1, reciprocal — and NumPy's float32
exp is several times slower where it overflows, as it does for every saturated unit: on an Intel Xeon with
AVX-512, 2.3 ns a value instead of 0.5, while tanh took 0.4 either way; see benchmarks/RESULTS.md.)
All K models' first layers are one matmul (its float32 rounding of a model's rows can depend on K in the last
bit; training uses per-model matmuls instead).

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


@dataclass(frozen=True)
class EvalSet:
    """A dataset laid out for evaluation: ``xT`` is ``(in + 1, N)``, the inputs as columns in the network's
    dtype with a last row of ones (the first layer's bias rides in its matmul), ``t`` the labels ``(N,)``.

    Column-major inputs make every layer a matmul of the weights on the left, ``(K·out, in) @ (in, N)``,
    whose output is each model's activations ``(K, out, N)`` in one contiguous block: the next layers
    are batched matmuls on contiguous arrays, and the big matmul ran ~6 % faster than ``X @ W`` here."""

    xT: np.ndarray
    t: np.ndarray

    def __len__(self) -> int:
        return len(self.t)


def eval_set(x: np.ndarray, t: np.ndarray, dtype="float32", scale: float = 1.0) -> EvalSet:
    """Prepare ``x`` ``(N, in)`` (floats, or integers with ``scale``) and labels ``t`` for :func:`accuracy`."""
    x = np.asarray(x)
    dtype = np.dtype(dtype)
    xT = np.ones((x.shape[1] + 1, x.shape[0]), dtype=dtype)
    np.multiply(x.T, dtype.type(scale), out=xT[:-1], casting="unsafe")
    t = np.asarray(t)
    return EvalSet(xT, t.argmax(axis=-1) if t.ndim == 2 else t)


def folded_layers(net, snap: Snapshot) -> list[tuple[np.ndarray, np.ndarray | None]]:
    """Per layer ``(Wᵀ, b)`` with BatchNorm folded in and, for sigmoid networks, the tanh form's halvings and
    shifts (module doc).

    The first layer's ``Wᵀ`` is ``(K, out, in + 1)``, its last column the bias (``b`` is None), so that all
    models' first layers are one ``(K·out, in + 1)`` matmul; the others are ``(K, out, in)`` with ``b``
    ``(K, out, 1)``.

    A model with a folded weight that is not finite has diverged, and all its folded weights are NaN, so that its
    logits are too whatever the data (:func:`accuracy` scores it NaN): an infinite weight whose unit a sigmoid
    would saturate (the layers' eval mode still gives finite logits there), or finite weights so large that a
    layer's row of them adds up past float's largest number (about 1e37 each for 40 units in float32), where the
    tanh form's folded bias overflows."""
    K = snap.theta.shape[0]
    p = {s.name: snap.theta[:, s.offset:s.offset + s.size].reshape((K,) + s.shape) for s in net.specs}
    n_layers = len(net.sizes) - 1
    bn_rows = net.batchnorm_models()
    out = []
    for i in range(1, n_layers + 1):
        W, b = p[f"W{i}"], p[f"b{i}"]
        hidden = i < n_layers
        with np.errstate(over="ignore", invalid="ignore"):   # a diverged model's weights overflow: made NaN below
            if hidden and len(bn_rows):
                s = np.ones_like(b)
                t = np.zeros_like(b)
                rv, rm = snap.buffers[f"running_var{i}"][bn_rows], snap.buffers[f"running_mean{i}"][bn_rows]
                s[bn_rows] = p[f"gamma{i}"][bn_rows] / np.sqrt(rv + net.bn_eps)
                t[bn_rows] = p[f"beta{i}"][bn_rows] - rm * s[bn_rows]
                W, b = W * s, b * s + t
            if net.activation == "sigmoid":
                if i > 1:                        # the input is t = tanh(z/2) of the layer before: σ = ½ + ½t
                    b = b + (0.5 * W.sum(axis=1, keepdims=True, dtype=np.float64)).astype(W.dtype)
                    W = 0.5 * W
                if hidden:                       # this layer's t = tanh(z/2): halve z
                    W, b = 0.5 * W, 0.5 * b
        WT, bT = W.transpose(0, 2, 1), b.transpose(0, 2, 1)              # (K, out, in), (K, out, 1)
        out.append((np.concatenate((WT, bT), axis=-1), None) if i == 1 else (np.ascontiguousarray(WT), bT))
    finite = np.logical_and.reduce([np.isfinite(a).all(axis=(1, 2)) for layer in out for a in layer if a is not None])
    if not finite.all():                     # new arrays: WT and bT may be views of the snapshot
        nan = ~finite[:, None, None]
        out = [tuple(None if a is None else np.where(nan, np.nan, a).astype(a.dtype) for a in layer) for layer in out]
    return out


def _activate(z: np.ndarray, activation: str) -> None:
    """The hidden activation, in place: for sigmoid layers t = tanh(z/2) from the halved z (module doc), or ReLU."""
    if activation == "sigmoid":
        np.tanh(z, out=z)
    else:
        np.maximum(z, 0, out=z)


def logits(net, layers, xT: np.ndarray, scratch: dict | None = None) -> np.ndarray:
    """Eval-mode logits ``(K, C, B)`` (classes × examples) of the folded ``layers`` for the columns ``xT``
    ``(in + 1, B)`` of an :class:`EvalSet`.

    ``scratch`` (a dict, empty at first) keeps the output arrays between calls with the same batch size:
    writing into memory already touched is faster than into fresh pages."""
    scratch = {} if scratch is None else scratch
    B, W1 = xT.shape[1], layers[0][0]
    K, n1, _ = W1.shape

    def buffer(i, shape):
        buf = scratch.get(i)
        if buf is None or buf.shape != shape:
            buf = scratch[i] = np.empty(shape, dtype=np.result_type(xT, W1))
        return buf

    a = np.matmul(W1.reshape(K * n1, -1), xT, out=buffer(1, (K * n1, B))).reshape(K, n1, B)
    for j, (W, b) in enumerate(layers[1:], start=2):
        _activate(a, net.activation)
        a = np.matmul(W, a, out=buffer(j, (K, W.shape[1], B)))
        a += b
    return a


def accuracy(net, snap: Snapshot, data: EvalSet, chunk: int = 2000, layers=None) -> np.ndarray:
    """Fraction of correct predictions per model ``(K,)`` on ``data``, ``chunk`` examples at a time.

    A model with a logit that is not finite (its weights overflowed or became NaN: it diverged; see
    :func:`folded_layers`) has no prediction, and its accuracy is NaN rather than the share of whatever class
    ``argmax`` picks out of NaNs. ``layers``: :func:`folded_layers` of ``snap``, if already computed. The count of
    correct predictions is exact, so the result does not depend on ``chunk``."""
    layers = folded_layers(net, snap) if layers is None else layers
    K = snap.theta.shape[0]
    correct = np.zeros(K, dtype=np.int64)
    finite = np.ones(K, dtype=bool)
    scratch: dict = {}
    with np.errstate(over="ignore", invalid="ignore"):       # a diverged model's logits: reported as NaN below
        for a in range(0, len(data), chunk):
            z = logits(net, layers, data.xT[:, a:a + chunk], scratch)
            finite &= np.isfinite(z).all(axis=(1, 2))
            correct += _count_correct(z, data.t[a:a + chunk])
    return np.where(finite, correct / max(len(data), 1), np.nan)


def _count_correct(z: np.ndarray, t: np.ndarray) -> np.ndarray:
    """How many columns of each model's logits ``z`` ``(K, C, B)`` have their label ``t`` ``(B,)`` as ``argmax``
    (the first of tied maxima), ``(K,)``, for finite ``z``.

    The label's logit must be the column's largest, and no class listed before the label may have the same logit.
    The maximum over classes and the comparisons go over ``z`` in its memory order; ``z.argmax(axis=1)`` runs
    along the strided class axis: 0.33 ms against 0.06 for a chunk of 2,000 test images of the note's 6 models
    (an AMD EPYC, 2026-12-02; per evaluation of the 10,000, beside ~39 ms for the first layer's matmul)."""
    K, C, B = z.shape
    top = z.max(axis=1)                                                              # (K, B)
    picked = np.take(z.reshape(K, C * B), t.astype(np.intp) * B + np.arange(B), axis=1)   # the label's logit, (K, B)
    wins = picked == top
    wins &= ~((z == picked[:, None, :]) & (np.arange(C)[:, None] < t)).any(axis=1)   # a tie won by an earlier class
    return np.count_nonzero(wins, axis=-1)
