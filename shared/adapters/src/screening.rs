//! AML screening against a watch list in OpenSanctions' `targets.simple.csv` format, read from S3
//! once per Lambda instance (operators replace the object to update the list).
//!
//! This first adapter matches exact names after normalisation (case, punctuation, spacing, word
//! order). Issue #5 replaces it with fuzzy matching that also weighs date of birth and country.

use std::collections::HashSet;

use aws_sdk_s3::Client;
use domain::cdp::matching::{self, MatchConfig, WatchEntry};
use domain::cdp::ports::{Screening, ScreeningResult, ScreeningSubject};
use domain::ports::PortError;
use tokio::sync::OnceCell;

pub struct WatchList {
    client: Client,
    bucket: String,
    key: String,
    config: MatchConfig,
    entries: OnceCell<Vec<WatchEntry>>,
}

/// The object beside the list naming the entries the bank rejects outright (one id per line).
pub fn auto_reject_key(list_key: &str) -> String {
    match list_key.rsplit_once('/') {
        Some((dir, _)) => format!("{dir}/auto-reject.txt"),
        None => "auto-reject.txt".into(),
    }
}

/// Parses `targets.simple.csv` (persons and organisations; aliases and countries `;`-separated;
/// PEPs recognised by their dataset).
pub fn parse_list(csv_text: &str, auto_reject: &HashSet<String>) -> Result<Vec<WatchEntry>, PortError> {
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let headers = reader.headers().map_err(|e| PortError::Unavailable(format!("watch list: {e}")))?.clone();
    let col = |name: &str| headers.iter().position(|h| h == name);
    let (Some(id), Some(name)) = (col("id"), col("name")) else {
        return Err(PortError::Unavailable("watch list: id/name columns missing".into()));
    };
    let (aliases, birth, countries, dataset) = (col("aliases"), col("birth_date"), col("countries"), col("dataset"));
    let split = |v: Option<&str>| -> Vec<String> {
        v.unwrap_or_default().split(';').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
    };
    let mut out = Vec::new();
    for rec in reader.records() {
        let rec = rec.map_err(|e| PortError::Unavailable(format!("watch list: {e}")))?;
        let entry_id = rec.get(id).unwrap_or_default().to_owned();
        let mut names = vec![rec.get(name).unwrap_or_default().to_owned()];
        names.extend(split(aliases.and_then(|i| rec.get(i))));
        out.push(WatchEntry {
            auto_reject: auto_reject.contains(&entry_id),
            id: entry_id,
            names,
            birth_date: birth.and_then(|i| rec.get(i)).and_then(|b| split(Some(b)).into_iter().next()),
            countries: split(countries.and_then(|i| rec.get(i))),
            pep: dataset.and_then(|i| rec.get(i)).is_some_and(|d| d.to_ascii_lowercase().contains("pep")),
        });
    }
    Ok(out)
}

pub fn parse_ids(text: &str) -> HashSet<String> {
    text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).map(str::to_owned).collect()
}

impl WatchList {
    pub fn new(client: Client, bucket: impl Into<String>, key: impl Into<String>) -> Self {
        Self {
            client,
            bucket: bucket.into(),
            key: key.into(),
            config: MatchConfig::from_env(),
            entries: OnceCell::new(),
        }
    }

    async fn text(&self, key: &str) -> Result<Option<String>, PortError> {
        match self.client.get_object().bucket(&self.bucket).key(key).send().await {
            Ok(out) => {
                let bytes =
                    out.body.collect().await.map_err(|e| PortError::Unavailable(format!("watch list body: {e}")))?;
                Ok(Some(String::from_utf8_lossy(&bytes.into_bytes()).into_owned()))
            }
            Err(e) if e.as_service_error().is_some_and(|se| se.is_no_such_key()) => Ok(None),
            Err(e) => Err(PortError::Unavailable(format!(
                "s3:GetObject {key}: {}",
                aws_sdk_s3::error::DisplayErrorContext(&e)
            ))),
        }
    }

