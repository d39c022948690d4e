from django.urls import path

from visitors import views

app_name = "visitors"
urlpatterns = [
    path("", views.my_visits, name="list"),
    path("new/", views.new_visit, name="new"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit_visit, name="edit"),
    path("<int:pk>/cancel/", views.cancel_visit, name="cancel"),
    path("check-in/<str:token>/", views.self_check_in, name="self_check_in"),
]
