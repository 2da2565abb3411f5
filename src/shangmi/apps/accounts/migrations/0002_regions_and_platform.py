from django.db import migrations


def forwards(apps, schema_editor):
    from shangmi.apps.accounts.regions import load_regions

    load_regions(apps.get_model("accounts", "Region"))
    Organisation = apps.get_model("accounts", "Organisation")
    Organisation.objects.get_or_create(
        short_code="PLATFORM", defaults={"kind": "platform", "name": "shangmi 平台"}
    )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
