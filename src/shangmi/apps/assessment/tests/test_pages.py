"""The self-check pages as users click through them: list, start, answer (HTMX), submit, report, Word,
invite and review by a law firm, readiness, and the regulator's view of shared scores only."""

from __future__ import annotations

import io

import pytest
from docx import Document

from shangmi.apps.assessment import actions
from shangmi.apps.assessment.models import Answer, Assessment
from shangmi.apps.assessment.tests.support import answer_all, finished, member_of

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return response.content.decode()


def test_list_is_empty_then_start_opens_the_form(enterprise, login, mini):
    org, people = enterprise
    c = login(people["officer"])
    page = _text(c.get("/assessment/"))
    assert "还没有自我体检" in page and 'id="start-form"' in page
    response = c.post("/assessment/start/", {"framework": "mini", "title": "2026 年体检"})
    a = Assessment.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/assessment/{a.pk}/"
    page = _text(c.get(response["Location"]))
    assert "2026 年体检" in page and "已答 0 / 3 题" in page
    # The platform's figure and proposal are shown beside b-one, with the page that proves it.
    assert "建议答案" in page and 'data-proposal="yes"' in page
    page = _text(c.get("/assessment/"))
    assert 'id="draft-exists"' in page


def test_employee_and_manager(enterprise, login, officer, mini):
    org, people = enterprise
    a = actions.assessment_start(member=officer, framework_key="mini")
    assert login(people["employee"]).get("/assessment/").status_code == 403
    assert login(people["employee"]).get(f"/assessment/{a.pk}/").status_code == 404
    manager = login(people["manager"])
    assert manager.get(f"/assessment/{a.pk}/").status_code == 200
    assert 'class="answer-form"' not in _text(manager.get(f"/assessment/{a.pk}/"))
    assert manager.post("/assessment/start/", {"framework": "mini"}).status_code == 403
    response = manager.post(f"/assessment/{a.pk}/answer/", {"question": "a-one", "choice": "yes"})
    assert response.status_code == 403 and not Answer.objects.exists()


