"""A results folder says which optimlab code made it (a researcher's review: ``optimlab_version`` is 0.1.0 at every
commit, and a rerun from recipe.toml under code whose minibatch sampler had been edited changed the numbers, and a
significance mark, without a word)."""

import json
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

import optimlab
from optimlab._source import SOURCE_KEY, other_source, source_sha256
from optimlab.api import compare
from optimlab.cli_text import japanese_warning
from optimlab.errors import ConfigError, OptimlabWarning
from optimlab.experiment.recipe import load_recipe
from optimlab.experiment.sweep import SweepSpec, load_sweep_spec, parse_lrs, run_sweep
from optimlab.train import TrainConfig

PACKAGE = Path(optimlab.__file__).resolve().parent


def digest_of(src: Path) -> str:
    out = subprocess.run([sys.executable, "-c", "from optimlab._source import source_sha256; print(source_sha256())"],
                         env={"PYTHONPATH": str(src), "PATH": "/usr/bin:/bin"}, capture_output=True, text=True,
                         check=True, cwd=src)
    return out.stdout.strip()


def test_the_digest_is_of_the_package_files_so_an_edit_anywhere_changes_it_and_bytecode_does_not(tmp_path):
    copy = tmp_path / "src" / "optimlab"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    assert digest_of(copy.parent) == source_sha256()          # the same files, elsewhere: the same digest
    (copy / "__pycache__").mkdir(exist_ok=True)
    (copy / "__pycache__" / "x.cpython-311.pyc").write_bytes(b"\0" * 16)
    (copy / ".loop.py.swp").write_bytes(b"editor")
    assert digest_of(copy.parent) == source_sha256()
    loop = copy / "train" / "loop.py"                         # the review's edit: the minibatch sampler's bound
    loop.write_text(loop.read_text(encoding="utf-8").replace("integers(0, self.n,", "integers(0, self.n - 1,", 1),
                    encoding="utf-8")
    assert loop.read_text(encoding="utf-8") != (PACKAGE / "train" / "loop.py").read_text(encoding="utf-8")
    edited = digest_of(copy.parent)
    assert edited != source_sha256() and len(edited) == 64
    (copy / "recipes" / "note.toml").write_text("# edited\n", encoding="utf-8")     # a shipped recipe counts too
    assert digest_of(copy.parent) not in (edited, source_sha256())


