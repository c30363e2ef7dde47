"""The built wheel carries the top-level themes/ folder, and a non-editable install finds it."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_wheel_ships_builtin_themes_and_a_non_editable_install_loads_them(tmp_path):
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path / "dist"), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert build.returncode == 0, build.stderr
    wheel = next((tmp_path / "dist").glob("finops_tui-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    shipped = sorted(n for n in names if n.startswith("finops_tui/builtin_themes/"))
    expected = sorted(f"finops_tui/builtin_themes/{p.name}" for p in (ROOT / "themes").glob("*.toml"))
    assert shipped == expected and len(expected) >= 3
    assert "finops_tui/app/app.tcss" in names

    target = tmp_path / "site"
    install = subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), str(wheel)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert install.returncode == 0, install.stderr
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    code = (
        "import finops_tui, finops_tui.theme_files as t; "
        "themes, failures = t.load_theme_files(t.builtin_themes_dir()); "
        "print(finops_tui.__file__); print(sorted(x.name for x in themes)); print(failures)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=elsewhere,
        env={**os.environ, "PYTHONPATH": str(target)},
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    module_file, theme_names, failures = result.stdout.splitlines()
    assert module_file.startswith(str(target))  # the installed copy, not this checkout
    assert theme_names == "['finops-colourblind', 'finops-dark', 'finops-light', 'finops-mono']"
    assert failures == "[]"
