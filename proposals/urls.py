from django.urls import path

from proposals import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
]
