"""``optimlab sweep``: parse, run the sweep, draw the sensitivity figure, print the tables, write report.html."""

from __future__ import annotations

import argparse
import sys
import threading
from dataclasses import replace
from pathlib import Path

from .console import LANGS, eval_once_note, notice_lines, say, term
from .cli_text import japanese_error
from .errors import ConfigError

BN_CHOICES = {"on": (True,), "off": (False,), "both": (False, True)}


def add_sweep_parser(sub) -> argparse.ArgumentParser:
    from .optim import OPTIMIZERS

    p = sub.add_parser("sweep", help="tune each optimizer's learning rate on a validation split, over seeds",
                       description="Grid over optimizers × learning rates × seeds (and architecture settings); "
                                   "each optimizer's lr is chosen on validation accuracy, then tested on fresh seeds.")
    p.add_argument("--recipe", help="sweep TOML (default: the shipped recipes/sweep.toml)")
    p.add_argument("--name", help="sweep name: output folder runs/<name> (default: the recipe's, sweep)")
    p.add_argument("--dataset", type=str.lower, help="mnist, fashion-mnist, mnist-5k, digits, idx, npz, auto")
    p.add_argument("--data-dir", help="folder with IDX files, or the .npz file for --dataset npz")
    p.add_argument("--optimizers", help=f"comma-separated subset of {','.join(OPTIMIZERS)}")
    p.add_argument("--lrs", help="log grid LO:HI:N (e.g. 1e-4:1:9) or a list (0.001,0.01)")
    p.add_argument("--seeds", help="tuning seeds: a count (3), a range (0-2) or a list (0,3,7)")
    p.add_argument("--test-seeds", help="fresh seeds for the test accuracy, as --seeds (default 1000-1002 for 3 "
                                        "tuning seeds)")
    p.add_argument("--iters", type=int, help="training iterations (note: 1000)")
    p.add_argument("--batch-size", type=int, help="minibatch size (note: 100)")
    p.add_argument("--eval-interval", type=int, help="evaluate every this many iterations (default 100)")
    p.add_argument("--batchnorm", choices=sorted(BN_CHOICES), help="batch normalization: on, off or both (a grid axis)")
    p.add_argument("--activation", help="sigmoid, relu, or both as sigmoid,relu (a grid axis)")
    p.add_argument("--init", help="weight_init_std: numbers, xavier, he; several as 0.01,he (a grid axis)")
    p.add_argument("--targets", help="validation accuracies for time-to-target, e.g. 0.8,0.9")
    p.add_argument("--val-fraction", type=float, metavar="F",
                   help="share of the training set held out to tune on, at most 5,000 examples (default: the "
                        "recipe's [split] fraction, 0.1)")
    p.add_argument("--chunks", type=int, help="tasks per (seed, architecture) cohort of tuning runs (default: from the workers); "
                                                 "the fresh-seed runs of a seed are always one task")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--jobs", type=int,
                       help="local worker processes (default: one per core this process may use; 0: in this process)")
    where.add_argument("--workers", type=int, help="start a Dask LocalCluster of N single-threaded workers")
    where.add_argument("--cluster", metavar="tcp://HOST:PORT", help="join a running Dask scheduler")
    where.add_argument("--scheduler-file", metavar="FILE", help="join the Dask scheduler of this file")
    p.add_argument("--out", help="output folder (default runs/<name>); running again with the same settings "
                                 "resumes it")
    p.add_argument("--lang", choices=LANGS, default="en",
                   help="language of the figure, the report, the printed tables and --help")
    p.add_argument("--no-plots", action="store_true", help="skip the figure")
    p.add_argument("--dpi", type=int, default=100,
                   help="resolution of the PNG figure, 50 to 600 (default 100; 200 suits slides)")
    p.add_argument("--font-scale", type=float, default=1.0, metavar="F",
                   help="text size of the figure, 1 to 3 times the default (e.g. 1.6 for slides)")
    p.add_argument("--no-report", action="store_true", help="skip report.html (the interactive offline page)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    return p


def _items(option: str, text: str, accepted: str) -> list[str]:
    """``text``'s comma-separated items; an empty one ("sigmoid,,relu") is an error, not a value left out."""
    items = [x.strip() for x in text.split(",")]
    if "" in items:
        raise ConfigError(f"invalid {option}: {text!r} has an empty item (accepted: {accepted}, separated by single "
                          "commas)")
    return items


def _init_value(text: str) -> float | str:
    try:
        return float(text)
    except ValueError:
        return text.strip()


def spec_from_args(args):
    """The sweep spec: the recipe (or the shipped default) with the command-line options applied."""
    from .experiment.recipe import kept_digest, parse_seeds
    from .experiment.sweep import default_sweep_spec, load_sweep_spec, parse_lrs

    spec = load_sweep_spec(args.recipe) if args.recipe else default_sweep_spec()
    over = {}
    for key in ("name", "dataset", "data_dir", "chunks"):
        if getattr(args, key) is not None:
            over[key] = getattr(args, key)
    over["data_sha256"] = kept_digest(spec, over.get("dataset"), over.get("data_dir"))    # as a compare recipe's
    if args.optimizers is not None:
        over["optimizers"] = tuple(args.optimizers.split(","))
    if args.lrs is not None:
        over["lrs"] = parse_lrs(args.lrs)
    if args.seeds is not None:
        over["seeds"] = parse_seeds(args.seeds)
        if args.test_seeds is None:
            over["test_seeds"] = None
    if args.test_seeds is not None:
        try:
            parse_seeds(args.test_seeds)
            over["test_seeds"] = args.test_seeds        # as typed: the spec tells a bare count from a range
        except ConfigError as e:
            raise ConfigError(str(e).replace("invalid seeds:", "invalid --test-seeds:", 1)) from None
    if args.targets is not None:
        over["targets"] = tuple(args.targets.split(","))
    if args.val_fraction is not None:
        if not 0 < args.val_fraction < 1:
            raise ConfigError(f"invalid --val-fraction: {args.val_fraction:g} (accepted: a number in (0, 1), e.g. 0.2)")
        over["val_fraction"] = args.val_fraction
    train = {k: getattr(args, k) for k in ("iters", "batch_size", "eval_interval") if getattr(args, k) is not None}
    if train:
        over["train"] = replace(spec.train, **train)
    if args.batchnorm is not None:
        over["batchnorm"] = BN_CHOICES[args.batchnorm]
    if args.activation is not None:
        over["activation"] = tuple(_items("--activation", args.activation, "sigmoid, relu"))
    if args.init is not None:
        over["init"] = tuple(_init_value(x) for x in _items("--init", args.init, "numbers, xavier, he"))
    return replace(spec, **over) if over else spec


def max_local_workers() -> int:
    """The most worker processes --jobs or --workers may start here: four per core it may use, at least 8."""
    from .train.loop import usable_cpus

    return max(8, 4 * usable_cpus())


def tasks_at_once(args) -> int:
    """How many tasks the executor the options ask for (:func:`make_executor`'s choice) trains at once on this
    machine: --workers N or --jobs N processes here, a process per core by default, one in-process (--jobs 0) or
    with a cluster it connects to (--cluster, --scheduler-file: its workers may be other machines; a cluster on this
    one is not counted)."""
    if args.cluster is not None or args.scheduler_file is not None or args.jobs == 0:
        return 1
    from .experiment.executors import default_workers

    return args.workers or args.jobs or default_workers()


def run_sweep_cli(args) -> int:
    from .experiment.sweep import sweep_directory, sweep_lock

    spec, lang = spec_from_args(args), args.lang
    from .viz.figures import check_dpi, check_font_scale

    dpi = check_dpi(args.dpi, "--dpi")
    check_font_scale(args.font_scale, "--font-scale")
    for k in ("jobs", "workers", "chunks", "iters"):
        v = getattr(args, k, None)
        if v is not None and v < (0 if k == "jobs" else 1):
            raise ConfigError(f"invalid --{k}: {v} (accepted: an integer >= {0 if k == 'jobs' else 1})")
    most = max_local_workers()
    for k in ("jobs", "workers"):       # processes on this machine: 100000 of them would hang it, not speed it up
        v = getattr(args, k, None)
        if v is not None and v > most:
            raise ConfigError(f"invalid --{k}: {v} (accepted: at most {most}, four per core of this machine; "
                              "more machines: --cluster or --scheduler-file)")
    out = sweep_directory(spec, args.out)       # before any executor starts: the folder, then the data
    with sweep_lock(out):                       # a second sweep into the folder stops here, not after its data,
        return _run_and_show(args, spec, lang, dpi, out)      # and the figures and report are this sweep's


def _complete_runs(out: Path, spec) -> int:
    """How many of ``spec``'s run folders in ``out`` have their status written (each is written whole, when its run
    ends); runs of other architectures or lrs the folder keeps are not this sweep's."""
    from .experiment.sweep import finished_status, sweep_run_ids

    ids = sweep_run_ids(spec)
    return sum(p.name in ids and finished_status(p) is not None for p in (out.iterdir() if out.is_dir() else ()))


def _draw(args, summary: dict, directory: Path, lang: str, dpi: int) -> Path | None:
    """The sensitivity figure and report.html, unless told not to; the report's path (None if not written)."""
    if not args.no_plots:
        from .viz.figures import font_scale
        from .viz.sweep_figures import save_sweep_figures

        with font_scale(args.font_scale):
            save_sweep_figures(summary, directory, lang, dpi)
    if args.no_report:
        return None
    from .errors import OptimlabError
    from .viz.report import write_report

    try:
        return write_report(directory, lang=lang)
    except OptimlabError as e:      # e.g. plotly missing: the sweep's results are kept all the same
        print(f"optimlab: note: report.html skipped: {e}", file=sys.stderr)
        return None


def watch_workers(executor, stop: threading.Event, every: float = 5.0) -> None:
    """Until ``stop``: each time a Dask scheduler that had workers has none, one note that the sweep waits for one."""
    had = True
    while not stop.wait(every):
        try:
            n = len(executor.client.scheduler_info(n_workers=-1)["workers"])
        except Exception:  # noqa: BLE001 - the scheduler gone: the sweep itself says so (ExecutorLost)
            return
        if had and n == 0 and not stop.is_set():
            print("\noptimlab: note: the scheduler has no workers now (they stopped or died); the sweep waits for one "
                  "(Ctrl-C stops it, and the same command resumes it)", file=sys.stderr, flush=True)
        had = n > 0


def _run_and_show(args, spec, lang: str, dpi: int, out: Path) -> int:
    """The sweep's data, executor, runs, tables, figures and report (the folder locked by the caller)."""
    from .experiment.executors import ExecutorLost, make_executor
    from .experiment.sweep import TuningFailed, check_sweep_folder, defaults_table, run_sweep, time_to_target_table
    from .results.stats import MIN_SEEDS_TO_SETTLE

    # the data (kept for run_sweep) and the folder, before any executor
    check_sweep_folder(spec, out, tasks_at_once(args))
    executor = make_executor(jobs=args.jobs, workers=args.workers, cluster=args.cluster,
                             scheduler_file=args.scheduler_file)
    try:
        d = executor.describe()
        print(say("executor", lang, kind=term("executor", d["kind"], lang), workers=d["workers"])
              + (say("executor how", lang, how=d["how"]) if "how" in d else ""), file=sys.stderr)
        if d["workers"] == 0:           # a scheduler without workers: the sweep waited, silent, until one came
            print("optimlab: note: the scheduler has no workers yet; the sweep waits for one (Ctrl-C stops it, and "
                  "the same command resumes it)", file=sys.stderr)
        stop = threading.Event()
        if d["kind"] == "dask":         # every worker gone mid-sweep: it waited without a word (a Dask user's review)
            threading.Thread(target=watch_workers, args=(executor, stop), daemon=True).start()
        try:
            result = run_sweep(spec, executor, out=out, progress=not args.no_progress, lang=lang, figure_dpi=dpi,
                               figure_font_scale=args.font_scale)
        finally:
            stop.set()
    except (ExecutorLost, TuningFailed) as e:   # not bad input: the cluster went away, or tuning runs failed (the
                                                # same command resumes)
        executor.abort()
        if lang == "ja":
            print(f"optimlab: エラー：{japanese_error(str(e))}", file=sys.stderr)
        print(f"optimlab: error: {e}", file=sys.stderr)
        return 1
    except BaseException as e:          # Ctrl-C, SIGTERM: do not wait for the running tasks
        executor.abort()
        if isinstance(e, KeyboardInterrupt):     # what is kept and how to go on, as after a lost scheduler
            kept = _complete_runs(out, spec)
            if lang == "ja":            # what is kept and how to go on, first in Japanese (a student's review)
                print(f"optimlab: 注記：「{out}」の実行はすべて学習済みです（{kept} 本）。同じコマンドでスイープを仕上げます（学習し"
                      "直すのは失敗した実行だけです）" if getattr(e, "sweep_trained", False) else
                      f"optimlab: 注記：終わった {kept} 本は「{out}」に残しています。同じコマンドで続きから学習します"
                      if kept else "optimlab: 注記：終わった実行はありません。同じコマンドで最初から始めます", file=sys.stderr)
            if getattr(e, "sweep_trained", False):      # stopped while the folder's own files were written
                print(f"optimlab: note: every run in {str(out)!r} is trained ({kept} complete); the same command "
                      "finishes the sweep (it trains again only runs that failed)", file=sys.stderr)
            else:
                print(f"optimlab: note: {kept} run{'s' * (kept != 1)} complete in {str(out)!r} "
                      f"{'is' if kept == 1 else 'are'} kept; the same command trains the others" if kept else
                      "optimlab: note: no run had finished; the same command starts the sweep again", file=sys.stderr)
        raise
    executor.close()
    restarts = int(result.summary.get("executor", {}).get("pool_restarts") or 0)
    if restarts:                        # said only in summary.json and the report before
        lost = sum(r["status"] == "failed" and str(r.get("error") or "").startswith("BrokenProcessPool")
                   for r in result.table)   # their retries spent: not trained again
        print(f"optimlab: note: a worker process died {restarts} time{'s' * (restarts != 1)} during the sweep; the "
              "runs of its tasks were trained again in a new one"
              + (f", but for {lost} whose retries ran out (failed)" if lost else ""), file=sys.stderr)
    s = result.summary
    ds = s["dataset"]
    if ds.get("notice"):
        print("\n".join(notice_lines(ds["notice"], lang)), file=sys.stderr)
    # images (枚), as compare counts them; arrays of one's own (件) are those with a scale (OwnData.info; a code
    # review: an own file named mnist.npz was counted in images)
    print(say("sweep dataset own" if "scale" in ds else "sweep dataset", lang, name=ds["name"],
              n_train=ds["n_train"], n_val=ds["n_val"], n_test=ds["n_test"]))
    from .results.stats import sampling_error, small_set

    if small_set(ds.get("n_val")):
        # a researcher's 38 validation examples chose lrs a step or two apart in accuracy, without a word
        print(say("small val", lang, n_val=ds["n_val"], step=f"{1 / ds['n_val']:.2g}",
                  half=f"{sampling_error(0.5, ds['n_val']):.2g}"))
    n_archs = len(spec.variants())
    print(say("grid", lang, opts=len(spec.optimizers), lrs=len(spec.lrs), seeds=len(spec.seeds),
              archs=say("archs", lang, n=n_archs) if n_archs > 1 else "",
              tests=say("list sep", lang).join(map(str, spec.test_seeds)))
          + "\n")
    once = eval_once_note(spec.train.iters, spec.train.eval_interval, lang)    # `sweep --iters 50`: its default is 100
    if once:
        print(once + "\n")
    n = min((int(d.get("n_test_seeds") or MIN_SEEDS_TO_SETTLE) for d in s["defaults_vs_tuned"].values()),
            default=MIN_SEEDS_TO_SETTLE)
    few = n < MIN_SEEDS_TO_SETTLE               # the table then shows means only, as shown_interval says
    print(say("defaults title few" if few else "defaults title", lang, n=n, k=MIN_SEEDS_TO_SETTLE))
    print(defaults_table(s, lang))
    print("\n" + say("ttt title", lang))
    print(time_to_target_table(s, lang))
    try:
        report = _draw(args, s, result.directory, lang, dpi)
    except KeyboardInterrupt:           # the runs and the summary are written: only the drawing is left to do
        failed = sum(r["status"] == "failed" for r in result.table)
        print(f"optimlab: note: the runs and summary.json in {str(result.directory)!r} are written; the same command "
              "draws the figures and report" + (f" (and trains the {failed} failed run{'s' * (failed != 1)} again)"
                                                if failed else " without training"), file=sys.stderr)
        raise
    bad = sum(r["status"] != "ok" for r in result.table)
    print("\n" + say("sweep done", lang, n=s["n_runs"], trained=s["n_trained"], skipped=s["n_skipped"],
                     bad=say("sweep bad", lang, k=bad) if bad else "", wall=result.wall_seconds,
                     out=Path(result.directory)))
    if report is not None:
        print(say("report size", lang, path=report, mb=report.stat().st_size / 1e6))      # as optimlab report says it
    from .cli import failed_runs_status

    return failed_runs_status(result.table, "run_id", f"{Path(result.directory)}/table.csv", retry=True)
