"""DXF normaliser: entity fingerprints invariant to translation, layer names, colours and entity order.

Each model-space entity yields two values:

* its *shape*: type and intrinsic geometry (a line's vector, a circle's radius, an arc's radius and angles,
  a polyline's edge vectors, a text's content and height), which no translation changes;
* its *placement*: the shape plus the position of its reference point relative to the drawing's lower-left
  corner (the minimum over all reference points), so that the same layout moved elsewhere still matches.

Coordinates are rounded to `DECIMALS` places. Layers, colours, line types and handles are ignored; values
form a set, so entity order is irrelevant. The unit of a value is the entity's ordinal (1-based) in the file.
Cost: ezdxf's parse (pure Python, about 1-3 MB/s) plus O(entities).
"""

from __future__ import annotations

import io
import math

from .errors import Skipped
from .extract import decode

DECIMALS = 4


def _r(value: float) -> str:
    v = round(float(value), DECIMALS)
    return repr(0.0 if v == 0 else v)


def _shape(entity) -> tuple[str, tuple[float, float]] | None:
    kind = entity.dxftype()
    d = entity.dxf
    if kind == "LINE":
        (x1, y1, _), (x2, y2, _) = d.start, d.end
        if (x2, y2) < (x1, y1):
            x1, y1, x2, y2 = x2, y2, x1, y1
        return f"LINE|{_r(x2 - x1)}|{_r(y2 - y1)}", (x1, y1)
    if kind == "CIRCLE":
        return f"CIRCLE|{_r(d.radius)}", (d.center[0], d.center[1])
    if kind == "ARC":
        return f"ARC|{_r(d.radius)}|{_r(d.start_angle)}|{_r(d.end_angle)}", (d.center[0], d.center[1])
    if kind == "LWPOLYLINE":
        pts = [(p[0], p[1]) for p in entity.get_points("xy")]
        if not pts:
            return None
        x0, y0 = pts[0]
        edges = "|".join(f"{_r(x - x0)},{_r(y - y0)}" for x, y in pts[1:])
        return f"LWPOLYLINE|{int(entity.closed)}|{edges}", (x0, y0)
    if kind in ("TEXT", "MTEXT"):
        text = entity.plain_text() if kind == "MTEXT" else d.text
        height = getattr(d, "char_height", None) if kind == "MTEXT" else d.height
        return f"{kind}|{text}|{_r(height or 0)}", (d.insert[0], d.insert[1])
    if kind == "POINT":
        return "POINT", (d.location[0], d.location[1])
    if kind == "INSERT":
        return (
            f"INSERT|{d.name}|{_r(d.xscale)}|{_r(d.yscale)}|{_r(d.rotation)}",
            (d.insert[0], d.insert[1]),
        )
    if kind == "ELLIPSE":
        major = d.major_axis
        return f"ELLIPSE|{_r(major[0])}|{_r(major[1])}|{_r(d.ratio)}", (d.center[0], d.center[1])
    return None


def entity_values(data: bytes) -> list[tuple[int, bytes]]:
    """(entity ordinal, value) pairs of a DXF drawing (ASCII or binary DXF)."""
    import ezdxf
    from ezdxf.lldxf.const import DXFError

    try:
        if data.startswith(b"AutoCAD Binary DXF"):
            import tempfile

            with tempfile.NamedTemporaryFile(suffix=".dxf") as tmp:
                tmp.write(data)
                tmp.flush()
                doc = ezdxf.readfile(tmp.name)
        else:
            doc = ezdxf.read(io.StringIO(decode(data)))
        shapes = []
        for ordinal, entity in enumerate(doc.modelspace(), start=1):
            try:
                shape = _shape(entity)
            except (AttributeError, TypeError, ValueError, DXFError):
                shape = None
            if shape is not None and all(math.isfinite(c) for c in shape[1]):
                shapes.append((ordinal, shape[0], shape[1]))
    except Skipped:
        raise
    except (DXFError, ValueError, TypeError, KeyError, IndexError, AttributeError, EOFError, OSError) as exc:
        raise Skipped("broken_dxf", f"broken DXF: {type(exc).__name__}: {exc}"[:300]) from None
    if not shapes:
        return []
    x0 = min(s[2][0] for s in shapes)
    y0 = min(s[2][1] for s in shapes)
    out: list[tuple[int, bytes]] = []
    for ordinal, shape, (x, y) in shapes:
        out.append((ordinal, ("S" + shape).encode("utf-8")))
        out.append((ordinal, f"P{shape}@{_r(x - x0)},{_r(y - y0)}".encode()))
    return out
