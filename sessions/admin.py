from django import forms
from django.contrib import admin, messages
from django.db import models
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html

from livehub.errors import Conflict
from staff.selectors import role_links_live

from .models import Event, EventRole, Participant, Room, Session, Speaker
from .services import (
    event_check_deletable,
    programme_publish,
    room_check_deletable,
    room_delete,
    room_save,
    session_check_deletable,
    session_delete,
)


# Sessions and rooms are deleted from their own admin pages, which refuse what the organiser
# pages refuse (a session with audience data, a room with sessions); the status changes from the
# console, so that everyone hears of it.
class SessionInline(admin.TabularInline):
    model = Session
    fields = ("order", "title", "kind", "room", "starts_at", "ends_at", "status")
    readonly_fields = ("status",)
    extra = 0
    show_change_link = True
    can_delete = False


class RoomInline(admin.TabularInline):
    model = Room
    fields = ("order", "name", "slug", "stream_url", "current_session")
    readonly_fields = ("current_session",)
    prepopulated_fields = {"slug": ("name",)}
    extra = 0
    show_change_link = True
    can_delete = False
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


class RefusedDeletions(admin.ModelAdmin):
    """Deletion through the same service and refusal as the organiser pages: a refused one is a
    message on the object's page, never a 500; no bulk deletion (it could not say which)."""

    def check_deletable(self, obj) -> None:
        raise NotImplementedError

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def delete_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, object_id)
        if obj is not None:
            try:
                self.check_deletable(obj)
            except Conflict as refused:
                self.message_user(request, refused.message, messages.ERROR)
                return redirect(reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk]))
        return super().delete_view(request, object_id, extra_context)


class EventRoleInline(admin.TabularInline):
    model = EventRole
    extra = 0
    autocomplete_fields = ("user",)


class LanguagesField(forms.CharField):
    """The event's languages typed in order, "fr, nl, en"; stored as a list (the model checks it)."""

    def prepare_value(self, value):
        return ", ".join(value) if isinstance(value, list) else value

    def to_python(self, value):
        text = super().to_python(value)
        return [code.strip().lower() for code in text.replace(";", ",").split(",") if code.strip()]


def https_by_default(field: models.Field, **kwargs):
    """A livestream typed without a scheme is https (as on the organiser pages)."""
    if isinstance(field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return field.formfield(**kwargs)


class EventAdminForm(forms.ModelForm):
    languages = LanguagesField(help_text="Codes in order, the first the default: e.g. fr, nl, en (of en, fr, nl).")

    class Meta:
        model = Event
        fields = "__all__"  # noqa: DJ007 - the admin's own exclude decides what is shown
        formfield_callback = https_by_default


@admin.register(Event)
class EventAdmin(RefusedDeletions):
    form = EventAdminForm
    list_display = ("code", "name", "venue", "city", "starts_on", "online", "auto_approve", "current_session")
    list_filter = ("online", "auto_approve", "require_names", "starts_on")
    search_fields = ("code", "name", "venue", "city", "organiser")
    readonly_fields = ("current_session", "live_role_links")
    exclude = ("link_secret",)
    inlines = (RoomInline, SessionInline, EventRoleInline)
    actions = ("rotate_link_secret",)
    # Accounts also need the "organise" permission (createorganiser gives both).
    filter_horizontal = ("organisers",)
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    @admin.display(description="Live role links")
    def live_role_links(self, event: Event) -> str:
        if event.pk is None:
            return "-"
        url = f"{reverse('admin:staff_rolelink_changelist')}?event__id__exact={event.pk}&state=live"
        count = role_links_live(event_id=event.pk).count()
        return format_html('<a href="{}">{} live (list, revoke one)</a>', url, count)

    def save_related(self, request, form, formsets, change):
        """The open pages hear of the event, and of its rooms and sessions saved with it."""
        super().save_related(request, form, formsets, change)
        rooms, renamed, sessions = [], [], []
        for formset in formsets:
            changed = [*formset.new_objects, *(obj for obj, _fields in formset.changed_objects)]
            renames = {obj.pk for obj, fields in formset.changed_objects if {"name", "slug"} & set(fields)}
            if formset.model is Room:
                rooms += changed
                renamed += [room for room in changed if room.pk in renames]
            elif formset.model is Session:
                sessions += changed
        programme_publish(event=form.instance, event_changed=True, rooms=rooms, renamed=renamed, sessions=sessions)

    def check_deletable(self, obj: Event) -> None:
        event_check_deletable(event=obj)

    @admin.action(description="Revoke all role links (rotate the link secret)")
    def rotate_link_secret(self, request, queryset):
        from .services import event_rotate_link_secret

        for event in queryset:
            event_rotate_link_secret(event=event)
        self.message_user(request, f"Role links revoked for {queryset.count()} event(s).")


@admin.register(Session)
class SessionAdmin(RefusedDeletions):
    list_display = ("title", "event", "kind", "room", "starts_at", "ends_at", "status", "order")
    list_filter = ("event", "kind", "status", "room")
    search_fields = ("title", "description", "speakers__name", "external_id")
    list_select_related = ("event", "room")
    filter_horizontal = ("speakers",)
    date_hierarchy = "starts_at"
    # Status changes go through the console so that everyone hears of them.
    readonly_fields = ("status", "status_changed_at", "started_at", "ended_at")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)  # its speakers too, which the pages show
        programme_publish(event=form.instance.event, sessions=[form.instance])

    def check_deletable(self, obj: Session) -> None:
        session_check_deletable(session=obj)

    def delete_model(self, request, obj: Session) -> None:
        session_delete(event=obj.event, session_id=obj.pk)


@admin.register(Room)
class RoomAdmin(RefusedDeletions):
    list_display = ("name", "event", "slug", "order", "current_session")
    list_filter = ("event",)
    search_fields = ("name", "slug", "event__code")
    list_select_related = ("event", "current_session")
    prepopulated_fields = {"slug": ("name",)}
    # The current session changes from the console, so that everyone hears of it.
    readonly_fields = ("current_session",)
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def save_model(self, request, obj: Room, form, change) -> None:
        room_save(room=obj)

    def check_deletable(self, obj: Room) -> None:
        room_check_deletable(room=obj)

    def delete_model(self, request, obj: Room) -> None:
        room_delete(event=obj.event, room_id=obj.pk)


@admin.register(Speaker)
class SpeakerAdmin(admin.ModelAdmin):
    list_display = ("name", "affiliation", "event", "user")
    list_filter = ("event",)
    search_fields = ("name", "affiliation")
    autocomplete_fields = ("user",)


@admin.register(EventRole)
class EventRoleAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "event")
    list_filter = ("role", "event")
    search_fields = ("user__username", "user__email", "event__code")
    autocomplete_fields = ("user",)


@admin.register(Participant)
class ParticipantAdmin(admin.ModelAdmin):
    list_display = ("__str__", "event", "mode", "created_at")
    list_filter = ("event", "mode")
    search_fields = ("name",)
    readonly_fields = ("id", "token_hash", "created_at")
