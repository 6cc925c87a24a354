"""Checks of an optimizer's rule before it trains: the trainer runs one rule on one flat buffer of every layer of
every model, so a rule must be element-wise, and it must move the weights in place. A rule that is not is refused
in one line naming what to change (see README's "Adding an optimizer")."""

from __future__ import annotations

import warnings
from dataclasses import fields, replace
from typing import Any

import numpy as np

from ..errors import ConfigError, OptimlabWarning
from .base import Optimizer, OptState, run_rule, stack_hyperparameters


class RuleWarning(OptimlabWarning):
    """A rule that trains but probably not as meant (a state slot it never writes): said once, where the run or the
    sweep starts (a sweep's workers, which check the rule again, do not repeat it)."""


def check_elementwise(opt: Optimizer) -> None:
    """The trainer applies ``opt.rule`` once to one flat buffer of every parameter of every model it trains (``w``
    is ``(K, P)``, each hyperparameter a ``(K, 1)`` array), so the rule must treat each element on its own. A
    :class:`ConfigError` unless three steps on a stack of two models give, element for element, what they give on
    each element alone: a norm, mean or max over ``w`` (per-layer rules: LARS, LAMB, clipping by norm) would mix
    layers and models — a run would depend on the runs beside it — and ``if self.beta > 0:`` fails on an array.
    NumPy's overflow and invalid-value warnings are not printed: a rule's NaN is said in one line, and a huge lr's
    overflow is training's to record as a divergence (a re-test saw sgd.py's 'overflow encountered' twice)."""
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        _check_elementwise(opt)


def probe_gradients(rng: np.random.Generator, shape: tuple[int, int], steps: int = 3) -> list[np.ndarray]:
    """Trial gradients: standard normal, but 0 at every step in the first column — a weight of an always-blank pixel
    (MNIST's borders) gets exactly 0 from the first step on, and a rule dividing by its square-rooted accumulator
    without a θ (AdaGrad from h = 0) makes 0/0 there: a teacher's review saw that run recorded as diverged at
    iteration 2, where the check had passed it on gradients that are never 0."""
    gs = [rng.standard_normal(shape) for _ in range(steps)]
    for g in gs:
        g[:, 0] = 0.0
    return gs


def _check_elementwise(opt: Optimizer) -> None:
    rng = np.random.default_rng(0)
    w0, gs = rng.standard_normal((2, 3)), probe_gradients(rng, (2, 3))
    whole, alone = w0.copy(), np.empty_like(w0)
    name, drawn = type(opt).__name__, np.random.get_state()    # a rule that draws numbers leaves the user's stream
    try:
        try:
            stacked = stack_hyperparameters([opt, opt], ndim=2, dtype=np.float64)
            kept = stacked.init(whole)
            start = {n: bool(np.all(np.isfinite(a))) for n, a in kept.slots.items()}   # a ±inf sentinel is fine
            for t, g in enumerate(gs, 1):
                run_rule(stacked.rule, whole, g.copy(), kept.slots, t)
                _check_finite(opt, whole, kept, start, t)
            for i, j in np.ndindex(w0.shape):
                w = w0[i:i + 1, j:j + 1].copy()
                state = opt.init(w)
                for t, g in enumerate(gs, 1):
                    run_rule(opt.rule, w, g[i:i + 1, j:j + 1].copy(), state.slots, t)
                alone[i, j] = w[0, 0]
        except ConfigError:
            raise
        except NotImplementedError:
            if type(opt).rule is Optimizer.rule:
                raise ConfigError(f"{name} defines no rule (accepted: a subclass with def rule(self, w, g, s, t) that "
                                  "updates w in place, as in README's 'Adding an optimizer')") from None
            raise ConfigError(f"{name}.rule raised NotImplementedError on a stack of 2 models (accepted: a rule in "
                              "array arithmetic on its slots, np.where for a choice)") from None
        except Exception as e:  # noqa: BLE001 - said in one line: KeyError, ZeroDivisionError, NumPy's ValueError …
            hint = ""
            if "truth value of an array" in str(e):      # if self.nesterov: on a (2, 1) array
                flags = [f.name for f in fields(opt) if isinstance(f.default, bool) and f.name not in opt.conventions]
                hint = "; a field an if reads picks a formula variant: list it in conventions" + \
                    (f" (bool fields: {', '.join(flags)})" if flags else "")
            raise ConfigError(f"{name}.rule fails on a stack of 2 models, each hyperparameter a (2, 1) array: "
                              f"{type(e).__name__}: {(str(e).splitlines() or [''])[0]} (accepted: a rule in array "
                              f"arithmetic on its slots, np.where for a choice{hint})") from None
    finally:
        np.random.set_state(drawn)
    # float32 slots or hyperparameters round differently on the stack (float64) and alone: 1e-8, not a norm's 1e-1
    if not np.allclose(whole, alone, rtol=1e-5, atol=1e-7, equal_nan=True):
        k = np.unravel_index(np.nanargmax(np.abs(whole - alone)), w0.shape)
        raise ConfigError(f"{name}.rule is not element-wise: three steps on a stack of 2 models moved one weight to "
                          f"{whole[k]:.6g}, the same steps on that weight alone to {alone[k]:.6g} (accepted: a rule "
                          "where each element's step depends on that element only, drawing no random numbers — the "
                          "trainer runs it on one flat buffer of every layer of every model, so a norm, mean or max "
                          "would mix them)")
    if np.array_equal(whole, w0):     # ``return w - lr * g`` or ``w = w - lr * g``: the run would stay at its start
        check_moves(opt)
    _check_slots_move(opt, stacked, kept, whole, w0, gs)


