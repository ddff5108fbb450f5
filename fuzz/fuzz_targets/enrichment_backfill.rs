//! Fuzzes the enrichment backfill (`latticeiq::domain::enrichment`):
//! `derive`, `backfill`, `derive_column` and the number parsers.
//!
//! Every input is used twice:
//! 1. as JSON (`serde_json::from_slice`): the document itself as
//!    `enrichment_data` (and as `kernel_analysis`), and, when it has the shape
//!    of an enrichment vector (`enrichment_data`, `kernel_analysis`,
//!    `existing`), that case; every value in it also goes through the three
//!    number parsers;
//! 2. as structured input (`arbitrary`): JSON leaves (strings, numbers,
//!    number-like texts such as `" $1,250.5K "`, `"50-200 employees"`,
//!    `"-12.5 %"`) placed at the known source paths (`company.revenue`,
//!    `company_size`, `growth_yoy`, `quick_enrich.*`, the kernel's `who`/
//!    `when`/`what`…), existing columns, and number texts generated with
//!    their exact expected value, which the parsers must return (revenue is
//!    computed in 128-bit integers, growth by Rust's correctly rounded float
//!    parsing of the same decimal in exponent form).
//!
//! Invariants: derived employees are ≥ 0 and growth finite; text columns are
//! never blank; `derive_column` agrees with `derive` column by column; the
//! quality score is within 0..=100; `backfill` takes each derived value and
//! otherwise keeps the existing one (so it never empties a column), is
//! idempotent, never lowers the score, and equals `derive` with nothing
//! existing; the parsers ignore surrounding whitespace.
#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use latticeiq::domain::enrichment::{
    DERIVED_COLUMNS, Derived, backfill, derive, derive_column, parse_employees, parse_growth,
    parse_revenue,
};
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value, json};

/// Every source path of SPEC §6.2's table (enrichment_data), plus a few
/// neighbours that are not sources.
const DATA_PATHS: &[&[&str]] = &[
    &["company", "name"],
    &["company", "industry"],
    &["company", "revenue"],
    &["company", "employees"],
    &["company", "growth_yoy"],
    &["synthesized", "company_data", "name"],
    &["synthesized", "company_data", "industry"],
    &["synthesized", "company_data", "revenue"],
    &["synthesized", "company_data", "employees"],
    &["synthesized", "profile_summary"],
    &["synthesized", "opening_line"],
    &["synthesized", "hook_angle"],
    &["company_name"],
    &["industry"],
    &["vertical"],
    &["revenue"],
    &["employees"],
    &["company_size"],
    &["growth_yoy"],
    &["inferred_title"],
    &["job_title"],
    &["summary"],
    &["persona_type"],
    &["opening_line"],
    &["person", "title"],
    &["person", "background"],
    &["quick_enrich", "industry"],
    &["quick_enrich", "vertical"],
    &["quick_enrich", "company_size"],
    &["quick_enrich", "inferred_title"],
    &["quick_enrich", "summary"],
    &["quick_enrich", "persona_type"],
    &["quick_enrich", "opening_line"],
    &["company"],
    &["quick_enrich"],
    &["synthesized"],
    &["annual_revenue"],
];

const KERNEL_PATHS: &[&[&str]] = &[
    &["who", "persona_type"],
    &["who", "persona"],
    &["who", "influence_level"],
    &["who", "influence"],
    &["when", "urgency_level"],
    &["when", "urgency"],
    &["when", "timing_signal"],
    &["what", "opening_hook"],
    &["what", "hook"],
    &["who"],
    &["what"],
];

const WORDS: &[&str] = &["", "employees", "people", "staff", "Mitarbeiter", "сотрудников", "员工"];

/// Digits of `n` with thousands commas: `1,250,000`.
fn with_commas(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn pad(n: u8) -> &'static str {
    ["", " ", "\t", "  \n", "\u{a0}", "\u{3000}"][usize::from(n) % 6]
}

/// A revenue text with its exact expected value.
#[derive(Arbitrary, Debug)]
struct RevenueText {
    pad: u8,
    currency: u8,
    space: bool,
    whole: u64,
    commas: bool,
    leading_zeros: u8,
    fraction: Option<(u8, u32)>,
    suffix: u8,
    space_before_suffix: bool,
}

