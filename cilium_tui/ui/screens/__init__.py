"""Screens: the main screen with its tabs, the node detail, help."""
