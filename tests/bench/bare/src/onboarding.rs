//! What an onboarding with four images must wait for, with the bare SDK: the four `PutObject`s (made
//! concurrently, as `OnboardingService::upload_all` makes them: SSE-KMS, content type, `sha256`
//! metadata, keys `customers/<key>/<request>/<slot>`) and then the customer's `TransactWriteItems` (the
//! record, one registry item per ID document, the ECRN registry item, the audit item — as
//! `DynamoBank::save_onboarding` writes a new customer). The items are copies of those of a customer the
//! function onboarded (`--template-ecrn`) under fresh keys, so sizes and item count are the function's.

use std::collections::HashMap;
use std::path::Path;
use std::time::Instant;

use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem};
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::ServerSideEncryption;
use sha2::{Digest, Sha256};

use crate::{Res, bare_sdk_config, ms, series};

type Item = HashMap<String, AttributeValue>;

fn s(v: impl Into<String>) -> AttributeValue {
    AttributeValue::S(v.into())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn random_hex(n_bytes: usize) -> String {
    let mut out = String::new();
    while out.len() < 2 * n_bytes {
        out.push_str(&uuid::Uuid::new_v4().simple().to_string());
    }
    out.truncate(2 * n_bytes);
    out
}

/// A 16-digit number that is not an issued ECRN (issued ones start with 784).
fn fresh_ecrn() -> String {
    format!("999{:013}", uuid::Uuid::new_v4().as_u128() % 10_000_000_000_000)
}

struct Template {
    record: Item,
    audit: Item,
    id_documents: usize,
}

/// The items of the customer with ECRN `ecrn` (found through its `ECRN#` registry item).
async fn template(client: &aws_sdk_dynamodb::Client, table: &str, ecrn: &str) -> Res<Template> {
    let owner = client
        .get_item()
        .table_name(table)
        .key("pk", s(format!("ECRN#{ecrn}")))
        .key("sk", s("ECRN"))
        .consistent_read(true)
        .send()
        .await?
        .item
        .ok_or("template ECRN not found")?;
    let key = owner.get("customer_key").and_then(|v| v.as_s().ok()).ok_or("ECRN item without customer_key")?;
    let get = |sk: &'static str| {
        client.get_item().table_name(table).key("pk", s(format!("CUST#{key}"))).key("sk", s(sk)).consistent_read(true)
    };
    let record = get("RECORD").send().await?.item.ok_or("template customer not found")?;
    let audit = get("AUDIT#0000000001").send().await?.item.ok_or("template customer has no first audit item")?;
    let ids = record.get("id_documents").and_then(|v| v.as_s().ok()).ok_or("template without id_documents")?;
    let id_documents = serde_json::from_str::<Vec<serde_json::Value>>(ids)?.len();
    Ok(Template { record, audit, id_documents })
}

/// The onboarding transaction of a new customer `key`, with the template's attributes.
fn onboarding_items(t: &Template, table: &str, key: &str) -> Res<Vec<TransactWriteItem>> {
    const NEW: &str = "attribute_not_exists(pk)";
    let pk = format!("CUST#{key}");
    let ecrn = fresh_ecrn();
    let mut record = t.record.clone();
    record.insert("pk".into(), s(&pk));
    record.insert("key".into(), s(key));
    record.insert("ecrn".into(), s(&ecrn));
    let mut audit = t.audit.clone();
    audit.insert("pk".into(), s(&pk));
    audit.insert("entity_key".into(), s(key));
    audit.insert("transition_id".into(), s(uuid::Uuid::new_v4().to_string()));

    let plain = |item: Item| -> Res<TransactWriteItem> {
        let p = Put::builder().table_name(table).set_item(Some(item)).condition_expression(NEW).build()?;
        Ok(TransactWriteItem::builder().put(p).build())
    };
    let owned = |pk: String, sk: &str, kind: &str| -> Res<TransactWriteItem> {
        let p = Put::builder()
            .table_name(table)
            .item("pk", s(pk))
            .item("sk", s(sk))
            .item("kind", s(kind))
            .item("customer_key", s(key))
            .condition_expression("attribute_not_exists(pk) OR customer_key = :k")
            .expression_attribute_values(":k", s(key))
            .build()?;
        Ok(TransactWriteItem::builder().put(p).build())
    };
    let mut items = vec![plain(record)?];
    for _ in 0..t.id_documents {
        items.push(owned(format!("IDDOC#{}", random_hex(32)), "IDDOC", "iddoc")?);
    }
    items.push(owned(format!("ECRN#{ecrn}"), "ECRN", "ecrn")?);
    items.push(plain(audit)?);
    Ok(items)
}

