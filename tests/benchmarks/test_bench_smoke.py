"""The benchmark harness runs end to end on tiny data (no timing is asserted: speed is shown in benchmarks/)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_benchmark_smoke(tmp_path):
    r = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench.py"), "--smoke", "--sides", "note,optimlab",
                        "--sweep"], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    assert "note/optimlab" in r.stdout and "optimlab/floor" in r.stdout and "optimlab_sweep/floor" in r.stdout
    assert "optimlab/floor paired" in r.stdout and "optimlab_sweep/floor paired" in r.stdout
    assert "SMOKE RUN" in r.stdout and "not a measurement" in r.stdout     # its ratios are start-up and noise
    # both sides trained the same six runs
    for run in ("sgd", "momentum", "adagrad", "rmsprop", "adam", "adam_bn"):
        assert run in r.stdout


def test_breakdown_smoke(tmp_path):
    """breakdown.py times a step, its matmuls, its optimizer updates and an evaluation, and bounds the wall time."""
    r = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "breakdown.py"), "--smoke"],
                       capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    assert "experiment (note's 6 runs)" in r.stdout and "sweep cohort of 23" in r.stdout
    assert "sweep cohort of 22" in r.stdout
    assert r.stdout.count("cores busy throughout") == 2


def test_flop_count_of_the_note_experiment():
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import flops
    finally:
        sys.path.pop(0)
    per_layer = 2 * 100 * (784 * 40 + 40 * 20 + 20 * 10)         # one forward matmul pass, batch 100
    fl = flops.experiment_flops(n_train_iters=1000, batch=100, eval_interval=10, n_test=10000,
                                sizes=(784, 40, 20, 10), n_runs=1)
    total = fl["total"] if isinstance(fl, dict) else fl
    # forward + weight gradients + input gradients except the first layer, and 100 test-set evaluations
    train = 1000 * (per_layer * 2 + 2 * 100 * (40 * 20 + 20 * 10))
    evals = 100 * 2 * 10000 * (784 * 40 + 40 * 20 + 20 * 10)
    assert abs(total - (train + evals)) / total < 0.02, fl


SWEEP_SIDES = """
import json, sys
import optimlab_side
from optimlab.data import load_dataset

d = load_dataset("digits")
x_train = (d.x_train * d.scale * 255).round().astype("uint8")
x_test = (d.x_test * d.scale * 255).round().astype("uint8")
kw = dict(iters=30, batch_size=20, eval_interval=10, n_lrs=3, seeds=(0, 1))
one = optimlab_side.run_optimlab_sweep(x_train, d.y_train, x_test, d.y_test, workers=1, chunks=1, how="threads",
                                       eval_threads=1, **kw)
split = optimlab_side.run_optimlab_sweep(x_train, d.y_train, x_test, d.y_test, workers=2, chunks=3, eval_threads=0,
                                         **kw)
threads = optimlab_side.run_optimlab_sweep(x_train, d.y_train, x_test, d.y_test, workers=2, chunks=2, how="threads",
                                           **kw)
try:
    optimlab_side.run_optimlab_sweep(x_train, d.y_train, x_test, d.y_test, how="forks", **kw)
    refused = ""
except ValueError as e:
    refused = str(e)
print(json.dumps({"n": len(one["runs"]), "same": one == split == threads, "refused": refused}))
"""


def test_sweep_side_gives_the_same_runs_whatever_the_processes_threads_and_chunks():
    """The benchmark's sweep splits each seed's models into cohorts trained by worker processes (or threads); a
    model's numbers do not depend on its cohort, or on where it is evaluated, so the split changes only the time.
    In a process of its own: its workers are forked, and a fork of the test process would inherit whatever threads
    earlier tests left (a code review)."""
    import json

    r = subprocess.run([sys.executable, "-c", SWEEP_SIDES], capture_output=True, text=True, timeout=300,
                       cwd=ROOT / "benchmarks")
    assert r.returncode == 0, r.stderr[-3000:]
    out = json.loads(r.stdout.splitlines()[-1])
    assert out == {"n": 5 * 3 * 2, "same": True, "refused": "invalid how: 'forks' (accepted: processes, threads)"}
