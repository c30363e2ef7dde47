"""Reusable widgets of the cockpit, one per module."""
