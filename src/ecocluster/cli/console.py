"""What every command shares: the consoles, exit codes, error handling, progress display,
and the options that name the survey wave a command works on.

Nothing here imports pandas or the analysis at import time, so ``ecocluster --help`` stays
fast; the analysis is imported inside `load_analysis`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.console import Console

from ecocluster.errors import EcoclusterError

if TYPE_CHECKING:
    from ecocluster.analysis import SurveyAnalysis

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

DB_HELP = (
    "Database: a SQLite file path or an SQLAlchemy URL (postgresql+psycopg://...). "
    "Default: $ECOCLUSTER_DB, else ./ecocluster.sqlite."
)

#: An input file the user names: it must exist and be a file.
INPUT_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


class Group(click.Group):
    """Turn the library's user-facing errors into one clear line and exit code 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except EcoclusterError as error:
            from rich.markup import escape

            err.print(f"[bold red]error:[/] {escape(str(error))}", markup=True, highlight=False)
            ctx.exit(EXIT_PROBLEMS)


@contextmanager
def steps(label: str) -> Iterator[Callable[[str], None]]:
    """A spinner with the current step on a terminal; one line per step in logs."""
    if err.is_terminal:
        with err.status(f"{label}: starting") as status:
            yield lambda message: status.update(f"{label}: {message}")
        return
    yield lambda message: print(f"{label}: {message}", file=sys.stderr, flush=True)


def output_option(
    help: str, *, folder: bool = False, required: bool = True
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``-o/--output``: a file (or with `folder` a folder) the command writes."""
    kind = (
        click.Path(file_okay=False, path_type=Path)
        if folder
        else click.Path(dir_okay=False, path_type=Path)
    )
    return click.option("-o", "--output", type=kind, required=required, help=help)


def wave_options(function: Any) -> Any:
    """``--example NAME`` or ``--db URL --wave NAME``: the survey a command works on."""
    function = click.option(
        "--wave", help="Stored wave to use (with --db or the default database)."
    )(function)
    function = click.option("--db", help=DB_HELP)(function)
    function = click.option(
        "--example", help="A bundled example study (see 'ecocluster examples list')."
    )(function)
    return function


def check_wave_options(example: str | None, db: str | None, wave: str | None) -> None:
    if (example is None) == (wave is None):
        raise click.UsageError("give either --example NAME or --wave NAME (with --db)")
    if example is not None and db is not None:
        raise click.UsageError("--db goes with --wave, not with --example")


def load_analysis(
    example: str | None,
    db: str | None,
    wave: str | None,
    step: Callable[[str], None],
    **options: Any,
) -> SurveyAnalysis:
    """The analysis of a bundled example or of a stored wave (options as `analyse_survey`)."""
    from ecocluster.analysis import analyse_example, analyse_wave

    check_wave_options(example, db, wave)
    if example is not None:
        return analyse_example(example, step=step, **options)
    from ecocluster.store import open_store

    return analyse_wave(open_store(db), str(wave), step=step, **options)
