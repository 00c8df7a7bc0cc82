"""Reply letters (答复函): print view and .docx download, permission-checked. Mounted at /letters/."""

from django.urls import path

from responses import letter_views

app_name = "letters"
urlpatterns: list = [
    path("<int:pk>/", letter_views.letter_print, name="print"),
    path("<int:pk>.docx", letter_views.letter_download, name="docx"),
]
