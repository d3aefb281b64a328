from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "joinedup.portal"
    label = "portal"
    verbose_name = "The person's own Joined Up"
