"""The read contract: what crosses between a data source and the cockpit, as typed, versioned models.

Two implementations serve it: the local cache reader (`finops_tui.cache.local_reader`) and, later,
the REST client. Both return these models; the conformance suite in `tests/contract/` checks any
implementation against them. No module here touches a database, a network or Textual.
"""

CONTRACT_VERSION = "1.0"
