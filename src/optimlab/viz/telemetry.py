r"""Optimizer internals per layer, measured on the real network while it trains, and their figures.

A :class:`Telemetry` is a training callback (``cb(trainer)``, called after every update). At sampled
iterations — every one of the first ``dense`` (Adam's bias correction acts there), then every ``every`` —
it measures, for every model of the cohort and every weight layer (``W1``, ``W2`` …; BatchNorm's ``gamma``
and ``beta`` when trainable; biases are skipped):

========================  ==============================================================================
metric                    what
========================  ==============================================================================
``step_p50``              median :math:`|\Delta w|` over the coordinates with :math:`g \ne 0`
``eff_lr_p10/p50/p90``    percentiles of the effective step size :math:`|\Delta w| / |g|` (same coordinates)
``update_ratio``          :math:`\lVert\Delta w\rVert / \lVert w_{t-1}\rVert`
``h_mean`` / ``v_mean``   mean of the squared-gradient accumulator (AdaGrad, RMSProp ``h``; Adam ``v``; and their subclasses)
``lr_analytic_p50``       median of :math:`\epsilon / (\sqrt{h} + \theta)` from the state (AdaGrad, RMSProp)
``lr_t``                  Adam's :math:`\epsilon_t = \epsilon\sqrt{1-\beta_2^t}/(1-\beta_1^t)` (layer ``all``)
``<slot>_abs_mean``       mean of :math:`|s|` of every other state slot: a momentum ``v``, Adam's ``m``, an added
                          optimizer's own (telemetry.csv only; no figure)
========================  ==============================================================================

:math:`\Delta w = w_t - w_{t-1}` is measured, whatever the optimizer: the callback runs after the update,
so it copies the parameters at :math:`t-1` only when step :math:`t` will be sampled. The parameters before
step 1 come from :meth:`Telemetry.start` when the trainer calls it, else they are rebuilt with a fresh
:class:`~optimlab.train.Trainer` of the same seed (same seed, same initial weights). Percentiles use a fixed
random subset of at most ``max_coords`` (512) coordinates per layer: a sample of the note's 6-model cohort
costs about 1.3 ms, about 5 % of the training time on mnist-5k (dense 50, then every 10).

``optimlab compare --telemetry`` creates one callback per cohort with :meth:`Telemetry.for_cohort`, which
also registers it under ``(seed, label)``; :func:`write_telemetry` takes the records back from that registry
(removing them) and writes ``telemetry.csv`` and the ``telemetry_*.png`` figures.
"""

from __future__ import annotations

import csv
import io
import math
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

import numpy as np
from matplotlib.figure import Figure

from .._io import csv_records, write_text
from ..errors import FileFormatError
from ..optim import OPTIMIZERS, AdaGrad, Adam, RMSProp
from ..optim.base import sqrt_plus_eps
from .colors import (LEGEND_HANDLE, OPTIMIZER_COLORS, REFERENCE_GREY, REFERENCE_STYLE, layer_colors, line_markers,
                     line_styles, run_colors, sparse_marks)
from .figures import save_figure, text_scale
from .i18n import check_lang, t as _t, use_font
from .notebook import inline_in_jupyter

CSV_COLUMNS = ("run", "seed", "iteration", "layer", "metric", "value")
LAYER_PARAM = re.compile(r"(W|gamma|beta)\d+")       # parameters recorded; biases are skipped
FIGURES = ("telemetry_effective_lr.png", "telemetry_update_ratio.png", "telemetry_adagrad_h.png",
           "telemetry_adam_first_steps.png")

