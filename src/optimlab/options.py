"""Command-line values that several subcommands share: ``--lr`` and ``--preset`` lists (``NAME=VALUE``).

Here, not in :mod:`optimlab.cli`, so that a subcommand's module (``viz.landscape_cli``) can use them without
importing the command line that imports it.
"""

from __future__ import annotations

import re
from typing import Callable, Sequence

from .errors import ConfigError


def named_values(option: str, items: Sequence[str], parse: Callable[[str, str], object],
                 accepted: str) -> tuple[list, dict[str, list]]:
    """Every value of a repeatable ``option``, in order: those for every optimizer and ``NAME=VALUE`` ones (a list
    per name, lower-cased). Each may be comma-separated; a value without a name after ``NAME=VALUE`` in one item is
    that name's too (``sgd=0.1,0.5``: two for SGD). ``parse(value, part)`` turns a value into what is kept (or raises a
    ConfigError naming ``part``); an empty name or value is an error naming ``accepted``."""
    plain: list = []
    named: dict[str, list] = {}
    for given in items:
        name = None
        for part in given.split(","):
            key, sep, value = part.rpartition("=")
            if sep:
                if not key.strip() or not value.strip():
                    raise ConfigError(f"invalid {option}: {part!r} (accepted: {accepted})")
                name = key.strip().lower()
            kept = parse(value.strip(), part)
            (named.setdefault(name, []) if name else plain).append(kept)
    return plain, named


def _number(value: str, part: str) -> float:
    try:
        return float(value)
    except ValueError:
        raise ConfigError(f"invalid --lr: {part!r} (accepted: a number, or NAME=NUMBER like adam=0.001)") from None


def lr_values(items: Sequence[str] | None) -> tuple[list[float], dict[str, list[float]]]:
    """Every ``--lr``: ``--lr 0.01`` (every optimizer), ``--lr adam=0.001`` (one), repeatable or comma-separated
    (``--lr rmsprop=0.01,adam=0.001``; ``--lr sgd=0.1,0.5`` is two for SGD — it was SGD 0.1 and every other optimizer
    0.5), as :func:`named_values`. Compare takes one value per optimizer (:func:`lr_overrides`), landscape a path per
    value; each checks the values' range itself."""
    for given in items or ():    # 0,01 or sgd=1,5: a decimal comma (whole numbers either side), not two values;
        parts = given.split(",")  # a list of three or more (sgd=0.1,0.5,1,2) is a list
        if len(parts) == 2 and re.fullmatch(r"\s*\d+\s*", parts[1]) and re.search(r"(^|=)\s*\d+\s*$", parts[0]):
            meant = f"{parts[0].strip()}.{parts[1].strip()}"
            raise ConfigError(f"invalid --lr: {given!r} (accepted: numbers with a decimal point, like {meant})")
    return named_values("--lr", items or (), _number, "a number, or NAME=NUMBER like adam=0.001")


def lr_overrides(items: Sequence[str] | None) -> dict[str, float] | None:
    """:func:`lr_values`, one value per optimizer (compare's ``--lr``): ``{"*": every optimizer's, name: its own}``."""
    if not items:
        return None
    plain, named = lr_values(items)
    for name, v in (("*", plain), *named.items()):
        if len(v) > 1:
            raise ConfigError(f"--lr given twice for {'every optimizer' if name == '*' else name}: {v[0]:g} and "
                              f"{v[1]:g} (accepted: one value per optimizer — several lrs of one optimizer are "
                              "optimlab sweep --lrs, or a recipe with a [[runs]] for each; in one --lr a value after "
                              "NAME= is that optimizer's too: every optimizer's lr goes first, --lr 0.1,adam=0.5)")
    return ({"*": plain[0]} if plain else {}) | {name: v[0] for name, v in named.items()}
