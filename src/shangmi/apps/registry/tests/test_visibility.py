"""Who sees which secrets: employees only what they are entrusted with (or applied for), officers and
managers their whole register, other organisations and regulators nothing."""

from __future__ import annotations

import pytest

from shangmi.apps.accounts.models import Membership
from shangmi.apps.accounts.queries import NotFound
from shangmi.apps.registry import actions
from shangmi.apps.registry.models import AccessGrant
from shangmi.apps.registry.queries import access_secret, secrets_visible_to

pytestmark = pytest.mark.django_db


def test_employee_sees_only_acknowledged_grants_or_own(members, application, make_member, enterprise):
    org, _people = enterprise
    officer, employee = members["officer"], members["employee"]
    granted, hidden, by_position = application(officer), application(officer), application(officer)
    own = application(employee)
    engineer, colleague = (
        Membership.objects.get(user=make_member(org, "employee", title="工艺工程师"), organisation=org)
        for _ in range(2)
    )
    personal = actions.grant_add(member=officer, secret=granted, user=employee.user, reason="调试")
    position = actions.grant_add(member=officer, secret=by_position, position="工艺工程师", reason="岗位职责")

    # The acknowledgement gate: a grant opens nothing until its person acknowledged it, logged in.
    assert set(secrets_visible_to(employee)) == {own}
    assert not secrets_visible_to(engineer).exists()
    with pytest.raises(NotFound):
        access_secret(employee, granted.pk)

    actions.grant_acknowledge(member=employee, grant=personal)
    actions.grant_acknowledge(member=engineer, grant=position)
    assert set(secrets_visible_to(employee)) == {granted, own}
    assert set(secrets_visible_to(engineer)) == {by_position}
    # A position grant is acknowledged by each holder: the colleague has not yet.
    assert not secrets_visible_to(colleague).exists()
    assert set(secrets_visible_to(members["manager"])) == {granted, hidden, by_position, own}
    with pytest.raises(NotFound):
        access_secret(employee, hidden.pk)

    # An expired grant no longer opens the secret.
    AccessGrant.objects.filter(secret=granted).update(expires_on="2000-01-01")
    assert set(secrets_visible_to(employee)) == {own}


def test_other_organisation_and_regulator_see_nothing(
    members, application, other_enterprise, make_org, make_member
):
    secret = application(members["officer"])
    other_org, other_people = other_enterprise
    other_officer = Membership.objects.get(user=other_people["officer"], organisation=other_org)
    regulator = make_org("regulator")
    staff = Membership.objects.get(user=make_member(regulator, "staff"), organisation=regulator)
    for outsider in (other_officer, staff):
        assert not secrets_visible_to(outsider).exists()
        with pytest.raises(NotFound):
            access_secret(outsider, secret.pk)
