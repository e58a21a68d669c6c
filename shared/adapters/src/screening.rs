//! AML screening against a watch list in OpenSanctions' `targets.simple.csv` format, read from S3
//! once per Lambda instance (operators replace the object to update the list).
//!
//! This first adapter matches exact names after normalisation (case, punctuation, spacing, word
//! order). Issue #5 replaces it with fuzzy matching that also weighs date of birth and country.

use std::collections::HashSet;

use aws_sdk_s3::Client;
use domain::cdp::ports::{Screening, ScreeningResult, ScreeningSubject, ScreeningVerdict};
use domain::ports::PortError;
use tokio::sync::OnceCell;

#[derive(Debug, Clone)]
pub struct ListEntry {
    pub id: String,
    pub names: Vec<String>,
    pub pep: bool,
}

pub struct WatchList {
    client: Client,
    bucket: String,
    key: String,
    entries: OnceCell<Vec<ListEntry>>,
}

/// Upper-case words of letters and digits, sorted: order, case and punctuation do not matter.
pub fn normalise(name: &str) -> String {
    let mut words: Vec<String> =
        name.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(|w| w.to_uppercase()).collect();
    words.sort();
    words.join(" ")
}

/// Parses `targets.simple.csv` (persons and organisations; aliases `;`-separated).
pub fn parse_list(csv_text: &str) -> Result<Vec<ListEntry>, PortError> {
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let headers = reader.headers().map_err(|e| PortError::Unavailable(format!("watch list: {e}")))?.clone();
    let col = |name: &str| headers.iter().position(|h| h == name);
    let (id, name, aliases, dataset) = (col("id"), col("name"), col("aliases"), col("dataset"));
    let (Some(id), Some(name)) = (id, name) else {
        return Err(PortError::Unavailable("watch list: id/name columns missing".into()));
    };
    let mut out = Vec::new();
    for rec in reader.records() {
        let rec = rec.map_err(|e| PortError::Unavailable(format!("watch list: {e}")))?;
        let mut names = vec![rec.get(name).unwrap_or_default().to_owned()];
        if let Some(a) = aliases.and_then(|i| rec.get(i)) {
            names.extend(a.split(';').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned));
        }
        let pep = dataset.and_then(|i| rec.get(i)).is_some_and(|d| d.to_ascii_lowercase().contains("pep"));
        out.push(ListEntry { id: rec.get(id).unwrap_or_default().to_owned(), names, pep });
    }
    Ok(out)
}

pub fn screen_against(entries: &[ListEntry], subject: &ScreeningSubject) -> ScreeningResult {
    let wanted: HashSet<String> = subject.names.iter().map(|n| normalise(n)).collect();
    let hits: Vec<&ListEntry> =
        entries.iter().filter(|e| e.names.iter().any(|n| wanted.contains(&normalise(n)))).collect();
    ScreeningResult {
        verdict: if hits.iter().any(|e| !e.pep) { ScreeningVerdict::PotentialMatch } else { ScreeningVerdict::Clear },
        pep_match: hits.iter().any(|e| e.pep),
        matched_ids: hits.iter().map(|e| e.id.clone()).collect(),
    }
}

impl WatchList {
    pub fn new(client: Client, bucket: impl Into<String>, key: impl Into<String>) -> Self {
        Self { client, bucket: bucket.into(), key: key.into(), entries: OnceCell::new() }
    }

    async fn load(&self) -> Result<Vec<ListEntry>, PortError> {
        let out = self.client.get_object().bucket(&self.bucket).key(&self.key).send().await.map_err(|e| {
            PortError::Unavailable(format!("s3:GetObject watch list: {}", aws_sdk_s3::error::DisplayErrorContext(&e)))
        })?;
        let bytes = out.body.collect().await.map_err(|e| PortError::Unavailable(format!("watch list body: {e}")))?;
        parse_list(&String::from_utf8_lossy(&bytes.into_bytes()))
    }
}

impl Screening for WatchList {
    async fn screen(&self, subject: &ScreeningSubject) -> Result<ScreeningResult, PortError> {
        let entries = self.entries.get_or_try_init(|| self.load()).await?;
        Ok(screen_against(entries, subject))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subject(name: &str) -> ScreeningSubject {
        ScreeningSubject {
            names: vec![name.into()],
            date_of_birth: "1970-01-01".into(),
            countries: vec![],
            declared_pep: false,
        }
    }

    #[test]
    fn the_demo_list_parses_and_matches_exactly_after_normalising() {
        let list = parse_list(include_str!("../../../infra/reference-data/watchlist.csv")).unwrap();
        assert_eq!(list.len(), 11);
        let hit = screen_against(&list, &subject("sanctionov, ivan"));
        assert_eq!(hit.verdict, ScreeningVerdict::PotentialMatch);
        assert_eq!(hit.matched_ids, vec!["demo-sanc-0001".to_string()]);
        let pep = screen_against(&list, &subject("Petra Politika"));
        assert_eq!((pep.verdict, pep.pep_match), (ScreeningVerdict::Clear, true));
        assert_eq!(screen_against(&list, &subject("Irfan Manakkat Thekke")).verdict, ScreeningVerdict::Clear);
    }
}
