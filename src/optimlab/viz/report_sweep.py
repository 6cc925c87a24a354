"""``report.html`` for a sweep directory (``summary.json`` with ``"kind": "sweep"``): the same offline page as
for a comparison (:mod:`.report`), with the sweep's own content.

- an interactive learning-rate sensitivity chart (log x; mean validation accuracy over the tuning seeds with a
  95 % band, one legend group per optimizer setting) and the validation curves at each tuned lr, read from the
  run folders' ``metrics.csv``;
- sortable tables: the note's defaults vs tuned, time to target, validation accuracy at every lr;
- the sensitivity PNG, ``sweep.toml``, the dataset (with its hash) and the executor;
- conclusions computed from ``summary.json`` (:func:`compute_sweep_conclusions`): the best optimizer after
  tuning and whether its lead exceeds the 95 % CIs, the largest gain of tuning over the note's defaults, the
  least lr-sensitive optimizer (the check of the note's claim that RMSProp needs little tuning), tuned lrs at
  the edge of the grid, and diverged tuning runs.
"""

from __future__ import annotations

import base64
import math
import os
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any

import numpy as np

from .. import __version__
from .._io import csv_records, home_shown, read_json, read_json_checked
from ..console import LANGS, evaluated_once, say, setting_text, term
from ..errors import FileFormatError, OptimlabError
from ..experiment.sweep import (SELECTION_RULE, above_chance, at_chance, gain_text, none_learned_at_either,
                                not_the_notes, paired_by_seed, sensitivity_name, shown_interval, stalled)
from ..results.stats import (MIN_SEEDS_TO_SETTLE, accuracy_step, accuracy_text, holm_settled, learned_floor,
                             learned_margin, sampling_error, signed, signed_bound, small_set)
from ..train import read_metrics
from .colors import RUN_DASHES, RUN_SYMBOLS, styles_by_label
from .figures import ACC_TOP, font_scale, mean_band, png_bytes, recorded_style
from .i18n import check_lang
from .report import (LOG_AXIS, MARKS, chart_html, command_html, _cell, _label_th, _conclusion, _finished,
                     _shown_difference, _kv_table, _layout, _plotly_text, _rgba, _table, _values, environment_pairs,
                     esc, notice_text, page_html, page_top, recorded_lang)
from .report_sweep_text import st
from .sweep_figures import sensitivity_figure, sweep_colors

TOLERANCE = 0.05      # an lr is "tolerated" when its mean validation accuracy is within this of the setting's best
SMALL_GAIN = 0.01     # a largest tuning gain below this: the note's defaults were already fine


@dataclass
class SweepDir:
    """A sweep directory read back: its ``summary`` (summary.json) and, when present, ``table`` (table.csv)."""

    directory: Path
    summary: dict[str, Any]
    table: list[dict[str, str]] = field(default_factory=list)


def is_sweep_dir(directory: str | os.PathLike) -> bool:
    p = Path(directory) / "summary.json"
    if not p.is_file():
        return False
    try:
        s = read_json(p)
    except (ValueError, OSError):
        return False
    return isinstance(s, dict) and s.get("kind") == "sweep"


TABLE_COLUMNS = ("run_id", "stage", "optimizer", "lr")   # the table.csv columns the report reads
DVT_NUMBERS = ("default_lr", "default_test_acc", "default_lo", "default_hi", "default_not_ok", "tuned_lr",
               "tuned_val_acc", "tuned_test_acc", "tuned_lo", "tuned_hi", "tuned_not_ok", "gain", "n_test_seeds")


def _sweep_error(d: Path, what: str) -> OptimlabError:
    return OptimlabError(f"cannot read sweep directory {str(d)!r}: {what} (accepted: summary.json and "
                         "table.csv as written by optimlab sweep)")


def load_sweep(directory: str | os.PathLike) -> SweepDir:
    """:class:`SweepDir`, with malformed content turned into a one-line :class:`OptimlabError` naming the file
    and what is wrong. ``table.csv`` may be absent only when summary.json lists no runs (``n_runs`` 0 or absent);
    a truncated one is caught by a short last line or by fewer rows than ``n_runs``."""
    d = Path(directory)
    try:
        summary = read_json_checked(d / "summary.json")
        _check_sweep_summary(d, summary)
        table = _read_table(d, summary.get("n_runs"))
    except FileFormatError as e:
        raise _sweep_error(d, str(e)) from None
    return SweepDir(d, summary, table)


def _number(x: Any, allow_none: bool = False) -> bool:
    return (x is None and allow_none) or (isinstance(x, (int, float)) and not isinstance(x, bool))


def _check_sweep_summary(d: Path, summary: Any) -> None:
    """The parts of summary.json the report reads: their presence and types."""
    if not isinstance(summary, dict):
        raise _sweep_error(d, f"summary.json holds a JSON {type(summary).__name__}, not an object")
    for key in ("dataset", "environment", "executor", "grid", "time_to_target", "optimizers"):
        if summary.get(key) is not None and not isinstance(summary[key], dict):
            raise _sweep_error(d, f"summary.json: '{key}' is {repr(summary[key])[:40]} (expected an object)")
    split = (summary.get("dataset") or {}).get("split")
    if split is not None and not isinstance(split, dict):
        raise _sweep_error(d, f"summary.json: 'dataset.split' is {repr(split)[:40]} (expected an object)")
    settings = summary.get("settings")
    if settings is not None and not (isinstance(settings, list) and all(isinstance(x, dict) for x in settings)):
        raise _sweep_error(d, f"summary.json: 'settings' is {repr(settings)[:40]} (expected a list of objects)")
    for label, ttt in (summary.get("time_to_target") or {}).items():
        targets = ttt.get("targets") if isinstance(ttt, dict) else None
        if not (isinstance(targets, dict) and all(isinstance(x, dict) for x in targets.values())):
            raise _sweep_error(d, f"summary.json: time_to_target[{label!r}] is {repr(ttt)[:40]} (expected an object "
                                  "with 'targets', an object per target)")
    for key in ("sensitivity", "defaults_vs_tuned", "tuned"):
        if key not in summary:
            raise _sweep_error(d, f"summary.json has no '{key}' (a table per setting)")
        if not isinstance(summary[key], dict):
            raise _sweep_error(d, f"summary.json: '{key}' is {repr(summary[key])[:40]} (expected an object)")
    if summary.get("n_runs") is not None and not (isinstance(summary["n_runs"], int) and summary["n_runs"] >= 0
                                                  and not isinstance(summary["n_runs"], bool)):
        raise _sweep_error(d, f"summary.json: 'n_runs' is {summary['n_runs']!r} (expected a count)")
    for label, sens in summary["sensitivity"].items():
        where = f"summary.json: sensitivity[{label!r}]"
        if not isinstance(sens, dict):
            raise _sweep_error(d, f"{where} is {repr(sens)[:40]} (expected an object)")
        lrs = sens.get("lrs")
        if not isinstance(lrs, list) or not lrs or not all(_number(x) and x > 0 for x in lrs):
            raise _sweep_error(d, f"{where}: lrs is {repr(lrs)[:40]} (expected a non-empty list of positive numbers)")
        for key in ("mean", "lo", "hi"):
            v = sens.get(key)
            if not isinstance(v, list) or len(v) != len(lrs) or not all(_number(x, True) for x in v):
                raise _sweep_error(d, f"{where}: {key} is {repr(v)[:40]} (expected {len(lrs)} numbers or nulls, "
                                      "one per lr)")
    for label, lr in summary["tuned"].items():
        if not (_number(lr, True) and (lr is None or lr > 0)):
            raise _sweep_error(d, f"summary.json: tuned[{label!r}] is {lr!r} (expected a positive lr or null)")
    for label, dvt in summary["defaults_vs_tuned"].items():
        if not isinstance(dvt, dict):
            raise _sweep_error(d, f"summary.json: defaults_vs_tuned[{label!r}] is {repr(dvt)[:40]} (expected an object)")
        for key in DVT_NUMBERS:
            v = dvt.get(key)
            if not _number(v, True):
                raise _sweep_error(d, f"summary.json: defaults_vs_tuned[{label!r}].{key} is {repr(v)[:40]} "
                                      "(expected a number or null)")
        for key in ("tuned_test_by_seed", "default_test_by_seed"):
            per_seed = dvt.get(key)
            if per_seed is not None and not (isinstance(per_seed, dict) and all(
                    isinstance(k, str) and k.isdigit() and _number(v, True) for k, v in per_seed.items())):
                raise _sweep_error(d, f"summary.json: defaults_vs_tuned[{label!r}].{key} is {repr(per_seed)[:40]} "
                                      "(expected seeds mapped to numbers or nulls)")


