"""A fingerprint of an optimizer class's code (:func:`code_sha256`), which a sweep records with every run: an edited
rule, or another class loaded under the same name by a worker process, is not taken for the runs already done."""

from __future__ import annotations

import ast
import functools
import hashlib
import inspect
import textwrap
import types
from typing import Any

from .base import Optimizer


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


def code_record(cls: type) -> dict[str, str]:
    """Where an optimizer class comes from, as a run folder records it: ``class`` (module and name), ``code_sha256``
    (:func:`code_sha256`) and, for a class that is not optimlab's own (a plugin), ``file``, where it was defined
    (absent for a class typed in a notebook)."""
    out = {"class": f"{cls.__module__}.{cls.__qualname__}", "code_sha256": code_sha256(cls)}
    if not out["class"].startswith("optimlab."):         # a plugin file's module name is optimlab's own: the file
        try:                                             # says whose
            out["file"] = inspect.getsourcefile(cls)
        except (TypeError, OSError):
            pass
        if out.get("file") is None:
            out.pop("file", None)
    return out


def code_records(names) -> dict[str, dict[str, str]]:
    """:func:`code_record` of the class each optimizer name (in order, once each) stands for here."""
    from . import optimizer_class

    return {n: code_record(optimizer_class(n)) for n in dict.fromkeys(names)}


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
