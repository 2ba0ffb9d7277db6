#!/usr/bin/env python3
"""Print the README's headline table of a results folder's summary.csv
(effects over every replication): estimate [95% interval] (90% interval
across the ensemble, when there is one). Usage: scripts/readme-table.py DIR"""
import csv
import sys

ROWS = [
    ("campaigns_change_pct", "campaigns, % change, whole window", 1, 1),
    ("campaigns_change_pct_d0_14", "campaigns, % change, days 0-14", 1, 1),
    ("campaigns_change_pct_d15_90", "campaigns, % change, days 15-90", 1, 1),
    ("days_to_recover", "days to recover (sustained 90%), median", 0, 1),
    ("recovered_share", "share of replications recovered", 2, 1),
    ("arrested_share", "share of replications with the operators arrested", 2, 1),
    ("infrastructure_cost_per_campaign_change_pct", "infrastructure cost per campaign-day, % change", 1, 1),
    ("cost_per_compromise_change_pct", "cost per compromise, % change", 1, 1),
    ("compromises_averted", "compromises averted", 0, 1),
    ("losses_averted_usd", "expected losses averted, $M", 1, 1e-6),
    ("price_index_change_peak_pct", "price index, peak % change", 0, 1),
    ("price_paid_change_peak_pct", "cash paid per seat-day (30 days), peak % change", 0, 1),
    ("displaced_resubscribed_share", "displaced who found a new provider", 2, 1),
    ("dormant_share", "extra share deterred into dormancy", 3, 1),
    ("desisted_share", "extra share who desisted for good", 3, 1),
]


def number(text, decimals, scale, missing):
    if text == "":
        return missing
    value = float(text) * scale
    out = f"{value:,.{decimals}f}"
    return "0" + out[2:] if out.startswith("-0") and float(out.replace(",", "")) == 0 else out


def cell(row, decimals, scale):
    if row is None:
        return "n/a"
    missing = "not reached" if row["statistic"] == "median" else "n/a"
    text = number(row["estimate"], decimals, scale, missing)
    if row["ci_low"] or row["ci_high"]:
        text += f" [{number(row['ci_low'], decimals, scale, missing)}, {number(row['ci_high'], decimals, scale, missing)}]"
    if row.get("ensemble_p05"):
        text += f" ({number(row['ensemble_p05'], decimals, scale, missing)} to {number(row['ensemble_p95'], decimals, scale, missing)})"
    return text


def main(folder):
    with open(f"{folder}/summary.csv", newline="") as f:
        rows = [r for r in csv.DictReader(f)
                if r["outcome"] == "all" and r["statistic"] not in ("difference", "ratio")]
    arms = list(dict.fromkeys(r["arm"] for r in rows))
    print("| metric | " + " | ".join(arms) + " |")
    print("|---|" + "---|" * len(arms))
    for metric, label, decimals, scale in ROWS:
        found = {r["arm"]: r for r in rows if r["metric"] == metric}
        print(f"| {label} | " + " | ".join(cell(found.get(a), decimals, scale) for a in arms) + " |")


if __name__ == "__main__":
    main(sys.argv[1])
