"""Gradient descent with momentum (heavy ball)."""

from __future__ import annotations

from dataclasses import dataclass

from .base import Optimizer, unit_interval


@dataclass(frozen=True)
class Momentum(Optimizer):
    r"""Momentum, as the note writes it (Polyak 1964; Sutskever et al. 2013):

    .. math::
        V_t = \mu V_{t-1} - \epsilon \nabla E, \qquad w^{(t+1)} = w^{(t)} + V_t

    with :math:`V_0 = 0`; ``lr`` = ε (default 0.3), ``momentum`` = μ (default 0.9), the note's values.

    Convention (``lr_in_buffer``): the note (and cs231n) keeps ε *inside* the velocity. PyTorch's
    ``torch.optim.SGD(momentum=μ)`` and optax's ``sgd(momentum=μ)`` keep it *outside*:
    :math:`b_t = \mu b_{t-1} + \nabla E,\; w \leftarrow w - \epsilon b_t` (PyTorch sets :math:`b_1 = \nabla E`,
    which equals the zero start). With a constant ε the two give the same trajectory (:math:`V_t = -\epsilon b_t`);
    they differ once ε changes during training. Presets: ``note`` (inside), ``torch`` and ``optax`` (outside).
    The slot is named ``v`` either way, so it holds V under the note's convention and b = −V/ε under the others
    (``--telemetry``'s ``v_abs_mean`` differs by the factor ε between them).
    """

    name = "momentum"
    slots = ("v",)
    conventions = ("lr_in_buffer",)
    presets = {"note": {"lr_in_buffer": True}, "torch": {"lr_in_buffer": False}, "optax": {"lr_in_buffer": False}}

    lr: float = 0.3
    momentum: float = 0.9
    lr_in_buffer: bool = True

    def validate(self):
        unit_interval("momentum", self.momentum)

    def rule(self, w, g, s, t):
        v = s["v"]
        if self.lr_in_buffer:
            v *= self.momentum; v -= self.lr * g   # V ← μV − ε∇E
            w += v                                  # w ← w + V
        else:
            v *= self.momentum; v += g              # b ← μb + ∇E
            w -= self.lr * v                        # w ← w − εb
