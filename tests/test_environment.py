"""summary.json's environment names what chose the last bits of every number: the BLAS kernels, NumPy's SIMD loops
and the environment variables that pick them (README: "Another machine gives other single-run numbers")."""

import numpy as np

from optimlab.results.store import CPU_SETTINGS, environment, numpy_simd
from optimlab.viz.report import environment_pairs


def test_environment_names_numpy_simd_loops_and_the_variables_that_chose_the_kernels(monkeypatch):
    for k in CPU_SETTINGS:
        monkeypatch.delenv(k, raising=False)
    env = environment()
    assert "cpu_settings" not in env                     # nothing chosen by hand: no row
    if "numpy_simd" not in env:                          # NumPy < 2.1 (or a build without dispatch) cannot say
        assert not hasattr(np.lib, "introspect") or numpy_simd() is None
    else:
        names = [part.split()[0] for part in env["numpy_simd"].split(", ")]
        assert names and set(names) <= {"exp", "power", "tanh"} and names == sorted(names)

    monkeypatch.setenv("OPENBLAS_CORETYPE", "Haswell")
    monkeypatch.setenv("NPY_DISABLE_CPU_FEATURES", "X86_V4")
    env = environment()
    assert env["cpu_settings"] == "OPENBLAS_CORETYPE=Haswell NPY_DISABLE_CPU_FEATURES=X86_V4"
    ja = dict(environment_pairs(env, "ja"))
    en = dict(environment_pairs(env, "en"))
    assert ja["カーネル選択の環境変数"] == en["kernel settings (environment)"] == env["cpu_settings"]
    if "numpy_simd" in env:
        assert ja["NumPy の SIMD ループ"] == en["NumPy SIMD loops"] == env["numpy_simd"]


def test_the_blas_libraries_are_listed_in_one_order_whatever_the_import_order(monkeypatch):
    """A reproducibility review: a sweep loads two OpenBLAS copies (NumPy's and SciPy's), and threadpoolctl lists them
    in the order they were loaded, which varied from run to run: a resumed sweep rewrote summary.json with the two
    swapped, so identical sweeps were not identical files even outside their timings."""
    import threadpoolctl

    libs = [{"internal_api": "openblas", "version": "0.3.31.188.0", "num_threads": 1, "architecture": "SkylakeX",
             "filepath": "/a/site-packages/numpy.libs/libscipy_openblas64_.so"},
            {"internal_api": "openblas", "version": "0.3.30", "num_threads": 1, "architecture": "SkylakeX",
             "filepath": "/b/site-packages/scipy.libs/libscipy_openblas.so"}]
    seen = []
    for order in (libs, libs[::-1]):
        monkeypatch.setattr(threadpoolctl, "threadpool_info", lambda order=order: [dict(i) for i in order])
        seen.append(environment()["blas"])
    assert seen[0] == seen[1] and [b["version"] for b in seen[0]] == ["0.3.31.188.0", "0.3.30"]
    assert "filepath" not in seen[0][0]
    # each says whose it is (a visual review: the report showed two "blas" rows of different versions, unexplained)
    assert [b["package"] for b in seen[0]] == ["numpy", "scipy"]
    from optimlab.results.store import _blas_package

    # a code review: macOS wheels keep it in numpy/.dylibs; a system or conda library names no package
    assert _blas_package("/v/lib/python3.11/site-packages/numpy/.dylibs/libopenblas64_.0.dylib") == "numpy"
    assert _blas_package("/v/lib/python3.11/site-packages/scipy/.dylibs/libopenblas.0.dylib") == "scipy"
    assert _blas_package("/opt/conda/envs/x/lib/libopenblas.so.0") is None
    assert _blas_package("/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3") is None and _blas_package(None) is None
