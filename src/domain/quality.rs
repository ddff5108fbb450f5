//! The data quality score of SPEC §6.5: how much of what a salesperson needs
//! about a contact's company and person is known, 0–100.
//!
//! Only presence counts, never the value: a revenue or growth of `0` is a
//! known figure and scores, while an empty string is as good as nothing. The
//! score is always an integer, 0 when nothing is known, so the stored column
//! is never null.

/// Points for a known company name.
pub const COMPANY_NAME_POINTS: i32 = 20;
/// Points for a known company revenue.
pub const REVENUE_POINTS: i32 = 20;
/// Points for a known company industry.
pub const INDUSTRY_POINTS: i32 = 15;
/// Points for a known person title.
pub const PERSON_TITLE_POINTS: i32 = 15;
/// Points for a known person background.
pub const BACKGROUND_POINTS: i32 = 15;
/// Points for a known year-over-year growth.
pub const GROWTH_POINTS: i32 = 15;

/// The score of a contact from its enrichment columns (`enrichment_company_name`,
/// `enrichment_company_revenue`, `enrichment_company_industry`,
/// `enrichment_person_title`, `enrichment_person_background`,
/// `enrichment_company_growth_yoy`).
pub fn quality_score(
    company_name: Option<&str>,
    revenue: Option<i64>,
    industry: Option<&str>,
    person_title: Option<&str>,
    background: Option<&str>,
    growth_yoy: Option<f64>,
) -> i32 {
    // Exactly "" is empty, the rule of field access (§6.1), so that a column
    // that `field` shows as a value also scores.
    let text = |value: Option<&str>, points: i32| match value {
        Some(s) if !s.is_empty() => points,
        _ => 0,
    };
    text(company_name, COMPANY_NAME_POINTS)
        + revenue.map_or(0, |_| REVENUE_POINTS)
        + text(industry, INDUSTRY_POINTS)
        + text(person_title, PERSON_TITLE_POINTS)
        + text(background, BACKGROUND_POINTS)
        + growth_yoy.map_or(0, |_| GROWTH_POINTS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_known_scores_zero() {
        assert_eq!(quality_score(None, None, None, None, None, None), 0);
    }

    #[test]
    fn everything_known_scores_one_hundred() {
        let score = quality_score(
            Some("Acme"),
            Some(12_500_000),
            Some("Technology"),
            Some("CTO"),
            Some("Twelve years in logistics"),
            Some(0.18),
        );
        assert_eq!(score, 100);
    }

    #[test]
    fn each_column_scores_its_own_points() {
        assert_eq!(quality_score(Some("Acme"), None, None, None, None, None), 20);
        assert_eq!(quality_score(None, Some(1), None, None, None, None), 20);
        assert_eq!(quality_score(None, None, Some("SaaS"), None, None, None), 15);
        assert_eq!(quality_score(None, None, None, Some("VP"), None, None), 15);
        assert_eq!(quality_score(None, None, None, None, Some("Bio"), None), 15);
        assert_eq!(quality_score(None, None, None, None, None, Some(0.1)), 15);
    }

    #[test]
    fn a_zero_revenue_or_growth_is_known_and_scores() {
        assert_eq!(quality_score(None, Some(0), None, None, None, Some(0.0)), 35);
    }

    #[test]
    fn empty_strings_score_nothing() {
        assert_eq!(quality_score(Some(""), None, Some(""), Some(""), Some(""), None), 0);
    }

    #[test]
    fn the_points_add_up_to_one_hundred() {
        let total = COMPANY_NAME_POINTS
            + REVENUE_POINTS
            + INDUSTRY_POINTS
            + PERSON_TITLE_POINTS
            + BACKGROUND_POINTS
            + GROWTH_POINTS;
        assert_eq!(total, 100);
    }
}
