//! ICP matching (SPEC §6.3): validating an ideal client profile's `criteria`
//! and `scoring_weights` when it is saved, and scoring contacts against it.
//!
//! Scoring runs over every contact of a workspace (100 000+ per call), so an
//! [`Icp`] is first turned into a [`PreparedIcp`] that holds the words of its
//! industries and personas; each contact then costs two word splits and a
//! few comparisons, and none for an industry or persona the prepared ICP
//! has already compared (it remembers its answers by value). The Postgres function `calculate_icp_match` implements
//! the same rule and a test compares the two, so any change here must be
//! made there too.

use std::fmt;

use serde_json::{Map, Value, json};

use super::words::words;

/// The words that make two personas match even when their phrases differ
/// ("VP of Sales" and "Senior VP" share `vp`, which is too short for the
/// shared-word rule).
pub const ROLE_KEYWORDS: &[&str] = &[
    "executive",
    "manager",
    "director",
    "vp",
    "president",
    "ceo",
    "cfo",
    "cto",
    "coo",
    "founder",
    "owner",
    "decision",
];

/// The most entries an industries or personas list may have.
const MAX_LIST_ITEMS: usize = 50;
/// The longest industry or persona, in characters.
const MAX_ITEM_CHARS: usize = 100;

/// What an ICP looks for; lists and bounds left empty are not scored.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Criteria {
    /// Industries, matched against the contact's industry.
    pub industries: Vec<String>,
    /// Personas, matched against the contact's persona.
    pub personas: Vec<String>,
    /// Fewest employees, inclusive.
    pub min_company_size: Option<i64>,
    /// Most employees, inclusive; `None` is unbounded.
    pub max_company_size: Option<i64>,
}

/// How much each criterion is worth; the three add up to 100.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Weights {
    /// Weight of the industry criterion.
    pub industry: u32,
    /// Weight of the persona criterion.
    pub persona: u32,
    /// Weight of the company-size criterion.
    pub company_size: u32,
}

impl Default for Weights {
    /// The weights of an ICP saved without `scoring_weights` (SPEC §6.3).
    fn default() -> Self {
        Self { industry: 30, persona: 40, company_size: 30 }
    }
}

impl Weights {
    /// The stored `scoring_weights` form of these weights.
    pub fn to_json(&self) -> Value {
        json!({
            "industry_weight": self.industry,
            "persona_weight": self.persona,
            "company_size_weight": self.company_size,
        })
    }
}

/// A validated ideal client profile: its criteria and weights.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Icp {
    /// What the profile looks for.
    pub criteria: Criteria,
    /// What each criterion is worth.
    pub weights: Weights,
}

impl Icp {
    /// Pre-computes what scoring needs, once for all the contacts to score.
    pub fn prepare(&self) -> PreparedIcp {
        PreparedIcp::new(self)
    }
}

/// One problem found when validating an ICP: which input field ("criteria" or "scoringWeights") and a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IcpProblem {
    /// The GraphQL input field at fault: `criteria` or `scoringWeights`.
    pub field: &'static str,
    /// What is wrong, naming the key.
    pub message: String,
}

impl fmt::Display for IcpProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// The input field name of the criteria, as the API reports it.
const CRITERIA: &str = "criteria";
/// The input field name of the weights, as the API reports it.
const WEIGHTS: &str = "scoringWeights";

fn criteria_problem(message: String) -> IcpProblem {
    IcpProblem { field: CRITERIA, message }
}

fn weights_problem(message: String) -> IcpProblem {
    IcpProblem { field: WEIGHTS, message }
}

/// Validates a `criteria` object: only the four known keys; `industries` and
/// `personas` arrays of non-blank strings (at most 50, each at most 100
/// characters) or null; size bounds an integer ≥ 0, `"N"` or `"N+"`
/// (thousands commas allowed) or null, with min ≤ max. Reports every problem.
pub fn parse_criteria(v: &Value) -> Result<Criteria, Vec<IcpProblem>> {
    let Some(object) = v.as_object() else {
        return Err(vec![criteria_problem(format!(
            "must be an object with industries, personas, min_company_size and max_company_size, not {}",
            json_kind(v)
        ))]);
    };
    let mut problems = Vec::new();
    for key in object.keys() {
        if !matches!(key.as_str(), "industries" | "personas" | "min_company_size" | "max_company_size") {
            problems.push(criteria_problem(format!(
                "unknown key {key}: expected industries, personas, min_company_size or max_company_size"
            )));
        }
    }
    let industries = parse_phrase_list(object, "industries", &mut problems);
    let personas = parse_phrase_list(object, "personas", &mut problems);
    let min_company_size = parse_size_bound(object, "min_company_size", &mut problems);
    let max_company_size = parse_size_bound(object, "max_company_size", &mut problems);
    if let (Some(min), Some(max)) = (min_company_size, max_company_size)
        && min > max
    {
        problems.push(criteria_problem(format!(
            "min_company_size ({min}) is greater than max_company_size ({max})"
        )));
    }
    if problems.is_empty() {
        Ok(Criteria { industries, personas, min_company_size, max_company_size })
    } else {
        Err(problems)
    }
}

