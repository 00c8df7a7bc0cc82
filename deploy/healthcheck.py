"""The container's health check: GET /healthz as the site's own host name; exit 0 when the app answers 200.

200 means the app serves (its body may still say a component is degraded: that is for monitoring,
not a reason to restart the container); anything else, or no answer, exits 1.
"""

import os
import sys
import urllib.request

url = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000/healthz"
host = (os.environ.get("ALLOWED_HOSTS") or "localhost").split(",")[0].strip()
request = urllib.request.Request(url, headers={"Host": host})
try:
    with urllib.request.urlopen(request, timeout=8) as response:  # nosec B310
        sys.exit(0 if response.status == 200 else 1)
except OSError:
    sys.exit(1)
