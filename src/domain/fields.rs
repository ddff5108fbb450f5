//! Field access by name (SPEC §6.1): what `Contact.field(name)`, templates
//! and `get_contact_field` see of a contact.
//!
//! A name is a column, an alias of one or more columns, or a workspace's
//! custom field definition (a path inside `enrichment_data`). The first
//! non-empty value wins; a derived column (§6.2) that is still empty is read
//! from the JSON it would be derived from, so a contact enriched before its
//! columns were backfilled already shows its values. Unknown names are an
//! error rather than `null`, so that a typo in a template or query is caught
//! instead of rendering as a blank.
//!
//! The contact is seen through [`FieldSource`] so that these rules stay
//! independent of the database entity.

use std::fmt;

use serde_json::{Map, Value};

use super::enrichment;

/// A contact's columns by name (SPEC §5 column names), as JSON values: text
/// as strings, numbers as numbers, uuids and timestamps as strings
/// (timestamps already in RFC 3339), tags as an array, JSON columns as JSON;
/// `Null` when empty.
pub trait FieldSource {
    /// The value of the column `name` (`Null` for an unknown column).
    fn column(&self, name: &str) -> Value;

    /// The same, borrowed where the source holds it: the JSON columns are
    /// read once per resolved field and are the bulk of a contact.
    fn column_ref(&self, name: &str) -> std::borrow::Cow<'_, Value> {
        std::borrow::Cow::Owned(self.column(name))
    }

    /// The UTF-8 bytes of the column `name` where the source holds it as
    /// text, borrowed (`None` inside when it is null): what
    /// [`FieldSource::column`] gives as a string, without the copy, and
    /// without checking bytes the source vouches for (a page's text cells:
    /// `store::contacts::RowText`). `None` where the source does not lend
    /// it (another kind of column, a name it does not know).
    fn utf8(&self, name: &str) -> Option<Option<&[u8]>> {
        let _ = name;
        None
    }
}

/// `Null`, to lend.
pub static NULL: Value = Value::Null;

/// The text of UTF-8 bytes a source lent ([`FieldSource::utf8`]), checked
/// here where a `&str` is needed; `"\u{FFFD}"` for bytes that are not UTF-8,
/// which no source lends.
pub fn lent_text(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).unwrap_or("\u{FFFD}")
}

/// A contact given as a JSON object keyed by column name, as in the fixtures:
/// a missing key is `Null`.
impl FieldSource for Map<String, Value> {
    fn column(&self, name: &str) -> Value {
        self.get(name).cloned().unwrap_or(Value::Null)
    }

    fn column_ref(&self, name: &str) -> std::borrow::Cow<'_, Value> {
        std::borrow::Cow::Borrowed(self.get(name).unwrap_or(&NULL))
    }

    fn utf8(&self, name: &str) -> Option<Option<&[u8]>> {
        self.get(name).and_then(Value::as_str).map(|t| Some(t.as_bytes()))
    }
}

/// A workspace's custom field definition (a `contact_field_definitions`
/// row), just what resolution needs.
#[derive(Debug, Clone)]
pub struct FieldDefinition {
    /// The name the field is read by.
    pub field_name: String,
    /// Dot-separated path inside the contact's `enrichment_data`.
    pub jsonb_path: String,
}

/// Every column of `contacts` except `workspace_id`, in table order (SPEC §5:
/// base columns, then the 26 denormalized ones).
pub const CONTACT_COLUMNS: &[&str] = &[
    "id",
    "user_id",
    "email",
    "first_name",
    "last_name",
    "company",
    "job_title",
    "phone",
    "linkedin_url",
    "website",
    "vertical",
    "persona_type",
    "annual_revenue",
    "enrichment_status",
    "enrichment_data",
    "kernel_analysis",
    "enriched_at",
    "lifecycle_stage",
    "lead_status",
    "pipeline_stage",
    "external_id",
    "hubspot_id",
    "created_at",
    "updated_at",
    "enrichment_company_name",
    "enrichment_company_revenue",
    "enrichment_company_employees",
    "enrichment_company_industry",
    "enrichment_company_growth_yoy",
    "enrichment_person_title",
    "enrichment_person_background",
    "enrichment_last_enriched_at",
    "enrichment_data_quality_score",
    "kernel_who_persona",
    "kernel_who_influence",
    "kernel_when_urgency",
    "kernel_when_timing_signal",
    "kernel_what_hook",
    "best_call_variant_number",
    "email_subject",
    "email_body_preview",
    "assigned_product",
    "icp_id",
    "icp_match_score",
    "product_match",
    "campaign_id",
    "email_send_id",
    "source",
    "tags",
    "notes",
];

