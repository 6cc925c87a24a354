"""Stochastic gradient descent."""

from __future__ import annotations

from dataclasses import dataclass

from .base import Optimizer


@dataclass(frozen=True)
class SGD(Optimizer):
    r"""Plain gradient descent: :math:`w \leftarrow w - \epsilon \nabla E`.

    ``lr`` is the note's ε (default 0.01, the note's value). No state. Robbins & Monro (1951).
    """

    name = "sgd"

    lr: float = 0.01

    def rule(self, w, g, s, t):
        w -= self.lr * g  # w ← w − ε∇E
