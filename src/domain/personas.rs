//! Persona groups of SPEC §6.4, used by the analytics views: whether a
//! contact's persona makes it a decision maker, an executive or a manager.
//!
//! Matching is by whole words (§6 words), never by substring, so that
//! "Director" is not an executive (it has no word "cto") and "MVP" is not a
//! VP. The groups are independent: one persona may fall in several.

use super::words::words;

/// Words that make a persona a decision maker.
pub const DECISION_MAKER_WORDS: &[&str] = &["decision", "owner", "founder"];
/// Words that make a persona an executive.
pub const EXECUTIVE_WORDS: &[&str] = &["executive", "ceo", "cfo", "cto", "coo", "president", "chief", "vp"];
/// Words that make a persona a manager.
pub const MANAGER_WORDS: &[&str] = &["manager", "director", "head"];

/// The groups one persona belongs to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PersonaGroups {
    /// Has one of [`DECISION_MAKER_WORDS`].
    pub decision_maker: bool,
    /// Has one of [`EXECUTIVE_WORDS`].
    pub executive: bool,
    /// Has one of [`MANAGER_WORDS`].
    pub manager: bool,
}

/// A contact's persona: `kernel_who_persona`, else `persona_type` when the
/// kernel's is null or ""; `None` when neither is known.
pub fn persona_of<'a>(kernel_who_persona: Option<&'a str>, persona_type: Option<&'a str>) -> Option<&'a str> {
    [kernel_who_persona, persona_type].into_iter().flatten().find(|p| !p.is_empty())
}

/// The groups of `persona` (none for an unknown persona).
pub fn persona_groups(persona: Option<&str>) -> PersonaGroups {
    let Some(persona) = persona else {
        return PersonaGroups::default();
    };
    let persona_words = words(persona);
    let has_any = |group: &[&str]| persona_words.iter().any(|w| group.contains(&w.as_str()));
    PersonaGroups {
        decision_maker: has_any(DECISION_MAKER_WORDS),
        executive: has_any(EXECUTIVE_WORDS),
        manager: has_any(MANAGER_WORDS),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn groups(persona: &str) -> PersonaGroups {
        persona_groups(Some(persona))
    }

    #[test]
    fn a_director_is_a_manager_not_an_executive() {
        let g = groups("Director of IT");
        assert!(g.manager);
        assert!(!g.executive);
        assert!(!g.decision_maker);
    }

    #[test]
    fn a_hyphenated_decision_maker_is_a_decision_maker() {
        assert_eq!(
            groups("Decision-maker"),
            PersonaGroups { decision_maker: true, executive: false, manager: false }
        );
    }

    #[test]
    fn underscores_separate_words_so_an_owner_operator_is_a_decision_maker() {
        assert!(groups("owner_operator").decision_maker);
    }

    #[test]
    fn a_vp_is_an_executive() {
        assert_eq!(
            groups("VP of Sales"),
            PersonaGroups { decision_maker: false, executive: true, manager: false }
        );
    }

    #[test]
    fn mvp_belongs_to_no_group() {
        assert_eq!(groups("MVP"), PersonaGroups::default());
    }

    #[test]
    fn one_persona_may_fall_in_several_groups() {
        assert_eq!(
            groups("Executive Decision Maker"),
            PersonaGroups { decision_maker: true, executive: true, manager: false }
        );
        assert_eq!(
            groups("Founder & CEO, Head of Product"),
            PersonaGroups { decision_maker: true, executive: true, manager: true }
        );
    }

    #[test]
    fn matching_ignores_case() {
        assert!(groups("CHIEF OF STAFF").executive);
        assert!(groups("general MANAGER").manager);
    }

    #[test]
    fn words_inside_longer_words_do_not_count() {
        assert_eq!(groups("Ownership analyst"), PersonaGroups::default());
        assert_eq!(groups("Headhunter"), PersonaGroups::default());
        assert_eq!(groups("Coordinator"), PersonaGroups::default());
    }

    #[test]
    fn an_unknown_or_empty_persona_belongs_to_no_group() {
        assert_eq!(persona_groups(None), PersonaGroups::default());
        assert_eq!(groups(""), PersonaGroups::default());
        assert_eq!(groups("Champion"), PersonaGroups::default());
    }

    #[test]
    fn the_kernel_persona_comes_first() {
        assert_eq!(persona_of(Some("Executive"), Some("Champion")), Some("Executive"));
    }

    #[test]
    fn persona_type_is_the_fallback_for_a_null_or_empty_kernel_persona() {
        assert_eq!(persona_of(None, Some("Champion")), Some("Champion"));
        assert_eq!(persona_of(Some(""), Some("Champion")), Some("Champion"));
    }

    #[test]
    fn no_persona_is_known_when_both_are_null_or_empty() {
        assert_eq!(persona_of(None, None), None);
        assert_eq!(persona_of(Some(""), Some("")), None);
        assert_eq!(persona_of(Some(""), None), None);
    }
}
