"""What every optimizer shares: validated hyperparameters, explicit state, and one lifting helper.

An optimizer is a frozen dataclass of hyperparameters. Its update rule, :meth:`Optimizer.rule`, is written
once, for a single array ``w`` with gradient ``g`` and state slots ``s``, and works in place. The same rule
then serves

* one array (a 2-D landscape point, one weight matrix),
* a dict of arrays (a network's parameters) — lifted by :func:`tree_map_update`,
* a stack of K models in lockstep: ``w`` has shape ``(K, P)`` and each numeric hyperparameter may be an
  array of shape ``(K, 1)``, so K learning rates (or K different β's) update K models in one pass.

State is explicit: :meth:`Optimizer.init` builds an :class:`OptState` holding the step count and the slots
(``m``, ``v``, ``h``, …) with the parameters' structure; nothing is created lazily.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import inspect
import json
import os
import textwrap
import types
import warnings
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar, Mapping

import numpy as np

from .._io import read_npz, write_npz
from ..errors import ConfigError

Params = Any  # an ndarray or a Mapping[str, ndarray]
FRAMEWORK_PRESETS = ("note", "torch", "optax")     # every optimizer accepts these
NOTE_NAMES = {"decay_rate": "decay"}      # the course code's RMSprop(lr, decay_rate): a name that differs here


@dataclass
class OptState:
    """The optimizer's memory: ``count`` steps taken so far, one slot tree per state name, and the name of the
    optimizer whose :meth:`Optimizer.init` made it (RMSProp's ``h`` is not AdaGrad's, though the slots match)."""

    count: int
    slots: dict[str, Any] = field(default_factory=dict)
    optimizer: str | None = None

    def __repr__(self) -> str:              # the slots hold whole weight arrays: their shapes say enough
        def shape(tree):
            return {k: np.shape(v) for k, v in tree.items()} if isinstance(tree, Mapping) else np.shape(tree)
        slots = ", ".join(f"{name}={shape(tree)}" for name, tree in self.slots.items())
        return f"OptState({self.optimizer}, count={self.count}, slots: {slots or 'none'})"


def _map(fn, tree):
    if isinstance(tree, Mapping):
        return {k: fn(v) for k, v in tree.items()}
    return fn(tree)


def check_value(cond: bool, name: str, value: Any, accepted: str) -> None:
    """Unless ``cond``: a one-line :class:`ConfigError`, ``invalid <name>: <value> (accepted: <accepted>)``. For
    an optimizer's :meth:`Optimizer.validate`, as are :func:`finite_positive` and :func:`unit_interval`."""
    if not cond:
        shown = value.tolist() if isinstance(value, np.ndarray) else value  # one line, also for stacked values
        raise ConfigError(f"invalid {name}: {shown!r} (accepted: {accepted})")


def _numbers(name: str, value: Any, accepted: str) -> np.ndarray:
    """``value`` as a float array; a string, a bool or anything else not a number is a :class:`ConfigError`."""
    try:
        arr = None if isinstance(value, str) else np.asarray(value)
    except (TypeError, ValueError):
        arr = None
    check_value(arr is not None and arr.dtype.kind in "iuf" and arr.size > 0, name, value, accepted)
    return arr.astype(float)


def finite_positive(name: str, value: Any, *, allow_zero: bool = False) -> None:
    """``value`` (a number, or an array of them for a stack of models) is finite and > 0 (``allow_zero``: ≥ 0)."""
    accepted = "a finite number >= 0" if allow_zero else "a finite number > 0"
    arr = _numbers(name, value, accepted)
    ok = bool(np.all(np.isfinite(arr)) and (np.all(arr >= 0) if allow_zero else np.all(arr > 0)))
    check_value(ok, name, value, accepted)


