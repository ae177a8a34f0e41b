"""The setup wizard in a real browser: 刘洋 (subdistrict staff of 下沙) uploads 智格's grids in GCJ-02 and
sees them on the preview map, imports them; then a units workbook with one bad row: sees the error,
fixes the file, uploads it again and imports. axe-core on every page."""

import pytest
from playwright.sync_api import expect

from jusha.orgs.models import MemberUnit
from jusha.places.models import Grid
from tests.browser.helpers import assert_clean, axe, shot
from tests.browser.test_foundation import staff_logs_in
from tests.onboarding_helpers import workbook_bytes, zhige_grids_gcj

pytestmark = pytest.mark.browser
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def upload(page, base, kind, name, content, mime):
    page.goto(f"{base}/console/onboarding/")
    page.select_option("#kind", kind)
    page.set_input_files("#file", files=[{"name": name, "mimeType": mime, "buffer": content}])
    page.get_by_test_id("upload-form").locator("button[type=submit]").click()
    expect(page.get_by_test_id("mapping-form")).to_be_visible()


def test_wizard_grids_then_units_with_one_bad_row(transactional_db, world, live_server, desktop_page):
    page, base = desktop_page, live_server.url
    staff_logs_in(page, base, "liuyang")
    page.goto(f"{base}/console/onboarding/")
    axe(page)

    upload(page, base, "places", "grids.geojson", zhige_grids_gcj(), "application/geo+json")
    page.select_option("#crs", "gcj02")
    expect(page.locator("#map_name")).to_have_value("网格名称")
    axe(page)
    page.get_by_test_id("check-file").click()
    expect(page.get_by_test_id("job-status")).to_have_attribute("data-status", "checked")
    preview = page.get_by_test_id("preview-map")
    expect(preview).to_have_attribute("data-ready", "true")
    assert preview.get_attribute("data-feature-count") == "2"
    shot(page, "onboarding-01-grids-preview")
    axe(page)
    page.get_by_test_id("confirm-import").click()
    expect(page.get_by_test_id("job-status")).to_have_attribute("data-status", "done")
    assert Grid.objects.get(code="330114001001001").name == "智格一网格"

    header = ["单位名称", "单位类别", "联系电话"]
    bad = workbook_bytes([header, ["下沙中学", "学校", "13812345678"], ["钱塘物业", "企业", "1381234"]])
    upload(page, base, "units", "units.xlsx", bad, XLSX)
    page.get_by_test_id("check-file").click()
    errors = page.get_by_test_id("error-table").locator("tbody tr")
    expect(errors).to_have_count(1)
    assert errors.first.get_attribute("data-code") == "invalid_mobile"
    expect(page.get_by_test_id("confirm-import")).to_have_count(0)
    expect(page.get_by_test_id("error-report")).to_be_visible()
    shot(page, "onboarding-02-units-error")
    axe(page)

    fixed = workbook_bytes([header, ["下沙中学", "学校", "13812345678"], ["钱塘物业", "企业", "13812345679"]])
    upload(page, base, "units", "units.xlsx", fixed, XLSX)
    page.get_by_test_id("check-file").click()
    expect(page.get_by_test_id("count-created")).to_have_text("2")
    page.get_by_test_id("confirm-import").click()
    expect(page.get_by_test_id("job-status")).to_have_attribute("data-status", "done")
    shot(page, "onboarding-03-units-done")
    axe(page)
    assert MemberUnit.objects.get(name="钱塘物业").contact_mobile == "13812345679"
    assert_clean(page)
