"""``optimlab`` on the command line: parse, call the API, print. Errors: one line, exit status 2."""

from __future__ import annotations

import argparse
import os
import re
import signal
import sys
import threading
import unicodedata
from pathlib import Path
from typing import Sequence

from . import __version__
from .console import LANGS, notice_lines, say
from .cli_text import check_env_lang, env_lang_given, half_width, japanese_error, japanese_warning, lang_of
from .errors import ConfigError, OptimlabError, OptimlabWarning, did_you_mean, own_error_first
from .options import lr_overrides


def _accepted_style(message: str, parser: argparse.ArgumentParser | None = None) -> str:
    """argparse's type and choice errors in the project's style, saying what is accepted:
    ``argument --iters: invalid int value: 'nan'`` → ``invalid --iters: 'nan' (accepted: a whole number)``; an
    unknown option or command that is close to one of ``parser``'s says which (``--datset`` → ``--dataset``)."""
    m = re.fullmatch(r"argument (\S+?): invalid (int|float) value: (.*)", message)
    if m:
        several = "; several seeds: --seeds 0-4" if m[1] == "--seed" else ""
        return f"invalid {m[1]}: {m[3]} (accepted: {'a whole number' if m[2] == 'int' else 'a number'}{several})"
    m = re.fullmatch(r"argument (\S+?): invalid value (.*)", message)        # from a type function of ours
    if m:
        return f"invalid {m[1]}: {m[2]}"
    m = re.fullmatch(r"unrecognized arguments: (.*)", message)      # e.g. --start -1.2 1: a value given as two
    if m and any(w == "--lang" or w.startswith("--lang=") for w in m[1].split()):     # optimlab --lang=ja compare
        return (f"unrecognized arguments: {m[1]}: --lang goes after the command (accepted: e.g. optimlab compare "
                "--lang ja or optimlab data list --lang ja)")
    if m:
        typo = next((w for w in m[1].split() if w.startswith("--")), None)
        near = did_you_mean(typo, sorted(_option_kinds(parser))) if typo and parser is not None else ""
        return (f"unrecognized arguments: {m[1]} (accepted: the options that --help lists, each value one word, "
                f"e.g. --seeds 0,3,7 or --lr adam=0.05{near})")
    m = re.fullmatch(r"the following arguments are required: (.*)", message)     # data fetch, report: no name
    if m and parser is not None:
        wanted = [a for a in parser._actions if not a.option_strings and (a.metavar or a.dest) in m[1].split(", ")]
        names = ", ".join("command" if isinstance(a, argparse._SubParsersAction) else a.metavar or a.dest
                          for a in wanted)
        example = " ".join(str(list(a.choices)[0]) if a.choices else _EXAMPLES.get(a.dest, a.dest) for a in wanted)
        choices = "; ".join(f"{', '.join(map(str, a.choices))}" for a in wanted if a.choices)
        return (f"the following arguments are required: {names} (accepted: {choices + '; ' if choices else ''}"
                f"e.g. {parser.prog} {example})")
    m = re.fullmatch(r"argument (\S+?): invalid choice: (.*?) \(choose from (.*)\)", message)
    if m:                               # a subcommand's argument is shown as {list,fetch,verify}: name it so
        what = "command" if m[1].startswith("{") else m[1]
        choices = m[3].replace(chr(39), "")
        if what.lower() == "command" and m[2].strip(chr(39)) in LANGS:     # optimlab --lang ja compare
            return (f"invalid {what}: {m[2]}: --lang goes after the command (accepted: {choices}, then --lang "
                    f"{m[2].strip(chr(39))}, e.g. optimlab compare --lang ja or optimlab data list --lang ja)")
        near = did_you_mean(m[2].strip(chr(39)), choices.split(", "))
        if parser is not None and parser.prog.endswith(" data fetch") and what == "name":  # digits: there, not "none"
            return (f"invalid dataset to download: {m[2]} (accepted: {choices}; mnist-5k and digits come with the "
                    f"installed packages, nothing to download{near})")
        return f"invalid {what}: {m[2]} (accepted: {choices}{near})"
    return message


