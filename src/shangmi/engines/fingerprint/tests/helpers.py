"""Real small files for the fingerprint tests (no mocks): PDF with a text layer, DOCX, XLSX, DXF, ZIP."""

from __future__ import annotations

import zipfile
from pathlib import Path

JAVA_ORIGINAL = """import java.util.Scanner;

public class Bmi {
    public static void main(String[] args) {
        Scanner input = new Scanner(System.in);
        System.out.print("Enter weight in pounds: ");
        double weight = input.nextDouble();
        System.out.print("Enter height in inches: ");
        double height = input.nextDouble();
        double bmi = weight * 0.45359237 / ((height * 0.0254) * (height * 0.0254));
        System.out.println("BMI is " + bmi);
        if (bmi < 18.5)
            System.out.println("Underweight");
        else if (bmi < 25)
            System.out.println("Normal");
        else
            System.out.println("Overweight");
    }
}
"""

# The same program with identifiers renamed, comments added, layout and braces changed.
JAVA_RENAMED = """import java.util.Scanner;

// my own work, honestly
public class Calc
{
  public static void main(String[] argv)
  {
    Scanner sc = new Scanner(System.in);   /* read input */
    System.out.print("Enter weight in pounds: ");
    double w = sc.nextDouble();
    System.out.print("Enter height in inches: ");
    double h = sc.nextDouble();
    double v = w * 0.45359237 / ((h * 0.0254) * (h * 0.0254));
    System.out.println("BMI is " + v);
    if (v < 18.5) System.out.println("Underweight");
    else if (v < 25) System.out.println("Normal");
    else System.out.println("Overweight");
  }
}
"""

JAVA_UNRELATED = """public class Tree {
    private Tree left, right;
    private int key;
    int height(Tree t) { return t == null ? 0 : 1 + Math.max(height(t.left), height(t.right)); }
    void insert(int k) {
        if (k < key) { if (left == null) left = new Tree(); left.insert(k); }
        else { if (right == null) right = new Tree(); right.insert(k); }
    }
}
"""

ZH_TEXT = (
    "本公司的核心配方由三种原料按比例混合而成，其中甲原料占百分之四十五，乙原料占百分之三十，"
    "其余为丙原料。混合后在八十五摄氏度下保温两小时，然后缓慢冷却至室温，过滤得到成品。"
)
ZH_TEXT_TRAD_FULLWIDTH = (
    "本公司的核心配方由三種原料按比例混合而成，其中甲原料佔百分之四十五，乙原料佔百分之三十，"
    "其餘為丙原料。混合後在八十五攝氏度下保溫兩小時，然後緩慢冷卻至室溫，過濾得到成品。"
)
EN_TEXT = (
    "The secret process heats the blend to eighty five degrees for two hours, then cools it slowly "
    "to room temperature and filters the product through a ceramic membrane of fine pore size."
)


def write_pdf(path: Path, lines: list[str]) -> Path:
    """A minimal valid one-page PDF whose text layer holds `lines` (ASCII)."""
    ops = ["BT", "/F1 11 Tf", "14 TL", "72 760 Td"]
    for line in lines:
        esc = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        ops.append(f"({esc}) Tj T*")
    ops.append("ET")
    stream = "\n".join(ops).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >>"
        b" /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path.write_bytes(bytes(out))
    return path


def write_docx(path: Path, paragraphs: list[str]) -> Path:
    import docx

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    document.save(str(path))
    return path


def write_xlsx(path: Path, rows: list[list]) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    wb.save(str(path))
    return path


def write_dxf(path: Path, dx: float = 0.0, dy: float = 0.0, layer: str = "0", reverse: bool = False) -> Path:
    import ezdxf

    doc = ezdxf.new()
    msp = doc.modelspace()
    shapes = [
        ("line", (0, 0), (100, 0)),
        ("line", (100, 0), (100, 50)),
        ("circle", (50, 25), 10),
        ("text", (10, 40), "GEAR-42 secret bore"),
        ("arc", (80, 10), 5),
    ]
    if reverse:
        shapes.reverse()
    for shape in shapes:
        attribs = {"layer": layer}
        if shape[0] == "line":
            msp.add_line(
                (shape[1][0] + dx, shape[1][1] + dy), (shape[2][0] + dx, shape[2][1] + dy), dxfattribs=attribs
            )
        elif shape[0] == "circle":
            msp.add_circle((shape[1][0] + dx, shape[1][1] + dy), shape[2], dxfattribs=attribs)
        elif shape[0] == "text":
            msp.add_text(shape[2], height=2.5, dxfattribs=attribs).set_placement(
                (shape[1][0] + dx, shape[1][1] + dy)
            )
        else:
            msp.add_arc((shape[1][0] + dx, shape[1][1] + dy), shape[2], 0, 90, dxfattribs=attribs)
    doc.saveas(str(path))
    return path


def write_zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path