/// The alias that joins names instead of picking the first non-empty column.
const FULL_NAME: &str = "full_name";

/// The aliases of §6.1 with their columns, tried in order. `full_name` is
/// special: it joins its two columns with a space.
pub const ALIASES: &[(&str, &[&str])] = &[
    ("company_name", &["enrichment_company_name", "company"]),
    ("industry", &["enrichment_company_industry", "vertical"]),
    ("company_industry", &["enrichment_company_industry", "vertical"]),
    ("person_title", &["enrichment_person_title", "job_title"]),
    ("title", &["enrichment_person_title", "job_title"]),
    ("company_revenue", &["enrichment_company_revenue"]),
    ("company_employees", &["enrichment_company_employees"]),
    ("company_growth", &["enrichment_company_growth_yoy"]),
    ("person_background", &["enrichment_person_background"]),
    ("persona", &["kernel_who_persona", "persona_type"]),
    ("influence", &["kernel_who_influence"]),
    ("urgency", &["kernel_when_urgency"]),
    ("timing_signal", &["kernel_when_timing_signal"]),
    ("hook", &["kernel_what_hook"]),
    ("quality_score", &["enrichment_data_quality_score"]),
    ("product", &["assigned_product"]),
    ("icp_score", &["icp_match_score"]),
    (FULL_NAME, &["first_name", "last_name"]),
];

/// Name prefixes kept for template variables (§6.6), which a field
/// definition may therefore not use.
const RESERVED_PREFIXES: [&str; 2] = ["product_", "sender_"];

/// The longest field definition name (Postgres's identifier length).
const MAX_DEFINITION_NAME_LEN: usize = 63;

/// The most segments a definition's path may have.
const MAX_PATH_SEGMENTS: usize = 10;

/// Whether `name` is a column of `contacts` that fields may read.
pub fn is_column(name: &str) -> bool {
    CONTACT_COLUMNS.contains(&name)
}

/// Whether `name` is an alias of §6.1.
pub fn is_alias(name: &str) -> bool {
    alias_columns(name).is_some()
}

fn alias_columns(name: &str) -> Option<&'static [&'static str]> {
    ALIASES.iter().find(|(alias, _)| *alias == name).map(|(_, columns)| *columns)
}

/// The column `name`, or the columns of the alias `name` in order; none
/// for any other name.
fn columns_of(name: &str) -> &'static [&'static str] {
    match CONTACT_COLUMNS.iter().position(|c| *c == name) {
        Some(i) => &CONTACT_COLUMNS[i..=i],
        None => alias_columns(name).unwrap_or(&[]),
    }
}

/// Why a name cannot be resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldError {
    /// Neither a column, an alias nor a field definition of the workspace.
    Unknown(String),
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FieldError::Unknown(name) => write!(f, "unknown field `{name}`"),
        }
    }
}

impl std::error::Error for FieldError {}