fn parse_phrase_list(object: &Map<String, Value>, key: &str, problems: &mut Vec<IcpProblem>) -> Vec<String> {
    let items = match object.get(key) {
        None | Some(Value::Null) => return Vec::new(),
        Some(Value::Array(items)) => items,
        Some(other) => {
            problems.push(criteria_problem(format!(
                "{key} must be an array of strings, not {}",
                json_kind(other)
            )));
            return Vec::new();
        }
    };
    if items.len() > MAX_LIST_ITEMS {
        problems.push(criteria_problem(format!(
            "{key} has {} entries; at most {MAX_LIST_ITEMS} are allowed",
            items.len()
        )));
    }
    let mut phrases = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let Some(text) = item.as_str() else {
            problems.push(criteria_problem(format!("{key}[{i}] must be a string, not {}", json_kind(item))));
            continue;
        };
        if text.trim().is_empty() {
            problems.push(criteria_problem(format!("{key}[{i}] is empty")));
        } else if text.chars().count() > MAX_ITEM_CHARS {
            problems.push(criteria_problem(format!("{key}[{i}] is longer than {MAX_ITEM_CHARS} characters")));
        } else if words(text).is_empty() {
            // Without a letter or digit it has no words, so it could never match.
            problems.push(criteria_problem(format!(
                "{key}[{i}] ({text:?}) has no letters or digits, so it can never match"
            )));
        } else {
            phrases.push(text.to_owned());
        }
    }
    phrases
}

fn parse_size_bound(object: &Map<String, Value>, key: &str, problems: &mut Vec<IcpProblem>) -> Option<i64> {
    let value = object.get(key)?;
    let parsed = match value {
        Value::Null => return None,
        Value::Number(n) => n.as_i64().filter(|n| *n >= 0),
        Value::String(text) => parse_size_text(text),
        _ => None,
    };
    if parsed.is_none() {
        problems.push(criteria_problem(format!(
            "{key} must be a whole number ≥ 0, \"N\" or \"N+\" (like 50, \"50+\" or \"1,000+\"), not {value}"
        )));
    }
    parsed
}

/// Parses `"N"` or `"N+"`, with `N` in plain digits or with thousands commas
/// in groups of three (`"1,000+"`); anything else is `None`.
fn parse_size_text(text: &str) -> Option<i64> {
    let text = text.trim();
    let number = text.strip_suffix('+').unwrap_or(text).trim_end();
    let mut groups = number.split(',');
    let first = groups.next()?;
    let first_ok = !first.is_empty() && first.bytes().all(|b| b.is_ascii_digit());
    let mut digits = String::from(first);
    let mut grouped = false;
    for group in groups {
        if group.len() != 3 || !group.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        grouped = true;
        digits.push_str(group);
    }
    // "1000,000" is not a thousands grouping: the leading group has 1–3 digits.
    if !first_ok || (grouped && first.len() > 3) {
        return None;
    }
    digits.parse().ok()
}

/// Validates `scoring_weights`: `None` or null gives 30/40/30; otherwise an
/// object with exactly `industry_weight`, `persona_weight` and
/// `company_size_weight`, non-negative integers adding up to 100.
pub fn parse_weights(v: Option<&Value>) -> Result<Weights, Vec<IcpProblem>> {
    let object = match v {
        None | Some(Value::Null) => return Ok(Weights::default()),
        Some(Value::Object(object)) => object,
        Some(other) => {
            return Err(vec![weights_problem(format!(
                "must be an object with industry_weight, persona_weight and company_size_weight, not {}",
                json_kind(other)
            ))]);
        }
    };
    let mut problems = Vec::new();
    for key in object.keys() {
        if !matches!(key.as_str(), "industry_weight" | "persona_weight" | "company_size_weight") {
            problems.push(weights_problem(format!(
                "unknown key {key}: expected industry_weight, persona_weight and company_size_weight"
            )));
        }
    }
    let mut weight = |key: &str| -> Option<u32> {
        match object.get(key) {
            None => {
                problems.push(weights_problem(format!("{key} is required")));
                None
            }
            Some(value) => {
                let parsed = value.as_u64().and_then(|n| u32::try_from(n).ok());
                if parsed.is_none() {
                    problems.push(weights_problem(format!("{key} must be a whole number ≥ 0, not {value}")));
                }
                parsed
            }
        }
    };
    let industry = weight("industry_weight");
    let persona = weight("persona_weight");
    let company_size = weight("company_size_weight");
    if let (Some(industry), Some(persona), Some(company_size)) = (industry, persona, company_size) {
        // u64: three u32 cannot overflow it, so a huge weight reads as a bad sum.
        let sum = u64::from(industry) + u64::from(persona) + u64::from(company_size);
        if sum != 100 {
            problems.push(weights_problem(format!("the weights add up to {sum}, not 100")));
        }
        if problems.is_empty() {
            return Ok(Weights { industry, persona, company_size });
        }
    }
    Err(problems)
}

