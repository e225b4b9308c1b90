"""`saduak backup`, `backup verify`, `restore`, `doctor`: operations from the command line.

What a command needs is imported when it runs: every `saduak` command (the kiosk agent on a
kiosk PC among them) builds this command tree, and the database layer costs seconds to load."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from counter.settings import get_settings
from operations.network import resolve_public_url

if TYPE_CHECKING:
    from counter.settings import Settings

backup_app = typer.Typer(
    help="Copy the database while it serves; `backup verify FILE` runs a restore drill.",
    invoke_without_command=True,
)


def _fail(message: str) -> typer.Exit:
    typer.secho(message, err=True, fg=typer.colors.RED)
    return typer.Exit(code=2)


def backup_dir(settings: Settings) -> Path:
    return settings.backup_dir or settings.var_dir / "backups"


def take_backup(settings: Settings, to: Path | None = None, keep: int | None = None) -> Path:
    from operations.backup import BackupError, backup

    try:
        return backup(
            settings.database_url,
            to or backup_dir(settings),
            keep=keep if keep is not None else settings.backup_keep,
        )
    except BackupError as exc:
        raise _fail(f"backup failed: {exc}") from exc


@backup_app.callback()
def backup_command(
    ctx: typer.Context,
    to: Annotated[
        Path | None, typer.Option("--to", help="folder for the copy (default var/backups)")
    ] = None,
    keep: Annotated[
        int | None, typer.Option(help="how many backups to keep there (default 14)")
    ] = None,
) -> None:
    """Copy the database into a new file (consistent while serving) and print its path."""
    if ctx.invoked_subcommand is not None:
        return
    typer.echo(str(take_backup(get_settings(), to, keep)))


@backup_app.command("verify")
def backup_verify(file: Path) -> None:
    """Restore FILE into a scratch database, check it, and record the restore drill."""
    from operations.backup import verify

    result = verify(file, get_settings().database_url)
    counts = result.counts
    summary = (
        f"{counts.get('office', 0)} offices, {counts.get('ticket', 0)} tickets, "
        f"{counts.get('ticket_event', 0)} events, revision {result.revision}"
    )
    if not result.ok:
        for problem in result.problems:
            typer.secho(f"  {problem}", err=True, fg=typer.colors.RED)
        raise _fail(
            f"drill {result.drill_id} FAILED for {file} in {result.seconds:.1f} s ({summary})"
        )
    typer.echo(f"drill {result.drill_id} passed for {file} in {result.seconds:.1f} s ({summary})")


def restore_command(
    file: Path,
    force: Annotated[
        bool, typer.Option("--force", help="replace a database that already holds data")
    ] = False,
) -> None:
    """Restore a backup onto an empty database (stop the app first)."""
    from operations.backup import BackupError, restore

    try:
        restore(file, get_settings().database_url, force=force)
    except BackupError as exc:
        raise _fail(f"restore refused: {exc}") from exc
    typer.echo(f"restored {file}")


def doctor_command(
    host: Annotated[str, typer.Option(help="address the server listens on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port the server listens on")] = 8000,
) -> None:
    """Check what an office needs: public URL, database, disk, clock, printers, bus, backups."""
    from operations.doctor import FAIL, OK, WARN, run_checks

    settings = get_settings()
    public = resolve_public_url(settings.public_url, host, port)
    checks = run_checks(settings, public.url)
    for check in checks:
        colour = {OK: typer.colors.GREEN, WARN: typer.colors.YELLOW}.get(check.status, "red")
        typer.secho(check.line(), fg=colour)
    if any(c.status == FAIL for c in checks):
        raise typer.Exit(code=1)
