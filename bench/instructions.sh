#!/bin/sh
# instructions.sh - the instructions of a renewal pass, counted by callgrind: to compare two
# builds where their timings cannot tell them apart.
#
#   bench/instructions.sh [BIN] [N]      (BIN: build/partnerd, N: 2000 renewals due)
#
# On a shared virtual machine a renewal pass's time varies by 10 % and more from one run to
# the next, which hides a change of a few per cent. The instructions a binary runs for the
# same pass hardly vary: run this for each build and compare. It runs bench/renewals.mjs at
# N due, its `partnerd jobs run` under callgrind (about 40 times slower: 2 000 take about
# 1.5 minutes), and prints the instructions per renewal of the renewals (renewals_run) and
# of their emails (outbox_delivery_run). The renewals' rate it prints along is callgrind's,
# not the binary's. Not part of make bench: it measures no ratio, and needs valgrind.
set -eu
cd "$(dirname "$0")/.."
bin=$(realpath "${1:-build/partnerd}")
n=${2:-2000}
work=$(mktemp -d /tmp/partnerd-instr.XXXXXX)
trap 'rm -rf "$work"' EXIT INT TERM
# the server runs as usual; only the jobs pass runs under callgrind
cat >"$work/partnerd" <<WRAP
#!/bin/sh
if [ "\$1" = jobs ]; then
    exec valgrind --tool=callgrind --callgrind-out-file="$work/callgrind.out" "$bin" "\$@"
fi
exec "$bin" "\$@"
WRAP
chmod 755 "$work/partnerd"
BENCH_RENEWALS=$n PARTNERD_BIN="$work/partnerd" node bench/renewals.mjs >"$work/renewals.txt" 2>&1 ||
    { cat "$work/renewals.txt"; exit 1; }
callgrind_annotate --inclusive=yes "$work/callgrind.out" >"$work/annotated.txt"
for fn in renewals_run outbox_delivery_run; do
    awk -v fn=":$fn " -v n="$n" 'index($0, fn) {
        gsub(",", "", $1); printf "%-20s %12.0f instructions per renewal\n", substr(fn, 2), $1 / n; exit }' \
        "$work/annotated.txt"
done
