app_name = "healthchecks"
urlpatterns = []
