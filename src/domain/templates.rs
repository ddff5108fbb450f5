//! Email and call templates (SPEC §6.6): parsing `{{ name | default: "…" }}`
//! placeholders, checking names on save, and rendering for a contact.
//!
//! Parsing is strict so that a template is rejected on save rather than
//! rendered wrongly later: every problem is reported, each at the 0-based
//! character offset of its opening `{{`. Rendering never fails: a missing
//! value renders its default or nothing, and the caller is told which.
//! Which names exist is not decided here: the caller passes closures built
//! on field access (§6.1), the product catalog and the sender variables.

use std::borrow::Cow;
use std::fmt;

use serde_json::Value;

/// A piece of a parsed template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// Text copied to the output as is.
    Literal(String),
    /// A `{{ name }}` or `{{ name | default: … }}` placeholder.
    Placeholder {
        /// The variable name, `[a-z][a-z0-9_]*`.
        name: String,
        /// The text rendered when the value is missing; `Some("")` is a default too.
        default: Option<String>,
        /// Character offset of the opening `{{` in the template text.
        offset: usize,
    },
}

/// A template that parsed: literal text and placeholders, in order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Template {
    /// The pieces, adjacent literals merged.
    pub segments: Vec<Segment>,
}

impl Template {
    /// The distinct placeholder names, in order of first appearance (what a
    /// template stores as its `variables`).
    pub fn variables(&self) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        for name in self.placeholder_names() {
            if !names.iter().any(|n| n == name) {
                names.push(name.to_owned());
            }
        }
        names
    }

    /// Every placeholder's name, in order (repeats included).
    pub fn placeholder_names(&self) -> impl Iterator<Item = &str> {
        self.segments.iter().filter_map(|s| match s {
            Segment::Placeholder { name, .. } => Some(name.as_str()),
            Segment::Literal(_) => None,
        })
    }
}

/// What is wrong with a placeholder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProblemKind {
    /// A `{{` with no `}}` after it, or with another `{{` before its `}}`.
    Unclosed,
    /// `{{ }}`: nothing but spaces inside.
    Empty,
    /// A `{{…}}` that is not a name with an optional default, like `{{ First Name }}`.
    Invalid,
    /// A well-formed placeholder whose name is not a known variable.
    UnknownVariable(String),
}

/// One problem of a template, at the character offset of its opening `{{`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateProblem {
    /// What is wrong.
    pub kind: ProblemKind,
    /// 0-based character (not byte) offset of the opening `{{`.
    pub offset: usize,
}

impl fmt::Display for TemplateProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ProblemKind::Unclosed => write!(f, "unclosed placeholder at offset {}", self.offset),
            ProblemKind::Empty => write!(f, "empty placeholder at offset {}", self.offset),
            ProblemKind::Invalid => write!(f, "invalid placeholder at offset {}", self.offset),
            ProblemKind::UnknownVariable(name) => {
                write!(f, "unknown variable {name} at offset {}", self.offset)
            }
        }
    }
}

/// Whether `c` may stand around a name and a default: "optional spaces" of
/// the grammar, read as any whitespace so that a placeholder split over lines
/// still works.
fn is_space(c: char) -> bool {
    c.is_whitespace()
}

/// How a `{{` at some position ended.
enum Scanned {
    /// A placeholder that fits the grammar; scanning goes on at `next`.
    Placeholder { name: String, default: Option<String>, next: usize },
    /// A problem; scanning goes on at `next`, or stops when `None`.
    Problem { kind: ProblemKind, next: Option<usize> },
}

/// The template as characters, with where the next `{{`, `}}` and `"` are
/// from every position, found in one backward pass. A `{{` then finds where
/// it ends without searching the rest of the text: searching made each
/// broken `{{` cost O(n), and a 20 000-character body of `{{` took 0.3 s to
/// reject. What a `{{` still reads character by character (its spaces and
/// name, `| default:`, a quoted default) no other `{{` reads for the same
/// part, so each character is read a bounded number of times: the scan is
/// linear.
struct Text {
    chars: Vec<char>,
    /// The first `{{` at or after each position (one more than there are
    /// characters); `chars.len()` when there is none.
    next_open: Vec<usize>,
    /// The same for `}}`.
    next_close: Vec<usize>,
    /// The same for `"`.
    next_quote: Vec<usize>,
}

impl Text {
    fn new(text: &str) -> Self {
        let chars: Vec<char> = text.chars().collect();
        let none = chars.len();
        let mut next_open = vec![none; none + 1];
        let mut next_close = vec![none; none + 1];
        let mut next_quote = vec![none; none + 1];
        for i in (0..chars.len()).rev() {
            next_open[i] = if at(&chars, i, '{') { i } else { next_open[i + 1] };
            next_close[i] = if at(&chars, i, '}') { i } else { next_close[i + 1] };
            next_quote[i] = if chars[i] == '"' { i } else { next_quote[i + 1] };
        }
        Self { chars, next_open, next_close, next_quote }
    }

    /// The first `{{` at or after `from`.
    fn next_open(&self, from: usize) -> Option<usize> {
        self.next_open.get(from).copied().filter(|&i| i < self.chars.len())
    }

    /// The first `}}` at or after `from`.
    fn next_close(&self, from: usize) -> Option<usize> {
        self.next_close.get(from).copied().filter(|&i| i < self.chars.len())
    }

