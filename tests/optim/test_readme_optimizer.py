"""The README's "Adding an optimizer" example, run as a user would: it is the rule its docstring says, it trains
alone and in lockstep with the five, and the command line, the landscape and the figures take it."""

from __future__ import annotations

import re
import sys
import types
from pathlib import Path

import numpy as np
import pytest

from optimlab.optim import OPTIMIZERS, make_optimizer

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.fixture
def nesterov(monkeypatch):
    """The README's code block, executed; it registers Nesterov in OPTIMIZERS, which is put back afterwards."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index("### Adding an optimizer"):]
    code = re.search(r"```python\n(.*?)```", section, re.S)[1]
    before = dict(OPTIMIZERS)
    module = types.ModuleType("readme_example")           # a module of its own, as a user's script is
    monkeypatch.setitem(sys.modules, module.__name__, module)
    try:
        exec(compile(code, str(README), "exec"), module.__dict__)
        yield module.Nesterov
    finally:
        OPTIMIZERS.clear()
        OPTIMIZERS.update(before)


def test_the_readme_example_is_nesterov_momentum(nesterov):
    """Against the formula written out step by step, and against PyTorch's form b ← μb + g, w ← w − ε(g + μb)."""
    rng = np.random.default_rng(0)
    grads = rng.standard_normal((20, 5))
    w = rng.standard_normal(5)
    opt = make_optimizer("nesterov", lr=0.05)
    state = opt.init(w)
    V, W, b, W_torch = np.zeros(5), w.copy(), np.zeros(5), w.copy()
    for g in grads:
        opt.update(w, g, state)
        V = 0.9 * V - 0.05 * g
        W = W + 0.9 * V - 0.05 * g
        b = 0.9 * b + g
        W_torch = W_torch - 0.05 * (g + 0.9 * b)
    np.testing.assert_allclose(w, W, rtol=1e-12)
    np.testing.assert_allclose(w, W_torch, rtol=1e-12)
    assert make_optimizer("nesterov", "torch") == nesterov()


def test_the_readme_example_runs_everywhere(nesterov, tmp_path):
    from optimlab.cli import main
    from optimlab.train import TrainConfig, Trainer
    from optimlab.data import load_dataset
    from optimlab.viz.landscape import run_landscape

    data = load_dataset("digits")
    cfg = TrainConfig(iters=20, eval_interval=10, dtype="float64")
    alone = Trainer(data, [make_optimizer("nesterov")], ["N"], train=cfg, seed=3).run()[0]
    together = Trainer(data, [make_optimizer("adam"), make_optimizer("nesterov")], ["A", "N"], train=cfg,
                       seed=3).run()[1]
    assert alone.loss == together.loss and alone.test_acc == together.test_acc
    assert main(["compare", "--dataset", "digits", "--optimizers", "sgd,nesterov", "--lr", "nesterov=0.05",
                 "--iters", "20", "--eval-interval", "10", "--out", str(tmp_path / "c"), "--no-progress"]) == 0
    summary = (tmp_path / "c" / "summary.json").read_text(encoding="utf-8")
    assert '"label": "Nesterov"' in summary and '"lr": 0.05' in summary
    assert (tmp_path / "c" / "accuracy_nesterov.png").is_file()
    result = run_landscape("bowl", optimizers="sgd,nesterov", steps=10)
    assert set(result.tracks) == {"sgd", "nesterov"}


def test_forgetting_the_dataclass_decorator_is_an_error_not_a_silent_default():
    """Without @dataclass, `lr: float = 0.1` is a class attribute the inherited constructor ignores: NoDC() trained at
    the base class's 0.01, without a word."""
    import pytest

    from optimlab.errors import ConfigError
    from optimlab.optim.base import Optimizer

    class NoDC(Optimizer):
        name = "nodc"
        lr: float = 0.1

        def rule(self, w, g, s, t):
            w -= self.lr * g

    with pytest.raises(ConfigError, match=r"^NoDC declares 'lr' but is not a dataclass, so its value is ignored "
                                          r"\(accepted: @dataclass\(frozen=True\) on the line above 'class'"):
        NoDC()

    class Renamed(Optimizer):           # no fields of its own: nothing is lost
        name = "renamed"

        def rule(self, w, g, s, t):
            w -= self.lr * g

    assert Renamed().lr == 0.01