def _hyperparameter(cls: type, f: Any, value: Any) -> None:
    """A numeric field's value: a finite number, or an array of them (a stack of models); not a string or None, and
    a bool only where the default is one (a 0/1 factor in the rule's arithmetic). A class whose default is a string
    or None meant a formula variant: it belongs in ``conventions``."""
    if isinstance(value, bool) and isinstance(f.default, bool):
        return
    if isinstance(f.default, str) or f.default is None:
        raise ConfigError(f"{cls.__name__}'s field {f.name!r} defaults to {f.default!r}, not a number (accepted: "
                          f"numbers for hyperparameters; a field that picks a formula variant is listed in "
                          f"conventions = ({f.name!r},), as Adam's bias_correction)")
    name = f"{f.name} for {getattr(cls, 'name', cls.__name__)}"
    check_value(bool(np.all(np.isfinite(_numbers(name, value, "a finite number")))), name, value, "a finite number")


def unit_interval(name: str, value: Any) -> None:
    """``value`` (a number, or an array of them) is in [0, 1): a decay rate such as β₁ or ρ."""
    arr = _numbers(name, value, "a number in [0, 1)")
    check_value(bool(np.all((arr >= 0) & (arr < 1))), name, value, "a number in [0, 1)")


@dataclass(frozen=True)
class Optimizer:
    """Base class. Subclasses define numeric hyperparameter fields, ``slots`` and :meth:`rule`.

    Numeric fields may be floats (one model) or arrays broadcastable against the parameters (a stack of
    models). Fields listed in ``conventions`` select a formula variant and must be plain values.
    """

    name: ClassVar[str] = "optimizer"
    slots: ClassVar[tuple[str, ...]] = ()
    conventions: ClassVar[tuple[str, ...]] = ()
    presets: ClassVar[dict[str, dict[str, Any]]] = {}
    made_with_preset: ClassVar[str | None] = None     # the preset :meth:`preset` was asked for, on its object

    lr: float = 0.01

    # -- construction -------------------------------------------------------------------------------
    def __post_init__(self) -> None:
        cls = type(self)
        lost = [] if "__dataclass_fields__" in vars(cls) else \
            [k for k, v in inspect.get_annotations(cls).items() if "ClassVar" not in str(v)]
        if lost:        # a subclass without @dataclass: its fields are class attributes the constructor ignores
            raise ConfigError(f"{cls.__name__} declares {lost[0]!r} but is not a dataclass, so its value is ignored "
                              "(accepted: @dataclass(frozen=True) on the line above 'class', as in README's "
                              "'Adding an optimizer')")
        for f in fields(self):       # a hyperparameter is numbers; a field that picks a variant is a convention
            if f.name not in self.conventions and f.name != "lr":        # lr: checked below, with its own words
                _hyperparameter(cls, f, getattr(self, f.name))
        finite_positive("learning rate (lr)", self.lr)
        for f in fields(self):       # a convention whose default is a bool must be a bool (1 or "yes" is not)
            if f.name in self.conventions and isinstance(f.default, bool):
                value = getattr(self, f.name)
                check_value(isinstance(value, bool), f.name, value, "true or false")
        self.validate()

    def validate(self) -> None:
        """Check the subclass's own hyperparameters (raise :class:`ConfigError`)."""

    @classmethod
    def preset(cls, preset: str, **overrides: Any) -> "Optimizer":
        """The optimizer with another framework's conventions: ``'note'``, ``'torch'`` or ``'optax'`` (a class
        that does not list one in ``presets`` has no convention to choose there: its defaults), or one of the
        class's own ``presets``."""
        if preset not in cls.preset_names():
            raise ConfigError(f"unknown preset for {cls.name}: {preset!r} (accepted: {', '.join(cls.preset_names())})")
        known = [f.name for f in fields(cls)]
        bad = sorted(set(overrides) - set(known))
        if bad:
            hint = f"; the note's {bad[0]} is {NOTE_NAMES[bad[0]]} here" if bad[0] in NOTE_NAMES else ""
            raise ConfigError(f"unknown hyperparameter for {cls.name}: {bad[0]!r} (accepted: {', '.join(known)}{hint})")
        made = cls(**{**cls.presets.get(preset, {}), **overrides})
        object.__setattr__(made, "made_with_preset", preset)    # torch's and optax's values can be the same: which
        return made                                             # one was asked for (a landscape's legend says it)

    @classmethod
    def preset_names(cls) -> tuple[str, ...]:
        """The presets this optimizer accepts: the framework ones and its own (e.g. AdaGrad's ``note-code``)."""
        return tuple(dict.fromkeys(FRAMEWORK_PRESETS + tuple(cls.presets)))

    def hyperparameters(self) -> dict[str, Any]:
        """Hyperparameters as JSON-ready plain values."""
        out = {}
        for f in fields(self):
            v = getattr(self, f.name)
            out[f.name] = np.asarray(v).tolist() if isinstance(v, np.ndarray) else v
        return out

    def numeric_fields(self) -> tuple[str, ...]:
        return tuple(f.name for f in fields(self) if f.name not in self.conventions)

    # -- state --------------------------------------------------------------------------------------
    def init_slot(self, name: str, w: np.ndarray) -> np.ndarray:
        """Initial value of state slot ``name`` for parameter array ``w`` (zeros unless overridden)."""
        return np.zeros_like(w)

    def init(self, params: Params) -> OptState:
        """Fresh state for ``params`` (an array or a dict of arrays)."""
        return OptState(0, {s: _map(lambda w, s=s: self._slot(s, w), params) for s in self.slots}, self.name)

    def _slot(self, name: str, w: np.ndarray) -> np.ndarray:
        v = self.init_slot(name, w)
        if not (isinstance(v, np.ndarray) and v.shape == np.shape(w)
                and (v.dtype.kind == "f" or np.asarray(w).dtype.kind != "f")):   # a non-float w: update() says it
            got = f"shape {v.shape} of {v.dtype}" if isinstance(v, np.ndarray) else f"a {type(v).__name__}"
            raise ConfigError(f"{type(self).__name__}.init_slot({name!r}, w) gave {got} for a parameter of shape "
                              f"{np.shape(w)} (accepted: a float array of the parameter's shape, e.g. "
                              "np.zeros_like(w))")
        return v

    # -- the update -----------------------------------------------------------------------------------
    def rule(self, w: np.ndarray, g: np.ndarray, s: dict[str, np.ndarray], t: int) -> None:
        """Update one array ``w`` in place from gradient ``g``, state slots ``s`` and step number ``t`` (1-based).

        The slots too are updated in place (``v = s["v"]; v *= mu; v -= lr * g``): ``v = mu * v - lr * g`` would
        make a new array and leave ``s["v"]`` as it was. When the trainer runs K models, ``w`` is ``(K, P)`` and
        every numeric hyperparameter is a ``(K, 1)`` array, also with K = 1: write the rule in arithmetic
        (``np.where`` for a choice), since ``if self.beta1 > 0:`` would fail on an array."""
        raise NotImplementedError

    def update(self, params: Params, grads: Params, state: OptState | None = None, checked: bool = False) -> OptState:
        """One step on every parameter, in place; returns ``state`` with its count advanced.

        The state is kept by the caller, not the optimizer: ``state = opt.init(net.params)`` once, then
        ``state = opt.update(net.params, grads, state)`` at every step (calling it as the note's
        ``optimizer.update(params, grads)`` is a one-line error that says so).
        ``checked=True``: ``params`` is one array and ``grads`` and ``state`` were made for it (the trainer's
        flat buffers), so the checks of :func:`tree_map_update` are skipped at every step."""
        if checked:
            run_rule(self.rule, params, grads, state.slots, state.count + 1)
        else:
            if not isinstance(state, OptState):
                got = "None" if state is None else f"a {type(state).__name__}"
                raise ConfigError(f"{type(self).__name__}.update needs the optimizer's state, got {got}: "
                                  f"state = opt.init(params) once, then state = opt.update(params, grads, state) "
                                  f"at every step")
            if state.optimizer not in (None, self.name) or set(state.slots) != set(self.slots):
                made = f"{state.optimizer}'s" if state.optimizer else "another optimizer's"
                raise ConfigError(f"{type(self).__name__}.update got {made} state (slots {sorted(state.slots)}) "
                                  f"(accepted: the state {type(self).__name__}.init(params) made, slots "
                                  f"{sorted(self.slots)})")
            tree_map_update(self.rule, params, grads, state.slots, state.count + 1)
        state.count += 1
        return state


