from django.urls import path

from notifications import devices, views
from notifications.feedback import views as provider_webhooks
from notifications.messengers import views as messengers

app_name = "notifications"
urlpatterns = [
    path("preferences/", views.preferences, name="preferences"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/<int:pk>/", views.open_message, name="open"),
    path("inbox/read-all/", views.mark_all_read, name="read_all"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("api/devices/", devices.register, name="device_register"),
    path("api/devices/unregister/", devices.unregister, name="device_unregister"),
    path("anymail/<slug:esp>/tracking/", provider_webhooks.esp_tracking, name="esp_tracking"),
    path("webhooks/twilio/status/", provider_webhooks.twilio_status, name="twilio_status"),
    path("webhooks/twilio/inbound/", provider_webhooks.twilio_inbound, name="twilio_inbound"),
    path("telegram/", messengers.telegram_page, name="telegram"),
    path("webhooks/telegram/<str:key>/", messengers.telegram_webhook, name="telegram_webhook"),
]
