"""`shangmi fp index` and `shangmi fp keygen` (issue 7 points 3 and 4).

Exit status: 0 on success, 2 on bad input (a missing path, an index of another format or key)."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from shangmi.cli_fp_common import err, fail, rate_progress, read_key


def index(
    paths: Annotated[list[Path], typer.Argument(help="Folders, files or ZIPs of registered material")],
    out: Annotated[Path, typer.Option("--out", help="Index file (created, or updated incrementally)")],
    public: Annotated[
        list[Path] | None,
        typer.Option("--public", help="Public reference corpus (never reported as a match); repeatable"),
    ] = None,
    key_file: Annotated[
        Path | None, typer.Option("--key-file", help="Per-case key (privacy mode; see `shangmi fp keygen`)")
    ] = None,
    max_item_share: Annotated[
        int, typer.Option(help="Drop fingerprints found in more than N registered items (new index only)")
    ] = 10,
    workers: Annotated[int, typer.Option(help="Worker processes")] = 2,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar")] = False,
) -> None:
    """建立登记材料指纹索引 / Build or update the fingerprint index of registered material."""
    from shangmi.engines.fingerprint.errors import FingerprintError
    from shangmi.engines.fingerprint.index import build
    from shangmi.engines.fingerprint.params import Params

    for p in paths + (public or []):
        if not p.exists():
            fail(f"{p}: no such file or folder")
    key = read_key(key_file)
    try:
        with rate_progress("indexing", quiet) as progress:
            stats = build(
                out,
                paths,
                params=Params(max_item_share=max_item_share),
                key=key,
                public=public,
                workers=workers,
                progress=progress,
            )
    except FingerprintError as exc:
        fail(f"{out}: {exc}")
    rate = stats.bytes / 1e6 / max(stats.seconds, 1e-6)
    err.print(
        f"[green]indexed[/] {stats.indexed} files ({stats.unchanged} unchanged, {stats.removed} removed, "
        f"{len(stats.skipped)} skipped, {stats.public_files} public) in {stats.seconds:.1f} s, {rate:.1f} MB/s "
        f"→ {escape(str(out))}"
    )
    for s in stats.skipped:
        err.print(f"  [yellow]skipped[/] {escape(s['path'])}: {escape(s['reason'])} — {escape(s['message'])}")


def keygen(
    out: Annotated[Path, typer.Argument(help="Key file to create (32 random bytes, hex)")],
) -> None:
    """生成案件密钥 / Create a per-case key for privacy mode (keep it secret; share it only with the other party)."""
    if out.exists():
        fail(f"{out}: exists; refusing to overwrite a case key")
    out.write_text(secrets.token_hex(32) + "\n")
    out.chmod(0o600)
    err.print(f"[green]case key written[/] → {escape(str(out))}")
