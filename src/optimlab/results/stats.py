"""Statistics over seeds: means with 95 % confidence intervals, and paired differences.

Runs with the same seed share initial weights and minibatches (common random numbers), so the difference
between two optimizers is measured seed by seed; its spread is usually much smaller than either's.
"""

from __future__ import annotations

import math
import numbers
from collections import Counter
from itertools import combinations
from typing import Any, Mapping, Sequence

import numpy as np

from .._io import pad
from ..console import operand, say
from ..errors import ConfigError


def histories_summary(by_seed: Mapping[int, Sequence[Any]]) -> dict[str, Any]:
    """What :func:`seed_statistics`, :func:`paired_differences` and :func:`format_seed_report` read, made from your
    own runs: ``{seed: [History, ...]}`` as ``Trainer(..., seed=s).run()`` returns them (one label per run, the same
    labels at every seed). A run's status counts as in ``summary.json``: a diverged or failed one scores 0."""
    if isinstance(getattr(by_seed, "summary", None), Mapping) or (
            isinstance(by_seed, Mapping) and any(isinstance(k, tuple) for k in by_seed)):
        # a LoadedRun, or its histories keyed (label, seed): its summary is what the statistics read already
        raise ConfigError(f"invalid histories: a run folder's {'histories' if isinstance(by_seed, Mapping) else 'run'}"
                          " (accepted: {seed: [History, ...]}; for a run folder, pass LoadedRun(folder).summary to "
                          "seed_statistics, paired_differences or format_seed_report directly)")
    if not isinstance(by_seed, Mapping) or not all(isinstance(s, (int, np.integer)) and not isinstance(s, bool)
                                                   for s in by_seed):
        raise ConfigError(f"invalid histories: a {type(by_seed).__name__} (accepted: {{seed: [History, ...]}}, e.g. "
                          "{s: Trainer(data, opts, seed=s).run() for s in range(5)})")
    runs = []
    for seed, histories in by_seed.items():
        if not isinstance(histories, (list, tuple)):
            raise ConfigError(f"invalid histories for seed {seed}: a {type(histories).__name__} (accepted: a list of "
                              "History objects, as Trainer.run() returns them)")
        for h in histories:
            if not hasattr(h, "final_test_accuracy"):
                raise ConfigError(f"invalid histories for seed {seed}: a {type(h).__name__} (accepted: History "
                                  "objects, as Trainer.run() returns them)")
            runs.append({"label": h.label, "seed": int(seed), "status": h.status,
                         "final_test_accuracy": _finite(h.final_test_accuracy),
                         "best_test_accuracy": _finite(h.best_test_accuracy)})
    labels = {seed: sorted({r["label"] for r in runs if r["seed"] == int(seed)}) for seed in by_seed}
    first = next(iter(labels), None)
    for seed, have in labels.items():        # a run missing at one seed: two rows of one table over different seeds
        if have != labels[first]:
            odd = sorted(set(have) ^ set(labels[first]))
            raise ConfigError(f"invalid histories: seed {seed} has runs {have}, seed {first} {labels[first]} (they "
                              f"differ in {odd}; accepted: the same labels at every seed, so that each mean and each "
                              "paired difference is over the same seeds)")
    return {"runs": runs, "seeds": sorted(int(s) for s in by_seed)}


def _finite(x: float) -> float | None:
    return None if x is None or not math.isfinite(x) else float(x)


def _check_summary(summary: Any) -> None:
    if not (isinstance(summary, Mapping) and isinstance(summary.get("runs"), list)):
        raise ConfigError(f"invalid summary: a {type(summary).__name__} (accepted: a dict with 'runs', as in "
                          "summary.json, or histories_summary({seed: histories}) for your own runs)")


def mean_ci(values, level: float = 0.95, least_sd: float = 0.0) -> tuple[float, float]:
    """Mean and the half-width of its Student-t confidence interval (nan for fewer than 2 values); ``level`` is a
    fraction (0.95, not 95). ``least_sd``: the smallest spread taken (:func:`seed_statistics` gives an accuracy's
    resolution, step/√12: two seeds with the same accuracy on 1,000 test images had a 95 % interval of ±0.0000)."""
    if isinstance(level, bool) or not isinstance(level, numbers.Real) or not 0 < level < 1:
        raise ConfigError(f"invalid level: {level!r} (accepted: a fraction between 0 and 1, e.g. 0.95)")
    v = np.asarray([x for x in values if x is not None and not math.isnan(x)], dtype=float)
    if len(v) == 0:
        return math.nan, math.nan
    if len(v) < 2:
        return float(v.mean()), math.nan
    # equal values: exactly that value (0.1 three times averaged 0.10000000000000002, with a half-width of 4e-17)
    m, sd = (float(v[0]), 0.0) if np.all(v == v[0]) else (float(v.mean()), float(v.std(ddof=1)))
    sd = max(sd, least_sd)
    if sd == 0:
        return m, 0.0
    from scipy import stats

    return m, float(stats.t.ppf(0.5 + level / 2, len(v) - 1) * sd / math.sqrt(len(v)))


