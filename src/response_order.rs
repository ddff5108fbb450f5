//! Puts response fields in the order the query asked for them (the GraphQL
//! spec's "ordered map"). async-graphql resolves sibling fields concurrently
//! and records each as it completes, so `nodes` may precede `totalCount`
//! although the query asked the other way round; this walk restores the
//! query's order (fragments and aliases included).

use std::cell::OnceCell;

use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{Name, Value};
use indexmap::IndexMap;

/// Reorders `data` (an operation's result) by `selection` of `doc`.
pub fn reorder(data: &mut Value, selection: &SelectionSet, doc: &ExecutableDocument) {
    apply(data, &plan(&[selection], doc), doc);
}

/// The response keys of some selection sets in order, each with the child
/// selection sets that select into it; a child's own plan is made when a
/// value first needs it, once for all the items of a list.
struct Plan<'a> {
    keys: Vec<Key<'a>>,
}

struct Key<'a> {
    name: &'a str,
    /// The selection sets that select into this key (a key may be selected
    /// more than once; its selections merge).
    sets: Vec<&'a SelectionSet>,
    child: OnceCell<Plan<'a>>,
}

fn plan<'a>(sets: &[&'a SelectionSet], doc: &'a ExecutableDocument) -> Plan<'a> {
    let mut keys = Vec::new();
    keys_in_order(sets, doc, &mut keys, 0);
    Plan { keys }
}

/// Response keys of `sets` in order, with the selection sets of each.
fn keys_in_order<'a>(
    sets: &[&'a SelectionSet],
    doc: &'a ExecutableDocument,
    out: &mut Vec<Key<'a>>,
    depth: usize,
) {
    if depth > 32 {
        return;
    }
    for set in sets {
        for item in &set.items {
            match &item.node {
                Selection::Field(f) => {
                    let name =
                        f.node.alias.as_ref().map(|a| a.node.as_str()).unwrap_or(f.node.name.node.as_str());
                    let child = &f.node.selection_set.node;
                    match out.iter_mut().find(|k| k.name == name) {
                        Some(key) => key.sets.push(child),
                        None => out.push(Key { name, sets: vec![child], child: OnceCell::new() }),
                    }
                }
                Selection::InlineFragment(i) => {
                    keys_in_order(&[&i.node.selection_set.node], doc, out, depth + 1)
                }
                Selection::FragmentSpread(s) => {
                    if let Some(fr) = doc.fragments.get(&s.node.fragment_name.node) {
                        keys_in_order(&[&fr.node.selection_set.node], doc, out, depth + 1);
                    }
                }
            }
        }
    }
}

fn apply<'a>(value: &mut Value, plan: &Plan<'a>, doc: &'a ExecutableDocument) {
    match value {
        Value::List(items) => {
            for item in items {
                apply(item, plan, doc);
            }
        }
        Value::Object(map) => {
            if !in_order(map, plan) {
                let mut old: IndexMap<Name, Value> = std::mem::take(map);
                for key in &plan.keys {
                    if let Some((name, v)) = old.swap_remove_entry(key.name) {
                        map.insert(name, v);
                    }
                }
                // Anything the walk did not place keeps its place at the end.
                map.extend(old);
            }
            // The keys now come in the plan's order: walk both together
            // (no lookups), into the values that have selections of their own.
            let mut rest = plan.keys.as_slice();
            for (name, v) in map.iter_mut() {
                let Some(at) = rest.iter().position(|k| same(k.name, name)) else { continue };
                let key = &rest[at];
                rest = &rest[at + 1..];
                if matches!(v, Value::List(_) | Value::Object(_))
                    && key.sets.iter().any(|s| !s.items.is_empty())
                {
                    apply(v, key.child.get_or_init(|| self::plan(&key.sets, doc)), doc);
                }
            }
        }
        _ => {}
    }
}

/// Whether the object's keys already come in the order of the plan (the
/// common case: most fields complete in the order they were asked for).
fn in_order(map: &IndexMap<Name, Value>, plan: &Plan<'_>) -> bool {
    let mut next = plan.keys.iter();
    map.keys().all(|k| next.any(|key| same(key.name, k)))
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
        let mut data = async_graphql::value!({
            "b": 1,
            "z": {"p": 1, "q": 2},
            "a": [{"x": 1, "y": 2}, {"x": 3, "y": 4}],
        });
        let (_, op) = doc.operations.iter().next().unwrap();
        reorder(&mut data, &op.node.selection_set.node, &doc);
        assert_eq!(
            serde_json::to_string(&data.into_json().unwrap()).unwrap(),
            r#"{"a":[{"y":2,"x":1},{"y":4,"x":3}],"z":{"q":2,"p":1},"b":1}"#
        );
    }

    #[test]
    fn items_of_one_list_are_each_put_in_order_whichever_already_were() {
        let doc = parse_query("{ a { y x n { q p } } }").unwrap();
        let mut data = async_graphql::value!({
            "a": [
                {"y": 1, "x": 2, "n": {"p": 1, "q": 2}},
                {"x": 3, "y": 4, "n": {"q": 3, "p": 4}},
                {"n": null, "y": 5, "x": 6, "extra": 0},
            ],
        });
        let (_, op) = doc.operations.iter().next().unwrap();
        reorder(&mut data, &op.node.selection_set.node, &doc);
        assert_eq!(
            serde_json::to_string(&data.into_json().unwrap()).unwrap(),
            r#"{"a":[{"y":1,"x":2,"n":{"q":2,"p":1}},{"y":4,"x":3,"n":{"q":3,"p":4}},{"y":5,"x":6,"n":null,"extra":0}]}"#
        );
    }
}
