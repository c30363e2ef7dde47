"""API tokens for `finops-tui serve`: created, listed and revoked on the server host, stored only as hashes."""
