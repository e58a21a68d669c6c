//! SDK configuration and the environment every function reads.
//!
//! Endpoints come from the standard `AWS_ENDPOINT_URL_<SERVICE>` variables, so the same binaries
//! talk to AWS in a deployment and to DynamoDB Local / moto locally, with no code switch.

use aws_config::{BehaviorVersion, SdkConfig};

/// Loads the shared SDK configuration once (in `main`); every client is built from it and so
/// shares one HTTP client and one credentials cache.
pub async fn sdk_config() -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest()).load().await
}

#[derive(Debug, thiserror::Error)]
#[error("missing environment variable {0}")]
pub struct MissingEnv(pub &'static str);

/// Typed access to the function environment (names match `infra/template.yaml`).
pub struct Env;

impl Env {
    fn var(name: &'static str) -> Result<String, MissingEnv> {
        std::env::var(name).ok().filter(|v| !v.is_empty()).ok_or(MissingEnv(name))
    }
    pub fn identity_table() -> Result<String, MissingEnv> {
        Self::var("IDENTITY_TABLE")
    }
    pub fn bank_table() -> Result<String, MissingEnv> {
        Self::var("BANK_TABLE")
    }
    pub fn approvals_topic_arn() -> Result<String, MissingEnv> {
        Self::var("APPROVALS_TOPIC_ARN")
    }
    pub fn compliance_topic_arn() -> Option<String> {
        Self::var("COMPLIANCE_TOPIC_ARN").ok()
    }
    pub fn documents_bucket() -> Result<String, MissingEnv> {
        Self::var("DOCUMENTS_BUCKET")
    }
    /// KMS key for document encryption (default: the bucket's default key).
    pub fn documents_key_id() -> Option<String> {
        std::env::var("DOCUMENTS_KMS_KEY_ID").ok().filter(|v| !v.is_empty())
    }
    /// The watch list object in the documents bucket (OpenSanctions targets.simple.csv format).
    pub fn watchlist_key() -> String {
        std::env::var("WATCHLIST_KEY")
            .ok()
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| "watchlist/targets.simple.csv".into())
    }
    pub fn signing_key_id() -> Result<String, MissingEnv> {
        Self::var("SIGNING_KEY_ID")
    }
    /// Keys that were rotated out but whose tokens are still accepted (comma separated).
    pub fn previous_signing_key_ids() -> Vec<String> {
        std::env::var("PREVIOUS_SIGNING_KEY_IDS")
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    }
    /// `<ISSUER_BASE_URL>/auth/realms/cdp`
    pub fn issuer() -> Result<String, MissingEnv> {
        Ok(format!("{}/auth/realms/cdp", Self::var("ISSUER_BASE_URL")?.trim_end_matches('/')))
    }
}
