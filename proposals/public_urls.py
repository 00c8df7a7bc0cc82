from django.urls import path

from proposals import views

app_name = "public"
urlpatterns = [
    path("", views.public_index, name="index"),
]
