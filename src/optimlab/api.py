"""The whole comparison as one call: load data, train, write the run directory, draw figures, report.

``compare()`` is what ``optimlab compare`` runs; in a notebook it returns the results, the run folder and
the figures' file names in it (``out.directory / out.figures[0]``) without printing anything.
"""

from __future__ import annotations

import dataclasses
import inspect
import os
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from .errors import ConfigError, OptimlabError, OptimlabWarning, did_you_mean, own_error_first
from .experiment import CompareResult, Recipe, apply_overrides, default_recipe, load_recipe, run_compare
from ._source import other_source
from .experiment.recipe import RunSpec, check_same_data, other_optimizer_code
from .optim import OPTIMIZERS, Optimizer, display_name, load_plugins
from .results import staged_directory, write_results
from .results.store import check_output_dir, default_output_dir, output_lock
from .viz.i18n import check_lang


@dataclass
class CompareOutcome:
    """What :func:`compare` produced: the results, ``summary`` (summary.json), the run folder ``directory``,
    ``figures``, the file names of the figures in it, ``plot_seconds``, the time drawing them took, and ``replaced``:
    whether an earlier run was in that folder."""

    def __repr__(self) -> str:              # the summary runs to thousands of characters in a notebook
        from .results import seed_statistics

        # several seeds: each run's mean over them (a diverged or failed seed counts 0, as in the statistics)
        runs = ", ".join(f"{r['label']} {r['mean']:.4f}" + (f" ({r['n_not_ok']} of {r['n_seeds']} diverged or failed)"
                                                             if r["n_not_ok"] else "")
                         for r in seed_statistics(self.summary)) if self.summary.get("runs") else ""
        seeds = len(self.summary.get("seeds", [])) > 1
        mean = f"final test accuracy, mean over seeds {', '.join(map(str, self.summary['seeds']))}" if seeds else \
            "final test accuracy"
        data = (self.summary.get("dataset") or {}).get("name")       # mnist-5k where full MNIST was not found
        return f"CompareOutcome({str(self.directory)!r}, {data + ', ' if data else ''}{mean}: {runs})"

    result: CompareResult
    summary: dict[str, Any]
    directory: Path | None
    figures: list[str] = field(default_factory=list)
    plot_seconds: float = 0.0
    replaced: bool = False


def load_data(recipe: Recipe, progress: bool = False):
    """The recipe's dataset (``data_dir`` must exist when given); ``progress``: a download says so, with bars."""
    from .data import load_dataset
    from .data.datasets import check_named_folder

    check_named_folder(recipe.data_dir, recipe.dataset)
    return load_dataset(recipe.dataset, recipe.data_dir, progress=progress)


def output_directory(recipe: Recipe, out: str | os.PathLike | None = None) -> Path:
    """Where a comparison writes: ``out``, else ``runs/<recipe name>``; checked before any training.

    Without ``out`` the recipe name must be a plain folder name (it may not reach outside ``runs/`` or be
    ``runs/`` itself);
    the folder must be new, empty or an earlier compare run folder
    (see :func:`optimlab.results.store.check_output_dir`)."""
    return check_output_dir(out if out is not None else default_output_dir(recipe.name, "recipe"))


def draw_figures(result: CompareResult, directory: Path, lang: str = "en", dpi: int = 100) -> list[str]:
    """Every figure of a comparison into ``directory`` (PNG at ``dpi``); returns the file names."""
    from .viz.colors import colors_by_label
    from .viz.figures import comparison_figures, known_lrs, runs_by_label, save_figure     # matplotlib: lazily

    histories, optimizer_of = runs_by_label(result)          # as a notebook's figure of out.result reads it
    colors = colors_by_label(optimizer_of)
    names = []
    # the runs are in seed order (run_compare sorts them), so each run's figure shows its smallest seed
    for name, fig in comparison_figures(histories, min(result.recipe.seeds), lang, colors, known_lrs(result),
                                        dataset=result.dataset.get("name") or result.recipe.dataset,
                                        seeds=result.recipe.seeds):
        save_figure(fig, directory / name, dpi)
        names.append(name)
    return names


