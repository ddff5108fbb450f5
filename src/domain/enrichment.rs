//! Enrichment formats and backfill (SPEC §6.2): the 12 "derived" columns of a
//! contact read out of the `enrichment_data` and `kernel_analysis` JSON.
//!
//! The JSON comes from several writers (nested quick-enrich, flat Perplexity,
//! company/person objects, legacy synthesized, both kernel spellings), so each
//! column has a list of sources tried in order. A source that is missing,
//! empty or cannot be parsed is skipped, never an error: one writer's junk
//! must not hide the next writer's good value, and a bad enrichment must not
//! fail an import.
//!
//! Numbers in strings are parsed by hand, by the exact grammars of the SPEC,
//! so that nothing looser than the SPEC (exponents, `inf`, `NaN`) slips in,
//! and revenue is computed in decimal digits, never through `f64`, so that
//! "$4.1M" is 4 100 000 and not 4 099 999.

use serde_json::Value;

use super::quality;

/// The 12 columns derived from `enrichment_data`/`kernel_analysis`.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Derived {
    /// `enrichment_company_name`
    pub enrichment_company_name: Option<String>,
    /// `enrichment_company_industry`
    pub enrichment_company_industry: Option<String>,
    /// `enrichment_company_revenue`, in whole currency units
    pub enrichment_company_revenue: Option<i64>,
    /// `enrichment_company_employees`
    pub enrichment_company_employees: Option<i32>,
    /// `enrichment_company_growth_yoy`, a fraction (0.18 for 18 %)
    pub enrichment_company_growth_yoy: Option<f64>,
    /// `enrichment_person_title`
    pub enrichment_person_title: Option<String>,
    /// `enrichment_person_background`
    pub enrichment_person_background: Option<String>,
    /// `kernel_who_persona`
    pub kernel_who_persona: Option<String>,
    /// `kernel_who_influence`
    pub kernel_who_influence: Option<String>,
    /// `kernel_when_urgency`
    pub kernel_when_urgency: Option<String>,
    /// `kernel_when_timing_signal`
    pub kernel_when_timing_signal: Option<String>,
    /// `kernel_what_hook`
    pub kernel_what_hook: Option<String>,
}

/// The names of the derived columns, in the order of [`Derived`]'s fields.
pub const DERIVED_COLUMNS: [&str; 12] = [
    "enrichment_company_name",
    "enrichment_company_industry",
    "enrichment_company_revenue",
    "enrichment_company_employees",
    "enrichment_company_growth_yoy",
    "enrichment_person_title",
    "enrichment_person_background",
    "kernel_who_persona",
    "kernel_who_influence",
    "kernel_when_urgency",
    "kernel_when_timing_signal",
    "kernel_what_hook",
];

/// Which JSON document a source path starts in.
#[derive(Debug, Clone, Copy)]
enum Root {
    EnrichmentData,
    KernelAnalysis,
}

/// One source of a derived column: a path of object keys in a document.
#[derive(Debug, Clone, Copy)]
struct Source {
    root: Root,
    path: &'static [&'static str],
}

const fn data(path: &'static [&'static str]) -> Source {
    Source { root: Root::EnrichmentData, path }
}

const fn kernel(path: &'static [&'static str]) -> Source {
    Source { root: Root::KernelAnalysis, path }
}

/// How a column's sources are parsed.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Text,
    Revenue,
    Employees,
    Growth,
}

/// A derived column with its sources, in the order of the SPEC's table.
struct Rule {
    column: &'static str,
    kind: Kind,
    sources: &'static [Source],
}