TEXT = {
    "en": {"eff_lr_title": "Effective step size |Δw|/|g| per layer, measured (median, 10–90 %)",
           "update_ratio": "‖Δw‖ / ‖w‖", "update_ratio_title": "Update-to-weight ratio per layer",
           "h_mean": "mean of h",
           "lr_analytic": "ε / (√h + θ), median (ε = lr, θ = eps)",
           "adagrad_title": "AdaGrad: h sums g², so it only grows and the step only shrinks (dashed: RMSProp, a moving "
                            "average)",
           "lr_t": r"$\varepsilon_t / \varepsilon = \sqrt{1-\beta_2^{\,t}}\ /\ (1-\beta_1^{\,t})$",
           "adam_title": r"Adam's bias correction: $\varepsilon_t$ over training (left), the first steps measured (right)",
           "lr_t_panel": r"step size $\varepsilon_t$ from the formula (dots: recorded)",
           "step_panel": "measured step |Δw| / ε (median)",
           "uncorrected": r"step 1 without bias correction: $(1-\beta_1)/\sqrt{{1-\beta_2}}$ ≈ {:.2f}",
           "iteration": "iteration (log scale)", "reference": "1e-3 (a common rule of thumb)", "lr line": "lr = {}",
           "run measured": "{}: measured |Δw|/|g|"},
    "ja": {"eff_lr_title": "層ごとの実効ステップ幅 |Δw|/|g|（実測、中央値と 10〜90 パーセンタイル）",
           "update_ratio": "‖Δw‖ / ‖w‖", "update_ratio_title": "層ごとの重みに対する更新量の比",
           "h_mean": "h の平均",
           "lr_analytic": "ε / (√h + θ) の中央値（ε = 学習率 lr、θ = eps）",
           "adagrad_title": "AdaGrad：h は勾配の2乗の累積で増える一方なので、ステップ幅は小さくなり続ける"
                            "（破線：h が移動平均の RMSProp）",
           "lr_t": r"$\varepsilon_t / \varepsilon = \sqrt{1-\beta_2^{\,t}}\ /\ (1-\beta_1^{\,t})$",
           "adam_title": r"Adam のバイアス補正：学習全体の $\varepsilon_t$（左）と最初のステップの実測（右）",
           "lr_t_panel": r"式による学習率 $\varepsilon_t$（点：記録値）", "step_panel": "実測ステップ |Δw| / ε（中央値）",
           "uncorrected": r"補正なしの 1 ステップ目：$(1-\beta_1)/\sqrt{{1-\beta_2}}$ ≈ {:.2f}",
           "iteration": "反復回数（対数軸）", "reference": "1e-3（よく使われる目安）", "lr line": "学習率 {}",
           "run measured": "{}：実測 |Δw|/|g|"},
}


def _tt(key: str, lang: str) -> str:
    return TEXT[check_lang(lang)].get(key) or _t(key, lang)


@dataclass(frozen=True)
class Schedule:
    """Which iterations are measured."""

    dense: int = 50     # every iteration up to this one: Adam's bias correction acts in the first steps
    every: int = 10     # then every this many iterations (the note's plot_interval)

    def __contains__(self, t: int) -> bool:
        return 1 <= t <= self.dense or (t > 0 and t % self.every == 0)


@dataclass(frozen=True)
class _Layer:
    name: str
    cols: slice            # its columns in the trainable part of theta
    subset: np.ndarray     # columns (relative to ``cols``) used for percentiles
    models: np.ndarray     # the models that have this layer (γ, β: those with BatchNorm)


_REGISTRY: dict[tuple[int, str], "Telemetry"] = {}


