"""``report.html``: one self-contained page per run directory — conclusions, interactive curves, tables,
the note-style figures, the exact configuration and environment.

The page makes no network request: plotly.js is inlined once, figures are ``data:`` URIs, and there are no
external fonts or styles. Everything a user typed (labels, names, paths) is HTML-escaped; the chart data sits
in one ``<script>`` as JSON with ``<``, ``>`` and ``&`` written as ``\\u003c`` … so a label cannot close it.

The conclusions are computed from the data (:func:`compute_conclusions`): which run reached a target test
accuracy first (iterations read off the curves), which ended best and whether the margin exceeds the seed
spread, whether batch normalization sped Adam up, and which runs diverged — or, when no run learned, only that.

Pipeline: :class:`~optimlab.results.LoadedRun` → :class:`LabelGroup` (one per run label, all its seeds) →
conclusions, chart specifications (plotly.js JSON), tables → HTML.
"""

from __future__ import annotations

import base64
import html
import json
import math
import numbers
import os
from dataclasses import dataclass
from datetime import datetime
from itertools import combinations
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from .. import __version__
from .._io import display_width, home_shown, mark_written, write_text
from .._source import GIT_KEY
from ..console import evaluated_once, status_text
from ..data.datasets import FALLBACK_NOTICE
from ..errors import ConfigError, OptimlabError
from ..optim import display_name
from ..results.stats import (MIN_SEEDS_TO_SETTLE, accuracy_step, accuracy_text, chance, clipped_ends, holm_settled,
                             learned_floor, learned_margin, paired, per_label, sign_test_p, signed, signed_bound)
from ..results.store import LoadedRun, is_optimlab_report
from ..train import History
from .colors import RUN_COLORS, RUN_DASHES, RUN_SYMBOLS, colors_by_label, styles_by_label
from .figures import ACC_TOP, LEGEND_CHARS, mean_band, moving_average, seed_scores, two_lines
from .i18n import LANGS, check_lang
from .report_page import CSS, SCRIPT
from .report_text import REPORT_TEXT, rt

DEFAULT_TARGET = 0.8          # the target accuracy when some run reaches it
RELATIVE_TARGET = 0.9         # otherwise: this fraction of the best accuracy reached
MARKS = 10                    # markers on a chart's curve at most (Plotly spaces them; zoomed in, it shows more)
LOSS_WINDOW = 20              # moving-average window of the loss curves, as in the figures
COLORS = RUN_COLORS     # so a run has the same colour here as in the PNG figures
# log axes labelled at whole decades only (0.01, 0.1, 1): between them plotly wrote "2, 5" for 0.2 and 0.5
LOG_AXIS = {"type": "log", "dtick": 1, "exponentformat": "none"}
PLOTLY_CONFIG = {"responsive": True, "displaylogo": False, "scrollZoom": False, "showSendToCloud": False,
                 "modeBarButtonsToRemove": ["lasso2d", "select2d", "autoScale2d"]}
# plotly.js's own words on a Japanese page (its toolbar's tooltips and hints; it ships no Japanese): registered as
# its locale "ja" by the page's script
PLOTLY_JA = {"Download plot as a PNG": "PNG として保存", "Zoom": "範囲を拡大", "Pan": "移動", "Zoom in": "拡大",
             "Zoom out": "縮小", "Reset axes": "軸を元に戻す",
             "Double-click to zoom back out": "ダブルクリックで元に戻ります",
             "Double-click on legend to isolate one trace": "凡例をダブルクリックするとその線だけを表示します"}


# -- the data, grouped by run label ------------------------------------------------------------------------

@dataclass
class LabelGroup:
    """One run label with all its seeds: the summary rows and the recorded histories, in seed order."""

    label: str
    rows: list[dict[str, Any]]
    histories: list[History]
    color: str
    step: float = 0.0      # the step a test accuracy moves in (stats.accuracy_step), for paired tests

    @property
    def optimizer(self) -> str:
        return self.rows[0].get("optimizer", "?")

    @property
    def hyperparameters(self) -> dict[str, Any]:
        return dict(self.rows[0].get("hyperparameters") or {})

    @property
    def lr(self) -> float:
        lr = self.hyperparameters.get("lr")          # summary.json is checked: a number, or absent / null
        return float(lr) if isinstance(lr, (int, float)) else math.nan

    @property
    def net(self) -> dict[str, Any]:
        return dict(self.rows[0].get("net") or {})

    @property
    def batchnorm(self) -> bool:
        return bool(self.net.get("batchnorm", False))

    def finals(self, key: str = "final_test_accuracy") -> np.ndarray:
        """One value per seed (NaN where missing)."""
        return np.array([math.nan if r.get(key) is None else float(r[key]) for r in self.rows], dtype=float)

    def by_seed(self) -> dict[int, float]:
        """``{seed: final test accuracy}`` with a seed that diverged or failed at 0, as every statistic over seeds
        counts it (:func:`optimlab.results.stats.per_label`), to rank runs and pair them seed by seed."""
        return per_label({"runs": self.rows}).get(self.label, {})

    def mean_score(self) -> float:
        """Mean of :meth:`by_seed` over the seeds with a value (NaN when none has one)."""
        v = np.array([x for x in self.by_seed().values() if not math.isnan(x)])
        return float(v.mean()) if len(v) else math.nan

    @property
    def n_not_ok(self) -> int:
        return sum(r.get("status", "ok") != "ok" for r in self.rows)

    @property
    def none_ok(self) -> bool:
        """Every seed diverged or failed."""
        return self.n_not_ok == len(self.rows)

    def curve(self, attr: str) -> tuple[list[int], np.ndarray, np.ndarray, np.ndarray]:
        """x, mean, lower and upper 95 % band over seeds of ``test_acc``, ``train_acc`` or ``loss``,
        truncated to the shortest seed. Accuracies over several seeds count a seed that diverged as 0 from then on
        (:meth:`scored`) and their bands are clipped to [0, 1]; the loss (a moving average)
        is averaged in log space — a geometric mean and band — since it is drawn on a log axis."""
        if attr == "loss":
            hs = [h for h in self.histories if h.loss]
            if not hs:
                return [], np.array([]), np.array([]), np.array([])
            n = min(len(h.loss) for h in hs)
            with np.errstate(divide="ignore", invalid="ignore"):
                logs = [np.log(moving_average(h.loss[:n], LOSS_WINDOW)) for h in hs]
            return list(range(1, n + 1)), *(np.exp(c) for c in mean_band(logs))
        x, curves = self.scored(attr)
        if len(curves) == 1:                 # one seed: its line ends where it diverged
            h = next(h for h in self.histories if getattr(h, attr))
            curves = [np.asarray(getattr(h, attr)[:len(x)], dtype=float)]
        if not curves:
            return [], np.array([]), np.array([]), np.array([])
        mean, lo, hi = mean_band(np.array(curves))
        return x, mean, np.clip(lo, 0.0, 1.0), np.clip(hi, 0.0, 1.0)

    def scored(self, attr: str = "test_acc") -> tuple[list[int], list[np.ndarray]]:
        """x and each seed's ``attr`` accuracy curve, to the shortest completed seed, a seed that diverged or failed
        counting 0 from then on as every statistic does (:func:`~optimlab.viz.figures.seed_scores`; a failed run
        without a record: 0 throughout)."""
        ok = [h for h, r in zip(self.histories, self.rows) if getattr(h, attr) and r.get("status", "ok") == "ok"]
        bad = [(h, r) for h, r in zip(self.histories, self.rows) if r.get("status", "ok") != "ok"]
        longest = max((h for h in self.histories if getattr(h, attr)), key=lambda h: len(getattr(h, attr)), default=None)
        if longest is None:
            return [], []
        n = min([len(getattr(h, attr)) for h in ok] or [len(getattr(longest, attr))])
        x = longest.eval_iters[:n]
        curves = np.full((len(ok) + len(bad), n), np.nan)           # a failed run's missing record: NaN, then 0
        for c, h in zip(curves, [*ok, *(h for h, _ in bad)]):
            v = np.asarray(getattr(h, attr)[:n], dtype=float)
            c[:len(v)] = v
        runs = [("ok", None)] * len(ok) + [(r.get("status"), r.get("diverged_at")) for _, r in bad]
        return x, list(seed_scores(curves, x, runs))

    def score_curve(self) -> tuple[list[int], np.ndarray]:
        """x and the mean test accuracy over seeds (:meth:`scored`): what a target is reached on."""
        x, curves = self.scored("test_acc")
        return x, (mean_band(np.array(curves))[0] if curves else np.array([]))

    def iterations_to(self, target: float) -> int | None:
        """First evaluated iteration at which the mean test accuracy over seeds (:meth:`score_curve`) reached
        ``target``."""
        x, mean = self.score_curve()
        hit = np.flatnonzero(np.nan_to_num(mean, nan=-1.0) >= target)
        return int(x[hit[0]]) if len(hit) else None

    @property
    def best_mean_accuracy(self) -> float:
        _, mean = self.score_curve()
        return float(np.nanmax(mean)) if len(mean) and not np.all(np.isnan(mean)) else math.nan


def label_colors(run: LoadedRun) -> dict[str, str]:
    """Each label's colour, as ``optimlab compare`` drew it (:func:`~optimlab.viz.colors.run_colors`)."""
    optimizer = {}
    for r in run.summary["runs"]:
        optimizer.setdefault(r["label"], str(r.get("optimizer", "")))
    return colors_by_label({label: optimizer.get(label, "") for label in run.labels})


def label_groups(run: LoadedRun) -> list[LabelGroup]:
    """The run's labels in recipe order, each with its seeds."""
    groups, colors = [], label_colors(run)
    for label in run.labels:
        rows = [r for r in run.summary["runs"] if r["label"] == label]
        rows.sort(key=lambda r: int(r["seed"]))
        groups.append(LabelGroup(label, rows, [run.histories[(label, int(r["seed"]))] for r in rows], colors[label],
                                 accuracy_step(run.summary)))
    return groups


