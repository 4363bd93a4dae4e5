#!/usr/bin/env bash
# Fuzzes the hand-written header parsers (npy, ENVI, RPL) with libFuzzer + AddressSanitizer.
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET=60] [TARGET...]   (targets: npy envi rpl)
# Each target is compiled with swiftc directly from the pure parser sources (no file I/O)
# plus its Fuzz/ entry point; corpora and crash files go to fuzz-out/<target>/.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true
targets=("$@")
[ "$#" -eq 0 ] && targets=(npy envi rpl)
SWIFTC="${SWIFTC:-swiftc}"
src=Sources/CubeFormats
common=("$src/Core/CubeDataType.swift" "$src/Core/CubeFormatError.swift" "$src/Core/SpectralAxis.swift"
        "$src/Reading/TextTrimming.swift" "$src/Reading/SpectralUnitName.swift")
fixtures=Tests/CubeFormatsTests/Fixtures

for target in "${targets[@]}"; do
  out="fuzz-out/$target"
  mkdir -p "$out/corpus" "$out/crashes"
  case "$target" in
    npy)  sources=("$src/NumPy/NumPyHeader.swift" "$src/NumPy/PythonLiteralParser.swift" Fuzz/FuzzNumPyHeader.swift)
          for f in "$fixtures"/npy_*.npy; do head -c 256 "$f" > "$out/corpus/$(basename "$f")"; done ;;
    envi) sources=("$src/ENVI/ENVIHeader.swift" Fuzz/FuzzENVIHeader.swift)
          cp "$fixtures"/*.hdr "$out/corpus/" ;;
    rpl)  sources=("$src/RPL/RPLHeader.swift" Fuzz/FuzzRPLHeader.swift)
          cp "$fixtures"/*.rpl "$out/corpus/" ;;
    *) echo "unknown target $target (npy, envi, rpl)" >&2; exit 2 ;;
  esac
  echo "== building fuzz-$target"
  "$SWIFTC" -sanitize=fuzzer,address -parse-as-library -O -g -module-name CubeFormats \
    "${common[@]}" "${sources[@]}" -o "$out/fuzz-$target" 2> "$out/build.log" || { cat "$out/build.log"; exit 1; }
  echo "== fuzzing $target for ${seconds}s"
  "$out/fuzz-$target" -max_total_time="$seconds" -max_len=4096 -rss_limit_mb=2048 -timeout=10 \
    -artifact_prefix="$out/crashes/" -print_final_stats=1 "$out/corpus" 2>&1 | tee "$out/log.txt" | grep -E "^(#[0-9]+ +DONE|stat::|==|SUMMARY|Done)" || true
  if ls "$out/crashes/"* >/dev/null 2>&1; then echo "!! $target: crash files in $out/crashes"; fi
done
