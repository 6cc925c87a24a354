"""Shared helpers for the optimizer suite: the five names, and a fixed ill-conditioned quadratic."""

from __future__ import annotations

import numpy as np
import pytest

from optimlab.optim import OPTIMIZERS

NAMES = tuple(OPTIMIZERS)  # sgd, momentum, adagrad, rmsprop, adam


@pytest.fixture(params=NAMES)
def name(request) -> str:
    return request.param


# Three steps of varied gradients on a (2, 3) array: signs change, one coordinate is 0 at step 1,
# magnitudes span 1e-3 … 3, so a wrong h₀, ε or bias correction shows.
GRADS = [
    np.array([[0.5, -1.0, 0.0], [2.0, 1e-3, -0.25]]),
    np.array([[-0.3, 0.7, 1.5], [-1.0, 0.2, 3.0]]),
    np.array([[1.2, -0.1, -0.6], [0.05, -2.0, 0.4]]),
]
W0 = np.array([[1.0, -2.0, 0.5], [0.0, 3.0, -1.5]])


def quadratic(dim: int, cond: float, seed: int = 0):
    """E(w) = ½ wᵀAw with eigenvalues 1 … cond in a random basis; returns ``(A, grad_fn, w0)``."""
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.standard_normal((dim, dim)))
    A = (q * np.geomspace(1.0, cond, dim)) @ q.T
    A = (A + A.T) / 2
    return A, (lambda w: A @ w), rng.standard_normal(dim)