class Telemetry:
    """Records per-layer optimizer internals at sampled iterations (see the module docstring).

    Use it as ``Trainer(..., callbacks=[tel])``; afterwards :meth:`series` gives one model's curve and
    :meth:`rows` the long table.
    """

    def __init__(self, schedule: Schedule = Schedule(), max_coords: int = 512):
        if max_coords < 1:
            raise ValueError(f"invalid max_coords: {max_coords!r} (accepted: an integer >= 1)")
        self.schedule, self.max_coords = schedule, int(max_coords)
        self.labels: list[str] = []
        self.optimizers: list[str] = []           # optimizer name of each model
        self.hyperparameters: list[dict[str, Any]] = []
        self.seed: int | None = None
        self.records: list[tuple[int, int, str, str, float]] = []   # (model, iteration, layer, metric, value)
        self._layers: list[_Layer] | None = None
        self._prev: np.ndarray | None = None      # trainable parameters after iteration ``_prev_iter``
        self._prev_iter = -1

    @classmethod
    def for_cohort(cls, cohort) -> "Telemetry":
        """A callback for one :class:`~optimlab.experiment.compare.Cohort`, registered for :func:`write_telemetry`."""
        tel = cls()
        for spec in cohort.specs:
            _REGISTRY[(int(cohort.seed), spec.label)] = tel
        return tel

    # -- recording ---------------------------------------------------------------------------------------
    def start(self, trainer) -> None:
        """Snapshot the parameters before the next step (``Trainer.run`` calls it before training)."""
        self._setup(trainer)
        if trainer.iteration + 1 in self.schedule:
            self._snapshot(trainer)

    def __call__(self, trainer) -> None:
        t = trainer.iteration
        if self._layers is None:
            self._setup(trainer)
        if t in self.schedule:
            if self._prev_iter == t - 1:
                self._measure(trainer, t)
        if t + 1 in self.schedule:
            self._snapshot(trainer)
        else:
            self._prev, self._prev_iter = None, -1

    def _snapshot(self, trainer) -> None:
        trainable = trainer.net.trainable(trainer.net.theta)
        if self._prev is None or self._prev.shape != trainable.shape:
            self._prev = trainable.copy()
        else:
            self._prev[...] = trainable
        self._prev_iter = trainer.iteration

    def _setup(self, trainer) -> None:
        if self._layers is not None:
            return
        self.labels, self.seed = list(trainer.labels), int(trainer.seed)
        self.optimizers = [o.name for o in trainer.optimizers]
        self.hyperparameters = [o.hyperparameters() for o in trainer.optimizers]
        rng = np.random.default_rng(0)
        K = trainer.net.theta.shape[0]
        with_bn = trainer.net.batchnorm_models()
        layers = []
        for s in trainer.net.specs:
            if s.trainable and LAYER_PARAM.fullmatch(s.name):
                subset = np.arange(s.size) if s.size <= self.max_coords else \
                    np.sort(rng.choice(s.size, self.max_coords, replace=False))
                models = np.arange(K) if s.name.startswith("W") else with_bn
                layers.append(_Layer(s.name, slice(s.offset, s.offset + s.size), subset, models))
        self._layers = layers
        self._width = trainer.net.trainable(trainer.net.theta).shape[-1]     # a slot per trainable parameter
        self._has = {L.name: set(L.models.tolist()) for L in layers}
        # every layer's sampled columns as one (layers, coordinates) index, padded (``_pad``) to the longest
        width = max((len(L.subset) for L in layers), default=1)
        self._idx = np.zeros((len(layers), width), dtype=np.intp)
        self._pad = np.ones((len(layers), width), dtype=bool)
        for j, L in enumerate(layers):
            self._idx[j, :len(L.subset)] = L.cols.start + L.subset
            self._idx[j, len(L.subset):] = L.cols.start
            self._pad[j, :len(L.subset)] = False

    def _add(self, t: int, layer: str, metric: str, values: Iterable[float], models: Iterable[int]) -> None:
        self.records += [(k, t, layer, metric, float(v)) for k, v in zip(models, values)]

    def _measure(self, trainer, t: int) -> None:
        net = trainer.net
        theta, grad, prev = net.trainable(net.theta), net.trainable(net.grad), self._prev
        K, n_layers = theta.shape[0], len(self._layers)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):   # a diverging run: inf, NaN
            # percentiles of every layer at once: (K, layers, coordinates), padding and g = 0 as NaN
            step = np.abs(theta[:, self._idx] - prev[:, self._idx])
            g = np.abs(grad[:, self._idx])
            step = np.where((g > 0) & ~self._pad, step, np.nan)      # g = 0: no step to relate to a gradient
            (step_p50,) = row_quantiles(step.reshape(K * n_layers, -1), (0.5,))
            eff = row_quantiles((step / g).reshape(K * n_layers, -1), (0.1, 0.5, 0.9))
            dw2, w2 = np.square(theta - prev), np.square(prev)
            # ‖w‖ = 0 (BatchNorm's β at its start): no ratio, NaN, rather than the inf a re-test found as the mean
            ratio = np.array([np.where(w2[:, L.cols].sum(axis=1) > 0, np.sqrt(dw2[:, L.cols].sum(axis=1)
                                                                              / w2[:, L.cols].sum(axis=1)), np.nan)
                              for L in self._layers]).T
        per_layer = {"step_p50": step_p50.reshape(K, n_layers), "eff_lr_p10": eff[0].reshape(K, n_layers),
                     "eff_lr_p50": eff[1].reshape(K, n_layers), "eff_lr_p90": eff[2].reshape(K, n_layers),
                     "update_ratio": ratio}
        for j, L in enumerate(self._layers):
            for metric, values in per_layer.items():
                self._add(t, L.name, metric, values[L.models, j], L.models)
        for grp in trainer.groups:
            self._measure_state(grp, t)

    def _measure_state(self, grp, t: int) -> None:
        opt, rows = grp.opt, range(grp.rows.start, grp.rows.stop)
        k = len(rows)
        hp = lambda name: np.broadcast_to(np.asarray(getattr(opt, name), dtype=float).reshape(-1), (k,))  # noqa: E731
        if isinstance(opt, Adam):                 # Adam and any optimizer derived from it
            lr_t = np.broadcast_to(np.asarray(opt.lr_t(grp.state.count), dtype=float).reshape(-1), (k,))
            self._add(t, "all", "lr_t", lr_t, rows)
        slot = "h" if isinstance(opt, (AdaGrad, RMSProp)) else "v" if isinstance(opt, Adam) else None  # Σg² or its average
        self._measure_slots(grp, t, skip=slot)
        acc = grp.state.slots.get(slot)               # (a derived class may keep its state under other names)
        if acc is None:
            return
        mean = np.array([acc[:, L.cols].mean(axis=1, dtype=np.float64) for L in self._layers]).T     # (k, layers)
        if slot == "h":
            h = acc[:, self._idx].astype(np.float64)                                       # (k, layers, coords)
            lr, eps = hp("lr")[:, None, None], hp("eps")[:, None, None]
            rate = lr / sqrt_plus_eps(h, eps, opt.eps_inside_sqrt)                       # the rules' ε/(√h+θ)
            rate = np.where(self._pad, np.nan, rate)
            (median,) = row_quantiles(rate.reshape(k * len(self._layers), -1), (0.5,))
            median = median.reshape(k, -1)
        for j, L in enumerate(self._layers):
            keep = [i for i, m in enumerate(rows) if m in self._has[L.name]]
            models = [rows[i] for i in keep]
            if models:
                self._add(t, L.name, f"{slot}_mean", mean[keep, j], models)
                if slot == "h":
                    self._add(t, L.name, "lr_analytic_p50", median[keep, j], models)

    def _measure_slots(self, grp, t: int, skip: str | None) -> None:
        """``<slot>_abs_mean``, the mean of |s| per layer, for every state slot but ``skip`` (the accumulator the
        built-in figures read as ``h_mean``/``v_mean``): a momentum, Adam's m, an added optimizer's own state
        (AMSGrad's running maximum, Adadelta's averages), which were not recorded at all."""
        rows = range(grp.rows.start, grp.rows.stop)
        for name, s in grp.state.slots.items():
            if name == skip or not isinstance(s, np.ndarray) or s.shape[-1:] != (self._width,):
                continue
            with np.errstate(over="ignore", invalid="ignore"):
                means = np.array([np.abs(s[:, L.cols]).mean(axis=1, dtype=np.float64) for L in self._layers]).T
            for j, L in enumerate(self._layers):
                keep = [i for i, m in enumerate(rows) if m in self._has[L.name]]
                if keep:
                    self._add(t, L.name, f"{name}_abs_mean", means[keep, j], [rows[i] for i in keep])

    # -- reading -----------------------------------------------------------------------------------------
    def model(self, label: str) -> int:
        if label not in self.labels:
            raise KeyError(f"no run {label!r} in this telemetry (recorded: {', '.join(self.labels)})")
        return self.labels.index(label)

    def series(self, label: str, layer: str, metric: str) -> tuple[np.ndarray, np.ndarray]:
        """(iterations, values) of one run's ``metric`` for ``layer``."""
        k = self.model(label)
        pts = [(t, v) for (m, t, lay, met, v) in self.records if m == k and lay == layer and met == metric]
        it = np.array([p[0] for p in pts], dtype=np.int64)
        return it, np.array([p[1] for p in pts], dtype=float)

    def layers(self) -> list[str]:
        return [L.name for L in self._layers or ()]

    def rows(self, label: str) -> list[tuple[int, str, str, float]]:
        """One run's records as (iteration, layer, metric, value)."""
        k = self.model(label)
        return [(t, lay, met, v) for (m, t, lay, met, v) in self.records if m == k]

    def run_series(self, label: str) -> "RunSeries":
        k = self.model(label)
        return RunSeries.from_rows(label, self.optimizers[k], self.hyperparameters[k], self.layers(), self.rows(label))


