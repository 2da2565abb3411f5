"""The synthetic organisation: people (the LDAP view), the register of carriers (register.csv), who is
entrusted with what (grants.csv), and the string tables the vectorised background draws from.

Built in plain Python from `random.Random` seeded by the generator seed; a few thousand objects, well
under a second for 10,000 users."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass

import polars as pl

from . import generator_vocab as v


class GeneratorError(ValueError):
    """Parameters that cannot produce the requested organisation or scenarios; the message says why."""


@dataclass(frozen=True)
class Pattern:
    """A registered carrier pattern and the carrier files that exist under it."""

    pattern: str
    level: str  # 核心 / 重要 / 一般
    kind: str  # drawing / design / process / customer / finance
    files: tuple[str, ...]


@dataclass
class User:
    index: int
    user_id: str
    name: str
    email: str
    pc: str
    dept: int
    profile: int
    role: str
    team: str
    head: bool = False
    supervisor: int | None = None  # index of the supervisor
    grants: tuple[int, ...] = ()  # pattern indices
    projects: tuple[str, ...] = ()
    activity: float = 1.0
    start_offset: int = 0  # seconds relative to 08:30
    usb_rate: float = 0.0
    job_browser: bool = False
    cloud_visitor: bool = False
    cloud_uploader: bool = False
    webmail_sender: bool = False
    book: int = -1  # first CRM customer id of a salesperson's own book
    crm_rate: float = 0.0  # share of the customer records visited whose card a salesperson downloads
    special: bool = False  # chosen for a scenario or look-alike: no random noise flags
    resignation: int | None = None  # day index
    last_day: int | None = None  # day index


@dataclass
class Organisation:
    users: list[User]
    patterns: list[Pattern]
    drawing_patterns: list[int]
    dept_files: list[tuple[str, ...]]
    common_files: tuple[str, ...]
    local_names: tuple[str, ...]
    customers: tuple[str, ...]  # external contact addresses of customers
    suppliers: tuple[str, ...]
    urls: dict[str, tuple[str, ...]]


BOOK_SIZE = 150
FIRST_CUSTOMER = 10001
PROJECTS = 8
GRANTED_ROLES = frozenset(r.name for d in v.DEPARTMENTS for r in d.roles if r.granted)
GRANTED_HEADS = frozenset({v.ENGINEER, v.PRODUCTION, v.SALES, v.FINANCE})


def _name(rng: random.Random) -> str:
    given = "".join(rng.choice(v.GIVEN) for _ in range(rng.choice((1, 2, 2))))
    return rng.choice(v.SURNAMES) + given


def _ascii_company(rng: random.Random, used: set[str]) -> str:
    while True:
        name = (
            f"{rng.choice(v.ASCII_SYLLABLES)}{rng.choice(v.ASCII_SYLLABLES)}-{rng.choice(v.INDUSTRY)}.example"
        )
        if name not in used:
            used.add(name)
            return name


def _patterns(rng: random.Random) -> list[Pattern]:
    patterns: list[Pattern] = []
    for p in range(1, PROJECTS + 1):
        code = f"P{p:02d}"
        files = tuple(
            rf"{v.FILE_SERVER}\研发\图纸\{code}\{rng.choice(v.ASSEMBLIES)}\LX-{code}-{n:04d}_{rng.choice('ABC')}"
            + rng.choice((".dwg", ".dwg", ".dxf"))
            for n in range(1, 301)
        )
        level = "核心" if p <= 3 else "重要"
        patterns.append(Pattern(rf"{v.FILE_SERVER}\研发\图纸\{code}\**", level, "drawing", files))
    design = tuple(
        rf"D:\design\src\{s}\{part}_v{r}{ext}"
        for s in v.DESIGN_SERIES
        for part in v.DESIGN_PARTS
        for r, ext in ((1, v.DESIGN_EXTS[0]), (2, v.DESIGN_EXTS[2]), (3, v.DESIGN_EXTS[3]))
    )
    patterns.append(Pattern(r"D:\design\src\**", "核心", "design", design))
    process = tuple(
        rf"{v.FILE_SERVER}\生产\工艺\{line}\GY-{n:03d}工艺卡{rng.choice(('.docx', '.xlsx'))}"
        for line in v.PROCESS_LINES
        for n in range(1, 41)
    )
    patterns.append(Pattern(rf"{v.FILE_SERVER}\生产\工艺\**", "重要", "process", process))
    customers = tuple(
        rf"{v.FILE_SERVER}\销售\客户\{region}\客户清单_{region}_{year}.xlsx"
        for region in v.REGIONS
        for year in range(2018, 2027)
    ) + tuple(rf"{v.FILE_SERVER}\销售\客户\合同\HT-{n:04d}.pdf" for n in range(1, 121))
    patterns.append(Pattern(rf"{v.FILE_SERVER}\销售\客户\**", "重要", "customer", customers))
    finance = tuple(
        rf"{v.FILE_SERVER}\财务\报表\{y}\{m:02d}\{kind}.xlsx"
        for y in (2025, 2026)
        for m in range(1, 13)
        for kind in ("资产负债表", "利润表", "成本分析")
    )
    patterns.append(Pattern(rf"{v.FILE_SERVER}\财务\报表\**", "一般", "finance", finance))
    return patterns


def _doc_name(rng: random.Random, n: int) -> str:
    return f"{rng.choice(v.DOC_TOPICS)}_{n:03d}{rng.choices(v.DOC_EXTS, v.DOC_EXT_WEIGHTS)[0]}"


def _department_sizes(users: int) -> list[int]:
    raw = [d.weight * users for d in v.DEPARTMENTS]
    sizes = [max(1, int(x)) for x in raw]
    order = sorted(range(len(raw)), key=lambda i: raw[i] - int(raw[i]), reverse=True)
    i = 0
    while sum(sizes) < users:
        sizes[order[i % len(order)]] += 1
        i += 1
    while sum(sizes) > users:
        j = max(range(len(sizes)), key=lambda k: sizes[k])
        sizes[j] -= 1
    return sizes


def build_organisation(users: int, seed: int, needs: Mapping[int, int]) -> Organisation:
    """`users` people in six departments. `needs` maps a profile to the minimum number of non-head
    members it must have (release engineers: exactly that many), for the scenarios to place."""
    if users < 10:
        raise GeneratorError(f"users must be at least 10 (got {users})")
    if users >= 1 << 20:
        raise GeneratorError(f"users must be below {1 << 20} (got {users})")
    rng = random.Random(f"shangmi-generator/{seed}/org")
    patterns = _patterns(rng)
    drawing = [i for i, p in enumerate(patterns) if p.kind == "drawing"]
    by_kind = {p.kind: i for i, p in enumerate(patterns) if p.kind != "drawing"}
    sizes = _department_sizes(users)
    people: list[User] = []
    pcs = rng.sample(range(1000, 10000), users) if users <= 9000 else list(range(10000, 10000 + users))
    for d, (dept, size) in enumerate(zip(v.DEPARTMENTS, sizes, strict=True)):
        roles = _roles(dept, d, size, needs, rng)
        for role, profile, team in roles:
            i = len(people)
            letters = "".join(rng.choice("ABCDEFGHJKLMNPQRSTWXYZ") for _ in range(3))
            user_id = f"{letters}{i + 1:04d}"  # unique by the serial
            people.append(
                User(
                    index=i,
                    user_id=user_id,
                    name=_name(rng),
                    email=f"{user_id.lower()}@{v.MAIL_DOMAIN}",
                    pc=f"PC-{pcs[i]:04d}",
                    dept=d,
                    profile=profile,
                    role=role,
                    team=team,
                    head=role == dept.head,
                    activity=rng.uniform(0.7, 1.3),
                    start_offset=rng.randint(-45, 45) * 60,
                )
            )
    _hierarchy(people)
    book = FIRST_CUSTOMER
    for u in people:
        if (u.profile in GRANTED_HEADS) if u.head else (u.role in GRANTED_ROLES):
            if u.profile in (v.ENGINEER, v.PRODUCTION):
                u.grants += tuple(rng.sample(drawing, 1 if u.profile == v.PRODUCTION else rng.randint(1, 3)))
            if u.profile == v.DESIGNER:
                u.grants += (by_kind["design"], rng.choice(drawing))
            if u.profile == v.PRODUCTION:
                u.grants += (by_kind["process"],)
            if u.profile == v.SALES:
                u.grants += (by_kind["customer"],)
            if u.profile == v.FINANCE:
                u.grants += (by_kind["finance"],)
        u.grants = tuple(sorted(set(u.grants)))
        u.projects = tuple(patterns[g].pattern.split("\\")[-2] for g in u.grants if g in drawing)
        if u.profile == v.SALES:
            u.book = book
            u.crm_rate = rng.uniform(0.05, 0.5)
            book += BOOK_SIZE
        u.usb_rate = {v.PRODUCTION: 0.08, v.IT: 0.10, v.ADMIN: 0.04}.get(u.profile, 0.015)
        u.job_browser = rng.random() < 0.05
        u.cloud_visitor = rng.random() < 0.15
        u.cloud_uploader = u.cloud_visitor and rng.random() < 0.4
        u.webmail_sender = rng.random() < 0.05
    used: set[str] = set()
    customers = tuple(
        f"{rng.choice(v.GIVEN_ASCII)}.{rng.choice(v.ASCII_SYLLABLES)}@{_ascii_company(rng, used)}"
        for _ in range(150)
    )
    suppliers = tuple(f"sales{rng.randint(1, 9)}@{_ascii_company(rng, used)}" for _ in range(60))
    dept_files = [
        tuple(
            rf"{v.FILE_SERVER}\{dept.share}\{rng.choice(dept.folders)}\{_doc_name(rng, n)}"
            for n in range(1, 801)
        )
        for dept in v.DEPARTMENTS
    ]
    common = tuple(
        rf"{v.FILE_SERVER}\公共\{rng.choice(('通知', '模板', '制度', '活动'))}\{_doc_name(rng, n)}"
        for n in range(1, 301)
    )
    local = tuple(_doc_name(rng, n) for n in range(1, 401))
    return Organisation(
        users=people,
        patterns=patterns,
        drawing_patterns=drawing,
        dept_files=dept_files,
        common_files=common,
        local_names=local,
        customers=customers,
        suppliers=suppliers,
        urls=_urls(rng),
    )


def _roles(dept: v.Department, d: int, size: int, needs: Mapping[int, int], rng: random.Random):
    """(role, profile, team) for each member of a department, head first."""
    out = [(dept.head, dept.roles[0].profile, dept.teams[0])]
    rest = size - 1
    fixed: list[tuple[str, int, str]] = []
    if d == v.RD:
        fixed += [(v.RELEASE_ROLE, v.RELEASE, v.RELEASE_TEAM)] * needs.get(v.RELEASE, 0)
        designers = max(needs.get(v.DESIGNER, 0), round(0.15 * rest))
        fixed += [("设计师", v.DESIGNER, v.DESIGN_TEAM)] * designers
    if len(fixed) > rest:
        raise GeneratorError(f"{dept.name} has {size} people, too few for the requested scenarios; add users")
    out += fixed
    general = [r for r in dept.roles if r.profile != v.DESIGNER]
    teams = [t for t in dept.teams if t not in (v.DESIGN_TEAM, v.RELEASE_TEAM)]
    for k in range(rest - len(fixed)):
        role = general[k] if k < len(general) else rng.choices(general, [r.weight for r in general])[0]
        out.append((role.name, role.profile, teams[k % len(teams)]))
    for role in general:
        have = sum(1 for _, p, _ in out[1:] if p == role.profile)
        if have < needs.get(role.profile, 0):
            raise GeneratorError(
                f"{dept.name} has {have} non-head members of the kind the scenarios need "
                f"({needs[role.profile]}); add users"
            )
    return out


def _hierarchy(people: list[User]) -> None:
    """Team leaders report to the department head; members report to their team leader."""
    heads = {u.dept: u.index for u in people if u.head}
    leaders: dict[tuple[int, str], int] = {}
    for u in people:
        if u.head:
            continue
        key = (u.dept, u.team)
        if key not in leaders:
            leaders[key] = u.index
            u.supervisor = heads[u.dept]
        else:
            u.supervisor = leaders[key]


def _urls(rng: random.Random) -> dict[str, tuple[str, ...]]:
    search = tuple(f"https://{s}{t}" for s in v.SEARCH_SITES for t in v.SEARCH_TERMS)
    news = tuple(
        f"https://{s}/{rng.choice(('china', 'world', 'tech', 'finance'))}/{rng.randint(100000, 999999)}.html"
        for s in v.NEWS_SITES
        for _ in range(40)
    )
    suppliers = tuple(
        f"https://{s}/{rng.choice(('products', 'catalog', 'support', 'download'))}/{rng.randint(1000, 9999)}"
        for s in v.SUPPLIER_SITES
        for _ in range(25)
    )
    portal = tuple(
        f"https://{s}/{rng.choice(('news', 'flow', 'doc', 'notice', 'kb'))}/{rng.randint(100, 9999)}"
        for s in v.PORTAL_SITES
        for _ in range(50)
    )
    webmail = tuple(f"https://{s}/" for s in v.WEBMAIL_SITES)
    clouds = tuple(f"https://{s}/{p}" for s in v.PERSONAL_CLOUDS for p in ("", "disk/home", "s/shared"))
    jobs = tuple(
        f"https://{s}/{rng.choice(('jobs', 'job', 'search'))}/{rng.randint(10000000, 99999999)}"
        for s in v.JOB_SITES
        for _ in range(30)
    )
    downloads = tuple(
        f"https://{s}/download/{rng.choice(('datasheet', 'manual', 'cad', 'driver'))}_{rng.randint(100, 999)}.pdf"
        for s in v.SUPPLIER_SITES
        for _ in range(10)
    )
    return {
        "search": search,
        "news": news,
        "supplier": suppliers,
        "portal": portal,
        "webmail": webmail,
        "cloud": clouds,
        "job": jobs,
        "download": downloads,
    }


def ldap_frame(org: Organisation, month_first_day: int) -> pl.DataFrame:
    """The LDAP snapshot of a month: everyone whose last day is on or after the month's first day."""
    rows = [u for u in org.users if u.last_day is None or u.last_day >= month_first_day]
    names = {u.index: u.name for u in org.users}
    return pl.DataFrame(
        {
            "employee_name": [u.name for u in rows],
            "user_id": [u.user_id for u in rows],
            "email": [u.email for u in rows],
            "role": [u.role for u in rows],
            "projects": [";".join(u.projects) for u in rows],
            "business_unit": ["1"] * len(rows),
            "functional_unit": [f"{u.dept + 1} - {v.DEPARTMENTS[u.dept].share}" for u in rows],
            "department": [v.DEPARTMENTS[u.dept].name for u in rows],
            "team": [u.team for u in rows],
            "supervisor": [names[u.supervisor] if u.supervisor is not None else "" for u in rows],
        },
        schema={c: pl.String for c in LDAP_COLUMNS},
    )


LDAP_COLUMNS = (
    "employee_name",
    "user_id",
    "email",
    "role",
    "projects",
    "business_unit",
    "functional_unit",
    "department",
    "team",
    "supervisor",
)
