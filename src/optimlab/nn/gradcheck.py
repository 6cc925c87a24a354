"""Central-difference gradients, to check backpropagation."""

from __future__ import annotations

from typing import Callable

import numpy as np


def numerical_gradient(f: Callable[[], float], x: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """∂f/∂x by central differences, perturbing ``x`` in place one entry at a time (restored after).

    ``x`` may be any writable array or view (e.g. a parameter view into a network's flat buffer). Use a float64
    network (``MultiLayerNet(..., dtype='float64')``): in float32, rounding in ``f`` swamps the differences
    (a 64-10-10 network on 20 digits: largest relative error 7e-4 in float32, 4e-7 in float64). With batch
    normalization, ``f`` must be ``lambda: net.loss(x, t, train=True)``: ``gradient`` differentiates the training
    mode's loss, and ``loss`` is in eval mode by default (relative error 1.7 on γ that way, 5e-10 in training mode).
    Each training-mode call moves the running statistics, as a training step does (2 calls per entry: a numerical
    audit saw running_mean1 go from 2.6e-4 to 1.8e-3): to evaluate the network afterwards as it was, keep a copy
    first and put it back, ``kept = {k: v.copy() for k, v in net.buffers.items()}`` … ``for k, v in kept.items():
    net.buffers[k][...] = v``.
    """
    grad = np.zeros(x.shape, dtype=np.float64)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        fp = float(f())
        x[i] = old - h
        fm = float(f())
        x[i] = old
        grad[i] = (fp - fm) / (2 * h)
    return grad


def gradient_check(analytic: np.ndarray, numeric: np.ndarray, floor: float = 1e-4) -> float:
    """Largest relative error ``|a − n| / max(|a| + |n|, floor)``.

    Entries smaller than ``floor`` are compared absolutely (scaled by ``floor``): a gradient that is exactly
    zero (a bias in front of a batch normalization) has central differences of rounding size, ~1e-11.
    """
    a, n = np.asarray(analytic, dtype=np.float64), np.asarray(numeric, dtype=np.float64)
    return float(np.max(np.abs(a - n) / np.maximum(np.abs(a) + np.abs(n), floor)))
