"""Run directories: what a comparison wrote, and reading it back.

Layout of ``runs/<name>/``::

    recipe.toml     the recipe actually used (after command-line overrides)
    metrics.csv     long format: run, iteration, metric, value, seed
    summary.json    dataset, environment, and per (run, seed): setting, accuracies, wall time, status
    *.png           figures;  report.html  the report

A directory is built under a hidden temporary name beside the target and renamed into place only when
everything in it is written, so an interrupted run never leaves a directory that looks complete.
"""

from __future__ import annotations

import csv
import io
import math
import os
import platform
import shutil
import sys
import tempfile
from contextlib import contextmanager
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

import numpy as np

from .. import __version__
from .._io import read_json, write_json, write_text
from ..errors import OptimlabError
from ..experiment import CompareResult
from ..train import History

SUMMARY_FIELDS = ("label", "seed", "optimizer", "final_test_accuracy", "best_test_accuracy", "final_train_accuracy",
                  "final_loss", "wall_seconds", "status")


def environment() -> dict[str, Any]:
    """Versions, CPU and BLAS: enough to tell where a number was measured."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    env = {"optimlab": __version__, "python": sys.version.split()[0], "numpy": np.__version__,
           "platform": platform.platform(), "cpu": cpu, "cpu_count": os.cpu_count()}
    try:
        from threadpoolctl import threadpool_info

        env["blas"] = [{k: i.get(k) for k in ("internal_api", "version", "num_threads", "architecture")}
                       for i in threadpool_info()]
    except Exception:  # noqa: BLE001 - environment description is best effort
        pass
    for mod in ("matplotlib", "dask", "plotly"):
        m = sys.modules.get(mod)
        if m is not None:
            env[mod] = getattr(m, "__version__", "?")
    return env


def run_summary(r) -> dict[str, Any]:
    h = r.history
    return {"label": r.spec.label, "seed": r.seed, "optimizer": r.spec.optimizer, "preset": r.spec.preset,
            "hyperparameters": r.spec.make_optimizer().hyperparameters(), "net": {**asdict(r.net), "hidden": list(r.net.hidden)},
            "final_test_accuracy": _num(h.final_test_accuracy), "best_test_accuracy": _num(h.best_test_accuracy),
            "final_train_accuracy": _num(h.final_train_accuracy), "final_loss": _num(h.loss[-1] if h.loss else math.nan),
            "wall_seconds": round(h.wall_seconds, 4), "cohort_size": r.cohort_size, "status": h.status,
            "diverged_at": h.diverged_at, "error": h.error}


def summary_dict(result: CompareResult, **extra: Any) -> dict[str, Any]:
    summary = _summary_core(result, **extra)
    if len(result.recipe.seeds) > 1:
        from .stats import paired_differences, seed_statistics

        summary["seed_statistics"] = seed_statistics(summary)
        summary["paired_differences"] = paired_differences(summary)
    return summary


def _summary_core(result: CompareResult, **extra: Any) -> dict[str, Any]:
    return {"name": result.recipe.name, "status": "complete", "optimlab_version": __version__,
            "finished": datetime.now(timezone.utc).isoformat(timespec="seconds"), "dataset": result.dataset,
            "seeds": list(result.recipe.seeds), "total_wall_seconds": round(result.wall_seconds, 3),
            "environment": environment(), "runs": [run_summary(r) for r in result.runs], **extra}


def write_metrics(path: str | os.PathLike, result: CompareResult) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["run", "iteration", "metric", "value", "seed"])
    for r in result.runs:
        w.writerows((run, it, m, repr(v), r.seed) for run, it, m, v in r.history.metric_rows())
    write_text(path, buf.getvalue())


def write_results(result: CompareResult, directory: str | os.PathLike, **extra: Any) -> dict[str, Any]:
    """Write recipe, metrics and summary into ``directory``; returns the summary."""
    d = Path(directory)
    write_text(d / "recipe.toml", result.recipe.to_toml())
    write_metrics(d / "metrics.csv", result)
    summary = summary_dict(result, **extra)
    write_json(d / "summary.json", summary)
    return summary


@contextmanager
def staged_directory(target: str | os.PathLike) -> Iterator[Path]:
    """Yield a fresh hidden directory beside ``target``; on success it replaces ``target`` in one rename."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{target.name}.partial-", dir=target.parent))
    try:
        yield stage
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    old = None
    if target.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
        os.replace(target, old / "previous")
    os.replace(stage, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)



class LoadedRun:
    """A run directory read back: ``summary`` (dict) and ``histories[(label, seed)]``."""

    def __init__(self, directory: str | os.PathLike):
        d = Path(directory)
        if not (d / "summary.json").is_file():
            raise OptimlabError(f"not a run directory: {str(d)!r} (accepted: a folder with summary.json, "
                                "as written by optimlab compare)")
        self.directory = d
        self.summary: dict[str, Any] = read_json(d / "summary.json")
        self.histories: dict[tuple[str, int], History] = {}
        for r in self.summary["runs"]:
            self.histories[(r["label"], int(r["seed"]))] = History(r["label"], status=r["status"],
                                                                  wall_seconds=r["wall_seconds"])
        metrics = d / "metrics.csv"
        if metrics.is_file():
            with open(metrics, newline="", encoding="utf-8") as f:
                for row in csv.DictReader(f):
                    h = self.histories.get((row["run"], int(row.get("seed") or 0)))
                    if h is None:
                        continue
                    it, m, v = int(row["iteration"]), row["metric"], float(row["value"])
                    if m == "loss":
                        h.loss.append(v)
                    elif m == "test_acc":
                        h.eval_iters.append(it)
                        h.test_acc.append(v)
                    elif m == "train_acc":
                        h.train_acc.append(v)
                    else:
                        h.extra.setdefault(m, []).append(v)

    @property
    def labels(self) -> list[str]:
        return list(dict.fromkeys(r["label"] for r in self.summary["runs"]))


def summary_table(summary: dict[str, Any]) -> str:
    """A plain-text table of the runs: mean over seeds when there are several."""
    rows: dict[str, list[dict[str, Any]]] = {}
    for r in summary["runs"]:
        rows.setdefault(r["label"], []).append(r)
    n_seeds = len(summary.get("seeds", [0]))
    head = ["run", "optimizer", "lr", "final test acc", "best test acc", "final batch acc", "wall s", "status"]
    lines = []
    for label, rs in rows.items():
        def agg(key):
            vals = np.array([x[key] for x in rs if x[key] is not None], dtype=float)
            if len(vals) == 0 or np.all(np.isnan(vals)):
                return "nan"
            m = np.nanmean(vals)
            if n_seeds > 1 and len(vals) > 1:
                return f"{m:.4f}±{np.nanstd(vals, ddof=1):.4f}"
            return f"{m:.4f}"
        statuses = sorted({x["status"] for x in rs})
        lines.append([label, rs[0]["optimizer"], f"{rs[0]['hyperparameters'].get('lr', float('nan')):g}",
                      agg("final_test_accuracy"), agg("best_test_accuracy"), agg("final_train_accuracy"),
                      f"{sum(x['wall_seconds'] for x in rs):.2f}", "/".join(statuses)])
    widths = [max(len(str(x)) for x in col) for col in zip(head, *lines)]
    fmt = lambda row: "  ".join(str(c).ljust(w) for c, w in zip(row, widths)).rstrip()  # noqa: E731
    out = [fmt(head), fmt(["-" * w for w in widths])] + [fmt(r) for r in lines]
    return "\n".join(out)


def _num(x: float) -> float | None:
    x = float(x)
    return None if math.isnan(x) else x
