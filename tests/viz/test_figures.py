"""The comparison's figures: every text inside the canvas with the fixed margins, in both languages."""

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from optimlab.errors import ConfigError
from optimlab.train import History
from optimlab.viz.figures import accuracy_figure, loss_figure, overlay_figure

LABELS = ["SGD", "Momentum", "AdaGrad", "RMSProp", "Adam", "Adam + BatchNorm"]


def _histories(seeds=3):
    rng = np.random.default_rng(0)
    out = {}
    for label in LABELS:
        hs = []
        for _ in range(seeds):
            h = History(label)
            h.eval_iters = list(range(10, 1001, 10))
            h.test_acc = list(rng.random(100))
            h.train_acc = list(rng.random(100))
            h.loss = list(rng.random(1000) * 3 + 1e-3)
            hs.append(h)
        out[label] = hs
    return out


@pytest.mark.parametrize("lang", ["en", "ja"])
@pytest.mark.parametrize("kind", ["accuracy", "overlay", "loss"])
def test_every_text_is_inside_the_figure(lang, kind):
    hs = _histories()
    fig = {"accuracy": lambda: accuracy_figure(hs["Adam + BatchNorm"][0], title="Adam + BatchNorm (seed 0)",
                                               lang=lang),
           "overlay": lambda: overlay_figure(hs, lang=lang, note="fashion-mnist · seeds 0–4 · mean, 95% CI band"),
           "loss": lambda: loss_figure(hs, lang=lang, note="fashion-mnist · seeds 0–4 · mean · moving average of 20")}[kind]()
    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw(renderer)
    canvas = fig.bbox
    ax = fig.axes[0]
    assert ax.title.get_text() and ax.xaxis.label.get_text() and ax.yaxis.label.get_text()
    box = ax.get_tightbbox(renderer)             # what is drawn: title, axis labels, tick labels, legend
    assert (box.x0 >= canvas.x0 - 0.5 and box.y0 >= canvas.y0 - 0.5 and box.x1 <= canvas.x1 + 0.5
            and box.y1 <= canvas.y1 + 0.5), f"{kind}/{lang}: texts reach {box.bounds}, the canvas is {canvas.bounds}"


@pytest.mark.parametrize("lang", ["en", "ja"])
@pytest.mark.parametrize("label", ["Adam with a very long descriptive label for my slides 2024 (β1=0.9, β2=0.999)",
                                   "Adam 学習率を小さくした実験とその長い説明 (lr=0.001, バッチ正規化あり)"])
def test_a_long_run_label_wraps_its_title_inside_the_figure(lang, label):
    """A visual review: a long label's per-run title was cut at both edges ("y: Adam with…β2=")."""
    h = _histories()["Adam"][0]
    title = f"{label} (seed 0) (lr=0.01)" if lang == "en" else f"{label}（シード 0）（学習率 0.01）"
    fig = accuracy_figure(h, title=title, lang=lang)
    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw(renderer)
    box = fig.axes[0].title.get_window_extent(renderer)
    assert 0 <= box.x0 and box.x1 <= fig.bbox.width and box.y1 <= fig.bbox.height, (box, fig.bbox)
    shown = fig.axes[0].get_title()
    assert "\n" in shown and shown.replace("\n", " ").replace("  ", " ").endswith("0.01)" if lang == "en" else
                                                                             "0.01）")


@pytest.mark.parametrize("scale", [1.0, 3.0])
def test_a_title_of_capitals_or_at_a_large_font_scale_is_measured_to_fit(scale):
    """A code review: 60 columns of capitals (or of any text at --font-scale 3) are wider than the figure, and the
    first line ended "…DECAY AN", cut off; a second title grew the figure again from its grown size."""
    from optimlab.viz.figures import _title, font_scale

    h = _histories()["Adam"][0]
    with font_scale(scale):
        fig = accuracy_figure(h, title="SGD BASELINE WITH MOMENTUM AND WEIGHT DECAY AND WARMUP SCHEDULE OK "
                                       "MMMMMMMMMM WWWWWWWWWW")
        renderer = FigureCanvasAgg(fig).get_renderer()
        fig.draw(renderer)
        box = fig.axes[0].title.get_window_extent(renderer)
        assert 0 <= box.x0 and box.x1 <= fig.bbox.width, (box, fig.bbox)
        size = tuple(fig.get_size_inches())
        _title(fig, fig.axes[0], fig.axes[0].get_title().replace("\n", " "))    # the same title again
        assert tuple(fig.get_size_inches()) == pytest.approx(size)


def test_wrapping_keeps_closing_marks_line_breaks_and_is_quick():
    """A code review: a line began with "）、"; a line break already in the text was counted as a character; a long
    token took seconds (8000 characters: 171 s)."""
    from optimlab._io import display_width
    from optimlab.viz.figures import wrapped

    assert not any(line[:1] in "）、" for line in wrapped("正解率：" + "学" * 26 + "）、次の行").split("\n"))
    widths = [display_width(x) for x in wrapped("line one\nline two " + "word " * 20).split("\n")]
    assert widths[0] == 8 and 55 <= widths[1] <= 60            # the break kept, the next line filled (it was 48)
    assert wrapped("a " + " " * 80 + "b") == "a\nb"
    assert wrapped("a" * 8000).count("\n") == 133       # cut in one pass (no timing asserted here)


