from django import forms
from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from livehub.errors import Invalid

from .addresses import resolve
from .models import EVENT_TYPES, Delivery, Endpoint


class EndpointForm(forms.ModelForm):
    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(
        label=_("Events subscribed"), choices=list(EVENT_TYPES.items()), widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Endpoint
        fields = ("event", "url", "events", "active")

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        try:
            resolve(url)
        except Invalid as error:
            raise forms.ValidationError(error.message) from None
        return url


@admin.register(Endpoint)
class EndpointAdmin(admin.ModelAdmin):
    form = EndpointForm
    list_display = ("url", "event", "active", "created_at")
    list_filter = ("event", "active")
    readonly_fields = ("secret", "created_at")

    def get_fields(self, request, obj=None):
        return ("event", "url", "events", "active", *(("secret", "created_at") if obj else ()))


@admin.action(description=_("Send again now"))
def retry_now(modeladmin, request, queryset) -> None:
    queryset.exclude(state=Delivery.State.DELIVERED).update(
        state=Delivery.State.PENDING, next_attempt_at=timezone.now()
    )


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """The delivery log: what was sent where, how often, and how it was answered."""

    list_display = ("created_at", "type", "endpoint", "state", "attempts", "last_status", "next_attempt_at")
    list_filter = ("state", "type", "endpoint__event")
    search_fields = ("id", "endpoint__url")
    actions = [retry_now]
    readonly_fields = [field.name for field in Delivery._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False
