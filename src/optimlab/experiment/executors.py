"""Where a sweep's tasks run, behind one futures-style interface.

Every executor has ``submit(fn, *args, retries=0) -> future`` and ``as_completed(futures)``; a future has
``result()``. The sweep driver is written once against that and runs unchanged on

* :class:`SerialExecutor` — in this process, one task at a time (debugging, tiny sweeps);
* :class:`LocalExecutor` — a pool of worker processes on this machine (the default);
* :class:`DaskExecutor` — a Dask distributed cluster: one started here (``LocalCluster``), or an
  existing one joined by address or scheduler file.

Each worker caps BLAS at one thread (:func:`worker_setup`): the sweep's parallelism is one task per core,
and a second BLAS thread per process would only oversubscribe the cores.
"""

from __future__ import annotations

import collections
import concurrent.futures as cf
import contextlib
import ctypes
import json
import multiprocessing
import os
import re
import signal
import socket
import sys
import threading
import time
import weakref
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Callable, Iterable, Iterator

from ..errors import ConfigError, OptimlabError

BLAS_ENV = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")

# Dask's nanny sets MALLOC_TRIM_THRESHOLD_=65536 in its workers' environment. Setting that variable turns off
# glibc's dynamic mmap threshold, so every NumPy temporary above 128 KiB is mmap'ed and unmapped afresh (page
# faults each time): a cohort's training step measured 2.5x slower. Workers started here get it unset, and
# worker_setup() restores fast reuse in workers of clusters we merely join (see docs/sweep_results.md).
MALLOC_OVERRIDE = {"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3              # mallopt parameters (glibc malloc.h)

_setup_done = False


_stopping = False


def _stop_quietly(signum, frame):
    """SIGINT in a local worker: stop the task (SystemExit runs its cleanup and prints nothing); the pool catches
    it and would hand the worker its next queued task, so every later task stops at once (:func:`worker_setup`)."""
    global _stopping
    if _stopping:
        return                                       # a second Ctrl-C must not cut the cleanup short
    _stopping = True
    raise SystemExit(128 + signum)


ORPHAN_GRACE = 5.0      # seconds an orphaned worker's task has to stop and clean up before the worker exits


def _watch_parent() -> None:
    """When the process that started this worker is gone — SIGKILLed, say, so it could not stop its pool — stop the
    task as Ctrl-C does (its cleanup runs) and exit. Python's pool leaves its workers waiting for the next task for
    ever otherwise, each keeping the pool's forkserver and resource tracker alive too. A daemon thread waits on the
    parent's sentinel (a pipe that ends with the parent): no polling."""
    from multiprocessing.connection import wait

    parent = multiprocessing.parent_process()
    if parent is None or parent.sentinel is None:
        return

    def watch():
        wait([parent.sentinel])
        os.kill(os.getpid(), signal.SIGINT)        # _stop_quietly: SystemExit in the task, or while waiting for one
        time.sleep(ORPHAN_GRACE)
        os._exit(128 + signal.SIGINT)             # the task stopped, but the pool's loop waits for a next one

    threading.Thread(target=watch, name="optimlab-exit-with-parent", daemon=True).start()


# where the data is (the cache folder without OPTIMLAB_CACHE_DIR is the user's, from these two): a local worker sees
# the parent's now
OPTIMLAB_ENV = ("OPTIMLAB_DATA", "OPTIMLAB_CACHE_DIR", "XDG_CACHE_HOME", "HOME", "OPTIMLAB_PLUGINS")


def _local_worker_init(env: dict[str, str | None] | None = None) -> None:
    """A local pool's worker process: Ctrl-C reaches every process of the terminal's group (and
    :meth:`LocalExecutor.abort` sends it to the workers when only the parent was signalled), so a worker stops its
    task — the cleanup of its files runs — without the traceback a KeyboardInterrupt prints; the parent says
    "interrupted" once. A worker whose parent is gone stops the same way (:func:`_watch_parent`). ``env``: the
    parent's :data:`OPTIMLAB_ENV` when the pool started (a forkserver's workers inherit the environment of the
    forkserver, started with the process's first pool: a notebook that set ``OPTIMLAB_DATA`` after a first sweep
    had its next sweep's tasks read the old folder, or none). Then :func:`worker_setup`."""
    signal.signal(signal.SIGINT, _stop_quietly)
    for k, v in (env or {}).items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v
    worker_setup()
    _watch_parent()       # after the setup: a parent gone during it is seen at once, without a traceback from it


def worker_setup() -> dict[str, Any]:
    """Once per process: BLAS at one thread; undo a ``MALLOC_TRIM_THRESHOLD_`` from the environment (glibc)."""
    global _setup_done
    if _stopping:
        raise SystemExit(130)                        # an interrupted worker starts no further task
    info: dict[str, Any] = {"pid": os.getpid()}
    if _setup_done:
        return info
    for k in BLAS_ENV:
        os.environ.setdefault(k, "1")
    from threadpoolctl import threadpool_limits

    threadpool_limits(1, user_api="blas")          # process-wide, not a context: stays for every task
    if os.environ.get("MALLOC_TRIM_THRESHOLD_") and sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL("libc.so.6")
            libc.mallopt(_M_MMAP_THRESHOLD, 64 << 20)   # arrays below 64 MiB come from the heap and are reused
            libc.mallopt(_M_TRIM_THRESHOLD, 128 << 20)  # give memory back to the OS only above 128 MiB free
            info["malloc_fix"] = True
    _setup_done = True
    return info


class ExecutorLost(OptimlabError):
    """The executor itself went away (a Dask scheduler lost, its futures cancelled): the tasks did not fail, so their
    runs are not recorded — the same command, with the executor back, trains them."""


def lost_executor(exc: BaseException) -> bool:
    """Whether a task's exception says the executor went away rather than that the task failed: a cancelled future
    (Dask cancels every pending one when the client loses its scheduler: ``scheduler-connection-lost``)."""
    import asyncio

    return isinstance(exc, (cf.CancelledError, asyncio.CancelledError)) or type(exc).__name__ == "FutureCancelledError"


class Executor:
    """The interface: ``submit``, ``as_completed``, ``describe``, ``close``; usable as a context manager."""

    n_workers: int = 1

    @property
    def local_tasks(self) -> int:
        """How many tasks may train at the same time on this machine (their memory adds up here)."""
        return self.n_workers

    @property
    def runs_here(self) -> bool:
        """Whether tasks train on this machine (its cores are theirs)."""
        return True

    def submit(self, fn: Callable, *args: Any, retries: int = 0):
        raise NotImplementedError

    def as_completed(self, futures: Iterable) -> Iterator:
        raise NotImplementedError

    def describe(self) -> dict[str, Any]:
        raise NotImplementedError

    def check_imports(self) -> None:
        """A one-line ConfigError when worker processes cannot import optimlab. Those this package starts import it as
        this process does; :class:`DaskExecutor`'s may run elsewhere."""

    def close(self) -> None:
        pass

    def abort(self) -> None:
        """Stop now (Ctrl-C, SIGTERM): running tasks are not waited for. By default, :meth:`close`."""
        self.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class _Deferred:
    """A task of :class:`SerialExecutor`: runs when its result is first asked for (by ``as_completed``)."""

    def __init__(self, fn: Callable, args: tuple, retries: int):
        self.fn, self.args, self.retries = fn, args, retries
        self._future: cf.Future | None = None

    def _run(self) -> cf.Future:
        if self._future is None:
            self._future = cf.Future()
            for attempt in range(self.retries + 1):
                try:
                    self._future.set_result(self.fn(*self.args))
                    break
                except Exception as e:  # noqa: BLE001 - handed to the caller through result()
                    if attempt == self.retries:
                        self._future.set_exception(e)
        return self._future

    def result(self):
        return self._run().result()


class SerialExecutor(Executor):
    """Runs tasks in this process, one at a time, as ``as_completed`` reaches them (so an interrupted
    sweep has trained only what it recorded). Exceptions are raised by ``result()``, as with a pool."""

    n_workers = 1

    def submit(self, fn: Callable, *args: Any, retries: int = 0) -> _Deferred:
        return _Deferred(fn, args, retries)

    def as_completed(self, futures: Iterable) -> Iterator:
        for f in list(futures):
            f._run()
            yield f

    def describe(self) -> dict[str, Any]:
        return {"kind": "serial", "workers": 1}


TRACKER_WARNINGS = "ignore::UserWarning:multiprocessing.resource_tracker"


def _quiet_resource_tracker() -> None:
    """After Ctrl-C or SIGTERM stopped the pool mid-task, multiprocessing's resource tracker (a process of its own,
    started with this interpreter's ``-W`` options when the pool makes its first lock) printed "There appear to be
    5 leaked semaphore objects to clean up at shutdown" and its traceback-like source line *after* "optimlab:
    interrupted". It cleans them up all the same; only that warning is turned off, in the tracker alone."""
    if TRACKER_WARNINGS not in sys.warnoptions:
        sys.warnoptions.append(TRACKER_WARNINGS)


def default_workers() -> int:
    """A :class:`LocalExecutor`'s worker processes when not told: one per core this process may use."""
    from ..train.loop import usable_cpus

    return usable_cpus()


class LocalExecutor(Executor):
    """Worker processes on this machine (``ProcessPoolExecutor``, ``forkserver`` start on Linux, else ``spawn``).

    A task whose worker process dies (killed, out of memory) breaks the whole pool: the tasks running in it are then
    resubmitted to a fresh pool, up to ``retries`` times each. The pool holds only as many tasks as it has workers;
    the others wait here, so that a death costs a retry only to the tasks running at that moment (one per worker: a
    broken pool stops the other workers' tasks too), not to the waiting ones (with every task in the pool, each death
    failed them all: three deaths failed 60 of a sweep's 90 runs, most never started).

    A worker killed while it writes a result leaves the pool's manager thread reading the rest of that message for
    ever, blind to the death; a watchdog thread sees a dead worker in a pool not broken ``STUCK_AFTER`` seconds later
    and ends that read (:func:`_release`), so the pool breaks as on any other death.
    """

    STUCK_AFTER = 5.0

    def __init__(self, max_workers: int | None = None, start_method: str | None = None):
        n = default_workers() if max_workers is None else max_workers
        if not isinstance(n, int) or n < 1:
            raise ConfigError(f"invalid number of local workers: {max_workers!r} (accepted: an integer >= 1)")
        methods = multiprocessing.get_all_start_methods()
        self.start_method = start_method or ("forkserver" if "forkserver" in methods else "spawn")
        if self.start_method not in ("spawn", "forkserver"):
            raise ConfigError(f"invalid start method: {self.start_method!r} (accepted: spawn, forkserver)")
        self.n_workers = n
        self._lock = threading.RLock()
        self._waiting: collections.deque = collections.deque()     # (outer, fn, args, retries, sent before) to send
        self._running = 0                                           # tasks in the pool now: at most n_workers
        _quiet_resource_tracker()
        self._pool = self._new_pool()
        self._generation = 0
        self._closed = False
        self.restarts = 0
        self._closing = threading.Event()
        # by a weak reference: an executor dropped without close() is collected with its pool, as before the watchdog
        # (a code review: each kept 1 worker process and 4 threads until the interpreter's exit)
        threading.Thread(target=_watch, args=(weakref.ref(self), self._closing), name="optimlab-pool-watchdog",
                         daemon=True).start()

    def _new_pool(self) -> cf.ProcessPoolExecutor:
        return cf.ProcessPoolExecutor(self.n_workers, mp_context=multiprocessing.get_context(self.start_method),
                                      initializer=_local_worker_init,
                                      initargs=({k: os.environ.get(k) for k in OPTIMLAB_ENV},))

    def submit(self, fn: Callable, *args: Any, retries: int = 0) -> cf.Future:
        outer: cf.Future = cf.Future()
        with self._lock:
            self._waiting.append((outer, fn, args, retries, False))
            self._send()
        return outer

    def _send(self) -> None:
        """Send waiting tasks to the pool while it has a worker without one (called holding the lock). A task is
        marked running as it is sent (a caller can cancel it only while it waits, as with the standard executors);
        one the pool cannot take gets the error, not a place in the pool."""
        while self._waiting and self._running < self.n_workers and not self._closed:
            outer, fn, args, retries, sent_before = self._waiting.popleft()
            if not sent_before and not outer.set_running_or_notify_cancel():    # cancelled while it waited
                continue
            generation = self._generation
            try:
                try:
                    inner = self._pool.submit(fn, *args)
                except BrokenProcessPool:
                    self._replace_pool(generation)
                    generation = self._generation
                    inner = self._pool.submit(fn, *args)
            except Exception as e:  # noqa: BLE001 - e.g. no process could be started (too many open files)
                outer.set_exception(e)
                continue
            self._running += 1
            inner.add_done_callback(lambda f, o=outer, fn=fn, a=args, r=retries, g=generation:
                                    self._done(f, o, fn, a, r, g))

    def _send_later(self) -> None:
        """:meth:`_send` from a fresh thread: a done callback runs in the pool's own management thread."""
        def send():
            with self._lock:
                self._send()
        threading.Thread(target=send, daemon=True).start()

    def _replace_pool(self, generation: int) -> None:
        with self._lock:
            if generation == self._generation:          # the first callback of a broken pool replaces it
                self._pool.shutdown(wait=False, cancel_futures=True)
                self._pool = self._new_pool()
                self._generation += 1
                self.restarts += 1

    def _done(self, inner: cf.Future, outer: cf.Future, fn, args, retries: int, generation: int) -> None:
        """A task's end, in the pool's management thread: its result or error to ``outer``, or, when its worker died
        and it has retries left, back to the front of the queue for a fresh pool; then the next task is sent."""
        try:
            exc = inner.exception() if not inner.cancelled() else BrokenProcessPool("cancelled with a broken pool")
            with self._lock:
                self._running -= 1
                if isinstance(exc, SystemExit) and not self._closed:
                    self._replace_pool(generation)   # its workers were interrupted and start no further task
                again = isinstance(exc, BrokenProcessPool) and retries > 0 and not self._closed
                if again:
                    self._replace_pool(generation)
                    self._waiting.appendleft((outer, fn, args, retries - 1, True))    # first in the fresh pool
            if not again:
                if exc is not None:
                    outer.set_exception(exc)
                else:
                    outer.set_result(inner.result())
        finally:
            self._send_later()

    def as_completed(self, futures: Iterable) -> Iterator:
        return cf.as_completed(list(futures))

    def describe(self) -> dict[str, Any]:
        return {"kind": "local", "workers": self.n_workers, "start_method": self.start_method,
                "blas_threads_per_worker": 1, "pool_restarts": self.restarts}

    def _stop(self) -> cf.ProcessPoolExecutor:
        """Close to new work: the tasks still waiting end cancelled (a retry waiting for a fresh pool with the error
        that stopped it), so that whoever waits on them returns; the pool, to shut down outside the lock (its
        management thread takes the lock to hand over each result)."""
        with self._lock:
            self._closed = True
            self._closing.set()
            while self._waiting:
                outer, *_, sent_before = self._waiting.popleft()
                if sent_before:
                    outer.set_exception(BrokenProcessPool("the executor was closed before the task ran again"))
                elif outer.cancel():
                    outer.set_running_or_notify_cancel()
            return self._pool

    def close(self) -> None:
        self._stop().shutdown(wait=True, cancel_futures=True)

    def abort(self, grace: float = 5.0) -> None:
        """Cancel what waits and interrupt what runs: each worker gets SIGINT (a kill or a supervisor's SIGTERM
        reaches only this process) and stops its task with its cleanup, instead of the pool waiting for the running
        tasks. SIGINT is sent again every 0.2 s (a worker still starting has no handler yet; one that is stopping
        ignores repeats); a worker still alive after ``grace`` seconds is terminated."""
        pool = self._stop()
        processes, writer = _internals(pool)                            # (shutdown forgets them)
        manager = getattr(pool, "_executor_manager_thread", None)
        pool.shutdown(wait=False, cancel_futures=True)
        end = time.monotonic() + grace
        while (alive := [p for p in processes if p.is_alive()]) and time.monotonic() < end:
            for p in alive:
                with contextlib.suppress(OSError, ValueError, TypeError):
                    os.kill(p.pid, signal.SIGINT)
            alive[0].join(0.2)
        for p in alive:
            p.terminate()
            p.join(1.0)
            if p.is_alive():
                p.kill()
        _release(processes, writer)   # the manager thread may wait on a result a worker was stopped halfway through
        if manager is not None:
            manager.join(5.0)


def _internals(pool: cf.ProcessPoolExecutor) -> tuple[list, Any]:
    """A pool's worker processes and this process's end for writing its result pipe: Python's pool has neither in
    public (its processes from 3.14), and forgets both when shut down; looked up, missing ones are none."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    return processes, getattr(getattr(pool, "_result_queue", None), "_writer", None)


def _watch(executor: "weakref.ref[LocalExecutor]", closing: threading.Event) -> None:
    """A :class:`LocalExecutor`'s watchdog, every 0.5 s until it is closed or collected: a worker of its current pool
    dead for ``STUCK_AFTER`` seconds while the pool is not broken means the pool's manager thread waits on a
    half-written result; :func:`_release` ends the wait. Holds neither the executor nor its pool between looks."""
    watched, dead_since = None, None
    while not closing.wait(0.5):
        ex = executor()
        if ex is None:
            return
        pool, stuck_after = ex._pool, ex.STUCK_AFTER
        del ex
        if id(pool) != watched:
            watched, dead_since = id(pool), None
        if getattr(pool, "_broken", True) or not _dead_worker(pool):    # (no such attribute: nothing to judge)
            dead_since = None
        elif dead_since is None:
            dead_since = time.monotonic()
        elif time.monotonic() - dead_since >= stuck_after:
            _release(*_internals(pool))
            dead_since = None
        del pool


def _dead_worker(pool: cf.ProcessPoolExecutor) -> bool:
    return any(p.exitcode is not None for p in _internals(pool)[0])


def _release(processes: list, writer: Any) -> None:
    """End the wait of a pool's manager thread on a result that a killed worker had half written: kill the pool's
    other workers and close this process's own end of the result pipe. With no writer left, the read ends
    (EOFError) and the pool breaks as on any worker's death: its running tasks fail with BrokenProcessPool."""
    for p in processes:
        if p.exitcode is None:
            with contextlib.suppress(OSError, ValueError):
                p.kill()
    if writer is not None:
        with contextlib.suppress(OSError):
            writer.close()


def _distributed(option: str):
    """The ``distributed`` package, or a one-line ConfigError saying how to install it (it is an extra)."""
    try:
        import dask  # noqa: F401   (dask.config is used with it)
        import distributed
    except ImportError:
        raise ConfigError(f"{option} runs the sweep on Dask, which is not installed (accepted: pip install "
                          "'dask[distributed]', or pip install -e '.[dask]' in a clone of optimlab; --jobs N needs no "
                          "Dask)") from None
    return distributed


CONNECT_TIMEOUT = 20        # seconds Dask's Client tries to reach a scheduler
CONNECT_GRACE = 10          # and beyond them, how long a connection that hangs is given before it is given up


def _refused(address: str) -> str | None:
    """For a ``tcp://HOST:PORT`` address: why nothing can listen there — nothing listens (refused), or the host is not
    known — or None (reachable, or not known at once: Dask's Client then tries for its timeout). Dask retried a refused
    address for its whole 20 s (a Dask user's review: a stale scheduler file, a mistyped port)."""
    m = re.fullmatch(r"tcp://\[?([^\]]+?)\]?:(\d+)", address)
    if not m:
        return None
    try:
        socket.create_connection((m[1], int(m[2])), timeout=5).close()
    except ConnectionRefusedError as e:
        return e.strerror or type(e).__name__
    except socket.gaierror as e:        # an unknown name is final; a name server that failed for now (EAI_AGAIN) not
        return e.strerror or type(e).__name__ if e.errno == socket.EAI_NONAME else None
    except OSError:
        return None
    return None


def _client_within(make: Callable, address: str, what: str, accepted: str, source: str = ""):
    """``make(set_as_default=False)`` — a distributed ``Client`` — or a one-line ConfigError: a server that takes the
    connection but does not speak Dask's protocol (a scheduler's dashboard port, an HTTP proxy) kept it waiting for
    ever, past the 20 s timeout, or made it read an HTTP reply as a message length (MemoryError: 3.07 EiB); a Dask
    user's review. ``what`` names the scheduler in the errors (``"at 'tcp://…'"``, ``"of 'scheduler.json'"``),
    ``source`` where its address came from (``" (from 'scheduler.json')"``); a client that comes after the deadline is
    closed (it is nobody's default client: a notebook's next Dask call went to it, a code review)."""
    why = _refused(address)
    if why is not None:
        raise ConfigError(f"cannot reach the Dask scheduler {what}: {why} {accepted}")
    box: dict[str, Any] = {}
    given_up = threading.Event()

    def connect() -> None:
        try:
            client = make(set_as_default=False)
        except BaseException as e:  # noqa: BLE001 - said below, in the caller's thread
            box["error"] = e
            return
        box["client"] = client
        if given_up.is_set():
            with contextlib.suppress(Exception):
                client.close()

    t = threading.Thread(target=connect, name="optimlab-dask-connect", daemon=True)
    t.start()
    waited = CONNECT_TIMEOUT + CONNECT_GRACE
    t.join(waited)
    if t.is_alive():
        given_up.set()
        raise ConfigError(f"no Dask scheduler answered at {address}{source} within {waited:g} s: the server there takes "
                          f"connections but does not speak Dask's protocol {accepted}")
    e = box.get("error")
    if isinstance(e, OSError):
        raise ConfigError(f"cannot reach the Dask scheduler {what}: {e} {accepted}") from None
    if isinstance(e, Exception):
        raise ConfigError(f"the server at {address}{source} does not answer as a Dask scheduler ({type(e).__name__}) "
                          f"{accepted}") from None
    if e is not None:
        raise e
    return box["client"]


SCHEDULER_PORT = ("its port is usually 8786; 8787 is usually its dashboard's, which serves web pages, not the "
                  "scheduler")


class DaskExecutor(Executor):
    """A Dask distributed ``Client``. Build one with :meth:`local`, :meth:`connect` or :meth:`from_scheduler_file`.

    Tasks go through ``client.submit(..., retries=)``; a worker that dies has its tasks rescheduled by the
    scheduler. Only a cluster this executor started is shut down by :meth:`close`.
    """

    def __init__(self, client, *, cluster=None, owns: bool = False, how: str = "client"):
        import logging

        self.client, self.cluster, self.owns, self.how = client, cluster, owns, how
        # a lost scheduler is said in one line (ExecutorLost); the client's own reconnection log added 35 lines of
        # tracebacks above it
        self._client_log = logging.getLogger("distributed.client")
        self._client_level = self._client_log.level
        self._client_log.setLevel(logging.CRITICAL)

    @classmethod
    def local(cls, n_workers: int, *, malloc_override: bool = True, **cluster_kwargs: Any) -> "DaskExecutor":
        """Start a ``LocalCluster`` of ``n_workers`` single-threaded processes listening on 127.0.0.1 only.

        Scripts that call this need an ``if __name__ == "__main__":`` guard (workers are spawned processes)."""
        if not isinstance(n_workers, int) or n_workers < 1:
            raise ConfigError(f"invalid --workers: {n_workers!r} (accepted: an integer >= 1)")
        _distributed("--workers")
        import dask
        from distributed import Client, LocalCluster
        settings = dict(MALLOC_OVERRIDE) if malloc_override else {}
        kwargs = {"n_workers": n_workers, "threads_per_worker": 1, "processes": True, "host": "127.0.0.1",
                  "dashboard_address": "127.0.0.1:0", "silence_logs": 50, **cluster_kwargs}
        # (50: its scheduler's ERROR lines on a task that killed its workers came above optimlab's one line; a review)
        with dask.config.set(settings):
            cluster = LocalCluster(**kwargs)
        how = f"LocalCluster({n_workers} worker{'s' if n_workers > 1 else ''})"
        return cls(Client(cluster), cluster=cluster, owns=True, how=how)

    @classmethod
    def connect(cls, address: str) -> "DaskExecutor":
        """Join a running scheduler, e.g. ``tcp://127.0.0.1:8786``."""
        Client = _distributed("--cluster").Client

        if re.fullmatch(r"[\w.\-]+:\d+", str(address)):      # HOST:PORT, as Dask takes it: TCP (a Dask user's review)
            address = f"tcp://{address}"
        if not str(address).startswith(("tcp://", "tls://", "inproc://", "ucx://", "ws://", "wss://")):
            raise ConfigError(f"invalid --cluster address: {address!r} (accepted: tcp://HOST:PORT or HOST:PORT)")
        client = _client_within(lambda **kw: Client(address, timeout=f"{CONNECT_TIMEOUT}s", **kw), address,
                                f"at {address!r}",
                                f"(accepted: the address of a running scheduler, tcp://HOST:PORT; {SCHEDULER_PORT})")
        return cls(client, how=f"scheduler {address}")

    @classmethod
    def from_scheduler_file(cls, path: str | os.PathLike) -> "DaskExecutor":
        Client = _distributed("--scheduler-file").Client

        accepted = "(accepted: a file written by 'dask scheduler --scheduler-file FILE')"
        if not os.path.isfile(path):
            raise ConfigError(f"scheduler file not found: {os.fspath(path)!r} {accepted}")
        try:
            with open(path, encoding="utf-8") as f:
                info = json.load(f)
        except (OSError, ValueError):
            info = None
        if not (isinstance(info, dict) and isinstance(info.get("address"), str)):
            raise ConfigError(f"not a Dask scheduler file: {os.fspath(path)!r} (no JSON with the scheduler's "
                              f"address) {accepted}")
        # a scheduler SIGKILLed leaves its file behind (a Dask user's review)
        file = os.fspath(path)
        client = _client_within(lambda **kw: Client(scheduler_file=file, timeout=f"{CONNECT_TIMEOUT}s", **kw),
                                info["address"], f"of {file!r}",
                                f"(accepted: the file of a running scheduler; one that has stopped may have left this "
                                f"file behind, with the address {info['address']})", source=f" (from {file!r})")
        return cls(client, how=f"scheduler file {os.fspath(path)}")

    @property
    def n_workers(self) -> int:  # type: ignore[override]
        return max(1, len(self.client.scheduler_info(n_workers=-1)["workers"]))

    @property
    def local_tasks(self) -> int:
        """A cluster this executor started runs here; one it connected to, elsewhere (1: this process's own)."""
        return self.n_workers if self.owns else 1

    @property
    def runs_here(self) -> bool:
        return self.owns

    def wait_for_workers(self, n: int, timeout: float = 60) -> None:
        self.client.wait_for_workers(n, timeout=timeout)

    def check_imports(self) -> None:
        """A one-line ConfigError when workers cannot import optimlab: every task failed to deserialize on them, and
        the sweep waited for ever, saying the workers had died (a Dask user's review: a worker started without the
        PYTHONPATH that finds optimlab). ``exec`` is Python's own, so the check itself reaches any worker."""
        answers = self.client.run(exec, "import optimlab", {}, on_error="return")
        if not answers:             # no worker yet: the sweep waits for one (said), and checks the first that comes
            self.client.wait_for_workers(1)
            answers = self.client.run(exec, "import optimlab", {}, on_error="return")
        bad = {w: a for w, a in answers.items() if isinstance(a, BaseException)}
        if bad:
            worker, e = next(iter(bad.items()))
            here = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
            raise ConfigError(f"{len(bad)} of the Dask cluster's {len(answers)} workers cannot import optimlab "
                              f"({worker}: {type(e).__name__}: {str(e)[:120]}) (accepted: optimlab installed where the "
                              f"workers run, or the workers started with PYTHONPATH naming the folder that holds "
                              f"optimlab, as {here} does here)")

    def submit(self, fn: Callable, *args: Any, retries: int = 0):
        return self.client.submit(fn, *args, retries=retries, pure=False)

    def as_completed(self, futures: Iterable) -> Iterator:
        from distributed import as_completed

        return iter(as_completed(list(futures), loop=self.client.loop))     # the client may not be the default one

    def describe(self) -> dict[str, Any]:
        info = self.client.scheduler_info(n_workers=-1)
        threads = [w.get("nthreads", 1) for w in (info.get("workers") or {}).values()]    # none: scheduler gone
        return {"kind": "dask", "how": self.how, "scheduler": self.client.scheduler.address,
                "workers": len(threads), "threads": int(sum(threads)), "dashboard": self.client.dashboard_link,
                "blas_threads_per_worker": 1}

    def close(self) -> None:
        try:
            self.client.close()
            if self.owns and self.cluster is not None:
                self.cluster.close()
        finally:        # after closing: a lost scheduler's "Failed to reconnect" was logged while the client closed
            self._client_log.setLevel(self._client_level)


def make_executor(*, jobs: int | None = None, workers: int | None = None, cluster: str | None = None,
                  scheduler_file: str | None = None) -> Executor:
    """The executor the command-line options ask for: Dask when ``cluster``, ``scheduler_file`` or ``workers``
    is given, else local processes (``jobs`` of them; 0: in this process)."""
    chosen = [x for x in (workers, cluster, scheduler_file) if x is not None]
    if len(chosen) > 1:
        raise ConfigError("choose one of --workers, --cluster, --scheduler-file (accepted: at most one)")
    if cluster is not None:
        return DaskExecutor.connect(cluster)
    if scheduler_file is not None:
        return DaskExecutor.from_scheduler_file(scheduler_file)
    if workers is not None:
        return DaskExecutor.local(workers)
    if jobs == 0:
        return SerialExecutor()
    if jobs is not None and jobs < 0:
        raise ConfigError(f"invalid --jobs: {jobs} (accepted: 0 for in-process, or a number of worker processes)")
    return LocalExecutor(jobs)
