"""Language: zh-hans by default, English switchable through /i18n/setlang/, and a complete English catalogue.

The catalogue checks read src/shangmi/locale/en/LC_MESSAGES/django.po with a small parser (no extra
dependency) and the compiled django.mo with the standard library's gettext module. How to update the
catalogue: docs/en/translation.md.
"""

from __future__ import annotations

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

SRC = Path(settings.BASE_DIR)  # src/shangmi
PO_PATH = SRC / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO_PATH = PO_PATH.with_suffix(".mo")
HOW_TO_FIX = "update the catalogue as docs/en/translation.md says (makemessages, translate, compilemessages)"


# --- a small .po parser ------------------------------------------------------------------------------


def _unquote(literal: str) -> str:
    literal = literal.strip()
    assert literal.startswith('"') and literal.endswith('"'), literal
    escapes = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}
    return re.sub(r"\\(.)", lambda m: escapes[m.group(1)], literal[1:-1])


def parse_po(path: Path) -> list[dict]:
    """Entries of a .po file as dicts: msgid, msgid_plural?, msgstr or msgstr[N], flags, line.

    Obsolete entries (#~) are skipped; the header (empty msgid) is included.
    """
    entries: list[dict] = []
    entry: dict = {}
    field = None

    def close():
        nonlocal entry, field
        if "msgid" in entry:
            entries.append(entry)
        entry, field = {}, None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            close()
        elif line.startswith("#~"):
            continue
        elif line.startswith("#,"):
            if "msgid" in entry:
                close()
            entry.setdefault("flags", set()).update(f.strip() for f in line[2:].split(",") if f.strip())
        elif line.startswith("#"):
            if "msgid" in entry:
                close()
        elif match := re.match(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(\".*\")$", line):
            field = match.group(1)
            if field in ("msgctxt", "msgid") and "msgid" in entry:
                close()
                field = match.group(1)
            entry.setdefault("line", number)
            entry[field] = _unquote(match.group(2))
        elif line.startswith('"') and field:
            entry[field] += _unquote(line)
        else:
            raise AssertionError(f"{path}:{number}: cannot parse {raw!r}")
    close()
    return entries


def _messages() -> list[dict]:
    return [e for e in parse_po(PO_PATH) if e["msgid"]]


def _translations(entry: dict) -> list[str]:
    return [value for key, value in sorted(entry.items()) if key.startswith("msgstr")]


_PLACEHOLDER = re.compile(r"%\(\w+\)[-+ #0-9.]*[sdifr]|\{\{\s*\w+\s*\}\}")


# --- pages in both languages -------------------------------------------------------------------------


def _html_lang(body: str) -> str:
    match = re.search(r'<html lang="([^"]+)"', body)
    assert match, "no <html lang=...>"
    return match.group(1)


@pytest.mark.django_db
def test_login_page_is_chinese_by_default_and_switches_to_english_and_back(client):
    page = client.get("/accounts/login/")
    assert page.status_code == 200
    body = page.content.decode()
    assert _html_lang(body) == "zh-hans"
    assert '<h1 class="h4 mb-3">登录</h1>' in body
    assert "电子邮箱或手机号" in body

    switched = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert switched.status_code == 302
    assert switched["Location"] == "/accounts/login/"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"

    body = client.get("/accounts/login/").content.decode()
    assert _html_lang(body) == "en"
    assert '<h1 class="h4 mb-3">Log in</h1>' in body
    assert "E-mail or mobile number" in body
    assert "Trade Secret Protection Information System" in body
    assert "登录" not in body
    # the switch now offers Chinese
    assert 'name="language" value="zh-hans"' in body

    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/accounts/login/"})
    body = client.get("/accounts/login/").content.decode()
    assert _html_lang(body) == "zh-hans"
    assert '<h1 class="h4 mb-3">登录</h1>' in body
    assert "Log in" not in body
    assert 'name="language" value="en"' in body


@pytest.mark.django_db
def test_browser_language_does_not_override_the_chinese_default(client):
    body = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert _html_lang(body) == "zh-hans"
    assert '<h1 class="h4 mb-3">登录</h1>' in body


@pytest.mark.django_db
def test_unknown_language_is_ignored(client):
    client.post("/i18n/setlang/", {"language": "fr", "next": "/accounts/login/"})
    body = client.get("/accounts/login/").content.decode()
    assert _html_lang(body) == "zh-hans"
    assert '<h1 class="h4 mb-3">登录</h1>' in body


@pytest.mark.django_db
def test_failed_login_message_is_translated(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    response = client.post(
        "/accounts/login/", {"username": "nobody@test.example", "password": "wrong-password"}
    )
    assert response.status_code == 200
    assert "Incorrect account or password." in response.content.decode()


@pytest.mark.django_db
def test_404_page_in_both_languages(enterprise, login):
    _org, people = enterprise
    browser = login(people["employee"])

    response = browser.get("/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert _html_lang(body) == "zh-hans"
    assert "404 · 页面不存在" in body
    assert "返回工作台" in body

    browser.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = browser.get("/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert _html_lang(body) == "en"
    assert "404 · Page not found" in body
    assert "Back to the dashboard" in body
    assert "页面不存在" not in body


@pytest.mark.django_db
def test_403_page_in_both_languages(enterprise, login):
    _org, people = enterprise
    browser = login(people["employee"])  # employees may not read the audit log

    response = browser.get("/audit/")
    assert response.status_code == 403
    assert "403 · 无权访问" in response.content.decode()

    browser.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = browser.get("/audit/")
    assert response.status_code == 403
    body = response.content.decode()
    assert _html_lang(body) == "en"
    assert "403 · Access denied" in body


def test_500_page_in_both_languages():
    with translation.override("zh-hans"):
        body = render_to_string("errors/500.html")
    assert _html_lang(body) == "zh-hans"
    assert "500 · 服务器内部错误" in body
    with translation.override("en"):
        body = render_to_string("errors/500.html")
    assert _html_lang(body) == "en"
    assert "500 · Internal server error" in body


@pytest.mark.django_db
def test_dashboard_and_navigation_in_english(enterprise, login):
    _org, people = enterprise
    browser = login(people["officer"])
    browser.post("/i18n/setlang/", {"language": "en", "next": "/"})
    body = browser.get("/").content.decode()
    assert _html_lang(body) == "en"
    for text in (
        "Dashboard",
        "Audit log",
        "Members",
        "Notifications",
        "Security settings",
        "Secrecy officer",
    ):
        assert text in body, text
    for text in ("工作台", "审计日志", "保密员"):
        assert text not in body, text


# --- the catalogue -----------------------------------------------------------------------------------


def test_catalogue_parses_and_is_english():
    entries = parse_po(PO_PATH)
    header = next(e for e in entries if e["msgid"] == "")
    assert "Language: en\n" in header["msgstr"]
    assert "Plural-Forms: nplurals=2; plural=(n != 1);\n" in header["msgstr"]
    assert "fuzzy" not in header.get("flags", set())
    assert len(_messages()) > 100


def test_every_msgid_has_a_translation_and_none_is_fuzzy():
    untranslated = [e["msgid"] for e in _messages() if not all(t.strip() for t in _translations(e))]
    assert not untranslated, f"untranslated: {untranslated}; {HOW_TO_FIX}"
    fuzzy = [e["msgid"] for e in _messages() if "fuzzy" in e.get("flags", set())]
    assert not fuzzy, f"fuzzy: {fuzzy}; {HOW_TO_FIX}"
    plural = [e for e in _messages() if "msgid_plural" in e]
    assert all({"msgstr[0]", "msgstr[1]"} <= e.keys() for e in plural)


def test_translations_keep_placeholders_and_are_not_chinese():
    for entry in _messages():
        expected = sorted(_PLACEHOLDER.findall(entry["msgid"]))
        for text in _translations(entry):
            assert sorted(_PLACEHOLDER.findall(text)) == expected, (entry["msgid"], text)
            assert not re.search(r"[\u4e00-\u9fff]", text), (entry["msgid"], text)


def test_compiled_catalogue_matches_the_po():
    assert MO_PATH.exists(), f"{MO_PATH} is missing; {HOW_TO_FIX}"
    with open(MO_PATH, "rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for entry in _messages():
        if "msgid_plural" in entry:
            got = [compiled.ngettext(entry["msgid"], entry["msgid_plural"], n) for n in (1, 2)]
            want = [entry["msgstr[0]"], entry["msgstr[1]"]]
        elif "msgctxt" in entry:  # the same msgid may also exist without a context
            got, want = compiled.pgettext(entry["msgctxt"], entry["msgid"]), entry["msgstr"]
        else:
            got, want = compiled.gettext(entry["msgid"]), entry["msgstr"]
        if got != want:
            stale.append(entry["msgid"])
    assert not stale, f"django.mo is older than django.po for {stale}; {HOW_TO_FIX}"


# --- every source string is in the catalogue (a light extractor, so a forgotten entry fails CI) -------

_GETTEXT_NAMES = {"_", "gettext", "gettext_lazy", "pgettext", "pgettext_lazy", "ngettext", "ngettext_lazy"}
_TEMPLATE_LITERAL = re.compile(
    r"""\{%\s*trans(?:late)?\s+(?P<q>["'])(?P<text>.*?)(?P=q)"""  # {% translate "..." %}
    r"""|\b_\((?P<q2>["'])(?P<text2>.*?)(?P=q2)\)"""  # _("...") in tags and filters
)


def _source_files(suffix: str) -> list[Path]:
    skip = {"tests", "migrations", "static", "locale", "__pycache__"}
    return [p for p in SRC.rglob(f"*{suffix}") if not skip & set(p.relative_to(SRC).parts)]


def _python_msgids() -> dict[str, str]:
    found = {}
    for path in _source_files(".py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and node.args):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name not in _GETTEXT_NAMES:
                continue
            index = 1 if name.startswith("pgettext") else 0
            if len(node.args) > index and isinstance(node.args[index], ast.Constant):
                value = node.args[index].value
                if isinstance(value, str) and value:
                    found[value] = f"{path.relative_to(SRC)}:{node.lineno}"
    return found


def _template_msgids() -> dict[str, str]:
    found = {}
    for path in _source_files(".html"):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            for match in _TEMPLATE_LITERAL.finditer(line):
                text = match.group("text") if match.group("text") is not None else match.group("text2")
                if text:
                    # Django's {% translate %} doubles a literal % both when extracting and when looking up.
                    found[text.replace("%", "%%")] = f"{path.relative_to(SRC)}:{number}"
    return found


def test_every_source_string_is_in_the_catalogue():
    catalogue = {e["msgid"] for e in _messages()}
    sources = {**_python_msgids(), **_template_msgids()}
    assert len(sources) > 100
    missing = sorted(f"{where}: {text!r}" for text, where in sources.items() if text not in catalogue)
    assert not missing, "not in the English catalogue:\n" + "\n".join(missing) + f"\n{HOW_TO_FIX}"
