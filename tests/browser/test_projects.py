"""Service projects in a real browser: 刘洋 (subdistrict staff) sees the year still lacks items, plans
the fifth required one through the form and starts it; 郑丽 (下沙医院's liaison) records progress; 王芳
reads the year's items on a 320 px phone, in elderly mode too. axe-core runs on every page."""

import re
from datetime import date, datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from jusha.projects import services
from jusha.projects.models import ProjectProgress, ServiceProject
from tests.browser.helpers import assert_clean, axe, shot
from tests.browser.test_foundation import resident_logs_in, staff_logs_in
from tests.needs_helpers import category
from tests.projects_helpers import YEAR, K, plan

pytestmark = pytest.mark.browser


def no_sideways_scroll(page, width):
    scroll = page.evaluate("() => document.scrollingElement.scrollWidth")
    assert scroll <= width, f"{page.url} scrolls sideways: {scroll} > {width}"


def test_planning_an_item_recording_progress_and_the_public_page(transactional_db, world, live_server, page_at,
                                                                   sent_texts, clock):
    clock.current = timezone.make_aware(datetime(YEAR, 6, 15, 10, 0))
    base = live_server.url
    category("health")
    for n in range(1, 5):
        plan(world, number=n, title=f"必选项目{n}")
    services.project_start(actor=world.liuyang, project=plan(world, kind=K.OPTIONAL, number=1, title="四点半课堂"))

    staff = page_at(1280, 900)
    staff_logs_in(staff, base, "liuyang")
    staff.goto(f"{base}/console/projects/items/")
    expect(staff.get_by_test_id("items-missing").first).to_have_attribute("data-missing", "1")
    shot(staff, "projects-01-items")
    axe(staff)

    staff.goto(f"{base}/console/projects/new/?kind=required&year={YEAR}")
    staff.fill("#id_number", "5")
    staff.fill("#id_title", "义诊进社区")
    staff.select_option("#id_owner", str(world.hospital.pk))
    staff.locator(f"input[name=communities][value='{world.zhige.pk}']").check()
    staff.fill("#id_starts_on", f"{YEAR}-02-01")
    staff.fill("#id_ends_on", f"{YEAR}-12-31")
    staff.fill("#id_target_label_1", "服务人次")
    staff.fill("#id_target_quantity_1", "200")
    axe(staff)
    staff.locator("form[data-testid=project-form] button[type=submit]").click()
    project = ServiceProject.objects.get(title="义诊进社区")
    staff.wait_for_url(f"{base}/console/projects/{project.pk}/")
    staff.get_by_test_id("step-start").locator("button").click()
    expect(staff.get_by_test_id("project")).to_have_attribute("data-status", "active")
    axe(staff)

    staff.goto(f"{base}/console/projects/")
    staff.select_option("select[name=kind]", "optional")
    expect(staff.get_by_test_id("project-row")).to_have_count(1)
    expect(staff.get_by_test_id("project-row")).to_contain_text("四点半课堂")
    expect(staff.get_by_test_id("export")).to_have_attribute("href", re.compile(r"export\.xlsx\?.*kind=optional"))
    shot(staff, "projects-02-list")
    axe(staff)
    assert_clean(staff)

    liaison = page_at(1280, 900)
    staff_logs_in(liaison, base, "zhengli")
    liaison.goto(f"{base}/console/projects/{project.pk}/")
    form = liaison.get_by_test_id("progress-form")
    form.locator("input[name=on]").fill(f"{YEAR}-06-10")
    form.locator(f"input[name=quantity_{project.targets.get().pk}]").fill("50")
    form.locator("button[type=submit]").click()
    expect(liaison.get_by_test_id("target")).to_have_attribute("data-percent", "25")
    assert ProjectProgress.objects.get().member_unit == world.hospital
    shot(liaison, "projects-03-progress")
    axe(liaison)
    assert_clean(liaison)

    phone = page_at(320, 640)
    resident_logs_in(phone, base, "13800000001", sent_texts)
    phone.goto(f"{base}/services/")
    phone.get_by_test_id("service-items").click()
    phone.wait_for_url(f"{base}/projects/")
    expect(phone.get_by_test_id("public-project")).to_have_count(6)
    expect(phone.locator(f"[data-project='{project.pk}'] progress")).to_have_attribute("value", "25")
    no_sideways_scroll(phone, 320)
    shot(phone, "projects-04-h5")
    axe(phone)
    phone.get_by_test_id("elderly-toggle").click()
    expect(phone.locator("html")).to_have_class(re.compile(r"\belderly\b"))
    no_sideways_scroll(phone, 320)
    shot(phone, "projects-05-h5-elderly")
    axe(phone)
    assert_clean(phone)
    assert date(YEAR, 6, 10) == ProjectProgress.objects.get().on
