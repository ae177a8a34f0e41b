"""The certificate of service hours (志愿服务证明): a PDF whose text — read back with pypdf — carries
the volunteer's Chinese name, volunteer number, masked identity number, the verified hours and
services, the issuing subdistrict and the certificate number, which anyone can look up later."""

import io
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured
from pypdf import PdfReader

from jusha.activities.models import SignUp
from jusha.attendance import services
from jusha.attendance.certificate import certificate_pdf
from jusha.attendance.models import Certificate
from jusha.core.errors import DomainError
from tests.attendance_helpers import at, make_activity, make_session, make_volunteer, sign_up


def pdf_text(data: bytes) -> str:
    # pypdf reads the embedded CID font's two-byte codes with NULs and spaces between glyphs: drop them.
    return re.sub(r"[\s\x00]+", "", "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))


@pytest.fixture
def served(world, clock):
    """王芳 (volunteer V0001) served twice, verified 2 h and 1.5 h, and once more still unverified."""
    clock.current = at(2026, 5, 1, 8, 0)
    make_volunteer(world, world.wangfang, number="V330114001000042", last4="567X")
    course = make_activity(world, title="太极拳晨练课")
    patrol = make_activity(world, title="夜间平安巡逻", organiser="unit", unit=world.hospital, by=world.zhengli)
    sessions = [make_session(course, starts_at=at(2026, 5, 1, 9)), make_session(patrol, starts_at=at(2026, 5, 2, 22)),
                make_session(course, starts_at=at(2026, 5, 8, 9))]
    signups = [sign_up(s, world.wangfang, role=SignUp.Role.VOLUNTEER) for s in sessions]
    clock.current = at(2026, 5, 10, 12, 0)
    services.attendance_mark(actor=world.lina, signup=signups[0], present=True)
    services.attendance_mark(actor=world.zhengli, signup=signups[1], present=True, checked_in_at=at(2026, 5, 2, 22),
                             checked_out_at=at(2026, 5, 2, 23, 40))
    services.attendance_mark(actor=world.lina, signup=signups[2], present=True)
    for signup, organiser in ((signups[0], world.lina), (signups[1], world.zhengli)):
        services.service_record_verify(actor=organiser, record=signup.attendance.service_record.pk)
    return sessions


def test_the_certificate_pdf_carries_name_number_hours_and_its_own_number(world, served):
    certificate = services.certificate_issue(actor=world.wangfang)
    assert certificate.total_hours == Decimal("3.50") and certificate.records.count() == 2
    text = pdf_text(certificate_pdf(certificate))
    for expected in ("王芳", "V330114001000042", "567X", "3.50", "2.00", "1.50", "太极拳晨练课", "夜间平安巡逻",
                     "下沙医院", "下沙街道", certificate.number, "2026-05-10"):
        assert expected in text, expected
    assert "2026-05-08" not in text  # the unverified service is not certified


def test_each_certificate_gets_a_new_number_and_is_downloaded_by_its_holder_only(client, world, served):
    client.force_login(world.wangfang)
    response = client.post("/attendance/certificates/")
    assert response.status_code == 302
    first = Certificate.objects.get()
    assert response["Location"] == f"/attendance/certificates/{first.number}.pdf"
    pdf = client.get(response["Location"])
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert first.number in pdf_text(b"".join(pdf.streaming_content) if pdf.streaming else pdf.content)
    client.post("/attendance/certificates/")
    assert Certificate.objects.values("number").distinct().count() == 2
    for other in (world.zhangwei, world.lina, world.admin):
        client.force_login(other)
        assert client.get(f"/attendance/certificates/{first.number}.pdf").status_code == 404


def test_anyone_can_look_a_certificate_up_by_number(client, world, served):
    certificate = services.certificate_issue(actor=world.wangfang)
    found = client.get(f"/api/attendance/certificates/{certificate.number}")
    assert found.status_code == 200
    assert found.json() == {"number": certificate.number, "name": "王*", "issuer": "下沙街道", "total_hours": "3.50",
                            "issued_on": "2026-05-10"}
    assert client.get("/api/attendance/certificates/JSZM0000").status_code == 404


def test_no_certificate_without_verified_hours_or_a_volunteer_record(world, clock):
    with pytest.raises(DomainError) as caught:
        services.certificate_issue(actor=world.zhangwei)
    assert caught.value.code == "not_a_volunteer"
    make_volunteer(world, world.zhangwei, number="V0002")
    with pytest.raises(DomainError) as caught:
        services.certificate_issue(actor=world.zhangwei)
    assert caught.value.code == "no_verified_hours"
    assert not Certificate.objects.exists()


def test_a_missing_font_is_a_clear_configuration_error(world, served, settings):
    certificate = services.certificate_issue(actor=world.wangfang)
    settings.JUSHA_PDF_FONT = "/nowhere/font.ttc"
    with pytest.raises(ImproperlyConfigured, match="JUSHA_PDF_FONT"):
        certificate_pdf(certificate)


def test_my_hours_page_shows_totals_records_and_the_correction_form(client, world, served,
                                                                  django_assert_max_num_queries):
    client.force_login(world.wangfang)
    with django_assert_max_num_queries(12):
        page = client.get("/attendance/hours/")
    assert page.status_code == 200
    assert '<dd data-testid="verified-hours">3.50</dd>' in page.text
    assert '<dd data-testid="pending-hours">2.00</dd>' in page.text
    assert page.text.count('data-testid="record"') == 3
    record = served[0].service_records.get()
    bad = client.post(f"/attendance/hours/{record.pk}/correction/", {"hours": "2", "reason": "对的"})
    assert bad.status_code == 400 and 'data-testid="record-error"' in bad.text
    ok = client.post(f"/attendance/hours/{record.pk}/correction/", {"hours": "1.5", "reason": "提前离开"})
    assert ok.status_code == 302


def test_the_my_hours_page_without_hours_and_the_certificate_refusal(client, world):
    client.force_login(world.zhangwei)
    assert client.get("/attendance/hours/").status_code == 200
    refused = client.post("/attendance/certificates/")
    assert refused.status_code == 400 and 'data-testid="certificate-error"' in refused.text