def load_run(run_dir: str | os.PathLike) -> LoadedRun:
    """:class:`LoadedRun`, with any malformed content turned into a one-line :class:`OptimlabError`.
    A sweep directory (``"kind": "sweep"``) gives a :class:`~optimlab.viz.report_sweep.SweepDir` instead."""
    p = Path(run_dir)
    accepted = "(accepted: a folder written by optimlab compare or optimlab sweep)"
    if not str(run_dir).strip():
        raise OptimlabError(f"invalid run directory: {str(run_dir)!r} {accepted}")
    if p.is_file():
        raise OptimlabError(f"{str(p)!r} is a file, not a run directory; give the folder that holds it"
                            + (f", {str(p.parent)!r}" if p.name == "summary.json" else "") + f" {accepted}")
    if not p.is_dir():
        raise OptimlabError(f"run directory not found: {str(p)!r} {accepted}")
    from .report_sweep import is_sweep_dir, load_sweep

    if is_sweep_dir(p):
        return load_sweep(p)
    try:
        return LoadedRun(p)
    except OptimlabError:
        raise
    except (ValueError, KeyError, TypeError, OSError) as e:
        detail = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise OptimlabError(f"cannot read run directory {str(p)!r}: {detail} (accepted: a folder written by "
                            "optimlab compare, with summary.json and metrics.csv, or by optimlab sweep)") from None


# -- conclusions -------------------------------------------------------------------------------------------

def _acc(x: float) -> str:
    return "—" if x is None or not np.isfinite(x) else f"{x:.3f}"


def choose_target(groups: Sequence[LabelGroup], target: float | None = None,
                  floor: float | None = None) -> tuple[float, str, float]:
    """``(target, how, best)``: the requested target, else 0.8 when some run's mean test accuracy reaches it,
    else 90 % of the best accuracy reached (rounded down to 0.01). ``how`` is given | fixed | relative | chance |
    chance floor:
    a chosen target at or below ``floor`` (what a run must exceed to have learned: 0.8 on data 89 % of one class) is
    instead midway between it and the best accuracy (just above it when the best is barely higher), so that
    reaching it means learning (every run "reached 0.80 first, together" by answering the most common class, a
    review found)."""
    best = max((g.best_mean_accuracy for g in groups if np.isfinite(g.best_mean_accuracy)), default=math.nan)
    if target is not None:
        return _check_target(target), "given", best
    if not np.isfinite(best) or best >= DEFAULT_TARGET:
        chosen, how = DEFAULT_TARGET, "fixed"
    else:
        chosen, how = math.floor(RELATIVE_TARGET * best * 100) / 100, "relative"
    if floor is not None and chosen <= floor:
        if np.isfinite(best) and best > floor + 0.002:
            chosen, how = round((floor + best) / 2, 3), "chance"
        else:                   # just above the floor: the mean curves may not reach it, and the sentence says so
            chosen, how = math.ceil(floor * 1000 + 1e-9) / 1000, "chance floor"
    return chosen, how, best


def _check_target(target: float | None) -> float | None:
    if target is not None and not (isinstance(target, numbers.Real) and not isinstance(target, bool)
                                   and 0.0 < target <= 1.0):
        raise OptimlabError(f"invalid target accuracy: {target!r} (accepted: a number in (0, 1])")
    return None if target is None else float(target)


def difference_interval(a: "LabelGroup", b: "LabelGroup") -> tuple[tuple[float, float] | None, int]:
    """The 95 % confidence interval of a − b in final test accuracy (:meth:`LabelGroup.by_seed`), paired seed by
    seed over the seeds both ran (common random numbers: :func:`optimlab.results.stats.paired`), and that number
    of seeds; the interval is None below :data:`~optimlab.results.stats.MIN_SEEDS_TO_SETTLE` seeds (too few to
    settle an order). Whether it settles the order is :func:`settled`'s to say (an interval 0 wide is no evidence
    by itself). Clipped to [−1, 1], where a difference of two accuracies lies (3 seeds: t = 4.3 gave −0.740 to
    +1.326)."""
    p = paired(a.by_seed(), b.by_seed(), a.step)
    if p["n"] < MIN_SEEDS_TO_SETTLE:
        return None, p["n"]
    return (max(p["mean_diff"] - p["ci95"], -1.0), min(p["mean_diff"] + p["ci95"], 1.0)), p["n"]


def settled(a: "LabelGroup", b: "LabelGroup", groups: Sequence["LabelGroup"] = ()) -> tuple[bool | None, bool, int]:
    """Whether a − b settles their order: after Holm's correction (:func:`~optimlab.results.stats.holm_settled`)
    for every pair of ``groups`` compared over :data:`~optimlab.results.stats.MIN_SEEDS_TO_SETTLE` seeds or more
    when ``groups`` are given (a and b were picked as the top two of them), as the console's table corrects it, else
    on its own (None below that many seeds); whether it does on its own; and the number of pairs corrected for."""
    pairs = [(g, h) for g, h in combinations(groups, 2)] or [(a, b)]
    results = [paired(g.by_seed(), h.by_seed(), g.step) for g, h in pairs]
    i = next(i for i, (g, h) in enumerate(pairs) if {g.label, h.label} == {a.label, b.label})
    if results[i]["n"] < MIN_SEEDS_TO_SETTLE:
        return None, False, 0
    k = sum(r["n"] >= MIN_SEEDS_TO_SETTLE for r in results)
    return holm_settled(results)[i], bool(results[i]["significant"]), k


def _zeros_note(groups: Sequence["LabelGroup"], lang: str) -> str:
    """The sentence saying which of ``groups`` had seeds that diverged or failed (counted as 0), or ''."""
    bad = [f"{g.label} {g.n_not_ok}/{len(g.rows)}" for g in groups if g.n_not_ok]
    return rt("best zeros", lang, labels=rt("list sep", lang).join(bad)) if bad else ""


def _conclusion(kind: str, text: str, **facts: Any) -> dict[str, Any]:
    return {"kind": kind, "text": text, "facts": facts}


def _first_to_target(groups, target, how, best, lang, chance_acc: float = math.nan,
                     floor: float = math.nan) -> dict[str, Any]:
    target_text = rt(f"target chosen {how}", lang, target=accuracy_text(target), best=_acc(best),
                     chance=_acc(chance_acc), floor=f"{floor:.4g}")     # 4 digits: "just above 0.9675" (0.968)
    iters = {g.label: g.iterations_to(target) for g in groups}
    reached = sorted((it, i) for i, it in enumerate(iters.values()) if it is not None)
    facts = dict(target=target, target_how=how, iterations=iters)
    if not reached:
        top = max(groups, key=lambda g: np.nan_to_num(g.best_mean_accuracy, nan=-1.0))
        return _conclusion("first_to_target", rt("first none", lang, target_text=target_text,
                                                 best=_acc(top.best_mean_accuracy), label=top.label),
                           first=[], first_iterations=None, **facts)
    first_it = reached[0][0]
    first = [groups[i].label for it, i in reached if it == first_it]
    later = [(it, groups[i].label) for it, i in reached if it != first_it]
    runners = [label for it, label in later if it == later[0][0]]          # all the runs tied second
    by_label = {g.label: g for g in groups}

    def reached(labels: list[str], key: str) -> str:
        return _reached_some(by_label[labels[0]], target, lang, key) if len(labels) == 1 else ""

    runner = rt("first runner", lang, label=rt("list sep", lang).join(runners), iters=later[0][0],
                reached=reached(runners, "reached some inner")) if later else ""
    n_seeds = min(len(g.histories) for g in groups)
    # over several seeds the iterations are read off each run's mean curve (a seed can reach the target
    # earlier, or alone): the sentence says so
    text = rt("first mean", lang, n=n_seeds) if max(len(g.histories) for g in groups) > 1 else ""
    if len(first) == 1 and not later:
        text += rt("first only", lang, label=first[0], target_text=target_text, iters=first_it,
                   reached=reached(first, "reached some"))
    elif len(first) == 1:
        note = reached(first, "reached some")
        if note.endswith("）") and runner.startswith("（"):      # Japanese: one pair of parentheses, not 「）（」
            note, runner = note[:-1] + "。" + runner[1:], ""
        text += rt("first", lang, label=first[0], target_text=target_text, iters=first_it, reached=note,
                   runner_up=runner)
    else:
        text += rt("first tie", lang, labels=rt("list sep", lang).join(first), target_text=target_text,
                   iters=first_it, runner_up=runner)
    # the same question seed by seed: in how many seeds was the winner first alone, and in how many tied first?
    # (a tie counted as a win had this say 4 of 4 where the batch-normalization paragraph, counting strictly, said
    # 3 of 4 for the same runs)
    wins = ties = None
    runner_facts: dict[str, Any] = {}
    if n_seeds > 1 and len(first) == 1:
        wins = ties = 0
        for s in range(n_seeds):
            per = {g.label: g.histories[s].iterations_to(target) for g in groups}
            done = sorted(it for it in per.values() if it is not None)
            if per[first[0]] is not None and per[first[0]] == done[0]:
                alone = len(done) == 1 or done[1] > done[0]
                wins += alone
                ties += not alone
        text += rt("first seeds", lang, wins=wins, n=n_seeds) + (rt("first seeds ties", lang, ties=ties) if ties
                                                                   else "")
        if later:       # "first in 5 of 5 seeds" said no more than the batch-normalization paragraph calls unsettled
            r_wins, r_losses, r_n = _first_seeds(by_label[first[0]], by_label[runners[0]], target)
            if r_n > 1 and r_wins + r_losses:
                runner_p = sign_test_p(r_wins, r_losses)
                few = rt("sign few", lang) if r_wins + r_losses < 6 else ""
                key = ("first vs runner unsettled" if runner_p >= 0.05 else "first vs runner" if r_wins > r_losses
                       else "first vs runner reversed")     # the mean curves' order is not the seeds'
                text += rt(key, lang, runner=runners[0], wins=r_wins, losses=r_losses, n=r_n, p=f"{runner_p:.2g}",
                           few=few)
                runner_facts = dict(runner_seed_wins=r_wins, runner_seed_losses=r_losses,
                                    runner_sign_test_p=runner_p)
    elif n_seeds <= 1 and len(groups) > 1:
        text += rt("one seed curves", lang)
    return _conclusion("first_to_target", text, first=first, first_iterations=first_it,
                       runner_up=runners[0] if later else None, runners_up=runners,
                       runner_up_iterations=later[0][0] if later else None,
                       seed_wins=wins, seed_ties=ties, n_seeds=n_seeds, **runner_facts, **facts)


