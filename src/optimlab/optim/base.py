"""What every optimizer shares: validated hyperparameters, explicit state, and one lifting helper.

An optimizer is a frozen dataclass of hyperparameters. Its update rule, :meth:`Optimizer.rule`, is written
once, for a single array ``w`` with gradient ``g`` and state slots ``s``, and works in place. The same rule
then serves

* one array (a 2-D landscape point, one weight matrix),
* a dict of arrays (a network's parameters) — lifted by :func:`tree_map_update`,
* a stack of K models in lockstep: ``w`` has shape ``(K, P)`` and each numeric hyperparameter may be an
  array of shape ``(K, 1)``, so K learning rates (or K different β's) update K models in one pass.

Symbols follow the note: ε is the learning rate (``lr``) and θ the small constant that keeps a division finite
(``eps``, which PyTorch and the Adam paper call ε).

State is explicit: :meth:`Optimizer.init` builds an :class:`OptState` holding the step count and the slots
(``m``, ``v``, ``h``, …) with the parameters' structure; nothing is created lazily.

For an optimizer of one's own, :mod:`optimlab.optim.checks` tries a rule before it trains (element-wise, moving
the weights) and :mod:`optimlab.optim.codehash` fingerprints a class's code for a sweep's records.
"""

from __future__ import annotations

import inspect
import json
import os
from dataclasses import MISSING, dataclass, field, fields, is_dataclass
from typing import Any, ClassVar, Mapping

import numpy as np

from .._io import json_default, read_npz, write_npz
from ..errors import ConfigError, did_you_mean

Params = Any  # an ndarray or a Mapping[str, ndarray]
FRAMEWORK_PRESETS = ("note", "torch", "optax")     # every optimizer accepts these
NOTE_PRESETS = ("note", "note-text")               # the note's values: a subclass's own defaults come first
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
        for what in ("slots", "conventions"):    # slots = ("vel") is the string 'vel': the slots 'v', 'e', 'l' (a review)
            names = getattr(cls, what)
            if not isinstance(names, (tuple, list)) or not all(isinstance(n, str) for n in names):
                example = f"({names!r},)" if isinstance(names, str) else "('v',)"
                comma = " — a name in parentheses needs the comma" if isinstance(names, str) else ""
                raise ConfigError(f"invalid {cls.__name__}.{what}: {names!r} (accepted: a tuple of names, as "
                                  f"{what} = {example}{comma})")
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
        class's own ``presets`` (:meth:`preset_values`)."""
        if preset not in cls.preset_names():
            raise ConfigError(f"unknown preset for {cls.name}: {preset!r} (accepted: {', '.join(cls.preset_names())}"
                              f"{did_you_mean(preset, cls.preset_names())})")
        known = [f.name for f in fields(cls)]
        bad = sorted(set(overrides) - set(known))
        if bad:
            hint = f"; the note's {bad[0]} is {NOTE_NAMES[bad[0]]} here" if bad[0] in NOTE_NAMES else ""
            raise ConfigError(f"unknown hyperparameter for {cls.name}: {bad[0]!r} (accepted: {', '.join(known)}{hint})")
        made = cls(**{**cls.preset_values(preset), **overrides})
        object.__setattr__(made, "made_with_preset", preset)    # torch's and optax's values can be the same: which
        return made                                             # one was asked for (a landscape's legend says it)

    @classmethod
    def preset_values(cls, preset: str) -> dict[str, Any]:
        """The hyperparameters ``preset`` sets (the rest keep their defaults). The note's presets (``'note'``, the
        default, and its alias ``'note-text'``) leave out a value whose default this class declares anew, against the
        class its ``presets`` come from: an AdaGrad subclass with ``eps = 1e-8`` was made by name with AdaGrad's note
        eps, 1e-4, and trained as AdaGrad (a plugin author's review); an unchanged subclass gets its base's values."""
        values = dict(cls.presets.get(preset, {}))
        if preset in NOTE_PRESETS:
            mro = cls.__mro__
            at = next(i for i, c in enumerate(mro) if "presets" in vars(c))
            owner = field_defaults(mro[at]) if is_dataclass(mro[at]) else {}
            mine = field_defaults(cls)

            def anew(k: str) -> bool:   # declared below the presets' class, with another default than it has there
                below = any(k in inspect.get_annotations(c) for c in mro[:at])
                return below and (k not in owner or not same_value(owner[k], mine.get(k)))

            values = {k: v for k, v in values.items() if not anew(k)}
        return values

    @classmethod
    def preset_names(cls) -> tuple[str, ...]:
        """The presets this optimizer accepts: the framework ones and its own (e.g. AdaGrad's ``note-code``)."""
        return tuple(dict.fromkeys(FRAMEWORK_PRESETS + tuple(cls.presets)))

    def hyperparameters(self) -> dict[str, Any]:
        """Hyperparameters as JSON-ready plain values (a NumPy scalar default, ``np.float32(0.5)``, as a Python one:
        a sweep failed writing its first config.json)."""
        out = {}
        for f in fields(self):
            v = getattr(self, f.name)
            out[f.name] = np.asarray(v).tolist() if isinstance(v, (np.ndarray, np.generic)) else v
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


def same_value(a: Any, b: Any) -> bool:
    """Whether two defaults are the same value: NaN as NaN (an "unset" default written again), arrays element by
    element; a plain bool."""
    if a is b:
        return True
    try:
        return bool(np.array_equal(np.asarray(a), np.asarray(b), equal_nan=True))
    except TypeError:               # not numbers (a string): equal or not
        try:
            return bool(a == b)
        except Exception:           # noqa: BLE001 - an object whose == raises is not the same value
            return False


def field_defaults(cls: type) -> dict[str, Any]:
    """Each dataclass field's default (a ``default_factory``'s value), by name."""
    return {f.name: f.default_factory() if f.default is MISSING and f.default_factory is not MISSING else f.default
            for f in fields(cls)}


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
        try:
            kept[name][...] = value
        except ValueError:          # a landscape printed NumPy's traceback (a plugin author's review)
            owner = getattr(rule, "__self__", None)
            who = f"{type(owner).__name__}.rule" if owner is not None else "the rule"
            raise ConfigError(f"{who} assigned its slot {name!r} an array of shape {value.shape}, where the "
                              f"parameters' is {kept[name].shape} (accepted: an array of the parameters' shape, e.g. "
                              f"s[{name!r}] = mu * s[{name!r}] - lr * g)") from None
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
    arrays["__header__"] = np.frombuffer(json.dumps(header, default=json_default).encode(), dtype=np.uint8)
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
