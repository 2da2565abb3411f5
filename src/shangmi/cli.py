"""`shangmi`: the operators' command line (Typer + Rich). Django is set up lazily per command."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

app = typer.Typer(
    help="shangmi 商秘 — 商业秘密保护信息系统",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)
token_app = typer.Typer(help="个人访问令牌 / personal access tokens", no_args_is_help=True)
audit_app = typer.Typer(help="审计日志 / audit trail", no_args_is_help=True)
org_app = typer.Typer(help="组织 / organisations", no_args_is_help=True)
app.add_typer(org_app, name="org")
app.add_typer(token_app, name="token")
app.add_typer(audit_app, name="audit")
# soft_wrap: a message is one line however narrow the terminal, so scripts can grep the output.
console = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shangmi.settings")
    import django

    django.setup()


def _fail(message: str, code: int = 1) -> None:
    err.print(f"[bold red]错误 / error:[/] {escape(message)}")
    raise typer.Exit(code)


def _validation_text(error) -> str:
    if hasattr(error, "message_dict"):
        return "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in error.message_dict.items())
    return " ".join(getattr(error, "messages", [str(error)]))


@app.command()
def migrate() -> None:
    """Apply database migrations."""
    _django()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=1)


@app.command()
def demo() -> None:
    """Load the demo organisations and people (idempotent) and print the demo logins."""
    _django()
    from shangmi.demo import DEMO_PASSWORD, load_demo

    _print_logins(load_demo(), DEMO_PASSWORD)


def _print_logins(logins, password: str) -> None:
    table = Table(title="演示账号 / demo logins", show_lines=False)
    table.add_column("组织 / organisation")
    table.add_column("角色 / role")
    table.add_column("登录名 / login")
    for login in logins:
        table.add_row(str(login.organisation), str(login.role), str(login.login))
    console.print(table)
    console.print(f"演示密码 / demo password: [bold]{password}[/]")
    console.print(
        "管理员、保密员、监管人员首次登录时需绑定身份验证器（TOTP）/ "
        "admins, secrecy officers and regulators enrol an authenticator app at first login."
    )


@app.command()
def worker(
    queues: Annotated[str, typer.Option(help="Queues to process, comma-separated; * for all")] = "*",
    interval: Annotated[float, typer.Option(help="Seconds between polls when idle")] = 0.25,
    batch: Annotated[bool, typer.Option(help="Exit when the queue is empty")] = False,
) -> None:
    """Run the background task worker (django-tasks-db) with a heartbeat for the health page."""
    _django()
    from shangmi.apps.ops.worker import run_worker

    run_worker(queues=queues, interval=interval, batch=batch)


def _wait_for_port(host: str, port: int, process: subprocess.Popen, timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.2)
    return False


def _port_taken(host: str, port: int) -> bool:
    """Whether another program listens on the address (checked before starting, so that the user reads
    one line instead of the web server's crash report)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return True
    return False


def _web_server_command(host: str, port: int, workers: int) -> list[str]:
    """granian serving the WSGI application: its HTTP parsing and socket work run in Rust, outside the
    GIL. Two blocking threads a worker keep one request in Python while the other waits on the database;
    more threads only contend for the GIL (benchmarks/RESULTS.md, "The register at scale")."""
    return [
        sys.executable,
        "-m",
        "granian",
        "--interface",
        "wsgi",
        "--host",
        host,
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--blocking-threads",
        "2",
        "--runtime-threads",
        "1",
        "--workers-kill-timeout",
        "10",
        "shangmi.wsgi:application",
    ]


@app.command()
def run(
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
    workers: Annotated[int, typer.Option(help="Web server worker processes")] = 2,
    load_demo_data: Annotated[bool, typer.Option("--demo/--no-demo", help="Load the demo data")] = True,
) -> None:
    """Migrate, load the demo, then serve the platform (granian + whitenoise) and the task worker."""
    _django()
    from django.conf import settings
    from django.core.management import call_command

    if _port_taken(host, port):
        _fail(f"端口已被占用 / {host}:{port} is already in use; choose another with --port")
    console.print(f"数据目录 / data directory: [bold]{settings.DATA_DIR}[/]")
    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    logins = []
    if load_demo_data:
        from shangmi.demo import load_demo

        logins = load_demo()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "shangmi.settings",
        "SHANGMI_DATA_DIR": str(settings.DATA_DIR),
    }
    web = subprocess.Popen(_web_server_command(host, port, workers), env=env)
    work = subprocess.Popen([sys.executable, "-m", "shangmi.cli", "worker"], env=env)
    children = [web, work]

    def stop(*_args) -> None:
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for child in children:
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()

    signal.signal(signal.SIGTERM, lambda *_: (stop(), sys.exit(0)))
    try:
        if not _wait_for_port(host if host not in ("0.0.0.0", "::") else "127.0.0.1", port, web):
            stop()
            _fail(f"the web server did not start on {host}:{port} (is the port in use?)")
        url_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host
        if logins:
            from shangmi.demo import DEMO_PASSWORD

            _print_logins(logins, DEMO_PASSWORD)
        console.print(
            f"\n[bold green]shangmi 已启动 / running:[/] http://{url_host}:{port}/   (Ctrl-C 停止 / to stop)"
        )
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
        failed = [c for c in children if c.poll() not in (None, 0)]
        stop()
        if failed:
            _fail("a child process exited unexpectedly; see the log above")
    except KeyboardInterrupt:
        console.print("\n正在停止 / stopping…")
        stop()
        console.print("已停止 / stopped.")


