"""``redoxmap dems ...``: gas evolution (DEMS, EC-MS) from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from redoxmap.cli.common import (
    FormatOpt,
    JsonOpt,
    MassOpt,
    OutOpt,
    command,
    emit,
    err_console,
    parse_floats,
)
from redoxmap.cli.structure import PlotOpt, save_plot

dems_app = typer.Typer(help="Gas evolution (DEMS, EC-MS): channels, calibration, µmol/g per half cycle.",
                       no_args_is_help=True, rich_markup_mode=None)

MsFile = Annotated[
    Path,
    typer.Argument(
        help="A mass-spectrometer file: Zilien .tsv, ixdat CSV export, PV MassSpec export, Quadstar .sac, "
        "or a CSV of time and M32/M44 columns."
    ),
]


def _window(text: str | None, option: str) -> tuple[float, float] | None:
    if text is None:
        return None
    values = parse_floats(text, option)
    if len(values) != 2 or values[1] <= values[0]:
        raise typer.BadParameter(f"{option} takes START,END in seconds (START < END)")
    return values[0], values[1]


@dems_app.command("channels", epilog='Example:  redoxmap dems channels "2022-09-19 11_27_59 test-21.tsv"')
@command
def dems_channels(file: MsFile, as_json: JsonOpt = False, out: OutOpt = None) -> None:
    """List a recording's channels: name, unit, points, time span; its start and measured offsets."""
    import pandas as pd

    from redoxmap.io.ms_files import read_ms

    recording = read_ms(file)
    rows = [
        {
            "channel": name,
            "unit": recording.units.get(name, ""),
            "points": len(t),
            "from_s": t[0] if len(t) else None,
            "to_s": t[-1] if len(t) else None,
            "median": float(pd.Series(v).median()),
        }
        for name, (t, v) in recording.channels.items()
    ]
    emit(pd.DataFrame(rows), as_json=as_json, out=out,
         payload={"file": str(file), "start_time": recording.start_time, "offsets_s": recording.offsets_s},
         title=f"{file.name}: started {recording.start_time or 'at an unknown time'}")


@dems_app.command("calibrate", epilog="Example:  redoxmap dems calibrate cal.tsv --gas O2 --mz 32 --mole-fraction 0.01 "
                                      "--flow 1 --window 600,900 --baseline 0,300 -o calibration.json")
