"""``redoxmap xrd ...`` and ``redoxmap tem ...``: structure from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from redoxmap import defaults
from redoxmap.cli.common import (
    JsonOpt,
    OutOpt,
    choice,
    command,
    emit,
    err_console,
    parse_floats,
    records,
)

xrd_app = typer.Typer(help="X-ray diffraction: peaks, lattice parameters, in situ series.",
                      no_args_is_help=True, rich_markup_mode=None)
tem_app = typer.Typer(help="HRTEM: lattice-fringe spacings from the FFT of an image.",
                      no_args_is_help=True, rich_markup_mode=None)

PatternArg = Annotated[Path, typer.Argument(help="A pattern: .xy/.xye/.csv, Rigaku .ras/.rasx/.asc, .xrdml, .brml.")]
WavelengthOpt = Annotated[
    float | None,
    typer.Option("--wavelength", help="Wavelength in Angstrom (K-alpha1), if the file has none or a wrong one."),
]
RadiationOpt = Annotated[
    str | None,
    typer.Option(
        help="doublet (K-alpha1 + K-alpha2) or single (monochromator, synchrotron).", **choice("doublet", "single")
    ),
]
HalfWidthOpt = Annotated[float, typer.Option("--half-width", help="Half width of each fitting window in degrees.")]
PlotOpt = Annotated[Path | None, typer.Option("--plot", help="Also draw the figure to this .png, .svg or .pdf file.")]


def save_plot(path: Path | None, draw) -> None:
    """Draw a figure with the report's style and write it atomically."""
    if path is None:
        return
    if path.suffix.lower() not in (".png", ".svg", ".pdf"):
        raise typer.BadParameter("the figure file must end in .png, .svg or .pdf")
    from redoxmap.io import atomic_write
    from redoxmap.report.style import figure_style

    with figure_style() as plt:
        figure = draw(plt)
        atomic_write(path, lambda tmp: figure.savefig(tmp, format=path.suffix[1:]))
        plt.close(figure)
    err_console.print(f"wrote {path}", highlight=False)


@xrd_app.command("peaks", epilog="Example:  redoxmap xrd peaks pattern.xrdml --near 18.5,20.8 --plot fits.png")
@command
def xrd_peaks(
    file: PatternArg,
    near: Annotated[str, typer.Option(help="Approximate peak positions in degrees, comma-separated.")],
    half_width: HalfWidthOpt = defaults.XRD_HALF_WIDTH_DEG,
    background: Annotated[int, typer.Option(help="Background polynomial degree (0, 1 or 2).")] = 1,
    wavelength: WavelengthOpt = None, radiation: RadiationOpt = None, plot: PlotOpt = None,
    as_json: JsonOpt = False, out: OutOpt = None,
) -> None:
    """Fit pseudo-Voigt peaks (K-alpha doublet or one line); d-spacings and the nearest reference reflection."""
    from redoxmap.io.xrd_files import read_pattern
    from redoxmap.report.structure_figures import peak_fits_figure
    from redoxmap.xrd.lattice import reference_table
    from redoxmap.xrd.peaks import fit_pattern_peaks
    from redoxmap.xrd.phases import match_reflections

    pattern = read_pattern(file, wavelength_A=wavelength, radiation=radiation)
    fits = fit_pattern_peaks(pattern, parse_floats(near, "--near"), half_width_deg=half_width,
                             background_order=background)
    table = fits.table.drop(columns="scan")
    wavelength_A = pattern.attrs["wavelength_A"]
    check = match_reflections(table, reference_table(wavelength_A), wavelength_A=wavelength_A)
    payload = {"file": str(file), "wavelength_A": wavelength_A, "fit": fits.attrs, "references": records(check)}
    save_plot(plot, lambda plt: peak_fits_figure(plt, {file.name: fits}))
    emit(table, as_json=as_json, out=out, payload=payload, title=f"{file.name}: peaks ({fits.attrs['profile']})",
         columns=["peak", "center_deg", "center_stderr_deg", "fwhm_deg", "eta", "integrated_area", "d_A",
                  "d_stderr_A", "points_per_fwhm", "reduced_chi_square", "note"])
    if not as_json:
        emit(check[["peak", "d_A", "phase", "hkl", "d_ref_A", "shift_deg", "shift_sigma"]], as_json=False, out=None,
             title="Against reference reflections")


