from django.contrib import admin

from .models import Option, Poll, Response


def _past_draft(poll: Poll | None) -> bool:
    return poll is not None and poll.state != Poll.State.DRAFT


class OptionInline(admin.TabularInline):
    model = Option
    extra = 0

    # As in the console: a poll's options are fixed once it opens (its answers point at them,
    # and each process caches an open poll's option ids).
    def has_add_permission(self, request, obj=None) -> bool:
        return not _past_draft(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return not _past_draft(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return not _past_draft(obj) and super().has_delete_permission(request, obj)


@admin.register(Poll)
class PollAdmin(admin.ModelAdmin):
    list_display = ("prompt", "kind", "session", "state", "phase", "results_visible", "on_screen")
    list_filter = ("event", "kind", "state", "session")
    search_fields = ("prompt",)
    inlines = (OptionInline,)
    # Opening, closing and showing go through the console so that everyone hears of them.
    readonly_fields = ("state", "results_visible", "on_screen", "opened_at", "closed_at")

    def get_readonly_fields(self, request, obj=None):
        if _past_draft(obj):
            # Its answers were given to this prompt and these options: read only, as in the console.
            return [field.name for field in Poll._meta.fields]
        return super().get_readonly_fields(request, obj)


@admin.register(Response)
class ResponseAdmin(admin.ModelAdmin):
    list_display = ("poll", "mode", "options", "value", "words", "review", "updated_at")
    list_filter = ("poll__event", "mode", "review")
    readonly_fields = ("poll", "participant", "mode", "options", "value", "words", "text", "created_at", "updated_at")
