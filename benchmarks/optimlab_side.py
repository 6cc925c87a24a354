"""The optimlab side of the benchmark: the note's experiment and the sweep, through optimlab's own API."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import numpy as np
from threadpoolctl import threadpool_limits

from optimlab.experiment import default_recipe, run_compare
from optimlab.experiment.recipe import apply_overrides
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


def run_optimlab_sweep(x_train_u8, y_train, x_test_u8, y_test, iters=1000, batch_size=100, eval_interval=100,
                       n_lrs=9, seeds=(0, 1, 2), threads=None, chunks=2) -> dict:
    """5 optimizers × 9 learning rates × 3 seeds in this process: each seed's 45 models split into ``chunks``
    cohorts, trained by ``threads`` threads at once (default: one per core; NumPy releases the GIL in its
    matmuls and large element-wise loops). A model's numbers do not depend on its cohort, so the split
    changes only the time."""
    data = _data(x_train_u8, y_train, x_test_u8, y_test)
    grid, seeds = sweep_grid(n_lrs, seeds)
    threads = threads or len(os.sched_getaffinity(0))
    cfg = TrainConfig(iters=iters, batch_size=batch_size, eval_interval=eval_interval)

    def cohort(seed, part):
        trainer = Trainer(data, [make_optimizer(n, lr=lr) for n, lr in part], [f"{n}@{lr:.3g}" for n, lr in part],
                          net=NetConfig(), train=cfg, seed=seed)
        return seed, trainer.run(eval_threads=1)

    parts = [grid[i::chunks] for i in range(chunks)]
    out = {}
    with threadpool_limits(1, "blas"), ThreadPoolExecutor(threads) as pool:
        for seed, histories in pool.map(lambda job: cohort(*job), [(s, p) for s in seeds for p in parts]):
            for h in histories:
                out[f"{h.label}/s{seed}"] = {"final_test_acc": h.final_test_accuracy, "status": h.status}
    return {"runs": dict(sorted(out.items()))}
