"""Self-check frameworks (自我体检框架) as data: YAML files loaded, validated and cached.

A framework is a versioned checklist of questions grouped in domains. Files live in this package's
`frameworks/` directory and in every directory listed in `settings.ASSESSMENT_FRAMEWORK_DIRS`, so an
organisation can add one without code changes. The format is described in docs/self-check-frameworks.md.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

logger = logging.getLogger(__name__)

BUILTIN_DIR = Path(__file__).resolve().parent / "frameworks"
MAX_FILE_BYTES = 1024 * 1024

# Facts measured from the registers (see KNOWN_FACTS); count facts are whole numbers, ratio facts 0–1.
COUNT_FACTS = frozenset({"officers", "secrets_designated", "trainings_12m", "deposits_12m", "external_ndas"})
RATIO_FACTS = frozenset({"secrets_level_period", "secret_points", "nonpublic_checks", "carriers_marked"}) | {
    *("grants_acknowledged", "entrusted_nda", "key_noncompete", "onboarding_complete", "staff_trained_12m"),
    *("departures_closed_12m", "positions_graded"),
}
KNOWN_FACTS = COUNT_FACTS | RATIO_FACTS
IMPORTANCES = ("mandatory", "recommended")
MEASURES = tuple(range(1, 8))  # SPC 法释〔2020〕7号 art. 6, items 1–7
CHAPTERS = ("matters", "self_protection", "rights", "cooperation")  # DB33/T 2277-2020

_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_VERSION = re.compile(r"^\d+(\.\d+)*$")
_TOP = ("key", "version", "name", "name_en", "description", "measures", "chapters", "domains", "questions")
_DOMAIN = ("key", "name", "name_en", "description")
_QUESTION = ("id", "domain", "text", "weight", "importance", "choices", "evidence", "recommendation")
_QUESTION_LISTS = ("measures", "chapters")


class FrameworkError(ValueError):
    """A framework file is unreadable or invalid; the message names the file and the place."""


class FrameworkNotFound(LookupError):
    """No framework with the requested key (and version)."""


@dataclass(frozen=True)
class Choice:
    key: str
    label: str
    score: float | None  # None: not applicable, the question is left out of the score


@dataclass(frozen=True)
class ProposalRule:
    choice: str
    ratio_at_least: float | None = None
    count_at_least: int | None = None

    def holds(self, ratio: float | None, count: int | None) -> bool:
        if self.ratio_at_least is not None:
            return ratio is not None and ratio >= self.ratio_at_least
        return count is not None and self.count_at_least is not None and count >= self.count_at_least


@dataclass(frozen=True)
class Question:
    id: str
    domain: str
    text: str
    weight: float
    importance: str
    choices: tuple[Choice, ...]
    evidence: str
    recommendation: str
    measures: tuple[int, ...]
    chapters: tuple[str, ...]
    fact: str | None = None
    rules: tuple[ProposalRule, ...] = ()

    @property
    def max_score(self) -> float:
        return max(c.score for c in self.choices if c.score is not None)

    @property
    def mandatory(self) -> bool:
        return self.importance == "mandatory"

    def choice(self, key: str) -> Choice | None:
        return next((c for c in self.choices if c.key == key), None)

    def propose(self, ratio: float | None, count: int | None) -> str | None:
        """The choice the system suggests from the fact's measured ratio/count, or None."""
        if self.fact is None:
            return None
        return next((r.choice for r in self.rules if r.holds(ratio, count)), None)


@dataclass(frozen=True)
class Domain:
    key: str
    name: str
    name_en: str
    description: str


@dataclass(frozen=True)
class Framework:
    key: str
    version: str
    name: str
    name_en: str
    description: str
    sha256: str
    measures: dict[int, str] = field(hash=False)
    chapters: dict[str, str] = field(hash=False)
    domains: tuple[Domain, ...]
    questions: tuple[Question, ...]

    def question(self, id: str) -> Question:
        for q in self.questions:
            if q.id == id:
                return q
        raise KeyError(id)

    def domain(self, key: str) -> Domain:
        for d in self.domains:
            if d.key == key:
                return d
        raise KeyError(key)

    def questions_of(self, domain_key: str) -> tuple[Question, ...]:
        return tuple(q for q in self.questions if q.domain == domain_key)

    def to_json(self) -> dict[str, Any]:
        """All fields as JSON values (lists for tuples, string keys for `measures`)."""
        return _plain(asdict(self))

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Framework:
        """Rebuild from `to_json` output, e.g. a stored snapshot. Trusts the data (no validation), so a
        snapshot keeps loading after the validation rules change."""
        questions = tuple(
            Question(
                **{
                    **q,
                    "weight": float(q["weight"]),
                    "choices": tuple(
                        Choice(c["key"], c["label"], _opt_float(c["score"])) for c in q["choices"]
                    ),
                    "measures": tuple(q["measures"]),
                    "chapters": tuple(q["chapters"]),
                    "rules": tuple(ProposalRule(**r) for r in q["rules"]),
                }
            )
            for q in data["questions"]
        )
        return cls(
            **{
                **data,
                "measures": {int(k): v for k, v in data["measures"].items()},
                "chapters": dict(data["chapters"]),
                "domains": tuple(Domain(**d) for d in data["domains"]),
                "questions": questions,
            }
        )


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _opt_float(value: Any) -> float | None:
    return None if value is None else float(value)


# --- validation -------------------------------------------------------------------------------------


class _Reader:
    """Checks raw YAML values; every failure names the file and the place."""

    def __init__(self, filename: str) -> None:
        self.filename = filename

    def fail(self, place: str, message: str) -> FrameworkError:
        return FrameworkError(": ".join(part for part in (self.filename, place, message) if part))

    def mapping(self, raw: Any, place: str, required: tuple, optional: tuple = ()) -> dict:
        if not isinstance(raw, dict):
            raise self.fail(place, "must be a mapping")
        for name in required:
            if name not in raw:
                raise self.fail(place, f"missing required key '{name}'")
        unknown = sorted(str(k) for k in raw if k not in required + optional)
        if unknown:
            raise self.fail(place, f"unknown key(s): {', '.join(unknown)}")
        return raw

    def text(self, raw: dict, name: str, place: str, pattern: re.Pattern | None = None, max_len=0) -> str:
        value = raw[name]
        if isinstance(value, bool):
            raise self.fail(place, f"{name} must be a string (quote yes/no/on/off/true/false in YAML)")
        if not isinstance(value, str) or not value.strip():
            raise self.fail(place, f"{name} must be a non-empty string")
        if pattern is not None and not pattern.match(value):
            raise self.fail(place, f"{name} '{value}' has an invalid format")
        if max_len and len(value) > max_len:
            raise self.fail(place, f"{name} must be at most {max_len} characters")
        return value.strip()

    def number(self, value: Any, name: str, place: str, low: float, high: float) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
            raise self.fail(place, f"{name} must be a number between {low:g} and {high:g}")
        return float(value)

    def items(self, raw: dict, name: str, place: str) -> list:
        value = raw[name]
        if not isinstance(value, list) or not value:
            raise self.fail(place, f"{name} must be a non-empty list")
        return value

    def subset(self, raw: dict, name: str, place: str, allowed: tuple) -> tuple:
        values = self.items(raw, name, place)
        bad = [v for v in values if not any(type(v) is type(a) and v == a for a in allowed)]
        if bad or len(set(values)) != len(values):
            shown = ", ".join(str(a) for a in allowed)
            raise self.fail(place, f"{name} must be distinct values among {shown}")
        return tuple(values)

    def labels(self, raw: dict, name: str, keys: tuple) -> dict:
        value = raw[name]
        if not isinstance(value, dict):
            raise self.fail(name, "must be a mapping")
        normalised = {(int(k) if isinstance(k, str) and k.isdigit() else k): v for k, v in value.items()}
        if set(normalised) != set(keys):
            raise self.fail(name, f"keys must be exactly {', '.join(str(k) for k in keys)}")
        if any(not isinstance(v, str) or not v.strip() for v in normalised.values()):
            raise self.fail(name, "every label must be a non-empty string")
        return {k: normalised[k].strip() for k in keys}


def _parse(data: Any, filename: str, sha256: str) -> Framework:
    r = _Reader(filename)
    if not isinstance(data, dict):
        raise r.fail("", "the file must hold a YAML mapping (key: value lines) at the top level")
    top = r.mapping(data, "", _TOP)
    head = {
        "key": r.text(top, "key", "", _KEY, 64),
        "version": r.text(top, "version", "", _VERSION, 32),
        "name": r.text(top, "name", "", max_len=128),
        "name_en": r.text(top, "name_en", ""),
        "description": r.text(top, "description", ""),
        "measures": r.labels(top, "measures", MEASURES),
        "chapters": r.labels(top, "chapters", CHAPTERS),
    }
    domains = tuple(_parse_domain(r, raw, i) for i, raw in enumerate(r.items(top, "domains", "")))
    domain_keys = [d.key for d in domains]
    duplicate = next((k for k in domain_keys if domain_keys.count(k) > 1), None)
    if duplicate:
        raise r.fail("domains", f"duplicate domain key '{duplicate}'")
    questions: list[Question] = []
    for i, raw in enumerate(r.items(top, "questions", "")):
        q = _parse_question(r, raw, i, domain_keys)
        if any(q.id == other.id for other in questions):
            raise r.fail(f"questions[{i}] ({q.id})", f"duplicate question id '{q.id}'")
        questions.append(q)
    for d in domains:
        if not any(q.domain == d.key for q in questions):
            raise r.fail(f"domains ({d.key})", "has no questions")
    return Framework(**head, sha256=sha256, domains=domains, questions=tuple(questions))


def _parse_domain(r: _Reader, raw: Any, i: int) -> Domain:
    place = f"domains[{i}]"
    raw = r.mapping(raw, place, _DOMAIN)
    key = r.text(raw, "key", place, _KEY, 32)
    place = f"domains[{i}] ({key})"
    return Domain(
        key, r.text(raw, "name", place), r.text(raw, "name_en", place), r.text(raw, "description", place)
    )


def _parse_question(r: _Reader, raw: Any, i: int, domain_keys: list[str]) -> Question:
    place = f"questions[{i}]"
    if isinstance(raw, dict) and isinstance(raw.get("id"), str):
        place = f"questions[{i}] ({raw['id']})"
    raw = r.mapping(raw, place, _QUESTION + _QUESTION_LISTS, optional=("system",))
    qid = r.text(raw, "id", place, _KEY, 32)
    domain = r.text(raw, "domain", place)
    if domain not in domain_keys:
        raise r.fail(place, f"domain '{domain}' is not one of the framework's domains")
    importance = r.text(raw, "importance", place)
    if importance not in IMPORTANCES:
        raise r.fail(place, f"importance must be one of {', '.join(IMPORTANCES)}")
    choices = _parse_choices(r, r.items(raw, "choices", place), place)
    fact, rules = _parse_system(r, raw.get("system"), place, choices) if "system" in raw else (None, ())
    return Question(
        id=qid,
        domain=domain,
        text=r.text(raw, "text", place),
        weight=r.number(raw["weight"], "weight", place, 1, 5),
        importance=importance,
        choices=choices,
        evidence=r.text(raw, "evidence", place),
        recommendation=r.text(raw, "recommendation", place),
        measures=r.subset(raw, "measures", place, MEASURES),
        chapters=r.subset(raw, "chapters", place, CHAPTERS),
        fact=fact,
        rules=rules,
    )


def _parse_choices(r: _Reader, items: list, place: str) -> tuple[Choice, ...]:
    if len(items) < 2:
        raise r.fail(place, "choices must have at least 2 entries")
    choices = []
    for j, raw in enumerate(items):
        where = f"{place} choices[{j}]"
        raw = r.mapping(raw, where, ("key", "label", "score"))
        score = raw["score"]
        if score is not None:
            score = r.number(score, "score", where, 0, 100)
        choices.append(Choice(r.text(raw, "key", where, _KEY, 32), r.text(raw, "label", where), score))
    keys = [c.key for c in choices]
    if len(set(keys)) != len(keys):
        raise r.fail(place, "choice keys must be unique")
    if max((c.score for c in choices if c.score is not None), default=0) <= 0:
        raise r.fail(place, "at least one choice must have a score above 0")
    return tuple(choices)


def _parse_system(
    r: _Reader, raw: Any, place: str, choices: tuple[Choice, ...]
) -> tuple[str, tuple[ProposalRule, ...]]:
    where = f"{place} system"
    raw = r.mapping(raw, where, ("fact", "rules"))
    fact = r.text(raw, "fact", where)
    if fact not in KNOWN_FACTS:
        raise r.fail(where, f"unknown fact '{fact}' (known: {', '.join(sorted(KNOWN_FACTS))})")
    threshold = "count_at_least" if fact in COUNT_FACTS else "ratio_at_least"
    rules = []
    for j, item in enumerate(r.items(raw, "rules", where)):
        at = f"{where} rules[{j}]"
        item = r.mapping(item, at, ("choice",), optional=("ratio_at_least", "count_at_least"))
        if threshold not in item or len(item) != 2:
            kind = "a count" if fact in COUNT_FACTS else "a ratio"
            raise r.fail(at, f"fact '{fact}' is {kind}, so each rule needs exactly choice and {threshold}")
        choice = r.text(item, "choice", at)
        if not any(c.key == choice for c in choices):
            raise r.fail(at, f"choice '{choice}' is not one of the question's choices")
        if threshold == "ratio_at_least":
            rules.append(ProposalRule(choice, ratio_at_least=r.number(item[threshold], threshold, at, 0, 1)))
        else:
            count = item[threshold]
            if isinstance(count, bool) or not isinstance(count, int) or count < 0:
                raise r.fail(at, "count_at_least must be a whole number of at least 0")
            rules.append(ProposalRule(choice, count_at_least=count))
    last = rules[-1]
    if (last.ratio_at_least or 0) != 0 or (last.count_at_least or 0) != 0:
        raise r.fail(where, f"the last rule must always hold ({threshold}: 0)")
    return fact, tuple(rules)


# --- files and directories ------------------------------------------------------------------------------

_cache: dict[Path, tuple[int, int, Framework]] = {}


def load_framework_file(path: Path) -> Framework:
    """Parse and validate one file; cached by (path, mtime, size). Raises FrameworkError."""
    path = Path(path).resolve()
    try:
        stat = path.stat()
    except OSError as exc:
        raise FrameworkError(f"{path.name}: cannot read file ({exc.strerror})") from exc
    cached = _cache.get(path)
    if cached and cached[:2] == (stat.st_mtime_ns, stat.st_size):
        return cached[2]
    if stat.st_size > MAX_FILE_BYTES:
        raise FrameworkError(f"{path.name}: file is larger than {MAX_FILE_BYTES} bytes")
    content = path.read_bytes()
    try:
        data = yaml.safe_load(content.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise FrameworkError(f"{path.name}: not UTF-8 text (byte {exc.start})") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f"line {mark.line + 1}: " if mark is not None else ""
        raise FrameworkError(f"{path.name}: {line}not valid YAML ({getattr(exc, 'problem', exc)})") from exc
    framework = _parse(data, path.name, hashlib.sha256(content).hexdigest())
    _cache[path] = (stat.st_mtime_ns, stat.st_size, framework)
    return framework


def framework_dirs() -> list[Path]:
    """The built-in directory, then each directory in settings.ASSESSMENT_FRAMEWORK_DIRS."""
    from django.conf import settings

    extra = getattr(settings, "ASSESSMENT_FRAMEWORK_DIRS", []) if settings.configured else []
    return [BUILTIN_DIR, *(Path(p) for p in extra)]


def available_frameworks() -> list[Framework]:
    """Every *.yaml file in framework_dirs(), sorted by key and version. Raises FrameworkError."""
    found: dict[tuple[str, tuple[int, ...]], tuple[Path, Framework]] = {}
    seen_dirs: set[Path] = set()
    for directory in framework_dirs():
        if directory.resolve() in seen_dirs:
            continue
        seen_dirs.add(directory.resolve())
        if not directory.is_dir():
            logger.warning("self-check framework directory %s does not exist", directory)
            continue
        for path in sorted(directory.glob("*.yaml")):
            framework = load_framework_file(path)
            pair = (framework.key, version_tuple(framework.version))  # "1.0" and "1.00" are the same
            if pair in found:
                raise FrameworkError(
                    f"{path.name}: framework {framework.key} version {framework.version}"
                    f" is also defined in {found[pair][0]}"
                )
            found[pair] = (path, framework)
    return [found[pair][1] for pair in sorted(found)]


def version_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def get_framework(key: str, version: str | None = None) -> Framework:
    """The given version of a framework, or its latest version when version is None."""
    matching = [f for f in available_frameworks() if f.key == key]
    if version is not None:
        matching = [f for f in matching if f.version == version]
    if not matching:
        raise FrameworkNotFound(f"no self-check framework {key}" + (f" version {version}" if version else ""))
    return matching[-1]
