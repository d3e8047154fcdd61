"""What every django-import-export resource of the portal shares."""

from import_export import resources


class ModelResource(resources.ModelResource):
    """A ModelResource that leaves the id sequence alone after an import.

    django-import-export's `after_import` resets a model's sequence to the largest id the
    importing transaction sees (as loaddata does for explicit ids). Our ids always come from the
    sequence, and the reset hands out again ids that another province's import, running at the
    same time in its own transaction, is still using: duplicate key on PostgreSQL (seen with two
    generate_scale_data workers importing catalogues, and possible for two results imports)."""

    def after_import(self, dataset, result, **kwargs):
        pass
