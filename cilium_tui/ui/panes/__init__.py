"""The panes of the main screen's tabs: nodes, checklist, remediation, log."""
