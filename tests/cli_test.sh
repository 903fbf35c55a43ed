#!/usr/bin/env bash
# Checks the activ program's contract: help, version, usage errors and the demo, accuracy, list
# and eval subcommands. Expected values are torch 1.13's printed results.
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

# expect_exact <name> <exit code> <expected stdout> <command...>: exact stdout, nothing on stderr.
expect_exact() {
  local name=$1 code=$2 expected=$3
  shift 3
  local output errors status
  errors=$(mktemp)
  output=$("$@" 2>"$errors")
  status=$?
  if [[ $status -ne $code || "$output" != "$expected" || -s $errors ]]; then
    echo "FAIL $name: exit code $status (expected $code); stdout:"$'\n'"$output"
    echo "expected:"$'\n'"$expected"$'\n'"stderr:"$'\n'"$(cat "$errors")"
    failures=$((failures + 1))
  else
    echo "ok   $name"
  fi
  rm -f "$errors"
}

# expect_error <name> <exit code> <message> <command...>: nothing on stdout and exactly the
# one-line message on stderr.
expect_error() {
  local name=$1 code=$2 expected=$3
  shift 3
  local output errors status
  output=$("$@" 2>&1 >/dev/null)
  status=$?
  errors=$(("$@" 2>/dev/null) | wc -c)
  if [[ $status -ne $code || "$output" != "$expected" || $errors -ne 0 ]]; then
    echo "FAIL $name: exit code $status (expected $code); stderr:"$'\n'"$output"
    echo "expected:"$'\n'"$expected"
    failures=$((failures + 1))
  else
    echo "ok   $name"
  fi
}

npy=$(cd "$(dirname "$0")" && pwd)/golden/npy
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# activ list
expect help-lists-list 0 '^  list +List every activation' "$activ" --help
expect list-elu 0 '^ELU  elu\(alpha: number = 1\.0, inplace: bool = False\)$' "$activ" list
expect list-formula 0 '^    x if x > 0 else alpha \* \(exp\(x\) - 1\)$' "$activ" list
expect list-softmax 0 '^Softmax  softmax\(dim: int or None = None\)$' "$activ" list
expect list-prelu 0 '^PReLU  prelu\(num_parameters: int = 1, init: number = 0\.25\)  learnable: weight$' "$activ" list
expect list-gelu 0 "^GELU  gelu\\(approximate: string = 'none'\\)\$" "$activ" list
expect list-count 0 '^32$' bash -c "\"$activ\" list | grep -c '^[A-Z]'"
expect list-json 0 '"functional": "leaky_relu",' "$activ" list --json
expect list-json-option 0 '"default": "0.01"$' "$activ" list --json

# activ eval: values, options, names
expect_exact eval-elu 0 'tensor([-0.3161,  0.0000,  2.0000])' "$activ" eval elu --alpha 0.5 -- -1 0 2
expect_exact eval-module-name 0 'tensor([-0.3161,  0.0000,  2.0000])' "$activ" eval ELU --alpha=0.5 -1 0 2
expect_exact eval-case 0 'tensor([-0.2000,  0.0000,  2.0000])' "$activ" eval LEAKYRELU --negative-slope 0.2 -- -1 0 2
expect_exact eval-grad 0 $'tensor([-0.2000,  0.0000,  2.0000])\ntensor([0.2000, 0.2000, 1.0000])' \
  "$activ" eval leaky_relu --negative_slope 0.2 --grad -- -1 0 2
expect_exact eval-float64 0 $'tensor([-0.1588,  0.3457,  1.9546], dtype=activ.float64)\ntensor([-0.0830,  0.8674,  1.0861], dtype=activ.float64)' \
  "$activ" eval gelu --approximate tanh --dtype float64 --grad -- -1 0.5 2
expect_exact eval-softmax 0 'tensor([0.0900, 0.2447, 0.6652])' "$activ" eval softmax --dim 0 1 2 3
expect_exact eval-rrelu-eval 0 'tensor([-0.2000,  2.0000])' "$activ" eval RReLU --lower 0.1 --upper 0.3 -- -1 2
expect_exact eval-prelu 0 'tensor([-0.2500,  2.0000])' "$activ" eval prelu -- -1 2
expect_exact eval-rrelu-train-seeded 0 "$("$activ" eval rrelu --train --seed 7 --grad -- -1 -2 3)" \
  "$activ" eval rrelu --train --seed 7 --grad -- -1 -2 3
