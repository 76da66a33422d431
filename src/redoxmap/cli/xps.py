"""``redoxmap xps ...``: photoelectron spectra from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from redoxmap.cli.common import JsonOpt, OutOpt, choice, command, emit
from redoxmap.cli.structure import PlotOpt, save_plot
from redoxmap.defaults import ADVENTITIOUS_CARBON_EV, XPS_BACKGROUND, XPS_LINE_SHAPE

xps_app = typer.Typer(help="XPS: regions, doublet fits over Shirley/Tougaard backgrounds, series.",
                      no_args_is_help=True, rich_markup_mode=None)

XpsFile = Annotated[Path, typer.Argument(help="An XPS file: VAMAS .vms/.npl, SpecsLab .xy, or a two-column CSV.")]
RegionOpt = Annotated[str, typer.Option(help="Region by name (\"S 2p\") or position (0 = first).")]
PresetOpt = Annotated[str | None, typer.Option(help="Component preset (default: the region's own): argyrodite-S2p, "
                                                      "argyrodite-P2p, adventitious-C1s, interphase-C1s, oxide-O1s, "
                                                      "interphase-F1s, Li1s, Mn2p, Ni2p, Co2p.")]
ComponentsOpt = Annotated[Path | None, typer.Option("--components", help="TOML file of components: [[component]] "
                                                    "tables (name, position_eV, position_range_eV, fwhm_eV, "
                                                    "fwhm_bounds_eV, line_shape, level, splitting_eV, area_of...), "
                                                    "or one list per region ([[\"Fe 2p\"]]).")]
ComponentOpt = Annotated[list[str] | None, typer.Option("--component", help="A component NAME@POSITION[:FWHM] or "
                                                        "NAME@LOW-HIGH[:FWHM] (repeat it); instead of a preset.")]
CasaOpt = Annotated[bool, typer.Option("--casa", help="Refit the CasaXPS model stored in the VAMAS file (its "
                                       "components, limits, line shapes and background).")]
BackgroundOpt = Annotated[
    str, typer.Option(help="shirley, tougaard or linear.", **choice("shirley", "tougaard", "linear"))
]
FixedOpt = Annotated[
    bool,
    typer.Option(
        "--fixed-background",
        help="Compute the background from the data before the fit instead of fitting its scale with the peaks.",
    ),
]
ShapeOpt = Annotated[
    str, typer.Option(help="Line shape in CasaXPS notation: SGL(m) (sum) or GL(m) (product), m = % Lorentzian.")
]
ReferenceOpt = Annotated[
    str | None,
    typer.Option(
        "--charge-reference",
        help='Region holding adventitious C 1s for the charge correction (e.g. "C 1s"); none by default.',
    ),
]
ReferenceEnergyOpt = Annotated[
    float, typer.Option("--reference-ev", help="Binding energy adventitious C-C/C-H is put at.")
]
ShiftOpt = Annotated[
    float | None, typer.Option("--shift", help="A known charge correction in eV, added to every binding energy.")
]


@xps_app.command("regions", epilog="Example:  redoxmap xps regions cathode_S2p.vms")
@command
def xps_regions(file: XpsFile, as_json: JsonOpt = False, out: OutOpt = None) -> None:
    """List a file's regions: name, energy range, points, and what the file says about them."""
    import pandas as pd

    from redoxmap.io.xps_files import read_xps

    rows = [{"index": i, "region": s.region, "points": len(s), "from_eV": s.binding_energy_eV[0],
             "to_eV": s.binding_energy_eV[-1], "excitation_eV": s.excitation_energy_eV,
             "charge_shift_eV": s.charge_shift_eV, "counts_known": s.counts_per_unit is not None,
             "pass_energy_eV": s.metadata.get("pass_energy_eV")} for i, s in enumerate(read_xps(file))]
    emit(pd.DataFrame(rows), as_json=as_json, out=out, payload={"file": str(file)}, title=f"{file.name}: regions")


def _charge_corrected(file: Path, reference: str | None, reference_ev: float, shift: float | None):
    from redoxmap.io.xps_files import read_xps
    from redoxmap.xps.quantify import charge_correct

    spectra = read_xps(file)
    if reference is None and shift is None:
        return spectra, 0.0, 0.0
    return charge_correct(spectra, reference_region=reference or "C 1s", reference_eV=reference_ev, shift_eV=shift)


