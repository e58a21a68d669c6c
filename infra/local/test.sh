#!/usr/bin/env bash
# Every test: unit tests, template checks, then adapters and endpoints against a private local
# stack (ports 8100/5100/9100, so a dev stack on 8000/5000/9000 may keep running), which this
# script starts and always stops.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
export STACK=test
export AWS_EC2_METADATA_DISABLED=true

step() { printf '\n==> %s\n' "$*"; }

step "install (first run only)"
bash infra/local/install.sh

step "unit tests (domain, contracts, handlers on in-memory fakes)"
cargo test --workspace --exclude e2e-tests

step "clippy (warnings are errors)"
cargo clippy --quiet --workspace --all-targets -- -D warnings

step "screening quality on the labelled set (precision / recall)"
cargo test --quiet -p adapters screening_quality -- --nocapture 2>&1 | grep -E "screening quality|test result"

step "template: cfn-lint + checkov"
bash infra/local/lint.sh

step "local stack (DynamoDB Local, moto, cargo lambda watch)"
trap 'bash infra/local/stack.sh stop' EXIT
bash infra/local/stack.sh start
set -a
# shellcheck disable=SC1091
source .run/test/env.sh
set +a

step "adapters and endpoints against the real local services"
cargo test -p e2e-tests

step "independent JWT verification (PyJWT against the published JWKS)"
.venv/bin/python tests/verify_jwt_independent.py

step "event fixtures through cargo lambda invoke"
bash tests/invoke_events.sh

step "logs carry no PII, passwords or tokens"
bash tests/scan_logs.sh .run/test/watch.log
bash tests/scan_logs.sh .run/test/relay.log

step "benchmark suite, short mode (checks that it runs; budgets are checked by make bench)"
bash infra/local/stack.sh stop
trap - EXIT
.venv/bin/python tests/bench/bench.py --quick

echo
echo "all tests passed"