const RULES: [Rule; 12] = [
    Rule {
        column: "enrichment_company_name",
        kind: Kind::Text,
        sources: &[
            data(&["company", "name"]),
            data(&["synthesized", "company_data", "name"]),
            data(&["company_name"]),
        ],
    },
    Rule {
        column: "enrichment_company_industry",
        kind: Kind::Text,
        sources: &[
            data(&["company", "industry"]),
            data(&["synthesized", "company_data", "industry"]),
            data(&["industry"]),
            data(&["vertical"]),
            data(&["quick_enrich", "industry"]),
            data(&["quick_enrich", "vertical"]),
        ],
    },
    Rule {
        column: "enrichment_company_revenue",
        kind: Kind::Revenue,
        sources: &[
            data(&["company", "revenue"]),
            data(&["synthesized", "company_data", "revenue"]),
            data(&["revenue"]),
        ],
    },
    Rule {
        column: "enrichment_company_employees",
        kind: Kind::Employees,
        sources: &[
            data(&["company", "employees"]),
            data(&["synthesized", "company_data", "employees"]),
            data(&["employees"]),
            data(&["company_size"]),
            data(&["quick_enrich", "company_size"]),
        ],
    },
    Rule {
        column: "enrichment_company_growth_yoy",
        kind: Kind::Growth,
        sources: &[data(&["company", "growth_yoy"]), data(&["growth_yoy"])],
    },
    Rule {
        column: "enrichment_person_title",
        kind: Kind::Text,
        sources: &[
            data(&["person", "title"]),
            data(&["inferred_title"]),
            data(&["quick_enrich", "inferred_title"]),
            data(&["job_title"]),
        ],
    },
    Rule {
        column: "enrichment_person_background",
        kind: Kind::Text,
        sources: &[
            data(&["person", "background"]),
            data(&["synthesized", "profile_summary"]),
            data(&["summary"]),
            data(&["quick_enrich", "summary"]),
        ],
    },
    Rule {
        column: "kernel_who_persona",
        kind: Kind::Text,
        sources: &[
            kernel(&["who", "persona_type"]),
            kernel(&["who", "persona"]),
            data(&["persona_type"]),
            data(&["quick_enrich", "persona_type"]),
        ],
    },
    Rule {
        column: "kernel_who_influence",
        kind: Kind::Text,
        sources: &[kernel(&["who", "influence_level"]), kernel(&["who", "influence"])],
    },
    Rule {
        column: "kernel_when_urgency",
        kind: Kind::Text,
        sources: &[kernel(&["when", "urgency_level"]), kernel(&["when", "urgency"])],
    },
    Rule {
        column: "kernel_when_timing_signal",
        kind: Kind::Text,
        sources: &[kernel(&["when", "timing_signal"])],
    },
    Rule {
        column: "kernel_what_hook",
        kind: Kind::Text,
        sources: &[
            kernel(&["what", "opening_hook"]),
            kernel(&["what", "hook"]),
            data(&["opening_line"]),
            data(&["quick_enrich", "opening_line"]),
            data(&["synthesized", "opening_line"]),
            data(&["synthesized", "hook_angle"]),
        ],
    },
];

/// The sources of the derived column `column` (none for any other
/// column), in order: the JSON column each starts in and its path of keys.
/// Each comes with the column's own name and whether it is a text column:
/// its sources are read only while it is empty (`NULL`, or `''` for text).
pub fn source_paths(
    column: &str,
) -> impl Iterator<Item = (&'static str, &'static [&'static str], &'static str, bool)> {
    rule(column).into_iter().flat_map(|r| {
        r.sources.iter().map(move |s| {
            let root = match s.root {
                Root::EnrichmentData => "enrichment_data",
                Root::KernelAnalysis => "kernel_analysis",
            };
            (root, s.path, r.column, matches!(r.kind, Kind::Text))
        })
    })
}

/// The derived columns that may be read out of `kernel_analysis` when
/// empty: a contact whose columns here all hold a value never needs its
/// `kernel_analysis` for a derived value. Each comes with whether it is a
/// text column (empty when `NULL` or `''`; any other column only when `NULL`).
pub fn columns_with_kernel_sources() -> impl Iterator<Item = (&'static str, bool)> {
    RULES
        .iter()
        .filter(|r| r.sources.iter().any(|s| matches!(s.root, Root::KernelAnalysis)))
        .map(|r| (r.column, matches!(r.kind, Kind::Text)))
}

fn rule(column: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.column == column)
}

/// The first source of `column` that `parse` accepts.
fn first<T>(
    column: &str,
    enrichment_data: &Value,
    kernel_analysis: Option<&Value>,
    parse: impl Fn(&Value) -> Option<T>,
) -> Option<T> {
    rule(column)?.sources.iter().find_map(|source| {
        let root = match source.root {
            Root::EnrichmentData => enrichment_data,
            Root::KernelAnalysis => kernel_analysis?,
        };
        source.path.iter().try_fold(root, |value, key| value.get(key)).and_then(&parse)
    })
}

