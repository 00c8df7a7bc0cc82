"""The import in the admin: upload a workbook, read the preview (what would be written, or every
problem by sheet, row and column), confirm; the template to download; the list of past imports."""

from __future__ import annotations

import re
import shutil
import uuid
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.admin_base import COMMITTEE, ReadOnlyAdmin
from imports.models import ImportBatch
from imports.plan import check
from imports.services import write
from imports.workbook import template

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SESSION_KEY = "imports:upload"
TOKEN = re.compile(r"^[0-9a-f]{32}$")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class LettersField(forms.FileField):
    """Any number of .docx letters (the replies sheet names them under 答复函文件)."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = []
        for item in data or []:
            files.append(super().clean(item, initial))
        for item in files:
            if not item.name.lower().endswith(".docx"):
                raise forms.ValidationError(_("“%(name)s” is not a .docx file.") % {"name": item.name})
        return files


class UploadForm(forms.Form):
    workbook = forms.FileField(label=gettext_lazy("Workbook (.xlsx)"))
    letters = LettersField(
        label=gettext_lazy("Reply letters (.docx, optional)"),
        required=False,
        help_text=gettext_lazy("The files the replies sheet names under 答复函文件"),
    )

    def clean_workbook(self):
        upload = self.cleaned_data["workbook"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("Choose an Excel workbook (.xlsx)."))
        if upload.size > settings.IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                _("The workbook is larger than %(size)d MB.") % {"size": settings.IMPORT_MAX_BYTES // (1024 * 1024)}
            )
        return upload


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyAdmin):
    """Past imports, read-only; the upload page is linked from the list."""

    view_roles = COMMITTEE
    reference_data = True
    list_display = ("imported_at", "file_name", "imported_by", "counts")
    list_select_related = ("imported_by",)
    date_hierarchy = "imported_at"

    def get_urls(self):
        def route(pattern: str, view, name: str):
            return path(pattern, self.admin_site.admin_view(view), name=f"imports_importbatch_{name}")

        return [
            route("upload/", self.upload_view, "upload"),
            route("confirm/", self.confirm_view, "confirm"),
            route("template/", self.template_view, "template"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra = {"upload_url": reverse("admin:imports_importbatch_upload"), **(extra_context or {})}
        return super().changelist_view(request, extra)

    def _require(self, request: HttpRequest) -> None:
        if not request.user.is_committee:
            raise PermissionDenied(_("Only committee staff may do this."))

    def _page(self, request: HttpRequest, template_name: str, **context) -> TemplateResponse:
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, **context}
        return TemplateResponse(request, template_name, context)

    def template_view(self, request: HttpRequest) -> HttpResponse:
        self._require(request)
        response = HttpResponse(template(), content_type=XLSX)
        response["Content-Disposition"] = content_disposition_header(True, "往届提案导入模板.xlsx")
        return response

    def upload_view(self, request: HttpRequest) -> HttpResponse:
        """GET: the form. POST: a dry run of the uploaded workbook, kept for the confirmation when clean."""
        self._require(request)
        form = UploadForm(request.POST or None, request.FILES or None)
        if request.method != "POST" or not form.is_valid():
            return self._page(
                request,
                "admin/imports/upload.html",
                form=form,
                title=_("Import an earlier session"),
                template_url=reverse("admin:imports_importbatch_template"),
            )
        upload = form.cleaned_data["workbook"]
        content = upload.read()
        letters = {Path(item.name).name: item.read() for item in form.cleaned_data["letters"]}
        plan = check(content, letters)
        if not plan.problems and plan.proposals:
            token = uuid.uuid4().hex
            folder = settings.IMPORT_UPLOAD_DIR / token
            (folder / "letters").mkdir(parents=True)
            (folder / "workbook.xlsx").write_bytes(content)
            for name, letter in letters.items():
                (folder / "letters" / name).write_bytes(letter)
            # Kept in this user's session: nobody else can confirm the upload.
            request.session[SESSION_KEY] = {"token": token, "name": upload.name[:200]}
        return self._page(
            request,
            "admin/imports/preview.html",
            plan=plan,
            counts=plan.counts,
            file_name=upload.name,
            title=_("Import preview"),
            can_confirm=not plan.problems and bool(plan.proposals),
        )

    def confirm_view(self, request: HttpRequest) -> HttpResponse:
        self._require(request)
        return require_POST(self._confirm)(request)

    def _confirm(self, request: HttpRequest) -> HttpResponse:
        upload = request.session.pop(SESSION_KEY, None) or {}
        token = str(upload.get("token", ""))
        folder = settings.IMPORT_UPLOAD_DIR / token
        if not TOKEN.match(token) or not (folder / "workbook.xlsx").is_file():
            messages.error(request, _("The uploaded workbook is no longer there; upload it again."))
            return redirect("admin:imports_importbatch_upload")
        content = (folder / "workbook.xlsx").read_bytes()
        letters = {item.name: item.read_bytes() for item in (folder / "letters").glob("*.docx")}
        shutil.rmtree(folder, ignore_errors=True)
        plan = check(content, letters)  # again: the data may have changed since the preview
        if plan.problems or not plan.proposals:
            return self._page(
                request,
                "admin/imports/preview.html",
                plan=plan,
                counts=plan.counts,
                file_name=upload.get("name", ""),
                title=_("Import preview"),
                can_confirm=False,
            )
        write(plan, actor=request.user, file_name=upload.get("name", ""), content=content)
        messages.success(
            request,
            _(
                "Imported %(proposals)d proposals, %(assignments)d assignments, %(replies)d replies and %(feedback)d ratings."
            )
            % plan.counts,
        )
        return redirect("admin:imports_importbatch_changelist")
