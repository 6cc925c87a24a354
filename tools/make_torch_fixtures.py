"""Regenerate the PyTorch reference trajectories in ``tests/optim/fixtures/torch_*.npz``.

The optimizer tests compare optimlab's ``torch`` presets with ``torch.optim`` *without* importing torch:
this script runs ``torch.optim`` once (float64, CPU) and stores what it did. Run it only when the problem
or the cases below change::

    python tools/make_torch_fixtures.py            # needs torch (any recent CPU build)
    python -m pytest tests/optim -q                # uses the stored fixtures, no torch needed

Each fixture is an uncompressed ``.npz`` (no pickle; ``np.load(..., allow_pickle=False)`` reads it):

``w0`` (P,)            initial parameters
``A`` (P, P), ``c`` (P,)  the quadratic E(w) = ½ (w − c)ᵀ A (w − c)
``noise`` (T, P)       a fixed noise sequence; the gradient at step t (0-based) is
                       ``g_t = A @ (w_t − c) + noise[t]``, computed with NumPy from the current parameters,
                       so the trajectory matters (a wrong step changes every later gradient)
``trajectory`` (T+1, P)  w_0 … w_T as ``torch.optim`` produced them
``meta``               a JSON string: the optimlab optimizer, preset and hyperparameters, the torch class
                       and keyword arguments, the torch version.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "optim" / "fixtures"
STEPS = 40
P = 6
SEED = 20240601

# (fixture name, optimlab name, optimlab hyperparameters on top of the torch preset, torch class, torch kwargs)
# The first case of each optimizer uses the note's hyperparameters with the torch preset's ε; the second
# changes at least one hyperparameter away from its default.
CASES = [
    ("sgd_note", "sgd", {"lr": 0.01}, "SGD", {"lr": 0.01}),
    ("sgd_lr", "sgd", {"lr": 0.1}, "SGD", {"lr": 0.1}),
    ("momentum_note", "momentum", {"lr": 0.3, "momentum": 0.9}, "SGD", {"lr": 0.3, "momentum": 0.9}),
    ("momentum_mu", "momentum", {"lr": 0.05, "momentum": 0.5}, "SGD", {"lr": 0.05, "momentum": 0.5}),
    ("adagrad_note", "adagrad", {"lr": 0.1}, "Adagrad", {"lr": 0.1}),
    ("adagrad_init", "adagrad", {"lr": 0.5, "initial_accumulator": 0.1},
     "Adagrad", {"lr": 0.5, "initial_accumulator_value": 0.1}),
    ("rmsprop_note", "rmsprop", {"lr": 0.01, "decay": 0.99}, "RMSprop", {"lr": 0.01, "alpha": 0.99}),
    ("rmsprop_eps", "rmsprop", {"lr": 0.03, "decay": 0.9, "eps": 1e-6},
     "RMSprop", {"lr": 0.03, "alpha": 0.9, "eps": 1e-6}),
    ("adam_note", "adam", {"lr": 0.01, "beta1": 0.9, "beta2": 0.999},
     "Adam", {"lr": 0.01, "betas": [0.9, 0.999]}),
    ("adam_betas", "adam", {"lr": 0.05, "beta1": 0.8, "beta2": 0.99, "eps": 1e-6},
     "Adam", {"lr": 0.05, "betas": [0.8, 0.99], "eps": 1e-6}),
]


def problem(seed: int = SEED) -> dict[str, np.ndarray]:
    """An ill-conditioned quadratic (eigenvalues 0.1 … 10) plus a noise sequence, all float64."""
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.standard_normal((P, P)))
    A = (q * np.logspace(-1, 1, P)) @ q.T
    A = (A + A.T) / 2
    return {"A": A, "c": rng.standard_normal(P), "w0": rng.standard_normal(P) * 2.0,
            "noise": rng.standard_normal((STEPS, P)) * 0.3}


def torch_trajectory(torch, prob: dict[str, np.ndarray], cls_name: str, kwargs: dict) -> np.ndarray:
    p = torch.nn.Parameter(torch.tensor(prob["w0"], dtype=torch.float64))
    opt = getattr(torch.optim, cls_name)([p], **{k: tuple(v) if isinstance(v, list) else v for k, v in kwargs.items()})
    traj = [p.detach().numpy().copy()]
    for t in range(STEPS):
        w = p.detach().numpy()
        g = prob["A"] @ (w - prob["c"]) + prob["noise"][t]
        p.grad = torch.from_numpy(g.copy())
        opt.step()
        traj.append(p.detach().numpy().copy())
    return np.array(traj)


def main() -> int:
    try:
        import torch
    except ImportError:
        print("make_torch_fixtures: torch is required to regenerate the fixtures", file=sys.stderr)
        return 1
    FIXTURES.mkdir(parents=True, exist_ok=True)
    prob = problem()
    for fname, name, hp, cls_name, kwargs in CASES:
        traj = torch_trajectory(torch, prob, cls_name, kwargs)
        meta = {"optimizer": name, "preset": "torch", "hyperparameters": hp, "torch_class": cls_name,
                "torch_kwargs": kwargs, "torch_version": torch.__version__, "steps": STEPS, "seed": SEED,
                "gradient": "g_t = A @ (w_t - c) + noise[t]"}
        path = FIXTURES / f"torch_{fname}.npz"
        with open(path, "wb") as f:
            np.savez(f, w0=prob["w0"], A=prob["A"], c=prob["c"], noise=prob["noise"], trajectory=traj,
                     meta=np.array(json.dumps(meta, sort_keys=True)))
        print(f"wrote {path.relative_to(FIXTURES.parents[2])}: {cls_name} {kwargs}, |w_T - w_0| = "
              f"{np.linalg.norm(traj[-1] - traj[0]):.3g}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