/// Every derived column from its first non-empty, parseable source.
pub fn derive(enrichment_data: &Value, kernel_analysis: Option<&Value>) -> Derived {
    let text = |column| first(column, enrichment_data, kernel_analysis, parse_text);
    Derived {
        enrichment_company_name: text("enrichment_company_name"),
        enrichment_company_industry: text("enrichment_company_industry"),
        enrichment_company_revenue: first(
            "enrichment_company_revenue",
            enrichment_data,
            kernel_analysis,
            parse_revenue,
        ),
        enrichment_company_employees: first(
            "enrichment_company_employees",
            enrichment_data,
            kernel_analysis,
            parse_employees,
        ),
        enrichment_company_growth_yoy: first(
            "enrichment_company_growth_yoy",
            enrichment_data,
            kernel_analysis,
            parse_growth,
        ),
        enrichment_person_title: text("enrichment_person_title"),
        enrichment_person_background: text("enrichment_person_background"),
        kernel_who_persona: text("kernel_who_persona"),
        kernel_who_influence: text("kernel_who_influence"),
        kernel_when_urgency: text("kernel_when_urgency"),
        kernel_when_timing_signal: text("kernel_when_timing_signal"),
        kernel_what_hook: text("kernel_what_hook"),
    }
}

/// The columns after enriching a contact whose columns were `existing`: a
/// value derived from the new JSON wins, and where nothing can be derived
/// the existing value stays, so an enrichment never erases what was known.
pub fn backfill(existing: &Derived, enrichment_data: &Value, kernel_analysis: Option<&Value>) -> Derived {
    let new = derive(enrichment_data, kernel_analysis);
    Derived {
        enrichment_company_name: new
            .enrichment_company_name
            .or_else(|| existing.enrichment_company_name.clone()),
        enrichment_company_industry: new
            .enrichment_company_industry
            .or_else(|| existing.enrichment_company_industry.clone()),
        enrichment_company_revenue: new.enrichment_company_revenue.or(existing.enrichment_company_revenue),
        enrichment_company_employees: new
            .enrichment_company_employees
            .or(existing.enrichment_company_employees),
        enrichment_company_growth_yoy: new
            .enrichment_company_growth_yoy
            .or(existing.enrichment_company_growth_yoy),
        enrichment_person_title: new
            .enrichment_person_title
            .or_else(|| existing.enrichment_person_title.clone()),
        enrichment_person_background: new
            .enrichment_person_background
            .or_else(|| existing.enrichment_person_background.clone()),
        kernel_who_persona: new.kernel_who_persona.or_else(|| existing.kernel_who_persona.clone()),
        kernel_who_influence: new.kernel_who_influence.or_else(|| existing.kernel_who_influence.clone()),
        kernel_when_urgency: new.kernel_when_urgency.or_else(|| existing.kernel_when_urgency.clone()),
        kernel_when_timing_signal: new
            .kernel_when_timing_signal
            .or_else(|| existing.kernel_when_timing_signal.clone()),
        kernel_what_hook: new.kernel_what_hook.or_else(|| existing.kernel_what_hook.clone()),
    }
}

/// One derived column's value as JSON (a string, or a number for revenue,
/// employees and growth); `None` when nothing can be derived or `column` is
/// not a derived column.
pub fn derive_column(
    column: &str,
    enrichment_data: &Value,
    kernel_analysis: Option<&Value>,
) -> Option<Value> {
    // Every source is a path of keys: nothing is found outside objects (a
    // contact not enriched yet, or whose page read nothing at its paths).
    if !enrichment_data.is_object() && !kernel_analysis.is_some_and(Value::is_object) {
        return None;
    }
    match rule(column)?.kind {
        Kind::Text => first(column, enrichment_data, kernel_analysis, parse_text).map(Value::from),
        Kind::Revenue => first(column, enrichment_data, kernel_analysis, parse_revenue).map(Value::from),
        Kind::Employees => first(column, enrichment_data, kernel_analysis, parse_employees).map(Value::from),
        Kind::Growth => first(column, enrichment_data, kernel_analysis, parse_growth)
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number),
    }
}

impl Derived {
    /// The data quality score (§6.5) of these columns.
    pub fn quality_score(&self) -> i32 {
        quality::quality_score(
            self.enrichment_company_name.as_deref(),
            self.enrichment_company_revenue,
            self.enrichment_company_industry.as_deref(),
            self.enrichment_person_title.as_deref(),
            self.enrichment_person_background.as_deref(),
            self.enrichment_company_growth_yoy,
        )
    }
}