def test_the_overlays_say_their_data_seeds_and_what_the_lines_are():
    """A figure review: test_accuracy.png and loss.png shown on their own (a slide) named no dataset, no seeds, and
    not what the band and the smoothing are; their legends' titles say it."""
    from optimlab.viz.figures import comparison_figures, seeds_text

    assert [seeds_text(s) for s in ([], [3], [0, 1, 2], [0, 3, 7], list(range(0, 20, 2)))] == \
        ["", "seed 3", "seeds 0–2", "seeds 0, 3, 7", "10 seeds"]
    assert seeds_text([4, 5], "ja") == "シード 4–5"
    figs = dict(comparison_figures(_histories(), 0, dataset="mnist-5k", seeds=[0, 1, 2]))
    title = lambda name: figs[name].axes[0].get_legend().get_title().get_text()     # noqa: E731
    assert title("test_accuracy.png") == "mnist-5k · seeds 0–2 · mean, 95% CI band"
    assert title("loss.png") == "mnist-5k · seeds 0–2 · mean · moving average of 20"
    one = dict(comparison_figures(_histories(seeds=1), 0, "ja", dataset="digits", seeds=[0]))
    assert one["test_accuracy.png"].axes[0].get_legend().get_title().get_text() == "digits・シード 0"
    assert one["loss.png"].axes[0].get_legend().get_title().get_text() == "digits・シード 0・20 回の移動平均"


def test_a_runs_own_figure_is_drawn_in_its_colour():
    """A figure review: each run's accuracy_<run>.png drew its two curves in SGD's blue and Momentum's orange, the
    colours that mean those optimizers in every other figure; it is drawn in its own run's colour, the minibatch
    curve dashed."""
    from matplotlib.colors import to_hex

    from optimlab.viz.figures import comparison_figures

    figs = dict(comparison_figures(_histories(seeds=1), 0, colors={k: c for k, c in zip(LABELS, ("#CC79A7",) * 9)}))
    lines = figs["accuracy_adam_batchnorm.png"].axes[0].get_lines()
    assert [to_hex(line.get_color()).upper() for line in lines] == ["#CC79A7", "#CC79A7"]
    assert [line.get_linestyle() for line in lines] == ["--", "-"]
    plain = accuracy_figure(_histories(seeds=1)["Adam + BatchNorm"][0]).axes[0].get_lines()     # as the note draws
    assert len({to_hex(line.get_color()) for line in plain}) == 2


def test_band_counts_only_the_seeds_with_a_value():
    """A diverged seed has no accuracy (NaN) from its divergence on: the band over the others uses their count
    (t with n − 1 degrees of freedom, √n), and a point with one value left has no band."""
    from scipy import stats

    from optimlab.viz.figures import mean_band

    mean, lo, hi = mean_band([[0.5, 0.6, np.nan], [0.7, 0.8, np.nan], [0.6, np.nan, np.nan]])
    v = np.array([0.5, 0.7, 0.6])
    half = stats.t.ppf(0.975, 2) * v.std(ddof=1) / np.sqrt(3)
    assert mean[0] == pytest.approx(0.6) and (lo[0], hi[0]) == pytest.approx((0.6 - half, 0.6 + half))
    w = np.array([0.6, 0.8])
    half = stats.t.ppf(0.975, 1) * w.std(ddof=1) / np.sqrt(2)
    assert mean[1] == pytest.approx(0.7) and (lo[1], hi[1]) == pytest.approx((0.7 - half, 0.7 + half))
    assert np.isnan(mean[2]) and np.isnan(lo[2]) and np.isnan(hi[2])
    one = mean_band([[0.5, np.nan], [0.7, 0.9]])
    assert one[0][1] == one[1][1] == one[2][1] == 0.9


@pytest.mark.parametrize("labels", [["SGD"], ["WWWWWWWWWWWWWWWWWWWWWW (n=3)", "ＡＤＡＭ学習率０．００１"],
                                    [f"run {i}" for i in range(40)], ["W" * 100, "学" * 100]])
def test_the_overlay_and_loss_legends_hide_no_curve_and_fit(labels):
    """The legend stands right of the axes (inside, it covered curves), in columns of at most 18 entries, labels
    over 40 columns shortened; the figure widens by its measured width, so the axes keep their size and the legend
    lies inside the figure."""
    hs = {label: _histories(1)["SGD"] for label in labels}
    for fig in (overlay_figure(hs, lang="ja"), loss_figure(hs, lang="ja")):
        _legend_is_beside_the_axes(fig)


def _legend_is_beside_the_axes(fig):
    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw(renderer)
    ax = fig.axes[0]
    legend = ax.get_legend().get_window_extent(renderer)
    axes = ax.get_window_extent(renderer)
    assert legend.x0 > axes.x1 and legend.x1 <= fig.bbox.x1 - 5 and legend.y0 >= fig.bbox.y0
    from optimlab._io import display_width

    assert all(display_width(line) <= 40 for t in ax.get_legend().get_texts() for line in t.get_text().split("\n"))
    assert all(t.get_text().count("\n") <= 1 for t in ax.get_legend().get_texts())      # two lines at most
    assert fig.get_figwidth() < 7.2 + 3 * 4.5               # 40 runs: three columns; 100 characters: cut at 40
    assert axes.width == pytest.approx((7.2 - 0.9 - 0.15) * fig.dpi, abs=1)


