"""Where optimlab's time goes, and the wall time its NumPy design can reach at best on this machine.

Usage::

    python benchmarks/breakdown.py            # Fashion-MNIST, the note's experiment and the sweep's cohorts
    python benchmarks/breakdown.py --smoke    # tiny synthetic data, seconds (CI runs this)

Everything is timed in this process, one BLAS thread, the variants of each measurement interleaved and their
medians taken (the machine is shared; see RESULTS.md):

* ``step``: one :meth:`optimlab.train.Trainer.step` of a cohort (draw, forward, backward, every optimizer);
* ``matmuls``: the same step's matmuls alone, on arrays of the same shapes (forward, weight gradients, input
  gradients but the first layer's);
* ``optimizers``: the cohort's optimizer updates alone;
* ``eval``: one evaluation of a snapshot on the test set (the folded path of :mod:`optimlab.nn.inference`),
  and its first-layer matmul alone.

Then, per workload: its work in core-seconds (steps × step + evaluations × eval) and the wall time if both cores
were busy with it from start to end and ran as fast as alone, against the FLOP floor (``flops.py``, with the
2-thread 2048³ matmul rate measured here). That wall time is a lower bound for this design; the benchmark's
measured time is above it by what the two worker processes cost each other and the tail of the run.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench  # noqa: E402
import flops  # noqa: E402
from optimlab_side import _data, sweep_grid  # noqa: E402

from optimlab.experiment import default_recipe  # noqa: E402
from optimlab.experiment.compare import plan_cohorts  # noqa: E402
from optimlab.nn import inference  # noqa: E402
from optimlab.optim import make_optimizer  # noqa: E402
from optimlab.train import NetConfig, TrainConfig, Trainer  # noqa: E402


def interleaved_medians(fns: dict, rounds: int, inner: int) -> dict[str, float]:
    """Seconds per call of each function: ``rounds`` rounds, each calling every function ``inner`` times in turn."""
    times = {k: [] for k in fns}
    for _ in range(rounds):
        for k, f in fns.items():
            t0 = time.perf_counter()
            for _ in range(inner):
                f()
            times[k].append((time.perf_counter() - t0) / inner)
    return {k: float(np.median(v)) for k, v in times.items()}


def step_matmuls(trainer: Trainer):
    """A function doing one training step's matmuls on arrays shaped like ``trainer``'s (values irrelevant)."""
    net, B = trainer.net, trainer.config.batch_size
    K = net.theta.shape[0]
    rng = np.random.default_rng(0)
    dt = net.dtype
    x = rng.random((B, net.sizes[0]), dtype=dt)
    layers = []
    for i, (n_in, n_out) in enumerate(zip(net.sizes[:-1], net.sizes[1:])):
        a = x if i == 0 else rng.random((K, B, n_in), dtype=dt)
        layers.append((i, a, rng.random((K, n_in, n_out), dtype=dt), rng.random((K, B, n_out), dtype=dt),
                       np.empty((K, n_in, n_out), dtype=dt)))

    def run():
        for i, a, W, d, dW in layers:
            np.matmul(a, W)                                   # forward
            np.matmul(np.swapaxes(a, -1, -2), d, out=dW)      # weight gradient
            if i:
                np.matmul(d, np.swapaxes(W, -1, -2))          # input gradient (not for the first layer)
    return run


def optimizer_updates(trainer: Trainer):
    theta, grad = trainer.net.trainable(trainer.net.theta), trainer.net.trainable(trainer.net.grad)

    def run():
        with np.errstate(all="ignore"):
            for g in trainer.groups:
                g.opt.update(theta[g.rows], grad[g.rows], g.state)
    return run


def measure_cohort(trainer: Trainer, rounds: int, inner: int) -> dict[str, float]:
    for _ in range(10):
        trainer.step()
    snap = inference.snapshot(trainer.net, trainer.iteration)
    test = trainer.test_set
    W1 = inference.folded_layers(trainer.net, snap)[0][0]
    K, n1, _ = W1.shape
    chunk = 2000
    out = np.empty((K * n1, min(chunk, len(test))), dtype=W1.dtype)

    def first_matmul():
        for a in range(0, len(test), chunk):
            cols = test.xT[:, a:a + chunk]
            np.matmul(W1.reshape(K * n1, -1), cols, out=out[:, :cols.shape[1]])

    def evaluate():
        inference.accuracy(trainer.net, snap, test)

    steps = interleaved_medians({"step": trainer.step, "matmuls": step_matmuls(trainer),
                                 "optimizers": optimizer_updates(trainer)}, rounds, inner)
    evals = interleaved_medians({"eval": evaluate, "eval first matmul": first_matmul}, rounds, max(1, inner // 10))
    return {**steps, **evals, "K": K}


def workload_line(name, cohorts, iters, n_evals, floor_s, cores):
    """cohorts: list of (count, measurements). Prints the work and the best wall time on ``cores`` cores."""
    work = sum(n * (iters * m["step"] + n_evals * m["eval"]) for n, m in cohorts)
    mm = sum(n * (iters * m["matmuls"] + n_evals * m["eval first matmul"]) for n, m in cohorts)
    opt = sum(n * iters * m["optimizers"] for n, m in cohorts)
    best = work / cores
    print(f"{name}: work {work:.2f} core-s (matmuls {mm:.2f}, optimizer updates {opt:.2f}, "
          f"everything else {work - mm - opt:.2f})")
    print(f"  {cores} cores busy throughout at these rates: {best:.2f} s = {best / floor_s:.2f}x its floor "
          f"({floor_s:.2f} s); the matmuls alone: {mm / cores:.2f} s = {mm / cores / floor_s:.2f}x")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--smoke", action="store_true", help="tiny synthetic data, few repeats")
    ap.add_argument("--data", default="fashion-mnist")
    ap.add_argument("--rounds", type=int, default=9)
    args = ap.parse_args(argv)
    if args.smoke:
        xtr, ytr, xte, yte = bench.synthetic_dataset()
        rounds, inner, iters = 2, 2, 1000
    else:
        xtr, ytr, xte, yte, _ = bench.load_dataset(args.data)
        rounds, inner, iters = args.rounds, 30, 1000
    data = _data(xtr, ytr, xte, yte)
    cores = len(os.sched_getaffinity(0))
    matmul = flops.measure_matmul_gflops(repeats=3 if args.smoke else 7)["gflops"]
    print(f"data: {args.data if not args.smoke else 'synthetic (smoke)'}, train {len(ytr)}, test {len(yte)}; "
          f"{cores} cores; float32 2048^3 matmul {matmul:.1f} GFLOP/s ({cores} threads)")

    recipe = default_recipe()
    cohort = plan_cohorts(recipe)[0]
    experiment = Trainer(data, [s.make_optimizer() for s in cohort.specs], [s.label for s in cohort.specs],
                         net=list(cohort.nets), train=recipe.train, seed=0)
    grid, seeds = sweep_grid()
    sweep = [Trainer(data, [make_optimizer(n, lr=lr) for n, lr in grid[i::2]], net=NetConfig(),
                     train=TrainConfig(eval_interval=100), seed=0) for i in range(2)]
    with threadpool_limits(1, "blas"):
        m_exp = measure_cohort(experiment, rounds, inner)
        m_sweep = [measure_cohort(t, rounds, inner) for t in sweep]
    print(f"\n{'cohort':28s} {'step':>8s} {'matmuls':>8s} {'optim.':>8s} {'eval':>8s} {'eval mm':>8s}  (ms, one thread)")
    for name, m in [("experiment (note's 6 runs)", m_exp)] + [(f"sweep cohort of {m['K']}", m) for m in m_sweep]:
        print(f"{name:28s} " + " ".join(f"{m[k] * 1e3:8.3f}" for k in
                                        ("step", "matmuls", "optimizers", "eval", "eval first matmul")))
    n_test = len(yte)
    exp_fl = flops.experiment_flops(n_train_iters=iters, n_test=n_test)["total"]
    sweep_fl = flops.sweep_flops(n_train_iters=iters, n_test=n_test)["total"]
    print()
    workload_line("experiment", [(1, m_exp)], iters, iters // 10, exp_fl / matmul / 1e9, cores)
    workload_line("sweep (135 runs)", [(len(seeds), m) for m in m_sweep], iters, iters // 100,
                  sweep_fl / matmul / 1e9, cores)


if __name__ == "__main__":
    main()
