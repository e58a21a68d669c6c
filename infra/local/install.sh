#!/usr/bin/env bash
# Installs the local toolchain the project needs into ignored folders (.venv*, .tools/).
# Idempotent: each step is skipped when its stamp exists. Needs only PyPI, npm and crates.io.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
mkdir -p .tools

py=${PYTHON:-python3}

# 1. moto (S3, SNS, SQS, KMS), cargo-lambda, cfn-lint and boto3 for provisioning, in one venv.
if [ ! -f .venv/.stamp-v2 ]; then
  echo "[install] python venv .venv (moto[server], cargo-lambda, cfn-lint)"
  "$py" -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check --upgrade pip
  .venv/bin/pip install --quiet --disable-pip-version-check \
    'moto[server]>=5.1,<6' 'cargo-lambda>=1.8,<2' 'cfn-lint>=1.20,<2' 'boto3>=1.34' 'PyJWT[crypto]>=2.8' 'cryptography>=42' 'pyyaml>=6' 'awslambdaric>=2.2'
  touch .venv/.stamp-v2
fi

# 2. checkov in its own venv (it pins boto3 versions that moto does not want).
if [ ! -f .venv-checkov/.stamp-v1 ]; then
  echo "[install] python venv .venv-checkov (checkov)"
  "$py" -m venv .venv-checkov
  .venv-checkov/bin/pip install --quiet --disable-pip-version-check --upgrade pip
  .venv-checkov/bin/pip install --quiet --disable-pip-version-check 'checkov>=3.2,<4'
  touch .venv-checkov/.stamp-v1
fi

# 3. Amazon's DynamoDB Local, shipped inside the npm package amplify-dynamodb-simulator.
if [ ! -f .tools/dynamodb/DynamoDBLocal.jar ]; then
  echo "[install] DynamoDB Local (npm amplify-dynamodb-simulator)"
  tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack --silent amplify-dynamodb-simulator >/dev/null && tar xzf ./*.tgz)
  rm -rf .tools/dynamodb
  mv "$tmp/package/emulator" .tools/dynamodb
  rm -rf "$tmp"
fi
command -v java >/dev/null || { echo "java (17) is required for DynamoDB Local" >&2; exit 1; }
echo "[install] ok"
