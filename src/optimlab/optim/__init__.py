"""The five learning-rate optimizers of the note, each rule written once (see :mod:`optimlab.optim.base`)."""

from __future__ import annotations

import os
import re
import sys
from dataclasses import fields
from pathlib import Path
from typing import Any

from ..errors import ConfigError, did_you_mean
from .adagrad import AdaGrad
from .adam import Adam
from .base import (FRAMEWORK_PRESETS, Optimizer, OptState, load_state, save_state, stack_hyperparameters,
                   tree_map_update)
from .momentum import Momentum
from .rmsprop import RMSProp
from .sgd import SGD

BUILT_IN = (SGD, Momentum, AdaGrad, RMSProp, Adam)


def RMSprop(lr: float = 0.01, decay_rate: float = 0.99, **hyperparameters) -> RMSProp:  # noqa: N802 - the book's name
    """The book's ``common/optimizer.py`` name and arguments: ``RMSprop(lr=0.01, decay_rate=0.99)`` is
    ``RMSProp(lr=0.01, decay=0.99)`` (a notebook review: the import failed, then ``decay_rate`` was a TypeError)."""
    return RMSProp(lr=lr, decay=decay_rate, **hyperparameters)


class _Registry(dict):
    """Optimizer classes by name. ``OPTIMIZERS["nesterov"] = Nesterov`` checks what would otherwise go wrong later
    or silently: the key is the class's own ``name`` (lower case, as ``--optimizers`` reads names), the class is an
    :class:`Optimizer`, and a built-in is not replaced (``OPTIMIZERS["adam"] = MyAdam`` changed every "adam" run).
    Registering a class again under its name (a notebook cell run twice) is fine."""

    def __setitem__(self, key: str, cls: type[Optimizer]) -> None:
        if not (isinstance(cls, type) and issubclass(cls, Optimizer)):
            raise ConfigError(f"invalid optimizer class for {key!r}: {cls!r} (accepted: a subclass of "
                              "optimlab.optim.Optimizer)")
        own = vars(cls).get("name")
        if own is None or own != key or key != str(key).lower():
            raise ConfigError(f"invalid optimizer name: {key!r} for {cls.__name__}, whose name is "
                              f"{own or cls.name!r}{'' if own else ' (inherited)'} (accepted: the class's own name "
                              f"in lower case, as name = {cls.__name__.lower()!r} in the class and "
                              f"OPTIMIZERS[{cls.__name__.lower()!r}])")
        old = self.get(key)
        if old is not None and old is not cls and old in BUILT_IN:
            raise ConfigError(f"optimizer name {key!r} is optimlab's {old.__name__} (accepted: a name of your own, "
                              f"e.g. name = 'my{key}' in {cls.__name__})")
        super().__setitem__(key, cls)

    def update(self, *args: Any, **kwargs: Any) -> None:          # OPTIMIZERS.update(adam=MyAdam) checked too
        for key, cls in dict(*args, **kwargs).items():
            self[key] = cls

    def setdefault(self, key: str, cls: type[Optimizer]) -> type[Optimizer]:
        if key not in self:
            self[key] = cls
        return self[key]

    def __ior__(self, other: Any) -> "_Registry":
        self.update(other)
        return self


OPTIMIZERS: dict[str, type[Optimizer]] = _Registry({c.name: c for c in BUILT_IN})
PLUGIN_GROUP = "optimlab.optimizers"
_plugins_loaded = False
_plugin_errors: dict[str, str] = {}      # name → why its plugin is not registered (said when the name is asked for)
PLUGIN_FILES_ENV = "OPTIMLAB_PLUGINS"    # Python files of optimizer classes, separated by os.pathsep
ADDED_HINT = (f"an optimizer added where the file was written is known here once its package is installed or its file "
              f"is named in {PLUGIN_FILES_ENV}")
_file_errors: list[str] = []             # why a file it names is not loaded (a warning; said with an unknown name)