def compare(recipe: Recipe | str | os.PathLike | None = None, *, out: str | os.PathLike | None = None,
            lang: str = "en", plots: bool = True, report: bool = True, progress: bool = False,
            telemetry: bool = False, on_data: Callable[[Any], None] | None = None, dpi: int = 100,
            font_scale: float = 1.0, data: Any = None, **overrides: Any) -> CompareOutcome:
    """Run a comparison (default: the note's experiment) and write ``runs/<name>/`` (or ``out``).

    ``overrides`` are those of :func:`optimlab.experiment.apply_overrides` (``dataset``, ``optimizers``,
    ``iters``, ``seeds`` …); ``optimizers`` may also be optimizer objects, each a run with all its settings
    (``[make_optimizer("adam", beta1=0.5), make_optimizer("adam")]``: Adam (beta1=0.5) and Adam (beta1=0.9)). Everything is validated (the output folder too) and the data loaded before any
    directory is created; the directory appears only when complete, replacing an earlier run folder as a whole.
    ``dpi``: the PNG figures' resolution (100: 640 × 420 pixels for a note-style figure; 200 suits slides);
    ``font_scale``: their text size, 1 to 3 × the default (e.g. 1.6 for slides; see
    :func:`optimlab.viz.figures.font_scale`).

    ``on_data``: called with the dataset once loaded, before training; without it, the dataset's notice (auto's
    fallback to mnist-5k where full MNIST is not found) is an :class:`optimlab.errors.OptimlabWarning`.

    ``data``: arrays of one's own instead of a dataset name — anything :class:`optimlab.train.Trainer` takes
    (``{"x_train": …, "y_train": …, "x_test": …, "y_test": …}``, with ``"scale"`` for integer pixels and ``"name"``
    for the figures and the report; load_mnist()'s pairs; a Dataset). summary.json records their sizes and SHA-256,
    recipe.toml ``dataset = "arrays"``: running it again takes the same ``data=``.
    """
    check_lang(lang)
    _check_arguments(recipe, out, on_data, plots=plots, report=report, progress=progress, telemetry=telemetry)
    from .viz.figures import check_dpi, check_font_scale

    dpi = check_dpi(dpi)
    font_scale = check_font_scale(font_scale)
    accepted = [n for n in inspect.signature(apply_overrides).parameters if n != "recipe"]
    others = [n for n, q in inspect.signature(compare).parameters.items() if q.kind is q.KEYWORD_ONLY]
    for key in overrides:
        if key not in accepted:     # iter=30, seed=1 (the CLI's --seed): a hint as the CLI gives one (a review)
            near = "; did you mean 'seeds'?" if key == "seed" else did_you_mean(key, accepted + others)
            raise ConfigError(f"unknown option for compare: {key!r} (accepted: {', '.join(accepted)}; "
                              f"{', '.join(others)}{near})")
    own = None
    if data is not None:
        from .data.own import OWN_DATA, OwnData

        named = [f"{k}={overrides[k]!r:.40}" for k in ("dataset", "data_dir") if overrides.get(k) is not None]
        if named:
            raise ConfigError(f"invalid data: given with {' and '.join(named)} (accepted: one of them — data=arrays "
                              "of one's own, or dataset=a name)")
        own = OwnData.of(data)          # checked before any folder is made, as a dataset is loaded first
        overrides["dataset"] = OWN_DATA
    given_recipe = recipe
    base = recipe if isinstance(recipe, Recipe) else load_recipe(recipe) if recipe is not None else default_recipe()
    given = overrides.get("optimizers")
    if isinstance(given, Optimizer):
        given = [given]
    elif not isinstance(given, (str, bytes, dict, type(None))) and hasattr(given, "__iter__"):
        given = list(given)                         # read once: a generator lost its first item to a check
    if given is not None:
        overrides["optimizers"] = given
    if isinstance(given, list) and any(isinstance(o, Optimizer) for o in given):
        base = dataclasses.replace(base, runs=_runs_of(given))
        del overrides["optimizers"]
    recipe = apply_overrides(base, **overrides)
    what = repr(str(given_recipe)) if isinstance(given_recipe, (str, os.PathLike)) else "the recipe"
    for text in other_optimizer_code(recipe, what):   # a plugin edited since the run whose recipe.toml this is: it
        warnings.warn(text, OptimlabWarning, stacklevel=2)     # trained without a word (a plugin author's review)
    if text := other_source(recipe.source_sha256, what):      # optimlab's own code changed since (a researcher's
        warnings.warn(text, OptimlabWarning, stacklevel=2)     # review: a sampler's edit changed numbers unsaid)
    if own is not None:     # a recipe file's folder is not where these came from; its digest is of arrays like them
        recipe = dataclasses.replace(recipe, data_dir=None,
                                     data_sha256=base.data_sha256 if base.dataset == OWN_DATA else None)
    target = output_directory(recipe, out)
    try:
        with output_lock(target):              # one compare at a time into a folder, from its check to the swap
            output_directory(recipe, out)      # again under the lock: another compare may have written it meanwhile
            return _compare_locked(recipe, target, lang, plots, report, progress, telemetry, on_data, dpi,
                                   font_scale, own)
    except KeyboardInterrupt as e:             # a notebook's stop button: one line, not 50 of training's frames (a
        stopped = f"compare() stopped; nothing half-written is left in {str(target)!r}"      # teacher's review)
        if getattr(e, "written", None):        # it came during the swap, which finished first
            stopped = f"compare() stopped after its results were written whole to {str(target)!r}"
        stop = type(e)(stopped)
        stop.written, stop.failed = getattr(e, "written", None), getattr(e, "failed", None)
        raise stop from None


