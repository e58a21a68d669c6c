//! Reading a seed-003 payload: every field checked, every bad field reported (40002 `details`),
//! master data checked against ISO tables and the bank's code tables (45053). Values are never
//! echoed in `details` (they may be PII); a master-data message carries the code, as the seed's
//! `Invalid Nationality INN!` does.

use std::collections::BTreeMap;

use base64::Engine;
use serde_json::{Map, Value};
use time::Date;

use super::ports::CodeTables;
use crate::banking::values::{Email, MobileNumber, parse_date};

/// Document content types accepted, and the most bytes one document may have.
pub const ACCEPTED_TYPES: [&str; 3] = ["image/jpeg", "image/png", "application/pdf"];
pub const MAX_DOCUMENT_BYTES: usize = 2 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentUpload {
    /// Where it sits in the payload, e.g. `id_details[0].id_front`.
    pub source: String,
    /// Object-key slot, e.g. `id-0-front`.
    pub slot: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// `id_details[0].id_number` -> `idDetails[0].idNumber` (the seed's `details` use camelCase).
pub fn camel_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut upper = false;
    for c in path.chars() {
        match c {
            '_' => upper = true,
            '.' | '[' | ']' => {
                upper = false;
                out.push(c);
            }
            c if upper => {
                out.extend(c.to_uppercase());
                upper = false;
            }
            c => out.push(c),
        }
    }
    out
}

fn words(field: &str) -> String {
    field.replace('_', " ")
}

pub struct Checker<'a> {
    pub codes: &'a CodeTables,
    pub today: Date,
    /// camelCase path -> message
    pub invalid: BTreeMap<String, String>,
    /// The first master-data failure: `Invalid Nationality INN!`
    pub master_data: Option<String>,
}

fn join(prefix: &str, field: &str) -> String {
    if prefix.is_empty() { field.to_owned() } else { format!("{prefix}.{field}") }
}

impl<'a> Checker<'a> {
    pub fn new(codes: &'a CodeTables, today: Date) -> Self {
        Self { codes, today, invalid: BTreeMap::new(), master_data: None }
    }

    pub fn bad(&mut self, prefix: &str, field: &str, what: &str) {
        self.invalid.entry(camel_path(&join(prefix, field))).or_insert_with(|| format!("{what} {}", words(field)));
    }

    fn master(&mut self, label: &str, value: &str) {
        if self.master_data.is_none() {
            self.master_data = Some(format!("Invalid {label} {value}!"));
        }
    }

    /// A string field (numbers are accepted as their decimal text for code-like fields).
    fn raw(&mut self, obj: &Map<String, Value>, prefix: &str, field: &str, required: bool) -> Option<String> {
        match obj.get(field) {
            None | Some(Value::Null) => {
                if required {
                    self.bad(prefix, field, "Missing");
                }
                None
            }
            Some(Value::String(s)) if s.trim().is_empty() => {
                if required {
                    self.bad(prefix, field, "Missing");
                }
                None
            }
            Some(Value::String(s)) => Some(s.trim().to_owned()),
            Some(Value::Number(n)) => Some(n.to_string()),
            Some(_) => {
                self.bad(prefix, field, "Invalid");
                None
            }
        }
    }

    pub fn text(
        &mut self,
        obj: &Map<String, Value>,
        prefix: &str,
        field: &str,
        max: usize,
        required: bool,
    ) -> Option<String> {
        let v = self.raw(obj, prefix, field, required)?;
        if v.chars().count() > max || v.chars().any(char::is_control) {
            self.bad(prefix, field, "Invalid");
            return None;
        }
        Some(v)
    }

    /// Names: letters of any script, spaces, `'`, `-`, `.`.
    pub fn name(
        &mut self,
        obj: &Map<String, Value>,
        prefix: &str,
        field: &str,
        max: usize,
        required: bool,
    ) -> Option<String> {
        let v = self.text(obj, prefix, field, max, required)?;
        if !v.chars().all(|c| c.is_alphabetic() || matches!(c, ' ' | '\'' | '-' | '.')) {
            self.bad(prefix, field, "Invalid");
            return None;
        }
        Some(v)
    }

    pub fn date(&mut self, obj: &Map<String, Value>, prefix: &str, field: &str, required: bool) -> Option<Date> {
        let v = self.raw(obj, prefix, field, required)?;
        let d = parse_date(&v);
        if d.is_none() {
            self.bad(prefix, field, "Invalid");
        }
        d
    }

