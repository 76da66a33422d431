"""Shared fixtures: the real instrument files in ../shared/data and small helpers."""

from __future__ import annotations

import hashlib
import os
import shutil
import warnings
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def pytest_addoption(parser):
    parser.addoption("--run-slow", action="store_true", help="also run the tests marked slow (CI always does)")


def pytest_collection_modifyitems(config, items):
    """Tests marked slow run under CI (the CI variable set) or with --run-slow; otherwise they are skipped
    with a reason saying how to run them."""
    if config.getoption("--run-slow") or os.environ.get("CI"):
        return
    skip = pytest.mark.skip(reason="slow: run with --run-slow (CI runs it)")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True, scope="session")
def _own_cache(tmp_path_factory):
    """The tests' measured cluster costs (redoxmap.study.adaptive_executor) go to a folder of their own, never
    to the user's cache, and none of the user's measurements decides a test's executor."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("REDOXMAP_CACHE", str(tmp_path_factory.mktemp("cache")))
        yield


def _data_root() -> Path:
    configured = os.environ.get("REDOXMAP_TEST_DATA")
    return Path(configured) if configured else REPO.parent / "shared" / "data"


@pytest.fixture(scope="session")
def data() -> Path:
    """The folder of real instrument files (``../shared/data`` beside the repository)."""
    root = _data_root()
    if not (root / "echem").is_dir():
        pytest.fail(f"real test data not found at {root}; set REDOXMAP_TEST_DATA")
    return root


@pytest.fixture(scope="session")
def echem(data) -> Path:
    return data / "echem"


def require_program(program: str, package: str) -> str:
    """The path of a system program a test needs. Outside CI a missing one skips the test with the line
    that installs it; under CI (which installs it) it fails the test."""
    found = shutil.which(program) or (os.path.exists(f"/usr/bin/{program}") and f"/usr/bin/{program}")
    if found:
        return found
    message = f"{program} is not installed: apt-get install {package}"
    if os.environ.get("CI"):
        pytest.fail(f"CI must have {program} (.ci/run installs it); {message}")
    pytest.skip(message)


def require_program_for(path, program: str = "mdb-export", package: str = "mdbtools",
                        suffixes: tuple[str, ...] = (".res",)) -> None:
    """:func:`require_program` when the file is one only that program reads (Arbin .res: mdbtools)."""
    if str(path).lower().endswith(suffixes):
        require_program(program, package)


def cells_study(folder: Path, count: int) -> Path:
    """A study of ``count`` copies of the demo's small real Arbin export, one cell each (5 mg), without the model;
    returns its ``study.toml`` (written again, with the files, on a second call)."""
    from redoxmap.resources import demo_source

    (folder / "cycling").mkdir(exist_ok=True)
    source = (demo_source() / "cycling" / "arbin_example.csv").read_bytes()
    samples = []
    for k in range(1, count + 1):
        (folder / "cycling" / f"c{k}.csv").write_bytes(source)
        samples.append(f'[[sample]]\nname = "cell {k}"\nactive_mass_mg = 5.0\n'
                       f'[sample.files]\ncycling = "cycling/c{k}.csv"\n')
    manifest = folder / "study.toml"
    manifest.write_text(f'[study]\nname = "{count} cells"\n[model]\nrun = false\n' + "".join(samples))
    return manifest


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def quiet():
    """Silence redoxmap's data and fit warnings where a test is not about them (any other warning still fails
    the test)."""
    from redoxmap.errors import RedoxmapWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RedoxmapWarning)
        yield


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory):
    """One run of ``redoxmap demo`` for the whole suite (about 75 s): the demo study and the virtual
    study, each with its report. Returns the demo folder and what the command printed."""
    from typer.testing import CliRunner

    from redoxmap.cli import app

    folder = tmp_path_factory.mktemp("demo") / "redoxmap-demo"
    result = CliRunner().invoke(app, ["demo", str(folder), "--no-progress"])
    assert result.exit_code == 0, result.output
    # a task that fails on the bundled data is a bug, even where the command goes on with the others
    assert "failed:" not in result.output, result.output
    return folder, result.output


@pytest.fixture(scope="session")
def virtual_study(demo_run):
    """The demo's virtual study analysed again in this process: its truth and its StudyResult."""
    import json

    from redoxmap.study import SerialExecutor, load_study, run_study

    folder = demo_run[0] / "virtual"
    result = run_study(load_study(folder), executor=SerialExecutor(progress=False))
    return json.loads((folder / "truth.json").read_text()), result
