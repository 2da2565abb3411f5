# Chinese character bigrams of each secret's search text, with a GIN index on PostgreSQL: two-character
# terms (配方, 图纸) cannot use the trigram index of 0002.

from django.db import migrations, models


def fill_and_index(apps, schema_editor):
    from shangmi.apps.registry.search import search_tokens

    TradeSecret = apps.get_model("registry", "TradeSecret")
    batch = []
    for secret in TradeSecret.objects.only("id", "search_text").iterator(chunk_size=2000):
        secret.search_tokens = search_tokens(secret.search_text)
        batch.append(secret)
        if len(batch) == 2000:
            TradeSecret.objects.bulk_update(batch, ["search_tokens"])
            batch = []
    TradeSecret.objects.bulk_update(batch, ["search_tokens"])
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS registry_secret_bigrams "
            "ON registry_tradesecret USING gin (to_tsvector('simple', search_tokens))"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS registry_secret_bigrams")


class Migration(migrations.Migration):
    dependencies = [("registry", "0002_search_index")]

    operations = [
        migrations.AddField(
            model_name="tradesecret",
            name="search_tokens",
            field=models.TextField(default="", editable=False),
        ),
        migrations.RunPython(fill_and_index, drop_index),
    ]