def _best_seed(groups) -> tuple[str | None, float]:
    """The label and best test accuracy of the best seed of any run (each seed's ``best_test_accuracy``: a seed
    that learned counts even if another diverged); (None, -inf) when no seed has one."""
    best: tuple[str | None, float] = (None, -math.inf)
    for g in groups:
        v = g.finals("best_test_accuracy")
        v = v[np.isfinite(v)]
        if len(v) and v.max() > best[1]:
            best = (g.label, float(v.max()))
    return best


def _none_learned(label: str | None, best: float, n_groups: int, summary: dict[str, Any], lang) -> dict[str, Any]:
    """The conclusion that no run learned: no seed's best test accuracy above :func:`learned_floor` (chance and
    :func:`learned_margin`)."""
    key = "none learned" if n_groups > 1 else "none learned one"
    return _conclusion("none_learned", rt(key, lang, best=_acc(best), label=label or "—",
                                          chance=f"{chance(summary):.3f}", margin=f"{learned_margin(summary):.3g}"),
                       best=label, best_accuracy=best, floor=learned_floor(summary))


def _shown_difference(a: float, b: float) -> float:
    """a − b as the reader computes it from the numbers shown (three decimals)."""
    return round(a, 3) - round(b, 3)


def _best_final(groups, lang, family: Sequence[LabelGroup]) -> dict[str, Any] | None:
    """Which run ended with the highest mean final test accuracy, and whether the seeds settle its lead: paired seed
    by seed, with Holm's correction over every pair of ``family`` (all the run's labels, as the console's table
    corrects them)."""
    scored = [(m, g) for g in groups if np.isfinite(m := g.mean_score())]
    if not scored or all(g.none_ok for g in groups):         # every run diverged: nothing to rank
        return None
    scored.sort(key=lambda s: -s[0])
    acc, best = scored[0]
    if len(scored) == 1:
        return _conclusion("best_final", rt("best only", lang, label=best.label, acc=_acc(acc)),
                           best=best.label, accuracy=acc, runner_up=None, margin=None, exceeds_spread=None)
    runner_acc, runner = scored[1]
    margin = acc - runner_acc
    shown = _shown_difference(acc, runner_acc)
    # every run level with the best at the precision shown is named (a researcher's review: of three runs with the
    # same accuracy on every seed, the sentence named two)
    level = [g for m, g in scored[1:] if _shown_difference(acc, m) <= 0] if shown <= 0 else [runner]
    names = [best.label, *(g.label for g in level)]
    beside = [g.label for g in level[1:]] if shown <= 0 else []         # level too, beyond the runner-up
    text = rt("best" if shown > 0 else "best level", lang, label=rt("list sep", lang).join(names[:-1]),
              acc=_acc(acc), margin=f"{shown:.3f}", runner=names[-1], runner_acc=_acc(runner_acc))
    text += _zeros_note((best, *level), lang)
    ci, n = difference_interval(best, runner)
    exceeds, unadjusted, k = settled(best, runner, family)      # the top two of all: Holm over every pair
    level_with: list = []
    if shown <= 0:
        pass                            # level at the precision shown: no margin to weigh against the spread
    elif ci is not None and ci[1] < 0:  # the seeds both have put the runner-up ahead (a seed without a value: a
        exceeds = unadjusted = False    # statistics review saw "ended best … larger than its spread" here)
        text += rt("best spread reversed", lang, n=int(n), runner=runner.label, lo=signed_bound(-ci[1]),
                   hi=signed_bound(-ci[0]))
    elif ci is None:
        text += rt("best spread single" if min(len(best.rows), len(runner.rows)) < 2 else "best spread few", lang,
                   n=int(n))
    else:
        key = "best spread yes" if exceeds else "best spread holm" if unadjusted else "best spread no"
        text += rt(key, lang, n=int(n), lo=signed_bound(ci[0]), hi=signed_bound(ci[1]), k=k)
        # "ended best" is a lead over every other run: the runner-up by mean is not always the closest call (a
        # statistics review: RMSProp and Adam tied for second, the lead over RMSProp settled, over Adam not)
        if exceeds:
            verdicts = [(m, g, settled(best, g, family)[0]) for m, g in scored[2:]]
            level_with = [(m, g) for m, g, v in verdicts if v is not True]
            for key, which in (("best others level", False), ("best others few", None)):   # None: too few seeds
                shown = [f"{g.label} ({_acc(m)})" for m, g, v in verdicts if v is which]
                if shown:
                    text += rt(key, lang, k=k, n=MIN_SEEDS_TO_SETTLE, runs=rt("list sep", lang).join(shown))
        if level_with:
            exceeds = False
        elif exceeds and k > 1:
            text += rt("best holm kept", lang, k=k)
    return _conclusion("best_final", text, best=best.label, accuracy=acc, runner_up=runner.label,
                       runner_up_accuracy=runner_acc, margin=margin, difference_ci=ci, exceeds_spread=exceeds,
                       paired_seeds=int(n), not_ok={g.label: g.n_not_ok for g in (best, runner)},
                       **({"not_settled_against": [g.label for _, g in level_with]} if level_with else {}),
                       **({"level_with": beside} if beside else {}))


def _bn_pairs(groups) -> list[tuple[LabelGroup, LabelGroup]]:
    """(with BN, without BN) pairs of Adam runs with the same hyperparameters and network apart from BN (a pair that
    differs in more, lr or β₂, would credit BN with what those did)."""
    adam = [g for g in groups if g.optimizer == "adam"]
    bn, plain = [g for g in adam if g.batchnorm], [g for g in adam if not g.batchnorm]

    def key(g):
        net = {k: v for k, v in g.net.items() if k != "batchnorm"}
        return json.dumps([g.hyperparameters, net, g.rows[0].get("preset")], sort_keys=True, default=str)

    pairs = []
    for b in bn:
        match = next((p for p in plain if key(p) == key(b)), None)     # else BN is not all that differs
        if match is not None:
            pairs.append((b, match))
    return pairs


def _reached_some(group: LabelGroup, target: float, lang: str, key: str = "reached some") -> str:
    """Where a run's mean curve reached ``target`` but some of its seeds never did, how many did (a researcher's
    review: "Adam reached it at iteration 280", where 2 of its 6 seeds never had); else nothing."""
    hs = group.histories
    k = sum(h.iterations_to(target) is not None for h in hs)
    return rt(key, lang, k=k, m=len(hs) - k, n=len(hs)) if len(hs) > 1 and k < len(hs) else ""


def _first_seeds(a: LabelGroup, b: LabelGroup, target: float) -> tuple[int, int, int]:
    """In how many of the seeds both ran (paired by seed) did run ``a`` reach ``target`` before ``b`` (or reach it
    where ``b`` never did), in how many did ``b``, and how many seeds that is (the rest: together, or neither).
    Adam with and without batch normalization; the first to a target and the runner-up."""
    a_of = {r["seed"]: h for h, r in zip(a.histories, a.rows)}
    b_of = {r["seed"]: h for h, r in zip(b.histories, b.rows)}
    shared = [s for s in a_of if s in b_of]
    wins = losses = 0
    for s in shared:
        ai, bi = a_of[s].iterations_to(target), b_of[s].iterations_to(target)
        wins += ai is not None and (bi is None or ai < bi)
        losses += bi is not None and (ai is None or bi < ai)
    return wins, losses, len(shared)


