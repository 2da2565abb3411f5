"""`shangmi deposit` and `shangmi verify`: the enterprise side of 存证. Files are hashed here; only digests
leave the machine. Receipts verify offline with no server at all."""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)
from rich.table import Table

from shangmi import __version__

CLIENT = f"shangmi-cli/{__version__}"
BATCH = 5000


def _files(paths: list[Path]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                sorted(p for p in path.rglob("*") if p.is_file() and not p.name.endswith(".receipt"))
            )
        elif path.is_file():
            found.append(path)
        else:
            raise typer.BadParameter(f"{path} is neither a file nor a folder")
    return found


def _digest_all(files: list[Path], console):
    from shangmi.engines.tlog.material import digest_files

    total = sum(f.stat().st_size for f in files)
    columns = (
        TextColumn("哈希 / hashing"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
    )
    results = {}
    started = time.perf_counter()
    with Progress(*columns, console=console, transient=False) as progress:
        task = progress.add_task("hash", total=total)
        for path, digest in digest_files(
            files, workers=os.cpu_count() or 2, on_bytes=lambda n: progress.advance(task, n)
        ):
            results[path] = digest
    seconds = max(time.perf_counter() - started, 1e-9)
    console.print(
        f"{len(files)} files, {total / 1e6:.1f} MB in {seconds:.1f} s ({total / 1e6 / seconds:.1f} MB/s)"
    )
    return results


def _request(method: str, url: str, token: str, body: dict | None = None) -> tuple[int, bytes]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        url,
        data=data,
        method=method,
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "Accept": "application/json",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - operator-given URL
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def _receipt_path(path: Path, out: Path | None) -> Path:
    return (out / (path.name + ".receipt")) if out else path.with_name(path.name + ".receipt")


def deposit(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders to deposit")],
    server: Annotated[str | None, typer.Option(help="Server URL, e.g. https://shangmi.example.cn")] = None,
    token: Annotated[str | None, typer.Option(help="Personal access token (or SHANGMI_TOKEN)")] = None,
    organisation: Annotated[
        str | None, typer.Option("--org", help="Local mode: organisation short code")
    ] = None,
    out: Annotated[Path | None, typer.Option(help="Folder for receipts (default: beside each file)")] = None,
    wait: Annotated[float, typer.Option(help="Seconds to wait for inclusion")] = 120.0,
) -> None:
    """Hash files locally (SHA-256 + SM3), deposit only the digests, write one receipt per file."""
    from shangmi.cli import _fail, console, err

    files = _files(paths)
    if not files:
        _fail("no files to deposit")
    if out:
        out.mkdir(parents=True, exist_ok=True)
    digests = _digest_all(files, err)
    token = token or os.environ.get("SHANGMI_TOKEN")
    if server:
        if not token:
            _fail("--server needs --token or SHANGMI_TOKEN (create one with `shangmi token create`)")
        receipts = _deposit_remote(server.rstrip("/"), token, files, digests, wait)
    else:
        if not organisation:
            _fail("local mode needs --org (the organisation short code); or give --server and --token")
        receipts = _deposit_local(organisation, files, digests)
    for path, text in receipts.items():
        target = _receipt_path(path, out)
        target.write_text(text, encoding="utf-8")
        console.print(escape(f"回执 / receipt: {target}"))
    console.print(f"[green]{len(receipts)} deposited[/]")


def _deposit_remote(server: str, token: str, files, digests, wait: float) -> dict[Path, str]:
    from shangmi.cli import _fail

    ids: dict[Path, int] = {}
    for start in range(0, len(files), BATCH):
        chunk = files[start : start + BATCH]
        body = {
            "kind": "file",
            "client": CLIENT,
            "items": [
                {
                    "sha256": digests[p].sha256,
                    "sm3": digests[p].sm3,
                    "size": digests[p].size,
                    "label": p.name[:200],
                }
                for p in chunk
            ],
        }
        status, payload = _request("POST", f"{server}/api/v1/evidence/deposits", token, body)
        if status != 202:
            _fail(f"server refused the deposit (HTTP {status}): {payload[:500].decode(errors='replace')}")
        ids.update(zip(chunk, json.loads(payload)["ids"], strict=True))
    receipts: dict[Path, str] = {}
    deadline = time.monotonic() + wait
    while len(receipts) < len(ids):
        for path, deposit_id in ids.items():
            if path in receipts:
                continue
            status, payload = _request(
                "GET", f"{server}/api/v1/evidence/deposits/{deposit_id}/receipt", token
            )
            if status == 200:
                receipts[path] = payload.decode()
            elif status != 409:
                _fail(f"fetching receipt {deposit_id} failed (HTTP {status})")
            else:
                break  # deposits are included in order: wait before asking for later ones
        if len(receipts) < len(ids):
            if time.monotonic() > deadline:
                _fail(
                    f"{len(ids) - len(receipts)} deposits not yet included after {wait:.0f} s; is the worker running?"
                )
            time.sleep(0.5)
    return receipts


def _deposit_local(organisation: str, files, digests) -> dict[Path, str]:
    from shangmi.cli import _django, _fail

    _django()
    from shangmi.apps.accounts.models import Organisation
    from shangmi.apps.evidence.actions import DepositItem, deposit_create_batch
    from shangmi.apps.evidence.log_service import include_pending, receipt_for
    from shangmi.apps.evidence.models import Deposit

    org = Organisation.objects.filter(short_code=organisation.upper()).first()
    if org is None:
        _fail(f"unknown organisation short code {organisation!r}")
    created = []
    for start in range(0, len(files), BATCH):
        chunk = files[start : start + BATCH]
        items = [
            DepositItem(digests[p].sha256, digests[p].sm3, digests[p].size, label=p.name[:200]) for p in chunk
        ]
        created += deposit_create_batch(organisation=org, actor=None, kind="file", items=items, client=CLIENT)
    include_pending()
    by_id = {d.pk: d for d in Deposit.objects.filter(pk__in=created).select_related("checkpoint")}
    missing = [i for i in created if by_id[i].state != Deposit.State.INCLUDED]
    if missing:
        _fail(f"{len(missing)} deposits were not included: another process holds the log; try again")
    return {path: receipt_for(by_id[i]).to_text() for path, i in zip(files, created, strict=True)}


def _trusted(vkey: str | None, tsa_ca: Path | None) -> tuple[str | None, list[bytes] | None]:
    trusted = None
    if vkey:
        trusted = Path(vkey).read_text(encoding="utf-8").strip() if Path(vkey).is_file() else vkey.strip()
    return trusted, [tsa_ca.read_bytes()] if tsa_ca else None


def verify(
    file: Annotated[
        Path, typer.Argument(help="The deposited file; or a bundle (ZIP or folder) with MANIFEST.sha256")
    ],
    receipt: Annotated[
        Path | None, typer.Argument(help="Its receipt (omit to check a bundle file by file)")
    ] = None,
    vkey: Annotated[
        str | None, typer.Option(help="Trusted log verifier key (name+hash+key) or a file with it")
    ] = None,
    tsa_ca: Annotated[
        Path | None, typer.Option(help="PEM root certificate(s) of the timestamp authority")
    ] = None,
) -> None:
    """Verify a receipt offline: digests, leaf, inclusion, checkpoint signature, timestamp. Or, given only
    a bundle (a dossier ZIP or its folder), every file against MANIFEST.sha256 and every X.receipt against X.
    Exit 0 valid, 1 not."""
    from shangmi.cli import console
    from shangmi.engines.tlog.material import MaterialError, digest_file
    from shangmi.engines.tlog.receipt import verify_receipt

    if receipt is None:
        _verify_bundle(file, vkey, tsa_ca)
        return
    try:
        material = digest_file(file)
        data = receipt.read_bytes()
    except (MaterialError, OSError) as error:
        console.print(f"[red]无法读取 / cannot read:[/] {escape(str(error))}")
        raise typer.Exit(1) from None
    trusted, roots = _trusted(vkey, tsa_ca)
    verdict = verify_receipt(data, material=material, trusted_vkey=trusted, tsa_roots=roots)
    table = Table(title="核验结果 / verification")
    for column in ("", "检查 / check", "详情 / detail"):
        table.add_column(column)
    for check in verdict.checks:
        table.add_row("✔" if check.ok else "✘", f"{check.label_zh} / {check.label_en}", escape(check.detail))
    console.print(table)
    if verdict.valid:
        when = verdict.timestamp.isoformat() if verdict.timestamp else "—"
        console.print(f"[bold green]有效 / VALID[/] leaf {verdict.index} of {verdict.tree_size}; time {when}")
        return
    failed = next(c for c in verdict.checks if not c.ok)
    console.print(f"[bold red]无效 / INVALID[/]: {failed.label_zh} / {failed.label_en}")
    raise typer.Exit(1)


_CHECKS = {
    "sha256": "清单摘要 / manifest SHA-256",
    "missing": "文件缺失 / missing",
    "unlisted": "未列入清单 / not listed",
    "receipt": "存证回执 / receipt",
    "manifest": "清单格式 / manifest format",
    "read": "读取 / read",
}


def _verify_bundle(path: Path, vkey: str | None, tsa_ca: Path | None) -> None:
    """Every file of a bundle against MANIFEST.sha256, and every X.receipt against X."""
    from shangmi.apps.evidence.bundle import BundleError, check_bundle
    from shangmi.cli import _fail, console

    try:
        trusted, roots = _trusted(vkey, tsa_ca)
        findings = check_bundle(path, trusted_vkey=trusted, tsa_roots=roots)
    except (BundleError, OSError) as error:
        _fail(f"{error}; to check one file give its receipt too: shangmi verify FILE RECEIPT")
    table = Table(title="证据包核验 / bundle verification")
    for column in ("", "文件 / file", "检查 / check", "详情 / detail"):
        table.add_column(column)
    for f in findings:
        table.add_row("✔" if f.ok else "✘", escape(f.path), _CHECKS.get(f.check, f.check), escape(f.detail))
    console.print(table)
    failed = [f for f in findings if not f.ok]
    receipts = sum(f.ok and f.check == "receipt" for f in findings)
    if not failed:
        files = sum(f.check == "sha256" for f in findings)
        console.print(
            f"[bold green]有效 / VALID[/] {files} files match the manifest; {receipts} receipts valid"
        )
        return
    console.print(f"[bold red]无效 / INVALID[/]: {len(failed)} problems")
    for f in failed:
        console.print(escape(f"✘ {f.path}: {_CHECKS.get(f.check, f.check)} {f.detail}"))
    raise typer.Exit(1)


log_app = typer.Typer(help="公开日志 / the public evidence log", no_args_is_help=True)


def _http_fetch(base: str):
    from shangmi.engines.tlog.storage import NotFound

    def fetch(path: str) -> bytes:
        try:
            with urllib.request.urlopen(f"{base}/{path}", timeout=30) as response:  # noqa: S310
                return response.read()
        except urllib.error.HTTPError as error:
            if error.code == 404:
                raise NotFound(path) from None
            raise

    return fetch


@log_app.command("audit")
def log_audit(
    url: Annotated[str, typer.Argument(help="The log's base URL, e.g. https://shangmi.example.cn/log")],
    vkey: Annotated[
        str | None, typer.Option(help="The log's verifier key (default: remembered in the state)")
    ] = None,
    state: Annotated[
        Path | None, typer.Option(help="State file (default ~/.shangmi/log-audit/<origin>.json)")
    ] = None,
    interval: Annotated[float, typer.Option(help="Seconds between checks")] = 60.0,
    count: Annotated[int, typer.Option(help="Checks to run; 0 runs until stopped")] = 1,
) -> None:
    """Watch a log: every new checkpoint must be signed and consistent with the last one. Exit 2 on a fork
    or rollback, 1 on an invalid checkpoint."""
    from shangmi.cli import console, err
    from shangmi.engines.tlog.keys import parse_verifier_key
    from shangmi.engines.tlog.monitor import LogAlarm, MonitorState, check

    base = url.rstrip("/")
    fetch = _http_fetch(base)
    key_text = vkey or fetch("vkey").decode().strip()
    verifier = parse_verifier_key(key_text)
    path = state or Path.home() / ".shangmi" / "log-audit" / (verifier.name.replace("/", "_") + ".json")
    path.parent.mkdir(parents=True, exist_ok=True)
    previous = MonitorState.load(path)
    if previous and not vkey:
        err.print("using the verifier key fetched from the log; pass --vkey to pin it")
    runs = 0
    while True:
        try:
            current, message = check(previous, fetch, verifier.name, verifier)
        except LogAlarm as alarm:
            console.print(f"[bold red]告警 / ALARM[/] {escape(str(alarm))}")
            raise typer.Exit(2) from None
        except (ValueError, OSError) as error:
            console.print(
                f"[bold red]无效检查点 / INVALID checkpoint[/] {escape(f'{type(error).__name__}: {error}')}"
            )
            raise typer.Exit(1) from None
        current.save(path)
        console.print(f"[green]OK[/] {escape(message)}")
        previous = current
        runs += 1
        if count and runs >= count:
            return
        time.sleep(interval)
