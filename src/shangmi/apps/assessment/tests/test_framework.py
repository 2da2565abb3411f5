"""Self-check frameworks as data: the shipped checklist, the loader's validation and extra directories."""

from __future__ import annotations

import copy
import hashlib
import json
import os
import re
from pathlib import Path

import pytest
import yaml

from shangmi.apps.assessment.framework import (
    BUILTIN_DIR,
    KNOWN_FACTS,
    Framework,
    FrameworkError,
    FrameworkNotFound,
    ProposalRule,
    available_frameworks,
    framework_dirs,
    get_framework,
    load_framework_file,
)

SHIPPED = BUILTIN_DIR / "shangmi-2026.1.yaml"
DOMAIN_KEYS = [
    "organisation",
    "rules",
    "designation",
    "concealment",
    "declassification",
    "onboarding",
    "employment",
    "departure",
    "non_compete",
    "carriers_it",
    "areas",
    "external",
    "inspection",
    "incident",
    "remedies",
]
REQUIRED = {
    "org-leading-group": ("organisation", None),
    "org-officer": ("organisation", "officers"),
    "org-funding": ("organisation", None),
    "rules-standard": ("rules", None),
    "rules-annual-plan": ("rules", None),
    "incident-plan": ("incident", None),
    "remedy-no-infringement": ("remedies", None),
    "emp-key-positions": ("employment", "positions_graded"),
    "emp-annual-training": ("employment", "staff_trained_12m"),
}
RATIO_RULES = [
    {"choice": "yes", "ratio_at_least": 0.95},
    {"choice": "partial", "ratio_at_least": 0.5},
    {"choice": "no", "ratio_at_least": 0},
]


@pytest.fixture
def shipped() -> Framework:
    return load_framework_file(SHIPPED)


# --- the shipped framework -------------------------------------------------------------------------------


def test_shipped_framework_loads_with_its_identity(shipped):
    assert (shipped.key, shipped.version) == ("shangmi", "2026.1")
    assert shipped.name == "商秘企业商业秘密保护自我体检（2026版）"
    assert shipped.sha256 == hashlib.sha256(SHIPPED.read_bytes()).hexdigest()
    assert sorted(shipped.measures) == [1, 2, 3, 4, 5, 6, 7]
    assert shipped.chapters == {
        "matters": "商业秘密事项管理",
        "self_protection": "企业自主保护",
        "rights": "商业秘密维权",
        "cooperation": "协同保护",
    }
    assert get_framework("shangmi") == shipped


def test_shipped_framework_has_the_fifteen_domains_in_order_each_with_questions(shipped):
    assert len(shipped.questions) >= 60
    assert [d.key for d in shipped.domains] == DOMAIN_KEYS
    for domain in shipped.domains:
        assert domain.name and domain.name_en and domain.description
        assert len(shipped.questions_of(domain.key)) >= 1, domain.key
    assert sum(len(shipped.questions_of(k)) for k in DOMAIN_KEYS) == len(shipped.questions)


def test_shipped_framework_covers_every_measure_and_chapter(shipped):
    assert {m for q in shipped.questions for m in q.measures} == set(range(1, 8))
    assert {c for q in shipped.questions for c in q.chapters} == set(shipped.chapters)


def test_shipped_question_ids_and_choices_follow_the_conventions(shipped):
    prefixes: dict[str, set[str]] = {}
    for q in shipped.questions:
        assert re.fullmatch(r"[a-z]+-[a-z0-9-]+", q.id) and len(q.id) <= 32, q.id
        prefixes.setdefault(q.domain, set()).add(q.id.split("-")[0])
        scores = [c.score for c in q.choices]
        assert 100 in scores and 0 in scores, q.id
        assert q.text and q.evidence and q.recommendation
    # One prefix per domain, and no two domains share one.
    assert all(len(p) == 1 for p in prefixes.values())
    assert len({next(iter(p)) for p in prefixes.values()}) == len(DOMAIN_KEYS)


def test_required_questions_exist_with_yes_partial_no(shipped):
    for qid, (domain, fact) in REQUIRED.items():
        q = shipped.question(qid)
        assert q.domain == domain
        assert q.fact == fact
        assert [(c.key, c.score) for c in q.choices] == [("yes", 100.0), ("partial", 50.0), ("no", 0.0)]
    assert shipped.question("emp-annual-training").rules == tuple(ProposalRule(**r) for r in RATIO_RULES)


def test_every_known_fact_is_used_by_the_shipped_framework(shipped):
    facts = [q.fact for q in shipped.questions if q.fact is not None]
    assert set(facts) == KNOWN_FACTS
    assert 15 <= len(facts) <= 18


