"""Evidence bundles: the ZIPs handed to a lawyer (a person's dossier, a secret's 合理保密措施 dossier) and
their check.

A bundle holds files, `X.receipt` beside each deposited `X` (the evidence-log receipt of X's digests;
a record `R.json` may also have its receipt as `R.receipt`, as the register's downloads are named), and
MANIFEST.sha256 in sha256sum's format over every other file. Member times are fixed, so the bytes of a
bundle depend on its content only.

Writing needs Django (receipts come from the log); checking (`check_bundle`, used by
`shangmi verify BUNDLE`) does not, so this module imports Django lazily."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from shangmi.engines.tlog.material import MaterialDigest, digest_stream

if TYPE_CHECKING:
    from shangmi.apps.evidence.models import Deposit

MANIFEST = "MANIFEST.sha256"
RECEIPT = ".receipt"
# Fixed member times make the archive's bytes depend on its content only.
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
# Limits of what `check_bundle` reads: a dossier is some hundred files and some hundred MB at most.
MAX_ARCHIVE_BYTES = 4 << 30
MAX_MEMBERS = 20_000
MAX_MEMBER_BYTES = 1 << 30
MAX_TOTAL_BYTES = 4 << 30
MAX_RATIO = 200  # uncompressed / compressed, above 1 MiB: a zip bomb
MAX_SMALL_BYTES = 16 << 20  # the manifest and each receipt are read whole
_CHUNK = 1 << 20


@dataclass
class Bundle:
    files: dict[str, bytes] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)  # files the database names but the data dir lacks
    pending: list[str] = field(default_factory=list)  # deposits not yet in the log: no receipt yet

    def add(self, path: str, data: bytes) -> str:
        stem, suffix, n = str(PurePosixPath(path).with_suffix("")), PurePosixPath(path).suffix, 2
        while path in self.files:  # two materials of the same name
            path = f"{stem}-{n}{suffix}"
            n += 1
        self.files[path] = data
        return path

    def add_receipt(self, path: str, deposit: Deposit | None) -> None:
        from shangmi.apps.evidence.log_service import receipt_for
        from shangmi.apps.evidence.models import Deposit

        if deposit is not None and deposit.state == Deposit.State.INCLUDED and deposit.checkpoint_id:
            self.add(path, receipt_for(deposit).to_text().encode())
        else:
            self.pending.append(path)


def first_file_deposit(organisation_id: int, sha256: str) -> Deposit | None:
    """The first deposit of a stored file (for files that keep no deposit id of their own)."""
    from shangmi.apps.evidence.models import Deposit

    return (
        Deposit.objects.filter(organisation_id=organisation_id, kind=Deposit.Kind.FILE, sha256=sha256)
        .select_related("checkpoint")
        .order_by("state", "pk")  # 'included' sorts before 'pending'
        .first()
    )


def manifest(files: dict[str, bytes]) -> bytes:
    """sha256sum's format: '<hex>  <path>' per line, sorted by path."""
    return "".join(
        f"{hashlib.sha256(data).hexdigest()}  {path}\n" for path, data in sorted(files.items())
    ).encode()


def zip_bundle(files: dict[str, bytes], first: list[str]) -> bytes:
    """The ZIP of `files` plus MANIFEST.sha256 over all of them (computed here). Members named in `first`
    come first in that order (MANIFEST may be among them), then the others sorted by path."""
    files = {path: data for path, data in files.items() if path != MANIFEST}
    files[MANIFEST] = manifest(files)
    order = [p for p in first if p in files] + sorted(p for p in files if p not in first)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in order:
            info = zipfile.ZipInfo(path, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, files[path])
    return buffer.getvalue()