impl RevenueText {
    fn text(&self) -> String {
        let currency = ["", "$", "€", "£"][usize::from(self.currency) % 4];
        let whole = if self.commas {
            with_commas(self.whole)
        } else {
            format!("{}{}", "0".repeat(usize::from(self.leading_zeros) % 3), self.whole)
        };
        let fraction = self.fraction_digits().map(|f| format!(".{f}")).unwrap_or_default();
        format!(
            "{p}{currency}{s}{whole}{fraction}{s2}{suffix}{p}",
            p = pad(self.pad),
            s = if self.space { " " } else { "" },
            s2 = if self.space_before_suffix { " " } else { "" },
            suffix = self.suffix_text(),
        )
    }

    fn fraction_digits(&self) -> Option<String> {
        self.fraction.map(|(zeros, digits)| format!("{}{digits}", "0".repeat(usize::from(zeros) % 6)))
    }

    fn suffix_text(&self) -> &'static str {
        ["", "k", "K", "m", "M", "b", "B"][usize::from(self.suffix) % 7]
    }

    /// whole.fraction × 10^shift, rounded half away from zero, in u128.
    fn expected(&self) -> Option<i64> {
        let shift = [0u32, 3, 3, 6, 6, 9, 9][usize::from(self.suffix) % 7];
        let scale = 10u128.pow(shift);
        let (q, round_up) = match self.fraction_digits() {
            None => (u128::from(self.whole) * scale, false),
            Some(f) => {
                let len = u32::try_from(f.len()).ok()?;
                let frac: u128 = f.parse().ok()?;
                let denominator = 10u128.pow(len);
                let scaled = frac * scale;
                (
                    u128::from(self.whole) * scale + scaled / denominator,
                    2 * (scaled % denominator) >= denominator,
                )
            }
        };
        i64::try_from(q + u128::from(round_up)).ok()
    }
}

/// An employee-count text with its exact expected value.
#[derive(Arbitrary, Debug)]
struct EmployeesText {
    pad: u8,
    a: u64,
    b: Option<u64>,
    en_dash: bool,
    spaces: u8,
    plus: bool,
    commas: bool,
    word: u8,
}

impl EmployeesText {
    fn text(&self) -> String {
        let num = |n: u64| if self.commas { with_commas(n) } else { n.to_string() };
        let sp = |bit: u8| if self.spaces & (1 << bit) != 0 { " " } else { "" };
        let mut s = format!("{}{}", pad(self.pad), num(self.a));
        if let Some(b) = self.b {
            s.push_str(&format!("{}{}{}{}", sp(0), if self.en_dash { '–' } else { '-' }, sp(1), num(b)));
        } else if self.plus {
            s.push_str(&format!("{}+", sp(0)));
        }
        let word = WORDS[usize::from(self.word) % WORDS.len()];
        if !word.is_empty() {
            s.push_str(&format!("{}{word}", if self.spaces & 4 != 0 { " " } else { "" }));
        }
        s.push_str(pad(self.pad));
        s
    }

    fn expected(&self) -> Option<i32> {
        let count = match self.b {
            Some(b) => (u128::from(self.a) + u128::from(b)) / 2,
            None => u128::from(self.a),
        };
        i32::try_from(count).ok()
    }
}

/// A growth text with its expected fraction.
#[derive(Arbitrary, Debug)]
struct GrowthText {
    pad: u8,
    sign: u8,
    whole: u64,
    leading_zeros: u8,
    fraction: Option<(u8, u32)>,
    percent: bool,
    space_before_percent: bool,
}

impl GrowthText {
    fn parts(&self) -> (&'static str, String, Option<String>) {
        let sign = ["", "-", "+"][usize::from(self.sign) % 3];
        let whole = format!("{}{}", "0".repeat(usize::from(self.leading_zeros) % 3), self.whole);
        let fraction =
            self.fraction.map(|(zeros, digits)| format!("{}{digits}", "0".repeat(usize::from(zeros) % 6)));
        (sign, whole, fraction)
    }

