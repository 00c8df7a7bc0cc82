"""The annual report's draft (年度提案办理情况报告) of a session: a print view and the .docx.

For committee staff and leaders (``oversight_only``): the report states the whole committee's
figures. Built while the request waits: it is short (docs/performance.md has the time it takes).
"""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.cache import never_cache

from dashboard import views
from dashboard.access import oversight_only
from dashboard.annual_report import Report, build_report
from dashboard.report_docx import report_docx
from proposals.models import Session
from proposals.notifications import site_language

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _report(user, session: Session) -> Report:
    """The report from the dashboard's own overview of the session, in the site's language (whose
    labels the overview holds), for today."""
    today = timezone.localdate()
    with site_language():
        overview = views.overview(user, session, today=today)
    key_rows = views.key_proposals(user, session, today, limit=None)
    return build_report(session, overview, key_rows, today=today)


@never_cache
@oversight_only
def report_print(request, session_id: int):
    session = get_object_or_404(Session, pk=session_id)
    context = {
        "report": _report(request.user, session),
        "session": session,
        "back_url": f"{reverse('dashboard:index')}?session={session.pk}",
    }
    return render(request, "dashboard/report.html", context)


@never_cache
@oversight_only
def report_download(request, session_id: int):
    session = get_object_or_404(Session, pk=session_id)
    report = _report(request.user, session)
    response = HttpResponse(report_docx(report), content_type=DOCX_TYPE)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=report.filename)
    return response