def _components(spectrum, preset: str | None, components: Path | None, component: list[str] | None):
    """What to fit: inline components, a TOML file, a named preset, or the region's preset."""
    from redoxmap.errors import AnalysisError
    from redoxmap.xps.components import parse_component, preset_for, read_components

    if component:
        return tuple(parse_component(text) for text in component)
    if components is not None:
        return read_components(components, region=spectrum.region)
    chosen = preset or preset_for(spectrum.region)
    if chosen is None:
        raise AnalysisError(f"no preset for the region {spectrum.region!r}: give --preset, --components FILE.toml or "
                            "--component NAME@POSITION")
    return chosen


@xps_app.command("fit", epilog='Examples:  redoxmap xps fit cycled.vms --region "S 2p" --charge-reference "C 1s" '
                                '--plot s2p.png --json\n           redoxmap xps fit FeO.vms --region "Fe 2p" --casa\n'
                                '           redoxmap xps fit cathode.vms --region "F 1s" --component LiF@684.5-686 '
                                '--component "C-F@687-689"')
@command
def xps_fit(
    file: XpsFile,
    region: RegionOpt = "S 2p",
    preset: PresetOpt = None,
    components: ComponentsOpt = None,
    component: ComponentOpt = None,
    casa: CasaOpt = False,
    background: BackgroundOpt = XPS_BACKGROUND,
    fixed_background: FixedOpt = False,
    line_shape: ShapeOpt = XPS_LINE_SHAPE,
    window: Annotated[str | None, typer.Option(help="Binding-energy range to fit, LOW,HIGH in eV.")] = None,
    charge_reference: ReferenceOpt = None,
    reference_ev: ReferenceEnergyOpt = ADVENTITIOUS_CARBON_EV,
    shift: ShiftOpt = None,
    plot: PlotOpt = None,
    as_json: JsonOpt = False,
    out: OutOpt = None,
) -> None:
    """Fit a region: its preset, your components or the file's CasaXPS model; shares with errors that include
    the background choice."""
    from redoxmap.cli.common import parse_floats
    from redoxmap.io.xps_files import select_region
    from redoxmap.xps.fit import fit_xps

    spectra, _applied, applied_error = _charge_corrected(file, charge_reference, reference_ev, shift)
    spectrum = select_region(spectra, region, path=file)
    limits = parse_floats(window, "--window") if window else None
    if limits is not None and len(limits) != 2:
        raise typer.BadParameter("--window takes LOW,HIGH")
    options = {"background": background, "fit_background": not fixed_background, "line_shape": line_shape,
               "window": tuple(limits) if limits else None}
    if casa:
        from redoxmap.xps.casaxps import casa_model

        model = casa_model(spectrum)
        chosen = model.components
        options.update(window=options["window"] or model.window, background=model.background, background_check=False,
                       **model.fit_options)
    else:
        chosen = _components(spectrum, preset, components, component)
    fit = fit_xps(spectrum, chosen, **options)
    save_plot(plot, lambda plt: fit.plot_with_residuals(plt.figure(figsize=(4.2, 4.0), layout="constrained")))
    emit(fit.table, as_json=as_json, out=out,
         payload={"file": str(file), "region": spectrum.region, "charge_shift_eV": spectrum.charge_shift_eV,
                  "charge_shift_stderr_eV": applied_error, "statistics": fit.statistics(),
                  "families": fit.family_shares().to_dict(orient="records"), "notes": fit.notes},
         columns=["component", "family", "position_eV", "fwhm_eV", "area", "share", "share_stderr"],
         title=f"{file.name}: {spectrum.region} ({fit.background_method} background, "
               f"shift {spectrum.charge_shift_eV:+.2f} eV)")
    if not as_json:
        emit(fit.family_shares(), as_json=False, out=None, title="Shares by family")


@xps_app.command("quantify", epilog='Example:  redoxmap xps quantify cathode.vms --regions "C 1s,O 1s,F 1s,Mn 2p" '
                                     '--charge-reference "C 1s" --imfp-exponent 0.6 --json')
