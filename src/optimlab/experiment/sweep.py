"""Learning-rate sweeps: tune every optimizer on a validation split, then report on fresh seeds.

The protocol (after DeepOBS, AlgoPerf and Schmidt et al., "Descending through a Crowded Valley"):

1. **tune** — every optimizer × learning rate (a log grid) × architecture variant × tuning seed trains on the
   training set minus a held-out validation split (:mod:`optimlab.experiment.splits`);
2. **select** — each optimizer's learning rate is the one with the best *mean final validation accuracy*
   over the tuning seeds (a run that diverged or failed counts as accuracy 0); the test set is never used;
3. **test** — the chosen learning rate, and the note's default for comparison, train again on *fresh* seeds
   (disjoint from the tuning seeds); their test accuracy is what the sweep reports.

Runs that share a seed and an architecture are one task: a cohort trained in lockstep by
:class:`optimlab.train.Trainer` (same initial weights, same minibatches: common random numbers). Tasks go
through one futures interface (:mod:`optimlab.experiment.executors`): local processes or Dask.

Layout of ``runs/<name>/``::

    sweep.toml                the spec actually run
    <run-id>/config.json      what the run is (dataset hash, split, net, protocol, optimizer, seed)
    <run-id>/metrics.csv      its curves (loss, test_acc, train_acc, val_acc, wall_s)
    <run-id>/status.json      written last: a run is complete iff this exists and matches config.json
    table.csv                 one row per run (table.parquet too when pyarrow is installed)
    summary.json              "kind": "sweep": tuned lrs, defaults vs tuned, sensitivity, time to target
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import json
import math
import os
import socket
import time
import tomllib
import warnings
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timezone
from importlib import resources
from itertools import product
from pathlib import Path
from typing import Any, Iterator, Sequence

import numpy as np

from .. import __version__
from .._io import (atomic_paths, exclusive_lock, json_default, json_text, left_for, made_folder, read_json,
                   signals_held, text_table, write_json, write_text)
from .._source import SOURCE_KEY, other_source, source_sha256
from ..console import LANGS, check_lang, say, setting_text
from ..data.datasets import chosen
from ..errors import ConfigError, FileFormatError, OptimlabError, OptimlabWarning, own_error_first
from ..optim import (BUILT_IN, OPTIMIZERS, PRESETS, in_a_file, make_optimizer, optimizer_names,
                     stack_hyperparameters)
from ..nn.network import check_memory, layout
from ..optim.base import check_value
from ..optim.checks import check_elementwise
from ..optim.codehash import code_records, code_sha256
from ..results.stats import (MIN_SEEDS_TO_SETTLE, accuracy_step, accuracy_text, learned_floor, learned_margin, mean_ci,
                             paired, signed)
from ..train import History, NetConfig, TrainConfig, Trainer, read_metrics, write_metrics_csv
from ..train.loop import usable_cpus
from .compare import failed_errors
from .executors import (Executor, ExecutorLost, LocalExecutor, SerialExecutor, default_workers, lost_executor,
                        worker_setup)
from .recipe import (MAX_SEED, check_data_sha256, check_net, check_same_data, check_source_sha256, check_table,
                     is_integer, parse_net, parse_seeds, parse_train, read_toml)
from .splits import SPLIT_SEED, VAL_FRACTION, VAL_MAX, split_dataset, validation_size


def other_code_kept(directory: Path, runs: Sequence[tuple[str, str]]) -> str:
    """The warning for complete runs kept in a resumed sweep that other optimlab code trained (``runs``: run id and
    the source digest its status.json records, ``''`` where an earlier optimlab recorded none): the table then mixes
    two versions' numbers."""
    first, source = runs[0]
    there = f"{source[:12]}…" if source else "not recorded"
    return (f"{len(runs)} of the runs already complete in {str(directory)!r} ({first}{', …' if len(runs) > 1 else ''}) "
            f"were trained by other optimlab code (source SHA-256 {there} there, {source_sha256()[:12]}… now) "
            "and are kept, so the sweep's results can mix two versions' numbers: a new --out trains every run with "
            "this code")


def trained_by(workers: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The code and arithmetic that trained a sweep's runs (``workers``: each run's status.json ``worker``), as groups
    ``{optimlab_source_sha256, arithmetic, runs, example}``, the largest first: one group for a sweep trained in one
    go; more where a resumed sweep kept runs of other code or of another machine's kernels (summary.json named only
    the code that wrote it, which had trained none of them: a reproducibility review). ``arithmetic`` is None for runs
    of an optimlab that did not record it."""
    groups: dict[str, dict[str, Any]] = {}
    for run_id, w in workers.items():
        key = json.dumps([w.get(SOURCE_KEY), w.get("arithmetic")], sort_keys=True)
        g = groups.setdefault(key, {SOURCE_KEY: w.get(SOURCE_KEY), "arithmetic": w.get("arithmetic"), "runs": 0,
                                    "example": run_id})
        g["runs"] += 1
    return sorted(groups.values(), key=lambda g: -g["runs"])


ARITHMETIC_KEYS = ("numpy", "blas", "numpy_simd")    # what decides the last bits; cpu_settings only chooses them (an
#                                                      OPENBLAS_CORETYPE naming the kernel chosen anyway changes none)


def arithmetics(groups: list[dict[str, Any]]) -> list[tuple[dict[str, Any], int, str]]:
    """``trained_by``'s groups by what decides the last bits (:data:`ARITHMETIC_KEYS`): ``(arithmetic, runs, an
    example run)`` each, the largest first; runs that recorded none are left out."""
    seen: dict[str, list] = {}
    for g in groups:
        a = g.get("arithmetic")
        if isinstance(a, dict):
            key = json.dumps({k: a.get(k) for k in ARITHMETIC_KEYS}, sort_keys=True)
            seen.setdefault(key, [a, 0, g["example"]])[1] += g["runs"]
    return sorted((tuple(v) for v in seen.values()), key=lambda v: -v[1])


def other_arithmetic(directory: Path, found: list[tuple[dict[str, Any], int, str]]) -> str:
    """The warning for a sweep whose runs were trained under different BLAS kernels or NumPy SIMD loops (``found``:
    :func:`arithmetics`, two or more)."""
    from ..results.store import arithmetic_text     # here: results.store imports this module

    def runs(n: int, example: str) -> str:
        return f"1 run ({example})" if n == 1 else f"{n} runs (e.g. {example})"

    (a1, n1, e1), (a2, n2, e2) = found[:2]
    rest, k = found[2:], sum(n for _, n, _ in found[2:])
    more = f"; and {len(rest)} other arithmetic setup{'s' * (len(rest) > 1)} ({k} run{'s' * (k > 1)})" if rest else ""
    return (f"the runs in {str(directory)!r} were trained with different arithmetic: {runs(n1, e1)} with "
            f"{arithmetic_text(a1)}; {runs(n2, e2)} with {arithmetic_text(a2)}{more}. Their last bits, and a chaotic "
            "run's accuracies with them, can differ as with other code: a new --out trains every run here")


class TuningFailed(OptimlabError):
    """Tuning runs of a sweep failed (an error, or a worker that died with no retry left): no learning rate is chosen
    from them, since a failed run scores 0; their runs are recorded, and the same command trains them again."""


TEST_SEED_OFFSET = 1000     # default test seeds: 1000, 1001, ... (as many as tuning seeds), never tuned on
SELECTION_RULE = ("best mean final validation accuracy over the tuning seeds; diverged/failed runs count as 0; a tie "
                  "goes to the smaller lr")
COMPLETE = ("ok", "diverged")  # statuses of a finished run; 'failed' runs are tried again on resume
RETRIES = 2                 # resubmissions of a task whose worker died


# ---------------------------------------------------------------------------------------------------------
# The spec


MAX_LRS = 1000          # learning rates in one grid (with 5 optimizers and 3 seeds: 15,000 runs)


def lr_grid(lo: float, hi: float, n: int) -> tuple[float, ...]:
    """``n`` log-spaced learning rates from ``lo`` to ``hi`` (6 significant digits, so ids and tables read well)."""
    return tuple(float(f"{x:.6g}") for x in np.logspace(math.log10(lo), math.log10(hi), n))


def parse_lrs(value: Any) -> tuple[float, ...]:
    """Learning rates from ``'LO:HI:N'`` (a log grid), a list ``'0.001,0.01'`` / ``[0.001, 0.01]`` or one number."""
    accepted = (f"LO:HI:N with 0 < LO <= HI and 1 <= N <= {MAX_LRS}, N = 1 only when LO = HI (e.g. 1e-4:1:9), "
                f"or a list like 0.001,0.01 of at most {MAX_LRS}")
    try:
        if isinstance(value, str) and ":" in value:
            parts = value.split(":")
            if len(parts) != 3:
                raise ValueError
            lo, hi, n_text = float(parts[0]), float(parts[1]), parts[2].strip()
            n = int(n_text)
            if not (0 < lo <= hi and math.isfinite(hi) and 1 <= n <= MAX_LRS) or (n == 1 and lo != hi):
                raise ValueError
            lrs = lr_grid(lo, hi, n)
        elif isinstance(value, str):
            lrs = tuple(float(x) for x in value.split(","))    # "0.1,,1": an error, not 0.1,1
        elif isinstance(value, (list, tuple)):
            lrs = tuple(_float(x) for x in value)
        else:
            lrs = (_float(value),)
    except (TypeError, ValueError):
        raise ConfigError(f"invalid learning-rate grid: {value!r} (accepted: {accepted})") from None
    if not lrs or len(lrs) > MAX_LRS or len({f"{lr:.6g}" for lr in lrs}) != len(lrs):   # ids: 6 significant digits
        raise ConfigError(f"invalid learning-rate grid: {value!r} (accepted: {accepted}; no repeats, distinct "
                          "to 6 significant digits)")
    for lr in lrs:
        if not (math.isfinite(lr) and lr > 0):
            raise ConfigError(f"invalid learning rate: {lr!r} in {value!r} (accepted: finite numbers > 0)")
    return tuple(sorted(lrs))


def _float(x: Any) -> float:
    if isinstance(x, bool):                    # float(True) is 1.0: a bool is not a number here
        raise TypeError
    return float(x)


def _floats(value: Any, what: str, accepted: str) -> tuple[float, ...]:
    try:
        items = value.split(",") if isinstance(value, str) else value if isinstance(value, (list, tuple)) else [value]
        return tuple(_float(x) for x in items)          # an empty item is an error, not left out
    except (TypeError, ValueError):
        shown = ",".join(map(str, value)) if isinstance(value, (list, tuple)) else value   # as it was typed
        raise ConfigError(f"invalid {what}: {shown!r} (accepted: {accepted})") from None


@dataclass(frozen=True)
class SweepSpec:
    """A sweep as data. Defaults: the note's network and protocol, evaluated every 100 iterations."""

    name: str = "sweep"                                          # output folder runs/<name>
    dataset: str = "auto"                                        # see optimlab.data.load_dataset
    data_dir: str | None = None
    data_sha256: str | None = None                               # the data trained on (a sweep folder's sweep.toml):
                                                                 # other data are refused
    optimizers: tuple[str, ...] = tuple(c.name for c in BUILT_IN)  # the five of the note (not a plugin's)
    lrs: tuple[float, ...] = lr_grid(1e-4, 1.0, 9)              # 1e-4:1:9
    seeds: tuple[int, ...] = (0, 1, 2)                          # tuning seeds
    test_seeds: tuple[int, ...] | None = None                   # fresh seeds; None: 1000, 1001, ... (len(seeds))
    targets: tuple[float, ...] = (0.8, 0.9)                     # validation accuracies for time-to-target
    preset: str = "note"                                         # conventions of the optimizers (optimlab.optim)
    train: TrainConfig = TrainConfig(eval_interval=100)          # the note's 1000 iterations of batch 100
    net: NetConfig = NetConfig()                                 # the note's MultiLayerNet
    batchnorm: tuple[bool, ...] | None = None                    # grid axes; None: the net's setting only
    activation: tuple[str, ...] | None = None
    init: tuple[float | str, ...] | None = None
    val_fraction: float = VAL_FRACTION                           # validation split: 10 % of the training set ...
    val_max: int = VAL_MAX                                       # ... or 5,000 examples, whichever is smaller
    split_seed: int = SPLIT_SEED
    chunks: int | None = None                                    # tasks per cohort; None: from the worker count
    # optimlab's code (a sweep folder's sweep.toml): other code is warned of; not a setting, so not in ==
    source_sha256: str | None = field(default=None, compare=False)

    def __post_init__(self):
        set_ = lambda k, v: object.__setattr__(self, k, v)  # noqa: E731 - normalizing a frozen dataclass
        set_("optimizers", optimizer_names(self.optimizers))
        check_data_sha256(self.data_sha256)
        # "1e-4:1:9", "0-2" and 0.1 as on the command line; any other iterable (a set, a generator) as a list
        as_given = lambda v: v if isinstance(v, (str, bytes)) or not hasattr(v, "__iter__") else list(v)  # noqa: E731
        set_("lrs", parse_lrs(as_given(self.lrs)))
        set_("seeds", parse_seeds(as_given(self.seeds)))
        test = parse_seeds(as_given(self.test_seeds)) if self.test_seeds is not None else \
            tuple(TEST_SEED_OFFSET + i for i in range(len(self.seeds)))
        if set(test) & set(self.seeds):
            free = max(max(test), max(self.seeds)) + 1            # a suggestion that overlaps neither
            which = "test seeds" if self.test_seeds is not None else f"the default test seeds ({TEST_SEED_OFFSET} on)"
            # --test-seeds 100 meant as seed 100 is seeds 0-99 (a Japanese student's review): say how to write that
            raw = self.test_seeds           # a bare count, as typed (not a range 0-4 written out: a code review)
            bare = isinstance(raw, (int, np.integer)) and not isinstance(raw, bool) or \
                isinstance(raw, str) and raw.strip().isdigit()
            alone = f"; for seed {len(test)} alone write {len(test)}-{len(test)}" if bare and len(test) > 1 else ""
            raise ConfigError(f"{which} {_seed_text(test)} overlap the tuning seeds {_seed_text(self.seeds)} "
                              f"(accepted: disjoint seeds, e.g. --test-seeds {free}-{free + len(test) - 1}; a bare "
                              f"number N is a count, seeds 0 to N-1{alone})")
        set_("test_seeds", test)
        targets = _floats(self.targets, "targets", "accuracies in (0, 1], e.g. 0.8,0.9")
        if not targets:                 # targets = [] in a recipe (shown as '')
            raise ConfigError("invalid targets: none given (accepted: at least one accuracy in (0, 1], e.g. 0.8,0.9)")
        if not all(0 < t <= 1 for t in targets) or len(set(targets)) != len(targets):
            shown = ",".join(str(t) for t in self.targets) if isinstance(self.targets, (tuple, list)) else self.targets
            raise ConfigError(f"invalid targets: {shown!r} (accepted: distinct accuracies in (0, 1], e.g. 0.8,0.9)")
        set_("targets", tuple(sorted(set(targets))))
        if self.preset not in PRESETS:
            raise ConfigError(f"unknown preset: {self.preset!r} (accepted: {', '.join(PRESETS)})")
        for axis in ("batchnorm", "activation", "init"):
            v = getattr(self, axis)
            if v is not None:
                v = tuple(bool(x) if isinstance(x, np.bool_) else x for x in v)    # np.array([True, False])
                if not v:
                    raise ConfigError(f"empty {axis} axis (accepted: at least one value)")
                if len(set(v)) != len(v):
                    shown = ",".join(map(str, v))          # as typed, not a tuple
                    raise ConfigError(f"invalid {axis} axis: {shown!r} (accepted: distinct values; no repeats)")
                set_(axis, v)
        for net in self.variants():
            check_net(net)
        for o in self.optimizers:               # a rule the trainer refuses: here, not in every run of every worker
            check_elementwise(make_optimizer(o, self.preset))
        for o, lr in product(self.optimizers, self.lrs):
            stack_hyperparameters([make_optimizer(o, self.preset, lr=lr)], dtype=self.train.dtype)  # fits the dtype
            default = OPTIMIZERS[o]().lr         # the test stage trains it too, in a folder named to 6 digits
            if lr != default and f"{lr:.6g}" == f"{default:.6g}":
                raise ConfigError(f"invalid learning rate: {lr!r} is {o}'s default {default:g} to 6 significant "
                                  "digits, which names the run folders (accepted: the default itself, or an lr "
                                  "distinct from it to 6 digits)")
        if self.chunks is not None and (not is_integer(self.chunks) or self.chunks < 1):
            raise ConfigError(f"invalid chunks: {self.chunks!r} (accepted: an integer >= 1)")
        validation_size(2, self.val_fraction, self.val_max)     # the split's fraction and max_size, checked now
        check_value(is_integer(self.split_seed) and 0 <= self.split_seed < MAX_SEED, "split seed", self.split_seed,
                    "an integer in [0, 2**32)")

    def variants(self) -> list[NetConfig]:
        """Every architecture of the grid (batchnorm × activation × init over the base network)."""
        axes = [(k, getattr(self, k) or (getattr(self.net, k),)) for k in ("batchnorm", "activation", "init")]
        return [replace(self.net, **dict(zip([k for k, _ in axes], values)))
                for values in product(*[v for _, v in axes])]

    def varying(self) -> list[str]:
        return [k for k in ("batchnorm", "activation", "init") if len(getattr(self, k) or ()) > 1]

    def to_toml_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"name": self.name, "dataset": self.dataset}
        if self.data_dir:
            d["data_dir"] = self.data_dir
        if self.data_sha256:
            d["data_sha256"] = self.data_sha256
        d.update(optimizers=list(self.optimizers), lrs=list(self.lrs), seeds=list(self.seeds),
                 test_seeds=list(self.test_seeds), targets=list(self.targets), preset=self.preset)
        if self.chunks is not None:
            d["chunks"] = self.chunks
        d["split"] = {"fraction": self.val_fraction, "max_size": self.val_max, "seed": self.split_seed}
        d[SOURCE_KEY] = source_sha256()                  # the code that writes it: sweep.toml is the spec as run
        d["train"] = asdict(self.train)
        d["net"] = {**asdict(self.net), "hidden": list(self.net.hidden)}
        grid = {k: list(getattr(self, k)) for k in ("batchnorm", "activation", "init") if getattr(self, k)}
        if grid:
            d["grid"] = grid
        return d

    def to_toml(self) -> str:
        import tomli_w

        return tomli_w.dumps(self.to_toml_dict())


