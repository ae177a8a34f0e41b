"""The push API: a signed, fresh, unreplayed request from an active device becomes one detection, routed
by the subdistrict's rule: at or above the threshold into cases (joining an open case of the same category
nearby by itself), below it to the command center's review queue."""

from datetime import timedelta
from pathlib import Path

import pytest

from jusha.audit.models import AuditEntry
from jusha.cases.models import Case, Report, Source
from jusha.devices import services
from jusha.devices.models import Detection
from jusha.devices.signing import sign
from jusha.notifications.models import Message
from tests.cases_helpers import ZHIGE_B
from tests.devices_helpers import URL, body, camera, headers, push, rule

D = Detection.Status


@pytest.fixture
def cam(world, clock):
    rule(world)
    return camera(world)


def test_a_confident_detection_opens_a_camera_case(world, client, cam):
    device, secret = cam
    response = push(client, device, secret)
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["status"] == D.REPORTED and data["case_number"]
    case = Case.objects.get(pk=data["case_id"])
    assert case.source == Source.CAMERA and case.status == Case.Status.REPORTED
    assert case.community == world.zhige and case.grid == world.zhige1
    report = Report.objects.get(case=case)
    assert report.source == Source.CAMERA and report.reporter is None
    assert AuditEntry.objects.filter(action="devices.detection_receive").count() == 1


def test_a_sensor_reports_with_the_sensor_source(world, client, clock):
    rule(world, detection_type="manhole_open", code="BJ0101", threshold=0.5)
    device, secret = camera(world, code="MH-1", kind="sensor")
    response = push(client, device, secret, body(1, detection_type="manhole_open"))
    assert response.status_code == 201
    assert Case.objects.get(pk=response.json()["case_id"]).source == Source.SENSOR


def test_a_second_detection_nearby_attaches_to_the_open_case(world, client, cam, clock):
    device, secret = cam
    first = push(client, device, secret, key="a").json()
    other, other_secret = camera(world, code="CAM-002", at=(120.3051, 30.3051))
    clock.advance(minutes=3)
    second = push(client, other, other_secret, body(0.95), key="b").json()
    assert second["status"] == D.ATTACHED and second["case_id"] == first["case_id"]
    assert Case.objects.count() == 1 and Report.objects.filter(case=first["case_id"]).count() == 2
    # Far away it is another case.
    far, far_secret = camera(world, code="CAM-003", at=ZHIGE_B)
    third = push(client, far, far_secret, body(0.95), key="c").json()
    assert third["status"] == D.REPORTED and third["case_id"] != first["case_id"]


def test_a_detection_below_the_threshold_waits_for_review(world, client, cam, django_capture_on_commit_callbacks):
    device, secret = cam
    with django_capture_on_commit_callbacks(execute=True):
        response = push(client, device, secret, body(0.5))
    assert response.status_code == 201
    assert response.json()["status"] == D.REVIEW and response.json()["case_id"] is None
    assert Case.objects.count() == 0
    assert Message.objects.filter(kind="devices.review", recipient=world.zhaolei).count() == 1


def test_the_same_idempotency_key_returns_the_first_answer(world, client, cam, clock):
    device, secret = cam
    first = push(client, device, secret, key="same")
    clock.advance(seconds=30)
    again = push(client, device, secret, body(0.99), key="same")
    assert first.status_code == 201 and again.status_code == 200
    assert again.json() == first.json()
    assert Detection.objects.count() == 1 and Report.objects.count() == 1


def test_a_replayed_request_under_another_key_is_refused(world, client, cam, clock):
    device, secret = cam
    raw = body()
    sent = headers(device, secret, raw, key="one")
    assert client.post(URL, data=raw, content_type="application/json", **sent).status_code == 201
    replay = {**sent, "HTTP_IDEMPOTENCY_KEY": "two"}
    response = client.post(URL, data=raw, content_type="application/json", **replay)
    assert response.status_code == 401 and response.json()["code"] == "replayed"
    assert Detection.objects.count() == 1


