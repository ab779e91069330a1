app_name = "dossiers"
urlpatterns: list = []