/// A text column's value: a non-blank string as is, a number or boolean as
/// its JSON text; objects, arrays and blank strings are not text.
fn parse_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// An employee count: a non-negative JSON number (floored), or a string
/// `"N"`, `"N+"` or `"A-B"`/`"A–B"` (the floored midpoint), with optional
/// thousands commas and an optional trailing word such as "employees".
pub fn parse_employees(v: &Value) -> Option<i32> {
    match v {
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                return i32::try_from(i).ok().filter(|i| *i >= 0);
            }
            let f = n.as_f64()?.floor();
            // A u64 beyond i64 lands here as a float and is out of range too.
            (0.0..=f64::from(i32::MAX)).contains(&f).then_some(f as i32)
        }
        Value::String(s) => parse_employees_text(s.trim()),
        _ => None,
    }
}

fn parse_employees_text(s: &str) -> Option<i32> {
    let (a, rest) = leading_integer(s)?;
    let a: u64 = a.parse().ok()?;
    let after = rest.trim_start();
    let (count, rest) = if let Some(r) = after.strip_prefix(['-', '–']) {
        let (b, rest) = leading_integer(r.trim_start())?;
        let b: u64 = b.parse().ok()?;
        (a.checked_add(b)? / 2, rest)
    } else if let Some(rest) = after.strip_prefix('+') {
        (a, rest)
    } else {
        (a, rest)
    };
    let word = rest.trim();
    if !word.chars().all(char::is_alphabetic) {
        return None;
    }
    i32::try_from(count).ok()
}

/// A revenue in whole currency units: a JSON number rounded half away from
/// zero, or a string such as `"$12.5M"`: an optional `$`, `€` or `£`, a
/// decimal with optional thousands commas, an optional `K`/`M`/`B` suffix
/// (any case), computed exactly and rounded half away from zero. Ranges
/// such as `"$1M-$5M"` are not a revenue.
pub fn parse_revenue(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => {
            // −2^63 is i64::MIN, while 2^63 is the first float past i64::MAX.
            const TWO_POW_63: f64 = 9_223_372_036_854_775_808.0;
            if let Some(i) = n.as_i64() {
                return Some(i);
            }
            let r = n.as_f64()?.round();
            (-TWO_POW_63..TWO_POW_63).contains(&r).then_some(r as i64)
        }
        Value::String(s) => parse_revenue_text(s.trim()),
        _ => None,
    }
}

fn parse_revenue_text(s: &str) -> Option<i64> {
    let s = s.strip_prefix(['$', '€', '£']).unwrap_or(s).trim_start();
    let (whole, rest) = leading_integer(s)?;
    let (fraction, rest) = match rest.strip_prefix('.') {
        Some(r) => {
            let end = r.find(|c: char| !c.is_ascii_digit()).unwrap_or(r.len());
            if end == 0 {
                return None;
            }
            r.split_at(end)
        }
        None => ("", rest),
    };
    let shift = match rest.trim() {
        "" => 0,
        "k" | "K" => 3,
        "m" | "M" => 6,
        "b" | "B" => 9,
        _ => return None,
    };
    // Moving the decimal point `shift` places right keeps every digit exact;
    // the first digit left behind decides the rounding (half away from zero).
    let mut digits = whole;
    digits.extend(fraction.chars().chain(std::iter::repeat('0')).take(shift));
    let round_up = fraction.chars().nth(shift).is_some_and(|d| d >= '5');
    let trimmed = digits.trim_start_matches('0');
    let value: i64 = if trimmed.is_empty() { 0 } else { trimmed.parse().ok()? };
    value.checked_add(i64::from(round_up))
}

/// A year-over-year growth as a fraction: a JSON number as given, a string
/// percentage (`"18%"` → 0.18, `"-3%"` → −0.03), or a plain numeric string
/// as a fraction.
pub fn parse_growth(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => parse_growth_text(s.trim()),
        _ => None,
    }
}

