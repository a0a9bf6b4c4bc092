"""Generate N realistic, valid client profiles for the batch benchmark (deterministic for a seed).

Every tenth client in two is in healthcare (clients 0, 1, 10, 11, ...: exactly 20%), so a bump
of the HIPAA addendum affects a known subset. Tiers, states, user counts and declined controls
vary; declines stay within the shipped refusal policy (nothing mandatory is declined).

    python benchmarks/generate_profiles.py OUT_DIR [--count 500] [--seed 7] [--csv clients.csv]
"""

from __future__ import annotations

import argparse
import csv
import random
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml

TIERS = ("break_fix", "essentials", "managed", "co_managed", "security_plus")
OTHER_INDUSTRIES = ("general", "general", "legal", "finance", "defense", "retail")
STATES = ("Ohio", "California", "Texas", "New York", "Oregon", "Massachusetts", "Florida", "Illinois",
          "Georgia", "Washington", "Colorado", "Arizona", "Michigan", "Virginia", "Maine")
FIRST = ("Harbor", "Granite", "Copper", "Pine", "River", "Summit", "Cedar", "Lakeshore", "Prairie", "Ironwood",
         "Bluebird", "Maple", "Redwood", "Falcon", "Silver", "Northgate", "Orchard", "Sterling", "Willow", "Beacon")
SECOND = ("Dental", "Pediatrics", "Logistics", "Partners", "Bakery", "Machining", "Consulting", "Credit Union",
          "Outdoor Supply", "Components", "Realty", "Veterinary", "Architects", "Accounting", "Clinic")
ENTITY = ("LLC", "Inc.", "P.C.", "Co.", "LLP", "Group")
HEALTHCARE_SHARE = {0, 1}  # i % 10 in this set


def industry_of(index: int) -> str:
    return "healthcare" if index % 10 in HEALTHCARE_SHARE else OTHER_INDUSTRIES[index % len(OTHER_INDUSTRIES)]


def profile(index: int, rng: random.Random) -> dict[str, Any]:
    tier = TIERS[rng.randrange(len(TIERS))]
    industry = industry_of(index)
    name = f"{rng.choice(FIRST)} {rng.choice(SECOND)} {index:04d} {rng.choice(ENTITY)}"
    state = rng.choice(STATES)
    data: dict[str, Any] = {
        "client": {
            "legal_name": name,
            "jurisdiction": state,
            "address": f"{rng.randint(1, 9999)} Main St, Springfield",
            "signatory": {"name": f"Owner {index}", "title": "President",
                          "email": f"owner{index}@client{index}.example", "authority": "officer"},
            "users": rng.choice((3, 8, 15, 28, 45, 85, 120, 300)),
        },
        "tier": tier,
        "industry": industry,
        "effective_date": (date(2026, 12, 1) + timedelta(days=rng.randrange(0, 90))).isoformat(),
    }
    controls: dict[str, Any] = {}
    if tier != "break_fix" and rng.random() < 0.3:
        controls["security_training"] = {"status": "declined", "offered": "2026-10-01",
                                         "reason": "The client runs its own awareness programme."}
    # MFA is mandatory for regulated industries above break/fix (library 2026.12 refusal policy).
    if tier in ("essentials", "co_managed") and industry in ("general", "retail") and rng.random() < 0.2:
        controls["mfa"] = {"status": "declined", "offered": "2026-10-15", "reason": "Staff share kiosk devices."}
    if controls:
        data["controls"] = controls
    if rng.random() < 0.2:
        data["params"] = {"client_cyber_insurance_minimum": rng.choice((2000000, 3000000, 5000000))}
    return data


def generate(out_dir: Path, count: int = 500, seed: int = 7) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    paths = []
    for index in range(count):
        path = out_dir / f"client-{index:04d}.yaml"
        path.write_text(yaml.safe_dump(profile(index, rng), sort_keys=False), encoding="utf-8")
        paths.append(path)
    return paths


def _flatten(data: dict[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, name + "."))
        else:
            flat[name] = str(value)
    return flat


def write_csv(path: Path, count: int = 500, seed: int = 7) -> Path:
    """The same clients as one CSV with dotted headers (see the README's column list)."""
    rng = random.Random(seed)
    rows = [_flatten(profile(i, rng)) for i in range(count)]
    headers = sorted({h for row in rows for h in row}, key=lambda h: (h.count("."), h))
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=headers)
        writer.writeheader()
        writer.writerows(rows)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--csv", type=Path, help="Also write the clients as one CSV file here.")
    args = parser.parse_args()
    paths = generate(args.out_dir, args.count, args.seed)
    print(f"wrote {len(paths)} profiles to {args.out_dir}")
    if args.csv:
        write_csv(args.csv, args.count, args.seed)
        print(f"wrote {args.csv}")


if __name__ == "__main__":
    main()
