//! Customer records (seed 000's `contactEncodedKey`).

use time::Date;

use super::approval::{Approvable, ApprovalStatus, ApprovalTask, Decision, EntityKind, FieldError};
use super::values::{Country, Email, EncodedKey, IdNumber, IdType, MobileNumber, PersonName, parse_date};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CustomerStatus {
    KycPending,
    Active,
    Inactive,
    Rejected,
    Blocked,
}

impl CustomerStatus {
    /// Seed 003's spelling (`customer_status`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::KycPending => "KYC_PENDING",
            Self::Active => "ACTIVE",
            Self::Inactive => "INACTIVE",
            Self::Rejected => "REJECTED",
            Self::Blocked => "BLOCKED",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [Self::KycPending, Self::Active, Self::Inactive, Self::Rejected, Self::Blocked]
            .into_iter()
            .find(|x| x.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Customer {
    pub key: EncodedKey,
    pub first_name: PersonName,
    pub last_name: PersonName,
    pub date_of_birth: Date,
    pub nationality: Country,
    pub id_type: IdType,
    pub id_number: IdNumber,
    pub mobile_number: MobileNumber,
    pub email: Email,
    pub branch: String,
    pub status: CustomerStatus,
    pub approval: Option<ApprovalTask>,
    pub created_by: String,
    pub created_at: String,
    pub version: u64,
    /// Present once a partner has onboarded the customer on the Customer Data Platform.
    pub cdp: Option<CdpProfile>,
}

/// AML screening outcome (seed 003 `aml_scan_status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AmlStatus {
    Accepted,
    UnderInvestigation,
    Rejected,
    Failed,
}

impl AmlStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Accepted => "Accepted",
            Self::UnderInvestigation => "Under Investigation",
            Self::Rejected => "Rejected",
            Self::Failed => "Failed",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Accepted, Self::UnderInvestigation, Self::Rejected, Self::Failed].into_iter().find(|x| x.as_str() == s)
    }
}

/// A document stored for a customer (bytes in the document store, this on the record).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct StoredDocument {
    /// Where it came from in the onboarding payload, e.g. `id_details[0].id_front`.
    pub source: String,
    /// Object key: customer key + request id + document slot; never PII.
    pub key: String,
    pub content_type: String,
    pub size: usize,
    pub sha256: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CdpIdDocument {
    pub id_type: IdType,
    pub id_number: IdNumber,
    pub date_of_expiry: Date,
    pub active: bool,
}

/// The Customer Data Platform side of a customer (seed 003).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CdpProfile {
    /// 16 digits, unique, never reused (see `cdp::ecrn`).
    pub ecrn: String,
    pub middle_name: Option<String>,
    /// The agent that first onboarded the customer.
    pub agent_location_id: String,
    /// Every partner agent subscribed to the customer (those who onboarded it).
    pub subscriptions: Vec<String>,
    pub aml_scan_status: AmlStatus,
    pub pep: bool,
    pub aml_category: u8,
    /// The customer's ID documents as onboarded (the first is the primary one).
    pub id_documents: Vec<CdpIdDocument>,
    pub documents: Vec<StoredDocument>,
    /// The onboarding payload as received, without document bytes.
    pub profile_json: String,
}

/// The raw fields of `CreateCustomerCommand`, as received.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CustomerInput {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub date_of_birth: Option<String>,
    pub nationality: Option<String>,
    pub id_type: Option<String>,
    pub id_number: Option<String>,
    pub mobile_number: Option<String>,
    pub email: Option<String>,
}

/// A validated new customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCustomer {
    pub first_name: PersonName,
    pub last_name: PersonName,
    pub date_of_birth: Date,
    pub nationality: Country,
    pub id_type: IdType,
    pub id_number: IdNumber,
    pub mobile_number: MobileNumber,
    pub email: Email,
}

impl NewCustomer {
    /// Validates every field and reports every bad one (never echoing values).
    pub fn parse(input: &CustomerInput, today: Date) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        fn field<T>(
            errors: &mut Vec<FieldError>,
            name: &'static str,
            raw: &Option<String>,
            parse: impl Fn(&str) -> Option<T>,
            what: &str,
        ) -> Option<T> {
            match raw.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                None => {
                    errors.push(FieldError { field: name, message: format!("{name} is required") });
                    None
                }
                Some(v) => {
                    let parsed = parse(v);
                    if parsed.is_none() {
                        errors.push(FieldError { field: name, message: format!("{name} must be {what}") });
                    }
                    parsed
                }
            }
        }
        let first = field(&mut errors, "firstName", &input.first_name, |s| PersonName::parse(s, 100), "1-100 letters");
        let last = field(&mut errors, "lastName", &input.last_name, |s| PersonName::parse(s, 60), "1-60 letters");
        let dob = field(
            &mut errors,
            "dateOfBirth",
            &input.date_of_birth,
            |s| parse_date(s).filter(|d| *d <= today && d.year() >= 1900),
            "a past date YYYY-MM-DD",
        );
        let nat = field(&mut errors, "nationality", &input.nationality, Country::parse, "an ISO 3166 alpha-2 code");
        let id_type = field(&mut errors, "idType", &input.id_type, IdType::parse, "a known ID type code");
        let id_number = field(&mut errors, "idNumber", &input.id_number, IdNumber::parse, "1-30 letters or digits");
        let mobile =
            field(&mut errors, "mobileNumber", &input.mobile_number, MobileNumber::parse, "a valid E.164 number");
        let email = field(&mut errors, "email", &input.email, Email::parse, "a valid e-mail address");
        match (first, last, dob, nat, id_type, id_number, mobile, email) {
            (
                Some(first_name),
                Some(last_name),
                Some(date_of_birth),
                Some(nationality),
                Some(id_type),
                Some(id_number),
                Some(mobile_number),
                Some(email),
            ) if errors.is_empty() => {
                Ok(Self { first_name, last_name, date_of_birth, nationality, id_type, id_number, mobile_number, email })
            }
            _ => Err(errors),
        }
    }
}

impl Approvable for Customer {
    const KIND: EntityKind = EntityKind::Customer;
    fn key(&self) -> &EncodedKey {
        &self.key
    }
    fn branch(&self) -> &str {
        &self.branch
    }
    fn created_by(&self) -> &str {
        &self.created_by
    }
    fn approval(&self) -> Option<&ApprovalTask> {
        self.approval.as_ref()
    }
    fn status_label(&self) -> String {
        match &self.approval {
            Some(a) if a.status == ApprovalStatus::Pending => format!("{}/Pending", self.status.as_str()),
            _ => self.status.as_str().to_owned(),
        }
    }
    /// Only a `KYC_PENDING` customer without an open approval may be submitted.
    fn is_submittable(&self) -> bool {
        self.status == CustomerStatus::KycPending && !self.is_pending()
    }
    fn on_requested(&mut self, task: ApprovalTask) {
        self.approval = Some(task);
    }
    fn set_approval(&mut self, task: ApprovalTask) {
        self.approval = Some(task);
    }
    fn on_decided(&mut self, decision: Decision) {
        let investigating = self.cdp.as_ref().is_some_and(|p| p.aml_scan_status == AmlStatus::UnderInvestigation);
        self.status = match decision {
            // An open AML investigation keeps the customer pending whatever the approval says.
            Decision::Approve if investigating => CustomerStatus::KycPending,
            Decision::Approve => CustomerStatus::Active,
            Decision::Reject => CustomerStatus::Rejected,
        };
    }
    fn version(&self) -> u64 {
        self.version
    }
    fn bump_version(&mut self) {
        self.version += 1;
    }
}
