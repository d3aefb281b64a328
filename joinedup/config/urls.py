from django.urls import include, path

from joinedup.core.views import home

urlpatterns = [
    path("", home, name="home"),
    path("account/", include("joinedup.accounts.urls")),
    path("people/", include("joinedup.people.urls")),
    path("care/", include("joinedup.care.urls")),
    path("governance/", include("joinedup.core.urls")),
    path("health", include("joinedup.core.health_urls")),
]

handler403 = "joinedup.core.views.forbidden"
handler404 = "joinedup.core.views.not_found"
handler500 = "joinedup.core.views.server_error"
