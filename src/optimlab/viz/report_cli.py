"""The ``optimlab report`` subcommand: argument parser and runner, for :mod:`optimlab.cli` to wire in.

    optimlab report runs/note --lang ja --out note-report.html

A bad run directory raises :class:`~optimlab.errors.OptimlabError` (one line); the main CLI turns it into
``optimlab: error: ...`` and exit status 2.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from ..console import LANGS, say
from ..errors import OptimlabError


def add_report_parser(subparsers) -> argparse.ArgumentParser:
    """Add the ``report`` subcommand to ``subparsers`` (from ``parser.add_subparsers()``); returns it.
    Its defaults carry ``func=run_report_cli``."""
    p = subparsers.add_parser(
        "report", help="write report.html for a run directory",
        description="Write one self-contained report.html (interactive charts, tables, figures, configuration and "
                    "conclusions computed from the data) for a folder written by optimlab compare or optimlab "
                    "sweep. "
                    "The page works offline.")
    p.add_argument("run_dir", metavar="RUN_DIR", help="a folder of optimlab compare or optimlab sweep (with its "
                                                      "summary.json)")
    p.add_argument("--lang", choices=LANGS, default=None,
                   help="language of the report (default: the language the run was made with, else en)")
    p.add_argument("--out", default=None, metavar="FILE", help="where to write the page (default: RUN_DIR/report.html)")
    p.set_defaults(func=run_report_cli)
    return p


def run_report_cli(args) -> int:
    """Write the report and print its path; returns the exit status (0)."""
    from .report import load_run, recorded_lang, write_report

    lang = recorded_lang(load_run(args.run_dir).summary) if args.lang is None else args.lang
    target = os.fspath(args.out if args.out is not None else Path(args.run_dir) / "report.html")
    try:
        path = write_report(args.run_dir, lang=lang, out=args.out)
    except OSError as e:                # the page could not be written (a read-only run folder, a full disk): say
        if e.filename is not None and os.path.abspath(e.filename) != os.path.abspath(target):   # where else it
            raise                                                          # can go; any other error is the CLI's
        raise OptimlabError(f"cannot write {target!r}: {e.strerror or e} (accepted: a folder you can write to; "
                            "--out FILE writes the page elsewhere)") from None
    print(say("report size", lang, path=path, mb=path.stat().st_size / 1e6))
    return 0
