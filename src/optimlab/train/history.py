"""``History``: what one training run recorded, round-tripping to JSON and CSV."""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._io import csv_records, read_json_checked, write_json, write_text
from ..errors import FileFormatError


@dataclass
class History:
    """One run's record. ``loss[i]`` is the minibatch loss at iteration ``i + 1`` (before that step's update);
    ``eval_iters[j]`` is an iteration count at which ``test_acc[j]`` (full test set) and ``train_acc[j]``
    (the minibatch just used, after the update, as in the note) were measured. An accuracy is NaN where the
    model's outputs were not finite (it had diverged)."""

    label: str
    loss: list[float] = field(default_factory=list)
    eval_iters: list[int] = field(default_factory=list)
    test_acc: list[float] = field(default_factory=list)
    train_acc: list[float] = field(default_factory=list)
    status: str = "ok"            # ok | diverged | failed | running
    diverged_at: int | None = None
    error: str | None = None
    wall_seconds: float = 0.0     # training seconds: the model's share of the steps (Trainer.step), evaluation not
    extra: dict[str, list[float]] = field(default_factory=dict)   # e.g. validation accuracy

    def __repr__(self) -> str:               # the arrays are long: a notebook cell shows what they add up to
        return (f"History({self.label!r}: {len(self.loss)} iterations, {len(self.eval_iters)} evaluations, final test "
                f"acc {self.final_test_accuracy:.4f}, status {self.status})")

    # -- summaries --------------------------------------------------------------------------------------
    @property
    def final_test_accuracy(self) -> float:
        return self.test_acc[-1] if self.test_acc else float("nan")

    @property
    def best_test_accuracy(self) -> float:
        finite = [v for v in self.test_acc if not np.isnan(v)]     # a diverged run: the best before it diverged
        return max(finite) if finite else float("nan")

    @property
    def final_train_accuracy(self) -> float:
        return self.train_acc[-1] if self.train_acc else float("nan")

    def iterations_to(self, target: float, metric: str = "test_acc") -> int | None:
        """The first evaluated iteration at which ``metric`` reached ``target`` (None if never)."""
        values = getattr(self, metric) if metric in ("test_acc", "train_acc") else self.extra[metric]
        for it, v in zip(self.eval_iters, values):
            if v >= target:
                return it
        return None

    # -- round trips ------------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "loss": _floats(self.loss), "eval_iters": list(map(int, self.eval_iters)),
                "test_acc": _floats(self.test_acc), "train_acc": _floats(self.train_acc), "status": self.status,
                "diverged_at": self.diverged_at, "error": self.error, "wall_seconds": float(self.wall_seconds),
                "extra": {k: _floats(v) for k, v in self.extra.items()}}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "History":
        return cls(**{**d, "loss": [float(x) for x in d["loss"]], "extra": dict(d.get("extra", {}))})

    def save_json(self, path: str | os.PathLike) -> None:
        write_json(path, self.to_dict())

    @classmethod
    def load_json(cls, path: str | os.PathLike) -> "History":
        return cls.from_dict(read_json_checked(path))        # a cut file: one line naming it, not a JSONDecodeError

    def metric_rows(self) -> list[tuple[str, int, str, float]]:
        """Long-format rows ``(run, iteration, metric, value)``."""
        rows = [(self.label, i + 1, "loss", float(v)) for i, v in enumerate(self.loss)]
        for name, values in (("test_acc", self.test_acc), ("train_acc", self.train_acc), *self.extra.items()):
            rows += [(self.label, int(it), name, float(v)) for it, v in zip(self.eval_iters, values)]
        return rows


def write_metrics_csv(path: str | os.PathLike, histories: list[History]) -> None:
    """All runs' metrics in one long table: ``run,iteration,metric,value``."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["run", "iteration", "metric", "value"])
    for h in histories:
        w.writerows((r, it, m, repr(v)) for r, it, m, v in h.metric_rows())
    write_text(path, buf.getvalue())


METRICS_COLUMNS = ("run", "iteration", "metric", "value")   # and "seed" where several seeds share a file


def read_metrics(path: str | os.PathLike) -> dict[tuple[str, int], History]:
    """Every run's curves from a ``metrics.csv``, keyed by ``(run, seed)`` (seed 0 without a seed column).

    The inverse of :meth:`History.metric_rows`: ``loss`` rows fill ``loss``; every other metric is recorded
    at the evaluation points, whose iterations are taken from the run's first such metric (``test_acc`` in a
    comparison, ``train_acc`` in a sweep's tuning run, which never sees the test set). Strict: a missing,
    malformed or cut file, or a field that is not a number, is a one-line :class:`FileFormatError`."""
    name = os.path.basename(path)
    runs: dict[tuple[str, int], History] = {}
    clock: dict[tuple[str, int], str] = {}          # run -> the metric whose rows give its eval_iters
    for line, row in csv_records(path, METRICS_COLUMNS):
        it, value, seed = _parse(row["iteration"], int), _parse(row["value"], float), _parse(row.get("seed") or "0", int)
        for column, parsed, kind in (("iteration", it, "an integer"), ("value", value, "a number"),
                                     ("seed", seed, "an integer")):
            if parsed is None:
                raise FileFormatError(f"{name} line {line}: {column} {row[column]!r} is not {kind}")
        key, metric = (row["run"], seed), row["metric"]
        h = runs.setdefault(key, History(row["run"]))
        if metric == "loss":
            h.loss.append(value)
            continue
        if clock.setdefault(key, metric) == metric:
            h.eval_iters.append(it)
        values = h.test_acc if metric == "test_acc" else h.train_acc if metric == "train_acc" else \
            h.extra.setdefault(metric, [])
        values.append(value)
    return runs


def _parse(text: str, kind: type) -> Any:
    """``kind(text)``, or None when the text is not one."""
    try:
        return kind(text)
    except (TypeError, ValueError):
        return None


def _floats(xs) -> list[float]:
    return [float(x) for x in np.asarray(xs, dtype=float).ravel()]
