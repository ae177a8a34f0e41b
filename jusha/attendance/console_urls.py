from django.urls import path

from . import console

app_name = "attendance_console"
urlpatterns = [
    path("", console.session_list, name="list"),
    path("sessions/<int:pk>/", console.session_page, name="session"),
    path("sessions/<int:pk>/qr/<slug:purpose>/", console.qr, name="qr"),
    path("sessions/<int:pk>/mark/<int:signup_pk>/", console.mark, name="mark"),
    path("sessions/<int:pk>/verify/", console.verify_all, name="verify_all"),
    path("sessions/<int:pk>/verify/<int:record_pk>/", console.verify, name="verify"),
    path("sessions/<int:pk>/correct/<int:record_pk>/", console.correct, name="correct"),
    path("sessions/<int:pk>/corrections/<int:correction_pk>/<slug:decision>/", console.decide, name="decide"),
]
