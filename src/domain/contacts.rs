//! Rules for contact input shared by `createContact`, `updateContact` and the
//! CSV import: column lengths (as the tables define them), e-mail syntax and
//! the allowed `source` values.

use std::sync::LazyLock;

use regex::Regex;

/// Longest value of each bounded text column, in characters.
pub const TEXT_LIMITS: &[(&str, usize)] = &[
    ("email", 255),
    ("first_name", 100),
    ("last_name", 100),
    ("company", 255),
    ("job_title", 255),
    ("phone", 50),
    ("linkedin_url", 500),
    ("website", 500),
    ("vertical", 100),
    ("persona_type", 100),
    ("lifecycle_stage", 50),
    ("lead_status", 50),
    ("pipeline_stage", 50),
    ("external_id", 255),
    ("hubspot_id", 255),
    ("notes", 10_000),
    ("assigned_product", 100),
];

/// Most tags on one contact, and longest tag.
pub const MAX_TAGS: usize = 50;
/// Longest tag.
pub const MAX_TAG_LEN: usize = 100;

/// Where a contact came from.
pub const SOURCES: [&str; 5] = ["csv", "hubspot", "salesforce", "manual", "api"];

static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    #[expect(clippy::expect_used, reason = "a constant pattern that is known to compile")]
    Regex::new(r"^[^@\s<>(),;:\x22]+@[^@\s<>(),;:\x22]+\.[^@\s<>(),;:\x22.]{2,}$").expect("e-mail pattern")
});

/// The limit of a bounded text column.
pub fn limit_of(column: &str) -> Option<usize> {
    TEXT_LIMITS.iter().find(|(c, _)| *c == column).map(|(_, n)| *n)
}

/// `Err` naming the column when `value` is longer than the column allows.
pub fn check_length(column: &str, value: &str) -> Result<(), String> {
    match limit_of(column) {
        Some(max) if value.chars().count() > max => Err(format!("{column} is longer than {max} characters")),
        _ => Ok(()),
    }
}

/// Whether `email` looks like an e-mail address (one `@`, a dotted domain).
pub fn is_valid_email(email: &str) -> bool {
    email.len() <= 255 && EMAIL.is_match(email)
}

/// `Err` unless `source` is one of [`SOURCES`].
pub fn check_source(source: &str) -> Result<(), String> {
    if SOURCES.contains(&source) {
        Ok(())
    } else {
        Err(format!("source must be one of {}", SOURCES.join(", ")))
    }
}

/// `Err` when the tags are too many or too long.
pub fn check_tags(tags: &[String]) -> Result<(), String> {
    if tags.len() > MAX_TAGS {
        return Err(format!("at most {MAX_TAGS} tags"));
    }
    if let Some(t) = tags.iter().find(|t| t.chars().count() > MAX_TAG_LEN || t.trim().is_empty()) {
        return Err(format!("tag {t:?} must be 1 to {MAX_TAG_LEN} characters"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_need_one_at_and_a_dotted_domain() {
        for ok in ["ada@example.com", "a.b+tag@sub.example.co.uk", "o'brien@example.ie"] {
            assert!(is_valid_email(ok), "{ok}");
        }
        for bad in ["not-an-email", "a@b", "a@@b.com", "a b@c.com", "@example.com", "a@example.", ""] {
            assert!(!is_valid_email(bad), "{bad}");
        }
    }

    #[test]
    fn lengths_are_counted_in_characters() {
        assert!(check_length("first_name", &"é".repeat(100)).is_ok());
        assert!(check_length("first_name", &"é".repeat(101)).is_err());
        assert!(check_length("unbounded", &"x".repeat(100_000)).is_ok());
    }
}