/// Validates both parts of an ICP, reporting the problems of both.
pub fn parse_icp(criteria: &Value, weights: Option<&Value>) -> Result<Icp, Vec<IcpProblem>> {
    match (parse_criteria(criteria), parse_weights(weights)) {
        (Ok(criteria), Ok(weights)) => Ok(Icp { criteria, weights }),
        (criteria, weights) => {
            let mut problems = criteria.err().unwrap_or_default();
            problems.extend(weights.err().unwrap_or_default());
            Err(problems)
        }
    }
}

/// A JSON value's kind, for messages.
fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The contact values scoring needs (typed columns).
#[derive(Debug, Clone, Copy, Default)]
pub struct IcpContact<'a> {
    /// `enrichment_company_industry`, the industry tried first.
    pub enrichment_company_industry: Option<&'a str>,
    /// `vertical`, the industry when the enriched one is empty.
    pub vertical: Option<&'a str>,
    /// `kernel_who_persona`, the persona tried first.
    pub kernel_who_persona: Option<&'a str>,
    /// `persona_type`, the persona when the kernel one is empty.
    pub persona_type: Option<&'a str>,
    /// `enrichment_company_employees`.
    pub enrichment_company_employees: Option<i64>,
}

impl<'a> IcpContact<'a> {
    /// The industry scored: `enrichment_company_industry`, else `vertical`.
    pub fn industry(&self) -> Option<&'a str> {
        non_empty(self.enrichment_company_industry).or_else(|| non_empty(self.vertical))
    }

    /// The persona scored: `kernel_who_persona`, else `persona_type`.
    pub fn persona(&self) -> Option<&'a str> {
        non_empty(self.kernel_who_persona).or_else(|| non_empty(self.persona_type))
    }
}

/// An empty string is missing (SPEC §6.1), as SQL's `nullif(x, '')`.
fn non_empty(value: Option<&str>) -> Option<&str> {
    value.filter(|v| !v.is_empty())
}

/// How well a contact fits an ICP, by score band.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tier {
    /// Score ≥ 70.
    Hot,
    /// Score ≥ 40.
    Warm,
    /// Score < 40.
    Cold,
}

impl Tier {
    /// The lower-case name: `hot`, `warm` or `cold`.
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Hot => "hot",
            Tier::Warm => "warm",
            Tier::Cold => "cold",
        }
    }
}

impl fmt::Display for Tier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The tier of a score: hot ≥ 70, warm ≥ 40, else cold.
pub fn tier(score: i32) -> Tier {
    match score {
        70.. => Tier::Hot,
        40.. => Tier::Warm,
        _ => Tier::Cold,
    }
}

/// One of the three things an ICP can look for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Criterion {
    /// The contact's industry against the ICP's industries.
    Industry,
    /// The contact's persona against the ICP's personas.
    Persona,
    /// The contact's employee count against the ICP's size bounds.
    CompanySize,
}

impl Criterion {
    /// The snake-case name: `industry`, `persona` or `company_size`.
    pub fn name(self) -> &'static str {
        match self {
            Criterion::Industry => "industry",
            Criterion::Persona => "persona",
            Criterion::CompanySize => "company_size",
        }
    }
}

impl fmt::Display for Criterion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How one criterion that the ICP sets went for a contact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CriterionMatch {
    /// Which criterion.
    pub criterion: Criterion,
    /// Its weight in the ICP.
    pub weight: u32,
    /// Whether the contact met it.
    pub matched: bool,
    /// The contact value compared (employees as decimal text); `None` when missing.
    pub contact_value: Option<String>,
}

/// A contact's score against an ICP, with its tier and per-criterion breakdown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IcpMatch {
    /// 0–100.
    pub score: i32,
    /// The score's band.
    pub tier: Tier,
    /// The criteria the ICP sets, in the order industry, persona, company size.
    pub breakdown: Vec<CriterionMatch>,
}

/// One ICP phrase split into words once, with what matching asks of it.
#[derive(Debug, Clone)]
struct Phrase {
    words: Vec<String>,
    /// Bit `i` set when `ROLE_KEYWORDS[i]` is one of the words.
    roles: u16,
}

impl Phrase {
    fn new(text: &str) -> Self {
        let words = words(text);
        let roles = role_mask(&words);
        Self { words, roles }
    }
}

/// An [`Icp`] ready to score many contacts: its phrases already split into
/// words, and the answers for the contact values it has compared them with.
#[derive(Debug, Clone)]
pub struct PreparedIcp {
    icp: Icp,
    industries: Vec<Phrase>,
    personas: Vec<Phrase>,
    answers: Answers,
}

/// Whether an ICP's industries (and personas) match contact values it has
/// compared them with, by value. Contacts repeat a few industries and
/// personas (a page of 50 has ~20 and ~15 of them, a whole workspace a few
/// dozen), and splitting a value into words and comparing them was most of
/// scoring a contact. Bounded: values past [`MAX_ANSWERS`] of a kind, or
/// longer than [`MAX_ANSWER_LEN`], are compared afresh each time. A clone
/// starts empty.
#[derive(Default)]
struct Answers(std::sync::Mutex<[foldhash::HashMap<Box<str>, bool>; 2]>);

