"""Context: globs → regexes, the context files, LDAP inference, destination classes."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from shangmi.engines.risk import destinations as d
from shangmi.engines.risk.context import (
    Context,
    ContextError,
    HrDates,
    RegisterEntry,
    combined_regex,
    glob_regex,
    infer_hr_from_ldap,
    peer_groups_from_ldap,
    prefilter_regex,
    read_domains,
    read_grants_csv,
    read_hr_csv,
    read_register_csv,
)


def matches(pattern: str, path: str) -> bool:
    return pl.Series([path]).str.contains(glob_regex(pattern)).item()


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        (r"\\fs01\研发\图纸\P01\**", r"\\fs01\研发\图纸\P01\总装\a.dwg", True),
        (r"\\fs01\研发\图纸\P01\**", r"\\FS01\研发\图纸\p01\a.DWG", True),  # case-insensitive
        (r"\\fs01\研发\图纸\P01\**", "//fs01/研发/图纸/P01/a.dwg", True),  # either separator
        (r"\\fs01\研发\图纸\P01\**", r"\\fs01\研发\图纸\P011\a.dwg", False),
        (r"\\fs01\研发\图纸\P01\**", r"\\fs01\研发\图纸\P02\a.dwg", False),
        (r"\\fs01\研发\图纸\P01\**", r"C:\copy\\fs01\研发\图纸\P01\a.dwg", False),  # anchored at the root
        ("*.dwg", r"D:\a\b\part.dwg", True),
        ("*.dwg", "part.dwg", True),
        ("*.dwg", r"D:\a\part.dwgx", False),
        ("designs/*.dwg", r"C:\proj\designs\a.dwg", True),  # any directory level
        ("designs/*.dwg", r"C:\proj\designs\sub\a.dwg", False),  # * stays in one component
        ("designs/*.dwg", r"C:\proj\olddesigns\a.dwg", False),  # whole components only
        ("designs/**/*.dwg", r"C:\proj\designs\sub\deep\a.dwg", True),
        ("designs/**/*.dwg", r"C:\proj\designs\a.dwg", True),
        ("**/designs/*.dwg", r"C:\proj\designs\a.dwg", True),
        ("part-?.dwg", r"D:\x\part-7.dwg", True),
        ("part-?.dwg", r"D:\x\part-77.dwg", False),
        ("D:/design/src/**", r"D:\design\src\X7\前壳_v1.sldprt", True),
        ("https://git.lanxi.example/rd/**", "https://git.lanxi.example/rd/motor/main.c", True),
        # one item of a list (e-mail attachments)
        (r"\\fs01\研发\图纸\P01\**", r"C:\a.docx;\\fs01\研发\图纸\P01\b.dwg", True),
        ("*.dwg", r"C:\a.dwg;C:\b.docx", True),
        ("*.docx", r"C:\a.dwg;C:\b.docx", True),
        ("*.dwg", r"C:\a.docx;C:\b.pdf", False),
    ],
)
def test_glob_semantics(pattern, path, expected):
    assert matches(pattern, path) is expected


def test_combined_and_prefilter_regexes_agree_with_the_single_patterns():
    patterns = [r"\\fs01\研发\图纸\P01\**", "designs/*.dwg", "D:/design/src/**", "part-?.dwg"]
    paths = [
        r"\\fs01\研发\图纸\P01\a.dwg",
        r"C:\p\designs\a.dwg",
        r"C:\p\designs\sub\a.dwg",
        r"D:\design\src\x.psd",
        r"D:\x\part-7.dwg",
        r"C:\Users\x\report.docx",
        "https://news.example/a",
    ]
    series = pl.Series(paths)
    single = [any(matches(p, path) for p in patterns) for path in paths]
    assert series.str.contains(combined_regex(patterns)).to_list() == single
    prefilter = series.str.contains(prefilter_regex(patterns)).to_list()
    assert all(pre or not exact for pre, exact in zip(prefilter, single, strict=True))  # a superset
    assert prefilter[-2:] == [False, False]
    assert combined_regex([]) is None and prefilter_regex([]) is None
    # a pattern without a usable literal falls back to the exact regex
    assert prefilter_regex(["*", "?"]) == combined_regex(["*", "?"])


def test_match_patterns_names_every_matching_pattern_with_its_level():
    context = Context(
        register=(RegisterEntry(r"\\fs01\研发\**", "important"), RegisterEntry("*.dwg", "core"))
    )
    found = context.match_patterns(
        pl.Series([r"\\fs01\研发\a.dwg", r"\\fs01\研发\b.docx", r"C:\c.dwg", r"C:\d.txt"])
    )
    rows = sorted(found.iter_rows())
    assert rows == [
        (r"C:\c.dwg", "*.dwg", "core"),
        (r"\\fs01\研发\a.dwg", "*.dwg", "core"),
        (r"\\fs01\研发\a.dwg", r"\\fs01\研发\**", "important"),
        (r"\\fs01\研发\b.docx", r"\\fs01\研发\**", "important"),
    ]


def may_know(context: Context, rows: pl.DataFrame) -> list[bool]:
    """Per (user, object) row: whether the user's grants cover the object (Context.grant_masks)."""
    objects, users = rows["object"].unique(maintain_order=True), rows["user"].unique(maintain_order=True)
    object_masks, user_masks, free = context.grant_masks(objects, users)
    o = [objects.to_list().index(x) for x in rows["object"]]
    u = [users.to_list().index(x) for x in rows["user"]]
    return [bool((object_masks[i] & user_masks[j]).any() or free[j]) for i, j in zip(o, u, strict=True)]