def _read_table(d: Path, n_runs: int | None) -> list[dict[str, str]]:
    """table.csv as dicts, every row with all the header's fields and a numeric lr."""
    path = d / "table.csv"
    if not path.exists() and not n_runs:
        return []
    rows = []
    for line, row in csv_records(path, TABLE_COLUMNS, empty_ok=not n_runs):
        try:
            float(row["lr"])
        except ValueError:
            raise FileFormatError(f"table.csv line {line}: lr {row['lr']!r} is not a number") from None
        rows.append(row)
    if n_runs is not None and len(rows) != n_runs:
        raise FileFormatError(f"table.csv has {len(rows)} rows but summary.json lists {n_runs} runs "
                              "(truncated or edited?)")
    return rows


# -- conclusions ---------------------------------------------------------------------------------------------

def _a(x: float | None) -> str:
    return "—" if x is None or not math.isfinite(x) else f"{x:.3f}"


def _lr(x: float | None) -> str:
    return f"{float(x):.3g}" if _number(x) else "—"


def _arr(xs) -> np.ndarray:
    return np.array([math.nan if v is None else float(v) for v in xs], dtype=float)


def _best_tuned(summary, lang) -> dict[str, Any] | None:
    never = _never_learned(summary, fresh=True)
    dvt = {k: d for k, d in summary["defaults_vs_tuned"].items()
           if d.get("tuned_test_acc") is not None and not _every_run(d, "tuned_not_ok") and k not in never}
    if not dvt or not set(summary["sensitivity"]) - _never_learned(summary):
        return None              # none learned, or every tuned lr was chosen at chance: no "best after tuning"
    ranked = sorted(dvt, key=lambda k: -dvt[k]["tuned_test_acc"])
    best, d = ranked[0], dvt[ranked[0]]
    # out of the ranking for diverging on every fresh seed at its tuned lr: a result, said (it was left out silently)
    unstable = [k for k, e in summary["defaults_vs_tuned"].items() if k not in never and _every_run(e, "tuned_not_ok")]
    facts = dict(best=best, accuracy=d["tuned_test_acc"], lr=d["tuned_lr"], ranking=ranked, not_ranked=unstable)
    if len(ranked) == 1:
        others = set(summary["defaults_vs_tuned"]) - {best}
        # SGD swept but never learned: "the only one that learned"; left out for failing at its tuned lr: "ranked"
        only = "best only" if not others else "best only learned" if others <= never else "best only ranked"
        return _conclusion("best_tuned", st(only, lang, label=best, acc=_a(d["tuned_test_acc"]),
                                            lr=_lr(d['tuned_lr'])), runner_up=None, exceeds_ci=None, **facts)
    left_out = st("best left out", lang, labels=st("list sep", lang).join(unstable)) if unstable else ""
    runner, r = ranked[1], dvt[ranked[1]]
    margin = d["tuned_test_acc"] - r["tuned_test_acc"]
    n_fresh = min(int(d.get("n_test_seeds") or 0), int(r.get("n_test_seeds") or 0))
    few = "best few" if 0 < n_fresh < MIN_SEEDS_TO_SETTLE else "best"     # as the tables: no interval from 2 seeds
    shown = _shown_difference(d["tuned_test_acc"], r["tuned_test_acc"])     # as the reader computes it from the text
    level = not shown > 0           # "0.000 ahead of Adam" (a novice's review): level at the precision shown, and no
    few += " level" if level else ""    # margin to weigh against the spread (as a comparison's report says it)
    text = st(few, lang, n=n_fresh, k=MIN_SEEDS_TO_SETTLE, label=best, acc=_a(d["tuned_test_acc"]), lo=_a(d.get("tuned_lo")),
              hi=_a(d.get("tuned_hi")), lr=_lr(d['tuned_lr']), margin=f"{shown:.3f}", runner=runner,
              runner_acc=_a(r["tuned_test_acc"]), runner_lo=_a(r.get("tuned_lo")), runner_hi=_a(r.get("tuned_hi")))
    step = accuracy_step(summary)
    pair = _paired_tuned(d, r, step=step)
    if pair is not None:            # the fresh seeds are shared: judge the lead seed by seed
        exceeds = bool(pair["significant"]) if pair["n"] >= MIN_SEEDS_TO_SETTLE else None
        # the top two were picked from all: Holm over every pair compared over enough seeds, as the console does;
        # (best, runner) is the first pair of the ranking
        named = [(a, b, q) for a, b in combinations(ranked, 2)
                 if (q := _paired_tuned(dvt[a], dvt[b], step=step)) is not None]
        pairs = [q for _, _, q in named]
        k = sum(q["n"] >= MIN_SEEDS_TO_SETTLE for q in pairs)
        unadjusted = exceeds
        level_with, too_few = [], []
        if exceeds is not None:
            verdicts = holm_settled(pairs)
            exceeds = verdicts[0]
            # a lead over every other setting, not only the runner-up by mean (a statistics review); one compared over
            # too few seeds, or without per-seed values, is not settled either, and said so (a code review)
            judged = {b: (q["n"] >= MIN_SEEDS_TO_SETTLE, v) for (a, b, q), v in zip(named, verdicts) if a == best}
            others = list(ranked[2:]) if exceeds else []
            level_with = [g for g in others if judged.get(g, (False, False)) == (True, False)]
            too_few = [g for g in others if not judged.get(g, (False, False))[0]]
        # the interval's ends, not "+0.008 ± 2.059" after "0.009 ahead" (the rounded means' difference) in one
        # sentence (a researcher's review)
        lo, hi = pair["mean_diff"] - pair["ci95"], pair["mean_diff"] + pair["ci95"]
        values = dict(n=pair["n"], wins=pair["a_wins"], lo=signed_bound(max(lo, -1.0)), hi=signed_bound(min(hi, 1.0)),
                      k=k)          # cut to [-1, 1] as the table's gains are, and said (a code review)
        if exceeds is None:
            spread = st("best ci none" if pair["n"] < 2 else "best paired few", lang, n=pair["n"])
        else:
            spread = st("best paired yes" if exceeds else "best paired holm" if unadjusted else "best paired no", lang,
                        **values)
            for key, which in (("best others level", level_with), ("best others few", too_few)):
                if which:
                    spread += st(key, lang, k=k, n=MIN_SEEDS_TO_SETTLE, runs=st("list sep", lang).join(
                        f"{g} ({_a(dvt[g]['tuned_test_acc'])})" for g in which))
            if level_with or too_few:
                exceeds = False
                facts.update(not_settled_against=[g for g in ranked if g in level_with or g in too_few])
            elif exceeds and k > 1:
                spread += st("best holm kept", lang, k=k)
            spread += st("paired cut", lang) if lo < -1.0 or hi > 1.0 else ""
        facts.update(paired_difference=pair["mean_diff"], paired_ci95=pair["ci95"], paired_n=pair["n"],
                     paired_wins=pair["a_wins"])
    elif min(int(d.get("n_test_seeds") or 0), int(r.get("n_test_seeds") or 0)) < MIN_SEEDS_TO_SETTLE \
            or d.get("tuned_lo") is None or r.get("tuned_hi") is None:
        exceeds = None
        spread = st("best ci none", lang)
    else:                           # a summary written before the per-seed values were kept
        exceeds = bool(d["tuned_lo"] > r["tuned_hi"])
        spread = st("best ci yes" if exceeds else "best ci no", lang)
    text += "" if level else spread     # level: no margin to weigh against the spread
    # every other setting level with the two at the precision shown is named too (as a comparison's report names
    # them: a researcher's review found three runs level and two named)
    more = [g for g in ranked[2:] if _shown_difference(d["tuned_test_acc"], dvt[g]["tuned_test_acc"]) <= 0] \
        if level else []
    if more:
        text += st("best level more", lang, items=st("list sep", lang).join(
            st("best level item", lang, label=g, acc=_a(dvt[g]["tuned_test_acc"]), lr=_lr(dvt[g]["tuned_lr"]))
            for g in more))
        facts.update(level_with=more)
    return _conclusion("best_tuned", text + left_out, runner_up=runner, runner_up_accuracy=r["tuned_test_acc"], margin=margin,
                       exceeds_ci=None if level else exceeds, level=level, **facts)