def _batchnorm_adam(bn: LabelGroup, plain: LabelGroup, target: float, lang: str,
                    groups: Sequence[LabelGroup] = ()) -> dict[str, Any]:
    """Adam with vs without batch normalization: which reached ``target`` first on the mean curves — over several
    seeds said to be sped up only when it was first in more than half the seeds too, and that split is unlikely by
    chance (an exact sign test, p < 0.05: first in 3 of 3 seeds, p = 0.25, is "not settled"); with one seed, said of
    that one run, with a caveat —, then the final accuracies and whether
    their paired difference is settled, with Holm's correction over every pair of ``groups`` as the "ended best"
    sentence has it (the same pair was called settled here and not settled there)."""
    target_text = rt("target short", lang, target=accuracy_text(target))
    bi, pi = bn.iterations_to(target), plain.iterations_to(target)
    wins, losses, n = _first_seeds(bn, plain, target)
    one_seed = max(len(bn.histories), len(plain.histories)) <= 1
    sign_p = math.nan if one_seed else sign_test_p(wins, losses)     # nan: no seed decided
    if bi is None and pi is None:
        sped_up, text = None, rt("bn none", lang, bn=bn.label, plain=plain.label, target_text=target_text)
    else:
        first = pi is None or (bi is not None and bi < pi)
        majority = one_seed or 2 * wins > n      # several seeds but < 2 shared: no majority, no test, not settled
        sped_up = first and majority and (one_seed or sign_p < 0.05)

        def when(it, group):
            return rt("bn never", lang) if it is None else rt("bn at", lang, iters=it) + _reached_some(group, target,
                                                                                                       lang)

        key = "bn yes" if sped_up else "bn unsettled" if first and majority else "bn mixed" if first else "bn no"
        few = rt("sign few", lang) if wins + losses < 6 else ""     # 5 of 5 is p = 0.0625
        text = rt(key, lang, bn=bn.label, plain=plain.label, target_text=target_text, bn_when=when(bi, bn),
                  plain_when=when(pi, plain), wins=wins, n=n, p=f"{sign_p:.2g}", few=few)
        if n > 1 and key in ("bn yes", "bn no"):
            text += rt("bn seeds", lang, bn=bn.label, wins=wins, n=n)
        if n > 1 and key == "bn yes":
            text += rt("sign settled", lang, p=f"{sign_p:.2g}")
        if one_seed:                        # the first-to-target sentence says it in full
            text += rt("bn one seed", lang)
    ba, pa = bn.mean_score(), plain.mean_score()
    ci, n_paired = None, 0
    if not (bn.none_ok and plain.none_ok):                  # both diverged everywhere: no 0 vs 0
        # the mean's sign alone hid that one seed made it (Adam was higher without BN on 2 of 3 seeds, +0.024 with)
        per_seed = paired(bn.by_seed(), plain.by_seed(), bn.step)
        text += rt("bn final seeds" if per_seed["n"] > 1 else "bn final", lang, bn_acc=_acc(ba), plain_acc=_acc(pa),
                   diff=signed(_shown_difference(ba, pa)) if math.isfinite(ba - pa) else "—",
                   wins=per_seed["a_wins"], n=per_seed["n"])
        ci, n_paired = difference_interval(bn, plain)
    text += _zeros_note((bn, plain), lang)
    exceeds = None
    if ci is None and n_paired >= 2:                         # 2 seeds: an interval, but too few to settle anything
        text += rt("best spread few", lang, n=n_paired)
    elif ci is not None:
        exceeds, unadjusted, k = settled(bn, plain, groups)
        if exceeds is not None:
            key = "bn spread yes" if exceeds else "bn spread holm" if unadjusted else "bn spread no"
            text += rt(key, lang, lo=signed_bound(ci[0]), hi=signed_bound(ci[1]), k=k)
            if exceeds and k > 1:
                text += rt("best holm kept", lang, k=k)
    return _conclusion("batchnorm_adam", text, with_bn=bn.label, without_bn=plain.label, target=target,
                       iterations_with_bn=bi, iterations_without_bn=pi, sped_up=sped_up, seed_wins=wins,
                       seed_losses=losses, sign_test_p=None if math.isnan(sign_p) else sign_p, n_seeds=n,
                       final_with_bn=ba, final_without_bn=pa, difference_ci=ci, exceeds_spread=exceeds)


def compute_conclusions(loaded_run: LoadedRun | str | os.PathLike, lang: str = "en",
                        target: float | None = None) -> list[dict[str, Any]]:
    """Facts read off the data, each ``{"kind", "text", "facts"}``; ``text`` is the sentence in ``lang``.

    Kinds: ``first_to_target`` (iterations to ``target`` on the mean test-accuracy curve; ``target`` defaults
    to 0.8, or 90 % of the best accuracy when no run reaches 0.8), ``best_final`` (highest mean final test
    accuracy, margin to the runner-up and, over several seeds, whether the 95 % CI of the difference excludes
    zero), ``batchnorm_adam`` (Adam with vs without batch normalization: iterations to target, final
    accuracy), ``not_ok`` (a run that diverged or failed); ``none_learned`` instead of the first three when no
    seed of any run got more than :data:`LEARNED_ABOVE_CHANCE` above chance (then nothing is ranked);
    ``one_evaluation`` first when the evaluation interval is as long as the run or longer (one point per curve).
    """
    check_lang(lang)
    run = loaded_run if isinstance(loaded_run, LoadedRun) else load_run(loaded_run)
    if not isinstance(run, LoadedRun):      # a sweep directory
        from .report_sweep import compute_sweep_conclusions

        return compute_sweep_conclusions(run, lang)
    groups = [g for g in label_groups(run) if any(h.test_acc for h in g.histories)]
    out: list[dict[str, Any]] = []
    _check_target(target)
    train = run.summary.get("train") or {}
    iters, every = train.get("iters"), train.get("eval_interval")
    if evaluated_once(iters, every):                  # as the console's note says
        out.append(_conclusion("one_evaluation", rt("one evaluation", lang, iters=iters, every=every),
                               iters=iters, eval_interval=every))
    top, top_best = _best_seed(groups)
    floor = learned_floor(run.summary)
    if groups and not top_best > floor:
        # no order, target or margin means anything among runs at chance; if every run diverged, the not_ok
        # conclusions below say what happened
        if not all(g.none_ok for g in groups):
            out.append(_none_learned(top, top_best, len(groups), run.summary, lang))
    elif groups:
        target, how, best = choose_target(groups, target, floor)
        out.append(_first_to_target(groups, target, how, best, lang, chance(run.summary), floor))
        family = label_groups(run)      # every label, as the console's Holm correction counts its pairs (a run
        best_final = _best_final(groups, lang, family)      # that failed on every seed has no curve, yet is a pair)
        if best_final is not None:
            out.append(best_final)
        out += [_batchnorm_adam(b, p, target, lang, family) for b, p in _bn_pairs(groups)]
    for r in run.summary["runs"]:
        if r.get("status", "ok") != "ok":
            at = rt("not ok at", lang, iters=r["diverged_at"]) if r.get("diverged_at") is not None else ""
            out.append(_conclusion("not_ok", rt("not ok", lang, label=r["label"], seed=r["seed"], at=at,
                                                status=rt(r["status"], lang)),
                                   label=r["label"], seed=r["seed"], status=r["status"], at=r.get("diverged_at")))
    return out


# -- charts (plotly.js figure JSON) --------------------------------------------------------------------------

def _plotly_text(s: str) -> str:
    """Plotly renders names and titles as pseudo-HTML: escape so a label shows literally."""
    return html.escape(str(s), quote=False)


def _values(a: Sequence[float], digits: int | None = 4, sig: int | None = None) -> list[float | None]:
    out = []
    for v in np.asarray(a, dtype=float).ravel():
        if not np.isfinite(v):
            out.append(None)
        elif sig is not None:
            out.append(float(f"{v:.{sig}g}"))
        else:
            out.append(round(float(v), digits))
    return out


