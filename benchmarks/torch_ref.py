"""The note's experiment in idiomatic PyTorch eager on the CPU (reference side).

float32, default torch threads, ``nn.Linear`` / ``nn.Sigmoid`` /
``nn.BatchNorm1d``, ``F.cross_entropy``, ``torch.optim`` optimizers with the
note's hyperparameters.  Same protocol as the note: batches of 100 drawn with
replacement, 1000 iterations, accuracy on the full test set (under
``torch.no_grad()``, eval mode) and on the minibatch every 10 iterations.  The
uint8 -> float32/255 conversion is done inside ``run_torch_experiment`` so it is
part of what the harness times.  Unlike the note, the loss is not recomputed
after every parameter key (that is the note's own overhead, not the
experiment's).

Where torch's built-in optimizers differ from the note's formulas:

* Momentum: ``SGD(momentum=0.9)`` keeps ``v = mu v + g; w -= lr v``, identical
  to the note's ``v = mu v - lr g; w += v`` for a constant lr.
* AdaGrad: ``Adagrad(lr=0.1, initial_accumulator_value=1e-4, eps=1e-4)`` is the
  note's formula (h_0 = theta, h += g^2 from the first step, w -= lr g/(sqrt(h) +
  theta)), optimlab's default; the note's code skips g^2 at the first step.
* RMSProp: ``RMSprop(lr=0.01, alpha=0.99, eps=1e-7)`` is the note's formula.
* Adam: ``Adam(lr=0.01, betas=(0.9, 0.999), eps=1e-7)``; torch adds eps to
  sqrt(v_hat) rather than sqrt(v) (negligible).
* Adam+BN: ``BatchNorm1d(eps=1e-6, momentum=0.1, affine=False)`` - the note
  never updates gamma/beta, so they stay 1/0; torch's running var starts at 1
  and uses the unbiased batch variance (course: starts at 0, biased).

torch is imported only in this module; the test suite never imports it.
"""

from __future__ import annotations

import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

__all__ = ["RUN_NAMES", "build_model", "run_torch_experiment", "torch_info", "warm_up"]

RUN_NAMES = ("sgd", "momentum", "adagrad", "rmsprop", "adam", "adam_bn")


def torch_info():
    return {"torch": torch.__version__, "torch_threads": torch.get_num_threads(),
            "torch_interop_threads": torch.get_num_interop_threads()}


def warm_up():
    """One-time start-up outside the timed call, as the other sides' imports are: the first ``opt.step()`` of a
    process imports another ~800 modules (torch._dynamo, sympy …), 2–3 s here, which the first timed run (SGD)
    paid (5.1–5.9 s against 2.9–3.5 s for Momentum in run K). A throwaway step of every optimizer on a tiny
    model, forward, backward and an eval-mode forward under no_grad."""
    model = build_model(4, (3,), 2, use_batchnorm=True)
    x, y = torch.rand(5, 4), torch.tensor([0, 1, 0, 1, 0])
    for name in RUN_NAMES:
        opt = _make_optimizer(name, list(model.parameters()))
        model.train()
        F.cross_entropy(model(x), y).backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
    model.eval()
    with torch.no_grad():
        model(x).argmax(1)


def build_model(n_in=784, hidden=(40, 20), n_out=10, use_batchnorm=False, generator=None):
    layers = []
    prev = n_in
    for h in hidden:
        layers.append(nn.Linear(prev, h))
        if use_batchnorm:
            layers.append(nn.BatchNorm1d(h, eps=1e-6, momentum=0.1, affine=False))
        layers.append(nn.Sigmoid())
        prev = h
    layers.append(nn.Linear(prev, n_out))
    model = nn.Sequential(*layers)
    with torch.no_grad():  # course init: 0.01 * randn, zero bias
        for m in model:
            if isinstance(m, nn.Linear):
                m.weight.normal_(0.0, 0.01, generator=generator)
                m.bias.zero_()
    return model


def _make_optimizer(name, params):
    if name == "sgd":
        return torch.optim.SGD(params, lr=0.01)
    if name == "momentum":
        return torch.optim.SGD(params, lr=0.3, momentum=0.9)
    if name == "adagrad":
        return torch.optim.Adagrad(params, lr=0.1, initial_accumulator_value=1e-4, eps=1e-4)
    if name == "rmsprop":
        return torch.optim.RMSprop(params, lr=0.01, alpha=0.99, eps=1e-7)
    if name in ("adam", "adam_bn"):
        return torch.optim.Adam(params, lr=0.01, betas=(0.9, 0.999), eps=1e-7)
    raise ValueError(f"unknown run {name!r}")


def _to_float(x):
    # np.require copies only read-only / non-contiguous input (e.g. frombuffer)
    t = torch.from_numpy(np.require(x, requirements=("C", "W")))
    t = t.reshape(t.shape[0], -1)
    if t.dtype == torch.uint8:
        return t.to(torch.float32).div_(255.0)
    return t.to(torch.float32)


def _run_single(name, xtr, ytr, xte, yte, seed, iters, batch_size, eval_interval, verbose):
    g = torch.Generator().manual_seed(seed)
    model = build_model(xtr.shape[1], (40, 20), 10, use_batchnorm=(name == "adam_bn"), generator=g)
    opt = _make_optimizer(name, list(model.parameters()))
    n = xtr.shape[0]
    test_acc, train_acc = [], []
    loss = None
    for i in range(iters):
        idx = torch.randint(0, n, (batch_size,), generator=g)
        xb = xtr[idx]
        yb = ytr[idx]
        model.train()
        loss = F.cross_entropy(model(xb), yb)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        if (i + 1) % eval_interval == 0:
            model.eval()
            with torch.no_grad():
                acc_te = (model(xte).argmax(1) == yte).float().mean().item()
                acc_tr = (model(xb).argmax(1) == yb).float().mean().item()
            test_acc.append(acc_te)
            train_acc.append(acc_tr)
            if verbose:
                print(f"[torch:{name}] iter {i + 1}: train {acc_tr:.3f} test {acc_te:.3f}")
    return {
        "final_test_acc": float(test_acc[-1]) if test_acc else float("nan"),
        "test_acc": test_acc,
        "train_acc": train_acc,
        "eval_iters": list(range(eval_interval, iters + 1, eval_interval)),
        "final_loss": float(loss.item()) if loss is not None else float("nan"),
    }


def run_torch_experiment(x_train, y_train, x_test, y_test, seed=0, iters=1000,
                         batch_size=100, eval_interval=10, runs=RUN_NAMES, verbose=False):
    """All six runs in PyTorch.  ``x_*``: uint8 (N, 784)/(N, 28, 28) or float in
    [0, 1]; ``y_*``: int labels.  Same return shape as ``run_note_experiment``."""
    xtr = _to_float(x_train)
    xte = _to_float(x_test)
    ytr = torch.from_numpy(np.array(y_train, dtype=np.int64))
    yte = torch.from_numpy(np.array(y_test, dtype=np.int64))
    out = {"side": "torch", "runs": {}, "run_seconds": {}}
    for name in runs:
        t0 = time.perf_counter()
        out["runs"][name] = _run_single(name, xtr, ytr, xte, yte, seed, iters, batch_size,
                                        eval_interval, verbose)
        out["run_seconds"][name] = time.perf_counter() - t0
    return out