def test_granted_checks_each_users_own_patterns():
    context = Context(grants={"alice": (r"\\fs01\研发\P01\**",), "bob": ()})
    pairs = pl.DataFrame(
        {
            "user": ["alice", "alice", "bob", "carol"],
            "object": [r"\\fs01\研发\P01\a.dwg", r"\\fs01\研发\P02\a.dwg", r"\\fs01\研发\P01\a.dwg", "x"],
        }
    )
    assert may_know(context, pairs) == [True, False, False, False]


def write(tmp_path, name: str, text: str, encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_read_register_accepts_chinese_levels_and_keeps_the_highest_of_duplicates(tmp_path):
    path = write(
        tmp_path, "register.csv", "\ufeffpattern,level\nA/**,核心\nB/**,重要\nC/**,general\nB/**,core\n"
    )
    assert read_register_csv(path) == (
        RegisterEntry("A/**", "core"),
        RegisterEntry("B/**", "core"),
        RegisterEntry("C/**", "general"),
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("pattern,level\nA/**,绝密\n", "register.csv: line 2: level '绝密' is not one of"),
        ("pattern,level\nA/**,core\n,core\n", "register.csv: line 3: empty pattern"),
        ("pattern\nA/**\n", "register.csv: line 1: missing column(s) level"),
        ("pattern,level\nA/**,core,extra\n", "register.csv: line 2: 3 fields, the header has 2"),
    ],
)
def test_read_register_rejects_bad_rows_naming_file_and_line(tmp_path, text, message):
    with pytest.raises(ContextError) as caught:
        read_register_csv(write(tmp_path, "register.csv", text))
    assert message in str(caught.value)


def test_read_register_rejects_non_utf8(tmp_path):
    with pytest.raises(ContextError, match="not UTF-8"):
        read_register_csv(write(tmp_path, "register.csv", "pattern,level\n研发/**,核心\n", "gb18030"))
    with pytest.raises(ContextError, match="no such file"):
        read_register_csv(tmp_path / "missing.csv")


