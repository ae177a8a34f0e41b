"""One audit mechanism: services and the Django admin both write who/what/when/where/before/after."""

import json

from jusha.audit.models import AuditEntry
from jusha.audit.services import audit_record, snapshot
from tests.conftest import PASSWORD


def test_audit_record_keeps_before_and_after_and_derives_the_subdistrict(world):
    before = snapshot(world.zhige1, ["name", "community"])
    entry = audit_record(actor=world.liuyang, action="places.rename", target=world.zhige1, before=before,
                         after={"name": "智格东"}, community_id=world.zhige.pk)
    assert entry.before == {"name": "智格一", "community": world.zhige.pk}
    assert entry.after == {"name": "智格东"}
    assert entry.subdistrict_id == world.subdistrict.pk
    assert entry.actor_label == "刘洋"


def test_admin_change_is_audited_with_old_and_new_values(client, world):
    client.post("/login/staff/", {"username": "admin", "password": PASSWORD})
    response = client.post(f"/admin/places/grid/{world.zhige1.pk}/change/", {
        "name": "智格东网格", "code": world.zhige1.code, "community": world.zhige.pk,
        "boundary": json.dumps(world.zhige1.boundary),
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = AuditEntry.objects.get(action="places.admin_change")
    assert entry.before == {"name": "智格一"}
    assert entry.after == {"name": "智格东网格"}
    assert entry.community_id == world.zhige.pk
    assert entry.actor == world.admin


def test_audit_entries_cannot_be_edited_in_the_admin(client, world):
    entry = audit_record(actor=world.admin, action="test.x", target=world.admin)
    client.force_login(world.admin)
    assert client.get(f"/admin/audit/auditentry/{entry.pk}/change/").status_code in (200, 403)
    response = client.post(f"/admin/audit/auditentry/{entry.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk).exists()
