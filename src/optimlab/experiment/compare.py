"""Run a recipe: every run × every seed, grouped into cohorts that train in lockstep."""

from __future__ import annotations

import time
import traceback
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Sequence

from .._io import display_width
from ..console import say
from ..errors import BYSTANDER, OptimlabError
from ..train import History, NetConfig, Trainer
from .recipe import Recipe, RunSpec


@dataclass
class RunResult:
    """One (run, seed): its setting and what it recorded."""

    spec: RunSpec
    seed: int
    net: NetConfig
    history: History
    cohort_size: int = 1


@dataclass
class CompareResult:
    recipe: Recipe
    dataset: dict[str, Any]
    runs: list[RunResult] = field(default_factory=list)
    wall_seconds: float = 0.0

    def __repr__(self) -> str:              # the dataclass's own ran to 3,100 characters in a notebook (a review)
        seeds = sorted({int(r.seed) for r in self.runs})
        return (f"CompareResult({self.recipe.name!r}, {self.dataset.get('name')}, {len(self.recipe.runs)} runs × "
                f"seeds {', '.join(map(str, seeds)) or 'none'}; .runs, .by_label())")

    def by_label(self) -> dict[str, list[RunResult]]:
        out: dict[str, list[RunResult]] = {r.label: [] for r in self.recipe.runs}
        for r in self.runs:
            out[r.spec.label].append(r)
        return out


@dataclass(frozen=True)
class Cohort:
    """Runs that share a seed and a network up to batch normalization: they see the same batches and train in
    lockstep in one stack of models (one matmul for all of them, in training and on the test set)."""

    seed: int
    nets: tuple[NetConfig, ...]          # one per spec
    specs: tuple[RunSpec, ...]


def plan_cohorts(recipe: Recipe) -> list[Cohort]:
    """Group the recipe's runs by (seed, network without its batchnorm flag); order follows the recipe."""
    cohorts: list[Cohort] = []
    for seed in recipe.seeds:
        groups: dict[NetConfig, list[tuple[NetConfig, RunSpec]]] = {}
        for spec in recipe.runs:
            net = spec.net_config(recipe.net)
            groups.setdefault(replace(net, batchnorm=False), []).append((net, spec))
        cohorts += [Cohort(seed, tuple(n for n, _ in members), tuple(s for _, s in members))
                    for members in groups.values()]
    return cohorts


def run_cohort(cohort: Cohort, data, recipe: Recipe, *, val=None, progress: bool = False,
               callbacks: Sequence[Callable] = (), lang: str = "en") -> list[RunResult]:
    """Train one cohort; if it raises, its runs are recorded as failed with the error (others go on). What the
    recipe asks that cannot be built (an optimizer the trainer refuses, layers too large for this machine) is an
    error of the recipe, raised before anything is written: recorded as failed runs, it replaced a good run's folder."""
    labels = [s.label for s in cohort.specs]
    try:
        trainer = Trainer(data, [s.make_optimizer() for s in cohort.specs], labels, net=list(cohort.nets),
                          train=recipe.train, seed=cohort.seed, val=val, callbacks=callbacks)
    except OptimlabError:
        raise
    except Exception as e:  # noqa: BLE001 - recorded, as below
        return _failed(cohort, e)
    try:
        # the runs' names, or how many when they do not fit: cut at 40 characters ("seed 0: SGD, Momentum, AdaGrad,
        # RMSPr...") they left an 80-column bar (a notebook without ipywidgets) one character of bar (a teacher's review)
        desc = say("bar seed", lang, seed=cohort.seed, labels=say("list sep", lang).join(labels))
        if display_width(desc) >= 40:   # one long label is cut, several are counted (a Japanese character: 2 columns)
            if len(labels) > 1:
                desc = say("bar seed runs", lang, seed=cohort.seed, n=len(labels))
            else:
                while display_width(desc) > 37:
                    desc = desc[:-1]
                desc += "..."
        histories = trainer.run(progress=progress, desc=desc)
    except Exception as e:  # noqa: BLE001 - recorded, not swallowed: the run's status says what happened
        return _failed(cohort, e)
    return [RunResult(s, cohort.seed, n, h, len(cohort.specs)) for s, n, h in zip(cohort.specs, cohort.nets, histories)]


def failed_errors(labels: Sequence[str], e: Exception) -> list[str]:
    """The recorded error of each run (``labels``) of a cohort that failed with ``e``: its line and the innermost
    frames (where it was raised: a plugin's rule). Where one optimizer's update raised (``e.raised_by``, set by the
    trainer), the others' record says so first: the command named the cohort's first run, for an error of a rule it
    does not have."""
    what, frames = f"{type(e).__name__}: {e}", traceback.format_exc(limit=-6)
    by = getattr(e, "raised_by", None)
    return [f"{BYSTANDER}{', '.join(by)} (trained in one cohort with it): {what}\n{frames}" if by and label not in by
            else f"{what}\n{frames}" for label in labels]


def _failed(cohort: Cohort, e: Exception) -> list[RunResult]:
    errors = failed_errors([s.label for s in cohort.specs], e)
    return [RunResult(s, cohort.seed, n, History(s.label, status="failed", error=error), len(cohort.specs))
            for s, n, error in zip(cohort.specs, cohort.nets, errors)]


def run_compare(recipe: Recipe, data, *, progress: bool = False, telemetry_factory=None,
                lang: str = "en") -> CompareResult:
    """Train every run of ``recipe`` on ``data`` for every seed. ``data`` is an :class:`optimlab.data.Dataset`;
    ``lang``: the language of the progress bars' descriptions."""
    info = data.info() if hasattr(data, "info") else {}
    result = CompareResult(recipe, info)
    t0 = time.perf_counter()
    for cohort in plan_cohorts(recipe):
        callbacks = [telemetry_factory(cohort)] if telemetry_factory else []
        result.runs += run_cohort(cohort, data, recipe, progress=progress, callbacks=callbacks, lang=lang)
    result.wall_seconds = time.perf_counter() - t0
    order = {(s.label): i for i, s in enumerate(recipe.runs)}
    result.runs.sort(key=lambda r: (order[r.spec.label], r.seed))
    return result
