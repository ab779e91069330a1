"""Public pages of comments and ideas (góp ý, hiến kế), mounted at /gop-y/ (namespace "ideas")."""

from django.urls import path

from . import views_ideas as v

app_name = "ideas"

urlpatterns = [
    path("", v.consultation_list, name="list"),
    path("<uuid:public_id>/", v.consultation_detail, name="consultation"),
    path("<uuid:public_id>/gui-gop-y/", v.idea_post, name="post"),
    path("<uuid:public_id>/tai-lieu/<uuid:file_id>/", v.document, name="document"),
    path("y-kien/<uuid:public_id>/", v.idea_detail, name="idea"),
    path("y-kien/<uuid:public_id>/ung-ho/", v.idea_support, name="support"),
    path("y-kien/<uuid:public_id>/rut/", v.idea_withdraw, name="withdraw"),
    path("y-kien/<uuid:public_id>/anh/<uuid:file_id>/", v.idea_image, name="image"),
]
