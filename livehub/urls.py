from django.contrib import admin
from django.urls import path

from livehub.api import api
from livehub.views import healthz

admin.site.site_header = "LiveHub administration"
admin.site.site_title = "LiveHub"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("healthz", healthz, name="healthz"),
]
