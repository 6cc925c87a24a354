"""Run directories: writing a comparison's outputs atomically, reading them back, summary tables."""

from .stats import format_seed_report, histories_summary, mean_ci, paired_differences, seed_statistics
from .store import LoadedRun, environment, staged_directory, summary_dict, summary_table, write_metrics, write_results

__all__ = ["format_seed_report", "histories_summary", "mean_ci", "paired_differences", "seed_statistics", "LoadedRun", "environment", "staged_directory", "summary_dict", "summary_table", "write_metrics",
           "write_results"]
