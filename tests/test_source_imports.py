"""Input modules import in one direction: input_files uses s3_exports, never the reverse, so neither
is half-initialised when the other imports it (both share data_files instead)."""

from __future__ import annotations

import grimp


def test_s3_exports_does_not_import_input_files_directly_or_indirectly():
    graph = grimp.build_graph("finops_tui")
    assert graph.find_shortest_chain("finops_tui.sources.s3_exports", "finops_tui.sources.input_files") is None
    assert graph.find_shortest_chain("finops_tui.sources.input_files", "finops_tui.sources.s3_exports") is not None


def test_server_auth_and_push_modules_never_import_textual():
    """The REST server is headless: serving, tokens and pushes must not load Textual."""
    import subprocess
    import sys

    modules = [
        "finops_tui.server.app",
        "finops_tui.server.serve_command",
        "finops_tui.auth.token_command",
        "finops_tui.sources.push_command",
        "finops_tui.sources.push_client",
    ]
    code = f"import sys, importlib\nfor m in {modules!r}: importlib.import_module(m)\n" + (
        "print(sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.')))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
