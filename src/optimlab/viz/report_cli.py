"""The ``optimlab report`` subcommand: argument parser and runner, for :mod:`optimlab.cli` to wire in.

    optimlab report runs/note --lang ja --out note-report.html

A bad run directory raises :class:`~optimlab.errors.OptimlabError` (one line); the main CLI turns it into
``optimlab: error: ...`` and exit status 2.
"""

from __future__ import annotations

import argparse
import contextlib
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

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
                   help="language of the report (default: the language the run was made with, else en) and of --help")
    p.add_argument("--out", default=None, metavar="FILE", help="where to write the page (default: RUN_DIR/report.html)")
    p.set_defaults(func=run_report_cli)
    return p


REPORT_WAIT = 10.0      # seconds a report waits for the folder's lock: another report's takes a second or two


@contextmanager
def _folder_lock(run_dir: str | os.PathLike, target: str) -> Iterator[None]:
    """While the page is read from ``run_dir`` and written into it: the lock a compare (or a sweep) writing that
    folder holds, so that neither runs meanwhile (a review: the report read the old run, a compare swapped in the
    new one, and the old run's page was then renamed into the new folder; both said done). A page written
    elsewhere (``--out``) takes none, and neither does one where the lock cannot be made (a run folder in a shared
    folder that is not writable: as before the lock). The folder is taken as its real path (``runs/latest``, a link
    to the folder a compare writes, is that folder)."""
    real = os.path.realpath(run_dir)
    if os.path.dirname(os.path.realpath(target)) != real or not os.path.isdir(real):
        yield
        return
    from ..experiment.sweep import sweep_lock
    from ..results.store import output_lock
    from .report_sweep import is_sweep_dir

    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(sweep_lock(real, wait=REPORT_WAIT) if is_sweep_dir(real) else
                                output_lock(real, clean=False, wait=REPORT_WAIT))
        except OSError:                 # no lock file can be made there: the page is written as before
            pass
        yield


def run_report_cli(args) -> int:
    """Write the report and print its path; returns the exit status (0)."""
    from .report import load_run, recorded_lang, write_report

    target = os.fspath(args.out if args.out is not None else Path(args.run_dir) / "report.html")
    try:
        with _folder_lock(args.run_dir, target):
            lang = recorded_lang(load_run(args.run_dir).summary) if args.lang is None else args.lang
            path = write_report(args.run_dir, lang=lang, out=args.out)
    except OSError as e:                # the page could not be written (a read-only run folder, a full disk): say
        if e.filename is not None and os.path.abspath(e.filename) != os.path.abspath(target):   # where else it
            raise                                                          # can go; any other error is the CLI's
        raise OptimlabError(f"cannot write {target!r}: {e.strerror or e} (accepted: a folder you can write to; "
                            "--out FILE writes the page elsewhere)") from None
    print(say("report size", lang, path=path, mb=path.stat().st_size / 1e6))
    return 0
