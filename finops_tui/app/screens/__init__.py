"""Screens pushed over the tabs: drill-down details, the row describer. `esc` pops back to where the user was."""
