#!/usr/bin/env python3
"""Create the local emulation of the stack FROM infra/template.yaml.

Reading the SAM template (instead of hard-coding table/bucket/topic names) is
what keeps the local stack from drifting: add a table, topic or key to the
template and it exists locally on the next run.

    .venv/bin/python infra/local/provision.py --stack cdp \
        --dynamodb http://127.0.0.1:8000 --aws http://127.0.0.1:5000 [--observe]
    .venv/bin/python infra/local/provision.py --stack cdp --print-env

Targets: DynamoDB Local (tables) and a moto server (S3, SNS, SQS, KMS).
Every step is idempotent; a second run only reports "exists".
Exit status: 0 on success, 1 on any error (message on stderr).

Credentials/region are fixed (test/test, us-east-1, account 123456789012):
DynamoDB Local keeps one database per access key + region unless started with
-sharedDb, so the code under test must use the same values.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import socket
import sys
import time
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlparse

import yaml

REGION = "us-east-1"
ACCOUNT_ID = "123456789012"
PARTITION = "aws"
URL_SUFFIX = "amazonaws.com"
DEFAULT_TEMPLATE = Path(__file__).resolve().parents[1] / "template.yaml"

# Dummy credentials, set here so nothing from the caller's environment (real
# profiles, SSO sessions) can ever be sent to the emulators.
for _k in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_DEFAULT_PROFILE"):
    os.environ.pop(_k, None)
os.environ["AWS_ACCESS_KEY_ID"] = "test"
os.environ["AWS_SECRET_ACCESS_KEY"] = "test"
os.environ["AWS_DEFAULT_REGION"] = REGION
os.environ["AWS_REGION"] = REGION
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"


class ProvisionError(Exception):
    pass


# ---------------------------------------------------------------------------
# Template loading (CloudFormation short-form tags -> long form)
# ---------------------------------------------------------------------------
class _CfnLoader(yaml.SafeLoader):
    pass


def _construct_tag(loader: yaml.Loader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    if suffix == "Ref":
        return {"Ref": value}
    if suffix == "Condition":
        return {"Condition": value}
    if suffix == "GetAtt" and isinstance(value, str):
        logical, _, attr = value.partition(".")
        return {"Fn::GetAtt": [logical, attr]}
    return {f"Fn::{suffix}": value}


_CfnLoader.add_multi_constructor("!", _construct_tag)


def load_template(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as fh:
        doc = yaml.load(fh, Loader=_CfnLoader)  # noqa: S506 - SafeLoader subclass
    if not isinstance(doc, dict) or not isinstance(doc.get("Resources"), dict):
        raise ProvisionError(f"{path}: not a CloudFormation template (no Resources)")
    return doc


# ---------------------------------------------------------------------------
# Intrinsic function resolution with local physical ids
# ---------------------------------------------------------------------------
class Resolver:
    def __init__(self, template: dict[str, Any], stack: str, aws_endpoint: str | None) -> None:
        self.resources: dict[str, Any] = template["Resources"]
        self.parameters: dict[str, Any] = template.get("Parameters") or {}
        self.aws_endpoint = (aws_endpoint or "http://127.0.0.1:5000").rstrip("/")
        self.pseudo = {
            "AWS::StackName": stack,
            "AWS::Region": REGION,
            "AWS::AccountId": ACCOUNT_ID,
            "AWS::Partition": PARTITION,
            "AWS::URLSuffix": URL_SUFFIX,
            "AWS::StackId": f"arn:{PARTITION}:cloudformation:{REGION}:{ACCOUNT_ID}:stack/{stack}/local",
            "AWS::NoValue": None,
        }
        self.key_ids: dict[str, str] = {}  # KMS key logical id -> local key id

    # -- helpers -------------------------------------------------------------
    def props(self, logical: str) -> dict[str, Any]:
        return self.resources[logical].get("Properties") or {}

    def rtype(self, logical: str) -> str:
        return self.resources[logical]["Type"]

    def is_parameter_ref(self, value: Any) -> bool:
        return isinstance(value, dict) and set(value) == {"Ref"} and value["Ref"] in self.parameters

    def _name(self, logical: str, prop: str) -> str:
        value = self.props(logical).get(prop)
        if value is None:
            raise ProvisionError(
                f"{logical}: no {prop} in the template; the local stack needs explicit names"
            )
        return self.resolve(value)

    def key_id(self, logical: str) -> str:
        if logical not in self.key_ids:
            raise ProvisionError(f"{logical}: KMS key not provisioned locally (does it have an alias?)")
        return self.key_ids[logical]

    # -- Ref / GetAtt --------------------------------------------------------
    def ref(self, name: str) -> Any:
        if name in self.pseudo:
            return self.pseudo[name]
        if name in self.parameters:
            param = self.parameters[name]
            if "Default" not in param:
                raise ProvisionError(f"parameter {name} has no Default")
            return str(param["Default"])
        if name not in self.resources:
            raise ProvisionError(f"Ref to unknown name {name}")
        rtype = self.rtype(name)
        if rtype == "AWS::DynamoDB::Table":
            return self._name(name, "TableName")
        if rtype == "AWS::S3::Bucket":
            return self._name(name, "BucketName")
        if rtype == "AWS::SNS::Topic":
            return self.getatt(name, "TopicArn")
        if rtype == "AWS::SQS::Queue":
            return self.getatt(name, "QueueUrl")
        if rtype == "AWS::KMS::Alias":
            return self._name(name, "AliasName")
        if rtype == "AWS::KMS::Key":
            return self.key_id(name)
        raise ProvisionError(f"Ref {name}: type {rtype} has no local equivalent")

    def getatt(self, logical: str, attr: str) -> Any:
        if logical not in self.resources:
            raise ProvisionError(f"GetAtt to unknown resource {logical}")
        rtype = self.rtype(logical)
        region_acct = f"{REGION}:{ACCOUNT_ID}"
        if rtype == "AWS::DynamoDB::Table":
            table = self.ref(logical)
            if attr == "Arn":
                return f"arn:{PARTITION}:dynamodb:{region_acct}:table/{table}"
        elif rtype == "AWS::S3::Bucket":
            bucket = self.ref(logical)
            if attr == "Arn":
                return f"arn:{PARTITION}:s3:::{bucket}"
            if attr == "DomainName":
                return f"{bucket}.s3.{URL_SUFFIX}"
        elif rtype == "AWS::SNS::Topic":
            topic = self._name(logical, "TopicName")
            if attr == "TopicName":
                return topic
            if attr == "TopicArn":
                return f"arn:{PARTITION}:sns:{region_acct}:{topic}"
        elif rtype == "AWS::SQS::Queue":
            queue = self._name(logical, "QueueName")
            if attr == "QueueName":
                return queue
            if attr == "QueueUrl":
                return f"{self.aws_endpoint}/{ACCOUNT_ID}/{queue}"
            if attr == "Arn":
                return f"arn:{PARTITION}:sqs:{region_acct}:{queue}"
        elif rtype == "AWS::KMS::Key":
            key = self.key_id(logical)
            if attr == "KeyId":
                return key
            if attr == "Arn":
                return f"arn:{PARTITION}:kms:{region_acct}:key/{key}"
        raise ProvisionError(f"GetAtt {logical}.{attr} ({rtype}) has no local equivalent")

    # -- generic resolution --------------------------------------------------
    _SUB_RE = re.compile(r"\$\{([^}]+)\}")

    def sub(self, template: str, variables: dict[str, Any]) -> str:
        def repl(match: re.Match[str]) -> str:
            expr = match.group(1).strip()
            if expr.startswith("!"):  # ${!Literal} -> ${Literal}
                return "${" + expr[1:] + "}"
            if expr in variables:
                return str(self.resolve(variables[expr]))
            if expr in self.pseudo or expr in self.parameters or expr in self.resources:
                return str(self.ref(expr))
            if "." in expr:
                logical, _, attr = expr.partition(".")
                return str(self.getatt(logical, attr))
            raise ProvisionError(f"Fn::Sub: cannot resolve ${{{expr}}}")

        return self._SUB_RE.sub(repl, template)

    def resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            (fn, arg), = value.items()
            handler: Callable[[Any], Any] | None = {
                "Ref": lambda a: self.ref(self.resolve(a)),
                "Fn::GetAtt": self._fn_getatt,
                "Fn::Sub": self._fn_sub,
                "Fn::Join": lambda a: str(self.resolve(a[0])).join(
                    str(x) for x in self.resolve(a[1])
                ),
                "Fn::Select": lambda a: self.resolve(a[1])[int(self.resolve(a[0]))],
                "Fn::Split": lambda a: str(self.resolve(a[1])).split(str(self.resolve(a[0]))),
            }.get(fn)
            if handler is not None:
                return handler(arg)
            if fn.startswith("Fn::") or fn == "Condition":
                raise ProvisionError(f"{fn} is not supported by the local provisioner")
        return {k: self.resolve(v) for k, v in value.items()}

    def _fn_getatt(self, arg: Any) -> Any:
        if isinstance(arg, str):
            arg = arg.split(".", 1)
        logical, attr = arg[0], self.resolve(arg[1])
        return self.getatt(logical, attr)

    def _fn_sub(self, arg: Any) -> str:
        if isinstance(arg, str):
            return self.sub(arg, {})
        return self.sub(arg[0], arg[1] or {})

    def logical_of(self, value: Any) -> str:
        """Logical id behind a Ref / GetAtt / plain logical id (alias targets)."""
        if isinstance(value, dict) and "Ref" in value:
            return value["Ref"]
        if isinstance(value, dict) and "Fn::GetAtt" in value:
            arg = value["Fn::GetAtt"]
            return arg.split(".", 1)[0] if isinstance(arg, str) else arg[0]
        if isinstance(value, str) and value in self.resources:
            return value
        raise ProvisionError(f"cannot tell which resource {value!r} refers to")


# ---------------------------------------------------------------------------
# Provisioning
# ---------------------------------------------------------------------------
def report(rtype: str, logical: str, name: str, status: str) -> None:
    print(f"{rtype:<22} {logical:<24} {status:<8} {name}", flush=True)


def wait_for(url: str, seconds: float) -> None:
    parsed = urlparse(url)
    host, port = parsed.hostname or "127.0.0.1", parsed.port or (443 if parsed.scheme == "https" else 80)
    deadline = time.monotonic() + seconds
    while True:
        try:
            with socket.create_connection((host, port), timeout=1):
                return
        except OSError as exc:
            if time.monotonic() >= deadline:
                raise ProvisionError(f"{url} is not reachable: {exc}") from exc
            time.sleep(0.25)


class Provisioner:
    def __init__(self, template: dict[str, Any], resolver: Resolver, args: argparse.Namespace) -> None:
        import boto3
        from botocore.config import Config

        self.template = template
        self.r = resolver
        self.args = args
        cfg = Config(retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=5, read_timeout=30)
        common = dict(
            region_name=REGION,
            aws_access_key_id="test",
            aws_secret_access_key="test",
            config=cfg,
        )
        self.session = boto3.session.Session()
        self._clients: dict[str, Any] = {}
        self._client_factory = lambda service, endpoint: self.session.client(
            service, endpoint_url=endpoint, **common
        )

    def client(self, service: str) -> Any:
        if service not in self._clients:
            endpoint = self.args.dynamodb if service == "dynamodb" else self.args.aws
            self._clients[service] = self._client_factory(service, endpoint)
        return self._clients[service]

    def resolved(self, logical: str, names: tuple[str, ...]) -> dict[str, Any]:
        """Resolve only the properties used locally (others may reference
        things with no local equivalent, e.g. Lambda ARNs)."""
        props = self.r.props(logical)
        return {k: self.r.resolve(props[k]) for k in names if k in props}

    def of_type(self, rtype: str) -> list[str]:
        return [lid for lid, res in self.r.resources.items() if res.get("Type") == rtype]

    def run(self) -> None:
        handled = {
            "AWS::KMS::Key", "AWS::KMS::Alias", "AWS::DynamoDB::Table", "AWS::S3::Bucket",
            "AWS::SNS::Topic", "AWS::SQS::Queue",
        }
        kms_needed = bool(self.of_type("AWS::KMS::Alias"))
        if self.of_type("AWS::DynamoDB::Table"):
            wait_for(self.args.dynamodb, self.args.wait)
        if kms_needed or any(self.of_type(t) for t in handled - {"AWS::DynamoDB::Table"}):
            wait_for(self.args.aws, self.args.wait)

        # Keys first: buckets/topics reference the local key ids.
        self.kms()
        for logical in self.of_type("AWS::DynamoDB::Table"):
            self.table(logical)
        for logical in self.of_type("AWS::S3::Bucket"):
            self.bucket(logical)
        for logical in self.of_type("AWS::SQS::Queue"):
            self.queue(logical)
        for logical in self.of_type("AWS::SNS::Topic"):
            self.topic(logical)

        others = sorted({res["Type"] for res in self.r.resources.values()} - handled)
        if others:
            print(f"(not emulated locally: {', '.join(others)})", flush=True)

    # -- KMS -----------------------------------------------------------------
    def kms(self) -> None:
        aliases = self.of_type("AWS::KMS::Alias")
        keys = self.of_type("AWS::KMS::Key")
        if not aliases and not keys:
            return
        kms = self.client("kms")
        existing: dict[str, str] = {}
        for page in kms.get_paginator("list_aliases").paginate():
            for alias in page.get("Aliases", []):
                if alias.get("TargetKeyId"):
                    existing[alias["AliasName"]] = alias["TargetKeyId"]

        aliased: set[str] = set()
        for logical in aliases:
            name = self.r.resolve(self.r.props(logical)["AliasName"])
            key_logical = self.r.logical_of(self.r.props(logical)["TargetKeyId"])
            aliased.add(key_logical)
            if name in existing:
                # A second alias pointing at the same template key must agree.
                known = self.r.key_ids.get(key_logical)
                if known and known != existing[name]:
                    raise ProvisionError(f"{name} targets {existing[name]}, expected {known}")
                self.r.key_ids[key_logical] = existing[name]
                report("AWS::KMS::Alias", logical, name, "exists")
                continue
            key_id = self.r.key_ids.get(key_logical)
            if key_id is None:
                kprops = self.r.props(key_logical)
                created = kms.create_key(
                    Description=str(self.r.resolve(kprops.get("Description", key_logical))),
                    KeySpec=kprops.get("KeySpec", "SYMMETRIC_DEFAULT"),
                    KeyUsage=kprops.get("KeyUsage", "ENCRYPT_DECRYPT"),
                    Tags=[{"TagKey": "cfn-logical-id", "TagValue": key_logical}],
                )
                key_id = created["KeyMetadata"]["KeyId"]
                self.r.key_ids[key_logical] = key_id
                if kprops.get("EnableKeyRotation") is True:
                    kms.enable_key_rotation(KeyId=key_id)
                report("AWS::KMS::Key", key_logical, key_id, "created")
            kms.create_alias(AliasName=name, TargetKeyId=key_id)
            report("AWS::KMS::Alias", logical, name, "created")

        for logical in keys:
            if logical not in aliased:
                # Without an alias a key cannot be found again, so re-runs would
                # pile up keys; give it an AWS::KMS::Alias in the template.
                report("AWS::KMS::Key", logical, "-", "skipped (no alias)")

    # -- DynamoDB ------------------------------------------------------------
    def table(self, logical: str) -> None:
        # SSESpecification, PointInTimeRecoverySpecification, DeletionProtection,
        # ContributorInsights, Tags: AWS-only features, not emulated by DynamoDB Local.
        ddb = self.client("dynamodb")
        p = self.resolved(logical, (
            "TableName", "AttributeDefinitions", "KeySchema", "BillingMode", "ProvisionedThroughput",
            "GlobalSecondaryIndexes", "LocalSecondaryIndexes", "StreamSpecification",
            "TimeToLiveSpecification",
        ))
        name = p["TableName"]
        want = {
            "TableName": name,
            "AttributeDefinitions": p["AttributeDefinitions"],
            "KeySchema": p["KeySchema"],
            "BillingMode": p.get("BillingMode", "PROVISIONED"),
        }
        if p.get("ProvisionedThroughput"):
            want["ProvisionedThroughput"] = p["ProvisionedThroughput"]
        for idx_key, allowed in (
            ("GlobalSecondaryIndexes", ("IndexName", "KeySchema", "Projection", "ProvisionedThroughput")),
            ("LocalSecondaryIndexes", ("IndexName", "KeySchema", "Projection")),
        ):
            if p.get(idx_key):
                want[idx_key] = [{k: v for k, v in idx.items() if k in allowed} for idx in p[idx_key]]
        stream = p.get("StreamSpecification")
        if stream and stream.get("StreamViewType"):
            want["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": stream["StreamViewType"]}

        try:
            current = ddb.describe_table(TableName=name)["Table"]
            self._check_table_drift(logical, want, current)
            status = "exists"
        except ddb.exceptions.ResourceNotFoundException:
            ddb.create_table(**want)
            ddb.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 30})
            status = "created"

        ttl = p.get("TimeToLiveSpecification")
        if ttl and ttl.get("Enabled"):
            desc = ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
            if desc.get("TimeToLiveStatus") in ("ENABLED", "ENABLING"):
                if desc.get("AttributeName") != ttl["AttributeName"]:
                    raise ProvisionError(
                        f"{name}: TTL attribute is {desc.get('AttributeName')}, template says {ttl['AttributeName']}"
                    )
            else:
                ddb.update_time_to_live(
                    TableName=name,
                    TimeToLiveSpecification={"AttributeName": ttl["AttributeName"], "Enabled": True},
                )
        report("AWS::DynamoDB::Table", logical, name, status)

    @staticmethod
    def _check_table_drift(logical: str, want: dict[str, Any], current: dict[str, Any]) -> None:
        def keys(schema: list[dict[str, str]]) -> list[tuple[str, str]]:
            return [(k["AttributeName"], k["KeyType"]) for k in schema]

        problems = []
        if keys(current["KeySchema"]) != keys(want["KeySchema"]):
            problems.append("key schema")
        have_gsi = {g["IndexName"]: keys(g["KeySchema"]) for g in current.get("GlobalSecondaryIndexes", [])}
        want_gsi = {g["IndexName"]: keys(g["KeySchema"]) for g in want.get("GlobalSecondaryIndexes", [])}
        if have_gsi != want_gsi:
            problems.append(f"GSIs {sorted(have_gsi)} != {sorted(want_gsi)}")
        want_stream = want.get("StreamSpecification", {}).get("StreamViewType")
        have_stream = (current.get("StreamSpecification") or {}).get("StreamViewType")
        if (current.get("StreamSpecification") or {}).get("StreamEnabled") is False:
            have_stream = None
        if want_stream != have_stream:
            problems.append(f"stream {have_stream} != {want_stream}")
        if problems:
            raise ProvisionError(
                f"{logical}: table {want['TableName']} exists but differs from the template "
                f"({'; '.join(problems)}); restart DynamoDB Local (-inMemory) to recreate it"
            )

    # -- S3 ------------------------------------------------------------------
    def bucket(self, logical: str) -> None:
        # LoggingConfiguration, LifecycleConfiguration, bucket policies and
        # ownership controls are not applied: moto does not enforce them.
        s3 = self.client("s3")
        p = self.resolved(logical, (
            "BucketName", "VersioningConfiguration", "BucketEncryption", "PublicAccessBlockConfiguration",
        ))
        name = p["BucketName"]
        try:
            s3.head_bucket(Bucket=name)
            status = "exists"
        except s3.exceptions.ClientError as exc:
            if exc.response.get("Error", {}).get("Code") not in ("404", "NoSuchBucket", "NotFound"):
                raise
            s3.create_bucket(Bucket=name)  # us-east-1: no LocationConstraint
            status = "created"

        versioning = (p.get("VersioningConfiguration") or {}).get("Status")
        if versioning:
            s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": versioning})
        enc = (p.get("BucketEncryption") or {}).get("ServerSideEncryptionConfiguration")
        if enc:
            # CloudFormation says ServerSideEncryptionByDefault, the S3 API
            # ApplyServerSideEncryptionByDefault.
            rules = [
                {("ApplyServerSideEncryptionByDefault" if k == "ServerSideEncryptionByDefault" else k): v
                 for k, v in rule.items()}
                for rule in enc
            ]
            s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={"Rules": rules})
        pab = p.get("PublicAccessBlockConfiguration")
        if pab:
            s3.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration=pab)
        report("AWS::S3::Bucket", logical, name, status)

    # -- SQS / SNS -----------------------------------------------------------
    def _ensure_queue(self, name: str, attributes: dict[str, str]) -> tuple[str, str]:
        sqs = self.client("sqs")
        try:
            url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
            status = "exists"
        except sqs.exceptions.QueueDoesNotExist:
            url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
            status = "created"
        return url, status

    def queue(self, logical: str) -> None:
        passthrough = (
            "DelaySeconds", "MaximumMessageSize", "MessageRetentionPeriod",
            "ReceiveMessageWaitTimeSeconds", "VisibilityTimeout", "FifoQueue",
            "ContentBasedDeduplication",
        )
        p = self.resolved(logical, ("QueueName", *passthrough))
        name = p["QueueName"]
        attrs = {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in p.items() if k in passthrough}
        _, status = self._ensure_queue(name, attrs)
        report("AWS::SQS::Queue", logical, name, status)

    def topic(self, logical: str) -> None:
        sns = self.client("sns")
        p = self.resolved(logical, ("TopicName", "KmsMasterKeyId", "FifoTopic"))
        name = p["TopicName"]
        arn = self.r.getatt(logical, "TopicArn")
        existing = set()
        for page in sns.get_paginator("list_topics").paginate():
            existing.update(t["TopicArn"] for t in page.get("Topics", []))
        if arn in existing:
            status = "exists"
        else:
            attrs = {}
            if p.get("KmsMasterKeyId"):
                attrs["KmsMasterKeyId"] = str(p["KmsMasterKeyId"])
            if p.get("FifoTopic"):
                attrs["FifoTopic"] = "true"
            created = sns.create_topic(Name=name, Attributes=attrs)["TopicArn"]
            if created != arn:
                raise ProvisionError(f"{name}: moto returned {created}, expected {arn}")
            status = "created"
        report("AWS::SNS::Topic", logical, arn, status)
        if self.args.observe:
            self.observer(name, arn, bool(p.get("FifoTopic")))

    def observer(self, topic_name: str, topic_arn: str, fifo: bool) -> None:
        """SQS queue subscribed (raw delivery) so tests can read what was published."""
        sqs, sns = self.client("sqs"), self.client("sns")
        base = topic_name[: -len(".fifo")] if fifo else topic_name
        qname = f"{base}-observer.fifo" if fifo else f"{base}-observer"
        url, status = self._ensure_queue(qname, {"FifoQueue": "true"} if fifo else {})
        qarn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        subscribed = False
        for page in sns.get_paginator("list_subscriptions_by_topic").paginate(TopicArn=topic_arn):
            subscribed |= any(s["Endpoint"] == qarn and s["Protocol"] == "sqs" for s in page["Subscriptions"])
        if not subscribed:
            sns.subscribe(
                TopicArn=topic_arn, Protocol="sqs", Endpoint=qarn,
                Attributes={"RawMessageDelivery": "true"}, ReturnSubscriptionArn=True,
            )
        report("observer", topic_name, url, status if subscribed else "created")


# ---------------------------------------------------------------------------
# --print-env
# ---------------------------------------------------------------------------
def print_env(template: dict[str, Any], resolver: Resolver) -> None:
    """Shell exports for the Globals.Function environment, resolved locally.

    Values that reference template Parameters (deployment settings such as
    ISSUER_BASE_URL) and RUST_LOG are left to the caller.
    """
    variables = (
        ((template.get("Globals") or {}).get("Function") or {}).get("Environment") or {}
    ).get("Variables") or {}
    for name, value in variables.items():
        if name == "RUST_LOG" or resolver.is_parameter_ref(value):
            continue
        try:
            resolved = resolver.resolve(value)
        except ProvisionError as exc:
            print(f"# {name}: skipped ({exc})", flush=True)
            continue
        print(f"export {name}={shlex.quote(str(resolved))}", flush=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--stack", required=True, help="stack name (AWS::StackName), e.g. cdp")
    ap.add_argument("--template", type=Path, default=DEFAULT_TEMPLATE)
    ap.add_argument("--dynamodb", help="DynamoDB Local endpoint, e.g. http://127.0.0.1:8000")
    ap.add_argument("--aws", help="moto server endpoint (S3, SNS, SQS, KMS), e.g. http://127.0.0.1:5000")
    ap.add_argument("--observe", action="store_true",
                    help="also create <topic>-observer SQS queues subscribed to every topic (raw delivery)")
    ap.add_argument("--print-env", action="store_true",
                    help="only print export lines for the functions' environment; provisions nothing")
    ap.add_argument("--wait", type=float, default=20.0,
                    help="seconds to wait for the endpoints to accept connections (default 20)")
    args = ap.parse_args(argv)

    try:
        template = load_template(args.template)
        resolver = Resolver(template, args.stack, args.aws)
        if args.print_env:
            print_env(template, resolver)
            return 0
        if not args.dynamodb or not args.aws:
            ap.error("--dynamodb and --aws are required unless --print-env is given")
        Provisioner(template, resolver, args).run()
        return 0
    except ProvisionError as exc:
        print(f"provision: error: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # noqa: BLE001 - any AWS/emulator failure is fatal
        print(f"provision: error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