    /// The first `"` at or after `from`.
    fn next_quote(&self, from: usize) -> Option<usize> {
        self.next_quote.get(from).copied().filter(|&i| i < self.chars.len())
    }

    fn skip_spaces(&self, mut i: usize) -> usize {
        while self.chars.get(i).is_some_and(|&c| is_space(c)) {
            i += 1;
        }
        i
    }
}

/// Whether `chars[i..]` starts with `pair` (`{{` or `}}`).
fn at(chars: &[char], i: usize, pair: char) -> bool {
    chars.get(i) == Some(&pair) && chars.get(i + 1) == Some(&pair)
}

/// Matches the grammar after the `{{` at `open`; `None` when it does not fit.
fn placeholder_at(text: &Text, open: usize) -> Option<(String, Option<String>, usize)> {
    let chars = &text.chars;
    let mut i = text.skip_spaces(open + 2);
    let start = i;
    if !chars.get(i).is_some_and(char::is_ascii_lowercase) {
        return None;
    }
    while chars.get(i).is_some_and(|&c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_') {
        i += 1;
    }
    let name: String = chars[start..i].iter().collect();
    i = text.skip_spaces(i);
    let mut default = None;
    if chars.get(i) == Some(&'|') {
        i = text.skip_spaces(i + 1);
        let keyword = "default:";
        if !keyword.chars().enumerate().all(|(k, c)| chars.get(i + k) == Some(&c)) {
            return None;
        }
        i = text.skip_spaces(i + keyword.len());
        if chars.get(i) == Some(&'"') {
            // Quoted: anything up to the next `"`, `|`, `{{` and `}}` included.
            // This may run past the next `{`, but each opening quote belongs
            // to one `{{`, so no two `{{` read the same quoted text.
            let close = text.next_quote(i + 1)?;
            default = Some(chars[i + 1..close].iter().collect());
            i = text.skip_spaces(close + 1);
        } else {
            // Bare: up to the next `}}`, trimmed; a `{{` on the way makes
            // the first one unclosed, as anywhere else.
            let close = text.next_close(i)?;
            if text.next_open(i).is_some_and(|k| k < close) {
                return None;
            }
            let bare: String = chars[i..close].iter().collect();
            default = Some(bare.trim_matches(is_space).to_owned());
            i = close;
        }
    }
    at(chars, i, '}').then_some((name, default, i + 2))
}

/// Reads the `{{` at `open`: a placeholder, or the problem with it.
fn scan_at(text: &Text, open: usize) -> Scanned {
    if let Some((name, default, next)) = placeholder_at(text, open) {
        return Scanned::Placeholder { name, default, next };
    }
    let close = text.next_close(open + 2);
    let reopen = text.next_open(open + 2);
    match (close, reopen) {
        (None, reopen) => Scanned::Problem { kind: ProblemKind::Unclosed, next: reopen },
        (Some(close), Some(reopen)) if reopen < close => {
            // The later `{{` may well be a good placeholder: read it next.
            Scanned::Problem { kind: ProblemKind::Unclosed, next: Some(reopen) }
        }
        (Some(close), _) => {
            // Read once: scanning goes on after the `}}`.
            let inside = &text.chars[open + 2..close];
            let kind =
                if inside.iter().all(|&c| is_space(c)) { ProblemKind::Empty } else { ProblemKind::Invalid };
            Scanned::Problem { kind, next: Some(close + 2) }
        }
    }
}

/// Splits `text` into segments, collecting every syntax problem on the way.
fn scan(text: &str) -> (Vec<Segment>, Vec<TemplateProblem>) {
    let text = Text::new(text);
    let chars = &text.chars;
    let mut segments = Vec::new();
    let mut problems = Vec::new();
    let mut literal = String::new();
    let mut i = 0;
    while i < chars.len() {
        if !at(chars, i, '{') {
            literal.push(chars[i]);
            i += 1;
            continue;
        }
        match scan_at(&text, i) {
            Scanned::Placeholder { name, default, next } => {
                if !literal.is_empty() {
                    segments.push(Segment::Literal(std::mem::take(&mut literal)));
                }
                segments.push(Segment::Placeholder { name, default, offset: i });
                i = next;
            }
            Scanned::Problem { kind, next } => {
                problems.push(TemplateProblem { kind, offset: i });
                match next {
                    Some(next) => i = next,
                    None => break,
                }
            }
        }
    }
    if !literal.is_empty() {
        segments.push(Segment::Literal(literal));
    }
    (segments, problems)
}

/// Parses a template, reporting every syntax problem in offset order.
pub fn parse(text: &str) -> Result<Template, Vec<TemplateProblem>> {
    let (segments, problems) = scan(text);
    if problems.is_empty() { Ok(Template { segments }) } else { Err(problems) }
}

/// Parse and check every name with `is_known`; all problems (syntax and unknown names) in offset order.
pub fn validate(text: &str, is_known: impl Fn(&str) -> bool) -> Result<Template, Vec<TemplateProblem>> {
    let (segments, mut problems) = scan(text);
    for segment in &segments {
        if let Segment::Placeholder { name, offset, .. } = segment
            && !is_known(name)
        {
            problems
                .push(TemplateProblem { kind: ProblemKind::UnknownVariable(name.clone()), offset: *offset });
        }
    }
    if problems.is_empty() {
        Ok(Template { segments })
    } else {
        problems.sort_by_key(|p| p.offset);
        Err(problems)
    }
}

