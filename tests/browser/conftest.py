"""Browser tests: the real platform (`shangmi run`) in a subprocess, driven by Debian's chromium.

These tests talk to the live server over HTTP and never touch pytest-django's test database. The server gets
a fresh data directory (and, when DATABASE_URL names PostgreSQL, a fresh database that is dropped afterwards),
and is stopped at the end the way an operator stops it: Ctrl-C (SIGINT to its process group) must stop the
web server and the worker and exit with status 0.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
STARTUP_TIMEOUT = 180  # migrations + demo data on a cold PostgreSQL
STOP_TIMEOUT = 20
ACTION_TIMEOUT_MS = 15_000

_screenshot_dir: Path | None = None


# --- the server ------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _replace_db_name(url: str, name: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path="/" + name))


@contextlib.contextmanager
def _fresh_postgres_database(url: str):
    """Create an empty database next to the one DATABASE_URL names; yield its URL; drop it afterwards."""
    import psycopg
    from psycopg import sql

    base = urllib.parse.urlsplit(url).path.lstrip("/") or "shangmi"
    name = f"{base[:40]}_browser_{secrets.token_hex(4)}"
    admin_url = _replace_db_name(url, "postgres")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield _replace_db_name(url, name)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _group_members(pgid: int) -> list[str]:
    """Live (non-zombie) processes in a process group, as 'pid name' strings (Linux /proc)."""
    alive = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        # pid (comm) state ppid pgrp ...; comm may contain spaces and parentheses.
        head, _, rest = text.rpartition(")")
        fields = rest.split()
        if len(fields) >= 3 and int(fields[2]) == pgid and fields[0] != "Z":
            pid, _, comm = head.partition(" (")
            alive.append(f"{pid} {comm}")
    return alive


def _log_tail(path: Path, lines: int = 60) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


@dataclass
class LiveServer:
    url: str
    data_dir: Path
    log_path: Path
    process: subprocess.Popen = field(repr=False)
    # Authenticator secrets enrolled during the session, by login: a later test logging in as the same
    # user types codes from it, as the person's authenticator app would.
    totp_secrets: dict[str, str] = field(default_factory=dict, repr=False)

    def log_tail(self, lines: int = 60) -> str:
        return _log_tail(self.log_path, lines)


def _server_command() -> list[str]:
    script = Path(sys.executable).with_name("shangmi")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "shangmi.cli"]


def _wait_until_serving(url: str, process: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(
                f"`shangmi run` exited with status {process.returncode} before serving:\n{_log_tail(log_path)}"
            )
        try:
            # `shangmi run` migrates and loads the demo before it starts the web server.
            with urllib.request.urlopen(url + "accounts/login/", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.3)
    pytest.fail(f"`shangmi run` did not serve {url} within {STARTUP_TIMEOUT} s:\n{_log_tail(log_path)}")


@pytest.fixture(scope="session")
def shangmi_server(tmp_path_factory):
    """`shangmi run` on a free port with a fresh data directory; stopped with Ctrl-C at the end."""
    root = tmp_path_factory.mktemp("live-server")
    data_dir = root / "data"
    runtime_dir = root / "run"  # a private runtime directory per server
    runtime_dir.mkdir(mode=0o700)
    log_path = root / "server.log"
    port = _free_port()
    url = f"http://127.0.0.1:{port}/"

    env = {k: v for k, v in os.environ.items() if not k.startswith("SHANGMI_") and k != "DATABASE_URL"}
    env.update(
        DJANGO_SETTINGS_MODULE="shangmi.settings",
        SHANGMI_DATA_DIR=str(data_dir),
        XDG_RUNTIME_DIR=str(runtime_dir),
        PYTHONUNBUFFERED="1",
        COLUMNS="120",
    )
    database_url = os.environ.get("DATABASE_URL", "")
    with contextlib.ExitStack() as stack:
        if database_url.startswith(("postgres://", "postgresql://", "pgsql://")):
            database_url = stack.enter_context(_fresh_postgres_database(database_url))
        if database_url:
            env["DATABASE_URL"] = database_url

        log = stack.enter_context(open(log_path, "wb"))
        process = subprocess.Popen(
            [*_server_command(), "run", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, like a terminal's foreground job
        )
        pgid = process.pid
        try:
            _wait_until_serving(url, process, log_path)
            yield LiveServer(url=url, data_dir=data_dir, log_path=log_path, process=process)
        finally:
            problems = []
            if process.poll() is None:
                # Ctrl-C in a terminal signals the whole foreground process group.
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(pgid, signal.SIGINT)
                try:
                    process.wait(timeout=STOP_TIMEOUT)
                except subprocess.TimeoutExpired:
                    problems.append(f"`shangmi run` did not stop within {STOP_TIMEOUT} s of Ctrl-C")
                else:
                    if process.returncode != 0:
                        problems.append(f"`shangmi run` exited with status {process.returncode} after Ctrl-C")
            else:
                problems.append(f"`shangmi run` had already exited with status {process.returncode}")
            deadline = time.monotonic() + 5
            while (left := _group_members(pgid)) and time.monotonic() < deadline:
                time.sleep(0.2)
            if left:
                problems.append(f"processes still running after Ctrl-C: {left}")
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pgid, signal.SIGKILL)  # only our own group; a no-op when the stop was clean
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=5)
    # The database (if any) is dropped by now; the data directory goes with the tmp dir.
    if problems:
        pytest.fail("; ".join(problems) + "\n" + _log_tail(log_path))
    shutil.rmtree(data_dir, ignore_errors=True)


# --- the browser -----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not Path(CHROMIUM).exists():
        message = (
            f"{CHROMIUM} is missing: install Debian's chromium "
            "(apt-get update && apt-get install -y chromium); .ci/run does this"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return CHROMIUM


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    """$SHANGMI_SCREENSHOT_DIR, or a new directory under the system's temp dir (outside pytest's basetemp,
    which concurrent pytest runs prune)."""
    global _screenshot_dir
    chosen = os.environ.get("SHANGMI_SCREENSHOT_DIR")
    if chosen:
        _screenshot_dir = Path(chosen)
        _screenshot_dir.mkdir(parents=True, exist_ok=True)
    else:
        _screenshot_dir = Path(tempfile.mkdtemp(prefix="shangmi-screenshots-"))
    return _screenshot_dir


def pytest_terminal_summary(terminalreporter):
    if _screenshot_dir is not None and any(_screenshot_dir.iterdir()):
        terminalreporter.write_line(f"browser screenshots: {_screenshot_dir}")


# Messages that betray a Content Security Policy violation, in Chromium's console wording.
CSP_PATTERN = re.compile(r"Content Security Policy|Refused to|CSP violation", re.IGNORECASE)

# Chromium reports blocked inline code and eval on the console, but the page's own event is more precise.
_CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", function (e) {
  console.error("CSP violation: " + e.violatedDirective + " blocked " + (e.blockedURI || "inline") +
                " at " + e.sourceFile + ":" + e.lineNumber);
});
"""


