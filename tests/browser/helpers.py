"""Page helpers and demo constants shared by the browser tests."""

from __future__ import annotations

import base64
import re
import time
from urllib.parse import parse_qs, urlsplit

DEMO_PASSWORD = "Shangmi-Demo-2026"
ENTERPRISE_ADMIN = "admin@lanxi.example"  # TOTP required; only its enrolment page is visited
OFFICER = "officer@lanxi.example"  # secrecy officer of the demo enterprise; TOTP required
EMPLOYEE_PHONE = "13805740003"  # e01@lanxi.example, an employee (second factor optional)
LOCKOUT_EMPLOYEE = "e05@lanxi.example"
DEMO_MEMBERS = 40


def path_of(page) -> str:
    return urlsplit(page.url).path


def query_of(page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def html_lang(page) -> str | None:
    return page.locator("html").get_attribute("lang")


def submit(page, selector: str):
    """Click a button that submits a form and return the response of the page it leads to."""
    with page.expect_navigation(wait_until="load") as navigation:
        page.click(selector)
    return navigation.value


def log_in(page, login: str, password: str = DEMO_PASSWORD):
    page.fill("#id_username", login)
    page.fill("#id_password", password)
    return submit(page, "#login-submit")


def stat_cards(page) -> dict[str, str]:
    """The dashboard's stat cards as {label: value}."""
    cards = {}
    for card in page.locator("#stat-cards .stat-card").all():
        label = card.locator(".card-body > div").first.inner_text().strip()
        cards[label] = card.locator(".stat-value").inner_text().strip()
    return cards


def styles_applied(page) -> dict:
    """Evidence that Bootstrap, its icon font and our own stylesheet were loaded and applied."""
    return page.evaluate(
        """async () => {
          const flex = document.querySelector(".d-flex");
          const brand = document.querySelector(".bg-brand");
          if (document.querySelector(".bi")) { await document.fonts.load("1em bootstrap-icons"); }
          await document.fonts.ready;
          return {
            bootstrapFlex: flex ? getComputedStyle(flex).display : null,
            brandBackground: brand ? getComputedStyle(brand).backgroundColor : null,
            iconFontLoaded: document.fonts.check("1em bootstrap-icons"),
            stylesheets: Array.from(document.styleSheets).map(s => s.href),
          };
        }"""
    )


def assert_styled(page) -> None:
    styles = styles_applied(page)
    assert styles["bootstrapFlex"] == "flex", f"Bootstrap is not applied: {styles}"
    assert styles["brandBackground"] not in (None, "rgba(0, 0, 0, 0)", "transparent"), (
        f"shangmi.css: {styles}"
    )
    assert styles["iconFontLoaded"], f"the Bootstrap Icons font did not load: {styles}"


def horizontal_overflow(page) -> int:
    """How many CSS pixels the page is wider than the viewport (0 when nothing scrolls sideways)."""
    return page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")


def totp_code(secret: str, *, drift: int = 0) -> str:
    from django_otp.oath import totp

    cleaned = re.sub(r"\s+", "", secret).upper()
    key = base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))
    return f"{totp(key, drift=drift):06d}"


def wait_for_fresh_totp_window(min_left: float = 3.0) -> None:
    """Avoid typing a code in the last seconds of its 30 s step."""
    left = 30 - (time.time() % 30)
    if left < min_left:
        time.sleep(left + 0.5)


def qr_fully_visible(page, selector: str = ".qr svg") -> dict:
    """Whether the drawn QR modules lie inside the box the SVG is rendered in (nothing cropped)."""
    return page.locator(selector).evaluate(
        """svg => {
          const box = svg.getBoundingClientRect();
          const drawn = svg.querySelector("path").getBoundingClientRect();
          return {
            visible: drawn.left >= box.left - 0.5 && drawn.top >= box.top - 0.5 &&
                     drawn.right <= box.right + 0.5 && drawn.bottom <= box.bottom + 0.5,
            box: [box.width, box.height], drawn: [drawn.width, drawn.height],
            viewBox: svg.getAttribute("viewBox"), width: svg.getAttribute("width"),
          };
        }"""
    )


def type_totp(page, secret: str, accepted) -> None:
    """Type the current code; if its 30 s step was already used (replay protection), try the next one."""
    for attempt in range(3):
        wait_for_fresh_totp_window()
        page.fill("#id_code", totp_code(secret))
        submit(page, "#otp-submit")
        if accepted():
            return
        assert attempt < 2, "the TOTP code was refused three times"
        time.sleep(30 - (time.time() % 30) + 1)


def two_factor_logs_in(browsing, login: str = OFFICER):
    """Log in a user who must use TOTP: enrol at the first log-in of the server's life (keeping the secret
    on the server fixture for later tests), else type a code from the enrolled secret."""
    page, log = browsing.new_page()
    page.goto("/accounts/login/")
    log_in(page, login)
    if path_of(page) == "/accounts/2fa/enrol/":
        secret = page.inner_text("#totp-secret").strip()
        type_totp(page, secret, lambda: page.locator("#recovery-codes li").count() >= 5)
        browsing.server.totp_secrets[login] = secret
        with page.expect_navigation():
            page.click("#continue")
    else:
        assert path_of(page) == "/accounts/2fa/verify/", path_of(page)
        type_totp(page, browsing.server.totp_secrets[login], lambda: path_of(page) != "/accounts/2fa/verify/")
    assert path_of(page) == "/"
    return page, log


def logs_in(browsing, login: str):
    """Log in a user without a second factor."""
    page, log = browsing.new_page()
    page.goto("/accounts/login/")
    log_in(page, login)
    assert path_of(page) == "/", f"{login} did not reach the dashboard: {page.url}"
    return page, log