@pytest.mark.parametrize("change, code, status", [
    ({"HTTP_X_JUSHA_SIGNATURE": "0" * 64}, "bad_signature", 401),
    ({"HTTP_X_JUSHA_SIGNATURE": "not hex"}, "bad_signature", 401),
    ({"HTTP_X_JUSHA_SIGNATURE": ""}, "unsigned", 401),
    ({"HTTP_X_JUSHA_KEY": ""}, "unsigned", 401),
    ({"HTTP_X_JUSHA_KEY": "jd_nobody"}, "unknown_device", 401),
    ({"HTTP_X_JUSHA_TIMESTAMP": "yesterday"}, "bad_timestamp", 401),
    ({"HTTP_X_JUSHA_TIMESTAMP": "１７９５７６６４００"}, "bad_timestamp", 401),
    ({"HTTP_IDEMPOTENCY_KEY": ""}, "invalid_idempotency_key", 400),
    ({"HTTP_IDEMPOTENCY_KEY": "x" * 101}, "invalid_idempotency_key", 400),
])
def test_badly_signed_pushes_are_refused(world, client, cam, change, code, status):
    device, secret = cam
    raw = body()
    response = client.post(URL, data=raw, content_type="application/json", **{**headers(device, secret, raw), **change})
    assert response.status_code == status and response.json()["code"] == code
    assert Detection.objects.count() == 0


def test_a_changed_body_breaks_the_signature(world, client, cam):
    device, secret = cam
    sent = headers(device, secret, body(0.5))
    response = client.post(URL, data=body(0.99), content_type="application/json", **sent)
    assert response.status_code == 401 and response.json()["code"] == "bad_signature"


@pytest.mark.parametrize("minutes", [-6, 6])
def test_a_timestamp_more_than_five_minutes_off_is_refused(world, client, cam, clock, minutes):
    device, secret = cam
    response = push(client, device, secret, timestamp=clock() + timedelta(minutes=minutes))
    assert response.status_code == 401 and response.json()["code"] == "stale_timestamp"


def test_a_timestamp_four_minutes_old_is_accepted(world, client, cam, clock):
    device, secret = cam
    assert push(client, device, secret, timestamp=clock() - timedelta(minutes=4)).status_code == 201


def test_a_rotated_secret_replaces_the_old_one(world, client, cam):
    device, old = cam
    device, new = services.device_rotate_secret(actor=world.liuyang, device=device)
    assert new != old
    assert push(client, device, old, key="a").json()["code"] == "bad_signature"
    assert push(client, device, new, key="b").status_code == 201


def test_an_inactive_device_is_refused(world, client, cam):
    device, secret = cam
    services.device_set_active(actor=world.liuyang, device=device, active=False)
    response = push(client, device, secret)
    assert response.status_code == 403 and response.json()["code"] == "inactive_device"


@pytest.mark.parametrize("payload, code", [
    (b"not json", "invalid_body"),
    (b"[1, 2]", "invalid_body"),
    (b"\xff\xfe", "invalid_body"),
    (b"[" * 100_000, "invalid_body"),
    (body(1.5), "invalid_confidence"),
    (body("high"), "invalid_confidence"),
    (body(detection_type="Bad Type"), "invalid_type"),
    (body(detection_type="unmapped"), "unknown_type"),
    (body(boxes=[{"x": 1}]), "invalid_boxes"),
    (body(boxes="nope"), "invalid_boxes"),
    (body(detected_at="last tuesday"), "invalid_time"),
    (body(image_url="javascript:alert(1)"), "invalid_image_url"),
    (body(image="%%%not base64"), "invalid_image"),
    (body(image="aGVsbG8gd29ybGQ="), "photo_not_image"),
])
def test_bad_content_is_refused_with_a_code(world, client, cam, payload, code):
    device, secret = cam
    response = push(client, device, secret, payload)
    assert response.status_code == 400, response.content
    assert response.json()["code"] == code
    assert Detection.objects.count() == 0 and Case.objects.count() == 0


def test_evidence_image_and_boxes_are_stored(world, client, cam):
    device, secret = cam
    boxes = [{"x": 10, "y": 20, "w": 30, "h": 40, "label": "clothes", "confidence": 0.9}]
    response = push(client, device, secret, body(with_image=True, boxes=boxes, image_url="https://cam.example/1.jpg"))
    assert response.status_code == 201
    detection = Detection.objects.get()
    assert detection.evidence and detection.boxes == boxes
    assert detection.evidence_url == "https://cam.example/1.jpg"