def row_quantiles(x: np.ndarray, qs: tuple[float, ...]) -> np.ndarray:
    """Quantiles of every row of ``x`` ignoring NaN, interpolated as ``np.percentile`` does; ``(len(qs), rows)``.

    One sort per call: ``np.nanpercentile`` loops over the rows in Python and was most of the telemetry's cost.
    """
    s = np.sort(x, axis=1)                                     # NaN sorts last
    n = np.count_nonzero(~np.isnan(x), axis=1)
    out = np.full((len(qs), x.shape[0]), np.nan)
    ok = n > 0
    rows = np.arange(x.shape[0])[ok]
    for i, q in enumerate(qs):
        pos = q * (n[ok] - 1)
        lo = np.floor(pos).astype(np.int64)
        hi = np.minimum(lo + 1, n[ok] - 1)
        a, b = s[rows, lo], s[rows, hi]
        out[i, ok] = a + (pos - lo) * (b - a)
    return out


@dataclass
class RunSeries:
    """One run's telemetry, ready to plot: ``data[(layer, metric)] = (iterations, values)``."""

    label: str
    optimizer: str
    hyperparameters: dict[str, Any]
    layers: list[str]
    data: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]]

    @classmethod
    def from_rows(cls, label: str, optimizer: str, hyperparameters: dict[str, Any], layers: list[str],
                  rows: Iterable[tuple[int, str, str, float]]) -> "RunSeries":
        """One run's series from its records ``(iteration, layer, metric, value)``, in the order they were taken."""
        out: dict[tuple[str, str], tuple[list, list]] = {}
        for t, layer, metric, v in rows:
            its, vals = out.setdefault((layer, metric), ([], []))
            its.append(t)
            vals.append(v)
        return cls(label, optimizer, hyperparameters, layers,
                   {k: (np.asarray(a, dtype=np.int64), np.asarray(b, dtype=float)) for k, (a, b) in out.items()})

    def get(self, layer: str, metric: str) -> tuple[np.ndarray, np.ndarray]:
        empty = (np.zeros(0, dtype=np.int64), np.zeros(0))
        return self.data.get((layer, metric), empty)

    @property
    def weight_layers(self) -> list[str]:
        return [name for name in self.layers if name.startswith("W")]


