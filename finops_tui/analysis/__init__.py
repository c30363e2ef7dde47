"""Pure analysis over what the cache hands over: no SQL, no Textual.

Forecasts, budgets, optimization rules and anomaly detection.
"""
