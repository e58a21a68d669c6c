//! Customer documents in S3: SSE-KMS on every object, keys without PII, the SHA-256 sent as the
//! object checksum (S3 verifies it) and kept in metadata.

use aws_sdk_s3::Client;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::ServerSideEncryption;
use domain::cdp::ports::DocumentStore;
use domain::ports::PortError;

pub struct S3Documents {
    client: Client,
    bucket: String,
    kms_key_id: Option<String>,
}

/// An S3 client from the shared configuration. Path-style addressing when an endpoint override is
/// in use (the local emulator has no virtual-host DNS).
pub fn client(config: &aws_config::SdkConfig) -> Client {
    let local = std::env::var_os("AWS_ENDPOINT_URL_S3").is_some();
    Client::from_conf(aws_sdk_s3::config::Builder::from(config).force_path_style(local).build())
}

impl S3Documents {
    pub fn new(client: Client, bucket: impl Into<String>, kms_key_id: Option<String>) -> Self {
        Self { client, bucket: bucket.into(), kms_key_id }
    }
}

fn unavailable<E: std::error::Error + 'static>(op: &str, e: &aws_sdk_s3::error::SdkError<E>) -> PortError {
    PortError::Unavailable(format!("s3:{op}: {}", aws_sdk_s3::error::DisplayErrorContext(e)))
}

impl DocumentStore for S3Documents {
    async fn put(&self, key: &str, bytes: &[u8], content_type: &str, sha256: &str) -> Result<(), PortError> {
        self.client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .body(ByteStream::from(bytes.to_vec()))
            .content_type(content_type)
            .server_side_encryption(ServerSideEncryption::AwsKms)
            .set_ssekms_key_id(self.kms_key_id.clone())
            .metadata("sha256", sha256)
            .send()
            .await
            .map_err(|e| unavailable("PutObject", &e))?;
        Ok(())
    }

    /// Removes every version of `key` (the bucket is versioned; a plain delete would only add a
    /// delete marker). Keys are unique per onboarding request, so all versions are this request's.
    async fn delete(&self, key: &str) -> Result<(), PortError> {
        let out = self
            .client
            .list_object_versions()
            .bucket(&self.bucket)
            .prefix(key)
            .send()
            .await
            .map_err(|e| unavailable("ListObjectVersions", &e))?;
        let versions = out.versions().iter().filter(|v| v.key() == Some(key)).filter_map(|v| v.version_id());
        let markers = out.delete_markers().iter().filter(|m| m.key() == Some(key)).filter_map(|m| m.version_id());
        for version in versions.chain(markers) {
            self.client
                .delete_object()
                .bucket(&self.bucket)
                .key(key)
                .version_id(version)
                .send()
                .await
                .map_err(|e| unavailable("DeleteObject", &e))?;
        }
        Ok(())
    }
}
