"""The comparison's figures, drawn on ``matplotlib.figure.Figure`` (no pyplot, no global state).

* :func:`accuracy_figure` — one run in the note's layout: training set vs test set, y from 0 to 1;
* :func:`overlay_figure` — every run's test accuracy (mean and 95 % band over seeds when there are several);
* :func:`loss_figure` — every run's minibatch loss (moving average).
"""

from __future__ import annotations

import math
import os
import re
from contextlib import contextmanager
from typing import Iterator, Sequence

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import LogFormatterSciNotation, NullLocator

from .._io import atomic_path, display_width, shortened
from ..train import History
from .colors import (LEGEND_HANDLE, OPTIMIZER_COLORS, colors_by_label, markers_by_label, sparse_marks,
                     styles_by_label, use_run_colors)
from .i18n import t, use_font
from .notebook import inline_in_jupyter


def _fig(lang: str, size=(6.4, 4.2)) -> Figure:
    """A figure with fixed margins (in inches, so every size gets the same room for labels): constrained
    layout would measure every text twice per save, about a third of the drawing time."""
    use_font(lang)
    inline_in_jupyter()
    fig = Figure(figsize=size, dpi=100)
    _margins(fig, size)
    return fig


def _margins(fig: Figure, size, right: float = 0.15) -> None:
    """The fixed margins; ``right`` inches right of the axes (the figure widens by what is more than 0.15)."""
    w, h = size[0] + right - 0.15, size[1]
    fig.set_size_inches(w, h)
    fig.subplots_adjust(left=0.9 / w, right=1 - right / w, bottom=0.55 / h, top=1 - 0.35 / h)


LEGEND_ROWS = 18        # entries per legend column beside the axes (they fit the axes' height)
LEGEND_CHARS = 40       # a legend line's columns: longer labels take two lines, then lose their middle to …
TITLE_COLUMNS = 60      # a title wider than this (a long run label) takes more lines: it was cut at both edges


def _title(fig: Figure, ax, text: str) -> None:
    """``text`` as ``ax``'s title, :func:`wrapped` to lines the figure's width holds (measured: 60 columns of
    capitals, or of text at ``--font-scale`` 3, are wider than 60 of lower case); the figure grows by the lines it
    adds above the axes, which keep their size (a long run label's title was cut at both edges: a visual review).
    Called again, it grows the figure from its size before the first call."""
    from matplotlib import rcParams
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.font_manager import FontProperties

    base = getattr(fig, "_optimlab_title_base", None)
    if base is None:
        base = fig._optimlab_title_base = (*fig.get_size_inches(), fig.subplotpars.bottom, fig.subplotpars.top)
    w, h, bottom, top = base
    columns = TITLE_COLUMNS
    ax.set_title(wrapped(text, columns))
    if display_width(text) > columns // 2:              # a short title fits: measured only when it may not
        renderer = FigureCanvasAgg(fig).get_renderer()

        def outside() -> bool:                          # centred over the axes, not the figure: both edges count
            box = ax.title.get_window_extent(renderer)
            return box.x0 < 2 or box.x1 > fig.bbox.width - 2

        while outside() and columns > 12:
            columns -= 6
            ax.set_title(wrapped(text, columns))
    extra = ax.get_title().count("\n")
    line = FontProperties(size=rcParams["axes.titlesize"]).get_size_in_points() * 1.25 / 72   # inches a line
    grown = h + extra * line
    fig.set_size_inches(w, grown)
    fig.subplots_adjust(bottom=bottom * h / grown, top=1 - ((1 - top) * h + extra * line) / grown)


NO_LINE_START = set("、。，．）」』】・：；？！ー%ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶ)],.:;!?")   # kinsoku


