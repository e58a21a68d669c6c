//! Ports of the Customer Data Platform.

use std::collections::{HashMap, HashSet};
use std::future::Future;

use crate::ports::PortError;

/// The bank's own code tables (id types, genders, occupations, ...), versioned data in the
/// repository (`infra/reference-data/`) loaded into DynamoDB.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CodeTables {
    pub version: String,
    pub tables: HashMap<String, HashSet<String>>,
}

impl CodeTables {
    pub fn contains(&self, table: &str, code: &str) -> bool {
        self.tables.get(table).is_some_and(|t| t.contains(code))
    }
}

pub trait ReferenceData: Send + Sync {
    fn code_tables(&self) -> impl Future<Output = Result<std::sync::Arc<CodeTables>, PortError>> + Send;
}

/// Document bytes, encrypted at rest (S3 with SSE-KMS).
pub trait DocumentStore: Send + Sync {
    fn put(
        &self,
        key: &str,
        bytes: &[u8],
        content_type: &str,
        sha256: &str,
    ) -> impl Future<Output = Result<(), PortError>> + Send;
    fn delete(&self, key: &str) -> impl Future<Output = Result<(), PortError>> + Send;
}

/// Who is screened: every name the customer goes by, date of birth and nationalities.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScreeningSubject {
    pub names: Vec<String>,
    pub date_of_birth: String,
    pub countries: Vec<String>,
    pub declared_pep: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScreeningVerdict {
    /// No match.
    Clear,
    /// A potential match to investigate (an AML alert is opened).
    PotentialMatch,
    /// A match to an entry the bank marks as auto-reject.
    AutoReject,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScreeningResult {
    pub verdict: ScreeningVerdict,
    /// Matched a politically exposed person.
    pub pep_match: bool,
    /// The list entries that matched (ids of the list, not names).
    pub matched_ids: Vec<String>,
}

pub trait Screening: Send + Sync {
    fn screen(&self, subject: &ScreeningSubject) -> impl Future<Output = Result<ScreeningResult, PortError>> + Send;
}

impl<T: DocumentStore> DocumentStore for std::sync::Arc<T> {
    fn put(
        &self,
        key: &str,
        bytes: &[u8],
        content_type: &str,
        sha256: &str,
    ) -> impl Future<Output = Result<(), PortError>> + Send {
        (**self).put(key, bytes, content_type, sha256)
    }
    fn delete(&self, key: &str) -> impl Future<Output = Result<(), PortError>> + Send {
        (**self).delete(key)
    }
}
