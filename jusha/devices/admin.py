"""Administrators see devices and detections read-only: registering, rotating a secret and reviewing go
through the console's services (audited); the secret is never shown here."""

from django.contrib import admin

from .models import Detection, DetectionRule, Device


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Device)
class DeviceAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "kind", "community", "grid", "is_active", "key_id", "secret_issued_at"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name", "key_id"]
    exclude = ["secret"]


@admin.register(DetectionRule)
class DetectionRuleAdmin(ReadOnlyAdmin):
    list_display = ["detection_type", "category", "threshold", "subdistrict"]


@admin.register(Detection)
class DetectionAdmin(ReadOnlyAdmin):
    list_display = ["received_at", "device", "detection_type", "confidence", "status", "case"]
    list_filter = ["status", "detection_type"]
    exclude = ["signature"]
