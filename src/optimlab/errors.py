"""Errors a user can cause. Each carries a one-line message naming the bad value and what is accepted.

The CLI turns any :class:`OptimlabError` into ``optimlab: error: <message>`` and exit status 2.
"""

from __future__ import annotations

import difflib
from typing import Sequence


# how the recorded error of a run begins when it failed because another run trained in its cohort raised (a rule of
# one's own): said so, the command names the run whose error it was, not the first run of the cohort
BYSTANDER = "failed with "


def own_error_first(errors: Sequence[str | None]) -> int:
    """The index of the first recorded error that is the run's own (not :data:`BYSTANDER`'s), else 0."""
    return next((i for i, e in enumerate(errors) if not str(e or "").startswith(BYSTANDER)), 0)


class OptimlabWarning(UserWarning):
    """optimlab's own warnings (a rule's slot never written, labels from 1 …): the command line says each as one
    ``optimlab: warning:`` line, once."""


def close_name(name: str, names: Sequence[str]) -> str | None:
    """The one of ``names`` that ``name`` is most likely a typo of (``adma`` → ``adam``), or None. Two letters swapped
    count even in a short name (``sdg`` → ``sgd``: difflib's ratio is only 0.67 there)."""
    name, names = str(name).lower(), [str(n) for n in names]
    swapped = [n for n in names if len(n) == len(name) and sorted(n) == sorted(name)
               and sum(a != b for a, b in zip(n, name)) == 2]
    found = swapped or difflib.get_close_matches(name, names, n=1, cutoff=0.75)
    return found[0] if found else None


def did_you_mean(name: str, names: Sequence[str]) -> str:
    """``"; did you mean 'adam'?"`` for a close name, else ``""``: the end of an error's accepted list."""
    near = close_name(name, names)
    return f"; did you mean {near!r}?" if near is not None and near != str(name) else ""


class OptimlabError(Exception):
    """Base class of every error a user can cause (bad input, missing data)."""

    def _render_traceback_(self) -> list[str]:
        """In Jupyter (IPython asks for it), the one line, not 5–25 frames of optimlab's code above it (a notebook
        review: an unknown optimizer's name showed 25 lines before the message). The frames:
        ``traceback.print_exception(sys.last_value)``. An error raised ``from`` another (a plugin's, a callback's)
        gets IPython's full traceback: the cause is what to read there."""
        if self.__cause__ is not None or (self.__context__ is not None and not self.__suppress_context__):
            try:
                from IPython import get_ipython

                return get_ipython().InteractiveTB.structured_traceback(type(self), self, self.__traceback__)
            except Exception:  # noqa: BLE001 - no shell to ask: the line, and the cause's
                cause = self.__cause__ or self.__context__
                return [f"{type(self).__name__}: {self}", f"  (caused by {type(cause).__name__}: {cause})"]
        return [f"{type(self).__name__}: {self}"]


class ConfigError(OptimlabError, ValueError):
    """A bad setting: unknown name, out-of-range hyperparameter, malformed recipe."""


class DatasetError(OptimlabError):
    """A dataset that cannot be found, downloaded, verified or parsed."""


class FileFormatError(OptimlabError, ValueError):
    """A results file that is missing, unreadable or not as optimlab writes it; the message names the file
    (its name only: callers say which folder) and what is wrong, e.g. ``metrics.csv line 7: expected 5 fields``."""
