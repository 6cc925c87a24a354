"""``optimlab report`` on damaged inputs: one line naming the file and what is wrong, exit 2, no report written.

Run and sweep folders are real ones (tiny runs on scikit-learn's digits), copied and then damaged per test.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from optimlab.api import compare
from optimlab.cli import main
from optimlab.viz.report import write_report


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("inputs") / "run"
    compare(dataset="digits", iters=20, eval_interval=10, optimizers=["sgd", "adam"], seeds=[0, 1], out=out,
            report=False, plots=False)
    return out


@pytest.fixture(scope="module")
def sweep_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("inputs") / "sweep"
    assert main(["sweep", "--dataset", "digits", "--optimizers", "sgd,adam", "--lrs", "0.01,0.1", "--seeds", "1",
                 "--test-seeds", "1000-1000", "--iters", "20", "--eval-interval", "10", "--batchnorm", "off",
                 "--jobs", "0", "--no-progress", "--no-plots", "--no-report", "--out", str(out)]) == 0
    return out


def copy(src: Path, tmp_path: Path) -> Path:
    d = tmp_path / src.name
    shutil.copytree(src, d)
    return d


def lines(p: Path) -> list[str]:
    return p.read_text(encoding="utf-8").splitlines(keepends=True)


def edit_json(p: Path, change) -> None:
    s = json.loads(p.read_text(encoding="utf-8"))
    s = change(s)
    p.write_text(json.dumps(s), encoding="utf-8")


def fails(d: Path, capsys, *expected: str, kind: str = "run directory", extra=()) -> str:
    """``optimlab report d``: exit 2, one line on stderr naming ``expected``, nothing written into ``d``."""
    before = sorted(p.name for p in d.iterdir())
    rc = main(["report", str(d), *extra])
    err = capsys.readouterr().err
    assert rc == 2, err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert err.startswith(f"optimlab: error: cannot read {kind} {str(d)!r}: ") or \
        err.startswith(f"optimlab: error: cannot read sweep run {str(d)!r}"), err
    for piece in expected:
        assert piece in err, (piece, err)
    assert sorted(p.name for p in d.iterdir()) == before          # no report.html, no temporary file
    return err


# -- compare run folders ---------------------------------------------------------------------------------------

def test_intact_run_reports(run_dir, tmp_path, capsys):
    d = copy(run_dir, tmp_path)
    assert main(["report", str(d)]) == 0 and (d / "report.html").is_file()


def _cut_last_line(d: Path) -> None:
    ls = lines(d / "metrics.csv")
    (d / "metrics.csv").write_text("".join(ls[:-1]) + ls[-1][: len(ls[-1]) // 3], encoding="utf-8")


def _drop_last_lines(d: Path) -> None:
    (d / "metrics.csv").write_text("".join(lines(d / "metrics.csv")[:-3]), encoding="utf-8")


def _replace_value(d: Path) -> None:
    ls = lines(d / "metrics.csv")
    f = ls[5].rstrip("\n").split(",")
    f[3] = "abc"
    ls[5] = ",".join(f) + "\n"
    (d / "metrics.csv").write_text("".join(ls), encoding="utf-8")


METRICS_DAMAGE = {
    "missing": (lambda d: (d / "metrics.csv").unlink(), ["metrics.csv is missing"]),
    "a folder": (lambda d: ((d / "metrics.csv").unlink(), (d / "metrics.csv").mkdir()), ["metrics.csv is not a file"]),
    "empty": (lambda d: (d / "metrics.csv").write_text(""), ["metrics.csv is empty"]),
    "header only": (lambda d: (d / "metrics.csv").write_text("run,iteration,metric,value,seed\n"),
                    ["metrics.csv has a header but no rows"]),
    "cut mid-line": (_cut_last_line, ["metrics.csv line ", ": expected 5 fields, found "]),
    "cut at a line end": (_drop_last_lines, ["metrics.csv has last ", "but summary.json has final_",
                                             "truncated or edited?"]),
    "not a number": (_replace_value, ["metrics.csv line 6: value 'abc' is not a number"]),
    "unknown run": (lambda d: (d / "metrics.csv").open("a").write("Nobody,1,loss,2.3,0\n"),
                    ["run 'Nobody' seed 0 is not in summary.json"]),
    "wrong header": (lambda d: (d / "metrics.csv").write_text("a,b,c\n1,2,3\n"),
                     ["metrics.csv line 1: no column run, iteration, metric, value"]),
    "not UTF-8": (lambda d: (d / "metrics.csv").write_bytes(b"run,iteration,metric,value,seed\n\xff\xfe,1\n"),
                  ["metrics.csv is not UTF-8 text"]),
}


@pytest.mark.parametrize("damage", list(METRICS_DAMAGE))
def test_damaged_metrics(damage, run_dir, tmp_path, capsys):
    d = copy(run_dir, tmp_path)
    change, expected = METRICS_DAMAGE[damage]
    change(d)
    fails(d, capsys, *expected)


def test_truncated_metrics_line_number(run_dir, tmp_path, capsys):
    d = copy(run_dir, tmp_path)
    n = len(lines(d / "metrics.csv"))
    _cut_last_line(d)
    fails(d, capsys, f"metrics.csv line {n}: expected 5 fields, found ")


def test_no_report_elsewhere_either(run_dir, tmp_path, capsys):
    d = copy(run_dir, tmp_path)
    _drop_last_lines(d)
    out = tmp_path / "elsewhere" / "r.html"
    fails(d, capsys, "truncated or edited?", extra=["--lang", "en", "--out", str(out)])
    assert not out.exists() and not out.parent.exists()


SUMMARY_DAMAGE = {
    "{}": (lambda s: {}, ["summary.json has no 'runs' (the list of runs)"]),
    "a list": (lambda s: [], ["summary.json holds a JSON list, not an object"]),
    "no runs": (lambda s: {**s, "runs": []}, ["summary.json: 'runs' is empty"]),
    "runs not a list": (lambda s: {**s, "runs": "x"}, ["summary.json: 'runs' is 'x'"]),
    "run without label": (lambda s: {**s, "runs": [{k: v for k, v in r.items() if k != "label"} for r in s["runs"]]},
                          ["summary.json: runs[0] has no 'label'"]),
    "bad seed": (lambda s: {**s, "runs": [{**r, "seed": "zero"} for r in s["runs"]]},
                 ["summary.json: runs[0] ('SGD') has seed 'zero' (expected an integer)"]),
    "text number": (lambda s: {**s, "runs": [{**r, "final_loss": "low"} for r in s["runs"]]},
                    ["summary.json: run 'SGD' seed 0: final_loss is 'low' (expected a number or null)"]),
    "twice": (lambda s: {**s, "runs": s["runs"] + s["runs"][:1]}, ["run 'SGD' seed 0 appears twice"]),
    "seeds": (lambda s: {**s, "seeds": 3}, ["summary.json: 'seeds' is 3"]),
    "dataset text": (lambda s: {**s, "dataset": "digits"}, ["summary.json: 'dataset' is 'digits' (expected an object)"]),
    "text lr": (lambda s: {**s, "runs": [{**r, "hyperparameters": {"lr": "x"}} for r in s["runs"]]},
                ["summary.json: run 'SGD' seed 0: hyperparameters.lr is 'x' (expected a number)"]),
    "optimizer not a name": (lambda s: {**s, "runs": [{**r, "optimizer": ["adam"]} for r in s["runs"]]},
                             ["summary.json: run 'SGD' seed 0: optimizer is ['adam'] (expected a name"]),
    "blas text": (lambda s: {**s, "environment": {**s["environment"], "blas": "x"}},
                  ["summary.json: 'environment.blas' is 'x' (expected a list of objects)"]),
}


@pytest.mark.parametrize("damage", list(SUMMARY_DAMAGE))
def test_damaged_summary(damage, run_dir, tmp_path, capsys):
    d = copy(run_dir, tmp_path)
    change, expected = SUMMARY_DAMAGE[damage]
    edit_json(d / "summary.json", change)
    fails(d, capsys, *expected)


def test_summary_not_json(run_dir, tmp_path, capsys):
    d = copy(run_dir, tmp_path)
    (d / "summary.json").write_text('{"runs": [', encoding="utf-8")
    fails(d, capsys, "summary.json is not valid JSON (Expecting value: line 1 column 11")


# -- sweep folders ----------------------------------------------------------------------------------------------

def test_intact_sweep_reports(sweep_dir, tmp_path):
    d = copy(sweep_dir, tmp_path)
    assert write_report(d) == d / "report.html" and (d / "report.html").is_file()


def _cut_table(d: Path) -> tuple[int, int]:
    ls = lines(d / "table.csv")
    (d / "table.csv").write_text("".join(ls[:2]) + ls[2][:25], encoding="utf-8")
    return len(ls[0].split(",")), len(ls[2][:25].split(","))


def test_truncated_table_mid_line(sweep_dir, tmp_path, capsys):
    d = copy(sweep_dir, tmp_path)
    n_header, n_cut = _cut_table(d)
    fails(d, capsys, f"table.csv line 3: expected {n_header} fields, found {n_cut}", kind="sweep directory")


def _set_lr(d: Path) -> None:
    ls = lines(d / "table.csv")
    head = ls[0].rstrip("\n").split(",")
    f = ls[1].rstrip("\n").split(",")
    f[head.index("lr")] = "fast"
    ls[1] = ",".join(f) + "\n"
    (d / "table.csv").write_text("".join(ls), encoding="utf-8")


TABLE_DAMAGE = {
    "cut at a line end": (lambda d: (d / "table.csv").write_text("".join(lines(d / "table.csv")[:-1])),
                          ["table.csv has 5 rows but summary.json lists 6 runs (truncated or edited?)"]),
    "header only": (lambda d: (d / "table.csv").write_text(lines(d / "table.csv")[0]),
                    ["table.csv has 0 rows but summary.json lists 6 runs"]),
    "empty": (lambda d: (d / "table.csv").write_text(""), ["table.csv is empty (expected the header run_id,stage,optimizer,lr)"]),
    "missing": (lambda d: (d / "table.csv").unlink(), ["table.csv is missing"]),
    "bad lr": (_set_lr, ["table.csv line 2: lr 'fast' is not a number"]),
    "no lr column": (lambda d: (d / "table.csv").write_text(
        "".join(lines(d / "table.csv")).replace(",lr,", ",rate,", 1)), ["table.csv line 1: no column lr"]),
    "NUL byte": (lambda d: (d / "table.csv").write_text("".join(lines(d / "table.csv")) + "a\0b\n"),
                 ["table.csv"]),
}


@pytest.mark.parametrize("damage", list(TABLE_DAMAGE))
def test_damaged_table(damage, sweep_dir, tmp_path, capsys):
    d = copy(sweep_dir, tmp_path)
    change, expected = TABLE_DAMAGE[damage]
    change(d)
    fails(d, capsys, *expected, kind="sweep directory")


SWEEP_SUMMARY_DAMAGE = {
    "no tuned": (lambda s: {k: v for k, v in s.items() if k != "tuned"}, ["summary.json has no 'tuned'"]),
    "sensitivity not an object": (lambda s: {**s, "sensitivity": [1]}, ["summary.json: 'sensitivity' is [1]"]),
    "short mean": (lambda s: {**s, "sensitivity": {k: {**v, "mean": v["mean"][:1]}
                                                   for k, v in s["sensitivity"].items()}},
                   ["summary.json: sensitivity['SGD']: mean is", "(expected 2 numbers or nulls, one per lr)"]),
    "text lr": (lambda s: {**s, "tuned": {k: "big" for k in s["tuned"]}},
                ["summary.json: tuned['SGD'] is 'big' (expected a positive lr or null)"]),
    "text accuracy": (lambda s: {**s, "defaults_vs_tuned": {k: {**v, "tuned_test_acc": "high"}
                                                            for k, v in s["defaults_vs_tuned"].items()}},
                      ["summary.json: defaults_vs_tuned['SGD'].tuned_test_acc is 'high'"]),
    "n_runs": (lambda s: {**s, "n_runs": -1}, ["summary.json: 'n_runs' is -1 (expected a count)"]),
    "dataset text": (lambda s: {**s, "dataset": "digits"}, ["summary.json: 'dataset' is 'digits' (expected an object)"]),
    "per-seed text": (lambda s: {**s, "defaults_vs_tuned": {k: {**v, "tuned_test_by_seed": {"x": 1}}
                                                             for k, v in s["defaults_vs_tuned"].items()}},
                      ["tuned_test_by_seed"]),
    "settings": (lambda s: {**s, "settings": [1]}, ["summary.json: 'settings' is [1] (expected a list of objects)"]),
    "grid": (lambda s: {**s, "grid": [1]}, ["summary.json: 'grid' is [1] (expected an object)"]),
    "split": (lambda s: {**s, "dataset": {**s["dataset"], "split": "10%"}},
              ["summary.json: 'dataset.split' is '10%' (expected an object)"]),
    "time to target": (lambda s: {**s, "time_to_target": {k: {**v, "targets": [1]}
                                                         for k, v in s["time_to_target"].items()}},
                       ["summary.json: time_to_target['SGD'] is", "(expected an object with 'targets'"]),
}


@pytest.mark.parametrize("damage", list(SWEEP_SUMMARY_DAMAGE))
def test_damaged_sweep_summary(damage, sweep_dir, tmp_path, capsys):
    d = copy(sweep_dir, tmp_path)
    change, expected = SWEEP_SUMMARY_DAMAGE[damage]
    edit_json(d / "summary.json", lambda s: change(s))
    fails(d, capsys, *expected, kind="sweep directory")


def test_truncated_run_metrics_in_a_sweep(sweep_dir, tmp_path, capsys):
    d = copy(sweep_dir, tmp_path)
    for m in d.glob("tune-*/metrics.csv"):
        ls = lines(m)
        m.write_text("".join(ls[:6]) + ls[6][:5], encoding="utf-8")
    before = sorted(p.name for p in d.iterdir())
    assert main(["report", str(d)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"optimlab: error: cannot read sweep run {str(d / 'tune-')!r}"[:-1])
    assert "metrics.csv line 7: expected 4 fields, found 1 (truncated or edited?)" in err
    assert sorted(p.name for p in d.iterdir()) == before


def _with_last_val(text: str, value: str) -> str:
    rows = text.splitlines(keepends=True)
    last = max(i for i, line in enumerate(rows) if ",val_acc," in line)
    rows[last] = rows[last].rsplit(",", 1)[0] + f",{value}\n"
    return "".join(rows)


def test_run_metrics_in_a_sweep_cut_at_a_line_end(sweep_dir, tmp_path, capsys):
    # a fault-injection review: cut after a whole line, the report drew a shorter curve without a word
    d = copy(sweep_dir, tmp_path)
    for m in d.glob("tune-*/metrics.csv"):
        ls = lines(m)
        last = max(i for i, line in enumerate(ls) if ",val_acc," in line)
        m.write_text("".join(ls[:last]), encoding="utf-8")
    assert main(["report", str(d)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "metrics.csv has 1 validation accuracies for 2 evaluations (cut short?)" in err, err
    d = copy(sweep_dir, tmp_path / "iteration")     # every metric of the last evaluation gone
    for m in d.glob("tune-*/metrics.csv"):
        m.write_text("".join(line for line in lines(m) if ",20," not in line), encoding="utf-8")
    assert main(["report", str(d)]) == 2
    assert "metrics.csv ends at iteration 10, the sweep trained 20 (cut short?)" in capsys.readouterr().err
    d = copy(sweep_dir, tmp_path / "value")         # a last value that is not the table's
    for m in d.glob("tune-*/metrics.csv"):
        m.write_text(_with_last_val(m.read_text(encoding="utf-8"), "0.5"), encoding="utf-8")
    assert main(["report", str(d)]) == 2
    assert "with validation accuracy 0.5000, table.csv's final_val_acc is" in capsys.readouterr().err


def test_a_missing_lr_is_shown_as_unknown(run_dir, sweep_dir, tmp_path):
    """null where a number may be missing (a run without an lr, a setting never tuned): — in the report."""
    d = copy(run_dir, tmp_path)
    edit_json(d / "summary.json", lambda s: {**s, "runs": [{**r, "hyperparameters": {**r["hyperparameters"],
                                                                                      "lr": None}} for r in s["runs"]]})
    page = write_report(d).read_text(encoding="utf-8")
    table = page[page.index('id="summary-table"'):]
    assert '<td class="num">—</td>' in table[:table.index("</tbody>")] and ">nan<" not in table
    w = copy(sweep_dir, tmp_path)
    edit_json(w / "summary.json", lambda s: {**s, "defaults_vs_tuned": {k: {**v, "tuned_lr": None}
                                                                         for k, v in s["defaults_vs_tuned"].items()}})
    assert write_report(w).is_file()