def sqrt_plus_eps(h: np.ndarray, eps: Any, inside: bool) -> np.ndarray:
    r"""The divisor of AdaGrad's and RMSProp's step: :math:`\sqrt{h}+\theta`, or :math:`\sqrt{h+\theta}` with
    ``inside`` (optax's convention). The rules divide by it, and ``--telemetry`` by it to show their rate
    :math:`\epsilon/(\sqrt{h}+\theta)`."""
    return np.sqrt(h + eps) if inside else np.sqrt(h) + eps


def run_rule(rule, w: np.ndarray, g: np.ndarray, s: dict[str, Any], t: int) -> Any:
    """``rule(w, g, s, t)``, where a slot the rule assigns (``s["v"] = μ * s["v"] - ε * g``) is written into the
    state's array, as ``s["v"] *= μ`` would be: on a dict of parameters the rule gets a dict of that parameter's slots,
    made for the call, and an assignment to it was lost without a word (the trainer's one flat buffer kept it)."""
    kept = dict(s)
    out = rule(w, g, s, t)
    # copies first: a rule that passes one slot's array to another (s["g2"] = s["g1"]; s["g1"] = g.copy(), a
    # gradient history) would otherwise read a slot already written
    assigned = {n: np.array(s[n], copy=True) for n, a in kept.items() if n in s and s[n] is not a}
    for name, value in assigned.items():
        kept[name][...] = value
        s[name] = kept[name]
    return out


