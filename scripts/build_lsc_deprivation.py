"""Build the region pack's deprivation files from the English Indices of Deprivation 2019 (File 1).

    .venv/bin/python scripts/build_lsc_deprivation.py --source ../shared/data/deprivation

Writes `joinedup/directory/regions/lsc/lsoas.csv`: one row per 2011 LSOA of the region's 16 local authority
districts with its IMD 2019 decile (`code,name,lad_code,lad_name,imd_decile`), a reduced copy of the source
(the rank is dropped: reports use the decile's quintile). `locality_lads.csv` (which districts each EMDT locality
lies in) is kept by hand beside it. Open Government Licence v3.0 (MHCLG).
"""

import argparse
import csv
from pathlib import Path

SOURCE_NAME = "imd2019-lsoa-deciles_lancashire-south-cumbria.csv"
PACK = Path(__file__).resolve().parents[1] / "joinedup" / "directory" / "regions" / "lsc"
COLUMNS = ("code", "name", "lad_code", "lad_name", "imd_decile")


def build(source: Path, pack: Path = PACK) -> int:
    with open(source / SOURCE_NAME, encoding="utf-8-sig", newline="") as f:
        rows = [
            (
                r["LSOA code (2011)"].strip(),
                r["LSOA name (2011)"].strip(),
                r["Local Authority District code (2019)"].strip(),
                r["Local Authority District name (2019)"].strip(),
                int(r["Index of Multiple Deprivation (IMD) Decile"]),
            )
            for r in csv.DictReader(f)
        ]
    rows.sort()
    with open(pack / "lsoas.csv", "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows(rows)
    return len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, required=True, help="the folder holding the IMD 2019 file")
    args = parser.parse_args()
    print(f"lsoas.csv: {build(args.source)} LSOAs")


if __name__ == "__main__":
    main()
