from django.urls import path

from . import views

app_name = "cases"
urlpatterns = [
    path("", views.my_cases, name="mine"),
    path("new/", views.report_new, name="new"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/rate/", views.case_rate, name="rate"),
    path("<int:pk>/reopen/", views.case_reopen, name="reopen"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("tasks/", views.task_list, name="tasks"),
    path("tasks/duty/", views.duty, name="duty"),
    path("tasks/<int:pk>/", views.task, name="task"),
    path("tasks/<int:pk>/<slug:step>/", views.task_act, name="task_act"),
    path("patrol/", views.patrol, name="patrol"),
]
