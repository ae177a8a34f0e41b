"""Submitting a need: routing by location, the duplicate guard, photo checks and 代办 (on behalf)."""

import io
import struct
import zlib
from datetime import timedelta

import pytest
from PIL import Image

from jusha.accounts.models import Role, RoleAssignment, User
from jusha.audit.models import AuditEntry
from jusha.core.errors import DomainError
from jusha.needs import photos, services
from jusha.needs.models import Need, NeedCategory, NeedPhoto
from jusha.places.coords import gcj02_to_bd09, wgs84_to_gcj02
from tests.needs_helpers import EYE_DROPS, IN_YANLAN, IN_ZHIGE, OUTSIDE, category, png_bytes, submit, upload


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


# --- routing -------------------------------------------------------------------------------------

@pytest.mark.parametrize("crs", ["wgs84", "gcj02", "bd09"])
def test_a_need_goes_to_the_community_whose_area_contains_it_in_any_coordinate_system(world, crs):
    lng, lat = IN_YANLAN
    if crs != "wgs84":
        lng, lat = wgs84_to_gcj02(lng, lat)
    if crs == "bd09":
        lng, lat = gcj02_to_bd09(lng, lat)
    # 王芳 lives in 智格 but the help is needed in 滟澜 (her mother's flat): the place decides.
    need = submit(world.wangfang, at=(lng, lat), crs=crs)
    assert (need.community, need.grid) == (world.yanlan, world.yanlan1)
    assert need.lng == pytest.approx(IN_YANLAN[0], abs=1e-5) and need.lat == pytest.approx(IN_YANLAN[1], abs=1e-5)


def test_a_place_outside_the_subdistrict_is_refused_with_a_message_saying_so(world):
    with pytest.raises(DomainError) as refused:
        submit(world.wangfang, at=OUTSIDE)
    assert (refused.value.code, refused.value.field) == ("outside_area", "location")
    assert "不在聚沙服务范围内" in str(refused.value.message)
    assert not Need.objects.exists()


def test_without_a_location_the_chosen_community_or_the_residents_own_is_used(world):
    chosen = submit(world.wangfang, at=None, community=world.yanlan, text="帮忙修一下楼道灯")
    assert (chosen.community, chosen.grid, chosen.lng) == (world.yanlan, None, None)
    own = submit(world.wangfang, at=None)
    assert own.community == world.zhige


def test_a_person_with_no_community_and_no_location_is_asked_for_one(world):
    stranger = User.objects.create_user(mobile="13700000009")
    with pytest.raises(DomainError) as refused:
        submit(stranger, at=None)
    assert (refused.value.code, refused.value.field) == ("required", "community")


@pytest.mark.parametrize(("field", "value", "code"), [
    ("text", "", "required"),
    ("text", "   ", "required"),
    ("text", "药" * 501, "too_long"),
    ("urgency", 9, "invalid_choice"),
    ("contact", "pigeon", "invalid_choice"),
    ("address", "号" * 121, "too_long"),
])
def test_bad_input_is_refused_field_by_field(world, field, value, code):
    with pytest.raises(DomainError) as refused:
        submit(world.wangfang, **{field: value})
    assert (refused.value.field, refused.value.code) == (field, code)


def test_text_of_exactly_the_limit_is_accepted_and_kept_as_typed(world):
    text = "<b>眼药水</b>" + "药" * 490
    assert len(text) == 500
    assert submit(world.wangfang, text=text).text == text


def test_an_inactive_or_unknown_category_is_refused(world):
    NeedCategory.objects.filter(code="legal").update(is_active=False)
    for value in (category("legal"), 999999, "errands"):
        with pytest.raises(DomainError) as refused:
            submit(world.wangfang, category=value)
        assert refused.value.code == "invalid_category"


def test_the_preferred_window_must_be_in_order_and_not_over(world, clock):
    now = clock.current
    with pytest.raises(DomainError):
        submit(world.wangfang, preferred_from=now + timedelta(hours=3), preferred_until=now + timedelta(hours=1))
    with pytest.raises(DomainError):
        submit(world.wangfang, preferred_until=now - timedelta(hours=1))
    need = submit(world.wangfang, preferred_from=now + timedelta(hours=1), preferred_until=now + timedelta(hours=4))
    assert need.preferred_until - need.preferred_from == timedelta(hours=3)