# TOML types of the keys (kinds of optimlab.experiment.recipe.KINDS; None: checked by parse_seeds)
SPEC_TYPES = {"name": "string", "dataset": "string", "data_dir": "string", "data_sha256": "string",
              "optimizers": "strings", "lrs": "numbers", "seeds": None, "test_seeds": None, "targets": "numbers",
              "preset": "string", "chunks": "int", SOURCE_KEY: "string",
              "split": "table", "train": "table", "net": "table", "grid": "table"}
SPLIT_TYPES = {"fraction": "number", "max_size": "int", "seed": "int"}
GRID_TYPES = {"batchnorm": "bools", "activation": "strings", "init": "inits"}
SPEC_KEYS = tuple(SPEC_TYPES)


def parse_sweep_spec(doc: dict[str, Any], where: str = "sweep recipe") -> SweepSpec:
    """A :class:`SweepSpec` from a TOML document (see ``optimlab/recipes/sweep.toml``)."""
    if "runs" in doc or "optimizer_code" in doc:    # a compare recipe: "unknown key 'optimizer_code' … did you mean
        use = f"optimlab compare --recipe {where}" if where.endswith(".toml") else "parse_recipe and compare"
        raise ConfigError(f"{where} is a recipe of optimlab compare, not a sweep recipe (accepted: {use}; a sweep "
                          "recipe has lrs and seeds, as sweep.toml in a sweep folder)")
    check_table(doc, SPEC_TYPES, where)
    split, grid = doc.get("split", {}), doc.get("grid", {})
    check_table(split, SPLIT_TYPES, f"{where} [split]")
    check_table(grid, GRID_TYPES, f"{where} [grid]")
    kw: dict[str, Any] = {k: doc[k] for k in ("name", "dataset", "data_dir", "data_sha256", "preset", "chunks")
                          if k in doc}
    if "optimizers" in doc:
        kw["optimizers"] = tuple(doc["optimizers"]) if isinstance(doc["optimizers"], list) else \
            tuple(doc["optimizers"].split(","))
    if "lrs" in doc:
        kw["lrs"] = parse_lrs(doc["lrs"])
    for k in ("seeds", "test_seeds"):
        if k in doc:
            kw[k] = parse_seeds(doc[k])
    if "targets" in doc:
        kw["targets"] = _floats(doc["targets"], "targets", "accuracies in (0, 1], e.g. [0.8, 0.9]")
    kw["source_sha256"] = check_source_sha256(doc.get(SOURCE_KEY), where)
    kw["train"] = parse_train(doc.get("train", {}), f"{where} [train]", eval_interval=100)
    kw["net"] = parse_net(doc.get("net", {}), f"{where} [net]")
    for k in ("batchnorm", "activation", "init"):
        if k in grid:
            kw[k] = tuple(grid[k]) if isinstance(grid[k], list) else (grid[k],)
    for key, name in (("fraction", "val_fraction"), ("max_size", "val_max"), ("seed", "split_seed")):
        if key in split:
            kw[name] = split[key]
    try:
        return SweepSpec(**kw)
    except ConfigError as e:                # the file says which (a plugin's optimizer, uninstalled since, was
        raise ConfigError(f"{where}: {in_a_file(e)}") from None     # "unknown optimizer: 'nesterov'" and nothing more)


def default_sweep_spec() -> SweepSpec:
    """The shipped sweep (``optimlab/recipes/sweep.toml``)."""
    text = resources.files("optimlab").joinpath("recipes/sweep.toml").read_text(encoding="utf-8")
    return parse_sweep_spec(tomllib.loads(text), "sweep.toml")


def load_sweep_spec(path: str | os.PathLike) -> SweepSpec:
    """The :class:`SweepSpec` a sweep TOML file describes (the shipped ``optimlab/recipes/sweep.toml``, or a sweep
    folder's ``sweep.toml``, which names the data it trained on); a one-line ConfigError naming the file and key
    for anything it cannot use; a warning when the file records other optimlab code than this (a sweep folder's
    sweep.toml written by another version: the numbers can differ). A dict of the same keys: :func:`parse_sweep_spec`."""
    spec = parse_sweep_spec(read_toml(path, "sweep recipe"), str(path))
    if text := other_source(spec.source_sha256, repr(str(path))):
        warnings.warn(text, OptimlabWarning, stacklevel=2)
    return spec


# ---------------------------------------------------------------------------------------------------------
# Runs and tasks


def _net_suffix(net: NetConfig) -> str:
    """A stable id part for the architecture settings a grid can vary (empty for the note's)."""
    default, parts = NetConfig(), []
    if net.batchnorm != default.batchnorm:
        parts.append("bn" if net.batchnorm else "nobn")
    if net.activation != default.activation:
        parts.append(net.activation)
    if net.init != default.init:
        parts.append(f"init{net.init}")
    return "".join(f"-{p}" for p in parts)


@dataclass(frozen=True)
class RunKey:
    """One run of the sweep: stage, optimizer, learning rate, seed and architecture."""

    stage: str
    optimizer: str
    lr: float
    seed: int
    net: NetConfig

    @property
    def run_id(self) -> str:
        return f"{self.stage}-{self.optimizer}-lr{self.lr:.6g}-s{self.seed}{_net_suffix(self.net)}"


def tune_keys(spec: SweepSpec, net: NetConfig) -> list[RunKey]:
    """The tuning runs of one architecture: every seed, optimizer and grid lr."""
    return [RunKey("tune", o, lr, s, net) for s in spec.seeds for o in spec.optimizers for lr in spec.lrs]


def fresh_keys(spec: SweepSpec, net: NetConfig, lrs: dict[str, float]) -> list[RunKey]:
    """The fresh seeds' runs of one architecture: each optimizer in ``lrs`` at its tuned lr there and its note lr."""
    return [RunKey("test", o, lr, s, net) for s in spec.test_seeds for o in spec.optimizers if o in lrs
            for lr in dict.fromkeys((lrs[o], OPTIMIZERS[o]().lr))]


