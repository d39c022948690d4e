from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RequestsCenterConfig(AppConfig):
    name = "requests_center"
    verbose_name = _("Requests")

    def ready(self):
        from requests_center import signals  # noqa: F401  (connects the receivers)
