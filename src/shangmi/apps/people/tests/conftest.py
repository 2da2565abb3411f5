import pytest


@pytest.fixture(autouse=True)
def own_log(settings, tmp_path):
    """Each test gets its own data directory: the evidence log and stored documents are not rolled back
    with the database."""
    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()
    settings.EVIDENCE_TSA_URL = ""
    return settings.DATA_DIR


@pytest.fixture
def members(enterprise):
    """The enterprise's memberships by role (actions take the membership: it carries the role)."""
    from shangmi.apps.accounts.models import Membership

    org, people = enterprise
    return {
        role: Membership.objects.select_related("organisation", "user").get(user=user, organisation=org)
        for role, user in people.items()
    }
