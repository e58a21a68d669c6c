#!/usr/bin/env bash
# The local stack: DynamoDB Local + moto (S3, SNS, SQS, KMS), resources created from
# infra/template.yaml, the demo realm, and `cargo lambda watch` serving every endpoint.
#
#   stack.sh up       dev stack on 8000 / 5000 / 9000, in the foreground; Ctrl-C stops all of it
#   stack.sh start    same stack (ports from $STACK), in the background (used by the tests)
#   stack.sh stop     stops what `start` started
#   stack.sh env      prints the environment that clients of the stack need
#
# STACK=dev (default: 8000/5000/9000) or STACK=test (8100/5100/9100), so tests run beside a dev stack.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"

STACK=${STACK:-dev}
case "$STACK" in
  dev) DDB_PORT=${DDB_PORT:-8000}; MOTO_PORT=${MOTO_PORT:-5000}; API_PORT=${API_PORT:-9000} ;;
  test) DDB_PORT=${DDB_PORT:-8100}; MOTO_PORT=${MOTO_PORT:-5100}; API_PORT=${API_PORT:-9100} ;;
  bench) DDB_PORT=${DDB_PORT:-8200}; MOTO_PORT=${MOTO_PORT:-5200}; API_PORT=${API_PORT:-9200} ;;
  *) echo "STACK must be dev, test or bench" >&2; exit 2 ;;
esac
run_dir="$root/.run/$STACK"
SNS_PROXY_PORT=$((MOTO_PORT + 99)) # the relay's way to SNS, through infra/local/fault_proxy.py
mkdir -p "$run_dir"

stack_env() {
  cat <<ENV
export AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test
export AWS_EC2_METADATA_DISABLED=true
export AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:$DDB_PORT
export AWS_ENDPOINT_URL_KMS=http://127.0.0.1:$MOTO_PORT
export AWS_ENDPOINT_URL_S3=http://127.0.0.1:$MOTO_PORT
export AWS_ENDPOINT_URL_SNS=http://127.0.0.1:$MOTO_PORT
export AWS_ENDPOINT_URL_SQS=http://127.0.0.1:$MOTO_PORT
export ISSUER_BASE_URL=http://127.0.0.1:$API_PORT
export API_BASE_URL=http://127.0.0.1:$API_PORT
export RUST_LOG=\${RUST_LOG:-info}
export SNS_FAULT_FLAG=$run_dir/sns-down
ENV
  .venv/bin/python infra/local/provision.py --stack cdp --print-env
  if [ -s "$run_dir/jwks.json" ]; then echo "export SIGNING_PUBLIC_JWKS='$(cat "$run_dir/jwks.json")'"; fi
}

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() { # port name seconds
  local i
  for ((i = 0; i < $3 * 10; i++)); do
    port_busy "$1" && return 0
    sleep 0.1
  done
  echo "stack: $2 did not open port $1 within $3 s (log: $run_dir/$2.log)" >&2
  tail -20 "$run_dir/$2.log" >&2 || true
  return 1
}

