"""pyproject.toml declares what the code imports: a packaging review found ``requests``, imported by the downloads,
installed only because pooch happened to need it."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DIST = {"PIL": "pillow", "sklearn": "scikit-learn", "matplotlib_fontja": "matplotlib-fontja", "tomli_w": "tomli-w",
        "distributed": "dask"}              # module -> the distribution that provides it, where the names differ
# imported only where present, each inside try/except ImportError: the notebook display (Jupyter brings them)
NOTEBOOK_ONLY = {"IPython", "matplotlib_inline"}


def _imported_modules() -> set[str]:
    mods = set()
    for path in (ROOT / "src" / "optimlab").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                mods |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                mods.add(node.module.split(".")[0])
    return {m for m in mods if m not in sys.stdlib_module_names and m != "optimlab"}


def _names(requirements) -> set[str]:
    return {re.match(r"[A-Za-z0-9_.-]+", r).group(0).lower() for r in requirements}


def test_every_third_party_module_the_code_imports_is_declared():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = _names(project["dependencies"]) | {n for reqs in project["optional-dependencies"].values()
                                                  for n in _names(reqs)}
    imported = _imported_modules()
    assert {"numpy", "requests", "sklearn", "PIL"} <= imported          # the walk sees the imports
    missing = sorted(m for m in imported - NOTEBOOK_ONLY if DIST.get(m, m).lower() not in declared)
    assert not missing, f"imported but not declared in pyproject.toml: {missing}"
    assert "requests" in _names(project["dependencies"])               # a required one, not only an extra's


def test_the_source_distribution_holds_what_the_readme_names(tmp_path):
    """A review of the built sdist: README names tools/make_torch_fixtures.py (to regenerate the test fixtures) and
    `bash .ci/run`, and neither was in it. Built with setuptools' own backend, as pip builds it."""
    import shutil
    import subprocess
    import tarfile

    # a copy (benchmarks/out included: MANIFEST.in prunes it) without the checkout's egg-info: setuptools adds the files an earlier build listed there
    src = tmp_path / "src"
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(".git", "*.egg-info", "runs", "__pycache__",
                                                             ".pytest_cache", "build", "dist", ".venv"))
    done = subprocess.run([sys.executable, "-c", "import sys; from setuptools import build_meta as b; "
                           "print(b.build_sdist(sys.argv[1]))", str(tmp_path)], cwd=src, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    with tarfile.open(tmp_path / done.stdout.split()[-1]) as tar:
        names = {n.split("/", 1)[1] for n in tar.getnames() if "/" in n}
    for needed in ("LICENSE", "README.md", "README.ja.md", ".ci/run", "tools/make_torch_fixtures.py",
                   "src/optimlab/recipes/note.toml", "src/optimlab/recipes/sweep.toml", "benchmarks/bench.py",
                   "tests/conftest.py", "docs/files.md"):
        assert needed in names, needed
    assert not [n for n in names if n.startswith("benchmarks/out/") or "__pycache__" in n or n.endswith(".pyc")]