def per_label(summary: dict[str, Any], metric: str = "final_test_accuracy",
              not_ok: float = 0.0) -> dict[str, dict[int, float]]:
    """``{label: {seed: value}}`` of an accuracy ``metric``; a run that diverged or failed counts as ``not_ok``, 0 (as
    in the sweep: a run with no usable model scores nothing, so an optimizer cannot look good on the seeds that
    survived; NaN for what was measured only); NaN where a completed run has no value. One (label, seed) twice is an
    error: two runs shared a label, and one would hide the other."""
    _check_summary(summary)
    out: dict[str, dict[int, float]] = {}
    for r in summary["runs"]:
        v = r.get(metric)
        value = not_ok if r.get("status", "ok") != "ok" else math.nan if v is None else float(v)
        seeds = out.setdefault(r["label"], {})
        if int(r["seed"]) in seeds:
            raise ConfigError(f"run {r['label']!r} appears twice for seed {r['seed']} (accepted: one label per run)")
        seeds[int(r["seed"])] = value
    return out


def seed_statistics(summary: dict[str, Any], metric: str = "final_test_accuracy") -> list[dict[str, Any]]:
    """Per label: n (seeds with a value), how many diverged or failed (counted as 0), mean and 95 % CI; a test
    accuracy's spread taken at least that of a value rounded to its step, 1/n_test (:func:`accuracy_step`): step/√12,
    as :func:`paired` takes step/√6 for a difference of two."""
    _check_summary(summary)
    rows, bad = [], Counter(r["label"] for r in summary["runs"] if r.get("status", "ok") != "ok")
    least = (accuracy_step(summary) if "test" in metric else 0.0) / math.sqrt(12)
    for label, by_seed in per_label(summary, metric).items():
        n = sum(not math.isnan(v) for v in by_seed.values())
        # a run that diverged on every seed is 0 by convention, not measured: no step's spread (a code review)
        m, h = mean_ci(list(by_seed.values()), least_sd=least if bad[label] < n else 0.0)
        rows.append({"label": label, "metric": metric, "n": n, "n_seeds": len(by_seed), "n_not_ok": bad[label],
                     "mean": m, "ci95": h})
    return rows


SMALL_TEST_SET = 1000    # below this many test images the seed report says what the test set's own error is
MIN_SEEDS_TO_SETTLE = 3   # an order is called settled only over at least 3 paired seeds: accuracies move in steps
                          # of 1/n_test, so 2 seeds can give 2 equal differences and a zero-width interval


LEARNED_ABOVE_CHANCE = 0.1   # a run "learned" when its best accuracy exceeds chance (1 / classes) by this much


def chance(summary: dict[str, Any]) -> float:
    """Chance accuracy: 1 / the dataset's classes (10 when summary.json does not say, or says something that is
    not a whole number of at least 2), or the accuracy of always answering the most common class
    (``dataset.majority_accuracy``) when that is higher — imbalanced classes (90 % of one class: chance 0.9)."""
    ds = summary.get("dataset") or {}
    n = ds.get("n_classes")
    uniform = 1.0 / (n if isinstance(n, int) and not isinstance(n, bool) and n >= 2 else 10)
    majority = ds.get("majority_accuracy")
    if isinstance(majority, (int, float)) and not isinstance(majority, bool) and 0 <= majority <= 1:
        return max(uniform, float(majority))
    return uniform


def small_set(n: Any, below: int | None = SMALL_TEST_SET) -> bool:
    """Whether ``n`` examples (a test set, a validation split) are few enough for their own sampling error to be
    said: fewer than :data:`SMALL_TEST_SET` (``below``; None: any count of them)."""
    return isinstance(n, int) and not isinstance(n, bool) and 0 < n and (below is None or n < below)