/// One human line naming every problem with its offset, problems of one kind
/// grouped: `unknown variables: favourite_colour at offset 3, shoe_size at
/// offset 30; unclosed placeholder at offset 41`.
pub fn describe(problems: &[TemplateProblem]) -> String {
    // Groups in order of their first problem; problems keep their order within.
    let mut groups: Vec<Vec<&TemplateProblem>> = Vec::new();
    for problem in problems {
        let same = |g: &&mut Vec<&TemplateProblem>| {
            std::mem::discriminant(&g[0].kind) == std::mem::discriminant(&problem.kind)
        };
        match groups.iter_mut().find(same) {
            Some(group) => group.push(problem),
            None => groups.push(vec![problem]),
        }
    }
    let parts: Vec<String> = groups
        .iter()
        .map(|group| match group.as_slice() {
            [one] => one.to_string(),
            many => {
                let (label, items): (&str, Vec<String>) = match &many[0].kind {
                    ProblemKind::UnknownVariable(_) => (
                        "unknown variables: ",
                        many.iter()
                            .map(|p| match &p.kind {
                                ProblemKind::UnknownVariable(name) => {
                                    format!("{name} at offset {}", p.offset)
                                }
                                _ => format!("at offset {}", p.offset),
                            })
                            .collect(),
                    ),
                    kind => (
                        match kind {
                            ProblemKind::Unclosed => "unclosed placeholders at ",
                            ProblemKind::Empty => "empty placeholders at ",
                            _ => "invalid placeholders at ",
                        },
                        many.iter().map(|p| format!("offset {}", p.offset)).collect(),
                    ),
                };
                format!("{label}{}", items.join(", "))
            }
        })
        .collect();
    parts.join("; ")
}

/// A rendered template and what happened to its variables.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Rendered {
    /// The rendered subject; `None` when there was none (call scripts).
    pub subject: Option<String>,
    /// The rendered body.
    pub body: String,
    /// Every distinct name used, in order of first appearance, subject first.
    pub used_variables: Vec<String>,
    /// Names with no value and no default: they rendered as nothing.
    pub missing_variables: Vec<String>,
    /// Names with no value that rendered their default.
    pub defaulted_variables: Vec<String>,
    /// Whether nothing was missing.
    pub complete: bool,
}

/// Appends `name` unless it is already there: the lists hold distinct names
/// in order of first appearance. Templates have few names, so a scan is
/// cheaper than hashing.
fn push_distinct(names: &mut Vec<String>, name: &str) {
    if !names.iter().any(|n| n == name) {
        names.push(name.to_owned());
    }
}

/// Renders the subject (call scripts have none) and the body, one pass each:
/// inserted values are never scanned for placeholders. `lookup` gives a
/// name's value, `None` when it has none; what it returns is also checked
/// with [`is_missing`], so null, `""` and `[]` count as missing too. Each
/// name is looked up once per call.
pub fn render<'t>(
    subject: Option<&'t Template>,
    body: &'t Template,
    lookup: impl FnMut(&str) -> Option<Value>,
) -> Rendered {
    render_with(subject, body, lookup, true)
}

/// [`render`], and without `lists` the lists of used, missing and defaulted
/// names are left empty (`complete` is still set): for a caller that shows
/// only the texts, where making those lists would cost as much as the
/// rendering.
pub fn render_with<'t>(
    subject: Option<&'t Template>,
    body: &'t Template,
    mut lookup: impl FnMut(&str) -> Option<Value>,
    lists: bool,
) -> Rendered {
    let prepared = Prepared::new(subject, body);
    prepared.render(|at| lookup(prepared.names()[at]), lists)
}

/// A subject and body made ready to render for many contacts (a page renders
/// the same template for each of its contacts): the distinct names of their
/// placeholders, and for each placeholder the place of its name among them,
/// found once rather than for every contact.
#[derive(Debug, Clone)]
pub struct Prepared<'t> {
    subject: Option<&'t Template>,
    body: &'t Template,
    /// The distinct names, in order of first appearance, subject first.
    names: Vec<&'t str>,
    /// The place in `names` of each placeholder of the subject, then of the body.
    places: Vec<usize>,
    /// The capacity to render the subject and the body into: their literal
    /// text and 16 bytes per placeholder.
    capacities: [usize; 2],
}

impl<'t> Prepared<'t> {
    /// The subject (call scripts have none) and the body, prepared.
    pub fn new(subject: Option<&'t Template>, body: &'t Template) -> Self {
        let mut names: Vec<&'t str> = Vec::new();
        let places = subject
            .into_iter()
            .chain([body])
            .flat_map(Template::placeholder_names)
            .map(|name| match names.iter().position(|n| *n == name) {
                Some(at) => at,
                None => {
                    names.push(name);
                    names.len() - 1
                }
            })
            .collect();
        let capacity = |template: &Template| -> usize {
            template
                .segments
                .iter()
                .map(|s| match s {
                    Segment::Literal(text) => text.len(),
                    Segment::Placeholder { .. } => 16,
                })
                .sum()
        };
        let capacities = [subject.map_or(0, capacity), capacity(body)];
        Self { subject, body, names, places, capacities }
    }

    /// The distinct names of the placeholders, in order of first
    /// appearance, subject first: what [`Prepared::render`] looks up.
    pub fn names(&self) -> &[&'t str] {
        &self.names
    }