def fresh_runs_at_most(spec: SweepSpec) -> int:
    """The fresh seeds' runs of one architecture before the lrs are chosen: two per optimizer and seed (the tuned lr and
    the note's), one where every lr of the grid is the note's."""
    return len(spec.test_seeds) * sum(max(len({lr, OPTIMIZERS[o]().lr}) for lr in spec.lrs) for o in spec.optimizers)


def sweep_run_ids(spec: SweepSpec) -> set[str]:
    """The run folders ``spec`` may write: every tuning run, and a fresh seed's run of each optimizer at any lr it
    could be tuned to (the grid's) or its note lr."""
    ids = set()
    for net in spec.variants():
        ids |= {k.run_id for k in tune_keys(spec, net)}
        for lr in spec.lrs:                     # every optimizer tuned to lr
            ids |= {k.run_id for k in fresh_keys(spec, net, dict.fromkeys(spec.optimizers, lr))}
    return ids


@dataclass(frozen=True)
class SweepTask:
    """What a worker needs to train one cohort (plain data: pickles small; the dataset is loaded by name)."""

    dataset: str
    data_dir: str | None
    sha256: str
    split: tuple[float, int, int]           # fraction, max_size, seed
    seed: int
    net: NetConfig
    train: TrainConfig
    preset: str
    runs: tuple[tuple[str, str, float], ...]  # (run_id, optimizer, lr)
    test_set: bool = True                     # False for tuning runs: they never see the test set
    codes: tuple[tuple[str, str, str], ...] = ()   # (optimizer, class, code SHA-256) where the sweep started
    eval_threads: int = 1                     # the Trainer's (task_eval_threads): 0 evaluates in the training thread


_DATA_CACHE: dict[tuple, Any] = {}


def _data_key(dataset: str, data_dir: str | None, split: tuple[float, int, int]) -> tuple:
    """The data cache's key. A file or folder of one's own may change between two sweeps of one process (a
    notebook's): the size and times of the file, or of the folder's files, are part of it (a changed .npz trained
    the driver's old copy beside workers that read the new one)."""
    stamp = None
    if data_dir is not None:
        try:
            where = os.path.expanduser(data_dir)
            entries = [Path(where)] if os.path.isfile(where) else \
                sorted(Path(e.path) for e in os.scandir(where) if e.is_file())
            stamp = tuple((p.name, st.st_size, st.st_mtime_ns, st.st_ctime_ns) for p in entries
                          for st in [p.stat()])
        except OSError:         # not there (yet): loading says so
            stamp = None
    return (dataset, data_dir, split, stamp)


def task_data(dataset: str, data_dir: str | None, split: tuple[float, int, int]):
    """The split dataset, loaded once per process (a worker keeps it for every later task)."""
    key = _data_key(dataset, data_dir, split)
    if key not in _DATA_CACHE:
        from ..data import load_dataset

        for old in [k for k in _DATA_CACHE if k[:3] == key[:3]]:      # the same data before it changed: not kept
            del _DATA_CACHE[old]

        _DATA_CACHE[key] = split_dataset(load_dataset(dataset, data_dir), *split)
    return _DATA_CACHE[key]


DATA_CHANGED = "the data changed during the sweep"     # a worker's error: its data are not the driver's


def train_task(task: SweepTask) -> dict[str, Any]:
    """Train one cohort on a worker. A cohort that raises is returned as failed runs with the error."""
    setup = worker_setup()
    t0 = time.perf_counter()
    labels = [r[0] for r in task.runs]
    try:
        with warnings.catch_warnings():     # the data's warnings, said where the sweep started (a worker's came as
            warnings.simplefilter("ignore", OptimlabWarning)    # Python's two-line form, once per worker and task)
            data = task_data(task.dataset, task.data_dir, task.split)
        if task.sha256 and data.sha256 != task.sha256:
            raise ConfigError(f"dataset {task.dataset!r} on this worker has SHA-256 {data.sha256[:12]}…, "
                              f"not {task.sha256[:12]}… as where the sweep started: {DATA_CHANGED}")
        optimizers = [make_optimizer(o, task.preset, lr=lr) for _, o, lr in task.runs]
        check_codes(task.codes, optimizer_codes([o for _, o, _ in task.runs]))
        with warnings.catch_warnings():     # the process that started the sweep checked every rule (RuleWarning is
            warnings.simplefilter("ignore", OptimlabWarning)    # one) and the data, and said what it found
            trainer = Trainer(data, optimizers, labels, net=task.net, train=task.train, seed=task.seed, val=data.val,
                              test=task.test_set)
        histories = trainer.run(blas_threads=1, eval_threads=task.eval_threads)   # one process per core
    except Exception as e:  # noqa: BLE001 - recorded, not swallowed: each run's status says what happened
        histories = [History(label, status="failed", error=err) for label, err in zip(labels, failed_errors(labels, e))]
    return {"histories": [h.to_dict() for h in histories], "seconds": time.perf_counter() - t0,
            "worker": {"host": socket.gethostname(), SOURCE_KEY: source_sha256(), "arithmetic": _arithmetic(),
                       **setup}}


def _arithmetic() -> dict[str, Any]:
    """This worker process's :func:`optimlab.results.store.arithmetic`, looked up once (a copy each call)."""
    return dict(_arithmetic_once())


@functools.lru_cache(maxsize=1)
def _arithmetic_once() -> dict[str, Any]:
    from ..results.store import arithmetic      # here: results.store imports this module

    return arithmetic()


def task_eval_threads(tuning: bool, at_once: int) -> int:
    """The evaluation threads of a sweep task's Trainer (:meth:`Trainer.run`). 0 — evaluated in the training thread
    — for a tuning task when the tasks that train at once on this machine (``at_once``) fill its cores: every core
    trains already, and one thread more per worker process made them take turns (the benchmark's 135 tuning runs,
    one process per core: 22.2 s against 23.8 s and 23.3 against 23.7, medians of 4 and of 3 interleaved runs,
    benchmarks/RESULTS.md). Otherwise 1: fewer tasks than cores (the fresh seeds' few, a single worker) leave a core
    for the evaluations. Where a task evaluates changes no number (tests/train/test_training.py)."""
    return 0 if tuning and at_once >= usable_cpus() else 1


def optimizer_codes(names: Sequence[str]) -> tuple[tuple[str, str, str], ...]:
    """Each optimizer name with the class this process trains under it and that class's code SHA-256 (a sweep's
    worker compares them with those of the process that started it)."""
    return tuple((name, r["class"], r["code_sha256"]) for name, r in code_records(names).items())


def optimizer_records(spec: "SweepSpec") -> dict[str, dict[str, Any]]:
    """Each optimizer of the sweep as it trained: its class, the SHA-256 of the class's code and every setting but
    the lr the sweep tunes (under the spec's preset) — a review found an added AdamW's weight_decay and Lion's β's
    only in each run's config.json, and nowhere in summary.json or the report."""
    out = code_records(spec.optimizers)              # class, code_sha256 and a plugin's file
    for name, record in out.items():
        settings = make_optimizer(name, spec.preset).hyperparameters()
        record.update(settings={k: v for k, v in settings.items() if k != "lr"}, default_lr=settings.get("lr"))
    return out


def worker_codes(names: Sequence[str]) -> tuple[tuple[tuple[str, str, str], ...], str]:
    """:func:`optimizer_codes` as a worker process sees them, a name it cannot load given with ``''`` and its error,
    and the worker's optimlab (:func:`optimlab._source.source_sha256`): run as the sweep's first task, a mismatch is
    said before anything trains."""
    out = []
    for name in names:
        try:
            out += optimizer_codes([name])
        except ConfigError as e:
            out.append((name, "", str(e)))
    return tuple(out), source_sha256()


def check_workers(names: Sequence[str], executor: Executor) -> None:
    """A :class:`ConfigError` before anything trains when the executor's worker processes would train other code
    under one of the optimizer ``names`` than this process, or know no optimizer of that name (a class registered in
    a notebook; an installed plugin of the name beside it). In-process executors share this process's classes."""
    if isinstance(executor, SerialExecutor):
        return
    here = optimizer_codes(names)
    try:                    # a Dask cluster's workers: a task they cannot load never ends
        executor.check_imports()
    except ConfigError:
        raise
    except Exception:  # noqa: BLE001 - the scheduler gone or failing: the task below meets it and says so
        pass
    try:
        there, theirs = executor.submit(worker_codes, tuple(names)).result()
    except BaseException as e:      # (asyncio's CancelledError is not an Exception)
        if lost_executor(e):        # the scheduler went away: said as the driver says it
            raise ExecutorLost(f"lost the executor ({type(e).__name__}: {(str(e).splitlines() or ['cancelled'])[0]}) "
                               "before any run was trained (accepted: the same command, once the cluster is back)"
                               ) from None
        if not isinstance(e, Exception):
            raise
        return               # a broken pool: the training tasks meet it with their retries, and check the code too
    # workers of a cluster this process joined run elsewhere: they import no script of this process, and see the
    # variables their own processes were started with (a Dask user's review: the advice said to do what they had done)
    joined = getattr(executor, "owns", True) is False
    for name, cls, why in there:
        if not cls:
            if joined:
                raise ConfigError(f"optimizer {name!r} is not known in the Dask cluster's workers ({why}), which load "
                                  "optimlab's own optimizers and the plugins of their own OPTIMLAB_PLUGINS or installed "
                                  "packages, not a class this process registered (accepted: start every worker with "
                                  "OPTIMLAB_PLUGINS naming the same file on its machine, or install the plugin there, "
                                  "see README's 'Adding an optimizer'; or --jobs N, local processes, which import the "
                                  "script)")
            raise ConfigError(f"optimizer {name!r} is not known in the sweep's worker processes ({why}), which load "
                              "optimlab's own optimizers and the installed plugins, not a class this process "
                              "registered in a notebook or inside a script's __main__ guard (accepted: a class "
                              "registered at a script's top level, or installed as a plugin, see README's 'Adding an "
                              "optimizer'; or SerialExecutor() in Python, --jobs 0 on the command line, to train in "
                              "this process)")
    try:
        check_codes(here, there, "the sweep's worker processes")
    except ConfigError:
        if theirs == source_sha256():
            raise
        # the cause, said: the workers' optimlab is another (a Dask user's review: "is optimlab.optim.sgd.SGD, other
        # code than optimlab.optim.sgd.SGD" named one class twice)
        name = next(n for n, cls, digest in here if any(n == m and d != digest for m, _, d in there))
        raise ConfigError(f"the sweep's worker processes run other optimlab code than this process (source SHA-256 "
                          f"{theirs[:12]}… there, {source_sha256()[:12]}… here), and other code for optimizer "
                          f"{name!r} (accepted: the same optimlab on the workers as here — the same version, or the "
                          f"same folder on their PYTHONPATH — or --jobs N, local processes)") from None
    if theirs != source_sha256():   # a cluster's workers with another optimlab: their runs record it (a code review)
        warnings.warn(f"the sweep's worker processes run other optimlab code (source SHA-256 {theirs[:12]}… there, "
                      f"{source_sha256()[:12]}… here): each run's status.json records the code that trained it, and "
                      "the numbers can differ from this process's", OptimlabWarning, stacklevel=3)


def check_codes(expected: Sequence[tuple[str, str, str]], here: Sequence[tuple[str, str, str]],
                where: str = "a worker process") -> None:
    """A :class:`ConfigError` when an optimizer ``here`` (in a worker) is other code than ``expected`` (where the
    sweep started): a class a script or notebook registered is not in a worker process, which loads optimlab's own
    optimizers and the installed plugins."""
    found = {name: (cls, digest) for name, cls, digest in here}
    for name, cls, digest in expected:
        if name in found and found[name][1] != digest:
            other = found[name][0]
            raise ConfigError(f"optimizer {name!r} in {where} is {other}, other code than {cls}, which this sweep "
                              "was started with (accepted: an optimizer the sweep's workers load as this process "
                              "does — optimlab's own or an installed plugin, of the same version — or "
                              "SerialExecutor() in Python, --jobs 0 on the command line, to train in this process)")


def _chunks(items: list, n: int) -> list[list]:
    n = max(1, min(n, len(items)))
    bounds = np.linspace(0, len(items), n + 1).round().astype(int)
    return [items[a:b] for a, b in zip(bounds[:-1], bounds[1:]) if b > a]


