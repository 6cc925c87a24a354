"""Run directories: writing a comparison's outputs atomically, reading them back, summary tables."""

from .store import LoadedRun, environment, staged_directory, summary_dict, summary_table, write_metrics, write_results

__all__ = ["LoadedRun", "environment", "staged_directory", "summary_dict", "summary_table", "write_metrics",
           "write_results"]
