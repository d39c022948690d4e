from django.urls import path

from alerts.views import confirm, operator, voice

app_name = "alerts"
urlpatterns = [
    path("c/<str:token>/", confirm.confirm, name="confirm"),
    path("voice/<str:token>/", voice.voice_answer, name="voice_answer"),
    path("operator/", operator.routes, name="operator"),
    path("operator/routes/<int:pk>/start/", operator.start, name="start"),
    path("operator/runs/<int:pk>/", operator.run, name="run"),
    path("operator/runs/<int:pk>/counts/", operator.run_counts, name="run_counts"),
    path("operator/runs/<int:pk>/stops/<int:stop_pk>/served/", operator.serve, name="serve"),
    path("operator/runs/<int:pk>/end/", operator.end, name="end"),
]
