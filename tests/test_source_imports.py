"""Input modules import in one direction: input_files uses s3_exports, never the reverse, so neither
is half-initialised when the other imports it (both share data_files instead)."""

from __future__ import annotations

import grimp


def test_s3_exports_does_not_import_input_files_directly_or_indirectly():
    graph = grimp.build_graph("finops_tui")
    assert graph.find_shortest_chain("finops_tui.sources.s3_exports", "finops_tui.sources.input_files") is None
    assert graph.find_shortest_chain("finops_tui.sources.input_files", "finops_tui.sources.s3_exports") is not None
