from django.db import migrations, models


def keep_newest_entry_per_key(apps, schema_editor):  # noqa: ANN001, ANN201
    entry_model = apps.get_model("extraction", "ExtractionCacheEntry")
    seen = set()
    stale = []
    for entry_id, project_id, key in entry_model.objects.order_by(
        "project_id", "key", "-created_at"
    ).values_list("id", "project_id", "key"):
        if (project_id, key) in seen:
            stale.append(entry_id)
        seen.add((project_id, key))
    for start in range(0, len(stale), 500):
        entry_model.objects.filter(id__in=stale[start : start + 500]).delete()


class Migration(migrations.Migration):
    dependencies = [("extraction", "0003_ordered_json")]

    operations = [
        migrations.RunPython(keep_newest_entry_per_key, migrations.RunPython.noop),
        migrations.RemoveIndex(
            model_name="extractioncacheentry", name="extraction__project_951412_idx"
        ),
        migrations.AddConstraint(
            model_name="extractioncacheentry",
            constraint=models.UniqueConstraint(
                fields=("project", "key"), name="extraction_cache_one_per_key"
            ),
        ),
    ]
