//! Writes a response's `data` with its fields in the order the query asked
//! for them (the GraphQL spec's "ordered map"). async-graphql resolves
//! sibling fields concurrently and records each as it completes, so `nodes`
//! may precede `totalCount` although the query asked the other way round;
//! this walk writes the query's order (fragments and aliases included)
//! while it writes the JSON, so the values are neither moved nor looked up
//! when they already come in order (nearly always).

use std::cell::OnceCell;

use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{Name, Value};

use crate::response_json::{Spliced, write_key};

/// Appends `data` (an operation's result) as JSON, its fields in the order
/// of `selection` of `doc`.
pub fn write(out: &mut Spliced, data: &Value, selection: &SelectionSet, doc: &ExecutableDocument) {
    write_planned(out, data, &plan(&[selection], doc), doc);
}

/// The response keys of some selection sets in order, each with the child
/// selection sets that select into it; a child's own plan is made when a
/// value first needs it, once for all the items of a list.
struct Plan<'a> {
    keys: Vec<Key<'a>>,
}

struct Key<'a> {
    name: &'a str,
    /// `"name":`, as written before the key's value.
    json: Box<[u8]>,
    /// The selection sets that select into this key (a key may be selected
    /// more than once; its selections merge).
    sets: Vec<&'a SelectionSet>,
    child: OnceCell<Plan<'a>>,
}

fn plan<'a>(sets: &[&'a SelectionSet], doc: &'a ExecutableDocument) -> Plan<'a> {
    plan_whole(sets, doc).0
}

/// The plan of `sets`, and whether it is whole (fragments nested too deep
/// to follow leave it short).
fn plan_whole<'a>(sets: &[&'a SelectionSet], doc: &'a ExecutableDocument) -> (Plan<'a>, bool) {
    let mut keys = Vec::new();
    let mut budget = MAX_SELECTIONS;
    let whole = keys_in_order(sets, doc, &mut keys, 0, &mut budget);
    (Plan { keys }, whole)
}

/// Whether no selection set of `doc`'s operations selects a response key
/// more than once (fragments followed): the engine then merges no two
/// values of a response, so a resolver may hand back an object already
/// written as JSON (`RequestContext::prewrite`), which could not be merged.
pub fn selects_each_key_once(doc: &ExecutableDocument) -> bool {
    fn once<'a>(sets: &[&'a SelectionSet], doc: &'a ExecutableDocument, depth: usize) -> bool {
        let (plan, whole) = plan_whole(sets, doc);
        whole
            && depth <= 64
            && plan
                .keys
                .iter()
                .all(|k| k.sets.len() == 1 && (k.sets[0].items.is_empty() || once(&k.sets, doc, depth + 1)))
    }
    doc.operations.iter().all(|(_, op)| once(&[&op.node.selection_set.node], doc, 0))
}

/// Most selections one plan follows: a document that spreads fragments
/// into fragments over and over names few keys with very many selections.
const MAX_SELECTIONS: usize = 100_000;

/// Response keys of `sets` in order, with the selection sets of each;
/// false if fragments nest too deep, or spread too often, to follow.
fn keys_in_order<'a>(
    sets: &[&'a SelectionSet],
    doc: &'a ExecutableDocument,
    out: &mut Vec<Key<'a>>,
    depth: usize,
    budget: &mut usize,
) -> bool {
    if depth > 32 {
        return false;
    }
    let mut whole = true;
    for set in sets {
        for item in &set.items {
            if *budget == 0 {
                return false;
            }
            *budget -= 1;
            match &item.node {
                Selection::Field(f) => {
                    let name =
                        f.node.alias.as_ref().map(|a| a.node.as_str()).unwrap_or(f.node.name.node.as_str());
                    let child = &f.node.selection_set.node;
                    match out.iter_mut().find(|k| k.name == name) {
                        Some(key) => key.sets.push(child),
                        None => {
                            let mut json = Vec::with_capacity(name.len() + 3);
                            write_key(&mut json, name);
                            out.push(Key {
                                name,
                                json: json.into(),
                                sets: vec![child],
                                child: OnceCell::new(),
                            })
                        }
                    }
                }
                Selection::InlineFragment(i) => {
                    whole &= keys_in_order(&[&i.node.selection_set.node], doc, out, depth + 1, budget)
                }
                Selection::FragmentSpread(s) => {
                    if let Some(fr) = doc.fragments.get(&s.node.fragment_name.node) {
                        whole &= keys_in_order(&[&fr.node.selection_set.node], doc, out, depth + 1, budget);
                    }
                }
            }
        }
    }
    whole
}