def _check_finite(opt: Optimizer, w: np.ndarray, state: OptState, start: dict[str, bool], t: int) -> None:
    """A ConfigError if step ``t`` from finite weights and gradients (:func:`probe_gradients`) left NaN or inf in the
    weights or in a slot that started finite, and does so at a small learning rate too: a rule's own error (the
    square root of a value that can be negative, 0/0 where a gradient is 0), which training recorded as divergence and a sweep as an lr
    that learned nothing, with advice to lower the learning rate. At a huge lr alone (SGD at 1e308 in float64) it is
    the lr's: left to training, which records the divergence."""
    bad = [n for n, a in (("w", w), *state.slots.items()) if start.get(n, True) and not np.all(np.isfinite(a))]
    if not bad or _finite_at_small_lr(opt):
        return
    settings = ", ".join(f"{k}={v!r}" for k, v in opt.hyperparameters().items())
    raise ConfigError(f"{type(opt).__name__}.rule turned finite weights and gradients into NaN or inf at step {t} "
                      f"(in {', '.join(bad)}), at its settings {settings}, and at lr 1e-6 as well (accepted: a rule "
                      "whose step is finite for finite w, g and state, g = 0 included — a square root or a logarithm of "
                      "a value that can be negative, or 0/0 where g and the state are 0 (add a θ: √h + θ), is not; "
                      "this is the rule's error, not a learning rate too large)")


def _finite_at_small_lr(opt: Optimizer) -> bool:
    """Whether three steps of ``opt`` at lr 1e-6, from a finite start, keep the weights and the slots that started
    finite finite. True, claiming nothing, where the class does not accept lr 1e-6 (an lr floor of its own): then the
    non-finite steps are left to training to record, as for any optimizer whose lr alone is too large."""
    rng = np.random.default_rng(0)
    w, gs = rng.standard_normal((1, 3)), probe_gradients(rng, (1, 3))
    try:
        small = replace(opt, lr=1e-6)
    except Exception:  # noqa: BLE001 - its validate() refused: 1e-6 was not tried
        return True
    try:
        state = small.init(w)
        start = [n for n, a in state.slots.items() if np.all(np.isfinite(a))]
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            for t, g in enumerate(gs, 1):
                run_rule(small.rule, w, g, state.slots, t)
    except Exception:  # noqa: BLE001 - the rule's own error at its settings is what is said
        return False
    return bool(np.all(np.isfinite(w))) and all(np.all(np.isfinite(state.slots[n])) for n in start)


