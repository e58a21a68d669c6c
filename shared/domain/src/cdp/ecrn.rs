//! ECRN, the customer's 16-digit number on the platform: `784` (the UAE's ISO 3166 numeric code,
//! as in the seed's `7841003233051516`), 12 digits of an atomic DynamoDB counter (never reused,
//! no table scan), and a Luhn check digit.

use crate::banking::values::luhn_digit;

pub fn from_sequence(sequence: u64) -> String {
    let body = format!("784{:012}", sequence % 1_000_000_000_000);
    let check = luhn_digit(&body);
    format!("{body}{check}")
}

pub fn is_valid(ecrn: &str) -> bool {
    ecrn.len() == 16 && ecrn.bytes().all(|b| b.is_ascii_digit()) && luhn_digit(&ecrn[..15]).to_string() == ecrn[15..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sixteen_digits_with_prefix_and_check_digit() {
        let e = from_sequence(1_003_233_051);
        assert_eq!(e.len(), 16);
        assert!(e.starts_with("784"));
        assert!(is_valid(&e));
        assert_ne!(from_sequence(1), from_sequence(2));
        let mut bad = e.clone().into_bytes();
        bad[10] = if bad[10] == b'9' { b'0' } else { bad[10] + 1 };
        assert!(!is_valid(std::str::from_utf8(&bad).unwrap()));
    }
}