    /// [`render_with`], where `lookup` gives the value of the name at a
    /// place of [`Prepared::names`]. Each name is looked up once, in order.
    pub fn render(&self, mut lookup: impl FnMut(usize) -> Option<Value>, lists: bool) -> Rendered {
        self.render_texts(&self.texts(|at| value_text(lookup(at))), lists)
    }

    /// The text of each of [`Prepared::names`]' values, `lookup` called
    /// once per name, in order: `None` for a missing value ([`value_text`]).
    pub fn texts<'c>(
        &self,
        lookup: impl FnMut(usize) -> Option<ValueText<'c>>,
    ) -> Vec<Option<ValueText<'c>>> {
        (0..self.names.len()).map(lookup).collect()
    }

    /// The pieces of the subject (`None` for call scripts) and of the body,
    /// in order: what [`Prepared::render_texts`] puts together.
    pub fn pieces(&self) -> (Option<Vec<Piece<'t>>>, Vec<Piece<'t>>) {
        let mut places = self.places.iter().copied();
        let mut pieces = |template: &'t Template| -> Vec<Piece<'t>> {
            template
                .segments
                .iter()
                .map(|segment| match segment {
                    Segment::Literal(text) => Piece::Text(text),
                    Segment::Placeholder { default, .. } => {
                        Piece::Name(places.next().expect("a place for each placeholder"), default.as_deref())
                    }
                })
                .collect()
        };
        let subject = self.subject.map(&mut pieces);
        (subject, pieces(self.body))
    }

    /// Whether every placeholder has a text in `texts` ([`Prepared::texts`])
    /// or a default: [`Rendered::complete`].
    pub fn complete(&self, texts: &[Option<ValueText<'_>>]) -> bool {
        self.subject
            .into_iter()
            .chain([self.body])
            .flat_map(|template| &template.segments)
            .filter_map(|segment| match segment {
                Segment::Placeholder { default, .. } => Some(default.is_some()),
                Segment::Literal(_) => None,
            })
            .zip(&self.places)
            .all(|(has_default, &at)| has_default || texts[at].is_some())
    }

    /// The rendering with the names' `texts` ([`Prepared::texts`]).
    pub fn render_texts(&self, texts: &[Option<ValueText<'_>>], lists: bool) -> Rendered {
        let mut rendered = Rendered::default();
        let mut missing = false;
        let mut places = self.places.iter();
        let mut render_one = |template: &Template, capacity: usize, rendered: &mut Rendered| -> String {
            let mut out = String::with_capacity(capacity);
            for segment in &template.segments {
                match segment {
                    Segment::Literal(text) => out.push_str(text),
                    Segment::Placeholder { name, default, .. } => {
                        if lists {
                            push_distinct(&mut rendered.used_variables, name);
                        }
                        let at = *places.next().expect("a place for each placeholder");
                        match (&texts[at], default) {
                            (Some(value), _) => out.push_str(value.as_str()),
                            (None, Some(default)) => {
                                if lists {
                                    push_distinct(&mut rendered.defaulted_variables, name);
                                }
                                out.push_str(default);
                            }
                            (None, None) => {
                                missing = true;
                                if lists {
                                    push_distinct(&mut rendered.missing_variables, name);
                                }
                            }
                        }
                    }
                }
            }
            out
        };
        let [subject_capacity, body_capacity] = self.capacities;
        rendered.subject = self.subject.map(|s| render_one(s, subject_capacity, &mut rendered));
        rendered.body = render_one(self.body, body_capacity, &mut rendered);
        rendered.complete = !missing;
        rendered
    }
}

/// A piece of a prepared subject or body ([`Prepared::pieces`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Piece<'t> {
    /// Literal text.
    Text(&'t str),
    /// A placeholder: the place of its name in [`Prepared::names`], and its default.
    Name(usize, Option<&'t str>),
}

/// The template text of a name's value for one rendering: a text, or the
/// UTF-8 bytes of a text a source lends without checking them (a text cell
/// Postgres sent, `store::contacts::RowText`): a page writes those into its
/// response as they are, and they are checked only where a `&str` is read
/// ([`ValueText::as_str`]) — `from_utf8` of each value was ~2 % of a page
/// with a rendered e-mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValueText<'c> {
    /// A text.
    Text(Cow<'c, str>),
    /// UTF-8 bytes, not checked.
    Utf8(&'c [u8]),
}

impl ValueText<'_> {
    /// The text's UTF-8 bytes.
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            ValueText::Text(text) => text.as_bytes(),
            ValueText::Utf8(bytes) => bytes,
        }
    }

    /// The text; `"\u{FFFD}"` for bytes that are not UTF-8 (which a source
    /// lending them never gives).
    pub fn as_str(&self) -> &str {
        match self {
            ValueText::Text(text) => text,
            ValueText::Utf8(bytes) => super::fields::lent_text(bytes),
        }
    }

    /// The same text, owned.
    pub fn into_owned(self) -> ValueText<'static> {
        match self {
            ValueText::Text(text) => ValueText::Text(Cow::Owned(text.into_owned())),
            ValueText::Utf8(_) => ValueText::Text(Cow::Owned(self.as_str().to_owned())),
        }
    }
}

