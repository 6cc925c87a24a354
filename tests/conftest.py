"""Fixtures shared by the test folders."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from optimlab.optim import OPTIMIZERS, Optimizer


@dataclass(frozen=True)
class Raises(Optimizer):
    """w ← w − ε∇E, until step 31: an added optimizer whose rule raises part-way."""

    name = "raises"
    lr: float = 0.01

    def rule(self, w, g, s, t):
        if t > 30:
            raise RuntimeError(f"boom at step {t}")
        w -= self.lr * g


@pytest.fixture
def raising_optimizer(monkeypatch):
    """:class:`Raises`, registered as 'raises' for the test."""
    monkeypatch.setitem(OPTIMIZERS, "raises", Raises)
    return Raises
