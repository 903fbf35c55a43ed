#!/usr/bin/env bash
# Checks the activ program's contract: help, version, usage errors and the demo and accuracy
# subcommands.
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
expect help-lists-accuracy 0 '^  accuracy +Max and mean ULP' "$activ" --help
expect accuracy-float32 0 '^SiLU +0\.[0-5][0-9]{2} +0\.[0-9]{3} +0\.[0-5][0-9]{2} ' "$activ" accuracy SiLU --threads 2
expect accuracy-float64 0 '^Swish\(beta=1\.702\) +[0-3]\.[0-9]{3} ' "$activ" accuracy 'Swish(beta=1.702)' --dtype float64
expect accuracy-unknown-name 2 "unknown function 'Silu'; did you mean .*SiLU" "$activ" accuracy Silu
expect accuracy-bad-dtype 2 '^activ: error: .*--dtype' "$activ" accuracy --dtype float16
expect accuracy-exhaustive-float64 2 'sweeps float32 only' "$activ" accuracy --exhaustive --dtype float64

exit $((failures > 0))