# -- figures -----------------------------------------------------------------------------------------------

def _fig(lang: str, size) -> Figure:
    """A figure of ``size`` inches, grown with the text inside :func:`~optimlab.viz.figures.font_scale` (``--font-scale
    1.6``: 1.6 × as wide and as high), so that its panels keep the layout they have at 1 × — at 1.6 × the text of a
    figure of fixed size, two panel titles ran into each other, a legend spread over the next panel and an axis label
    grew taller than its axes. These are wide figures of two or three panels, for a slide's whole width."""
    use_font(lang)
    inline_in_jupyter()
    grow = text_scale()          # a notebook's own font.size does not grow them (a review: 12 pt made them 1.2 ×)
    return Figure(figsize=(size[0] * grow, size[1] * grow), dpi=100, layout="constrained")


def effective_lr_figure(runs: list[RunSeries], lang: str = "en") -> Figure:
    """One panel per run: median |Δw|/|g| per layer with a 10–90 % band; log axes."""
    ncols = min(3, len(runs))
    nrows = math.ceil(len(runs) / ncols)
    fig = _fig(lang, (4.2 * ncols, 3.2 * nrows + 0.4))
    axes = fig.subplots(nrows, ncols, squeeze=False, sharex=True)
    for ax, run in zip(axes.flat, runs):
        for color, layer in zip(layer_colors(len(run.weight_layers)), run.weight_layers):
            it, p50 = run.get(layer, "eff_lr_p50")
            _, p10 = run.get(layer, "eff_lr_p10")
            _, p90 = run.get(layer, "eff_lr_p90")
            ax.fill_between(it, p10, p90, color=color, alpha=0.15, linewidth=0)
            ax.plot(it, p50, color=color, label=layer, linewidth=1.4)
        lr = run.hyperparameters.get("lr")
        if isinstance(lr, (int, float)):
            ax.axhline(lr, color=REFERENCE_GREY, linestyle=REFERENCE_STYLE, linewidth=1)
            ax.annotate(_tt("lr line", lang).format(f"{lr:g}"), (1, lr), xycoords=("axes fraction", "data"), ha="right",
                        va="bottom", fontsize="small", color="0.3", zorder=5,    # over the curves, on a white ground:
                        bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.85, "pad": 1})   # W3 covered it
        ax.set_xscale("log")
        with warnings.catch_warnings():      # SGD in float64: every value exactly its lr, a range of width 0 that
            warnings.filterwarnings("ignore", message="Attempting to set identical low and high ylims")
            ax.set_yscale("log")             # matplotlib widens (and warned of); _at_least_a_decade widens it again
        _at_least_a_decade(ax)
        ax.set_title(run.label)
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize="small", loc="best")
    for ax in axes.flat[len(runs):]:
        ax.set_visible(False)
    for ax in axes[-1]:
        ax.set_xlabel(_tt("iteration", lang))
    for ax in axes[:, 0]:
        ax.set_ylabel("|Δw| / |g|")
    fig.suptitle(_tt("eff_lr_title", lang))
    return fig