def auto_chunks(n_workers: int, n_cohorts: int) -> int:
    """Tasks per cohort: one when a single worker, else enough that every worker gets about two tasks."""
    if n_workers <= 1 or n_cohorts <= 0:
        return 1
    return int(min(4, max(1, math.ceil(2 * n_workers / n_cohorts))))


# ---------------------------------------------------------------------------------------------------------
# The run store


CODE_KEY = "optimizer_code_sha256"     # the optimizer class's code (optim.codehash.code_sha256): an edited rule is new


def _as_recorded(config: dict[str, Any], old: dict[str, Any]) -> dict[str, Any]:
    """``config`` as a run recorded before the optimizer's code was (a sweep folder of an earlier optimlab) records
    it: without :data:`CODE_KEY`."""
    return config if CODE_KEY in old else {k: v for k, v in config.items() if k != CODE_KEY}


def _config_digest(config: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(config, sort_keys=True, default=json_default).encode()).hexdigest()


def run_config(spec: SweepSpec, key: RunKey, data_info: dict[str, Any]) -> dict[str, Any]:
    """What makes the run: changing any of it makes a resumed sweep train the run again."""
    opt = make_optimizer(key.optimizer, spec.preset, lr=key.lr)
    return {"run_id": key.run_id, "stage": key.stage, "optimizer": key.optimizer, "preset": spec.preset,
            "hyperparameters": opt.hyperparameters(), CODE_KEY: code_sha256(type(opt)), "seed": key.seed,
            "net": {**asdict(key.net), "hidden": list(key.net.hidden)}, "train": asdict(spec.train),
            "dataset": {"name": data_info["name"], "sha256": data_info["sha256"]}, "split": data_info["split"]}


def _file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def finished_status(directory: Path) -> dict[str, Any] | None:
    """A run folder's status.json when it says the run finished (``ok`` or ``diverged``); None when it is missing,
    unreadable, not an object ([] or null), or says ``failed``."""
    try:
        status = read_json(directory / "status.json")
    except (OSError, ValueError):
        return None
    return status if isinstance(status, dict) and status.get("status") in COMPLETE else None


def completed_run(directory: Path, config: dict[str, Any]) -> dict[str, Any] | None:
    """The run's status if it finished (``ok`` or ``diverged``) with exactly this config, and its config.json and
    metrics.csv are the files status.json was written for (their SHA-256 there), else None: a run whose files were
    damaged or edited is trained again. (Folders written before metrics.csv's digest was kept: it must read back.)"""
    status = finished_status(directory)
    if status is None:
        return None
    try:
        recorded = read_json(directory / "config.json")
        if not isinstance(recorded, dict) or _config_digest(recorded) != status.get("config_sha256") or \
                _config_digest(_as_recorded(config, recorded)) != status["config_sha256"]:
            return None
        digest = status.get("metrics_sha256")
        if digest is not None:
            return status if _file_digest(directory / "metrics.csv") == digest else None
        read_metrics(directory / "metrics.csv")
    except (OSError, ValueError, FileFormatError):
        return None
    return status


def write_run(directory: Path, config: dict[str, Any], history: History, worker: dict[str, Any]) -> None:
    """config.json and metrics.csv, then status.json last: a run never looks complete before it is. Ctrl-C and
    SIGTERM wait the moment this takes (between the run's folder and its first file they left an empty folder), and
    a folder made here is removed again if writing fails before anything is in it."""
    with signals_held(), made_folder(directory):
        (directory / "status.json").unlink(missing_ok=True)
        write_json(directory / "config.json", config)
        write_metrics_csv(directory / "metrics.csv", [history])
        write_json(directory / "status.json", {
            "run_id": config["run_id"], "status": history.status, "error": history.error,
            "diverged_at": history.diverged_at, "wall_seconds": history.wall_seconds,
            "config_sha256": _config_digest(config), "metrics_sha256": _file_digest(directory / "metrics.csv"),
            "worker": worker,
            "finished": datetime.now(timezone.utc).isoformat(timespec="seconds")})


def _differences(old: Any, new: Any, path: str = "") -> list[str]:
    """Dotted paths where two JSON-like values differ, with both values: ``'train.iters: 100 there, 200 now'``."""
    if isinstance(old, dict) and isinstance(new, dict):
        return [d for k in sorted(set(old) | set(new), key=str)
                for d in _differences(old.get(k, "missing"), new.get(k, "missing"), f"{path}.{k}" if path else k)]
    return [] if old == new else [f"{path or 'config'}: {old!r} there, {new!r} now"]


def _protocol(config: dict[str, Any]) -> dict[str, Any]:
    """What every run of one sweep folder shares, whatever its optimizer, lr, seed or architecture-axis value."""
    net = config.get("net") if isinstance(config.get("net"), dict) else {}
    return {**{k: config.get(k) for k in ("preset", "train", "dataset", "split")},
            "net": {k: net.get(k) for k in ("hidden", "freeze_bn_affine")}}


def changed_run(directory: Path, spec: SweepSpec, data_info: dict[str, Any]) -> str | None:
    """Why ``directory``, an earlier sweep's folder, may not take ``spec`` (None when it may): a complete run in
    it that ``spec`` would make differently (another protocol, dataset, preset …) — training it again would
    silently replace an earlier result — or any complete run trained under another protocol (iterations, dataset,
    preset, split, hidden sizes), which the folder would mix with spec's. Runs ``spec`` adds (more lrs, seeds,
    optimizers, another batchnorm or activation) are no conflict."""
    variants = spec.variants()
    protocol = _protocol(run_config(spec, RunKey("tune", spec.optimizers[0], spec.lrs[0], spec.seeds[0], variants[0]),
                                    data_info))
    for run in sorted(p for p in directory.iterdir() if (p / "status.json").is_file()):
        try:
            old = read_json(run / "config.json")
            keys = [RunKey(old["stage"], old["optimizer"], float(old["hyperparameters"]["lr"]), int(old["seed"]), net)
                    for net in variants]       # the architecture spec gives the run of this id (hidden sizes too)
        except (OSError, ValueError, KeyError, TypeError):
            continue                           # not a complete run of optimlab sweep: trained again if asked
        if finished_status(run) is None:       # trained again if spec has it; else it stays as it is
            continue
        key = next((k for k in keys if k.run_id == run.name), None)
        if key is None:                        # a run spec would not write (another batchnorm, activation …): it
            diffs = _differences(_protocol(old), protocol)     # may stay, if it was trained under the same protocol
        else:
            new = _as_recorded(run_config(spec, key, data_info), old)
            diffs = sorted(_differences(old, new), key=lambda d: (d.startswith(CODE_KEY), d.startswith("hyper")))
            if diffs and diffs[0].startswith(CODE_KEY):    # only the optimizer's code differs
                cls = OPTIMIZERS[key.optimizer]
                return (f"{directory} holds runs of {key.optimizer} trained with other code ({run.name}: the code of "
                        f"{cls.__module__}.{cls.__qualname__} has changed since, SHA-256 "
                        f"{str(old.get(CODE_KEY))[:12]}… there, {new[CODE_KEY][:12]}… now); accepted: a new --out "
                        "for the edited optimizer, or its code as it was, to resume or extend that sweep")
        if diffs:                              # the preset or protocol first: a hyperparameter follows from them
            return (f"{directory} holds runs trained with other settings ({run.name}: {diffs[0]}); accepted: the "
                    "same settings to resume or extend that sweep (more lrs, seeds or optimizers, or more batchnorm, "
                    "activation or init values, e.g. --batchnorm both), or a new --out")
    return None


def load_run(directory: Path) -> tuple[History, dict[str, Any]]:
    """A run's History (curves from metrics.csv, status from status.json) and its status.json."""
    status = read_json(directory / "status.json")
    hs = list(read_metrics(directory / "metrics.csv").values()) if (directory / "metrics.csv").is_file() else []
    h = hs[0] if hs else History(status["run_id"])
    h.label, h.status, h.error = status["run_id"], status["status"], status.get("error")
    h.diverged_at, h.wall_seconds = status.get("diverged_at"), float(status.get("wall_seconds") or 0.0)
    return h, status


# ---------------------------------------------------------------------------------------------------------
# Results: the table and the summary


def _seed_text(seeds: Sequence[int]) -> str:
    """Seeds for a message: a range when contiguous (``0-999``), else a short list."""
    seeds = list(seeds)
    if len(seeds) > 3 and seeds == list(range(seeds[0], seeds[0] + len(seeds))):
        return f"{seeds[0]}-{seeds[-1]}"
    return str(seeds[:8])[:-1] + (", ...]" if len(seeds) > 8 else "]")


def _last(xs: Sequence[float]) -> float:
    return float(xs[-1]) if len(xs) else math.nan


def _best(xs: Sequence[float]) -> float:
    """The highest value that is not NaN (a diverged run's accuracies are NaN from its divergence on)."""
    finite = [float(x) for x in xs if not math.isnan(x)]
    return max(finite) if finite else math.nan


def score(row: dict[str, Any]) -> float:
    """Selection score of a run: final validation accuracy; a run that diverged or failed counts as 0."""
    v = row["final_val_acc"]
    return float(v) if row["status"] == "ok" and v is not None and math.isfinite(v) else 0.0


# Mean validation accuracies closer than this are a tie. Two different means over S seeds of n validation examples
# differ by at least 1/(n·S) (1e-7 for 60,000 examples and 100 seeds); the same counts in another seed order differ by
# float rounding, ~1e-17 (a researcher's review: (3, 5, 7) and (3, 7, 5) correct of 144 gave means one bit apart, and
# the larger lr was chosen, though the rule gives a tie to the smaller)
TIE = 1e-9


def tuned_index(scores: Sequence[float]) -> int:
    """Index of the best of ``scores`` (mean selection scores of a grid's lrs, in increasing lr): the first within
    :data:`TIE` of the highest, so a tie goes to the smaller lr whatever the rounding of the means."""
    top = max(scores)
    return next(i for i, x in enumerate(scores) if x >= top - TIE)


def table_row(key: RunKey, h: History, targets: Sequence[float], task_models: int | None = None) -> dict[str, Any]:
    val = h.extra.get("val_acc", [])
    wall = h.extra.get("wall_s", [])
    row: dict[str, Any] = {"run_id": key.run_id, "stage": key.stage, "optimizer": key.optimizer, "lr": key.lr,
                           "seed": key.seed, "batchnorm": key.net.batchnorm, "activation": key.net.activation,
                           "init": key.net.init, "status": h.status,
                           "error": (h.error or "").strip().splitlines()[0] if h.error else "",
                           "diverged_at": h.diverged_at, "final_val_acc": _last(val),
                           "best_val_acc": _best(val), "final_test_acc": _last(h.test_acc)}
    for t in targets:
        it = h.iterations_to(t, "val_acc") if val else None
        row[f"iters_to_{t:g}"] = it
        row[f"seconds_to_{t:g}"] = wall[h.eval_iters.index(it)] if it is not None and wall else None
    row["wall_seconds"] = h.wall_seconds
    row["task_models"] = task_models        # models trained together (None: a run from before this was kept)
    return row


def _csv_value(v: Any) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    return repr(v) if isinstance(v, float) else str(v)


def table_csv(rows: list[dict[str, Any]]) -> str:
    """table.csv's text: a row per run."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    if rows:
        w.writerow(list(rows[0]))
        w.writerows([_csv_value(v) for v in r.values()] for r in rows)
    return buf.getvalue()


def _has_pyarrow() -> bool:
    try:
        import pyarrow.parquet  # noqa: F401
    except ImportError:         # not installed, or installed and broken: no Parquet table
        return False
    return True


def write_parquet(path: Path, rows: list[dict[str, Any]]) -> None:
    """The table as Parquet (table.parquet, written beside table.csv when pyarrow is installed)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    cols = {k: [None if (isinstance(r[k], float) and math.isnan(r[k])) else r[k] for r in rows] for k in rows[0]}
    cols["init"] = [str(v) for v in cols["init"]]
    pq.write_table(pa.table(cols), path)


