#!/usr/bin/env bash
# Checks the activ program's contract: help, version, usage errors and the demo, accuracy, list,
# eval, plot, gallery, bench and train-demo subcommands. Expected values are torch 1.13's printed
# results. Figures and the gallery page are checked with python3's standard library only.
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
# The catalogue's bound: float32 forward within 4 ULP, backward within 8.
expect accuracy-float32 0 '^SiLU +[0-3]\.[0-9]{3} +[0-9.]+ +[0-7]\.[0-9]{3} ' "$activ" accuracy SiLU --threads 2
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
expect list-count 0 '^33$' bash -c "\"$activ\" list | grep -c '^[A-Z]'"
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
# A lower-case name is torch.nn.functional's function, an upper-case one the torch.nn module:
# F.hardtanh clamps with min_val > max_val, nn.Hardtanh's constructor refuses it.
expect_exact eval-functional-checks 0 $'tensor([-0.5000, -0.5000, -0.5000])\ntensor([0., 0., 0.])' \
  "$activ" eval hardtanh --min-val 0.5 --max-val -0.5 --grad -- -1 0 1
expect_error eval-module-checks 2 "activ: error: eval: Hardtanh: max_val must be greater than min_val, got min_val=0.5, max_val=-0.5" \
  "$activ" eval Hardtanh --min-val 0.5 --max-val -0.5 -- 1
expect eval-help-forms 0 "^  torch.nn.functional's function" "$activ" eval --help
expect_error eval-module-has-no-training 2 "activ: error: eval: RReLU: the module has no option 'training' (its mode is set by .train(); --train in activ eval); the function rrelu has" \
  "$activ" eval RReLU --training true -- -1
expect eval-module-train 0 '^tensor\(\[-0\.(1[2-9]|2|3[0-3])[0-9]*, +3\.0000\]\)$' \
  "$activ" eval RReLU --train --seed 1 -- -1 3
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

# ACTIV_NUM_THREADS: invalid values are reported, huge ones capped
for value in abc -1 0 1.5; do
  expect "threads-env-invalid-$value" 0 "^activ: warning: ACTIV_NUM_THREADS='$value' is not a thread count" \
    env ACTIV_NUM_THREADS="$value" "$activ" eval relu -- 1
done
expect threads-env-capped 0 '^activ: warning: ACTIV_NUM_THREADS: 100000 threads requested, using the maximum of 1024$' \
  env ACTIV_NUM_THREADS=100000 "$activ" eval relu -- 1

# activ eval: a failure writes nothing; every input and output path is checked first
"$activ" eval relu --output "$scratch/kept.npy" -- 1 2
cp "$scratch/kept.npy" "$scratch/kept-before.npy"
expect eval-missing-grad-output 1 "^activ: error: load_npy: '$scratch/missing-g\.npy'" \
  "$activ" eval relu --output "$scratch/kept.npy" --grad-output "$scratch/missing-g.npy" -- 5 6
expect eval-bad-grad-output-shape 1 '^activ: error: ' \
  "$activ" eval relu --output "$scratch/kept.npy" --grad-output "$npy/f4_3d_c.npy" -- 5 6
expect eval-unwritable-grad-input 1 "^activ: error: eval: --grad-input: cannot write '$scratch/none/gx\.npy': no such directory$" \
  "$activ" eval relu --output "$scratch/kept.npy" --grad-input "$scratch/none/gx.npy" -- 5 6
expect eval-failures-kept-output 0 '' cmp "$scratch/kept-before.npy" "$scratch/kept.npy"