STILL_STEPS = 20       # a rule may wait a few steps by design (a warmup from 0, gradients accumulated over k steps)


def _still(name: str, returned: list[Any]) -> str:
    how = ("it returned a new array, which is not used: update w in place and return nothing"
           if any(isinstance(r, np.ndarray) for r in returned)
           else "w = w - self.lr * g makes a new array and leaves the weights as they were; or the step stays 0 "
                "because a state slot it multiplies starts at 0: init_slot gives it another start")
    return (f"{name}.rule moved no weight in {STILL_STEPS} steps with nonzero gradients (accepted: a rule that updates "
            f"w in place, w -= self.lr * g; {how})")


def check_moves(opt: Optimizer) -> None:
    """A ConfigError unless ``opt`` (one model, its own hyperparameters) moves a weight within :data:`STILL_STEPS`
    steps of nonzero gradients, from random weights or from zeros: ``return w - lr * g`` and ``w = w - lr * g``
    trained nothing and were marked ok (a review's run stayed at 0.109 test accuracy beside SGD's 0.939). From zeros
    too, since a step below the weights' rounding (SGD at lr 1e-20) leaves random weights as they were; from random
    weights too, for a rule that scales them (a multiplicative step leaves 0 at 0). :func:`check_elementwise` calls
    it; so do the landscapes, which run one optimizer at a time (a rule need not be element-wise there)."""
    rng = np.random.default_rng(0)
    gs, returned, drawn = [rng.standard_normal((1, 3)) for _ in range(3)], [], np.random.get_state()
    try:
        # trial steps: an lr of 1e308 overflows in them, as the run itself reports (NumPy's RuntimeWarning came
        # first, two lines above a landscape's table: a review)
        with np.errstate(all="ignore"):
            for w0 in (rng.standard_normal((1, 3)), np.zeros((1, 3))):
                w = w0.copy()
                state = opt.init(w)
                for t in range(1, STILL_STEPS + 1):
                    returned.append(run_rule(opt.rule, w, gs[t % len(gs)].copy(), state.slots, t))
                    if not np.array_equal(w, w0):
                        return
    except Exception:  # noqa: BLE001 - the run itself reports a rule that raises, with its own words
        return
    finally:
        np.random.set_state(drawn)
    raise ConfigError(_still(type(opt).__name__, returned))


def _check_slots_move(opt: Optimizer, stacked: Optimizer, state: OptState, whole: np.ndarray, w0: np.ndarray,
                      gs: list[np.ndarray]) -> None:
    """A UserWarning when a state slot that starts at 0 is still 0 everywhere after :data:`STILL_STEPS` steps with
    gradients that are not all 0: ``v = s["v"]; v = μ * v - ε * g`` makes a new array, the slot stays 0, and a Nesterov rule
    trained as SGD without a word (an extensibility review). A warning, not an error: a slot read only under a
    convention (AMSGrad's running maximum), or from step 100 on (an average of the weights), stays 0 by design."""
    fresh = stacked.init(w0)
    still = [n for n, a in state.slots.items() if not np.any(fresh.slots[n]) and not np.any(a)]
    if not still:
        return
    name, drawn = type(opt).__name__, np.random.get_state()
    try:
        for t in range(len(gs) + 1, STILL_STEPS + 1):
            run_rule(stacked.rule, whole, gs[t % len(gs)].copy(), state.slots, t)
            still = [n for n in still if not np.any(state.slots[n])]
            if not still:
                return
    except Exception:  # noqa: BLE001 - it ran three steps: a later failure is the trainer's to report
        return
    finally:
        np.random.set_state(drawn)
    n = still[0]
    warnings.warn(f"{name}.rule left its state {n!r} at 0 for {STILL_STEPS} steps with nonzero gradients: if the "
                  f"rule rebinds it (v = s[{n!r}]; v = μ * v - ε * g makes a new array and leaves the slot as it was), "
                  f"update it in place (v *= …; v -= …) or assign it (s[{n!r}] = …); a slot used only under some "
                  "settings (AMSGrad's maximum) or after many steps may stay 0", RuleWarning, stacklevel=4)
