#!/usr/bin/env bash
# npm run lint's shell half: shellcheck over every shell script of the repository (CI's, the e2e
# runtime's, the stand-in images') and over the scripts the templates render to (generated/, the
# fixtures' expected bundles): a template is shell only once rendered.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(
  {
    git ls-files -- '*.sh' '.ci/run'
    git ls-files -- 'generated/**' 'test/fixtures/**' | grep -E '\.sh$' || true
  } | sort -u
)
# A fixture that keeps only some files of its bundle keeps no lib.sh beside its scripts: the
# library is the same in every bundle, so the committed tutorial's stands in for it, and a whole
# move's (official-reconfig-grow) for the move's library, reconfigure-lib.sh.
shellcheck --severity=style --external-sources --source-path=SCRIPTDIR:generated/tutorial:test/fixtures/official-reconfig-grow/expected -- "${files[@]}"
echo "shellcheck: ${#files[@]} scripts clean"
