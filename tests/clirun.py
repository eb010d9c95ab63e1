"""Run the ``ecocluster`` command in-process, as the command-line tests do."""

from __future__ import annotations

from click.testing import CliRunner

from ecocluster.cli import main


def run(*args: str) -> tuple[int, str, str]:
    """Exit code, standard output and standard error of ``ecocluster ARGS``."""
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr
