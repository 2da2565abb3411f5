"""What the organisation knows that the logs do not say: its register of carriers (patterns and levels),
who is granted which carriers, HR dates, competitor and own domains, watchlisted people.

Register and grant patterns are globs over paths or URLs, matched case-insensitively, with `/` and `\\`
interchangeable: `*` matches within one path component, `**` across components, `?` one character.
A pattern that starts with a drive (`C:`), a root (`/`, `\\\\server`) or a URL scheme is anchored at the
start of the path; any other pattern matches at any directory level (`designs/*.dwg` matches
`D:\\proj\\designs\\a.dwg`). A pattern always runs to the end of the path (or of one item of a list
such as an e-mail's attachments, separated by `;`, `|` or `,`).

Cost: the globs become one combined regex (`register_regex`), run once per event on the few actions
that touch files; which pattern an object matched (`match_patterns`) is worked out only for the
distinct matching objects."""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl

from shangmi.engines.risk import destinations

LEVELS = ("general", "important", "core")  # 一般 / 重要 / 核心, in increasing order
LEVEL_LABELS = {"core": ("核心", "core"), "important": ("重要", "important"), "general": ("一般", "general")}
_LEVEL_ALIASES = {
    "core": "core",
    "核心": "core",
    "核心商密": "core",
    "important": "important",
    "重要": "important",
    "重要商密": "important",
    "general": "general",
    "一般": "general",
    "普通": "general",
    "一般商密": "general",
}
_ITEM_SEP = ";|,"  # separators between items of a list-valued object (attachments)
_ANCHORED = re.compile(r"^(?:[A-Za-z]:|/|\\|[A-Za-z][A-Za-z0-9+.\-]*://)")


class ContextError(ValueError):
    """A context file (or value) that cannot be used; the message names the file and line."""


@dataclass(frozen=True)
class RegisterEntry:
    pattern: str
    level: str  # one of LEVELS


@dataclass(frozen=True)
class HrDates:
    resignation: dt.date | None = None
    last_day: dt.date | None = None
    inferred: bool = False  # True when the last day was inferred from LDAP snapshots


@dataclass
class Context:
    """Everything the scorer needs besides events. All fields are optional; an indicator whose input is
    missing (no register, no grants) contributes nothing and says so in the parameters.

    `grants` is None when the organisation gave no grants file (then "beyond grants" cannot be judged);
    a user absent from a given grants mapping has no grants — unless `grants_known_only`, for a mapping
    that covers only the accounts the organisation could match to its people: then an absent user is
    not judged (treated as granted), since nothing is known of their grants. `peer_groups` maps user -> group (usually
    "department/role" from LDAP). `crm_hosts` are host suffixes of the customer-records application;
    empty means `crm.` + each own domain (and any host starting with `crm.` when there is no own domain)."""

    register: tuple[RegisterEntry, ...] = ()
    grants: dict[str, tuple[str, ...]] | None = None
    grants_known_only: bool = False
    hr: dict[str, HrDates] = field(default_factory=dict)
    competitors: tuple[str, ...] = ()
    own_domains: tuple[str, ...] = ()
    watchlist: frozenset[str] = frozenset()
    peer_groups: dict[str, str] = field(default_factory=dict)
    crm_hosts: tuple[str, ...] = ()
    timezone: str = "Asia/Shanghai"
    work_start_hour: int = 7
    work_end_hour: int = 20  # events at or after this local hour, or before work_start_hour, are off-hours

    # --- carriers ------------------------------------------------------------------------------------

    def register_regex(self) -> str | None:
        """One case-insensitive regex matching any registered carrier; None when the register is empty."""
        return combined_regex(entry.pattern for entry in self.register)

    def prefilter_regex(self) -> str | None:
        """A cheap regex that matches at least every object some register entry matches (and maybe a
        few more): the longest literal run of each pattern, either separator, case-insensitive. Falls
        back to `register_regex()` when a pattern has no literal of two characters or more."""
        return prefilter_regex(entry.pattern for entry in self.register)

    def match_patterns(self, objects: pl.Series) -> pl.DataFrame:
        """For distinct `objects` (String): every (object, pattern, level) where the pattern matches.
        Cost: one regex per register entry over `objects`; call it on the few matching objects only."""
        frame = pl.DataFrame({"object": objects.cast(pl.String)}).unique().drop_nulls()
        parts = [
            frame.filter(pl.col("object").str.contains(glob_regex(entry.pattern))).with_columns(
                pattern=pl.lit(entry.pattern), level=pl.lit(entry.level)
            )
            for entry in self.register
        ]
        if not parts:
            return pl.DataFrame(schema={"object": pl.String, "pattern": pl.String, "level": pl.String})
        return pl.concat(parts)

    def grant_masks(self, objects: pl.Series, users: pl.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The grant check in bulk, as bit masks over the distinct grant patterns: (object_masks,
        user_masks, free), where bit g of an object's row is set when grant pattern g covers the object
        and of a user's row when the user holds grant g (uint64 arrays, one row per object or user);
        `free` marks users with no grants to check (grants_known_only and absent from the mapping). A
        user may know an object when the rows share a bit, or when free (also when no grants were given).
        Cost: one regex per distinct grant pattern over `objects`."""
        patterns = sorted({p for held in (self.grants or {}).values() for p in held})
        words = max(1, (len(patterns) + 63) // 64)
        object_masks = np.zeros((objects.len(), words), dtype=np.uint64)
        values = objects.cast(pl.String)
        for g, pattern in enumerate(patterns):
            hit = values.str.contains(glob_regex(pattern)).fill_null(False).to_numpy()
            object_masks[hit, g // 64] |= np.uint64(1 << (g % 64))
        index = {pattern: g for g, pattern in enumerate(patterns)}
        user_masks = np.zeros((users.len(), words), dtype=np.uint64)
        free = np.zeros(users.len(), dtype=bool)
        for i, user in enumerate(users.to_list()):
            held = (self.grants or {}).get(user)
            if held is None:
                free[i] = self.grants is None or self.grants_known_only
                continue
            for pattern in held:
                g = index[pattern]
                user_masks[i, g // 64] |= np.uint64(1 << (g % 64))
        return object_masks, user_masks, free

    # --- destinations --------------------------------------------------------------------------------

    def destination_flags(self, values: pl.Series) -> pl.DataFrame:
        """destinations.flags() with this organisation's own and competitor domains."""
        return destinations.flags(values, own=self.own_domains, competitors=self.competitors)

    def crm_regex(self) -> str:
        """Regex (case-insensitive) recognising the customer-records application's host in a destination
        or object (URL)."""
        if self.crm_hosts:
            hosts = [destinations.normalise_domain(h) for h in self.crm_hosts]
            return destinations.suffix_regex(hosts) or r"(?!)"
        if self.own_domains:
            own = [destinations.normalise_domain(d) for d in self.own_domains]
            inner = "|".join(re.escape(d) for d in own if d)
            return rf"(?i)(?:^|[,;\s@/])crm\.(?:[a-z0-9-]+\.)*(?:{inner})(?:$|[,;\s/:])"
        return r"(?i)(?:^|[,;\s@/])crm\.[a-z0-9.-]+(?:$|[,;\s/:])"

    def last_day(self, user: str) -> dt.date | None:
        dates = self.hr.get(user)
        return dates.last_day if dates else None


# --- globs ---------------------------------------------------------------------------------------------


def glob_body(pattern: str) -> str:
    """The regex for one glob without boundaries (see the module docstring)."""
    text = pattern.strip().replace("\\", "/")
    out: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if text.startswith("**/", i):
            out.append(r"(?:[^;|]*[/\\])?")
            i += 3
        elif text.startswith("**", i):
            out.append(r"[^;|]*")
            i += 2
        elif char == "*":
            out.append(r"[^/\\;|]*")
            i += 1
        elif char == "?":
            out.append(r"[^/\\;|]")
            i += 1
        elif char == "/":
            out.append(r"[/\\]+" if i + 1 < len(text) and text[i + 1] == "/" else r"[/\\]")
            i += 2 if i + 1 < len(text) and text[i + 1] == "/" else 1
        else:
            out.append(re.escape(char))
            i += 1
    return "".join(out)


def _bounded(pattern: str) -> str:
    stripped = pattern.strip()
    start = r"(?:^|[;|,]\s*)" if _ANCHORED.match(stripped) else r"(?:^|[;|,/\\]\s*)"
    body = glob_body(
        stripped.removeprefix("**/").removeprefix("**\\") if not _ANCHORED.match(stripped) else stripped
    )
    return start + body + r"\s*(?:$|[;|,(])"


def glob_regex(pattern: str) -> str:
    """A case-insensitive regex finding `pattern` in a path or in one item of a list of paths."""
    if not pattern.strip():
        raise ContextError("empty pattern")
    return "(?i)" + _bounded(pattern)


def combined_regex(patterns: Iterable[str]) -> str | None:
    """One regex matching any of `patterns` (None when there are none)."""
    bodies = sorted({_bounded(p) for p in patterns if p.strip()})
    if not bodies:
        return None
    return "(?i)(?:" + "|".join(bodies) + ")"


def prefilter_regex(patterns: Iterable[str]) -> str | None:
    """See Context.prefilter_regex. Each pattern contributes plain literals only: the last two path
    components before its first wildcard, joined once with `\\` and once with `/` (`图纸\\P01`,
    `图纸/P01` for `\\\\fs01\\研发\\图纸\\P01\\**`), or, for a pattern that starts with a wildcard, its
    longest wildcard-free piece (`.dwg` for `*.dwg`); case-insensitive only where they have ASCII
    letters. A set of short plain literals lets the regex engine use its vectorised literal search,
    which costs about as much as reading the strings. (A path mixing both separators inside those two
    components would be missed; paths do not.)"""
    patterns = [p for p in patterns if p.strip()]
    if not patterns:
        return None
    literals: set[str] = set()
    for pattern in patterns:
        text = pattern.strip()
        head = re.split(r"[*?]", text, maxsplit=1)[0]
        segments = [seg for seg in re.split(r"[/\\]+", head) if seg]
        if head != text and head and not head.endswith(("/", "\\")):
            segments = segments[:-1]  # the last component is cut by the wildcard
        segments = segments[-2:]
        if not segments:
            pieces = [piece for piece in re.split(r"[*?/\\]+", text) if piece]
            segments = [max(pieces, key=lambda piece: len(piece.encode()), default="")]
        if len("".join(segments).encode()) < 2:
            return combined_regex(patterns)
        for sep in ("\\", "/"):
            literal = re.escape(sep.join(segments))
            literals.add(f"(?i:{literal})" if re.search("[A-Za-z]", literal) else literal)
    return "|".join(sorted(literals))


# --- files ---------------------------------------------------------------------------------------------


def _rows(path: Path | str, columns: Sequence[str]) -> Iterable[tuple[int, dict[str, str]]]:
    """(line number, row) for each data row of a UTF-8 CSV with at least `columns` in its header."""
    path = Path(path)
    try:
        text = path.read_bytes().removeprefix(b"\xef\xbb\xbf").decode("utf-8")
    except FileNotFoundError:
        raise ContextError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ContextError(f"{path}: is a folder, not a file") from None
    except UnicodeDecodeError:
        raise ContextError(f"{path}: not UTF-8 text (convert it: iconv -f GB18030 -t UTF-8)") from None
    reader = csv.reader(text.splitlines())
    header = [name.strip().lower() for name in next(reader, [])]
    missing = [name for name in columns if name not in header]
    if missing:
        raise ContextError(
            f"{path}: line 1: missing column(s) {', '.join(missing)} (the header must be {','.join(columns)})"
        )
    for line, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        if len(values) > len(header):
            raise ContextError(f"{path}: line {line}: {len(values)} fields, the header has {len(header)}")
        row = {name: (values[i].strip() if i < len(values) else "") for i, name in enumerate(header)}
        yield line, row


def _date(path: Path | str, line: int, name: str, value: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value.replace("/", "-"))
    except ValueError:
        raise ContextError(f"{path}: line {line}: {name} {value!r} is not a date (YYYY-MM-DD)") from None


def read_hr_csv(path: Path | str) -> dict[str, HrDates]:
    """`user,resignation_date,last_day` (either date may be empty, not both). Raises ContextError."""
    result: dict[str, HrDates] = {}
    for line, row in _rows(path, ("user", "resignation_date", "last_day")):
        user = row["user"]
        if not user:
            raise ContextError(f"{path}: line {line}: empty user")
        resignation = _date(path, line, "resignation_date", row["resignation_date"])
        last_day = _date(path, line, "last_day", row["last_day"])
        if resignation is None and last_day is None:
            raise ContextError(f"{path}: line {line}: give resignation_date or last_day for {user!r}")
        if resignation and last_day and resignation > last_day:
            raise ContextError(
                f"{path}: line {line}: resignation_date {resignation} is after last_day {last_day}"
            )
        if user in result:
            raise ContextError(f"{path}: line {line}: user {user!r} appears twice")
        result[user] = HrDates(resignation, last_day)
    return result


def normalise_level(value: str) -> str | None:
    return _LEVEL_ALIASES.get(value.strip().lower())


def read_register_csv(path: Path | str) -> tuple[RegisterEntry, ...]:
    """`pattern,level` with level core/important/general (or 核心/重要/一般). Raises ContextError."""
    entries: dict[str, RegisterEntry] = {}
    for line, row in _rows(path, ("pattern", "level")):
        pattern = row["pattern"]
        if not pattern:
            raise ContextError(f"{path}: line {line}: empty pattern")
        level = normalise_level(row["level"])
        if level is None:
            raise ContextError(
                f"{path}: line {line}: level {row['level']!r} is not one of core, important, general (核心/重要/一般)"
            )
        _check_glob(path, line, pattern)
        previous = entries.get(pattern)
        if previous is None or LEVELS.index(level) > LEVELS.index(previous.level):
            entries[pattern] = RegisterEntry(pattern, level)
    return tuple(entries.values())


def read_grants_csv(path: Path | str) -> dict[str, tuple[str, ...]]:
    """`user,pattern`: the carriers each user may access. Raises ContextError."""
    grants: dict[str, list[str]] = {}
    for line, row in _rows(path, ("user", "pattern")):
        if not row["user"] or not row["pattern"]:
            raise ContextError(f"{path}: line {line}: empty user or pattern")
        _check_glob(path, line, row["pattern"])
        grants.setdefault(row["user"], []).append(row["pattern"])
    return {user: tuple(dict.fromkeys(patterns)) for user, patterns in grants.items()}


def read_domains(path: Path | str) -> tuple[str, ...]:
    """One domain a line (`#` comments and blank lines ignored; `@x.com`, `*.x.com`, `https://x.com/`
    accepted). Raises ContextError naming the line of a value that is not a domain."""
    path = Path(path)
    try:
        text = path.read_bytes().removeprefix(b"\xef\xbb\xbf").decode("utf-8")
    except (FileNotFoundError, IsADirectoryError):
        raise ContextError(f"{path}: no such file") from None
    except UnicodeDecodeError:
        raise ContextError(f"{path}: not UTF-8 text") from None
    result: list[str] = []
    for line, raw in enumerate(text.splitlines(), start=1):
        value = raw.split("#", 1)[0].strip()
        if not value:
            continue
        domain = destinations.normalise_domain(value)
        if not destinations.is_domain(domain):
            raise ContextError(f"{path}: line {line}: {value!r} is not a domain name")
        result.append(domain)
    return tuple(dict.fromkeys(result))


def read_users(path: Path | str) -> frozenset[str]:
    """A watchlist: one user id a line (`#` comments and blank lines ignored)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (FileNotFoundError, IsADirectoryError):
        raise ContextError(f"{path}: no such file") from None
    except UnicodeDecodeError:
        raise ContextError(f"{path}: not UTF-8 text") from None
    return frozenset(v for raw in text.splitlines() if (v := raw.split("#", 1)[0].strip()))


def _check_glob(path: Path | str, line: int, pattern: str) -> None:
    try:
        re.compile(glob_regex(pattern))
    except re.error as error:  # pragma: no cover - glob_body escapes everything it does not translate
        raise ContextError(f"{path}: line {line}: pattern {pattern!r} is not usable ({error})") from None


# --- LDAP ----------------------------------------------------------------------------------------------


def _month_column(ldap: pl.DataFrame) -> pl.Expr:
    for name in ("month", "snapshot", "date", "day"):
        if name in ldap.columns:
            column = pl.col(name)
            if ldap.schema[name] == pl.String:
                column = (column.str.slice(0, 7) + "-01").str.to_date("%Y-%m-%d")
            return column.cast(pl.Date).dt.month_start()
    raise ContextError("LDAP snapshots lack a month column (month, snapshot or date)")


def infer_hr_from_ldap(ldap: pl.DataFrame) -> dict[str, HrDates]:
    """Last days from monthly LDAP snapshots (columns `user` and `month`/`snapshot`/`date`): a user present
    in month M and absent from every later snapshot, while later snapshots exist, left at the end of M.
    Resignation stays unknown. Cost: one group-by over the snapshots."""
    if ldap.height == 0:
        return {}
    frame = ldap.select(pl.col("user").cast(pl.String), _month_column(ldap).alias("month"))
    latest = frame["month"].max()
    last = frame.group_by("user").agg(pl.col("month").max()).filter(pl.col("month") < latest)
    last = last.with_columns(last_day=pl.col("month").dt.month_end())
    return {
        user: HrDates(None, day, inferred=True) for user, day in last.select("user", "last_day").iter_rows()
    }


def peer_groups_from_ldap(ldap: pl.DataFrame) -> dict[str, str]:
    """user -> "department/role" from each user's latest LDAP snapshot (missing parts left empty; the
    CERT layout's `functional_unit` stands in for a missing department)."""
    if ldap.height == 0:
        return {}
    month = _month_column(ldap).alias("_month")
    department = next(
        (c for c in ("department", "functional_unit", "business_unit") if c in ldap.columns), None
    )
    role = "role" if "role" in ldap.columns else None
    parts = [
        pl.col(department).cast(pl.String).fill_null("") if department else pl.lit(""),
        pl.col(role).cast(pl.String).fill_null("") if role else pl.lit(""),
    ]
    frame = ldap.with_columns(month, pl.concat_str(parts, separator="/").alias("_group"))
    latest = frame.sort("_month").group_by("user").agg(pl.col("_group").last())
    return dict(latest.select(pl.col("user").cast(pl.String), "_group").iter_rows())
