"""Figures shown inline in Jupyter without ``%matplotlib inline`` first.

optimlab draws on ``matplotlib.figure.Figure`` and never imports pyplot, so in a fresh Jupyter kernel the
matplotlib integration of IPython was never switched on and a cell that returned a figure showed only
``<Figure size 720x460 with 1 Axes>``. ipykernel sets matplotlib's backend to matplotlib-inline's; importing that
backend is what registers a Figure's PNG display with IPython (the side effect IPython's own ``%matplotlib``
relies on). Elsewhere — a script, a terminal, another backend chosen with ``%matplotlib`` — nothing changes.
"""

from __future__ import annotations

import sys

INLINE_BACKENDS = ("module://matplotlib_inline.backend_inline", "inline")


def inline_in_jupyter() -> None:
    """In an IPython kernel whose backend is matplotlib-inline's (Jupyter's default), a Figure a cell returns is
    shown as a picture; called by every function that makes a figure. Costs nothing outside IPython."""
    ipython = sys.modules.get("IPython")            # never imported here: only a running IPython has it loaded
    if ipython is None or ipython.get_ipython() is None:
        return
    import matplotlib

    backend = dict.__getitem__(matplotlib.rcParams, "backend")     # as set: get_backend() would import pyplot and
    if str(backend).lower() in INLINE_BACKENDS:                     # pick a backend (a GUI one in a desktop IPython)
        import matplotlib_inline.backend_inline  # noqa: F401 - its import switches IPython's integration on
