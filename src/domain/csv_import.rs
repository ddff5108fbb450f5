//! Reading a CSV of contacts for `importContacts` (SPEC §7): header aliases,
//! quoted fields (commas, quotes, newlines), UTF-8 with or without BOM,
//! per-row validation with row numbers (the header is row 0), and rows of
//! the same e-mail merged in file order. Deciding create/update/skip against
//! the database is the store's job; this module only reads the text.

use serde_json::Value;

use super::contacts::{check_length, check_tags, is_valid_email};
use super::enrichment::parse_revenue;

/// Most data rows in one import.
pub const MAX_ROWS: usize = 10_000;

/// A contact column a CSV header can map to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// `first_name`.
    FirstName,
    /// `last_name`.
    LastName,
    /// `email`.
    Email,
    /// `company`.
    Company,
    /// `job_title`.
    JobTitle,
    /// `phone`.
    Phone,
    /// `linkedin_url`.
    LinkedinUrl,
    /// `website`.
    Website,
    /// `vertical`.
    Vertical,
    /// `persona_type`.
    PersonaType,
    /// `annual_revenue`.
    AnnualRevenue,
    /// `tags`.
    Tags,
    /// `notes`.
    Notes,
    /// `external_id`.
    ExternalId,
    /// `hubspot_id`.
    HubspotId,
    /// `enrichment_data` (a JSON cell).
    EnrichmentData,
}

impl Target {
    /// The column name.
    pub fn column(self) -> &'static str {
        match self {
            Self::FirstName => "first_name",
            Self::LastName => "last_name",
            Self::Email => "email",
            Self::Company => "company",
            Self::JobTitle => "job_title",
            Self::Phone => "phone",
            Self::LinkedinUrl => "linkedin_url",
            Self::Website => "website",
            Self::Vertical => "vertical",
            Self::PersonaType => "persona_type",
            Self::AnnualRevenue => "annual_revenue",
            Self::Tags => "tags",
            Self::Notes => "notes",
            Self::ExternalId => "external_id",
            Self::HubspotId => "hubspot_id",
            Self::EnrichmentData => "enrichment_data",
        }
    }
}

/// The header aliases of SPEC §7, normalized (lower case, single spaces).
const ALIASES: &[(&str, Target)] = &[
    ("first name", Target::FirstName),
    ("firstname", Target::FirstName),
    ("first", Target::FirstName),
    ("given name", Target::FirstName),
    ("last name", Target::LastName),
    ("lastname", Target::LastName),
    ("last", Target::LastName),
    ("surname", Target::LastName),
    ("family name", Target::LastName),
    ("email", Target::Email),
    ("e mail", Target::Email),
    ("mail", Target::Email),
    ("email address", Target::Email),
    ("company", Target::Company),
    ("company name", Target::Company),
    ("organization", Target::Company),
    ("organisation", Target::Company),
    ("account", Target::Company),
    ("title", Target::JobTitle),
    ("job title", Target::JobTitle),
    ("position", Target::JobTitle),
    ("role", Target::JobTitle),
    ("phone", Target::Phone),
    ("phone number", Target::Phone),
    ("mobile", Target::Phone),
    ("telephone", Target::Phone),
    ("linkedin", Target::LinkedinUrl),
    ("linkedin url", Target::LinkedinUrl),
    ("linkedin profile", Target::LinkedinUrl),
    ("website", Target::Website),
    ("url", Target::Website),
    ("domain", Target::Website),
    ("company website", Target::Website),
    ("vertical", Target::Vertical),
    ("industry", Target::Vertical),
    ("persona", Target::PersonaType),
    ("persona type", Target::PersonaType),
    ("annual revenue", Target::AnnualRevenue),
    ("revenue", Target::AnnualRevenue),
    ("tags", Target::Tags),
    ("notes", Target::Notes),
    ("external id", Target::ExternalId),
    ("hubspot id", Target::HubspotId),
    ("enrichment", Target::EnrichmentData),
    ("enrichment data", Target::EnrichmentData),
];

