//! Fuzzes the template parser (`latticeiq::domain::templates`): `parse`,
//! `validate`, `describe` and `render` on arbitrary text.
//!
//! The input is read as UTF-8 (lossily, so every input is a template); its
//! first line is also parsed on its own and used as the subject. Besides
//! "never panics", every run checks:
//! - problems: each offset points at a `{{` of the text (so it is below the
//!   character count), offsets strictly increase, `describe` names every one;
//! - `validate` agrees with `parse` (all names known: same result; no name
//!   known: one `UnknownVariable` per placeholder, merged in offset order);
//! - a parsed template: literals are merged and hold no `{{`, names match
//!   `[a-z][a-z0-9_]*`, placeholder offsets point at `{{`, and printing it
//!   back in canonical form parses to the same segments;
//! - rendering against a fixed contact map outputs exactly the literals,
//!   values and defaults in order, lists each name once, is complete iff
//!   nothing is missing, and never outputs `{{` unless a value or default
//!   brought a `{`.
#![no_main]

use std::borrow::Cow;
use std::collections::BTreeSet;

use latticeiq::domain::templates::{
    ProblemKind, Segment, Template, TemplateProblem, describe, is_missing, parse, render, validate,
    value_to_text,
};
use libfuzzer_sys::fuzz_target;
use serde_json::{Value, json};

/// The contact every template is rendered for: present values of each JSON
/// type, the three "missing" values, and no `{` anywhere.
fn contact(name: &str) -> Option<Value> {
    Some(match name {
        "first_name" => json!("Ana"),
        "last_name" => json!("Müller-Łukasz “the great”"),
        "company" => json!("Acme | default: \"x\" }}"),
        "company_name" => json!("Acme"),
        "email" => json!(""),
        "tags" => json!([]),
        "notes" => json!(null),
        "score" => json!(0),
        "revenue" => json!(12_500_000),
        "growth" => json!(0.18),
        "big" => json!(u64::MAX),
        "negative" => json!(-7),
        "flag" => json!(false),
        "industries" => json!(["fintech", "", null, "b2b", 3]),
        "nested" => json!({"a": [1, 2], "b": "c"}),
        "product_ltv" => json!(42),
        "sender_name" => json!("Sam"),
        "a" => json!("x"),
        "b" => json!(" "),
        _ => return None,
    })
}

fn chars_at(chars: &[char], offset: usize) -> bool {
    chars.get(offset) == Some(&'{') && chars.get(offset + 1) == Some(&'{')
}

fn check_problems(text: &str, chars: &[char], problems: &[TemplateProblem], strictly_increasing: bool) {
    assert!(!problems.is_empty(), "an Err carries at least one problem: {text:?}");
    for p in problems {
        assert!(p.offset <= chars.len(), "offset {} past {} chars: {text:?}", p.offset, chars.len());
        assert!(chars_at(chars, p.offset), "problem {p:?} is not at a `{{{{`: {text:?}");
    }
    for w in problems.windows(2) {
        if strictly_increasing {
            assert!(w[0].offset < w[1].offset, "problems out of order {problems:?}: {text:?}");
        } else {
            assert!(w[0].offset <= w[1].offset, "problems out of order {problems:?}: {text:?}");
        }
    }
    let line = describe(problems);
    assert!(!line.is_empty());
    assert!(!line.contains('\n'), "describe is one line: {line:?}");
    // (Searching the line for every problem would make the harness quadratic.)
    for p in problems.iter().take(64) {
        assert!(line.contains(&format!("offset {}", p.offset)), "{line:?} lacks offset {}", p.offset);
        if let ProblemKind::UnknownVariable(name) = &p.kind {
            assert!(line.contains(name.as_str()), "{line:?} does not name {name}");
        }
    }
}