def test_submitting_records_the_first_timeline_step_and_an_audit_entry(world):
    need = submit(world.wangfang)
    assert [(e.step, e.to_status, e.actor) for e in need.events.all()] == [("submit", "submitted", world.wangfang)]
    entry = AuditEntry.objects.get(action="needs.submit")
    assert (entry.community_id, entry.actor) == (world.zhige.pk, world.wangfang)


# --- the duplicate guard ------------------------------------------------------------------------

def test_the_same_text_again_within_ten_minutes_returns_the_need_already_sent(world, clock):
    first = submit(world.wangfang)
    clock.advance(minutes=9)
    again, created = services.need_submit(actor=world.wangfang, category=category(), text=EYE_DROPS + "！",
                                          lng=IN_ZHIGE[0], lat=IN_ZHIGE[1])
    assert (again, created) == (first, False)
    assert Need.objects.count() == 1


def test_different_text_a_later_time_or_another_resident_make_a_new_need(world, clock):
    first = submit(world.wangfang)
    other_text, created = services.need_submit(actor=world.wangfang, category=category(), text="帮我换个灯泡",
                                               lng=IN_ZHIGE[0], lat=IN_ZHIGE[1])
    assert created and other_text != first
    other_person = submit(world.zhangwei, at=IN_YANLAN)
    assert other_person != first
    clock.advance(minutes=11)
    later = submit(world.wangfang)
    assert later != first
    assert Need.objects.count() == 4


# --- photos --------------------------------------------------------------------------------------

def test_photos_are_stored_with_the_need(world, media):
    need = submit(world.wangfang, photo_files=[upload(png_bytes()), upload(png_bytes(), "b.png")])
    stored = list(need.photos.all())
    assert len(stored) == 2 and all(p.stage == NeedPhoto.Stage.SUBMITTED for p in stored)
    assert (stored[0].width, stored[0].height) == (40, 30)
    assert (media / stored[0].image.name).exists()


def test_at_most_six_photos(world):
    with pytest.raises(DomainError) as refused:
        submit(world.wangfang, photo_files=[upload(png_bytes(), f"{i}.png") for i in range(7)])
    assert refused.value.code == "too_many_photos"
    assert not Need.objects.exists()


def test_a_file_that_is_not_an_image_is_refused(world):
    with pytest.raises(DomainError) as refused:
        submit(world.wangfang, photo_files=[upload(b"%PDF-1.4 not a photo at all", "scan.jpg", "image/jpeg")])
    assert (refused.value.code, refused.value.field) == ("photo_not_image", "photos")
    assert "scan.jpg" in str(refused.value.message)
    assert not Need.objects.exists()


