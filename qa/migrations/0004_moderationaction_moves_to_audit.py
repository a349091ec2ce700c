"""The audit log leaves the Q&A app for its own (audit); its table and rows stay as they are."""

from django.db import migrations


def move_content_type(apps, schema_editor):
    # Permissions granted on the log (and admin history) follow it to its new app.
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="audit", model="moderationaction").exists():
        ContentType.objects.filter(app_label="qa", model="moderationaction").update(app_label="audit")


def move_content_type_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="qa", model="moderationaction").exists():
        ContentType.objects.filter(app_label="audit", model="moderationaction").update(app_label="qa")


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("qa", "0003_question_rejection_reason"),
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="ModerationAction")],
            database_operations=[],
        ),
        migrations.RunPython(move_content_type, move_content_type_back),
    ]
