from django.contrib import admin

from .models import BlockedWord, Question


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ("text", "session", "state", "vote_count", "highlighted", "created_at")
    list_filter = ("event", "state", "highlighted", "session")
    search_fields = ("text", "author_name")
    list_select_related = ("session",)
    # Changes go through the moderation console so that everyone hears of them.
    readonly_fields = (
        "event",
        "session",
        "author",
        "author_name",
        "text",
        "original_text",
        "state",
        "highlighted",
        "flagged_words",
        "merged_into",
        "vote_count",
        "created_at",
        "answered_at",
    )


@admin.register(BlockedWord)
class BlockedWordAdmin(admin.ModelAdmin):
    list_display = ("word", "event")
    list_filter = ("event",)
    search_fields = ("word",)