def tree_map_update(rule, params: Params, grads: Params, slots: dict[str, Any], t: int) -> None:
    """Lift a single-array ``rule`` over a parameter tree (an array or a dict of arrays).

    ``grads`` and every state slot must have the parameters' structure and shapes (a :class:`ConfigError`
    otherwise, before anything is updated: NumPy would broadcast a (P,) gradient over a (K, P) stack)."""
    if not isinstance(params, Mapping):
        run_rule(rule, params, _checked_leaf(None, params, grads, slots), slots, t)
        return
    if not isinstance(grads, Mapping) or set(grads) != set(params):
        shown = sorted(grads) if isinstance(grads, Mapping) else type(grads).__name__
        raise ConfigError(f"gradients {shown} do not match the parameters {sorted(params)} "
                          "(accepted: a dict with the same keys)")
    for n, tree in slots.items():
        if not isinstance(tree, Mapping) or set(tree) != set(params):
            raise ConfigError(f"state {n!r} does not match the parameters {sorted(params)} "
                              "(accepted: the state init() made for these parameters)")
    leaves = [(k, params[k], grads[k], {s: tree[k] for s, tree in slots.items()}) for k in params]
    checked = [(w, _checked_leaf(k, w, g, s), s) for k, w, g, s in leaves]
    for w, g, s in checked:
        run_rule(rule, w, g, s, t)


