"""The five learning-rate optimizers of the note, each rule written once (see :mod:`optimlab.optim.base`), and how
one is found by name: :data:`OPTIMIZERS` (:mod:`~optimlab.optim.registry`), with those other packages or files add
(:mod:`~optimlab.optim.plugins`)."""

from __future__ import annotations

from dataclasses import fields
from typing import Any, Iterable, Mapping

from . import plugins
from ..errors import ConfigError, did_you_mean
from .adagrad import AdaGrad
from .adam import Adam
from .base import (FRAMEWORK_PRESETS, Optimizer, OptState, load_state, save_state, stack_hyperparameters,
                   tree_map_update)
from .momentum import Momentum
from .plugins import ADDED_HINT, PLUGIN_FILES_ENV, ignored_plugins, in_a_file, load_plugins
from .registry import BUILT_IN, OPTIMIZERS
from .rmsprop import RMSProp
from .sgd import SGD


def RMSprop(lr: float = 0.01, decay_rate: float = 0.99, **hyperparameters) -> RMSProp:  # noqa: N802 - the book's name
    """The book's ``common/optimizer.py`` name and arguments: ``RMSprop(lr=0.01, decay_rate=0.99)`` is
    ``RMSProp(lr=0.01, decay=0.99)`` (a notebook review: the import failed, then ``decay_rate`` was a TypeError)."""
    return RMSProp(lr=lr, decay=decay_rate, **hyperparameters)


def optimizer_class(name: str, where: str = "") -> type[Optimizer]:
    """The class registered under ``name`` (lower-cased). For a name none is registered under, the plugins are
    loaded first (one may register it); if none does, the plugin error kept for it (see :func:`load_plugins`), or
    "unknown optimizer" naming ``where`` it was asked for: a :class:`ConfigError`."""
    key = str(name).lower()
    if key not in OPTIMIZERS:
        load_plugins()
    if key not in OPTIMIZERS:
        raise ConfigError(plugins.plugin_errors.get(key) or
                          f"unknown optimizer: {name!r}{where} (accepted: {', '.join(OPTIMIZERS)}"
                          f"{did_you_mean(key, list(OPTIMIZERS))})"
                          + "".join(f"; {why}" for why in plugins.file_errors))
    return OPTIMIZERS[key]


PRESETS = FRAMEWORK_PRESETS


def hyperparameter_names(cls: type[Optimizer]) -> tuple[str, ...]:
    """The hyperparameters an optimizer class accepts: its dataclass fields (numeric ones and conventions),
    never its class attributes (``name``, ``slots``, ``conventions``, ``presets``)."""
    return tuple(f.name for f in fields(cls))


def display_name(name: str) -> str:
    """How runs, legends and tables name an optimizer: its class name (``rmsprop`` → ``RMSProp``)."""
    return OPTIMIZERS[name].__name__ if name in OPTIMIZERS else str(name)


def preset_names(name: str) -> tuple[str, ...]:
    """The presets an optimizer accepts: the framework ones (:data:`PRESETS`) and its own (e.g. AdaGrad's
    ``note-code``)."""
    return OPTIMIZERS[name].preset_names()


def optimizer_names(optimizers) -> tuple[str, ...]:
    """Optimizer names from ``"sgd,adam"`` or a list, lower-cased: each one known and listed once, at least one
    (what ``--optimizers``, a recipe, a sweep and a landscape accept); a one-line ConfigError otherwise."""
    if not isinstance(optimizers, (str, Optimizer, Iterable)) or isinstance(optimizers, bytes):
        raise ConfigError(f"invalid optimizers: {optimizers!r:.80} (accepted: names, e.g. ['sgd', 'adam'] or "
                          "'sgd,adam')")       # optimizers=5 was a TypeError (a review)
    items = optimizers.split(",") if isinstance(optimizers, str) else \
        [optimizers] if isinstance(optimizers, Optimizer) else list(optimizers)
    names = tuple(str(n).strip().lower() for n in items if str(n).strip())
    shown = repr(optimizers if isinstance(optimizers, str) else ",".join(map(str, items)))    # as typed, not a tuple
    if not names:
        raise ConfigError(f"no optimizers given: {shown} (accepted: some of {', '.join(OPTIMIZERS)})")
    if len(names) < len(items):         # "sgd," or "sgd,,adam": a name left out, most likely by mistake
        raise ConfigError(f"empty optimizer name in {shown} (accepted: names separated by single commas, "
                          "e.g. sgd,adam)")
    for n in names:
        optimizer_class(n)
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise ConfigError(f"optimizer listed more than once: {dup[0]!r} (accepted: each name once, in any case)")
    return names


def by_name(values: Mapping[Any, Any], what: str) -> dict[str, Any]:
    """``values`` keyed by optimizer name in lower case, as every name is read (``{"Adam": 1e-3}``, as runs are
    labelled); a name given in two cases is a one-line ConfigError naming ``what`` (``lrs``, a recipe's table)."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        name = str(key).lower()
        if name in out:
            same = [k for k in values if str(k).lower() == name]
            raise ConfigError(f"{what} gives the optimizer {name!r} {len(same)} times ({', '.join(map(repr, same))}: "
                              "names are read in any case) (accepted: each optimizer once)")
        out[name] = value
    return out


def make_optimizer(name: str, /, preset: str = "note", **hyperparameters: Any) -> Optimizer:
    """An optimizer by name (``sgd``, ``momentum``, ``adagrad``, ``rmsprop``, ``adam``), preset and overrides:
    ``make_optimizer("adam", "torch", lr=1e-3)`` or ``make_optimizer("adam", preset="torch", lr=1e-3)``."""
    return optimizer_class(name).preset(preset, **hyperparameters)      # a sweep worker meets a plugin's name here


__all__ = ["BUILT_IN", "optimizer_class", "ignored_plugins", "load_plugins", "in_a_file", "ADDED_HINT", "PLUGIN_FILES_ENV", "Optimizer", "OptState", "SGD", "Momentum", "AdaGrad", "RMSProp", "RMSprop", "Adam", "OPTIMIZERS", "PRESETS",
           "make_optimizer", "optimizer_names", "by_name", "hyperparameter_names", "display_name", "preset_names", "save_state", "load_state", "stack_hyperparameters",
           "tree_map_update"]