def restamp(data: bytes) -> bytes:
    """The same ZIP (a DOCX, say) with every member time fixed: python-docx stamps the current time."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            fixed.compress_type = info.compress_type
            fixed.external_attr = info.external_attr
            target.writestr(fixed, source.read(info))
    return buffer.getvalue()


# ---- checking -------------------------------------------------------------------------------------


class BundleError(ValueError):
    """The bundle cannot be checked at all (not a ZIP or folder, no manifest, over the limits)."""


@dataclass(frozen=True)
class Finding:
    path: str
    check: str  # "manifest", "sha256", "unlisted", "missing", "receipt", "read"
    ok: bool
    detail: str = ""


_ORDER = {"manifest": 0, "read": 1, "missing": 2, "sha256": 2, "unlisted": 2, "receipt": 3}
_LINE = re.compile(r"([0-9a-fA-F]{64}) [ *](.+)")


def _zip_members(path: Path) -> Iterator[tuple[str, Iterator[bytes] | None, str]]:
    """(name, chunks or None, problem) per member, after checking the limits on the central directory."""
    if path.stat().st_size > MAX_ARCHIVE_BYTES:
        raise BundleError(f"{path} is larger than {MAX_ARCHIVE_BYTES >> 30} GiB")
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        raise BundleError(f"{path} is not a readable ZIP file: {error}") from None
    with archive:
        infos = [i for i in archive.infolist() if not i.is_dir()]
        if len(infos) > MAX_MEMBERS:
            raise BundleError(f"{path} has {len(infos)} files; at most {MAX_MEMBERS} are checked")
        names = [i.filename for i in infos]
        if len(set(names)) != len(names):
            raise BundleError(
                f"{path} names a file twice: {sorted({n for n in names if names.count(n) > 1})}"
            )
        total = sum(i.file_size for i in infos)
        if total > MAX_TOTAL_BYTES:
            raise BundleError(f"{path} unpacks to {total} bytes; at most {MAX_TOTAL_BYTES} are checked")
        for info in infos:
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > MAX_MEMBER_BYTES or (info.file_size > _CHUNK and ratio > MAX_RATIO):
                raise BundleError(
                    f"{info.filename}: {info.file_size} bytes from {info.compress_size} (zip bomb?)"
                )

        def chunks(info: zipfile.ZipInfo) -> Iterator[bytes]:
            # ZipExtFile stops at the declared size, which was checked above.
            with archive.open(info) as member:
                while block := member.read(_CHUNK):
                    yield block

        for info in infos:
            yield info.filename, chunks(info), ""


def _folder_members(path: Path) -> Iterator[tuple[str, Iterator[bytes] | None, str]]:
    found = sorted(p for p in path.rglob("*") if p.is_symlink() or p.is_file())
    if len(found) > MAX_MEMBERS:
        raise BundleError(f"{path} has {len(found)} files; at most {MAX_MEMBERS} are checked")
    total = 0
    for p in found:
        name = p.relative_to(path).as_posix()
        if p.is_symlink():
            yield name, None, "symbolic link, not followed"
            continue
        total += p.stat().st_size
        if total > MAX_TOTAL_BYTES:
            raise BundleError(f"{path} holds more than {MAX_TOTAL_BYTES} bytes")

        def chunks(p: Path = p) -> Iterator[bytes]:
            with p.open("rb") as handle:
                while block := handle.read(_CHUNK):
                    yield block

        yield name, chunks(), ""


def _read(path: Path) -> tuple[dict[str, MaterialDigest], dict[str, bytes], list[Finding]]:
    """Digests of every file; the bytes of the manifest and of each receipt; files that could not be read."""
    members = _folder_members(path) if path.is_dir() else _zip_members(path)
    digests: dict[str, MaterialDigest] = {}
    small: dict[str, bytes] = {}
    problems: list[Finding] = []
    for name, chunks, problem in members:
        if chunks is None:
            problems.append(Finding(name, "read", False, problem))
            continue
        small_file = name.endswith((RECEIPT, f"/{MANIFEST}")) or name == MANIFEST
        kept: list[bytes] | None = [] if small_file else None

        def remember(block: bytes, kept: list[bytes] | None = kept) -> bytes:
            if kept is not None and sum(map(len, kept)) <= MAX_SMALL_BYTES:
                kept.append(block)
            return block

        try:
            digests[name] = digest_stream(remember(b) for b in chunks)
        except (zipfile.BadZipFile, OSError, RuntimeError, EOFError, NotImplementedError) as error:
            problems.append(Finding(name, "read", False, f"unreadable: {error}"))
            continue
        if kept is not None and digests[name].size <= MAX_SMALL_BYTES:
            small[name] = b"".join(kept)
    return digests, small, problems


def _listed(data: bytes) -> tuple[dict[str, str], list[Finding]]:
    listed: dict[str, str] = {}
    problems: list[Finding] = []
    for n, line in enumerate(data.decode("utf-8", errors="replace").splitlines(), 1):
        if not line.strip():
            continue
        match = _LINE.fullmatch(line)
        if match is None:
            problems.append(Finding(MANIFEST, "manifest", False, f"line {n} is not '<sha256>  <path>'"))
        else:
            listed[match.group(2)] = match.group(1).lower()
    return listed, problems


def receipt_target(receipt: str, present) -> str | None:
    """The file a receipt belongs to: `X` for `X.receipt`, else `X.json` (a record's receipt)."""
    stem = receipt.removesuffix(RECEIPT)
    for candidate in (stem, stem + ".json"):
        if candidate in present:
            return candidate
    return None


def _without_top_folder(digests: dict, small: dict) -> tuple[dict, dict]:
    """A ZIP made of the unpacked folder holds `folder/MANIFEST.sha256`: check it as if unpacked."""
    if MANIFEST in small:
        return digests, small
    tops = {name.split("/", 1)[0] for name in digests}
    top = next(iter(tops)) if len(tops) == 1 else ""
    if not top or f"{top}/{MANIFEST}" not in small:
        return digests, small
    cut = len(top) + 1
    return {n[cut:]: d for n, d in digests.items()}, {n[cut:]: d for n, d in small.items()}


def check_bundle(
    path: Path, *, trusted_vkey: str | None = None, tsa_roots: list[bytes] | None = None
) -> list[Finding]:
    """Every file against the manifest, files missing from or absent in it, every receipt against its
    file. Raises BundleError when the bundle cannot be read at all. Reads each file once."""
    from shangmi.engines.tlog.receipt import verify_receipt

    if not (path.is_dir() or path.is_file()):
        raise BundleError(f"{path} is neither a file nor a folder")
    digests, small, findings = _read(path)
    digests, small = _without_top_folder(digests, small)
    if MANIFEST not in small:
        raise BundleError(f"{path} holds no {MANIFEST}: not an evidence bundle")
    listed, problems = _listed(small[MANIFEST])
    findings += problems
    for name, expected in sorted(listed.items()):
        if name not in digests:
            findings.append(Finding(name, "missing", False, "listed in the manifest but not in the bundle"))
        elif digests[name].sha256 == expected:
            findings.append(Finding(name, "sha256", True, f"SHA-256 {expected[:16]}…"))
        else:
            got = digests[name].sha256
            findings.append(Finding(name, "sha256", False, f"manifest {expected[:16]}…, file {got[:16]}…"))
    for name in sorted(set(digests) - set(listed) - {MANIFEST}):
        findings.append(Finding(name, "unlisted", False, "in the bundle but not listed in the manifest"))
    for name in sorted(n for n in digests if n.endswith(RECEIPT)):
        target = receipt_target(name, digests)
        if target is None:
            findings.append(
                Finding(name, "receipt", False, f"its file {name.removesuffix(RECEIPT)} is not in the bundle")
            )
            continue
        if name not in small:
            findings.append(Finding(name, "receipt", False, f"larger than {MAX_SMALL_BYTES} bytes"))
            continue
        verdict = verify_receipt(
            small[name], material=digests[target], trusted_vkey=trusted_vkey, tsa_roots=tsa_roots
        )
        if verdict.valid:
            when = verdict.timestamp.isoformat() if verdict.timestamp else "—"
            detail = f"{target}: leaf {verdict.index} of {verdict.tree_size}, time {when}"
            findings.append(Finding(name, "receipt", True, detail))
        else:
            failed = next(c for c in verdict.checks if not c.ok)
            detail = f"{target}: {failed.label_zh} / {failed.label_en} {failed.detail}".rstrip()
            findings.append(Finding(name, "receipt", False, detail))
    # File by file: the manifest's own problems first, then each path with its checks in order.
    return sorted(findings, key=lambda f: (f.path != MANIFEST, f.path, _ORDER.get(f.check, 9)))
