"""Telemetry on the real network: the measured step sizes agree with what each update rule says they are.

One small comparison (scikit-learn digits, float64 so that Δw = w_t − w_{t−1} is exact to ~1e-10) feeds
most tests; every expected value is derived from the optimizers' formulas, not from a previous run.
"""

from __future__ import annotations

import csv
import math
from collections import defaultdict

import numpy as np
import pytest
from PIL import Image

from optimlab.api import compare
from optimlab.optim import OPTIMIZERS
from optimlab.train import NetConfig, TrainConfig, Trainer
from optimlab.viz import telemetry as tm
from optimlab.viz.telemetry import Schedule, Telemetry

ITERS = 60
SGD_LR, ADAGRAD_LR, ADAM_LR = 0.01, 0.1, 0.01     # the note's recipe
B1, B2 = 0.9, 0.999


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("tel") / "run"
    outcome = compare(dataset="digits", iters=ITERS, out=out, telemetry=True, report=False, dtype="float64",
                      optimizers=["sgd", "adagrad", "adam"])
    table: dict[tuple[str, str, str], dict[int, float]] = defaultdict(dict)
    with open(out / "telemetry.csv", newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        columns = reader.fieldnames
        for r in reader:
            table[(r["run"], r["layer"], r["metric"])][int(r["iteration"])] = float(r["value"])
    return outcome, out, columns, table


def curve(table, run, layer, metric):
    d = table[(run, layer, metric)]
    assert d, f"no {metric} for {run} {layer}"
    it = sorted(d)
    return np.array(it), np.array([d[i] for i in it])


def test_sgd_effective_step_is_exactly_its_learning_rate(run):
    _, _, _, table = run
    for layer in ("W1", "W2", "W3"):
        for metric in ("eff_lr_p10", "eff_lr_p50", "eff_lr_p90"):
            it, v = curve(table, "SGD", layer, metric)
            assert it[0] == 1 and len(it) == len([t for t in range(1, ITERS + 1) if t in Schedule()])
            np.testing.assert_allclose(v, SGD_LR, rtol=1e-7, err_msg=f"{layer} {metric}")


def test_adagrad_effective_step_shrinks_and_matches_lr_over_sqrt_h(run):
    _, _, _, table = run
    for layer in ("W1", "W2", "W3"):
        _, h = curve(table, "AdaGrad", layer, "h_mean")
        assert np.all(np.diff(h) >= 0)                      # h only accumulates
        it, analytic = curve(table, "AdaGrad", layer, "lr_analytic_p50")
        # the note's formula: step 1 already adds g² to h₀ = θ = 1e-4, so every coordinate's lr/(√h₁ + θ) is
        # below lr/(√θ + θ) = 0.1/0.0101 ≈ 9.90 (the note's code would give exactly lr/√θ = 10)
        theta = 1e-4
        assert analytic[0] <= ADAGRAD_LR / (math.sqrt(theta) + theta) * (1 + 1e-12)
        assert analytic[0] > 1.0                                   # ... and of that order: these gradients are ≪ 0.01
        assert np.all(np.diff(analytic) <= 1e-12 * analytic[1:])   # every coordinate's lr/(√h + θ) only shrinks
        assert analytic[-1] < analytic[1]
    # In W2 and W3 every coordinate has g ≠ 0 (sigmoid activations are never 0), so the measured median over
    # the coordinates is the median of lr/√h itself: monotone from step 2 on and equal to the analytic value.
    # (W1's median is over the pixels that are non-zero in the batch, a set that changes from step to step.)
    for layer in ("W2", "W3"):
        _, measured = curve(table, "AdaGrad", layer, "eff_lr_p50")
        _, analytic = curve(table, "AdaGrad", layer, "lr_analytic_p50")
        np.testing.assert_allclose(measured, analytic, rtol=1e-7)
        assert np.all(np.diff(measured[1:]) <= 1e-7 * measured[2:]), layer
        assert measured[-1] < measured[1]
    _, w3 = curve(table, "AdaGrad", "W3", "eff_lr_p50")
    assert w3[-1] < 0.9 * w3[1]                               # measured: 3.88 at step 2 → 2.48 at step 60


def test_adam_first_step_is_lr_times_sign_of_g(run):
    _, _, _, table = run
    # t = 1: m = (1−β₁)g, v = (1−β₂)g², ε₁ = lr·√(1−β₂)/(1−β₁), so
    #   |Δw| = lr·|g| / (|g| + θ̂/√(1−β₂))  ≤ lr, and ≈ lr where |g| ≫ θ̂/√(1−β₂) ≈ 3e-6.
    for label, layers in (("Adam", ("W3",)), ("Adam + BatchNorm", ("W1", "W2", "W3"))):
        for layer in layers:
            _, step = curve(table, label, layer, "step_p50")
            assert step[0] == pytest.approx(ADAM_LR, rel=5e-3), (label, layer)   # measured 0.9987..0.9998 lr
    for label in ("Adam", "Adam + BatchNorm"):
        for layer in ("W1", "W2", "W3"):
            _, step = curve(table, label, layer, "step_p50")
            assert step[0] <= ADAM_LR * (1 + 1e-9)
    # without bias correction the first step would be (1−β₁)/√(1−β₂) ≈ 3.16 lr; ε_t follows the formula
    it, lr_t = curve(table, "Adam", "all", "lr_t")
    np.testing.assert_allclose(lr_t, ADAM_LR * np.sqrt(1 - B2 ** it) / (1 - B1 ** it), rtol=1e-8)   # the CSV keeps 9 digits
    assert lr_t[0] == pytest.approx(ADAM_LR * math.sqrt(0.001) / 0.1)      # 0.316·lr


def test_files_columns_and_layers(run):
    outcome, out, columns, table = run
    assert tuple(columns) == tm.CSV_COLUMNS
    for name in tm.FIGURES:
        assert name in outcome.figures
        with Image.open(out / name) as im:
            assert im.format == "PNG" and im.size[0] > 600
    assert "telemetry.csv" in outcome.figures
    runs = {k[0] for k in table}
    assert runs == {"SGD", "AdaGrad", "Adam", "Adam + BatchNorm"}
    assert {k[1] for k in table if k[0] == "SGD"} == {"W1", "W2", "W3"}          # biases skipped
    assert {k[1] for k in table if k[0] == "Adam + BatchNorm"} == \
        {"W1", "W2", "W3", "gamma1", "beta1", "gamma2", "beta2", "all"}
    assert ("AdaGrad", "W1", "h_mean") in table and ("SGD", "W1", "h_mean") not in table
    assert not tm._REGISTRY                                     # write_telemetry consumed the records


def test_no_telemetry_files_without_the_flag(tmp_path):
    compare(dataset="digits", iters=3, out=tmp_path / "plain", telemetry=False, report=False, optimizers=["sgd"])
    files = [p.name for p in (tmp_path / "plain").iterdir()]
    assert files and not [f for f in files if f.startswith("telemetry")]


def _digits():
    from optimlab.data import load_dataset

    return load_dataset("digits")


def test_start_hook_and_rebuilt_initial_weights_agree():
    data = _digits()
    opts = [OPTIMIZERS["sgd"](lr=0.01), OPTIMIZERS["adam"]()]
    kwargs = dict(net=NetConfig(), train=TrainConfig(iters=3, dtype="float64"), seed=3)
    with_start, rebuilt = Telemetry(), Telemetry()
    a = Trainer(data, opts, callbacks=[with_start], **kwargs)
    with_start.start(a)                        # snapshot before step 1
    a.run()
    Trainer(data, opts, callbacks=[rebuilt], **kwargs).run()   # no start(): θ₀ rebuilt from the seed
    assert with_start.records and with_start.records == rebuilt.records
    assert {r[1] for r in rebuilt.records} == {1, 2, 3}


def test_schedule_and_sampled_iterations_only():
    s = Schedule(dense=5, every=10)
    assert [t for t in range(1, 41) if t in s] == [1, 2, 3, 4, 5, 10, 20, 30, 40]
    data = _digits()
    tel = Telemetry(Schedule(dense=2, every=7))
    Trainer(data, [OPTIMIZERS["sgd"]()], train=TrainConfig(iters=15, dtype="float64"), callbacks=[tel]).run()
    it, v = tel.series("sgd", "W2", "eff_lr_p50")
    assert it.tolist() == [1, 2, 7, 14]
    np.testing.assert_allclose(v, 0.01, rtol=1e-7)         # t = 7, 14: θ copied at t = 6, 13 only


def test_japanese_figures_render(run, tmp_path):
    _, out, _, table = run
    series = tm.RunSeries("AdaGrad", "adagrad", {"lr": 0.1}, ["W1"],
                          {("W1", m): curve(table, "AdaGrad", "W1", m)
                           for m in ("h_mean", "lr_analytic_p50", "eff_lr_p50", "eff_lr_p10", "eff_lr_p90")})
    for fig in (tm.adagrad_figure([series], lang="ja"), tm.effective_lr_figure([series], lang="ja")):
        assert fig.axes[0].get_ylabel() and "の" in fig.get_suptitle() + fig.axes[0].get_ylabel()
    eff = tm.effective_lr_figure([series], lang="ja").get_suptitle()
    assert eff == "層ごとの実効ステップ幅 |Δw|/|g|（実測、中央値と 10〜90 パーセンタイル）"     # said once, not twice


def test_the_adagrad_figure_names_each_line_once(run):
    """The right panel repeated the left's legend plus one 'measured' entry per layer (nine in all, covering
    RMSProp's W1 curve): the left legend names the lines, the right one only the measured dots."""
    _, out, _, table = run
    layers = ["W1", "W2", "W3"]
    series = tm.RunSeries("AdaGrad", "adagrad", {"lr": 0.1}, layers,
                          {(layer, m): curve(table, "AdaGrad", layer, m) for layer in layers
                           for m in ("h_mean", "lr_analytic_p50", "eff_lr_p50")})
    left, right = tm.adagrad_figure([series]).axes[:2]
    assert [t.get_text() for t in left.get_legend().get_texts()] == ["AdaGrad W1", "AdaGrad W2", "AdaGrad W3"]
    assert [t.get_text() for t in right.get_legend().get_texts()] == ["AdaGrad: measured |Δw|/|g|"]


def test_a_report_in_another_language_redraws_the_telemetry_figures(tmp_path):
    """The telemetry figures of a Japanese run, reported in English, are the ones an English run draws (they were
    left in Japanese): drawn again from telemetry.csv and summary.json. An edited telemetry.csv that cannot be read
    back leaves them as drawn."""
    import base64
    import re

    from optimlab.viz.report import build_report_html

    for lang in ("en", "ja"):
        compare(dataset="digits", iters=30, optimizers="adagrad,adam", out=tmp_path / lang, lang=lang, report=False,
                telemetry=True)

    def embedded(page):
        found = re.findall(r'data-file="(telemetry_[^"]+)" loading="lazy" src="data:image/png;base64,([^"]+)"', page)
        return {name: base64.b64decode(data) for name, data in found}

    en = {p.name: p.read_bytes() for p in (tmp_path / "en").glob("telemetry_*.png")}
    ja = {p.name: p.read_bytes() for p in (tmp_path / "ja").glob("telemetry_*.png")}
    assert set(en) == set(tm.FIGURES) and set(ja) == set(en)
    assert embedded(build_report_html(tmp_path / "ja", lang="en")) == en
    assert embedded(build_report_html(tmp_path / "en", lang="ja")) == ja != en
    csv_path = tmp_path / "ja" / "telemetry.csv"
    csv_path.write_text(csv_path.read_text(encoding="utf-8").replace(",1,W1,", ",one,W1,", 1), encoding="utf-8")
    with pytest.raises(tm.FileFormatError, match=r"^telemetry\.csv line 2: seed '0', iteration 'one'"):
        tm.runs_from_csv(csv_path, [])
    header_only = tmp_path / "empty" / "telemetry.csv"
    header_only.parent.mkdir()
    header_only.write_text(",".join(tm.CSV_COLUMNS) + "\n", encoding="utf-8")
    with pytest.raises(tm.FileFormatError, match=r"^telemetry\.csv holds no records"):        # (was a ZeroDivisionError)
        tm.runs_from_csv(header_only, [])
    assert embedded(build_report_html(tmp_path / "ja", lang="en")) == ja        # kept as drawn


def test_an_optimizer_derived_from_adam_records_adams_internals():
    """An AdamW-like class derived from Adam has Adam's m and v: its v_mean and ε_t are recorded (they were keyed
    on the name "adam" and silently skipped); an optimizer with a state of its own records the measured steps only."""
    from dataclasses import dataclass

    from optimlab.optim import Adam, Momentum

    @dataclass(frozen=True)
    class AdamW(Adam):
        name = "adamw"

    data = _digits()
    tel = Telemetry(Schedule(dense=3, every=10))
    Trainer(data, [AdamW(), Momentum()], ["AdamW", "Momentum"], train=TrainConfig(iters=3, dtype="float64"),
            callbacks=[tel]).run()
    metrics = {(r[0], r[3]) for r in tel.records}
    assert {(0, "v_mean"), (0, "lr_t"), (0, "eff_lr_p50")} <= metrics
    assert {m for k, m in metrics if k == 1} == {"step_p50", "eff_lr_p10", "eff_lr_p50", "eff_lr_p90", "update_ratio",
                                                 "v_abs_mean"}     # Momentum's velocity, as |v| averaged
    it, lr_t = tel.series("AdamW", "all", "lr_t")
    np.testing.assert_allclose(lr_t, 0.01 * np.sqrt(1 - B2 ** it) / (1 - B1 ** it), rtol=1e-12)


def test_every_state_slot_of_any_optimizer_is_recorded(tmp_path):
    """A researcher's review: an added optimizer's own state (AMSGrad's running maximum, Lion's m) was not recorded at
    all; every slot other than the accumulator the built-in figures read is now its |s| averaged per layer, in
    telemetry.csv."""
    from dataclasses import dataclass

    from optimlab.optim import Adam

    @dataclass(frozen=True)
    class AMSGrad(Adam):
        """Adam with v̂ = max(v̂, v) in the denominator."""

        name = "amsgrad"
        slots = ("m", "v", "vmax")

        def rule(self, w, g, s, t):
            m, v, vmax = s["m"], s["v"], s["vmax"]
            m *= self.beta1
            m += (1 - self.beta1) * g
            v *= self.beta2
            v += (1 - self.beta2) * g * g
            np.maximum(vmax, v, out=vmax)
            w -= self.lr * m / (np.sqrt(vmax) + self.eps)

    tel = Telemetry(Schedule(dense=5, every=10))
    Trainer(_digits(), [AMSGrad()], ["AMSGrad"], train=TrainConfig(iters=5, dtype="float64"), callbacks=[tel]).run()
    for layer in tel.layers():
        it, vmax = tel.series("AMSGrad", layer, "vmax_abs_mean")
        _, v = tel.series("AMSGrad", layer, "v_mean")
        _, m = tel.series("AMSGrad", layer, "m_abs_mean")
        assert list(it) == [1, 2, 3, 4, 5] and np.all(vmax >= v) and np.all(v > 0) and np.all(m > 0)
        assert vmax[0] == pytest.approx(v[0], rel=1e-12)              # step 1: the maximum is v
    # its report in another language, where the class is not registered (a plugin's run without the plugin): the
    # Adam figure is still drawn, from the ε_t only Adam's subclasses record (it stayed the run's English PNG)
    from optimlab.optim import OPTIMIZERS
    from optimlab.viz.telemetry import telemetry_figures

    assert "amsgrad" not in OPTIMIZERS
    assert "telemetry_adam_first_steps.png" in [name for name, _ in telemetry_figures([tel.run_series("AMSGrad")], 5,
                                                                                        "ja")]
    # an unregistered RMSProp-like run beside AdaGrad is drawn in the accumulator figure too, as RMSProp (dashed)
    from optimlab.optim import AdaGrad, RMSProp

    @dataclass(frozen=True)
    class Leaky(RMSProp):
        """RMSProp under another name."""

        name = "leaky"

    both = Telemetry(Schedule(dense=5, every=10))
    Trainer(_digits(), [AdaGrad(), Leaky()], ["AdaGrad", "Leaky"], train=TrainConfig(iters=5, dtype="float64"),
            callbacks=[both]).run()
    from optimlab.viz import telemetry as tm

    runs = [both.run_series("AdaGrad"), both.run_series("Leaky")]
    assert "leaky" not in OPTIMIZERS and tm._is(runs[1], AdaGrad, RMSProp) and not tm._is(runs[1], AdaGrad)
    assert "telemetry_adagrad_h.png" in [name for name, _ in telemetry_figures(runs, 5, "ja")]
    # an unregistered AdaGrad subclass alone: recognised by AdaGrad's own setting, its figure drawn (a code review)

    @dataclass(frozen=True)
    class Ada2(AdaGrad):
        """AdaGrad under another name."""

        name = "ada2"

    alone = Telemetry(Schedule(dense=5, every=10))
    Trainer(_digits(), [Ada2()], ["Ada2"], train=TrainConfig(iters=5, dtype="float64"), callbacks=[alone]).run()
    run = alone.run_series("Ada2")
    assert "ada2" not in OPTIMIZERS and tm._is(run, AdaGrad) and not tm._is(run, RMSProp)
    assert "telemetry_adagrad_h.png" in [name for name, _ in telemetry_figures([run], 5, "ja")]


def test_layers_have_colours_no_run_has_and_runs_keep_theirs(run):
    """Telemetry drew W1, W2, W3 in SGD's, Momentum's and AdaGrad's colours, next to figures where those are the
    runs' colours; and the update-ratio figure gave runs the colours of their position, not of their optimizer.
    Layers now take cividis shades none of the runs has; each run its colour in compare's figures."""
    from matplotlib.colors import to_hex

    from optimlab.viz.colors import RUN_COLORS, layer_colors, run_colors

    _, out, _, table = run
    layers = ["W1", "W2", "W3"]
    metrics = ("eff_lr_p50", "eff_lr_p10", "eff_lr_p90", "h_mean", "lr_analytic_p50", "update_ratio")
    series = [tm.RunSeries(label, opt, {"lr": 0.1}, layers,
                           {(layer, m): curve(table, label, layer, m) for layer in layers for m in metrics
                            if table.get((label, layer, m))})
              for label, opt in (("AdaGrad", "adagrad"), ("Adam", "adam"))]
    shades = layer_colors(3)
    assert len(set(shades)) == 3 and not set(shades) & {c.lower() for c in RUN_COLORS}
    for fig in (tm.effective_lr_figure(series[:1]), tm.adagrad_figure(series[:1])):
        drawn = [to_hex(line.get_color()) for line in fig.axes[0].get_lines() if line.get_label() in
                 ("W1", "W2", "W3", "AdaGrad W1", "AdaGrad W2", "AdaGrad W3")]
        assert drawn == shades
    ratio = tm.update_ratio_figure(series)          # AdaGrad and Adam alone: their own colours, not SGD's and Momentum's
    drawn = {line.get_label(): to_hex(line.get_color()) for line in ratio.axes[0].get_lines()}
    assert [drawn["AdaGrad"], drawn["Adam"]] == [c.lower() for c in run_colors(["adagrad", "adam"])]


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_slide_sized_telemetry_figures_keep_their_layout(run, lang):
    """At --font-scale 1.6 the figures kept their size: the Adam figure's two panel titles ran into each other, its
    right legend spread over the left panel, and the AdaGrad figure's right axis label grew taller than its axes
    (cut off in Japanese). They now grow with the text: no title, legend or label reaches past its panel."""
    import json

    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from optimlab.viz.figures import font_scale

    _, out, _, _ = run
    runs = tm.runs_from_csv(out / "telemetry.csv", json.loads((out / "summary.json").read_text())["runs"])
    import matplotlib

    with matplotlib.rc_context({"font.size": 12}):          # a notebook's own size: not a --font-scale (a review)
        assert tm.effective_lr_figure(runs[:1], lang).get_size_inches().tolist() == [4.2, 3.6]
    with font_scale(1.6):
        figures = [(name, make()) for name, make in tm.telemetry_figures(runs, ITERS, lang)]
    assert {name for name, _ in figures} >= {"telemetry_adagrad_h.png", "telemetry_adam_first_steps.png"}
    for name, fig in figures:
        renderer = FigureCanvasAgg(fig).get_renderer()
        fig.draw(renderer)
        axes = [ax for ax in fig.axes if ax.get_visible()]
        boxes = [ax.get_window_extent(renderer) for ax in axes]
        titles = [ax.title.get_window_extent(renderer) for ax in axes if ax.get_title()]
        for i, a in enumerate(titles):
            assert not any(a.overlaps(b) for b in titles[i + 1:]), f"{name}: panel titles overlap"
        for ax, box in zip(axes, boxes):
            label = ax.yaxis.label.get_window_extent(renderer)
            assert label.height <= box.height + 1, f"{name}: y label {label.height:.0f} px, axes {box.height:.0f} px"
            legend = ax.get_legend()
            if legend is not None:
                drawn = legend.get_window_extent(renderer)
                others = [b for b in boxes if b is not box]
                assert not any(drawn.overlaps(b) for b in others), f"{name}: a legend over another panel"


def test_the_lr_line_label_stands_over_the_curves(run):
    """A teacher's review: "lr = 0.3" in the Momentum panel was half covered by W3; it is drawn over the curves on a
    white ground, and its line is a light grey reference, none of the runs' styles."""
    from matplotlib.text import Annotation

    from optimlab.viz.colors import REFERENCE_GREY, REFERENCE_STYLE

    _, out, _, table = run
    layers = ["W1", "W2", "W3"]
    series = [tm.RunSeries("Momentum", "momentum", {"lr": 0.3}, layers,
                           {(layer, m): curve(table, "AdaGrad", layer, m) for layer in layers
                            for m in ("eff_lr_p50", "eff_lr_p10", "eff_lr_p90")})]
    ax = tm.effective_lr_figure(series).axes[0]
    label = [a for a in ax.texts if isinstance(a, Annotation) and "0.3" in a.get_text()]
    assert len(label) == 1 and label[0].get_zorder() > max(line.get_zorder() for line in ax.get_lines())
    assert label[0].get_bbox_patch() is not None and label[0].get_bbox_patch().get_facecolor()[:3] == (1.0, 1.0, 1.0)
    ref = [line for line in ax.get_lines() if line.get_color() == REFERENCE_GREY]
    assert len(ref) == 1 and ref[0]._unscaled_dash_pattern == REFERENCE_STYLE


def test_the_update_ratio_of_a_layer_at_zero_is_not_a_number_not_inf():
    """A re-test: Adam + BatchNorm's update_ratio in telemetry.csv had the mean inf — β starts at 0, so ‖Δw‖/‖w‖ at
    step 1 divides by 0. There is no ratio to a zero weight: NaN (a gap in the figure), every other value finite."""
    from optimlab.optim import Adam

    tel = Telemetry(Schedule(dense=3, every=10))
    Trainer(_digits(), [Adam()], ["BN"], net=NetConfig(batchnorm=True), train=TrainConfig(iters=3, dtype="float64"),
            callbacks=[tel]).run()
    it, beta = tel.series("BN", "beta1", "update_ratio")
    assert list(it) == [1, 2, 3] and math.isnan(beta[0]) and np.all(np.isfinite(beta[1:]))
    ratios = [v for (_, _, _, metric, v) in tel.records if metric == "update_ratio"]
    assert not any(math.isinf(v) for v in ratios)
