"""The ``optimlab landscape`` subcommand: argument parser and runner, for :mod:`optimlab.cli` to wire in.

    optimlab landscape --function saddle --optimizers sgd,adam --lr adam=0.05 --steps 200 --lang ja

``run_landscape_cli`` raises :class:`~optimlab.errors.ConfigError` (one line) on bad input; the main CLI
turns it into ``optimlab: error: ...`` and exit status 2.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

from .._io import text_table
from ..console import LANGS, say
from ..errors import ConfigError
from ..options import lr_values, named_values
from ..optim import OPTIMIZERS, display_name
from .functions import SURFACES, get_surface
from .landscape import (DEFAULT_OPTIMIZERS, DIVERGENCE_BOUND, MAX_STEPS, _steps, check_landscape_dir,
                        check_landscape_files, landscape_files, preset_text, run_landscape, setting_text,
                        write_landscape)


def add_landscape_parser(subparsers) -> argparse.ArgumentParser:
    """Add the ``landscape`` subcommand to ``subparsers`` (from ``parser.add_subparsers()``); returns it.
    Its defaults carry ``func=run_landscape_cli``."""
    p = subparsers.add_parser(
        "landscape", help="watch the optimizers move on a 2-D test function",
        description="Run optimizers on a 2-D test function; write a contour figure (PNG), an animation (GIF) "
                    "and the trajectories (CSV).")
    p.add_argument("--function", default="bowl", metavar="NAME",
                   help=f"test function: {', '.join(SURFACES)} (default: bowl)")
    p.add_argument("--optimizers", default=",".join(DEFAULT_OPTIMIZERS), metavar="LIST",
                   help=f"comma-separated, of {','.join(OPTIMIZERS)} (default: the note's five)")
    p.add_argument("--lr", action="append", default=[], metavar="[NAME=]VALUE",
                   help="learning rate for every optimizer (--lr 0.1) or one (--lr sgd=0.5); repeatable: "
                        "--lr sgd=0.1 --lr sgd=0.5 (or --lr sgd=0.1,0.5) draws SGD twice (default: per function)")
    p.add_argument("--preset", action="append", default=[], metavar="[NAME=]PRESET",
                   help="optimizer conventions: note (default), torch, optax, and AdaGrad's own note-code (the "
                        "note's code); NAME=PRESET for one optimizer, e.g. --preset adagrad=note-code; repeatable: --preset adagrad=note,note-code draws "
                        "AdaGrad twice")
    p.add_argument("--steps", type=int, default=None,
                   help=f"number of steps, at most {MAX_STEPS:,} (default: per function)")
    p.add_argument("--start", default=None, metavar="X,Y", help="starting point, e.g. --start -7,2 (default: per function)")
    p.add_argument("--out", default=None, metavar="DIR", help="output folder (default: runs/landscape-<function>)")
    p.add_argument("--lang", default="en", choices=LANGS, help="language of the figures, the printed table and --help (default: en)")
    p.add_argument("--no-gif", action="store_true", help="skip the animation")
    p.add_argument("--dpi", type=int, default=100,
                   help="resolution of the PNG, 50 to 600 (default 100; 200 suits slides); the GIF's is 72 %% of it")
    p.add_argument("--font-scale", type=float, default=1.0, metavar="F",
                   help="text of the PNG and the GIF F times larger, 1 to 3, the figure grown to hold it (default 1; "
                        "e.g. 1.6 for slides)")
    p.set_defaults(func=run_landscape_cli)
    return p


def _per_optimizer(option: str, plain: list, named: dict[str, list], optimizers: str, show) -> dict[str, list]:
    """Each optimizer's values: its own (NAME=VALUE), else those for every optimizer; values for every optimizer that
    none takes (each has its own) are a one-line error. (A value given twice is one path twice: run_landscape says
    so.)"""
    names = [n.strip().lower() for n in optimizers.split(",") if n.strip()]
    if plain and names and all(n in named for n in names):
        raise ConfigError(f"{option} {', '.join(map(show, plain))} applies to no optimizer: each has its own NAME= value "
                          f"(accepted: a value for every optimizer, or NAME=VALUE for each)")
    return ({n: plain for n in names} if plain else {}) | named


def _parse_lrs(items: list[str], optimizers: str) -> dict[str, list[float]]:
    """``--lr 0.1`` (every optimizer) and ``--lr sgd=0.5`` (one; it wins over values for every optimizer), parsed as
    compare's (:func:`optimlab.options.lr_values`); each must be a finite number > 0. Several values for one optimizer
    (``--lr sgd=0.1 --lr sgd=0.5``, or ``--lr sgd=0.1,0.5``), or several for every one, draw a path each."""
    plain, named = lr_values(items)
    for whom, values in (("", plain), *((" for " + k, v) for k, v in named.items())):
        for lr in values:
            if not (math.isfinite(lr) and lr > 0):
                raise ConfigError(f"invalid --lr{whom}: {lr:g} (accepted: a finite number > 0)")
    return _per_optimizer("--lr", plain, named, optimizers, lambda v: f"{v:g}")


def _parse_presets(items: list[str], optimizers: str) -> str | dict[str, list[str]]:
    """``--preset torch`` (every optimizer) and ``--preset adagrad=note-code`` (one), repeatable or comma-separated
    like ``--lr``: a path per preset (``--preset adagrad=note,note-code`` draws both)."""
    plain, named = named_values("--preset", items, lambda value, part: value,
                                "PRESET or NAME=PRESET, e.g. --preset adagrad=note-code")
    from ..optim import OPTIMIZERS, optimizer_class, optimizer_names
    from ..optim.base import FRAMEWORK_PRESETS

    try:
        listed = [optimizer_class(n) for n in optimizer_names(optimizers)]
    except ConfigError:
        listed = []                          # an unknown name: said where the optimizers are read
    for p in plain:      # `--preset note-code` asked it of SGD first: "unknown preset for sgd" did not say whose it is
        owners = [name for name, cls in OPTIMIZERS.items() if p in getattr(cls, "presets", {})]
        lacking = [cls for cls in listed if p not in cls.preset_names()]
        if p not in FRAMEWORK_PRESETS and owners and lacking:       # --optimizers adagrad --preset note-code: fine
            raise ConfigError(f"invalid --preset: {p!r} for every optimizer (accepted: {', '.join(FRAMEWORK_PRESETS)} "
                              f"for every optimizer; {p} is {owners[0]}'s own: --preset {owners[0]}={p})")
    if not named and len(plain) <= 1:
        return plain[0] if plain else "note"
    return _per_optimizer("--preset", plain, named, optimizers, str)


def _parse_start(text: str | None) -> tuple[float, float] | None:
    if text is None:
        return None
    parts = text.split(",")
    try:
        xy = tuple(float(p) for p in parts)
    except ValueError:
        xy = ()
    if len(xy) != 2 or not all(math.isfinite(v) and abs(v) <= DIVERGENCE_BOUND for v in xy):
        raise ConfigError(f"invalid --start: {text!r} (accepted: two finite numbers X,Y with |X|, |Y| <= "
                          f"{DIVERGENCE_BOUND:g}, e.g. --start=-7,2)")
    return xy


def run_landscape_cli(args: argparse.Namespace) -> int:
    """Run, write the files, print a summary table; returns 0. Bad input raises ConfigError (the output
    folder is checked before the run)."""
    from .figures import check_dpi, check_font_scale

    dpi = check_dpi(args.dpi, "--dpi")
    scale = check_font_scale(args.font_scale, "--font-scale")
    lrs, start = _parse_lrs(args.lr, args.optimizers), _parse_start(args.start)
    preset = _parse_presets(args.preset, args.optimizers)
    surface = get_surface(args.function)
    _steps(args.steps, surface, "--steps")                            # named as the option, as argparse's errors are
    out = Path("runs") / f"landscape-{surface.name}" if args.out is None else args.out
    out = check_landscape_dir(out)
    check_landscape_files(out, surface.name)                          # before the run, and again as it writes
    result = run_landscape(args.function, args.optimizers, lrs=lrs, steps=args.steps, start=start, preset=preset)
    earlier = any(p.is_file() for p in landscape_files(out, surface.name).values())
    try:
        paths = write_landscape(result, out, args.lang, gif=not args.no_gif, dpi=dpi, font_scale=scale)
    except MemoryError:      # past the estimate (a process limit, ulimit -v, below the machine's memory): one line
        raise ConfigError(f"not enough memory to draw the landscape at --dpi {dpi} --font-scale {scale:g} "
                          f"(MemoryError; nothing was written to {str(out)!r}; accepted: a lower --dpi or "
                          "--font-scale, or --no-gif)") from None
    print(format_summary(result.summary(), args.lang))
    print(say("wrote", args.lang, paths=say("list sep", args.lang).join(str(p) for p in paths.values()))
          + (say("replaced files", args.lang) if earlier else ""))      # as compare says it (a student's review)
    return 0


def format_summary(rows: list[dict], lang: str = "en") -> str:
    """The summary rows as a plain-text table, headers in ``lang`` ("en" or "ja"), numbers flush right."""
    head = [say(k, lang) for k in ("optimizer", "lr", "final x", "final y", "final f", "distance", "steps")]
    lines = []
    for r in rows:
        steps = str(r["steps"]) if r["diverged_at"] is None else \
            say("diverged at", lang, steps=r["steps"], k=r["diverged_at"])
        shown = say("list sep", lang).join(preset_text(x, lang) for x in r.get("settings") or [])   # lr: its column
        name = display_name(r["optimizer"]) + ("" if not shown else f"（{shown}）" if lang == "ja" else f" ({shown})")
        # significant digits kept as zeros too: -1.0000 beside -0.99837, not -1 (a newcomer's review)
        lines.append([name, setting_text(r["lr"]), f"{r['x']:#.4g}", f"{r['y']:#.4g}", f"{r['f']:#.5g}",
                      f"{r['distance']:#.4g}", steps])
    return text_table(head, lines, right=range(1, 6))
