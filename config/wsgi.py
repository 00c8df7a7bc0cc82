import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# Load the Chinese segmenter's dictionary now rather than during someone's first save or search.
from proposals.search import tokenizer  # noqa: E402

tokenizer()
