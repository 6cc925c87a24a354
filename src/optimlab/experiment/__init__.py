"""Experiments: recipes (TOML ↔ dataclasses) and the comparison of optimizers."""

from .compare import Cohort, CompareResult, RunResult, plan_cohorts, run_cohort, run_compare
from .recipe import Recipe, RunSpec, apply_overrides, default_recipe, load_recipe, parse_recipe, parse_seeds

__all__ = ["Cohort", "CompareResult", "RunResult", "plan_cohorts", "run_cohort", "run_compare", "Recipe", "RunSpec",
           "apply_overrides", "default_recipe", "load_recipe", "parse_recipe", "parse_seeds"]