def test_shortened_legend_labels_keep_what_tells_them_apart():
    """Labels of one family differ at the end (an lr, a seed count): shortening keeps the end, so the legend
    entries stay distinct."""
    base = "Adam with the note's defaults and batch size 100, lr "
    hs = {base + "0.001": _histories(2)["SGD"], base + "0.01": _histories(2)["SGD"]}
    fig = overlay_figure(hs, lang="en")
    texts = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert texts == ["Adam with the note's defaults and batch\nsize 100, lr 0.001 (n=2)",      # on two lines, whole
                     "Adam with the note's defaults and batch\nsize 100, lr 0.01 (n=2)"]
    longer = {("a much longer family name " * 4) + end: _histories(2)["SGD"] for end in ("lr 0.001", "lr 0.01")}
    texts = [t.get_text().replace("\n", " ") for t in overlay_figure(longer, lang="en").axes[0].get_legend().get_texts()]
    assert "…" in texts[0] and texts[0].endswith("lr 0.001 (n=2)") and texts[1].endswith("lr 0.01 (n=2)")


def test_long_labels_that_differ_only_in_their_middle_keep_it_in_the_legend():
    """A recipe review: two labels of about 90 characters that differ only in β₂, in their middle, both read "Adam on
    the sigmoid network, lr 0.01, b…9, eps 1e-7, note preset, seed block A" in the legend. Shortened entries that
    would read alike are wrapped whole instead; the others stay shortened."""
    from optimlab.viz.figures import legend_texts

    a = "Adam on the sigmoid network, lr 0.01, beta1 0.9, beta2 = 0.99, eps 1e-7, note preset, seed block A"
    b = a.replace("beta2 = 0.99,", "beta2 = 0.9999,")
    other = "x" * 30 + " a long label of another run that is shortened as before " + "y" * 10
    hs = {a: _histories(1)["SGD"], b: _histories(1)["SGD"], other: _histories(1)["SGD"]}
    texts = [t.get_text() for t in overlay_figure(hs, lang="en").axes[0].get_legend().get_texts()]
    assert len(set(texts)) == 3 and texts[:2] == legend_texts([a, b])
    assert texts[0].replace("\n", " ").startswith(a) and texts[1].replace("\n", " ").startswith(b)
    assert "…" in texts[2]
    assert legend_texts(["SGD", "SGD"]) == ["SGD", "SGD"]                  # the same label twice: as it is


@pytest.mark.parametrize("level", [0.1, 0.5, 0.9])
def test_the_accuracy_legend_covers_no_point(level):
    """A run at chance (the note's SGD) has its curves at 0.1, where the note's lower-right legend stood."""
    h = History("SGD")
    h.eval_iters = list(range(10, 1001, 10))
    h.train_acc = list(level + 0.05 * np.sin(np.arange(100)))
    h.test_acc = [level] * 100
    fig = accuracy_figure(h)
    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw(renderer)
    ax = fig.axes[0]
    legend = ax.get_legend().get_window_extent(renderer)
    for line in ax.get_lines():
        points = ax.transData.transform(np.column_stack(line.get_data()))
        assert not legend.count_contains(points), f"the legend covers {line.get_label()} at {level}"


def test_a_japanese_label_in_an_english_figure_is_drawn(recwarn):
    """A run labelled in Japanese with the default --lang en: its glyphs come from IPAex (DejaVu Sans lacks them)
    instead of empty boxes and a warning per glyph."""
    h = _histories(1)["SGD"]
    fig = overlay_figure({"日本語 ラベル": h, "SGD": h}, lang="en")
    FigureCanvasAgg(fig).draw()
    assert not [w for w in recwarn if "missing from font" in str(w.message)]


def test_figures_at_slide_resolution(tmp_path, capsys):
    """--dpi 200: every PNG twice as many pixels each way (the note-style figure 1280 × 840 instead of 640 × 420),
    recorded in summary.json, so a report in the other language redraws them alike; bad values refused first."""
    import json

    from PIL import Image

    from optimlab.api import compare
    from optimlab.cli import main

    compare(dataset="digits", iters=20, eval_interval=10, optimizers="sgd", out=tmp_path / "a", report=False, dpi=200)
    assert Image.open(tmp_path / "a" / "accuracy_sgd.png").size == (1280, 840)
    assert json.loads((tmp_path / "a" / "summary.json").read_text())["figure_dpi"] == 200
    for argv in (["compare", "--dpi", "49"], ["sweep", "--dpi", "601"], ["landscape", "--dpi", "0"]):
        assert main(argv + ["--out", str(tmp_path / "never")]) == 2
        assert "accepted: an integer from 50 to 600" in capsys.readouterr().err
    assert not (tmp_path / "never").exists()
    assert main(["landscape", "--function", "bowl", "--steps", "5", "--no-gif", "--dpi", "100",
                 "--out", str(tmp_path / "l")]) == 0
    small = Image.open(tmp_path / "l" / "landscape_bowl.png").size
    assert main(["landscape", "--function", "bowl", "--steps", "5", "--no-gif", "--dpi", "200",
                 "--out", str(tmp_path / "l")]) == 0
    assert Image.open(tmp_path / "l" / "landscape_bowl.png").size == (2 * small[0], 2 * small[1])