def _every_run(d: dict[str, Any], count: str) -> bool:
    """Whether ``d[count]`` (e.g. ``tuned_not_ok``: diverged or failed; ``default_failed``: raised) covers every
    fresh-seed run of the setting."""
    n = int(d.get("n_test_seeds") or 0)
    return n > 0 and int(d.get(count) or 0) >= n


def _paired_tuned(d: dict[str, Any], r: dict[str, Any], a_key: str = "tuned_test_by_seed",
                  b_key: str = "tuned_test_by_seed", step: float = 0.0) -> dict[str, Any] | None:
    """:func:`optimlab.results.stats.paired` of two settings' test accuracies at their tuned lrs, seed by seed
    (None when the summary does not hold them per seed); ``a_key``/``b_key``: ``default_test_by_seed`` for one
    setting's tuned lr against its note lr (the same fresh seeds); ``step``: :func:`~optimlab.results.stats.paired`'s."""
    return paired_by_seed(d.get(a_key), r.get(b_key), step)          # checked by load_sweep


def _never_learned(summary, fresh: bool = False) -> set[str]:
    """Settings whose best mean validation accuracy at every grid lr is at most :func:`learned_floor` (chance
    and a margin): their 'tuned' lr is noise, so their gain or grid edge says nothing. ``fresh``: only those whose test
    accuracy on the fresh seeds (tuned and note lr) is at most that too — what may be called a setting that never
    learned (one at the edge of learning can stay at chance on the tuning seeds and learn on the fresh ones)."""
    dvt = summary.get("defaults_vs_tuned") or {}
    return {k for k, sens in (summary.get("sensitivity") or {}).items()
            if not above_chance(lr_tolerance(sens)["best"], summary)
            and not (fresh and any(above_chance((dvt.get(k) or {}).get(f), summary)
                                   for f in ("tuned_test_acc", "default_test_acc")))}


def _tuning_gain(summary, lang) -> dict[str, Any] | None:
    never = _never_learned(summary)
    gains = {k: d["gain"] for k, d in summary["defaults_vs_tuned"].items()    # diverged is a result; failed is not
             if d.get("gain") is not None and not (_every_run(d, "tuned_failed") or _every_run(d, "default_failed"))
             and k not in never and not none_learned_at_either(d)}
    if not gains:
        return None
    top = max(gains, key=lambda k: gains[k])
    shown = signed(gains[top])
    tied = [k for k in gains if signed(gains[k]) == shown]      # the same gain as shown: no one is "largest"
    d = summary["defaults_vs_tuned"][top]
    sep = st("list sep", lang)
    others = sep.join(f"{k} {signed(gains[k])}" for k in gains if k not in tied)
    small = gains[top] < SMALL_GAIN
    # a largest gain of 0 or less: tuning did not help on the fresh seeds ("gained little: +0.000" hid that, and a
    # negative one is a loss, not a small gain)
    key = "gain none" if gains[top] <= 0 else "gain small" if small else "gain tied" if len(tied) > 1 else "gain"
    if all(summary["defaults_vs_tuned"][k].get("tuned_lr") == summary["defaults_vs_tuned"][k].get("default_lr")
           and gains[k] == 0 for k in gains):      # every gain 0 by construction (the same runs), not measured
        key, tied, others = "gain all note", list(gains), ""
    text = st(key, lang, label=sep.join(tied), gain=shown, default=_a(d.get("default_test_acc")),
              default_lr=_note_lr(d, d['default_lr'], lang), tuned=_a(d.get("tuned_test_acc")),
              tuned_lr=_lr(d['tuned_lr']))
    text += st("gain others", lang, others=others) if others else ""
    skipped = [k for k in summary["defaults_vs_tuned"] if k in never]
    text += st("gain not counted", lang, labels=sep.join(skipped)) if skipped else ""
    # the tuned and the note lr trained on the same fresh seeds: each gain judged seed by seed, the largest after
    # Holm's correction over every gain tested (it was picked as the largest of them)
    dvt = summary["defaults_vs_tuned"]
    tests = {k: _paired_tuned(dvt[k], dvt[k], "tuned_test_by_seed", "default_test_by_seed", accuracy_step(summary))
             for k in gains if dvt[k].get("tuned_lr") != dvt[k].get("default_lr")}
    tests = {k: t for k, t in tests.items() if t is not None}
    pair = tests.get(top) if len(tied) == 1 and not small else None
    if pair is not None and pair["n"] >= 2:
        lo, hi = max(-1.0, pair["mean_diff"] - pair["ci95"]), min(1.0, pair["mean_diff"] + pair["ci95"])
        kept = dict(zip(tests, holm_settled(list(tests.values()))))[top]
        key = "gain few" if pair["n"] < MIN_SEEDS_TO_SETTLE else "gain spread yes" if kept else \
            "gain spread holm" if pair["significant"] else "gain spread no"
        k = sum(t["n"] >= MIN_SEEDS_TO_SETTLE for t in tests.values())
        text += st(key, lang, n=pair["n"], lo=signed_bound(lo), hi=signed_bound(hi), k=k)
        text += st("gain holm kept", lang, k=k) if kept and k > 1 else ""
    return _conclusion("tuning_gain", text, largest=top, tied=tied, gain=gains[top], gains=gains, small=small,
                       paired=pair)


def lr_tolerance(sens: dict[str, Any], tol: float = TOLERANCE) -> dict[str, Any]:
    """How tolerant one setting is to the lr: the grid lrs whose mean validation accuracy is within ``tol`` of
    its own best, their count and the span from the smallest to the largest in decades."""
    lrs, mean = np.asarray(sens["lrs"], dtype=float), _arr(sens["mean"])
    ok = np.isfinite(mean)
    if not ok.any():
        return {"best": math.nan, "count": 0, "n": len(lrs), "lrs": [], "decades": 0.0}
    best = float(np.nanmax(mean))
    within = lrs[ok & (np.nan_to_num(mean, nan=-1.0) >= best - tol - 1e-12)]
    return {"best": best, "count": int(len(within)), "n": len(lrs), "lrs": [float(x) for x in within],
            "decades": float(np.log10(within.max() / within.min())) if len(within) else 0.0}


def _span(t: dict[str, Any], lang: str) -> str:
    if not t["lrs"]:
        return "—"
    lo, hi = min(t["lrs"]), max(t["lrs"])
    decades = f"{t['decades']:.1f}".removesuffix(".0")       # "1 decade", "1.5 decades" (1.0 桁 read oddly)
    return (st("span one", lang, lo=_lr(lo)) if lo == hi
            else st("span", lang, lo=_lr(lo), hi=_lr(hi), decades=decades, s="" if decades == "1" else "s"))