def load_plugins() -> None:
    """Register the optimizers other installed packages declare as entry points of the group ``optimlab.optimizers``
    (in their pyproject.toml: ``[project.entry-points."optimlab.optimizers"]`` ``nesterov = "mypkg.optim:Nesterov"``),
    once per process: the command line, and a sweep's worker processes, know them without optimlab's files being
    edited. A class already registered under the name (in your script) stays. A plugin that cannot be loaded or
    registered, or a name two packages declare, is kept as its one-line error, raised by :func:`optimizer_class` when that
    name is asked for: a broken plugin stopped every command, even ``optimlab report`` of an unrelated folder."""
    global _plugins_loaded
    if _plugins_loaded:
        return
    _plugins_loaded = True
    from importlib.metadata import entry_points

    def where(ep) -> str:
        return f"optimizer plugin {ep.name} = {ep.value!r}" + (f" (from {ep.dist.name} {ep.dist.version})"
                                                                if ep.dist is not None else "")

    by_name: dict[str, list] = {}
    for ep in entry_points(group=PLUGIN_GROUP):
        if ep not in by_name.setdefault(ep.name, []):
            by_name[ep.name].append(ep)
    for name, eps in by_name.items():
        if name in OPTIMIZERS and OPTIMIZERS[name] not in BUILT_IN:
            continue                     # registered in this process already (a script's own class): it stays
        if len(eps) > 1:                 # which trains would depend on the order of sys.path
            _plugin_errors[name] = (f"{where(eps[0])} and {where(eps[1])} both declare {name!r} (accepted: one "
                                    "package per optimizer name; uninstall one)")
            continue
        ep = eps[0]
        try:
            OPTIMIZERS[name] = ep.load()
        except ConfigError as e:
            _plugin_errors[name] = f"{where(ep)}: {e}"
        except Exception as e:  # noqa: BLE001 - an import error in someone else's package, said in one line
            _plugin_errors[name] = (f"{where(ep)} cannot be loaded: {type(e).__name__}: "
                                    f"{(str(e).splitlines() or [''])[0]} (accepted: an importable Optimizer subclass; "
                                    "or uninstall that package)")
    _load_plugin_files()


def _load_plugin_files() -> None:
    """Import the Python files :data:`PLUGIN_FILES_ENV` names (``OPTIMLAB_PLUGINS=my_optims.py optimlab compare
    --optimizers nesterov``: a file of one's own optimizers on the command line without a package) and register each
    Optimizer subclass they define under its own ``name`` (a file may register its classes itself, as a script does).
    Read once per process, when an optimizer name is first looked up; relative paths are taken from the folder of that
    moment and made absolute in the environment, so a sweep's worker processes, which get it, load the same files. A
    file's folder is on ``sys.path`` (it may import a module beside it, as a script run from there could). A file that
    cannot be loaded, or a class whose name is taken, is kept as a one-line error: a warning on the command line, and
    said with an unknown name."""
    import hashlib
    import importlib.util

    items = [i for i in os.environ.get(PLUGIN_FILES_ENV, "").split(os.pathsep) if i.strip()]
    paths = [Path(i).expanduser().absolute() for i in items]
    if items:
        os.environ[PLUGIN_FILES_ENV] = os.pathsep.join(map(str, paths))
    for item, path in zip(items, paths):
        where = f"{PLUGIN_FILES_ENV} file {item!r}"
        accepted = f"(accepted: paths of .py files of optimizer classes, separated by {os.pathsep!r})"
        if not path.exists():
            _file_errors.append(f"{where} not found ({str(path)!r}) {accepted}")
            continue
        if path.suffix != ".py" or not path.is_file():
            _file_errors.append(f"{where} is not a .py file {accepted}")
            continue
        # one module per path: two files of one name in two folders are two modules (and each class's source its own)
        module_name = "optimlab_plugin_" + re.sub(r"\W", "_", path.stem) + "_" + \
            hashlib.sha256(str(path).encode()).hexdigest()[:8]
        if str(path.parent) not in sys.path:
            sys.path.append(str(path.parent))
        try:
            spec = importlib.util.spec_from_file_location(module_name, path)
            module = importlib.util.module_from_spec(spec)
            sys.modules[module_name] = module         # (dataclasses look their module up)
            spec.loader.exec_module(module)
        except Exception as e:  # noqa: BLE001 - the user's file: its error in one line (a ConfigError too)
            sys.modules.pop(module_name, None)
            _file_errors.append(f"{where} cannot be loaded: {type(e).__name__}: {(str(e).splitlines() or [''])[0]} "
                                "(accepted: a Python file that defines Optimizer subclasses)")
            continue
        for obj in list(vars(module).values()):      # each class on its own: one bad name leaves the others
            if not (isinstance(obj, type) and issubclass(obj, Optimizer) and obj.__module__ == module_name
                    and "name" in vars(obj)) or OPTIMIZERS.get(obj.name) is obj:
                continue
            taken = OPTIMIZERS.get(obj.name)
            if taken is not None and taken not in BUILT_IN:     # another file's, a package's, or a script's
                _file_errors.append(f"{where}: {obj.__name__}'s name {obj.name!r} is taken by "
                                    f"{taken.__module__}.{taken.__qualname__}, which trains under it (accepted: a "
                                    f"name of your own, e.g. name = 'my{obj.name}')")
                continue
            try:
                OPTIMIZERS[obj.name] = obj
            except ConfigError as e:
                _file_errors.append(f"{where}: {e}")


