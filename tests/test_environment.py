"""summary.json's environment names what chose the last bits of every number: the BLAS kernels, NumPy's SIMD loops
and the environment variables that pick them (README: "Another machine gives other single-run numbers")."""

import numpy as np
import pytest

from optimlab.results.store import CPU_SETTINGS, environment
from optimlab.viz.report import environment_pairs


def test_environment_names_numpy_simd_loops_and_the_variables_that_chose_the_kernels(monkeypatch):
    for k in CPU_SETTINGS:
        monkeypatch.delenv(k, raising=False)
    env = environment()
    assert "cpu_settings" not in env                     # nothing chosen by hand: no row
    if not hasattr(np.lib, "introspect"):                # NumPy < 2.1 cannot say which loops run
        pytest.skip("numpy.lib.introspect is missing")
    assert [part.split()[0] for part in env["numpy_simd"].split(", ")] == ["exp", "power", "tanh"]

    monkeypatch.setenv("OPENBLAS_CORETYPE", "Haswell")
    monkeypatch.setenv("NPY_DISABLE_CPU_FEATURES", "X86_V4")
    env = environment()
    assert env["cpu_settings"] == "OPENBLAS_CORETYPE=Haswell NPY_DISABLE_CPU_FEATURES=X86_V4"
    ja = dict(environment_pairs(env, "ja"))
    en = dict(environment_pairs(env, "en"))
    assert ja["カーネルを選んだ環境変数"] == en["kernels chosen by"] == env["cpu_settings"]
    assert ja["NumPy の SIMD ループ"] == en["NumPy SIMD loops"] == env["numpy_simd"]
