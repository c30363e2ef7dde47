"""Pure analysis over numbers the cache hands over: no SQL, no Textual, no I/O."""
