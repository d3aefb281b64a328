app_name = "primarycare"
urlpatterns = []