def test_read_hr(tmp_path):
    path = write(
        tmp_path,
        "hr.csv",
        "user,resignation_date,last_day\nA1,2026-03-01,2026-03-31\nB2,,2026-05-31\nC3,2026-06-01,\n",
    )
    assert read_hr_csv(path) == {
        "A1": HrDates(dt.date(2026, 3, 1), dt.date(2026, 3, 31)),
        "B2": HrDates(None, dt.date(2026, 5, 31)),
        "C3": HrDates(dt.date(2026, 6, 1), None),
    }


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("A1,2026-13-01,2026-03-31", "hr.csv: line 2: resignation_date '2026-13-01' is not a date"),
        ("A1,,", "hr.csv: line 2: give resignation_date or last_day"),
        ("A1,2026-04-01,2026-03-31", "hr.csv: line 2: resignation_date 2026-04-01 is after last_day"),
        (",2026-03-01,2026-03-31", "hr.csv: line 2: empty user"),
    ],
)
def test_read_hr_rejects_bad_rows(tmp_path, row, message):
    with pytest.raises(ContextError) as caught:
        read_hr_csv(write(tmp_path, "hr.csv", "user,resignation_date,last_day\n" + row + "\n"))
    assert message in str(caught.value)


def test_read_hr_rejects_duplicates(tmp_path):
    text = "user,resignation_date,last_day\nA1,,2026-03-31\nA1,,2026-04-30\n"
    with pytest.raises(ContextError, match="line 3: user 'A1' appears twice"):
        read_hr_csv(write(tmp_path, "hr.csv", text))


def test_read_grants(tmp_path):
    path = write(tmp_path, "grants.csv", "user,pattern\nA1,X/**\nA1,Y/**\nB2,X/**\nA1,X/**\n")
    assert read_grants_csv(path) == {"A1": ("X/**", "Y/**"), "B2": ("X/**",)}
    with pytest.raises(ContextError, match="grants.csv: line 2: empty user or pattern"):
        read_grants_csv(write(tmp_path, "grants.csv", "user,pattern\nA1,\n"))


def test_read_domains_normalises_and_names_the_bad_line(tmp_path):
    path = write(
        tmp_path,
        "competitors.txt",
        "# rivals\nHuaxin-Jingmi.example\n\n@rival.cn\n*.x.com  # wildcard\nhttps://y.org/path\n",
    )
    assert read_domains(path) == ("huaxin-jingmi.example", "rival.cn", "x.com", "y.org")
    with pytest.raises(ContextError, match=r"competitors.txt: line 2: 'not a domain' is not a domain name"):
        read_domains(write(tmp_path, "competitors.txt", "ok.com\nnot a domain\n"))


def ldap(rows: list[tuple[str, str, str, str]]) -> pl.DataFrame:
    return pl.DataFrame(
        [(dt.date.fromisoformat(m + "-01"), u, dept, role) for m, u, dept, role in rows],
        schema={"month": pl.Date, "user": pl.String, "department": pl.String, "role": pl.String},
        orient="row",
    )


def test_infer_hr_from_ldap_takes_the_end_of_the_last_month_present():
    frame = ldap(
        [
            ("2026-01", "stay", "研发部", "工程师"),
            ("2026-02", "stay", "研发部", "工程师"),
            ("2026-03", "stay", "研发部", "工程师"),
            ("2026-01", "left", "销售部", "销售经理"),
            ("2026-02", "left", "销售部", "销售经理"),
            ("2026-02", "late", "研发部", "工程师"),
            ("2026-03", "late", "研发部", "设计师"),
        ]
    )
    assert infer_hr_from_ldap(frame) == {"left": HrDates(None, dt.date(2026, 2, 28), inferred=True)}
    assert peer_groups_from_ldap(frame) == {
        "stay": "研发部/工程师",
        "left": "销售部/销售经理",
        "late": "研发部/设计师",
    }
    assert infer_hr_from_ldap(frame.clear()) == {}


def classes(values: list[str | None], **kwargs) -> list[str]:
    frame = pl.DataFrame({"destination": values}, schema={"destination": pl.String})
    return frame.select(d.classify(pl.col("destination"), **kwargs).alias("class"))["class"].to_list()


