from django.contrib import admin
from django.urls import include, path

from accounts import views as account_views
from config.health import RelaisHealthView

urlpatterns = [
    path("admin/", admin.site.urls),
    path("health/", RelaisHealthView.as_view(), name="health"),
    path("i18n/setlang/", account_views.set_language, name="set_language"),
    path("requests/", include("requests_center.urls")),
    path("visits/", include("visitors.urls")),
    path("bookings/", include("bookings.urls")),
    path("orders/", include("workorders.urls")),
    path("alerts/", include("alerts.urls")),
    path("privacy/", include("privacy.urls")),
    path("", include("accounts.urls")),
    path("", include("notifications.urls")),
]
# No URL for MEDIA_ROOT, in development either: uploads are private (core/files.py).
