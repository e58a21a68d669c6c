#!/usr/bin/env bash
# Invokes every function with its sample events from events/ through `cargo lambda invoke`
# against the running stack, and checks the status each sample must produce.
# Event files are named <function>.<case>.json.
set -euo pipefail
cd "$(dirname "$0")/.."
port=${API_PORT:-9100}
# expected HTTP status per sample event
declare -A expect=(
  [token.password]=200
  [token.client-credentials]=200
  [oidc-discovery.certs]=200
  [oidc-discovery.configuration]=200
  [userinfo.bad-token]=401
  # The seeds' sample requests carry no bearer token: 401 in each seed's envelope.
  [bpm-cmd.request-customer-approval]=401
  [bpm-cmd.approve-deposit]=401
  [bpm-cmd.reject-deposit]=401
  # Event functions: the key their answer must have.
  [outbox-relay.stream]=key:batchItemFailures
  [outbox-relay.schedule]=key:sent
  # Command functions: the samples carry a placeholder token, so each record is reported back.
  [cmd-create-customer.sqs]=key:batchItemFailures
  [cmd-request-customer-approval.sqs]=key:batchItemFailures
  [cmd-approve-customer.sqs]=key:batchItemFailures
  [cmd-reject-customer.sqs]=key:batchItemFailures
  [cmd-create-deposit.sqs]=key:batchItemFailures
  [cmd-request-deposit-approval.sqs]=key:batchItemFailures
  [cmd-approve-deposit.sqs]=key:batchItemFailures
  [cmd-reject-deposit.sqs]=key:batchItemFailures
  [cmd-approve-deposit.eventbridge]=error
  # The seed's sample requests, without a token: the documented 401.
  [customer-lookup.seed]=401
  [customer-onboarding.seed]=401
  [aml-alert-closure.sample]=401
  [onboarding-status.sample]=401
)
pass=0 fail=0
for f in events/*.json; do
  name=$(basename "$f" .json)
  fn=${name%%.*}
  want=${expect[$name]:-}
  if [ -z "$want" ]; then echo "invoke: $f has no expected status in tests/invoke_events.sh" >&2; fail=$((fail + 1)); continue; fi
  out=$(.venv/bin/cargo-lambda lambda invoke "$fn" --data-file "$f" --invoke-address 127.0.0.1 --invoke-port "$port" --output-format json 2>&1) || true
  if [ "$want" = error ]; then
    got=$(printf '%s' "$out" | grep -q 'not applied' && echo error || echo "no error")
  elif [[ $want == key:* ]]; then
    got=$(printf '%s' "$out" | .venv/bin/python -c 'import json,sys; k=sys.argv[1]; print("key:"+k if k in json.load(sys.stdin) else "missing")' "${want#key:}" 2>/dev/null || echo "?")
  else
    got=$(printf '%s' "$out" | .venv/bin/python -c 'import json,sys; print(json.load(sys.stdin).get("statusCode"))' 2>/dev/null || echo "?")
  fi
  if [ "$got" = "$want" ]; then pass=$((pass + 1)); echo "ok   $fn <- $f ($got)"; else fail=$((fail + 1)); echo "FAIL $fn <- $f: want $want, got $got: ${out:0:300}"; fi
done
echo "invoke: $pass passed, $fail failed"
[ "$fail" = 0 ]
