"""AdaGrad: per-coordinate learning rates from the running sum of squared gradients."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .base import Optimizer, check_value, finite_positive, sqrt_plus_eps


@dataclass(frozen=True)
class AdaGrad(Optimizer):
    r"""AdaGrad (Duchi, Hazan & Singer 2011), as the note writes it:

    .. math::
        h_0 = \theta,\qquad h_t = h_{t-1} + (\nabla E)^2,\qquad
        w^{(t+1)} = w^{(t)} - \epsilon \frac{1}{\sqrt{h_t} + \theta}\nabla E

    ``lr`` = ε (0.1) and θ = 1e-4 (``initial_accumulator`` = h₀ and ``eps``): the note's values. Where
    :math:`|\nabla E| \gg \sqrt\theta = 0.01` the first step is about ε·sign(∇E), where
    :math:`|\nabla E| \ll 0.01` about :math:`\epsilon\nabla E/\sqrt\theta`; the steps shrink as :math:`h_t` grows.

    Preset ``note-text`` is the same as ``note`` (the name recipes used before the formula became the default).
    The note's *code* differs (preset ``note-code``): at the first step it sets :math:`h = 10^{-4}` **without**
    adding :math:`(\nabla E)^2`, adds :math:`(\nabla E)^2` only from the second step on, and divides by
    :math:`\sqrt{h}` with no θ, so its first step is ε∇E/√1e-4 (10·∇E at ε = 0.1) whatever the gradient's size — the
    note's AdaGrad figure comes from that code.

    Conventions that frameworks choose differently:

    * ``initial_accumulator`` (h₀): note 1e-4, PyTorch 0, optax 0.1;
    * ``eps`` and ``eps_inside_sqrt``: the note adds θ = 1e-4 outside the root, :math:`\sqrt{h}+θ`; PyTorch
      ε = 1e-10 outside; optax ε = 1e-7 inside, :math:`\sqrt{h+ε}`;
    * ``accumulate_first_step``: the note's formula and every framework add (∇E)² at every step; the note's
      code skips step 1.
    """

    name = "adagrad"
    slots = ("h",)
    conventions = ("eps_inside_sqrt", "accumulate_first_step")
    presets = {
        "note": {"initial_accumulator": 1e-4, "eps": 1e-4, "eps_inside_sqrt": False, "accumulate_first_step": True},
        "note-text": {"initial_accumulator": 1e-4, "eps": 1e-4, "eps_inside_sqrt": False, "accumulate_first_step": True},
        "note-code": {"initial_accumulator": 1e-4, "eps": 0.0, "eps_inside_sqrt": False, "accumulate_first_step": False},
        "torch": {"initial_accumulator": 0.0, "eps": 1e-10, "eps_inside_sqrt": False, "accumulate_first_step": True},
        "optax": {"initial_accumulator": 0.1, "eps": 1e-7, "eps_inside_sqrt": True, "accumulate_first_step": True},
    }

    lr: float = 0.1
    initial_accumulator: float = 1e-4
    eps: float = 1e-4
    eps_inside_sqrt: bool = False
    accumulate_first_step: bool = True

    def validate(self):
        finite_positive("initial_accumulator", self.initial_accumulator, allow_zero=True)
        finite_positive("eps", self.eps, allow_zero=True)
        no_floor = np.all(np.asarray(self.eps) == 0) and np.all(np.asarray(self.initial_accumulator) == 0)
        check_value(not no_floor, "AdaGrad eps and initial_accumulator", (self.eps, self.initial_accumulator),
                    "at least one of them > 0, else a zero gradient divides 0 by 0")

    def init_slot(self, name, w):
        return np.full_like(w, self.initial_accumulator)  # h₀

    def rule(self, w, g, s, t):
        h = s["h"]
        if self.accumulate_first_step or t > 1:         # a plain `if`: a convention and t are never per model
            h += g * g                                       # h ← h + (∇E)²
        w -= self.lr * g / sqrt_plus_eps(h, self.eps, self.eps_inside_sqrt)   # w ← w − ε∇E/(√h+θ)