/// The template text of a value: `None` when it is missing ([`is_missing`]).
pub fn value_text<'c>(v: Option<Value>) -> Option<ValueText<'c>> {
    v.filter(|v| !is_missing(v)).map(|v| ValueText::Text(Cow::Owned(value_into_text(v))))
}

/// [`value_to_text`] of a value that is no longer needed (a string is kept,
/// not copied).
fn value_into_text(v: Value) -> String {
    match v {
        Value::String(s) => s,
        v => value_to_text(&v),
    }
}

/// A value as template text: strings as is, numbers in decimal (floats in
/// their shortest round-trip form), booleans `true`/`false`, arrays their
/// non-missing elements joined with ", ", objects compact JSON, null nothing.
pub fn value_to_text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => i.to_string(),
            (_, Some(u), _) => u.to_string(),
            // Rust's float Display is the shortest text that reads back the
            // same, without an exponent: 0.18 stays "0.18".
            (_, _, Some(f)) => f.to_string(),
            _ => n.to_string(),
        },
        Value::Array(items) => {
            items.iter().filter(|item| !is_missing(item)).map(value_to_text).collect::<Vec<_>>().join(", ")
        }
        Value::Object(_) => v.to_string(),
    }
}

/// Whether a value counts as missing (SPEC §6.1): null, `""` or `[]`.
/// `0` and `false` are values.
pub fn is_missing(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(items) => items.is_empty(),
        _ => false,
    }
}

/// The product key of a `product_<key>` name: `"product_ltv"` → `Some("ltv")`.
/// Any key is accepted on save; the catalog is consulted at render time.
pub fn is_product_variable(name: &str) -> Option<&str> {
    name.strip_prefix("product_").filter(|key| !key.is_empty())
}

