#!/usr/bin/env bash
# Builds and runs tests/consumer against activ, the way a client project would.
#   run.sh package      <activ build dir> <work dir> [cmake args...]
#     installs the activ build into <work dir>/prefix, then uses find_package(activ)
#   run.sh subdirectory <activ source dir> <work dir> [cmake args...]
#     builds activ from source through add_subdirectory
# Extra cmake args (generator, compiler, flags) keep the consumer built like activ.
set -euo pipefail
mode=$1 activ_dir=$2 work=$3
shift 3
cmake=${CMAKE:-cmake}  # ctest passes the cmake that configured activ
consumer_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

rm -rf "$work"
mkdir -p "$work"
case "$mode" in
  package)
    "$cmake" --install "$activ_dir" --prefix "$work/prefix"
    "$cmake" -S "$consumer_dir" -B "$work/build" -DCMAKE_PREFIX_PATH="$work/prefix" "$@"
    ;;
  subdirectory)
    "$cmake" -S "$consumer_dir" -B "$work/build" -DACTIV_SOURCE_DIR="$activ_dir" "$@"
    ;;
  *)
    echo "run.sh: unknown mode '$mode' (expected package or subdirectory)" >&2
    exit 2
    ;;
esac
"$cmake" --build "$work/build" -j2
"$work/build/consumer"
# The installed program must find the installed library (its RPATH is relative).
if [[ $mode == package && -x "$work/prefix/bin/activ" ]]; then
  "$work/prefix/bin/activ" --version
fi
