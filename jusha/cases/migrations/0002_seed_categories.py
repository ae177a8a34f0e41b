"""The case category tree, modelled on the national classification (GB/T 30428.2/.3, CJ/T 214).

Codes: SJ = 事件 (event), BJ = 部件 (component); then two digits for the top class (大类) and two for
the sub-class (小类), the standard's own layout. The sub-class numbers are this seed's; a deployment that
must report upwards maps them to its province's list (docs/cases.md). Time limits are minutes.
"""

from django.db import migrations

# (code, name, English name) of the top classes, then their sub-classes:
# (code, name, English name, handler, team kind, photo required, urgency, accept, dispatch, handle, verify,
#  working hours)
EVENT = "event"
COMPONENT = "component"
TREE = [
    (EVENT, "SJ01", "市容环境", "Street appearance and environment", [
        ("SJ0101", "暴露垃圾", "Exposed garbage", "grid", "", True, 1, 30, 30, 240, 120, True),
        ("SJ0102", "乱扔垃圾", "Littering", "grid", "", False, 1, 30, 30, 120, 120, True),
        ("SJ0103", "乱堆物堆料", "Piled goods and materials", "grid", "", True, 1, 30, 30, 480, 120, True),
        ("SJ0104", "沿街晾晒", "Clothes drying along the street", "grid", "", False, 1, 30, 30, 120, 120, True),
    ]),
    (EVENT, "SJ02", "宣传广告", "Advertising", [
        ("SJ0201", "非法小广告", "Illegal small adverts", "grid", "", True, 1, 30, 30, 240, 120, True),
    ]),
    (EVENT, "SJ03", "施工管理", "Construction", [
        ("SJ0301", "施工扰民", "Construction disturbing residents", "team", "city_management", False, 2,
         15, 15, 240, 120, False),
    ]),
    (EVENT, "SJ04", "突发事件", "Emergencies", [
        ("SJ0401", "道路积水", "Flooded road", "team", "municipal_works", True, 3, 10, 10, 120, 60, False),
    ]),
    (EVENT, "SJ05", "街面秩序", "Street order", [
        ("SJ0501", "占道经营", "Business occupying the street", "team", "integrated_brigade", True, 1,
         30, 30, 240, 120, True),
        ("SJ0502", "无照游商", "Unlicensed street vending", "team", "integrated_brigade", False, 1,
         30, 30, 120, 120, True),
        ("SJ0503", "违章停车", "Illegal parking", "team", "integrated_brigade", True, 1, 30, 30, 120, 120, True),
        ("SJ0504", "噪声扰民", "Noise nuisance", "team", "environment", False, 2, 30, 30, 240, 120, False),
    ]),
    (EVENT, "SJ99", "扩展事件", "Other events", [
        ("SJ9901", "其他事件", "Other event", "grid", "", False, 1, 60, 60, 1440, 240, True),
    ]),
    (COMPONENT, "BJ01", "公用设施", "Public utilities", [
        ("BJ0101", "井盖缺失/破损/位移", "Manhole cover missing, broken or moved", "team", "municipal_works", True, 3,
         10, 10, 240, 60, False),
    ]),
    (COMPONENT, "BJ02", "道路交通", "Roads and traffic", [
        ("BJ0201", "道路破损", "Damaged road", "team", "municipal_works", True, 2, 30, 30, 1440, 240, True),
    ]),
    (COMPONENT, "BJ03", "市容环境", "Street furniture", [
        ("BJ0301", "垃圾箱破损", "Damaged litter bin", "team", "environment", True, 1, 60, 60, 1440, 240, True),
    ]),
    (COMPONENT, "BJ04", "园林绿化", "Parks and greenery", [
        ("BJ0401", "树木倒伏/绿地损坏", "Fallen tree or damaged green", "team", "municipal_works", True, 2,
         30, 30, 480, 240, True),
    ]),
    (COMPONENT, "BJ05", "其他设施", "Other facilities", [
        ("BJ0501", "其他设施损坏", "Other damaged facility", "grid", "", True, 1, 60, 60, 1440, 240, True),
    ]),
    (COMPONENT, "BJ99", "扩展部件", "Other components", [
        ("BJ9901", "其他部件", "Other component", "grid", "", True, 1, 60, 60, 1440, 240, True),
    ]),
]


def seed(apps, schema_editor):
    CaseCategory = apps.get_model("cases", "CaseCategory")
    for order, (kind, code, name, name_en, leaves) in enumerate(TREE):
        top, _ = CaseCategory.objects.get_or_create(code=code, defaults={
            "kind": kind, "name": name, "name_en": name_en, "sort_order": order})
        for leaf_order, (leaf_code, leaf_name, leaf_en, handler, team_kind, photo, urgency, accept, dispatch, handle,
                         verify, working) in enumerate(leaves):
            CaseCategory.objects.get_or_create(code=leaf_code, defaults={
                "parent": top, "kind": kind, "name": leaf_name, "name_en": leaf_en, "sort_order": leaf_order,
                "handler": handler, "team_kind": team_kind, "photo_required": photo, "urgency": urgency,
                "accept_minutes": accept, "dispatch_minutes": dispatch, "handle_minutes": handle,
                "verify_minutes": verify, "working_hours": working})


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