/// Whether `v` counts as missing: `null`, `""` or `[]`. Exactly these:
/// `0`, `false`, `{}` and blank strings are values.
pub fn is_empty_value(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

/// Whether `name` may be read: a column, an alias or one of `definitions`.
pub fn is_known(name: &str, definitions: &[FieldDefinition]) -> bool {
    is_column(name) || is_alias(name) || definitions.iter().any(|d| d.field_name == name)
}

/// The value of the field `name` of `source` (`None` when it is empty),
/// keeping its JSON type; an error when the name is unknown.
pub fn resolve(
    source: &impl FieldSource,
    definitions: &[FieldDefinition],
    name: &str,
) -> Result<Option<Value>, FieldError> {
    Ok(Resolver::new(name, definitions)?.value(source))
}

/// A field name looked up once among the columns, the aliases and a
/// workspace's definitions, to be read of many contacts ([`resolve`] of
/// one): a page renders the same few names for each of its contacts.
#[derive(Debug, Clone, Copy)]
pub enum Resolver<'d> {
    /// `full_name`: the two names joined.
    FullName,
    /// A column, or an alias's columns in order, and the definition of that
    /// name if the workspace has one (read when the columns are empty).
    Columns(&'static [&'static str], Option<&'d FieldDefinition>),
}

impl<'d> Resolver<'d> {
    /// How `name` is read; an error when it is unknown.
    pub fn new(name: &str, definitions: &'d [FieldDefinition]) -> Result<Self, FieldError> {
        if name == FULL_NAME {
            return Ok(Resolver::FullName);
        }
        let columns = columns_of(name);
        let definition = definitions.iter().find(|d| d.field_name == name);
        if columns.is_empty() && definition.is_none() {
            return Err(FieldError::Unknown(name.to_owned()));
        }
        Ok(Resolver::Columns(columns, definition))
    }

    /// The value of the name of `source` (`None` when it is empty), keeping
    /// its JSON type.
    pub fn value(&self, source: &impl FieldSource) -> Option<Value> {
        let Resolver::Columns(columns, definition) = *self else { return full_name(source) };
        if let Some(v) = columns.iter().find_map(|c| non_empty(source.column(c))) {
            return Some(v);
        }
        past_columns(columns, definition, source)
    }

    /// [`Resolver::value`] where it is the text of a text column, borrowed
    /// ([`FieldSource::utf8`]); where every column is a text the source
    /// lends and each is empty, the value read past them; `None` wherever
    /// `value` must be asked: a column before the first non-empty text that
    /// the source does not lend as text, `full_name`.
    pub fn text_of<'s>(&self, source: &'s impl FieldSource) -> Option<ColumnText<'s>> {
        let Resolver::Columns(columns, definition) = *self else { return None };
        for column in columns {
            if let Some(text) = source.utf8(column)?
                && !text.is_empty()
            {
                return Some(ColumnText::Text(text));
            }
        }
        Some(ColumnText::Past(past_columns(columns, definition, source)))
    }
}

/// [`Resolver::value`] of a name whose `columns` are all empty in `source`:
/// its `definition` (the workspace's, if any) read in `enrichment_data`,
/// then the columns derived from the JSON columns.
fn past_columns(
    columns: &[&str],
    definition: Option<&FieldDefinition>,
    source: &impl FieldSource,
) -> Option<Value> {
    let enrichment_data = source.column_ref("enrichment_data");
    if let Some(v) = definition
        .and_then(|d| value_at_path(&enrichment_data, &d.jsonb_path))
        .and_then(|v| non_empty(v.clone()))
    {
        return Some(v);
    }
    let kernel_analysis = source.column_ref("kernel_analysis");
    columns.iter().find_map(|c| enrichment::derive_column(c, &enrichment_data, Some(&kernel_analysis)))
}

/// What [`Resolver::text_of`] finds: the text of the first non-empty
/// column, or (all of them empty) the value read past them.
#[derive(Debug, PartialEq)]
pub enum ColumnText<'s> {
    /// A column's text, its UTF-8 bytes as the source lent them.
    Text(&'s [u8]),
    /// The value past the empty columns (`None` when there is none).
    Past(Option<Value>),
}

/// `v`, unless it is empty ([`is_empty_value`]).
fn non_empty(v: Value) -> Option<Value> {
    (!is_empty_value(&v)).then_some(v)
}

