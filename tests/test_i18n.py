"""zh-Hans is the default language; English is the second."""

import polib
import pytest
from django.conf import settings


def test_pages_are_chinese_by_default(client, db):
    page = client.get("/").content.decode()
    assert 'lang="zh-hans"' in page
    assert "首页" in page and "长辈版" in page


def test_english_on_request(client, db):
    page = client.get("/", headers={"Accept-Language": "en"}).content.decode()
    assert 'lang="en"' in page
    assert "Elderly mode" in page


def test_api_errors_are_translated(client, db):
    body = client.post("/api/auth/code", {"mobile": "123"}, content_type="application/json").json()
    assert body["detail"] == "请输入11位中国大陆手机号。"


def test_every_source_string_has_a_chinese_translation():
    po = polib.pofile(str(settings.BASE_DIR / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    untranslated = [e.msgid for e in po if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)]
    assert untranslated == []


def test_validator_messages_are_translated_when_shown_not_when_imported(db):
    from django.core.exceptions import ValidationError
    from django.utils import translation

    from jusha.places.models import District

    for language, expected in (("zh-hans", "请输入 6 位数字。"), ("en", "Enter exactly 6 digits.")):
        with translation.override(language):
            with pytest.raises(ValidationError) as refused:
                District(code="12", name="x").full_clean()
            assert refused.value.message_dict["code"] == [expected]
