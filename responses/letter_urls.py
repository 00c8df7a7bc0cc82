"""Reply letters (答复函): print view and .docx download, permission-checked. Mounted at /letters/."""

from django.urls import path

app_name = "letters"
urlpatterns: list = []
