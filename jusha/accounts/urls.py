from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.code_login_page, name="login"),
    path("login/code/", views.send_code, name="send_code"),
    path("login/staff/", views.staff_login_page, name="staff_login"),
    path("logout/", views.logout_view, name="logout"),
]
