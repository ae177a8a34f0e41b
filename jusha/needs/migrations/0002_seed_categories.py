"""The ten top categories every deployment starts with; admins add sub-categories or rename them."""

from django.db import migrations

TOP_CATEGORIES = [
    ("errands", "生活帮扶/跑腿代办", "Daily help and errands"),
    ("elderly_disabled", "助老助残", "Help for the elderly and disabled"),
    ("health", "医疗健康", "Medical and health"),
    ("legal", "法律咨询", "Legal advice"),
    ("tutoring", "教育辅导", "Education and tutoring"),
    ("counselling", "心理疏导", "Counselling"),
    ("repairs", "维修服务", "Repairs"),
    ("sanitation", "环境卫生", "Environment and sanitation"),
    ("culture_sports", "文体活动", "Culture and sports"),
    ("other", "其他", "Other"),
]


def seed(apps, schema_editor):
    NeedCategory = apps.get_model("needs", "NeedCategory")
    for order, (code, name, name_en) in enumerate(TOP_CATEGORIES, start=1):
        NeedCategory.objects.update_or_create(code=code, defaults={"name": name, "name_en": name_en,
                                                                   "sort_order": order * 10})


def unseed(apps, schema_editor):
    NeedCategory = apps.get_model("needs", "NeedCategory")
    NeedCategory.objects.filter(code__in=[c for c, _, _ in TOP_CATEGORIES], needs__isnull=True,
                                children__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("needs", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
