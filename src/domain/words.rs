//! The word rule of SPEC §6, shared by ICP matching (§6.3), persona groups
//! (§6.4) and search: runs of Unicode letters (`L*`) and decimal digits (`Nd`),
//! lower-cased. Everything else separates words.
//!
//! The SQL side (`latticeiq_words` on Postgres) lower-cases first and splits on
//! `[^[:alnum:]]` under the ICU root collation, whose `alnum` class is exactly
//! `L* ∪ Nd`; this module does the same so that both agree whatever the
//! database collation.

use std::sync::LazyLock;

use regex::Regex;

static WORD: LazyLock<Regex> = LazyLock::new(|| {
    #[expect(clippy::expect_used, reason = "a constant pattern that is known to compile")]
    Regex::new(r"[\p{L}\p{Nd}]+").expect("word pattern")
});

/// Splits `text` into its lower-cased words, in order of appearance.
pub fn words(text: &str) -> Vec<String> {
    if text.is_ascii() {
        // In ASCII, `L*` is exactly `[A-Za-z]` and `Nd` exactly `[0-9]`, and
        // lower-casing maps ASCII to ASCII: the same words without the regex
        // and without lower-casing the whole text first. ICP scoring splits
        // two values of every contact it scores, so this is the common path.
        return text
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_ascii_lowercase)
            .collect();
    }
    unicode_words(text)
}

/// [`words`] by the rule as written: lower-case, then the regex.
fn unicode_words(text: &str) -> Vec<String> {
    let lower = text.to_lowercase();
    WORD.find_iter(&lower).map(|m| m.as_str().to_owned()).collect()
}

/// Whether `text` has `word` (already lower-case) as one of its words.
pub fn has_word(text: &str, word: &str) -> bool {
    words(text).iter().any(|w| w == word)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn punctuation_and_symbols_separate_words() {
        assert_eq!(words("Technology & Software"), ["technology", "software"]);
        assert_eq!(words("Decision-maker"), ["decision", "maker"]);
        assert_eq!(words("owner_operator"), ["owner", "operator"]);
        assert_eq!(words("  "), Vec::<String>::new());
    }

    #[test]
    fn unicode_letters_and_digits_are_word_characters() {
        assert_eq!(words("Élan Managerö x²y Q3"), ["élan", "managerö", "x", "y", "q3"]);
    }

    #[test]
    fn ascii_text_splits_as_the_unicode_rule_does() {
        // Every ASCII character, alone, between letters and around digits.
        for b in 0u8..=127 {
            let c = char::from(b);
            for text in [c.to_string(), format!("Ab{c}Cd"), format!("{c}9x{c}"), format!("Q{c}{c}3")] {
                assert!(text.is_ascii());
                assert_eq!(words(&text), unicode_words(&text), "{text:?}");
            }
        }
        assert_eq!(
            words("VP, Sales & Marketing (EMEA) / Q3-2024"),
            ["vp", "sales", "marketing", "emea", "q3", "2024"]
        );
    }

    #[test]
    fn has_word_matches_whole_words_only() {
        assert!(has_word("VP of Sales", "vp"));
        assert!(!has_word("MVP Engineer", "vp"));
    }
}