/// The most values of one kind (industries or personas) an ICP remembers.
const MAX_ANSWERS: usize = 1024;
/// The longest value (in bytes) an ICP remembers its answer for.
const MAX_ANSWER_LEN: usize = 128;

impl Clone for Answers {
    fn clone(&self) -> Self {
        Answers::default()
    }
}

impl fmt::Debug for Answers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Answers")
    }
}

impl Answers {
    /// The answer remembered for `value` of `kind` (0: industry, 1:
    /// persona), else `compare(value)`, remembered.
    fn get(&self, kind: usize, value: &str, compare: impl FnOnce(&str) -> bool) -> bool {
        let lock = || self.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(&answer) = lock()[kind].get(value) {
            return answer;
        }
        let answer = compare(value);
        if value.len() <= MAX_ANSWER_LEN {
            let mut maps = lock();
            if maps[kind].len() < MAX_ANSWERS {
                maps[kind].insert(value.into(), answer);
            }
        }
        answer
    }
}

impl PreparedIcp {
    /// Splits the ICP's industries and personas into words, once.
    pub fn new(icp: &Icp) -> Self {
        Self {
            icp: icp.clone(),
            industries: icp.criteria.industries.iter().map(|p| Phrase::new(p)).collect(),
            personas: icp.criteria.personas.iter().map(|p| Phrase::new(p)).collect(),
            answers: Answers::default(),
        }
    }

    /// The ICP this was prepared from.
    pub fn icp(&self) -> &Icp {
        &self.icp
    }

    fn sets_industry(&self) -> bool {
        !self.icp.criteria.industries.is_empty()
    }

    fn sets_persona(&self) -> bool {
        !self.icp.criteria.personas.is_empty()
    }

    fn sets_company_size(&self) -> bool {
        self.icp.criteria.min_company_size.is_some() || self.icp.criteria.max_company_size.is_some()
    }

    fn industry_matches(&self, industry: Option<&str>) -> bool {
        let Some(industry) = industry else {
            return false;
        };
        self.answers.get(0, industry, |industry| self.compare_industry(industry))
    }

    fn compare_industry(&self, industry: &str) -> bool {
        let contact = words(industry);
        !contact.is_empty() && self.industries.iter().any(|p| words_match(&contact, &p.words))
    }

    fn persona_matches(&self, persona: Option<&str>) -> bool {
        let Some(persona) = persona else { return false };
        self.answers.get(1, persona, |persona| self.compare_persona(persona))
    }

    fn compare_persona(&self, persona: &str) -> bool {
        let contact = words(persona);
        if contact.is_empty() {
            return false;
        }
        let roles = role_mask(&contact);
        self.personas.iter().any(|p| roles & p.roles != 0 || words_match(&contact, &p.words))
    }

    fn size_matches(&self, employees: Option<i64>) -> bool {
        let Some(employees) = employees else {
            return false;
        };
        let criteria = &self.icp.criteria;
        criteria.min_company_size.is_none_or(|min| employees >= min)
            && criteria.max_company_size.is_none_or(|max| employees <= max)
    }

    /// The score alone, without building a breakdown: for ranking and
    /// filtering many contacts.
    pub fn score_value(&self, contact: &IcpContact<'_>) -> i32 {
        self.score_of(self.met(contact))
    }

    /// Which criteria `contact` meets: the costly part of a score (words
    /// compared), which [`Self::score_of`] and [`score_met`] then weigh.
    pub fn met(&self, contact: &IcpContact<'_>) -> Met {
        Met {
            industry: self.sets_industry() && self.industry_matches(contact.industry()),
            persona: self.sets_persona() && self.persona_matches(contact.persona()),
            company_size: self.sets_company_size() && self.size_matches(contact.enrichment_company_employees),
        }
    }

    /// The score of a contact that meets `met`.
    pub fn score_of(&self, met: Met) -> i32 {
        let weights = self.icp.weights;
        let mut maximum = 0u64;
        let mut got = 0u64;
        let mut add = |weight: u32, matched: bool| {
            maximum += u64::from(weight);
            if matched {
                got += u64::from(weight);
            }
        };
        if self.sets_industry() {
            add(weights.industry, met.industry);
        }
        if self.sets_persona() {
            add(weights.persona, met.persona);
        }
        if self.sets_company_size() {
            add(weights.company_size, met.company_size);
        }
        percent(got, maximum)
    }
}

/// Which criteria of an ICP a contact meets (one the ICP does not set is
/// not met).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Met {
    industry: bool,
    persona: bool,
    company_size: bool,
}

/// floor(100 × got / maximum), 0 when nothing can be scored.
fn percent(got: u64, maximum: u64) -> i32 {
    if maximum == 0 {
        return 0;
    }
    // got ≤ maximum, so the quotient is at most 100.
    i32::try_from(100 * got / maximum).unwrap_or(100)
}

