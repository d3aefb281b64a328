"""The region pack: places, organisations, teams and services.

All of it is reference data loaded from files by `manage.py load_region`; nothing here is specific to
Lancashire and South Cumbria, so another region loads its own pack without a code change.
"""

from django.db import models


class Region(models.Model):
    """An integrated care board's area, e.g. NHS Lancashire and South Cumbria ICB (QE1). Several may be loaded;
    staff of one never see another's people, registers or figures (docs/regions.md)."""

    code = models.CharField(max_length=10, unique=True)
    name = models.CharField(max_length=200)
    short_name = models.CharField(max_length=100)
    # A made-up region (docs/regions.md): its codes are in the reserved synthetic range (loading.py checks).
    synthetic = models.BooleanField(default=False)

    def __str__(self):
        return self.name


class Area(models.Model):
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="areas")
    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Locality(models.Model):
    """An EMDT locality: each has one enhanced multi-disciplinary team."""

    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="localities")
    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "localities"

    def __str__(self):
        return self.name


class Pcn(models.Model):
    """A primary care network. Each maps to one EMDT locality."""

    code = models.CharField(max_length=10, unique=True)
    name = models.CharField(max_length=200)
    locality = models.ForeignKey(Locality, on_delete=models.PROTECT, related_name="pcns")

    class Meta:
        ordering = ["name"]
        verbose_name = "PCN"

    def __str__(self):
        return self.name


class Practice(models.Model):
    """A GP practice, by ODS code. Its locality decides a registered person's EMDT."""

    ods_code = models.CharField(max_length=10, unique=True)
    name = models.CharField(max_length=200)
    postcode = models.CharField(max_length=10, blank=True)
    town = models.CharField(max_length=100, blank=True)
    phone = models.CharField(max_length=30, blank=True)
    pcn = models.ForeignKey(Pcn, on_delete=models.PROTECT, null=True, blank=True, related_name="practices")
    locality = models.ForeignKey(Locality, on_delete=models.PROTECT, related_name="practices")
    sub_icb_code = models.CharField(max_length=5, blank=True)
    # The region of its locality's area, kept here by the loader so that "which region is this person in" (through
    # their practice) is one join for the access policy (core/access.py) and the Citus distribution key (013).
    region = models.ForeignKey(Region, on_delete=models.PROTECT, null=True, blank=True, related_name="practices")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.ods_code})"


class OrganisationKind(models.TextChoices):
    NHS = "nhs", "NHS"
    VCFSE = "vcfse", "Voluntary, community, faith and social enterprise"
    LOCAL_AUTHORITY = "local_authority", "Local authority"
    HEALTHWATCH = "healthwatch", "Healthwatch"


class Organisation(models.Model):
    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=OrganisationKind.choices)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class OutreachCoverage(models.Model):
    """Which organisation provides SMI physical health check outreach in a locality."""

    locality = models.OneToOneField(Locality, on_delete=models.PROTECT, related_name="outreach_coverage")
    provider = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="outreach_localities")

    def __str__(self):
        return f"{self.provider} in {self.locality}"


class EmdtService(models.Model):
    """A service an EMDT brings in when needed (debt advice, housing support...)."""

    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=200)
    need_domain = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class TeamKind(models.TextChoices):
    PRACTICE = "practice", "GP practice"
    PCN_MENTAL_HEALTH = "pcn_mental_health", "PCN mental health team"
    COMMUNITY_MENTAL_HEALTH = "community_mental_health", "Community mental health team"
    EMDT = "emdt", "Enhanced multi-disciplinary team"
    PEER_SUPPORT = "peer_support", "Peer support team"
    OUTREACH = "outreach", "SMI health check outreach team"
    PARTNER = "partner", "Partner service"
    COMMISSIONING = "commissioning", "Commissioning and analysis"
    ADMINISTRATION = "administration", "Administration and governance"


class Team(models.Model):
    """A team that staff belong to. What the team is attached to (practice, PCN, locality) shapes access."""

    code = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=30, choices=TeamKind.choices)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="teams")
    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, null=True, blank=True, related_name="teams")
    pcn = models.ForeignKey(Pcn, on_delete=models.PROTECT, null=True, blank=True, related_name="teams")
    locality = models.ForeignKey(Locality, on_delete=models.PROTECT, null=True, blank=True, related_name="teams")
    # The region whose pack holds the team: a member's relationships count only for that region's people
    # (core/access.py). Region-wide teams (commissioning, administration) have no place but still one region.
    # None (a team made outside a pack) opens no region at all: access fails closed.
    region = models.ForeignKey(Region, on_delete=models.PROTECT, null=True, blank=True, related_name="teams")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name