    pub fn phone(&mut self, obj: &Map<String, Value>, prefix: &str, field: &str, required: bool) -> Option<String> {
        let v = self.raw(obj, prefix, field, required)?;
        match MobileNumber::parse(&v) {
            Some(m) => Some(m.as_str().to_owned()),
            None => {
                self.bad(prefix, field, "Invalid");
                None
            }
        }
    }

    pub fn email(&mut self, obj: &Map<String, Value>, prefix: &str, field: &str, required: bool) -> Option<String> {
        let v = self.raw(obj, prefix, field, required)?;
        match Email::parse(&v) {
            Some(e) => Some(e.as_str().to_owned()),
            None => {
                self.bad(prefix, field, "Invalid");
                None
            }
        }
    }

    pub fn boolean(&mut self, obj: &Map<String, Value>, prefix: &str, field: &str) -> Option<bool> {
        match obj.get(field) {
            None | Some(Value::Null) => None,
            Some(Value::Bool(b)) => Some(*b),
            Some(_) => {
                self.bad(prefix, field, "Invalid");
                None
            }
        }
    }

    pub fn number(&mut self, obj: &Map<String, Value>, prefix: &str, field: &str, max: u64) -> Option<u64> {
        match obj.get(field) {
            None | Some(Value::Null) => None,
            Some(Value::Number(n)) if n.as_u64().is_some_and(|x| x <= max) => n.as_u64(),
            Some(_) => {
                self.bad(prefix, field, "Invalid");
                None
            }
        }
    }

    /// A code of one of the bank's tables (string or number in the payload).
    pub fn code(
        &mut self,
        obj: &Map<String, Value>,
        prefix: &str,
        field: &str,
        table: &str,
        label: &str,
        required: bool,
    ) -> Option<String> {
        let v = self.raw(obj, prefix, field, required)?;
        if v.chars().count() > 20 {
            self.bad(prefix, field, "Invalid");
            return None;
        }
        if !self.codes.contains(table, &v) {
            self.master(label, &v);
            return None;
        }
        Some(v)
    }

    /// ISO 3166-1 alpha-2.
    pub fn country(
        &mut self,
        obj: &Map<String, Value>,
        prefix: &str,
        field: &str,
        label: &str,
        required: bool,
    ) -> Option<String> {
        let v = self.raw(obj, prefix, field, required)?;
        match crate::banking::values::Country::parse(&v) {
            Some(c) if v.len() == 2 => Some(c.alpha2().to_owned()),
            _ if v.chars().count() > 3 || !v.chars().all(|c| c.is_ascii_alphabetic()) => {
                self.bad(prefix, field, "Invalid");
                None
            }
            _ => {
                self.master(label, &v);
                None
            }
        }
    }

    /// ISO 4217.
    pub fn currency(&mut self, obj: &Map<String, Value>, prefix: &str, field: &str, label: &str) -> Option<String> {
        let v = self.raw(obj, prefix, field, false)?;
        match crate::banking::values::Currency::parse(&v) {
            Some(c) => Some(c.code()),
            None => {
                self.master(label, &v);
                None
            }
        }
    }

    /// ISO 639-1 (two letters).
    pub fn language(&mut self, obj: &Map<String, Value>, prefix: &str, field: &str, label: &str) -> Option<String> {
        let v = self.raw(obj, prefix, field, false)?;
        match isolang::Language::from_639_1(&v.to_ascii_lowercase()) {
            Some(_) => Some(v.to_ascii_lowercase()),
            None => {
                self.master(label, &v);
                None
            }
        }
    }