fn write_planned<'a>(out: &mut Spliced, value: &Value, plan: &Plan<'a>, doc: &'a ExecutableDocument) {
    match value {
        Value::List(items) => {
            out.text.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.text.push(b',');
                }
                write_planned(out, item, plan, doc);
            }
            out.text.push(b']');
        }
        Value::Object(map) => {
            out.text.push(b'{');
            let start = out.text.len();
            // Walk the entries beside the plan (no lookups) while they come
            // in its order; an entry out of order (or not in the plan)
            // undoes what was written and takes the plan's order instead.
            let mut rest = plan.keys.as_slice();
            let mut in_order = true;
            for (i, (name, v)) in map.iter().enumerate() {
                let Some(at) = rest.iter().position(|k| same(k.name, name)) else {
                    in_order = false;
                    break;
                };
                let key = &rest[at];
                rest = &rest[at + 1..];
                if i > 0 {
                    out.text.push(b',');
                }
                write_entry(out, v, key, doc);
            }
            if !in_order {
                out.truncate(start);
                let mut placed = vec![false; map.len()];
                let mut first = true;
                for key in &plan.keys {
                    let Some((i, _, v)) = map.get_full(key.name) else { continue };
                    placed[i] = true;
                    if !std::mem::take(&mut first) {
                        out.text.push(b',');
                    }
                    write_entry(out, v, key, doc);
                }
                // Anything the plan does not name keeps its place at the end.
                for ((name, v), _) in map.iter().zip(&placed).filter(|(_, placed)| !**placed) {
                    if !std::mem::take(&mut first) {
                        out.text.push(b',');
                    }
                    write_key(&mut out.text, name);
                    out.write_value(v);
                }
            }
            out.text.push(b'}');
        }
        v => out.write_value(v),
    }
}

/// Appends `"name":value` for the entry of `key`, the value in the order of
/// `key`'s selections.
fn write_entry<'a>(out: &mut Spliced, v: &Value, key: &Key<'a>, doc: &'a ExecutableDocument) {
    out.text.extend_from_slice(&key.json);
    if matches!(v, Value::List(_) | Value::Object(_)) && key.sets.iter().any(|s| !s.items.is_empty()) {
        write_planned(out, v, key.child.get_or_init(|| plan(&key.sets, doc)), doc);
    } else {
        out.write_value(v);
    }
}

/// Whether a plan's key is a response key: nearly always the same string,
/// as the engine names each value with the name the document holds.
fn same(key: &str, name: &Name) -> bool {
    let name = name.as_str();
    std::ptr::eq(key, name) || key == name
}

#[cfg(test)]
mod tests {
    use async_graphql::parser::parse_query;

    use super::*;

    #[test]
    fn fields_follow_the_query_whatever_order_they_completed_in() {
        let doc = parse_query("{ a { y x } ...F b: c }\nfragment F on Query { z { q p } }").unwrap();
        let data = async_graphql::value!({
            "b": 1,
            "z": {"p": 1, "q": 2},
            "a": [{"x": 1, "y": 2}, {"x": 3, "y": 4}],
        });
        let (_, op) = doc.operations.iter().next().unwrap();
        let mut out = Spliced::default();
        write(&mut out, &data, &op.node.selection_set.node, &doc);
        assert_eq!(
            String::from_utf8(out.into_vec()).unwrap(),
            r#"{"a":[{"y":2,"x":1},{"y":4,"x":3}],"z":{"q":2,"p":1},"b":1}"#
        );
    }

