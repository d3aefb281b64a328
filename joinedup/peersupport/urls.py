app_name = "peersupport"
urlpatterns = []