def _at_least_a_decade(ax) -> None:
    """Widen a log y axis to one decade at least (SGD's constant lr otherwise fills the panel with noise)."""
    lo, hi = ax.get_ylim()
    if hi / lo < 10:
        mid = math.sqrt(lo * hi)
        ax.set_ylim(mid / math.sqrt(10), mid * math.sqrt(10))


def update_ratio_figure(runs: list[RunSeries], lang: str = "en") -> Figure:
    """One panel per weight layer: ‖Δw‖/‖w‖ of every run; log axes."""
    layers = runs[0].weight_layers
    fig = _fig(lang, (4.2 * len(layers), 4.2))
    axes = fig.subplots(1, len(layers), squeeze=False, sharey=True)[0]
    colors = run_colors([run.optimizer for run in runs])     # each run in its colour in compare's figures
    styles, markers = line_styles(colors), line_markers(colors)
    for ax, layer in zip(axes, layers):
        for i, (run, color, style, marker) in enumerate(zip(runs, colors, styles, markers)):
            it, r = run.get(layer, "update_ratio")
            ax.plot(it, r, label=run.label, color=color, linewidth=1.3, linestyle=style, marker=marker, markersize=4,
                    markevery=sparse_marks(len(it), i))
        ax.axhline(1e-3, color=REFERENCE_GREY, linestyle=REFERENCE_STYLE, linewidth=1, label=_tt("reference", lang))
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_title(layer)
        ax.set_xlabel(_tt("iteration", lang))
        ax.grid(alpha=0.3, which="both")
    axes[0].set_ylabel(_tt("update_ratio", lang))
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=min(len(labels), 7), fontsize="small",
               handlelength=LEGEND_HANDLE)
    fig.suptitle(_tt("update_ratio_title", lang))
    return fig


def adagrad_figure(runs: list[RunSeries], lang: str = "en") -> Figure:
    """Mean accumulator h per layer and the learning rate it implies, AdaGrad solid, RMSProp dashed."""
    fig = _fig(lang, (11, 4.2))
    ax_h, ax_lr = fig.subplots(1, 2)
    for run in runs:
        style = "-" if _is(run, AdaGrad) else "--"
        for color, layer in zip(layer_colors(len(run.weight_layers)), run.weight_layers):
            it, h = run.get(layer, "h_mean")
            ax_h.plot(it, h, style, color=color, label=f"{run.label} {layer}", linewidth=1.4)
            it, rate = run.get(layer, "lr_analytic_p50")
            ax_lr.plot(it, rate, style, color=color, linewidth=1.4)     # the left panel's legend names the lines
            if _is(run, AdaGrad):
                it, meas = run.get(layer, "eff_lr_p50")
                named = layer == run.weight_layers[0]          # one legend entry per run for its dots
                ax_lr.plot(it[::3], meas[::3], "o", color=color, markersize=3, markerfacecolor="none",
                           label=_tt("run measured", lang).format(run.label) if named else "_nolegend_")
    for ax, ylabel in ((ax_h, _tt("h_mean", lang)), (ax_lr, _tt("lr_analytic", lang))):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel(_tt("iteration", lang))
        ax.set_ylabel(ylabel)
        ax.grid(alpha=0.3, which="both")
    ax_h.legend(fontsize="x-small", ncols=2, loc="best")
    ax_lr.legend(fontsize="x-small", loc="best")   # one entry: nine covered RMSProp's W1 curve
    fig.suptitle(_tt("adagrad_title", lang))
    return fig


