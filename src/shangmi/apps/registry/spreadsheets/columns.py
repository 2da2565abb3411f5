"""The workbook layout: one sheet per record kind, its columns, and the Chinese labels of the choices.

Choice cells hold the Chinese label (技术信息); the stored English code (technical) is accepted too.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache

from django.db import models
from django.utils import translation

from shangmi.apps.registry.models.choices import (
    CarrierKind,
    CarrierState,
    Category,
    DestroyMethod,
    Level,
    MarkingState,
    SecretState,
    Subcategory,
)

# Cell kinds: how a cell is read and written.
TEXT, CHOICE, DATE, PERIOD, PERSON, INT, DECIMAL, DATETIME, DIGEST = (
    "text",
    "choice",
    "date",
    "period",
    "person",
    "int",
    "decimal",
    "datetime",
    "digest",
)

LONG_TERM_LABEL, UNTIL_PUBLIC_LABEL = "长期", "至公开"


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    kind: str = TEXT
    width: int = 14
    choices: type[models.TextChoices] | None = None
    max_length: int | None = None
    required_header: bool = False  # a sheet without this header cannot be read at all
    example: object = None
    only: tuple[str, ...] = ()  # the codes an import accepts, when fewer than all the choices


@dataclass(frozen=True)
class Sheet:
    name: str
    columns: tuple[Column, ...]

    def column(self, field: str) -> Column:
        return next(c for c in self.columns if c.field == field)


SECRETS = Sheet(
    "商业秘密",
    (
        Column("编号", "code", width=20, max_length=64, example="ORG-2025-0001"),
        Column("名称", "name", width=28, required_header=True, example="高强度铝合金压铸工艺参数"),
        Column("类别", "category", CHOICE, 10, Category, required_header=True, example="技术信息"),
        Column("细类", "subcategory", CHOICE, 10, Subcategory, required_header=True, example="工艺流程"),
        Column("描述", "description", width=36, example="压铸温度、保压时间与模具预热曲线"),
        Column("密级", "level", CHOICE, 8, Level, required_header=True, example="核心"),
        Column("保密期限", "period", PERIOD, 12, required_header=True, example=LONG_TERM_LABEL),
        Column("归属部门", "department", width=14, required_header=True, example="研发部"),
        Column("责任人", "responsible", PERSON, 14, example=""),
        Column("估值（万元）", "value_estimate", DECIMAL, 12, example=120),
        Column("估值依据", "value_basis", width=24, example="近三年该工艺带来的成本节约"),
        Column(
            "状态",
            "state",
            CHOICE,
            10,
            SecretState,
            example="已定密",
            only=(SecretState.DESIGNATED, SecretState.DECLASSIFIED),
        ),
        Column("定密日期", "designated_on", DATE, 12, example=None),
    ),
)

POINTS = Sheet(
    "密点",
    (
        Column("秘密编号", "secret", width=20, required_header=True, example="ORG-2025-0001"),
        Column("序号", "number", INT, 6, example=1),
        Column("密点", "title", width=30, required_header=True, example="模具预热曲线"),
        Column("说明", "description", width=40, example="分三段升温"),
    ),
)

CARRIERS = Sheet(
    "载体",
    (
        Column("载体编号", "code", width=24, max_length=80, example="ORG-2025-0001-C01"),
        Column("秘密编号", "secret", width=20, required_header=True, example="ORG-2025-0001"),
        Column("类型", "kind", CHOICE, 12, CarrierKind, required_header=True, example="电子文档"),
        Column("名称", "name", width=28, required_header=True, example="压铸工艺参数表.xlsx"),
        Column("存放位置", "location", width=20, example="研发部文件服务器"),
        Column("保管人", "custodian", PERSON, 12, example=""),
        Column("标识状态", "marking", CHOICE, 10, MarkingState, example="未标识"),
        Column("份数", "copies", INT, 6, example=1),
        Column("SHA-256", "sha256", DIGEST, 66, example=""),
        Column("SM3", "sm3", DIGEST, 66, example=""),
        Column("大小（字节）", "size", INT, 14, example=None),
        Column("状态", "state", CHOICE, 8, CarrierState, example="在用"),
        Column("销毁方式", "destroy_method", CHOICE, 10, DestroyMethod, example=None),
        Column("监销人", "destroy_witness", width=12, max_length=64, example=None),
        Column("销毁日期", "destroyed_on", DATE, 12, example=None),
    ),
)

GRANTS = Sheet(
    "知悉范围",
    (
        Column("秘密编号", "secret", width=20, required_header=True, example="ORG-2025-0001"),
        Column("人员", "user", PERSON, 14, example=""),
        Column("岗位", "position", width=14, max_length=64, example="工艺工程师"),
        Column(
            "知悉事由", "reason", width=30, max_length=200, required_header=True, example="负责压铸工艺调试"
        ),
        Column("有效期至", "expires_on", DATE, 12, example=None),
        Column("确认时间", "acknowledged_at", DATETIME, 20, example=None),
    ),
)

SHEETS: tuple[Sheet, ...] = (SECRETS, POINTS, CARRIERS, GRANTS)
INSTRUCTIONS_SHEET = "说明"


def normalise_header(text: object) -> str:
    """Headers match whatever the width of brackets and the spacing: 估值(万元) is 估值（万元）."""
    return "".join(unicodedata.normalize("NFKC", str(text or "")).split()).casefold()


@cache
def chinese_labels(choices: type[models.TextChoices]) -> dict[str, str]:
    """code → Chinese label, whatever the active UI language (the file format is Chinese)."""
    with translation.override("zh-hans"):
        return {value: str(label) for value, label in choices.choices}


@cache
def codes_by_text(choices: type[models.TextChoices]) -> dict[str, str]:
    """Chinese label or English code (any case, any width) → code."""
    found = {}
    for code, label in chinese_labels(choices).items():
        found[normalise_header(label)] = code
        found[normalise_header(code)] = code
    return found


def label_of(choices: type[models.TextChoices], code: str) -> str:
    return chinese_labels(choices).get(code, code)


def choice_list(column: Column) -> list[str]:
    """The labels offered in the column's drop-down."""
    labels = chinese_labels(column.choices)
    return [labels[code] for code in column.only] if column.only else list(labels.values())
