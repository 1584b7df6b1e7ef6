"""``genloom verify FILE...``: read each file's AI label and check its bytes against the store."""

from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="One JSON object per file.")
def verify(files: tuple[Path, ...], as_json: bool) -> None:
    """Say whether each FILE (or every file in a folder) is an untouched genloom output.

    \b
    untouched   the store has these exact bytes (exit 0 when every file is)
    changed     the store knows the file but it was edited since
    unknown     it carries a genloom label the store has no record of
    unlabelled  no label, not in the store
    """
    from genloom.cli.common import echo_json
    from genloom.verify import verify_all

    verdicts = verify_all(list(files))
    if as_json:
        echo_json([v.to_dict() for v in verdicts])
    else:
        for v in verdicts:
            click.echo(v.line())
    if not verdicts or not all(v.ok for v in verdicts):
        raise SystemExit(1)
