"""Benign look-alikes: ordinary work that shares surface features with the injected scenarios.

Signatures:

own_cloud — a designer (or an engineer) on 3–6 working days spread over the period uploads 20–60 files
  each day: `File Open` of the file then `WWW Upload` to `https://pan.lanxi.example/upload?name=<basename>`
  (content = full local path); 70% are registered carriers the user is granted (design sources, drawings
  of granted projects), the rest their own documents. Destination is always the company's own cloud.
release_engineer — a 发布工程师 on every second Thursday (a release day) copies 100–300 build artefacts:
  `File Copy D:\\build\\out\\<ver>\\<component>\\<file>` then, one second later, `File Write
  \\\\fs01\\release\\<ver>\\<component>\\<file>` (to_removable_media False); then mails the release notes
  (`D:\\build\\out\\<ver>\\release_notes.pdf`) to 3–5 colleagues. No path matches a registered pattern.
normal_crm — a salesman on every working day he is at work visits 12–25 customer records
  (`WWW Visit https://crm.lanxi.example/customers/<id>`, 95% his own book) spread over the working day and
  downloads the card (`…/card.pdf`) of about 60% of them; nothing is mailed outside. His background CRM
  stream is replaced by this one.
"""

from __future__ import annotations

from datetime import timedelta

from . import generator_vocab as v
from .generator_org import BOOK_SIZE, FIRST_CUSTOMER
from .generator_plan import ScenarioParams
from .generator_scenarios import Recorder


def _basename(path: str) -> str:
    return path.rsplit("\\", 1)[-1]


def _own_cloud(rec: Recorder, p: ScenarioParams) -> None:
    inj, org, rng = rec.inj, rec.ctx.org, rec.inj.rng
    registered = [f for g in inj.user.grants for f in org.patterns[g].files]
    own = [f"C:\\Users\\{rec.uid}\\Documents\\{n}" for n in org.local_names]
    uploads = 0
    for d in inj.days:
        if not rec.at_work(d):
            continue
        count = rng.randint(*p.own_cloud_files)
        n_reg = min(len(registered), round(count * 0.7))
        names = rng.sample(registered, n_reg) + rng.sample(own, count - n_reg)
        rng.shuffle(names)
        t = rec.start_at(d, rng, 1800, 5 * 3600, count * 45)
        for name in names:
            rec.file(d, t, name, "File Open", content="整理 归档")
            url = f"https://{v.COMPANY_CLOUD}/upload?name={_basename(name)}"
            rec.http(d, t + rng.randint(3, 8), url, "WWW Upload", name)
            t += rng.randint(10, 40)
        uploads += count
    inj.details.update(uploads=uploads, cloud=v.COMPANY_CLOUD, days=len(inj.days))


def _release_engineer(rec: Recorder, p: ScenarioParams) -> None:
    inj, org, rng = rec.inj, rec.ctx.org, rec.inj.rng
    colleagues = [u.email for u in org.users if u.dept == inj.user.dept and u.index != inj.user.index]
    releases = []
    for i, d in enumerate(inj.days):
        if not rec.at_work(d):
            continue
        version = f"3.{4 + i // 4}.{i % 4}"
        count = rng.randint(*p.release_files)
        t = rec.start_at(d, rng, 4 * 3600, 6 * 3600, count * 6 + 900)
        for j in range(count):
            component = v.ARTEFACT_COMPONENTS[j % len(v.ARTEFACT_COMPONENTS)]
            name = f"{component}\\lx_{component}_{j:04d}{rng.choice(v.ARTEFACT_EXTS)}"
            rec.file(d, t, f"D:\\build\\out\\{version}\\{name}", "File Copy", content=f"发布 {version}")
            rec.file(
                d, t + 1, f"{v.RELEASE_SHARE}\\{version}\\{name}", "File Write", content=f"发布 {version}"
            )
            t += rng.randint(2, 6)
        to = ";".join(rng.sample(colleagues, min(len(colleagues), rng.randint(3, 5))))
        size = rng.randint(200_000, 900_000)
        notes = f"D:\\build\\out\\{version}\\release_notes.pdf({size})"
        rec.mail(
            d,
            t + rng.randint(120, 600),
            to,
            size=size + 3000,
            attachments=notes,
            content=f"版本 {version} 发布",
        )
        releases.append(
            {"day": (rec.ctx.start + timedelta(days=d)).isoformat(), "version": version, "files": count}
        )
    inj.details.update(releases=releases, share=v.RELEASE_SHARE)


def _normal_crm(rec: Recorder, p: ScenarioParams) -> None:
    inj, org, rng = rec.inj, rec.ctx.org, rec.inj.rng
    n_customers = sum(1 for u in org.users if u.book >= 0) * BOOK_SIZE
    worked = [d for d in inj.days if rec.at_work(d)]
    records = 0
    for d in worked:
        on, off = rec.session(d)
        for _ in range(rng.randint(*p.crm_daily)):
            if rng.random() < 0.95:
                cid = inj.user.book + rng.randrange(BOOK_SIZE)
            else:
                cid = FIRST_CUSTOMER + rng.randrange(n_customers)
            url = f"https://{v.CRM}/customers/{cid}"
            t = rng.randint(on + 600, off - 900)
            rec.http(d, t, url, "WWW Visit", "客户 详情")
            if rng.random() < 0.6:
                rec.http(d, t + rng.randint(5, 30), url + "/card.pdf", "WWW Download", "客户 名片")
            records += 1
    if worked:
        inj.start, inj.end = worked[0], worked[-1]
    inj.details.update(records=records, days=len(worked))


BUILDERS = {"own_cloud": _own_cloud, "release_engineer": _release_engineer, "normal_crm": _normal_crm}