stop() {
  local f pid
  for f in "$run_dir"/*.pid; do
    [ -e "$f" ] || continue
    pid=$(cat "$f")
    # Each service was started in its own process group: end the group (watch spawns children).
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$pid" 2>/dev/null || true
    rm -f "$f"
  done
}

launch() { # name command...
  local name=$1; shift
  setsid "$@" >"$run_dir/$name.log" 2>&1 < /dev/null &
  echo $! >"$run_dir/$name.pid"
}

start() {
  bash infra/local/install.sh
  stop # whatever a previous run of this stack left behind
  rm -f "$run_dir/sns-down" "$run_dir/jwks.json"
  for p in "$DDB_PORT" "$MOTO_PORT" "$API_PORT" "$SNS_PROXY_PORT"; do
    if port_busy "$p"; then echo "stack($STACK): port $p is in use by another program" >&2; exit 1; fi
  done
  eval "$(stack_env)"
  echo "[stack:$STACK] DynamoDB Local :$DDB_PORT, moto :$MOTO_PORT"
  launch dynamodb bash -c "cd '$root/.tools/dynamodb' && exec java -Djava.library.path=DynamoDBLocal_lib -jar DynamoDBLocal.jar -inMemory -sharedDb -port $DDB_PORT"
  launch moto .venv/bin/moto_server -H 127.0.0.1 -p "$MOTO_PORT"
  wait_port "$DDB_PORT" dynamodb 60
  wait_port "$MOTO_PORT" moto 60
  .venv/bin/python infra/local/provision.py --stack cdp --dynamodb "http://127.0.0.1:$DDB_PORT" \
    --aws "http://127.0.0.1:$MOTO_PORT" --observe >"$run_dir/provision.log" 2>&1 ||
    { cat "$run_dir/provision.log" >&2; exit 1; }
  echo "[stack:$STACK] resources created from infra/template.yaml"
  # Build each function with the very invocation `cargo lambda watch` uses for it (`cargo run
  # --manifest-path Cargo.toml --bin X`, here as `build`): feature resolution depends on how
  # packages are selected, and any other form leaves watch recompiling the SDK stack on the
  # first request to each function.
  local m
  for m in functions/*/Cargo.toml; do
    cargo build --quiet --manifest-path Cargo.toml --bin "$(sed -n 's/^name = "\(.*\)"/\1/p' "$m" | head -1)"
  done
  cargo build --quiet --manifest-path Cargo.toml --bin cdp-admin
  ./target/debug/cdp-admin load-demo
  ./target/debug/cdp-admin load-reference-data infra/reference-data/code-tables.json
  ./target/debug/cdp-admin put-watchlist infra/reference-data/watchlist.csv
  # Pin the realm's public keys for the verifiers, as a deployment does (README, "Cold start"): protected
  # functions then make no KMS call on their first request.
  ./target/debug/cdp-admin jwks >"$run_dir/jwks.json"
  SIGNING_PUBLIC_JWKS="$(cat "$run_dir/jwks.json")"
  export SIGNING_PUBLIC_JWKS
  # The outbox relay: in AWS the bank table's stream triggers it; here it polls the outbox
  # (DynamoDB Local cannot invoke functions) and reaches SNS through the fault proxy.
  launch sns-proxy .venv/bin/python infra/local/fault_proxy.py --listen "$SNS_PROXY_PORT" --target "$MOTO_PORT" --down-flag "$run_dir/sns-down"
  wait_port "$SNS_PROXY_PORT" sns-proxy 20
  launch relay env AWS_ENDPOINT_URL_SNS="http://127.0.0.1:$SNS_PROXY_PORT" RELAY_POLL_INTERVAL_MS=500 ./target/debug/outbox-relay
  # Functions inherit this environment; routes come from [workspace.metadata.lambda.watch.router].
  echo "[stack:$STACK] cargo lambda watch on 127.0.0.1:$API_PORT"
  launch watch .venv/bin/cargo-lambda lambda watch --invoke-address 127.0.0.1 --invoke-port "$API_PORT" --ignore-changes
  wait_port "$API_PORT" watch 300
  stack_env >"$run_dir/env.sh"
}

case "${1:-up}" in
  env) stack_env ;;
  start) start ;;
  stop) stop ;;
  up)
    trap 'echo; echo "[stack:$STACK] stopping"; stop' EXIT
    trap 'exit 130' INT TERM
    start
    cat <<MSG

  API:  http://127.0.0.1:$API_PORT   (token: POST /auth/realms/cdp/protocol/openid-connect/token)
  Env:  source $run_dir/env.sh   (for cdp-admin and the AWS CLI against the emulators)
  Logs: $run_dir/*.log           Ctrl-C stops everything.

MSG
    # In the background + `wait`, so INT/TERM reach the trap at once (bash runs traps only
    # between foreground commands).
    tail -n +1 -f "$run_dir/watch.log" &
    tail_pid=$!
    trap 'kill $tail_pid 2>/dev/null; exit 130' INT TERM
    wait "$tail_pid"
    ;;
  *) echo "usage: $0 up|start|stop|env" >&2; exit 2 ;;
esac
