"""Loading GB/T 2260 region data shipped as CSV under data/ (Zhejiang: province, 11 cities, 90 counties)."""

from __future__ import annotations

import csv
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"


def read_regions(filename: str = "zhejiang_regions.csv") -> list[dict[str, str]]:
    with open(DATA / filename, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def level_of(code: str) -> str:
    if code.endswith("0000"):
        return "province"
    if code.endswith("00"):
        return "city"
    return "county"


def load_regions(region_model, filename: str = "zhejiang_regions.csv") -> int:
    """Insert or update every region of the file, parents first. Returns how many rows were written."""
    rows = read_regions(filename)
    for row in sorted(rows, key=lambda r: (r["parent"] != "", r["code"])):
        region_model.objects.update_or_create(
            code=row["code"],
            defaults={
                "name": row["name"],
                "level": level_of(row["code"]),
                "parent_id": row["parent"] or None,
            },
        )
    return len(rows)