def mean_interval(values: Sequence[float], step: float = 0.0, measured: bool = True) -> tuple[float, float, float]:
    """Mean and 95 % confidence interval (:func:`optimlab.results.stats.mean_ci`) of accuracies, clipped to
    [0, 1], where an accuracy lies (with 2 seeds the t interval is ±12.7 sd wide); one value has no interval
    (nan, nan). ``step``: the accuracies' resolution (1 / the examples scored), whose spread, step/√12, is the least
    taken where they were ``measured`` (not every run diverged, 0 by convention), as compare's seed statistics do:
    three fresh seeds with one accuracy had a 0-wide interval (a code review)."""
    m, half = mean_ci([v for v in values if v is not None], least_sd=step / math.sqrt(12) if measured else 0.0)
    return m, max(m - half, 0.0), min(m + half, 1.0)


def setting_label(spec: SweepSpec, optimizer: str, net: NetConfig) -> str:
    parts = []
    for axis in spec.varying():
        v = getattr(net, axis)
        parts.append(("BN" if v else "no BN") if axis == "batchnorm" else v if axis == "activation" else f"init={v}")
    name = OPTIMIZERS[optimizer].__name__
    return f"{name} ({', '.join(parts)})" if parts else name


def _num(x: float) -> float | None:
    return None if x is None or not math.isfinite(x) else round(float(x), 6)


def summarize(spec: SweepSpec, rows: list[dict[str, Any]], tuned: dict[tuple[str, NetConfig], float],
              data_info: dict[str, Any]) -> dict[str, Any]:
    by: dict[tuple, list[dict[str, Any]]] = {}
    for r in rows:
        key = (r["stage"], r["optimizer"], r["lr"], r["batchnorm"], r["activation"], str(r["init"]))
        by.setdefault(key, []).append(r)
    settings, sensitivity, dvt, ttt = [], {}, {}, {}
    test_step = accuracy_step({"dataset": data_info})
    val_step = accuracy_step({"dataset": {"n_test": data_info.get("n_val")}})      # (the same rule, of n_val)
    for net in spec.variants():
        for o in spec.optimizers:
            label = setting_label(spec, o, net)
            nk = (net.batchnorm, net.activation, str(net.init))
            settings.append({"label": label, "optimizer": o, "batchnorm": net.batchnorm,
                             "activation": net.activation, "init": net.init})
            means, los, his, diverged = [], [], [], []
            for lr in spec.lrs:
                rs = by.get(("tune", o, lr, *nk), [])
                m, lo, hi = mean_interval([score(r) for r in rs], val_step, any(r["status"] == "ok" for r in rs))
                means.append(_num(m)), los.append(_num(lo)), his.append(_num(hi))
                diverged.append(sum(r["status"] != "ok" for r in rs))
            sensitivity[label] = {"optimizer": o, "lrs": list(spec.lrs), "mean": means, "lo": los, "hi": his,
                                  "not_ok": diverged, "n_seeds": len(spec.seeds)}
            lr_t, lr_d = tuned[(o, net)], OPTIMIZERS[o]().lr
            test_t, test_d = by.get(("test", o, lr_t, *nk), []), by.get(("test", o, lr_d, *nk), [])
            by_seed_t = {int(r["seed"]): r["final_test_acc"] if r["status"] == "ok" else 0.0 for r in test_t}
            mt, lot, hit = mean_interval(list(by_seed_t.values()), test_step, any(r["status"] == "ok" for r in test_t))
            by_seed_d = {int(r["seed"]): r["final_test_acc"] if r["status"] == "ok" else 0.0 for r in test_d}
            md, lod, hid = mean_interval(list(by_seed_d.values()), test_step, any(r["status"] == "ok" for r in test_d))
            dvt[label] = {"optimizer": o, "default_lr": lr_d, "default_test_acc": _num(md), "default_lo": _num(lod),
                          "default_hi": _num(hid), "default_not_ok": sum(r["status"] != "ok" for r in test_d),
                          "tuned_lr": lr_t, "tuned_val_acc": means[spec.lrs.index(lr_t)],
                          "at_grid_edge": len(spec.lrs) > 1 and lr_t in (spec.lrs[0], spec.lrs[-1]),
                          "tuned_test_acc": _num(mt), "tuned_lo": _num(lot), "tuned_hi": _num(hit),
                          "tuned_not_ok": sum(r["status"] != "ok" for r in test_t),
                          "tuned_failed": sum(r["status"] == "failed" for r in test_t),
                          "default_failed": sum(r["status"] == "failed" for r in test_d),
                          "gain": _num(mt - md), "n_test_seeds": len(test_t),
                          "tuned_test_by_seed": {str(k): _num(v) for k, v in sorted(by_seed_t.items())},
                          "default_test_by_seed": {str(k): _num(v) for k, v in sorted(by_seed_d.items())}}
            # the gain's paired interval as printed (null where none is)
            _, lo, hi = shown_gain(dvt[label], accuracy_step({"dataset": data_info}))
            dvt[label].update(gain_lo=_num(lo), gain_hi=_num(hi))
            if none_learned_at_either(dvt[label]):      # 0 − 0: no gain, in the file as on the console (a review)
                dvt[label]["gain"] = None
            # seconds compare optimizers only when all fresh-seed runs trained in tasks of one size
            sizes = {r.get("task_models") for r in rows if r["stage"] == "test" and
                     (r["batchnorm"], r["activation"], str(r["init"])) == nk}
            comparable = len(sizes) == 1 and None not in sizes
            ttt[label] = {"optimizer": o, "lr": lr_t, "targets": {}, "seconds_comparable": comparable}
            for t in spec.targets:
                its = [r[f"iters_to_{t:g}"] for r in test_t]
                secs = [r[f"seconds_to_{t:g}"] for r in test_t]
                hit_its = [i for i in its if i is not None]
                hit_secs = [s for s in secs if s is not None]
                ttt[label]["targets"][f"{t:g}"] = {
                    "reached": len(hit_its), "n": len(its),
                    "iters_median": float(np.median(hit_its)) if hit_its else None,
                    "seconds_median": round(float(np.median(hit_secs)), 4) if hit_secs and comparable else None}
    return {"kind": "sweep", "name": spec.name, "dataset": data_info, "metric": "final validation accuracy",
            "selection": SELECTION_RULE,
            "grid": {"optimizers": list(spec.optimizers), "lrs": list(spec.lrs), "seeds": list(spec.seeds),
                     "test_seeds": list(spec.test_seeds), "preset": spec.preset,
                     "variants": [{k: getattr(n, k) for k in ("batchnorm", "activation", "init")}
                                  for n in spec.variants()],
                     "train": asdict(spec.train), "net": {**asdict(spec.net), "hidden": list(spec.net.hidden)}},
            "targets": list(spec.targets), "settings": settings, "optimizers": optimizer_records(spec),
            "tuned": {s["label"]: dvt[s["label"]]["tuned_lr"] for s in settings},
            "defaults_vs_tuned": dvt, "sensitivity": sensitivity, "time_to_target": ttt}


def shown_interval(d: dict[str, Any], which: str) -> tuple[Any, Any, Any]:
    """An entry of ``defaults_vs_tuned``: the test accuracy at the ``which`` lr ("default" or "tuned") and its 95 %
    interval, as the console and the report show them — the interval only over at least
    :data:`MIN_SEEDS_TO_SETTLE` fresh seeds (with 2, t = 12.7 gives [0.0000, 1.0000]; a summary that does not say
    how many: shown)."""
    m, lo, hi = d.get(f"{which}_test_acc"), d.get(f"{which}_lo"), d.get(f"{which}_hi")
    if int(d.get("n_test_seeds") or MIN_SEEDS_TO_SETTLE) < MIN_SEEDS_TO_SETTLE:
        lo = hi = None
    return m, lo, hi


def _cut(m: Any, lo: Any, hi: Any, low: float = 0.0) -> bool:
    """Whether a shown interval of an accuracy ``m`` ends at 0 or 1 because it was cut there (a t interval over a
    few seeds reaches past them: 0.9044 [0.7840, 1.0000] was read as "up to 100 %"); of a gain, ``low`` −1 (the
    console's note spoke of 0 and 1 only, beside a gain shown as −0.4438 [−1.0000, +0.8116]: a researcher's review)."""
    return m is not None and lo is not None and hi is not None and ((lo <= low < m) or (m < 1.0 <= hi))


def none_learned_at_either(d: dict[str, Any]) -> bool:
    """Whether every fresh run of an entry of ``defaults_vs_tuned`` diverged or failed, at the note's lr and the tuned
    one: its gain is 0 − 0, no gain (the console and the report's table show none, and its conclusions leave it out)."""
    seeds = d.get("n_test_seeds")
    return bool(seeds) and d.get("tuned_not_ok") == seeds and d.get("default_not_ok") == seeds


def shown_gain(d: dict[str, Any], step: float = 0.0) -> tuple[Any, Any, Any]:
    """An entry of ``defaults_vs_tuned``: the gain (tuned − note lr test accuracy) and the 95 % interval of that
    difference taken seed by seed — both lrs trained on the same fresh seeds, so their seed's luck cancels — clipped
    to [−1, 1] (a methodology review: the console set the two columns' own intervals side by side, which overlap for
    a gain the seeds settle). The interval is this setting's own, not corrected for the other settings (the report's
    sentence on the largest gain is), and only where it is the gain's: over at least :data:`MIN_SEEDS_TO_SETTLE`
    seeds, both lrs with a value on every seed, and two lrs (a tuned lr that is the note's is the same runs: its
    gain is 0 by construction, not a measured 0 ± 0). Where every fresh run at both lrs diverged or failed there is
    no gain, only two sets of zeros (a review saw +0.0000 [−0.0028, +0.0028] beside 0.0000 [0.0000, 0.0000])."""
    gain, t, n = d.get("gain"), d.get("tuned_test_by_seed"), d.get("default_test_by_seed")
    if none_learned_at_either(d):
        return None, None, None
    pd = paired_by_seed(t, n, step)
    if gain is None or pd is None or d.get("tuned_lr") == d.get("default_lr") or pd["n"] < MIN_SEEDS_TO_SETTLE \
            or pd["n"] != len(t) or pd["n"] != len(n) or not math.isfinite(pd["ci95"]):
        return gain, None, None
    return gain, max(-1.0, pd["mean_diff"] - pd["ci95"]), min(1.0, pd["mean_diff"] + pd["ci95"])


def paired_by_seed(a: Any, b: Any, step: float = 0.0) -> dict[str, Any] | None:
    """:func:`optimlab.results.stats.paired` of two ``{seed: accuracy}`` maps as summary.json keeps them (seeds as
    strings, None for no value: left out), or None when either is not a map (a summary without them)."""
    if not isinstance(a, dict) or not isinstance(b, dict):
        return None
    floats = lambda m: {int(k): math.nan if v is None else float(v) for k, v in m.items()}  # noqa: E731
    return paired(floats(a), floats(b), step)


def above_chance(acc: float | None, summary: dict[str, Any]) -> bool:
    """Whether an accuracy was measured and is above :func:`optimlab.results.stats.learned_floor`: what 'learned'
    means in the console's tables and the report's conclusions."""
    return acc is not None and math.isfinite(acc) and acc > learned_floor(summary)


def at_chance(d: dict[str, Any], summary: dict[str, Any]) -> bool:
    """Whether a setting's row of ``defaults_vs_tuned`` has its tuned lr's mean validation accuracy (the best of the
    grid's for it) measured and not :func:`above_chance`: its 'tuned' lr and its gain are noise (marked † in the
    console's and the report's tables, left out of the report's conclusions)."""
    best = d.get("tuned_val_acc")
    return best is not None and math.isfinite(best) and not above_chance(best, summary)


def stalled(d: dict[str, Any], summary: dict[str, Any]) -> int:
    """How many of a setting's fresh-seed runs at its tuned lr ended at chance — trained to the end without diverging,
    test accuracy not :func:`above_chance` — though that lr learned on the validation split (the setting is not
    :func:`at_chance`); 0 for a summary without per-seed accuracies. A statistics review: RMSProp's tuned lr scored
    0.93 on the validation split on every tuning seed, then stayed at chance on 2 of 3 fresh seeds, and the tables and
    the report gave only its mean (0.383 [0, 1]). (The note's lr has no such evidence to fail: SGD at 0.01 stays at
    chance, as the note says.)"""
    by_seed = d.get("tuned_test_by_seed")
    if at_chance(d, summary) or not isinstance(by_seed, dict):
        return 0
    low = sum(v is not None and not above_chance(v, summary) for v in by_seed.values())
    return max(low - int(d.get("tuned_not_ok") or 0), 0)          # diverged or failed: counted as 0, said apart


