"""Optimizers added without editing optimlab: entry points of installed packages (group ``optimlab.optimizers``)
and Python files named in ``OPTIMLAB_PLUGINS``, loaded once per process when an unknown name is first looked up.
What cannot be loaded is kept as a one-line error, said with the name it would have registered (a broken plugin
must not stop every command). A file's folder goes on ``sys.path``, so that it may import a module beside it as a
script run from there could."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

from ..errors import ConfigError
from .base import Optimizer
from .registry import BUILT_IN, OPTIMIZERS

PLUGIN_GROUP = "optimlab.optimizers"
plugins_loaded = False
plugin_errors: dict[str, str] = {}      # name → why its plugin is not registered (said when the name is asked for)
PLUGIN_FILES_ENV = "OPTIMLAB_PLUGINS"    # Python files of optimizer classes, separated by os.pathsep
ADDED_HINT = (f"an optimizer added where the file was written is known here once its package is installed or its file "
              f"is named in {PLUGIN_FILES_ENV}")
file_errors: list[str] = []             # why a file it names is not loaded (a warning; said with an unknown name)


def load_plugins() -> None:
    """Register the optimizers other installed packages declare as entry points of the group ``optimlab.optimizers``
    (in their pyproject.toml: ``[project.entry-points."optimlab.optimizers"]`` ``nesterov = "mypkg.optim:Nesterov"``),
    once per process: the command line, and a sweep's worker processes, know them without optimlab's files being
    edited. A class already registered under the name (in your script) stays. A plugin that cannot be loaded or
    registered, or a name two packages declare, is kept as its one-line error, raised by :func:`optimizer_class` when that
    name is asked for: a broken plugin stopped every command, even ``optimlab report`` of an unrelated folder."""
    global plugins_loaded
    if plugins_loaded:
        return
    plugins_loaded = True
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
            plugin_errors[name] = (f"{where(eps[0])} and {where(eps[1])} both declare {name!r} (accepted: one "
                                    "package per optimizer name; uninstall one)")
            continue
        ep = eps[0]
        try:
            OPTIMIZERS[name] = ep.load()
        except ConfigError as e:
            plugin_errors[name] = f"{where(ep)}: {e}"
        except Exception as e:  # noqa: BLE001 - an import error in someone else's package, said in one line
            plugin_errors[name] = (f"{where(ep)} cannot be loaded: {type(e).__name__}: "
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
            file_errors.append(f"{where} not found ({str(path)!r}) {accepted}")
            continue
        if path.suffix != ".py" or not path.is_file():
            file_errors.append(f"{where} is not a .py file {accepted}")
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
            file_errors.append(f"{where} cannot be loaded: {type(e).__name__}: {(str(e).splitlines() or [''])[0]} "
                                "(accepted: a Python file that defines Optimizer subclasses)")
            continue
        for obj in list(vars(module).values()):      # each class on its own: one bad name leaves the others
            if not (isinstance(obj, type) and issubclass(obj, Optimizer) and obj.__module__ == module_name
                    and "name" in vars(obj)) or OPTIMIZERS.get(obj.name) is obj:
                continue
            taken = OPTIMIZERS.get(obj.name)
            if taken is not None and taken not in BUILT_IN:     # another file's, a package's, or a script's
                file_errors.append(f"{where}: {obj.__name__}'s name {obj.name!r} is taken by "
                                    f"{taken.__module__}.{taken.__qualname__}, which trains under it (accepted: a "
                                    f"name of your own, e.g. name = 'my{obj.name}')")
                continue
            try:
                OPTIMIZERS[obj.name] = obj
            except ConfigError as e:
                file_errors.append(f"{where}: {e}")


def in_a_file(e: ConfigError) -> str:
    """``e``'s message as a file (a recipe, a sweep.toml) gives it: an optimizer not known here was perhaps added where
    the file was written, and :data:`ADDED_HINT` says how one is found (a review: a plugin's recipe, read without the
    plugin, said "unknown optimizer" and nothing of plugins)."""
    return f"{e}; {ADDED_HINT}" if str(e).startswith("unknown optimizer") else str(e)


def ignored_plugins() -> list[str]:
    """The plugin errors of names a class is registered under all the same (a plugin claiming 'adam'): the command
    line prints them as warnings, since the registered class is what trains."""
    load_plugins()
    return [why for name, why in plugin_errors.items() if name in OPTIMIZERS] + file_errors