/// Scores a contact against a prepared ICP, with the breakdown the API shows.
pub fn score(icp: &PreparedIcp, contact: &IcpContact<'_>) -> IcpMatch {
    score_met(icp, contact, icp.met(contact))
}

/// [`score`] of a contact already known to meet `met` (`icp.met(contact)`).
pub fn score_met(icp: &PreparedIcp, contact: &IcpContact<'_>, met: Met) -> IcpMatch {
    let weights = icp.icp.weights;
    let mut breakdown = Vec::with_capacity(3);
    if icp.sets_industry() {
        let value = contact.industry();
        breakdown.push(CriterionMatch {
            criterion: Criterion::Industry,
            weight: weights.industry,
            matched: met.industry,
            contact_value: value.map(str::to_owned),
        });
    }
    if icp.sets_persona() {
        let value = contact.persona();
        breakdown.push(CriterionMatch {
            criterion: Criterion::Persona,
            weight: weights.persona,
            matched: met.persona,
            contact_value: value.map(str::to_owned),
        });
    }
    if icp.sets_company_size() {
        let value = contact.enrichment_company_employees;
        breakdown.push(CriterionMatch {
            criterion: Criterion::CompanySize,
            weight: weights.company_size,
            matched: met.company_size,
            contact_value: value.map(|n| n.to_string()),
        });
    }
    let maximum = breakdown.iter().map(|m| u64::from(m.weight)).sum();
    let got = breakdown.iter().filter(|m| m.matched).map(|m| u64::from(m.weight)).sum();
    let score = percent(got, maximum);
    IcpMatch { score, tier: tier(score), breakdown }
}

/// Whether a contact's value matches an ICP value (SPEC §6.3): as word
/// sequences they are equal, one is a contiguous run of whole words of the
/// other, or they share a word of at least 3 characters. A value without
/// words matches nothing.
pub fn phrase_matches(contact_value: &str, icp_value: &str) -> bool {
    words_match(&words(contact_value), &words(icp_value))
}

fn words_match(a: &[String], b: &[String]) -> bool {
    if a.is_empty() || b.is_empty() {
        return false;
    }
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    // Equality is the contiguous run whose length is the whole sequence.
    long.windows(short.len()).any(|run| run == short) || a.iter().any(|w| is_long_word(w) && b.contains(w))
}

/// At least 3 characters (not bytes: "été" is long enough, "é" is not).
fn is_long_word(word: &str) -> bool {
    word.chars().nth(2).is_some()
}

