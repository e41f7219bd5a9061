#!/usr/bin/env bash
# redline's end-to-end benchmark: generate trees of 20,000, 40,000 and 80,000 files (2% configs),
# then time `redline check` against `rg -uu -c requirepass` on each, and record peak memory; then
# the same sizes with the same 400 configs (memory as the other files of a tree grow). The
# "x rg" column is redline's time over ripgrep's: the floor of walking the tree and reading its
# files (issue 13's goal: at most 2.5x now, then 1.5x).
# Prints a Markdown table (the README's performance section is this output).
#
# usage: bench/run.sh [RUNS]     (needs python3, ripgrep and GNU time: apt-get install ripgrep time)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-5}"
command -v rg >/dev/null || { echo "bench/run.sh: ripgrep (rg) is needed" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "bench/run.sh: GNU time (/usr/bin/time) is needed" >&2; exit 2; }
cargo build --release --quiet
redline="$PWD/target/release/redline"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Best wall time (s) and largest peak RSS (KiB) over $runs runs of a command.
measure() {
  local best="" peak=0
  for _ in $(seq "$runs"); do
    /usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null 2>&1 || true
    read -r secs kib < "$work/time"
    if [ -z "$best" ] || awk "BEGIN{exit !($secs < $best)}"; then best="$secs"; fi
    if [ "$kib" -gt "$peak" ]; then peak="$kib"; fi
  done
  echo "$best $peak"
}

# One row: generate a tree of $1 files with $2 configs, then time both tools on it.
row() {
  local n="$1" configs="$2" tree="$work/tree-$1-$2"
  python3 bench/gen-tree.py "$tree" "$n" "$configs" >/dev/null
  local config_mb
  config_mb=$(find "$tree" -type f \( -name '*.conf' -o -name '*.ini' -o -name '.env' -o -name 'settings.py' \) -printf '%s\n' | awk '{s+=$1} END {printf "%.1f", s/1048576}')
  # Warm the page cache so both tools read from memory.
  rg -uu -c requirepass "$tree" >/dev/null || true
  read -r r_secs r_kib < <(measure "$redline" check --no-config --exit-zero --format json "$tree")
  read -r g_secs g_kib < <(measure rg -uu -c requirepass "$tree")
  local ratio
  ratio=$(awk "BEGIN { if ($g_secs > 0) printf \"%.1fx\", $r_secs / $g_secs; else print \"n/a\" }")
  echo "| $n | $configs ($config_mb MB) | $r_secs | $g_secs | $ratio | $((r_kib / 1024)) | $((g_kib / 1024)) |"
  rm -rf "$tree"
}

header() {
  echo "| files | configs | redline check (s) | rg -uu -c requirepass (s) | x rg | redline peak memory (MB) | rg peak memory (MB) |"
  echo "|---|---|---|---|---|---|---|"
}

echo "The tree doubles, 2% of its files configs:"
echo
header
for n in 20000 40000 80000; do row "$n" $((n * 2 / 100)); done
echo
echo "The tree doubles, the same 400 configs:"
echo
header
for n in 20000 40000 80000; do row "$n" 400; done
