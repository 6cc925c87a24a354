"""A sweep knows the code of the optimizers it trains (an extensibility review): a resumed sweep took the runs of an
edited rule as complete, and the worker processes trained another class under the name (an installed plugin, where
the script had registered its own) without a word."""

import json

import pytest

import optimlab.experiment.sweep as sweep_mod
from optimlab.errors import ConfigError
from optimlab.experiment.executors import Executor, LocalExecutor, SerialExecutor
from optimlab.experiment.sweep import (CODE_KEY, SweepSpec, SweepTask, _config_digest, check_workers, parse_lrs,
                                       run_sweep, train_task)
from optimlab.optim import OPTIMIZERS
from optimlab.optim.codehash import code_sha256
from optimlab.train import NetConfig, TrainConfig



def spec():
    """A small sweep of SGD and the registered 'heavyball' (a spec checks its optimizers' names when it is made)."""
    return SweepSpec(name="t", dataset="digits", optimizers=("sgd", "heavyball"), lrs=parse_lrs("1e-2:1e-1:2"),
                     seeds=(0,), test_seeds=(5,), train=TrainConfig(iters=40, eval_interval=20))


HEAVY_BALL = """
@dataclass(frozen=True)
class HeavyBall(Optimizer):
    \"\"\"{doc}\"\"\"
    name = "heavyball"
    slots = ("v",)
    lr: float = 0.05
    momentum: float = 0.9

    def rule(self, w, g, s, t):
        v = s["v"]  # {comment}
        v *= self.momentum * {damping}
        v -= self.lr * g
        w += v
"""


def heavy_ball(damping, doc="v ← μv − εg; w ← w + v", comment="the velocity", folder=None):
    """A class HeavyBall, registered as 'heavyball', whose rule differs with ``damping`` (an edited rule): typed in
    a notebook (no source file: its hash is of the bytecode), or, with ``folder``, imported from a file there."""
    code = "from dataclasses import dataclass\nfrom optimlab.optim import Optimizer\n" + \
        HEAVY_BALL.format(doc=doc, comment=comment, damping=damping)
    if folder is None:
        ns = {"__name__": "notebook"}
        exec(code, ns)
        return ns["HeavyBall"]
    import importlib.util
    import sys
    path = folder / f"heavy{len(list(folder.glob('*.py')))}.py"
    path.write_text(code, encoding="utf-8")
    module_spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(module_spec)
    sys.modules[path.stem] = module
    module_spec.loader.exec_module(module)
    return module.HeavyBall


@pytest.fixture
def registered():
    classes = []

    def register(cls):
        OPTIMIZERS["heavyball"] = cls
        classes.append(cls)
        return cls
    yield register
    dict.pop(OPTIMIZERS, "heavyball", None)


@pytest.mark.parametrize("from_file", [False, True], ids=["bytecode", "source"])
def test_the_code_hash_follows_the_code_not_its_docstrings_or_comments(tmp_path, from_file):
    folder = tmp_path if from_file else None
    one, same = heavy_ball(1.0, folder=folder), heavy_ball(1.0, folder=folder)
    reworded = heavy_ball(1.0, doc="other words", comment="another comment", folder=folder)
    edited = heavy_ball(0.5, folder=folder)
    assert one is not same and code_sha256(one) == code_sha256(same) == code_sha256(reworded)
    assert code_sha256(one) != code_sha256(edited)


def test_a_resumed_sweep_refuses_runs_of_an_edited_rule(tmp_path, registered):
    registered(heavy_ball(1.0))
    first = run_sweep(spec(), SerialExecutor(), out=tmp_path / "s")
    config = json.loads((tmp_path / "s" / "tune-heavyball-lr0.01-s0" / "config.json").read_text())
    assert config[CODE_KEY] == code_sha256(heavy_ball(1.0))
    again = run_sweep(spec(), SerialExecutor(), out=tmp_path / "s")          # the same code: every run kept
    assert again.trained == [] and sorted(again.skipped) == sorted(first.trained)
    registered(heavy_ball(0.5))                                           # the rule edited, the class re-registered
    with pytest.raises(ConfigError, match=r"holds runs of heavyball trained with other code \(.*HeavyBall has "
                                          r"changed since.*accepted: a new --out") as e:
        run_sweep(spec(), SerialExecutor(), out=tmp_path / "s")
    assert "\n" not in str(e.value)


