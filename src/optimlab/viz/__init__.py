"""Figures: comparison plots, landscapes, telemetry and the HTML report (matplotlib Figure objects, no pyplot)."""
