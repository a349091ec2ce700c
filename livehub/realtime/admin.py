from django.contrib import admin

from .models import CommandReceipt


@admin.register(CommandReceipt)
class CommandReceiptAdmin(admin.ModelAdmin):
    list_display = ("created_at", "actor", "type", "ref")
    list_filter = ("type",)
    search_fields = ("actor", "ref")
    readonly_fields = ("actor", "ref", "type", "reply", "created_at")
