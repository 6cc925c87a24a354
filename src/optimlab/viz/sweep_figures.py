"""The sweep's figure: final validation accuracy against the learning rate, one line per optimizer.

Drawn from ``summary.json`` alone (``summary["sensitivity"]``), so it can be redrawn without the runs.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from ..console import setting_text
from ..experiment.sweep import sensitivity_name
from ..results.stats import MIN_SEEDS_TO_SETTLE, chance
from .colors import (LEGEND_HANDLE, REFERENCE_GREY, REFERENCE_STYLE, colors_by_label, markers_by_label,
                     styles_by_label, use_run_colors)
from .figures import ACC_TOP, save_figure, text_scale
from .i18n import t, use_font
from .notebook import inline_in_jupyter

_TEXT = {
    "en": {"title": "Learning-rate sensitivity ({n} seeds, mean and 95% CI)", "tuned": "tuned",
           "title cut": "Learning-rate sensitivity\n({n} seeds, mean and 95% CI; bands cut at 0 and 1)",
           "title few": "Learning-rate sensitivity\n({n} seeds, mean; a 95% CI needs {k} or more)",
           "title one": "Learning-rate sensitivity\n(1 seed; a 95% CI needs {k} or more)",
           "ylabel": "final validation accuracy", "chance": "chance ({p:.3g})"},
    "ja": {"title": "学習率への感度（{n} シード、平均と 95% 信頼区間）", "tuned": "選ばれた学習率",
           "title cut": "学習率への感度\n（{n} シード、平均と 95% 信頼区間。帯は 0 と 1 で切っています）",
           "title few": "学習率への感度\n（{n} シードの平均。95% 信頼区間は {k} シード以上で表示）",
           "title one": "学習率への感度\n（1 シード。95% 信頼区間は {k} シード以上で表示）",
           "ylabel": "最終検証正解率", "chance": "チャンスレベル（{p:.3g}）"},
}


def sweep_colors(summary: dict[str, Any]) -> dict[str, str]:
    """Each setting's colour, by its optimizer: each of the five in its own, as in ``optimlab compare``."""
    return colors_by_label({label: str(s.get("optimizer", "")) for label, s in summary["sensitivity"].items()})


def sensitivity_figure(summary: dict[str, Any], lang: str = "en") -> Figure:
    """Mean final validation accuracy over the tuning seeds against lr (log x), 95 % band; ○ marks the tuned lr, but
    for a setting that stayed at chance at every lr (its 'tuned' lr is noise); a dotted line at chance; the dataset
    above the legend."""
    from .report_sweep import _never_learned        # here: report_sweep imports this module

    never = _never_learned(summary)
    use_font(lang)
    inline_in_jupyter()
    # larger text (--font-scale for slides) in a figure as much larger: at 1.6 the legend beside took over half the
    # width and left the plot a third of it (a visual review)
    grow = text_scale()         # --font-scale's; a notebook's own font.size does not grow it (as telemetry's)
    fig = Figure(figsize=(7.2 * grow, 4.6 * grow), dpi=100, layout="constrained")
    ax = fig.add_subplot()
    use_run_colors(ax)
    tuned = summary.get("tuned", {})
    colors = sweep_colors(summary)
    styles, markers = styles_by_label(colors), markers_by_label(colors)    # apart without colour, as compare's runs
    n, cut = 1, False
    dataset = (summary.get("dataset") or {}).get("name")       # said above the legend: the figure shown alone
    for label, s in summary["sensitivity"].items():
        lrs = np.asarray(s["lrs"], dtype=float)
        mean, lo, hi = (np.asarray([np.nan if v is None else v for v in s[k]], dtype=float)
                        for k in ("mean", "lo", "hi"))
        line, = ax.plot(lrs, mean, marker=markers[label], markersize=4.5, label=setting_text(label, lang),
                        linestyle=styles[label], color=colors[label])
        if s.get("n_seeds", 1) >= MIN_SEEDS_TO_SETTLE:      # with 2, t = 12.7 makes bands that fill the axes
            ax.fill_between(lrs, np.clip(lo, 0, 1), np.clip(hi, 0, 1), color=line.get_color(), alpha=0.2,
                            linewidth=0)                        # an accuracy lies in [0, 1], as the report's bands
            cut = cut or bool(np.any(lo < 0) or np.any(hi > 1))    # said in the title (a teacher's review)
        if label in tuned and label not in never:
            i = int(np.argmin(np.abs(lrs - tuned[label])))
            ax.plot([lrs[i]], [mean[i]], marker="o", markersize=8, markerfacecolor="none", color=line.get_color())
        n = s.get("n_seeds", n)
    # chance: where a setting that never learned lies (several such lines lie on one another there)
    p = chance(summary)
    ax.axhline(p, color=REFERENCE_GREY, linestyle=REFERENCE_STYLE, linewidth=1.0, zorder=0.5,
               label=_TEXT[lang]["chance"].format(p=p))
    ax.set_xscale("log")
    ax.set_ylim(0, ACC_TOP)
    ax.set_xlabel(t("learning rate", lang))
    ax.set_ylabel(_TEXT[lang]["ylabel"])
    # with fewer seeds than a band needs, on two lines: centred over axes narrowed by the legend, the Japanese title
    # began off the figure's left edge (a Japanese student's review)
    title = ("title cut" if cut else "title") if n >= MIN_SEEDS_TO_SETTLE else "title one" if n == 1 else "title few"
    ax.set_title(_TEXT[lang][title].format(n=n, k=MIN_SEEDS_TO_SETTLE))
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0, fontsize="small", handlelength=LEGEND_HANDLE,
              title=(f"{dataset}\n" if dataset else "") + f"○ {_TEXT[lang]['tuned']}",   # beside the axes: on no
              title_fontsize="small", alignment="left")                                   # curve
    ax.grid(alpha=0.3, which="both")
    return fig


def save_sweep_figures(summary: dict[str, Any], directory: str | os.PathLike, lang: str = "en",
                       dpi: int = 100) -> list[str]:
    """Write ``sensitivity.png`` (``sensitivity_ja.png`` in Japanese) at ``dpi`` into ``directory``; returns the
    paths."""
    path = Path(directory) / sensitivity_name(lang)
    save_figure(sensitivity_figure(summary, lang), path, dpi)
    return [str(path)]