# Writing onto a FIFO or a device writes into it (a rename would replace the node with a file);
# the device is made here (never the machine's own /dev/full)
"$activ" eval relu --output "$scratch/expected-12.npy" -- 1 2
mkfifo "$scratch/fifo.npy"
cat "$scratch/fifo.npy" >"$scratch/from-fifo.npy" &
reader=$!
expect_exact eval-into-fifo 0 '' timeout 20 "$activ" eval relu --output "$scratch/fifo.npy" -- 1 2
wait $reader
expect fifo-kept 0 '^fifo$' bash -c "[[ -p '$scratch/fifo.npy' ]] && echo fifo"
expect fifo-got-the-array 0 '' cmp "$scratch/expected-12.npy" "$scratch/from-fifo.npy"
if mknod "$scratch/full.npy" c 1 7 2>/dev/null && mknod "$scratch/full.png" c 1 7 2>/dev/null; then
  expect eval-into-full-device 1 "^activ: error: save_npy: '$scratch/full\.npy': .*No space left on device$" \
    "$activ" eval relu --output "$scratch/full.npy" -- 1
  expect plot-into-full-device 1 "^activ: error: save_figure: '$scratch/full\.png': .*No space left on device$" \
    "$activ" plot elu -o "$scratch/full.png"
  expect devices-kept 0 '^devices$' bash -c "[[ -c '$scratch/full.npy' && -c '$scratch/full.png' ]] && echo devices"
else
  echo "skip devices: mknod needs root"
fi

# Replacing a file keeps its permissions
"$activ" eval relu --output "$scratch/private.npy" -- 1
chmod 600 "$scratch/private.npy"
"$activ" eval relu --output "$scratch/private.npy" -- 2
expect replaced-file-keeps-mode 0 '^600$' stat -c %a "$scratch/private.npy"

# Temporaries of killed writers go with the next write next to them; SIGTERM and SIGINT
# remove the writer's own
sh -c 'exit 0' &
gone=$!
wait $gone
touch "$scratch/.private.npy.tmp-$gone-0"
mkdir "$scratch/.stale-gallery.tmp-$gone"
"$activ" eval relu --output "$scratch/private.npy" -- 3
expect stale-file-removed 0 '^$' bash -c "ls -A '$scratch' | grep -F '.private.npy.tmp-' || true"
# stopped once the scratch directory holds a figure (job control, so SIGINT is not ignored)
stop_gallery() {
  bash -c 'set -m
  "$1" gallery -o "$2" >/dev/null &
  for _ in $(seq 200); do compgen -G "$(dirname "$2")/.$(basename "$2").tmp-*/*.png" >/dev/null && break; sleep 0.05; done
  kill -"$3" $!
  wait $!
  echo "status $?"' _ "$activ" "$scratch/$1" "$2"
}
expect gallery-sigterm 0 '^status 143$' stop_gallery stale-gallery TERM
expect gallery-sigint 0 '^status 130$' stop_gallery stale-gallery INT
expect gallery-temporaries-removed 0 '^$' bash -c "ls -A '$scratch' | grep -F '.stale-gallery.tmp-' || true"

# activ plot: valid files of the requested size (the curves' pixels: tests/cli_figure_test.cpp)
png_size() {
  python3 -c 'import struct, sys
data = open(sys.argv[1], "rb").read(24)
assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR", "not a PNG"
print("%dx%d" % struct.unpack(">II", data[16:24]))' "$1"
}
svg_size() {
  python3 -c 'import sys, xml.etree.ElementTree as tree
root = tree.parse(sys.argv[1]).getroot()
assert root.tag == "{http://www.w3.org/2000/svg}svg", root.tag
print(root.get("width"), root.get("height"))' "$1"
}
pdf_size() {
  python3 -c 'import re, sys
data = open(sys.argv[1], "rb").read()
assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF"), "not a PDF"
print(b" ".join(re.search(rb"/MediaBox \[ *0 0 ([0-9.]+) ([0-9.]+) *\]", data).group(1, 2)).decode())' "$1"
}
expect help-lists-plot 0 '^  plot +Draw one activation' "$activ" --help
expect plot-help 0 '^  activ plot elu --alpha 0\.5 -o elu\.png$' "$activ" plot --help
expect_exact plot-png 0 '' "$activ" plot elu --alpha 0.5 --both --width 500 --height 300 -o "$scratch/elu.png"
expect plot-png-size 0 '^500x300$' png_size "$scratch/elu.png"
expect_exact plot-svg 0 '' "$activ" plot Softplus --beta 2 --derivative --range -3:3 --width=400 \
  --height=250 -o "$scratch/softplus.svg"