def test_round_trip_through_json(shipped):
    data = shipped.to_json()
    stored = json.loads(json.dumps(data, ensure_ascii=False))
    assert stored == data
    assert Framework.from_json(stored) == shipped
    assert Framework.from_json(data).question("org-officer").rules == shipped.question("org-officer").rules


def test_accessors(shipped):
    q = shipped.question("org-leading-group")
    assert q.max_score == 100.0
    assert q.mandatory is True
    assert q.choice("partial").label == "已成立，但职责不清或长期未开展工作"
    assert q.choice("maybe") is None
    assert shipped.domain("areas").name == "涉密区域"
    with pytest.raises(KeyError):
        shipped.question("no-such-question")
    with pytest.raises(KeyError):
        shipped.domain("nowhere")
    not_applicable = shipped.question("nc-agreements").choice("na")
    assert not_applicable is not None and not_applicable.score is None


def test_propose_from_ratio_and_count(shipped):
    training = shipped.question("emp-annual-training")
    assert training.propose(1.0, 40) == "yes"
    assert training.propose(0.95, 38) == "yes"
    assert training.propose(0.94, 37) == "partial"
    assert training.propose(0.5, 20) == "partial"
    assert training.propose(0.0, 0) == "no"
    assert training.propose(None, 0) is None  # nobody to train: no proposal
    officer = shipped.question("org-officer")
    assert officer.propose(None, 0) == "no"
    assert officer.propose(None, 2) == "yes"
    assert officer.propose(None, None) is None
    assert shipped.question("org-funding").propose(1.0, 5) is None  # no system fact


def test_proposal_rule_holds():
    assert ProposalRule("yes", ratio_at_least=0.5).holds(0.5, None)
    assert not ProposalRule("yes", ratio_at_least=0.5).holds(0.49, 100)
    assert not ProposalRule("yes", ratio_at_least=0).holds(None, 3)
    assert ProposalRule("yes", count_at_least=2).holds(None, 2)
    assert not ProposalRule("yes", count_at_least=2).holds(1.0, 1)


# --- extra directories -----------------------------------------------------------------------------------


def minimal(key: str = "acme", version: str = "1.0") -> dict:
    """A small valid framework: two domains, three questions, one with a system fact."""

    def question(qid: str, domain: str, **extra) -> dict:
        return {
            "id": qid,
            "domain": domain,
            "text": "是否签订保密协议？",
            "weight": 3,
            "importance": "mandatory",
            "choices": [
                {"key": "yes", "label": "是", "score": 100},
                {"key": "partial", "label": "部分", "score": 50},
                {"key": "no", "label": "否", "score": 0},
            ],
            "evidence": "协议",
            "recommendation": "尽快签订。",
            "measures": [1],
            "chapters": ["self_protection"],
            **extra,
        }

    return {
        "key": key,
        "version": version,
        "name": "示例框架",
        "name_en": "Example framework",
        "description": "用于测试。",
        "measures": {i: f"措施{i}" for i in range(1, 8)},
        "chapters": {"matters": "事项", "self_protection": "自主", "rights": "维权", "cooperation": "协同"},
        "domains": [
            {"key": "people", "name": "人员", "name_en": "People", "description": "人员管理。"},
            {"key": "it", "name": "信息系统", "name_en": "IT", "description": "信息系统管理。"},
        ],
        "questions": [
            question(
                "ppl-nda", "people", system={"fact": "entrusted_nda", "rules": copy.deepcopy(RATIO_RULES)}
            ),
            question("ppl-training", "people"),
            question("it-usb", "it"),
        ],
    }


def write(directory: Path, name: str, data: dict | str) -> Path:
    path = directory / name
    text = data if isinstance(data, str) else yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    path.write_text(text, encoding="utf-8")
    return path


def test_framework_dirs_lists_builtin_then_settings(settings, tmp_path):
    settings.ASSESSMENT_FRAMEWORK_DIRS = [str(tmp_path)]
    assert framework_dirs() == [BUILTIN_DIR, tmp_path]


