//! Individual Onboarding (seed 003): validate, screen, store documents, write the customer — all
//! or nothing.

use std::collections::BTreeMap;

use serde_json::Value;
use sha2::{Digest, Sha256};
use time::Date;
use time::format_description::well_known::Rfc3339;

use super::ecrn;
use super::ports::{CodeTables, DocumentStore, ReferenceData, Screening, ScreeningSubject, ScreeningVerdict};
use super::validate::{Checker, DocumentUpload};
use crate::auth::{Permission, Principal};
use crate::banking::approval::{ApprovalStatus, ApprovalTask, Audience, AuditRecord, EntityKind, Notification};
use crate::banking::store::{AmlAlert, BankStore, OnboardingWrite};
use crate::banking::values::{Country, Email, EncodedKey, IdNumber, IdType, MobileNumber, PersonName};
use crate::banking::{AmlStatus, CdpIdDocument, CdpProfile, Customer, CustomerStatus, StoredDocument};
use crate::ports::{Clock, IdGenerator, PortError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OnboardError {
    /// 40002 with `details` (camelCase path -> message).
    Invalid(BTreeMap<String, String>),
    /// 45053 `Invalid Nationality INN!`
    MasterData(String),
    /// 45013 for this ECRN.
    UnderInvestigation(String),
    /// 45051 for this ECRN.
    Blocked(String),
    /// 45032
    UpdateFailed,
    /// The caller may not onboard (no permission or no agent location).
    Forbidden,
    /// 502 / 40001: a backing service failed.
    Backend(String),
}

impl From<PortError> for OnboardError {
    fn from(e: PortError) -> Self {
        Self::Backend(e.to_string())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Onboarded {
    pub ecrn: String,
    pub aml_scan_status: AmlStatus,
    pub customer_status: CustomerStatus,
    pub pep: bool,
    pub aml_category: u8,
    pub contact_encoded_key: String,
    pub updated: bool,
}

struct IdDoc {
    id_type: IdType,
    id_number: IdNumber,
    date_of_expiry: Date,
    default: bool,
    active: bool,
}

/// A validated application.
struct Application {
    first_name: PersonName,
    middle_name: Option<String>,
    last_name: PersonName,
    other_names: Vec<String>,
    nationality: Country,
    second_nationality: Option<String>,
    date_of_birth: Date,
    mobile: MobileNumber,
    email: Email,
    pep_declared: bool,
    risk_rating: Option<u64>,
    ids: Vec<IdDoc>,
    documents: Vec<DocumentUpload>,
    profile: Value,
}

/// The payload as stored on the record: everything but the document bytes.
fn without_documents(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| {
                    if k == "base64_data" {
                        (k.clone(), Value::String("<stored>".into()))
                    } else {
                        (k.clone(), without_documents(v))
                    }
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(without_documents).collect()),
        other => other.clone(),
    }
}

fn read(payload: &Value, codes: &CodeTables, today: Date) -> Result<Application, OnboardError> {
    let Value::Object(root) = payload else {
        return Err(OnboardError::Invalid(BTreeMap::from([("body".into(), "Invalid body".into())])));
    };
    let mut c = Checker::new(codes, today);
    let p = "";
    c.text(root, p, "channel", 20, true);
    c.code(root, p, "salutation", "salutation", "Salutation", false);
    let first = c.name(root, p, "first_name", 100, true);
    let middle = c.name(root, p, "middle_name", 60, false);
    let last = c.name(root, p, "last_name", 60, true);
    let preferred = c.name(root, p, "preferred_name", 100, false);
    let nationality = c.country(root, p, "nationality", "Nationality", true);
    let second_nat = c.country(root, p, "second_nationality", "Second Nationality", false);
    c.code(root, p, "native_region", "native_region", "Native Region", false);
    let dob = c.date(root, p, "date_of_birth", true);
    if let Some(d) = dob {
        let adult = d.replace_year(d.year() + 18).map(|x| x <= today).unwrap_or(d.year() + 18 < today.year());
        if d > today || d.year() < 1900 || !adult {
            c.bad(p, "date_of_birth", "Invalid");
        }
    }
    c.country(root, p, "country_of_birth", "Country Of Birth", false);
    c.text(root, p, "place_of_birth", 100, false);
    c.code(root, p, "resident_type_id", "resident_type", "Resident Type", false);
    c.country(root, p, "country_of_residence", "Country Of Residence", true);
    c.code(root, p, "gender", "gender", "Gender", true);
    c.name(root, p, "mothers_maiden_name", 100, false);
    let mobile = c.phone(root, p, "primary_mobile_number", true);
    c.phone(root, p, "secondary_mobile_number", false);
    let email = c.email(root, p, "email_id", true);
    c.phone(root, p, "phone_number", false);
    c.code(root, p, "occupation_id", "occupation", "Occupation", false);
    let pep = c.boolean(root, p, "political_exposed_person").unwrap_or(false);
    c.text(root, p, "updated_by", 60, false);

    let mut documents = Vec::new();
    for (i, d) in c.array(root, p, "additional_docs", 0, 10).into_iter().enumerate() {
        let here = format!("additional_docs[{i}]");
        c.text(d, &here, "document_id", 10, true);
        if let Some(doc) = c.document_at(d, &here, &format!("additional-{i}")) {
            documents.push(doc);
        }
    }
    for (i, a) in c.array(root, p, "address_list", 0, 5).into_iter().enumerate() {
        let here = format!("address_list[{i}]");
        c.code(a, &here, "address_type_id", "address_type", "Address Type", true);
        for f in ["building_name", "street_name", "landmark", "city", "district", "state"] {
            c.text(a, &here, f, 100, false);
        }
        c.country(a, &here, "country", "Country", true);
        c.text(a, &here, "zip", 10, false);
        c.text(a, &here, "po_box", 10, false);
        c.phone(a, &here, "mobile_number", false);
    }
    let mut ids = Vec::new();
    let mut other_names = Vec::new();
    for (i, d) in c.array(root, p, "id_details", 1, 5).into_iter().enumerate() {
        let here = format!("id_details[{i}]");
        let id_type = c.code(d, &here, "id_type", "id_type", "Id Type", true).and_then(|t| IdType::parse(&t));
        let number = c.text(d, &here, "id_number", 30, true);
        let id_number = number.as_deref().and_then(IdNumber::parse);
        if number.is_some() && id_number.is_none() {
            c.bad(&here, "id_number", "Invalid");
        }
        c.text(d, &here, "visa_number", 30, false);
        c.date(d, &here, "visa_expiry_date", false);
        if let Some(n) = c.name(d, &here, "name_as_per_id", 100, true) {
            other_names.push(n);
        }
        c.country(d, &here, "issued_country", "Issued Country", true);
        c.text(d, &here, "issued_by", 100, false);
        c.text(d, &here, "issued_at", 100, false);
        let issued_on = c.date(d, &here, "issued_on", false);
        let expiry = c.date(d, &here, "date_of_expiry", true);
        if let (Some(on), Some(exp)) = (issued_on, expiry)
            && (on > exp || on > today)
        {
            c.bad(&here, "issued_on", "Invalid");
        }
        let default = c.boolean(d, &here, "default_status").unwrap_or(false);
        let active = c.boolean(d, &here, "active_status").unwrap_or(true);
        if let Some(front) = c.document(d, &here, "id_front", &format!("id-{i}-front"), true) {
            documents.push(front);
        }
        if let Some(back) = c.document(d, &here, "id_back", &format!("id-{i}-back"), false) {
            documents.push(back);
        }
        if let (Some(id_type), Some(id_number), Some(date_of_expiry)) = (id_type, id_number, expiry) {
            if ids.iter().any(|x: &IdDoc| x.id_type == id_type && x.id_number == id_number) {
                c.bad(&here, "id_number", "Duplicate");
            }
            ids.push(IdDoc { id_type, id_number, date_of_expiry, default, active });
        }
    }
    let mut risk_rating = None;
    if let Some(cc) = c.object(root, p, "customer_classification", false) {
        let here = "customer_classification";
        c.code(cc, here, "customer_type_id", "customer_type", "Customer Type", false);
        c.code(cc, here, "annual_income_range_id", "income_range", "Annual Income Range", false);
        c.currency(cc, here, "annual_income_currency_code", "Currency");
        c.text(cc, here, "social_security_number", 30, false);
        c.text(cc, here, "tax_registration_number", 30, false);
        c.country(cc, here, "txn_issued_country", "Txn Issued Country", false);
        c.text(cc, here, "employer_name", 100, false);
        c.text(cc, here, "employer_address", 255, false);
        c.phone(cc, here, "employer_phone", false);
        c.text(cc, here, "employer_ecrn", 20, false);
        c.text(cc, here, "employer_establishment_id", 50, false);
        risk_rating =
            c.code(cc, here, "risk_rating_id", "risk_rating", "Risk Rating", false).and_then(|r| r.parse().ok());
        c.code(cc, here, "pep_category", "pep_category", "Pep Category", false);
        c.text(cc, here, "personal_mohre_id", 30, false);
        c.code(cc, here, "income_type", "income_type", "Income Type", false);
        c.code(cc, here, "profession_category", "profession_category", "Profession Category", false);
        c.text(cc, here, "reason_for_acc", 100, false);
        c.number(cc, here, "txn_vol_month", 1_000_000_000);
        c.number(cc, here, "txn_count_month", 1_000_000);
        c.boolean(cc, here, "show_remarks_on_txn");
        c.text(cc, here, "customer_remarks", 255, false);
        c.text(cc, here, "agent_ref_no", 30, false);
        for (i, l) in c.array(cc, here, "social_links", 0, 10).into_iter().enumerate() {
            let lp = format!("{here}.social_links[{i}]");
            c.code(l, &lp, "social_links_id", "social_link", "Social Link", true);
            c.text(l, &lp, "text_field", 255, true);
        }
        c.language(cc, here, "first_language", "First Language");
        c.code(cc, here, "marital_status", "marital_status", "Marital Status", false);
        c.boolean(cc, here, "dnfbp");
        c.boolean(cc, here, "dpms");
        c.code(cc, here, "profile_category", "profile_category", "Profile Category", false);
        if let Some(photo) = c.document(cc, here, "profile_photo", "profile-photo", false) {
            documents.push(photo);
        }
    }
    if !c.invalid.is_empty() {
        return Err(OnboardError::Invalid(c.invalid));
    }
    if let Some(m) = c.master_data {
        return Err(OnboardError::MasterData(m));
    }
    let missing = || OnboardError::Invalid(BTreeMap::from([("body".into(), "Invalid body".into())]));
    let first_name = first.as_deref().and_then(|n| PersonName::parse(n, 100)).ok_or_else(missing)?;
    let last_name = last.as_deref().and_then(|n| PersonName::parse(n, 100)).ok_or_else(missing)?;
    // The primary ID first: the one marked default, else the first given.
    ids.sort_by_key(|d| !d.default);
    Ok(Application {
        first_name,
        middle_name: middle,
        last_name,
        other_names: preferred.into_iter().chain(other_names).collect(),
        nationality: nationality.as_deref().and_then(Country::parse).ok_or_else(missing)?,
        second_nationality: second_nat,
        date_of_birth: dob.ok_or_else(missing)?,
        mobile: mobile.as_deref().and_then(MobileNumber::parse).ok_or_else(missing)?,
        email: email.as_deref().and_then(Email::parse).ok_or_else(missing)?,
        pep_declared: pep,
        risk_rating,
        ids,
        documents,
        profile: without_documents(payload),
    })
}

/// Risk category (1 low, 2 medium, 3 high): the declared risk rating (default 1), raised to 3 for
/// a PEP or any screening hit.
pub fn aml_category(risk_rating: Option<u64>, pep: bool, verdict: ScreeningVerdict) -> u8 {
    let base = risk_rating.unwrap_or(1).clamp(1, 3) as u8;
    if pep || verdict != ScreeningVerdict::Clear { 3 } else { base }
}

pub struct OnboardingService<S, D, R, A, C, I> {
    pub bank: S,
    pub documents: D,
    pub reference: R,
    pub screening: A,
    pub clock: C,
    pub ids: I,
}

impl<S, D, R, A, C, I> OnboardingService<S, D, R, A, C, I>
where
    S: BankStore,
    D: DocumentStore,
    R: ReferenceData,
    A: Screening,
    C: Clock,
    I: IdGenerator,
{
    pub async fn onboard(
        &self,
        partner: &Principal,
        payload: &Value,
        request_id: &str,
    ) -> Result<Onboarded, OnboardError> {
        if !partner.has(Permission::CdpOnboard) {
            return Err(OnboardError::Forbidden);
        }
        let agent = partner.agent_location_id.clone().ok_or(OnboardError::Forbidden)?;
        let codes = self.reference.code_tables().await?;
        let now = self.clock.now();
        let app = read(payload, &codes, now.date())?;

        // One person, one customer: every ID document given must point to the same customer (or none).
        let mut owners: Vec<EncodedKey> = Vec::new();
        for d in &app.ids {
            if let Some(k) = self.bank.find_by_id_document(&d.id_type, &d.id_number).await?
                && !owners.contains(&k)
            {
                owners.push(k);
            }
        }
        if owners.len() > 1 {
            return Err(OnboardError::UpdateFailed);
        }
        let existing = match owners.first() {
            Some(k) => Some(self.bank.get_customer(k).await?.ok_or(OnboardError::UpdateFailed)?),
            None => None,
        };
        if let Some(c) = &existing {
            let ecrn = c.cdp.as_ref().map(|p| p.ecrn.clone()).unwrap_or_default();
            if matches!(c.status, CustomerStatus::Blocked | CustomerStatus::Rejected) {
                return Err(OnboardError::Blocked(ecrn));
            }
            if c.cdp.as_ref().is_some_and(|p| p.aml_scan_status == AmlStatus::UnderInvestigation) {
                return Err(OnboardError::UnderInvestigation(ecrn));
            }
        }

        let mut countries = vec![app.nationality.alpha2().to_owned()];
        countries.extend(app.second_nationality.clone());
        let mut names = vec![
            [Some(app.first_name.as_str()), app.middle_name.as_deref(), Some(app.last_name.as_str())]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" "),
        ];
        names.extend(app.other_names.iter().cloned());
        let screened = self
            .screening
            .screen(&ScreeningSubject {
                names,
                date_of_birth: crate::banking::values::format_date(app.date_of_birth),
                countries,
                declared_pep: app.pep_declared,
            })
            .await?;
        let aml = match screened.verdict {
            ScreeningVerdict::Clear => AmlStatus::Accepted,
            ScreeningVerdict::PotentialMatch => AmlStatus::UnderInvestigation,
            ScreeningVerdict::AutoReject => AmlStatus::Rejected,
        };
        let pep = app.pep_declared || screened.pep_match;
        let status = match aml {
            AmlStatus::Rejected => CustomerStatus::Rejected,
            AmlStatus::Accepted if !pep => CustomerStatus::Active,
            // PEPs need enhanced due diligence (a checker's approval); hits need investigation.
            _ => CustomerStatus::KycPending,
        };
        let category = aml_category(app.risk_rating, pep, screened.verdict);

        let key = match &existing {
            Some(c) => c.key.clone(),
            None => EncodedKey::from_random(&self.ids.secret_bytes(12)),
        };
        let ecrn = match existing.as_ref().and_then(|c| c.cdp.as_ref()) {
            Some(p) => p.ecrn.clone(),
            None => ecrn::from_sequence(self.bank.next_sequence("ecrn").await?),
        };

        // Documents first (concurrently), under keys that hold no PII; removed again if anything
        // after fails, so no object is left that no record refers to.
        let stored = self.upload_all(key.as_str(), request_id, &app.documents).await?;
        let keys: Vec<String> = stored.iter().map(|d| d.key.clone()).collect();

        let primary = &app.ids[0];
        let mut subscriptions =
            existing.as_ref().and_then(|c| c.cdp.as_ref()).map(|p| p.subscriptions.clone()).unwrap_or_default();
        if !subscriptions.contains(&agent) {
            subscriptions.push(agent.clone());
        }
        let first_agent =
            existing.as_ref().and_then(|c| c.cdp.as_ref()).map(|p| p.agent_location_id.clone()).unwrap_or(agent);
        let mut documents =
            existing.as_ref().and_then(|c| c.cdp.as_ref()).map(|p| p.documents.clone()).unwrap_or_default();
        documents.extend(stored);
        let now_text = now.replace_nanosecond(0).expect("0 ns").format(&Rfc3339).expect("RFC 3339");
        let customer = Customer {
            key: key.clone(),
            first_name: app.first_name,
            last_name: app.last_name,
            date_of_birth: app.date_of_birth,
            nationality: app.nationality,
            id_type: primary.id_type.clone(),
            id_number: primary.id_number.clone(),
            mobile_number: app.mobile,
            email: app.email,
            branch: existing.as_ref().map_or_else(|| "CDP".to_owned(), |c| c.branch.clone()),
            status,
            approval: existing.as_ref().and_then(|c| c.approval.clone()),
            created_by: existing.as_ref().map_or_else(|| partner.sub.clone(), |c| c.created_by.clone()),
            created_at: existing.as_ref().map_or_else(|| now_text.clone(), |c| c.created_at.clone()),
            version: existing.as_ref().map_or(1, |c| c.version + 1),
            cdp: Some(CdpProfile {
                ecrn: ecrn.clone(),
                middle_name: app.middle_name,
                agent_location_id: first_agent,
                subscriptions,
                aml_scan_status: aml,
                pep,
                aml_category: category,
                id_documents: app
                    .ids
                    .iter()
                    .map(|d| CdpIdDocument {
                        id_type: d.id_type.clone(),
                        id_number: d.id_number.clone(),
                        date_of_expiry: d.date_of_expiry,
                        active: d.active,
                    })
                    .collect(),
                documents,
                profile_json: app.profile.to_string(),
            }),
        };
        let audit = AuditRecord {
            transition_id: self.ids.new_id(),
            entity: EntityKind::Customer,
            entity_key: key.as_str().to_owned(),
            action: if existing.is_some() { "cdp_reonboarded".into() } else { "cdp_onboarded".into() },
            from: existing.as_ref().map(|c| c.status.as_str().to_owned()),
            to: customer.status.as_str().to_owned(),
            actor_sub: partner.sub.clone(),
            actor_username: partner.username.clone(),
            at: now_text,
            comment: Some(format!("aml_scan_status={}", aml.as_str())),
            cross_branch: false,
        };
        let id_docs: Vec<(IdType, IdNumber)> =
            app.ids.iter().map(|d| (d.id_type.clone(), d.id_number.clone())).collect();
        let mut customer = customer;
        let mut notifications = Vec::new();
        // A potential match opens an AML alert for the compliance team (ids only in the message).
        let alert = (aml == AmlStatus::UnderInvestigation).then(|| AmlAlert {
            alert_id: self.ids.new_id(),
            customer_key: key.clone(),
            ecrn: ecrn.clone(),
            matched_ids: screened.matched_ids.clone(),
            opened_at: audit.at.clone(),
            closed_at: None,
            decision: None,
            remarks: None,
            closed_by: None,
        });
        if let Some(a) = &alert {
            notifications.push(Notification {
                id: a.alert_id.clone(),
                event: "aml_alert_opened".into(),
                entity: EntityKind::Customer,
                entity_key: key.as_str().to_owned(),
                status: aml.as_str().to_owned(),
                audience: Audience::Compliance,
                occurred_at: audit.at.clone(),
            });
        }
        // A PEP needs enhanced due diligence: an approval task for the bank's checkers (the
        // partner is its maker), decided with ApproveCustomerCommand / RejectCustomerCommand.
        let approved = customer.approval.as_ref().is_some_and(|t| t.status == ApprovalStatus::Approved);
        let open = customer.approval.as_ref().is_some_and(|t| t.status == ApprovalStatus::Pending);
        if pep && aml != AmlStatus::Rejected && !approved && !open {
            customer.approval = Some(ApprovalTask {
                status: ApprovalStatus::Pending,
                requested_by: partner.sub.clone(),
                requested_by_username: partner.username.clone(),
                requested_at: audit.at.clone(),
                request_comment: Some("PEP: enhanced due diligence".into()),
                decided_by: None,
                decided_by_email: None,
                decided_at: None,
                decision_comment: None,
                cross_branch: false,
            });
            notifications.push(Notification {
                id: self.ids.new_id(),
                event: "approval_requested".into(),
                entity: EntityKind::Customer,
                entity_key: key.as_str().to_owned(),
                status: format!("{}/Pending", customer.status.as_str()),
                audience: Audience::Approvers { branch: customer.branch.clone() },
                occurred_at: audit.at.clone(),
            });
        }
        if pep && approved && aml == AmlStatus::Accepted {
            customer.status = CustomerStatus::Active; // enhanced due diligence was done before
        }
        let status = customer.status;
        let write = OnboardingWrite {
            customer,
            expected_version: existing.as_ref().map(|c| c.version),
            id_documents: id_docs,
            audit,
            alert,
            notifications,
        };
        let saved = self.bank.save_onboarding(&write).await;
        if let Err(e) = saved {
            self.remove_all(&keys).await;
            return Err(match e {
                PortError::Conflict => OnboardError::UpdateFailed,
                other => other.into(),
            });
        }
        Ok(Onboarded {
            ecrn,
            aml_scan_status: aml,
            customer_status: status,
            pep,
            aml_category: category,
            contact_encoded_key: key.as_str().to_owned(),
            updated: existing.is_some(),
        })
    }

    async fn upload_all(
        &self,
        key: &str,
        request_id: &str,
        docs: &[DocumentUpload],
    ) -> Result<Vec<StoredDocument>, OnboardError> {
        let planned: Vec<StoredDocument> = docs
            .iter()
            .map(|d| StoredDocument {
                source: d.source.clone(),
                key: format!("customers/{key}/{request_id}/{}", d.slot),
                content_type: d.content_type.clone(),
                size: d.bytes.len(),
                sha256: Sha256::digest(&d.bytes).iter().map(|b| format!("{b:02x}")).collect(),
            })
            .collect();
        let results = futures::future::join_all(
            planned.iter().zip(docs).map(|(p, d)| self.documents.put(&p.key, &d.bytes, &p.content_type, &p.sha256)),
        )
        .await;
        if let Some(Err(e)) = results.iter().find(|r| r.is_err()) {
            let e = e.clone();
            let done: Vec<String> =
                planned.iter().zip(&results).filter(|(_, r)| r.is_ok()).map(|(p, _)| p.key.clone()).collect();
            self.remove_all(&done).await;
            return Err(e.into());
        }
        Ok(planned)
    }

    async fn remove_all(&self, keys: &[String]) {
        for r in futures::future::join_all(keys.iter().map(|k| self.documents.delete(k))).await {
            if let Err(e) = r {
                // The bucket's lifecycle rule expires what could not be removed (no record refers to it).
                tracing::error!(event = "document_cleanup_failed", detail = %e);
            }
        }
    }
}

#[cfg(test)]
mod tests;
