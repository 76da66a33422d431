"""``redoxmap eis ...``: impedance from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from redoxmap import defaults
from redoxmap.cli.common import JsonOpt, OutOpt, choice, command, emit, err_console
from redoxmap.cli.structure import PlotOpt, save_plot

eis_app = typer.Typer(help="Impedance: circuit fits, Kramers-Kronig test, DRT, series.",
                      no_args_is_help=True, rich_markup_mode=None)

SpectrumFile = Annotated[
    Path, typer.Argument(help="An impedance file: .mpt/.mpr, .DTA, .z, .par, .pssession, .npy, .csv/.txt.")
]
IndexOpt = Annotated[int, typer.Option("--index", help="Which spectrum of a multi-spectrum file (0 = first).")]
CircuitOpt = Annotated[str, typer.Option(help="Equivalent circuit, e.g. R0-p(R1,CPE1)-p(R2,CPE2)-W1.")]
WeightingOpt = Annotated[
    str, typer.Option(help="modulus, proportional or unit.", **choice("modulus", "proportional", "unit"))
]
SolidStateOpt = Annotated[
    bool,
    typer.Option(
        "--solid-state",
        help="Name the arcs as an all-solid-state cell's (bulk / grain boundary, interface, charge transfer) "
        "instead of numbering them by time constant.",
    ),
]


@eis_app.command(
    "fit", epilog='Example:  redoxmap eis fit cell_PEIS.mpt --circuit "R0-p(R1,CPE1)-p(R2,CPE2)-W1" --plot fit.png'
)
@command
def eis_fit(
    file: SpectrumFile,
    circuit: CircuitOpt = defaults.CIRCUIT,
    initial: Annotated[str | None, typer.Option(help="Your start values, comma-separated, in circuit order.")] = None,
    starts: Annotated[
        int, typer.Option(help="Data-derived starts (0 with --initial: only yours).")
    ] = defaults.EIS_STARTS,
    weighting: WeightingOpt = defaults.EIS_WEIGHTING,
    index: IndexOpt = 0,
    solid_state: SolidStateOpt = False,
    plot: PlotOpt = None,
    as_json: JsonOpt = False,
    out: OutOpt = None,
) -> None:
    """Fit an equivalent circuit; parameters with standard errors, chi-square, RC pairs by time constant."""
    from redoxmap.cli.common import parse_floats
    from redoxmap.eis.fit import fit_circuit
    from redoxmap.eis.validity import kramers_kronig
    from redoxmap.io.eis_files import read_impedance
    from redoxmap.report.eis_figures import fit_figure

    spectrum = read_impedance(file)[index]
    fit = fit_circuit(spectrum, circuit, weighting=weighting, starts=starts,
                      initial=parse_floats(initial, "--initial") if initial else None,
                      arc_names="solid-state" if solid_state else "time constant")
    kk = kramers_kronig(spectrum.frequency_Hz, spectrum.z_ohm)
    save_plot(plot, lambda plt: fit_figure(plt, fit, kk, title=spectrum.label))
    emit(fit.parameters, as_json=as_json, out=out, payload={"file": str(file), **fit.summary(),
                                                            "kramers_kronig": kk.summary()},
         title=f"{spectrum.label}: {circuit}, reduced χ² = {fit.reduced_chi_square:.3g}"
               + ("" if kk.valid else f" (fails Kramers-Kronig: {100 * kk.max_residual:.1f} %)"))
    if not as_json:
        emit(fit.rc, as_json=False, out=None, title="RC pairs by time constant")


@eis_app.command("kk", epilog="Example:  redoxmap eis kk cell_PEIS.mpt --threshold 0.01")
@command
def eis_kk(
    file: SpectrumFile,
    threshold: Annotated[float, typer.Option(help="Largest acceptable residual, as a fraction of |Z|.")] = 0.01,
    c: Annotated[float, typer.Option(help="The mu criterion (Schoenleber et al.).")] = 0.85,
    as_json: JsonOpt = False, out: OutOpt = None,
) -> None:
    """Linear Kramers-Kronig test of every spectrum in a file: which deserve a fit."""
    import pandas as pd

    from redoxmap.eis.validity import kramers_kronig
    from redoxmap.io.eis_files import read_impedance

    rows = []
    for spectrum in read_impedance(file):
        result = kramers_kronig(spectrum.frequency_Hz, spectrum.z_ohm, threshold=threshold, c=c)
        rows.append({"spectrum": spectrum.label, **result.summary()})
    frame = pd.DataFrame(rows)
    emit(frame, as_json=as_json, out=out, title=f"{file.name}: {int(frame['valid'].sum())} of {len(frame)} valid")


@eis_app.command("drt", epilog="Example:  redoxmap eis drt cell_PEIS.mpt --plot drt.png -o drt.csv")
@command
def eis_drt(
    file: SpectrumFile,
    lambda_: Annotated[
        float | None, typer.Option("--lambda", help="Regularisation parameter (default: by GCV).")
    ] = None,
    index: IndexOpt = 0,
    plot: PlotOpt = None,
    as_json: JsonOpt = False,
    out: OutOpt = None,
) -> None:
    """Distribution of relaxation times (Tikhonov, non-negative) and its peaks."""
    import pandas as pd

    from redoxmap.eis.relaxation import drt
    from redoxmap.io.eis_files import read_impedance
    from redoxmap.report.eis_figures import drt_figure

    spectrum = read_impedance(file)[index]
    result = drt(spectrum.frequency_Hz, spectrum.z_ohm, lambda_=lambda_)
    save_plot(plot, lambda plt: drt_figure(plt, [(spectrum.label, result)]))
    if out is not None:
        from redoxmap.io import write_table

        written = write_table(pd.DataFrame({"tau_s": result.tau_s, "gamma_ohm": result.gamma_ohm}), out)
        err_console.print(f"wrote {written}")
    emit(
        result.peaks,
        as_json=as_json,
        out=None,
        payload={
            "file": str(file),
            "r_inf_ohm": result.r_inf_ohm,
            "inductance_H": result.inductance_H,
            "lambda": result.lambda_,
            "lambda_method": result.method,
        },
        title=f"{spectrum.label}: DRT peaks (λ = {result.lambda_:.2g} by {result.method}, "
        f"R∞ = {result.r_inf_ohm:.4g} Ω)",
    )


@eis_app.command(
    "series",
    epilog='Example:  redoxmap eis series cycle_*.mpt --circuit "R0-p(R1,CPE1)-p(R2,CPE2)" -o resistances.csv '
    "--plot r.png",
)
@command
def eis_series(
    files: Annotated[list[Path], typer.Argument(help="Impedance files (each may hold many spectra), in order.")],
    circuit: CircuitOpt = defaults.CIRCUIT,
    temperatures: Annotated[
        str | None,
        typer.Option(
            "--temperature", "--temperatures", help="Temperature in °C of each file, comma-separated (for Arrhenius)."
        ),
    ] = None,
    weighting: WeightingOpt = defaults.EIS_WEIGHTING,
    solid_state: SolidStateOpt = False,
    plot: PlotOpt = None,
    as_json: JsonOpt = False,
    out: OutOpt = None,
) -> None:
    """Check and fit every spectrum of a series (each seeded from its own data); resistances by cycle or T.

    With --temperature, --plot draws the Arrhenius plot; otherwise resistances against the spectrum.
    """
    from redoxmap.cli.common import parse_floats
    from redoxmap.report.eis_figures import arrhenius_figure, resistances_figure
    from redoxmap.study.analyses.eis import ImpedanceEntry, analyze_eis

    temps = parse_floats(temperatures, "--temperature") if temperatures else [None] * len(files)
    if len(temps) != len(files):
        raise typer.BadParameter("give one temperature per file")
    entries = [ImpedanceEntry([f], state=f.stem, temperature_C=t) for f, t in zip(files, temps)]
    analysis = analyze_eis("series", entries, circuit=circuit, weighting=weighting, solid_state=solid_state)
    by_temperature = not analysis.arrhenius.empty
    save_plot(plot, lambda plt: (arrhenius_figure if by_temperature else resistances_figure)(plt, analysis))
    payload = {"files": [str(f) for f in files], "circuit": circuit, "notes": analysis.notes,
               "arrhenius": analysis.arrhenius.to_dict(orient="records")}
    emit(analysis.resistances, as_json=as_json, out=out, payload=payload,
         title=f"{len(analysis.resistances)} spectra fitted with {circuit}",
         columns=["spectrum", "kk_valid", "reduced_chi_square", "R0_ohm", "R_1_ohm", "R_2_ohm", "R_3_ohm", "flags"])
    if not as_json and not analysis.arrhenius.empty:
        emit(analysis.arrhenius, as_json=False, out=None, title="Activation energies")