/// The key of a `sender_<key>` name, supplied by the caller at render time:
/// `"sender_name"` → `Some("name")`.
pub fn is_sender_variable(name: &str) -> Option<&str> {
    name.strip_prefix("sender_").filter(|key| !key.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use regex::Regex;
    use serde_json::json;

    const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/fixtures");

    fn fixture() -> Value {
        let path = format!("{FIXTURES}/templates.json");
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        serde_json::from_str(&text).unwrap()
    }

    /// The few names of §6.1 the vectors use, resolved the way fields.rs
    /// does: a column, else an alias's columns in order, first non-missing.
    fn resolve(contact: &Value, products: &Value, variables: &Value, name: &str) -> Option<Value> {
        let column = |c: &str| contact.get(c).filter(|v| !is_missing(v)).cloned();
        if let Some(key) = is_sender_variable(name) {
            return variables.get(format!("sender_{key}")).cloned();
        }
        if contact.get(name).is_none()
            && let Some(key) = is_product_variable(name)
        {
            let product = contact.get("assigned_product")?.as_str()?;
            return products.get(product)?.get(key).cloned();
        }
        let sources: &[&str] = match name {
            "company_name" => &["enrichment_company_name", "company"],
            "persona" => &["kernel_who_persona", "persona_type"],
            "hook" => &["kernel_what_hook"],
            other => return column(other),
        };
        sources.iter().find_map(|c| column(c))
    }

    fn is_known(name: &str) -> bool {
        const NAMES: &[&str] = &[
            "first_name",
            "last_name",
            "full_name",
            "company",
            "company_name",
            "email",
            "job_title",
            "persona",
            "hook",
            "persona_type",
            "kernel_who_persona",
            "kernel_what_hook",
            "assigned_product",
            "enrichment_company_name",
            "enrichment_company_industry",
            "enrichment_company_employees",
            "enrichment_company_growth_yoy",
        ];
        NAMES.contains(&name) || is_product_variable(name).is_some() || is_sender_variable(name).is_some()
    }

    fn strings(v: &Value) -> Vec<String> {
        v.as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_owned()).collect()
    }

    fn render_body(text: &str, lookup: impl FnMut(&str) -> Option<Value>) -> Rendered {
        render(None, &parse(text).unwrap(), lookup)
    }

    #[test]
    fn every_rendering_vector_of_the_fixture_renders_as_expected() {
        let fixture = fixture();
        let cases = fixture["cases"].as_array().unwrap();
        let mut rendered_cases = 0;
        for (i, case) in cases.iter().filter(|c| c.get("error").is_none()).enumerate() {
            let text = case["template"].as_str().unwrap();
            let template =
                validate(text, is_known).unwrap_or_else(|p| panic!("case {i} {text:?}: {}", describe(&p)));
            let none = Value::Null;
            let (contact, products, variables) = (
                &case["contact"],
                case.get("products").unwrap_or(&none),
                case.get("variables").unwrap_or(&none),
            );
            let r = render(None, &template, |name| resolve(contact, products, variables, name));
            assert_eq!(r.body, case["rendered"].as_str().unwrap(), "case {i} {text:?}");
            assert_eq!(r.subject, None);
            assert_eq!(r.used_variables, strings(&case["used"]), "case {i} used");
            assert_eq!(r.missing_variables, strings(&case["missing"]), "case {i} missing");
            assert_eq!(r.defaulted_variables, strings(&case["defaulted"]), "case {i} defaulted");
            assert_eq!(r.complete, case["complete"].as_bool().unwrap(), "case {i} complete");
            assert_eq!(template.variables(), strings(&case["used"]), "case {i} variables");
            // the texts alone: the same texts and completeness, no lists
            let t = render_with(None, &template, |name| resolve(contact, products, variables, name), false);
            let texts =
                Rendered { subject: r.subject, body: r.body, complete: r.complete, ..Rendered::default() };
            assert_eq!(t, texts, "case {i} texts alone");
            rendered_cases += 1;
        }
        assert!(rendered_cases > 0);
    }

    #[test]
    fn every_error_vector_of_the_fixture_is_rejected_naming_each_offender_and_offset() {
        let fixture = fixture();
        let offset = Regex::new(r"offset (\d+)").unwrap();
        let named = Regex::new(r"([a-z][a-z0-9_]*) at offset \d+").unwrap();
        let mut error_cases = 0;
        for case in fixture["cases"].as_array().unwrap() {
            let Some(error) = case.get("error").and_then(Value::as_str) else {
                continue;
            };
            let text = case["template"].as_str().unwrap();
            let problems = validate(text, is_known).expect_err(text);
            let line = describe(&problems);
            for m in offset.captures_iter(error) {
                assert!(
                    line.contains(&format!("offset {}", &m[1])),
                    "{text:?}: {line:?} lacks offset {}",
                    &m[1]
                );
                let at: usize = m[1].parse().unwrap();
                assert!(problems.iter().any(|p| p.offset == at), "{text:?}: no problem at {at}");
            }
            for m in named.captures_iter(error).filter(|m| &m[1] != "placeholder") {
                assert!(line.contains(&m[1]), "{text:?}: {line:?} does not name {}", &m[1]);
            }
            for kind in ["unclosed", "empty", "unknown"] {
                if error.contains(kind) {
                    assert!(line.contains(kind), "{text:?}: {line:?} does not say {kind}");
                }
            }
            error_cases += 1;
        }
        assert!(error_cases > 0);
    }

    #[test]
    fn placeholders_allow_spaces_and_quoted_or_bare_defaults() {
        let template = parse("{{a}}{{ b }}{{c|default:x}}{{ d | default: \"a | b }} c\" }}{{ e | default:  two words  }}{{f|default:\"\"}}{{ g | default: }}").unwrap();
        let placeholders: Vec<(&str, Option<&str>, usize)> = template
            .segments
            .iter()
            .map(|s| match s {
                Segment::Placeholder { name, default, offset } => {
                    (name.as_str(), default.as_deref(), *offset)
                }
                Segment::Literal(t) => panic!("unexpected literal {t:?}"),
            })
            .collect();
        assert_eq!(
            placeholders,
            [
                ("a", None, 0),
                ("b", None, 5),
                ("c", Some("x"), 12),
                ("d", Some("a | b }} c"), 27),
                ("e", Some("two words"), 58),
                ("f", Some(""), 88),
                ("g", Some(""), 104),
            ]
        );
    }

    #[test]
    fn bare_defaults_may_hold_pipes_quotes_and_single_braces() {
        let t = parse("{{ x | default: a|b \"c\" {d} }}").unwrap();
        assert_eq!(
            t.segments,
            [Segment::Placeholder { name: "x".into(), default: Some("a|b \"c\" {d}".into()), offset: 0 }]
        );
    }

    #[test]
    fn literal_text_keeps_single_braces_and_stray_closers() {
        let t = parse("a { b } }} c {x}").unwrap();
        assert_eq!(t.segments, [Segment::Literal("a { b } }} c {x}".into())]);
        assert_eq!(parse("").unwrap(), Template::default());
    }

    #[test]
    fn offsets_count_characters_not_bytes() {
        let t = parse("Héllo “friend” {{ first_name }}").unwrap();
        assert!(matches!(t.segments[1], Segment::Placeholder { offset: 15, .. }));
        let problems = parse("é€{{ }}").unwrap_err();
        assert_eq!(problems, [TemplateProblem { kind: ProblemKind::Empty, offset: 2 }]);
    }

    #[test]
    fn broken_syntax_is_invalid_and_every_problem_is_reported() {
        let text = "{{ First Name }} {{ x | shout }} {{ }} {{ y | default \"z\" }} {{ ok }} {{ 9lives }}";
        let problems = parse(text).unwrap_err();
        let kinds: Vec<(ProblemKind, usize)> = problems.into_iter().map(|p| (p.kind, p.offset)).collect();
        assert_eq!(
            kinds,
            [
                (ProblemKind::Invalid, 0),
                (ProblemKind::Invalid, 17),
                (ProblemKind::Empty, 33),
                (ProblemKind::Invalid, 39),
                (ProblemKind::Invalid, 70),
            ]
        );
    }

    #[test]
    fn a_quoted_default_without_its_closing_quote_is_not_read_as_bare_text() {
        let problems = parse("{{ x | default: \"abc }} and more").unwrap_err();
        assert_eq!(problems, [TemplateProblem { kind: ProblemKind::Invalid, offset: 0 }]);
        let problems = parse("{{ x | default: \"a\" b }}").unwrap_err();
        assert_eq!(problems, [TemplateProblem { kind: ProblemKind::Invalid, offset: 0 }]);
    }

    #[test]
    fn an_opening_before_the_close_makes_the_first_unclosed_and_the_second_is_still_read() {
        let problems = validate("{{ a {{ nope }} {{ b", is_known).unwrap_err();
        assert_eq!(
            problems,
            [
                TemplateProblem { kind: ProblemKind::Unclosed, offset: 0 },
                TemplateProblem { kind: ProblemKind::UnknownVariable("nope".into()), offset: 5 },
                TemplateProblem { kind: ProblemKind::Unclosed, offset: 16 },
            ]
        );
        let problems = parse("{{ x | default: a {{ y }}").unwrap_err();
        assert_eq!(problems, [TemplateProblem { kind: ProblemKind::Unclosed, offset: 0 }]);
        assert_eq!(parse("{{").unwrap_err()[0].kind, ProblemKind::Unclosed);
        assert_eq!(
            parse("x {{ a }").unwrap_err(),
            [TemplateProblem { kind: ProblemKind::Unclosed, offset: 2 }]
        );
    }

    #[test]
    fn names_are_case_sensitive_lower_case() {
        assert!(parse("{{ First_name }}").is_err());
        assert!(parse("{{ _x }}").is_err());
        assert!(parse("{{ a1_b2 }}").is_ok());
    }

    #[test]
    fn validation_reports_each_unknown_occurrence_in_offset_order_with_syntax_problems() {
        let problems =
            validate("{{ shoe_size }} {{ }} {{ first_name }} {{ shoe_size }}", is_known).unwrap_err();
        assert_eq!(
            problems,
            [
                TemplateProblem { kind: ProblemKind::UnknownVariable("shoe_size".into()), offset: 0 },
                TemplateProblem { kind: ProblemKind::Empty, offset: 16 },
                TemplateProblem { kind: ProblemKind::UnknownVariable("shoe_size".into()), offset: 39 },
            ]
        );
        assert_eq!(
            describe(&problems),
            "unknown variables: shoe_size at offset 0, shoe_size at offset 39; empty placeholder at offset 16"
        );
    }

    #[test]
    fn describe_writes_one_line_per_template_grouping_kinds() {
        let p = |kind, offset| TemplateProblem { kind, offset };
        assert_eq!(describe(&[p(ProblemKind::Unclosed, 3)]), "unclosed placeholder at offset 3");
        assert_eq!(
            describe(&[
                p(ProblemKind::UnknownVariable("favourite_colour".into()), 3),
                p(ProblemKind::UnknownVariable("shoe_size".into()), 30),
            ]),
            "unknown variables: favourite_colour at offset 3, shoe_size at offset 30"
        );
        assert_eq!(
            describe(&[p(ProblemKind::Invalid, 0), p(ProblemKind::Unclosed, 9), p(ProblemKind::Invalid, 20)]),
            "invalid placeholders at offset 0, offset 20; unclosed placeholder at offset 9"
        );
        assert_eq!(describe(&[]), "");
    }

    #[test]
    fn rendering_fills_subject_then_body_and_lists_names_once() {
        let subject = parse("{{first_name}}, about {{ industry | default: \"your market\" }}").unwrap();
        let body = parse("Hi {{first_name}} at {{company}}{{ industry }} {{ company }}").unwrap();
        let mut calls = Vec::new();
        let r = render(Some(&subject), &body, |name| {
            calls.push(name.to_owned());
            match name {
                "first_name" => Some(json!("Ana")),
                "company" => Some(json!("")),
                _ => None,
            }
        });
        assert_eq!(r.subject.as_deref(), Some("Ana, about your market"));
        assert_eq!(r.body, "Hi Ana at  ");
        assert_eq!(r.used_variables, ["first_name", "industry", "company"]);
        assert_eq!(r.defaulted_variables, ["industry"]);
        assert_eq!(r.missing_variables, ["company", "industry"]);
        assert!(!r.complete);
        assert_eq!(calls, ["first_name", "industry", "company"], "each name looked up once");
    }

    #[test]
    fn lent_utf8_bytes_render_as_the_same_text() {
        // A page lends its text cells as bytes; a rendering reads them as
        // the text they are, and owning them keeps that text.
        let subject = parse("{{a}} / {{b}}").unwrap();
        let body = parse("{{b}}{{a}}").unwrap();
        let prepared = Prepared::new(Some(&subject), &body);
        let text = |s: &'static str| Some(ValueText::Text(Cow::Borrowed(s)));
        let lent = |s: &'static str| Some(ValueText::Utf8(s.as_bytes()));
        let as_texts = prepared.render_texts(&[text("Zoë \"Z\""), text("ü")], true);
        let as_bytes = prepared.render_texts(&[lent("Zoë \"Z\""), lent("ü")], true);
        assert_eq!(as_bytes, as_texts);
        assert_eq!(as_bytes.subject.as_deref(), Some("Zoë \"Z\" / ü"));
        let owned = ValueText::Utf8("Zoë".as_bytes()).into_owned();
        assert_eq!((owned.as_str(), owned.as_bytes()), ("Zoë", "Zoë".as_bytes()));
        // Bytes that are not UTF-8 (never lent) read as the replacement character.
        assert_eq!(ValueText::Utf8(&[0xff, b'a']).as_str(), "\u{FFFD}");
        assert_eq!(ValueText::Utf8(&[0xff]).into_owned().as_str(), "\u{FFFD}");
    }

    #[test]
    fn values_are_not_rescanned_and_no_markers_appear() {
        let r = render_body("{{ a }}|{{ b }}", |name| match name {
            "a" => Some(json!("{{ b }}")),
            _ => None,
        });
        assert_eq!(r.body, "{{ b }}|");
        assert!(!r.body.contains("[b]"));
        assert_eq!(r.missing_variables, ["b"]);
    }

    #[test]
    fn missing_values_are_null_empty_string_or_empty_array_but_not_zero_or_false() {
        for missing in [json!(null), json!(""), json!([])] {
            assert!(is_missing(&missing));
            let r = render_body("[{{ x | default: d }}]", |_| Some(missing.clone()));
            assert_eq!((r.body.as_str(), r.complete), ("[d]", true));
        }
        for present in [json!(0), json!(false), json!(" "), json!({})] {
            assert!(!is_missing(&present));
        }
        let r =
            render_body("{{ n }} {{ b }}", |name| Some(if name == "n" { json!(0) } else { json!(false) }));
        assert_eq!(r.body, "0 false");
    }

    #[test]
    fn values_render_as_text() {
        assert_eq!(value_to_text(&json!("x")), "x");
        assert_eq!(value_to_text(&json!(340)), "340");
        assert_eq!(value_to_text(&json!(-7)), "-7");
        assert_eq!(value_to_text(&json!(u64::MAX)), "18446744073709551615");
        assert_eq!(value_to_text(&json!(0.18)), "0.18");
        assert_eq!(value_to_text(&json!(0.1 + 0.2)), "0.30000000000000004");
        assert_eq!(value_to_text(&json!(12.0)), "12");
        assert_eq!(value_to_text(&json!(true)), "true");
        assert_eq!(value_to_text(&json!(["fintech", "b2b", 3])), "fintech, b2b, 3");
        assert_eq!(value_to_text(&json!(["a", null, "", "b"])), "a, b");
        assert_eq!(value_to_text(&json!({"a": 1, "b": [2]})), r#"{"a":1,"b":[2]}"#);
        assert_eq!(value_to_text(&json!(null)), "");
    }

    #[test]
    fn product_and_sender_names_give_their_keys() {
        assert_eq!(is_product_variable("product_ltv"), Some("ltv"));
        assert_eq!(is_product_variable("product_close_days"), Some("close_days"));
        assert_eq!(is_product_variable("product_"), None);
        assert_eq!(is_product_variable("products"), None);
        assert_eq!(is_sender_variable("sender_name"), Some("name"));
        assert_eq!(is_sender_variable("sender_"), None);
        assert_eq!(is_sender_variable("first_name"), None);
    }

    #[test]
    fn variables_are_distinct_in_order_of_first_appearance() {
        let t = parse("{{ b }} {{ a }} {{ b | default: x }}").unwrap();
        assert_eq!(t.variables(), ["b", "a"]);
    }

    /// Bodies of 20 000 characters (`MAX_BODY`) that the scanner once took
    /// 0.02–0.2 s to reject, searching the rest of the text at every `{{`.
    /// Each repeats a unit whose `{{` is unclosed, the last unit cut short;
    /// the problems are the ones that scanner reported: one per unit, all
    /// unclosed, at the unit's `{{`.
    #[test]
    fn bodies_of_many_broken_openings_report_the_same_problems_as_before() {
        let cases = [
            // (unit, offset of its `{{`, number of problems)
            ("{{", 0, 10_000),
            ("{{ ", 0, 6_667),
            ("{{ a ", 0, 4_000),
            ("{{x}} {{ y z", 6, 1_667),
            ("{{a|default:\"", 0, 1_539),
            ("{{a|default: x ", 0, 1_334),
        ];
        for (unit, first, count) in cases {
            let text: String = unit.chars().cycle().take(20_000).collect();
            let step = unit.chars().count();
            let expected: Vec<TemplateProblem> = (0..count)
                .map(|k| TemplateProblem { kind: ProblemKind::Unclosed, offset: first + k * step })
                .collect();
            assert_eq!(parse(&text).unwrap_err(), expected, "{unit:?}");
            assert_eq!(validate(&text, |_| true).unwrap_err(), expected, "{unit:?}");
        }
    }

    /// The scan reads the next `{{`, `}}` and `"` from tables instead of
    /// searching the text; this is all that makes it linear, so the tables
    /// must give what searching gives, from every position and past the end,
    /// on every text of those marks and one other character up to length 8.
    #[test]
    fn the_next_mark_tables_agree_with_searching_the_text() {
        let alphabet = ['{', '}', '"', 'a'];
        let search = |chars: &[char], from: usize, mark: &dyn Fn(usize) -> bool| {
            (from..chars.len()).find(|&i| mark(i))
        };
        let mut texts = 0;
        for len in 0..=8 {
            for mut n in 0..alphabet.len().pow(len) {
                let mut text = String::new();
                for _ in 0..len {
                    text.push(alphabet[n % alphabet.len()]);
                    n /= alphabet.len();
                }
                let t = Text::new(&text);
                let chars = &t.chars;
                for from in 0..=chars.len() + 2 {
                    let (open, close) = (|i| at(chars, i, '{'), |i| at(chars, i, '}'));
                    assert_eq!(t.next_open(from), search(chars, from, &open), "{text:?} from {from}");
                    assert_eq!(t.next_close(from), search(chars, from, &close), "{text:?} from {from}");
                    assert_eq!(
                        t.next_quote(from),
                        search(chars, from, &|i| chars[i] == '"'),
                        "{text:?} from {from}"
                    );
                }
                texts += 1;
            }
        }
        assert_eq!(texts, (0..=8).map(|len| 4_usize.pow(len)).sum::<usize>());
    }
}
