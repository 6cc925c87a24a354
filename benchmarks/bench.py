"""Speed benchmark harness: note port vs PyTorch eager vs optimlab.

Usage::

    python benchmarks/bench.py                       # 3 repeats, all sides, Fashion-MNIST
    python benchmarks/bench.py --repeats 5 --sides note,optimlab
    python benchmarks/bench.py --sweep               # also time optimlab's sweep
    python benchmarks/bench.py --smoke               # tiny synthetic data, seconds (CI)

Workload ("experiment"): the note's 6 runs (SGD, Momentum, AdaGrad, RMSProp,
Adam, Adam+BN) of MultiLayerNet(784, [40, 20], 10, sigmoid), 1000 iterations of
batch 100 (drawn with replacement), accuracy on the full 10k test set and the
minibatch every 10 iterations.

Sides (each receives uint8 pixels (N, 28, 28) and int labels and does its own
conversion inside the timed call):

* ``note``     -- ``benchmarks/note_port.py:run_note_experiment`` (faithful port of the note's loop)
* ``torch``    -- ``benchmarks/torch_ref.py:run_torch_experiment`` (PyTorch eager, CPU, float32)
* ``optimlab`` -- ``benchmarks/optimlab_side.py:run_optimlab_experiment(x_train_u8, y_train,
  x_test_u8, y_test, seed=0, iters=1000, batch_size=100, eval_interval=10) -> dict``
  (skipped with a message while that file does not exist)

All return ``{"runs": {name: {"final_test_acc": float, "test_acc": [...], ...}}}``
(a bare ``{name: {...}}`` mapping is accepted too).

``--sweep`` additionally times ``benchmarks/optimlab_side.py:run_optimlab_sweep(x_train_u8,
y_train, x_test_u8, y_test, iters=1000, batch_size=100, eval_interval=100)`` (its grid --
5 optimizers x 9 learning rates x 3 seeds -- is that function's default) against the
sweep's FLOP floor: one worker process per core, as ``optimlab sweep`` trains (forked, so they inherit the data
in memory; threads before 2026-12-02, see RESULTS.md).

Sides run **alternating** (note, torch, optimlab, note, torch, ...), each in a
fresh subprocess so its peak RSS (``ru_maxrss`` of that process) can be reported;
wall time is measured inside the subprocess around the side's call only (Python
start-up, imports -- with torch's lazy imports at its first optimizer step, done once by
``torch_ref.warm_up`` -- and reading the IDX files are excluded; uint8 -> float
conversion is included).  The float32 matmul rate (median of 7) is measured in
the same invocation, before the sides, after every round and right before and after every optimlab run; the
best of these
is used for the FLOP floor (a lower bound; the machine may be shared).  Results go to stdout and to
``benchmarks/out/bench-<timestamp>.json`` (+ ``latest.json``).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import gzip
import importlib
import importlib.util
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import flops  # noqa: E402  (benchmarks/flops.py)

ALL_SIDES = ("note", "torch", "optimlab")
PAIRED_SIDES = ("optimlab", "optimlab_sweep")   # each run also set against the matmul rate measured right after it
RUN_NAMES = ("sgd", "momentum", "adagrad", "rmsprop", "adam", "adam_bn")
IDX_DIRS = {"fashion-mnist": "/usr/share/datasets/fashion-mnist",
            "mnist": "/usr/share/datasets/mnist"}
IDX_FILES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
             "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")


# --------------------------------------------------------------------------
# data
# --------------------------------------------------------------------------

def read_idx_gz(path):
    """Parse one IDX file (optionally gzip-compressed) into a uint8 array."""
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rb") as f:
        buf = f.read()
    if len(buf) < 4 or buf[0] != 0 or buf[1] != 0:
        raise ValueError(f"{path}: not an IDX file")
    if buf[2] != 0x08:
        raise ValueError(f"{path}: IDX dtype 0x{buf[2]:02x} is not uint8")
    ndim = buf[3]
    dims = [int.from_bytes(buf[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    offset = 4 + 4 * ndim
    n = int(np.prod(dims)) if dims else 0
    if len(buf) - offset != n:
        raise ValueError(f"{path}: expected {n} bytes of data, found {len(buf) - offset}")
    return np.frombuffer(buf, dtype=np.uint8, offset=offset).reshape(dims).copy()


def load_idx_dataset(name):
    d = Path(IDX_DIRS.get(name, name))
    arrays = [read_idx_gz(d / f) for f in IDX_FILES]
    return tuple(arrays)


def _to_u8(x):
    x = np.asarray(x)
    if x.dtype == np.uint8:
        return x
    x = x.astype(np.float64)
    if x.max() <= 1.0 + 1e-9:
        x = x * 255.0
    return np.clip(np.rint(x), 0, 255).astype(np.uint8)


def _coerce_optimlab_dataset(obj):
    """Best effort: accept the common return shapes of optimlab.data.load_dataset."""
    if isinstance(obj, dict):
        keys = [("x_train", "y_train", "x_test", "y_test")]
        for ks in keys:
            if all(k in obj for k in ks):
                return tuple(obj[k] for k in ks)
    for attrs in (("x_train", "y_train", "x_test", "y_test"),):
        if all(hasattr(obj, a) for a in attrs):
            return tuple(getattr(obj, a) for a in attrs)
    if isinstance(obj, (tuple, list)):
        if len(obj) == 4:
            return tuple(obj)
        if len(obj) == 2 and all(isinstance(p, (tuple, list)) and len(p) == 2 for p in obj):
            return (obj[0][0], obj[0][1], obj[1][0], obj[1][1])
    raise TypeError(f"unrecognised dataset object {type(obj).__name__}")


def load_dataset(name, loader="auto"):
    """Returns ``(x_train_u8 (N,28,28), y_train, x_test_u8, y_test, loader_used)``."""
    if loader in ("auto", "optimlab"):
        try:
            mod = importlib.import_module("optimlab.data")
            fn = getattr(mod, "load_dataset")
            xtr, ytr, xte, yte = _coerce_optimlab_dataset(fn(name))
            xtr, xte = _to_u8(xtr), _to_u8(xte)
            ytr = np.asarray(ytr)
            yte = np.asarray(yte)
            if ytr.ndim == 2:  # one-hot
                ytr, yte = ytr.argmax(1), yte.argmax(1)
            xtr = xtr.reshape(xtr.shape[0], 28, 28)
            xte = xte.reshape(xte.shape[0], 28, 28)
            if xtr.shape[0] != ytr.shape[0] or xte.shape[0] != yte.shape[0]:
                raise ValueError("x/y length mismatch")
            return xtr, ytr.astype(np.int64), xte, yte.astype(np.int64), "optimlab.data.load_dataset"
        except Exception as exc:  # noqa: BLE001 - fall back to our own parser
            if loader == "optimlab":
                raise
            print(f"[bench] optimlab.data.load_dataset unavailable ({type(exc).__name__}: {exc}); "
                  "parsing IDX files directly", file=sys.stderr)
    xtr, ytr, xte, yte = load_idx_dataset(name)
    return xtr, ytr.astype(np.int64), xte, yte.astype(np.int64), "idx.gz (bench.read_idx_gz)"


def synthetic_dataset(n_train=600, n_test=200, n_classes=10, seed=123):
    """Tiny learnable uint8 data for --smoke: per-class prototypes + noise."""
    rng = np.random.default_rng(seed)
    protos = rng.uniform(0, 255, size=(n_classes, 784))

    def make(n):
        y = rng.integers(0, n_classes, size=n)
        x = protos[y] * 0.7 + rng.uniform(0, 255, size=(n, 784)) * 0.3
        return np.clip(x, 0, 255).astype(np.uint8).reshape(n, 28, 28), y.astype(np.int64)

    xtr, ytr = make(n_train)
    xte, yte = make(n_test)
    return xtr, ytr, xte, yte


# --------------------------------------------------------------------------
# machine
# --------------------------------------------------------------------------

def _pkg_version(name):
    try:
        from importlib.metadata import version
        return version(name)
    except Exception:  # noqa: BLE001
        return None


def machine_info():
    cpu = None
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover
        usable = os.cpu_count()
    return {
        "cpu_model": cpu or platform.processor(),
        "cpu_count": os.cpu_count(),
        "cpus_usable": usable,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "numpy": np.__version__,
        "torch": _pkg_version("torch"),
        "optimlab": _pkg_version("optimlab"),
        "blas": flops.blas_info(),
        "env_threads": {k: os.environ[k] for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                                                   "MKL_NUM_THREADS") if k in os.environ},
    }


# --------------------------------------------------------------------------
# sides
# --------------------------------------------------------------------------

def side_available(side):
    """(available, reason)."""
    if side == "note":
        return True, ""
    if side == "torch":
        if importlib.util.find_spec("torch") is None:
            return False, "torch is not installed"
        return True, ""
    if side in ("optimlab", "optimlab_sweep"):
        if not (HERE / "optimlab_side.py").exists():
            return False, "benchmarks/optimlab_side.py does not exist yet"
        return True, ""
    return False, f"unknown side {side!r}"


def _resolve_side(side):
    """Import the side's module; returns the callable (import time, and torch's one-time start-up, excluded from
    timing)."""
    if side == "note":
        return importlib.import_module("note_port").run_note_experiment
    if side == "torch":
        mod = importlib.import_module("torch_ref")
        mod.warm_up()           # the lazy imports of torch's first optimizer step are start-up, as imports are
        return mod.run_torch_experiment
    if side == "optimlab":
        return importlib.import_module("optimlab_side").run_optimlab_experiment
    if side == "optimlab_sweep":
        mod = importlib.import_module("optimlab_side")
        if not hasattr(mod, "run_optimlab_sweep"):
            raise AttributeError("benchmarks/optimlab_side.py has no run_optimlab_sweep")
        return mod.run_optimlab_sweep
    raise ValueError(side)


def _runs_of(result):
    if isinstance(result, dict) and isinstance(result.get("runs"), dict):
        return result["runs"]
    if isinstance(result, dict):
        return {k: v for k, v in result.items() if isinstance(v, dict)}
    return {}


def _jsonable(obj, depth=0):
    if depth > 6:
        return repr(obj)
    if isinstance(obj, dict):
        return {str(k): _jsonable(v, depth + 1) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v, depth + 1) for v in obj]
    if isinstance(obj, np.ndarray):
        return obj.tolist() if obj.size <= 100000 else f"<ndarray {obj.shape}>"
    if isinstance(obj, (np.floating, np.integer, np.bool_)):
        return obj.item()
    if isinstance(obj, (str, int, float, bool)) or obj is None:
        return obj
    return repr(obj)


def run_side_inprocess(side, data, cfg):
    """Run one side in this process; returns a record (wall seconds, accuracies, RSS)."""
    xtr, ytr, xte, yte = data
    t_imp = time.perf_counter()
    fn = _resolve_side(side)
    import_s = time.perf_counter() - t_imp
    rss_before_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if side == "optimlab_sweep":
        kwargs = dict(iters=cfg["iters"], batch_size=cfg["batch_size"],
                      eval_interval=cfg["sweep_eval_interval"])
    else:
        kwargs = dict(seed=cfg["seed"], iters=cfg["iters"], batch_size=cfg["batch_size"],
                      eval_interval=cfg["eval_interval"])
    load0 = os.getloadavg()[0]
    ru0, rc0 = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    result = fn(xtr, ytr, xte, yte, **kwargs)
    wall = time.perf_counter() - t0
    ru1, rc1 = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    rss_kb = ru1.ru_maxrss
    cpu_s = (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime)
    # the sweep's worker processes (this process is their parent): their CPU time and the largest one's peak RSS
    children_cpu_s = (rc1.ru_utime - rc0.ru_utime) + (rc1.ru_stime - rc0.ru_stime)
    runs = _runs_of(result)
    rec = {
        "side": side,
        "wall_s": wall,
        "import_s": import_s,
        "maxrss_mb": rss_kb / 1024.0,
        "maxrss_before_call_mb": rss_before_kb / 1024.0,
        # CPU seconds used by this process during the call; cpu_s / wall_s well below the
        # thread count while the load average is above the core count = contention
        "cpu_s": cpu_s + children_cpu_s,
        "children_cpu_s": children_cpu_s,
        "workers_maxrss_mb": rc1.ru_maxrss / 1024.0 if children_cpu_s > 0 else None,
        "loadavg_1min_before": load0,
        "loadavg_1min_after": os.getloadavg()[0],
        "final_test_acc": {k: (float(v["final_test_acc"]) if "final_test_acc" in v else None)
                           for k, v in runs.items()},
        "run_seconds": _jsonable(result.get("run_seconds")) if isinstance(result, dict) else None,
    }
    if side == "torch":
        try:
            rec["torch_info"] = importlib.import_module("torch_ref").torch_info()
        except Exception:  # noqa: BLE001
            pass
    if side == "optimlab_sweep":
        rec["result"] = _jsonable(result)
    else:
        rec["curves"] = {k: {"test_acc": _jsonable(v.get("test_acc")),
                             "train_acc": _jsonable(v.get("train_acc"))} for k, v in runs.items()}
    return rec


def run_side_recorded(side, data, cfg):
    """run_side_inprocess, with a failure turned into a record (``ok`` False, the error and its traceback)."""
    try:
        rec = run_side_inprocess(side, data, cfg)
        rec["ok"] = True
    except Exception as exc:  # noqa: BLE001
        rec = {"side": side, "ok": False, "error": f"{type(exc).__name__}: {exc}",
               "traceback": traceback.format_exc()}
    return rec


def _worker_main(side, data_path, cfg_json, result_path):
    cfg = json.loads(cfg_json)
    with np.load(data_path) as z:
        data = (z["x_train"], z["y_train"], z["x_test"], z["y_test"])
    rec = run_side_recorded(side, data, cfg)
    Path(result_path).write_text(json.dumps(rec))
    return 0 if rec["ok"] else 1


def run_side_subprocess(side, data_path, cfg, tmpdir, tag):
    result_path = Path(tmpdir) / f"result-{tag}.json"
    cmd = [sys.executable, str(Path(__file__).resolve()), "--_worker", side,
           "--_data", str(data_path), "--_cfg", json.dumps(cfg), "--_result", str(result_path)]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    process_s = time.perf_counter() - t0
    if result_path.exists():
        rec = json.loads(result_path.read_text())
    else:
        rec = {"side": side, "ok": False,
               "error": f"worker exited {proc.returncode} without a result",
               "stderr_tail": proc.stderr[-4000:]}
    rec["process_s"] = process_s
    if not rec.get("ok"):
        rec.setdefault("stderr_tail", proc.stderr[-4000:])
    return rec


# --------------------------------------------------------------------------
# report
# --------------------------------------------------------------------------

def _fmt_s(x):
    return "   -   " if x is None else f"{x:8.2f}"


def _median(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def summarize(records, sides, exp_flops, sweep_fl, matmul, cfg):
    summary = {"sides": {}}
    for side in list(sides) + ["optimlab_sweep"]:
        recs = [r for r in records if r["side"] == side and r.get("ok")]
        if not recs:
            continue
        summary["sides"][side] = {
            "median_wall_s": _median([r["wall_s"] for r in recs]),
            "min_wall_s": min(r["wall_s"] for r in recs),
            "walls_s": [r["wall_s"] for r in recs],
            "peak_rss_mb": max(r.get("maxrss_mb", 0) for r in recs),
            "rss_before_call_mb": max(r.get("maxrss_before_call_mb", 0) for r in recs),
            "workers_peak_rss_mb": max((r.get("workers_maxrss_mb") or 0 for r in recs), default=0) or None,
            "final_test_acc": recs[-1].get("final_test_acc"),
            "n": len(recs),
        }
        # contention-robust estimate: sum over runs of each run's fastest repeat
        per_run = {}
        for r in recs:
            for k, v in (r.get("run_seconds") or {}).items():
                if isinstance(v, (int, float)):
                    per_run.setdefault(k, []).append(v)
        if per_run and all(len(v) == len(recs) for v in per_run.values()):
            summary["sides"][side]["sum_min_run_s"] = sum(min(v) for v in per_run.values())
    rate = matmul["gflops"] * 1e9
    floor_s = exp_flops["total"] / rate
    summary["matmul_gflops"] = matmul["gflops"]
    summary["experiment_floor_s"] = floor_s
    summary["note_matmul_floor_s"] = exp_flops["note_total"] / rate
    summary["sweep_floor_s"] = sweep_fl["total"] / rate
    s = summary["sides"]
    opt = s.get("optimlab", {}).get("median_wall_s")
    if opt:
        for other in ("note", "torch"):
            if other in s:
                summary[f"{other}/optimlab"] = s[other]["median_wall_s"] / opt
        summary["optimlab/floor"] = opt / floor_s
    for other in ("note", "torch"):
        if other in s:
            summary[f"{other}/floor"] = s[other]["median_wall_s"] / floor_s
    if "optimlab_sweep" in s:
        summary["optimlab_sweep/floor"] = s["optimlab_sweep"]["median_wall_s"] / summary["sweep_floor_s"]
    # paired: each run's wall time over its floor at the higher of the matmul rates measured right before and right
    # after it (median over runs). The rate after alone let one slow reading (86.7 of 142.6 GFLOP/s in run J) pull
    # the ratio down (1.61x against 2.13x); a smoke run's 11 GFLOP/s reading made it 1.15x against 7.0x. (Until
    # run L, "before" was the reading after the previous optimlab run, two sides earlier.)
    for side, total in (("optimlab", exp_flops["total"]), ("optimlab_sweep", sweep_fl["total"])):
        paired = [r["wall_s"] * max(r["matmul_after_gflops"], r.get("matmul_before_gflops", 0)) * 1e9 / total
                  for r in records if r["side"] == side and r.get("ok") and r.get("matmul_after_gflops")]
        if paired:
            summary[f"{side}/floor paired"] = _median(paired)
            summary["sides"][side]["floor_ratios_paired"] = paired
    return summary


def print_report(machine, cfg, summary, exp_flops, sweep_fl, matmuls, skipped, failures):
    p = print
    p("=" * 78)
    p(f"machine : {machine['cpu_model']}  ({machine['cpus_usable']} usable of "
      f"{machine['cpu_count']} CPUs)  python {machine['python']}")
    p(f"versions: numpy {machine['numpy']}  torch {machine['torch']}  optimlab {machine['optimlab']}")
    for b in machine["blas"]:
        p(f"BLAS    : {b.get('internal_api')} {b.get('version')} ({b.get('threading_layer')}, "
          f"{b.get('num_threads')} threads, {b.get('architecture')})")
    p(f"data    : {cfg['data']} via {cfg['loader_used']}  train {cfg['n_train']}  test {cfg['n_test']}")
    p(f"protocol: {cfg['iters']} iters x batch {cfg['batch_size']}, eval every "
      f"{cfg['eval_interval']}, 6 runs, seed {cfg['seed']}, {cfg['repeats']} repeat(s), alternating")
    p("-" * 78)
    p(f"matmul  : float32 {matmuls[0]['n']}^3: " +
      ", ".join(f"{m['gflops']:.1f}" for m in matmuls) + f" GFLOP/s -> using best "
      f"{summary['matmul_gflops']:.1f}")
    p(f"FLOPs   : experiment {exp_flops['total'] / 1e9:.1f} GFLOP (train "
      f"{exp_flops['total_train'] / 1e9:.1f}, eval {exp_flops['total_eval'] / 1e9:.1f}); "
      f"note's loop does {exp_flops['note_total'] / 1e9:.1f}")
    p(f"floor   : experiment {summary['experiment_floor_s']:.2f} s   "
      f"sweep {sweep_fl['n_runs']} runs {sweep_fl['total'] / 1e12:.2f} TFLOP -> "
      f"{summary['sweep_floor_s']:.2f} s")
    p("-" * 78)
    p(f"{'side':<16}{'median s':>10}{'min s':>10}{'Σmin run':>10}{'peak RSS MB':>13}{'x floor':>10}   walls")
    for side, s in summary["sides"].items():
        fl = summary["sweep_floor_s"] if side == "optimlab_sweep" else summary["experiment_floor_s"]
        p(f"{side:<16}{_fmt_s(s['median_wall_s']):>10}{_fmt_s(s['min_wall_s']):>10}"
          f"{_fmt_s(s.get('sum_min_run_s')):>10}"
          f"{s['peak_rss_mb']:>13.0f}{s['median_wall_s'] / fl:>10.1f}   "
          + " ".join(f"{w:.2f}" for w in s["walls_s"]))
        if s.get("workers_peak_rss_mb"):
            p(f"{'':<16}its worker processes' peak RSS: {s['workers_peak_rss_mb']:.0f} MB each at most (the data "
              "shared with this process, copy-on-write)")
    for key in ("note/optimlab", "torch/optimlab", "optimlab/floor", "optimlab_sweep/floor",
                "optimlab/floor paired", "optimlab_sweep/floor paired"):
        if key in summary:
            p(f"{key:<28}{summary[key]:8.2f}")
    if any(k.endswith("paired") for k in summary):
        p("  (floor: the best matmul rate of the whole run; paired: each run against the higher of the rates\n"
          "   measured right before and right after it, median over runs)")
    if cfg.get("smoke"):
        p("  SMOKE RUN: tiny synthetic data and a few iterations check that the harness works; its times and\n"
          "  ratios are start-up and noise, not a measurement of any side")
    if "optimlab" not in summary["sides"]:
        p("ratios vs optimlab: n/a (optimlab side not run)")
    p("-" * 78)
    exp_sides = [s for s in summary["sides"] if s != "optimlab_sweep"]
    if exp_sides:
        p("final test accuracy" + "".join(f"{s:>12}" for s in exp_sides))
        names = []
        for s in exp_sides:
            for k in (summary["sides"][s]["final_test_acc"] or {}):
                if k not in names:
                    names.append(k)
        for k in names:
            row = f"  {k:<17}"
            for s in exp_sides:
                v = (summary["sides"][s]["final_test_acc"] or {}).get(k)
                row += f"{v:>12.4f}" if v is not None else f"{'-':>12}"
            p(row)
    for side, why in skipped.items():
        p(f"skipped {side}: {why}")
    for r in failures:
        p(f"FAILED {r['side']}: {r.get('error')}")
        if r.get("traceback") or r.get("stderr_tail"):
            p((r.get("traceback") or r.get("stderr_tail")).rstrip())
    p("note: on a shared machine compare min and 'Σmin run' (sum over the 6 runs of each run's fastest\n"
      "      repeat, if the side reports run_seconds) as well as the median; cpu_s/loadavg per record in the JSON")
    p("=" * 78)


# --------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------

def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeats", type=int, default=None, help="timed repeats per side (default 3; smoke 1)")
    ap.add_argument("--sides", default=",".join(ALL_SIDES), help="comma list of note,torch,optimlab")
    ap.add_argument("--data", default="fashion-mnist", help="fashion-mnist (default) or mnist")
    ap.add_argument("--loader", default="auto", choices=("auto", "idx", "optimlab"),
                    help="auto: optimlab.data.load_dataset if usable, else parse the IDX .gz files")
    ap.add_argument("--smoke", action="store_true", help="tiny synthetic data, few iterations (CI)")
    ap.add_argument("--sweep", action="store_true", help="also time optimlab_side.run_optimlab_sweep")
    ap.add_argument("--iters", type=int, default=None)
    ap.add_argument("--batch-size", type=int, default=100)
    ap.add_argument("--eval-interval", type=int, default=10)
    ap.add_argument("--sweep-eval-interval", type=int, default=100)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--matmul-n", type=int, default=None)
    ap.add_argument("--in-process", action="store_true",
                    help="run sides in this process (no per-side RSS; for debugging)")
    ap.add_argument("--out", default=str(HERE / "out"), help="directory for the JSON results")
    ap.add_argument("--_worker", help=argparse.SUPPRESS)
    ap.add_argument("--_data", help=argparse.SUPPRESS)
    ap.add_argument("--_cfg", help=argparse.SUPPRESS)
    ap.add_argument("--_result", help=argparse.SUPPRESS)
    return ap.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    if args._worker:
        return _worker_main(args._worker, args._data, args._cfg, args._result)

    sides = [s.strip() for s in args.sides.split(",") if s.strip()]
    bad = [s for s in sides if s not in ALL_SIDES]
    if bad:
        print(f"unknown side(s) {bad}; choose from {ALL_SIDES}", file=sys.stderr)
        return 2
    repeats = args.repeats if args.repeats is not None else (1 if args.smoke else 3)
    iters = args.iters if args.iters is not None else (20 if args.smoke else 1000)
    matmul_n = args.matmul_n or (512 if args.smoke else 2048)

    if args.smoke:
        xtr, ytr, xte, yte = synthetic_dataset()
        data_name, loader_used = "synthetic (smoke)", "bench.synthetic_dataset"
    else:
        t0 = time.perf_counter()
        xtr, ytr, xte, yte, loader_used = load_dataset(args.data, args.loader)
        data_name = args.data
        print(f"[bench] loaded {args.data} via {loader_used} in {time.perf_counter() - t0:.1f} s",
              flush=True)

    cfg = {"seed": args.seed, "iters": iters, "batch_size": args.batch_size,
           "eval_interval": args.eval_interval, "sweep_eval_interval": args.sweep_eval_interval,
           "repeats": repeats, "data": data_name, "loader_used": loader_used,
           "n_train": int(xtr.shape[0]), "n_test": int(xte.shape[0]), "smoke": args.smoke}

    skipped = {}
    run_sides = []
    for s in sides:
        ok, why = side_available(s)
        if ok:
            run_sides.append(s)
        else:
            skipped[s] = why
            print(f"[bench] skipping {s}: {why}", flush=True)
    if args.sweep:
        ok, why = side_available("optimlab_sweep")
        if ok:
            ok = True
        else:
            skipped["optimlab_sweep"] = why
            print(f"[bench] skipping sweep: {why}", flush=True)
        do_sweep = ok
    else:
        do_sweep = False

    machine = machine_info()
    matmul_repeats = 3 if args.smoke else 7
    matmuls = [flops.measure_matmul_gflops(np.float32, n=matmul_n, repeats=matmul_repeats)]
    print(f"[bench] matmul float32 {matmul_n}: {matmuls[0]['gflops']:.1f} GFLOP/s", flush=True)

    records = []
    with tempfile.TemporaryDirectory(prefix="optimlab-bench-") as tmp:
        data_path = Path(tmp) / "data.npz"
        np.savez(data_path, x_train=xtr, y_train=ytr, x_test=xte, y_test=yte)
        data = (xtr, ytr, xte, yte)
        schedule = [(r, s) for r in range(repeats) for s in run_sides]
        if do_sweep:
            schedule += [(r, "optimlab_sweep") for r in range(repeats)]
        for rep, side in schedule:
            tag = f"{side}-{rep}"
            if side in PAIRED_SIDES:        # the rate right before it too (the latest one was minutes earlier)
                matmuls.append(flops.measure_matmul_gflops(np.float32, n=matmul_n, repeats=matmul_repeats))
            before = matmuls[-1]["gflops"]
            if args.in_process:
                rec = run_side_recorded(side, data, cfg)
            else:
                rec = run_side_subprocess(side, data_path, cfg, tmp, tag)
            rec["repeat"] = rep
            records.append(rec)
            # re-measure the matmul rate at the end of every round and right after every optimlab run
            # (that run is then also compared with the rate of its own minutes: the machine drifts)
            if side in PAIRED_SIDES or (run_sides and side == run_sides[-1]):
                matmuls.append(flops.measure_matmul_gflops(np.float32, n=matmul_n,
                                                           repeats=matmul_repeats))
                if side in PAIRED_SIDES:
                    rec["matmul_before_gflops"] = before
                    rec["matmul_after_gflops"] = matmuls[-1]["gflops"]
            if rec.get("ok"):
                accs = rec.get("final_test_acc") or {}
                acc_s = " ".join(f"{k}={v:.3f}" for k, v in accs.items() if v is not None)
                print(f"[bench] {side:<15} rep {rep}: {rec['wall_s']:7.2f} s  "
                      f"cpu {rec.get('cpu_s', 0):7.2f} s  load {rec.get('loadavg_1min_before', 0):.1f}"
                      f"->{rec.get('loadavg_1min_after', 0):.1f}  "
                      f"rss {rec.get('maxrss_mb', 0):6.0f} MB"
                      + (f" (workers {rec['workers_maxrss_mb']:.0f} MB)" if rec.get("workers_maxrss_mb") else "")
                      + f"  {acc_s}", flush=True)
            else:
                print(f"[bench] {side:<15} rep {rep}: FAILED {rec.get('error')}", flush=True)

    if not run_sides:
        matmuls.append(flops.measure_matmul_gflops(np.float32, n=matmul_n, repeats=matmul_repeats))
    matmul = dict(matmuls[0])
    # the floor is a lower bound, so use the best (least contended) of the medians
    matmul["gflops"] = max(m["gflops"] for m in matmuls)
    matmul["all_gflops"] = [m["gflops"] for m in matmuls]

    exp_flops = flops.experiment_flops(iters, args.batch_size, args.eval_interval,
                                       int(xte.shape[0]), flops.NOTE_SIZES, 6)
    sweep_fl = flops.sweep_flops(n_train_iters=iters, batch=args.batch_size,
                                 eval_interval=args.sweep_eval_interval, n_test=int(xte.shape[0]))
    summary = summarize(records, run_sides, exp_flops, sweep_fl, matmul, cfg)
    failures = [r for r in records if not r.get("ok")]
    print_report(machine, cfg, summary, exp_flops, sweep_fl, matmuls, skipped, failures)

    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    name = f"bench-{'smoke-' if args.smoke else ''}{stamp}.json"
    payload = {"timestamp": stamp, "argv": sys.argv[1:], "machine": machine, "config": cfg,
               "matmul": matmul, "matmul_measurements": matmuls, "experiment_flops": exp_flops,
               "sweep_flops": sweep_fl, "summary": summary, "skipped": skipped,
               "records": records}
    text = json.dumps(_jsonable(payload), indent=1)
    (out_dir / name).write_text(text)
    (out_dir / ("latest-smoke.json" if args.smoke else "latest.json")).write_text(text)
    print(f"[bench] wrote {out_dir / name}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
