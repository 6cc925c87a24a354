"""optimlab: run, see and fairly compare learning-rate optimizers on a NumPy network."""

__version__ = "0.1.0"