fn parse_growth_text(s: &str) -> Option<f64> {
    let (body, percent) = match s.strip_suffix('%') {
        Some(body) => (body.trim_end(), true),
        None => (s, false),
    };
    let (sign, unsigned) = match body.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", body.strip_prefix('+').unwrap_or(body)),
    };
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let all_digits = |t: &str| t.chars().all(|c| c.is_ascii_digit());
    if whole.is_empty()
        || !all_digits(whole)
        || !all_digits(fraction)
        || (unsigned.contains('.') && fraction.is_empty())
    {
        return None;
    }
    // Dividing by 100 in f64 would give 0.18000000000000002 for "18%";
    // shifting the point in the text makes it the literal 0.18.
    let decimal = if percent {
        let padded = format!("{whole:0>2}");
        let (int, frac_head) = padded.split_at(padded.len() - 2);
        let int = if int.is_empty() { "0" } else { int };
        format!("{sign}{int}.{frac_head}{fraction}")
    } else {
        format!("{sign}{unsigned}")
    };
    decimal.parse::<f64>().ok().filter(|f| f.is_finite())
}

/// Splits a leading unsigned integer, with or without well-formed thousands
/// commas (`1,000`), off `s`: its digits without the commas, and the rest.
fn leading_integer(s: &str) -> Option<(String, &str)> {
    let run = |t: &str| t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let first = run(s);
    if first == 0 {
        return None;
    }
    let mut digits = s[..first].to_owned();
    let mut rest = &s[first..];
    while let Some(group) = rest.strip_prefix(',') {
        // A comma that does not start a group of exactly three digits after at
        // most three leading ones ("1,0", "1000,000") makes the number malformed.
        if first > 3 || run(group) != 3 {
            return None;
        }
        digits.push_str(&group[..3]);
        rest = &group[3..];
    }
    Some((digits, rest))
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use serde_json::{Map, json};

    use super::*;

    /// Every enrichment vector: the shared ones of the SPEC and this crate's own.
    fn vectors() -> Vec<(PathBuf, Value)> {
        let shared = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/fixtures"));
        let mut own = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        if !own.is_dir() {
            own = Path::new(env!("CARGO_MANIFEST_DIR")).join("../main/fixtures");
        }
        let shared_cases = read_vectors(&shared.join("enrichment"));
        assert!(!shared_cases.is_empty(), "the shared enrichment vectors are missing");
        let own_cases = read_vectors(&own.join("enrichment"));
        assert!(!own_cases.is_empty(), "this crate's enrichment vectors are missing");
        shared_cases.into_iter().chain(own_cases).collect()
    }

    fn read_vectors(dir: &Path) -> Vec<(PathBuf, Value)> {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|entry| entry.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        paths.sort();
        paths
            .into_iter()
            .map(|p| {
                let text = std::fs::read_to_string(&p).unwrap();
                let case = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
                (p, case)
            })
            .collect()
    }

    /// Numbers compare by value, so an expected `0` matches a growth of `0.0`.
    fn same(a: &Value, b: &Value) -> bool {
        match (a, b) {
            (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
            _ => a == b,
        }
    }

    #[test]
    fn every_enrichment_vector_backfills_to_its_expected_columns() {
        for (path, case) in vectors() {
            let name = path.display();
            let existing: Derived = match case.get("existing") {
                Some(e) => serde_json::from_value(e.clone()).unwrap(),
                None => Derived::default(),
            };
            let kernel = case.get("kernel_analysis");
            let derived = backfill(&existing, &case["enrichment_data"], kernel);
            let actual = serde_json::to_value(&derived).unwrap();
            let expected = case["expected"].as_object().unwrap();
            for key in expected.keys() {
                assert!(
                    DERIVED_COLUMNS.contains(&key.as_str()) || key == "enrichment_data_quality_score",
                    "{name}: unexpected column {key}"
                );
            }
            for column in DERIVED_COLUMNS {
                let want = expected.get(column).unwrap_or(&Value::Null);
                assert!(same(&actual[column], want), "{name}: {column} is {} not {want}", actual[column]);
            }
            assert_eq!(
                json!(derived.quality_score()),
                expected["enrichment_data_quality_score"],
                "{name}: quality score"
            );
        }
    }

    #[test]
    fn every_enrichment_vector_without_existing_columns_derives_column_by_column() {
        for (path, case) in vectors().into_iter().filter(|(_, c)| c.get("existing").is_none()) {
            let kernel = case.get("kernel_analysis");
            let derived = serde_json::to_value(derive(&case["enrichment_data"], kernel)).unwrap();
            for column in DERIVED_COLUMNS {
                let one = derive_column(column, &case["enrichment_data"], kernel).unwrap_or(Value::Null);
                assert_eq!(one, derived[column], "{}: {column}", path.display());
            }
        }
    }

    #[test]
    fn the_rules_cover_the_derived_columns_in_field_order() {
        let rule_columns: Vec<&str> = RULES.iter().map(|r| r.column).collect();
        assert_eq!(rule_columns, DERIVED_COLUMNS);
        let fields = serde_json::to_value(Derived::default()).unwrap();
        let mut field_names: Vec<&str> = fields.as_object().unwrap().keys().map(String::as_str).collect();
        field_names.sort_unstable();
        let mut sorted_columns = DERIVED_COLUMNS.to_vec();
        sorted_columns.sort_unstable();
        // serde_json's map order depends on its features, so compare as sets.
        assert_eq!(field_names, sorted_columns);
    }

    #[test]
    fn derive_column_knows_only_derived_columns() {
        let data = json!({"company": {"name": "Acme"}, "first_name": "Ana"});
        assert_eq!(derive_column("enrichment_company_name", &data, None), Some(json!("Acme")));
        assert_eq!(derive_column("first_name", &data, None), None);
        assert_eq!(derive_column("enrichment_data_quality_score", &data, None), None);
    }

    #[test]
    fn derive_column_keeps_numbers_as_numbers() {
        let data = json!({"company": {"revenue": "$12.5M", "employees": "50+", "growth_yoy": "18%"}});
        assert_eq!(derive_column("enrichment_company_revenue", &data, None), Some(json!(12_500_000)));
        assert_eq!(derive_column("enrichment_company_employees", &data, None), Some(json!(50)));
        assert_eq!(derive_column("enrichment_company_growth_yoy", &data, None), Some(json!(0.18)));
    }

    #[test]
    fn employees_accept_the_spec_formats() {
        let cases = [
            (json!(340), Some(340)),
            (json!(0), Some(0)),
            (json!(340.0), Some(340)),
            (json!(340.9), Some(340)),
            (json!("340"), Some(340)),
            (json!("50+"), Some(50)),
            (json!("50 employees"), Some(50)),
            (json!("50+ employees"), Some(50)),
            (json!("50-200 employees"), Some(125)),
            (json!("51-200"), Some(125)),
            (json!("1–5 employees"), Some(3)),
            (json!("10 - 20"), Some(15)),
            (json!(" 1,000 "), Some(1000)),
            (json!("10,000+"), Some(10_000)),
            (json!("1,000-5,000 employees"), Some(3000)),
            (json!("2147483647"), Some(i32::MAX)),
        ];
        for (input, want) in cases {
            assert_eq!(parse_employees(&input), want, "{input}");
        }
    }

    #[test]
    fn employees_reject_anything_else() {
        let cases = [
            json!("self-employed"),
            json!(""),
            json!("   "),
            json!("lots"),
            json!(-5),
            json!(-0.5),
            json!("-5"),
            json!("2147483648"),
            json!(2_147_483_648_i64),
            json!(1e300),
            json!(u64::MAX),
            json!("1,0"),
            json!("1000,000"),
            json!("12.5"),
            json!("50 to 200"),
            json!("50-"),
            json!("50-200+"),
            json!("50++"),
            json!("about 50"),
            json!("50 big companies"),
            json!(null),
            json!(true),
            json!([50]),
            json!({"count": 50}),
        ];
        for input in cases {
            assert_eq!(parse_employees(&input), None, "{input}");
        }
    }

    #[test]
    fn revenue_strings_are_computed_exactly_in_decimal() {
        let cases = [
            ("$12.5M", 12_500_000),
            ("$4.1M", 4_100_000),
            ("€500K", 500_000),
            ("$1.2B", 1_200_000_000),
            ("$3B", 3_000_000_000),
            ("£750k", 750_000),
            ("2.35m", 2_350_000),
            ("$0.1b", 100_000_000),
            ("1,250,000", 1_250_000),
            ("$1,250,000.50", 1_250_001),
            ("$1,250,000.49", 1_250_000),
            ("$1.0000005M", 1_000_001),
            ("$1.00000049999M", 1_000_000),
            ("  $ 12.5 M  ", 12_500_000),
            ("0", 0),
            ("$0.4", 0),
            ("9223372036854775807", i64::MAX),
        ];
        for (input, want) in cases {
            assert_eq!(parse_revenue(&json!(input)), Some(want), "{input}");
        }
    }

    #[test]
    fn revenue_numbers_round_half_away_from_zero() {
        assert_eq!(parse_revenue(&json!(250_000_000)), Some(250_000_000));
        assert_eq!(parse_revenue(&json!(0)), Some(0));
        assert_eq!(parse_revenue(&json!(1234.5)), Some(1235));
        assert_eq!(parse_revenue(&json!(1234.4)), Some(1234));
        assert_eq!(parse_revenue(&json!(-2.5)), Some(-3));
        assert_eq!(parse_revenue(&json!(1e300)), None);
        assert_eq!(parse_revenue(&json!(u64::MAX)), None);
    }

    #[test]
    fn revenue_ranges_and_junk_are_not_a_revenue() {
        let cases = [
            json!("$1M-$5M"),
            json!("1M - 5M"),
            json!("$12.5 million"),
            json!("about $5M"),
            json!("$"),
            json!("$.5M"),
            json!("$5.M"),
            json!("5MM"),
            json!("5T"),
            json!("-$5M"),
            json!("1e6"),
            json!("1,00"),
            json!("9223372036854775808"),
            json!("$9999999999B"),
            json!(""),
            json!("  "),
            json!(null),
            json!(false),
            json!([1]),
        ];
        for input in cases {
            assert_eq!(parse_revenue(&input), None, "{input}");
        }
    }

    #[test]
    fn growth_percentages_become_the_exact_fraction_literal() {
        let cases = [
            ("18%", 0.18),
            ("-3%", -0.03),
            ("12.5%", 0.125),
            ("+7%", 0.07),
            ("150%", 1.5),
            ("0%", 0.0),
            (" 4 % ", 0.04),
            ("0.5%", 0.005),
            ("0.18", 0.18),
            ("-0.03", -0.03),
            ("1", 1.0),
        ];
        for (input, want) in cases {
            assert_eq!(parse_growth(&json!(input)), Some(want), "{input}");
        }
    }

    #[test]
    fn growth_numbers_are_fractions_as_given() {
        assert_eq!(parse_growth(&json!(0.18)), Some(0.18));
        assert_eq!(parse_growth(&json!(0)), Some(0.0));
        assert_eq!(parse_growth(&json!(-1)), Some(-1.0));
    }

    #[test]
    fn growth_junk_is_not_a_growth() {
        let cases = [
            json!("fast"),
            json!("%"),
            json!("18%%"),
            json!("1e2"),
            json!("inf"),
            json!("NaN"),
            json!(".5"),
            json!("5."),
            json!("1,000%"),
            json!("--3%"),
            json!(""),
            json!(null),
            json!(true),
            json!(["18%"]),
        ];
        for input in cases {
            assert_eq!(parse_growth(&input), None, "{input}");
        }
    }

    #[test]
    fn an_unparseable_source_falls_through_to_the_next_one() {
        let data = json!({
            "company": {"revenue": "$1M-$5M", "employees": "self-employed", "name": "  "},
            "synthesized": {"company_data": {"revenue": "€4.1m", "employees": "10,000+", "name": "Fallback Co"}}
        });
        let d = derive(&data, None);
        assert_eq!(d.enrichment_company_revenue, Some(4_100_000));
        assert_eq!(d.enrichment_company_employees, Some(10_000));
        assert_eq!(d.enrichment_company_name.as_deref(), Some("Fallback Co"));
    }

    #[test]
    fn zero_and_false_are_values_not_empty() {
        let data =
            json!({"company": {"revenue": 0, "employees": 0, "growth_yoy": 0, "name": false}, "revenue": 9});
        let d = derive(&data, None);
        assert_eq!(d.enrichment_company_revenue, Some(0));
        assert_eq!(d.enrichment_company_employees, Some(0));
        assert_eq!(d.enrichment_company_growth_yoy, Some(0.0));
        assert_eq!(d.enrichment_company_name.as_deref(), Some("false"));
    }

    #[test]
    fn text_sources_take_strings_as_is_and_numbers_as_text() {
        let data = json!({
            "company": {"name": "  Acme  ", "industry": ["SaaS"]},
            "industry": {"name": "Finance"},
            "vertical": "Insurance",
            "person": {"title": 42},
            "summary": []
        });
        let d = derive(&data, None);
        assert_eq!(d.enrichment_company_name.as_deref(), Some("  Acme  "));
        assert_eq!(d.enrichment_company_industry.as_deref(), Some("Insurance"));
        assert_eq!(d.enrichment_person_title.as_deref(), Some("42"));
        assert_eq!(d.enrichment_person_background, None);
    }

    #[test]
    fn the_long_kernel_spelling_is_tried_first() {
        let kernel = json!({
            "who": {"persona_type": "CFO", "persona": "Manager", "influence_level": "high", "influence": "low"},
            "when": {"urgency_level": "high", "urgency": "low"},
            "what": {"opening_hook": "Long", "hook": "Short"}
        });
        let d = derive(&json!({}), Some(&kernel));
        assert_eq!(d.kernel_who_persona.as_deref(), Some("CFO"));
        assert_eq!(d.kernel_who_influence.as_deref(), Some("high"));
        assert_eq!(d.kernel_when_urgency.as_deref(), Some("high"));
        assert_eq!(d.kernel_what_hook.as_deref(), Some("Long"));
    }

    #[test]
    fn an_empty_long_kernel_spelling_falls_back_to_the_short_one() {
        let kernel = json!({"who": {"persona_type": "", "persona": "Manager"}, "when": {"urgency_level": null, "urgency": "low"}});
        let d = derive(&json!({"persona_type": "Champion"}), Some(&kernel));
        assert_eq!(d.kernel_who_persona.as_deref(), Some("Manager"));
        assert_eq!(d.kernel_when_urgency.as_deref(), Some("low"));
    }

    #[test]
    fn the_kernel_wins_over_enrichment_data_and_enrichment_data_fills_in_without_it() {
        let data = json!({"persona_type": "Champion", "opening_line": "Hi there"});
        let kernel = json!({"who": {"persona": "Executive"}, "what": {"hook": "Your Q3"}});
        let with = derive(&data, Some(&kernel));
        assert_eq!(with.kernel_who_persona.as_deref(), Some("Executive"));
        assert_eq!(with.kernel_what_hook.as_deref(), Some("Your Q3"));
        let without = derive(&data, None);
        assert_eq!(without.kernel_who_persona.as_deref(), Some("Champion"));
        assert_eq!(without.kernel_what_hook.as_deref(), Some("Hi there"));
        assert_eq!(derive(&data, Some(&Value::Null)), without);
    }

    #[test]
    fn enrichment_data_that_is_not_an_object_derives_nothing() {
        for data in [json!(null), json!("text"), json!([1, 2]), json!(3)] {
            assert_eq!(derive(&data, Some(&json!("kernel"))), Derived::default(), "{data}");
        }
    }

    #[test]
    fn backfill_keeps_existing_values_that_nothing_replaces() {
        let existing = Derived {
            enrichment_company_name: Some("Northwind".into()),
            enrichment_company_revenue: Some(5_000_000),
            enrichment_company_industry: Some("Retail".into()),
            ..Derived::default()
        };
        let data = json!({"company": {"name": "", "industry": "Insurance"}, "revenue": "junk"});
        let d = backfill(&existing, &data, None);
        assert_eq!(d.enrichment_company_name.as_deref(), Some("Northwind"));
        assert_eq!(d.enrichment_company_revenue, Some(5_000_000));
        assert_eq!(d.enrichment_company_industry.as_deref(), Some("Insurance"));
    }

    #[test]
    fn backfill_of_empty_json_changes_nothing() {
        let existing = Derived {
            enrichment_company_growth_yoy: Some(0.2),
            kernel_what_hook: Some("Hook".into()),
            ..Derived::default()
        };
        assert_eq!(backfill(&existing, &json!({}), None), existing);
        assert_eq!(backfill(&existing, &Value::Object(Map::new()), Some(&json!({}))), existing);
    }

    #[test]
    fn the_quality_score_of_derived_columns_follows_the_quality_rule() {
        let d = Derived {
            enrichment_company_name: Some("Acme".into()),
            enrichment_company_growth_yoy: Some(0.0),
            kernel_who_persona: Some("CEO".into()),
            ..Derived::default()
        };
        assert_eq!(d.quality_score(), 35);
        assert_eq!(Derived::default().quality_score(), 0);
    }
}