/// What [`resolve`] may read of a contact for `name` (given to `read`):
/// columns, a JSON column read by name whole, or a path of object keys
/// inside one — a custom field's path (up to its first segment that may be
/// an array index: what is below is then read whole), and the sources of a
/// derived column while it is empty. Nothing for an unknown name. A reader
/// that holds just these resolves `name` as one holding the whole contact.
pub fn reads<'a>(name: &str, definitions: &'a [FieldDefinition], mut read: impl FnMut(FieldRead<'a>)) {
    for &c in columns_of(name) {
        match JSON_COLUMNS.iter().find(|j| **j == c) {
            Some(json) => read(FieldRead::Whole(json)),
            None => read(FieldRead::Column(c)),
        }
        for (root, path, column, text) in enrichment::source_paths(c) {
            read(FieldRead::Path(root, path.to_vec(), Some(Gate { column, text })));
        }
    }
    if let Some(d) = definitions.iter().find(|d| d.field_name == name) {
        // `value_at_path` reads an array by index where a segment parses as
        // one: the path is read by key only up to such a segment.
        let keys: Vec<&'a str> = d
            .jsonb_path
            .split('.')
            .take_while(|s| !s.starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '+'))
            .collect();
        match keys.is_empty() {
            true => read(FieldRead::Whole("enrichment_data")),
            false => read(FieldRead::Path("enrichment_data", keys, None)),
        }
    }
}

/// The JSON columns of a contact.
pub const JSON_COLUMNS: [&str; 3] = ["enrichment_data", "kernel_analysis", "product_match"];

/// One read of [`reads`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldRead<'a> {
    /// A column that is not JSON.
    Column(&'static str),
    /// The whole column.
    Whole(&'static str),
    /// The value at a path of object keys in the column, needed always or
    /// only while a derived column is empty.
    Path(&'static str, Vec<&'a str>, Option<Gate>),
}

/// A derived column whose sources are read only while it is empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Gate {
    /// The column.
    pub column: &'static str,
    /// Whether it is a text column (empty also when `''`).
    pub text: bool,
}

/// First and last name joined by one space and trimmed; `None` when both
/// are empty.
fn full_name(source: &impl FieldSource) -> Option<Value> {
    let first = source.column("first_name");
    let last = source.column("last_name");
    let joined = format!("{} {}", first.as_str().unwrap_or_default(), last.as_str().unwrap_or_default());
    let trimmed = joined.trim();
    (!trimmed.is_empty()).then(|| Value::from(trimmed))
}

/// The value at a dot path inside `root`, the way Postgres's `#>` walks a
/// path: a segment is an object key, or an array index (negative from the
/// end) when the value there is an array.
fn value_at_path<'a>(root: &'a Value, path: &str) -> Option<&'a Value> {
    // Split by byte: `str::split` with a `char` sets up a searcher that
    // costs more than these short paths do to walk.
    let mut rest = Some(path);
    let mut segments = std::iter::from_fn(|| {
        let p = rest?;
        let (segment, after) = match p.bytes().position(|b| b == b'.') {
            Some(i) => (&p[..i], Some(&p[i + 1..])),
            None => (p, None),
        };
        rest = after;
        Some(segment)
    });
    segments.try_fold(root, |value, segment| match value {
        Value::Object(map) => map.get(segment),
        Value::Array(items) => {
            let index: i64 = segment.parse().ok()?;
            let len = i64::try_from(items.len()).ok()?;
            let index = if index < 0 { index + len } else { index };
            items.get(usize::try_from(index).ok()?)
        }
        _ => None,
    })
}

/// Checks a new field definition's name: `^[a-z][a-z0-9_]*$`, at most 63
/// characters, not a column (`workspace_id` included), not an alias, and
/// not starting with `product_` or `sender_`.
pub fn validate_definition_name(name: &str) -> Result<(), String> {
    let mut chars = name.chars();
    let well_formed = chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !well_formed {
        return Err(format!(
            "field name `{name}` must start with a lower-case letter and contain only a-z, 0-9 and _"
        ));
    }
    if name.len() > MAX_DEFINITION_NAME_LEN {
        return Err(format!("field name `{name}` is longer than {MAX_DEFINITION_NAME_LEN} characters"));
    }
    if is_column(name) || name == "workspace_id" {
        return Err(format!("field name `{name}` is a contact column"));
    }
    if is_alias(name) {
        return Err(format!("field name `{name}` is a built-in alias"));
    }
    if let Some(prefix) = RESERVED_PREFIXES.iter().find(|p| name.starts_with(*p)) {
        return Err(format!(
            "field name `{name}` may not start with `{prefix}`, which is reserved for template variables"
        ));
    }
    Ok(())
}

