import django.db.models.deletion
from django.db import migrations, models

from sessions.models import room_slug


def rooms_from_names(apps, schema_editor):
    """One room per distinct room name of an event, in programme order; each room's current
    session is its running one, else the event's current session when it is in that room."""
    Event = apps.get_model("livesessions", "Event")
    Room = apps.get_model("livesessions", "Room")
    Session = apps.get_model("livesessions", "Session")
    for event in Event.objects.all():
        sessions = Session.objects.filter(event=event).exclude(room_name="").order_by("order", "starts_at", "id")
        names = list(dict.fromkeys(sessions.values_list("room_name", flat=True)))
        slugs: set[str] = set()
        for order, name in enumerate(names, start=1):
            slug = room_slug(name, slugs)
            slugs.add(slug)
            room = Room.objects.create(event=event, name=name, slug=slug, order=order)
            Session.objects.filter(event=event, room_name=name).update(room=room)
            running = Session.objects.filter(room=room, status__in=["live", "paused"]).first()
            if running is not None:
                room.current_session = running
            elif Session.objects.filter(room=room, pk=event.current_session_id).exists():
                room.current_session_id = event.current_session_id
            room.save(update_fields=["current_session"])


def names_from_rooms(apps, schema_editor):
    Session = apps.get_model("livesessions", "Session")
    for session in Session.objects.filter(room__isnull=False).select_related("room"):
        Session.objects.filter(pk=session.pk).update(room_name=session.room.name)


class Migration(migrations.Migration):
    dependencies = [
        ("livesessions", "0006_backstage_notes_and_timer"),
    ]

    operations = [
        migrations.CreateModel(
            name="Room",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=100)),
                (
                    "slug",
                    models.SlugField(max_length=100, help_text="In the room's addresses: /e/CODE/rooms/SLUG/stage/."),
                ),
                ("order", models.PositiveIntegerField(default=0)),
                ("stream_url", models.URLField(blank=True, help_text="The room's livestream, if it has one.")),
                (
                    "current_session",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="livesessions.session",
                    ),
                ),
                (
                    "event",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="rooms", to="livesessions.event"
                    ),
                ),
            ],
            options={
                "ordering": ["order", "name", "id"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("event", "slug"),
                        name="room_unique_slug",
                        violation_error_message="Another room of this event has this slug.",
                    ),
                    models.UniqueConstraint(
                        fields=("event", "name"),
                        name="room_unique_name",
                        violation_error_message="Another room of this event has this name.",
                    ),
                ],
            },
        ),
        migrations.RemoveConstraint(model_name="session", name="session_one_running_per_room"),
        migrations.RenameField(model_name="session", old_name="room", new_name="room_name"),
        migrations.AddField(
            model_name="session",
            name="room",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="sessions",
                to="livesessions.room",
            ),
        ),
        migrations.RunPython(rooms_from_names, names_from_rooms),
        migrations.RemoveField(model_name="session", name="room_name"),
        migrations.AddConstraint(
            model_name="session",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status__in", ["live", "paused"])),
                fields=("event", "room"),
                name="session_one_running_per_room",
                nulls_distinct=False,
                violation_error_message="Another session of this room is live or paused.",
            ),
        ),
    ]
