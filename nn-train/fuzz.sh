#!/usr/bin/env bash
# Coverage-guided fuzzing of the file readers (Jazzer, see FUZZING.md), one target after another:
#   nn-train/fuzz.sh [DURATION] [TARGET...]      e.g. nn-train/fuzz.sh 10m idx csv checkpoint
# Run from anywhere; logs go to nn-train/target/fuzz-TARGET.log. Findings are written into the stored
# corpus (src/test/resources/io/vecnn/train/ReaderFuzzTestInputs/TARGET), which mvn verify replays;
# the inputs that grew coverage stay in nn-train/.cifuzz-corpus (not committed).
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-10m}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(idx csv checkpoint)
mkdir -p nn-train/target
for t in "${targets[@]}"; do
  echo "fuzzing $t for $duration (log: nn-train/target/fuzz-$t.log)"
  # jazzer.hooks=true overrides junit-platform.properties, which turns instrumentation off for the replay.
  JAZZER_FUZZ=1 nice -n 10 env -u JAVA_HOME mvn -q -pl nn-train -am test -Dsurefire.failIfNoSpecifiedTests=false \
      -Dtest="ReaderFuzzTest#$t" -Djazzer.max_duration="$duration" -Djazzer.hooks=true -Djazzer.keep_going=50 \
      > "nn-train/target/fuzz-$t.log" 2>&1 || echo "  $t: findings or failure, see the log"
  grep -E '^#[0-9]+' "nn-train/target/fuzz-$t.log" | grep -E 'DONE|pulse' | tail -1 || true
done