def _sensitivity(summary, lang, tol: float = TOLERANCE) -> dict[str, Any] | None:
    sens = summary["sensitivity"]
    if not sens:
        return None
    floor = learned_floor(summary)
    tols = {k: lr_tolerance(s, tol) for k, s in sens.items()}
    # ranked: the settings that learned on the validation split (a flat curve at chance tolerates every lr);
    # said never to learn: those that did not on the fresh seeds either — one that learned there is neither
    flat, never = _never_learned(summary), _never_learned(summary, fresh=True)
    learned = [k for k in sens if k not in flat]
    not_learned = [k for k in sens if k in never]
    facts = dict(tolerance=tol, learned_floor=floor, counts={k: t["count"] for k, t in tols.items()},
                 spans={k: t["decades"] for k, t in tols.items()}, not_learned=not_learned)
    definition = st("sensitivity def", lang, tol=f"{tol:g}")
    n_val = (summary.get("dataset") or {}).get("n_val")
    if isinstance(n_val, int) and n_val > 0 and learned:
        # a researcher's review: "Adam within 0.05 at 3 of 5 lrs" counted an lr just inside the line; the counts are
        # said where one validation example on one tuning seed, which moves a mean by 1/(n_val·seeds), could move them
        seeds = max(len((summary.get("grid") or {}).get("seeds") or []), 1)      # every setting's tuning seeds
        step = 1 / (n_val * seeds)
        near = [(k, lr) for k in learned for lr, m in zip(sens[k]["lrs"], _arr(sens[k]["mean"]))
                if np.isfinite(m) and abs(m - (tols[k]["best"] - tol)) < step]
        facts["near_cut"] = [[k, float(lr)] for k, lr in near]
        if near:
            definition += st("near cut", lang, n_val=f"{n_val:,}", seeds=seeds, step=f"{step:.2g}",
                             items=st("list sep", lang).join(st("near item", lang, label=k, lr=_lr(lr))
                                                             for k, lr in near))
    if not learned:
        return _conclusion("lr_sensitivity", definition + st("none learned", lang, floor=accuracy_text(floor)),
                           least_sensitive=None, rmsprop_claim=None, **facts)
    # most tolerated lrs, then the wider span; settings equal in both are tied (the best accuracy orders them in the
    # list only: it is not sensitivity, and named one of two alike "least sensitive")
    ranked = sorted(learned, key=lambda k: (-tols[k]["count"], -round(tols[k]["decades"], 2), -tols[k]["best"]))
    least = ranked[0]
    t = tols[least]
    least_tied = [k for k in ranked[1:] if tols[k]["count"] == t["count"]]     # as RMSProp's tie: by count
    facts["least_tied_with"] = least_tied
    rms = [k for k in sens if sens[k].get("optimizer") == "rmsprop"]
    rms_learned = [k for k in ranked if k in rms]

    def tail(named: set[str]) -> str:
        rest = [k for k in ranked if k not in named]
        sep = st("list sep", lang)
        out = st("others counts", lang, counts=sep.join(f"{k} {tols[k]['count']}/{tols[k]['n']}" for k in rest)) \
            if rest else ""
        if not_learned:
            out += st("not learned", lang, floor=accuracy_text(floor), labels=sep.join(not_learned))
        fresh_only = [k for k in sens if k in flat and k not in never]    # neither ranked nor 'did not learn'
        if fresh_only:
            out += st("learned fresh only", lang, floor=accuracy_text(floor), labels=sep.join(fresh_only))
        return out

    common = dict(tol=f"{tol:g}", n=t["n"], label=least, count=t["count"], span=_span(t, lang))
    common["labels"] = st("list sep", lang).join([least, *least_tied])
    # one: least of none; at most their best lr each: none is "least sensitive" (a Japanese student's review: "least
    # sensitive: Adam, SGD (tied), each within 0.05 at 1 of 4 lrs", the most sensitive a setting can be)
    common["least"] = st("least only" if len(learned) == 1 else "least none" if t["count"] <= 1 else
                         "least tied" if least_tied else "least", lang, **common)
    named = {least, *least_tied}        # named in the sentence: not among the others
    if not rms:
        claim, text = None, st("rmsprop absent", lang, others=tail(named), **common)
    elif not rms_learned:
        claim = None
        text = st("rmsprop no learn", lang, rms=rms[0], rms_best=_a(tols[rms[0]]["best"]), others=tail(named),
                  **common)
    else:
        r = rms_learned[0]
        n_r = tols[r]["count"]
        tied = [k for k in ranked if k not in rms and tols[k]["count"] == n_r] if n_r >= t["count"] else []
        facts["rmsprop_tied_with"] = tied
        # holds: RMSProp tolerates more lrs than any other setting that learned; a tie at the top singles out none
        claim = None if tied else n_r >= t["count"]
        key = "rmsprop tied" if tied else "rmsprop holds" if claim else \
            "rmsprop fails tied" if least_tied else "rmsprop fails"
        text = st(key, lang, rms=r, rms_n=n_r, rms_span=_span(tols[r], lang), tied=st("list sep", lang).join(tied),
                  others=tail({r, *tied} if tied else {r} if claim else {r, *named}), **common)
    return _conclusion("lr_sensitivity", definition + text, least_sensitive=least if t["count"] > 1 or len(learned) == 1
                       else None, rmsprop_claim=claim, **facts)


def _grid_edges(summary, lang) -> list[dict[str, Any]]:
    """A tuned lr at the grid's edge (said only for settings that learned: a never-learned setting's tuned lr is
    noise, and it is named as not learning), and a note's lr outside the grid (tuning could not choose it)."""
    out = []
    never = _never_learned(summary)
    for label, d in summary["defaults_vs_tuned"].items():
        lrs = (summary["sensitivity"].get(label) or {}).get("lrs") or (summary.get("grid") or {}).get("lrs") or []
        if not lrs:
            continue
        note = d.get("default_lr")
        if isinstance(note, (int, float)) and not (min(lrs) * (1 - 1e-9) <= note <= max(lrs) * (1 + 1e-9)):
            out.append(_conclusion("note_lr_outside", st("note lr outside", lang, label=label,
                                                         lr=_note_lr(d, note, lang),
                                                         lo=_lr(min(lrs)), hi=_lr(max(lrs))),
                                   label=label, lr=float(note)))
        if len(lrs) < 2 or d.get("tuned_lr") is None or label in never:
            continue
        lr = float(d["tuned_lr"])
        side = "low" if math.isclose(lr, min(lrs)) else "high" if math.isclose(lr, max(lrs)) else None
        if side:
            out.append(_conclusion("grid_edge", st(f"edge {side}", lang, label=label, lr=_lr(lr)),
                                   label=label, lr=lr, side=side))
    return out


def _diverged(summary, lang) -> dict[str, Any] | None:
    where = []
    total = 0
    for label, s in summary["sensitivity"].items():
        bad = [(lr, int(n)) for lr, n in zip(s["lrs"], s.get("not_ok") or []) if n]
        if bad:
            total += sum(n for _, n in bad)
            lrs = st("list sep", lang).join(st("diverged lr", lang, lr=_lr(lr), n=n) for lr, n in bad)
            where.append(st("diverged where", lang, label=label, lrs=lrs))
    if not total:
        return None
    return _conclusion("not_ok", st("diverged", lang, n=total, where=st("diverged sep", lang).join(where)), n=total)


def _tuned_is_note(d: dict[str, Any]) -> bool:
    """Whether a setting's tuned lr is the note's: its tuned and its note runs are then the same runs (counted
    once)."""
    return _number(d.get("tuned_lr")) and d.get("tuned_lr") == d.get("default_lr")