def test_answer_through_htmx_returns_the_question(enterprise, login, officer, mini):
    org, people = enterprise
    a = actions.assessment_start(member=officer, framework_key="mini")
    c = login(people["officer"])
    url = f"/assessment/{a.pk}/answer/"
    response = c.post(url, {"question": "b-one", "choice": "no"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "改写时请说明理由" in _text(response) and not Answer.objects.exists()
    assert 'value="no" id="c-b-one-no" checked' in _text(response)  # the refused choice stays selected
    response = c.post(
        url, {"question": "b-one", "choice": "no", "override_reason": "兼职保密员"}, HTTP_HX_REQUEST="true"
    )
    assert 'id="q-b-one"' in _text(response) and "已保存" in _text(response)
    assert Answer.objects.get().source == "overridden"
    response = c.post(url, {"question": "a-one", "choice": "partial"})  # without JavaScript
    assert response.status_code == 302 and response["Location"].endswith("#q-a-one")


def test_submit_report_and_word(enterprise, login, officer, mini):
    org, people = enterprise
    previous = finished(officer, choice="no", framework="mini")
    a = actions.assessment_start(member=officer, framework_key="mini")
    c = login(people["officer"])
    response = c.post(f"/assessment/{a.pk}/submit/", {"shared_with_regulator": "on"}, follow=True)
    assert "还有 3 题未作答" in _text(response)
    answer_all(officer, a, "partial")
    c.post(f"/assessment/{a.pk}/submit/", {"shared_with_regulator": "on"})
    a.refresh_from_db()
    assert a.state == "submitted" and a.shared_with_regulator and a.score == 57.1
    page = _text(c.get(f"/assessment/{a.pk}/report/"))
    assert 'id="overall">57.1<' in page
    assert "较上次 57.1" in page  # the previous self-check scored 0
    assert 'data-chart="radar-chart"' in page and 'id="radar-chart"' in page and 'id="trend-chart"' in page
    assert page.index('data-question="a-one"') < page.index('data-question="b-one"')  # 4 × 0.5 before 2 × 0.5
    assert 'data-question="a-two"' not in page  # answered with its best choice: no gap
    response = c.get(f"/assessment/{a.pk}/report.docx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    text = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
    tables = "\n".join(
        cell.text
        for t in Document(io.BytesIO(response.content)).tables
        for row in t.rows
        for cell in row.cells
    )
    assert "商业秘密保护自我体检报告" in text and "建议一" in text and "+57.1" in text
    assert "甲领域" in tables and str(previous.submitted_at.year) in tables


def test_invite_and_review_by_a_law_firm(enterprise, make_org, make_member, login, officer, mini):
    org, people = enterprise
    firm = make_org("provider", name="某律师事务所")
    lawyer = make_member(firm, "lawyer")
    a = finished(officer, framework="mini")
    c = login(people["officer"])
    outsider = login(lawyer)
    assert outsider.get(f"/assessment/{a.pk}/").status_code == 404  # not invited yet
    c.post(f"/assessment/{a.pk}/invite/", {"reviewer": firm.pk})
    page = _text(outsider.get("/assessment/reviews/"))
    assert a.title in page and org.name in page
    page = _text(outsider.get(f"/assessment/{a.pk}/"))
    assert 'id="review-card"' in page and 'class="answer-form"' not in page
    outsider.post(f"/assessment/{a.pk}/review/", {"opinion": "措施基本到位。"})
    a.refresh_from_db()
    assert a.state == "reviewed" and a.review_opinion == "措施基本到位。"
    assert "措施基本到位" in _text(c.get(f"/assessment/{a.pk}/"))


def test_regulator_sees_shared_distributions_only(make_org, make_member, enterprise, login, mini):
    org, people = enterprise
    bureau = make_org("regulator", name="绍兴市市场监督管理局", region="330600")
    staff = make_member(bureau, "staff")
    sharing = make_org("enterprise", name="共享企业", region="330602", industry="纺织")
    private = make_org("enterprise", name="不共享企业", region="330602", industry="纺织")
    finished(member_of(make_member(sharing, "officer"), sharing), framework="mini", shared=True)
    finished(member_of(make_member(private, "officer"), private), framework="mini", choice="no", shared=False)
    page = _text(login(staff).get("/assessment/jurisdiction/"))
    assert 'id="sharing">1<' in page and 'id="enterprises">2<' in page
    assert "纺织" in page and "共享企业" not in page and "不共享企业" not in page
    assert "100.0" in page and ">0.0<" not in page
    assert login(staff).get("/assessment/").status_code == 403
    assert login(people["officer"]).get("/assessment/jurisdiction/").status_code == 403


def test_readiness_page(enterprise, login, officer):
    org, people = enterprise
    c = login(people["officer"])
    page = _text(c.get("/assessment/readiness/"))
    assert "尚无已提交的自我体检" in page and 'data-met="unknown"' in page
    finished(officer, choice="yes")
    page = _text(c.get("/assessment/readiness/"))
    assert 'data-criterion="' in page and "所依据的自我体检" in page


def test_english_readers_see_the_domains_english_names(enterprise, login, officer, mini):
    org, people = enterprise
    a = finished(officer, framework="mini")
    c = login(people["officer"])
    c.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = _text(c.get(f"/assessment/{a.pk}/report/"))
    assert "Domain A" in page and "甲领域" not in page
    assert "Domain B" in _text(c.get(f"/assessment/{a.pk}/"))


def test_answers_as_excel(enterprise, login, officer, mini):
    from openpyxl import load_workbook

    org, people = enterprise
    a = finished(officer, framework="mini", choice="partial")
    response = login(people["manager"]).get(f"/assessment/{a.pk}/answers.xlsx")
    assert response["Content-Type"].endswith("spreadsheetml.sheet")
    workbook = load_workbook(io.BytesIO(response.content))
    rows = list(workbook["答题明细"].iter_rows(values_only=True))
    assert rows[0][:3] == ("题号", "领域", "题目")
    assert [(r[0], r[5], r[6]) for r in rows[1:]] == [
        ("a-one", "部分", 50),
        ("a-two", "是", 100),
        ("b-one", "部分", 50),
    ]
    scores = list(workbook["领域得分"].iter_rows(values_only=True))
    assert scores[1][:2] == ("甲领域", 60) and scores[-1][:2] == ("总分", 57.1)
    assert login(people["employee"]).get(f"/assessment/{a.pk}/answers.xlsx").status_code == 404