expect eval-rrelu-train-slopes 0 '^tensor\(\[-0\.(1[2-9]|2|3[0-3])[0-9]*, +3\.0000\]\)$' \
  "$activ" eval rrelu --train --seed 1 -- -1 3
expect eval-help 0 '^Usage: activ eval NAME' "$activ" eval --help

# activ eval: whole .npy arrays (relu is the identity on f4_3d_c's values 0, 0.125, ..., 2.875,
# and its gradient at 0 is 0, so grad_output = input gives the input back)
expect_exact eval-npy-print 0 "$(cat <<'TEXT'
tensor([[[0.0000, 0.1250, 0.2500, 0.3750],
         [0.5000, 0.6250, 0.7500, 0.8750],
         [1.0000, 1.1250, 1.2500, 1.3750]],

        [[1.5000, 1.6250, 1.7500, 1.8750],
         [2.0000, 2.1250, 2.2500, 2.3750],
         [2.5000, 2.6250, 2.7500, 2.8750]]])
TEXT
)" "$activ" eval relu --input "$npy/f4_3d_c.npy"
expect_exact eval-npy-write 0 '' "$activ" eval relu --input "$npy/f4_3d_c.npy" --output "$scratch/y.npy" \
  --grad-output "$npy/f4_3d_c.npy" --grad-input "$scratch/gx.npy"
expect npy-output-bytes 0 '' cmp "$npy/f4_3d_c.npy" "$scratch/y.npy"
expect npy-grad-input-bytes 0 '' cmp "$npy/f4_3d_c.npy" "$scratch/gx.npy"

# activ eval: errors are one line on stderr, exit 2 for usage, 1 for runtime
expect_error eval-unknown-function 2 "activ: error: eval: unknown activation 'eluu'; closest: elu, relu, relu6 (see activ list)" \
  "$activ" eval eluu 1
expect_error eval-unknown-option 2 "activ: error: eval: ELU: unknown option 'alfa'; valid options: alpha, inplace" \
  "$activ" eval elu --alfa 2 1
expect_error eval-bad-number-option 2 "activ: error: eval: ELU: option 'alpha' expects a number, got 'big'" \
  "$activ" eval elu --alpha big 1
expect_error eval-bad-bool-option 2 "activ: error: eval: ReLU: option 'inplace' expects a bool (true, false, True, False, 1 or 0), got 'yes'" \
  "$activ" eval relu --inplace yes 1
expect_error eval-bad-dim-option 2 "activ: error: eval: Softmax: option 'dim' expects an integer or None, got '0.5'" \
  "$activ" eval softmax --dim 0.5 1
expect_error eval-bad-value 2 "activ: error: eval: 'one' is not a number (options start with --)" \
  "$activ" eval relu one
expect_error eval-missing-option-value 2 "activ: error: eval: option --alpha needs a value" \
  "$activ" eval elu 1 --alpha
expect_error eval-no-input 2 "activ: error: eval: no input: give values (activ eval relu -- -1 0 1) or --input x.npy" \
  "$activ" eval relu
expect_error eval-no-name 2 "activ: error: eval: missing the activation NAME (see activ list)" "$activ" eval
expect_error eval-bad-dtype 2 "activ: error: eval: --dtype must be float32 or float64, got 'float16'" \
  "$activ" eval relu --dtype float16 1
expect_error eval-train-without-mode 2 "activ: error: eval: --train: ELU has no training mode" \
  "$activ" eval elu --train 1
expect eval-missing-file 1 "^activ: error: .*$scratch/missing\.npy" "$activ" eval relu --input "$scratch/missing.npy"
printf 'not an npy file' >"$scratch/bad.npy"
expect eval-malformed-npy 1 '^activ: error: .*load_npy' "$activ" eval relu --input "$scratch/bad.npy"
expect eval-integer-npy 1 '^activ: error: relu: expected argument .input. to be a float32 or float64 tensor, got int64$' \
  "$activ" eval relu --input "$npy/i8_c.npy"
expect eval-shape-error 1 '^activ: error: ' "$activ" eval softmax2d -- 1 2

exit $((failures > 0))