def test_a_runs_figure_names_the_seed_it_shows(tmp_path, monkeypatch):
    """With --seeds 3,1 each run's note-style figure shows one seed: the title names that seed (the runs are kept
    in seed order, so it is seed 1; the title said 'seed 3' over seed 1's curves)."""
    import optimlab.viz.figures as figures
    from optimlab.api import compare
    from optimlab.train import read_metrics

    drawn = {}
    real = figures.save_figure
    monkeypatch.setattr(figures, "save_figure", lambda fig, path, dpi=100: drawn.setdefault(path.name, fig) and
                        real(fig, path, dpi))
    compare(dataset="digits", iters=30, eval_interval=10, optimizers="adam", seeds=[3, 1], out=tmp_path / "r",
            report=False)
    ax = drawn["accuracy_adam.png"].axes[0]
    assert ax.get_title().endswith("Adam (lr=0.01) (seed 1)")
    curves = read_metrics(tmp_path / "r" / "metrics.csv")
    train_line = ax.get_lines()[0]
    assert list(train_line.get_ydata()) == curves[("Adam", 1)].train_acc != curves[("Adam", 3)].train_acc


def test_english_figures_keep_a_font_family_the_user_sets():
    import matplotlib

    h = _histories(1)["SGD"]
    overlay_figure({"SGD": h}, lang="ja")
    before = list(matplotlib.rcParams["font.family"])
    try:
        matplotlib.rcParams["font.family"] = ["serif"]             # the user's choice, between two figures
        overlay_figure({"SGD": h}, lang="en")
        assert matplotlib.rcParams["font.family"][0] == "serif"
        overlay_figure({"SGD": h}, lang="ja")
        overlay_figure({"SGD": h}, lang="en")                      # after a Japanese one: the user's again
        assert matplotlib.rcParams["font.family"][0] == "serif"
    finally:
        matplotlib.rcParams["font.family"] = before


def test_a_curve_at_accuracy_one_is_drawn_whole():
    """A minibatch accuracy of 1.0 (Adam + BatchNorm) lay on the top edge of the axes, half hidden under it: the
    line's full width now fits below the top, in the note-style figure and the overlay."""
    h = History("Adam + BatchNorm")
    h.eval_iters = list(range(10, 1001, 10))
    h.train_acc, h.test_acc = [1.0] * 100, [0.9] * 100
    for fig in (accuracy_figure(h), overlay_figure({"a": [h]})):
        renderer = FigureCanvasAgg(fig).get_renderer()
        fig.draw(renderer)
        ax = fig.axes[0]
        top = ax.get_window_extent(renderer).y1
        line = ax.get_lines()[0]
        y_line = ax.transData.transform((500, 1.0))[1]
        half_width = line.get_linewidth() * fig.dpi / 72 / 2
        assert y_line + half_width <= top, (y_line, half_width, top)