fn is_name(name: &str) -> bool {
    let mut cs = name.chars();
    cs.next().is_some_and(|c| c.is_ascii_lowercase())
        && cs.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// The template printed back with the fewest spaces: `{{name}}`,
/// `{{name|default:"d"}}`, or a bare `{{name|default: d }}` when the
/// default holds a `"` (a bare default never starts with one, never holds
/// `{{` or `}}`, and is trimmed).
fn canonical(t: &Template) -> String {
    let mut out = String::new();
    for s in &t.segments {
        match s {
            Segment::Literal(text) => out.push_str(text),
            Segment::Placeholder { name, default: None, .. } => out.push_str(&format!("{{{{{name}}}}}")),
            Segment::Placeholder { name, default: Some(d), .. } if !d.contains('"') => {
                out.push_str(&format!("{{{{{name}|default:\"{d}\"}}}}"))
            }
            Segment::Placeholder { name, default: Some(d), .. } => {
                out.push_str(&format!("{{{{{name}|default: {d} }}}}"))
            }
        }
    }
    out
}

fn without_offsets(t: &Template) -> Vec<Segment> {
    t.segments
        .iter()
        .map(|s| match s {
            Segment::Placeholder { name, default, .. } => {
                Segment::Placeholder { name: name.clone(), default: default.clone(), offset: 0 }
            }
            literal => literal.clone(),
        })
        .collect()
}

fn check_template(text: &str, chars: &[char], t: &Template) {
    let mut previous_literal = false;
    let mut last_offset = None;
    for s in &t.segments {
        match s {
            Segment::Literal(l) => {
                assert!(!l.is_empty(), "empty literal: {text:?}");
                assert!(!previous_literal, "adjacent literals not merged: {text:?}");
                assert!(!l.contains("{{"), "a literal holds `{{{{`: {l:?} in {text:?}");
                previous_literal = true;
            }
            Segment::Placeholder { name, offset, .. } => {
                assert!(is_name(name), "bad name {name:?}: {text:?}");
                assert!(chars_at(chars, *offset), "placeholder at {offset} is not at `{{{{`: {text:?}");
                assert!(last_offset.is_none_or(|o| o < *offset), "placeholders out of order: {text:?}");
                last_offset = Some(*offset);
                previous_literal = false;
            }
        }
    }
    // The literals and placeholders account for every character in order.
    let literal_chars: usize =
        t.segments.iter().map(|s| if let Segment::Literal(l) = s { l.chars().count() } else { 0 }).sum();
    assert!(literal_chars <= chars.len());
    if !text.contains("{{") {
        let expect = if text.is_empty() { vec![] } else { vec![Segment::Literal(text.to_owned())] };
        assert_eq!(t.segments, expect, "text without `{{{{` is one literal");
    }

    let names: Vec<&str> = t
        .segments
        .iter()
        .filter_map(|s| if let Segment::Placeholder { name, .. } = s { Some(name.as_str()) } else { None })
        .collect();
    let vars = t.variables();
    assert_eq!(vars.iter().collect::<BTreeSet<_>>().len(), vars.len(), "variables are distinct");
    assert_eq!(vars.iter().map(String::as_str).collect::<BTreeSet<_>>(), names.iter().copied().collect());

    // Round trip through the canonical form.
    let printed = canonical(t);
    match parse(&printed) {
        Ok(again) => assert_eq!(
            without_offsets(&again),
            without_offsets(t),
            "canonical form {printed:?} of {text:?} parses differently"
        ),
        Err(p) => panic!("canonical form {printed:?} of {text:?} does not parse: {p:?}"),
    }

    // validate agrees with parse.
    assert_eq!(validate(text, |_| true).as_ref(), Ok(t));
    if names.is_empty() {
        assert_eq!(validate(text, |_| false).as_ref(), Ok(t));
    } else {
        let problems = validate(text, |_| false).expect_err("every name unknown");
        check_problems(text, chars, &problems, true);
        assert_eq!(problems.len(), names.len());
        assert!(problems.iter().all(|p| matches!(p.kind, ProblemKind::UnknownVariable(_))));
    }
}

/// What `render` must output for `t`, computed piece by piece.
fn expected_body(t: &Template) -> (String, bool) {
    let mut out = String::new();
    let mut complete = true;
    for s in &t.segments {
        match s {
            Segment::Literal(l) => out.push_str(l),
            Segment::Placeholder { name, default, .. } => match contact(name).filter(|v| !is_missing(v)) {
                Some(v) => out.push_str(&value_to_text(&v)),
                None => match default {
                    Some(d) => out.push_str(d),
                    None => complete = false,
                },
            },
        }
    }
    (out, complete)
}

fn brings_brace(t: &Template) -> bool {
    t.segments.iter().any(|s| match s {
        Segment::Placeholder { name, default, .. } => {
            default.as_deref().is_some_and(|d| d.contains('{'))
                || contact(name).is_some_and(|v| value_to_text(&v).contains('{'))
        }
        Segment::Literal(_) => false,
    })
}

fn check_render(subject: Option<&Template>, body: &Template) {
    let mut lookups: Vec<String> = Vec::new();
    let r = render(subject, body, |name| {
        assert!(!lookups.iter().any(|n| n == name), "{name} looked up twice");
        lookups.push(name.to_owned());
        contact(name)
    });
    let (want_body, body_complete) = expected_body(body);
    assert_eq!(r.body, want_body);
    let subject_complete = match subject {
        Some(s) => {
            let (want, complete) = expected_body(s);
            assert_eq!(r.subject.as_deref(), Some(want.as_str()));
            complete
        }
        None => {
            assert_eq!(r.subject, None);
            true
        }
    };
    assert_eq!(r.complete, body_complete && subject_complete);
    assert_eq!(r.complete, r.missing_variables.is_empty());
    let mut used = subject.map(Template::variables).unwrap_or_default();
    for v in body.variables() {
        if !used.contains(&v) {
            used.push(v);
        }
    }
    assert_eq!(r.used_variables, used);
    assert_eq!(lookups, used, "each used name looked up once, in order");
    for list in [&r.missing_variables, &r.defaulted_variables] {
        assert_eq!(list.iter().collect::<BTreeSet<_>>().len(), list.len(), "{list:?} has duplicates");
        assert!(list.iter().all(|n| used.contains(n)));
    }
    for name in &r.missing_variables {
        assert!(contact(name).is_none_or(|v| is_missing(&v)), "{name} has a value but is missing");
    }
    for name in &r.defaulted_variables {
        assert!(contact(name).is_none_or(|v| is_missing(&v)), "{name} has a value but was defaulted");
    }
    if !brings_brace(body) {
        assert!(!r.body.contains("{{"), "`{{{{` rendered from {body:?}: {:?}", r.body);
    }
}

fn run(text: &str) -> Option<Template> {
    let chars: Vec<char> = text.chars().collect();
    match parse(text) {
        Ok(t) => {
            check_template(text, &chars, &t);
            check_render(None, &t);
            Some(t)
        }
        Err(problems) => {
            check_problems(text, &chars, &problems, true);
            // Syntax problems stay when names are checked too.
            let all = validate(text, |_| false).expect_err("syntax problems stay");
            check_problems(text, &chars, &all, false);
            for p in &problems {
                assert!(all.contains(p), "validate lost {p:?}: {text:?}");
            }
            assert_eq!(validate(text, |_| true).expect_err("same problems"), problems);
            None
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let text: Cow<'_, str> = String::from_utf8_lossy(data);
    let body = run(&text);
    if let Some((first_line, _)) = text.split_once('\n') {
        let subject = run(first_line);
        if let (Some(subject), Some(body)) = (subject, body) {
            check_render(Some(&subject), &body);
        }
    }
});