    fn text(&self) -> String {
        let (sign, whole, fraction) = self.parts();
        let fraction = fraction.map(|f| format!(".{f}")).unwrap_or_default();
        let percent = match (self.percent, self.space_before_percent) {
            (false, _) => "",
            (true, false) => "%",
            (true, true) => " %",
        };
        format!("{p}{sign}{whole}{fraction}{percent}{p}", p = pad(self.pad))
    }

    fn expected(&self) -> Option<f64> {
        let (sign, whole, fraction) = self.parts();
        let sign = if sign == "-" { "-" } else { "" };
        let fraction = fraction.unwrap_or_else(|| "0".into());
        let exponent = if self.percent { "e-2" } else { "" };
        format!("{sign}{whole}.{fraction}{exponent}").parse::<f64>().ok().filter(|f| f.is_finite())
    }
}

/// A JSON scalar.
#[derive(Arbitrary, Debug)]
enum Scalar {
    Null,
    Bool(bool),
    Int(i64),
    UInt(u64),
    Float(f64),
    Str(String),
    Revenue(RevenueText),
    Employees(EmployeesText),
    Growth(GrowthText),
}

impl Scalar {
    fn json(&self) -> Value {
        match self {
            Scalar::Null => Value::Null,
            Scalar::Bool(b) => json!(b),
            Scalar::Int(i) => json!(i),
            Scalar::UInt(u) => json!(u),
            Scalar::Float(f) => json!(f),
            Scalar::Str(s) => json!(s),
            Scalar::Revenue(r) => json!(r.text()),
            Scalar::Employees(e) => json!(e.text()),
            Scalar::Growth(g) => json!(g.text()),
        }
    }
}

/// A JSON value placed at a source path.
#[derive(Arbitrary, Debug)]
enum Leaf {
    Scalar(Scalar),
    Array(Vec<Scalar>),
    Object(Vec<(String, Scalar)>),
}

impl Leaf {
    fn json(&self) -> Value {
        match self {
            Leaf::Scalar(s) => s.json(),
            Leaf::Array(items) => Value::Array(items.iter().map(Scalar::json).collect()),
            Leaf::Object(entries) => {
                Value::Object(entries.iter().map(|(k, v)| (k.clone(), v.json())).collect())
            }
        }
    }
}

#[derive(Arbitrary, Debug)]
struct Existing {
    enrichment_company_name: Option<String>,
    enrichment_company_industry: Option<String>,
    enrichment_company_revenue: Option<i64>,
    enrichment_company_employees: Option<i32>,
    enrichment_company_growth_yoy: Option<f64>,
    enrichment_person_title: Option<String>,
    enrichment_person_background: Option<String>,
    kernel_who_persona: Option<String>,
    kernel_who_influence: Option<String>,
    kernel_when_urgency: Option<String>,
    kernel_when_timing_signal: Option<String>,
    kernel_what_hook: Option<String>,
}

impl Existing {
    fn derived(self) -> Derived {
        Derived {
            enrichment_company_name: self.enrichment_company_name,
            enrichment_company_industry: self.enrichment_company_industry,
            enrichment_company_revenue: self.enrichment_company_revenue,
            enrichment_company_employees: self.enrichment_company_employees,
            // A stored growth is a finite number (JSON has no NaN).
            enrichment_company_growth_yoy: self.enrichment_company_growth_yoy.filter(|f| f.is_finite()),
            enrichment_person_title: self.enrichment_person_title,
            enrichment_person_background: self.enrichment_person_background,
            kernel_who_persona: self.kernel_who_persona,
            kernel_who_influence: self.kernel_who_influence,
            kernel_when_urgency: self.kernel_when_urgency,
            kernel_when_timing_signal: self.kernel_when_timing_signal,
            kernel_what_hook: self.kernel_what_hook,
        }
    }
}

#[derive(Arbitrary, Debug)]
struct Input {
    data_leaves: Vec<(u8, Leaf)>,
    kernel_leaves: Option<Vec<(u8, Leaf)>>,
    existing: Option<Existing>,
    revenue: RevenueText,
    employees: EmployeesText,
    growth: GrowthText,
    extra: Vec<Scalar>,
}

