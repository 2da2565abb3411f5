"""JSON Lines serialisation for backups that keeps every value exactly.

Django's stock JSON encoder cuts datetimes and times to milliseconds (ECMA-262 style). A backup must not:
audit events hash their timestamp to the microsecond, so a truncated restore would break every chain.
Loading uses the stock JSON Lines deserialiser, which parses the longer ISO 8601 strings unchanged.
"""

from __future__ import annotations

import datetime

from django.core.serializers import jsonl
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.timezone import is_aware

FORMAT_NAME = "shangmi-jsonl"


class ExactJSONEncoder(DjangoJSONEncoder):
    def default(self, o):
        if isinstance(o, datetime.datetime):
            text = o.isoformat()
            return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text
        if isinstance(o, datetime.time):
            if is_aware(o):
                raise ValueError("JSON can't represent timezone-aware times.")
            return o.isoformat()
        return super().default(o)


class Serializer(jsonl.Serializer):
    def _init_options(self):
        super()._init_options()
        self.json_kwargs["cls"] = ExactJSONEncoder


Deserializer = jsonl.Deserializer


def register() -> None:
    from django.core import serializers

    serializers.register_serializer(FORMAT_NAME, __name__)