/// Headers match case-insensitively after trimming, with spaces, `-` and `_` alike.
pub fn normalize_header(h: &str) -> String {
    h.trim()
        .to_lowercase()
        .split(|c: char| c.is_whitespace() || c == '-' || c == '_')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The column a header maps to.
pub fn target_of(header: &str) -> Option<Target> {
    let n = normalize_header(header);
    ALIASES.iter().find(|(a, _)| *a == n).map(|(_, t)| *t)
}

/// The values one row gives (only its non-empty cells).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RowValues {
    /// Text cells by column.
    pub text: Vec<(&'static str, String)>,
    /// `annual_revenue`.
    pub annual_revenue: Option<i64>,
    /// `tags`.
    pub tags: Option<Vec<String>>,
    /// `enrichment_data`.
    pub enrichment_data: Option<Value>,
}

impl RowValues {
    /// The text value of `column`, if the row has one.
    pub fn get(&self, column: &str) -> Option<&str> {
        self.text.iter().find(|(c, _)| *c == column).map(|(_, v)| v.as_str())
    }

    /// Lays `later` over these values: its non-empty cells win.
    fn merge(&mut self, later: RowValues) {
        for (c, v) in later.text {
            match self.text.iter_mut().find(|(x, _)| *x == c) {
                Some(slot) => slot.1 = v,
                None => self.text.push((c, v)),
            }
        }
        if later.annual_revenue.is_some() {
            self.annual_revenue = later.annual_revenue;
        }
        if later.tags.is_some() {
            self.tags = later.tags;
        }
        if later.enrichment_data.is_some() {
            self.enrichment_data = later.enrichment_data;
        }
    }
}

/// A valid row (rows of one e-mail merged).
#[derive(Clone, Debug, PartialEq)]
pub struct ImportRow {
    /// The first row number with this e-mail.
    pub row: usize,
    /// The e-mail as written in the first row.
    pub email: String,
    /// The e-mail lower-cased: the upsert key.
    pub key: String,
    /// The values.
    pub values: RowValues,
}

/// A rejected row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowError {
    /// 1-based data row number (the header is row 0).
    pub row: usize,
    /// What is wrong.
    pub message: String,
}

/// A read CSV.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ParsedCsv {
    /// Valid rows, one per e-mail, in order of first appearance.
    pub rows: Vec<ImportRow>,
    /// Rejected rows.
    pub errors: Vec<RowError>,
    /// Headers that map to no column (or to one an earlier header took).
    pub ignored_columns: Vec<String>,
}

/// Reads `text`. `Err` is a problem with the whole file (no header, no e-mail
/// column, too many rows); problems of single rows are in `errors`.
pub fn parse(text: &str) -> Result<ParsedCsv, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut records = reader.records();
    let header = match records.next() {
        Some(Ok(h)) => h,
        Some(Err(e)) => return Err(format!("the header row cannot be read: {e}")),
        None => return Err("the file is empty: the first line must be a header".to_owned()),
    };
    let mut targets: Vec<Option<Target>> = Vec::with_capacity(header.len());
    let mut out = ParsedCsv::default();
    for h in header.iter() {
        match target_of(h) {
            Some(t) if !targets.contains(&Some(t)) => targets.push(Some(t)),
            _ => {
                targets.push(None);
                if !h.trim().is_empty() {
                    out.ignored_columns.push(h.trim().to_owned());
                }
            }
        }
    }
    if !targets.contains(&Some(Target::Email)) {
        return Err("no e-mail column: the header needs one of email, e-mail, mail, email address".to_owned());
    }
    let mut row_no = 0;
    for record in records {
        row_no += 1;
        if row_no > MAX_ROWS {
            return Err(format!("at most {MAX_ROWS} rows per import"));
        }
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                out.errors.push(RowError { row: row_no, message: format!("unreadable row: {e}") });
                continue;
            }
        };
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        match read_row(&targets, &record) {
            Ok((email, values)) => {
                let key = email.to_lowercase();
                match out.rows.iter_mut().find(|r| r.key == key) {
                    // A later row of the same e-mail updates the earlier one.
                    Some(earlier) => earlier.values.merge(values),
                    None => out.rows.push(ImportRow { row: row_no, email, key, values }),
                }
            }
            Err(message) => out.errors.push(RowError { row: row_no, message }),
        }
    }
    Ok(out)
}

