#!/bin/sh
# Run fuzz targets one after another, each for SECONDS (default 600), at the lowest priority.
#   fuzz/run.sh                 # every target, 10 minutes each
#   SECONDS_EACH=60 fuzz/run.sh yaml_model lsp_session
# cargo-fuzz wants nightly flags; RUSTC_BOOTSTRAP=1 lets the stable toolchain accept them.
# Crashes do not stop a run (fork mode): they land in fuzz/artifacts/<target>/.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/.."
"$here/seed.sh"
targets=${*:-"yaml_model dockerfile_model interpolate dotenv_budget alias_chains lsp_session streaming"}
for t in $targets; do
    echo "== $t"
    RUSTC_BOOTSTRAP=1 nice -n 19 cargo fuzz run -O "$t" -- \
        -max_total_time="${SECONDS_EACH:-600}" -fork=1 \
        -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
        -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
done
