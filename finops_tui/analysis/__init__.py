"""Pure analysis over cache facts: no SQL, no Textual (optimization rules; anomaly detection; forecasts)."""
