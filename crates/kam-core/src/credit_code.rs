//! Unified social credit code 统一社会信用代码 (GB 32100-2015): 18 characters
//! from a 31-symbol alphabet, the last one a check digit over the first 17.

use std::fmt;

/// The code alphabet: digits and upper-case letters without I, O, Z, S, V.
const ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
/// Weight of position i is 3^i mod 31.
const WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/// A validated credit code, always upper case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreditCode(String);

/// Why a code is not a valid credit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CreditCodeError {
    #[error("a credit code has 18 characters")]
    Length,
    #[error("a credit code uses digits and the letters A-Y without I, O, S, V, Z")]
    Charset,
    #[error("positions 3-8 of a credit code are the region code, digits only")]
    Region,
    #[error("the check digit does not match")]
    CheckDigit,
}

impl CreditCodeError {
    /// Message key for the UI tables.
    pub fn key(self) -> &'static str {
        match self {
            Self::Length => "err.credit_code.length",
            Self::Charset => "err.credit_code.charset",
            Self::Region => "err.credit_code.region",
            Self::CheckDigit => "err.credit_code.check",
        }
    }
}

fn value_of(c: char) -> Option<u32> {
    ALPHABET.find(c).map(|i| i as u32)
}

/// The check character for the first 17 characters (which must be valid symbols).
pub fn check_char(first17: &str) -> Option<char> {
    let mut sum = 0;
    for (i, c) in first17.chars().enumerate() {
        sum += value_of(c)? * WEIGHTS.get(i)?;
    }
    let check = (31 - sum % 31) % 31;
    ALPHABET.chars().nth(check as usize)
}

impl CreditCode {
    /// Parses a code, ignoring surrounding space and letter case.
    pub fn parse(raw: &str) -> Result<Self, CreditCodeError> {
        let code: String = raw.trim().to_uppercase();
        if code.chars().count() != 18 {
            return Err(CreditCodeError::Length);
        }
        if !code.chars().all(|c| value_of(c).is_some()) {
            return Err(CreditCodeError::Charset);
        }
        if !code[2..8].chars().all(|c| c.is_ascii_digit()) {
            return Err(CreditCodeError::Region);
        }
        let expected = check_char(&code[..17]).ok_or(CreditCodeError::Charset)?;
        if code.ends_with(expected) { Ok(Self(code)) } else { Err(CreditCodeError::CheckDigit) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CreditCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_published_codes() {
        // Codes printed on real business licences.
        for code in ["91350100M000100Y43", "91110000802100433B", "91440300708461136T"] {
            assert!(CreditCode::parse(code).is_ok(), "{code}");
        }
    }

    #[test]
    fn normalises_case_and_space() {
        let c = CreditCode::parse(" 91350100m000100y43 ").unwrap();
        assert_eq!(c.as_str(), "91350100M000100Y43");
    }

    #[test]
    fn rejects_a_wrong_check_digit() {
        assert_eq!(CreditCode::parse("91350100M000100Y44"), Err(CreditCodeError::CheckDigit));
    }

    #[test]
    fn rejects_bad_length_charset_and_region() {
        assert_eq!(CreditCode::parse("9135010"), Err(CreditCodeError::Length));
        assert_eq!(CreditCode::parse("91350100M000100I43"), Err(CreditCodeError::Charset));
        assert_eq!(CreditCode::parse("9135A100M000100Y43"), Err(CreditCodeError::Region));
    }

    #[test]
    fn computed_check_char_round_trips() {
        let body = "91310115MA1K3YJ12";
        let code = format!("{body}{}", check_char(body).unwrap());
        assert!(CreditCode::parse(&code).is_ok());
    }
}