def gain_text(d: dict[str, Any], step: float = 0.0) -> str:
    """:func:`shown_gain` as the tables print it: ``+0.0123 [+0.0050, +0.0196]``, ``+0.0123`` or ``—``."""
    gain, lo, hi = shown_gain(d, step)
    if gain is None:
        return "—"
    return signed(gain, 4) + ("" if lo is None else f" [{signed(lo, 4)}, {signed(hi, 4)}]")


NOTE_OPTIMIZERS = ("sgd", "momentum", "adagrad", "rmsprop", "adam")     # the note's five: their defaults are its lrs


def not_the_notes(d: dict[str, Any]) -> bool:
    """Whether an entry of ``defaults_vs_tuned`` is of an optimizer the note does not have (an added one): its "note
    lr" is its class's default lr (marked ‡ in the tables; a review found "note's lr 0.1" said of Lion)."""
    return d.get("optimizer") not in (None, *NOTE_OPTIMIZERS)


def defaults_table(summary: dict[str, Any], lang: str = "en") -> str:
    """Plain text: each optimizer's note default vs tuned learning rate, test accuracy on the fresh seeds; in
    ``lang`` ("en" or "ja")."""
    head = [say(k, lang) for k in ("optimizer", "note lr", "test note", "tuned lr", "val tuned", "test tuned", "gain")]
    fmt_ci = lambda m, lo, hi: ("—" if m is None else f"{m:.4f}" if lo is None or hi is None  # noqa: E731
                                else f"{m:.4f} [{lo:.4f}, {hi:.4f}]")
    lines, starred, daggered, stuck = [], False, False, False
    floor, step = learned_floor(summary), accuracy_step(summary)
    for label, d in summary["defaults_vs_tuned"].items():
        # a grid-edge lr of a setting at chance at every lr is noise, as the report says by leaving it out (the tuned
        # lr's validation accuracy is the best of the grid's)
        edge = bool(d["at_grid_edge"]) and above_chance(d.get("tuned_val_acc"), summary)
        starred |= edge
        chance_only = at_chance(d, summary)       # at chance at every lr: its "tuned" lr and gain are noise (the report)
        daggered |= chance_only
        bad_d = say("not ok", lang, k=d["default_not_ok"]) if d["default_not_ok"] else ""
        bad_t = say("not ok", lang, k=d["tuned_not_ok"]) if d["tuned_not_ok"] else ""
        if k := stalled(d, summary):
            stuck = True
            bad_t += say("at chance", lang, k=k)
        val = "—" if d["tuned_val_acc"] is None else f"{d['tuned_val_acc']:.4f}"
        lines.append([setting_text(label, lang), f"{d['default_lr']:g}" + ("‡" if not_the_notes(d) else ""),
                      fmt_ci(*shown_interval(d, "default")) + bad_d,
                      f"{d['tuned_lr']:g}" + ("*" if edge else "†" if chance_only else ""), val,
                      fmt_ci(*shown_interval(d, "tuned")) + bad_t, gain_text(d, step)])
    text = text_table(head, lines)
    if any(_cut(*shown_interval(d, which)) for d in summary["defaults_vs_tuned"].values()
           for which in ("default", "tuned")) or any(_cut(*shown_gain(d, step), low=-1.0)
                                                     for d in summary["defaults_vs_tuned"].values()):
        text += "\n" + say("cut interval", lang)
    if starred:
        text += "\n" + say("edge", lang)
    if daggered:
        text += "\n" + say("never learned", lang, floor=accuracy_text(floor), margin=f"{learned_margin(summary):.3g}")
    if stuck:
        text += "\n" + say("at chance note", lang, floor=accuracy_text(floor), margin=f"{learned_margin(summary):.3g}")
    if any(not_the_notes(d) for d in summary["defaults_vs_tuned"].values()):
        text += "\n" + say("not the note's", lang)
    return text


def time_to_target_table(summary: dict[str, Any], lang: str = "en") -> str:
    """Plain text: median iterations and seconds to each validation-accuracy target at the tuned lr; in
    ``lang`` ("en" or "ja")."""
    head = [say("optimizer", lang), say("tuned lr", lang)]
    for t in summary["targets"]:
        head += [say("iters to", lang, t=f"{t:g}"), say("s to", lang, t=f"{t:g}")]
    lines = []
    for label, d in summary["time_to_target"].items():
        line = [setting_text(label, lang), f"{d['lr']:g}"]
        for t in summary["targets"]:
            x = d["targets"][f"{t:g}"]
            tag = "" if x["reached"] == x["n"] else f" ({x['reached']}/{x['n']})"
            secs = ("-" if x["iters_median"] is None else "?" if not d.get("seconds_comparable", False)
                    else "-" if x["seconds_median"] is None else f"{x['seconds_median']:.2f}")
            line += [say("never", lang) if x["iters_median"] is None else f"{x['iters_median']:g}{tag}", secs]
        lines.append(line)
    text = text_table(head, lines)
    partial = [(x["reached"], x["n"], x["iters_median"]) for d in summary["time_to_target"].values()
               for x in d["targets"].values() if 0 < x["reached"] < x["n"]]
    if partial:          # "1000 (1/3)" under "median over the fresh seeds" read as the median of all three
        k, n, its = partial[0]
        text += "\n" + say("ttt partial", lang, its=f"{its:g}", k=k, n=n, rest=n - k)
    if any(not d.get("seconds_comparable", False) for d in summary["time_to_target"].values()):
        text += "\n" + say("not comparable", lang)
    floor = learned_floor(summary)
    low = [f"{t:g}" for t in summary["targets"] if t <= floor]
    if low:             # 0.8 on data 90 % of one class: reached by answering that class
        text += "\n" + say("ttt below chance", lang, targets=say("list sep", lang).join(low), floor=accuracy_text(floor))
    return text


# ---------------------------------------------------------------------------------------------------------
# The driver


@dataclass
class SweepResult:
    """What :func:`run_sweep` did: the directory, the table (a dict per run), the summary."""

    spec: SweepSpec
    directory: Path
    summary: dict[str, Any]
    table: list[dict[str, Any]]
    trained: list[str] = field(default_factory=list)       # run ids trained by this call
    skipped: list[str] = field(default_factory=list)       # run ids found complete on disk
    wall_seconds: float = 0.0

    @property
    def tuned_lrs(self) -> dict[str, float]:
        return dict(self.summary["tuned"])

    def __repr__(self) -> str:      # the dataclass's own ran to 10,000 characters as a notebook cell's value (a review)
        tuned = ", ".join(f"{k} {v:g}" if isinstance(v, (int, float)) else f"{k} —"
                          for k, v in self.summary.get("tuned", {}).items())
        return (f"SweepResult({str(self.directory)!r}: {len(self.table)} runs, {len(self.trained)} trained now, "
                f"{len(self.skipped)} already complete; tuned lr: {tuned or 'none'})")


