from django.apps import AppConfig


class PeersupportConfig(AppConfig):
    name = "joinedup.peersupport"
    label = "peersupport"