def _fresh_diverged(summary, lang) -> dict[str, Any] | None:
    """Runs on the fresh seeds that diverged or failed, each counted as 0 in its setting's test accuracy (a tuned lr
    that is unstable on new seeds is a result; it showed as a count in one table cell only)."""
    where, total = [], 0
    for label, d in summary["defaults_vs_tuned"].items():
        n = int(d.get("n_test_seeds") or 0)
        same = _tuned_is_note(d)
        for which in ("tuned",) if same else ("tuned", "default"):
            k = int(d.get(f"{which}_not_ok") or 0)
            if k:
                total += k
                lr = d.get(f"{which}_lr")
                where.append(st(f"fresh diverged {'both' if same else which}", lang, label=label, k=k, n=n,
                                lr=_lr(lr) if which == "tuned" and not same else _note_lr(d, lr, lang)))
    if not total:
        return None
    return _conclusion("fresh_not_ok", st("fresh diverged", lang, n=total, where=st("diverged sep", lang).join(where)),
                       n=total)


def _fresh_at_chance(summary, lang) -> dict[str, Any] | None:
    """Settings whose tuned lr learned on the validation split but stayed at chance on some fresh seeds (without
    diverging: :func:`~optimlab.experiment.sweep.stalled`) — the lr chosen does not learn from every start, and its
    mean mixes runs that learned with runs that did not (a statistics review: the report gave only that mean)."""
    where, counts = [], {}
    for label, d in summary["defaults_vs_tuned"].items():
        k = stalled(d, summary)
        if k:
            counts[label] = k
            where.append(st("stalled one", lang, label=label, lr=_lr(d.get("tuned_lr")), k=k,
                            n=int(d.get("n_test_seeds") or 0), val=_a(d.get("tuned_val_acc"))))
    if not where:
        return None
    return _conclusion("fresh_at_chance", st("stalled", lang, where=st("diverged sep", lang).join(where),
                                             floor=accuracy_text(learned_floor(summary)),
                                             margin=f"{learned_margin(summary):.3g}"), stalled=counts)


def _note_lr_ahead(summary, lang) -> dict[str, Any] | None:
    """A setting at the note's lr whose mean test accuracy on the fresh seeds is above every setting's at its tuned
    lr: tuning on the validation split did not find the best lr there (said, where the report named only the best
    after tuning; a statistics review)."""
    dvt = summary["defaults_vs_tuned"]
    tuned = [d["tuned_test_acc"] for d in dvt.values() if _number(d.get("tuned_test_acc"))]
    note = [(d["default_test_acc"], label) for label, d in dvt.items()
            if _number(d.get("default_test_acc")) and not _tuned_is_note(d) and above_chance(d["default_test_acc"], summary)]
    if not tuned or not note:
        return None
    acc, label = max(note)
    if not _shown_difference(acc, max(tuned)) > 0:        # above at the precision the sentence shows (a code review:
        return None                                      # 0.9002 against 0.9000 read "0.900 … is above … 0.900")
    d = dvt[label]
    lo, hi = shown_interval(d, "default")[1:]
    interval = "" if lo is None or hi is None else f" [{_a(lo)}, {_a(hi)}]"
    return _conclusion("note_lr_ahead", st("note lr ahead", lang, label=label, lr=_note_lr(d, d["default_lr"], lang),
                                           acc=_a(acc) + interval, best=_a(max(tuned))),
                       setting=label, accuracy=acc, best_tuned_accuracy=max(tuned))


def compute_sweep_conclusions(sweep: SweepDir | dict[str, Any] | str | os.PathLike,
                              lang: str = "en") -> list[dict[str, Any]]:
    """Facts read off a sweep's ``summary.json``, each ``{"kind", "text", "facts"}``.

    Kinds: ``best_tuned`` (highest mean test accuracy at the tuned lr on the fresh seeds; ``exceeds_ci`` when its
    paired difference from the runner-up, seed by seed, stays significant after Holm's correction over every pair
    compared (in summaries without per-seed values: when its 95 % CI lies above the runner-up's); ``level`` when the
    two accuracies are the same as shown, three decimals, and then ``exceeds_ci`` None), ``tuning_gain`` (largest test-accuracy gain of the tuned lr over the
    note's default, among settings that learned at some lr), ``lr_sensitivity`` (per setting, the count of grid lrs within :data:`TOLERANCE` of its own
    best mean validation accuracy, among settings that learned; ``least_sensitive`` the first by that count, then by
    best accuracy, with ``least_tied_with`` the settings of the same count; ``rmsprop_claim`` True when RMSProp tolerates more lrs
    than any other, False when fewer than some, None when tied at the top (``rmsprop_tied_with``), absent or
    it did not learn), ``grid_edge``
    (a tuned lr at the smallest or largest grid lr, for settings that learned), ``note_lr_outside`` (a note's lr
    outside the grid), ``not_ok`` (diverged or failed tuning runs), ``fresh_not_ok`` (diverged or failed runs on the
    fresh seeds, each counted as 0 in a test accuracy), ``fresh_at_chance`` (a tuned lr that learned on the validation
    split, with fresh-seed runs that ended at chance without diverging), ``note_lr_ahead`` (a setting's note lr with a
    higher mean test accuracy than every setting's tuned lr), ``small_validation`` (fewer than 1,000 validation
    examples), ``one_evaluation`` (every run evaluated once, at its end).
    """
    check_lang(lang)
    summary = (sweep.summary if isinstance(sweep, SweepDir) else sweep if isinstance(sweep, dict)
               else load_sweep(sweep).summary)
    out = [c for c in (_best_tuned(summary, lang), _fresh_at_chance(summary, lang), _note_lr_ahead(summary, lang),
                       _tuning_gain(summary, lang), _sensitivity(summary, lang)) if c is not None]
    out += _grid_edges(summary, lang)
    return out + [c for c in (_diverged(summary, lang), _fresh_diverged(summary, lang),
                              _small_validation(summary, lang), _one_evaluation(summary, lang)) if c is not None]


def _one_evaluation(summary: dict[str, Any], lang: str) -> dict[str, Any] | None:
    """Every run evaluated once, at its end (an interval not shorter than the run), as the console's note says and
    compare's report says it (a review: the sweep's page drew one-point curves without a word)."""
    train = (summary.get("grid") or {}).get("train") or {}
    iters, every = train.get("iters"), train.get("eval_interval")
    if not evaluated_once(iters, every):
        return None
    return _conclusion("one_evaluation", st("one evaluation", lang, iters=iters, every=every), iters=iters,
                       eval_interval=every)


def _small_validation(summary: dict[str, Any], lang: str) -> dict[str, Any] | None:
    """A validation split of few examples (:func:`optimlab.results.stats.small_set`), said as the console says it:
    how much one example is worth and the largest sampling error of an accuracy on it (a researcher's lrs were chosen
    on 38)."""
    n_val = (summary.get("dataset") or {}).get("n_val")
    if not small_set(n_val):
        return None
    step, half = 1 / n_val, sampling_error(0.5, n_val)
    return _conclusion("small_validation", st("small validation", lang, n_val=n_val, step=f"{step:.2g}",
                                              half=f"{half:.2g}"), n_val=n_val, step=step, half_width=half)


# -- charts -----------------------------------------------------------------------------------------------------

def _colors(summary) -> dict[str, str]:
    """Each setting's colour, by its optimizer (as in optimlab compare and the sensitivity PNG)."""
    return sweep_colors(summary)


def _counted(**counts: int) -> dict[str, Any]:
    """``counts`` with the English plural's ``s_<name>`` ("1 test seed", "3 test seeds": a review found "1 seeds")."""
    return {**counts, **{f"s_{k}": "" if n == 1 else "s" for k, n in counts.items()}}


