from django.urls import path

from . import views

app_name = "needs"
urlpatterns = [
    path("", views.my_needs, name="mine"),
    path("new/", views.need_new, name="new"),
    path("<int:pk>/", views.need_detail, name="detail"),
    path("<int:pk>/confirm/", views.need_confirm, name="confirm"),
    path("<int:pk>/reopen/", views.need_reopen, name="reopen"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("board/", views.board, name="board"),
    path("board/<int:pk>/claim/", views.board_claim, name="claim"),
    path("board/claims/<int:claim_pk>/release/", views.board_release, name="release"),
    path("board/claims/<int:claim_pk>/<slug:step>/", views.board_volunteer_act, name="volunteer_act"),
]