class _Driver:
    """Plans tasks, submits them, writes each finished run, schedules the test stage once tuning is done."""

    def __init__(self, spec: SweepSpec, out: Path, executor: Executor, data_info: dict[str, Any], progress: bool,
                 lang: str = "en"):
        self.spec, self.out, self.ex, self.info = spec, out, executor, data_info
        self.configs: dict[str, dict[str, Any]] = {}
        self.done: set[str] = set()
        self.trained: list[str] = []
        self.skipped: list[str] = []
        self.pending: dict[Any, tuple[SweepTask, list[RunKey]]] = {}
        self.tuned: dict[tuple[str, NetConfig], float] = {}
        n_cohorts = len(spec.seeds) * len(spec.variants())
        self.chunks = spec.chunks or auto_chunks(executor.n_workers, n_cohorts)
        self.finished = False           # every run trained or found complete (only the folder's files to write)
        self.trained_by: list[dict[str, Any]] = []       # code and arithmetic that trained the runs (trained_by)
        self.checked: set[str] = set()  # optimizers whose class the workers were asked about (check_workers)
        self.other_code: list[tuple[str, str]] = []     # complete runs kept that other optimlab code trained
        self.workers: dict[str, dict[str, Any]] = {}      # each run's status.json "worker": where and how it trained
        self.bar = None                 # made with its first total (a bar of total 0 was drawn as "0run" first)
        self.progress, self.lang = progress, lang
        self.foreseen: dict[NetConfig, int] = {}    # fresh-seed runs in the bar's total before they are known

    def tune_keys(self, net: NetConfig) -> list[RunKey]:
        return tune_keys(self.spec, net)

    def test_keys(self, net: NetConfig) -> list[RunKey]:
        """The fresh-seed runs of the optimizers tuned on ``net`` (not those whose tuning runs failed)."""
        return fresh_keys(self.spec, net, {o: self.tuned[(o, net)] for o in self.spec.optimizers
                                           if (o, net) in self.tuned})

    def schedule(self, keys: list[RunKey]) -> int:
        """Skip completed runs; submit the rest as cohorts (by seed and architecture), split into chunks. Returns how
        many runs were submitted."""
        cohorts: dict[tuple[int, NetConfig], list[RunKey]] = {}
        submitted = 0
        for k in keys:
            cfg = self.configs.setdefault(k.run_id, run_config(self.spec, k, self.info))
            if k.run_id in self.done:
                continue
            if (status := completed_run(self.out / k.run_id, cfg)) is not None:
                self.done.add(k.run_id)
                self.skipped.append(k.run_id)
                source = (status.get("worker") or {}).get(SOURCE_KEY) or ""      # "": an earlier optimlab's
                if source != source_sha256():
                    self.other_code.append((k.run_id, source))
                continue
            cohorts.setdefault((k.seed, k.net), []).append(k)
        # before a task is sent: the workers train the classes this process would (only optimizers with runs left:
        # a finished sweep resumes where its workers could not load a class a script registered), and the folder is a
        # sweep's from then on (to resume it)
        names = sorted({k.optimizer for ks in cohorts.values() for k in ks} - self.checked)
        if names:
            check_workers(names, self.ex)
            self.checked.update(names)
        if cohorts and not (self.out / "sweep.toml").is_file():
            write_text(self.out / "sweep.toml", self.spec.to_toml())
        # the fresh-seed runs of one seed train as one task: their seconds to target are then shares of the same steps
        # (split tasks would give models of smaller tasks more seconds per iteration)
        parts = [(seed, net, part) for (seed, net), ks in cohorts.items()
                 for part in _chunks(ks, 1 if all(k.stage == "test" for k in ks) else self.chunks)]
        at_once = min(self.ex.local_tasks, len(parts)) if self.ex.runs_here else 0     # tasks training here at once
        for seed, net, part in parts:
            task = SweepTask(self.spec.dataset, self.spec.data_dir, self.info["sha256"],
                             (self.spec.val_fraction, self.spec.val_max, self.spec.split_seed), seed, net,
                             self.spec.train, self.spec.preset, tuple((k.run_id, k.optimizer, k.lr) for k in part),
                             test_set=any(k.stage == "test" for k in part),
                             codes=optimizer_codes(sorted({k.optimizer for k in part})),
                             eval_threads=task_eval_threads(not any(k.stage == "test" for k in part), at_once))
            self.pending[self.ex.submit(train_task, task, retries=RETRIES)] = (task, part)
            submitted += len(part)
        return submitted

    def count(self, runs: int) -> None:
        """The progress bar's total changed by ``runs`` (said once per stage, so that its percentage never goes back
        while a stage is submitted); the bar is made with the first runs to train, so a sweep with nothing to train
        draws none."""
        if not self.progress or not runs:
            return
        if self.bar is None:
            from ..progress import tqdm_class

            name = say("bar sweep", self.lang, name="" if self.spec.name == "sweep" else self.spec.name).strip()
            self.bar = tqdm_class()(desc=name, unit=say("bar run unit", self.lang), total=runs)   # 「本」 in Japanese
        else:
            self.bar.total += runs
            self.bar.refresh()

    def finish(self, future) -> None:
        task, keys = self.pending.pop(future)
        try:
            out = future.result()
            histories, worker = [History.from_dict(d) for d in out["histories"]], out["worker"]
        except SystemExit:       # a local worker stopped by Ctrl-C (it raises SystemExit to stay quiet): so are we
            raise KeyboardInterrupt from None
        except BaseException as e:      # (asyncio's CancelledError is not an Exception)
            if lost_executor(e):        # the scheduler went away, not the task: nothing recorded, no lr chosen
                raise ExecutorLost(f"lost the executor ({type(e).__name__}: "
                                   f"{str(e).splitlines()[0] if str(e) else 'cancelled'}); the completed runs are kept "
                                   f"in {str(self.out)!r} (accepted: the same command, once the cluster is back, "
                                   "trains the others)") from None
            if not isinstance(e, Exception):
                raise
            error = f"{type(e).__name__}: {e}"     # a task that could not run: its runs are recorded as failed
            histories, worker = [History(k.run_id, status="failed", error=error) for k in keys], {}
        worker = {**worker, "task_models": len(keys)}      # its seconds are shares of a task this size
        for k, h in zip(keys, histories):
            write_run(self.out / k.run_id, self.configs[k.run_id], h, worker)
            if h.status in COMPLETE:
                self.done.add(k.run_id)
            self.trained.append(k.run_id)
        if self.bar is not None:
            self.bar.update(len(keys))

    def select(self, net: NetConfig, optimizers: Sequence[str]) -> None:
        """Each of ``optimizers``' lr: best mean final validation accuracy over the tuning seeds (ties: smaller lr)."""
        for o in optimizers:
            scores = []
            for lr in self.spec.lrs:
                rows = [self.row(RunKey("tune", o, lr, s, net)) for s in self.spec.seeds]
                scores.append(float(np.mean([score(r) for r in rows])))
            self.tuned[(o, net)] = self.spec.lrs[tuned_index(scores)]

    def row(self, key: RunKey) -> dict[str, Any]:
        h, status = load_run(self.out / key.run_id)
        self.workers[key.run_id] = status.get("worker") or {}
        return table_row(key, h, self.spec.targets, (status.get("worker") or {}).get("task_models"))

    def run(self) -> list[dict[str, Any]]:
        variants = self.spec.variants()
        waiting = {i: {k.run_id for k in self.tune_keys(net)} for i, net in enumerate(variants)}
        failed: list[str] = []          # tuning runs that failed: no lr is chosen from them (a failed run scores 0)
        untuned: list[str] = []         # the settings they leave untuned
        # the fresh seeds' runs counted from the start, as many as they may be: the total then only shrinks (a review:
        # the percentage went back when each stage was submitted)
        tuning = self.schedule([k for net in variants for k in self.tune_keys(net)])      # one stage: all at once
        self.foreseen = {net: fresh_runs_at_most(self.spec) for net in variants} if tuning else {}
        self.count(tuning + sum(self.foreseen.values()))
        while True:
            for i in [i for i, ids in waiting.items() if ids <= self.finished_ids()]:
                waiting.pop(i)
                net = variants[i]
                bad = [k for k in self.tune_keys(net) if k.run_id not in self.done]
                failed += [k.run_id for k in bad]
                broken = {k.optimizer for k in bad}
                untuned += [setting_label(self.spec, o, net) for o in self.spec.optimizers if o in broken]
                self.select(net, [o for o in self.spec.optimizers if o not in broken])
                self.count(self.schedule(self.test_keys(net)) - self.foreseen.pop(net, 0))
            if not self.pending:
                break
            for fut in self.ex.as_completed(list(self.pending)):
                self.finish(fut)
                if any(ids <= self.finished_ids() for ids in waiting.values()):
                    break                              # a variant is tuned: schedule its test stage now
        if self.bar is not None:
            self.bar.close()
        if self.other_code:
            warnings.warn(other_code_kept(self.out, self.other_code), OptimlabWarning, stacklevel=2)
        if failed:
            self.failed_tuning(failed, untuned)
        keys = [k for net in variants for k in self.tune_keys(net) + self.test_keys(net)]
        self.finished = True
        rows = [self.row(k) for k in keys]
        self.trained_by = trained_by({k.run_id: self.workers.get(k.run_id, {}) for k in keys})
        found = arithmetics(self.trained_by)
        if len(found) > 1:
            warnings.warn(other_arithmetic(self.out, found), OptimlabWarning, stacklevel=2)
        return rows

    def failed_tuning(self, ids: list[str], settings: list[str]) -> None:
        """Stop with a :class:`TuningFailed` naming the first failed tuning run and its error, and the ``settings``
        left untuned (a robustness review: worker deaths failed most tuning runs, each then scored 0, and every lr
        chosen was the grid's smallest). The other settings' fresh-seed runs are trained and kept."""
        errors = [(load_run(self.out / run_id)[0].error or "no error recorded").strip() for run_id in ids]
        first = own_error_first(errors)         # not a run that failed beside a rule that raised
        named, why = ids[first], errors[first].splitlines()[0]
        n = len(ids)
        # its complete runs trained on the data as they were: the same command refuses the folder until they are back
        again = "the data as they were when the sweep started, then the same command (it trains the failed ones " \
            "again and goes on); or a new --out for the data as they are" if DATA_CHANGED in why else \
            "the same command trains the failed ones again and goes on"
        raise TuningFailed(f"{n} tuning run{'s' * (n != 1)} failed ({named}: {why}); no learning rate is chosen "
                           f"from failed runs, so the fresh-seed runs of {', '.join(settings)} were not trained; "
                           f"the runs are kept in {str(self.out)!r} (accepted: {again})")

    def finished_ids(self) -> set[str]:
        """Runs with a status on disk (complete, or failed in this call)."""
        return self.done | set(self.trained)


def sensitivity_name(lang: str) -> str:
    """The sensitivity figure's file name in ``lang``: ``sensitivity.png``, ``sensitivity_ja.png``."""
    return "sensitivity.png" if lang == "en" else f"sensitivity_{lang}.png"


DERIVED_FILES = ("report.html", *map(sensitivity_name, LANGS))     # drawn from summary.json afterwards
FIGURE_KEYS = ("sensitivity", "tuned", "dataset", "defaults_vs_tuned",     # the summary's parts the figures draw,
               "figure_dpi", "figure_font_scale")                           # and how
LOCK_NAME = ".optimlab-sweep.lock"     # the sweep writing the folder ("<pid> <host>", for the message)
_HELD: dict[Path, int] = {}            # folders this process has locked, and how many times (re-entrant)


@contextmanager
def sweep_lock(directory: str | os.PathLike, wait: float = 0.0) -> Iterator[None]:
    """One sweep at a time in a folder (created if missing, and removed again if left empty, with any parent made
    for it): an exclusive ``flock`` on :data:`LOCK_NAME`, which the system releases when the holder ends however
    it ends, so a lock file left behind (SIGKILL, a power cut) is simply taken over. A second sweep into a folder
    while the first lives is a one-line ConfigError (two at once each trained every run). Re-entrant in one
    process: the CLI holds it around run_sweep, the figures and the report. Without ``fcntl`` (Windows) the folder
    is made and nothing is locked."""
    directory = Path(os.path.abspath(directory))
    if directory in _HELD:
        _HELD[directory] += 1
        try:
            yield
        finally:
            _HELD[directory] -= 1
        return

    def busy(who: str) -> ConfigError:
        return ConfigError(f"{directory} is being written by another optimlab sweep or report ({who}); accepted: wait "
                           "until it ends, or another --out")

    # the folders made here go again only if nothing was written (an error before any run)
    with made_folder(directory), exclusive_lock(directory / LOCK_NAME, busy, wait):
        _HELD[directory] = 1
        try:
            remove_write_leftovers(directory)
            yield
        finally:
            _HELD.pop(directory, None)


SWEEP_WRITES = ("sweep.toml", "summary.json", "table.csv", "table.parquet", *DERIVED_FILES)   # a sweep folder's own
RUN_WRITES = ("config.json", "metrics.csv", "status.json")                                   # a run folder's (write_run)


def remove_write_leftovers(directory: Path) -> None:
    """Remove what a sweep or report killed mid-write (SIGKILL: nothing could clean up) left of the files they write
    in ``directory`` (:data:`SWEEP_WRITES`) and its run folders (``tune-*``, ``test-*``, not links;
    :data:`RUN_WRITES`): a write's temporary (``.sensitivity.png.optimlab-dzmqt0ur.tmp``, left for good, a review)
    and the second name of a file it replaced (``….optimlab-<hex>.old``) where that file is there again; a file's
    only copy is kept. Nothing of another file: a page written there with ``report --out`` takes no sweep lock and
    may be being written (a code review). Called under :func:`sweep_lock`: no other sweep or report writes these."""
    places = [(directory, SWEEP_WRITES)] + [(d, RUN_WRITES) for d in directory.iterdir()
                                            if d.name.startswith(("tune-", "test-")) and d.is_dir() and not d.is_symlink()]
    for folder, names in places:
        for p in folder.glob(".*"):
            target = left_for(p.name)
            if target not in names or p.is_symlink() or not p.is_file():
                continue
            if p.name.endswith(".tmp") or (folder / target).is_file():
                p.unlink(missing_ok=True)


SWEEP_ACCEPTED = "a new folder, an empty folder or an earlier optimlab sweep folder, to resume it"