@command
def xps_quantify(
    file: XpsFile,
    regions: Annotated[str, typer.Option(help="Regions to quantify, comma-separated; each fitted with its preset.")],
    components: ComponentsOpt = None,
    rsf: Annotated[str | None, typer.Option(help="Sensitivity factors overriding Scofield's (Al Kα), e.g. "
                                            "\"Fe 2p=16.42,O 1s=2.93\".")] = None,
    imfp_exponent: Annotated[float, typer.Option(help="x in the mean free path's KE^x (0: none, as CasaXPS's "
                                                 "default; 0.6 as Avantage).")] = 0.0,
    background: BackgroundOpt = XPS_BACKGROUND, charge_reference: ReferenceOpt = None,
    reference_ev: ReferenceEnergyOpt = ADVENTITIOUS_CARBON_EV, as_json: JsonOpt = False, out: OutOpt = None,
) -> None:
    """Atomic percentages: each region's components over its sensitivity factor, the analyser's transmission
    (where the file gives it) and the mean free path."""
    from redoxmap.io.xps_files import select_region
    from redoxmap.xps.fit import fit_xps
    from redoxmap.xps.quantify import quantify

    spectra, _, _ = _charge_corrected(file, charge_reference, reference_ev, None)
    factors = {}
    for item in (rsf.split(",") if rsf else []):
        name, _, value = item.rpartition("=")
        try:
            factors[name.strip()] = float(value)
        except ValueError:
            raise typer.BadParameter(f"--rsf takes REGION=NUMBER pairs, not {item!r}") from None
    fits = []
    for name in (r.strip() for r in regions.split(",") if r.strip()):
        spectrum = select_region(spectra, name, path=file)
        fits.append(fit_xps(spectrum, _components(spectrum, None, components, None), background=background,
                            background_check=False))
    table = quantify(fits, rsf=factors, imfp_exponent=imfp_exponent)
    emit(table, as_json=as_json, out=out, payload={"file": str(file), "imfp_exponent": imfp_exponent},
         columns=["region", "component", "area", "rsf", "transmission", "atomic_percent", "atomic_percent_stderr"],
         title=f"{file.name}: atomic percentages")


@xps_app.command("survey", epilog="Example:  redoxmap xps survey sample.vms --region wide --json")
@command
def xps_survey(
    file: XpsFile, region: Annotated[str, typer.Option(help="The survey region, by name or position.")] = "0",
    as_json: JsonOpt = False, out: OutOpt = None,
) -> None:
    """Which elements a survey shows: its peaks matched to a table of core levels (xraydb, solid-state values
    for light elements), confirmed by a second line of the element."""
    from redoxmap.io.xps_files import read_xps, select_region
    from redoxmap.xps.survey import identify_elements

    spectrum = select_region(read_xps(file), region, path=file)
    found = identify_elements(spectrum)
    emit(found, as_json=as_json, out=out,
         payload={"file": str(file), "region": spectrum.region, "charge_shift_eV": found.attrs["charge_shift_eV"],
                  "unexplained_eV": found.attrs["unexplained_eV"]},
         title=f"{file.name}: {spectrum.region}, elements (charge shift {found.attrs['charge_shift_eV']:+.1f} eV)")


@xps_app.command(
    "series",
    epilog="Example:  redoxmap xps series pristine.vms 30C.vms 50C.vms --labels pristine,30C,50C "
    '--region "S 2p" --plot shares.png -o shares.csv',
)
@command
def xps_series(
    files: Annotated[list[Path], typer.Argument(help="XPS files of one sample series, in order.")],
    labels: Annotated[str | None, typer.Option(help="A label per file, comma-separated (default: file names).")] = None,
    region: RegionOpt = "S 2p",
    preset: PresetOpt = "argyrodite-S2p",
    background: BackgroundOpt = XPS_BACKGROUND,
    line_shape: ShapeOpt = XPS_LINE_SHAPE,
    charge_reference: ReferenceOpt = None,
    reference_ev: ReferenceEnergyOpt = ADVENTITIOUS_CARBON_EV,
    plot: PlotOpt = None,
    as_json: JsonOpt = False,
    out: OutOpt = None,
) -> None:
    """Fit the same components to one region of every file; family shares against the series."""
    from redoxmap.io.xps_files import select_region
    from redoxmap.xps.series import fit_xps_series

    names = [n.strip() for n in labels.split(",")] if labels else [f.stem for f in files]
    if len(names) != len(files):
        raise typer.BadParameter(f"{len(names)} labels for {len(files)} files")
    spectra = {name: select_region(_charge_corrected(f, charge_reference, reference_ev, None)[0], region, path=f)
               for name, f in zip(names, files)}
    series = fit_xps_series(spectra, preset or _components(next(iter(spectra.values())), None, None, None),
                            background=background, line_shape=line_shape)
    save_plot(plot, lambda plt: series.plot(plt.figure(figsize=(4.0, 3.0), layout="constrained").subplots()).figure)
    emit(series.family_table(), as_json=as_json, out=out, payload={"files": [str(f) for f in files], "region": region},
         title=f"{region}: shares by family across {len(files)} spectra")