def test_multipart_with_an_image_file(world, client, cam, clock):
    from django.test.client import encode_multipart

    from tests.cases_helpers import photo

    device, secret = cam
    raw = encode_multipart("BoUnDaRy", {"type": "clothes_drying", "confidence": "0.9", "image": photo(),
                                        "boxes": '[{"x": 1, "y": 2, "w": 3, "h": 4}]'})
    ts = str(int(clock().timestamp()))
    response = client.generic("POST", URL, raw, content_type="multipart/form-data; boundary=BoUnDaRy",
                              HTTP_X_JUSHA_KEY=device.key_id, HTTP_X_JUSHA_TIMESTAMP=ts,
                              HTTP_X_JUSHA_SIGNATURE=sign(secret, ts, raw), HTTP_IDEMPOTENCY_KEY="m1")
    assert response.status_code == 201, response.content
    assert Detection.objects.get().evidence


def test_multipart_with_something_that_is_not_an_image(world, client, cam, clock):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test.client import encode_multipart

    device, secret = cam
    raw = encode_multipart("BoUnDaRy", {"type": "clothes_drying", "confidence": "0.9",
                                        "image": SimpleUploadedFile("x.png", b"not an image")})
    ts = str(int(clock().timestamp()))
    response = client.generic("POST", URL, raw, content_type="multipart/form-data; boundary=BoUnDaRy",
                              HTTP_X_JUSHA_KEY=device.key_id, HTTP_X_JUSHA_TIMESTAMP=ts,
                              HTTP_X_JUSHA_SIGNATURE=sign(secret, ts, raw), HTTP_IDEMPOTENCY_KEY="m2")
    assert response.status_code == 400 and response.json()["code"] == "photo_not_image"


def test_signing_matches_the_worked_example_in_the_docs():
    # docs/devices.md shows this exact example; keep the two in step.
    secret = "6f1c0d2e9b8a7f3e4d5c6b7a8f9e0d1c2b3a4f5e6d7c8b9a0f1e2d3c4b5a6f70"
    raw = b'{"type":"clothes_drying","confidence":0.93}'
    expected = "09ad335db3fafb8a8643e16ac6941c3e4367486c059f59398ec265afc866508c"
    assert sign(secret, "1795766400", raw) == sign(secret, 1795766400, raw) == expected
    assert expected in (Path(__file__).parent.parent / "docs" / "devices.md").read_text()


def test_a_broken_multipart_body_is_refused(world, client, cam, clock):
    device, secret = cam
    raw = b"--BoUnDaRy\r\nnot a part"
    ts = str(int(clock().timestamp()))
    response = client.generic("POST", URL, raw, content_type="multipart/form-data; boundary=",
                              HTTP_X_JUSHA_KEY=device.key_id, HTTP_X_JUSHA_TIMESTAMP=ts,
                              HTTP_X_JUSHA_SIGNATURE=sign(secret, ts, raw), HTTP_IDEMPOTENCY_KEY="m3")
    assert response.status_code == 400 and response.json()["code"] == "invalid_body"


def test_the_device_push_command_signs_like_a_device(world, client, cam, tmp_path, monkeypatch):
    from django.core.management import call_command

    from jusha.devices.management.commands import device_push

    device, secret = cam
    sent = []

    def through_the_test_client(url, raw, sent_headers):
        meta = {"HTTP_" + name.upper().replace("-", "_"): value for name, value in sent_headers.items()
                if name != "Content-Type"}
        response = client.post(url.removeprefix("http://testserver"), data=raw, content_type="application/json",
                               **meta)
        sent.append(response.status_code)
        return response.status_code, response.content

    monkeypatch.setattr(device_push, "send", through_the_test_client)
    file = tmp_path / "detection.json"
    file.write_bytes(body(0.9))
    call_command("device_push", str(file), url="http://testserver", key=device.key_id, secret=secret)
    call_command("device_push", str(file), url="http://testserver", key=device.key_id, secret=secret)
    assert sent == [201, 200]
    assert Detection.objects.count() == 1


def test_a_time_without_offset_is_the_deployments_local_time(world, client, cam, clock):
    from django.utils import timezone

    device, secret = cam
    local = timezone.localtime(clock()).replace(tzinfo=None, microsecond=0)
    response = push(client, device, secret, body(detected_at=local.isoformat()))
    assert response.status_code == 201
    assert abs((Detection.objects.get().detected_at - clock()).total_seconds()) < 1
