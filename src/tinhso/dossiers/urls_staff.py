app_name = "dossiers_staff"
urlpatterns: list = []
