//! ECRN, the customer's 16-digit number on the platform: `784` (the UAE's ISO 3166 numeric code,
//! as in the seed's `7841003233051516`), 12 digits of an atomic DynamoDB counter (never reused,
//! no table scan), and a Luhn check digit.

pub fn from_sequence(sequence: u64) -> String {
    let body = format!("784{:012}", sequence % 1_000_000_000_000);
    let check = luhn(&body);
    format!("{body}{check}")
}

fn luhn(body: &str) -> u32 {
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

pub fn is_valid(ecrn: &str) -> bool {
    ecrn.len() == 16 && ecrn.bytes().all(|b| b.is_ascii_digit()) && luhn(&ecrn[..15]).to_string() == ecrn[15..]
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