expect plot-svg-size 0 '^400(px|pt)? 250(px|pt)?$' svg_size "$scratch/softplus.svg"
expect_exact plot-pdf 0 '' "$activ" plot relu --compare gelu 'leaky_relu(negative_slope=0.2)' softmax \
  -o "$scratch/compare.PDF"
expect plot-pdf-size 0 '^640 480$' pdf_size "$scratch/compare.PDF"
expect_exact plot-shaped 0 '' "$activ" plot glu -o "$scratch/glu.png"
expect_error plot-unknown-function 2 "activ: error: plot: unknown activation 'eluu'; closest: elu, relu, relu6 (see activ list)" \
  "$activ" plot eluu -o "$scratch/x.png"
expect_error plot-unknown-compare 2 "activ: error: plot: unknown activation 'gelus'; closest: gelu, relu, relu6 (see activ list)" \
  "$activ" plot relu --compare gelus -o "$scratch/x.png"
expect_error plot-bad-option 2 "activ: error: plot: ELU: option 'alpha' expects a number, got 'big'" \
  "$activ" plot elu --alpha big -o "$scratch/x.png"
expect_error plot-unknown-option 2 "activ: error: plot: ELU: unknown option 'alfa'; valid options: alpha, inplace" \
  "$activ" plot elu --alfa 2 -o "$scratch/x.png"
expect_error plot-no-output 2 "activ: error: plot: missing -o FILE (.png, .svg or .pdf)" "$activ" plot elu
expect_error plot-no-name 2 "activ: error: plot: missing the activation NAME (see activ list)" \
  "$activ" plot -o "$scratch/x.png"
expect_error plot-bad-extension 2 "activ: error: plot: -o expects a file ending in .png, .svg or .pdf, got '$scratch/x.jpg'" \
  "$activ" plot elu -o "$scratch/x.jpg"
expect_error plot-bad-range 2 "activ: error: plot: --range LO:HI: expected lo < hi, got '3:1'" \
  "$activ" plot elu --range 3:1 -o "$scratch/x.png"
expect_error plot-bad-width 2 "activ: error: plot: --width expects an integer in [16, 16384], got '5'" \
  "$activ" plot elu --width 5 -o "$scratch/x.png"
expect_error plot-derivative-and-both 2 "activ: error: plot: give --derivative or --both, not both" \
  "$activ" plot elu --derivative --both -o "$scratch/x.png"
expect_error plot-two-names 2 "activ: error: plot: unexpected argument 'gelu' (one NAME; more with --compare NAME2 ...)" \
  "$activ" plot elu gelu -o "$scratch/x.png"
expect_error plot-missing-value 2 "activ: error: plot: option --range needs a value" \
  "$activ" plot elu -o "$scratch/x.png" --range
expect_error plot-rrelu-training 2 "activ: error: plot: rrelu(lower=0.125, upper=0.3333333333333333): training=True draws random slopes; plot the eval-mode function instead" \
  "$activ" plot rrelu --training true -o "$scratch/x.png"
expect plot-dim-out-of-range 2 '^activ: error: plot: Softmax\(dim=2\) on the plotted input x  \(input \[x, 0\], first output\): ' \
  "$activ" plot Softmax --dim 2 -o "$scratch/x.png"
expect plot-unwritable 1 "^activ: error: .*$scratch/missing/x\.png" "$activ" plot elu -o "$scratch/missing/x.png"
expect_exact plot-errors-write-nothing 0 '' bash -c "ls '$scratch/missing' '$scratch/x.png' '$scratch/x.jpg' 2>/dev/null || true"