# Machado, Oliveira & Fernandes (2009), full-severity deuteranopia and protanopia, on linear RGB
_CVD = {"deuteranopia": np.array([[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                                  [-0.011820, 0.042940, 0.968881]]),
        "protanopia": np.array([[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                                [-0.003882, -0.048116, 1.051998]])}


def _seen(hex_color: str, m: np.ndarray) -> np.ndarray:
    from PIL import ImageColor

    c = np.asarray(ImageColor.getrgb(hex_color), dtype=float) / 255
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    out = np.clip(m @ linear, 0, 1)
    return 255 * np.where(out <= 0.0031308, 12.92 * out, 1.055 * out ** (1 / 2.4) - 0.055)


def test_run_colours_stay_apart_for_colour_blind_readers():
    """The six runs' colours, as a reader with red-green colour blindness sees them, stay at least 45 sRGB units
    apart (matplotlib's default cycle: 13 to 29, AdaGrad/RMSProp and SGD/Adam nearly alike); every figure, the
    report and the landscapes use them, in the same order."""
    import itertools

    from optimlab.viz.colors import OPTIMIZER_COLORS, RUN_COLORS
    from optimlab.viz.report import COLORS as REPORT

    for m in _CVD.values():
        gaps = [np.linalg.norm(_seen(a, m) - _seen(b, m)) for a, b in itertools.combinations(RUN_COLORS[:6], 2)]
        assert min(gaps) > 45
    assert tuple(REPORT[:6]) == RUN_COLORS[:6]
    from optimlab.viz.landscape import plot_landscape, run_landscape       # the landscapes: each of the five its own

    paths = [line for line in plot_landscape(run_landscape("bowl", steps=5)).axes[0].get_lines()
             if not line.get_label().startswith("_")][:5]                 # the paths, not their heads
    assert [line.get_color() for line in paths] == list(OPTIMIZER_COLORS.values())
    assert list(OPTIMIZER_COLORS.values()) == list(RUN_COLORS[:5])
    fig = overlay_figure(_histories(1))
    drawn = [line.get_color().lower() for line in fig.axes[0].get_lines()]
    assert drawn == [c.lower() for c in RUN_COLORS[:6]]


def test_a_ninth_run_is_dashed_not_a_second_first_run():
    """Past the palette's eight colours a ninth run was drawn exactly as the first (SGD's blue, solid), in the figures
    and the report's charts: the colours come again dashed (then dotted), and the first eight stay as they were."""
    from optimlab.viz.colors import RUN_COLORS, run_colors
    from optimlab.viz.report import COLORS, _curve_traces, LabelGroup

    one = _histories(1)["SGD"][0]
    runs = {f"run {i}": [one] for i in range(10)}
    colors = run_colors([""] * 10)          # as compare gives runs of no known optimizer: all eight, then again
    assert len(set(colors[:8])) == 8 and colors[8:] == colors[:2]
    for fig in (overlay_figure(runs), loss_figure(runs)):
        lines = fig.axes[0].get_lines()
        styles = [(line.get_color().lower(), line.get_linestyle(), line._unscaled_dash_pattern) for line in lines]
        assert len(styles) == 10 and len(set(styles)) == 10
        assert [s[0] for s in styles[8:]] == [s[0] for s in styles[:2]]      # the first two colours again, in other
        assert [s[2] for s in styles[8:]] != [s[2] for s in styles[:2]]      # styles
    groups = [LabelGroup(label, [{"label": label, "seed": 0}], hs, COLORS[i % len(COLORS)])   # as label_groups
              for i, (label, hs) in enumerate(runs.items())]
    dashes = [(t["line"]["color"], t["line"]["dash"]) for t in _curve_traces(groups, "test_acc")]
    assert [c for c, _ in dashes] == [*RUN_COLORS, *RUN_COLORS[:2]] and len(set(dashes)) == 10
    assert dashes[0][1] == "solid" and [d for _, d in dashes[8:]] == ["dash", "dot"]     # SGD's blue: solid


def test_a_loss_near_the_end_of_float64_is_drawn_on_its_own_scale():
    """lr 1e300 in float64 gives finite losses near 5e300: matplotlib's log autoscaling overflowed (a RuntimeWarning,
    then an axis from 1 to 10 with the curve off it). The axis now spans the losses, with no warning."""
    import warnings

    h = History("SGD")
    h.loss = [2.3] + [5.7e300] * 29
    h.eval_iters, h.test_acc, h.train_acc = [10, 20, 30], [0.1] * 3, [0.1] * 3
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = loss_figure({"SGD": [h]}, window=1)
        FigureCanvasAgg(fig).draw()
    low, top = fig.axes[0].get_ylim()
    assert low <= 2.3 and 5.7e300 <= top < np.inf
    # an ordinary loss keeps matplotlib's own scale
    fig = loss_figure(_histories(1))
    assert fig.axes[0].get_ylim()[1] < 100


def test_the_figures_take_what_trainer_run_returns():
    """Trainer.run() gives a list of histories; overlay_figure(list) failed with "'list' object has no attribute
    'items'". A list is grouped by label: the same figure as the dict."""
    hs = _histories(2)
    as_list = [h for label in LABELS for h in hs[label]]
    for make in (overlay_figure, loss_figure):
        a, b = make(hs).axes[0].get_lines(), make(as_list).axes[0].get_lines()
        assert [(line.get_label(), line.get_ydata().tolist()) for line in a] == \
               [(line.get_label(), line.get_ydata().tolist()) for line in b]


def test_accuracy_bands_stay_between_zero_and_one():
    """With 3 seeds (t = 4.3) a band around accuracies near 1 or 0 went past 1 and below 0, in the PNG and the
    report; an accuracy's band is clipped to [0, 1] (the loss's is not an accuracy)."""
    from matplotlib.collections import PolyCollection

    from optimlab.train import History
    from optimlab.viz.figures import overlay_figure
    from optimlab.viz.report import LabelGroup, _curve_traces

    hs = [History("A", loss=[1.0, 0.5], eval_iters=[10, 20], test_acc=[a, b], train_acc=[a, b])
          for a, b in ((0.02, 0.97), (0.1, 0.99), (0.3, 0.80))]
    fig = overlay_figure({"A": hs})
    (band,) = [c for c in fig.axes[0].collections if isinstance(c, PolyCollection)]
    y = np.concatenate([p.vertices[:, 1] for p in band.get_paths()])
    assert y.min() >= 0 and y.max() <= 1 and y.max() == 1 and y.min() == 0
    group = LabelGroup("A", [{"label": "A", "seed": s} for s in range(3)], hs, "#000000")
    (fill, _) = _curve_traces([group], "test_acc")
    assert fill["fill"] == "toself" and min(fill["y"]) == 0 and max(fill["y"]) == 1


def test_a_font_scale_for_slides_grows_the_text_and_keeps_every_label_in_the_picture(tmp_path):
    """A 640 × 420 figure filling a projected slide shows 10 pt text at about 8 pt; a matplotlibrc with a bigger
    font cut off the x label (the margins are fixed in inches). font_scale (--font-scale) grows the text and saves
    the canvas grown to what the labels need; 1 changes nothing; the run records it for a report's redraw."""
    from PIL import Image

    from optimlab.api import compare
    from optimlab.errors import ConfigError
    from optimlab.viz.figures import check_font_scale, font_scale, overlay_figure, save_figure
    from optimlab.train import History

    hs = {"A": [History("A", loss=[1.0, 0.5], eval_iters=[10, 20], test_acc=[0.3, 0.6], train_acc=[0.3, 0.6])]}
    plain = overlay_figure(hs)
    with font_scale(2.5):
        big = overlay_figure(hs)
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        label = big.axes[0].xaxis.label
        assert label.get_fontsize() == 2.5 * plain.axes[0].xaxis.label.get_fontsize()
        assert label.get_window_extent(FigureCanvasAgg(big).get_renderer()).y0 < 0      # off the fixed canvas
        save_figure(big, tmp_path / "big.png")
    save_figure(plain, tmp_path / "plain.png")
    w0, h0 = Image.open(tmp_path / "plain.png").size
    w1, h1 = Image.open(tmp_path / "big.png").size
    assert abs(w0 - plain.get_figwidth() * 100) <= 1 and abs(h0 - plain.get_figheight() * 100) <= 1   # as drawn
    assert h1 > h0 and w1 > w0                         # grown to hold the labels
    for bad in (0.5, 4, "x", True, float("nan")):
        with pytest.raises(ConfigError, match=r"invalid font_scale: .* \(accepted: a number from 1 to 3;"):
            check_font_scale(bad)
    out = compare(dataset="digits", iters=20, eval_interval=10, optimizers="sgd", out=tmp_path / "c", report=False,
                  font_scale=1.6)
    assert out.summary["figure_font_scale"] == 1.6
    assert Image.open(tmp_path / "c" / "test_accuracy.png").size[1] > h0


def test_the_figures_say_each_runs_lr_so_an_override_shows(tmp_path, monkeypatch):
    """After --lr adam=0.001 the legends and titles said just "Adam": nothing on a figure showed the lr had been
    changed. Each run's lr is said as a landscape says it, unless the label already shows it; a report redrawn in
    Japanese says it too."""
    import optimlab.viz.figures as figures
    from optimlab.api import compare
    from optimlab.viz.figures import with_lr
    from optimlab.viz.report import write_report

    drawn = {}
    real = figures.save_figure
    monkeypatch.setattr(figures, "save_figure", lambda fig, path, dpi=100: drawn.setdefault(path.name, fig) and
                        real(fig, path, dpi))
    compare(dataset="digits", iters=20, eval_interval=10, optimizers="sgd,adam", lrs={"adam": 0.001},
            out=tmp_path / "r", report=False)
    legend = [t.get_text() for t in drawn["test_accuracy.png"].axes[0].get_legend().get_texts()]
    assert legend == ["SGD (lr=0.01)", "Adam (lr=0.001)", "Adam + BatchNorm (lr=0.001)"]
    assert [t.get_text() for t in drawn["loss.png"].axes[0].get_legend().get_texts()] == legend
    assert drawn["accuracy_adam.png"].axes[0].get_title().endswith("Adam (lr=0.001)")
    assert with_lr("Adam lr=0.001", 0.001) == "Adam lr=0.001" and with_lr("Adam", None) == "Adam"
    assert with_lr("Adam (lr 1e-3)", 0.001) == "Adam (lr 1e-3)"                  # the same number, written otherwise
    assert with_lr("SGD lr=0.15", 0.1) == "SGD lr=0.15 (lr=0.1)"                  # 0.1 is in "0.15", not its lr
    assert with_lr("Adam", float("nan")) == "Adam" and with_lr("Adam", 0.01, "ja") == "Adam（学習率 0.01）"
    redrawn = {}
    real_figures = figures.comparison_figures

    def spy(*args, **kwargs):
        out = real_figures(*args, **kwargs)
        redrawn.update(out)
        return out

    monkeypatch.setattr(figures, "comparison_figures", spy)
    write_report(tmp_path / "r", lang="ja")                  # redrawn in Japanese, the lrs from summary.json
    legend = [t.get_text() for t in redrawn["test_accuracy.png"].axes[0].get_legend().get_texts()]
    assert legend == ["SGD（学習率 0.01）", "Adam（学習率 0.001）", "Adam + BatchNorm（学習率 0.001）"]


def test_the_figure_functions_take_what_a_notebook_has_and_refuse_the_rest_in_one_line():
    """overlay_figure(by_seed), with README's {seed: Trainer.run()}, raised "unsupported operand type(s) for +: 'int'
    and 'str'"; overlay_figure(h[0]) "'History' object is not iterable"; accuracy_figure(histories) an AttributeError;
    overlay_figure([]) drew an empty figure. The first two draw (a band over the seeds), the others are refused."""
    from optimlab.errors import ConfigError
    from optimlab.train import History
    from optimlab.viz.figures import accuracy_figure, loss_figure, overlay_figure

    def h(label, final):
        return History(label, loss=[1.0, 0.5], eval_iters=[10, 20], test_acc=[0.3, final], train_acc=[0.3, final])

    by_seed = {s: [h("adam", 0.6 + s / 100), h("sgd", 0.2)] for s in range(3)}
    legend = [t.get_text() for t in overlay_figure(by_seed).axes[0].get_legend().get_texts()]
    assert legend == ["adam (n=3)", "sgd (n=3)"]
    assert [t.get_text() for t in loss_figure(h("adam", 0.6)).axes[0].get_legend().get_texts()] == ["adam"]
    runs = [h("adam", 0.6), h("sgd", 0.2)]            # any iterable, read once
    for given in ((x for x in runs), {0: runs[0], 1: runs[1]}.values(), map(lambda x: x, runs)):
        assert [t.get_text() for t in overlay_figure(given).axes[0].get_legend().get_texts()] == ["adam", "sgd"]
    for bad, needle in (([], "an empty list, nothing to draw"), ({0: "adam"}, "a dict of str"), ("adam", "str"),
                        ([h("a", 0.5), 3], "list"), ({}, "no History in the dict"),
                        ({"adam": []}, "no History in the dict")):
        with pytest.raises(ConfigError, match=rf"^invalid histories: .*{needle}.* \(accepted: the list Trainer\.run"):
            overlay_figure(bad)
    with pytest.raises(ConfigError, match=r"^invalid history: list \(accepted: one History, e\.g\. Trainer\.run\(\)\[0\]\)"):
        accuracy_figure([h("a", 0.5)])


def test_a_run_that_diverged_says_so_in_the_legend():
    """SGD at lr 1e4 diverged before its first evaluation: a legend entry with no line and no word why."""
    from optimlab.train import History
    from optimlab.viz.figures import overlay_figure

    gone = History("SGD", loss=[2.3, float("inf")], eval_iters=[10], test_acc=[float("nan")], train_acc=[float("nan")],
                   status="diverged", diverged_at=2)
    ok = History("Adam", loss=[2.3, 1.0], eval_iters=[10], test_acc=[0.5], train_acc=[0.5])
    legend = [t.get_text() for t in overlay_figure([gone, ok]).axes[0].get_legend().get_texts()]
    assert legend == ["SGD (diverged at 2)", "Adam"]
    assert [t.get_text() for t in overlay_figure([gone], lang="ja").axes[0].get_legend().get_texts()] == \
        ["SGD（2 回目で発散）"]


def _line_colors(fig):
    return {line.get_label(): line.get_color() for line in fig.axes[0].get_lines()}


def test_figures_take_what_compare_and_a_run_folder_give_in_compares_colours(tmp_path):
    """overlay_figure(out.result) and overlay_figure(LoadedRun(d).histories) were refused; a figure of sgd,adam runs
    drew Adam in the palette's second colour (orange) where compare's PNGs draw it in Adam's (purple)."""
    from optimlab.api import compare
    from optimlab.results import LoadedRun
    from optimlab.viz.colors import OPTIMIZER_COLORS, RUN_COLORS

    out = compare(dataset="digits", optimizers="sgd,adam", iters=10, out=tmp_path / "r", plots=False, report=False)
    want = {"SGD": OPTIMIZER_COLORS["sgd"], "Adam": OPTIMIZER_COLORS["adam"], "Adam + BatchNorm": RUN_COLORS[5]}
    run = LoadedRun(tmp_path / "r")
    trainer = [History("SGD", eval_iters=[1, 2], test_acc=[0.1, 0.2], loss=[1.0, 0.5]),
               History("adam 1e-3", eval_iters=[1, 2], test_acc=[0.1, 0.3], loss=[1.0, 0.4])]
    runs = lambda fig: {k.split(" (lr=")[0]: v for k, v in _line_colors(fig).items()}   # noqa: E731 - lr said or not
    for given in (out.result, run.histories, run):
        assert runs(overlay_figure(given)) == want
        assert runs(loss_figure(given)) == want
    assert _line_colors(overlay_figure(trainer)) == {"SGD": OPTIMIZER_COLORS["sgd"],
                                                     "adam 1e-3": OPTIMIZER_COLORS["adam"]}
    assert _line_colors(overlay_figure(trainer, colors={"SGD": "#000000"}))["SGD"] == "#000000"
    # {name: History}, one per key (a notebook's {f"lr {lr}": Trainer(...).run()[0]}): a line per key, not one mean
    by_lr = {f"lr {lr}": History("adam", eval_iters=[1, 2], test_acc=[0.1, lr], loss=[1.0, 0.5]) for lr in (0.2, 0.3)}
    assert list(_line_colors(overlay_figure(by_lr))) == ["lr 0.2", "lr 0.3"]
    with pytest.raises(ConfigError, match=r"^invalid histories: int \(accepted: .*compare\(\)'s out.result, a LoadedRun "
                                          r"or its .histories\)$"):
        overlay_figure(5)


def test_loss_ticks_are_plain_numbers_as_the_console_prints_them():
    """The log axis of loss.png read 2×10⁰, 6×10⁻¹ …; a loss between 0.001 and 10000 is labelled 2, 0.6 …, on the
    ticks matplotlib labels. A loss past that range keeps powers of ten."""
    h = History("SGD")
    h.loss = list(np.geomspace(2.3, 0.15, 300))
    h.eval_iters, h.test_acc, h.train_acc = [100, 200, 300], [0.5] * 3, [0.5] * 3
    fig = loss_figure({"SGD": [h]}, window=1)
    FigureCanvasAgg(fig).draw()
    axis = fig.axes[0].yaxis
    labels = [t.get_text() for t in axis.get_ticklabels(which="both") if t.get_text()]
    assert "1" in labels and "2" in labels and "0.2" in labels, labels
    assert not any("10" in s and "^" in s or "×" in s for s in labels), labels
    h.loss = [2.3] + [5.7e300] * 29
    fig = loss_figure({"SGD": [h]}, window=1)
    FigureCanvasAgg(fig).draw()
    assert any("^" in t.get_text() for t in fig.axes[0].yaxis.get_ticklabels()), "powers of ten past 1e4"


def test_the_notes_six_runs_differ_without_their_colours():
    """An accessibility review: the six runs of the note were six solid lines, told apart by colour alone (Momentum's
    orange and RMSProp's vermillion 18 apart under deuteranopia, Adam and Adam + BN 21 under protanopia). Each now
    has its own line style too, in the figures and in the report's charts."""
    from optimlab.viz.report import COLORS, LabelGroup, _curve_traces

    runs = _histories(1)
    assert len(runs) == 6
    for fig in (overlay_figure(runs), loss_figure(runs)):
        dashes = [(line.get_linestyle(), line._unscaled_dash_pattern) for line in fig.axes[0].get_lines()]
        assert len(dashes) == 6 and len(set(dashes)) == 6, dashes
    groups = [LabelGroup(label, [{"label": label, "seed": 0}], hs, COLORS[i]) for i, (label, hs) in enumerate(runs.items())]
    for attr in ("test_acc", "loss", "train_acc"):
        assert len({t["line"]["dash"] for t in _curve_traces(groups, attr) if t.get("mode") != "none"}) == 6


def test_a_runs_style_follows_its_optimizer_and_stays_apart_in_grey():
    """A teacher's review: styles by position made SGD solid in one figure and dotted in another; legend samples 2 font
    sizes long showed one piece of dash-dot, long dash and long dash-dot-dot, which looked alike; on noisy curves and in
    grey (three colours print as one grey) the patterns broke up. A palette colour keeps its style in every figure
    (another colour taking it gets the next free one), each run has a sparse marker of its own, and the legend's
    samples are longer."""
    from optimlab.viz.colors import LEGEND_HANDLE, OPTIMIZER_COLORS, line_markers, line_styles

    sgd, adam = OPTIMIZER_COLORS["sgd"], OPTIMIZER_COLORS["adam"]
    assert line_styles([sgd, adam])[0] == line_styles([adam, sgd])[1] == "-"                # SGD solid wherever drawn
    assert line_styles([adam, "#56B4E9", sgd, "#000000"]) == [(0, (8, 4)), (0, (8, 3, 1, 3, 1, 3)), "-", (0, (4, 1.5))]
    runs = _histories(1)
    for fig in (overlay_figure(runs), loss_figure(runs)):
        ax = fig.axes[0]
        marks = [(line.get_marker(), line.get_markevery()) for line in ax.get_lines()]
        assert len({m for m, _ in marks}) == 6 and len({e for _, e in marks}) == 6, marks     # shifted apart
        assert ax.get_legend().handlelength == LEGEND_HANDLE
    assert line_markers(list(OPTIMIZER_COLORS.values())) == ["o", "s", "^", "D", "v"]


def test_eight_optimizers_each_have_a_style_and_a_marker_of_their_own():
    """An accessibility review: three optimizers added to the note's five (nine runs with Adam + BatchNorm) drew the
    seventh and eighth colours (black, yellow) with SGD's and Momentum's line style and marker again: without colour
    and on a grey printout, FastSGD was SGD. Each of the eight palette colours' first lines has its own."""
    from optimlab.viz.colors import RUN_COLORS, RUN_DASHES, RUN_SYMBOLS, line_markers, line_styles, run_colors

    colors = run_colors(["sgd", "momentum", "adagrad", "rmsprop", "adam", "adam", "fastsgd", "slowadam"])
    assert colors == list(RUN_COLORS)
    assert len({str(x) for x in line_styles(colors)}) == 8 and len(set(line_markers(colors))) == 8
    assert len(set(line_styles(colors, RUN_DASHES))) == 8 and len(set(line_styles(colors, RUN_SYMBOLS))) == 8


def test_a_notebooks_figure_of_a_comparison_names_each_run_with_its_lr_as_the_folders_png(tmp_path):
    """A teacher's review: overlay_figure(out.result) said "SGD", where the run folder's test_accuracy.png says
    "SGD (lr=0.01)"; a LoadedRun the same. Histories alone (Trainer.run()) know no lr: their labels stay."""
    from optimlab.api import compare
    from optimlab.results import LoadedRun
    from optimlab.viz.figures import loss_figure, overlay_figure

    out = compare(dataset="digits", iters=40, eval_interval=20, out=tmp_path / "r", optimizers="sgd,momentum",
                  lrs={"momentum": 0.05}, plots=False, report=False)
    legend = lambda fig: [x.get_text() for x in fig.axes[0].get_legend().get_texts()]   # noqa: E731
    want = ["SGD (lr=0.01)", "Momentum (lr=0.05)"]
    assert legend(overlay_figure(out.result)) == want == legend(loss_figure(out.result))
    assert legend(overlay_figure(LoadedRun(tmp_path / "r"))) == want
    assert legend(overlay_figure(out.result, lang="ja")) == ["SGD（学習率 0.01）", "Momentum（学習率 0.05）"]
    assert legend(overlay_figure(out.result, names={"SGD": "plain"})) == ["plain", "Momentum (lr=0.05)"]
    assert legend(overlay_figure([r.history for r in out.result.runs])) == ["SGD", "Momentum"]
