"""Open311 client keys and the console (docs/open311.md), person by person.

下沙's staff 刘洋 and the administrator create and revoke the apps' keys (one endpoint serves the whole
deployment, so they see every key); the command operator 赵磊 and 刘洋 place address-only requests on the
map; everyone, even anonymous, reads the published requests; residents, community staff, supervisors,
grid workers, team members and liaisons have nothing to do with keys (404, like a page that does not exist).
"""

import io

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command

from jusha import permissions
from jusha.audit.models import AuditEntry
from jusha.cases.models import Case, Source
from jusha.core.errors import DomainError, NotAllowed
from jusha.open311 import services
from jusha.open311.models import ApiClient, ServiceRequest
from jusha.permissions import Action
from tests.conftest import PASSWORD
from tests.open311_helpers import BASE, IN_ZHIGE, OUTSIDE, created, key, post
from tests.test_cli import jusha, migrated, people  # noqa: F401  (the migrated database of the CLI tests)

PEOPLE = ["wangfang", "lina", "liuyang", "zhaolei", "sunmin", "zhouqiang", "wugang", "zhengli", "admin"]
KEYS = {"liuyang", "admin"}
PLACE = {"liuyang", "zhaolei", "admin"}


@pytest.fixture
def setup(world, clock, client):
    api_client, api_key = key(world)
    placed = created(client, "json", api_key)
    response = post(client, "json", api_key, address_string="下沙路 88 号")
    waiting = ServiceRequest.objects.get(token=response.json()[0]["token"])
    return {"client": api_client, "key": api_key, "placed": ServiceRequest.objects.get(
        report_id=int(placed["service_request_id"])), "waiting": waiting}


def test_the_matrix(world, setup):
    for name in PEOPLE:
        person = getattr(world, name)
        keys = set(permissions.visible(person, Action.OPEN311_KEY_MANAGE, ApiClient.objects.all()))
        assert keys == ({setup["client"]} if name in KEYS else set()), name
        assert permissions.can(person, Action.OPEN311_KEY_MANAGE) == (name in KEYS), name
        waiting = set(permissions.visible(person, Action.OPEN311_PLACE, ServiceRequest.objects.all()))
        assert waiting == ({setup["waiting"], setup["placed"]} if name in PLACE else set()), name
        assert permissions.can(person, Action.OPEN311_PLACE) == (name in PLACE), name
        published = set(permissions.visible(person, Action.OPEN311_VIEW, ServiceRequest.objects.all()))
        assert published == {setup["placed"]}, name
    assert set(permissions.visible(AnonymousUser(), Action.OPEN311_VIEW, ServiceRequest.objects.all())) == {
        setup["placed"]}


def test_only_key_managers_create_and_revoke(world, setup):
    for name in PEOPLE:
        person = getattr(world, name)
        if name in KEYS:
            new, api_key = services.client_create(actor=person, name=f"app of {name}")
            assert services.authenticate(api_key) == new
            services.client_revoke(actor=person, client=new)
            continue
        with pytest.raises(NotAllowed):
            services.client_create(actor=person, name="app")
        with pytest.raises(NotAllowed):
            services.client_revoke(actor=person, client=setup["client"])
    assert services.authenticate(setup["key"]) == setup["client"]


def test_only_command_centers_place_requests(world, setup):
    for name in sorted(set(PEOPLE) - PLACE):
        with pytest.raises(NotAllowed):
            services.request_place(actor=getattr(world, name), request=setup["waiting"], lng=IN_ZHIGE[0],
                                   lat=IN_ZHIGE[1])
    with pytest.raises(DomainError) as outside:
        services.request_place(actor=world.zhaolei, request=setup["waiting"], lng=OUTSIDE[0], lat=OUTSIDE[1])
    assert outside.value.code == "outside_area"
    placed = services.request_place(actor=world.zhaolei, request=setup["waiting"], lng=120.303, lat=30.303)
    assert placed.report.case.source == Source.OPEN311 and placed.placed_by == world.zhaolei
    with pytest.raises(DomainError) as again:
        services.request_place(actor=world.liuyang, request=placed, lng=120.303, lat=30.303)
    assert again.value.code == "already_placed"
    entry = AuditEntry.objects.get(action="open311.place")
    assert entry.actor == world.zhaolei


def test_a_key_is_stored_only_as_its_hash(world, setup):
    stored = ApiClient.objects.get(pk=setup["client"].pk)
    assert setup["key"].startswith("o311_") and len(setup["key"]) > 40
    assert setup["key"] not in {stored.key_hash, stored.prefix, stored.name}
    assert stored.key_hash == services.hash_key(setup["key"]) and setup["key"].startswith(stored.prefix)
    entry = AuditEntry.objects.get(action="open311.key_create")
    assert entry.actor == world.liuyang and setup["key"] not in str(entry.after)


def test_revoking_is_audited_once_and_the_key_stops_at_once(world, setup, client):
    services.client_revoke(actor=world.liuyang, client=setup["client"])
    services.client_revoke(actor=world.admin, client=setup["client"])
    assert AuditEntry.objects.filter(action="open311.key_revoke").count() == 1
    assert ApiClient.objects.get(pk=setup["client"].pk).revoked_by == world.liuyang
    assert post(client, "json", setup["key"], lat="30.305", long="120.305").status_code == 403


