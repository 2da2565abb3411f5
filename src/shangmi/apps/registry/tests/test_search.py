"""Chinese search: substring semantics (AND of terms), whichever index serves it. On PostgreSQL the bigram
index narrows the candidates; these cases check it never loses a match nor adds one."""

from __future__ import annotations

import pytest

from shangmi.apps.registry.queries import filter_register, secrets_visible_to
from shangmi.apps.registry.search import search_tokens, term_bigrams

pytestmark = pytest.mark.django_db


def test_bigrams_are_a_necessary_condition():
    assert search_tokens("压铸模具 abc 阀") == "压铸 模具 铸模"
    assert term_bigrams("铸模") == ["铸模"]
    assert term_bigrams("压") == [] and term_bigrams("abc") == []
    assert term_bigrams("压铸x模具") == ["压铸", "模具"]


@pytest.mark.parametrize(
    "query,expected",
    [
        ("配方", {"釉料配方"}),  # two characters: the case trigrams cannot serve
        ("釉料配方", {"釉料配方"}),
        ("压铸", {"压铸工艺", "压铸 铸模 分开写"}),
        ("压铸模", set()),  # both bigrams occur in "压铸 铸模 分开写", but not side by side
        ("压铸 工艺", {"压铸工艺"}),  # two terms: both must occur
        ("铸", {"压铸工艺", "压铸 铸模 分开写"}),  # one character: no bigram, plain substring
        ("ＴＥＮＴ", {"釉料配方", "压铸工艺", "压铸 铸模 分开写"}),  # full width folds to the codes' "TENT…"
        ("不存在", set()),
    ],
)
def test_chinese_search_finds_exactly_the_substring_matches(members, application, query, expected):
    officer = members["officer"]
    for name in ("釉料配方", "压铸工艺", "压铸 铸模 分开写"):
        application(officer, name=name, description="", points=[("要点", "")])
    assert officer.organisation.short_code.startswith("TENT")  # conftest's make_org
    found = filter_register(secrets_visible_to(officer), {"q": query})
    assert {s.name for s in found} == expected
