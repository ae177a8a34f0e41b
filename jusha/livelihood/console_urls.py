from django.urls import path

from . import console

app_name = "livelihood_console"
urlpatterns = [
    path("", console.survey_list, name="list"),
    path("new/", console.new, name="new"),
    path("<int:pk>/", console.detail, name="detail"),
    path("<int:pk>/settings/", console.edit, name="edit"),
    path("<int:pk>/step/<slug:step>/", console.act, name="act"),
    path("<int:pk>/sections/", console.section_add, name="section_add"),
    path("<int:pk>/questions/", console.question_add, name="question_add"),
    path("<int:pk>/questions/<int:qid>/", console.question_edit, name="question_edit"),
    path("<int:pk>/questions/<int:qid>/delete/", console.question_delete, name="question_delete"),
    path("<int:pk>/poster/", console.poster, name="poster"),
    path("<int:pk>/results/", console.results, name="results"),
    path("<int:pk>/responses.xlsx", console.export_responses, name="export_responses"),
    path("<int:pk>/summary.xlsx", console.export_summary, name="export_summary"),
    path("<int:pk>/visits/", console.visits, name="visits"),
    path("photos/<int:pk>/", console.photo, name="photo"),
]