def adam_first_steps_figure(run: RunSeries, iters: int, lang: str = "en", first: int = 50) -> Figure:
    """Adam: the bias-corrected rate ε_t/ε over training, and the measured step |Δw|/ε over the first steps (ε is
    the learning rate, in the note's notation)."""
    hp = run.hyperparameters
    lr, b1, b2 = float(hp["lr"]), float(hp["beta1"]), float(hp["beta2"])
    fig = _fig(lang, (11, 4.2))
    ax_t, ax_s = fig.subplots(1, 2)
    ts = np.arange(1, max(iters, first) + 1)
    ratio = Adam(lr=1.0, beta1=b1, beta2=b2, bias_correction="lr").lr_t(ts)      # ε_t/ε, from Adam's own formula
    ax_t.plot(ts, ratio, color="k", linewidth=1.4, label=_tt("lr_t", lang))
    it, lr_t = run.get("all", "lr_t")
    ax_t.plot(it, lr_t / lr, "o", color=OPTIMIZER_COLORS["adam"], markersize=3, markerfacecolor="none")
    start = float(ratio[0])
    ax_t.annotate(f"t = 1: {start:.3f}", (1, start), xytext=(3, start * 1.6), fontsize="small",
                  arrowprops=dict(arrowstyle="->", color="0.3"))
    low = int(np.argmin(ratio))
    low_v = float(ratio[low])
    ax_t.set_ylim(0.1, 1.2)
    ax_t.annotate(f"t = {ts[low]}: {low_v:.3f}", (ts[low], low_v), xytext=(ts[low] * 3, low_v * 0.78),
                  fontsize="small", arrowprops=dict(arrowstyle="->", color="0.3"))
    ax_t.axhline(1, color=REFERENCE_GREY, linestyle=REFERENCE_STYLE, linewidth=1)
    ax_t.set_xscale("log")
    ax_t.set_yscale("log")
    ax_t.set_xlabel(_tt("iteration", lang))
    ax_t.set_ylabel(r"$\varepsilon_t / \varepsilon$")
    ax_t.set_title(f"{run.label}{_tt('colon', lang)}{_tt('lr_t_panel', lang)}")
    ax_t.legend(fontsize="small", loc="upper center")
    for color, layer in zip(layer_colors(len(run.weight_layers)), run.weight_layers):
        it, step = run.get(layer, "step_p50")
        keep = it <= first
        ax_s.plot(it[keep], step[keep] / lr, ".-", color=color, label=layer, linewidth=1.2, markersize=4)
    ax_s.axhline(1, color=REFERENCE_GREY, linestyle=REFERENCE_STYLE, linewidth=1)
    ax_s.axhline((1 - b1) / math.sqrt(1 - b2), color="0.3", linestyle="--", linewidth=1,
                 label=_tt("uncorrected", lang).format((1 - b1) / math.sqrt(1 - b2)))
    ax_s.set_yscale("log")
    ax_s.set_ylim(top=10)
    ax_s.set_xlabel(_t("count", lang))
    ax_s.set_ylabel("|Δw| / ε")
    ax_s.set_title(_tt("step_panel", lang))
    ax_s.grid(alpha=0.3, which="both")
    ax_t.grid(alpha=0.3, which="both")
    ax_s.legend(fontsize="small", loc="upper center", ncols=2)
    fig.suptitle(_tt("adam_title", lang))
    return fig


# -- the run directory -----------------------------------------------------------------------------------

def telemetry_csv(items: list[tuple[str, int, "Telemetry"]]) -> str:
    """``telemetry.csv`` in long format for (label, seed, telemetry) items."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for label, seed, tel in items:
        for t, layer, metric, v in tel.rows(label):
            w.writerow((label, seed, t, layer, metric, f"{v:.9g}"))
    return buf.getvalue()


def collect(result) -> list[tuple[str, int, Telemetry]]:
    """Take the recorded telemetry of ``result``'s runs out of the registry (failed runs have none)."""
    items = []
    for run in result.runs:
        tel = _REGISTRY.pop((int(run.seed), run.spec.label), None)
        if tel is not None and run.spec.label in tel.labels and tel.records:
            items.append((run.spec.label, int(run.seed), tel))
    return items


def write_telemetry(result, directory, lang: str = "en", dpi: int = 100) -> list[str]:
    """Write ``telemetry.csv`` and the ``telemetry_*.png`` figures into ``directory``; returns the file names.

    Figures show the first seed of each run; the CSV holds every seed.
    """
    directory = Path(directory)
    items = collect(result)
    if not items:
        return []
    write_text(directory / "telemetry.csv", telemetry_csv(items))
    first: dict[str, RunSeries] = {}
    for label, seed, tel in sorted(items, key=lambda i: i[1]):
        first.setdefault(label, tel.run_series(label))
    runs = [first[label] for label in dict.fromkeys(i[0] for i in items)]
    iters = int(getattr(getattr(result.recipe, "train", None), "iters", 1000))
    names = []
    for name, make in telemetry_figures(runs, iters, lang):
        save_figure(make(), directory / name, dpi)
        names.append(name)
    return names + ["telemetry.csv"]