def test_a_framework_dropped_into_a_configured_dir_is_available(settings, tmp_path):
    write(tmp_path, "acme-1.2.yaml", minimal(version="1.2"))
    write(tmp_path, "acme-1.10.yaml", minimal(version="1.10"))
    write(tmp_path, "notes.txt", "not a framework")
    settings.ASSESSMENT_FRAMEWORK_DIRS = [str(tmp_path)]

    found = [(f.key, f.version) for f in available_frameworks()]
    assert found == [("acme", "1.2"), ("acme", "1.10"), ("shangmi", "2026.1")]
    assert get_framework("acme").version == "1.10"  # versions compare as numbers, not text
    assert get_framework("acme", "1.2").version == "1.2"
    assert get_framework("acme").questions_of("it")[0].id == "it-usb"
    with pytest.raises(FrameworkNotFound):
        get_framework("acme", "9.9")
    with pytest.raises(FrameworkNotFound):
        get_framework("nobody")


def test_without_extra_dirs_only_the_builtin_framework_is_available(settings):
    settings.ASSESSMENT_FRAMEWORK_DIRS = []
    assert [(f.key, f.version) for f in available_frameworks()] == [("shangmi", "2026.1")]


def test_the_same_key_and_version_in_two_files_is_refused(settings, tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    write(tmp_path / "a", "acme.yaml", minimal())
    write(tmp_path / "b", "acme-copy.yaml", minimal())
    settings.ASSESSMENT_FRAMEWORK_DIRS = [str(tmp_path / "a"), str(tmp_path / "b")]
    with pytest.raises(
        FrameworkError, match=r"^acme-copy\.yaml: framework acme version 1\.0 is also defined in "
    ):
        available_frameworks()


def test_loading_is_cached_until_the_file_changes(tmp_path):
    path = write(tmp_path, "acme.yaml", minimal())
    first = load_framework_file(path)
    assert load_framework_file(path) is first
    changed = minimal()
    changed["name"] = "改名后的示例框架"
    write(tmp_path, "acme.yaml", changed)
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000_000))
    second = load_framework_file(path)
    assert second.name == "改名后的示例框架"
    assert second.sha256 != first.sha256


# --- broken files -----------------------------------------------------------------------------------------


def _set(path: list, value):
    def mutate(data: dict) -> None:
        target = data
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value

    return mutate


def _delete(path: list):
    def mutate(data: dict) -> None:
        target = data
        for step in path[:-1]:
            target = target[step]
        del target[path[-1]]

    return mutate