def is_sweep_toml(toml: Path) -> bool:
    """Whether ``toml`` is a sweep.toml as optimlab sweep writes one: a regular file of a TOML table that names its
    sweep and holds only a spec's keys (a user's own sweep recipe beside a test-data folder is not a sweep folder's)."""
    from ..results.store import SMALL_FILE

    try:
        if not toml.is_file() or toml.stat().st_size > SMALL_FILE:
            return False
        doc = tomllib.loads(toml.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(doc, dict) and "name" in doc and set(doc) <= set(SPEC_KEYS)


def is_sweep_folder(directory: Path) -> bool:
    """Whether ``directory`` is an optimlab sweep's folder: its sweep.toml and a run folder with a run's record."""
    if not is_sweep_toml(directory / "sweep.toml"):
        return False
    try:
        runs = [p for p in directory.iterdir() if p.name.startswith(("tune-", "test-"))]
    except OSError:
        return False
    return any((p / "config.json").is_file() or (p / "status.json").is_file() for p in runs)


def foreign_in_sweep_dir(directory: Path) -> str | None:
    """Why a sweep may not write into ``directory`` (None when it is empty or an earlier sweep's folder).

    An earlier sweep's folder has a ``sweep.toml`` written by optimlab sweep. A sweep writes into it in place
    (so that a rerun resumes) and never removes anything but its own derived files (:data:`DERIVED_FILES`),
    so other files there (notes, a report written with ``report --out``) are kept and do not stop a resume."""
    names = sorted(n for n in os.listdir(directory) if n != LOCK_NAME)    # a lock alone: a sweep cut short early
    if not names:
        return None
    toml = directory / "sweep.toml"
    if not is_sweep_toml(toml):
        if toml.is_file():
            return "its sweep.toml cannot be read as one optimlab sweep wrote (damaged or edited?)"
        return f"it holds {names[0]!r} and is not an optimlab sweep folder (no sweep.toml of optimlab sweep)"
    for n in names:               # found only after training, when its status.json could not be written
        if n.startswith(("tune-", "test-")) and not (directory / n).is_dir():
            return f"{n!r} there is a file where a run's folder belongs"
    return None


def sweep_directory(spec: SweepSpec, out: str | os.PathLike | None = None) -> Path:
    """The sweep's folder (``out``, default ``runs/<name>``), checked before any training: it must be new, empty
    or an earlier sweep's folder (a sweep writes into it in place, so that a rerun resumes)."""
    from ..results.store import check_output_dir, default_output_dir

    target = default_output_dir(spec.name, "sweep") if out is None else out
    return check_output_dir(target, foreign=foreign_in_sweep_dir, accepted=SWEEP_ACCEPTED, replace=False)


def load_sweep_data(spec: SweepSpec):
    """The spec's dataset with its validation split (what every worker loads too)."""
    from ..data.datasets import check_named_folder

    check_named_folder(spec.data_dir, spec.dataset)
    return task_data(spec.dataset, spec.data_dir, (spec.val_fraction, spec.val_max, spec.split_seed))


def run_sweep(spec: SweepSpec | None = None, executor: Executor | None = None, out: str | os.PathLike | None = None,
              progress: bool = False, lang: str = "en", figure_dpi: int | None = None,
              figure_font_scale: float = 1.0) -> SweepResult:
    """Run (or resume) a sweep into ``out`` (default ``runs/<name>``) and return its results.

    ``executor``: where tasks run (default: a :class:`LocalExecutor` with a process per core, closed at the end;
    an executor passed in is left open). Runs already complete in ``out`` with the same config are not trained
    again; the table and summary are rebuilt from every run directory. ``lang`` ("en" or "ja") is recorded in
    summary.json: ``optimlab report`` writes the report in it unless told otherwise; so are ``figure_dpi`` and
    ``figure_font_scale`` (the command's ``--dpi`` and ``--font-scale``), with which a report in the other language
    draws the sensitivity figure again.
    """
    check_lang(lang)
    if spec is not None and not isinstance(spec, SweepSpec):     # a dict: AttributeError 'data_dir' (a review)
        raise ConfigError(f"invalid spec: {spec!r:.60} (accepted: a SweepSpec — load_sweep_spec(path), "
                          "parse_sweep_spec({...}) for a dict of sweep.toml's keys — or None for the default sweep)")
    figure = {}
    if figure_dpi is not None or figure_font_scale != 1:     # checked as the command checks --dpi, --font-scale
        from ..viz.figures import check_dpi, check_font_scale

        figure = {"figure_dpi": check_dpi(figure_dpi)} if figure_dpi is not None else {}
        if check_font_scale(figure_font_scale) != 1:
            figure["figure_font_scale"] = float(figure_font_scale)
    spec = spec or default_sweep_spec()
    t0 = time.perf_counter()
    directory = sweep_directory(spec, out)
    with sweep_lock(directory):                     # makes the folder
        at_once = executor.local_tasks if executor is not None else default_workers()      # LocalExecutor()'s
        spec, info = check_sweep_folder(spec, directory, at_once)
        return _run_locked(spec, executor, directory, info, progress, lang, t0, figure)


def check_sweep_folder(spec: SweepSpec, directory: Path, at_once: int = 1) -> tuple[SweepSpec, dict[str, Any]]:
    """Load the sweep's data (kept for the workers in this process) and check that ``directory`` holds no runs of
    other settings: the spec with the dataset ``auto`` chose, and the data's description; a
    :class:`ConfigError` naming the first difference. The command calls it before starting an executor (a Dask
    cluster started first, or one that cannot be reached, came before the refusal).

    ``at_once``: how many tasks may train at the same time on this machine (its local worker processes, or the
    workers of a Dask cluster this sweep starts; 1 for a cluster it connects to, whose workers may be elsewhere, and
    in-process); their networks must fit its memory together (two tasks that each fit, but not side by side, were
    killed for memory and retried, again and again)."""
    data = load_sweep_data(spec)
    check_same_data(data.sha256, spec.data_sha256, "the sweep recipe", "spec")
    n_train, n_all = len(data.y_train), len(data.y_train) + len(data.y_val)
    if n_train < spec.train.batch_size <= n_all:    # the split's share was the mistake, not the batch (a review)
        raise ConfigError(f"invalid val_fraction: {spec.val_fraction:g} leaves {n_train:,} of the {n_all:,} training "
                          f"examples of {data.name} to train on, fewer than a batch of {spec.train.batch_size} "
                          "(accepted: a smaller --val-fraction, or a smaller --batch-size)")
    spec.train.check_data(n_train, f"{data.name} after the validation split")
    name, data_dir = chosen(spec.dataset, spec.data_dir, data)   # sweep.toml and every worker: the data auto chose
    spec = replace(spec, dataset=name, data_dir=data_dir, data_sha256=data.sha256)   # sweep.toml records the data
    _DATA_CACHE[_data_key(name, data_dir, (spec.val_fraction, spec.val_max, spec.split_seed))] = data
    info = data.info()
    # the tasks as the driver makes them: a tuning cohort (every optimizer and lr of one architecture and seed) in
    # ``chunks`` tasks, a fresh seed's runs (each optimizer at its tuned and its note lr) in one
    n_cohorts = len(spec.variants()) * len(spec.seeds)
    cohort = len(spec.optimizers) * len(spec.lrs)
    chunks = min(spec.chunks or auto_chunks(int(at_once), n_cohorts), cohort)     # as _chunks splits it
    # each stage: its tasks, the models in one, and what makes a task smaller (a fresh seed's is never split)
    stages = ((n_cohorts * chunks, math.ceil(cohort / chunks), "fewer optimizers or lrs, a cohort in more tasks "
               "(--chunks)"),
              (len(spec.variants()) * len(spec.test_seeds), 2 * len(spec.optimizers), "fewer optimizers (a fresh "
               "seed's task trains each at its tuned and its note lr)"))
    for net in spec.variants():
        params = sum(p.size for p in layout([data.x_train.shape[1], *net.hidden, int(data.n_classes)], net.batchnorm))
        for _, models, smaller in stages:
            check_memory(net.hidden, models, params, spec.train.dtype, accepted=f"smaller hidden layers, {smaller}")
        for n_tasks, models, smaller in stages:
            together = max(1, min(int(at_once), n_tasks))
            if together > 1:
                check_memory(net.hidden, models * together, params, spec.train.dtype,
                             accepted=f"fewer tasks at once: {together} tasks of {models} model{'s' * (models > 1)} "
                                      f"train at once here, fewer with --jobs or --workers; {smaller}; or smaller "
                                      "hidden layers")
    if (why := changed_run(directory, spec, info) or smaller_grid(directory, spec)):
        raise ConfigError(why)
    return spec, info


def _architecture(net: NetConfig) -> str:
    """A grid architecture in the options' words: ``batchnorm off, activation sigmoid, init 0.01``."""
    return f"batchnorm {'on' if net.batchnorm else 'off'}, activation {net.activation}, init {net.init}"


def smaller_grid(directory: Path, spec: SweepSpec) -> str | None:
    """Why ``spec`` may not run in ``directory`` when its grid leaves out part of the sweep recorded there (None
    when it may): the folder's table and summary would then describe the part only (a rerun with ``--optimizers
    adam`` made them 2 rows of 81, without a word; the other runs' folders stayed)."""
    try:
        old = parse_sweep_spec(tomllib.loads((directory / "sweep.toml").read_text(encoding="utf-8")), "sweep.toml")
    except (OSError, ValueError, ConfigError):
        return None                     # no sweep recorded there (foreign_in_sweep_dir refused a damaged one)
    new_lrs = {repr(float(x)) for x in spec.lrs}
    axes = (("optimizers", old.optimizers, spec.optimizers), ("seeds", old.seeds, spec.seeds),
            ("test seeds", old.test_seeds, spec.test_seeds),
            ("architectures", [_architecture(v) for v in old.variants()], [_architecture(v) for v in spec.variants()]))
    missing = [("lrs", f"{x:g}") for x in old.lrs if repr(float(x)) not in new_lrs]
    missing += [(axis, str(x)) for axis, was, now in axes for x in was if x not in now]
    if not missing:
        return None
    axis, value = missing[0]
    return (f"{directory} holds a sweep over more {axis} ({value} is not in this one's), whose table and summary "
            "would then describe this part only (accepted: the same grid or a larger one, to resume or extend it, or "
            "a new --out)")


def _run_locked(spec: SweepSpec, executor: Executor | None, directory: Path, info: dict[str, Any], progress: bool,
                lang: str, t0: float, figure: dict[str, Any]) -> SweepResult:
    own = executor is None
    ex = LocalExecutor() if own else executor
    driver = None
    try:
        driver = _Driver(spec, directory, ex, info, progress, lang)
        rows = driver.run()
        description = ex.describe()
    except BaseException as e:
        if own:
            ex.abort()                 # Ctrl-C, SIGTERM: do not wait for the running tasks
        if driver is not None and driver.bar is not None:      # its line ended before the command's note (the
            driver.bar.close()                                 # note was glued to the bar, then the bar redrawn)
        e.sweep_trained = driver is not None and driver.finished   # for the command's note: nothing left to train
        raise
    if own:
        ex.close()
    try:
        return _write_sweep_files(spec, directory, info, lang, t0, driver, rows, description, figure)
    except KeyboardInterrupt as e:
        e.sweep_trained = True
        raise


def same_settings(path: Path, spec: SweepSpec) -> bool:
    """Whether the sweep.toml at ``path`` holds ``spec``'s settings (whichever code wrote it)."""
    try:
        old = tomllib.loads(path.read_text(encoding="utf-8"))
        new = tomllib.loads(spec.to_toml())
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False
    return {k: v for k, v in old.items() if k != SOURCE_KEY} == {k: v for k, v in new.items() if k != SOURCE_KEY}


def _write_sweep_files(spec: SweepSpec, directory: Path, info: dict[str, Any], lang: str, t0: float, driver: _Driver,
                       rows: list[dict[str, Any]], description: dict[str, Any], figure: dict[str, Any]) -> SweepResult:
    """The folder's table, summary and sweep.toml, from every run (the stale report and figures removed)."""
    wall = time.perf_counter() - t0
    from ..results.store import command_line, environment, small_json     # here: results.store imports this module

    before = small_json(directory / "summary.json")
    # the seconds of every call that trained this folder's runs: a rerun with nothing left to train said "22 runs,
    # 0 s" of a sweep that took 8 (a Japanese student's review); a call interrupted before this point wrote none
    earlier = before.get("total_wall_seconds") if isinstance(before, dict) and driver.skipped else None
    total = wall + (earlier if isinstance(earlier, (int, float)) and math.isfinite(earlier) and earlier > 0 else 0)
    summary = summarize(spec, rows, driver.tuned, info)
    summary.update(total_wall_seconds=round(total, 3), executor={**description, "chunks_per_cohort": driver.chunks},
                   n_runs=len(rows), n_trained=len(driver.trained), n_skipped=len(driver.skipped), lang=lang,
                   environment=environment(), finished=datetime.now(timezone.utc).isoformat(timespec="seconds"),
                   optimlab_version=__version__, **{SOURCE_KEY: source_sha256()}, **figure,
                   trained_by=driver.trained_by, **command_line())
    # the folder's own files describe one sweep: written together, a Ctrl-C or SIGTERM waiting the fraction of a
    # second it takes (an interrupt between them left a table of 96 runs beside a summary of 64, and a resumed
    # sweep's sweep.toml beside the earlier results, until a rerun)
    # what the sensitivity figures show: unchanged (a sweep resumed in the other language, nothing new trained), the
    # other language's figure stays (a teacher's Japanese rerun deleted sensitivity.png)
    as_read = lambda v: json.loads(json_text(v))     # noqa: E731 - as summary.json gives it back
    same_figure = isinstance(before, dict) and all(before.get(k) == as_read(summary.get(k)) for k in FIGURE_KEYS)
    # a call that trained nothing keeps sweep.toml as it is when it holds these settings: its optimlab_source_sha256
    # names the code that wrote it with runs, where a resume under other code had made it name code that trained none
    # (a reproducibility review: rerunning it under the original code then warned that the code differed)
    kept = not driver.trained and same_settings(directory / "sweep.toml", spec)
    names = ["table.csv", "summary.json"] + ([] if kept else ["sweep.toml"]) + \
        (["table.parquet"] if rows and _has_pyarrow() else [])
    with signals_held():            # all replaced, or none (a rename that fails puts the earlier files back)
        with atomic_paths([directory / n for n in names]) as tmps:
            tmp = dict(zip(names, tmps))
            tmp["table.csv"].write_text(table_csv(rows), encoding="utf-8")
            tmp["summary.json"].write_text(json_text(summary), encoding="utf-8")
            if "sweep.toml" in tmp:
                tmp["sweep.toml"].write_text(spec.to_toml(), encoding="utf-8")
            if "table.parquet" in tmp:
                write_parquet(tmp["table.parquet"], rows)
        for name in DERIVED_FILES:  # drawn from the summary replaced: stale now (the CLI draws them again)
            if not (same_figure and name.endswith(".png")):
                (directory / name).unlink(missing_ok=True)
        if "table.parquet" not in names:        # an earlier table's, where pyarrow is gone now
            (directory / "table.parquet").unlink(missing_ok=True)
    return SweepResult(spec, directory, summary, rows, driver.trained, driver.skipped, wall)