/// Sets `path` in `root` to `value`, turning whatever is on the way into objects.
fn place(root: &mut Value, path: &[&str], value: Value) {
    let mut here = root;
    for (i, key) in path.iter().enumerate() {
        if !here.is_object() {
            *here = Value::Object(Map::new());
        }
        let Value::Object(map) = here else { unreachable!() };
        if i + 1 == path.len() {
            map.insert((*key).to_owned(), value);
            return;
        }
        here = map.entry(*key).or_insert(Value::Null);
    }
}

fn build(leaves: &[(u8, Leaf)], paths: &[&[&str]]) -> Value {
    let mut root = Value::Object(Map::new());
    for (index, leaf) in leaves {
        place(&mut root, paths[usize::from(*index) % paths.len()], leaf.json());
    }
    root
}

/// Each column of `d` as JSON, in [`DERIVED_COLUMNS`] order.
fn columns(d: &Derived) -> Vec<Value> {
    let v = serde_json::to_value(d).expect("Derived serializes");
    DERIVED_COLUMNS.iter().map(|c| v.get(*c).cloned().unwrap_or(Value::Null)).collect()
}

/// The invariants of columns; `derived` when they all come from JSON (an
/// existing column may hold anything its type allows).
fn check_derived(d: &Derived, derived: bool) {
    assert!((0..=100).contains(&d.quality_score()), "score {} of {d:?}", d.quality_score());
    if derived {
        assert!(d.enrichment_company_employees.is_none_or(|n| n >= 0), "{d:?}");
    }
    assert!(d.enrichment_company_growth_yoy.is_none_or(f64::is_finite), "{d:?}");
    // Through JSON text, as the fixtures' `existing` is read. serde_json's
    // default float parsing may be one ulp off, so growth compares loosely.
    let text = serde_json::to_string(d).expect("serializes");
    let mut back: Derived = serde_json::from_str(&text).expect("reads");
    if let (Some(a), Some(b)) = (back.enrichment_company_growth_yoy, d.enrichment_company_growth_yoy) {
        assert!((a - b).abs() <= b.abs() * 1e-15, "growth {b} came back as {a}");
        back.enrichment_company_growth_yoy = Some(b);
    }
    assert_eq!(&back, d, "Derived does not round-trip through JSON: {text}");
}

fn check(data: &Value, kernel: Option<&Value>, existing: &Derived) {
    let derived = derive(data, kernel);
    check_derived(&derived, true);
    for text in [
        &derived.enrichment_company_name,
        &derived.enrichment_company_industry,
        &derived.enrichment_person_title,
        &derived.enrichment_person_background,
        &derived.kernel_who_persona,
        &derived.kernel_who_influence,
        &derived.kernel_when_urgency,
        &derived.kernel_when_timing_signal,
        &derived.kernel_what_hook,
    ] {
        assert!(text.as_deref().is_none_or(|t| !t.trim().is_empty()), "blank text derived: {derived:?}");
    }
    let derived_columns = columns(&derived);
    for (column, value) in DERIVED_COLUMNS.iter().zip(&derived_columns) {
        let one = derive_column(column, data, kernel).unwrap_or(Value::Null);
        assert_eq!(&one, value, "derive_column({column}) disagrees with derive");
    }
    assert_eq!(derive_column("enrichment_data_quality_score", data, kernel), None);
    assert_eq!(derive_column("first_name", data, kernel), None);

    assert_eq!(backfill(&Derived::default(), data, kernel), derived);

    let filled = backfill(existing, data, kernel);
    check_derived(&filled, false);
    let existing_columns = columns(existing);
    for (((column, new), old), got) in
        DERIVED_COLUMNS.iter().zip(&derived_columns).zip(&existing_columns).zip(columns(&filled))
    {
        let want = if new.is_null() { old } else { new };
        assert_eq!(&got, want, "backfill of {column}: derived {new}, existing {old}");
        assert!(old.is_null() || !got.is_null(), "backfill emptied {column} (was {old})");
    }
    assert_eq!(backfill(&filled, data, kernel), filled, "backfill is not idempotent");
    assert!(filled.quality_score() >= existing.quality_score(), "backfill lowered the score");
    assert!(filled.quality_score() >= derived.quality_score());
}

