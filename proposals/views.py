from django.contrib.auth.decorators import login_required
from django.http import HttpResponse


@login_required
def home(request):
    return HttpResponse("portal")


def public_index(request):
    return HttpResponse("public")