# activ gallery: a figure and an entry per function; the page parses and every link resolves
check_gallery() {
  "$activ" list --json | python3 -c 'import html.parser, json, os, sys
directory = sys.argv[1]
functions = json.load(sys.stdin)
class Page(html.parser.HTMLParser):
    void = {"meta", "img", "br", "link"}
    def __init__(self):
        super().__init__()
        self.links, self.ids, self.open, self.text = [], set(), [], ""
    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.ids.update([attrs["id"]] if "id" in attrs else [])
        self.links += [attrs[key] for key in ("href", "src") if key in attrs]
        if tag not in self.void:
            self.open.append(tag)
    def handle_endtag(self, tag):
        assert self.open and self.open.pop() == tag, "unbalanced </%s>" % tag
    def handle_data(self, data):
        self.text += data
page = Page()
page.feed(open(os.path.join(directory, "index.html"), encoding="utf-8").read())
page.close()
assert not page.open, "unclosed tags: %s" % page.open
for link in page.links:
    assert (link[1:] in page.ids) if link.startswith("#") else os.path.isfile(os.path.join(directory, link)), link
for function in functions:
    name = function["functional"]
    assert name in page.ids and "#" + name in page.links and name + ".png" in page.links, name
    assert function["formula"] in page.text, function["formula"]
    for option in function["options"]:
        assert option["default"] in page.text, (name, option)
    with open(os.path.join(directory, name + ".png"), "rb") as png:
        assert png.read(8) == b"\x89PNG\r\n\x1a\n", name
assert len(os.listdir(directory)) == len(functions) + 1, sorted(os.listdir(directory))
print("%d functions, %d links" % (len(functions), len(page.links)))' "$1"
}
expect help-lists-gallery 0 '^  gallery +Write a figure of every activation' "$activ" --help
expect_exact gallery 0 "wrote 33 figures and $scratch/gallery/index.html" "$activ" gallery -o "$scratch/gallery/"
expect gallery-page 0 '^33 functions, 66 links$' check_gallery "$scratch/gallery"
expect_exact gallery-no-scratch-left 0 '' bash -c "ls -A '$scratch' | grep '^\\.' || true"
touch "$scratch/a-file"
expect gallery-onto-file 1 "^activ: error: gallery: '$scratch/a-file' exists and is not a directory$" \
  "$activ" gallery -o "$scratch/a-file"
expect gallery-no-output 2 '^activ: error: .*--output is required' "$activ" gallery

# activ bench: a row per function with positive rates
expect help-lists-bench 0 '^  bench +Forward and backward throughput' "$activ" --help
expect bench-rows 0 '^3$' bash -c "\"$activ\" bench relu 'elu(alpha=0.5)' Softmax --size 4096 --threads 1 |
  awk '/^(relu\(\)|elu\(alpha=0\.5\)|Softmax\(dim=None\)) / && \$2 > 0 && \$3 > 0 && \$4 > 0 && \$5 > 0 { n++ } END { print n }'"
expect bench-header 0 '^float64, 1000 elements, 1 threads; copy [0-9.e+]+ elements/s, add [0-9.e+]+ elements/s$' \
  "$activ" bench relu --size 1000 --threads 1 --dtype float64
expect_error bench-unknown-function 2 "activ: error: bench: unknown activation 'rleu'; closest: relu, elu, glu (see activ list)" \
  "$activ" bench rleu --size 16
expect bench-bad-size 2 '^activ: error: .*--size' "$activ" bench relu --size 0
expect bench-bad-dtype 2 '^activ: error: .*--dtype' "$activ" bench relu --dtype float16

# activ train-demo: torch's losses (tests/golden/mlp/mlp_seed_losses.json) to 4 digits
expect help-lists-train-demo 0 '^  train-demo +Train the seed' "$activ" --help
expect_exact train-demo 0 "$(cat <<'TEXT'
Sequential(
  (0): Linear(in_features=1000, out_features=100, bias=True)
  (1): ReLU()
  (2): Linear(in_features=100, out_features=10, bias=True)
)
epoch  50  loss 38.63
epoch 100  loss 3.57
TEXT
)" bash -c "\"$activ\" train-demo --epochs 100 | grep -v '^trained '"
expect train-demo-timing 0 '^trained 60 epochs in [0-9]+ ms$' "$activ" train-demo --epochs 60
expect_error train-demo-missing-data 1 "activ: error: train-demo: no data file '$scratch/none.safetensors'; give --data FILE (written by tools/gen_mlp_reference.py)" \
  "$activ" train-demo --data "$scratch/none.safetensors"
expect train-demo-bad-epochs 2 '^activ: error: .*--epochs' "$activ" train-demo --epochs 0

exit $((failures > 0))
