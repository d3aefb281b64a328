"""The frozen monthly reports: a PDF per area per month, made once by a scheduled job and never changed."""

from django.db import models


class FrozenReport(Exception):
    pass


class MonthlyReport(models.Model):
    """The month's report for one area, as it was made on the first working day after the month. Kept unchanged:
    a saved one cannot be saved again (its checksum is on the list so a copy can be checked)."""

    area_key = models.CharField(max_length=80)  # as in the report URLs: icb, area:<code>, provider:<code>...
    area_title = models.CharField(max_length=250)
    month = models.DateField()  # the first day of the month it reports on
    made_at = models.DateTimeField()
    pdf = models.BinaryField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["-month", "area_key"]
        constraints = [models.UniqueConstraint(fields=["area_key", "month"], name="one_monthly_report_per_area")]

    def __str__(self):
        return f"{self.area_title}, {self.month:%B %Y}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise FrozenReport("A monthly report is kept as it was made")
        super().save(*args, **kwargs)


class ReportSnapshot(models.Model):
    """The reporting store: one report as built for one area, breakdown and period, kept so a page reads it
    instead of working its figures out again. store.py refreshes the ones read lately every 15 minutes; a page
    says when its figures were worked out (`made_at`)."""

    key = models.CharField(max_length=300, unique=True)
    slug = models.CharField(max_length=40)
    made_at = models.DateTimeField()
    last_read_at = models.DateTimeField()
    seconds = models.FloatField(default=0)  # how long it took to build
    payload = models.BinaryField()  # the built report (presenters.Report), pickled: written only by store.py

    def __str__(self):
        return self.key


class Lsoa(models.Model):
    """A lower layer super output area (2011) of the region and its Index of Multiple Deprivation 2019 decile
    (1 = the most deprived tenth of England), from the region pack's `lsoas.csv` (reporting/deprivation.py)."""

    code = models.CharField(max_length=9, unique=True)
    name = models.CharField(max_length=100)
    lad_code = models.CharField(max_length=9)
    lad_name = models.CharField(max_length=100)
    imd_decile = models.PositiveSmallIntegerField()

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def imd_quintile(self) -> int:
        return (self.imd_decile + 1) // 2


class PostcodeLsoa(models.Model):
    """Which LSOA a postcode lies in: the lookup that places a person (by their postcode) in a deprivation
    quintile. Loaded from the region pack's `postcode_lsoas.csv` when it has one (reporting/deprivation.py)."""

    postcode = models.CharField(max_length=8, unique=True)  # normalised, e.g. "FY1 4AB"
    lsoa = models.ForeignKey(Lsoa, on_delete=models.CASCADE, related_name="postcodes")

    def __str__(self):
        return f"{self.postcode} {self.lsoa_id}"


class SmiMonthEnd(models.Model):
    """A summary table: the SMI register figures of every practice at the end of one completed month (on the
    register, a full check in the last 12 months, none in 36), worked out once for all practices and reused by
    every SMI report whose months include it, for a day (queries.MONTH_END_KEPT); then worked out again."""

    day = models.DateField(unique=True)  # the month's last day
    counts = models.JSONField()  # {practice id: [register, checked_12m, none_36m]}
    made_at = models.DateTimeField()

    def __str__(self):
        return f"SMI month end {self.day}"