def test_classify_by_suffix_and_precedence():
    assert classes(
        [
            "pan.baidu.com",
            "d.pcs.pan.baidu.com",
            "notpan.baidu.com",
            "www.baidu.com",
            "www.aliyundrive.com",
            "mail.qq.com",
            "qq.com",
            "onedrive.live.com",  # personal cloud before webmail (live.com)
            "outlook.live.com",
            "www.zhaopin.com",
            "rival.cn",
            "pan.lanxi.example",
            "https://pan.baidu.com/upload?name=a.7z",
            "",
            None,
            "supplier.example",
        ],
        own=["lanxi.example"],
        competitors=["rival.cn"],
    ) == [
        "personal_cloud",
        "personal_cloud",
        "external",
        "external",
        "personal_cloud",
        "personal_webmail",
        "personal_webmail",
        "personal_cloud",
        "personal_webmail",
        "job_site",
        "competitor",
        "own",
        "personal_cloud",
        "none",
        "none",
        "external",
    ]


def test_own_domains_win_over_the_built_in_lists():
    # an organisation that runs its mail on a public provider's domain lists it as its own
    assert classes(["dropbox.com", "gmail.com"], own=["dropbox.com"]) == ["own", "personal_webmail"]


def test_flags_look_at_every_recipient():
    table = d.flags(
        pl.Series(["gmail.com,lanxi.example", "lanxi.example", "rival.cn;supplier.example", "a@qq.com"]),
        own=["lanxi.example"],
        competitors=["rival.cn"],
    ).sort("destination")
    rows = {row["destination"]: row for row in table.iter_rows(named=True)}
    assert rows["gmail.com,lanxi.example"]["own"] and rows["gmail.com,lanxi.example"]["personal_webmail"]
    assert not rows["gmail.com,lanxi.example"]["external"]
    assert rows["lanxi.example"]["own"] and not any(
        rows["lanxi.example"][c] for c in ("competitor", "personal_cloud", "personal_webmail", "external")
    )
    assert rows["rival.cn;supplier.example"]["competitor"] and rows["rival.cn;supplier.example"]["external"]
    assert rows["a@qq.com"]["personal_webmail"]


def test_crm_regex_defaults_to_crm_under_the_own_domains():
    context = Context(own_domains=("lanxi.example",))
    values = pl.Series(["crm.lanxi.example", "crm.eu.lanxi.example", "crm.rival.cn", "www.lanxi.example"])
    assert values.str.contains(context.crm_regex()).to_list() == [True, True, False, False]
    assert values.str.contains(Context().crm_regex()).to_list() == [True, True, True, False]
    assert values.str.contains(Context(crm_hosts=("crm.rival.cn",)).crm_regex()).to_list() == [
        False,
        False,
        True,
        False,
    ]


def test_grants_known_only_leaves_unmatched_accounts_unjudged():
    import polars as pl

    from shangmi.engines.risk.context import Context, RegisterEntry

    pattern = "\\\\\\\\fs01\\\\图纸\\\\**"
    rows = pl.DataFrame(
        {
            "user": ["known", "known", "stranger"],
            "object": ["\\\\fs01\\图纸\\a.dwg", "\\\\fs01\\图纸\\b.dwg", "\\\\fs01\\图纸\\c.dwg"],
            "pattern": [pattern, pattern, pattern],
        }
    )
    register = (RegisterEntry(pattern, "core"),)
    strict = Context(register=register, grants={"known": ()})
    assert may_know(strict, rows) == [False, False, False]
    partial = Context(register=register, grants={"known": ()}, grants_known_only=True)
    assert may_know(partial, rows) == [False, False, True]
    granted = Context(register=register, grants={"known": (pattern,)}, grants_known_only=True)
    assert may_know(granted, rows) == [True, True, True]
