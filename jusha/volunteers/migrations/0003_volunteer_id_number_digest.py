from django.db import migrations, models


def fill_digests(apps, schema_editor):
    """Records made before the digest get it from their sealed number, where the key still reads it."""
    from jusha.volunteers import idnumbers

    Volunteer = apps.get_model("volunteers", "Volunteer")
    seen = set()
    for volunteer in Volunteer.objects.exclude(id_number_encrypted="").only("id", "id_type", "id_number_encrypted"):
        number = idnumbers.unseal(volunteer.id_number_encrypted)
        digest = idnumbers.digest(volunteer.id_type, number) if number else None
        if digest and digest not in seen:
            seen.add(digest)
            Volunteer.objects.filter(pk=volunteer.pk).update(id_number_digest=digest)


class Migration(migrations.Migration):
    dependencies = [("volunteers", "0002_numbersequence")]

    operations = [
        migrations.AddField(
            model_name="volunteer",
            name="id_number_digest",
            field=models.CharField(blank=True, editable=False, max_length=64, null=True, unique=True,
                                   verbose_name="identity number digest"),
        ),
        migrations.RunPython(fill_digests, migrations.RunPython.noop),
    ]