def sensitivity_chart(summary: dict[str, Any], lang: str) -> dict[str, Any]:
    """One legend group per setting: the 95 % band, the mean line and a ring at the tuned lr."""
    traces = []
    colors = _colors(summary)
    dashes, symbols = styles_by_label(colors, RUN_DASHES), styles_by_label(colors, RUN_SYMBOLS)
    never = _never_learned(summary)          # at chance at every lr: no ring at a 'tuned' lr that is noise
    for i, (label, s) in enumerate(summary["sensitivity"].items()):
        lrs = [float(x) for x in s["lrs"]]
        mean, lo, hi = _arr(s["mean"]), _arr(s["lo"]), _arr(s["hi"])
        lo, hi = np.clip(lo, 0.0, 1.0), np.clip(hi, 0.0, 1.0)
        group, name, color = f"s{i}", _plotly_text(setting_text(label, lang)), colors[label]
        if int(s.get("n_seeds") or 1) >= MIN_SEEDS_TO_SETTLE:     # as the PNG: with 2 seeds a band fills the axes
            traces.append({"type": "scatter", "mode": "lines", "x": lrs + lrs[::-1],
                           "y": _values(hi) + _values(lo[::-1]), "fill": "toself", "fillcolor": _rgba(color, 0.15),
                           "line": {"width": 0}, "hoverinfo": "skip", "legendgroup": group, "showlegend": False,
                           "name": name})
        banded = int(s.get("n_seeds") or 1) >= MIN_SEEDS_TO_SETTLE      # the hover's interval too: none with 2
        traces.append({"type": "scatter", "mode": "lines+markers", "x": lrs, "y": _values(mean), "name": name,
                       "legendgroup": group, "line": {"color": color, "width": 2, "dash": dashes[label]},
                       "marker": {"size": 7, "symbol": symbols[label]},
                       "customdata": [[a, b] for a, b in zip(_values(lo), _values(hi))],
                       "hovertemplate": st("lr", lang) + " %{x:.3~g}" + st("colon", lang) + "%{y:.4f}"
                                        + (" [%{customdata[0]:.3f}, %{customdata[1]:.3f}]" if banded else "")})
        tuned = summary["tuned"].get(label)
        if tuned is not None and lrs and label not in never:
            j = int(np.argmin(np.abs(np.log(lrs) - math.log(float(tuned)))))
            traces.append({"type": "scatter", "mode": "markers", "x": [lrs[j]], "y": _values([mean[j]]),
                           "legendgroup": group, "showlegend": False, "name": name, "hoverinfo": "skip",
                           "marker": {"size": 15, "color": "rgba(0,0,0,0)", "line": {"color": color, "width": 2}}})
    n = max((int(s.get("n_seeds") or 1) for s in summary["sensitivity"].values()), default=1)
    seeds = st("seeds", lang).removesuffix("s" if lang == "en" and n == 1 else "")          # "1 seed", "3 seeds"
    title = st("lr sensitivity", lang) + (f"（{n} {seeds}）" if lang == "ja" else f" ({n} {seeds})")
    return {"data": traces, "layout": _layout(title, st("learning rate", lang), st("final val accuracy", lang),
                                              lang, xaxis=LOG_AXIS,
                                              yaxis={"range": [0, ACC_TOP]}, hovermode="closest", height=460)}


def _tuned_runs(sweep: SweepDir, label: str) -> list[dict[str, str]]:
    """The table.csv rows of the tuning runs of ``label`` at its tuned lr (matched on optimizer and architecture)."""
    setting = next((s for s in sweep.summary.get("settings") or [] if s.get("label") == label), None)
    tuned = sweep.summary["tuned"].get(label)
    if setting is None or tuned is None:
        return []
    ids = []
    for r in sweep.table:
        try:
            same_lr = math.isclose(float(r["lr"]), float(tuned), rel_tol=1e-6)
        except (KeyError, ValueError):
            continue
        if (r.get("stage") == "tune" and r.get("optimizer") == setting["optimizer"] and same_lr
                and r.get("batchnorm") == str(setting.get("batchnorm")) and r.get("activation") == setting.get("activation")
                and r.get("init") == str(setting.get("init"))):
            ids.append(r)
    return ids


def _val_curve(path: Path, row: dict[str, str], iters: Any = None) -> tuple[list[int], list[float]]:
    """The validation-accuracy curve of one run's metrics.csv; a malformed file is a one-line error, and so is one
    that ends before ``iters`` (the sweep's; every run is evaluated at its last iteration) or whose last validation
    accuracy is not table.csv's ``final_val_acc`` for the run (cut at a line end: the curve ended early without a
    word, a review)."""
    accepted = "(accepted: the metrics.csv optimlab sweep writes: run,iteration,metric,value)"
    try:
        h = next(iter(read_metrics(path).values()), None)
    except FileFormatError as e:
        raise OptimlabError(f"cannot read sweep run {str(path.parent)!r}: {e} {accepted}") from None
    x, y = (list(h.eval_iters), list(h.extra.get("val_acc", []))) if h is not None else ([], [])
    try:
        final = float(row.get("final_val_acc") or "nan")
    except ValueError:
        final = math.nan
    if y and len(y) != len(x):
        raise OptimlabError(f"cannot read sweep run {str(path.parent)!r}: metrics.csv has {len(y)} validation "
                            f"accuracies for {len(x)} evaluations (cut short?) {accepted}")
    if y and isinstance(iters, int) and x[-1] != iters:
        raise OptimlabError(f"cannot read sweep run {str(path.parent)!r}: metrics.csv ends at iteration {x[-1]}, the "
                            f"sweep trained {iters} (cut short?) {accepted}")
    if y and math.isfinite(final) and math.isfinite(y[-1]) and not math.isclose(y[-1], final, abs_tol=1e-6):
        raise OptimlabError(f"cannot read sweep run {str(path.parent)!r}: metrics.csv ends at iteration {x[-1]} with "
                            f"validation accuracy {y[-1]:.4f}, table.csv's final_val_acc is {final:.4f} (cut "
                            f"short?) {accepted}")
    return x, y


FEW_POINTS = 12      # a curve of this many evaluations or fewer marks each: two points joined look like a measured line


def curves_chart(sweep: SweepDir, lang: str) -> dict[str, Any] | None:
    """Mean validation accuracy over the tuning seeds at each setting's tuned lr, from ``<run>/metrics.csv``."""
    traces = []
    colors = _colors(sweep.summary)
    dashes, symbols = styles_by_label(colors, RUN_DASHES), styles_by_label(colors, RUN_SYMBOLS)
    for i, label in enumerate(sweep.summary["sensitivity"]):
        curves = []
        for row in _tuned_runs(sweep, label):
            p = sweep.directory / Path(row["run_id"]).name / "metrics.csv"
            if p.is_file():
                x, y = _val_curve(p, row, ((sweep.summary.get("grid") or {}).get("train") or {}).get("iters"))
                if y:
                    curves.append((x, y))
        if not curves:
            continue
        n = min(len(y) for _, y in curves)
        x = curves[0][0][:n]
        mean, lo, hi = mean_band([np.asarray(y[:n], dtype=float) for _, y in curves])
        lr = float(sweep.summary["tuned"][label])
        name = _plotly_text(setting_text(label, lang) + st("lr note", lang, lr=_lr(lr)))
        color, group = colors[label], f"c{i}"
        if len(curves) >= MIN_SEEDS_TO_SETTLE:           # as the sensitivity chart: 2 seeds' band fills the axes
            traces.append({"type": "scatter", "mode": "lines", "x": x + x[::-1],
                           "y": _values(np.clip(hi, 0, 1)) + _values(np.clip(lo, 0, 1)[::-1]), "fill": "toself",
                           "fillcolor": _rgba(color, 0.15), "line": {"width": 0}, "hoverinfo": "skip",
                           "legendgroup": group, "showlegend": False, "name": name})
        # every evaluation marked when there are few (2 points joined look like a measured line), else MARKS
        traces.append({"type": "scatter", "mode": "lines+markers" if len(x) > 1 else "markers", "x": x,
                       "y": _values(mean), "name": name, "legendgroup": group,
                       "line": {"color": color, "width": 2, "dash": dashes[label]},
                       "marker": {"size": 7, "symbol": symbols[label], "color": color,
                                  "maxdisplayed": MARKS if len(x) > FEW_POINTS else 0},
                       "hovertemplate": "%{y:.4f}"})       # one evaluation: a line of one point is not drawn
    if not traces:
        return None
    return {"data": traces, "layout": _layout(st("curves", lang), st("count", lang), st("val accuracy", lang), lang,
                                              yaxis={"range": [0, ACC_TOP]}, height=420,
                                              xaxis={"rangemode": "tozero"})}   # one evaluation: 0 to it, not 99–101


