"""The Customer Lookup handler as most teams would write it in Python: clients created at import,
boto3 + PyJWT, awslambdaric as the runtime client. Used by `make bench` as the comparison."""
import json
import os

import boto3
import jwt
from cryptography.hazmat.primitives.serialization import load_der_public_key

dynamodb = boto3.client("dynamodb")
kms = boto3.client("kms")
TABLE = os.environ["BANK_TABLE"]
ISSUER = os.environ["ISSUER_BASE_URL"].rstrip("/") + "/auth/realms/cdp"
_key = None


def _public_key():
    global _key
    if _key is None:
        der = kms.get_public_key(KeyId=os.environ["SIGNING_KEY_ID"])["PublicKey"]
        _key = load_der_public_key(der)
    return _key


def handler(event, context):
    auth = (event.get("headers") or {}).get("authorization", "")
    try:
        claims = jwt.decode(auth.removeprefix("Bearer "), _public_key(), algorithms=["ES256"], issuer=ISSUER,
                            options={"verify_aud": False})
    except Exception:
        return {"statusCode": 401, "body": json.dumps({"status": 401, "error": "Unauthorized"})}
    body = json.loads(event.get("body") or "{}")
    import hashlib
    digest = hashlib.sha256(f"{body.get('idType')}:{body.get('idNumber')}".encode()).hexdigest()
    doc = dynamodb.get_item(TableName=TABLE, Key={"pk": {"S": f"IDDOC#{digest}"}, "sk": {"S": "IDDOC"}}).get("Item")
    if not doc:
        return {"statusCode": 200, "body": json.dumps({"status": "failure", "statusCode": 404, "errorCode": 45001,
                                                        "message": "Customer not found"})}
    key = doc["customer_key"]["S"]
    item = dynamodb.get_item(TableName=TABLE, Key={"pk": {"S": f"CUST#{key}"}, "sk": {"S": "RECORD"}}).get("Item", {})
    agent = claims.get("agent_location_id")
    subs = [s["S"] for s in item.get("subscriptions", {}).get("L", [])]
    if agent not in subs:
        return {"statusCode": 200, "body": json.dumps({"status": "failure", "statusCode": 404, "errorCode": 45003,
                                                        "message": "Customer not Subscribed"})}
    return {"statusCode": 200, "body": json.dumps({"status": "success", "statusCode": 200,
                                                    "data": {"ecrn": item.get("ecrn", {}).get("S")}})}