def _is(run: RunSeries, *classes: type) -> bool:
    """Whether ``run``'s optimizer is one of ``classes`` or derived from one (looked up by name in the registry). An
    optimizer not registered here (a plugin's run reported without the plugin) counts as derived from Adam when it
    recorded Adam's ε_t, and from AdaGrad or RMSProp when it recorded ε/(√h + θ), which only those and their
    subclasses record (AdaGrad's by its own setting ``accumulate_first_step``): its figure was left in the run's
    language (an English figure inside a Japanese report)."""
    cls = OPTIMIZERS.get(run.optimizer)
    if cls is None:
        metrics = {metric for _, metric in run.data}
        adagrad = "lr_analytic_p50" in metrics and "accumulate_first_step" in run.hyperparameters   # AdaGrad's own
        return (Adam in classes and "lr_t" in metrics) or (AdaGrad in classes and adagrad) or \
            (RMSProp in classes and "lr_analytic_p50" in metrics and not adagrad)
    return issubclass(cls, classes)


def telemetry_figures(runs: list[RunSeries], iters: int, lang: str) -> list[tuple[str, Any]]:
    """The figures for ``runs`` (one series per run) as ``(file name, function drawing it)``: the effective
    step size and the update ratio always, AdaGrad's accumulator if an AdaGrad run is there, Adam's bias
    correction for the first Adam run."""
    figures = [("telemetry_effective_lr.png", lambda: effective_lr_figure(runs, lang)),
               ("telemetry_update_ratio.png", lambda: update_ratio_figure(runs, lang))]
    accumulating = [r for r in runs if _is(r, AdaGrad, RMSProp)]
    if any(_is(r, AdaGrad) for r in accumulating):
        figures.append(("telemetry_adagrad_h.png", lambda: adagrad_figure(accumulating, lang)))
    adam = next((r for r in runs if _is(r, Adam) and isinstance(r.hyperparameters.get("beta1"), (int, float))), None)
    if adam is not None:
        figures.append(("telemetry_adam_first_steps.png", lambda: adam_first_steps_figure(adam, iters, lang)))
    return figures


def runs_from_csv(path, summary_runs: list[dict[str, Any]]) -> list[RunSeries]:
    """The series :func:`write_telemetry` drew, read back from its ``telemetry.csv``: each run's first seed, with
    its optimizer and hyperparameters from ``summary.json``'s ``runs`` — so a report in another language can
    draw the telemetry figures again. A file that is not what optimlab wrote is a :class:`FileFormatError`."""
    meta = {(r.get("label"), r.get("seed")): r for r in summary_runs if isinstance(r, dict)}
    first: dict[str, int] = {}
    rows: dict[str, list[tuple[int, str, str, float]]] = {}
    name = Path(path).name
    for line, row in csv_records(path, CSV_COLUMNS):
        try:
            seed, it, value = int(row["seed"]), int(row["iteration"]), float(row["value"])
        except ValueError:
            raise FileFormatError(f"{name} line {line}: seed {row['seed']!r}, iteration {row['iteration']!r}, "
                                  f"value {row['value']!r} (expected integers and a number)") from None
        if first.setdefault(row["run"], seed) == seed:          # the first seed's records, as the figures show
            rows.setdefault(row["run"], []).append((it, row["layer"], row["metric"], value))
    if not rows:
        raise FileFormatError(f"{name} holds no records (expected the telemetry of this run folder's runs)")
    runs = []
    for label, records in rows.items():
        run = meta.get((label, first[label]))
        if run is None or not isinstance(run.get("hyperparameters"), dict):
            raise FileFormatError(f"{name}: run {label!r} seed {first[label]} is not in summary.json "
                                  "(expected the telemetry of this run folder's runs)")
        layers = list(dict.fromkeys(layer for _, layer, _, _ in records))
        runs.append(RunSeries.from_rows(label, str(run.get("optimizer")), run["hyperparameters"], layers, records))
    return runs
