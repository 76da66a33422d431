"""Studies the benchmarks build: many copies of one real cycler file under distinct names."""

from __future__ import annotations

import shutil
from pathlib import Path

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "echem"


def copies_study(folder: Path, copies: int, *, name: str, source: str = "test_2.ndax", mass_mg: float | None = None,
                 temperature_C: float | None = None, model: bool = True) -> Path:
    """A study folder of ``copies`` copies of ``source`` (one sample each, with the mass and temperature
    given; ``model=False`` switches the activation model off); returns its ``study.toml``."""
    original = next(DATA.rglob(source))
    (folder / "cycling").mkdir(parents=True)
    metadata = "".join(f"{key} = {value}\n" for key, value in (("active_mass_mg", mass_mg),
                                                                ("temperature_C", temperature_C)) if value is not None)
    samples = []
    for k in range(copies):
        copy = folder / "cycling" / f"cell_{k:04d}{original.suffix}"
        shutil.copy(original, copy)
        samples.append(f'\n[[sample]]\nname = "cell {k}"\n{metadata}[sample.files]\ncycling = "cycling/{copy.name}"\n')
    head = f'[study]\nname = "{name}"\n' + ("" if model else "[model]\nrun = false\n")
    (folder / "study.toml").write_text(head + "".join(samples))
    return folder / "study.toml"
