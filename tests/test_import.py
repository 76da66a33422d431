"""Importing redoxmap stays cheap: heavy libraries load when they are used."""

import subprocess
import sys


def test_import_does_not_load_heavy_modules():
    code = ("import sys, redoxmap; heavy = [m for m in ('matplotlib', 'fastnda', 'polars', 'galvani', "
            "'lmfit', 'openpyxl', 'typer', 'jinja2', 'scipy') if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_cycling_lists_its_public_names():
    from redoxmap import cycling

    for name in cycling.__all__:
        assert getattr(cycling, name) is not None
