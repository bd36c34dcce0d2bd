"""The static files storage of collected files: WhiteNoise's compressed manifest storage, whose URLs name
the hashed files under DEBUG too (ADR 0010)."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class CollectedStaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Hashed names whatever DEBUG says: Django's manifest storage links the unhashed source files under
    DEBUG, which `siliu serve` (`make run`) would then serve without a long cache."""

    def url(self, name: str | None, force: bool = False) -> str:
        return super().url(name, force=True)
