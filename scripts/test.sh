#!/usr/bin/env bash
# The README's test command: install what the tests need beyond the Rust
# toolchain when it is missing, then run the test suite. Arguments are passed
# on to `cargo test --release` (e.g. `scripts/test.sh --test readme_commands`).
set -euo pipefail
cd "$(dirname "$0")/.."

# Headless Chromium for the report's browser test, chromedriver for the
# workshop room's (unless skipped knowingly or named by CAASIM_CHROMIUM and
# CAASIM_CHROMEDRIVER), and poppler-utils (pdftotext, pdftoppm) to read the
# pages the print test prints and the compiled tables (unless both are
# skipped knowingly); Slurm and munge
# for the test that runs a sweep as a job array on a real one-node cluster;
# procps for `pgrep` and `kill`, which that cluster's script and the
# interrupt test use.
have() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] || [ -x "/sbin/$1" ]; }
packages=()
if [ "${CAASIM_SKIP_BROWSER:-}" != 1 ] && [ -z "${CAASIM_CHROMIUM:-}" ]; then
  have chromium || packages+=(chromium)
fi
if [ "${CAASIM_SKIP_BROWSER:-}" != 1 ] && [ -z "${CAASIM_CHROMEDRIVER:-}" ]; then
  have chromedriver || packages+=(chromium-driver)
fi
if [ "${CAASIM_SKIP_BROWSER:-}" != 1 ] || [ "${CAASIM_SKIP_TEX:-}" != 1 ]; then
  { have pdftotext && have pdftoppm; } || packages+=(poppler-utils)
fi
have slurmctld || packages+=(slurm-wlm)
have munged || packages+=(munge)
have pgrep || packages+=(procps)
# pdflatex (with booktabs) to compile the tables for papers (unless
# skipped knowingly), without TeX's recommended extras (50 MB in all).
lean=()
if [ "${CAASIM_SKIP_TEX:-}" != 1 ]; then
  have pdflatex || lean+=(texlive-latex-base texlive-latex-recommended)
fi
if [ ${#packages[@]} -gt 0 ] || [ ${#lean[@]} -gt 0 ]; then
  as_root=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
      as_root="sudo"
    else
      as_root="none"
    fi
  fi
  if [ "$as_root" = none ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "warning: cannot install ${packages[*]} ${lean[*]} (needs apt-get and root or sudo);" \
      "install them yourself, or the tests that need them will fail or skip" >&2
  else
    echo "installing ${packages[*]} ${lean[*]} (Debian packages the tests need)" >&2
    # shellcheck disable=SC2086 # $as_root is empty or one word
    ($as_root apt-get update -qq &&
      { [ ${#packages[@]} -eq 0 ] ||
        $as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" >/dev/null; } &&
      { [ ${#lean[@]} -eq 0 ] ||
        $as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
          "${lean[@]}" >/dev/null; }) ||
      echo "warning: could not install ${packages[*]} ${lean[*]}; the tests that need them will fail or skip" >&2
  fi
fi

cargo test --release "$@"