    async fn load(&self) -> Result<Vec<WatchEntry>, PortError> {
        let list = self.text(&self.key).await?.ok_or_else(|| PortError::Unavailable("watch list missing".into()))?;
        let rejects = self.text(&auto_reject_key(&self.key)).await?.map(|t| parse_ids(&t)).unwrap_or_default();
        parse_list(&list, &rejects)
    }
}

impl Screening for WatchList {
    async fn screen(&self, subject: &ScreeningSubject) -> Result<ScreeningResult, PortError> {
        let entries = self.entries.get_or_try_init(|| self.load()).await?;
        Ok(matching::screen(entries, subject, &self.config))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::cdp::ports::ScreeningVerdict;

    fn demo() -> Vec<WatchEntry> {
        let rejects = parse_ids(include_str!("../../../infra/reference-data/auto-reject.txt"));
        parse_list(include_str!("../../../infra/reference-data/watchlist.csv"), &rejects).unwrap()
    }

    fn subject(name: &str, dob: &str, country: &str) -> ScreeningSubject {
        ScreeningSubject {
            names: vec![name.into()],
            date_of_birth: dob.into(),
            countries: vec![country.into()],
            declared_pep: false,
        }
    }

    #[test]
    fn the_demo_list_parses() {
        let list = demo();
        assert_eq!(list.len(), 11);
        let ivan = &list[0];
        assert_eq!(
            (ivan.birth_date.as_deref(), ivan.countries.as_slice()),
            (Some("1970-01-01"), &["ru".to_string()][..])
        );
        assert!(list.iter().any(|e| e.pep) && list.iter().any(|e| e.auto_reject));
    }

    #[test]
    fn outcomes() {
        let cfg = MatchConfig::default();
        let l = demo();
        assert_eq!(
            matching::screen(&l, &subject("Ivan Sanctionov", "1970-01-01", "RU"), &cfg).verdict,
            ScreeningVerdict::PotentialMatch
        );
        let pep = matching::screen(&l, &subject("Petra Politika", "1965-03-14", "AT"), &cfg);
        assert_eq!((pep.verdict, pep.pep_match), (ScreeningVerdict::Clear, true));
        let rejected = matching::screen(&l, &subject("Mohammed Yusuf Haddad", "1980-12-12", "SY"), &cfg);
        assert_eq!(rejected.verdict, ScreeningVerdict::AutoReject);
        assert_eq!(
            matching::screen(&l, &subject("Irfan Manakkat Thekke", "1995-07-28", "IN"), &cfg).verdict,
            ScreeningVerdict::Clear
        );
    }

    /// Precision and recall on the labelled set (true variants and near-miss innocents), printed
    /// by the test command and stated in the README.
    #[test]
    fn screening_quality_on_the_labelled_set() {
        let cfg = MatchConfig::default();
        let list = demo();
        let mut reader =
            csv::Reader::from_reader(include_str!("../../../tests/fixtures/screening-labelled.csv").as_bytes());
        let (mut tp, mut fp, mut fn_, mut tn) = (0, 0, 0, 0);
        let mut misses = Vec::new();
        for rec in reader.records() {
            let rec = rec.unwrap();
            let (name, dob, country, expected) = (&rec[0], &rec[1], &rec[2], &rec[3]);
            let r = matching::screen(&list, &subject(name, dob, country), &cfg);
            let hit = !r.matched_ids.is_empty();
            match (expected.is_empty(), hit) {
                (false, true) if r.matched_ids.iter().any(|m| m == expected) => tp += 1,
                (false, _) => {
                    fn_ += 1;
                    misses.push(format!("missed {name}"));
                }
                (true, true) => {
                    fp += 1;
                    misses.push(format!("false alarm {name} -> {:?}", r.matched_ids));
                }
                (true, false) => tn += 1,
            }
        }
        let precision = tp as f64 / (tp + fp).max(1) as f64;
        let recall = tp as f64 / (tp + fn_).max(1) as f64;
        eprintln!(
            "screening quality: {} labelled names, precision {precision:.3}, recall {recall:.3} (tp {tp}, fp {fp}, fn {fn_}, tn {tn}) {misses:?}",
            tp + fp + fn_ + tn
        );
        assert!(precision >= 0.95 && recall >= 0.95, "precision {precision:.3} recall {recall:.3}: {misses:?}");
    }
}
