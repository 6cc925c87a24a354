"""Sweeps on Dask: a LocalCluster, and a scheduler and workers started as separate processes (127.0.0.1 only).

In both, one worker process is SIGKILLed while tasks run: no run is lost, and the table equals the one of
the same sweep run serially in this process.
"""

import csv
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

distributed = pytest.importorskip("distributed")

from optimlab.experiment.executors import DaskExecutor, SerialExecutor  # noqa: E402
from optimlab.experiment.sweep import SweepSpec, parse_lrs, run_sweep  # noqa: E402
from optimlab.train import TrainConfig  # noqa: E402

# Long enough per task (about a second) that a worker can be killed while it trains. The cohorts are split
# into a fixed number of tasks (by default the number follows the workers registered when the sweep starts);
# a model's numbers do not depend on its cohort, tests/train checks that bit for bit.
SPEC = SweepSpec(name="dask", dataset="digits", lrs=parse_lrs("1e-3:1:4"), seeds=(0, 1),
                 train=TrainConfig(iters=1000, eval_interval=250), targets=(0.5,), chunks=2)
CLI_ARGS = ["--dataset", "digits", "--lrs", "1e-3:1:4", "--seeds", "2", "--iters", "1000", "--eval-interval", "250",
            "--targets", "0.5", "--chunks", "2", "--no-progress", "--no-plots"]


def table(path):
    with open(path, newline="") as f:
        return [{k: v for k, v in r.items() if k not in ("wall_seconds", "task_models") and not k.startswith("seconds_to")}
                for r in csv.DictReader(f)]


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    out = tmp_path_factory.mktemp("serial")
    run_sweep(SPEC, SerialExecutor(), out=out)
    return table(out / "table.csv")


def _kill_one_worker_when_busy(client, killed: list, timeout=60.0):
    """SIGKILL one worker process as soon as the scheduler reports a task processing on it."""
    t0 = time.time()
    pids = client.run(os.getpid)                       # {worker address: pid}
    while time.time() - t0 < timeout:
        busy = [w for w, tasks in client.processing().items() if tasks and w in pids]
        if busy:
            time.sleep(0.3)                            # well inside the task
            os.kill(pids[busy[0]], signal.SIGKILL)
            killed.append(pids[busy[0]])
            return
        time.sleep(0.05)


def test_local_cluster_sweep_survives_a_killed_worker(tmp_path, reference):
    with DaskExecutor.local(2) as ex:
        env = ex.client.run(lambda: (os.environ.get("MALLOC_TRIM_THRESHOLD_"), os.environ.get("OMP_NUM_THREADS")))
        assert set(env.values()) == {(None, "1")}      # our override reached the workers
        info = ex.describe()
        assert info["workers"] == 2 and info["scheduler"].startswith("tcp://127.0.0.1:")
        assert "127.0.0.1" in info["dashboard"]
        assert ex.local_tasks == 2                      # its workers are this machine's: their memory adds up
        with DaskExecutor.connect(info["scheduler"]) as elsewhere:
            assert elsewhere.local_tasks == 1           # a cluster connected to may be other machines
        killed: list = []
        killer = threading.Thread(target=_kill_one_worker_when_busy, args=(ex.client, killed), daemon=True)
        killer.start()
        r = run_sweep(SPEC, ex, out=tmp_path)
        killer.join()
    assert killed, "no worker was killed"
    assert {row["status"] for row in r.table} == {"ok"} and len(r.trained) == len(reference)
    assert r.summary["executor"]["kind"] == "dask"
    assert table(tmp_path / "table.csv") == reference