def sampling_error(p: float, n: int) -> float:
    """Half the width of a 95 % normal interval of an accuracy ``p`` measured on ``n`` examples (largest at 0.5)."""
    return 1.96 * math.sqrt(p * (1 - p) / n)


def learned_margin(summary: dict[str, Any]) -> float:
    """How far above chance an accuracy must be to count as learned: :data:`LEARNED_ABOVE_CHANCE`, or half the room
    left above a high chance (0.9 of one class: 0.05, so that learning stays possible below an accuracy of 1)."""
    return min(LEARNED_ABOVE_CHANCE, (1.0 - chance(summary)) / 2)


def accuracy_text(x: float) -> str:
    """An accuracy threshold as shown (a learned floor, a target): two decimals (0.20, 0.80), three where it has
    them (0.993 above a chance of 0.985, a target of 0.962)."""
    return f"{x:.2f}" if abs(x - round(x, 2)) < 5e-4 else f"{x:.3f}"


def learned_floor(summary: dict[str, Any]) -> float:
    """The accuracy a run must exceed to have learned: chance + :func:`learned_margin`."""
    return chance(summary) + learned_margin(summary)


def signed(x: float, places: int = 3) -> str:
    """``x`` with its sign to ``places`` decimals, a difference that rounds to 0 as +0: −3.7e-17 printed as −0.000."""
    return f"{round(x, places) + 0.0:+.{places}f}"        # −0.0 + 0.0 is 0.0


def signed_bound(x: float, places: int = 3) -> str:
    """An interval's end as :func:`signed` writes it, but one that is not 0 and rounds to it to the first decimal
    that shows it: an interval said to exclude 0 read "+0.000 to +0.049" (+0.0004 to +0.049); float noise (1e-17)
    stays +0.000."""
    if math.isfinite(x) and abs(x) > 1e-9 and round(x, places) == 0:
        return signed(x, -math.floor(math.log10(abs(x))))
    return signed(x, places)


def paired(a: dict[int, float], b: dict[int, float], step: float = 0.0) -> dict[str, Any]:
    """a − b seed by seed, over the seeds where both have a value: n, mean difference, the half-width of its
    95 % Student-t CI (nan for n < 2), in how many seeds a was higher, lower, equal, ``p`` (the paired t-test's
    two-sided p-value, nan for n < 2) and ``significant``: p < 0.05 (the CI excludes 0) over at least
    :data:`MIN_SEEDS_TO_SETTLE` seeds.

    ``step``: the values' resolution (:func:`accuracy_step`: an accuracy on n test images moves in steps of 1/n).
    Every seed can then show the same difference, and with no spread the t-test calls any difference certain
    (p = 0: one test image better on each of 3 seeds was settled; a review). No spread finer than the values' own
    steps is measured, so the spread taken is at least that of the difference of two values each rounded to
    ``step``, step/√6: on 10,000 test images, 1 image better on 3 of 3 seeds is p = 0.051, 10 images p = 0.0006.
    Without a step (0), no spread is the t-test's limit: a 0-wide interval and p = 0 for a nonzero difference (not
    the ±1.6e-16 and 1e-29 of the differences' float rounding). A t-test over 3 seeds still weighs a lead by its
    spread: 0.001 better on 3 of 3 seeds is settled, 0.001, 0.001 and 0.002 (p = 0.057) is not.

    With common random numbers (same seed: same initial weights and minibatches), the seed's own luck cancels
    in the difference, so this interval is the one to judge an order by — not two overlapping intervals."""
    seeds = sorted(s for s in set(a) & set(b) if not (math.isnan(a[s]) or math.isnan(b[s])))
    d = [a[s] - b[s] for s in seeds]
    least = step / math.sqrt(6)
    m, h = mean_ci(d)
    if len(d) >= 2:                  # the interval of the spread the test takes
        from scipy import stats

        h = float(stats.t.ppf(0.975, len(d) - 1) * _spread(np.asarray(d), least) / math.sqrt(len(d)))
    p = _t_test_p(d, least)
    return {"n": len(seeds), "mean_diff": m, "ci95": h, "p": p, "a_wins": int(sum(x > 0 for x in d)),
            "b_wins": int(sum(x < 0 for x in d)), "ties": int(sum(x == 0 for x in d)),
            "significant": bool(len(seeds) >= MIN_SEEDS_TO_SETTLE and p < 0.05)}


