"""Attendance is read in the admin; it changes only through the services, which audit each step."""

from django.contrib import admin

from .models import Attendance, Certificate, CorrectionRequest, ServiceRecord


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Attendance)
class AttendanceAdmin(_ReadOnly):
    list_display = ["id", "session", "person", "status", "checked_in_at", "checked_out_at", "closed_by_rule"]
    list_filter = ["status", "closed_by_rule"]


@admin.register(ServiceRecord)
class ServiceRecordAdmin(_ReadOnly):
    list_display = ["id", "volunteer", "session", "hours", "status"]
    list_filter = ["status"]


@admin.register(CorrectionRequest)
class CorrectionRequestAdmin(_ReadOnly):
    list_display = ["id", "record", "hours", "status", "created_at"]
    list_filter = ["status"]


@admin.register(Certificate)
class CertificateAdmin(_ReadOnly):
    list_display = ["number", "volunteer", "total_hours", "issued_at"]
    search_fields = ["number"]
