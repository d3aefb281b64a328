from django.urls import include, path

from joinedup.core.views import home, my_tasks

urlpatterns = [
    path("", home, name="home"),
    path("tasks/", my_tasks, name="my_tasks"),
    path("account/", include("joinedup.accounts.urls")),
    path("staff/", include("joinedup.staff.urls")),
    path("people/", include("joinedup.people.urls")),
    path("care/", include("joinedup.care.urls")),
    path("referrals/", include("joinedup.referrals.urls")),
    path("meetings/", include("joinedup.meetings.urls")),
    path("primary-care/", include("joinedup.primarycare.urls")),
    path("peer-support/", include("joinedup.peersupport.urls")),
    path("health-checks/", include("joinedup.healthchecks.urls")),
    path("inbox/", include("joinedup.inbox.urls")),
    path("governance/", include("joinedup.core.urls")),
    path("reports/", include("joinedup.reporting.urls")),
    path("health", include("joinedup.core.health_urls")),
    path("", include("joinedup.ops.urls")),
    path("fhir/R4/", include("joinedup.fhir.urls")),
    # The person's own Joined Up: their own session and sign-in (NHS login), never a staff page.
    path("my/", include("joinedup.portal.urls")),
    path("messages/", include("joinedup.messaging.urls")),
]

handler400 = "joinedup.core.views.bad_request"
handler403 = "joinedup.core.views.forbidden"
handler404 = "joinedup.core.views.not_found"
handler500 = "joinedup.core.views.server_error"
