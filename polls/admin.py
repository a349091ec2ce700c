from django.contrib import admin

from .models import Option, Poll, Response


class OptionInline(admin.TabularInline):
    model = Option
    extra = 0


@admin.register(Poll)
class PollAdmin(admin.ModelAdmin):
    list_display = ("prompt", "kind", "session", "state", "phase", "results_visible", "on_screen")
    list_filter = ("event", "kind", "state", "session")
    search_fields = ("prompt",)
    inlines = (OptionInline,)
    # Opening, closing and showing go through the console so that everyone hears of them.
    readonly_fields = ("state", "results_visible", "on_screen", "opened_at", "closed_at")


@admin.register(Response)
class ResponseAdmin(admin.ModelAdmin):
    list_display = ("poll", "mode", "options", "value", "words", "review", "updated_at")
    list_filter = ("poll__event", "mode", "review")
    readonly_fields = ("poll", "participant", "mode", "options", "value", "words", "text", "created_at", "updated_at")