@xrd_app.command("lattice", epilog="Example:  redoxmap xrd lattice pattern.xrdml --phase R-3m --displacement")
@command
def xrd_lattice(
    file: PatternArg,
    phase: Annotated[
        str, typer.Option(help="R-3m, C2/m or Fd-3m (built-in starting lattices).", **choice("R-3m", "C2/m", "Fd-3m"))
    ] = "R-3m",
    hkl: Annotated[
        list[str] | None,
        typer.Option(
            "--hkl",
            help="Peak as H,K,L=NEAR_DEG (repeat); default: the pattern indexes itself "
            "(R-3m from its (003), cubic by a scan), or the built-in cell's reflections (C2/m).",
        ),
    ] = None,
    zero_shift: Annotated[bool, typer.Option("--zero-shift", help="Also refine a 2theta zero shift.")] = False,
    displacement: Annotated[
        bool,
        typer.Option(
            "--displacement",
            help="Also refine a sample displacement (a lab powder's usual error; best not with --zero-shift).",
        ),
    ] = False,
    half_width: HalfWidthOpt = defaults.XRD_LATTICE_HALF_WIDTH_DEG,
    wavelength: WavelengthOpt = None,
    radiation: RadiationOpt = None,
    as_json: JsonOpt = False,
    out: OutOpt = None,
) -> None:
    """Lattice parameters by least squares from the fitted, indexed peaks of one phase; a layered (R-3m) or cubic
    phase indexes the pattern itself, and too few reflections are an error."""
    from redoxmap.io.xrd_files import read_pattern
    from redoxmap.xrd.lattice import pattern_lattice

    peaks = None
    if hkl:
        peaks = []
        for item in hkl:
            indices, _, position = item.partition("=")
            try:
                peaks.append((tuple(int(v) for v in indices.split(",")), float(position)))
            except ValueError:
                raise typer.BadParameter(f"--hkl must look like 1,0,4=44.5, not {item!r}") from None
    pattern = read_pattern(file, wavelength_A=wavelength, radiation=radiation)
    result = pattern_lattice(pattern, phase, peaks=peaks, half_width_deg=half_width, zero_shift=zero_shift,
                             displacement=displacement)
    fit = result.fit
    values = ", ".join(f"{k} = {v:.5g} ± {fit.stderr[k]:.2g}" for k, v in fit.params.items())
    for note in result.notes:
        err_console.print(f"note: {note}")
    emit(result.reflections, as_json=as_json, out=out,
         payload={"file": str(file), "phase": phase, **fit.summary(), "notes": result.notes,
                  "indexed": "by hand (--hkl)" if peaks else "from the pattern"},
         title=f"{file.name}: {phase} {values}")