def _checked_leaf(key: str | None, w: np.ndarray, g: Any, s: dict[str, Any]) -> np.ndarray:
    """The gradient as an array (a list or a float is one), or a ConfigError unless it is numbers and it and
    every state slot have the parameter's shape."""
    where, shape = "" if key is None else f" of {key!r}", np.shape(w)
    if not (isinstance(w, np.ndarray) and w.dtype.kind == "f"):
        got = f"an array of {w.dtype}" if isinstance(w, np.ndarray) else f"a {type(w).__name__}"
        raise ConfigError(f"parameter{where} is {got}, which cannot be updated in place (accepted: a NumPy float "
                          "array, e.g. np.array([1.0, 2.0]))")
    try:
        g = g if isinstance(g, np.ndarray) else np.asarray(g, dtype=float)
    except (TypeError, ValueError):             # strings, a ragged list
        raise ConfigError(f"gradient{where} is not numbers: {g!r} (accepted: an array of shape {shape})") from None
    if g.dtype.kind not in "iuf":
        raise ConfigError(f"gradient{where} is an array of {g.dtype} (accepted: numbers)")
    for what, a, accepted in (("gradient", g, "the parameter's shape"),
                              *((f"state {n!r}", v, "the state init() made for these parameters")
                                for n, v in s.items())):
        if np.shape(a) != shape:
            raise ConfigError(f"{what}{where} has shape {np.shape(a)}, the parameter {shape} (accepted: {accepted})")
    return g


def check_elementwise(opt: Optimizer) -> None:
    """The trainer applies ``opt.rule`` once to one flat buffer of every parameter of every model it trains (``w``
    is ``(K, P)``, each hyperparameter a ``(K, 1)`` array), so the rule must treat each element on its own. A
    :class:`ConfigError` unless three steps on a stack of two models give, element for element, what they give on
    each element alone: a norm, mean or max over ``w`` (per-layer rules: LARS, LAMB, clipping by norm) would mix
    layers and models — a run would depend on the runs beside it — and ``if self.beta > 0:`` fails on an array."""
    rng = np.random.default_rng(0)
    w0, gs = rng.standard_normal((2, 3)), [rng.standard_normal((2, 3)) for _ in range(3)]
    whole, alone = w0.copy(), np.empty_like(w0)
    name, drawn = type(opt).__name__, np.random.get_state()    # a rule that draws numbers leaves the user's stream
    try:
        try:
            stacked = stack_hyperparameters([opt, opt], ndim=2, dtype=np.float64)
            kept = stacked.init(whole)
            for t, g in enumerate(gs, 1):
                run_rule(stacked.rule, whole, g.copy(), kept.slots, t)
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


def code_sha256(cls: type) -> str:
    """SHA-256 of an optimizer class's code — its own and that of the classes it inherits from below
    :class:`Optimizer` — with docstrings and comments left out. A sweep records it with every run: a resumed sweep
    took the runs of an edited rule as complete, and a worker process that loaded another class under the name (an
    installed plugin, where the script had registered its own) trained it without a word. From the source where
    Python can find it (as ``ast.unparse`` writes it again), else (a class typed in a notebook or ``python -c``) from
    the methods' bytecode, which differs between Python versions; also from the bytecode where the names, variables
    and constants of the methods defined in its body are not those of the source Python finds (a file edited since the
    import, a second class of one name; an edit of operators alone is not seen there).
    Not covered: module constants and functions the rule calls (AdaGrad's ``sqrt_plus_eps``), closure values."""
    return _code_sha256(cls)


@functools.lru_cache(maxsize=256)
def _code_sha256(cls: type) -> str:
    parts = [_class_code(c) for c in cls.__mro__ if c not in (Optimizer, object)]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _class_code(c: type) -> str:
    try:
        source = textwrap.dedent(inspect.getsource(c))
        tree = ast.parse(source)
    except (OSError, TypeError, SyntaxError):
        return _bytecode(c)
    if not _runs_this_source(c, source):          # an edited file not reloaded, or another class of the name
        return _bytecode(c)
    for node in ast.walk(tree):                   # docstrings out: the code is what trains
        body = getattr(node, "body", None)
        if (isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and body
                and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)):
            node.body = body[1:] or [ast.Pass()]
    return ast.unparse(tree)          # source again, comments and layout gone (ast.dump's form changes with Python)


