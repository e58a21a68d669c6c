#!/usr/bin/env bash
# Fails if a log file contains anything that must never be logged: passwords and secrets of the
# demo realm, tokens (JWTs), e-mail addresses, and (from the CDP issues on) ID numbers, names,
# phone numbers and base64 documents of the test data.
set -euo pipefail
log=$1
[ -s "$log" ] || { echo "scan_logs: $log is empty or missing" >&2; exit 1; }
patterns=(
  'eyJ[A-Za-z0-9_-]{10,}'          # a JWT
  '[A-Za-z0-9._%+-]+@bank\.local'  # e-mail addresses of the realm
  '![Pp]ass'                       # demo passwords
  'cdp-partner-secret|bpm-console-secret|compliance-secret'
  'refresh_token='                 # form bodies
  '(^|[^0-9])784[0-9]{12}([^0-9]|$)'  # Emirates ID numbers (exactly 15 digits; 16-digit ECRNs may be logged)
  '\+971[0-9]{6,}'                 # phone numbers of the test data
  '@example\.com'                  # customer e-mails of the test data
  'Zafar|Bashir|Amal'              # customer names of the test data
  'IRFAN|MANAKKAT|NANGARATH|SANCTIONOV|irfanmtp1|P4006315'  # seed 003 sample person
  '/9j/4AAQ|iVBORw0KGgo'           # base64 of JPEG / PNG documents
)
found=0
for p in "${patterns[@]}"; do
  if grep -E -q -- "$p" "$log"; then
    echo "scan_logs: $log matches /$p/" >&2
    found=1
  fi
done
lines=$(wc -l <"$log")
if [ "$found" = 0 ]; then echo "scan_logs: 1 passed, 0 failed ($lines lines clean)"; else echo "scan_logs: 0 passed, 1 failed"; fi
exit "$found"