def sign_test_p(wins: int, losses: int) -> float:
    """Two-sided exact sign test: the chance of a split at least this uneven between ``wins`` and ``losses`` (ties
    left out) if either side were as likely to win each seed. 3 of 3 seeds: 0.25 (at least 6 of 6 are needed for
    p < 0.05); nan without a decided seed."""
    n = int(wins) + int(losses)
    if n == 0:
        return math.nan
    from scipy import stats

    return float(stats.binomtest(int(wins), n, 0.5).pvalue)


def _no_spread(v: np.ndarray) -> bool:
    """All values equal but for floating-point rounding (0.81 − 0.80 and 0.82 − 0.81 differ by 1e-17)."""
    return bool(v.std(ddof=1) <= 1e-12 * max(1.0, float(np.abs(v).max())))


def _spread(v: np.ndarray, least_sd: float = 0.0) -> float:
    """The standard deviation of ``v`` (0 where it has no spread but float rounding), at least ``least_sd``."""
    return max(0.0 if _no_spread(v) else float(v.std(ddof=1)), least_sd)


def _t_test_p(d: Sequence[float], least_sd: float = 0.0) -> float:
    r"""Two-sided p-value of the one-sample t-test of mean 0 on ``d``: :math:`t = \bar d/(s/\sqrt n)`, n − 1 degrees
    of freedom, s at least ``least_sd``; nan below 2 values; with no spread (:func:`_no_spread`, rounding aside) and
    no ``least_sd``, its limit: 0 for a nonzero mean and 1 for a zero one."""
    from scipy import stats

    v = np.asarray(d, dtype=float)
    if len(v) < 2:
        return math.nan
    sd = _spread(v, least_sd)
    if sd == 0:
        return 0.0 if abs(v.mean()) > 1e-12 else 1.0
    return float(2 * stats.t.sf(abs(v.mean()) / (sd / math.sqrt(len(v))), len(v) - 1))


def holm(p_values: Sequence[float], alpha: float = 0.05) -> list[bool]:
    """Holm's step-down correction: which of m hypotheses are rejected with a family-wise error rate of
    ``alpha``. The smallest p is compared with α/m, the next with α/(m − 1) …, stopping at the first that is not
    below its bound. (nan p-values take no part and are never rejected.)"""
    order = sorted((p, i) for i, p in enumerate(p_values) if not math.isnan(p))
    reject = [False] * len(p_values)
    for k, (p, i) in enumerate(order):
        if p >= alpha / (len(order) - k):
            break
        reject[i] = True
    return reject


def holm_settled(pairs: Sequence[dict[str, Any]]) -> list[bool]:
    """For :func:`paired` results of every pair compared: whether each stays significant after Holm's correction
    over the pairs compared over at least :data:`MIN_SEEDS_TO_SETTLE` seeds (the others: False). The console's table,
    and the reports' claim about the top two (picked from all), judge by it."""
    family = [i for i, r in enumerate(pairs) if r["n"] >= MIN_SEEDS_TO_SETTLE]
    out = [False] * len(pairs)
    for i, kept in zip(family, holm([pairs[i]["p"] for i in family])):
        out[i] = bool(kept and pairs[i]["significant"])
    return out


def accuracy_step(summary: dict[str, Any]) -> float:
    """The step an accuracy on the summary's test set moves in, 1 / its size (``dataset.n_test``); 0 when the summary
    does not say (:func:`paired` then takes no spread as the t-test's limit)."""
    n = (summary.get("dataset") or {}).get("n_test") if isinstance(summary.get("dataset"), dict) else None
    return 1.0 / n if isinstance(n, int) and not isinstance(n, bool) and n > 0 else 0.0


def paired_differences(summary: dict[str, Any], metric: str = "final_test_accuracy") -> list[dict[str, Any]]:
    """For every pair of labels: :func:`paired` over the seeds both ran, and ``holm``: whether the difference
    stays significant after Holm's correction for all the pairs compared over at least
    :data:`MIN_SEEDS_TO_SETTLE` seeds (with six runs, 15 pairs: at a 5 % level each, about one pair in 15 would
    look significant by chance alone)."""
    data = per_label(summary, metric)
    step = accuracy_step(summary) if "test" in metric else 0.0      # a minibatch's accuracy has steps of its own
    rows = [{"a": a, "b": b, "metric": metric, **paired(data[a], data[b], step)} for a, b in combinations(data, 2)]
    for r, kept in zip(rows, holm_settled(rows)):
        r["holm"] = kept
    return rows