def test_runs_recorded_before_the_code_hash_are_still_resumed(tmp_path, registered):
    """A sweep folder of an earlier optimlab has no code hash in its configs: its runs stay complete."""
    registered(heavy_ball(1.0))
    first = run_sweep(spec(), SerialExecutor(), out=tmp_path / "s")
    for run in (tmp_path / "s").glob("*-s*"):
        config = json.loads((run / "config.json").read_text())
        del config[CODE_KEY]
        (run / "config.json").write_text(json.dumps(config))
        status = json.loads((run / "status.json").read_text())
        status["config_sha256"] = _config_digest(config)
        (run / "status.json").write_text(json.dumps(status))
    again = run_sweep(spec(), SerialExecutor(), out=tmp_path / "s")
    assert again.trained == [] and len(again.skipped) == len(first.trained)


class _OtherWorkers(Executor):
    """Runs a task at once, as a worker process whose registry has ``classes`` under their names would."""

    def __init__(self, classes):
        self.classes = classes

    def submit(self, fn, *args, retries=0):
        from concurrent.futures import Future
        saved = {k: OPTIMIZERS.get(k) for k in self.classes}
        for k, cls in self.classes.items():
            dict.pop(OPTIMIZERS, k, None) if cls is None else dict.__setitem__(OPTIMIZERS, k, cls)
        try:
            f = Future()
            f.set_result(fn(*args))
            return f
        finally:
            for k, cls in saved.items():
                dict.pop(OPTIMIZERS, k, None) if cls is None else dict.__setitem__(OPTIMIZERS, k, cls)


def test_workers_of_another_optimlab_are_said_to_be_so(registered):
    """A Dask user's review: workers of another optimlab (sgd.py changed there) were refused with "optimizer 'sgd' …
    is optimlab.optim.sgd.SGD, other code than optimlab.optim.sgd.SGD", one class named twice; the cause, other
    optimlab code on the workers, is said with both digests."""
    from optimlab._source import source_sha256

    registered(heavy_ball(1.0))

    class OtherOptimlab(_OtherWorkers):
        def submit(self, fn, *args, retries=0):
            from concurrent.futures import Future
            codes, _ = super().submit(fn, *args).result()
            f = Future()
            f.set_result((codes, "f" * 64))
            return f

    with pytest.raises(ConfigError) as e:
        check_workers(["sgd", "heavyball"], OtherOptimlab({"heavyball": heavy_ball(0.5)}))
    assert str(e.value) == (f"the sweep's worker processes run other optimlab code than this process (source SHA-256 "
                            f"ffffffffffff… there, {source_sha256()[:12]}… here), and other code for optimizer "
                            "'heavyball' (accepted: the same optimlab on the workers as here — the same version, or the "
                            "same folder on their PYTHONPATH — or --jobs N, local processes)")


def test_workers_with_other_code_under_the_name_are_refused_before_anything_trains(tmp_path, registered):
    registered(heavy_ball(1.0))
    check_workers(["sgd", "heavyball"], _OtherWorkers({"heavyball": heavy_ball(1.0)}))    # the same code: fine
    with pytest.raises(ConfigError, match=r"optimizer 'heavyball' in the sweep's worker processes is .*HeavyBall, "
                                          r"other code than .*HeavyBall, which this sweep was started with"):
        check_workers(["sgd", "heavyball"], _OtherWorkers({"heavyball": heavy_ball(0.5)}))  # a plugin's, say
    with pytest.raises(ConfigError, match=r"optimizer 'heavyball' is not known in the sweep's worker processes "
                                          r"\(unknown optimizer: 'heavyball'"):
        run_sweep(spec(), _OtherWorkers({"heavyball": None}), out=tmp_path / "s")
    assert not (tmp_path / "s").exists()                   # refused before the folder had anything in it


def test_a_joined_clusters_workers_that_lack_a_class_are_told_how_to_get_it(registered):
    """A Dask user's review: on a cluster joined with --scheduler-file, a class registered at a script's top level (as
    README says) was refused with "accepted: a class registered at a script's top level": the workers there import
    no script of this process; they need OPTIMLAB_PLUGINS (or the plugin installed) on their own machines."""
    registered(heavy_ball(1.0))

    class Joined(_OtherWorkers):
        owns = False             # as DaskExecutor.connect / from_scheduler_file

    with pytest.raises(ConfigError, match=r"optimizer 'heavyball' is not known in the Dask cluster's workers .*"
                                          r"\(accepted: start every worker with OPTIMLAB_PLUGINS naming the same file"):
        check_workers(["sgd", "heavyball"], Joined({"heavyball": None}))


def test_real_worker_processes_do_not_know_a_class_registered_here(registered):
    """A class made in this process (a notebook's) is not in a LocalExecutor's fresh worker processes."""
    registered(heavy_ball(1.0))
    with LocalExecutor(1) as ex:
        check_workers(["sgd"], ex)                         # optimlab's own: the same code there
        with pytest.raises(ConfigError, match=r"'heavyball' is not known in the sweep's worker processes"):
            check_workers(["sgd", "heavyball"], ex)


