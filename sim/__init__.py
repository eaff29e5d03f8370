"""Event-sourced reciprocity simulator."""

__version__ = "0.1.0"
