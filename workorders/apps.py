from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkOrdersConfig(AppConfig):
    name = "workorders"
    verbose_name = _("Work orders, tasks and leads")

    def ready(self):
        from workorders import signals  # noqa: F401  (connects the receivers)
