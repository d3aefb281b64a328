from django.urls import path

from . import views

app_name = "reporting"
urlpatterns = [
    path("", views.index, name="index"),
    path("monthly/", views.monthly, name="monthly"),
    path("monthly/file/", views.monthly_pdf, name="monthly_pdf"),
    path("smi-health-checks/", views.smi_health_checks, name="smi_health_checks"),
    path("smi-health-checks/export/", views.smi_health_checks_export, name="smi_health_checks_export"),
    path("emdt/", views.emdt, name="emdt"),
    path("emdt/export/", views.emdt_export, name="emdt_export"),
] + [
    url
    for slug, (page, export) in views.REPORT_VIEWS.items()
    for url in (
        path(f"{slug}/", page, name=page.__name__),
        path(f"{slug}/export/", export, name=export.__name__),
    )
]
