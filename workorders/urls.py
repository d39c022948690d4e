from django.urls import path

from workorders import views

app_name = "workorders"
urlpatterns = [
    path("status/<str:token>/", views.order_status, name="status"),
]
