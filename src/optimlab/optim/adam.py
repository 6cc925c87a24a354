"""Adam: momentum on the gradient and RMSProp on its square, with bias correction."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .base import Optimizer, check_value, finite_positive, unit_interval

BIAS_CORRECTIONS = ("lr", "moments", "none")


@dataclass(frozen=True)
class Adam(Optimizer):
    r"""Adam (Kingma & Ba 2015), as the note's code computes it (its ``m += (1 - β₁)(∇E - m)`` is the same
    :math:`\beta_1 m + (1-\beta_1)\nabla E`, and likewise for ``v``):

    .. math::
        m_t = \beta_1 m_{t-1} + (1-\beta_1)\nabla E,\qquad v_t = \beta_2 v_{t-1} + (1-\beta_2)(\nabla E)^2

    .. math::
        \epsilon_t = \epsilon\,\frac{\sqrt{1-\beta_2^t}}{1-\beta_1^t},\qquad
        w^{(t+1)} = w^{(t)} - \epsilon_t \frac{m_t}{\sqrt{v_t} + \hat\theta}

    ``lr`` = ε (0.01), β₁ 0.9, β₂ 0.999, θ̂ = ``eps`` 1e-7: the note's values.

    **Warning — θ̂ vs θ** (the small constant, ``eps``; here ε is the learning rate, as in the note, while the
    paper and PyTorch call the constant ε). The note folds the bias correction into the learning rate
    (``bias_correction='lr'``, the "efficient version" at the end of the paper's Section 2, also TensorFlow/Keras's
    form). PyTorch and
    optax correct the moments instead (``bias_correction='moments'``):
    :math:`\hat m = m/(1-\beta_1^t),\ \hat v = v/(1-\beta_2^t),\ w \leftarrow w - \epsilon\,\hat m/(\sqrt{\hat v}+\theta)`.
    The two would agree at θ = 0 (``eps`` must be > 0 here: a zero gradient would divide 0 by 0); otherwise
    the note's fixed θ̂ acts as the moments form's :math:`\theta = \hat\theta/\sqrt{1-\beta_2^t}`, about 31.6·θ̂ at
    t = 1, so a coordinate with a small gradient takes a smaller first step than in PyTorch: at lr 0.01 and
    |∇E| = 1e-6, 0.0024 against 0.0099 (1e-5: 0.0076 against 0.0100).
    ``bias_correction='none'`` drops the correction (then Adam with β₁ = 0
    is RMSProp with decay β₂). Presets: ``note`` (lr form, θ̂ 1e-7), ``torch`` and ``optax`` (moments, θ 1e-8).
    """

    name = "adam"
    slots = ("m", "v")
    conventions = ("bias_correction",)
    presets = {
        "note": {"eps": 1e-7, "bias_correction": "lr"},
        "torch": {"eps": 1e-8, "bias_correction": "moments"},
        "optax": {"eps": 1e-8, "bias_correction": "moments"},
    }

    lr: float = 0.01
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-7
    bias_correction: str = "lr"

    def validate(self):
        unit_interval("beta1", self.beta1)
        unit_interval("beta2", self.beta2)
        finite_positive("eps", self.eps)
        check_value(self.bias_correction in BIAS_CORRECTIONS, "bias_correction", self.bias_correction,
                    ", ".join(BIAS_CORRECTIONS))

    def lr_t(self, t):
        r"""The note's bias-corrected learning rate at step ``t`` (an int or an array of them),
        :math:`\epsilon_t = \epsilon\sqrt{1-\beta_2^t}/(1-\beta_1^t)`; ε with ``bias_correction='none'``. With
        ``'moments'`` the corrected moments amount to the same rate, up to θ. ``--telemetry`` records it."""
        if self.bias_correction == "none":
            return self.lr
        return self.lr * np.sqrt(1 - self.beta2 ** t) / (1 - self.beta1 ** t)

    def rule(self, w, g, s, t):
        b1, b2, m, v = self.beta1, self.beta2, s["m"], s["v"]
        m *= b1; m += (1 - b1) * g                            # m ← β₁m + (1−β₁)∇E   (first moment)
        v *= b2; v += (1 - b2) * (g * g)                      # v ← β₂v + (1−β₂)(∇E)² (second moment)
        if self.bias_correction == "lr":
            w -= self.lr_t(t) * m / (np.sqrt(v) + self.eps)                  # w ← w − ε_t m/(√v+θ̂)
        elif self.bias_correction == "moments":
            c1, c2 = 1 - b1 ** t, 1 - b2 ** t                                 # bias corrections
            w -= self.lr * (m / c1) / (np.sqrt(v / c2) + self.eps)           # w ← w − ε m̂/(√v̂+θ)
        else:
            w -= self.lr * m / (np.sqrt(v) + self.eps)                        # w ← w − ε m/(√v+θ)
