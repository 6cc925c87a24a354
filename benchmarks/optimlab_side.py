"""The optimlab side of the benchmark: the note's experiment and the sweep, through optimlab's own API."""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from types import SimpleNamespace

import numpy as np
from threadpoolctl import threadpool_limits

from optimlab.experiment import default_recipe, run_compare
from optimlab.experiment.recipe import apply_overrides
from optimlab.experiment.sweep import task_eval_threads
from optimlab.optim import OPTIMIZERS, make_optimizer
from optimlab.train import NetConfig, TrainConfig, Trainer


NOTE_KEYS = {"SGD": "sgd", "Momentum": "momentum", "AdaGrad": "adagrad", "RMSProp": "rmsprop", "Adam": "adam",
             "Adam + BatchNorm": "adam_bn"}    # the other sides' run names


def _data(x_train_u8, y_train, x_test_u8, y_test):
    return SimpleNamespace(x_train=np.ascontiguousarray(x_train_u8.reshape(len(x_train_u8), -1)),
                           y_train=np.asarray(y_train, dtype=np.int64),
                           x_test=np.ascontiguousarray(x_test_u8.reshape(len(x_test_u8), -1)),
                           y_test=np.asarray(y_test, dtype=np.int64), scale=1 / 255, n_classes=10)


def run_optimlab_experiment(x_train_u8, y_train, x_test_u8, y_test, seed=0, iters=1000, batch_size=100,
                            eval_interval=10, dtype="float32") -> dict:
    """The note's 6 runs exactly as ``optimlab compare`` trains them (no figures, no files)."""
    recipe = apply_overrides(default_recipe(), seeds=[seed], iters=iters, batch_size=batch_size,
                             eval_interval=eval_interval, dtype=dtype)
    result = run_compare(recipe, _data(x_train_u8, y_train, x_test_u8, y_test))
    return {"runs": {NOTE_KEYS.get(r.spec.label, r.spec.label): {"final_test_acc": r.history.final_test_accuracy, "test_acc": r.history.test_acc}
                     for r in result.runs}}


def sweep_grid(n_lrs=9, seeds=(0, 1, 2)):
    lrs = np.logspace(-4, 0, n_lrs)
    return [(name, float(lr)) for name in OPTIMIZERS for lr in lrs], list(seeds)


_SWEEP_DATA = None     # the sweep's data, set before its worker processes fork: they inherit it, nothing is copied


def _sweep_cohort(job):
    """One cohort of the sweep: ``(seed, [(optimizer, lr), ...], TrainConfig)`` -> ``(seed, [(label, final test
    accuracy, status), ...])``, trained as ``optimlab sweep``'s workers train a task (one BLAS thread)."""
    seed, part, cfg, eval_threads = job
    trainer = Trainer(_SWEEP_DATA, [make_optimizer(n, lr=lr) for n, lr in part], [f"{n}@{lr:.3g}" for n, lr in part],
                      net=NetConfig(), train=cfg, seed=seed)
    histories = trainer.run(blas_threads=1, eval_threads=eval_threads)
    return seed, [(h.label, h.final_test_accuracy, h.status) for h in histories]


def run_optimlab_sweep(x_train_u8, y_train, x_test_u8, y_test, iters=1000, batch_size=100, eval_interval=100,
                       n_lrs=9, seeds=(0, 1, 2), workers=None, chunks=2, how="processes", eval_threads=None) -> dict:
    """5 optimizers × 9 learning rates × 3 seeds: each seed's 45 models split into ``chunks`` cohorts, trained by
    ``workers`` at once (default: one per core).

    ``how="processes"`` (the default) trains them as ``optimlab sweep`` does, one worker process per core, each
    training one cohort at a time — the processes forked here, so they inherit the data in memory (``optimlab
    sweep``'s workers load it from disk, 0.4–0.6 s each for Fashion-MNIST, which this does not time, as the
    experiment's sides do not time loading; threads where processes cannot fork). ``how="threads"``: threads of this process instead (NumPy releases
    the GIL in its matmuls and large element-wise loops, but not while it dispatches each call: slower, RESULTS.md).
    ``eval_threads``: each Trainer's (default: as ``optimlab sweep`` chooses for its tuning tasks,
    :func:`optimlab.experiment.sweep.task_eval_threads`). A model's numbers do not depend on its cohort or on where
    it is evaluated, so the split changes only the time."""
    global _SWEEP_DATA
    if how not in ("processes", "threads"):
        raise ValueError(f"invalid how: {how!r} (accepted: processes, threads)")
    grid, seeds = sweep_grid(n_lrs, seeds)
    workers = workers or len(os.sched_getaffinity(0))
    cfg = TrainConfig(iters=iters, batch_size=batch_size, eval_interval=eval_interval)
    parts = [grid[i::chunks] for i in range(chunks)]
    if how == "processes" and "fork" not in multiprocessing.get_all_start_methods():     # Windows
        how = "threads"
    if eval_threads is None:
        eval_threads = task_eval_threads(True, min(workers, len(seeds) * chunks)) if how == "processes" else 1
    jobs = [(s, p, cfg, eval_threads) for s in seeds for p in parts]
    _SWEEP_DATA = _data(x_train_u8, y_train, x_test_u8, y_test)
    try:
        if how == "processes":
            with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
                done = list(pool.map(_sweep_cohort, jobs))
        else:       # one cap for every thread: threadpoolctl lets one thread at a time set it (Trainer.run)
            with threadpool_limits(1, "blas"), ThreadPoolExecutor(workers) as pool:
                done = list(pool.map(_sweep_cohort, jobs))
    finally:
        _SWEEP_DATA = None
    out = {f"{label}/s{seed}": {"final_test_acc": acc, "status": status}
           for seed, runs in done for label, acc, status in runs}
    return {"runs": dict(sorted(out.items()))}
