from django.apps import AppConfig


class PeersupportConfig(AppConfig):
    name = "joinedup.peersupport"
    label = "peersupport"
    verbose_name = "Peer support service"

    def ready(self):
        from joinedup.accounts.roles import Perm
        from joinedup.core.navigation import nav_item, person_nav_item

        from . import access  # noqa: F401  (registers the allocation, supervision and waiting-referral relationships)

        nav_item(perm=Perm.RECORD_PEER_SUPPORT, url_name="peersupport:caseload", text="Peer support", order=60)
        person_nav_item(perm=Perm.VIEW_PEER_SUPPORT, url_name="peersupport:person", text="Peer support", order=60)
        nav_item(
            perm=Perm.SEARCH_COMMUNITY_DIRECTORY, url_name="peersupport:directory", text="Community directory", order=65
        )
