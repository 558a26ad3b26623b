#!/usr/bin/env bash
# Runs every test project and ends with one line "N passed, N failed" (the CI contract).
# The exit code is non-zero when any test failed or a project did not build or run.
set -uo pipefail
log=$(mktemp)
dotnet test LeNetHls.sln -c Release --no-build --logger "console;verbosity=normal" "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
# Each test project closes with a block "Total tests: N / Passed: N / Failed: N"; add them up.
read -r passed failed < <(awk '
  /^ +Passed: +[0-9]+ *$/ { p += $2 }
  /^ +Failed: +[0-9]+ *$/ { f += $2 }
  END { print p + 0, f + 0 }' "$log")
rm -f "$log"
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; echo "dotnet test exited with $status"; fi
echo "$passed passed, $failed failed"
exit "$status"
