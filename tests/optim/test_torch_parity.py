"""Parity with ``torch.optim`` for the ``torch`` presets, from stored reference trajectories.

``tools/make_torch_fixtures.py`` ran ``torch.optim`` (float64) on a fixed ill-conditioned quadratic with a
fixed noise sequence and stored everything in ``fixtures/torch_*.npz``; torch is not needed here. The
gradient depends on the parameters (``g_t = A @ (w_t − c) + noise[t]``), so one wrong step changes every
later gradient and the whole trajectory.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from optimlab.optim import make_optimizer

FIXTURES = sorted((Path(__file__).parent / "fixtures").glob("torch_*.npz"))
TOL = 1e-10


def load(path):
    with np.load(path, allow_pickle=False) as z:
        data = {k: z[k] for k in z.files}
    data["meta"] = json.loads(str(data["meta"]))
    return data


def replay(opt, data):
    w = data["w0"].copy()
    state = opt.init(w)
    out = [w.copy()]
    for t in range(len(data["noise"])):
        g = data["A"] @ (w - data["c"]) + data["noise"][t]
        opt.update(w, g, state)
        out.append(w.copy())
    return np.array(out)


def test_there_is_a_default_and_a_non_default_fixture_for_every_optimizer():
    names = [load(p)["meta"]["optimizer"] for p in FIXTURES]
    assert sorted(set(names)) == ["adagrad", "adam", "momentum", "rmsprop", "sgd"]
    assert all(names.count(n) >= 2 for n in set(names))


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_torch_preset_matches_torch_optim(path):
    data = load(path)
    meta = data["meta"]
    assert meta["steps"] >= 30 and data["trajectory"].shape == (meta["steps"] + 1, data["w0"].size)
    assert data["trajectory"].dtype == np.float64
    opt = make_optimizer(meta["optimizer"], meta["preset"], **meta["hyperparameters"])
    got = replay(opt, data)
    err = np.abs(got - data["trajectory"]).max()
    assert err <= TOL, f"{path.name}: max |optimlab − torch| = {err:.3e}"
    assert np.abs(data["trajectory"][-1] - data["w0"]).max() > 0.1   # the trajectory actually goes somewhere


@pytest.mark.parametrize("stem", ["torch_adagrad_note", "torch_rmsprop_note", "torch_adam_note"])
def test_note_preset_does_not_match_torch(stem):
    """The tolerance is meaningful: the note's conventions (h₀, ε, bias correction) miss torch by far more."""
    data = load(Path(__file__).parent / "fixtures" / f"{stem}.npz")
    meta = data["meta"]
    got = replay(make_optimizer(meta["optimizer"], "note", **meta["hyperparameters"]), data)
    assert np.abs(got - data["trajectory"]).max() > 1e3 * TOL
