#!/usr/bin/env python3
"""Print the README's validation table from a validation folder.

Usage: scripts/validation-table.py [results/validation]

One row per case: what happened (case.toml's `happened`), the largest |z| of
its fit targets, and each check target: observed, predicted mean, the 90%
interval of an observation (the predicted values blurred by the observation's
sd) and whether the observation is inside it; then, per case, what the model lacks (case.toml's
`missing`).
"""
import csv
import json
import sys
from pathlib import Path


def number(text, measure):
    value = float(text)
    if measure.endswith("_share"):
        return f"{value:.2f}"
    if measure.endswith("_pct") or "_pct_" in measure:
        return f"{value:+.0f}%"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.0f}" if abs(value) >= 10 else f"{value:.2g}"


def check_text(row):
    measure = row["measure"]
    bound = {"at_least": "≥ ", "at_most": "≤ "}.get(row["bound"], "")
    observed = bound + number(row["observed"], measure)
    if row["simulated"] == "":
        return f"{row['target']}: observed {observed}, not defined in the model"
    interval = (
        f"[{number(row['observable_low'], measure)}, {number(row['observable_high'], measure)}]"
    )
    verdict = "inside" if row["inside"] == "true" else "**outside**"
    return (
        f"{row['target']}: observed {observed}, predicted "
        f"{number(row['simulated'], measure)} {interval}, {verdict}"
    )


def main():
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "results/validation")
    identity = json.loads((folder / "validation.json").read_text())
    rows = list(csv.DictReader(open(folder / "validation.csv")))
    print(
        "| case | what happened | fit: largest \\|z\\| | check targets: observed, predicted "
        "[90% interval of an observation: the prediction blurred by the observation's sd] |"
    )
    print("|---|---|---|---|")
    for case in identity["cases"]:
        mine = [r for r in rows if r["case"] == case["name"]]
        zs = [abs(float(r["z"])) for r in mine if r["role"] == "fit" and r["z"] != ""]
        worst = f"{max(zs):.2f}" if zs else "—"
        checks = "<br>".join(check_text(r) for r in mine if r["role"] == "check")
        print(f"| {case['title']} | {case['happened']} | {worst} | {checks} |")
    print()
    print("What the model lacks, case by case (`case.toml`'s `missing`):")
    print()
    for case in identity["cases"]:
        print(f"- **{case['title']}**: {case['missing']}")


if __name__ == "__main__":
    main()