@xrd_app.command(
    "series", epilog="Example:  redoxmap xrd series scans/*.xrdml --cycling cell.mpr --plot map.png -o series.csv"
)
@command
def xrd_series(
    files: Annotated[
        list[Path], typer.Argument(help="In situ scans (files, or files holding several scans), any order.")
    ],
    cycling: Annotated[Path | None, typer.Option(help="The cycler file of the same cell, for the voltage.")] = None,
    offset_s: Annotated[
        float, typer.Option("--offset-s", help="Cycler time (s) at which the first scan started.")
    ] = 0.0,
    near: Annotated[str, typer.Option(help="Approximate (003) and (020) positions in degrees.")] = "18.6,20.8",
    half_width: HalfWidthOpt = defaults.XRD_HALF_WIDTH_DEG,
    wavelength: WavelengthOpt = None,
    radiation: RadiationOpt = None,
    plot: PlotOpt = None,
    as_json: JsonOpt = False,
    out: OutOpt = None,
) -> None:
    """(003) position, c and width, and the (020) intensity through an in situ series."""
    from redoxmap.cycling import read_cycling
    from redoxmap.io.xrd_files import read_series
    from redoxmap.report.structure_figures import series_map_figure
    from redoxmap.xrd.series import analyze_series

    positions = parse_floats(near, "--near")
    if len(positions) != 2:
        raise typer.BadParameter("--near takes the (003) and (020) positions, like 18.6,20.8")
    series = read_series(files, wavelength_A=wavelength, radiation=radiation)
    result = analyze_series(series, peak_003_deg=positions[0], peak_020_deg=positions[1], half_width_deg=half_width,
                            cycling=read_cycling(cycling) if cycling else None, time_offset_s=offset_s)
    save_plot(plot, lambda plt: series_map_figure(plt, result))
    emit(result.table, as_json=as_json, out=out, payload={"files": [str(f) for f in files], **{
        k: v for k, v in result.attrs.items() if k != "notes"}, "notes": result.attrs["notes"]},
        title=f"In situ series: {len(result.table)} scans",
        columns=["scan", "time_h", "voltage_V", "center_003_deg", "c_A", "c_stderr_A", "fwhm_003_deg",
                 "intensity_020", "ratio_020_003", "ratio_020_003_stderr"])


@tem_app.command(
    "fft",
    epilog="Example:  redoxmap tem fft particle.tif --pixel-nm 0.0105 --box bulk=0,0,512,512 "
    "--box surface=600,0,256,256 --plot fft.png",
)
@command
def tem_fft(
    image: Annotated[Path, typer.Argument(help="A micrograph: .tif, .png, .jpg, .dm3 or .dm4.")],
    pixel_nm: Annotated[
        float | None, typer.Option("--pixel-nm", help="Pixel size in nm (required when the file has none).")
    ] = None,
    box: Annotated[
        list[str] | None, typer.Option("--box", help="Region NAME=X0,Y0,WIDTH,HEIGHT in pixels (repeat).")
    ] = None,
    candidate: Annotated[
        list[str] | None,
        typer.Option("--candidate", help="Reflection NAME=D_NM to match (repeat); default: built-in phases."),
    ] = None,
    d_range: Annotated[str, typer.Option(help="Spacings to look for, in nm.")] = ",".join(
        map(str, defaults.FRINGE_D_RANGE_NM)
    ),
    min_snr: Annotated[
        float, typer.Option(help="Spot power over the median at its spatial frequency.")
    ] = defaults.FRINGE_MIN_SNR,
    plot: PlotOpt = None,
    as_json: JsonOpt = False,
    out: OutOpt = None,
) -> None:
    """Lattice-fringe spacings (d = 1/|k|) from the FFT of an image or of boxes in it."""
    from redoxmap.report.structure_figures import fringes_figure
    from redoxmap.study.analyses.images import ImageEntry, analyze_images

    boxes = {}
    for item in box or []:
        name, _, numbers = item.partition("=")
        values = [int(v) for v in parse_floats(numbers, "--box")]
        if len(values) != 4:
            raise typer.BadParameter(f"--box must be NAME=X0,Y0,WIDTH,HEIGHT, not {item!r}")
        boxes[name or f"box {len(boxes) + 1}"] = values
    span = parse_floats(d_range, "--d-range")
    analysis = analyze_images(image.name, [ImageEntry(image, state=image.stem, pixel_nm=pixel_nm, boxes=boxes)],
                              d_range_nm=(span[0], span[1]), min_snr=min_snr, candidates=candidate)
    save_plot(plot, lambda plt: fringes_figure(plt, analysis))
    micrograph = analysis.images[0][1]
    emit(analysis.spots, as_json=as_json, out=out, payload={"image": str(image), "pixel_nm": micrograph.pixel_nm,
                                                            "pixel_source": micrograph.attrs["pixel_source"]},
         title=f"{image.name}: fringes ({micrograph.pixel_nm:g} nm/pixel)",
         columns=["region", "d_nm", "d_stderr_nm", "angle_deg", "snr", "phase", "hkl", "deviation_percent"])
