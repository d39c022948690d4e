from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        # email_tracking connects anymail's signal; manual declares its own event type.
        from notifications import email_tracking, events, manual  # noqa: F401

        events.autodiscover()
        post_migrate.connect(_install_default_rules, sender=self)


def _install_default_rules(sender, **kwargs):
    from notifications.defaults import install_default_rules

    install_default_rules()
