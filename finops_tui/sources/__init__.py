"""Where data comes from: billing-file ingest, the demo generator, and (later) cloud APIs and the REST client.

Sources parse their input and hand rows to `finops_tui.cache` to write; they never read the cache.
"""