/// Checks a field definition's path inside `enrichment_data`: dot-separated
/// segments of `[A-Za-z0-9_-]+`, at most 10 of them.
pub fn validate_jsonb_path(path: &str) -> Result<(), String> {
    let segments: Vec<&str> = path.split('.').collect();
    let valid_segment =
        |s: &&str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if !segments.iter().all(valid_segment) {
        return Err(format!(
            "path `{path}` must be dot-separated non-empty segments of A-Z, a-z, 0-9, _ and -"
        ));
    }
    if segments.len() > MAX_PATH_SEGMENTS {
        return Err(format!("path `{path}` has more than {MAX_PATH_SEGMENTS} segments"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use serde_json::json;

    use super::*;

    fn contact(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            other => panic!("not a contact: {other}"),
        }
    }

    fn get(source: &Map<String, Value>, name: &str) -> Option<Value> {
        resolve(source, &[], name).unwrap()
    }

    fn definition(field_name: &str, jsonb_path: &str) -> FieldDefinition {
        FieldDefinition { field_name: field_name.into(), jsonb_path: jsonb_path.into() }
    }

    fn fixtures() -> PathBuf {
        PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/fixtures"))
    }

    fn own_fixtures() -> PathBuf {
        let own = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        if own.is_dir() { own } else { Path::new(env!("CARGO_MANIFEST_DIR")).join("../main/fixtures") }
    }

    fn read_json(path: &Path) -> Value {
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    fn enrichment_vectors() -> Vec<(PathBuf, Value)> {
        let mut cases = Vec::new();
        for dir in [fixtures().join("enrichment"), own_fixtures().join("enrichment")] {
            let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
                .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
                .map(|entry| entry.unwrap().path())
                .filter(|p| p.extension().is_some_and(|e| e == "json"))
                .collect();
            assert!(!paths.is_empty(), "no vectors in {}", dir.display());
            paths.sort();
            cases.extend(paths.into_iter().map(|p| {
                let case = read_json(&p);
                (p, case)
            }));
        }
        cases
    }

    fn same(a: &Value, b: &Value) -> bool {
        match (a, b) {
            (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
            _ => a == b,
        }
    }

    #[test]
    fn contact_columns_are_the_base_and_26_denormalized_columns_without_workspace_id() {
        assert_eq!(CONTACT_COLUMNS.len(), 24 + 26);
        assert!(!is_column("workspace_id"));
        let mut unique = CONTACT_COLUMNS.to_vec();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), CONTACT_COLUMNS.len());
        for column in enrichment::DERIVED_COLUMNS {
            assert!(is_column(column), "{column}");
        }
    }

    #[test]
    fn aliases_name_only_columns_and_never_shadow_one() {
        for (alias, columns) in ALIASES {
            assert!(!is_column(alias), "{alias}");
            for column in *columns {
                assert!(is_column(column), "{alias} → {column}");
            }
        }
    }

    #[test]
    fn template_fixture_fields_resolve_exactly_when_they_render() {
        let fixture = read_json(&fixtures().join("templates.json"));
        let mut checked = 0;
        for case in fixture["cases"].as_array().unwrap() {
            if case.get("error").is_some() {
                continue;
            }
            let source = contact(case["contact"].clone());
            let listed = |key: &str, name: &str| {
                case[key].as_array().unwrap().iter().any(|v| v.as_str() == Some(name))
            };
            for name in case["used"].as_array().unwrap().iter().filter_map(Value::as_str) {
                if RESERVED_PREFIXES.iter().any(|p| name.starts_with(p)) && !is_known(name, &[]) {
                    continue;
                }
                let value = resolve(&source, &[], name).unwrap();
                let rendered_from_field = !listed("missing", name) && !listed("defaulted", name);
                assert_eq!(value.is_some(), rendered_from_field, "{name} in {}", case["template"]);
                checked += 1;
            }
        }
        assert!(checked >= 10, "only {checked} fields checked");
    }

    #[test]
    fn template_fixture_unknown_variables_are_unknown_fields() {
        let fixture = read_json(&fixtures().join("templates.json"));
        let mut checked = 0;
        for case in fixture["cases"].as_array().unwrap() {
            let Some(list) = case["error"].as_str().and_then(|e| e.strip_prefix("unknown variables: "))
            else {
                continue;
            };
            for item in list.split(", ") {
                let name = item.split(" at offset").next().unwrap();
                assert!(!is_known(name, &[]), "{name}");
                assert_eq!(resolve(&Map::new(), &[], name), Err(FieldError::Unknown(name.to_owned())));
                checked += 1;
            }
        }
        assert!(checked > 0);
    }

    #[test]
    fn company_name_falls_back_to_company_and_persona_to_persona_type() {
        let c = contact(
            json!({"company": "Acme", "persona_type": "Champion", "kernel_what_hook": "Your Reno expansion"}),
        );
        assert_eq!(get(&c, "company_name"), Some(json!("Acme")));
        assert_eq!(get(&c, "persona"), Some(json!("Champion")));
        assert_eq!(get(&c, "hook"), Some(json!("Your Reno expansion")));
    }

    #[test]
    fn every_alias_reads_its_first_column_before_its_second() {
        for (alias, columns) in ALIASES.iter().filter(|(a, _)| *a != FULL_NAME) {
            let first = columns[0];
            let c = contact(json!({first: format!("{first} value")}));
            assert_eq!(get(&c, alias), Some(json!(format!("{first} value"))), "{alias}");
            if let [first, second] = columns {
                let both = contact(json!({*first: "first", *second: "second"}));
                assert_eq!(get(&both, alias), Some(json!("first")), "{alias}");
                let only_second = contact(json!({*first: "", *second: "second"}));
                assert_eq!(get(&only_second, alias), Some(json!("second")), "{alias}");
            }
            assert_eq!(get(&Map::new(), alias), None, "{alias}");
        }
    }

    #[test]
    fn aliases_keep_the_json_type_of_their_column() {
        let c = contact(json!({
            "enrichment_company_revenue": 12_500_000,
            "enrichment_company_employees": 340,
            "enrichment_company_growth_yoy": 0.18,
            "enrichment_data_quality_score": 0,
            "icp_match_score": 87,
            "assigned_product": "sba_504",
            "tags": ["vip", "q3"]
        }));
        assert_eq!(get(&c, "company_revenue"), Some(json!(12_500_000)));
        assert_eq!(get(&c, "company_employees"), Some(json!(340)));
        assert_eq!(get(&c, "company_growth"), Some(json!(0.18)));
        assert_eq!(get(&c, "quality_score"), Some(json!(0)));
        assert_eq!(get(&c, "icp_score"), Some(json!(87)));
        assert_eq!(get(&c, "product"), Some(json!("sba_504")));
        assert_eq!(get(&c, "tags"), Some(json!(["vip", "q3"])));
    }

    #[test]
    fn full_name_joins_first_and_last_name_with_one_space() {
        let both = contact(json!({"first_name": "Ana", "last_name": "Cervantes"}));
        assert_eq!(get(&both, "full_name"), Some(json!("Ana Cervantes")));
        let first_only = contact(json!({"first_name": "Ana", "last_name": ""}));
        assert_eq!(get(&first_only, "full_name"), Some(json!("Ana")));
        let last_only = contact(json!({"last_name": "Cervantes"}));
        assert_eq!(get(&last_only, "full_name"), Some(json!("Cervantes")));
        assert_eq!(get(&Map::new(), "full_name"), None);
        let blank = contact(json!({"first_name": " ", "last_name": " "}));
        assert_eq!(get(&blank, "full_name"), None);
    }

    #[test]
    fn empty_strings_arrays_and_null_are_missing_but_zero_and_false_are_values() {
        assert!(is_empty_value(&json!(null)));
        assert!(is_empty_value(&json!("")));
        assert!(is_empty_value(&json!([])));
        for value in [json!(0), json!(false), json!(" "), json!({}), json!([null])] {
            assert!(!is_empty_value(&value), "{value}");
        }
        let c = contact(
            json!({"notes": "", "tags": [], "icp_match_score": 0, "enrichment_company_growth_yoy": 0.0}),
        );
        assert_eq!(get(&c, "notes"), None);
        assert_eq!(get(&c, "tags"), None);
        assert_eq!(get(&c, "icp_score"), Some(json!(0)));
        assert_eq!(get(&c, "company_growth"), Some(json!(0.0)));
    }

    #[test]
    fn unknown_names_are_an_error_not_null() {
        let c = contact(json!({"first_name": "Ana"}));
        for name in ["favourite_colour", "workspace_id", "", "First_Name", "product_name", "sender_name"] {
            assert_eq!(resolve(&c, &[], name), Err(FieldError::Unknown(name.to_owned())), "{name}");
            assert!(!is_known(name, &[]), "{name}");
        }
        assert_eq!(FieldError::Unknown("x".into()).to_string(), "unknown field `x`");
    }

    #[test]
    fn a_definition_reads_its_path_inside_enrichment_data_with_its_type() {
        let c = contact(json!({"enrichment_data": {
            "quick_enrich": {"talking_points": ["Hiring", "Data"], "score": 7, "flag": false},
            "funding": {"series": "B", "raised": 12.5},
            "locations": [{"city": "Austin"}, {"city": "Reno"}]
        }}));
        let defs = [
            definition("talking_points", "quick_enrich.talking_points"),
            definition("enrich_score", "quick_enrich.score"),
            definition("enrich_flag", "quick_enrich.flag"),
            definition("funding", "funding"),
            definition("funding_raised", "funding.raised"),
            definition("first_city", "locations.0.city"),
            definition("last_city", "locations.-1.city"),
            definition("no_such_value", "funding.series.letter"),
            definition("out_of_range", "locations.5.city"),
        ];
        let field = |name| resolve(&c, &defs, name).unwrap();
        assert_eq!(field("talking_points"), Some(json!(["Hiring", "Data"])));
        assert_eq!(field("enrich_score"), Some(json!(7)));
        assert_eq!(field("enrich_flag"), Some(json!(false)));
        assert_eq!(field("funding"), Some(json!({"series": "B", "raised": 12.5})));
        assert_eq!(field("funding_raised"), Some(json!(12.5)));
        assert_eq!(field("first_city"), Some(json!("Austin")));
        assert_eq!(field("last_city"), Some(json!("Reno")));
        assert_eq!(field("no_such_value"), None);
        assert_eq!(field("out_of_range"), None);
        assert!(is_known("funding", &defs));
        assert!(!is_known("funding", &[]));
    }

    #[test]
    fn a_definition_on_a_contact_without_enrichment_data_is_known_and_empty() {
        let defs = [definition("talking_points", "quick_enrich.talking_points")];
        let c = contact(json!({"enrichment_data": {"quick_enrich": {"talking_points": []}}}));
        assert_eq!(resolve(&Map::new(), &defs, "talking_points"), Ok(None));
        assert_eq!(resolve(&c, &defs, "talking_points"), Ok(None));
    }

    #[test]
    fn columns_and_aliases_win_over_a_definition_of_the_same_name() {
        // Validation forbids such definitions; a stale one must still not shadow the column.
        let defs = [definition("company", "x"), definition("persona", "x")];
        let c = contact(
            json!({"company": "Acme", "persona_type": "Champion", "enrichment_data": {"x": "from json"}}),
        );
        assert_eq!(resolve(&c, &defs, "company"), Ok(Some(json!("Acme"))));
        assert_eq!(resolve(&c, &defs, "persona"), Ok(Some(json!("Champion"))));
    }

    #[test]
    fn an_empty_derived_column_is_read_from_enrichment_data_and_kernel_analysis() {
        let c = contact(json!({
            "vertical": "",
            "enrichment_data": {"company": {"industry": "Logistics", "revenue": "$4.1M"}},
            "kernel_analysis": {"who": {"persona": "Executive"}}
        }));
        assert_eq!(get(&c, "enrichment_company_industry"), Some(json!("Logistics")));
        assert_eq!(get(&c, "industry"), Some(json!("Logistics")));
        assert_eq!(get(&c, "company_revenue"), Some(json!(4_100_000)));
        assert_eq!(get(&c, "persona"), Some(json!("Executive")));
        assert_eq!(get(&c, "influence"), None);
    }

    #[test]
    fn a_filled_column_wins_over_the_json_it_could_be_derived_from() {
        let c = contact(json!({
            "enrichment_company_name": "Stored Co",
            "vertical": "Retail",
            "enrichment_data": {"company": {"name": "Json Co", "industry": "Logistics"}}
        }));
        assert_eq!(get(&c, "company_name"), Some(json!("Stored Co")));
        // Step 2 (vertical) comes before step 4 (derivation).
        assert_eq!(get(&c, "industry"), Some(json!("Retail")));
        assert_eq!(get(&c, "enrichment_company_industry"), Some(json!("Logistics")));
    }

    #[test]
    fn every_enrichment_vector_resolves_through_derivation_when_columns_are_null() {
        for (path, case) in enrichment_vectors() {
            let mut c = Map::new();
            c.insert("enrichment_data".into(), case["enrichment_data"].clone());
            c.insert("kernel_analysis".into(), case["kernel_analysis"].clone());
            let no_columns = c.clone();
            let existing = case.get("existing").and_then(Value::as_object).cloned().unwrap_or_default();
            c.extend(existing.clone());
            for column in enrichment::DERIVED_COLUMNS {
                let want = case["expected"].get(column).cloned().unwrap_or(Value::Null);
                // Without the vector's existing columns, derivation alone gives
                // the backfilled value unless the backfill kept an existing one.
                if !existing.contains_key(column) {
                    let derived = resolve(&no_columns, &[], column).unwrap().unwrap_or(Value::Null);
                    assert!(same(&derived, &want), "{}: {column} is {derived} not {want}", path.display());
                }
                // With them, a stored value wins over the JSON (step 1 before step 4).
                let want = existing.get(column).filter(|v| !is_empty_value(v)).cloned().unwrap_or(want);
                let got = resolve(&c, &[], column).unwrap().unwrap_or(Value::Null);
                assert!(same(&got, &want), "{}: {column} is {got} not {want}", path.display());
                // The contact has no base columns, so an alias agrees with its derived column.
                for (alias, _) in ALIASES.iter().filter(|(_, cols)| cols.first() == Some(&column)) {
                    let through_alias = resolve(&c, &[], alias).unwrap().unwrap_or(Value::Null);
                    assert!(same(&through_alias, &want), "{}: {alias}", path.display());
                }
            }
        }
    }

    #[test]
    fn definition_names_follow_the_naming_rules() {
        for ok in ["talking_points", "a", "funding_round2", "x_"] {
            assert_eq!(validate_definition_name(ok), Ok(()), "{ok}");
        }
        assert!(validate_definition_name(&"a".repeat(63)).is_ok());
        let bad = [
            "",
            "Talking",
            "2fast",
            "_x",
            "has-dash",
            "has space",
            "élan",
            &"a".repeat(64),
            "company",
            "workspace_id",
            "enrichment_data",
            "persona",
            "full_name",
            "product_tagline",
            "sender_title",
        ];
        for name in bad {
            assert!(validate_definition_name(name).is_err(), "{name}");
        }
    }

    #[test]
    fn jsonb_paths_are_short_dot_separated_plain_segments() {
        for ok in ["a", "quick_enrich.talking_points", "A-b.c_D.9", "locations.-1.city", &["x"; 10].join(".")]
        {
            assert_eq!(validate_jsonb_path(ok), Ok(()), "{ok}");
        }
        let bad = ["", ".", "a.", ".a", "a..b", "a b", "a.$b", "a/b", "é", &["x"; 11].join(".")];
        for path in bad {
            assert!(validate_jsonb_path(path).is_err(), "{path}");
        }
    }
}