@command
def dems_calibrate(
    file: MsFile,
    gas: Annotated[str, typer.Option(help="The gas (O2, CO2, H2...).")],
    mz: Annotated[float, typer.Option(help="Its m/z.")],
    window: Annotated[str, typer.Option(help="START,END (s, the recording's clock) of the calibration plateau.")],
    baseline: Annotated[str, typer.Option(help="START,END of the baseline before it.")],
    mole_fraction: Annotated[
        float | None, typer.Option(help="Calibration gas: mole fraction of the gas in the mixture.")
    ] = None,
    flow: Annotated[float | None, typer.Option(help="Calibration gas: total flow in mL/min.")] = None,
    temperature_k: Annotated[
        float, typer.Option("--temperature-k", help="Reference temperature of the flow (K).")
    ] = 298.15,
    pressure_pa: Annotated[
        float, typer.Option("--pressure-pa", help="Reference pressure of the flow (Pa).")
    ] = 101325.0,
    current: Annotated[
        float | None, typer.Option(help="Faradaic: the constant current in A that makes the gas.")
    ] = None,
    electrons: Annotated[int | None, typer.Option(help="Faradaic: electrons per molecule (4 for O2).")] = None,
    append: Annotated[Path | None, typer.Option(help="Add the factor to this saved calibration (JSON).")] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write the calibration (JSON).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Sensitivity factor of one gas, from a calibration gas (--mole-fraction, --flow) or a Faradaic
    reaction (--current, --electrons); saved as JSON for `redoxmap dems quantify`."""
    from dataclasses import asdict

    import pandas as pd

    from redoxmap.dems.calibration import (
        calibrate_faradaic,
        calibrate_gas,
        load_calibration,
        save_calibration,
    )
    from redoxmap.io.ms_files import read_ms

    recording = read_ms(file)
    windows = {"window_s": _window(window, "--window"), "baseline_window_s": _window(baseline, "--baseline")}
    if mole_fraction is not None and flow is not None:
        factor = calibrate_gas(recording, gas=gas, mz=mz, mole_fraction=mole_fraction, flow_mL_min=flow,
                               temperature_K=temperature_k, pressure_Pa=pressure_pa, **windows)
    elif current is not None and electrons is not None:
        factor = calibrate_faradaic(recording, gas=gas, mz=mz, current_A=current, electrons=electrons, **windows)
    else:
        raise typer.BadParameter("give --mole-fraction and --flow (calibration gas) or --current and --electrons")
    factors = [f for f in (load_calibration(append) if append else []) if f.gas != gas] + [factor]
    if out is not None:
        save_calibration(factors, out)
        err_console.print(f"wrote {out}")
    emit(pd.DataFrame([asdict(f) for f in factors]).drop(columns="conditions"), as_json=as_json, out=None,
         payload={"file": str(file), "sensitivities": [asdict(f) for f in factors]},
         title=f"{gas} at m/z {mz:g}: {factor.value_C_mol:.4g} ± {factor.stderr_C_mol:.2g} C/mol ({factor.method})")


@dems_app.command("quantify", epilog='Example:  redoxmap dems quantify cell.tsv --calibration calibration.json '
                                     '--cycler cell_C01.mpt --mass-mg 10 --delay 40 --lag 90 --plot s15.png --json')
@command
def dems_quantify(
    file: MsFile,
    calibration: Annotated[Path, typer.Option(help="Sensitivity factors (JSON from `redoxmap dems calibrate`).")],
    cycler: Annotated[
        Path | None, typer.Option(help="The cell's cycler file (for half cycles, voltages, mass).")
    ] = None,
    mass_mg: MassOpt = None,
    offset: Annotated[
        float | None,
        typer.Option("--offset-s", help="MS time = cycler time + OFFSET_S (s); found from the files if omitted."),
    ] = None,
    delay: Annotated[float, typer.Option(help="Inlet delay from cell to spectrometer (s).")] = 0.0,
    lag: Annotated[float, typer.Option(help="Headspace time constant, volume / flow (s); 0: no correction.")] = 0.0,
    baseline: Annotated[str | None, typer.Option(help="START,END of a quiet window (s, MS clock).")] = None,
    count_co2: Annotated[
        bool, typer.Option("--count-co2", help="Count CO2's oxygen as lattice oxygen lost (an upper bound).")
    ] = False,
    cycler_format: FormatOpt = None,
    plot: PlotOpt = None,
    as_json: JsonOpt = False,
    out: OutOpt = None,
) -> None:
    """Gas per half cycle in µmol/g with errors, onset voltages, O2-equivalent charge against region III,
    lattice oxygen lost; --plot draws voltage, current and gas rates on one time axis."""
    from redoxmap.dems.calibration import load_calibration
    from redoxmap.dems.quantify import quantify_gases
    from redoxmap.io.ms_files import read_ms

    recording = read_ms(file)
    cycling = None
    if cycler is not None:
        from redoxmap.cycling import read_cycling

        cycling = read_cycling(cycler, format=cycler_format, active_mass_mg=mass_mg)
    result = quantify_gases(recording, load_calibration(calibration), cycling=cycling,
                            active_mass_g=mass_mg / 1000 if mass_mg else None, offset_s=offset, delay_s=delay,
                            lag_s=lag, baseline_window_s=_window(baseline, "--baseline"), count_co2=count_co2)
    save_plot(plot, lambda plt: result.plot_cell(plt.figure(figsize=(4.2, 5.0), layout="constrained")))
    emit(result.totals, as_json=as_json, out=out,
         payload={"file": str(file), "assumptions": result.assumptions, "notes": result.notes,
                  "lattice_oxygen": result.lattice_oxygen().to_dict(orient="records")},
         columns=["half_cycle", "direction", "gas", "amount_umol_g", "amount_stderr_umol_g", "onset_V",
                  "o2_equivalent_mAh_g", "region_III_mAh_g"],
         title=f"{file.name}: gas per half cycle (offset {result.assumptions['offset_s']:.3f} s, "
               f"{result.assumptions['offset_from']})")