# -- tables -------------------------------------------------------------------------------------------------------

def _ci_cell(m, lo, hi, mark: str = "") -> str:
    """Mean and its 95 % interval when there is one (:func:`optimlab.experiment.sweep.shown_interval`); ``mark``
    below them (the console table's "(2 at chance)": a Japanese student's review found it on the console only)."""
    if m is None:
        return _cell("—")
    return _cell(f"{m:.4f} [{lo:.4f}, {hi:.4f}]" if lo is not None and hi is not None else f"{m:.4f}", m, "num",
                 below=mark.strip())


def _note_lr(d: dict[str, Any], lr: Any, lang: str) -> str:
    """A setting's "note lr" as a sentence gives it: for an optimizer the note does not have, said to be its default
    (a review found "0.600 at the note's lr 0.05" said of an added optimizer)."""
    return _lr(lr) + (st("added default", lang) if not_the_notes(d) else "")


def defaults_table_html(summary: dict[str, Any], edges: set[str], lang: str) -> str:
    """The note's lr against the tuned one per setting; ⚠ a tuned lr at the grid's edge, † a setting at chance at
    every lr (its tuned lr and gain are noise: the console's table marks it so, and the conclusions leave it out)."""
    head = [st(k, lang) for k in ("setting", "note lr", "test note", "tuned lr", "val tuned", "test tuned", "gain col",
                                  "not ok")]
    numeric = [False, True, True, True, True, True, True, True]
    colors = _colors(summary)
    rows = []
    for label, d in summary["defaults_vs_tuned"].items():
        lr = d.get("tuned_lr")
        gain = d.get("gain")
        bad = int(d.get("tuned_not_ok") or 0) + (0 if _tuned_is_note(d) else int(d.get("default_not_ok") or 0))
        cells = [_label_th(setting_text(label, lang), colors.get(label, "#999")),
                 _cell(_lr(d['default_lr']) + (" ‡" if not_the_notes(d) else ""), d["default_lr"], "num"),
                 _ci_cell(*shown_interval(d, "default")),
                 _cell(_lr(lr) + (" ⚠" if label in edges else " †" if at_chance(d, summary) else ""), lr, "num"),
                 _cell("—" if d.get("tuned_val_acc") is None else f"{d['tuned_val_acc']:.4f}", d.get("tuned_val_acc"),
                       "num"),
                 _ci_cell(*shown_interval(d, "tuned"), mark=say("at chance", lang, k=k) if (k := stalled(d, summary))
                          else ""),
                 _cell(gain_text(d, accuracy_step(summary)), gain, "num"), _cell(bad, bad, "num")]
        rows.append(f"<tr>{''.join(cells)}</tr>")
    added = any(not_the_notes(d) for d in summary["defaults_vs_tuned"].values())     # ‡ said under the table
    note = say("not the note's", lang)
    return _table(head, rows, numeric, "defaults-table") + (f'<p class="help">{esc(note)}</p>' if added else "")


def time_to_target_html(summary: dict[str, Any], lang: str) -> str:
    ttt = summary.get("time_to_target") or {}
    targets = list(dict.fromkeys(t for d in ttt.values() for t in d.get("targets", {})))
    head = [st("setting", lang), st("tuned lr", lang)]
    for t in targets:
        head += [st("reached", lang, t=t), st("iters to", lang, t=t), st("s to", lang, t=t)]
    colors = _colors(summary)
    rows = []
    for label, d in ttt.items():
        cells = [_label_th(setting_text(label, lang), colors.get(label, "#999")), _cell(_lr(d['lr']), d["lr"], "num")]
        for t in targets:
            x = d["targets"].get(t) or {}
            it, s = x.get("iters_median"), x.get("seconds_median")
            cells += [_cell(f"{x.get('reached', 0)}/{x.get('n', 0)}", x.get("reached"), "num"),
                      _cell(st("never", lang) if it is None else f"{it:g}", it, "num"),
                      _cell("—" if it is None else "?" if not d.get("seconds_comparable", False)
                            else "—" if s is None else f"{s:.2f}", s, "num")]
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return _table(head, rows, [False] + [True] * (len(head) - 1), "ttt-table")


def grid_table_html(summary: dict[str, Any], lang: str) -> str:
    sens = summary["sensitivity"]
    lrs = next(iter(sens.values()))["lrs"] if sens else []
    head = [st("setting", lang)] + [f"{st('lr', lang)} {_lr(lr)}" for lr in lrs]
    colors = _colors(summary)
    rows = []
    for label, s in sens.items():
        tuned = summary["tuned"].get(label)
        cells = [_label_th(setting_text(label, lang), colors[label])]
        for lr, m in zip(s["lrs"], s["mean"]):
            cls = "num tuned" if tuned is not None and math.isclose(lr, tuned) else "num"
            cells.append(_cell("—" if m is None else f"{m:.4f}", m, cls))
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return _table(head, rows, [False] + [True] * len(lrs), "grid-table")


def figure_html(sweep: SweepDir, lang: str) -> str:
    """The sweep's sensitivity PNG in ``lang``; when the folder has it only in another language (a Japanese report of
    an English sweep showed the English figure), drawn again from summary.json in ``lang``, as a compare report
    redraws its figures."""
    own = sensitivity_name(lang)
    names = [own, *map(sensitivity_name, LANGS), "sweep_sensitivity.png"]
    p = next((sweep.directory / n for n in names if (sweep.directory / n).is_file()), None)
    if p is None:
        return f"<p>{esc(st('no png', lang))}</p>"
    png, file = p.read_bytes(), f' <span class="file">{esc(p.name)}</span>'
    if p.name != own:
        dpi, scale = recorded_style(sweep.summary)    # as the sweep's --dpi and --font-scale drew it
        try:
            with font_scale(scale):
                png, file = png_bytes(sensitivity_figure(sweep.summary, lang), dpi), ""    # no file of that name here
        except Exception:  # noqa: BLE001 - a summary a later version wrote: the figure as it is, in its language
            pass
    data = base64.b64encode(png).decode("ascii")
    return (f'<figure class="sweep-png"><img alt="{esc(st("sensitivity alt", lang))}" src="data:image/png;base64,{data}">'
            f'<figcaption>{esc(st("sensitivity png", lang))}{file}</figcaption></figure>')


def _split_pairs(split: dict[str, Any], lang: str) -> list[tuple[str, Any]]:
    """The validation split as rows: how it was carved (its sizes are the dataset's rows); keys not known here
    (a later version's) as they are."""
    known = {"fraction": "split fraction", "max_size": "split max", "seed": "split seed", "stratified": "split strat"}
    rows = []
    for k, v in split.items():
        if k in ("n_train", "n_val"):
            continue
        if k == "fraction" and isinstance(v, (int, float)) and not isinstance(v, bool):
            v = f"{v:.0%}" if 0 < v <= 1 else v
        elif isinstance(v, bool):
            v = st("yes" if v else "no", lang)
        rows.append((st(known[k], lang) if k in known else k, v))
    return rows


def _executor_pairs(ex: dict[str, Any], lang: str) -> list[tuple[str, Any]]:
    """How the sweep ran, one row per fact (the executor kind translated as on the console)."""
    known = {"workers": "ex workers", "threads": "ex threads", "how": "ex how", "start_method": "ex start",
             "blas_threads_per_worker": "ex blas", "pool_restarts": "ex restarts", "chunks_per_cohort": "ex chunks",
             "scheduler": "ex scheduler", "dashboard": "ex dashboard"}
    rows = [(st("executor", lang), term("executor", ex["kind"], lang))] if "kind" in ex else []
    return rows + [(st(known[k], lang) if k in known else k, v) for k, v in ex.items() if k != "kind"]