def in_a_file(e: ConfigError) -> str:
    """``e``'s message as a file (a recipe, a sweep.toml) gives it: an optimizer not known here was perhaps added where
    the file was written, and :data:`ADDED_HINT` says how one is found (a review: a plugin's recipe, read without the
    plugin, said "unknown optimizer" and nothing of plugins)."""
    return f"{e}; {ADDED_HINT}" if str(e).startswith("unknown optimizer") else str(e)


def optimizer_class(name: str, where: str = "") -> type[Optimizer]:
    """The class registered under ``name`` (lower-cased). For a name none is registered under, the plugins are
    loaded first (one may register it); if none does, the plugin error kept for it (see :func:`load_plugins`), or
    "unknown optimizer" naming ``where`` it was asked for: a :class:`ConfigError`."""
    key = str(name).lower()
    if key not in OPTIMIZERS:
        load_plugins()
    if key not in OPTIMIZERS:
        raise ConfigError(_plugin_errors.get(key) or
                          f"unknown optimizer: {name!r}{where} (accepted: {', '.join(OPTIMIZERS)}"
                          f"{did_you_mean(key, list(OPTIMIZERS))})"
                          + "".join(f"; {why}" for why in _file_errors))
    return OPTIMIZERS[key]


def ignored_plugins() -> list[str]:
    """The plugin errors of names a class is registered under all the same (a plugin claiming 'adam'): the command
    line prints them as warnings, since the registered class is what trains."""
    load_plugins()
    return [why for name, why in _plugin_errors.items() if name in OPTIMIZERS] + _file_errors


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
        raise ConfigError(f"optimizer listed twice: {dup[0]!r} (accepted: each name once)")
    return names


def make_optimizer(name: str, /, preset: str = "note", **hyperparameters: Any) -> Optimizer:
    """An optimizer by name (``sgd``, ``momentum``, ``adagrad``, ``rmsprop``, ``adam``), preset and overrides:
    ``make_optimizer("adam", "torch", lr=1e-3)`` or ``make_optimizer("adam", preset="torch", lr=1e-3)``."""
    return optimizer_class(name).preset(preset, **hyperparameters)      # a sweep worker meets a plugin's name here


__all__ = ["BUILT_IN", "optimizer_class", "ignored_plugins", "load_plugins", "Optimizer", "OptState", "SGD", "Momentum", "AdaGrad", "RMSProp", "RMSprop", "Adam", "OPTIMIZERS", "PRESETS",
           "make_optimizer", "optimizer_names", "hyperparameter_names", "display_name", "preset_names", "save_state", "load_state", "stack_hyperparameters",
           "tree_map_update"]
