"""The public face of the library: every subpackage lists its names, each resolves, none is shadowed
by a submodule; ``import redoxmap`` stays light; the API, the CLI and the manifest share defaults."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import subprocess
import sys

import pytest

import redoxmap

SUBPACKAGES = [
    "cv",
    "cycling",
    "dems",
    "eis",
    "io",
    "model",
    "report",
    "sem",
    "store",
    "study",
    "tem",
    "xas",
    "xps",
    "xrd",
]


@pytest.mark.parametrize("name", SUBPACKAGES)
def test_every_public_name_resolves_and_is_documented(name):
    package = importlib.import_module(f"redoxmap.{name}")
    assert package.__all__, f"redoxmap.{name} exports nothing"
    for public in package.__all__:
        value = getattr(package, public)
        if callable(value) and not isinstance(value, type(redoxmap)):
            assert (value.__doc__ or "").strip(), f"redoxmap.{name}.{public} has no docstring"
    assert set(package.__all__) <= set(dir(package))


@pytest.mark.parametrize("name", SUBPACKAGES)
def test_no_public_name_is_also_a_submodule(name):
    """A submodule named like a function replaces it on the package once it is imported."""
    package = importlib.import_module(f"redoxmap.{name}")
    submodules = {m.name for m in pkgutil.iter_modules(package.__path__)}
    assert not submodules & set(package.__all__)


def test_subpackages_are_reachable_from_the_top():
    for name in SUBPACKAGES:
        assert getattr(redoxmap, name).__name__ == f"redoxmap.{name}"
    assert callable(redoxmap.read_cycling) and callable(redoxmap.activation_map)
    with pytest.raises(AttributeError):
        redoxmap.no_such_name  # noqa: B018


def test_import_redoxmap_is_light():
    code = ("import sys, redoxmap, redoxmap.xas, redoxmap.xrd, redoxmap.eis; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('numpy', 'pandas', 'scipy', 'matplotlib', 'xarray', 'lmfit', 'redoxmap')))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    modules = ast.literal_eval(loaded)
    heavy = [m for m in modules if not m.startswith("redoxmap")]
    ours = [m for m in modules if m.startswith("redoxmap")]
    assert heavy == []
    assert len(ours) <= 8, ours


def test_the_api_the_command_and_the_manifest_share_their_defaults():
    import inspect

    import typer

    from redoxmap import defaults
    from redoxmap.cli.structure import xrd_peaks
    from redoxmap.study import modalities
    from redoxmap.xrd import fit_peaks

    def option_default(command, name):
        value = inspect.signature(command).parameters[name].default
        return value.default if isinstance(value, typer.models.OptionInfo) else value

    assert (inspect.signature(fit_peaks).parameters["half_width_deg"].default
            == option_default(xrd_peaks, "half_width")
            == modalities()["xrd"].parameters().half_width_deg == defaults.XRD_HALF_WIDTH_DEG)
    for section, key, value in [("cycling", "smoothing_V", defaults.DQDV_SMOOTHING_V),
                                ("xas", "o_k_window_eV", list(defaults.O_K_WINDOW_EV)),
                                ("eis", "circuit", defaults.CIRCUIT)]:
        assert getattr(modalities()[section].parameters(), key) == value