def _check_arguments(recipe: Any, out: Any, on_data: Any, **switches: Any) -> None:
    """One-line ConfigErrors for arguments of the wrong kind, before anything trains: ``out=False`` or a dict as the
    recipe raised TypeError from deep in pathlib, ``on_data=5`` after loading the data, and ``plots="no"`` drew the
    figures (a notebook user's review)."""
    path = (str, os.PathLike)
    if recipe is not None and not isinstance(recipe, (Recipe, *path)):
        raise ConfigError(f"invalid recipe: {recipe!r:.60} (accepted: a path to a .toml file, a Recipe, or None for the "
                          "note's experiment; a recipe's settings as keywords: compare(iters=300, …))")
    if out is not None and not isinstance(out, path):
        raise ConfigError(f"invalid out: {out!r:.60} (accepted: a folder's path, or None for runs/<recipe name>)")
    if on_data is not None and not callable(on_data):
        raise ConfigError(f"invalid on_data: {on_data!r:.60} (accepted: a function of the data, or None)")
    for name, value in switches.items():
        if not isinstance(value, (bool, np.bool_)):
            raise ConfigError(f"invalid {name}: {value!r:.60} (accepted: True or False)")


def _runs_of(optimizers: list) -> tuple[RunSpec, ...]:
    """The runs of ``compare(optimizers=[make_optimizer("adam", beta1=0.5), make_optimizer("adam")])``: one per
    object, with every hyperparameter it has, labelled as a landscape labels its paths (``Adam (beta1=0.5)``), on the
    recipe's network."""
    from .viz.landscape import setting_labels

    load_plugins()                                  # a plugin's class made directly is registered by now
    for o in optimizers:
        if not isinstance(o, Optimizer):
            raise ConfigError(f"invalid optimizers: {o!r} among optimizer objects (accepted: names, e.g. ['sgd', "
                              "'adam'], or objects, e.g. [make_optimizer('adam', beta1=0.5), make_optimizer('adam')])")
        if OPTIMIZERS.get(o.name) is not type(o):
            raise ConfigError(f"invalid optimizers: {type(o).__name__} is not registered as {o.name!r} (accepted: "
                              f"optimizers in OPTIMIZERS; OPTIMIZERS[{o.name!r}] = {type(o).__name__} registers it)")
    items = [(o.name, o, o.made_with_preset or "note") for o in optimizers]
    return tuple(RunSpec(display_name(name) + label[len(name):], name, preset, o.hyperparameters())
                 for (name, o, preset), (label, _) in zip(items, setting_labels(items, "run")))