def optimizers_html(summary: dict[str, Any], lang: str) -> str:
    """Each optimizer's class, settings (all but the lr) and code SHA-256 as summary.json records them; '' for a
    summary written before they were recorded."""
    recorded = summary.get("optimizers")
    if not isinstance(recorded, dict) or not recorded:
        return ""
    head = [st(k, lang) for k in ("setting", "class", "settings", "code sha")]
    rows = []
    for name, r in recorded.items():
        r = r if isinstance(r, dict) else {}
        settings = r.get("settings") if isinstance(r.get("settings"), dict) else {}
        shown = ", ".join(f"{k}={v}" for k, v in settings.items()) or "—"
        sha = str(r.get("code_sha256") or "")
        where = f"<br><small>{esc(r['file'])}</small>" if isinstance(r.get("file"), str) else ""
        dotted = esc(r.get("class", "?")).replace(".", ".<wbr>")         # a phone breaks it after a dot
        rows.append(f'<tr><th scope="row">{esc(name)}</th><td><code>{dotted}</code>{where}</td>'
                    f'<td>{esc(shown)}</td><td><code title="{esc(sha)}">{esc(sha[:12])}</code></td></tr>')
    return f"<h3>{esc(st('optimizers used', lang))}</h3>" + _table(head, rows, [False] * 4, "optimizers-table")


def environment_html(sweep: SweepDir, lang: str) -> str:
    s = sweep.summary
    ds = s.get("dataset") or {}
    split = ds.get("split") or {}
    data_pairs = [(st("dataset", lang), ds.get("name")), (st("source", lang), ds.get("source")),
                  (st("train size", lang), ds.get("n_train")), (st("val size", lang), ds.get("n_val")),
                  (st("test size", lang), ds.get("n_test")), (st("inputs", lang), ds.get("input_dim")),
                  (st("classes", lang), ds.get("n_classes")), ("SHA-256", ds.get("sha256")),
                  *_split_pairs(split, lang), (st("notice", lang), notice_text(ds.get("notice"), lang))]
    run_pairs = [*_executor_pairs(s.get("executor") or {}, lang),
                 (st("selection", lang), st("selection rule", lang) if s.get("selection") == SELECTION_RULE
                  else s.get("selection")), (st("runs", lang), s.get("n_runs")),
                 (st("trained skipped", lang), f"{s.get('n_trained')} / {s.get('n_skipped')}"),
                 (st("total wall", lang), s.get("total_wall_seconds"))]
    env = s.get("environment")
    heading = st("environment", lang)
    if not env:
        from ..results.store import environment

        env, heading = environment(), st("generated with", lang)
    env_pairs = environment_pairs(env, lang)
    return (f'<div class="two-col"><div><h3>{esc(st("dataset", lang))}</h3>{_kv_table(data_pairs)}'
            f'<h3>{esc(st("sweep", lang))}</h3>{_kv_table(run_pairs)}</div>'
            f'<div><h3>{esc(heading)}</h3>{_kv_table(env_pairs)}</div></div>')


EXTRA_CSS = """
td.tuned { font-weight: 700; background: #eef4ff; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
figure.sweep-png { max-width: 680px; }
.kv td { word-break: normal; overflow-wrap: anywhere; }
.conclusions li.c-grid_edge, .conclusions li.c-note_lr_outside, .conclusions li.c-not_ok,
.conclusions li.c-fresh_not_ok, .conclusions li.c-fresh_at_chance { color: #8a4b00; }
.conclusions li.c-grid_edge::marker, .conclusions li.c-note_lr_outside::marker,
.conclusions li.c-not_ok::marker, .conclusions li.c-fresh_not_ok::marker,
.conclusions li.c-fresh_at_chance::marker { content: "⚠ "; }
"""


def build_sweep_report_html(sweep_dir: str | os.PathLike, lang: str | None = None) -> str:
    """The whole page for a sweep directory as one string (no network resources), in ``lang`` (default: the
    language the sweep was made in)."""
    if lang is not None:
        check_lang(lang)
    sweep = load_sweep(sweep_dir)
    s = sweep.summary
    lang = recorded_lang(s) if lang is None else lang
    conclusions = compute_sweep_conclusions(sweep, lang)
    edges = {c["facts"]["label"] for c in conclusions if c["kind"] == "grid_edge"}
    charts = {"chart-sensitivity": sensitivity_chart(s, lang)}
    curves = curves_chart(sweep, lang)
    if curves is not None:
        charts["chart-curves"] = curves
    ds = s.get("dataset") or {}
    grid = s.get("grid") or {}
    name = s.get("name") or sweep.directory.name
    title = f"{st('sweep title', lang)}{st('colon', lang)}{ds.get('name', '?')}"
    meta = [f"{esc(st('sweep name', lang))} <b>{esc(name)}</b>", f"{esc(st('finished at', lang))} {esc(_finished(s))}",
            esc(st("grid meta", lang, **_counted(opts=len(s["sensitivity"]), lrs=len(grid.get("lrs") or []),
                                                 seeds=len(grid.get("seeds") or []),
                                                 tests=len(grid.get("test_seeds") or [])))),
            esc(st("runs meta", lang, runs=s.get("n_runs", "?"), wall=f"{float(s.get('total_wall_seconds') or 0):.0f}"))]
    toml_path = sweep.directory / "sweep.toml"
    toml = (f"<pre><code>{esc(toml_path.read_text(encoding='utf-8'))}</code></pre>" if toml_path.is_file()
            else f"<p>{esc(st('no sweep toml', lang))}</p>")
    nav = [("conclusions", "conclusions"), ("sensitivity", "lr sensitivity"), ("defaults", "nav defaults"),
           ("ttt", "ttt"), ("figures", "figures"), ("configuration", "configuration"),
           ("environment", "data and environment")]
    if curves is not None:
        nav.insert(2, ("curves", "charts"))
    curves_section = (f'<section id="curves"><h2>{esc(st("curves", lang))}</h2>'
                      f'<p class="help">{esc(st("curves help", lang))}</p>{chart_html("chart-curves", curves)}'
                      f"</section>" if curves is not None else "")
    body = f"""
{page_top(title, meta, nav, conclusions, st, lang)}
<section id="sensitivity"><h2>{esc(st('lr sensitivity', lang))}</h2>
  <p class="help">{esc(st('sensitivity help', lang))}</p>{chart_html("chart-sensitivity", charts["chart-sensitivity"])}
  <details><summary>{esc(st('grid table', lang))}</summary>{grid_table_html(s, lang)}</details>
</section>
{curves_section}
<section id="defaults"><h2>{esc(st('defaults', lang))}</h2><p class="help">{esc(st('defaults help', lang))}</p>
  {defaults_table_html(s, edges, lang)}</section>
<section id="ttt"><h2>{esc(st('ttt', lang))}</h2><p class="help">{esc(st('ttt help', lang))}</p>
  {time_to_target_html(s, lang)}</section>
<section id="figures"><h2>{esc(st('sensitivity png', lang))}</h2>{figure_html(sweep, lang)}</section>
<section id="configuration"><h2>{esc(st('configuration', lang))}</h2><h3>sweep.toml</h3>{toml}
  {optimizers_html(s, lang)}{command_html(s, lang)}</section>
<section id="environment"><h2>{esc(st('data and environment', lang))}</h2>{environment_html(sweep, lang)}</section>
</main>
<footer>{esc(st('generated', lang, version=__version__))}<code>{esc(home_shown(sweep.directory.resolve()))}</code></footer>
"""
    return page_html(lang, title, name, body, charts, EXTRA_CSS)
