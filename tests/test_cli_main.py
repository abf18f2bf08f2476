"""`briefing` as the console script runs it: an app converted only as far as the command line needs.

`main()` builds, per run, the root with just the command asked for (or, for the
root's own --help and --version, stand-ins that only list the commands). What the
user sees must be what the full app shows.
"""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from briefing.cli import COMMANDS, _app_for, app

runner = CliRunner()


@pytest.mark.parametrize(
    "argv",
    [[], ["--help"], ["--version"], ["nosuch"]]
    + [[name, "--help"] for name, _ in COMMANDS]
    + [
        ["sources", "check", "--help"],
        ["store", "check", "--help"],
        ["places", "suggest", "--help"],
    ],
    ids=lambda argv: " ".join(argv) or "no-args",
)
def test_the_trimmed_app_shows_what_the_full_app_shows(argv: list[str]) -> None:
    full = runner.invoke(app, argv)
    trimmed = runner.invoke(_app_for(argv), argv)
    assert (trimmed.exit_code, trimmed.output) == (full.exit_code, full.output)


def test_a_listing_stand_in_is_never_run() -> None:
    listing = _app_for(["--help"])
    result = runner.invoke(listing, ["today"])
    assert result.exit_code != 0 and isinstance(result.exception, AssertionError)
