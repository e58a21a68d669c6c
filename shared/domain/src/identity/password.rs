//! Password hashing: argon2id with OWASP's minimum parameters (m = 19 MiB, t = 2, p = 1), PHC
//! string format so parameters can be raised later without invalidating stored hashes.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng};
use argon2::{Algorithm, Argon2, Params, Version};

/// OWASP Password Storage Cheat Sheet, argon2id option 5 (the minimum): m=19456 KiB, t=2, p=1.
pub fn hasher() -> Argon2<'static> {
    let params = Params::new(19_456, 2, 1, None).expect("static argon2 parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

#[derive(Debug, thiserror::Error)]
#[error("password rejected by policy: {0}")]
pub struct WeakPassword(pub &'static str);

/// The bank's password policy for users created by the admin CLI.
pub fn check_policy(password: &str) -> Result<(), WeakPassword> {
    let n = password.chars().count();
    if n < 10 {
        return Err(WeakPassword("at least 10 characters"));
    }
    if n > 60 {
        return Err(WeakPassword("at most 60 characters (seed 003 limit)"));
    }
    let classes = [
        password.chars().any(|c| c.is_ascii_lowercase()),
        password.chars().any(|c| c.is_ascii_uppercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_ascii_alphanumeric()),
    ];
    if classes.iter().filter(|b| **b).count() < 3 {
        return Err(WeakPassword("at least three of: lower case, upper case, digit, symbol"));
    }
    Ok(())
}

pub fn hash(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    hasher().hash_password(password.as_bytes(), &salt).expect("argon2 hashing with valid parameters").to_string()
}

/// Verifies `password` against a PHC string. A malformed stored hash verifies as false.
pub fn verify(password: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(parsed) => hasher().verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

/// A valid hash of a password nobody knows, verified against when the user does not exist so
/// that unknown users cost the same time as wrong passwords.
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash("not-a-real-password-\u{1F512}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_with_owasp_parameters_and_verify() {
        let h = hash("Maker1!pass");
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify("Maker1!pass", &h));
        assert!(!verify("Maker1!pasS", &h));
        assert!(!verify("Maker1!pass", "not a phc string"));
        assert_ne!(h, hash("Maker1!pass"), "salted");
    }

    #[test]
    fn policy() {
        assert!(check_policy("Maker1!pass").is_ok());
        assert!(check_policy("short1!").is_err());
        assert!(check_policy("alllowercaseletters").is_err());
        assert!(check_policy(&"Aa1!".repeat(16)).is_err());
    }
}