@dataclass
class BrowserLog:
    """Console messages, page errors and failed responses of every page in one browser context."""

    entries: list[str] = field(default_factory=list)
    csp: list[str] = field(default_factory=list)
    js_errors: list[str] = field(default_factory=list)
    bad_responses: list[str] = field(default_factory=list)
    allowed: list[re.Pattern] = field(default_factory=list)

    def allow(self, pattern: str) -> None:
        """Tolerate console errors / HTTP statuses matching pattern (e.g. an expected 429)."""
        self.allowed.append(re.compile(pattern))

    def _is_allowed(self, text: str) -> bool:
        return any(p.search(text) for p in self.allowed)

    def watch(self, page) -> None:
        def on_console(message):
            where = page.url
            text = f"[{message.type}] {message.text} ({where})"
            self.entries.append(text)
            if CSP_PATTERN.search(message.text):
                self.csp.append(text)
            elif message.type == "error" and not self._is_allowed(message.text):
                self.js_errors.append(text)

        def on_page_error(error):
            text = f"[pageerror] {error} ({page.url})"
            self.entries.append(text)
            self.js_errors.append(text)

        def on_response(response):
            if response.status >= 400:
                text = f"HTTP {response.status} {response.request.method} {response.url}"
                self.entries.append(text)
                if not self._is_allowed(text):
                    self.bad_responses.append(text)

        def on_request_failed(request):
            text = f"request failed: {request.method} {request.url}: {request.failure}"
            self.entries.append(text)
            # Chromium aborts a static asset still loading (e.g. the favicon) when the page navigates
            # on: nothing failed on the server, and a missing asset still shows as an HTTP 404 above
            cancelled_asset = request.failure == "net::ERR_ABORTED" and "/static/" in request.url
            if not cancelled_asset and not self._is_allowed(text):
                self.bad_responses.append(text)

        page.on("console", on_console)
        page.on("pageerror", on_page_error)
        page.on("response", on_response)
        page.on("requestfailed", on_request_failed)

    def assert_clean(self) -> None:
        assert not self.csp, "Content Security Policy violations:\n" + "\n".join(self.csp)
        assert not self.js_errors, "JavaScript errors:\n" + "\n".join(self.js_errors)
        assert not self.bad_responses, "failed requests:\n" + "\n".join(self.bad_responses)


class Browsing:
    """A fresh browser context (no cookies) whose pages are all watched; see `new_context`."""

    def __init__(self, browser, server: LiveServer, shots: Path):
        self.browser = browser
        self.server = server
        self.shots = shots
        self.contexts = []
        self.logs: list[BrowserLog] = []

    def new_page(self, *, viewport=(1280, 800), locale="zh-CN", **options):
        context = self.browser.new_context(
            base_url=self.server.url.rstrip("/"),
            viewport={"width": viewport[0], "height": viewport[1]},
            locale=locale,
            timezone_id="Asia/Shanghai",
            **options,
        )
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        context.add_init_script(_CSP_LISTENER)
        log = BrowserLog()
        context.on("page", log.watch)
        self.contexts.append(context)
        self.logs.append(log)
        page = context.new_page()
        return page, log

    def screenshot(self, page, name: str) -> Path:
        path = self.shots / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    def close(self) -> None:
        for context in self.contexts:
            with contextlib.suppress(Exception):
                context.close()


@pytest.fixture
def browsing(browser, shangmi_server, screenshot_dir, request):
    """Open pages with `browsing.new_page()`; at the end every page must be free of CSP violations,
    JavaScript errors and failed requests."""
    session = Browsing(browser, shangmi_server, screenshot_dir)
    try:
        yield session
        failed = getattr(request.node, "rep_call", None)
        if failed is not None and failed.failed:
            for context in session.contexts:
                for i, page in enumerate(context.pages):
                    with contextlib.suppress(Exception):
                        session.screenshot(page, f"FAILED-{request.node.name}-{i}")
            print("server log (tail):\n" + shangmi_server.log_tail(40))
            print("browser log:\n" + "\n".join(e for log in session.logs for e in log.entries))
        else:
            for log in session.logs:
                log.assert_clean()
    finally:
        session.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report