@pytest.fixture
def dask_processes(tmp_path):
    """``dask scheduler`` and two ``dask worker`` processes on 127.0.0.1, torn down afterwards (run as
    ``python -m dask ...`` so that they use this interpreter)."""
    sched_file = tmp_path / "scheduler.json"
    procs = []
    common = ["--dashboard-address", "127.0.0.1:0"]
    try:
        procs.append(subprocess.Popen([sys.executable, "-m", "dask", "scheduler", "--host", "127.0.0.1",
                                       "--port", "0", "--scheduler-file", str(sched_file), *common],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        for _ in range(300):
            if sched_file.exists() and sched_file.stat().st_size > 0:
                break
            time.sleep(0.1)
        else:
            pytest.fail("dask scheduler did not start")
        for _ in range(2):
            procs.append(subprocess.Popen([sys.executable, "-m", "dask", "worker", "--scheduler-file",
                                           str(sched_file), "--nworkers", "1", "--nthreads", "1", "--host",
                                           "127.0.0.1", *common],
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        with distributed.Client(scheduler_file=str(sched_file), timeout="30s") as client:
            client.wait_for_workers(2, timeout=60)
        yield sched_file
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in reversed(procs):
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


def test_separate_process_cluster_via_cli_survives_a_killed_worker(tmp_path, dask_processes, reference):
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "optimlab", "sweep", "--scheduler-file", str(dask_processes), "--out", str(out), *CLI_ARGS]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    killed: list = []
    with distributed.Client(scheduler_file=str(dask_processes), timeout="30s") as client:
        _kill_one_worker_when_busy(client, killed)
        stdout, _ = proc.communicate(timeout=240)
    assert proc.returncode == 0, stdout
    assert killed, "no worker was killed"
    assert "Note's default learning rate vs tuned" in stdout and "wall time" in stdout
    assert table(out / "table.csv") == reference
    import json

    # the nanny's MALLOC_TRIM_THRESHOLD_ was undone: said by each worker process's first task (one run read at random
    # failed when its task was not a first one)
    workers = [json.loads(p.read_text())["worker"] for p in Path(out).glob("tune-*/status.json")]
    assert any(w.get("malloc_fix") is True for w in workers), workers


def test_joining_a_scheduler_takes_host_port_and_says_a_file_may_be_stale(tmp_path, monkeypatch):
    """A Dask user's review: `--cluster 127.0.0.1:8786` was refused though Dask takes HOST:PORT; a scheduler file a
    SIGKILLed scheduler left behind cost 20 s and an error with no word that the file may be stale. (Client is
    replaced here: the real one waits its 20 s timeout.)"""
    from optimlab.errors import ConfigError
    from optimlab.experiment.executors import DaskExecutor

    seen = []

    class Unreachable:
        def __init__(self, address=None, scheduler_file=None, timeout=None, set_as_default=True):
            seen.append(address or scheduler_file)
            raise OSError("Timed out trying to connect to tcp://127.0.0.1:8786 after 20 s")

    from optimlab.experiment import executors

    with monkeypatch.context() as m:
        m.setattr(distributed, "Client", Unreachable)
        m.setattr(executors, "_refused", lambda address: None)      # as if something listened there
        with pytest.raises(ConfigError, match=r"cannot reach the Dask scheduler at 'tcp://127.0.0.1:8786'"):
            DaskExecutor.connect("127.0.0.1:8786")
    assert seen == ["tcp://127.0.0.1:8786"]
    with pytest.raises(ConfigError, match=r"invalid --cluster address: 'http://x:1' \(accepted: tcp://HOST:PORT or "):
        DaskExecutor.connect("http://x:1")
    stale = tmp_path / "scheduler.json"
    stale.write_text('{"address": "tcp://127.0.0.1:8786", "type": "Scheduler"}', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"one that has stopped may have left this file behind, with the address "
                                          r"tcp://127.0.0.1:8786\)$"):
        DaskExecutor.from_scheduler_file(stale)


def _closed_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_address_where_nothing_listens_or_nothing_speaks_dask_is_one_line_at_once(tmp_path, monkeypatch):
    """A Dask user's review: --cluster at a port where nothing listened, or a stale scheduler file, waited Dask's 20 s
    before its error; at a scheduler's dashboard port (a web server) it waited for ever, silent; at a server answering
    HTTP it ended in a traceback (MemoryError: 3.07 EiB, an HTTP reply read as a message length). Now: refused at once,
    and a server that does not speak Dask's protocol is given up after the timeout, each in one line."""
    import http.server
    import socket

    from optimlab.errors import ConfigError
    from optimlab.experiment import executors

    port = _closed_port()
    start = time.monotonic()
    with pytest.raises(ConfigError, match=rf"^cannot reach the Dask scheduler at 'tcp://127.0.0.1:{port}': "
                                          r"Connection refused \(accepted: the address of a running scheduler, "):
        DaskExecutor.connect(f"127.0.0.1:{port}")
    stale = tmp_path / "scheduler.json"
    stale.write_text(f'{{"address": "tcp://127.0.0.1:{port}", "type": "Scheduler"}}', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"Connection refused \(accepted: the file of a running scheduler; one that "
                                          r"has stopped may have left this file behind") as e:
        DaskExecutor.from_scheduler_file(stale)
    from optimlab.cli_text import japanese_error
    assert japanese_error(str(e.value)).startswith(f"スケジューラーファイル '{stale}' にある Dask のスケジューラーに接続"
                                                   "できません")
    assert time.monotonic() - start < 10            # not Dask's 20 s of retries, twice

    monkeypatch.setattr(executors, "CONNECT_TIMEOUT", 2)
    monkeypatch.setattr(executors, "CONNECT_GRACE", 3)
    quiet = type("Quiet", (http.server.SimpleHTTPRequestHandler,), {"log_message": lambda self, *a: None})
    web = http.server.ThreadingHTTPServer(("127.0.0.1", 0), quiet)
    threading.Thread(target=web.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    mute = socket.socket()                               # takes connections, says nothing
    mute.bind(("127.0.0.1", 0))
    mute.listen(8)
    try:
        for server_port in (web.server_address[1], mute.getsockname()[1]):
            outcome: list = []

            def connect():
                try:
                    DaskExecutor.connect(f"127.0.0.1:{server_port}")
                    outcome.append("connected")
                except Exception as e:  # noqa: BLE001
                    outcome.append(e)

            t = threading.Thread(target=connect, daemon=True)
            t.start()
            t.join(30)
            assert outcome, f"still waiting after 30 s for 127.0.0.1:{server_port}"
            e = outcome[0]
            assert isinstance(e, ConfigError) and "\n" not in str(e), e
            assert str(e).startswith((f"no Dask scheduler answered at tcp://127.0.0.1:{server_port} within 5 s",
                                      f"cannot reach the Dask scheduler at 'tcp://127.0.0.1:{server_port}'",
                                      f"the server at tcp://127.0.0.1:{server_port} does not answer as a Dask")), e
            assert str(e).endswith("8787 is usually its dashboard's, which serves web pages, not the scheduler)")
            assert "8786" in japanese_error(str(e)), japanese_error(str(e))        # a Japanese line of its own
        # through a scheduler file naming the silent server: said with the address and the file
        (tmp_path / "mute.json").write_text(f'{{"address": "tcp://127.0.0.1:{mute.getsockname()[1]}"}}')
        with pytest.raises(ConfigError, match=rf"^no Dask scheduler answered at tcp://127.0.0.1:{mute.getsockname()[1]} "
                                              rf"\(from '{tmp_path / 'mute.json'}'\) within 5 s: the server there takes "):
            DaskExecutor.from_scheduler_file(tmp_path / "mute.json")
    finally:
        web.shutdown()
        web.server_close()
        mute.close()


def test_a_client_that_connects_after_the_deadline_is_closed_and_nobodys_default(monkeypatch):
    """A code review: the client of an abandoned connection became distributed's default client, where a notebook's
    next Dask call went. It is made with set_as_default=False, and closed when it comes after the deadline."""
    from optimlab.errors import ConfigError
    from optimlab.experiment import executors

    monkeypatch.setattr(executors, "CONNECT_TIMEOUT", 0.2)
    monkeypatch.setattr(executors, "CONNECT_GRACE", 0.1)
    monkeypatch.setattr(executors, "_refused", lambda address: None)
    made, closed = [], threading.Event()

    class Late:
        def close(self):
            closed.set()

    def make(**kw):
        made.append(kw)
        time.sleep(0.6)                    # past the 0.3 s deadline
        return Late()

    with pytest.raises(ConfigError, match=r"^no Dask scheduler answered at tcp://h:1 within 0.3 s"):
        executors._client_within(make, "tcp://h:1", "at 'tcp://h:1'", "(accepted: …)")
    assert made == [{"set_as_default": False}]
    assert closed.wait(5)
    on_time = executors._client_within(lambda **kw: "client", "tcp://h:1", "at 'tcp://h:1'", "(accepted: …)")
    assert on_time == "client"


def test_workers_that_cannot_import_optimlab_are_said_before_anything_trains(tmp_path):
    """A Dask user's review: a worker started without the PYTHONPATH that finds optimlab took the sweep's tasks and
    failed to load each ("Failed to deserialize" in its log only); the sweep waited for ever, saying the workers had
    died. Here a real worker process whose optimlab does not import."""
    from optimlab.errors import ConfigError
    from optimlab.experiment.sweep import check_workers

    broken = tmp_path / "broken" / "optimlab"
    broken.mkdir(parents=True)
    (broken / "__init__.py").write_text('raise ModuleNotFoundError("No module named optimlab (a test copy)")\n')
    cluster = distributed.LocalCluster(n_workers=0, host="127.0.0.1", dashboard_address="127.0.0.1:0")
    executor = DaskExecutor(distributed.Client(cluster), cluster=cluster, owns=True)
    outcome: list = []
    worker = None
    try:
        def check():
            try:
                check_workers(["sgd"], executor)
                outcome.append("passed")
            except Exception as e:  # noqa: BLE001
                outcome.append(e)

        t = threading.Thread(target=check, daemon=True)
        t.start()                   # before any worker: the check waits for the first (a code review: it passed)
        time.sleep(0.5)
        worker = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker", cluster.scheduler.address,
                                   "--nthreads", "1", "--no-nanny", "--host", "127.0.0.1", "--dashboard-address",
                                   "127.0.0.1:0"], env={**os.environ, "PYTHONPATH": str(broken.parent)},
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        t.join(60)
        assert outcome, "check_workers still waiting after 60 s"
        e = outcome[0]
        assert isinstance(e, ConfigError), e
        assert str(e).startswith("1 of the Dask cluster's 1 workers cannot import optimlab (tcp://127.0.0.1:"), e
        assert "ModuleNotFoundError: No module named optimlab (a test copy)) (accepted: optimlab installed where the " \
               "workers run, or the workers started with PYTHONPATH" in str(e)
        from optimlab.cli_text import japanese_error
        assert japanese_error(str(e)).startswith("Dask のクラスターのワーカー 1 台のうち 1 台が optimlab を import できません")
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(20)
        executor.close()


def test_a_sweep_whose_workers_all_left_says_it_waits(capsys):
    """A Dask user's review: every worker SIGKILLed mid-sweep left the sweep waiting with no word (the note came only
    at the start). Each time a scheduler that had workers has none, one note; none while it has some."""
    from optimlab.cli_sweep import watch_workers

    counts = iter([2, 2, 0, 0, 1, 0])
    stop = threading.Event()

    class Client:
        def scheduler_info(self, n_workers=None):
            try:
                return {"workers": dict.fromkeys(range(next(counts)))}
            except StopIteration:
                stop.set()
                return {"workers": {0: 0}}

    class Executor:
        client = Client()

    watch_workers(Executor(), stop, every=0.01)
    err = capsys.readouterr().err
    assert err.count("optimlab: note: the scheduler has no workers now (they stopped or died); the sweep waits for "
                     "one (Ctrl-C stops it, and the same command resumes it)") == 2
