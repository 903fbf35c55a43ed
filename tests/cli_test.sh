#!/usr/bin/env bash
# Checks the activ program's contract: help, version, usage errors and the demo subcommand.
# Usage: cli_test.sh <path to activ> <expected version>
set -uo pipefail
activ=$1 version=$2
failures=0

# expect <name> <exit code> <output pattern> <command...>: the command exits with the code
# and its stdout+stderr match the extended regex.
expect() {
  local name=$1 code=$2 pattern=$3
  shift 3
  local output status
  output=$("$@" 2>&1)
  status=$?
  if [[ $status -ne $code ]]; then
    echo "FAIL $name: exit code $status, expected $code; output:"$'\n'"$output"
    failures=$((failures + 1))
  elif ! grep -Eq -- "$pattern" <<<"$output"; then
    echo "FAIL $name: output does not match /$pattern/:"$'\n'"$output"
    failures=$((failures + 1))
  else
    echo "ok   $name"
  fi
}

expect help 0 '^Usage: .*activ' "$activ" --help
expect help-lists-demo 0 '^  demo +Print' "$activ" --help
expect version 0 "^activ $version\$" "$activ" --version
expect unknown-option 2 '^activ: error: .*--bogus' "$activ" --bogus
expect unknown-option-usage 2 '^Usage: ' "$activ" --bogus
expect no-subcommand 2 '^activ: error: a subcommand is required' "$activ"
expect unknown-subcommand 2 '^activ: error: .*frobnicate' "$activ" frobnicate
expect demo 0 '^tensor\(\[-3\., -2\., -1\.,  0\.,  1\.,  2\.,  3\.\]\)$' "$activ" demo
expect demo-help 0 '^Usage: .*demo' "$activ" demo --help
expect demo-bad-option 2 '^activ: error: .*--bogus' "$activ" demo --bogus

exit $((failures > 0))
