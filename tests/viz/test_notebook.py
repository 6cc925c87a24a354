"""In a real Jupyter kernel a figure a cell returns is shown as a picture, without ``%matplotlib inline`` first."""

import importlib.util
import os
import sys

import pytest

CELL = """
import sys
from optimlab.train import History
from optimlab.viz.figures import overlay_figure
from optimlab.viz.landscape import plot_landscape, run_landscape
h = History("Adam", eval_iters=[1, 2, 3], test_acc=[0.2, 0.5, 0.7], loss=[2.0, 1.0, 0.5])
"""


def _kernel_outputs(cells: list[str], folder) -> list[list[dict]]:
    """Each cell's outputs, run in one fresh ipykernel as Jupyter starts it (no MPLBACKEND of ours); skipped when
    no kernel can start here."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)     # the optimlab under test, the same packages
    client = nbclient.NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True,
                                     resources={"metadata": {"path": str(folder)}})
    try:
        setup = client.setup_kernel(env=env)
        setup.__enter__()
    except Exception as e:  # noqa: BLE001 - no kernel on this machine: nothing to test
        pytest.skip(f"no Jupyter kernel could start: {type(e).__name__}: {e}")
    try:
        for i, cell in enumerate(nb.cells):
            client.execute_cell(cell, i)
    finally:
        setup.__exit__(None, None, None)
    return [cell.outputs for cell in nb.cells]


def test_figures_show_inline_in_a_fresh_kernel(tmp_path):
    """A fresh kernel showed ``<Figure size 720x460 with 1 Axes>`` as text: optimlab never imports pyplot, so
    IPython's matplotlib integration was never switched on."""
    outputs = _kernel_outputs([CELL, "overlay_figure(h)",
                               "plot_landscape(run_landscape('bowl', 'sgd', steps=5), show_steps=False)"], tmp_path)
    for cell in outputs[1:]:
        shown = [o for o in cell if o.get("output_type") == "execute_result"]
        assert shown and "image/png" in shown[0]["data"], cell


def test_a_users_mistake_in_a_notebook_is_one_line_and_book_habits_are_named(tmp_path):
    """A notebook review: an unknown optimizer's name showed 25 lines of optimlab's frames above the one-line message,
    the book's ``train_flg=`` and ``weight_decay_lambda=`` were bare TypeErrors, ``from … import RMSprop`` (the book's
    spelling) failed, and ``out.result`` printed 3,100 characters. Each is one line now."""
    outputs = _kernel_outputs([
        "from optimlab.api import compare\ncompare(dataset='digits', optimizers='adamw', iters=5)",
        "import numpy as np\nfrom optimlab.nn import MultiLayerNet\nMultiLayerNet(64, [10], 10).predict(np.zeros((2, 64)), "
        "train_flg=False)",
        "MultiLayerNet(64, [10], 10, weight_decay_lambda=0.1)",
        "from optimlab.errors import ConfigError\ntry:\n    1 / 0\nexcept ZeroDivisionError as e:\n"
        "    raise ConfigError('a plugin failed') from e",
        "from optimlab.optim import RMSprop\nRMSprop(lr=0.01, decay_rate=0.9)",
        f"out = compare(dataset='digits', optimizers='sgd', iters=5, eval_interval=5, plots=False, report=False, "
        f"out={str(tmp_path / 'r')!r})\nout.result"], tmp_path)
    errors = [[o for o in cell if o.get("output_type") == "error"] for cell in outputs[:4]]
    assert [len(e) for e in errors] == [1, 1, 1, 1], outputs[:4]
    chained = "\n".join(errors.pop()[0]["traceback"])         # raised from another error: IPython's whole traceback
    assert "ZeroDivisionError" in chained and "a plugin failed" in chained, chained
    assert [e[0]["traceback"] for e in errors] == [
        ["ConfigError: unknown optimizer: 'adamw' (accepted: sgd, momentum, adagrad, rmsprop, adam; did you mean "
         "'adam'?)"],
        ["ConfigError: predict() takes train=, not the book's train_flg= (accepted: predict(..., train=False))"],
        ["ConfigError: invalid weight_decay_lambda: 0.1 (accepted: 0 or left out; optimlab's network has no weight "
         "decay, as the note's experiment uses none)"]]
    shown = [o["data"]["text/plain"] for cell in outputs[4:] for o in cell if o.get("output_type") == "execute_result"]
    assert shown[0].startswith("RMSProp(lr=0.01, decay=0.9,") and shown[1] == ("CompareResult('note', digits, 1 runs × seeds 0; "
                                                                   ".runs, .by_label())"), shown


def test_progress_in_a_notebook_without_ipywidgets_draws_text_without_a_warning(tmp_path):
    """compare(progress=True), as the READMEs show it, printed 'TqdmWarning: IProgress not found. Please update
    jupyter and ipywidgets' above its bars in a notebook without ipywidgets."""
    if importlib.util.find_spec("ipywidgets") is not None:
        pytest.skip("ipywidgets is installed here: the bar is a widget")
    outputs = _kernel_outputs(["from optimlab.api import compare\n"
                               "compare(dataset='digits', optimizers='sgd', iters=5, progress=True, plots=False, "
                               f"report=False, out={str(tmp_path / 'r')!r})"], tmp_path)
    text = "".join(o.get("text", "") for o in outputs[0] if o.get("output_type") == "stream")
    assert "5/5" in text and "Warning" not in text, text


