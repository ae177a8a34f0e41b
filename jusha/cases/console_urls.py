from django.urls import path

from . import console

app_name = "cases_console"
urlpatterns = [
    path("", console.queue, name="queue"),
    path("verify/", console.verify_queue, name="verify"),
    path("categories/", console.categories, name="categories"),
    path("categories/<int:pk>/", console.category_edit, name="category"),
    path("categories/new/<int:parent_pk>/", console.category_edit, name="category_new"),
    path("<int:pk>/", console.detail, name="detail"),
    path("<int:pk>/<slug:step>/", console.act, name="act"),
]
