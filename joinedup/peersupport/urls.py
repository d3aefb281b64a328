from django.urls import path

from . import views

app_name = "peersupport"
urlpatterns = [
    path("", views.caseload, name="caseload"),
    path("referrals/", views.waiting, name="waiting"),
    path("people/<int:person_id>/", views.person, name="person"),
    path("people/<int:person_id>/refer/", views.refer, name="refer"),
    path("referrals/<int:peer_referral_id>/allocate/", views.allocate, name="allocate"),
    path("allocations/<int:peer_allocation_id>/contact/", views.contact, name="contact"),
    path("allocations/<int:peer_allocation_id>/connect/", views.connect, name="connect"),
    path("allocations/<int:peer_allocation_id>/outcomes/", views.outcomes, name="outcomes"),
    path("allocations/<int:peer_allocation_id>/end/", views.end, name="end"),
    path("directory/", views.directory, name="directory"),
    path("directory/<int:offer_id>/", views.offer, name="offer"),
    path("workforce/", views.workforce, name="workforce"),
    path("workforce/<int:peer_worker_id>/", views.worker, name="worker"),
]