def _runs_this_source(c: type, source: str) -> bool:
    """Whether the methods of ``c`` defined in its class body are the code ``source`` compiles to: ``getsource`` reads
    the file as it is now (edited since the class was loaded?) and finds the first class of that name in it (a file may
    hold two), so the source it gives may not be the code that runs (a review)."""
    try:
        module = compile(source, "<optimlab>", "exec")
    except (SyntaxError, ValueError):
        return False
    body = next((k for k in module.co_consts if isinstance(k, types.CodeType) and k.co_name == c.__name__), None)
    if body is None:
        return False

    def shape(co: types.CodeType) -> tuple:          # names and constants: opcodes differ between a module compiled
        consts = tuple(shape(k) if isinstance(k, types.CodeType) else _stable_repr(k) for k in co.co_consts)
        return co.co_names, co.co_varnames, consts   # whole and a class alone (LOAD_ATTR / LOAD_METHOD)

    compiled: dict[str, list] = {}
    for k in body.co_consts:
        if isinstance(k, types.CodeType):
            compiled.setdefault(k.co_name, []).append(shape(k))      # a property's getter and setter share a name
    # the methods defined in the class body (not dataclass's, a decorator's wrapper or rule = a module function)
    inside = f"{c.__qualname__}."
    for v in vars(c).values():
        for f in (getattr(v, "__func__", v), getattr(v, "fget", None), getattr(v, "fset", None)):
            where = f.__code__.co_qualname if isinstance(f, types.FunctionType) else ""   # (wraps copies __qualname__)
            if where.startswith(inside) and "<locals>" not in where[len(inside):]:
                if shape(f.__code__) not in compiled.get(f.__code__.co_name, []):
                    return False
    return True


def _bytecode(c: type) -> str:
    def code(co: types.CodeType, doc: str | None) -> str:
        consts = [code(k, None) if isinstance(k, types.CodeType) else _stable_repr(k) for k in co.co_consts
                  if not (doc is not None and k == doc)]
        return f"{co.co_code.hex()}|{co.co_names}|{consts}"

    def function(f: types.FunctionType, seen: set) -> str:
        """Its code, and that of the functions it wraps or closes over (a decorator's wrapper holds the rule)."""
        if id(f) in seen:
            return ""
        seen.add(id(f))
        inner = [getattr(f, "__wrapped__", None)] + [cell.cell_contents for cell in f.__closure__ or ()
                                                     if _has_contents(cell)]
        return code(f.__code__, f.__doc__) + "".join(function(g, seen) for g in inner
                                                   if isinstance(g, types.FunctionType))

    out = []
    for name, v in sorted(vars(c).items()):
        f = getattr(v, "__func__", v)                                # staticmethod, classmethod
        f = getattr(f, "fget", f)                                    # property
        if isinstance(f, types.FunctionType):
            out.append(f"{name}:{function(f, set())}")
        elif not name.startswith("__"):
            out.append(f"{name}={_stable_repr(v)}")
    return "\n".join(out)


def _has_contents(cell) -> bool:
    try:
        cell.cell_contents
    except ValueError:                  # an empty cell (a name not yet bound)
        return False
    return True


def _stable_repr(v: Any) -> str:
    """``repr``, but a set's in sorted order: its order follows PYTHONHASHSEED, so a notebook's class hashed
    differently in every kernel."""
    if isinstance(v, (set, frozenset)):
        return "{" + ", ".join(sorted(map(_stable_repr, v))) + "}"
    if isinstance(v, tuple):
        return "(" + ", ".join(map(_stable_repr, v)) + ")"
    return repr(v)


