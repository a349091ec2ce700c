from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


def seed_blocklists(apps, schema_editor):
    from qa.blocklist import default_words

    Event = apps.get_model("livesessions", "Event")
    BlockedWord = apps.get_model("qa", "BlockedWord")
    for event in Event.objects.all():
        BlockedWord.objects.bulk_create(
            [BlockedWord(event=event, word=word) for word in default_words()], ignore_conflicts=True
        )


class Migration(migrations.Migration):
    dependencies = [("qa", "0001_initial"), ("livesessions", "0001_initial")]

    operations = [
        TrigramExtension(),  # duplicate hints; a no-op on SQLite
        migrations.RunPython(seed_blocklists, migrations.RunPython.noop),
    ]