def wrapped(text: str, columns: int = TITLE_COLUMNS) -> str:
    """``text`` in lines of at most ``columns`` display columns (a wide character counts two), broken at a space,
    before an opening bracket or between two wide characters, never before a closing mark (、。）…); a word longer
    than a line is cut where it must be. Line breaks already in ``text`` are kept."""
    if "\n" in text:
        return "\n".join(wrapped(part, columns) for part in text.split("\n"))
    if display_width(text) <= columns:
        return text
    pieces, piece = [], ""
    for i, c in enumerate(text):                  # break opportunities: before a space or bracket, inside CJK
        wide = display_width(c) == 2 and i and display_width(text[i - 1]) == 2
        if piece and (c in " (（" or wide) and c not in NO_LINE_START:
            pieces.append(piece)
            piece = ""
        piece += c
    pieces.append(piece)
    lines, line = [], ""
    for p in pieces:
        if line.strip() and display_width(line + p) > columns:
            lines.append(line.rstrip())
            line = p.lstrip()
        else:
            line = line + p if line.strip() else (line + p).lstrip()     # no line starts with spaces
        while display_width(line) > columns:     # one piece wider than a line: cut at the columns, in one pass
            width, cut = 0, 0
            for cut, c in enumerate(line):
                width += display_width(c)
                if width > columns:
                    break
            lines.append(line[:cut])
            line = line[cut:]
    lines.append(line.rstrip())
    return "\n".join(x for x in lines if x.strip())


def two_lines(label: str, columns: int = LEGEND_CHARS) -> str:
    """``label`` in at most two lines of ``columns`` display columns, its middle lost to … only if need be (a legend
    entry; a bar's name on a report chart's axis)."""
    n = 2 * columns
    while (shown := wrapped(shortened(label, n), columns)).count("\n") > 1 and n > columns:
        n -= 2
    return shown if shown.count("\n") <= 1 else shortened(label, columns)


def legend_texts(labels: list[str], columns: int = LEGEND_CHARS) -> list[str]:
    """Each label as a legend shows it, :func:`two_lines`; labels that would read the same so (two of 90 characters
    that differ only in their middle: a recipe review's "… beta2 = 0.99 …" and "… beta2 = 0.9999 …" both read "Adam on
    the sigmoid network, lr 0.01, b…9, eps 1e-7 …") are wrapped whole on as many lines as they take."""
    shown = [two_lines(s, columns) for s in labels]
    origins: dict[str, set[str]] = {}
    for label, text in zip(labels, shown):
        origins.setdefault(text, set()).add(label)
    return [wrapped(label, columns) if len(origins[text]) > 1 else text for label, text in zip(labels, shown)]