@app.command()
def createuser(
    name: Annotated[str, typer.Option(help="Full name")],
    organisation: Annotated[str, typer.Option("--org", help="Organisation short code, e.g. LXWY")],
    role: Annotated[str, typer.Option(help="Role in that organisation, e.g. officer")],
    email: Annotated[str | None, typer.Option(help="E-mail address (login)")] = None,
    phone: Annotated[str | None, typer.Option(help="Mainland mobile number (login)")] = None,
    password_file: Annotated[Path | None, typer.Option(help="Read the password from this file")] = None,
) -> None:
    """Create a login and add it to an organisation. The password comes from a file, SHANGMI_NEW_PASSWORD
    or a prompt."""
    _django()
    from django.core.exceptions import ValidationError
    from django.db import transaction

    from shangmi.apps.accounts import actions
    from shangmi.apps.accounts.models import Organisation

    org = Organisation.objects.filter(short_code=organisation.upper()).first()
    if org is None:
        _fail(f"unknown organisation short code {organisation!r}")
    if password_file:
        password = password_file.read_text(encoding="utf-8").strip()
    elif os.environ.get("SHANGMI_NEW_PASSWORD"):
        password = os.environ["SHANGMI_NEW_PASSWORD"]
    elif sys.stdin.isatty():
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        _fail("no password: use --password-file or SHANGMI_NEW_PASSWORD when there is no terminal")
    try:
        with transaction.atomic():
            user = actions.user_create(actor=None, name=name, email=email, phone=phone, password=password)
            actions.membership_add(actor=None, user=user, organisation=org, role=role)
    except ValidationError as error:
        _fail(_validation_text(error), code=2)
    console.print(escape(f"created {user.login_name} as {role} of {org.name}"))


@org_app.command("create")
def org_create(
    kind: Annotated[str, typer.Option(help="enterprise, regulator or provider")],
    name: Annotated[str, typer.Option(help="Full name of the organisation")],
    code: Annotated[str, typer.Option(help="Short code, letters and digits, e.g. LXWY")],
    admin_name: Annotated[str, typer.Option(help="Name of its first administrator")],
    region: Annotated[
        str | None, typer.Option(help="GB/T 2260 code: location, or a regulator's jurisdiction")
    ] = None,
    admin_email: Annotated[str | None, typer.Option(help="The administrator's e-mail (login)")] = None,
    admin_phone: Annotated[str | None, typer.Option(help="The administrator's mobile number (login)")] = None,
) -> None:
    """Onboard an organisation with its first administrator; prints the administrator's initial password once."""
    _django()
    from django.core.exceptions import ValidationError

    from shangmi.apps.accounts import actions

    if kind == "platform":
        _fail("the platform organisation exists already; add operators to it with createuser --org PLATFORM")
    try:
        org, membership, password = actions.organisation_onboard(
            actor=None,
            kind=kind,
            name=name,
            short_code=code,
            region_code=region,
            admin_name=admin_name,
            admin_email=admin_email,
            admin_phone=admin_phone,
        )
    except ValidationError as error:
        _fail(_validation_text(error), code=2)
    err.print(
        escape(f"created {org.short_code} ({org.name}) with administrator {membership.user.login_name}")
    )
    if password:
        err.print("initial password (shown once; changed at first log-in):")
        print(password)


@org_app.command("list")
def org_list() -> None:
    """List the organisations on the platform."""
    _django()
    from django.db.models import Count, Q

    from shangmi.apps.accounts.models import Organisation

    table = Table(title="组织 / organisations")
    for column in ("code", "kind", "name", "region", "members"):
        table.add_column(column)
    orgs = Organisation.objects.select_related("region").annotate(
        members=Count("memberships", filter=Q(memberships__is_active=True))
    )
    for org in orgs.order_by("kind", "short_code"):
        table.add_row(org.short_code, org.kind, escape(org.name), org.region_id or "", str(org.members))
    console.print(table)


