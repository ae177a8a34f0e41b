from django.urls import path

from . import console

app_name = "console"
urlpatterns = [
    path("", console.home, name="home"),
    path("people/", console.people, name="people"),
    path("people/<int:pk>/", console.person, name="person"),
    path("people/<int:pk>/reveal-mobile/", console.reveal_mobile, name="reveal_mobile"),
    path("units/", console.units, name="units"),
    path("places/", console.places, name="places"),
    path("audit/", console.audit, name="audit"),
]
