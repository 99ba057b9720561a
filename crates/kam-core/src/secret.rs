//! Secrets: argon2id password hashes, random tokens, and the SHA-256 digests
//! under which session ids and API tokens are stored (never in clear).

use argon2::{
    Argon2,
    password_hash::{PasswordHasher, PasswordVerifier},
};
use sha2::{Digest, Sha256};

#[derive(Debug, thiserror::Error)]
#[error("password hashing failed")]
pub struct HashError;

/// Hash a password with argon2id and a random salt (PHC string).
pub fn hash_password(password: &str) -> Result<String, HashError> {
    Argon2::default().hash_password(password.as_bytes()).map(|h| h.to_string()).map_err(|_| HashError)
}

/// Check a password against a stored PHC string.
pub fn verify_password(password: &str, phc: &str) -> bool {
    Argon2::default().verify_password(password.as_bytes(), phc).is_ok()
}

/// A fixed hash checked when the user does not exist, so an unknown user costs
/// the same time as a wrong password.
pub fn dummy_verify(password: &str) {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let phc = DUMMY.get_or_init(|| hash_password("dummy-password-for-timing").unwrap_or_default());
    let _ = verify_password(password, phc);
}

/// 32 random bytes, hex encoded.
pub fn random_token() -> String {
    let mut b = [0u8; 32];
    getrandom::fill(&mut b).expect("the OS random source works");
    hex::encode(b)
}

/// SHA-256 of a token, hex encoded: what the database keeps.
pub fn digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Minimal password policy.
/// SHA-256 of bytes as hex (a file's fingerprint).
pub fn digest_bytes(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

pub fn password_ok(p: &str) -> bool {
    p.chars().count() >= 8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_and_verify() {
        let h = hash_password("correct horse").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &h));
        assert!(!verify_password("wrong horse", &h));
    }

    #[test]
    fn tokens_are_random_and_digests_stable() {
        assert_ne!(random_token(), random_token());
        assert_eq!(digest("a"), digest("a"));
        assert_eq!(random_token().len(), 64);
    }
}
