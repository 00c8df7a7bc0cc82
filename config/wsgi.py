import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

from django.urls import get_resolver  # noqa: E402

from proposals.search_text import tokenizer  # noqa: E402

# Load the Chinese segmenter's dictionary now rather than during someone's first save or search.
tokenizer()
get_resolver().url_patterns  # noqa: B018 - imports every view module now, before the freeze below

# What is loaded by now (Django, the apps, the views, the dictionary) lives as long as the process.
# Frozen, it is left out of the collector's full passes, which then take 2–3 ms instead of about
# 50 ms (one in every few hundred list pages; measured in one process, docs/performance.md).
gc.freeze()
