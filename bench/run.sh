#!/usr/bin/env bash
# redline's end-to-end benchmark: generate a 20,000-file tree (2% configs) and a 40,000-file one,
# then time `redline check` against `rg -uu -c requirepass` on each, and record peak memory.
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

echo "| files | configs | redline check (s) | rg -uu -c requirepass (s) | redline peak memory (MB) | rg peak memory (MB) |"
echo "|---|---|---|---|---|---|"
for n in 20000 40000; do
  tree="$work/tree$n"
  python3 bench/gen-tree.py "$tree" "$n" >/dev/null
  # Warm the page cache so both tools read from memory.
  rg -uu -c requirepass "$tree" >/dev/null || true
  read -r r_secs r_kib < <(measure "$redline" check --no-config --exit-zero --format json "$tree")
  read -r g_secs g_kib < <(measure rg -uu -c requirepass "$tree")
  echo "| $n | $((n * 2 / 100)) | $r_secs | $g_secs | $((r_kib / 1024)) | $((g_kib / 1024)) |"
done
