from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    """Who did what to which object, when, from where, with the values before and after.

    Written by services inside the transaction of the change they record, so a change without its
    entry (or an entry without its change) cannot be committed. Never updated or deleted.
    """

    at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+", verbose_name=_("actor"))
    actor_label = models.CharField(_("actor"), max_length=100, blank=True)
    action = models.CharField(_("action"), max_length=60, db_index=True)
    target_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, null=True, blank=True,
                                    verbose_name=_("object type"))
    target_id = models.CharField(_("object id"), max_length=40, blank=True)
    target_label = models.CharField(_("object"), max_length=200, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=300, blank=True)
    # Where the object lives, so staff see only the entries of their own place.
    subdistrict = models.ForeignKey("places.Subdistrict", on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("subdistrict"))
    community = models.ForeignKey("places.Community", on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+", verbose_name=_("community"))

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"]), models.Index(fields=["actor", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.target_label}"
