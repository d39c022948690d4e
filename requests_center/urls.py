from django.urls import path

from requests_center import views

app_name = "requests_center"
urlpatterns = [
    path("", views.my_requests, name="list"),
    path("new/", views.new_request, name="new"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/follow/", views.toggle_follow, name="follow"),
    path("<int:pk>/files/<int:attachment_pk>/", views.attachment, name="attachment"),
]