/// The number parsers on one value: their invariants, and that surrounding
/// whitespace does not matter.
fn check_parsers(v: &Value) {
    let employees = parse_employees(v);
    assert!(employees.is_none_or(|n| n >= 0), "parse_employees({v}) = {employees:?}");
    let revenue = parse_revenue(v);
    let growth = parse_growth(v);
    assert!(growth.is_none_or(f64::is_finite), "parse_growth({v}) = {growth:?}");
    if let Value::String(s) = v {
        let padded = json!(format!(" \t{s}\n "));
        assert_eq!(parse_employees(&padded), employees, "employees of {v} depend on padding");
        assert_eq!(parse_revenue(&padded), revenue, "revenue of {v} depends on padding");
        assert_eq!(parse_growth(&padded).map(f64::to_bits), growth.map(f64::to_bits), "growth of {v}");
        if s.trim().is_empty() {
            assert_eq!((employees, revenue, growth), (None, None, None), "blank {v} parsed");
        }
        if let Ok(n) = s.trim().parse::<u32>()
            && !s.trim().starts_with('+')
        {
            assert_eq!(employees, i32::try_from(n).ok(), "plain count {v}");
            assert_eq!(revenue, Some(i64::from(n)), "plain revenue {v}");
        }
    }
}

fn walk(v: &Value, budget: &mut usize) {
    if *budget == 0 {
        return;
    }
    *budget -= 1;
    check_parsers(v);
    match v {
        Value::Array(items) => items.iter().for_each(|i| walk(i, budget)),
        Value::Object(map) => map.values().for_each(|i| walk(i, budget)),
        _ => {}
    }
}

fn run_json(doc: &Value) {
    let none = Derived::default();
    check(doc, None, &none);
    check(doc, Some(doc), &none);
    if let Some(data) = doc.get("enrichment_data") {
        let existing: Derived = doc
            .get("existing")
            .and_then(|e| serde_json::from_value(e.clone()).ok())
            .filter(|d: &Derived| d.enrichment_company_growth_yoy.is_none_or(f64::is_finite))
            .unwrap_or_default();
        check(data, doc.get("kernel_analysis"), &existing);
        check(data, doc.get("kernel_analysis"), &none);
    }
    walk(doc, &mut 512);
}

fn run_structured(input: Input) {
    let revenue = input.revenue.text();
    assert_eq!(parse_revenue(&json!(revenue)), input.revenue.expected(), "revenue of {revenue:?}");
    let employees = input.employees.text();
    assert_eq!(parse_employees(&json!(employees)), input.employees.expected(), "employees of {employees:?}");
    let growth = input.growth.text();
    assert_eq!(
        parse_growth(&json!(growth)).map(f64::to_bits),
        input.growth.expected().map(f64::to_bits),
        "growth of {growth:?}"
    );
    for v in input.extra.iter().map(Scalar::json).chain([json!(revenue), json!(employees), json!(growth)]) {
        check_parsers(&v);
        // JSON numbers: employees floor, revenue rounds, growth as given.
        if let Value::Number(n) = &v {
            let f = n.as_f64().expect("a JSON number is a float");
            assert_eq!(parse_growth(&v), Some(f));
            if let Some(i) = n.as_i64() {
                assert_eq!(parse_revenue(&v), Some(i));
                assert_eq!(parse_employees(&v), i32::try_from(i).ok().filter(|i| *i >= 0));
            }
        }
    }

    let data = build(&input.data_leaves, DATA_PATHS);
    let kernel = input.kernel_leaves.as_deref().map(|leaves| build(leaves, KERNEL_PATHS));
    let existing = input.existing.map(Existing::derived).unwrap_or_default();
    check(&data, kernel.as_ref(), &existing);
    walk(&data, &mut 256);
}

fuzz_target!(|bytes: &[u8]| {
    if let Ok(doc) = serde_json::from_slice::<Value>(bytes) {
        run_json(&doc);
    }
    if let Ok(input) = Input::arbitrary_take_rest(Unstructured::new(bytes)) {
        run_structured(input);
    }
});