def test_a_truncated_image_is_refused(world):
    data = png_bytes((200, 200))
    with pytest.raises(DomainError) as refused:
        submit(world.wangfang, photo_files=[upload(data[: len(data) // 2])])
    assert refused.value.code == "photo_not_image"


def test_a_photo_over_the_size_limit_is_refused(world, settings):
    settings.JUSHA_PHOTO_MAX_BYTES = 2 * 1024 * 1024
    big = upload(b"\x89PNG" + b"\0" * (2 * 1024 * 1024 + 1), "huge.png")
    with pytest.raises(DomainError) as refused:
        submit(world.wangfang, photo_files=[big])
    assert refused.value.code == "photo_too_large"
    assert "2 MB" in str(refused.value.message)


def _png_declaring(width: int, height: int) -> bytes:
    """A tiny, valid-looking PNG whose header claims a huge picture: a decompression bomb's calling card."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64))
            + chunk(b"IEND", b""))


def test_a_decompression_bomb_is_refused_before_it_is_decoded(world):
    bomb = _png_declaring(100_000, 100_000)
    assert len(bomb) < 200
    with pytest.raises(DomainError) as refused:
        submit(world.wangfang, photo_files=[upload(bomb, "bomb.png")])
    assert refused.value.code == "photo_too_many_pixels"


def test_the_pixel_limit_is_a_setting(world, settings):
    settings.JUSHA_PHOTO_MAX_PIXELS = 1000
    with pytest.raises(DomainError) as refused:
        submit(world.wangfang, photo_files=[upload(png_bytes((50, 50)))])
    assert refused.value.code == "photo_too_many_pixels"
    assert submit(world.wangfang, photo_files=[upload(png_bytes((30, 30)))]).photos.count() == 1


def _jpeg_with_exif(orientation: int) -> bytes:
    """A 40×20 JPEG, red on the left and blue on the right, with an orientation tag and a GPS position."""
    image = Image.new("RGB", (40, 20), (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, 20, 20))
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {1: "N", 2: (30.0, 18.0, 18.0), 3: "E", 4: (120.0, 18.0, 18.0)}
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes(), quality=95)
    return out.getvalue()


def test_exif_is_stripped_and_the_orientation_applied(world, media):
    original = _jpeg_with_exif(orientation=6)
    with Image.open(io.BytesIO(original)) as check:
        assert check.getexif()[0x0112] == 6 and check.size == (40, 20)
    need = submit(world.wangfang, photo_files=[upload(original, "IMG_0001.jpg", "image/jpeg")])
    stored = need.photos.get()
    with Image.open(media / stored.image.name) as image:
        assert image.size == (20, 40), "the 90° turn the phone recorded is applied to the pixels"
        assert dict(image.getexif()) == {}
        assert "exif" not in image.info
        top, bottom = image.convert("RGB").getpixel((10, 2)), image.convert("RGB").getpixel((10, 37))
    assert top[0] > 200 and top[2] < 60, "the red left edge is now at the top"
    assert bottom[2] > 200 and bottom[0] < 60
    assert (stored.width, stored.height) == (20, 40)


def test_a_transparent_png_stays_a_png_and_large_photos_are_scaled_down(world):
    clean = photos.clean_photo(upload(png_bytes((3000, 1500), (0, 0, 0, 0), mode="RGBA")))
    assert clean.file.name.endswith(".png")
    assert (clean.width, clean.height) == (2560, 1280)


# --- 代办: staff enter a need for a resident without a phone ----------------------------------------

def test_staff_enter_a_need_for_a_resident_without_a_phone(world):
    need, created = services.need_submit_on_behalf(
        actor=world.lina, community=world.zhige, resident_name="李奶奶", category=category("elderly_disabled"),
        text="李奶奶需要有人陪同去医院复诊", address="3幢2单元101", contact="visit")
    assert created and need.is_on_behalf and need.on_behalf_by == world.lina
    person = need.resident
    assert (person.name, person.mobile, person.has_usable_password()) == ("李奶奶", None, False)
    assert RoleAssignment.objects.filter(user=person, role=Role.RESIDENT, community=world.zhige).exists()
    assert need.events.get().actor == world.lina
    assert AuditEntry.objects.filter(action="needs.resident_recorded").exists()


def test_on_behalf_with_a_known_mobile_uses_that_resident(world):
    need, _ = services.need_submit_on_behalf(actor=world.lina, community=world.zhige, resident_mobile="138 0000 0001",
                                             resident_name="王阿姨", category=category(), text=EYE_DROPS)
    assert need.resident == world.wangfang


def test_staff_enter_needs_only_for_their_own_communities(world):
    with pytest.raises(DomainError) as refused:
        services.need_submit_on_behalf(actor=world.lina, community=world.yanlan, resident_name="某某",
                                       category=category(), text="x")
    assert refused.value.code == "not_your_community"
    with pytest.raises(DomainError):
        services.need_submit_on_behalf(actor=world.wangfang, community=world.zhige, resident_name="某某",
                                       category=category(), text="x")
    services.need_submit_on_behalf(actor=world.liuyang, community=world.yanlan, resident_name="某某",
                                   category=category(), text="需要帮忙")
    assert not User.objects.filter(name="某某").exclude(needs__community=world.yanlan).exists()
