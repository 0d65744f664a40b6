"""Remediations: plans as data, then preview, journal, apply, verify and undo."""