def _check_slots_move(opt: Optimizer, stacked: Optimizer, state: OptState, whole: np.ndarray, w0: np.ndarray,
                      gs: list[np.ndarray]) -> None:
    """A UserWarning when a state slot that starts at 0 is still 0 everywhere after :data:`STILL_STEPS` steps with
    nonzero gradients: ``v = s["v"]; v = μ * v - ε * g`` makes a new array, the slot stays 0, and a Nesterov rule
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
                  "settings (AMSGrad's maximum) or after many steps may stay 0", UserWarning, stacklevel=4)


def stack_hyperparameters(opts: list[Optimizer], ndim: int = 2, dtype: Any = None) -> Optimizer:
    """One optimizer whose numeric hyperparameters are arrays of shape ``(K, 1, ...)``, for K stacked models.

    All ``opts`` must be of one class with the same conventions; their numeric hyperparameters may differ.
    A hyperparameter equal for all K stays a plain float, unless ``dtype`` is given: then every one is an
    array of that dtype (the parameters'), so the arithmetic of a model's update is the same whatever the
    other models in its stack — alone, it is a stack of one.
    """
    check_value(len(opts) > 0, "optimizers to stack", opts, "a non-empty list")
    first = opts[0]
    for o in opts[1:]:
        if type(o) is not type(first) or any(getattr(o, c) != getattr(first, c) for c in first.conventions):
            raise ConfigError(f"cannot stack {o!r} with {first!r}: same optimizer and conventions required")
    values = {}
    for name in first.numeric_fields():
        for o in opts:
            v = getattr(o, name)
            check_value(np.ndim(v) == 0, f"{name} of {o.name} for models trained together", v,
                        "one number per optimizer; train several values as several optimizers")
        col = np.array([float(getattr(o, name)) for o in opts])
        if dtype is None and np.ptp(col) == 0:
            values[name] = float(col[0])
        else:
            with np.errstate(over="ignore", under="ignore"):
                arr = col.astype(dtype or col.dtype)
            lost = ~np.isfinite(arr) | ((arr == 0) & (col != 0))      # overflowed to inf, or underflowed to 0
            if lost.any():
                info = np.finfo(arr.dtype)
                check_value(False, f"{name} for {arr.dtype} training", float(col[lost][0]),
                            f"a number {arr.dtype} can hold: magnitude at most {info.max:.3g}, "
                            f"a non-zero one at least {info.smallest_subnormal:.3g}")
            values[name] = arr.reshape((-1,) + (1,) * (ndim - 1))
    conv = {c: getattr(first, c) for c in first.conventions}
    return type(first)(**values, **conv)


# -- saving and loading state (npz arrays + JSON header, no pickle) --------------------------------------

def save_state(path: str | os.PathLike, opt: Optimizer, state: OptState) -> None:
    """Write ``state`` to ``path`` (``.npz``) with a JSON header naming the optimizer and its hyperparameters."""
    arrays: dict[str, np.ndarray] = {}
    for slot, tree in state.slots.items():
        if isinstance(tree, Mapping):
            for k, v in tree.items():
                arrays[f"{slot}/{k}"] = v
        else:
            arrays[slot] = tree
    header = {"optimizer": opt.name, "hyperparameters": opt.hyperparameters(), "count": state.count,
              "tree": isinstance(next(iter(state.slots.values()), None), Mapping)}
    arrays["__header__"] = np.frombuffer(json.dumps(header).encode(), dtype=np.uint8)
    write_npz(path, arrays)


def load_state(path: str | os.PathLike) -> tuple[dict[str, Any], OptState]:
    """Read a state saved by :func:`save_state`; returns ``(header, state)``."""
    arrays = read_npz(path)
    header = json.loads(bytes(arrays.pop("__header__")).decode())
    slots: dict[str, Any] = {}
    for key, v in arrays.items():
        if header["tree"]:
            slot, name = key.split("/", 1)
            slots.setdefault(slot, {})[name] = v
        else:
            slots[key] = v
    return header, OptState(int(header["count"]), slots, header.get("optimizer"))
