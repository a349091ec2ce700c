from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from livehub.api import api
from livehub.views import healthz, metrics
from staff.forms import SignInForm

admin.site.site_header = "LiveHub administration"
admin.site.site_title = "LiveHub"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("healthz", healthz, name="healthz"),
    # Answered by livehub.middleware.MetricsScrape, before the host check; named here for reverse().
    path("metrics", metrics, name="metrics"),
    path("accounts/login/", auth_views.LoginView.as_view(authentication_form=SignInForm), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # The language switch of the server-rendered pages (a cookie; the Svelte pages set it themselves).
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("organiser.urls")),
    path("", include("web.urls")),
]