def test_a_worker_that_trains_other_code_records_the_runs_as_failed(registered):
    """The check inside each task (a Dask cluster's workers may differ from the first one asked)."""
    registered(heavy_ball(1.0))
    task = SweepTask("digits", None, "", (0.1, 100, 0), 0, NetConfig(), TrainConfig(iters=5, eval_interval=5),
                     "note", (("r1", "heavyball", 0.1),), codes=(("heavyball", "x.HeavyBall", "0" * 64),))
    out = train_task(task)
    (h,) = out["histories"]
    assert h["status"] == "failed" and "other code than x.HeavyBall" in h["error"]
    ok = train_task(SweepTask(*[getattr(task, f) for f in ("dataset", "data_dir", "sha256", "split", "seed", "net",
                                                            "train", "preset", "runs")],
                              codes=sweep_mod.optimizer_codes(["heavyball"])))
    assert ok["histories"][0]["status"] == "ok"


def test_the_bytecode_hash_does_not_follow_the_hash_seed(tmp_path):
    """A set literal's constant is a frozenset, whose order follows PYTHONHASHSEED: a notebook's class (no source file,
    so its bytecode is hashed) had another hash in every kernel, and a resumed sweep was refused."""
    import os
    import subprocess
    import sys

    cell = ("@dataclass(frozen=True)\nclass Signed(Optimizer):\n    name = 'signed'\n"
            "    kinds = {'value', 'sign', 'none', 'clip'}\n\n    def rule(self, w, g, s, t):\n"
            "        if 'sign' in {'value', 'sign', 'none', 'clip'}:\n            w -= self.lr * g\n")
    script = ("from dataclasses import dataclass\nfrom optimlab.optim import Optimizer\n"
              "from optimlab.optim.codehash import code_sha256\n"
              "ns = {'__name__': 'notebook', 'dataclass': dataclass, 'Optimizer': Optimizer}\n"
              f"exec({cell!r}, ns)\nprint(code_sha256(ns['Signed']))\n")
    digests = {subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                              env={**os.environ, "PYTHONHASHSEED": seed}).stdout for seed in ("0", "1", "2")}
    assert len(digests) == 1 and len(digests.pop().strip()) == 64


def test_a_finished_sweep_resumes_where_workers_cannot_load_a_class_registered_here(tmp_path, registered):
    """The workers are asked only about optimizers with runs left: a sweep trained in this process (jobs=0), then
    resumed with worker processes that do not know its class, has nothing to train and was refused all the same."""
    registered(heavy_ball(1.0))
    first = run_sweep(spec(), SerialExecutor(), out=tmp_path / "s")
    with LocalExecutor(1) as ex:
        again = run_sweep(spec(), ex, out=tmp_path / "s")
    assert again.trained == [] and len(again.skipped) == len(first.trained)


def test_an_added_optimizers_note_lr_is_said_to_be_its_default(tmp_path, registered, monkeypatch):
    """The note has no HeavyBall: its "note lr" is its class's default, marked ‡ and said so under the console's table
    and the report's (a review found "0.100 at the note's lr 0.1" said of Lion); the note's five are not marked."""
    from optimlab.cli import main
    from optimlab.experiment.sweep import defaults_table

    registered(heavy_ball(1.0))
    r = run_sweep(spec(), SerialExecutor(), out=tmp_path / "s")
    text = defaults_table(r.summary).splitlines()
    sgd, heavy = (next(ln for ln in text if ln.startswith(name)) for name in ("SGD ", "HeavyBall "))
    assert heavy.split()[1] == "0.05‡" and "‡" not in sgd
    assert text[-1] == "‡ not one of the note's optimizers: its note lr is its class's default lr"
    assert defaults_table(r.summary, "ja").splitlines()[-1].startswith("‡ ノートにない最適化手法")
    assert main(["report", str(tmp_path / "s")]) == 0
    html = (tmp_path / "s" / "report.html").read_text(encoding="utf-8")
    assert "0.05 ‡" in html and "‡ not one of the note&#x27;s optimizers: its note lr is its class&#x27;s default lr" in html
    only_note = {k: v for k, v in r.summary["defaults_vs_tuned"].items() if v["optimizer"] == "sgd"}
    assert "‡" not in defaults_table({**r.summary, "defaults_vs_tuned": only_note})
    # the conclusions' sentences too: the largest gain's "at the note's lr 0.05" is said to be HeavyBall's default
    import copy

    from optimlab.viz import report_sweep
    s = copy.deepcopy(r.summary)
    monkeypatch.setattr(report_sweep, "_never_learned", lambda summary, fresh=False: set())    # 40 steps learn little
    for label, d in s["defaults_vs_tuned"].items():
        d["gain"] = 0.3 if label == "HeavyBall" else 0.0
    assert "at the note's lr 0.05 (its default: not one of the note's optimizers) →" in \
        report_sweep._tuning_gain(s, "en")["text"]
    assert "（ノートにない手法のため、その既定値）" in report_sweep._tuning_gain(s, "ja")["text"]
    s["defaults_vs_tuned"]["SGD"]["gain"] = 0.4
    assert "(its default" not in report_sweep._tuning_gain(s, "en")["text"]      # SGD's 0.01 is the note's


