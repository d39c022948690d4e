from django.urls import path

from bookings.views import check_in, one_tap, payments, portal

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
]