BROKEN = {
    "bad weight": (
        _set(["questions", 0, "weight"], 7),
        "questions[0] (ppl-nda): weight must be a number between 1 and 5",
    ),
    "boolean weight": (
        _set(["questions", 1, "weight"], True),
        "questions[1] (ppl-training): weight must be a number between 1 and 5",
    ),
    "unknown fact": (
        _set(["questions", 0, "system", "fact"], "coffee_cups"),
        "questions[0] (ppl-nda) system: unknown fact 'coffee_cups' (known: carriers_marked, ",
    ),
    "unknown domain": (
        _set(["questions", 1, "domain"], "nowhere"),
        "questions[1] (ppl-training): domain 'nowhere' is not one of the framework's domains",
    ),
    "duplicate id": (
        _set(["questions", 1, "id"], "ppl-nda"),
        "questions[1] (ppl-nda): duplicate question id 'ppl-nda'",
    ),
    "rule choice missing": (
        _set(["questions", 0, "system", "rules", 1, "choice"], "maybe"),
        "questions[0] (ppl-nda) system rules[1]: choice 'maybe' is not one of the question's choices",
    ),
    "missing key": (
        _delete(["questions", 2, "recommendation"]),
        "questions[2] (it-usb): missing required key 'recommendation'",
    ),
    "missing top-level key": (_delete(["domains"]), "missing required key 'domains'"),
    "misspelt key": (
        _set(["questions", 0, "weigth"], 3),
        "questions[0] (ppl-nda): unknown key(s): weigth",
    ),
    "last rule may fail": (
        _set(["questions", 0, "system", "rules", 2, "ratio_at_least"], 0.1),
        "questions[0] (ppl-nda) system: the last rule must always hold (ratio_at_least: 0)",
    ),
    "count rule on a ratio fact": (
        _set(["questions", 0, "system", "rules", 0], {"choice": "yes", "count_at_least": 3}),
        "questions[0] (ppl-nda) system rules[0]: fact 'entrusted_nda' is a ratio, "
        "so each rule needs exactly choice and ratio_at_least",
    ),
    "ratio above one": (
        _set(["questions", 0, "system", "rules", 0, "ratio_at_least"], 95),
        "questions[0] (ppl-nda) system rules[0]: ratio_at_least must be a number between 0 and 1",
    ),
    "score out of range": (
        _set(["questions", 2, "choices", 0, "score"], 120),
        "questions[2] (it-usb) choices[0]: score must be a number between 0 and 100",
    ),
    "no scoring choice": (
        _set(
            ["questions", 2, "choices"],
            [{"key": "a", "label": "甲", "score": 0}, {"key": "b", "label": "乙", "score": None}],
        ),
        "questions[2] (it-usb): at least one choice must have a score above 0",
    ),
    "one choice": (
        _set(["questions", 2, "choices"], [{"key": "a", "label": "甲", "score": 100}]),
        "questions[2] (it-usb): choices must have at least 2 entries",
    ),
    "duplicate choice": (
        _set(["questions", 2, "choices", 1, "key"], "yes"),
        "questions[2] (it-usb): choice keys must be unique",
    ),
    "measure out of range": (
        _set(["questions", 2, "measures"], [1, 8]),
        "questions[2] (it-usb): measures must be distinct values among 1, 2, 3, 4, 5, 6, 7",
    ),
    "no chapters": (
        _set(["questions", 2, "chapters"], []),
        "questions[2] (it-usb): chapters must be a non-empty list",
    ),
    "unknown chapter": (
        _set(["questions", 2, "chapters"], ["marketing"]),
        "questions[2] (it-usb): chapters must be distinct values among matters, self_protection, rights, cooperation",
    ),
    "bad importance": (
        _set(["questions", 2, "importance"], "optional"),
        "questions[2] (it-usb): importance must be one of mandatory, recommended",
    ),
    "empty text": (
        _set(["questions", 2, "text"], "  "),
        "questions[2] (it-usb): text must be a non-empty string",
    ),
    "domain without questions": (
        _set(["questions", 2, "domain"], "people"),
        "domains (it): has no questions",
    ),
    "duplicate domain": (_set(["domains", 1, "key"], "people"), "domains: duplicate domain key 'people'"),
    "bad version": (_set(["version"], "v1"), "version 'v1' has an invalid format"),
    "incomplete measures": (_delete(["measures", 7]), "measures: keys must be exactly 1, 2, 3, 4, 5, 6, 7"),
    "system without rules": (
        _set(["questions", 1, "system"], {"fact": "secret_points"}),
        "questions[1] (ppl-training) system: missing required key 'rules'",
    ),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_broken_file_is_refused_with_file_and_place(tmp_path, case):
    mutate, message = BROKEN[case]
    data = minimal()
    mutate(data)
    path = write(tmp_path, "acme-broken.yaml", data)
    with pytest.raises(FrameworkError) as info:
        load_framework_file(path)
    assert str(info.value).startswith(f"acme-broken.yaml: {message}"), str(info.value)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("key: [unclosed\nversion: 1\n", "acme-broken.yaml: line 2: not valid YAML ("),
        ("", "acme-broken.yaml: the file must hold a YAML mapping"),
        ("- just\n- a list\n", "acme-broken.yaml: the file must hold a YAML mapping"),
    ],
)
def test_non_framework_content_is_refused(tmp_path, content, message):
    path = write(tmp_path, "acme-broken.yaml", content)
    with pytest.raises(FrameworkError) as info:
        load_framework_file(path)
    assert str(info.value).startswith(message), str(info.value)


def test_unquoted_yes_gets_a_hint(tmp_path):
    text = yaml.safe_dump(minimal(), allow_unicode=True, sort_keys=False).replace("key: 'yes'", "key: yes", 1)
    path = write(tmp_path, "acme-broken.yaml", text)
    with pytest.raises(FrameworkError) as info:
        load_framework_file(path)
    assert str(info.value) == (
        "acme-broken.yaml: questions[0] (ppl-nda) choices[0]: "
        "key must be a string (quote yes/no/on/off/true/false in YAML)"
    )


def test_non_utf8_and_missing_files_are_refused(tmp_path):
    path = tmp_path / "acme-broken.yaml"
    path.write_bytes("key: 商秘\n".encode("gb18030"))
    with pytest.raises(FrameworkError, match=r"^acme-broken\.yaml: not UTF-8 text"):
        load_framework_file(path)
    with pytest.raises(FrameworkError, match=r"^absent\.yaml: cannot read file"):
        load_framework_file(tmp_path / "absent.yaml")


def test_a_broken_file_in_a_configured_dir_surfaces_in_available_frameworks(settings, tmp_path):
    data = minimal()
    data["questions"][0]["weight"] = 0
    write(tmp_path, "acme.yaml", data)
    settings.ASSESSMENT_FRAMEWORK_DIRS = [str(tmp_path)]
    with pytest.raises(FrameworkError, match=r"^acme\.yaml: questions\[0\] \(ppl-nda\): weight must be"):
        available_frameworks()
