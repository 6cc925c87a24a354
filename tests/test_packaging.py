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
