"""The cache: one DuckDB file, its schema and migrations, its writes, and the only SQL reads.

Readers open the file read-only; a writer builds a new copy and swaps it in atomically
(see `files.py`), so an open cockpit never blocks and never sees half a write.
"""
