"""``redoxmap store ...``: the decoded cycler files of many cells, and queries across them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from redoxmap.cli.common import JsonOpt, OutOpt, choice, command, emit

store_app = typer.Typer(help="The store of decoded cycler files a study keeps (.redoxmap-store): its catalog, and "
                             "queries across cells.", no_args_is_help=True, rich_markup_mode=None)

StoreArg = Annotated[Path, typer.Argument(help="The store's folder (a study's is STUDY/.redoxmap-store).")]


def _open(folder: Path):
    from redoxmap.errors import ReadError
    from redoxmap.store import CellStore

    if not (folder / "catalog").is_dir():
        raise ReadError("not a redoxmap store (no catalog folder); a study's is STUDY/.redoxmap-store, filled by "
                        "redoxmap report", path=folder)
    return CellStore(folder)


@store_app.command("catalog", epilog="Examples:  redoxmap store catalog my-study/.redoxmap-store   ·   "
                                     "redoxmap store catalog my-study/.redoxmap-store -o catalog.parquet")
@command
def store_catalog(folder: StoreArg, as_json: JsonOpt = False, out: OutOpt = None) -> None:
    """List the cells of a store: source file, content hash, reader, mass, temperature, rows and cycles."""
    catalog = _open(folder).catalog()
    emit(catalog, as_json=as_json, out=out, title=f"{len(catalog)} cells in {folder}",
         columns=["cell", "reader", "active_mass_mg", "temperature_C", "rows", "cycles", "source_file"])


@store_app.command(
    "query",
    epilog="Examples:  redoxmap store query my-study/.redoxmap-store --cycle 100 --temperature 50"
    "   ·   redoxmap store query STORE --cycle 1 --direction charge --json",
)
@command
def store_query(
    folder: StoreArg,
    cycle: Annotated[int, typer.Option(help="The cycle whose capacity is wanted.")],
    temperature: Annotated[
        float | None, typer.Option(help="Only cells recorded at this temperature (°C, ±0.5).")
    ] = None,
    direction: Annotated[str, typer.Option(help="discharge or charge.", **choice("discharge", "charge"))] = "discharge",
    cell: Annotated[list[str] | None, typer.Option(help="Only this cell (repeat).")] = None,
    as_json: JsonOpt = False,
    out: OutOpt = None,
) -> None:
    """The capacity of one cycle of every chosen cell, read from the store without loading the cells' rows."""
    from redoxmap.store import cycle_capacities

    table = cycle_capacities(_open(folder), cycle, direction=direction, cells=cell, temperature_C=temperature)
    emit(
        table,
        as_json=as_json,
        out=out,
        payload={"cycle": cycle, "direction": direction, "temperature_C": temperature},
        title=f"{direction} capacity of cycle {cycle}: {len(table)} cells",
    )
