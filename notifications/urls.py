from django.urls import path

from notifications import views

app_name = "notifications"
urlpatterns = [
    path("preferences/", views.preferences, name="preferences"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/<int:pk>/", views.open_message, name="open"),
    path("inbox/read-all/", views.mark_all_read, name="read_all"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
