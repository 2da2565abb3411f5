import pytest


@pytest.fixture(autouse=True)
def own_log(settings, tmp_path):
    """Each test gets its own data directory: the evidence log on disk is not rolled back with the database."""
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


@pytest.fixture
def application():
    """application(member, **overrides) -> a 定密 application with two secret points."""
    from shangmi.apps.registry import actions

    def make(member, **overrides):
        fields = {
            "name": "高强度铝合金压铸工艺参数",
            "category": "technical",
            "subcategory": "process",
            "description": "压铸温度、保压时间与模具预热曲线",
            "level": "core",
            "period_kind": "long_term",
            "period_until": None,
            "department": "研发部",
            "responsible": None,
        }
        fields.update(overrides)
        points = fields.pop("points", [("模具预热曲线", "分三段升温"), ("保压时间", "随壁厚调整")])
        return actions.secret_apply(member=member, points=points, **fields)

    return make
