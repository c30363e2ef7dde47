"""Pure analysis over series the cache hands over: no SQL, no Textual, no I/O beyond files it is given."""
