"""Officials' pages of comments and ideas, mounted at /staff/gop-y/ (namespace "ideas_staff")."""

from django.urls import path

from . import views_ideas_staff as v

app_name = "ideas_staff"

urlpatterns = [
    path("", v.consultation_list, name="list"),
    path("tao-moi/", v.consultation_create, name="create"),
    path("y-kien/", v.idea_queue, name="ideas"),
    path("y-kien/<uuid:public_id>/", v.idea_detail, name="idea"),
    path("y-kien/<uuid:public_id>/tra-loi/", v.idea_answer, name="answer"),
    path("y-kien/<uuid:public_id>/tien-do/", v.idea_progress, name="progress"),
    path("y-kien/<uuid:public_id>/an/", v.idea_hide, name="hide"),
    path("y-kien/<uuid:public_id>/hien-lai/", v.idea_unhide, name="unhide"),
    path("<uuid:public_id>/", v.consultation_detail, name="consultation"),
    path("<uuid:public_id>/sua/", v.consultation_edit, name="edit"),
    path("<uuid:public_id>/thao-tac/<slug:action>/", v.consultation_act, name="act"),
]
