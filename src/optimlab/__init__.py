"""optimlab: run, see and fairly compare learning-rate optimizers on a NumPy network.

Where to start:

* the command line: ``optimlab compare`` (the note's experiment), ``optimlab sweep``, ``optimlab landscape``,
  ``optimlab report``, ``optimlab data``; each with ``--help`` (``--help --lang ja``: in Japanese);
* in Python (README.md's "Python API" section): ``optimlab.api.compare`` (what ``optimlab compare`` runs),
  ``optimlab.experiment.sweep.run_sweep``, ``optimlab.train.Trainer`` (one training loop for one model or many in
  lockstep), ``optimlab.optim.make_optimizer`` and the rules in ``optimlab.optim`` (each update rule written once,
  its formula in its docstring), ``optimlab.nn`` (the network, its layers and their backward passes),
  ``optimlab.viz.landscape.run_landscape``.
"""

__version__ = "0.1.0"

from ._source import source_sha256 as _source_sha256  # noqa: E402

_source_sha256()        # the files as imported: what results record as the code that ran (optimlab._source)