def _legend_beside(fig: Figure, ax, size, title: str | None = None) -> None:
    """The legend right of the axes, where it hides no curve, in columns of at most :data:`LEGEND_ROWS` entries;
    the figure widens by the legend's measured width (one layout of the legend's texts), so the axes keep their
    size. ``title``: a line above the entries (what the figure shows: data, seeds, what the lines are)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    handles, labels = ax.get_legend_handles_labels()
    # a long label on two lines, its middle lost to … only beyond them: shortened to one line, "Adam 学習率を小さく…,
    # バッチ正規化あり)" lost the lr that told it apart (a visual review)
    labels = legend_texts(labels)
    lines = sum(s.count("\n") + 1 for s in labels)
    legend = ax.legend(handles, labels, loc="upper left", bbox_to_anchor=(1.02, 1), borderaxespad=0,
                       fontsize="small", ncol=max(1, -(-lines // LEGEND_ROWS)), title=title,
                       title_fontsize="small", alignment="left", handlelength=LEGEND_HANDLE)
    width = legend.get_window_extent(FigureCanvasAgg(fig).get_renderer()).width / fig.dpi
    _margins(fig, size, width + 0.3)



ACC_TOP = 1.02   # a curve at accuracy 1.0 drawn whole, not half hidden under the axes' top edge


def accuracy_figure(history: History, title: str | None = None, lang: str = "en", color: str | None = None) -> Figure:
    """The note's plot for one run: minibatch and test accuracy against the iteration count. ``color``: the run's
    (``optimlab compare`` gives each run its optimizer's), test solid and minibatch dashed in it; without, the first
    two colours of the palette (which are SGD's and Momentum's elsewhere)."""
    if not isinstance(history, History):
        from ..errors import ConfigError

        raise ConfigError(f"invalid history: {type(history).__name__} (accepted: one History, e.g. Trainer.run()[0])")
    fig = _fig(lang)
    ax = fig.add_subplot()
    use_run_colors(ax)
    test = {} if color is None else {"color": color}
    ax.plot(history.eval_iters, history.train_acc, label=t("training set", lang),
            **(test and {**test, "linestyle": "--", "alpha": 0.7}))
    ax.plot(history.eval_iters, history.test_acc, label=t("test set", lang), **test)
    ax.legend(loc="best")               # the note puts it lower right, where a run that stays at chance has its curves
    _title(fig, ax, f"{t('accuracy', lang)}{t('colon', lang)}{title or history.label}")
    ax.set_xlabel(t("count", lang))
    ax.set_ylabel(t("accuracy", lang))
    ax.set_ylim(0, ACC_TOP)
    ax.grid(alpha=0.3)
    return fig


def mean_band(curves: Sequence[Sequence[float]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean and 95 % confidence band (Student t) over seeds, pointwise, over the seeds with a value there (a
    diverged seed has none): where fewer than 2 have one, no band (lower = upper = mean)."""
    a = np.asarray(curves, dtype=float)
    n = np.isfinite(a).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(n > 0, np.nansum(np.where(np.isfinite(a), a, 0.0), axis=0) / np.maximum(n, 1), np.nan)
        if len(a) < 2 or not (n >= 2).any():
            return mean, mean, mean
        from scipy import stats

        dev = np.where(np.isfinite(a), a - mean, 0.0)
        sd = np.sqrt((dev ** 2).sum(axis=0) / np.maximum(n - 1, 1))
        half = np.where(n >= 2, stats.t.ppf(0.975, np.maximum(n - 1, 1)) * sd / np.sqrt(np.maximum(n, 1)), 0.0)
    return mean, mean - half, mean + half


def label_histories(histories) -> dict[str, list[History]]:
    """``{label: [History, ...]}`` (one entry per seed), as the figures take it (:func:`runs_by_label`)."""
    return runs_by_label(histories)[0]


def runs_by_label(histories) -> tuple[dict[str, list[History]], dict[str, str]]:
    """``({label: [History, ...]}, {label: optimizer name})`` from what the figures take: a list of histories (what
    ``Trainer.run()`` returns), one History, ``{seed: Trainer.run()}`` (README's ``by_seed``), ``{label: [History,
    ...]}``, a dict of histories (``LoadedRun(folder).histories``), ``compare()``'s ``out.result`` or a
    :class:`~optimlab.results.LoadedRun`; histories are grouped by label. A label's optimizer is the one its run
    used where that is known (``out.result``, a LoadedRun), else the first of the five optimizers' names that is a
    word of the label ('Adam', Trainer's default, or 'adam 1e-3'), else ''. Anything else is a one-line ConfigError
    (it was a TypeError from deep inside matplotlib)."""
    from ..errors import ConfigError
    from ..experiment import CompareResult
    from ..results import LoadedRun

    accepted = ("(accepted: the list Trainer.run() returns, {seed: that list}, {label: [History, ...]}, "
                "compare()'s out.result, a LoadedRun or its .histories)")
    if isinstance(histories, CompareResult):
        runs = histories.by_label()
        return ({label: [r.history for r in rs] for label, rs in runs.items() if rs},
                {label: rs[0].spec.optimizer for label, rs in runs.items() if rs})
    if isinstance(histories, LoadedRun):
        optimizer_of = {r["label"]: r.get("optimizer", "") for r in histories.summary["runs"]}
        by_label = label_histories(histories.histories)
        return by_label, {label: optimizer_of.get(label, "") for label in by_label}
    if isinstance(histories, History):
        histories = [histories]
    if isinstance(histories, dict):
        values = [list(v) if isinstance(v, (list, tuple)) else v for v in histories.values()]
        if values and all(isinstance(v, History) for v in values):
            if all(isinstance(k, str) for k in histories):              # {"lr 0.01": History, …}: keys name them
                return _with_optimizers({k: [v] for k, v in zip(histories, values)})
            histories = values                                          # LoadedRun.histories: {(label, seed): …}
        elif not all(isinstance(v, list) and all(isinstance(h, History) for h in v) for v in values):
            raise ConfigError(f"invalid histories: a dict of {type(values[0]).__name__} {accepted}")
        elif not any(values):
            raise ConfigError(f"invalid histories: no History in the dict, nothing to draw {accepted}")
        elif all(isinstance(k, str) for k in histories):
            return _with_optimizers({k: v for k, v in zip(histories, values)})
        else:
            histories = [h for v in values for h in v]          # {seed: [History, ...]}: every seed's runs, by label
    try:                                  # a list, a tuple, a generator, dict.values() …: read once
        items = None if isinstance(histories, (str, bytes)) else list(histories)
    except TypeError:
        items = None
    if items is None or not all(isinstance(h, History) for h in items):
        raise ConfigError(f"invalid histories: {type(histories).__name__} {accepted}")
    if not items:
        raise ConfigError(f"invalid histories: an empty list, nothing to draw {accepted}")
    out: dict[str, list[History]] = {}
    for h in items:
        out.setdefault(h.label, []).append(h)
    return _with_optimizers(out)


def _with_optimizers(by_label: dict[str, list[History]]) -> tuple[dict[str, list[History]], dict[str, str]]:
    return by_label, {label: label_optimizer(label) for label in by_label}


def label_optimizer(label: str) -> str:
    """The first of the five optimizers' names that is a word of ``label`` (``'Adam + BatchNorm'`` → ``'adam'``),
    or ''."""
    return next((w for w in re.findall(r"[a-z]+", label.lower()) if w in OPTIMIZER_COLORS), "")


def seed_scores(curves, iterations: Sequence[int], runs: Sequence[tuple[str, int | None]]) -> np.ndarray:
    """Accuracy curves of several seeds at ``iterations`` (NaN where a seed has no value), each run's ``(status,
    diverged_at)`` counting as every statistic over seeds counts it: a seed that diverged 0 from its divergence on,
    one that failed 0 throughout. Over the seeds that survived alone a mean curve rose as the weak seeds dropped out
    (0.973 at the end where the statistics said 0.584), and a run could reach a target on them alone."""
    a = np.array(curves, dtype=float)
    x = np.asarray(iterations)
    for i, (status, at) in enumerate(runs):
        if status != "ok":
            kept = (x < at) & np.isfinite(a[i]) if status == "diverged" and at is not None else np.zeros(len(x), bool)
            a[i] = np.where(kept, a[i], 0.0)
    return a


def _grouped(histories, attr: str):
    for label, hs in label_histories(histories).items():
        hs = [h for h in hs if getattr(h, attr)]
        if not hs:
            continue
        n = min(len(getattr(h, attr)) for h in hs)
        yield label, hs, [getattr(h, attr)[:n] for h in hs], n


def with_lr(label: str, lr: float | None, lang: str = "en") -> str:
    """``label`` with its learning rate as a landscape's legend gives it (``Adam (lr=0.001)``), so that a figure says
    what ``--lr`` set; unchanged when there is no lr or the label shows it already (``Adam lr=0.001``)."""
    if lr is None or not math.isfinite(float(lr)):
        return label
    numbers = re.findall(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?", label)    # "0.001", "1e-3" … in the label
    if any(math.isclose(float(x), float(lr), rel_tol=1e-9) for x in numbers):
        return label
    return label + t("lr note", lang).format(lr=f"{float(lr):g}")


def overlay_figure(histories, lang: str = "en", title: str | None = None,
                   colors: dict[str, str] | None = None, names: dict[str, str] | None = None,
                   note: str | None = None) -> Figure:
    """Test accuracy of every run on one axis; several seeds give a mean line and a 95 % band. ``histories``:
    the list ``Trainer.run()`` returns, ``{label: [History, ...]}``, ``compare()``'s ``out.result``, a LoadedRun … (see
    :func:`runs_by_label`); ``colors``: each label's colour (default: its optimizer's, as in ``optimlab compare``'s
    figures, :func:`~optimlab.viz.colors.run_colors`); ``names``: each label's legend text (default: the label;
    :func:`with_lr`); ``note``: the legend's title (:func:`comparison_figures` gives the data and seeds)."""
    size = (7.2, 4.6)
    fig = _fig(lang, size)
    ax = fig.add_subplot()
    histories, colors, names = _drawn(histories, colors, names, lang)
    styles, markers = styles_by_label(colors), markers_by_label(colors)
    for i, (label, hs, curves, n) in enumerate(_grouped(histories, "test_acc")):
        x = hs[0].eval_iters[:n]
        if len(hs) > 1:                 # several seeds: the mean the statistics give; one seed's line ends where it diverged
            curves = seed_scores(curves, x, [(h.status, h.diverged_at) for h in hs])
        mean, lo, hi = mean_band(curves)
        # every seed diverged: said in the legend (one that diverged before its first evaluation draws no line)
        gone = t("diverged note", lang).format(k=min(h.diverged_at or 0 for h in hs)) \
            if all(h.status == "diverged" for h in hs) else ""
        line, = ax.plot(x, mean, label=names.get(label, label) + (f" (n={len(hs)})" if len(hs) > 1 else "") + gone,
                        linestyle=styles[label], color=colors[label], marker=markers[label], markersize=4,
                        markevery=sparse_marks(len(x), i))
        if len(hs) > 1:         # clipped to where an accuracy lies (3 seeds: t = 4.3 sent bands past 1 and below 0)
            ax.fill_between(x, np.clip(lo, 0, 1), np.clip(hi, 0, 1), color=line.get_color(), alpha=0.2, linewidth=0)
    ax.set_ylim(0, ACC_TOP)
    ax.set_xlabel(t("count", lang))
    ax.set_ylabel(t("test accuracy", lang))
    ax.set_title(title or t("test accuracy", lang))
    _legend_beside(fig, ax, size, note)
    ax.grid(alpha=0.3)
    return fig


def _drawn(histories, colors: dict[str, str] | None, names: dict[str, str] | None, lang: str = "en"):
    """``({label: [History, ...]}, {label: colour}, {label: name})``: histories read once (a generator would be used
    up by a second reading); each label's colour ``colors`` gives, else its optimizer's as ``optimlab compare`` draws
    it (:func:`~optimlab.viz.colors.colors_by_label`), so a notebook's figure and the run folder's PNG agree; and each
    label's name ``names`` gives, else, for ``out.result`` or a LoadedRun, the label with its lr, as in the folder's
    PNGs (:func:`with_lr`: a teacher's review found "SGD" in the notebook where the PNG said "SGD (lr=0.01)")."""
    by_label, optimizer_of = runs_by_label(histories)
    colors = {**colors_by_label(optimizer_of), **(colors or {})}
    lrs = known_lrs(histories)             # the labels ``names`` leaves out keep their lr (a review)
    names = {**{label: with_lr(label, lrs.get(label), lang) for label in by_label}, **(names or {})}
    return by_label, {label: colors[label] for label in by_label}, names


def known_lrs(histories) -> dict[str, float | None]:
    """Each label's learning rate where the runs say it: ``compare()``'s ``out.result`` and a LoadedRun (the legends
    of the run folder's PNGs, of a notebook's figure of either, and of a report's figures drawn again, name it)."""
    from ..experiment import CompareResult
    from ..results import LoadedRun

    if isinstance(histories, CompareResult):
        return {label: getattr(rs[0].spec.make_optimizer(), "lr", None) for label, rs in histories.by_label().items()
                if rs}
    if isinstance(histories, LoadedRun):
        return {r["label"]: (r.get("hyperparameters") or {}).get("lr") for r in histories.summary.get("runs", [])
                if isinstance(r, dict) and "label" in r}
    return {}


def moving_average(x: Sequence[float], window: int) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    window = max(1, min(window, len(x)))
    c = np.cumsum(np.insert(x, 0, 0.0))
    out = np.empty_like(x)
    with np.errstate(invalid="ignore"):          # a diverged run's inf − inf: NaN, drawn as a gap
        out[window - 1:] = (c[window:] - c[:-window]) / window
    out[:window - 1] = c[1:window] / np.arange(1, window)
    return out


class _PlainLog(LogFormatterSciNotation):
    """Log-axis tick labels as plain numbers (0.3, 2, 10) on the ticks matplotlib's own formatter labels."""

    def __call__(self, x, pos=None):
        return f"{x:g}" if super().__call__(x, pos) else ""


def loss_figure(histories, lang: str = "en", window: int = 20, colors: dict[str, str] | None = None,
                names: dict[str, str] | None = None, note: str | None = None) -> Figure:
    """Minibatch loss of every run (moving average over ``window`` iterations; mean over seeds); the legend beside
    the axes, as in :func:`overlay_figure` (inside, it covered SGD's flat line at the top); ``colors`` and ``names``
    as there."""
    size = (7.2, 4.6)
    fig = _fig(lang, size)
    ax = fig.add_subplot()
    drawn = []
    histories, colors, names = _drawn(histories, colors, names, lang)
    styles, markers = styles_by_label(colors), markers_by_label(colors)
    for i, (label, hs, curves, n) in enumerate(_grouped(histories, "loss")):
        mean, _, _ = mean_band(curves)           # NaN where every seed had diverged: a gap, no warning
        drawn.append(moving_average(mean, window))
        ax.plot(np.arange(1, n + 1), drawn[-1], label=names.get(label, label), linestyle=styles[label],
                color=colors[label], marker=markers[label], markersize=4, markevery=sparse_marks(n, i))
    ax.set_xlabel(t("count", lang))
    ax.set_ylabel(t("loss", lang))
    ax.set_title(t("training loss", lang))
    y = np.concatenate(drawn) if drawn else np.zeros(0)
    y = y[np.isfinite(y) & (y > 0)]
    huge = bool(y.size) and y.max() > 1e100
    if huge:
        # a finite loss near float64's end (lr 1e300): matplotlib's log autoscaling and tick locator overflowed
        # (a warning, then an axis from 1 to 10); the range and its decades chosen here instead, at most 1e308
        lo, hi = math.floor(math.log10(y.min())), min(math.ceil(math.log10(y.max())), 308)
        ax.set_ylim(10.0 ** lo, 10.0 ** hi)
    ax.set_yscale("log")
    if huge:
        ax.set_yticks([10.0 ** k for k in range(lo, hi + 1, max(1, math.ceil((hi - lo) / 8)))])
        ax.yaxis.set_minor_locator(NullLocator())
    elif y.size and 1e-3 <= y.min() and y.max() < 1e4:       # a loss between 0.001 and 10000: 0.3 and 2, as the
        ax.yaxis.set_major_formatter(_PlainLog())            # console prints it, not 3×10⁻¹ and 2×10⁰
        ax.yaxis.set_minor_formatter(_PlainLog(labelOnlyBase=False))
    _legend_beside(fig, ax, size, note)
    ax.grid(alpha=0.3, which="both")
    return fig


def comparison_figures(by_label: dict[str, list[History]], first_seed: int, lang: str = "en",
                       colors: dict[str, str] | None = None, lrs: dict[str, float] | None = None,
                       dataset: str | None = None, seeds: Sequence[int] = ()) -> list[tuple[str, Figure]]:
    """A comparison's figures with the names ``optimlab compare`` gives them: ``accuracy_<run>.png`` for each run
    (its first history, of seed ``first_seed``, in the note's layout), ``test_accuracy.png`` and ``loss.png``
    (``colors``: each label's, as :func:`overlay_figure` takes them; ``lrs``: each label's learning rate, said in
    the legends and titles, :func:`with_lr`; ``dataset`` and ``seeds``: said with what the lines are above the two
    overlays' legends, so that a figure shown on its own says what it shows)."""
    out: list[tuple[str, Figure]] = []
    sep = t("context sep", lang)
    context = [c for c in (dataset, seeds_text(seeds, lang)) if c]
    several = len(seeds) > 1
    acc_note = sep.join(context + ([t("band note", lang)] if several else []))
    loss_note = sep.join(context + ([t("mean note", lang)] if several else []) + [t("window note", lang).format(window=20)])
    shown = {label: with_lr(label, (lrs or {}).get(label), lang) for label in by_label}
    files = accuracy_figure_names([label for label, hs in by_label.items() if hs and hs[0].test_acc])
    for label, name in files.items():
        hs = by_label[label]
        title = shown[label] + (t("seed note", lang).format(seed=first_seed) if len(hs) > 1 else "")
        out.append((name, accuracy_figure(hs[0], title=title, lang=lang, color=(colors or {}).get(label))))
    return out + [("test_accuracy.png", overlay_figure(by_label, lang=lang, colors=colors, names=shown,
                                                       note=acc_note or None)),
                  ("loss.png", loss_figure(by_label, lang=lang, colors=colors, names=shown, note=loss_note))]


def seeds_text(seeds: Sequence[int], lang: str = "en") -> str:
    """``seed 0``, ``seeds 0–4`` (consecutive), ``seeds 0, 3, 7``, or ``12 seeds`` beyond 6 that are not consecutive;
    empty for none."""
    seeds = sorted(int(s) for s in seeds)
    if not seeds:
        return ""
    if len(seeds) == 1:
        return t("seed", lang).format(seeds=seeds[0])
    if seeds == list(range(seeds[0], seeds[-1] + 1)):
        return t("seeds", lang).format(seeds=f"{seeds[0]}–{seeds[-1]}")
    if len(seeds) <= 6:
        return t("seeds", lang).format(seeds=", ".join(map(str, seeds)))
    return t("seed count", lang).format(n=len(seeds))


def accuracy_figure_names(labels: Sequence[str]) -> dict[str, str]:
    """``{label: "accuracy_<slug>.png"}`` in order; a slug taken already (case-insensitively: 'lr=1e-3' and
    'lr=1e+3' share one) gets ``_2``, ``_3`` …"""
    names: dict[str, str] = {}
    for label in labels:
        name, n = f"accuracy_{slug(label)}.png", 2
        while name.lower() in {x.lower() for x in names.values()}:
            name, n = f"accuracy_{slug(label)}_{n}.png", n + 1
        names[label] = name
    return names


DPI = 100                  # the PNGs' resolution: 640 × 420 pixels for a note-style figure
DPI_RANGE = (50, 600)


def check_dpi(value, option: str = "dpi") -> int:
    """``value`` as the figures' resolution in dots per inch, or a one-line ConfigError (200 suits slides)."""
    from ..errors import ConfigError

    lo, hi = DPI_RANGE
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not lo <= value <= hi:
        raise ConfigError(f"invalid {option}: {value!r} (accepted: an integer from {lo} to {hi}; 100 is the "
                          "default, 200 suits slides)")
    return int(value)


FONT_SCALE_RANGE = (1.0, 3.0)
_font_scale = 1.0          # the figures' text size, × matplotlib's 10 pt (set by font_scale())


def check_font_scale(value, option: str = "font_scale") -> float:
    """``value`` as the figures' text size relative to the default, or a one-line ConfigError."""
    from ..errors import ConfigError

    lo, hi = FONT_SCALE_RANGE
    try:
        scale = float(value) if not isinstance(value, bool) else math.nan
    except (TypeError, ValueError):
        scale = math.nan
    if not lo <= scale <= hi:
        raise ConfigError(f"invalid {option}: {value!r} (accepted: a number from {lo:g} to {hi:g}; 1 is the default, "
                          "e.g. 1.6 for slides)")
    return scale


@contextmanager
def font_scale(scale: float = 1.0) -> Iterator[None]:
    """Figures made and saved inside are drawn with text ``scale`` × larger (fonts, and the lines a little), for
    slides: a 640 × 420 figure filling a projected slide shows 10 pt text at about 8 pt. The margins are fixed in
    inches, so a scaled figure is saved with its canvas grown to what its labels need (``bbox_inches='tight'``);
    at 1 nothing changes. One process-wide setting, restored at the end."""
    import matplotlib

    global _font_scale
    scale = check_font_scale(scale)
    before = _font_scale
    style = {} if scale == 1 else {"font.size": 10.0 * scale, "lines.linewidth": 1.5 * min(scale, 2.0),
                                   "axes.linewidth": 0.8 * min(scale, 2.0)}
    with matplotlib.rc_context(style):
        _font_scale = scale
        try:
            yield
        finally:
            _font_scale = before


def text_scale() -> float:
    """The text scale :func:`font_scale` set (1 outside it; matplotlib's own ``font.size`` is not read)."""
    return _font_scale


def png_options(dpi: int = DPI) -> dict:
    """``savefig``'s options for a figure's PNG: inside :func:`font_scale` above 1, the canvas grown to fit its
    labels."""
    extra = {"bbox_inches": "tight", "pad_inches": 0.1} if _font_scale != 1 else {}
    return {"format": "png", "dpi": dpi, **extra}


def recorded_style(summary: dict) -> tuple[int, float]:
    """The resolution and font scale a run's or sweep's figures were drawn with (its summary.json's ``figure_dpi``
    and ``figure_font_scale``: ``--dpi``, ``--font-scale``), for a report in another language that draws them
    again; the defaults where they are missing or were edited by hand into values the options refuse."""
    from ..errors import ConfigError

    try:
        dpi = check_dpi(summary.get("figure_dpi", DPI))
    except ConfigError:
        dpi = DPI
    try:
        scale = check_font_scale(summary.get("figure_font_scale", 1.0))
    except ConfigError:
        scale = 1.0
    return dpi, scale


def png_bytes(fig: Figure, dpi: int = DPI) -> bytes:
    """``fig`` as PNG bytes (:func:`png_options`), for a report that embeds a figure it drew again."""
    import io

    buf = io.BytesIO()
    fig.savefig(buf, **png_options(dpi))
    return buf.getvalue()


def save_figure(fig: Figure, path: str | os.PathLike, dpi: int = DPI) -> None:
    """Write ``fig`` as PNG atomically (:func:`png_options`)."""
    with atomic_path(path) as tmp:
        fig.savefig(tmp, **png_options(dpi))


def slug(label: str) -> str:
    """A file-name-safe version of a run label (``Adam + BatchNorm`` → ``adam_batchnorm``)."""
    s = "".join(c.lower() if c.isalnum() else "_" for c in label)
    s = "_".join(p for p in s.split("_") if p)
    return s or "run"