def test_a_compare_folder_records_the_code_and_a_rerun_of_its_recipe_under_other_code_warns(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error", OptimlabWarning)
        compare(dataset="digits", iters=20, out=tmp_path / "a", plots=False, report=False, progress=False)
    summary = json.loads((tmp_path / "a" / "summary.json").read_text())
    assert summary[SOURCE_KEY] == summary["environment"][SOURCE_KEY] == source_sha256()
    toml = tmp_path / "a" / "recipe.toml"
    assert f'{SOURCE_KEY} = "{source_sha256()}"' in toml.read_text()
    assert load_recipe(toml).source_sha256 == source_sha256()
    with warnings.catch_warnings():                           # the same code: no warning
        warnings.simplefilter("error", OptimlabWarning)
        compare(toml, out=tmp_path / "b", plots=False, report=False, progress=False)
    other = "0" * 64
    toml.write_text(toml.read_text().replace(source_sha256(), other))
    with pytest.warns(OptimlabWarning, match=rf"^'{toml}' records other optimlab code \(source SHA-256 000000000000… "
                                             rf"recorded, {source_sha256()[:12]}… now\), so its numbers can differ"):
        compare(toml, out=tmp_path / "c", plots=False, report=False, progress=False)
    c = (tmp_path / "c" / "recipe.toml").read_text()            # the new folder records the code it ran
    assert source_sha256() in c and other not in c


@pytest.mark.parametrize("value, accepted", [("abc", "64 lowercase hex"), (7, "a string"), ("A" * 64, "64 lowercase")])
def test_a_recorded_digest_that_is_not_one_is_a_one_line_error(tmp_path, value, accepted):
    toml = tmp_path / "r.toml"
    shown = f'"{value}"' if isinstance(value, str) else value
    toml.write_text(f'name = "x"\ndataset = "digits"\n{SOURCE_KEY} = {shown}\n[[runs]]\noptimizer = "sgd"\n')
    with pytest.raises(ConfigError, match=rf"^invalid {SOURCE_KEY}( in .*r\.toml)?: .*\(accepted: {accepted}") as e:
        load_recipe(toml)
    assert "\n" not in str(e.value)


def test_a_resumed_sweep_names_kept_runs_that_other_code_trained_and_a_sweep_toml_of_other_code_warns(tmp_path):
    spec = SweepSpec(name="t", dataset="digits", optimizers=("sgd",), lrs=parse_lrs("1e-2:1e-1:2"), seeds=(0,),
                     test_seeds=(5,), train=TrainConfig(iters=20, eval_interval=10))
    out = tmp_path / "s"
    with warnings.catch_warnings():
        warnings.simplefilter("error", OptimlabWarning)
        run_sweep(spec, out=out, progress=False)
        run_sweep(spec, out=out, progress=False)             # resumed under the same code: no warning
    status = out / "tune-sgd-lr0.01-s0" / "status.json"
    record = json.loads(status.read_text())
    assert record["worker"][SOURCE_KEY] == source_sha256()
    summary = json.loads((out / "summary.json").read_text())
    assert summary[SOURCE_KEY] == source_sha256() and summary["optimlab_version"] == optimlab.__version__
    record["worker"][SOURCE_KEY] = "1" * 64
    status.write_text(json.dumps(record))
    with pytest.warns(OptimlabWarning, match=rf"^1 of the runs already complete in '{out}' \(tune-sgd-lr0.01-s0\) "
                                             r"were trained by other optimlab code \(source SHA-256 111111111111… "
                                             "there") as w:
        result = run_sweep(spec, out=out, progress=False)
    assert len(w) == 1 and result.trained == [] and "tune-sgd-lr0.01-s0" in result.skipped      # kept, not retrained
    toml = out / "sweep.toml"
    assert load_sweep_spec(toml).source_sha256 == source_sha256()
    toml.write_text(toml.read_text().replace(source_sha256(), "2" * 64))
    with pytest.warns(OptimlabWarning, match=rf"^'{toml}' records other optimlab code"):
        assert load_sweep_spec(toml).source_sha256 == "2" * 64


def test_the_warnings_in_japanese():
    assert other_source(None, "x") is None and other_source(source_sha256(), "x") is None
    ja = japanese_warning(other_source("3" * 64, "'runs/a/recipe.toml'"))
    assert ja.startswith("'runs/a/recipe.toml' には、今とは違う optimlab のコードが記録されています") and "333333333333…" in ja
    from optimlab.experiment.sweep import other_code_kept
    ja = japanese_warning(other_code_kept(Path("runs/s"), [("tune-a", "4" * 64), ("tune-b", "4" * 64)]))
    assert ja.startswith("'runs/s' にある完了済みの実行のうち 2 件（tune-a、…）は、今とは違う") and "444444444444…" in ja


def test_the_same_files_with_crlf_line_ends_give_the_same_digest(tmp_path):
    """A code review: a Windows checkout (core.autocrlf) of the same commit was 'other optimlab code'."""
    copy = tmp_path / "src" / "optimlab"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("train/loop.py", "recipes/note.toml"):
        f = copy / name
        f.write_bytes(f.read_bytes().replace(b"\n", b"\r\n"))
    assert digest_of(copy.parent) == source_sha256()


def test_the_digest_is_of_the_files_as_imported_not_as_edited_later(tmp_path):
    """A code review: it was read when results were written, so an edit during a long run was recorded as the code
    that ran."""
    copy = tmp_path / "src" / "optimlab"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    script = ("import optimlab, pathlib, sys\n"
              "f = pathlib.Path(optimlab.__file__).parent / 'train' / 'loop.py'\n"
              "f.write_text(f.read_text() + '# edited\\n')\n"
              "from optimlab._source import source_sha256\nprint(source_sha256())\n")
    out = subprocess.run([sys.executable, "-c", script], env={"PYTHONPATH": str(copy.parent), "PATH": "/usr/bin:/bin"},
                         capture_output=True, text=True, check=True, cwd=tmp_path)
    assert out.stdout.strip() == source_sha256()           # the files as imported, before the edit
    assert digest_of(copy.parent) != source_sha256()         # the edited files are other code


def test_kept_runs_an_earlier_optimlab_trained_and_workers_of_other_code_are_said(tmp_path):
    """A code review: runs recorded without a digest were kept silently, and a cluster's workers with another optimlab
    trained without a word."""
    from concurrent.futures import Future

    from optimlab.experiment.executors import Executor
    from optimlab.experiment.sweep import check_workers, other_code_kept

    assert "(source SHA-256 not recorded there, " in other_code_kept(Path("s"), [("tune-a", "")])
    ja = japanese_warning(other_code_kept(Path("s"), [("tune-a", "")]))
    assert ja.startswith("'s' にある完了済みの実行のうち 1 件（tune-a）は、ソースの SHA-256 を記録しない以前の optimlab")

    class OtherOptimlab(Executor):
        def submit(self, fn, *args, retries=0):
            f = Future()
            codes, _ = fn(*args)                        # worker_codes, as a worker of another optimlab answers
            f.set_result((codes, "5" * 64))
            return f

    with pytest.warns(OptimlabWarning, match=r"^the sweep's worker processes run other optimlab code \(source SHA-256 "
                                             r"555555555555… there, "):
        check_workers(["sgd"], OtherOptimlab())
    assert japanese_warning(f"the sweep's worker processes run other optimlab code (source SHA-256 {'5' * 12}… there, "
                            f"{'6' * 12}… here): …").startswith("スイープのワーカーは、このプロセスとは違う optimlab")
    spec = SweepSpec(name="t", dataset="digits", optimizers=("sgd",), lrs=parse_lrs("1e-2:1e-1:2"), seeds=(0,),
                     test_seeds=(5,), train=TrainConfig(iters=20, eval_interval=10))
    out = tmp_path / "s"
    run_sweep(spec, out=out, progress=False)
    status = out / "tune-sgd-lr0.1-s0" / "status.json"
    record = json.loads(status.read_text())
    del record["worker"][SOURCE_KEY]                        # as an earlier optimlab wrote it
    status.write_text(json.dumps(record))
    with pytest.warns(OptimlabWarning, match=r"^1 of the runs already complete .* \(source SHA-256 not recorded there"):
        run_sweep(spec, out=out, progress=False)


def git_of(src: Path, **env: str) -> object:
    out = subprocess.run([sys.executable, "-c", "import json; from optimlab._source import source_git; "
                          "print(json.dumps(source_git()))"],
                         env={"PYTHONPATH": str(src), "PATH": "/usr/bin:/bin", **env}, capture_output=True, text=True,
                         check=True, cwd=src)
    return json.loads(out.stdout)


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_a_folder_names_the_git_commit_of_the_checkout_and_whether_its_files_are_that_commits(tmp_path):
    """A reproducibility review: the source digest confirms a guess but does not say which commit to check out."""
    repo = tmp_path / "repo"
    shutil.copytree(PACKAGE, repo / "src" / "optimlab", ignore=shutil.ignore_patterns("__pycache__"))
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "x"], check=True)
    head = subprocess.run([*git, "rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
    assert git_of(repo / "src") == {"commit": head, "changed_files": 0}
    with open(repo / "src" / "optimlab" / "optim" / "sgd.py", "a") as f:       # an edited copy of that commit
        f.write("\n# edited\n")
    (repo / "src" / "optimlab" / "notes.txt").write_text("new")
    (repo / "src" / "optimlab" / "scratch.swp").write_text("not source")
    assert git_of(repo / "src") == {"commit": head, "changed_files": 2}
    # not a checkout: nothing; an installed copy inside someone's repository (a virtual environment): nothing
    shutil.copytree(repo / "src" / "optimlab", tmp_path / "plain" / "optimlab")
    assert git_of(tmp_path / "plain") is None
    site = repo / ".venv" / "lib" / "site-packages"
    shutil.copytree(repo / "src" / "optimlab", site / "optimlab")
    assert git_of(site) is None
    # a code review: a copy that another repository does not track named that repository's commit, and a hook's
    # GIT_DIR named the hook's repository
    shutil.copytree(repo / "src" / "optimlab", repo / "vendored" / "optimlab")
    assert git_of(repo / "vendored") is None
    other = tmp_path / "other"
    subprocess.run(["git", "init", "-q", str(other)], check=True)
    assert git_of(repo / "src", GIT_DIR=str(other / ".git"))["commit"] == head
    # recorded in summary.json's environment, and shown by the report
    from optimlab.results.store import environment
    from optimlab.viz.report import environment_pairs

    assert environment().get("optimlab_git") == git_of(PACKAGE.parent)
    rows = dict(environment_pairs({"optimlab_git": {"commit": head, "changed_files": 2}}, "en"))
    assert rows["optimlab git commit"] == f"{head} (2 of the package's files changed since)"
    rows = dict(environment_pairs({"optimlab_git": {"commit": head, "changed_files": 0}}, "ja"))
    assert rows["optimlab の git コミット"] == f"{head}（パッケージのファイルはコミットのまま）"
    for odd in ({"commit": head}, {"commit": head, "changed_files": None}, {"commit": head, "changed_files": "2"}):
        assert dict(environment_pairs({"optimlab_git": odd}, "en"))["optimlab git commit"] == head    # the commit alone
