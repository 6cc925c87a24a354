"""Analytic FLOP counts of the benchmark workloads and the machine's matmul rate.

Conventions: a matmul of (m, k) @ (k, n) costs ``2*m*k*n`` FLOPs (multiply +
add).  The *matmul floor* of a workload counts only the matmuls that any
implementation must do:

* training, per iteration of batch B, for each Affine layer (in, out):
  forward ``2*B*in*out``, weight gradient ``2*B*in*out`` and input gradient
  ``2*B*in*out`` -- except the first layer, whose input gradient is not needed;
* evaluation every ``eval_interval`` iterations: one forward pass over the
  ``n_test`` test samples, plus (``include_batch_eval``) one forward pass over
  the minibatch for the minibatch accuracy.

Elementwise work (bias adds, sigmoid, softmax/CE, optimizer updates) is
estimated separately and is *not* part of the floor (rough op counts, see
``elementwise_ops``).  The note's own overhead (6 loss forwards per iteration,
the first layer's unneeded input gradient) is reported as ``note_extra``.

``floor seconds = matmul FLOPs / measured large-matmul FLOP rate`` -- a lower
bound: the network's skinny matmuls (K=784, N=40) run well below the rate of a
2048^3 matmul.
"""

from __future__ import annotations

import statistics
import time

import numpy as np

__all__ = [
    "NOTE_SIZES",
    "experiment_flops",
    "sweep_flops",
    "elementwise_ops",
    "measure_matmul_gflops",
    "blas_info",
]

NOTE_SIZES = (784, 40, 20, 10)

# rough elementwise op counts per parameter per step (not part of the floor)
_OPT_OPS = {"sgd": 2, "momentum": 4, "adagrad": 5, "rmsprop": 7, "adam": 12}


def _layers(sizes):
    sizes = tuple(int(s) for s in sizes)
    if len(sizes) < 2:
        raise ValueError("sizes needs at least input and output size")
    return list(zip(sizes[:-1], sizes[1:]))


def elementwise_ops(sizes=NOTE_SIZES, batch=100, optimizer="adam"):
    """Rough per-iteration elementwise op count (training only), for reference.

    Assumes: bias add 1/elem, sigmoid 4/elem fwd + 3/elem bwd, softmax + CE
    ~6/elem fwd + 2/elem bwd, bias grad 1/elem, optimizer ``_OPT_OPS`` per
    parameter.
    """
    layers = _layers(sizes)
    hidden = sum(o for _, o in layers[:-1])
    n_out = layers[-1][1]
    outs = sum(o for _, o in layers)
    n_params = sum(i * o + o for i, o in layers)
    fwd = batch * (outs + 4 * hidden + 6 * n_out)
    bwd = batch * (outs + 3 * hidden + 2 * n_out)
    opt = _OPT_OPS.get(optimizer, 12) * n_params
    return {"forward": fwd, "backward": bwd, "optimizer": opt, "total": fwd + bwd + opt,
            "n_params": n_params}


def experiment_flops(n_train_iters=1000, batch=100, eval_interval=10, n_test=10000,
                     sizes=NOTE_SIZES, n_runs=6, include_batch_eval=True):
    """Matmul FLOPs of ``n_runs`` training runs (the note's experiment by default).

    Returns a dict with per-run and total breakdowns (all ints, FLOPs).
    """
    layers = _layers(sizes)
    s = sum(i * o for i, o in layers)          # sum of in*out
    s_first = layers[0][0] * layers[0][1]
    n_evals = n_train_iters // eval_interval if eval_interval else 0

    fwd = 2 * batch * s
    bwd_dw = 2 * batch * s
    bwd_dx = 2 * batch * (s - s_first)
    train_iter = fwd + bwd_dw + bwd_dx
    train = n_train_iters * train_iter
    eval_test = n_evals * 2 * n_test * s
    eval_batch = n_evals * 2 * batch * s if include_batch_eval else 0
    per_run = train + eval_test + eval_batch

    # what the note's loop does on top: 6 loss forwards/iter + first-layer dx
    note_extra = n_train_iters * (6 * 2 * batch * s + 2 * batch * s_first)

    return {
        "sizes": list(int(x) for x in sizes),
        "n_runs": int(n_runs),
        "n_train_iters": int(n_train_iters),
        "batch": int(batch),
        "eval_interval": int(eval_interval),
        "n_evals_per_run": int(n_evals),
        "n_test": int(n_test),
        "per_iter_train": int(train_iter),
        "per_run": {
            "train": int(train),
            "eval_test": int(eval_test),
            "eval_batch": int(eval_batch),
            "total": int(per_run),
            "note_extra": int(note_extra),
        },
        "total": int(per_run * n_runs),
        "total_train": int(train * n_runs),
        "total_eval": int((eval_test + eval_batch) * n_runs),
        "note_total": int((per_run + note_extra) * n_runs),
        "elementwise_ops_total_approx": int(
            n_runs * n_train_iters * elementwise_ops(sizes, batch)["total"]),
    }


def sweep_flops(n_optimizers=5, n_lrs=9, n_seeds=3, n_train_iters=1000, batch=100,
                eval_interval=100, n_test=10000, sizes=NOTE_SIZES, include_batch_eval=True):
    """Matmul FLOPs of the sweep: optimizers x learning rates x seeds runs."""
    n_runs = n_optimizers * n_lrs * n_seeds
    d = experiment_flops(n_train_iters, batch, eval_interval, n_test, sizes, n_runs,
                         include_batch_eval=include_batch_eval)
    d.update({"n_optimizers": n_optimizers, "n_lrs": n_lrs, "n_seeds": n_seeds})
    return d


def blas_info():
    """BLAS/OpenMP thread pools as threadpoolctl sees them (empty if unavailable)."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:  # pragma: no cover
        return []
    keep = ("user_api", "internal_api", "num_threads", "version", "threading_layer",
            "architecture", "prefix")
    return [{k: v for k, v in pool.items() if k in keep} for pool in threadpool_info()]


def measure_matmul_gflops(dtype=np.float32, n=2048, repeats=7, warmup=2, seed=0):
    """Median rate of an ``n x n @ n x n`` matmul in GFLOP/s (NumPy's BLAS)."""
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((n, n)).astype(dtype)
    b = rng.standard_normal((n, n)).astype(dtype)
    c = np.empty((n, n), dtype=dtype)
    for _ in range(warmup):
        np.matmul(a, b, out=c)
    times = []
    for _ in range(max(1, repeats)):
        t0 = time.perf_counter()
        np.matmul(a, b, out=c)
        times.append(time.perf_counter() - t0)
    flop = 2.0 * n ** 3
    med = statistics.median(times)
    return {
        "gflops": flop / med / 1e9,
        "gflops_best": flop / min(times) / 1e9,
        "median_s": med,
        "n": n,
        "dtype": np.dtype(dtype).name,
        "repeats": len(times),
        "blas": blas_info(),
    }


if __name__ == "__main__":  # pragma: no cover
    import json

    print(json.dumps({"experiment": experiment_flops(), "sweep": sweep_flops(),
                      "matmul": measure_matmul_gflops()}, indent=1))