struct Uploader {
    client: aws_sdk_s3::Client,
    bucket: String,
    kms_key_id: Option<String>,
    body: aws_sdk_s3::primitives::SdkBody,
    sha256: String,
    content_type: String,
}

impl Uploader {
    /// One `PutObject` as the documents adapter makes it; its duration.
    async fn put(&self, key: String) -> Res<f64> {
        let t = Instant::now();
        self.client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .body(ByteStream::new(self.body.try_clone().ok_or("body is not cloneable")?))
            .content_type(&self.content_type)
            .server_side_encryption(ServerSideEncryption::AwsKms)
            .set_ssekms_key_id(self.kms_key_id.clone())
            .metadata("sha256", &self.sha256)
            .send()
            .await?;
        Ok(ms(t))
    }
}

fn slots(n: usize) -> impl Iterator<Item = String> {
    (0..n).map(|i| format!("id-{}-{}", i / 2, if i % 2 == 0 { "front" } else { "back" }))
}

pub async fn run(
    n: usize,
    warmup: usize,
    image: &Path,
    template_ecrn: &str,
    documents: usize,
) -> Res<serde_json::Value> {
    let config = bare_sdk_config().await;
    let dynamo = aws_sdk_dynamodb::Client::new(&config);
    let local = std::env::var_os("AWS_ENDPOINT_URL_S3").is_some();
    let s3 = aws_sdk_s3::Client::from_conf(aws_sdk_s3::config::Builder::from(&config).force_path_style(local).build());
    let table = adapters::Env::bank_table()?;
    let tpl = template(&dynamo, &table, template_ecrn).await?;
    let bytes = std::fs::read(image)?;
    let content_type = match image.extension().and_then(|e| e.to_str()) {
        Some("png") => "image/png",
        Some("pdf") => "application/pdf",
        _ => "image/jpeg",
    };
    let up = Uploader {
        client: s3,
        bucket: adapters::Env::documents_bucket()?,
        kms_key_id: adapters::Env::documents_key_id(),
        sha256: hex(&Sha256::digest(&bytes)),
        body: aws_sdk_s3::primitives::SdkBody::from(bytes.clone()),
        content_type: content_type.into(),
    };

    let (mut slowest, mut write, mut total, mut single) = (vec![], vec![], vec![], vec![]);
    for i in 0..n + warmup {
        // A key of the same length as the function's (EncodedKey of 12 random bytes).
        let key = domain::banking::values::EncodedKey::from_random(&uuid::Uuid::new_v4().as_bytes()[..12]);
        let key = key.as_str();
        let request = random_hex(16);
        let items = onboarding_items(&tpl, &table, key)?;

        let t = Instant::now();
        let puts =
            futures::future::join_all(slots(documents).map(|slot| up.put(format!("customers/{key}/{request}/{slot}"))));
        for r in puts.await {
            r?;
        }
        let uploads = ms(t);
        let t = Instant::now();
        dynamo.transact_write_items().set_transact_items(Some(items)).send().await?;
        let tx = ms(t);

        // For reference: one put with nothing beside it.
        let alone = up.put(format!("customers/{key}/{request}/alone")).await?;
        if i >= warmup {
            slowest.push(uploads);
            write.push(tx);
            total.push(uploads + tx);
            single.push(alone);
        }
    }
    Ok(serde_json::json!({
        "what": format!("{documents} concurrent PutObject of {} bytes (slowest = all done) + TransactWriteItems ({} Puts), bare SDK",
                        bytes.len(), tpl.id_documents + 3),
        "slowest_put": series(&slowest),
        "record_write": series(&write),
        "baseline": series(&total),
        "single_put_alone": series(&single),
    }))
}
