"""Experiments: recipes (TOML ↔ dataclasses) and the comparison of optimizers."""

from .compare import Cohort, CompareResult, RunResult, plan_cohorts, run_cohort, run_compare
from .executors import DaskExecutor, LocalExecutor, SerialExecutor, make_executor
from .recipe import Recipe, RunSpec, apply_overrides, default_recipe, load_recipe, parse_recipe, parse_seeds

__all__ = ["Cohort", "CompareResult", "RunResult", "plan_cohorts", "run_cohort", "run_compare", "Recipe", "RunSpec",
           "apply_overrides", "default_recipe", "load_recipe", "parse_recipe", "parse_seeds"]
from .sweep import SweepResult, SweepSpec, default_sweep_spec, load_sweep_spec, run_sweep

__all__ += ["DaskExecutor", "LocalExecutor", "SerialExecutor", "make_executor", "SweepResult", "SweepSpec",
            "default_sweep_spec", "load_sweep_spec", "run_sweep"]
