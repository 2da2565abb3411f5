"""Shared helpers of the `shangmi fp` commands: errors, case keys, Rich progress with files/s and MB/s."""

from __future__ import annotations

import time
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

err = Console(stderr=True, soft_wrap=True)


def fail(message: str, code: int = 2) -> None:
    err.print(f"[bold red]错误 / error:[/] {escape(message)}")
    raise typer.Exit(code)


def read_key(path: Path | None) -> bytes | None:
    """A case key file holds hex (from `shangmi fp keygen`) or raw bytes; at least 16 bytes."""
    if path is None:
        return None
    try:
        raw = path.read_bytes().strip()
    except OSError as exc:
        fail(f"{path}: cannot read the key file: {exc}")
    try:
        key = bytes.fromhex(raw.decode("ascii"))
    except (UnicodeDecodeError, ValueError):
        key = raw
    if len(key) < 16:
        fail(f"{path}: a case key must hold at least 16 bytes")
    return key


@contextmanager
def rate_progress(label: str, quiet: bool = False):
    """A Rich progress bar; yields a callback(done, total, bytes_done, bytes_total)."""
    if quiet:
        yield lambda *a: None
        return
    start = time.monotonic()
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        console=err,
        transient=False,
    ) as bar:
        task = bar.add_task(label, total=None, rate="")

        def update(done: int, total: int, bytes_done: int, bytes_total: int) -> None:
            elapsed = max(time.monotonic() - start, 1e-6)
            bar.update(
                task,
                completed=done,
                total=total,
                rate=f"{done / elapsed:,.0f} files/s  {bytes_done / 1e6 / elapsed:,.1f} MB/s",
            )

        yield update