    #[test]
    fn long_written_pieces_go_out_in_their_place_without_being_copied() {
        let doc = parse_query("{ a { x } b c d e }").unwrap();
        let piece = |c: char, n: usize| format!("[\"{}\"]", c.to_string().repeat(n));
        let long = |c| piece(c, Spliced::SHORTEST_PIECE);
        let binary = |s: &String| Value::Binary(s.clone().into_bytes().into());
        // `c` came first: the walk writes it as a piece, then meets `a` out
        // of order and writes the object again in the query's order.
        let mut data = indexmap::IndexMap::new();
        for (k, v) in [
            ("c", binary(&long('c'))),
            ("a", async_graphql::value!([{"x": 1}])),
            ("b", binary(&long('b'))),
            ("e", binary(&piece('e', 3))),
            ("d", binary(&long('d'))),
        ] {
            data.insert(Name::new(k), v);
        }
        let (_, op) = doc.operations.iter().next().unwrap();
        let mut out = Spliced::default();
        write(&mut out, &Value::Object(data), &op.node.selection_set.node, &doc);
        let whole = format!(
            r#"{{"a":[{{"x":1}}],"b":{},"c":{},"d":{},"e":{}}}"#,
            long('b'),
            long('c'),
            long('d'),
            piece('e', 3)
        );
        assert_eq!(out.len(), whole.len());
        let parts = out.into_parts();
        // the three long pieces kept apart (the short one copied in), with
        // the text between them
        let kept: Vec<&[u8]> =
            parts.iter().map(|p| &p[..]).filter(|p| p.len() > Spliced::SHORTEST_PIECE).collect();
        assert_eq!(kept, [long('b'), long('c'), long('d')].iter().map(|s| s.as_bytes()).collect::<Vec<_>>());
        assert_eq!(parts.len(), 7, "text, b, text, c, text, d, text");
        assert_eq!(String::from_utf8(parts.concat()).unwrap(), whole);
    }

    #[test]
    fn a_key_selected_twice_anywhere_is_found() {
        let once = |q: &str| selects_each_key_once(&parse_query(q).unwrap());
        assert!(once("{ a { x y } b: a { x } c { ...F } } fragment F on C { p q { r } }"));
        assert!(once("query A { a { x } } query B { a { x } }"), "each operation on its own");
        assert!(!once("{ a { x } a { y } }"));
        assert!(!once("{ a { x x } }"));
        assert!(!once("{ a { x b: y b: z } }"));
        assert!(!once("{ a { x ... on A { x } } }"));
        assert!(!once("{ a { ...F ...F } } fragment F on A { x }"));
        assert!(!once("{ a { n { m { x } } ...F } } fragment F on A { n { m { y } } }"));
        assert!(!once("{ a { x } ...F } fragment F on Query { a { y } }"));
        // fragments nested deeper than followed count as repeating
        let mut q = String::from("{ a { ...F0 } }");
        for i in 0..40 {
            q.push_str(&format!(" fragment F{i} on A {{ ...F{} }}", i + 1));
        }
        q.push_str(" fragment F40 on A { x }");
        assert!(!once(&q));
        // as do fragments spread too often to follow (2^30 times here)
        let mut q = String::from("{ a { ...F0 } }");
        for i in 0..30 {
            q.push_str(&format!(" fragment F{i} on A {{ ...F{j} ...F{j} }}", j = i + 1));
        }
        q.push_str(" fragment F30 on A { x }");
        assert!(!once(&q));
    }

    #[test]
    fn items_of_one_list_are_each_put_in_order_whichever_already_were() {
        let doc = parse_query("{ a { y x n { q p } } }").unwrap();
        let data = async_graphql::value!({
            "a": [
                {"y": 1, "x": 2, "n": {"p": 1, "q": 2}},
                {"x": 3, "y": 4, "n": {"q": 3, "p": 4}},
                {"n": null, "y": 5, "x": 6, "extra": 0},
            ],
        });
        let (_, op) = doc.operations.iter().next().unwrap();
        let mut out = Spliced::default();
        write(&mut out, &data, &op.node.selection_set.node, &doc);
        assert_eq!(
            String::from_utf8(out.into_vec()).unwrap(),
            r#"{"a":[{"y":1,"x":2,"n":{"q":2,"p":1}},{"y":4,"x":3,"n":{"q":3,"p":4}},{"y":5,"x":6,"n":null,"extra":0}]}"#
        );
    }
}