fn read_row(targets: &[Option<Target>], record: &csv::StringRecord) -> Result<(String, RowValues), String> {
    let mut values = RowValues::default();
    let mut email: Option<String> = None;
    for (target, cell) in targets.iter().zip(record.iter()) {
        let Some(target) = target else { continue };
        let cell = cell.trim();
        if cell.is_empty() {
            continue;
        }
        match target {
            Target::Email => {
                if !is_valid_email(cell) {
                    return Err(format!("invalid email {cell:?}"));
                }
                email = Some(cell.to_owned());
            }
            Target::AnnualRevenue => {
                values.annual_revenue = Some(
                    parse_revenue(&Value::String(cell.to_owned()))
                        .ok_or_else(|| format!("annual revenue {cell:?} is not an amount"))?,
                );
            }
            Target::Tags => {
                let tags: Vec<String> = cell
                    .split([';', ','])
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .map(str::to_owned)
                    .collect();
                check_tags(&tags)?;
                values.tags = Some(tags);
            }
            Target::EnrichmentData => {
                let v: Value = serde_json::from_str(cell)
                    .map_err(|e| format!("enrichment data is not valid JSON: {e}"))?;
                if !v.is_object() {
                    return Err("enrichment data must be a JSON object".to_owned());
                }
                values.enrichment_data = Some(v);
            }
            other => {
                check_length(other.column(), cell)?;
                values.text.push((other.column(), cell.to_owned()));
            }
        }
    }
    let Some(email) = email else { return Err("missing email".to_owned()) };
    if values.get("first_name").is_none()
        && values.get("last_name").is_none()
        && values.get("company").is_none()
    {
        return Err("a row needs a first or last name or a company".to_owned());
    }
    Ok((email, values))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_header_alias_maps_whatever_its_case_and_separators() {
        for (h, t) in [
            ("First Name", Target::FirstName),
            ("first_name", Target::FirstName),
            ("  FIRSTNAME ", Target::FirstName),
            ("Given-Name", Target::FirstName),
            ("E-mail", Target::Email),
            ("Email_Address", Target::Email),
            ("Organisation", Target::Company),
            ("Job Title", Target::JobTitle),
            ("LinkedIn Profile", Target::LinkedinUrl),
            ("Company Website", Target::Website),
            ("Industry", Target::Vertical),
            ("Persona Type", Target::PersonaType),
            ("Annual Revenue", Target::AnnualRevenue),
            ("HubSpot ID", Target::HubspotId),
            ("external-id", Target::ExternalId),
            ("Enrichment Data", Target::EnrichmentData),
        ] {
            assert_eq!(target_of(h), Some(t), "{h}");
        }
        assert_eq!(target_of("Favourite Colour"), None);
    }

    #[test]
    fn quoted_fields_bom_duplicates_and_bad_rows() {
        let csv = "\u{feff}First Name,Last Name,E-mail,Company,Title,Tags,Shoe Size\n\
                   Ada,Lovelace,ada@example.com,\"Analytical Engines, Ltd\",CTO,vip;math,42\n\
                   Bad,Row,not-an-email,X,Y,,\n\
                   Alan,Turing,alan@example.com,Bletchley,\"Head of \"\"Research\"\"\nand Codes\",,\n\
                   ,,,,,,\n\
                   ,,nobody@example.com,,,,\n\
                   ,,ADA@example.com,Analytical Engines,Countess,,\n";
        let p = parse(csv).unwrap();
        assert_eq!(p.ignored_columns, ["Shoe Size"]);
        assert_eq!(p.rows.len(), 2);
        let ada = &p.rows[0];
        assert_eq!((ada.row, ada.key.as_str()), (1, "ada@example.com"));
        assert_eq!(
            ada.values.get("last_name"),
            Some("Lovelace"),
            "empty cells of a later row change nothing"
        );
        assert_eq!(ada.values.get("job_title"), Some("Countess"), "the later row of the same e-mail wins");
        assert_eq!(ada.values.tags.as_deref(), Some(&["vip".to_owned(), "math".to_owned()][..]));
        assert_eq!(p.rows[1].values.get("job_title"), Some("Head of \"Research\"\nand Codes"));
        let errors: Vec<(usize, &str)> = p.errors.iter().map(|e| (e.row, e.message.as_str())).collect();
        assert_eq!(errors.len(), 2);
        assert_eq!(errors[0].0, 2);
        assert!(errors[0].1.contains("invalid email"));
        assert_eq!(errors[1].0, 5);
        assert!(errors[1].1.contains("name or a company"));
    }

    #[test]
    fn whole_file_problems_are_errors() {
        assert!(parse("").is_err());
        assert!(parse("name,company\nx,y\n").is_err());
        let many = format!("email,company\n{}", "a@example.com,x\n".repeat(MAX_ROWS + 1));
        assert!(parse(&many).is_err());
        let just_enough = format!("email,company\n{}", "a@example.com,x\n".repeat(MAX_ROWS));
        assert_eq!(parse(&just_enough).unwrap().rows.len(), 1);
    }

    #[test]
    fn long_values_bad_revenue_and_bad_json_are_row_errors() {
        let long = "x".repeat(101);
        let csv = format!(
            "email,first name,revenue,enrichment\n\
             a@example.com,{long},,\n\
             b@example.com,B,lots,\n\
             c@example.com,C,,{{not json\n\
             d@example.com,D,$4.1M,\"{{\"\"company\"\": {{\"\"name\"\": \"\"Acme\"\"}}}}\"\n"
        );
        let p = parse(&csv).unwrap();
        let rows: Vec<usize> = p.errors.iter().map(|e| e.row).collect();
        assert_eq!(rows, [1, 2, 3]);
        assert!(p.errors[0].message.contains("first_name"));
        assert_eq!(p.rows[0].values.annual_revenue, Some(4_100_000));
        assert!(p.rows[0].values.enrichment_data.is_some());
    }
}