fn role_mask(words: &[String]) -> u16 {
    ROLE_KEYWORDS
        .iter()
        .enumerate()
        .filter(|(_, keyword)| words.iter().any(|w| w == *keyword))
        .fold(0, |mask, (i, _)| mask | (1 << i))
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/fixtures");

    fn fixture() -> Value {
        let path = format!("{FIXTURES}/icp_scoring.json");
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        serde_json::from_str(&text).unwrap()
    }

    fn contact_from(v: &Value) -> IcpContact<'_> {
        let text = |key: &str| v.get(key).and_then(Value::as_str);
        IcpContact {
            enrichment_company_industry: text("enrichment_company_industry"),
            vertical: text("vertical"),
            kernel_who_persona: text("kernel_who_persona"),
            persona_type: text("persona_type"),
            enrichment_company_employees: v.get("enrichment_company_employees").and_then(Value::as_i64),
        }
    }

    fn default_icp() -> Icp {
        parse_icp(
            &json!({
                "industries": ["Technology & Software", "Finance", "SaaS"],
                "personas": ["Decision-maker", "Executive", "VP"],
                "min_company_size": "50+"
            }),
            None,
        )
        .unwrap()
    }

    #[test]
    fn every_scoring_vector_of_the_fixture_gives_its_score_tier_and_matches() {
        let fixture = fixture();
        let icps = fixture["icps"].as_object().unwrap();
        let cases = fixture["cases"].as_array().unwrap();
        assert!(!cases.is_empty());
        for (i, case) in cases.iter().enumerate() {
            let definition = &icps[case["icp"].as_str().unwrap()];
            let icp = parse_icp(&definition["criteria"], definition.get("scoring_weights"))
                .unwrap_or_else(|p| panic!("case {i}: ICP rejected: {p:?}"));
            let prepared = icp.prepare();
            let contact = contact_from(&case["contact"]);
            let result = score(&prepared, &contact);
            assert_eq!(i64::from(result.score), case["score"].as_i64().unwrap(), "case {i} score");
            assert_eq!(prepared.score_value(&contact), result.score, "case {i} score_value");
            assert_eq!(result.tier.to_string(), case["tier"].as_str().unwrap(), "case {i} tier");
            let expected = case["matched"].as_object().unwrap();
            let names: Vec<&str> = result.breakdown.iter().map(|m| m.criterion.name()).collect();
            let mut sorted_names = names.clone();
            sorted_names.sort_unstable();
            let mut expected_names: Vec<&str> = expected.keys().map(String::as_str).collect();
            expected_names.sort_unstable();
            assert_eq!(sorted_names, expected_names, "case {i} criteria in the breakdown");
            for m in &result.breakdown {
                assert_eq!(
                    Some(m.matched),
                    expected[m.criterion.name()].as_bool(),
                    "case {i} {}",
                    m.criterion
                );
            }
        }
    }

    #[test]
    fn the_breakdown_lists_set_criteria_in_order_with_the_contact_values_used() {
        let prepared = default_icp().prepare();
        let contact = IcpContact {
            enrichment_company_industry: Some(""),
            vertical: Some("SaaS"),
            kernel_who_persona: None,
            persona_type: Some("Founder"),
            enrichment_company_employees: Some(1200),
        };
        let result = score(&prepared, &contact);
        assert_eq!(
            result.breakdown,
            vec![
                CriterionMatch {
                    criterion: Criterion::Industry,
                    weight: 30,
                    matched: true,
                    contact_value: Some("SaaS".into()),
                },
                CriterionMatch {
                    criterion: Criterion::Persona,
                    weight: 40,
                    matched: false,
                    contact_value: Some("Founder".into()),
                },
                CriterionMatch {
                    criterion: Criterion::CompanySize,
                    weight: 30,
                    matched: true,
                    contact_value: Some("1200".into()),
                },
            ]
        );
        assert_eq!((result.score, result.tier), (60, Tier::Warm));
    }

    #[test]
    fn missing_contact_values_do_not_match_and_are_reported_as_none() {
        let result = score(&default_icp().prepare(), &IcpContact::default());
        assert_eq!(result.score, 0);
        assert!(result.breakdown.iter().all(|m| !m.matched && m.contact_value.is_none()));
        assert_eq!(result.breakdown.len(), 3);
    }

    #[test]
    fn the_score_is_floored_and_relative_to_the_weights_the_icp_sets() {
        let icp = parse_icp(
            &json!({"industries": ["Finance"], "personas": ["Owner"]}),
            Some(&json!({"industry_weight": 33, "persona_weight": 34, "company_size_weight": 33})),
        )
        .unwrap();
        let contact = IcpContact { enrichment_company_industry: Some("Finance"), ..Default::default() };
        // 100 × 33 / 67 = 49.25…
        assert_eq!(score(&icp.prepare(), &contact).score, 49);
    }

    #[test]
    fn an_icp_whose_set_criteria_weigh_nothing_scores_zero() {
        let icp = parse_icp(
            &json!({"industries": ["Finance"]}),
            Some(&json!({"industry_weight": 0, "persona_weight": 50, "company_size_weight": 50})),
        )
        .unwrap();
        let contact = IcpContact { enrichment_company_industry: Some("Finance"), ..Default::default() };
        let result = score(&icp.prepare(), &contact);
        assert_eq!(result.score, 0);
        assert!(result.breakdown[0].matched);
    }

    #[test]
    fn size_bounds_are_inclusive_and_max_alone_is_a_criterion() {
        let icp = parse_icp(&json!({"max_company_size": "1,000"}), None).unwrap().prepare();
        let with = |n| IcpContact { enrichment_company_employees: Some(n), ..Default::default() };
        assert_eq!(icp.score_value(&with(1000)), 100);
        assert_eq!(icp.score_value(&with(0)), 100);
        assert_eq!(icp.score_value(&with(1001)), 0);
        assert_eq!(icp.score_value(&IcpContact::default()), 0);
    }

    #[test]
    fn tiers_start_at_70_and_40() {
        assert_eq!(tier(100), Tier::Hot);
        assert_eq!(tier(70), Tier::Hot);
        assert_eq!(tier(69), Tier::Warm);
        assert_eq!(tier(40), Tier::Warm);
        assert_eq!(tier(39), Tier::Cold);
        assert_eq!(tier(0), Tier::Cold);
    }

    #[test]
    fn phrases_match_by_whole_words_runs_or_a_long_shared_word() {
        assert!(phrase_matches("Finance", "finance"));
        assert!(phrase_matches("VP of Sales", "VP"));
        assert!(phrase_matches("VP", "VP of Sales"));
        assert!(phrase_matches("Software Development", "Technology & Software"));
        assert!(phrase_matches("Chief Executive Officer", "Executive"));
        assert!(phrase_matches("owner_operator", "Owner"));
        assert!(phrase_matches("real estate investment", "Real Estate"));
        assert!(!phrase_matches("Financial Services", "Finance"));
        assert!(!phrase_matches("MVP Engineer", "VP"));
        assert!(!phrase_matches("AI Labs", "AI Research"), "\"ai\" is too short to share");
        assert!(!phrase_matches("", "Finance"));
        assert!(!phrase_matches("&", "&"), "no words, no match");
    }

    #[test]
    fn remembered_answers_are_the_comparisons_and_stay_bounded() {
        let icp =
            parse_icp(&json!({"industries": ["Owner Services", "Real Estate"], "personas": ["CTO"]}), None)
                .unwrap()
                .prepare();
        let long = format!("Real Estate {}", "x".repeat(MAX_ANSWER_LEN));
        let values = ["Owner", "Real Estate", "real estate investment", "Finance", "CTO", "", &long];
        // Each value as an industry and as a persona, twice (the second time
        // remembered), against a clone (which starts without answers).
        for _ in 0..2 {
            for industry in values {
                for persona in values {
                    let contact = IcpContact {
                        enrichment_company_industry: Some(industry),
                        kernel_who_persona: Some(persona),
                        ..Default::default()
                    };
                    let met = icp.met(&contact);
                    assert_eq!(met, icp.clone().met(&contact), "{industry:?} / {persona:?}");
                    assert_eq!(met.industry, icp.compare_industry(industry), "{industry:?}");
                    assert_eq!(met.persona, icp.compare_persona(persona), "{persona:?}");
                }
            }
        }
        // "Owner" is an industry of this ICP and not one of its personas.
        let owner = IcpContact {
            enrichment_company_industry: Some("Owner"),
            kernel_who_persona: Some("Owner"),
            ..Default::default()
        };
        assert_eq!((icp.met(&owner).industry, icp.met(&owner).persona), (true, false));
        let remembered = |kind: usize| icp.answers.0.lock().unwrap()[kind].len();
        assert_eq!(
            (remembered(0), remembered(1)),
            (values.len() - 2, values.len() - 2),
            "all but the long one and the empty one (no value)"
        );
        // Past the bound, values are compared each time, and not remembered.
        for i in 0..MAX_ANSWERS + 10 {
            let industry = if i % 2 == 0 { format!("Estate {i}") } else { format!("Bakery {i}") };
            let contact = IcpContact { enrichment_company_industry: Some(&industry), ..Default::default() };
            assert_eq!(icp.met(&contact).industry, i % 2 == 0, "{industry}");
            assert_eq!(icp.met(&contact).industry, i % 2 == 0, "{industry}, again");
        }
        assert_eq!(remembered(0), MAX_ANSWERS);
    }

    #[test]
    fn shared_words_are_measured_in_characters_not_bytes() {
        assert!(phrase_matches("été chaud", "été froid"));
        assert!(!phrase_matches("ée chaud", "ée froid"), "two characters, four bytes");
    }

    #[test]
    fn personas_also_match_on_a_shared_role_keyword() {
        let icp = parse_icp(&json!({"personas": ["Senior VP"]}), None).unwrap().prepare();
        let persona = |p| IcpContact { kernel_who_persona: Some(p), ..Default::default() };
        assert_eq!(icp.score_value(&persona("VP of Sales")), 100);
        assert_eq!(icp.score_value(&persona("Head of Sales")), 0);
        assert_eq!(icp.score_value(&persona("MVP")), 0);
        // The shared-word rule also applies, and industries have no role rule.
        let industries = parse_icp(&json!({"industries": ["Owner Services"]}), None).unwrap().prepare();
        let industry = IcpContact { enrichment_company_industry: Some("Owner"), ..Default::default() };
        assert_eq!(industries.score_value(&industry), 100);
        let cto = parse_icp(&json!({"personas": ["CTO"]}), None).unwrap().prepare();
        assert_eq!(cto.score_value(&persona("Acting CTO / co-founder")), 100);
        assert_eq!(cto.score_value(&persona("Director")), 0);
    }

    #[test]
    fn the_persona_falls_back_to_persona_type_only_when_the_kernel_one_is_empty() {
        let contact = IcpContact {
            kernel_who_persona: Some("Champion"),
            persona_type: Some("Owner"),
            ..Default::default()
        };
        assert_eq!(contact.persona(), Some("Champion"));
        let contact = IcpContact { kernel_who_persona: Some(""), ..contact };
        assert_eq!(contact.persona(), Some("Owner"));
    }

    #[test]
    fn criteria_accept_integers_and_n_or_n_plus_text_with_thousands_commas() {
        let c = parse_criteria(&json!({"min_company_size": "1,000+", "max_company_size": "25,000"})).unwrap();
        assert_eq!((c.min_company_size, c.max_company_size), (Some(1000), Some(25000)));
        let c = parse_criteria(&json!({"min_company_size": 0, "max_company_size": " 50 + "})).unwrap();
        assert_eq!((c.min_company_size, c.max_company_size), (Some(0), Some(50)));
        let c =
            parse_criteria(&json!({"industries": null, "personas": null, "min_company_size": null})).unwrap();
        assert_eq!(c, Criteria::default());
        assert_eq!(parse_criteria(&json!({})).unwrap(), Criteria::default());
    }

    #[test]
    fn criteria_reject_every_bad_bound_with_its_key() {
        for bad in [
            json!(-1),
            json!(1.5),
            json!("fifty"),
            json!("50-200"),
            json!("1,00"),
            json!("1000,000"),
            json!(""),
            json!("+"),
            json!(true),
            json!("99999999999999999999"),
        ] {
            let problems = parse_criteria(&json!({"min_company_size": bad})).unwrap_err();
            assert_eq!(problems.len(), 1, "{bad}");
            assert_eq!(problems[0].field, "criteria");
            assert!(problems[0].message.contains("min_company_size"), "{bad}: {}", problems[0].message);
        }
    }

    #[test]
    fn criteria_report_every_problem_at_once() {
        let problems = parse_criteria(&json!({
            "industries": ["Finance", "", 7],
            "personas": "Owner",
            "min_company_size": 500,
            "max_company_size": 100,
            "regions": ["EU"]
        }))
        .unwrap_err();
        let messages: Vec<&str> = problems.iter().map(|p| p.message.as_str()).collect();
        assert_eq!(messages.len(), 5, "{messages:?}");
        assert!(messages.iter().any(|m| m.contains("regions")));
        assert!(messages.iter().any(|m| m.contains("industries[1]")));
        assert!(messages.iter().any(|m| m.contains("industries[2]")));
        assert!(messages.iter().any(|m| m.contains("personas must be an array")));
        assert!(messages.iter().any(|m| m.contains("greater than max_company_size")));
    }

    #[test]
    fn criteria_limit_list_length_and_item_length() {
        let many: Vec<String> = (0..51).map(|i| format!("industry {i}")).collect();
        assert!(parse_criteria(&json!({"industries": many})).is_err());
        let fifty: Vec<String> = (0..50).map(|i| format!("industry {i}")).collect();
        assert!(parse_criteria(&json!({"industries": fifty})).is_ok());
        assert!(parse_criteria(&json!({"personas": ["é".repeat(100)]})).is_ok());
        assert!(parse_criteria(&json!({"personas": ["é".repeat(101)]})).is_err());
        assert!(parse_criteria(&json!({"personas": ["  "]})).is_err());
        assert!(parse_criteria(&json!({"personas": ["&"]})).is_err());
    }

    #[test]
    fn criteria_must_be_an_object() {
        for bad in [json!(null), json!([]), json!("x")] {
            assert_eq!(parse_criteria(&bad).unwrap_err()[0].field, "criteria");
        }
    }

    #[test]
    fn absent_or_null_weights_are_30_40_30() {
        let default = Weights { industry: 30, persona: 40, company_size: 30 };
        assert_eq!(parse_weights(None).unwrap(), default);
        assert_eq!(parse_weights(Some(&Value::Null)).unwrap(), default);
        assert_eq!(parse_weights(Some(&default.to_json())).unwrap(), default);
    }

    #[test]
    fn weights_need_all_three_keys_as_whole_numbers_adding_up_to_100() {
        let ok = json!({"industry_weight": 0, "persona_weight": 100, "company_size_weight": 0});
        assert_eq!(parse_weights(Some(&ok)).unwrap(), Weights { industry: 0, persona: 100, company_size: 0 });
        let cases = [
            (json!({"industry_weight": 30, "persona_weight": 40}), "company_size_weight is required"),
            (
                json!({"industry_weight": 30, "persona_weight": 40, "company_size_weight": 31}),
                "add up to 101",
            ),
            (
                json!({"industry_weight": -10, "persona_weight": 80, "company_size_weight": 30}),
                "industry_weight must be",
            ),
            (
                json!({"industry_weight": 30.5, "persona_weight": 39.5, "company_size_weight": 30}),
                "industry_weight must be",
            ),
            (
                json!({"industry_weight": "30", "persona_weight": 40, "company_size_weight": 30}),
                "industry_weight must be",
            ),
            (
                json!({"industry_weight": 30, "persona_weight": 40, "company_size_weight": 30, "extra": 0}),
                "unknown key extra",
            ),
            (
                json!({"industry_weight": 4294967295u64, "persona_weight": 4294967295u64, "company_size_weight": 2}),
                "add up to",
            ),
            (json!([30, 40, 30]), "must be an object"),
        ];
        for (weights, expected) in cases {
            let problems = parse_weights(Some(&weights)).unwrap_err();
            assert!(problems.iter().all(|p| p.field == "scoringWeights"));
            assert!(problems.iter().any(|p| p.message.contains(expected)), "{weights}: {problems:?}");
        }
    }

    #[test]
    fn parse_icp_reports_problems_of_both_fields() {
        let problems = parse_icp(&json!({"industries": 1}), Some(&json!({}))).unwrap_err();
        assert!(problems.iter().any(|p| p.field == "criteria"));
        assert_eq!(problems.iter().filter(|p| p.field == "scoringWeights").count(), 3);
    }

    #[test]
    fn score_value_agrees_with_score_over_many_contacts() {
        let prepared = default_icp().prepare();
        let industries = [None, Some(""), Some("Finance"), Some("Food & Beverage"), Some("software")];
        let personas = [None, Some("VP of Sales"), Some("Manager"), Some("owner")];
        let sizes = [None, Some(10), Some(50), Some(5000)];
        for industry in industries {
            for persona in personas {
                for employees in sizes {
                    let contact = IcpContact {
                        enrichment_company_industry: industry,
                        vertical: Some("SaaS"),
                        kernel_who_persona: persona,
                        persona_type: Some("Executive"),
                        enrichment_company_employees: employees,
                    };
                    assert_eq!(prepared.score_value(&contact), score(&prepared, &contact).score);
                }
            }
        }
    }
}