def _compare_locked(recipe: Recipe, target: Path, lang: str, plots: bool, report: bool, progress: bool,
                    telemetry: bool, on_data: Callable[[Any], None] | None, dpi: int, scale: float,
                    own: Any = None) -> CompareOutcome:
    data = own if own is not None else load_data(recipe, progress=progress)
    check_same_data(data.sha256, recipe.data_sha256, "the recipe")
    recipe = dataclasses.replace(recipe, data_sha256=data.sha256)     # recipe.toml records the data trained on
    recipe.train.check_data(len(data.y_train), data.name)
    if own is None:
        from .data.datasets import chosen

        name, data_dir = chosen(recipe.dataset, recipe.data_dir, data)      # recipe.toml records the data used
        if name == "idx" and data_dir is None and data.source:  # read from $OPTIMLAB_DATA: the recipe failed without
            data_dir = os.path.abspath(data.source)              # the variable, or trained on the folder it named
                                                                 # then (a sweep's workers keep their own)
        recipe = dataclasses.replace(recipe, dataset=name, data_dir=data_dir)
    if on_data is not None:
        on_data(data)
    elif getattr(data, "notice", None):     # auto's fallback to mnist-5k: the command line prints it (its on_data); in
        warnings.warn(data.notice, OptimlabWarning, stacklevel=3)      # a notebook it was only in summary.json (a
                                                                       # review: "MNIST" numbers from 4,000 images)
    telemetry_factory = None
    if telemetry:
        from .viz.telemetry import Telemetry

        telemetry_factory = Telemetry.for_cohort
    result = run_compare(recipe, data, progress=progress, telemetry_factory=telemetry_factory, lang=lang)
    outcome = CompareOutcome(result, {}, target, replaced=target.is_dir() and any(target.iterdir()))
    failed = [r for r in result.runs if r.history.status == "failed"]
    if outcome.replaced and failed and len(failed) == len(result.runs):    # a record of errors for a good run: no
        own = failed[own_error_first([r.history.error for r in failed])]          # the run whose rule raised
        first = (str(own.history.error or "").strip().splitlines() or ["unknown error"])[0]
        alike = [r.spec.label for r in failed if r.history.error == own.history.error]     # trained together
        names = ", ".join(dict.fromkeys(alike))
        raise OptimlabError(f"all {len(failed)} runs failed ({names}: {first}); the run in {target} was kept "
                            "(accepted: a recipe whose runs train; --out NEW keeps their errors in summary.json)")
    from .viz.figures import font_scale

    with staged_directory(target) as stage:
        t0 = time.perf_counter()
        with font_scale(scale):
            if plots:
                outcome.figures = draw_figures(result, stage, lang, dpi)
            if telemetry_factory is not None:
                from .viz.telemetry import write_telemetry

                outcome.figures += write_telemetry(result, stage, lang, dpi)
        outcome.plot_seconds = time.perf_counter() - t0
        extra = {"figure_font_scale": scale} if scale != 1 else {}      # a report in another language redraws so
        outcome.summary = write_results(result, stage, lang=lang, figures=outcome.figures, figure_dpi=dpi,
                                        plot_seconds=round(outcome.plot_seconds, 3), **extra)
        if report:
            from .viz.report import write_report

            write_report(stage, lang=lang, shown_as=target)
    return outcome