@token_app.command("create")
def token_create(
    login: Annotated[str, typer.Option("--user", help="E-mail or mobile number of the token's owner")],
    organisation: Annotated[str, typer.Option("--org", help="Organisation short code the token acts in")],
    name: Annotated[str, typer.Option(help="What the token is for")] = "cli",
    days: Annotated[int, typer.Option(help="Days until it expires")] = 90,
) -> None:
    """Create a personal access token and print its secret once."""
    _django()
    from django.core.exceptions import ValidationError

    from shangmi.apps.accounts import actions
    from shangmi.apps.accounts.backends import find_user
    from shangmi.apps.accounts.models import Organisation

    user = find_user(login)
    if user is None:
        _fail(f"no user with login {login!r}")
    org = Organisation.objects.filter(short_code=organisation.upper()).first()
    if org is None:
        _fail(f"unknown organisation short code {organisation!r}")
    try:
        token, secret = actions.token_create(actor=user, organisation=org, name=name, days=days)
    except ValidationError as error:
        _fail(_validation_text(error), code=2)
    err.print(
        f"token {token.prefix}… for {user.login_name} in {org.short_code}, expires {token.expires_at:%Y-%m-%d}"
    )
    print(secret)


@audit_app.command("verify")
def audit_verify(
    organisation: Annotated[str | None, typer.Option("--org", help="Only this organisation's chain")] = None,
) -> None:
    """Recompute every audit chain and report the first broken link of each. Exit 1 if any is broken."""
    _django()
    from shangmi.apps.accounts.models import Organisation
    from shangmi.apps.audit.chain import verify
    from shangmi.apps.audit.models import AuditEvent

    org_id = None
    if organisation:
        org = Organisation.objects.filter(short_code=organisation.upper()).first()
        if org is None:
            _fail(f"unknown organisation short code {organisation!r}")
        org_id = org.pk
    total = AuditEvent.objects.filter(**({"organisation_id": org_id} if org_id else {})).count()
    columns = (TextColumn("核验 / verifying"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True, disable=not err.is_terminal) as progress:
        task = progress.add_task("verify", total=total)
        checked, broken = verify(org_id, progress=lambda n: progress.advance(task, n))
    from shangmi.apps.evidence.anchors import verify_anchors

    anchors, anchor_problems = verify_anchors(org_id)
    names = dict(Organisation.objects.values_list("pk", "short_code"))
    for link in broken:
        console.print(
            "[bold red]BROKEN[/] "
            + escape(
                f"organisation {names.get(link.organisation_id, link.organisation_id)} "
                f"at seq {link.seq} (event id {link.event_id}): {link.reason}"
            )
        )
    for problem in anchor_problems:
        console.print(
            "[bold red]ANCHOR[/] "
            + escape(
                f"organisation {names.get(problem.organisation_id, problem.organisation_id)} "
                f"at seq {problem.seq}: {problem.reason}"
            )
        )
    if broken or anchor_problems:
        raise typer.Exit(1)
    console.print(
        f"[green]OK[/] {checked} events, every chain intact; {anchors} anchors in the evidence log match"
    )


@app.command()
def backup(
    output: Annotated[Path, typer.Argument(help="Archive to write, e.g. shangmi-backup.tar.gz")],
) -> None:
    """Write one archive with a consistent snapshot of the database and the data directory, plus a
    manifest of SHA-256 digests."""
    _django()
    from shangmi.apps.ops.backup import BackupError, create_backup

    try:
        manifest = create_backup(output, progress=_progress_printer())
    except BackupError as error:
        _fail(str(error))
    console.print(
        "[green]backup written[/] "
        + escape(f"{output} ({len(manifest['files'])} files, {manifest['records']} records)")
    )


@app.command()
def restore(
    archive: Annotated[Path, typer.Argument(help="Archive written by `shangmi backup`")],
) -> None:
    """Restore a backup into an empty data directory (and empty database), after checking its manifest."""
    # The target must be checked before Django starts: settings would create files in the data directory.
    from shangmi.config import data_dir

    target = data_dir()
    if target.exists() and any(target.iterdir()):
        _fail(
            f"the data directory {target} is not empty; restore only into an empty one "
            "(set SHANGMI_DATA_DIR to a new directory). Nothing was changed."
        )
    from shangmi.apps.ops.backup import BackupError, check_archive

    try:
        manifest = check_archive(archive)
    except BackupError as error:
        _fail(str(error))
    _django()
    from shangmi.apps.ops.backup import restore_backup

    try:
        restore_backup(archive, manifest, progress=_progress_printer())
    except BackupError as error:
        _fail(str(error))
    console.print(
        "[green]restored[/] "
        + escape(f"{manifest['records']} records and {len(manifest['files'])} files into {target}")
    )


def _progress_printer():
    def report(message: str) -> None:
        err.print(f"  {escape(message)}")

    return report


def _register_evidence_commands() -> None:
    from shangmi.cli_evidence import deposit, log_app, verify

    app.command()(deposit)
    app.command()(verify)
    app.add_typer(log_app, name="log")


_register_evidence_commands()


def _register_registry_commands() -> None:
    from shangmi.cli_registry import reminders

    app.command()(reminders)


_register_registry_commands()


def _register_risk_commands() -> None:
    from shangmi.cli_risk import register, risk_app

    register()
    app.add_typer(risk_app, name="risk")


_register_risk_commands()


def _register_fp_commands() -> None:
    from shangmi.cli_fp import fp_app, register

    register()
    app.add_typer(fp_app, name="fp")


_register_fp_commands()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
