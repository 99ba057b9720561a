//! Search terms: text is normalised (lower case, no spaces or dashes) and cut
//! into overlapping character bigrams, so any substring of two or more
//! characters — a two-character Chinese name, part of a phone number or code —
//! is found through an index on terms.

/// Lower case without spaces, dashes and other separators.
pub fn normalise(s: &str) -> String {
    s.to_lowercase()
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '(' | ')' | '（' | '）' | '+' | '.' | ','))
        .collect()
}

/// Distinct bigrams of already-normalised text; one-character text is its own term.
pub fn terms(norm: &str) -> Vec<String> {
    let chars: Vec<char> = norm.chars().collect();
    let mut out: Vec<String> = if chars.len() == 1 {
        vec![chars[0].to_string()]
    } else {
        chars.windows(2).map(|w| w.iter().collect()).collect()
    };
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_names_and_phones() {
        assert_eq!(terms(&normalise("王芳")), vec!["王芳"]);
        assert_eq!(normalise("0571-8888 6666"), "057188886666");
        assert!(terms("057188886666").contains(&"88".to_string()));
        assert_eq!(terms("ab"), vec!["ab"]);
        assert_eq!(terms("x"), vec!["x"]);
    }
}
