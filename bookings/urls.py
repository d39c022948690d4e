from django.urls import path

from bookings.views import appointments, check_in, one_tap, payments, portal

app_name = "bookings"
urlpatterns = [
    path("", portal.my_bookings, name="list"),
    path("resources/", portal.resources, name="resources"),
    path("resources/<int:pk>/", portal.resource, name="resource"),
    path("<int:pk>/", portal.detail, name="detail"),
    path("<int:pk>/move/", portal.move, name="move"),
    path("<int:pk>/cancel/", portal.cancel, name="cancel"),
    path("<int:pk>/check-in/", portal.check_in, name="check_in"),
    path("<int:pk>/participants/", portal.add_participants, name="add_participants"),
    path(
        "<int:pk>/participants/<int:participant_pk>/remove/",
        portal.remove_participant,
        name="remove_participant",
    ),
    path("<int:pk>/add-ons/", portal.add_add_ons, name="add_add_ons"),
    path("<int:pk>/pay/", payments.pay, name="pay"),
    path("payments/callback/", payments.callback, name="payment_callback"),
    path("check-in/<str:token>/", check_in.at_resource, name="check_in_at_resource"),
    path("tap/<str:action>/<str:token>/", one_tap.one_tap, name="one_tap"),
    path("notifications/", portal.subscriptions, name="subscriptions"),
    path("rdv/my-recap/", appointments.my_recap, name="my_recap"),
    path("rdv/g/<str:token>/", appointments.manage, name="appointment_manage"),
    path("rdv/avis/<str:token>/", appointments.review, name="appointment_review"),
    path("rdv/sms/<str:token>/", appointments.confirm_sms, name="appointment_confirm_sms"),
    path("rdv/g/<str:token>/earlier/", appointments.wait_for_earlier, name="appointment_earlier"),
    path("rdv/attente/<str:token>/", appointments.claim, name="waitlist_claim"),
    path("rdv/<slug:slug>/", appointments.book, name="appointment_page"),
    path("rdv/<slug:slug>/attente/", appointments.join_waitlist, name="waitlist_join"),
]