def clipped_ends(mean: float, half: float) -> tuple[float, float] | None:
    """An accuracy's interval ``mean ± half`` that passes 0 or 1 (a t interval over few seeds): its ends clipped to
    [0, 1]; None when it lies inside."""
    if 0.0 <= mean - half <= mean + half <= 1.0:
        return None
    return max(0.0, mean - half), min(1.0, mean + half)


def format_seed_report(summary: dict[str, Any], lang: str = "en") -> str:
    """Text: mean ± 95 % CI per run, then the paired differences (in ``lang``, "en" or "ja")."""
    lines = [say("over seeds", lang)]
    stats = seed_statistics(summary)
    n_test = (summary.get("dataset") or {}).get("n_test")
    # the test set's error is that of accuracies it measured: a run's mean over the seeds that finished (a
    # researcher's review: the mean with 2 diverged seeds counted 0, 0.07, gave ±0.026 for accuracies of 0.10, ±0.031)
    measured_mean = {label: float(np.mean(v)) for label, by_seed in per_label(summary, not_ok=math.nan).items()
                     if (v := [x for x in by_seed.values() if math.isfinite(x)])}
    means = list(measured_mean.values())
    for r in stats:
        ci, clip = ("", "") if math.isnan(r["ci95"]) else (f" ± {r['ci95']:.4f}", "")
        if ci and (ends := clipped_ends(r["mean"], r["ci95"])):
            clip = say("ci clipped", lang, lo=f"{ends[0]:.4f}", hi=f"{ends[1]:.4f}")
        n = say("n all" if r["n"] == r["n_seeds"] else "n some", lang, n=r["n"], seeds=r["n_seeds"])
        if r["n_not_ok"]:
            n += say("n not ok", lang, k=r["n_not_ok"])
        mean = "—" if math.isnan(r["mean"]) else f"{r['mean']:.4f}"
        lines.append(say("seed line", lang, label=pad(r["label"], 24), mean=mean, ci=ci, clip=clip, n=n))
    p = min(means, key=lambda m: abs(m - 0.5)) if means else math.nan
    # also where the test set is not small but its error outgrows a run's own interval (a researcher's review: on
    # mnist-5k's 1,000 test images, ±0.020 at 0.885, against seed intervals of ±0.008 and ±0.012); a run that
    # diverged on every seed (0 by convention) measured nothing to compare
    outgrown = small_set(n_test, None) and any(
        math.isfinite(r["ci95"]) and r["label"] in measured_mean
        and sampling_error(measured_mean[r["label"]], n_test) > r["ci95"]
        for r in stats)
    if means and (small_set(n_test) or outgrown):
        # a researcher's 40 test images gave "+0.217 [+0.027, +0.406] **" without a word on the test set's size; the
        # largest error among the runs, that of the mean nearest 0.5 (the best run's was the smallest, a review found)
        lines.append(say("small test set", lang, n_test=f"{n_test:,}", step=f"{1 / n_test:.3g}", p=f"{p:.2f}",
                         half=f"{sampling_error(p, n_test):.2g}"))
    pairs = paired_differences(summary)
    # a run that never learned, beside one that diverged (counted 0), differs "significantly" from it: said so
    floor = learned_floor(summary)
    mean_of = {r["label"]: r["mean"] for r in stats}
    if pairs:
        k = sum(r["n"] >= MIN_SEEDS_TO_SETTLE for r in pairs)          # the pairs Holm's correction covers
        lines.append(say("paired", lang, min=MIN_SEEDS_TO_SETTLE) + (say("paired holm", lang, k=k) if k > 1 else "")
                     + say("paired end", lang))
    for r in pairs:
        if r["n"] == 0:
            lines.append("  " + say("no pair", lang, a_op=operand(r["a"], lang), b_op=operand(r["b"], lang)))
            continue
        ci = "" if math.isnan(r["ci95"]) else f" ± {r['ci95']:.4f}"
        ties = say("ties", lang, k=r["ties"]) if r["ties"] else ""
        lines.append("  " + say("pair", lang, a=r["a"], a_op=operand(r["a"], lang), b_op=operand(r["b"], lang),
                                diff=signed(r["mean_diff"], 4), ci=ci,
                                wins=r["a_wins"], n=r["n"], ties=ties,
                                star=" **" if r["holm"] and k > 1 else " *" if r["significant"] else "")
                     + (say("neither learned", lang, floor=accuracy_text(floor), margin=f"{learned_margin(summary):.3g}")
                        if all(mean_of.get(x, math.nan) <= floor for x in (r["a"], r["b"])) else ""))
    return "\n".join(lines)
