"""``redoxmap sem ...``: the microstructure of a composite cathode from SEM/EDS."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from redoxmap.cli.common import JsonOpt, OutOpt, choice, command, emit
from redoxmap.cli.structure import PlotOpt, save_plot

sem_app = typer.Typer(help="SEM/EDS microstructure: phases, contact fraction, particles, tortuosity.",
                      no_args_is_help=True, rich_markup_mode=None)


def _phases(specs: list[str] | None) -> dict | None:
    if not specs:
        return None
    phases = {}
    for spec in specs:
        name, _, elements = spec.partition("=")
        if not name or not elements:
            raise typer.BadParameter(f"--phase takes NAME=El1,El2 (e.g. cathode=Mn,Ni,Co), not {spec!r}")
        phases[name.strip()] = tuple(e.strip() for e in elements.split(",") if e.strip())
    return phases


@sem_app.command("analyze", epilog='Example:  redoxmap sem analyze field1.bcf field2.bcf --phase cathode=Mn,Ni,Co '
                                   '--phase electrolyte=S,P,Cl --phase carbon=C --plot phases.png --json')
@command
def sem_analyze(
    files: Annotated[
        list[Path], typer.Argument(help="Fields of view of one sample: Bruker .bcf, Velox .emd, or images.")
    ],
    phase: Annotated[
        list[str] | None,
        typer.Option(
            help="A phase and its marker elements, NAME=El1,El2 (repeat). "
            "Default: cathode=Mn,Ni,Co electrolyte=S,P,Cl carbon=C."
        ),
    ] = None,
    maps: Annotated[
        list[str] | None, typer.Option("--map", help="A ready element map for a single image, El=file.tif (repeat).")
    ] = None,
    pixel_nm: Annotated[float | None, typer.Option(help="Pixel size in nm, for files without one.")] = None,
    method: Annotated[
        str,
        typer.Option(
            help="likelihood (Poisson mixture) or random_walker for ambiguous pixels.",
            **choice("likelihood", "random_walker"),
        ),
    ] = "likelihood",
    active: Annotated[str, typer.Option(help="The active-material phase (contact, particles).")] = "cathode",
    transport: Annotated[str, typer.Option(help="The phase whose tortuosity is measured.")] = "electrolyte",
    name: Annotated[str, typer.Option(help="The sample's name.")] = "sample",
    plot: PlotOpt = None,
    as_json: JsonOpt = False,
    out: OutOpt = None,
) -> None:
    """Segment every field into phases and measure area fractions, the active material's contact with
    each phase, particle sizes, dispersion, connectivity and tortuosity, with bootstrap errors over fields."""
    from redoxmap.io.sem_files import read_sem
    from redoxmap.sem.analysis import analyze_microstructure

    element_files = {}
    for spec in maps or []:
        element, _, file = spec.partition("=")
        if not element or not file:
            raise typer.BadParameter(f"--map takes El=file, not {spec!r}")
        element_files[element.strip()] = Path(file.strip())
    if element_files and len(files) != 1:
        raise typer.BadParameter("--map belongs to a single image")
    sections = [read_sem(f, pixel_nm=pixel_nm, maps=element_files or None) for f in files]
    result = analyze_microstructure(sections, name=name, phases=_phases(phase), method=method, active=active,
                                    transport=transport)
    save_plot(plot, lambda plt: result.plot(plt.figure(figsize=(4.2, 3.8), layout="constrained").subplots()).figure)
    emit(result.table, as_json=as_json, out=out,
         payload={"files": [str(f) for f in files], "settings": result.settings, "notes": result.notes,
                  "particles": len(result.particles)},
         title=f"{name}: {len(files)} field(s), contact of {active} with {transport} "
               f"{result.value('contact', transport):.3f}")