@pytest.mark.parametrize("name", ["", "   ", "x" * 81, None])
def test_a_key_needs_a_name(world, name):
    with pytest.raises(DomainError):
        services.client_create(actor=world.liuyang, name=name)
    assert not ApiClient.objects.exists()


# --- the command line ---------------------------------------------------------------------------------

def test_the_command_prints_a_working_key_once(world):
    out, err = io.StringIO(), io.StringIO()
    call_command("open311-key", "create", "城市通 app", stdout=out, stderr=err)
    api_key = out.getvalue().strip()
    client = services.authenticate(api_key)
    assert client.name == "城市通 app" and client.created_by is None
    assert client.prefix in err.getvalue() and api_key not in err.getvalue()
    assert AuditEntry.objects.get(action="open311.key_create").actor is None


def test_the_jusha_console_script_runs_it(migrated):  # noqa: F811
    result = jusha("open311-key", "create", "城市通", env=migrated)
    assert result.stdout.strip().startswith("o311_")
    refused = jusha("open311-key", "create", "  ", env=migrated, check=False)
    assert refused.returncode != 0


# --- the console --------------------------------------------------------------------------------------

def _login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


@pytest.mark.parametrize("name", PEOPLE)
def test_who_reaches_the_console_page(world, setup, client, name):
    person = getattr(world, name)
    if person.username:
        _login(client, person)
    else:
        client.force_login(person)
    response = client.get("/console/open311/")
    assert response.status_code == (200 if name in KEYS | PLACE else 404), name
    if response.status_code == 200:
        rows = response.content.decode()
        assert (setup["client"].prefix in rows) == (name in KEYS)
        assert ('data-testid="waiting-row"' in rows) == (name in PLACE)
        assert 'href="/console/open311/"' in rows  # the nav entry
    create = client.post("/console/open311/keys/", {"name": "app"})
    assert create.status_code == (200 if name in KEYS else 404)
    revoke = client.post(f"/console/open311/keys/{setup['client'].pk}/revoke/")
    assert revoke.status_code == (302 if name in KEYS else 404)


def test_the_console_shows_a_new_key_once_and_revokes(world, setup, client):
    _login(client, world.liuyang)
    response = client.post("/console/open311/keys/", {"name": "网格通"})
    assert response.status_code == 200
    page = response.content.decode()
    start = page.index('data-testid="key-value">') + len('data-testid="key-value">')
    api_key = page[start:page.index("<", start)]
    new = services.authenticate(api_key)
    assert new.name == "网格通" and new.created_by == world.liuyang
    again = client.get("/console/open311/").content.decode()
    assert api_key not in again and 'data-testid="key-value"' not in again
    assert client.post("/console/open311/keys/", {"name": ""}).status_code == 400
    assert client.post(f"/console/open311/keys/{new.pk}/revoke/").status_code == 302
    assert ApiClient.objects.get(pk=new.pk).revoked_at is not None
    assert client.get("/console/open311/keys/").status_code == 405


def test_the_console_places_an_address_only_request(world, setup, client):
    _login(client, world.zhaolei)
    page = client.get("/console/open311/").content.decode()
    assert "下沙路 88 号" in page
    url = f"/console/open311/requests/{setup['waiting'].pk}/place/"
    assert client.post(url, {"lng": "east", "lat": "30.3"}).status_code == 400
    assert client.post(url, {"lng": str(OUTSIDE[0]), "lat": str(OUTSIDE[1])}).status_code == 400
    assert not Case.objects.filter(address="下沙路 88 号").exists()
    assert client.post(url, {"lng": "120.303", "lat": "30.303"}).status_code == 302
    waiting = ServiceRequest.objects.get(pk=setup["waiting"].pk)
    assert waiting.report.case.address == "下沙路 88 号"
    assert client.post(url, {"lng": "120.303", "lat": "30.303"}).status_code == 404  # no longer waiting
    token = client.get(f"{BASE}/tokens/{waiting.token}.json").json()
    assert token[0]["service_request_id"] == waiting.service_request_id


# --- the admin: service attributes ------------------------------------------------------------------------

def test_administrators_define_attributes_in_the_admin_audited(world, setup, client):
    from tests.open311_helpers import category

    _login(client, world.admin)
    for url in ("/admin/open311/serviceattribute/", "/admin/open311/servicerequest/", "/admin/open311/apiclient/",
                "/admin/open311/serviceattribute/add/"):
        assert client.get(url).status_code == 200, url
    form = {"category": category().pk, "code": "kind", "variable": "on", "datatype": "singlevaluelist",
            "order": "1", "description": "What is hung out?", "datatype_description": "", "values": "[]"}
    assert client.post("/admin/open311/serviceattribute/add/", form).status_code == 200  # a list needs values
    top = category("SJ01")
    assert client.post("/admin/open311/serviceattribute/add/", {**form, "category": top.pk}).status_code == 200
    form["values"] = '[{"key": "1", "name": "衣物"}, {"key": "2", "name": "被褥"}]'
    assert client.post("/admin/open311/serviceattribute/add/", form).status_code == 302
    assert AuditEntry.objects.filter(action="open311.admin_add").count() == 1
    definition = client.get(f"{BASE}/services/{category().code}.json").json()
    assert [v["key"] for v in definition["attributes"][0]["values"]] == ["1", "2"]