def test_a_terminal_ipython_gets_no_backend_chosen():
    """Outside Jupyter's inline backend nothing changes: asking matplotlib for its backend imported pyplot and chose
    one (a GUI toolkit's, on a desktop) in a terminal IPython."""
    import subprocess

    pytest.importorskip("IPython", reason="needs IPython (pip install -e '.[test]')")

    code = ("import sys\nfrom IPython.core.interactiveshell import InteractiveShell\nInteractiveShell.instance()\n"
            "from optimlab.train import History\nfrom optimlab.viz.figures import overlay_figure\n"
            "overlay_figure([History('SGD', eval_iters=[1, 2], test_acc=[0.1, 0.2], loss=[1.0, 0.5])])\n"
            "print('matplotlib.pyplot' in sys.modules)\n")
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "False", done.stderr[-500:]


def test_a_text_progress_bar_names_the_seeds_runs_and_leaves_room_for_the_bar(tmp_path, capsys):
    """A teacher's review: without ipywidgets a notebook shows tqdm's 80-column text bar, and the description cut at 40
    characters ("seed 0: SGD, Momentum, AdaGrad, RMSPr...") left the bar one character wide. Six runs are counted."""
    from optimlab.api import compare

    compare(dataset="digits", iters=20, eval_interval=10, out=tmp_path / "r", plots=False, report=False, progress=True)
    lines = [ln for ln in capsys.readouterr().err.replace("\r", "\n").splitlines() if "|" in ln]
    last = lines[-1]
    assert last.startswith("seed 0 (6 runs): 100%|") and len(last) <= 80
    assert last.count("█") >= 20                                 # the bar itself has room
    compare(dataset="digits", optimizers="sgd", iters=20, eval_interval=10, out=tmp_path / "s", plots=False,
            report=False, progress=True)                         # names that fit are kept
    assert [ln for ln in capsys.readouterr().err.replace("\r", "\n").splitlines() if "|" in ln][-1].startswith(
        "seed 0: SGD: 100%|")
    recipe = tmp_path / "long.toml"                              # one long label is cut, not counted as "(1 runs)"
    recipe.write_text('[[runs]]\nlabel = "Adam with warm restarts and a long name"\noptimizer = "adam"\n',
                      encoding="utf-8")
    compare(recipe, dataset="digits", iters=20, eval_interval=10, out=tmp_path / "t", plots=False, report=False,
            progress=True)
    assert [ln for ln in capsys.readouterr().err.replace("\r", "\n").splitlines() if "|" in ln][-1].startswith(
        "seed 0: Adam with warm restarts and a...: 100%|")
    # in Japanese: the same words, a Japanese label cut by the columns it takes (a character: two), not its length
    compare(dataset="digits", iters=20, eval_interval=10, out=tmp_path / "u", plots=False, report=False,
            progress=True, lang="ja")
    assert [ln for ln in capsys.readouterr().err.replace("\r", "\n").splitlines() if "|" in ln][-1].startswith(
        "シード 0（実行 6 本）: 100%|")      # runs counted in 本, as the sweep and the report count them
    compare(dataset="digits", optimizers="sgd", iters=20, eval_interval=10, out=tmp_path / "v", plots=False,
            report=False, progress=True, lang="ja")
    assert [ln for ln in capsys.readouterr().err.replace("\r", "\n").splitlines() if "|" in ln][-1].startswith(
        "シード 0：SGD: 100%|")
    recipe.write_text('[[runs]]\nlabel = "学習率を途中で下げる長い名前の Adam"\noptimizer = "adam"\n', encoding="utf-8")
    compare(recipe, dataset="digits", iters=20, eval_interval=10, out=tmp_path / "w", plots=False, report=False,
            progress=True, lang="ja")
    assert [ln for ln in capsys.readouterr().err.replace("\r", "\n").splitlines() if "|" in ln][-1].startswith(
        "シード 0：学習率を途中で下げる長い名...: 100%|")      # 37 columns


def test_a_sweeps_progress_bar_speaks_its_language(tmp_path, capsys):
    """A Japanese student's review: the bars said "seed 0: …" and "sweep …" in Japanese mode."""
    from optimlab.experiment.executors import SerialExecutor
    from optimlab.experiment.sweep import SweepSpec, run_sweep
    from optimlab.train import TrainConfig

    spec = SweepSpec(name="bars", dataset="digits", optimizers=("sgd",), lrs=(0.1,), seeds=(0,), test_seeds=(9,),
                     train=TrainConfig(iters=10, eval_interval=10))
    for lang, out, start in (("ja", "a", "スイープ bars: 100%|"), ("en", "b", "sweep bars: 100%|")):
        run_sweep(spec, SerialExecutor(), out=tmp_path / out, progress=True, lang=lang)
        bars = [ln for ln in capsys.readouterr().err.replace("\r", "\n").splitlines() if "|" in ln]
        assert bars[-1].startswith(start), bars[-1]


@pytest.mark.parametrize("stop", ["interrupt", "terminate"])
def test_stopping_compare_in_a_notebook_is_one_short_line(tmp_path, monkeypatch, stop):
    """A teacher's review: the stop button during compare() printed some 50 lines of traceback ending in the batch
    sampler. It is one KeyboardInterrupt raised from compare() now (SIGTERM's kind kept, for the command's 143), and
    no run folder is left."""
    import traceback

    from optimlab.api import compare
    from optimlab.cli import Terminated
    from optimlab.train import Trainer

    kind = KeyboardInterrupt if stop == "interrupt" else Terminated

    def stopped(self, *args, **kwargs):
        raise kind()

    monkeypatch.setattr(Trainer, "run", stopped)
    with pytest.raises(kind) as e:
        compare(dataset="digits", iters=20, out=tmp_path / "r", plots=False, report=False)
    assert type(e.value) is kind
    assert str(e.value) == f"compare() stopped; nothing half-written is left in {str(tmp_path / 'r')!r}"
    assert e.value.__suppress_context__ and len(traceback.extract_tb(e.value.__traceback__)) <= 2
    assert not (tmp_path / "r").exists()
