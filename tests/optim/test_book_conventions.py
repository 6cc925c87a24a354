"""README's "Coming from the book's code": with the book's hyperparameters, optimlab's rules move as the update rules
of *ゼロから作る Deep Learning*'s ``common/optimizer.py`` (written here from the book's formulas, not copied)."""

from __future__ import annotations

import numpy as np
import pytest

from optimlab.optim import make_optimizer


def book_steps(name: str, lr: float, w: np.ndarray, grads: list[np.ndarray]) -> np.ndarray:
    w = w.copy()
    v = np.zeros_like(w)
    m = np.zeros_like(w)
    for t, g in enumerate(grads, start=1):
        if name == "sgd":
            w -= lr * g
        elif name == "momentum":                       # v ← 0.9 v − lr g; w ← w + v
            v = 0.9 * v - lr * g
            w += v
        elif name == "adagrad":                        # h ← h + g²; w ← w − lr g / (√h + 1e-7)
            v += g * g
            w -= lr * g / (np.sqrt(v) + 1e-7)
        elif name == "rmsprop":                        # h ← 0.99 h + 0.01 g²
            v *= 0.99
            v += 0.01 * g * g
            w -= lr * g / (np.sqrt(v) + 1e-7)
        elif name == "adam":                           # lr_t = lr √(1 − β₂ᵗ) / (1 − β₁ᵗ)
            lr_t = lr * np.sqrt(1 - 0.999 ** t) / (1 - 0.9 ** t)
            m += 0.1 * (g - m)
            v += 0.001 * (g * g - v)
            w -= lr_t * m / (np.sqrt(v) + 1e-7)
    return w


@pytest.mark.parametrize("name, lr, extra", [
    ("sgd", 0.01, {}), ("momentum", 0.01, {}), ("rmsprop", 0.01, {}), ("adam", 0.001, {}),
    ("adagrad", 0.01, {"initial_accumulator": 0.0, "eps": 1e-7}),
])
def test_the_books_optimizers_at_the_books_values(name, lr, extra):
    rng = np.random.default_rng(0)
    w0 = rng.normal(size=(6, 4))
    grads = [rng.normal(size=(6, 4)) * 10.0 ** rng.integers(-4, 1) for _ in range(30)]
    opt = make_optimizer(name, lr=lr, **extra)
    w = w0.copy()
    state = opt.init(w)
    for g in grads:
        state = opt.update(w, g, state)
    np.testing.assert_allclose(w, book_steps(name, lr, w0, grads), rtol=1e-12, atol=1e-14)


def test_the_notes_adagrad_is_not_the_books():
    """The note starts h at 1e-4 and adds θ = 1e-4: at the book's lr they part at once (the README says which to use)."""
    rng = np.random.default_rng(1)
    w0, grads = rng.normal(size=(3, 3)), [rng.normal(size=(3, 3)) * 1e-3 for _ in range(5)]
    opt = make_optimizer("adagrad", lr=0.01)
    w = w0.copy()
    state = opt.init(w)
    for g in grads:
        state = opt.update(w, g, state)
    assert not np.allclose(w, book_steps("adagrad", 0.01, w0, grads), rtol=1e-3)
