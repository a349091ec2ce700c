from django.contrib import admin

from .models import ModerationAction


@admin.register(ModerationAction)
class ModerationActionAdmin(admin.ModelAdmin):
    list_display = ("created_at", "actor", "action", "question", "event")
    list_filter = ("event", "action")
    search_fields = ("actor",)
    readonly_fields = ("event", "question", "actor", "action", "detail", "created_at")
