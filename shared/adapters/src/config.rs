//! SDK configuration and the environment every function reads.
//!
//! Endpoints come from the standard `AWS_ENDPOINT_URL_<SERVICE>` variables, so the same binaries
//! talk to AWS in a deployment and to DynamoDB Local / moto locally, with no code switch.
//!
//! Cold start (issue #6): everything here is cheap at init. Region and credentials are read from the
//! variables Lambda sets (no provider chain, no profile or metadata look-ups); one HTTP client is
//! shared by every SDK client; its TLS trust roots are Amazon Trust Services' five roots, compiled in, turned
//! into a rustls configuration only when the first HTTPS connection is made (never /etc/ssl/certs).

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::Credentials;
use aws_sdk_dynamodb::config::SharedHttpClient;
use aws_smithy_http_client::Builder;
use aws_smithy_http_client::tls::{self, TlsContext, TrustStore};

/// Loads the shared SDK configuration once (in `main`); every client is built from it and so
/// shares one HTTP client and one credentials cache.
pub async fn sdk_config() -> SdkConfig {
    let vars = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let mut loader = aws_config::defaults(BehaviorVersion::latest()).http_client(http_client(&endpoints_from_env()));
    if let Some(region) = vars("AWS_REGION").or_else(|| vars("AWS_DEFAULT_REGION")) {
        loader = loader.region(Region::new(region));
    }
    // Lambda puts the execution role's keys in the environment for the life of the sandbox: taking them
    // as they are skips the provider chain (profile files, SSO, web identity, container and IMDS
    // providers) that would find the same keys after several look-ups.
    if let (Some(id), Some(secret)) = (vars("AWS_ACCESS_KEY_ID"), vars("AWS_SECRET_ACCESS_KEY")) {
        loader = loader.credentials_provider(Credentials::new(id, secret, vars("AWS_SESSION_TOKEN"), None, "env"));
    }
    loader.load().await
}

/// The endpoint each service the functions use resolves to, when overridden: `AWS_ENDPOINT_URL_<SERVICE>`,
/// else `AWS_ENDPOINT_URL`. `None` for a service means its real AWS endpoint (HTTPS).
fn endpoints_from_env() -> Vec<Option<String>> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    SERVICES.iter().map(|s| var(&format!("AWS_ENDPOINT_URL_{s}")).or_else(|| var("AWS_ENDPOINT_URL"))).collect()
}

/// Every AWS service a function of this workspace calls.
const SERVICES: [&str; 5] = ["DYNAMODB", "KMS", "S3", "SNS", "SQS"];

/// The HTTP client shared by all SDK clients. When every service resolves to an explicit `http://` URL
/// (the local stack) no TLS stack is built at all; otherwise hyper + rustls (aws-lc-rs) with compiled-in
/// roots.
pub fn http_client(endpoints: &[Option<String>]) -> SharedHttpClient {
    if !needs_tls(endpoints) {
        return Builder::new().build_http();
    }
    Builder::new()
        .tls_provider(tls::Provider::Rustls(tls::rustls_provider::CryptoMode::AwsLc))
        .tls_context(TlsContext::builder().with_trust_store(compiled_in_roots()).build().expect("a trust store only"))
        .build_https()
}

/// TLS unless every service is overridden with a plain `http://` URL: one service left on its real
/// endpoint (or an `https://` override) needs it.
fn needs_tls(endpoints: &[Option<String>]) -> bool {
    endpoints.is_empty() || endpoints.iter().any(|e| !e.as_deref().is_some_and(|e| e.starts_with("http://")))
}

/// The roots AWS endpoints chain to (Amazon Trust Services), compiled in: nothing is read or parsed at
/// start, and the SDK parses these five certificates only when it builds its first TLS connector.
/// Trusting only Amazon's CAs also means a certificate from any other CA is refused for AWS calls.
fn compiled_in_roots() -> TrustStore {
    TrustStore::empty().with_native_roots(false).with_pem_certificate(AMAZON_TRUST_ROOTS)
}

const AMAZON_TRUST_ROOTS: &[u8] = include_bytes!("amazon-trust-roots.pem");

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
    /// The realm's public keys as a JWKS, pinned at deployment (`cdp-admin jwks` prints it from KMS).
    pub fn signing_public_jwks() -> Option<String> {
        std::env::var("SIGNING_PUBLIC_JWKS").ok().filter(|v| !v.trim().is_empty())
    }
    /// `<ISSUER_BASE_URL>/auth/realms/cdp`
    pub fn issuer() -> Result<String, MissingEnv> {
        Ok(format!("{}/auth/realms/cdp", Self::var("ISSUER_BASE_URL")?.trim_end_matches('/')))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds the HTTPS connector for real (the SDK parses our PEM roots at that moment and would panic
    /// on a bad one) by calling a local port where nothing listens: the call must fail as a connection
    /// error, after the trust store was accepted.
    #[tokio::test]
    async fn https_client_accepts_the_compiled_in_roots() {
        let config = aws_config::SdkConfig::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .credentials_provider(aws_credential_types::provider::SharedCredentialsProvider::new(Credentials::new(
                "AKID", "secret", None, None, "test",
            )))
            .http_client(http_client(&[None]))
            .endpoint_url("https://127.0.0.1:9")
            .retry_config(aws_config::retry::RetryConfig::disabled())
            .build();
        let client = aws_sdk_dynamodb::Client::new(&config);
        let err = client.list_tables().send().await.expect_err("nothing listens on port 9");
        let text = format!("{}", aws_sdk_dynamodb::error::DisplayErrorContext(&err));
        assert!(text.contains("dispatch failure") || text.contains("io error"), "{text}");
    }

    #[test]
    fn the_compiled_in_roots_are_amazons_five() {
        let pem = std::str::from_utf8(AMAZON_TRUST_ROOTS).expect("PEM is text");
        assert_eq!(pem.matches("-----BEGIN CERTIFICATE-----").count(), 5);
        assert_eq!(pem.matches("-----END CERTIFICATE-----").count(), 5);
    }

    #[test]
    fn plain_http_only_when_every_service_is_overridden_with_plain_http() {
        let v = |xs: &[Option<&str>]| xs.iter().map(|x| x.map(str::to_owned)).collect::<Vec<_>>();
        let local = Some("http://127.0.0.1:8000");
        assert!(!needs_tls(&v(&[local; 5])));
        assert!(needs_tls(&v(&[None; 5])));
        assert!(needs_tls(&v(&[])));
        // DynamoDB Local with the other services on AWS: TLS for those.
        assert!(needs_tls(&v(&[local, None, None, None, None])));
        assert!(needs_tls(&v(&[local, Some("https://kms.me-central-1.amazonaws.com"), local, local, local])));
    }
}
