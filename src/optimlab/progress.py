"""The progress bars' class: tqdm's notebook widget where ipywidgets can draw it, else its text bar."""

from __future__ import annotations

from importlib.util import find_spec


def tqdm_class():
    """``tqdm.auto.tqdm`` (a widget in Jupyter, text elsewhere) when ipywidgets is installed, else ``tqdm.tqdm``:
    in a notebook without ipywidgets ``tqdm.auto`` warned (``TqdmWarning: IProgress not found. Please update jupyter
    and ipywidgets``) and drew the text bar all the same."""
    if find_spec("ipywidgets") is not None:
        from tqdm.auto import tqdm
    else:
        from tqdm import tqdm
    return tqdm
