from django.urls import path

from workorders import views

app_name = "workorders"
urlpatterns = [
    path("status/<str:token>/", views.order_status, name="status"),
    path("tasks/<int:pk>/done/", views.complete_task, name="complete_task"),
]