_EXAMPLES = {"run_dir": "runs/note"}       # a positional without choices: what an example of it is


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (``optimlab: error: …``) and exit status 2, and no option is taken for
    an abbreviation of another (a student's ``sweep --seed 3`` was ``--seeds 3``, seeds 0 to 2, without a word)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    words: list[str] = []

    def error(self, message: str):  # noqa: D401
        raise ConfigError(_accepted_style(message, _command_parser(self, self.words)))

    def parse_args(self, args=None, namespace=None):
        argv = _command_words(self, sys.argv[1:] if args is None else list(args))
        argv = half_width(argv, _option_kinds(_command_parser(self, argv)))     # a Japanese input method's ０．０１
        argv = _help_whatever_lang_precedes(self, argv)
        argv = _lang_from_environment(self, argv)
        self.words = argv
        return super().parse_args(_join_negative_values(argv), namespace)


def _help_whatever_lang_precedes(parser: argparse.ArgumentParser, argv: list[str]) -> list[str]:
    """``optimlab --lang ja --help`` (or ``optimlab --lang ja compare -h``) is the help asked for, in that language
    (:func:`main` has read it): a ``--lang`` before the command is dropped where --help follows. Without --help it
    stays, and is the error that says where --lang goes."""
    if not any(w in ("-h", "--help") for w in argv):
        return argv
    out, i = [], 0
    while i < len(argv) and argv[i].startswith("-") and argv[i] not in _subparsers(parser):
        if argv[i] == "--lang":        # and its value, unless the next word is an option or the command
            i += 2 if i + 1 < len(argv) and argv[i + 1][:1] != "-" and argv[i + 1] not in _subparsers(parser) else 1
            continue
        if not argv[i].startswith("--lang="):
            out.append(argv[i])
        i += 1
    return out + argv[i:]


def _lang_from_environment(parser: argparse.ArgumentParser, argv: list[str]) -> list[str]:
    """``argv`` with ``--lang $OPTIMLAB_LANG`` right after its command's name when it names no --lang itself (a
    teacher's review: a student who forgot --lang ja got English everywhere; the variable sets it once). Only where
    the command has a --lang option; the command line's own --lang wins."""
    if not env_lang_given() or any(w == "--lang" or w.startswith("--lang=") for w in argv):
        return argv
    lang, p, i = check_env_lang(), parser, 0
    while i < len(argv) and argv[i] in _subparsers(p):     # the command's words: compare; data list
        p = _subparsers(p)[argv[i]]
        i += 1
    if i == 0 or "--lang" not in {o for a in p._actions for o in a.option_strings}:
        return argv
    return argv[:i] + ["--lang", lang] + argv[i:]


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    return {name: sub for a in parser._actions if isinstance(a, argparse._SubParsersAction)
            for name, sub in a.choices.items()}


def _command_words(parser: argparse.ArgumentParser, argv: list[str]) -> list[str]:
    """``argv`` with its command words read as typed with a Japanese input method: ``ｃｏｍｐａｒｅ`` is ``compare``,
    ``compare　--lang　ja`` (ideographic spaces) the command and its options, ``data ｌｉｓｔ`` ``data list``."""
    out, p, i = list(argv), parser, 0
    while i < len(out) and _subparsers(p):
        head, _, rest = out[i].partition("\u3000")
        name = unicodedata.normalize("NFKC", head).strip().lower()
        if name in _subparsers(p):
            out[i:i + 1] = [name] + ([rest] if rest.strip("\u3000") else [])
            p = _subparsers(p)[name]
        elif not out[i].startswith("-"):
            break
        i += 1
    return out


def _option_kinds(parser: argparse.ArgumentParser) -> dict[str, bool]:
    """Every option of ``parser`` and of its commands, and whether it takes a value."""
    kinds = {o: a.nargs != 0 for a in parser._actions for o in a.option_strings}
    for sub in _subparsers(parser).values():
        kinds.update(_option_kinds(sub))
    return kinds


def _command_parser(parser: argparse.ArgumentParser, words: Sequence[str]) -> argparse.ArgumentParser:
    """The parser of the command ``words`` name (``data list``: list's), for a typo's closest option: another
    command's option is no answer (``landscape --iter`` was offered ``--iters``, which only compare and sweep have)."""
    for word in words:
        sub = _subparsers(parser).get(word)
        if sub is not None:
            return _command_parser(sub, words[words.index(word) + 1:])
    return parser


_NUMERIC_OPTIONS = ("--lr", "--lrs", "--start", "--init", "--seed", "--seeds", "--test-seeds", "--iters",
                    "--batch-size", "--eval-interval", "--steps", "--targets", "--chunks", "--jobs", "--workers")


def _join_negative_values(argv: list[str]) -> list[str]:
    """``--lrs -0.1,0.1`` → ``--lrs=-0.1,0.1``: argparse takes a value that starts with '-' (and is not one plain
    negative number) for an option, and would say only "expected one argument" instead of naming the value."""
    out, i = [], 0
    while i < len(argv):
        a = argv[i]
        if a in _NUMERIC_OPTIONS and i + 1 < len(argv) and len(argv[i + 1]) > 1 and argv[i + 1][0] == "-" \
                and (argv[i + 1][1].isdigit() or argv[i + 1][1] in ".in"):
            out.append(f"{a}={argv[i + 1]}")
            i += 2
            continue
        out.append(a)
        i += 1
    return out


def _on_off(value: str) -> bool:
    v = value.lower()
    if v in ("on", "off"):          # as the help and optimlab sweep say (which also takes both)
        return v == "on"
    raise argparse.ArgumentTypeError(f"invalid value {value!r} (accepted: on, off)")


def _init(value: str) -> float | str:
    try:
        return float(value)
    except ValueError:
        return value


def add_compare_parser(sub) -> None:
    from .optim import OPTIMIZERS                # every registered optimizer, yours too

    p = sub.add_parser("compare", help="run the note's optimizer comparison (or a recipe)",
                       description="Train the note's network with each optimizer and compare them.")
    p.add_argument("--recipe", help="TOML recipe to run instead of the note's experiment")
    p.add_argument("--dataset", type=str.lower,
                   help="mnist, fashion-mnist, mnist-5k, digits, idx, npz, auto (default: the recipe's, auto)")
    p.add_argument("--data-dir", help="folder with IDX files (MNIST, Fashion-MNIST or any for --dataset idx), or "
                                      "the .npz file of one's own arrays for --dataset npz")
    p.add_argument("--optimizers", help=f"comma-separated subset: {','.join(OPTIMIZERS)} (the recipe's runs of "
                                        "each: adam keeps Adam + BatchNorm too, --batchnorm off drops it)")
    p.add_argument("--lr", action="append", metavar="[NAME=]VALUE",
                   help="learning rate override, e.g. adam=0.001 or rmsprop=0.02,adam=0.005")
    p.add_argument("--iters", type=int, help="training iterations (note: 1000)")
    p.add_argument("--batch-size", type=int, help="minibatch size (note: 100)")
    p.add_argument("--eval-interval", type=int, help="evaluate every this many iterations (note: 10)")
    seeds = p.add_mutually_exclusive_group()
    seeds.add_argument("--seed", type=int, help="random seed (default 0)")
    seeds.add_argument("--seeds", help="several seeds: a count (5), a range (0-4) or a list (0,3,7)")
    p.add_argument("--activation", choices=["sigmoid", "relu"], help="hidden-layer activation (note: sigmoid)")
    p.add_argument("--init", type=_init, help="weight_init_std: a number, xavier or he")
    p.add_argument("--batchnorm", type=_on_off, metavar="on|off", help="batch normalization for every run")
    p.add_argument("--dtype", choices=["float32", "float64"],
                   help="arithmetic precision (default float32; the note computes in float64)")
    p.add_argument("--out", help="output folder (default runs/<recipe name>)")
    p.add_argument("--lang", choices=LANGS, default="en",
                   help="language of the figures, the report, the printed tables and --help")
    p.add_argument("--no-plots", action="store_true", help="skip the figures")
    p.add_argument("--dpi", type=int, default=100,
                   help="resolution of the PNG figures, 50 to 600 (default 100; 200 suits slides)")
    p.add_argument("--font-scale", type=float, default=1.0, metavar="F",
                   help="text size of the figures, 1 to 3 times the default (e.g. 1.6 for slides)")
    p.add_argument("--no-report", action="store_true", help="skip report.html")
    p.add_argument("--telemetry", action="store_true", help="record and plot optimizer internals per layer")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")


def run_compare_cli(args) -> int:
    from .api import compare
    from .results import summary_table
    from .viz.figures import check_dpi, check_font_scale

    from .train.loop import check_seed

    seeds = [check_seed(args.seed, "--seed")] if args.seed is not None else args.seeds

    def on_data(data):
        if getattr(data, "notice", None):
            print("\n".join(notice_lines(data.notice, args.lang)), file=sys.stderr)
        from .data.own import OwnData

        print(say("dataset own" if isinstance(data, OwnData) else "dataset", args.lang, name=data.name,
                  n_train=len(data.y_train), n_test=len(data.y_test), inputs=data.input_dim, classes=data.n_classes,
                  source=data.source), file=sys.stderr)

    outcome = compare(args.recipe, out=args.out, lang=args.lang, plots=not args.no_plots, report=not args.no_report,
                      progress=not args.no_progress, telemetry=args.telemetry, on_data=on_data,
                      dpi=check_dpi(args.dpi, "--dpi"), font_scale=check_font_scale(args.font_scale, "--font-scale"),
                      dataset=args.dataset, data_dir=args.data_dir,
                      optimizers=args.optimizers.split(",") if args.optimizers is not None else None,
                      lrs=lr_overrides(args.lr), iters=args.iters, batch_size=args.batch_size,
                      eval_interval=args.eval_interval, seeds=seeds, activation=args.activation, init=args.init,
                      batchnorm=args.batchnorm, dtype=args.dtype)
    print(summary_table(outcome.summary, args.lang))
    if len(outcome.summary.get("seeds", [])) > 1:
        from .results import format_seed_report

        print("\n" + format_seed_report(outcome.summary, args.lang))
    figures = say("figures took", args.lang, s=outcome.plot_seconds) if not args.no_plots else ""
    replaced = say("replaced" if args.out is None else "replaced out", args.lang) if outcome.replaced else ""
    print("\n" + say("compare done", args.lang, train=outcome.result.wall_seconds, figures=figures,
                     out=outcome.directory, replaced=replaced))
    page = Path(outcome.directory) / "report.html"
    if not args.no_report and page.is_file():   # the page to open, named as sweep names its own (a learner's review)
        print(say("report size", args.lang, path=page, mb=page.stat().st_size / 1e6))   # as optimlab report says it
    return failed_runs_status(outcome.summary["runs"], "label", f"{outcome.directory}/summary.json")


def failed_runs_status(runs: Sequence[dict], name_key: str, where: str, retry: bool = False) -> int:
    """Exit status 1, with one line on stderr naming the first error, when any run failed (raised an error);
    0 otherwise. A run that diverged is a result, not a failure. ``retry``: the same command trains them again (a
    sweep's)."""
    failed = [r for r in runs if r.get("status") == "failed"]
    if not failed:
        return 0
    first = failed[own_error_first([r.get("error") for r in failed])]      # the run whose rule raised
    error = (str(first.get("error") or "").strip().splitlines() or ["unknown error"])[0]
    again = "; the same command trains them again" if retry else ""
    if _lang == "ja":
        print(f"optimlab: エラー：{len(runs)} 本のうち {len(failed)} 本の実行が失敗しました（{first.get(name_key)}: {error}）。"
              f"記録は {where} にあります" + ("。同じコマンドで失敗した実行をもう一度学習します" if retry else ""),
              file=sys.stderr)
    print(f"optimlab: error: {len(failed)} of {len(runs)} runs failed (recorded in {where}{again}); "
          f"{first.get(name_key)}: {error}", file=sys.stderr)
    return 1


def build_parser(lang: str = "en") -> argparse.ArgumentParser:
    """The ``optimlab`` command's parser, its help in ``lang`` (:func:`main` passes the language --lang asks for)."""
    p = _Parser(prog="optimlab", description="Run, see and fairly compare learning-rate optimizers.")
    p.add_argument("--version", action="version", version=f"optimlab {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    add_compare_parser(sub)
    from .data.cli import add_data_parser

    add_data_parser(sub)
    from .cli_sweep import add_sweep_parser
    from .viz.landscape_cli import add_landscape_parser
    from .viz.report_cli import add_report_parser

    add_sweep_parser(sub)
    add_landscape_parser(sub)
    add_report_parser(sub)
    if lang == "ja":
        from .cli_help import localize
        from .optim import OPTIMIZERS
        from .viz.functions import SURFACES
        from .viz.landscape import MAX_STEPS

        localize(p, fill={"optimizers": ",".join(OPTIMIZERS), "functions": "、".join(SURFACES),
                          "max_steps": f"{MAX_STEPS:,}"})
    return p


class Terminated(KeyboardInterrupt):
    """SIGTERM (``kill``, ``timeout``), raised in the main thread like Ctrl-C so that the same cleanup runs: no
    half-written folder or temporary file is left."""


def _terminate(signum, frame):
    raise Terminated()


_lang = "en"        # the language of the command's own messages (--lang), once main() has read it


def written_before(e: BaseException) -> list:
    """The files or folder a Ctrl-C or SIGTERM came too late to stop (``e.written``): it arrived while they were
    being swapped in, waited for the swap (:func:`optimlab._io.signals_held`), and was raised after it."""
    return list(getattr(e, "written", None) or [])


def _stopped(terminated: bool, written: Sequence[os.PathLike] = ()) -> int:
    """Say that Ctrl-C (or SIGTERM, ``terminated``) stopped the command, in one line (under ``--lang ja`` a
    Japanese one first); its exit status. ``written``: what it came too late to stop (:func:`written_before`):
    said, since the status alone read as "nothing was written" (a review)."""
    where = ", ".join(repr(os.fspath(p)) for p in written)
    if _lang == "ja":
        print(f"optimlab: {'終了の信号（SIGTERM）で止まりました' if terminated else '中断しました'}"
              + (f"（{where} は書き終えた後でした）" if written else ""), file=sys.stderr)
    print(f"optimlab: {'terminated' if terminated else 'interrupted'}"
          + (f" after {where} {'was' if len(written) == 1 else 'were'} written whole" if written else ""),
          file=sys.stderr)
    return 143 if terminated else 130


def _flush_quietly() -> None:
    """Both output streams flushed, as far as they can be (none, closed, full, or one a signal came into)."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (AttributeError, OSError, ValueError, RuntimeError):
            pass


def _exit_at_once(signum, frame):
    """Ctrl-C or SIGTERM once the command is done (its cleanup has run): one line, then the process ends."""
    _flush_quietly()
    try:
        rc = _stopped(signum == signal.SIGTERM)
    except (OSError, ValueError, RuntimeError):
        rc = 143 if signum == signal.SIGTERM else 130
    _flush_quietly()
    os._exit(rc)


def main(argv: Sequence[str] | None = None) -> int:
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, _terminate)
    from .results import store

    store.COMMAND = list(sys.argv[1:] if argv is None else argv)     # summary.json's "command"
    try:
        return _main(argv)
    finally:
        store.COMMAND = None        # a later compare() from Python records no command line
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def entry() -> None:
    """The ``optimlab`` command (and ``python -m optimlab``): :func:`main`, then exit with its status, at once
    (``os._exit``). After Ctrl-C or SIGTERM the cleanup is done already (main's finally blocks and the executors'
    abort): the process ends with 130 or 143. Through the interpreter's own exit it would join every worker pool's
    manager thread, and one that waits for a message a killed worker left half-sent never returns (the process
    outlived SIGTERM); and after a sweep with worker processes it ended, about one time in five, killed by SIGINT
    (status −2 to its parent, not 130: strace showed the interpreter resetting SIGINT and sending it to itself as for
    an unhandled Ctrl-C). After a normal end the ``atexit`` functions run first; a Ctrl-C or SIGTERM during them
    ends the process in one line (:func:`_exit_at_once`), and none can come in the teardown after them, where the
    default handlers were back and killed it without a word."""
    for stream in (sys.stdout, sys.stderr):     # a console that cannot show "—" or Japanese (PYTHONIOENCODING=ascii,
        if hasattr(stream, "reconfigure"):      # cp1252) shows "?" there: the run was written, and the command
            stream.reconfigure(errors="replace")    # ended in an 18-line UnicodeEncodeError, status 1
    if sys.stdout is not None:          # (None when closed: print() then writes nothing)
        sys.stdout = _Stdout(sys.stdout)
    if signal.getsignal(signal.SIGTERM) is not signal.SIG_IGN:     # ignored (nohup): it stays so
        signal.signal(signal.SIGTERM, _terminate)      # main() puts it back as this when it returns
    _say_warnings()
    try:
        rc = main()
    except KeyboardInterrupt as e:      # come as main returned, after its own handler
        rc = _stopped(isinstance(e, Terminated), written_before(e))
    except SystemExit as e:             # argparse's --help, --version and usage errors end as the commands do
        rc = 0 if e.code is None else e.code if isinstance(e.code, int) else 1
    # the command is done: Ctrl-C or SIGTERM during the interpreter's exit ended it in a traceback (from logging's
    # shutdown, status 0) or killed it without a word (status −2, −15); now it ends it at once, in one line
    for sig in (signal.SIGINT, signal.SIGTERM):
        if signal.getsignal(sig) is not signal.SIG_IGN:     # ignored (nohup, a background job): it stays so
            signal.signal(sig, _exit_at_once)
    if rc not in (130, 143):    # the exit's own steps, here: in the interpreter's teardown, after it has put the
        import atexit           # default handlers back, a Ctrl-C or SIGTERM killed it without a word (−2, −15)
        atexit._run_exitfuncs()     # (logging's shutdown, a Dask cluster's close …)
    _flush_quietly()
    os._exit(rc)


def _interruption(e: BaseException) -> KeyboardInterrupt | None:
    """The Ctrl-C or SIGTERM (:class:`Terminated`) an exception was raised from or during, if any."""
    seen = set()
    while e is not None and id(e) not in seen:
        if isinstance(e, KeyboardInterrupt):
            return e
        seen.add(id(e))
        e = e.__cause__ or e.__context__
    return None


def _command(argv: Sequence[str] | None) -> int:
    """Parse ``argv`` and run its command; its exit status."""
    from .optim import ignored_plugins

    for why in ignored_plugins():     # other packages' optimizers, in --help's lists too
        if _lang == "ja":             # a Japanese line first, as for every warning (a Japanese student's review)
            print(f"optimlab: 警告：{japanese_warning(why)}", file=sys.stderr)
        print(f"optimlab: warning: {why}; ignored", file=sys.stderr)
    parser = build_parser(_lang)      # imports NumPy: Ctrl-C here is one line too
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    if args.command == "compare":
        return run_compare_cli(args)
    if args.command == "sweep":
        from .cli_sweep import run_sweep_cli

        return run_sweep_cli(args)
    if args.command == "data":
        from .data.cli import run_data

        return run_data(args)
    if args.command == "landscape":
        from .viz.landscape_cli import run_landscape_cli

        return run_landscape_cli(args)
    if args.command == "report":
        from .viz.report_cli import run_report_cli

        if args.out is not None:
            from .results.store import check_output_file

            check_output_file(args.out, "--out")
        return run_report_cli(args)
    raise ConfigError(f"unknown command: {args.command!r}")


def _say_warnings() -> None:
    """optimlab's warnings (:class:`OptimlabWarning`: a rule's slot never written, labels from 1 …) as the command's
    other lines, ``optimlab: warning: <message>``, each message once: they came as Python's two lines of file, line
    and source, where the source was optimlab's (``self.groups = _groups(...)``), and a sweep said one of them three
    times. Other warnings (NumPy's, matplotlib's, a plugin's own) keep Python's form, which says where they come
    from."""
    import warnings

    shown: set[str] = set()
    python_form = warnings.showwarning

    def show(message, category, filename, lineno, file=None, line=None):
        if not issubclass(category, OptimlabWarning):
            return python_form(message, category, filename, lineno, file, line)
        text = str(message).strip()
        if text not in shown:
            shown.add(text)
            if _lang == "ja":
                print(f"optimlab: 警告：{japanese_warning(text)}", file=sys.stderr if file is None else file)
            print(f"optimlab: warning: {text}", file=sys.stderr if file is None else file)
    warnings.showwarning = show


def _main(argv: Sequence[str] | None) -> int:
    global _lang
    _lang = lang_of(sys.argv[1:] if argv is None else argv)
    try:
        rc = _command(argv)
        if sys.stdout is not None:      # what is still buffered goes out here, where a failure is said (> /dev/full:
            sys.stdout.flush()          # at the interpreter's exit it was "Exception ignored", status 120)
        return rc
    except OptimlabError as e:
        line = str(e).splitlines()[0] if str(e) else type(e).__name__
        if _lang == "ja":                   # a Japanese line first, the English after
            print(f"optimlab: エラー：{japanese_error(line)}", file=sys.stderr)
        print(f"optimlab: error: {line}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as e:
        if isinstance(getattr(e, "failed", None), OSError):      # a swap that failed while the signal waited
            print(f"optimlab: error: {_os_error_line(e.failed)}", file=sys.stderr)
        return _stopped(isinstance(e, Terminated), written_before(e))
    except ImportError as e:
        # Ctrl-C in the middle of a module's first import (SciPy's, the first time a report needs it) comes as that
        # module's ImportError ("initialization failed") caused by it: a traceback and status 1 (a review)
        stop = _interruption(e)
        if stop is not None:
            return _stopped(isinstance(stop, Terminated), written_before(stop))
        if not isinstance(e, ModuleNotFoundError):
            raise
        # a dependency missing (pip install --no-deps): one line, not a traceback
        print(f"optimlab: error: the module {e.name!r} is missing: a dependency of optimlab is not installed "
              "(accepted: pip install optimlab again with its dependencies, or pip install -e . in a clone of "
              "optimlab)", file=sys.stderr)
        return 1
    except SystemExit as e:     # argparse, after printing: --help and --version (0), a usage error (2)
        if e.code in (0, None) and sys.stdout is not None:
            try:                # --help > /dev/full exited 0, its text lost without a word
                sys.stdout.flush()
            except OSError as err:      # stdout's, whether or not it is entry's (main() called directly)
                raise SystemExit(_stdout_status(err, stdout=True)) from None
            if getattr(sys.stdout, "error", None) is not None:     # argparse's print passes over a failed write
                raise SystemExit(_stdout_status(sys.stdout.error)) from None
        raise
    except OSError as e:        # the safety net: an output that could not be written, as one line
        rc = _stdout_status(e)
        if rc is None:
            print(f"optimlab: error: {_os_error_line(e)}", file=sys.stderr)
        return 2 if rc is None else rc


def _stdout_status(e: OSError, stdout: bool = False) -> int | None:
    """The exit status for ``e`` when it is standard output's failure (``stdout``: known to be), said in one line
    (None for any other): 141, quietly, for a reader that has gone (``optimlab … | head``, as other tools do;
    entry's last flush fails quietly too); 1 for one that cannot take it (``> /dev/full``: not bad input, nor a file
    of the command's)."""
    failed = stdout or getattr(sys.stdout, "error", None) is not None
    if not (failed and (isinstance(e, BrokenPipeError) or e.filename is None)):
        return None
    if isinstance(e, BrokenPipeError):
        return 141
    print(f"optimlab: error: cannot write to standard output: {e.strerror or e}", file=sys.stderr)
    return 1


class _Stdout:
    """The command's ``sys.stdout``, keeping the error of a write to it that failed (``> /dev/full``): the command's
    error then says it was standard output (it said "No space left on device" alone, status 2, after writing the
    whole run)."""

    def __init__(self, stream):
        self._stream, self.error = stream, None

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except OSError as e:
            self.error = e
            raise

    def flush(self) -> None:
        try:
            self._stream.flush()
        except OSError as e:
            self.error = e
            raise

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


def _os_error_line(e: OSError) -> str:
    """``cannot write 'PATH': <strerror>`` (the destination of a rename, else the file named), one line."""
    path = e.filename2 if e.filename2 is not None else e.filename
    what = e.strerror or str(e) or type(e).__name__
    if path is None:
        return what.splitlines()[0] if what.strip() else type(e).__name__
    path = os.fsdecode(path) if isinstance(path, (bytes, os.PathLike)) else str(path)
    return f"cannot write {path!r}: {what}".splitlines()[0]


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
