#!/usr/bin/env bash
# Regenerate every committed results folder with the README's commands, in
# order (run after a change to the model or to what a run writes; about 15
# minutes on two cores). Each folder is replaced: runs with --force (a
# committed reference folder refuses a run of a changed scenario without
# it), sweeps, the sensitivity analysis, the calibration and the validation
# suite's calibrations from scratch.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
caasim=target/release/caasim

for name in redvds-2026 lumma-2025 generic-market; do
  "$caasim" run "scenarios/$name.toml" --force --quiet
  "$caasim" run "scenarios/$name.toml" --reps 1000 --per-draw 5 --summary-only \
    --out "results/$name-ensemble" --force --quiet
done

rm -rf results/redvds-2026-sweep
"$caasim" sweep scenarios/redvds-2026.toml \
  --grid arms.takedown.interventions.0.capacity_seized=0.25,0.5,0.75,1.0 \
  --grid arms.takedown.interventions.0.downtime_days=0,30,60,120 --reps 10 \
  --out results/redvds-2026-sweep --quiet

TAKEDOWN='arms=[{name="takedown", description="14 January 2026: RedVDS domains and servers seized, customer data seized.", interventions=[{kind="takedown", start="2026-01-14", target={provider="RedVDS"}, capacity_seized=0.9, downtime_days=120, arrest_probability=0.2, customer_data_seized=true, cost_usd=2000000}]}]'
rm -rf results/redvds-2026-sensitivity
"$caasim" sensitivity scenarios/redvds-2026.toml \
  --range market.capacity_growth_per_day=0.005:0.05 --range market.provisioning_cost_usd_per_seat=5:60 \
  --range market.investment_lead_days=1:30 --range market.investment_horizon_days=30:180 \
  --range market.switching_cost_usd=0:100 --range market.switching_rebuild_days=0:14 \
  --range market.risk_shock_customers=0:0.05 \
  --range market.deterred_desist_share=0:0.5 --range market.deterred_return_per_day=0.005:0.1 \
  --range market.search_days=5:40 \
  --samples 64 --reps 3 --set "$TAKEDOWN" --out results/redvds-2026-sensitivity --quiet

rm -rf results/lumma-2025-calibration
"$caasim" calibrate scenarios/lumma-2025.toml --targets scenarios/lumma-2025-targets.toml \
  --params market.capacity_growth_per_day=0.005:0.06 --params market.search_days=3:40 \
  --params entry.max_per_day=0:0.3 --params market.reputation_loss_on_hit=0.05:0.8 \
  --params market.investment_lead_days=1:30 \
  --population 100 --generations 4 --reps 3 --out results/lumma-2025-calibration --quiet
"$caasim" validate --calibrate --quiet
"$caasim" coalition scenarios/redvds-2026.toml --arm takedown --out results/redvds-2026-coalition --force --quiet

for dir in results/redvds-2026-sweep results/redvds-2026-sensitivity results/lumma-2025-calibration; do
  "$caasim" report "$dir"
done
