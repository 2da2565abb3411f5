"""Monitoring in the demo: a generated organisation's logs (CERT r6 layout, engines.risk.generator) in a
folder the demo enterprise watches, ingested and scored, so 风险监测 opens with alerts — among them a
last-day upload to a personal cloud drive and a salesman's bulk customer-record download. Made through
the real actions and the worker's own steps. Loaded once (skipped if the enterprise has a log source)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from shangmi.apps.accounts.models import Membership, Organisation
from shangmi.apps.monitoring import actions, pipeline
from shangmi.apps.monitoring.models import LogSource
from shangmi.engines.risk.generator import generate

USERS, DAYS, SEED = 40, 60, 2026


def load_monitoring(org: Organisation) -> None:
    if LogSource.objects.filter(organisation=org).exists():
        return
    officer = Membership.objects.select_related("user", "organisation").get(
        organisation=org, user__email="officer@lanxi.example"
    )
    folder = settings.DATA_DIR / "demo-logs" / "cert-r6"
    start = timezone.localdate() - timedelta(days=DAYS + 10)
    generate(
        folder,
        users=USERS,
        days=DAYS,
        start=start,
        seed=SEED,
        scenarios=["last_day_upload", "customer_list"],
        lookalikes=["own_cloud", "normal_crm"],
        overwrite=True,
    )
    register = (folder / "register.csv").read_text(encoding="utf-8").splitlines()[1:]
    actions.settings_update(
        member=officer,
        own_domains="lanxi.example",
        competitor_domains=(folder / "competitors.txt").read_text(encoding="utf-8"),
        watchlist="",
        weights="",
        extra_register="\n".join(register),
    )
    actions.source_create(
        member=officer,
        name="演示：终端与网关日志（监视目录）",
        kind="folder",
        preset="cert-r6",
        folder=str(folder),
    )
    pipeline.watch_folders()
    pipeline.run_scoring(actions.scoring_request(member=officer, queue=False).pk)