def test_the_hash_is_of_the_code_that_runs_when_the_file_says_otherwise(tmp_path):
    """Python finds a class's source by reading its file as it is now and taking the first class of that name in it:
    a file edited after the import, or a second class of one name, gave the hash of code that does not run (a
    review). The methods are checked against the source, and the bytecode is hashed where they differ."""
    import importlib.util
    import sys

    def load(path, name):
        module_spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(module_spec)
        sys.modules[name] = module
        module_spec.loader.exec_module(module)
        return module

    head = "from dataclasses import dataclass\nfrom optimlab.optim import Optimizer\n"
    body = HEAVY_BALL.format(doc="d", comment="c", damping="{}")
    path = tmp_path / "edited_later.py"
    path.write_text(head + body.format(1.0), encoding="utf-8")
    running = load(path, "edited_later").HeavyBall                   # the rule with 1.0
    path.write_text(head + body.format(0.5), encoding="utf-8")         # edited, not reloaded
    path2 = tmp_path / "as_edited.py"
    path2.write_text(head + body.format(0.5), encoding="utf-8")
    assert code_sha256(running) != code_sha256(load(path2, "as_edited").HeavyBall)

    twice = tmp_path / "two_of_a_name.py"
    twice.write_text(head + body.format(1.0) + "\nFirst = HeavyBall\n" + body.format(0.5), encoding="utf-8")
    module = load(twice, "two_of_a_name")
    assert code_sha256(module.First) != code_sha256(module.HeavyBall)


def test_a_decorated_rule_a_property_with_a_setter_and_an_assigned_rule_are_hashed_from_their_source(tmp_path):
    """A review of the source check: a property's setter (its code shares the getter's name), ``rule = _helper`` (a
    module function) and a rule wrapped by a decorator of the same file (functools.wraps copies its name) were taken
    for code other than the source's, and hashed from the bytecode — a decorator's wrapper, whose rule sits in its
    closure, so an edit of the rule went unseen. Both hashes follow the edit now."""
    import importlib.util
    import inspect
    import sys
    import textwrap

    from optimlab.optim.codehash import _runs_this_source

    source = (
        "import functools\nfrom dataclasses import dataclass\nfrom optimlab.optim import Optimizer\n\n"
        "def clipped(rule):\n    @functools.wraps(rule)\n    def wrapper(self, w, g, s, t):\n"
        "        return rule(self, w, g.clip(-1, 1), s, t)\n    return wrapper\n\n"
        "def _helper(self, w, g, s, t):\n    w -= self.lr * g\n\n"
        "@dataclass(frozen=True)\nclass Clip(Optimizer):\n    name = 'clip'\n\n    @clipped\n"
        "    def rule(self, w, g, s, t):\n        w -= self.lr * g * FACTOR\n\n    @property\n"
        "    def half(self):\n        return self.lr / 2\n\n    @half.setter\n    def half(self, v):\n"
        "        pass\n\n@dataclass(frozen=True)\nclass Assigned(Optimizer):\n    name = 'assigned'\n"
        "    rule = _helper\n")

    def load(name, factor):
        path = tmp_path / f"{name}.py"
        path.write_text(source.replace("FACTOR", factor), encoding="utf-8")
        module_spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(module_spec)
        sys.modules[name] = module
        module_spec.loader.exec_module(module)
        return module

    one, half = load("deco_one", "1.0"), load("deco_half", "0.5")
    for cls in (one.Clip, one.Assigned):
        assert _runs_this_source(cls, textwrap.dedent(inspect.getsource(cls)))
    assert code_sha256(one.Clip) != code_sha256(half.Clip)
    typed = []                                                       # the same classes typed in a notebook
    for factor in ("1.0", "0.5"):
        ns = {"__name__": "notebook"}
        exec(source.replace("FACTOR", factor), ns)
        typed.append(code_sha256(ns["Clip"]))
    assert typed[0] != typed[1]
