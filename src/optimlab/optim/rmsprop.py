"""RMSProp: AdaGrad with an exponentially decaying accumulator."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .base import Optimizer, finite_positive, sqrt_plus_eps, unit_interval


@dataclass(frozen=True)
class RMSProp(Optimizer):
    r"""RMSProp (Tieleman & Hinton 2012, Lecture 6.5), as the note writes it:

    .. math::
        h_t = a h_{t-1} + (1-a)(\nabla E)^2,\qquad
        w^{(t+1)} = w^{(t)} - \epsilon \frac{1}{\sqrt{h_t} + \theta}\nabla E

    ``lr`` = ε (0.01), ``decay`` = a (0.99), ``eps`` = θ (1e-7, outside the root), h₀ = ``initial_accumulator`` (0)
    — the note's values.

    Conventions: PyTorch ``RMSprop`` uses ε = 1e-8 outside the root; optax ``rmsprop`` puts ε = 1e-8
    *inside* (:math:`\sqrt{h+ε}`, ``eps_inside_sqrt=True``). Only the conventions change with a preset; the
    decay stays the note's 0.99 (optax's own default is 0.9, PyTorch's 0.99).
    """

    name = "rmsprop"
    slots = ("h",)
    conventions = ("eps_inside_sqrt",)
    presets = {
        "note": {"eps": 1e-7, "eps_inside_sqrt": False, "initial_accumulator": 0.0},
        "torch": {"eps": 1e-8, "eps_inside_sqrt": False, "initial_accumulator": 0.0},
        "optax": {"eps": 1e-8, "eps_inside_sqrt": True, "initial_accumulator": 0.0},
    }

    lr: float = 0.01
    decay: float = 0.99
    eps: float = 1e-7
    initial_accumulator: float = 0.0
    eps_inside_sqrt: bool = False

    def validate(self):
        unit_interval("decay", self.decay)
        finite_positive("eps", self.eps)
        finite_positive("initial_accumulator", self.initial_accumulator, allow_zero=True)

    def init_slot(self, name, w):
        return np.full_like(w, self.initial_accumulator)  # h₀

    def rule(self, w, g, s, t):
        h = s["h"]
        h *= self.decay; h += (1 - self.decay) * (g * g)   # h ← a·h + (1−a)(∇E)²
        w -= self.lr * g / sqrt_plus_eps(h, self.eps, self.eps_inside_sqrt)   # w ← w − ε∇E/(√h+θ)