def _rgba(color: str, alpha: float) -> str:
    r, g, b = (int(color[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def _curve_traces(groups: Sequence[LabelGroup], attr: str, lang: str = "en") -> list[dict[str, Any]]:
    """Each group's mean curve (and 95 % band over 3+ seeds), named with its lr as the PNG figures name it."""
    from .figures import with_lr

    traces = []
    sig = 5 if attr == "loss" else None
    dashes = styles_by_label({g.label: g.color for g in groups}, RUN_DASHES)
    symbols = styles_by_label({g.label: g.color for g in groups}, RUN_SYMBOLS)     # as in the PNGs: a dash breaks up
    # on a noisy curve, and some of the palette's colours look alike to some readers; at most 10 marks a curve
    for i, g in enumerate(groups):
        x, mean, lo, hi = g.curve(attr)
        if not x:
            continue
        if attr != "loss":          # an accuracy's band stays in [0, 1], as the PNG's
            lo, hi = np.clip(lo, 0.0, 1.0), np.clip(hi, 0.0, 1.0)
        n = len(g.histories)
        name = _plotly_text(with_lr(g.label, g.lr, lang) + (f" (n={n})" if n > 1 else ""))
        if n > 1:   # the band first, so the line is drawn over it; one legend entry toggles both
            traces.append({"type": "scatter", "mode": "lines", "x": list(x) + list(x)[::-1],
                           "y": _values(hi, sig=sig) + _values(lo[::-1], sig=sig), "fill": "toself",
                           "fillcolor": _rgba(g.color, 0.18), "line": {"width": 0}, "hoverinfo": "skip",
                           "legendgroup": f"g{i}", "showlegend": False, "name": name})
        traces.append({"type": "scatter", "mode": "lines+markers" if len(x) > 1 else "markers", "x": list(x),
                       "y": _values(mean, sig=sig), "name": name, "legendgroup": f"g{i}",
                       "line": {"color": g.color, "width": 2, "dash": dashes[g.label]},
                       "marker": {"symbol": symbols[g.label], "color": g.color, "size": 7, "maxdisplayed": MARKS},
                       "hovertemplate": "%{y:.4f}" if attr != "loss" else "%{y:.4g}"})
    return traces


def log_axis(traces: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """A log axis for the traces' y values, labelled at the decades (:data:`LOG_AXIS`) when they span two or more;
    else at 1, 2 and 5 times the powers of ten, at 1 … 9 times, or at evenly spaced round values, whichever first
    gives three labels within the values (a loss from 0.3 to 2.3 had the single label "1", one from 2.2 to 2.3 the
    label "2"); the decades too when no three distinct labels fit (a single value, or a span below 1e-4)."""
    v = np.array([y for t in traces for y in t.get("y", ()) if isinstance(y, (int, float))], dtype=float)
    v = v[np.isfinite(v) & (v > 0)]
    if not v.size or not 1e-300 < v.min() <= v.max() < 1e300 or np.log10(v.max() / v.min()) >= 2:
        return LOG_AXIS
    lo, hi = float(v.min()), float(v.max())
    decades = range(math.floor(math.log10(lo)), math.ceil(math.log10(hi)) + 1)
    for mantissas in ((1, 2, 5), tuple(range(1, 10)), None):
        if mantissas is None:                          # evenly spaced round values, 4 or so across the span
            raw = (hi - lo) / 4
            if raw <= hi * 1e-5:
                return LOG_AXIS
            step = next(m * 10.0 ** math.floor(math.log10(raw)) for m in (1, 2, 5, 10)
                        if m * 10.0 ** math.floor(math.log10(raw)) >= raw)
            digits = max(0, -math.floor(math.log10(step)))
            ticks = [round(k * step, digits) for k in range(math.floor(lo / step), math.ceil(hi / step) + 1)]
        else:
            ticks = [float(f"{m * 10.0 ** e:.12g}") for e in decades for m in mantissas]
        ticks = [t for t in ticks if t > 0]
        if sum(lo <= t <= hi for t in ticks) >= 3:
            break
    text = [f"{t:.10g}" for t in ticks]
    return {"type": "log", "tickvals": ticks, "ticktext": text, "exponentformat": "none"}


def _layout(title: str, xtitle: str, ytitle: str, lang: str, **extra: Any) -> dict[str, Any]:
    axis = {"gridcolor": "#e6e6e6", "zeroline": False, "linecolor": "#999", "ticks": "outside"}
    layout = {"title": {"text": _plotly_text(title), "x": 0.01, "xanchor": "left", "font": {"size": 15}},
              "xaxis": {**axis, "title": {"text": _plotly_text(xtitle)}},
              "yaxis": {**axis, "title": {"text": _plotly_text(ytitle)}},
              "font": {"family": FONT_STACK[lang], "size": 12}, "hovermode": "x unified", "hoverdistance": -1,
              "margin": {"l": 60, "r": 16, "t": 44, "b": 48}, "height": 400, "paper_bgcolor": "white",
              "plot_bgcolor": "white", "legend": {"bgcolor": "rgba(255,255,255,0.8)"}}
    for k, v in extra.items():
        layout[k] = {**layout.get(k, {}), **v} if isinstance(v, dict) else v
    return layout


def lr_points(groups: Sequence[LabelGroup]) -> dict[str, tuple[str, list[tuple[float, np.ndarray]]]]:
    """Learning-rate sweeps hidden in the runs: for each setting that appears with two or more learning rates
    (same optimizer, preset, other hyperparameters and network), its optimizer and ``(lr, final test accuracies)``
    sorted by lr. Keyed by a readable name of the setting. Empty for a plain comparison."""
    sweeps: dict[str, dict[float, list[float]]] = {}
    names: dict[str, str] = {}
    for g in groups:
        if not np.isfinite(g.lr):
            continue
        others = {k: v for k, v in g.hyperparameters.items() if k != "lr"}
        key = json.dumps([g.optimizer, g.rows[0].get("preset"), others, g.net], sort_keys=True, default=str)
        names.setdefault(key, display_name(g.optimizer) + (" + BN" if g.batchnorm else ""))
        sweeps.setdefault(key, {}).setdefault(g.lr, []).extend(g.finals().tolist())
    out = {}
    for key, by_lr in sweeps.items():
        if len(by_lr) >= 2:
            name = names[key]
            while name in out:
                name += "′"
            out[name] = (json.loads(key)[0], [(lr, np.array(v, dtype=float)) for lr, v in sorted(by_lr.items())])
    return out


BELOW = {"orientation": "h", "x": 0.0, "xanchor": "left", "y": -0.2, "yanchor": "top"}   # legend under the axes


def build_charts(groups: Sequence[LabelGroup], lang: str) -> dict[str, dict[str, Any]]:
    """Plotly figure specifications keyed by the id of the ``div`` each goes into."""
    it = rt("count", lang)
    loss = _curve_traces(groups, "loss", lang)
    charts = {
        "chart-test-acc": {"data": _curve_traces(groups, "test_acc", lang),
                           "layout": _layout(rt("test accuracy", lang), it, rt("accuracy", lang), lang,
                                             yaxis={"range": [0, ACC_TOP]})},
        "chart-loss": {"data": loss, "layout": _layout(rt("training loss", lang), it, rt("loss", lang), lang,
                                                       yaxis=log_axis(loss))},
        "chart-train-acc": {"data": _curve_traces(groups, "train_acc", lang),
                            "layout": _layout(rt("minibatch accuracy", lang), it, rt("accuracy", lang), lang,
                                              yaxis={"range": [0, ACC_TOP]}, height=440, legend=BELOW)},
    }
    bars = []
    for g in groups:
        seeds = [r.get("seed") for r in g.rows]
        f = g.finals()
        ok = np.isfinite(f)
        f, seeds = f[ok], [s for s, k in zip(seeds, ok) if k]
        if not len(f):
            continue
        mean, lo, hi = (float(a[0]) for a in mean_band(f[:, None]))
        bar = {"type": "bar", "x": [_plotly_text(g.label)], "y": _values([f.mean()]), "name": _plotly_text(g.label),
               "marker": {"color": g.color}, "hovertemplate": "%{y:.4f}<extra>%{x}</extra>"}
        if len(f) > 1:
            if len(f) >= MIN_SEEDS_TO_SETTLE:     # the 95 % interval, within [0, 1] as the bands (2 seeds: none)
                bar["error_y"] = {"type": "data", "symmetric": False, "array": [min(hi, 1.0) - mean],
                                  "arrayminus": [mean - max(lo, 0.0)], "color": "#333", "thickness": 1.2}
                bar["hovertemplate"] = (f"%{{y:.4f}} [{max(lo, 0.0):.4f}, {min(hi, 1.0):.4f}]"
                                        + rt("ci note", lang) + "<extra>%{x}</extra>")
            bars.append(bar)
            bars.append({"type": "scatter", "mode": "markers", "x": [_plotly_text(g.label)] * len(f), "y": _values(f),
                         "marker": {"color": "#222", "size": 5}, "showlegend": False, "name": _plotly_text(g.label),
                         "customdata": [[s] for s in seeds],
                         "hovertemplate": rt("seed", lang) + " %{customdata[0]}" + rt("colon", lang)
                                          + "%{y:.4f}<extra></extra>",
                         "legendgroup": g.label})
            bar["legendgroup"] = g.label
        else:
            bars.append(bar)
    charts["chart-final"] = {"data": bars,
                             "layout": _layout(rt("final accuracy", lang), "", rt("accuracy", lang), lang, height=440,
                                               xaxis={"automargin": True, "tickangle": -25},
                                               yaxis={"range": [0, ACC_TOP]}, hovermode="closest", showlegend=False)}
    sweeps = lr_points(groups)
    if sweeps:
        traces = []
        colors = colors_by_label({name: optimizer for name, (optimizer, _) in sweeps.items()})
        dashes = styles_by_label(colors, RUN_DASHES)
        for name, (_, pts) in sweeps.items():
            means = [float(np.nanmean(v)) if np.isfinite(v).any() else math.nan for _, v in pts]
            halves = [float(mean_band(v[np.isfinite(v)][:, None])[2][0] - m) if np.isfinite(v).sum() > 1 else 0.0
                      for (_, v), m in zip(pts, means)]
            traces.append({"type": "scatter", "mode": "lines+markers", "x": [lr for lr, _ in pts], "y": _values(means),
                           "error_y": {"type": "data", "array": _values(halves)}, "name": _plotly_text(name),
                           "line": {"color": colors[name], "dash": dashes[name]},
                           "hovertemplate": rt("lr", lang) + " %{x:.3g}" + rt("colon", lang) + "%{y:.4f}"})
        charts["chart-lr"] = {"data": traces, "layout": _layout(rt("lr sensitivity", lang), rt("learning rate", lang),
                                                                rt("final accuracy", lang), lang,
                                                                xaxis=LOG_AXIS, yaxis={"range": [0, ACC_TOP]},
                                                                hovermode="closest")}
    return charts


def script_json(obj: Any) -> str:
    """JSON safe to place inside ``<script>``: no ``</script>``, ``<!--`` or line separators can appear."""
    text = json.dumps(obj, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    for ch, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"),
                    ("\u2029", "\\u2029")):
        text = text.replace(ch, esc)
    return text


def plotly_bundle() -> str:
    """plotly.js, to inline once (raises a one-line error when the plotly package is missing)."""
    try:
        from plotly.offline import get_plotlyjs
    except ImportError:
        raise OptimlabError("the HTML report needs the plotly package, which is not installed (accepted: pip install "
                            "'plotly>=5.18', or pip install -e . again in a clone of optimlab)") from None
    return get_plotlyjs().replace("</script", "<\\/script")


# -- HTML -----------------------------------------------------------------------------------------------------

FONT_STACK = {
    "en": 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Helvetica Neue", Arial, '
          '"Noto Sans CJK JP", "IPAexGothic", sans-serif',
    "ja": '"Hiragino Sans", "Hiragino Kaku Gothic ProN", "Yu Gothic UI", "Yu Gothic", Meiryo, '
          '"Noto Sans CJK JP", "IPAexGothic", "IPAGothic", system-ui, sans-serif',
}


def esc(x: Any) -> str:
    return html.escape(str(x), quote=True)


def _fmt(x: Any, digits: int = 4) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "—"
    return f"{x:.{digits}f}" if isinstance(x, float) else str(x)


def _cell(text: Any, sort: Any = None, cls: str = "", below: str = "", below_cls: str = "", third: str = "") -> str:
    """A table cell; ``below``: a smaller second line (its class ``below_cls``), ``third`` a third, neither part of
    the sort key."""
    v = "" if sort is None or (isinstance(sort, float) and not math.isfinite(sort)) else f' data-v="{esc(sort)}"'
    c = f' class="{cls}"' if cls else ""
    second = "".join(f'<div class="{below_cls}">{esc(x)}</div>' for x in (below, third) if x)
    return f"<td{v}{c}>{esc(text)}{second}</td>"


def _label_th(label: str, color: str) -> str:
    """A run label with its colour swatch; where the label wraps, the swatch stays with its first word (in Japanese,
    what comes before a setting's 「（」: 「SGD」 of 「SGD（BN なし、relu）」)."""
    cut = min((i for i in (label.find(" "), label.find("（")) if i > 0), default=len(label))
    first, rest = label[:cut], label[cut:]
    if rest.startswith("（"):          # 「BN なし」 kept whole: the settings break only after 「、」
        rest = rest.replace(" ", "\u00a0")
    return (f'<th scope="row"><span class="nobr"><span class="swatch" style="background:{color}"></span>'
            f'{esc(first)}</span>{esc(rest)}</th>')


def _mean_sd(values: np.ndarray) -> tuple[str, float]:
    """``mean ± sd`` over the seeds with a value, ``(k/n)`` when only k of the n seeds have one."""
    v = values[np.isfinite(values)]
    if not len(v):
        return "—", math.nan
    some = f" ({len(v)}/{len(values)})" if len(v) < len(values) else ""
    if len(v) > 1:
        return f"{v.mean():.4f} ± {v.std(ddof=1):.4f}{some}", float(v.mean())
    return f"{v[0]:.4f}{some}", float(v[0])


def _hp_text(hp: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in hp.items() if k != "lr")


def _table(head: Sequence[str], rows: Sequence[str], numeric: Sequence[bool], table_id: str) -> str:
    # each header a button (sorts by that column): reached with Tab, pressed with Enter or Space, and announced as
    # one by screen readers; the th's aria-sort says how the table is sorted. On paper the words as text: Chromium
    # paints no button in a header it repeats on the next page (the header there was empty)
    ths = "".join(f'<th scope="col"{" class=num" if num else ""}><button type="button" class="sort">{esc(h)}</button>'
                  f'<span class="on-paper" aria-hidden="true">{esc(h)}</span></th>' for h, num in zip(head, numeric))
    return (f'<div class="table-wrap"><table class="sortable" id="{table_id}"><thead><tr>{ths}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table></div>')


def seed_cis(summary: dict[str, Any]) -> dict[str, tuple[float, float]]:
    """Each label's mean and 95% CI half-width of the final test accuracy over two or more seeds, where every seed
    has a value (the table's mean is then the statistics' mean), from summary.json's ``seed_statistics``."""
    return {s["label"]: (float(s["mean"]), float(s["ci95"])) for s in summary.get("seed_statistics") or []
            if s.get("metric") == "final_test_accuracy" and (s.get("n") or 0) >= 2 and not s.get("n_not_ok")
            and all(isinstance(s.get(k), (int, float)) and math.isfinite(s[k]) for k in ("mean", "ci95"))}


def ci_text(mean: float, half: float, lang: str) -> str:
    """``CI ± half``; where the interval passes 0 or 1 (a t interval over few seeds), its ends clipped to [0, 1],
    as the console gives them."""
    ends = clipped_ends(mean, half)
    if ends is None:
        return rt("ci cell", lang, ci=f"{half:.4f}")
    return rt("ci clipped cell", lang, lo=f"{ends[0]:.4f}", hi=f"{ends[1]:.4f}")


def summary_table_html(groups: Sequence[LabelGroup], target: float, lang: str,
                       ci: dict[str, tuple[float, float]] | None = None) -> str:
    """The runs' table; ``ci``: each label's mean and 95% CI half-width of the final test accuracy over the seeds
    (summary.json's ``seed_statistics``, the console's), shown under that column's mean and sd (a reproducibility
    review: a reader citing the page had an sd that looked like an interval; each line now says which it is)."""
    head = [rt(k, lang) for k in ("run", "optimizer", "lr", "batchnorm", "n", "final test acc", "best test acc",
                                  "final batch acc", "final loss")]
    head += [rt("iters to target", lang, target=f"{target:.2f}"), rt("wall s", lang), rt("status", lang)]
    numeric = [False, False, True, False, True, True, True, True, True, True, True, False]
    rows = []
    for g in groups:
        it = g.iterations_to(target)
        cells = [_label_th(g.label, g.color),
                 # the other hyperparameters under the optimizer's name: a column of their own made the table
                 # wider than the page
                 _cell(g.optimizer, g.optimizer, below=_hp_text(g.hyperparameters), below_cls="hp"),
                 _cell(f"{g.lr:g}" if math.isfinite(g.lr) else "—", g.lr, "num"),
                 _cell(rt("yes" if g.batchnorm else "no", lang)), _cell(len(g.rows), len(g.rows), "num")]
        for key in ("final_test_accuracy", "best_test_accuracy", "final_train_accuracy", "final_loss"):
            text, sort = _mean_sd(g.finals(key))
            mean, sd = text.split(" ± ", 1) if " ± " in text else (text, "")
            # the spread on a line of its own: four such columns fit the page
            interval = ci_text(*ci[g.label], lang) \
                if key == "final_test_accuracy" and (ci or {}).get(g.label) is not None and sd else ""
            cells.append(_cell(mean, sort, "num", below=rt("sd cell", lang, sd=sd) if sd else "", below_cls="sd",
                               third=interval))
        cells.append(_cell(rt("never", lang) if it is None else it, it, "num"))
        wall = sum(float(r.get("wall_seconds") or 0.0) for r in g.rows)
        cells.append(_cell(f"{wall:.2f}", wall, "num"))
        cells.append(_cell(status_text({r.get("status", "ok") for r in g.rows}, lang)))
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return _table(head, rows, numeric, "summary-table")


CURVE_POINTS = 11          # iterations in the curves' table: 10, 100, 200 … 1000 for the note's run


def curves_table_html(groups: Sequence[LabelGroup], lang: str) -> str:
    """The test-accuracy and loss charts as two tables, run by row and iteration by column, at most
    :data:`CURVE_POINTS` evaluation iterations spread over the run: the charts' own values (:meth:`LabelGroup.curve`),
    for a reader who cannot see them or wants the numbers; '' when no run has an evaluation."""
    evals = sorted({i for g in groups for i in g.curve("test_acc")[0]})
    if not evals:
        return ""
    # the first evaluation, then the one nearest each tenth of the run (100, 200 … of 1000; 30, 60 … of 300)
    wanted = [evals[-1] * k / (CURVE_POINTS - 1) for k in range(1, CURVE_POINTS)]
    its = sorted({evals[0], *(min(evals, key=lambda i: (abs(i - w), i)) for w in wanted)})
    head = [rt("run", lang), *map(str, its)]
    tables = []
    for attr, title, fmt in (("test_acc", "test accuracy", "{:.4f}"), ("loss", "training loss", "{:#.4g}")):
        rows = []
        for g in groups:
            x, mean, _, _ = g.curve(attr)
            at = dict(zip(x, mean.tolist()))
            vals = [at.get(i) for i in its]
            rows.append("<tr>" + _label_th(g.label, g.color) + "".join(
                _cell("—", None, "num") if v is None or not math.isfinite(v) else _cell(fmt.format(v), v, "num")
                for v in vals) + "</tr>")
        tables.append(f"<h3>{esc(rt(title, lang).capitalize() + rt('by iteration', lang))}</h3>"
                      + _table(head, rows, [False] + [True] * len(its), f"curves-{attr.replace('_', '-')}"))
    return (f'<details class="curves"><summary>{esc(rt("curves as numbers", lang))}</summary>'
            f'<p class="help">{esc(rt("curves help", lang, k=len(its), window=LOSS_WINDOW))}</p>{"".join(tables)}'
            "</details>")


def seeds_table_html(groups: Sequence[LabelGroup], target: float, lang: str) -> str:
    head = [rt(k, lang) for k in ("run", "seed", "final test acc", "best test acc", "final batch acc", "final loss")]
    head += [rt("iters to target", lang, target=f"{target:.2f}"), rt("wall s", lang), rt("status", lang)]
    numeric = [False, True, True, True, True, True, True, True, False]
    rows = []
    for g in groups:
        for r, h in zip(g.rows, g.histories):
            it = h.iterations_to(target) if h.test_acc else None
            cells = [f'<th scope="row">{esc(g.label)}</th>', _cell(r["seed"], int(r["seed"]), "num")]
            for key in ("final_test_accuracy", "best_test_accuracy", "final_train_accuracy", "final_loss"):
                v = r.get(key)
                cells.append(_cell(_fmt(v), v, "num"))
            cells += [_cell(rt("never", lang) if it is None else it, it, "num"),
                      _cell(f"{float(r.get('wall_seconds') or 0):.2f}", r.get("wall_seconds"), "num"),
                      _cell(status_text([r.get("status", "ok")], lang))]
            rows.append(f"<tr>{''.join(cells)}</tr>")
    return _table(head, rows, numeric, "seeds-table")


def _figure_files(run: LoadedRun) -> list[Path]:
    names = run.summary.get("figures") or sorted(p.name for p in run.directory.glob("*.png"))
    files = []
    for name in names:
        p = run.directory / Path(str(name)).name      # only files inside the run directory
        if p.suffix.lower() == ".png" and p.is_file() and p not in files:
            files.append(p)
    return files


def _by_label(run: LoadedRun) -> tuple[list[int], dict[str, list]]:
    """The seeds, and each label's histories in seed order (its figure shows the first, as compare's does)."""
    seeds = sorted({s for _, s in run.histories})
    order = list(dict.fromkeys(r["label"] for r in run.summary["runs"]))
    return seeds, {label: [run.histories[(label, s)] for s in seeds if (label, s) in run.histories] for label in order}


def _redrawn(run: LoadedRun, lang: str, seeds: list[int], by_label: dict[str, list],
             drawn: set[str]) -> dict[str, bytes]:
    """The comparison's figures drawn again from metrics.csv in ``lang``, as PNG bytes by file name — for a report
    in another language than the run's — and the telemetry figures from telemetry.csv, if the run has them (if
    that file or the summary's hyperparameters cannot be read back, they stay as drawn, in the run's language).
    ``drawn``: the names of the run's figure files."""
    from .figures import font_scale, recorded_style

    dpi, scale = recorded_style(run.summary)
    with font_scale(scale):                            # as the run's figures were drawn (--font-scale)
        return _redraw(run, lang, seeds, by_label, drawn, dpi)


def _redraw(run: LoadedRun, lang: str, seeds, by_label, drawn, dpi: int) -> dict[str, bytes]:
    """:func:`_redrawn`'s figures, drawn and saved inside its font scale."""
    from .figures import comparison_figures, known_lrs, png_bytes
    from .telemetry import runs_from_csv, telemetry_figures

    figures = comparison_figures({k: v for k, v in by_label.items() if v}, seeds[0] if seeds else 0, lang,
                                 label_colors(run), known_lrs(run),
                                 dataset=(run.summary.get("dataset") or {}).get("name"), seeds=seeds)
    if any(name.startswith("telemetry_") for name in drawn) and (run.directory / "telemetry.csv").is_file():
        iters = max((len(h.loss) for hs in by_label.values() for h in hs), default=1)
        try:
            made = [(name, make()) for name, make in telemetry_figures(
                runs_from_csv(run.directory / "telemetry.csv", run.summary.get("runs", [])), iters, lang)]
        except (OptimlabError, ValueError, KeyError, TypeError):       # edited by hand: keep what was drawn
            made = []
        figures += made
    return {name: png_bytes(fig, dpi) for name, fig in figures}


def figure_caption(name: str, labels: Sequence[str], lang: str) -> str:
    """What a figure of the run folder shows, in ``lang`` (for the file names optimlab gives its figures; '' for
    any other)."""
    from .figures import accuracy_figure_names

    label = next((lb for lb, n in accuracy_figure_names(labels).items() if n == name), None)
    if label is not None:
        return rt("cap accuracy", lang, label=label)
    key = f"cap {name}"
    return rt(key, lang) if key in REPORT_TEXT[lang] else ""


def figures_html(run: LoadedRun, lang: str) -> str:
    items = []
    files = _figure_files(run)
    seeds, by_label = _by_label(run)
    redrawn = _redrawn(run, lang, seeds, by_label, {p.name for p in files}) if files and lang != recorded_lang(run.summary) else {}
    # the labels that got a note-style figure, as compare names them (a run without test accuracy got none)
    labels = [label for label, hs in by_label.items() if hs and hs[0].test_acc]
    for p in files:
        data = base64.b64encode(redrawn.get(p.name) or p.read_bytes()).decode("ascii")
        what = figure_caption(p.name, labels, lang)       # in the report's language, the file name beside it
        # drawn again in the page's language: the file named is in the run's (a teacher opening it got another image)
        again = rt("redrawn file", lang, lang_name=rt(f"lang {recorded_lang(run.summary)}", lang)) \
            if p.name in redrawn else ""
        caption = (f"{esc(what)} <span class=\"file\">{esc(p.name)}{esc(again)}</span>" if what else
                   esc(p.name) + esc(again))
        items.append(f'<figure><img alt="{esc(what or p.name)}" data-file="{esc(p.name)}" loading="lazy" '
                     f'src="data:image/png;base64,{data}">'
                     f"<figcaption>{caption}</figcaption></figure>")
    return f'<div class="figures">{"".join(items)}</div>' if items else f"<p>{esc(rt('no figures', lang))}</p>"


def _kv_table(pairs: Sequence[tuple[str, Any]]) -> str:
    """Rows of name and value; counts grouped by thousands (1,294), as the console writes them."""
    shown = [(k, f"{v:,}" if isinstance(v, int) and not isinstance(v, bool) else v) for k, v in pairs]
    rows = "".join(f'<tr><th scope="row">{esc(k)}</th><td>{esc(v)}</td></tr>' for k, v in shown
                   if v not in (None, "", []))
    return f'<table class="kv">{rows}</table>'


ENV_KEYS = ("cpu", "cpu_count", "platform", "python", "numpy", "optimlab", "numpy_simd", "cpu_settings",
            "optimlab_source_sha256", GIT_KEY)  # translated


def environment_pairs(env: dict[str, Any], lang: str) -> list[tuple[str, Any]]:
    """summary.json's environment as (translated name, value) rows, one row per BLAS library (sorted)."""
    env = dict(env)
    blas = env.pop("blas", None)
    git = env.get(GIT_KEY)
    if isinstance(git, dict) and isinstance(git.get("commit"), str):        # "3a2d861… (2 files changed since)"
        k = git.get("changed_files")
        known = isinstance(k, int) and not isinstance(k, bool) and k >= 0
        env[GIT_KEY] = (rt("git clean" if k == 0 else "git changed", lang, commit=git["commit"], k=f"{k:,}") if known
                        else git["commit"])
    pairs = [(rt(k, lang) if k in ENV_KEYS else k, v) for k, v in env.items()]
    rows = [", ".join(f"{k}={v}" for k, v in b.items() if v is not None) for b in blas or []]
    pairs += [(rt("blas", lang), row) for row in sorted(rows)]      # threadpoolctl's order varies between runs
    return pairs


def command_html(summary: dict[str, Any], lang: str) -> str:
    """The command line that wrote the folder and the folder it was typed in (summary.json's ``command``,
    ``command_dir``), under the recipe; nothing for a folder written from Python."""
    command = summary.get("command")
    if not isinstance(command, str):
        return ""
    where = summary.get("command_dir")
    where = f'<p class="help">{esc(rt("command dir", lang, dir=where))}</p>' if isinstance(where, str) else ""
    return f"<h3>{esc(rt('command', lang))}</h3><pre class=\"command\"><code>{esc(command)}</code></pre>{where}"


def notice_text(notice: str | None, lang: str) -> str | None:
    """The dataset's notice (English, from the loader) for the report: the fallback to mnist-5k is said in the
    report's language, with the English details after it."""
    if isinstance(notice, str) and notice.startswith(FALLBACK_NOTICE):
        return rt("notice mnist-5k", lang, notice=notice)
    return notice


def environment_html(summary: dict[str, Any], lang: str) -> str:
    ds = summary.get("dataset") or {}
    data_pairs = [(rt("dataset", lang), ds.get("name")), (rt("source", lang), ds.get("source")),
                  (rt("train size", lang), ds.get("n_train")), (rt("test size", lang), ds.get("n_test")),
                  (rt("inputs", lang), ds.get("input_dim")), (rt("classes", lang), ds.get("n_classes")),
                  ("SHA-256", ds.get("sha256")), (rt("notice", lang), notice_text(ds.get("notice"), lang))]
    env_pairs = environment_pairs(summary.get("environment") or {}, lang)
    try:
        import plotly

        env_pairs.append((rt("plotly", lang), plotly.__version__))
    except ImportError:     # pragma: no cover - the report needs plotly anyway
        pass
    env_pairs += [(rt("total wall seconds", lang), summary.get("total_wall_seconds")),
                  (rt("plot seconds", lang), summary.get("plot_seconds"))]
    return (f'<div class="two-col"><div><h3>{esc(rt("dataset", lang))}</h3>{_kv_table(data_pairs)}</div>'
            f'<div><h3>{esc(rt("environment", lang))}</h3>{_kv_table(env_pairs)}</div></div>')


def _finished(summary: dict[str, Any]) -> str:
    """When the run or sweep finished, in the local time of the machine that draws the page, with its offset from
    UTC ("2026-12-02 12:07 (UTC+09:00)"): summary.json keeps UTC, and a page that said "03:07 UTC" made a student in
    Japan count back nine hours."""
    s = summary.get("finished")
    try:
        when = datetime.fromisoformat(s)
    except (TypeError, ValueError):
        return str(s or "")
    try:
        shown = when.astimezone() if when.tzinfo is not None else when      # without a zone: as written
    except (OverflowError, OSError):         # year 1 or 9999 moved past the calendar's end; Windows before 1970
        shown = when
    text = f"{shown.year:04d}-{shown:%m-%d %H:%M}"      # (%Y gives "1", not "0001", with glibc)
    if shown.utcoffset() is None:
        return text
    minutes = round(shown.utcoffset().total_seconds() / 60)
    zone = f"UTC{'+' if minutes >= 0 else '-'}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}" if minutes else "UTC"
    return f"{text} ({zone})"


def recorded_lang(summary: dict[str, Any]) -> str:
    """The language a run or sweep was made in (summary.json's ``lang``), "en" when it says none or another."""
    lang = summary.get("lang")
    return lang if isinstance(lang, str) and lang in LANGS else "en"


def build_report_html(run_dir: str | os.PathLike, lang: str | None = None,
                      shown_as: str | os.PathLike | None = None) -> str:
    """The whole page for ``run_dir`` as one string (no network resources), in ``lang`` (default: the language
    the run was made in, :func:`recorded_lang`); a sweep directory gets the sweep's page
    (:func:`optimlab.viz.report_sweep.build_sweep_report_html`). ``shown_as``: the folder named in the
    footer (default: ``run_dir``; a comparison writes its report in a staging folder, then renames it)."""
    if lang is not None:
        check_lang(lang)
    run = load_run(run_dir)
    lang = recorded_lang(run.summary) if lang is None else lang
    if not isinstance(run, LoadedRun):
        from .report_sweep import build_sweep_report_html

        return build_sweep_report_html(run.directory, lang)
    summary = run.summary
    groups = label_groups(run)
    conclusions = compute_conclusions(run, lang)
    with_curves = [g for g in groups if any(h.test_acc for h in g.histories)]
    target = next((c["facts"]["target"] for c in conclusions if c["kind"] == "first_to_target"), DEFAULT_TARGET)
    charts = build_charts(with_curves, lang)
    ds = summary.get("dataset") or {}
    seeds = summary.get("seeds") or sorted({int(r["seed"]) for r in summary["runs"]})
    name = summary.get("name", run.directory.name)

    title = f"{rt('title', lang)}{rt('colon', lang)}{ds.get('name', '?')}"
    meta = [f"{esc(rt('run name', lang))} <b>{esc(name)}</b>", f"{esc(rt('finished at', lang))} {esc(_finished(summary))}",
            f"{esc(rt('seeds', lang))} {esc(rt('list sep', lang).join(map(str, seeds)))}",
            esc(rt("runs x seeds", lang, runs=len(groups), seeds=len(seeds)))]

    def chart_div(cid: str, wide: str = "") -> str:
        return chart_html(cid, charts[cid], wide) if cid in charts else ""

    lr_section = ""
    if "chart-lr" in charts:
        lr_section = (f'<section id="lr"><h2>{esc(rt("lr sensitivity", lang))}</h2>'
                      f'<p class="help">{esc(rt("lr help", lang))}</p>{chart_div("chart-lr")}</section>')
    recipe_path = run.directory / "recipe.toml"
    # in Japanese the file's English comment is said in Japanese above it (a Japanese student's review)
    recipe = (f"<p class=\"help\">{esc(rt('recipe help', lang))}</p>"
              f"<pre><code>{esc(recipe_path.read_text(encoding='utf-8'))}</code></pre>" if recipe_path.is_file()
              else f"<p>{esc(rt('no recipe', lang))}</p>")
    nav = [("conclusions", "conclusions"), ("charts", "charts"), ("summary", "summary"), ("figures", "figures"),
           ("configuration", "configuration"), ("environment", "data and environment")]
    if lr_section:
        nav.insert(2, ("lr", "lr sensitivity"))
    multi = len(seeds) > 1
    body = f"""
{page_top(title, meta, nav, conclusions, rt, lang, caveat=rt("untuned", lang) if conclusions else "")}
<section id="charts"><h2>{esc(rt('charts', lang))}</h2>
  <p class="help">{esc(rt('chart help', lang))}{esc(rt('band help', lang)) if multi else ''}</p>
  <div class="grid">{chart_div('chart-test-acc', ' wide')}{chart_div('chart-loss', ' wide')}{chart_div('chart-train-acc')}{chart_div('chart-final')}</div>
  {curves_table_html(with_curves, lang)}
</section>
{lr_section}
<section id="summary"><h2>{esc(rt('summary', lang))}</h2><p class="help">{esc(rt('table help', lang))}</p>
  {summary_table_html(groups, target, lang, seed_cis(summary))}
  <details{' open' if multi else ''}><summary>{esc(rt('per seed', lang))}</summary>{seeds_table_html(groups, target, lang)}</details>
</section>
<section id="figures"><h2>{esc(rt('figures', lang))}</h2>{figures_html(run, lang)}</section>
<section id="configuration"><h2>{esc(rt('configuration', lang))}</h2><h3>recipe.toml</h3>{recipe}
  {command_html(summary, lang)}</section>
<section id="environment"><h2>{esc(rt('data and environment', lang))}</h2>{environment_html(summary, lang)}</section>
</main>
<footer>{esc(rt('generated', lang, version=__version__))}<code>{esc(home_shown(shown_as if shown_as is not None else run.directory.resolve()))}</code></footer>
"""
    return page_html(lang, title, name, body, charts)


REPORT_OUT_ACCEPTED = "a new .html file, or a report optimlab wrote earlier"


def check_report_out(out: str | os.PathLike, instead: str = "") -> Path:
    """``out`` for a report: an .html/.htm path that is new or holds a report optimlab wrote (so that a
    mistyped ``--out`` cannot overwrite a run's metrics.csv or any other file); a one-line ConfigError.
    ``instead``: the option that writes the page elsewhere, named when a file of the user's is in the way."""
    text = os.fspath(out)
    path = Path(text)
    if path.suffix.lower() not in (".html", ".htm"):
        raise ConfigError(f"invalid report file: {text!r} (accepted: {REPORT_OUT_ACCEPTED})")
    if path.is_symlink() or (path.exists() and not path.is_file()):
        raise ConfigError(f"refusing to overwrite {text!r}: not a regular file (accepted: {REPORT_OUT_ACCEPTED})")
    if path.exists():
        if not is_optimlab_report(path):
            elsewhere = f"; or {instead} to write it elsewhere" if instead else ""
            raise ConfigError(f"refusing to overwrite {text!r}: it is not a report optimlab wrote "
                              f"(accepted: {REPORT_OUT_ACCEPTED}{elsewhere})")
    return path


def write_report(run_dir: str | os.PathLike, lang: str | None = None, out: str | os.PathLike | None = None,
                 shown_as: str | os.PathLike | None = None) -> Path:
    """Write ``report.html`` into ``run_dir`` (or to ``out``, checked by :func:`check_report_out`) atomically, in
    ``lang`` (default: the run's, see :func:`build_report_html`); returns its path. ``shown_as``: the folder the
    footer names."""
    # the default path is checked too: a report.html of the user's own in the run folder is not overwritten
    path = check_report_out(out) if out is not None else check_report_out(Path(run_dir) / "report.html", "--out FILE")
    home = os.path.dirname(os.path.realpath(path))
    its_own = path.name.casefold() == "report.html"      # (Report.html is that file where names ignore case)
    if out is not None and its_own and os.path.isfile(os.path.join(home, "summary.json")) \
            and home != os.path.realpath(run_dir):     # that run's own page, replaced by this one's without a word
        raise ConfigError(f"refusing to write {os.fspath(out)!r}: it is the report of another run, {home!r} "
                          "(accepted: another file name or folder, or no --out to write RUN_DIR/report.html)")
    page = build_report_html(run_dir, lang, shown_as)
    try:
        write_text(path, page)
    except KeyboardInterrupt as e:      # it came as the page was put in place, and waited for it
        mark_written(e, [path])
        raise
    return path


def page_top(title: str, meta: list[str], nav: list[tuple[str, str]], conclusions: list[dict], tr, lang: str,
             caveat: str = "") -> str:
    """What both reports open with: the header (title, ``meta`` HTML pieces, links to the ``nav`` sections,
    given as (anchor, text key)) and the conclusions section, with ``caveat`` (text) under them. ``tr`` is the
    report's text function."""
    links = "".join(f'<a href="#{a}">{esc(tr(k, lang))}</a>' for a, k in nav)
    items = "".join(f'<li class="c-{esc(c["kind"])}">{esc(c["text"])}</li>' for c in conclusions)
    listed = f"<ul>{items}</ul>" if items else f"<p>{esc(tr('no conclusions', lang))}</p>"
    if caveat:
        listed += f'<p class="help" id="caveat">{esc(caveat)}</p>'
    # without JavaScript the charts were blank panels under a help text on hovering (an accessibility review)
    return f"""<header>
  <h1>{esc(title)}</h1>
  <p class="meta">{' · '.join(meta)}</p>
  <nav>{links}</nav>
</header>
<main>
<noscript><style>.chart {{ display: none; }}</style><p class="help" id="no-script">{esc(tr('no script', lang))}</p></noscript>
<section id="conclusions" class="conclusions"><h2>{esc(tr('conclusions', lang))}</h2>{listed}</section>"""


def chart_html(cid: str, chart: dict[str, Any], wide: str = "") -> str:
    """The ``div`` a chart is drawn into, a figure named for screen readers by its title (its legend and buttons stay
    controls: ``role="img"`` would hide them; the tables beside it give the numbers)."""
    title = ((chart.get("layout") or {}).get("title") or {}).get("text", "")
    return f'<div class="chart{wide}" id="{esc(cid)}" role="figure" aria-label="{esc(html.unescape(title))}"></div>'


BAR_NAME = 24          # a bar's name on its axis: two lines of at most this many display columns


def _legend_fits(chart: dict[str, Any]) -> dict[str, Any]:
    """``chart`` with its legend under the axes, a row per entry, when an entry is longer than a figure's legend
    line: beside them, long run labels took half the card and left the plot 40 % of it (a visual review); a bar
    chart's long category names on two lines of its axis (the page's script grows a chart for its legend on a phone,
    but not one whose rows were made here: ``meta.legendRows``)."""
    data = [t for t in chart.get("data") or [] if isinstance(t, dict)]
    layout = dict(chart.get("layout") or {})
    shown = [t.get("name", "") for t in data if t.get("showlegend", True) is not False]
    if layout.get("showlegend", True) is not False and any(display_width(html.unescape(str(n))) > LEGEND_CHARS
                                                           for n in shown):       # names are escaped for plotly
        rows = len(shown)
        layout.update(legend={**(layout.get("legend") or {}), **BELOW}, height=int(layout.get("height") or 400)
                      + 22 * rows, margin={**(layout.get("margin") or {}), "b": 48 + 22 * rows},
                      meta={**(layout.get("meta") or {}), "legendRows": rows})
    if any(t.get("type") == "bar" for t in data) and all(t.get("type") == "bar" or t.get("showlegend") is False
                                                        for t in data):
        names = list(dict.fromkeys(str(x) for t in data for x in t.get("x") or []))
        if any(display_width(html.unescape(n)) > BAR_NAME for n in names):
            layout["xaxis"] = {**(layout.get("xaxis") or {}), "tickvals": names,
                               "ticktext": ["<br>".join(html.escape(x, quote=False) for x in  # names are escaped
                                            two_lines(html.unescape(n), BAR_NAME).split("\n")) for n in names]}
    return {**chart, "layout": layout}


def _chart_data(charts: dict[str, Any], lang: str) -> dict[str, Any]:
    """What the page's script reads: the charts, plotly's config and, on a Japanese page, plotly's words in Japanese
    (the toolbar said "Download plot as a PNG", "Reset axes" on a page in Japanese)."""
    charts = {cid: _legend_fits(c) for cid, c in charts.items()}
    if lang != "ja":
        return {"charts": charts, "config": PLOTLY_CONFIG}
    return {"charts": charts, "config": {**PLOTLY_CONFIG, "locale": "ja"}, "locale": {"ja": PLOTLY_JA}}


def page_html(lang: str, title: str, name: str, body: str, charts: dict[str, Any], extra_css: str = "") -> str:
    """The whole offline page around ``body``: styles, the inlined plotly.js, the chart data and the script."""
    return (f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{esc(title)} — {esc(name)}</title>\n"
            f"<style>:root {{ --font: {FONT_STACK[lang]}; }}\n{CSS}{extra_css}</style>\n</head>\n<body>\n{body}\n"
            f"<script>{plotly_bundle()}</script>\n"
            f'<script id="report-data" type="application/json">{script_json(_chart_data(charts, lang))}'
            f"</script>\n<script>{SCRIPT}</script>\n</body>\n</html>\n")
