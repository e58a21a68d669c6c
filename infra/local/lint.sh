#!/usr/bin/env bash
# Static checks of the SAM template: cfn-lint (schema/SAM rules) and checkov
# (security policy). Both run fully offline. Exit status is non-zero if either
# reports a problem. Skipped checkov checks live in the template itself
# (Metadata.checkov.skip with a reason per check).
set -uo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
template=infra/template.yaml

# checkov: no Prisma/Bridgecrew platform, no policy/guideline download, no
# PyPI "new version" probe, no id-mapping fetch.
unset BC_API_KEY PRISMA_API_URL
export CKV_SKIP_PACKAGE_UPDATE_CHECK=true BC_SKIP_MAPPING=TRUE
export CHECKOV_RUN_SCA_PACKAGE_SCAN_V2=false ENABLE_CONFIG_FILE_VALIDATION=false
export LOG_LEVEL=WARNING

for tool in .venv/bin/cfn-lint .venv-checkov/bin/checkov; do
  [ -x "$tool" ] || { echo "lint: $tool missing; run infra/local/install.sh" >&2; exit 2; }
done

echo "== cfn-lint $template"
.venv/bin/cfn-lint "$template"
cfn_rc=$?

echo "== checkov $template"
.venv-checkov/bin/checkov -f "$template" --framework cloudformation \
  --skip-download --quiet --compact
ckv_rc=$?

status() { [ "$1" -eq 0 ] && echo ok || echo "FAILED(rc=$1)"; }
echo "lint: cfn-lint $(status $cfn_rc), checkov $(status $ckv_rc)"
[ $cfn_rc -eq 0 ] && [ $ckv_rc -eq 0 ]
