"""``redoxmap cv ...``: cyclic voltammetry from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from redoxmap.cli.common import JsonOpt, OutOpt, command, emit, records
from redoxmap.cli.structure import PlotOpt, save_plot

cv_app = typer.Typer(help="Cyclic voltammetry: peaks, b-values, diffusion, capacitive share.",
                     no_args_is_help=True, rich_markup_mode=None)


@cv_app.command(
    "analyze",
    epilog="Example:  redoxmap cv analyze cv_0.1mVs.mpr cv_0.5mVs.mpr cv_1mVs.mpr --area-cm2 1.13 "
    "--concentration 1e-5 --plot cv.png",
)
@command
def cv_analyze(
    files: Annotated[
        list[Path], typer.Argument(help="CV files, one scan rate each (BioLogic CV/CVA, or E,I[,t] tables).")
    ],
    scan_rate: Annotated[
        float | None, typer.Option("--scan-rate", help="Scan rate in mV/s, for tables without time.")
    ] = None,
    electrons: Annotated[float, typer.Option("--n", help="Electrons per molecule (Randles-Sevcik).")] = 1.0,
    area_cm2: Annotated[float | None, typer.Option("--area-cm2", help="Electrode area in cm2 (for D).")] = None,
    concentration: Annotated[float | None, typer.Option(help="Bulk concentration in mol/cm3 (for D).")] = None,
    temperature: Annotated[float, typer.Option("--temperature", "--temperature-c", help="Temperature in °C.")] = 25.0,
    intercept: Annotated[bool, typer.Option("--intercept", help="Fit i_p against v^1/2 with an intercept.")] = False,
    plot: PlotOpt = None,
    as_json: JsonOpt = False,
    out: OutOpt = None,
) -> None:
    """Peaks of every sweep; b from log i_p against log v; Randles-Sevcik D; Dunn's capacitive share."""
    from redoxmap.cv.voltammetry import analyze_scan_rates, cv_peaks, read_voltammogram
    from redoxmap.report.cv_figures import voltammograms_figure

    voltammograms = [read_voltammogram(f, scan_rate_mV_s=scan_rate) for f in files]
    if len(voltammograms) == 1:
        peaks = cv_peaks(voltammograms[0])
        emit(peaks, as_json=as_json, out=out, payload={"file": str(files[0])}, title=f"{files[0].name}: peaks")
        return
    analysis = analyze_scan_rates(voltammograms, n=electrons, area_cm2=area_cm2, concentration_mol_cm3=concentration,
                                  temperature_C=temperature, intercept=intercept)
    save_plot(plot, lambda plt: voltammograms_figure(plt, analysis))
    payload = {"files": [str(f) for f in files], "b_values": records(analysis.b_values),
               "diffusion": records(analysis.diffusion), "capacitive": records(analysis.capacitive),
               "notes": analysis.notes}
    emit(analysis.peaks, as_json=as_json, out=out, payload=payload, title="Peaks (last cycle of each file)")
    if not as_json:
        emit(analysis.b_values, as_json=False, out=None, title="b-values")
        emit(analysis.diffusion, as_json=False, out=None, title="Randles-Sevcik")
        emit(analysis.capacitive, as_json=False, out=None, title="Capacitive share")