    pub fn object<'v>(
        &mut self,
        obj: &'v Map<String, Value>,
        prefix: &str,
        field: &str,
        required: bool,
    ) -> Option<&'v Map<String, Value>> {
        match obj.get(field) {
            Some(Value::Object(m)) => Some(m),
            None | Some(Value::Null) => {
                if required {
                    self.bad(prefix, field, "Missing");
                }
                None
            }
            Some(_) => {
                self.bad(prefix, field, "Invalid");
                None
            }
        }
    }

    pub fn array<'v>(
        &mut self,
        obj: &'v Map<String, Value>,
        prefix: &str,
        field: &str,
        min: usize,
        max: usize,
    ) -> Vec<&'v Map<String, Value>> {
        match obj.get(field) {
            None | Some(Value::Null) if min == 0 => Vec::new(),
            Some(Value::Array(items)) if items.len() >= min && items.len() <= max => {
                let mut out = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    match item {
                        Value::Object(m) => out.push(m),
                        _ => self.bad(prefix, &format!("{field}[{i}]"), "Invalid"),
                    }
                }
                out
            }
            None | Some(Value::Null) => {
                self.bad(prefix, field, "Missing");
                Vec::new()
            }
            Some(_) => {
                self.bad(prefix, field, "Invalid");
                Vec::new()
            }
        }
    }

    /// `{"base64_data", "content_type"}`: decoded, size-limited, and sniffed: the bytes must be
    /// of the declared type.
    pub fn document(
        &mut self,
        obj: &Map<String, Value>,
        prefix: &str,
        field: &str,
        slot: &str,
        required: bool,
    ) -> Option<DocumentUpload> {
        let doc = self.object(obj, prefix, field, required)?;
        self.document_at(doc, &join(prefix, field), slot)
    }

    /// A document object at `here`.
    pub fn document_at(&mut self, doc: &Map<String, Value>, here: &str, slot: &str) -> Option<DocumentUpload> {
        let here = here.to_owned();
        let content_type = self.raw(doc, &here, "content_type", true);
        let data = match doc.get("base64_data") {
            Some(Value::String(s)) if !s.is_empty() => Some(s),
            _ => {
                self.bad(&here, "base64_data", "Missing");
                None
            }
        };
        let (content_type, data) = (content_type?, data?);
        if !ACCEPTED_TYPES.contains(&content_type.as_str()) {
            self.bad(&here, "content_type", "Invalid");
            return None;
        }
        // Line-wrapped base64 (MIME style) is accepted; the common unwrapped form is decoded in place,
        // without a copy (a 1 MiB image is 1.4 MB of text).
        let compact: std::borrow::Cow<[u8]> = if data.bytes().any(|b| b.is_ascii_whitespace()) {
            data.bytes().filter(|b| !b.is_ascii_whitespace()).collect::<Vec<u8>>().into()
        } else {
            data.as_bytes().into()
        };
        if compact.len() / 4 * 3 > MAX_DOCUMENT_BYTES + 3 {
            self.bad(&here, "base64_data", "Too large");
            return None;
        }
        let bytes = match base64::engine::general_purpose::STANDARD.decode(&compact) {
            Ok(b) if !b.is_empty() && b.len() <= MAX_DOCUMENT_BYTES => b,
            _ => {
                self.bad(&here, "base64_data", "Invalid");
                return None;
            }
        };
        if infer::get(&bytes).map(|t| t.mime_type()) != Some(content_type.as_str()) {
            self.bad(&here, "base64_data", "Content does not match content_type for");
            return None;
        }
        Some(DocumentUpload { source: here, slot: slot.to_owned(), content_type, bytes })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn camel_paths() {
        assert_eq!(camel_path("first_name"), "firstName");
        assert_eq!(camel_path("id_details[1].id_front.base64_data"), "idDetails[1].idFront.base64Data");
    }

    #[test]
    fn documents_decode_the_same_unwrapped_or_line_wrapped() {
        use base64::Engine;
        // A PNG signature and IHDR chunk start: enough for the type sniffer.
        let png: Vec<u8> = [&b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"[..], &[0u8; 40]].concat();
        let b64 = base64::engine::general_purpose::STANDARD.encode(&png);
        let wrapped: String =
            b64.as_bytes().chunks(20).map(|c| std::str::from_utf8(c).unwrap()).collect::<Vec<_>>().join("\r\n");
        let codes = CodeTables { version: "t".into(), tables: Default::default() };
        let mut checker = Checker::new(&codes, time::macros::date!(2026 - 11 - 21));
        for data in [b64.clone(), wrapped, format!(" {b64}\n")] {
            let doc = serde_json::json!({ "content_type": "image/png", "base64_data": data });
            let got = checker.document_at(doc.as_object().unwrap(), "id_front", "front").expect("accepted");
            assert_eq!(got.bytes, png);
        }
        let bad = serde_json::json!({ "content_type": "image/png", "base64_data": "not base64!" });
        assert!(checker.document_at(bad.as_object().unwrap(), "id_back", "back").is_none());
        assert_eq!(checker.invalid.get("idBack.base64Data").map(String::as_str), Some("Invalid base64 data"));
    }
}
