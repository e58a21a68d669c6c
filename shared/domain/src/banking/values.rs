//! Parse-don't-validate newtypes of the bank's records. Each `parse` is the only way in.

use serde::{Deserialize, Serialize};
use time::Date;
use time::macros::format_description;

/// Identifier of a customer (`contactEncodedKey`) or deposit (`accountEncodedKey`).
/// Generated as 24 lower-case hex characters (the seed's `8a8e87e87d1234567890abcd`); accepted on
/// input as 1..=64 of `[A-Za-z0-9_-]` (the seeds also show `DEP-123456`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct EncodedKey(String);

impl EncodedKey {
    pub fn parse(s: &str) -> Option<Self> {
        let ok =
            !s.is_empty() && s.len() <= 64 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        ok.then(|| Self(s.to_owned()))
    }
    pub fn from_random(bytes: &[u8]) -> Self {
        Self(bytes.iter().take(12).map(|b| format!("{b:02x}")).collect())
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A name part: 1..=100 characters, letters (any script), spaces, apostrophes, hyphens, dots.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonName(String);

impl PersonName {
    pub fn parse(s: &str, max: usize) -> Option<Self> {
        let t = s.trim();
        let ok = !t.is_empty()
            && t.chars().count() <= max
            && t.chars().all(|c| c.is_alphabetic() || matches!(c, ' ' | '\'' | '-' | '.'));
        ok.then(|| Self(t.to_owned()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// ISO 3166-1 alpha-2 country code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Country(isocountry::CountryCode);

impl Country {
    pub fn parse(s: &str) -> Option<Self> {
        (s.len() == 2).then(|| isocountry::CountryCode::for_alpha2(&s.to_ascii_uppercase()).ok().map(Self)).flatten()
    }
    pub fn alpha2(&self) -> &'static str {
        self.0.alpha2()
    }
}

/// ISO 4217 currency code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Currency(iso_currency::Currency);

impl Currency {
    pub fn parse(s: &str) -> Option<Self> {
        (s.len() == 3).then(|| iso_currency::Currency::from_code(&s.to_ascii_uppercase()).map(Self)).flatten()
    }
    pub fn code(&self) -> String {
        self.0.code().to_owned()
    }
}

/// An e-mail address (RFC 5321/5322 syntax), at most 255 characters (seed 003 `email_id`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Email(String);

impl Email {
    pub fn parse(s: &str) -> Option<Self> {
        let t = s.trim();
        (t.len() <= 255 && email_address::EmailAddress::is_valid(t)).then(|| Self(t.to_owned()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A mobile number, valid for its country, kept in E.164 (`+971554747002`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MobileNumber(String);

impl MobileNumber {
    pub fn parse(s: &str) -> Option<Self> {
        let t = s.trim();
        if !t.starts_with('+') || t.len() > 20 {
            return None;
        }
        let n = phonenumber::parse(None, t).ok()?;
        phonenumber::is_valid(&n).then(|| Self(n.format().mode(phonenumber::Mode::E164).to_string()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// `YYYY-MM-DD`.
pub fn parse_date(s: &str) -> Option<Date> {
    Date::parse(s, format_description!("[year]-[month]-[day]")).ok()
}

pub fn format_date(d: Date) -> String {
    d.format(format_description!("[year]-[month]-[day]")).expect("static format")
}

/// An ID type code of the bank's table (seed 003 `idType`: string, max 3, numeric).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdType(String);

impl IdType {
    /// Codes known so far: 1 national ID, 2 passport, 3 residence visa, 4 Emirates ID, 5 driving licence.
    pub const KNOWN: [&'static str; 5] = ["1", "2", "3", "4", "5"];
    pub fn parse(s: &str) -> Option<Self> {
        let t = s.trim();
        Self::KNOWN.contains(&t).then(|| Self(t.to_owned()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An ID document number: 1..=30 of `[A-Za-z0-9-]` (seed 003 `idNumber` max 30), stored upper-case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct IdNumber(String);

impl IdNumber {
    pub fn parse(s: &str) -> Option<Self> {
        let t = s.trim();
        let ok = !t.is_empty() && t.len() <= 30 && t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
        ok.then(|| Self(t.to_ascii_uppercase()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A 10-digit account number: 9 digits from an atomic counter, then a Luhn check digit.
pub fn account_number(sequence: u64) -> String {
    let body = format!("{:09}", 100_000_000 + sequence % 900_000_000);
    format!("{body}{}", luhn_digit(&body))
}

/// Luhn check digit of a string of digits.
pub fn luhn_digit(body: &str) -> u32 {
    let sum: u32 = body
        .chars()
        .rev()
        .filter_map(|c| c.to_digit(10))
        .enumerate()
        .map(|(i, d)| {
            if i % 2 == 0 {
                let x = d * 2;
                if x > 9 { x - 9 } else { x }
            } else {
                d
            }
        })
        .sum();
    (10 - sum % 10) % 10
}

pub fn luhn_valid(number: &str) -> bool {
    number.len() > 1
        && number.chars().all(|c| c.is_ascii_digit())
        && luhn_digit(&number[..number.len() - 1]) == number[number.len() - 1..].parse::<u32>().unwrap_or(99)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes() {
        assert_eq!(Country::parse("ae").unwrap().alpha2(), "AE");
        assert!(Country::parse("INN").is_none());
        assert!(Country::parse("XX").is_none());
        assert_eq!(Currency::parse("aed").unwrap().code(), "AED");
        assert!(Currency::parse("ABC").is_none());
    }

    #[test]
    fn contact_details() {
        assert_eq!(MobileNumber::parse("+971554747002").unwrap().as_str(), "+971554747002");
        assert!(MobileNumber::parse("0554747002").is_none());
        assert!(MobileNumber::parse("+9715").is_none());
        assert!(Email::parse("BASHIRMASIH@GMAIL.COM").is_some());
        assert!(Email::parse("not-an-email").is_none());
    }

    #[test]
    fn names_keys_ids() {
        assert!(PersonName::parse("Zafar Bashir", 100).is_some());
        assert!(PersonName::parse("Zafar1", 100).is_none());
        assert!(PersonName::parse("  ", 100).is_none());
        assert!(EncodedKey::parse("DEP-123456").is_some());
        assert!(EncodedKey::parse("a b").is_none());
        assert_eq!(EncodedKey::from_random(&[0xab; 16]).as_str().len(), 24);
        assert_eq!(IdNumber::parse("p4006315").unwrap().as_str(), "P4006315");
        assert!(IdType::parse("4").is_some());
        assert!(IdType::parse("x").is_none());
        assert_eq!(parse_date("1995-07-28").map(format_date).as_deref(), Some("1995-07-28"));
        assert!(parse_date("28/07/1995").is_none());
    }

    #[test]
    fn account_numbers_are_ten_digits_with_a_luhn_check() {
        for seq in [0, 1, 42, 899_999_999] {
            let n = account_number(seq);
            assert_eq!(n.len(), 10, "{n}");
            assert!(luhn_valid(&n), "{n}");
        }
        assert_ne!(account_number(1), account_number(2));
        assert!(!luhn_valid("1000000010"));
    }
}
