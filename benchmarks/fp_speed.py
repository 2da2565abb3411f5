"""Forensic-matching speed (issue 7 point 8): scan a mixed suspect corpus against a 10,000-file index.

    nice -n 10 .venv/bin/python benchmarks/fp_speed.py [--gb 1.0] [--items 10000] [--seed 7] [--workers 2]
                                                     [--dir DIR] [--keep] [--no-copydetect]

Generates, deterministically from the seed, a register of `--items` files and a suspect corpus of about
`--gb` GB (by bytes: code 35 % in Java/Python/C/C++/JS/Go/C#, text and Markdown 20 %, DOCX 15 %, XLSX 10 %,
CSV 20 %; 1 % of suspect files are edited copies of registered ones), builds the index (reporting the build
rate), scans the corpus with `scan.run` and reports MB/s, files/s, peak RSS of the scan (parent and workers)
and the matches found among the planted copies. Then times ours and copydetect (defaults) on the same
1,000 suspect code files against 1,000 registered code files.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from shangmi.engines.fingerprint import index as fp_index  # noqa: E402
from shangmi.engines.fingerprint import scan as fp_scan  # noqa: E402

WORDS = [
    "process",
    "blend",
    "heat",
    "cool",
    "filter",
    "membrane",
    "ratio",
    "customer",
    "order",
    "invoice",
    "supplier",
    "price",
    "margin",
    "batch",
    "quality",
    "sample",
    "report",
    "design",
    "drawing",
    "tolerance",
    "assembly",
    "module",
    "sensor",
    "firmware",
    "protocol",
    "record",
    "market",
    "channel",
    "contract",
    "delivery",
    "warehouse",
    "inventory",
    "forecast",
    "budget",
    "review",
    "approval",
]
HANZI = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严"
LANGS = {
    "java": (
        "java",
        "public class {C} {{\n{body}}}\n",
        '    static int {f}(int {a}, int {b}) {{\n        int {v} = {a} * {n} + {b};\n        for (int i = 0; i < {a}; i++) {{ {v} += i % {m}; }}\n        if ({v} > {n}) {{ System.out.println("{s}"); }}\n        return {v};\n    }}\n',
    ),
    "py": (
        "py",
        "class {C}:\n{body}\n",
        '    def {f}(self, {a}, {b}):\n        {v} = {a} * {n} + {b}\n        for i in range({a}):\n            {v} += i % {m}\n        if {v} > {n}:\n            print("{s}")\n        return {v}\n\n',
    ),
    "c": (
        "c",
        "#include <stdio.h>\n{body}\n",
        'int {f}(int {a}, int {b}) {{\n    int {v} = {a} * {n} + {b};\n    for (int i = 0; i < {a}; i++) {{ {v} += i % {m}; }}\n    if ({v} > {n}) {{ printf("{s}\\n"); }}\n    return {v};\n}}\n',
    ),
    "cpp": (
        "cpp",
        "#include <vector>\nnamespace {C} {{\n{body}}}\n",
        "template <class T> T {f}(T {a}, T {b}) {{\n    std::vector<T> {v}{{{a}, {b}}};\n    for (auto& x : {v}) {{ x = x * {n} + {m}; }}\n    return {v}[0] > {n} ? {v}[1] : {a}; // {s}\n}}\n",
    ),
    "js": (
        "js",
        "export class {C} {{\n{body}}}\n",
        '  {f}({a}, {b}) {{\n    let {v} = {a} * {n} + {b};\n    for (let i = 0; i < {a}; i++) {{ {v} += i % {m}; }}\n    if ({v} > {n}) {{ console.log("{s}"); }}\n    return {v};\n  }}\n',
    ),
    "go": (
        "go",
        'package {c}\n\nimport "fmt"\n\n{body}\n',
        'func {f}({a} int, {b} int) int {{\n\t{v} := {a}*{n} + {b}\n\tfor i := 0; i < {a}; i++ {{\n\t\t{v} += i % {m}\n\t}}\n\tif {v} > {n} {{\n\t\tfmt.Println("{s}")\n\t}}\n\treturn {v}\n}}\n\n',
    ),
    "cs": (
        "cs",
        "public class {C} {{\n{body}}}\n",
        '    public static int {f}(int {a}, int {b}) {{\n        var {v} = {a} * {n} + {b};\n        foreach (var i in new int[] {{ {a}, {b} }}) {{ {v} += i % {m}; }}\n        if ({v} > {n}) {{ System.Console.WriteLine("{s}"); }}\n        return {v};\n    }}\n',
    ),
}


def ident(rng: random.Random) -> str:
    return rng.choice("abcdefghijklmnopqrstuvwxyz") + "".join(
        rng.choices("abcdefghijklmnopqrstuvwxyz0123456789", k=rng.randint(3, 9))
    )


def sentence(rng: random.Random, zh: bool) -> str:
    if zh:
        return "".join(rng.choices(HANZI, k=rng.randint(15, 40))) + "。"
    return " ".join(rng.choices(WORDS, k=rng.randint(8, 20))).capitalize() + "."


def code_file(rng: random.Random, size: int) -> tuple[str, str]:
    lang = rng.choice(sorted(LANGS))
    ext, outer, fn = LANGS[lang]
    parts = []
    total = 0
    while total < size:
        a, b, v = ident(rng), ident(rng), ident(rng)
        text = fn.format(
            f=ident(rng), a=a, b=b, v=v, n=rng.randint(2, 999), m=rng.randint(2, 99), s=sentence(rng, False)
        )
        parts.append(text)
        total += len(text)
    return ext, outer.format(C=ident(rng).capitalize(), c=ident(rng), body="".join(parts))


def text_file(rng: random.Random, size: int) -> str:
    out, total = [], 0
    zh = rng.random() < 0.5
    while total < size:
        s = sentence(rng, zh)
        out.append(s + ("\n" if rng.random() < 0.3 else " "))
        total += len(s.encode())
    return "".join(out)


def docx_bytes(paragraphs: list[str]) -> bytes:
    from xml.sax.saxutils import escape

    body = "".join(f'<w:p><w:r><w:t xml:space="preserve">{escape(p)}</w:t></w:r></w:p>' for p in paragraphs)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        zf.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>',
        )
        zf.writestr(
            "word/document.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>',
        )
    return buf.getvalue()


def xlsx_bytes(rows: list[list[str]]) -> bytes:
    from xml.sax.saxutils import escape

    sheet = "".join(
        f'<row r="{i}">'
        + "".join(f'<c t="inlineStr"><is><t>{escape(c)}</t></is></c>' for c in row)
        + "</row>"
        for i, row in enumerate(rows, start=1)
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
        )
        zf.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        zf.writestr(
            "xl/workbook.xml",
            '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        zf.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        )
        zf.writestr(
            "xl/worksheets/sheet1.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{sheet}</sheetData></worksheet>',
        )
    return buf.getvalue()


def customer_rows(rng: random.Random, n: int) -> list[list[str]]:
    rows = [["公司", "联系人", "手机", "邮箱", "地址", "备注"]]
    for _ in range(n):
        name = "".join(rng.choices(HANZI, k=4))
        rows.append(
            [
                f"{name}科技有限公司",
                "".join(rng.choices(HANZI, k=3)),
                f"1{rng.randint(3, 9)}{rng.randint(0, 999999999):09d}",
                f"{ident(rng)}@{ident(rng)}.cn",
                f"{''.join(rng.choices(HANZI, k=2))}市{''.join(rng.choices(HANZI, k=2))}路{rng.randint(1, 999)}号",
                sentence(rng, rng.random() < 0.5),
            ]
        )
    return rows


def make_file(rng: random.Random, kind: str) -> tuple[str, bytes]:
    if kind == "code":
        ext, text = code_file(rng, rng.randint(2000, 30000))
        return ext, text.encode()
    if kind == "text":
        return rng.choice(["txt", "md"]), text_file(rng, rng.randint(5000, 60000)).encode()
    if kind == "docx":
        return "docx", docx_bytes(text_file(rng, rng.randint(20000, 150000)).split("\n"))
    if kind == "xlsx":
        return "xlsx", xlsx_bytes(customer_rows(rng, rng.randint(100, 1500)))
    rows = customer_rows(rng, rng.randint(100, 800))
    return "csv", "\n".join(",".join(r) for r in rows).encode()


KINDS = [("code", 0.35), ("text", 0.20), ("docx", 0.15), ("xlsx", 0.10), ("csv", 0.20)]


def generate(root: Path, seed: int, items: int, gb: float) -> dict:
    rng = random.Random(seed)
    reg, sus = root / "register", root / "suspect"
    registered: list[Path] = []
    kinds = [k for k, _ in KINDS]
    weights = [w for _, w in KINDS]
    reg_bytes = 0
    for i in range(items):
        kind = rng.choices(kinds, weights)[0]
        ext, data = make_file(rng, kind)
        path = reg / f"d{i % 100:02d}" / f"r{i:05d}.{ext}"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        registered.append(path)
        reg_bytes += len(data)
    target = int(gb * 1e9)
    total = files = planted = 0
    while total < target:
        if rng.random() < 0.01:
            src = rng.choice(registered)
            data = src.read_bytes()
            if src.suffix in (".java", ".py", ".c", ".cpp", ".js", ".go", ".cs", ".txt", ".md", ".csv"):
                lines = data.split(b"\n")
                keep = max(1, int(len(lines) * 0.8))
                data = b"\n".join(lines[:keep]) + b"\n" + text_file(rng, 2000).encode()
            ext = src.suffix.lstrip(".")
            planted += 1
        else:
            kind = rng.choices(kinds, weights)[0]
            ext, data = make_file(rng, kind)
        path = sus / f"box{files // 1000:03d}" / f"s{files:06d}.{ext}"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        total += len(data)
        files += 1
    return {
        "register_files": items,
        "register_bytes": reg_bytes,
        "suspect_files": files,
        "suspect_bytes": total,
        "planted": planted,
    }


class RssSampler(threading.Thread):
    """Peak total RSS (this process and its children) sampled every 0.2 s from /proc."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak = 0
        self.stop = threading.Event()

    def total(self) -> int:
        pids = [os.getpid()]
        try:
            children = Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children").read_text().split()
            pids += [int(c) for c in children]
        except OSError:
            pass
        rss = 0
        for pid in pids:
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        rss += int(line.split()[1]) * 1024
            except OSError:
                pass
        return rss

    def run(self) -> None:
        while not self.stop.wait(0.2):
            self.peak = max(self.peak, self.total())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gb", type=float, default=1.0)
    ap.add_argument("--items", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--dir")
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--no-copydetect", action="store_true")
    args = ap.parse_args()
    root = Path(args.dir) if args.dir else Path(tempfile.mkdtemp(prefix="fp-speed-"))
    load0 = os.getloadavg()
    t0 = time.monotonic()
    if not (root / "corpus.done").exists():
        shutil.rmtree(root / "register", ignore_errors=True)
        shutil.rmtree(root / "suspect", ignore_errors=True)
        info = generate(root, args.seed, args.items, args.gb)
        (root / "corpus.done").write_text(repr(info))
    info = eval((root / "corpus.done").read_text())  # noqa: S307 - our own repr of a dict of ints
    gen_s = time.monotonic() - t0
    idx = root / "register.idx"
    idx.unlink(missing_ok=True)
    t1 = time.monotonic()
    stats = fp_index.build(idx, [root / "register"], workers=args.workers)
    build_s = time.monotonic() - t1
    sampler = RssSampler()
    sampler.start()
    t2 = time.monotonic()
    result = fp_scan.run(idx, [root / "suspect"], workers=args.workers)
    scan_s = time.monotonic() - t2
    sampler.stop.set()
    sampler.join()
    load1 = os.getloadavg()
    st = result.stats()
    found = sum(1 for f in result.files if any(p["score"] >= result.threshold for p in f.pairs))
    lines = [
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"load average before {load0[0]:.2f}/{load0[1]:.2f}/{load0[2]:.2f}, after {load1[0]:.2f}/{load1[1]:.2f}/{load1[2]:.2f}",
        f"Corpus (seed {args.seed}): register {info['register_files']} files / {info['register_bytes'] / 1e6:.1f} MB; "
        f"suspect {info['suspect_files']} files / {info['suspect_bytes'] / 1e6:.1f} MB, {info['planted']} planted edited copies "
        f"(generated in {gen_s:.0f} s)",
        "",
        "| step | files | MB | seconds | files/s | MB/s | peak RSS |",
        "|---|---|---|---|---|---|---|",
        f"| index build ({args.workers} workers) | {stats.indexed} | {stats.bytes / 1e6:.1f} | {build_s:.1f} | "
        f"{stats.indexed / build_s:.0f} | {stats.bytes / 1e6 / build_s:.2f} | – |",
        f"| scan ({args.workers} workers) | {st['files']} | {st['bytes'] / 1e6:.1f} | {scan_s:.1f} | {st['files'] / scan_s:.0f} | "
        f"**{st['bytes'] / 1e6 / scan_s:.2f}** | {sampler.peak / 2**20:.0f} MiB |",
        "",
        f"Index: {result.index['items']} items, {result.index['fingerprints']} live fingerprints, "
        f"{result.index['suppressed']} suppressed, {idx.stat().st_size / 1e6:.0f} MB on disk. "
        f"Suspect files matched at the threshold: {found} (planted: {info['planted']}); skipped {st['skipped']}.",
        f"Self max RSS (ru_maxrss): parent {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB, "
        f"largest child {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024:.0f} MiB.",
    ]
    print("\n".join(lines), flush=True)
    if not args.no_copydetect:
        print(compare_copydetect(root, args.workers), flush=True)
    if not args.keep and not args.dir:
        shutil.rmtree(root, ignore_errors=True)


CODE_EXT = (".java", ".py", ".c", ".cpp", ".js", ".go", ".cs")


def compare_copydetect(root: Path, workers: int) -> str:
    sub = root / "subset"
    shutil.rmtree(sub, ignore_errors=True)
    sus = sorted(p for p in (root / "suspect").rglob("*") if p.suffix in CODE_EXT)[:1000]
    reg = sorted(p for p in (root / "register").rglob("*") if p.suffix in CODE_EXT)[:1000]
    for group, files in (("suspect", sus), ("register", reg)):
        (sub / group).mkdir(parents=True)
        for p in files:
            shutil.copy2(p, sub / group / p.name)
    mb = sum(p.stat().st_size for p in sus) / 1e6
    t0 = time.monotonic()
    fp_index.build(sub / "r.idx", [sub / "register"], workers=workers)
    res = fp_scan.run(sub / "r.idx", [sub / "suspect"], workers=workers)
    ours = time.monotonic() - t0
    script = (
        "import sys, warnings; warnings.filterwarnings('ignore');"
        "from copydetect import CopyDetector;"
        f"d = CopyDetector(test_dirs=[{str(sub / 'suspect')!r}], ref_dirs=[{str(sub / 'register')!r}],"
        " extensions=['java','py','c','cpp','js','go','cs'], silent=True, autoopen=False, display_t=0.33);"
        "d.run(); print(len(d.get_copied_code_list()))"
    )
    t1 = time.monotonic()
    try:
        out = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, timeout=480, check=False
        )
        cd_s = time.monotonic() - t1
        cd = f"{cd_s:.1f} s ({out.stdout.strip() or out.stderr.strip()[-200:]} pairs ≥ 0.33)"
    except subprocess.TimeoutExpired:
        cd = "> 480 s (stopped)"
    return (
        f"\n1,000 suspect code files ({mb:.1f} MB) against 1,000 registered code files: "
        f"shangmi fp index + scan {ours:.1f} s ({res.stats()['pairs']} pairs); copydetect 0.5 defaults {cd}."
    )


if __name__ == "__main__":
    main()
