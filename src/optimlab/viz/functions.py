"""2-D test surfaces for watching optimizers move: value beside analytic gradient, start, window, minima.

Every surface works on scalars and on arrays of any shape (contour grids): ``value(x, y)`` and
``grad(x, y) -> (gx, gy)`` broadcast like NumPy ufuncs.

=============  =========================================================  ==========================  ==========
name           f(x, y)                                                    minima                      start
=============  =========================================================  ==========================  ==========
``bowl``       x²/20 + y²  (condition number 20: shallow in x, steep y)   (0, 0)                      (−7, 2)
``saddle``     x² − y² + y⁴/4  (saddle at (0, 0); the y⁴/4 bounds it)     (0, ±√2), f = −1            (−1.5, 1e-3)
``rosenbrock`` (1 − x)² + 100 (y − x²)²                                   (1, 1)                      (−1.2, 1)
``himmelblau`` (x² + y − 11)² + (x + y² − 7)²                             (3, 2) and three more       (0, 0)
``beale``      (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²   (3, 0.5)                    (1, 1.5)
=============  =========================================================  ==========================  ==========

Each surface carries a default learning rate per optimizer (``Surface.lrs``, for the ``note`` presets of
:mod:`optimlab.optim`) and a default number of steps; :mod:`optimlab.viz.landscape` documents why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping

import numpy as np

from ..errors import ConfigError, did_you_mean

Array = np.ndarray


@dataclass(frozen=True)
class Surface:
    """A 2-D function with its analytic gradient and what a plot needs to show it."""

    name: str
    formula: str                                    # plain-text formula for titles
    value: Callable[[Array, Array], Array]          # f(x, y), broadcasting
    grad: Callable[[Array, Array], tuple[Array, Array]]  # (∂f/∂x, ∂f/∂y), broadcasting
    start: tuple[float, float]                      # default starting point
    window: tuple[float, float, float, float]       # plot window (xmin, xmax, ymin, ymax)
    minima: tuple[tuple[float, float], ...]         # known global/local minima
    lrs: Mapping[str, float]                        # default lr per optimizer name (note presets)
    steps: int                                      # default number of steps
    saddles: tuple[tuple[float, float], ...] = ()   # known saddle points (marked on plots)
    log_levels: bool = False                        # contour levels spaced on log(f − f_min + 1)
    notes: str = field(default="", compare=False)   # why the defaults are what they are

    def nearest_minimum(self, point) -> tuple[tuple[float, float], float]:
        """The known minimum closest to ``point`` and the Euclidean distance to it."""
        p = np.asarray(point, dtype=float)
        d = [float(np.hypot(*(p - np.asarray(m)))) for m in self.minima]
        i = int(np.argmin(d))
        return self.minima[i], d[i]

    @property
    def f_min(self) -> float:
        return float(min(self.value(np.float64(mx), np.float64(my)) for mx, my in self.minima))


# -- bowl: the elongated quadratic of the "zigzag" picture ------------------------------------------

def _bowl(x, y):
    return x * x / 20.0 + y * y                          # f = x²/20 + y²


def _bowl_grad(x, y):
    return x / 10.0, 2.0 * y                             # ∇f = (x/10, 2y)


# -- saddle: x² − y² bounded by y⁴/4 ---------------------------------------------------------------

def _saddle(x, y):
    return x * x - y * y + y ** 4 / 4.0                  # f = x² − y² + y⁴/4


def _saddle_grad(x, y):
    return 2.0 * x, -2.0 * y + y ** 3                    # ∇f = (2x, −2y + y³)


# -- Rosenbrock's banana valley --------------------------------------------------------------------

def _rosenbrock(x, y):
    return (1.0 - x) ** 2 + 100.0 * (y - x * x) ** 2     # f = (1−x)² + 100(y−x²)²


def _rosenbrock_grad(x, y):
    r = y - x * x
    return -2.0 * (1.0 - x) - 400.0 * x * r, 200.0 * r   # ∇f = (−2(1−x) − 400x(y−x²), 200(y−x²))


# -- Himmelblau: four minima ------------------------------------------------------------------------

def _himmelblau(x, y):
    a, b = x * x + y - 11.0, x + y * y - 7.0
    return a * a + b * b                                 # f = (x²+y−11)² + (x+y²−7)²


def _himmelblau_grad(x, y):
    a, b = x * x + y - 11.0, x + y * y - 7.0
    return 4.0 * x * a + 2.0 * b, 2.0 * a + 4.0 * y * b


# -- Beale: flat plateaus and steep walls -----------------------------------------------------------

def _beale_terms(x, y):
    return 1.5 - x + x * y, 2.25 - x + x * y * y, 2.625 - x + x * y ** 3


def _beale(x, y):
    a, b, c = _beale_terms(x, y)
    return a * a + b * b + c * c


def _beale_grad(x, y):
    a, b, c = _beale_terms(x, y)
    gx = 2.0 * a * (y - 1.0) + 2.0 * b * (y * y - 1.0) + 2.0 * c * (y ** 3 - 1.0)
    gy = 2.0 * a * x + 2.0 * b * (2.0 * x * y) + 2.0 * c * (3.0 * x * y * y)
    return gx, gy


_SQRT2 = float(np.sqrt(2.0))

SURFACES: dict[str, Surface] = {s.name: s for s in (
    Surface(
        "bowl", "f(x, y) = x²/20 + y²", _bowl, _bowl_grad,
        start=(-7.0, 2.0), window=(-8.0, 3.0, -2.5, 2.5), minima=((0.0, 0.0),),
        # SGD 0.95: past 1/L = 0.5 for the steep y (L = 2), so y flips sign every step (the zigzag),
        # below the 2/L = 1 limit. Momentum 0.1 with μ = 0.9 and AdaGrad 1.5: the book's picture.
        lrs={"sgd": 0.95, "momentum": 0.1, "adagrad": 1.5, "rmsprop": 0.1, "adam": 0.3},
        steps=40,
        notes="SGD lr 0.95 is above 1/L for the steep direction (zigzag) and below 2/L (stable).",
    ),
    Surface(
        "saddle", "f(x, y) = x² − y² + y⁴/4", _saddle, _saddle_grad,
        start=(-1.5, 1e-3), window=(-2.0, 2.0, -2.0, 2.0), minima=((0.0, _SQRT2), (0.0, -_SQRT2)),
        saddles=((0.0, 0.0),),
        lrs={"sgd": 0.05, "momentum": 0.02, "adagrad": 0.01, "rmsprop": 0.01, "adam": 0.01},
        steps=150,
    ),
    Surface(
        "rosenbrock", "f(x, y) = (1 − x)² + 100 (y − x²)²", _rosenbrock, _rosenbrock_grad,
        start=(-1.2, 1.0), window=(-2.0, 2.0, -1.0, 3.0), minima=((1.0, 1.0),), log_levels=True,
        lrs={"sgd": 2e-3, "momentum": 5e-4, "adagrad": 1.0, "rmsprop": 3e-3, "adam": 0.02},
        steps=3000,
    ),
    Surface(
        "himmelblau", "f(x, y) = (x² + y − 11)² + (x + y² − 7)²", _himmelblau, _himmelblau_grad,
        start=(0.0, 0.0), window=(-5.0, 5.0, -5.0, 5.0),
        minima=((3.0, 2.0), (-2.805118086952745, 3.131312518250573), (-3.779310253377747, -3.283185991286170),
                (3.584428340330492, -1.848126526964404)),
        log_levels=True,
        lrs={"sgd": 0.01, "momentum": 0.002, "adagrad": 0.3, "rmsprop": 0.03, "adam": 0.1},
        steps=300,
    ),
    Surface(
        "beale", "f(x, y) = (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²", _beale, _beale_grad,
        start=(1.0, 1.5), window=(-1.0, 4.5, -1.5, 2.0), minima=((3.0, 0.5),), log_levels=True,
        lrs={"sgd": 0.03, "momentum": 0.003, "adagrad": 1.0, "rmsprop": 0.01, "adam": 0.1},
        steps=1000,
    ),
)}


def get_surface(name: str) -> Surface:
    """The surface called ``name``; :class:`ConfigError` naming the accepted ones otherwise."""
    key = str(name).lower()
    if key not in SURFACES:
        raise ConfigError(f"unknown function: {name!r} (accepted: {', '.join(SURFACES)}{did_you_mean(key, SURFACES)})")
    return SURFACES[key]
