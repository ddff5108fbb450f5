//! Puts response fields in the order the query asked for them (the GraphQL
//! spec's "ordered map"). async-graphql resolves sibling fields concurrently
//! and records each as it completes, so `nodes` may precede `totalCount`
//! although the query asked the other way round; this walk restores the
//! query's order (fragments and aliases included).

use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{Name, Value};
use indexmap::IndexMap;

/// Reorders `data` (an operation's result) by `selection` of `doc`.
pub fn reorder(data: &mut Value, selection: &SelectionSet, doc: &ExecutableDocument) {
    reorder_value(data, &[selection], doc);
}

/// Response keys of `sets` in order, each with the child selection sets that
/// select into it (a key may be selected more than once; its selections merge).
fn keys_in_order<'a>(
    sets: &[&'a SelectionSet],
    doc: &'a ExecutableDocument,
    out: &mut Vec<(&'a str, Vec<&'a SelectionSet>)>,
    depth: usize,
) {
    if depth > 32 {
        return;
    }
    for set in sets {
        for item in &set.items {
            match &item.node {
                Selection::Field(f) => {
                    let key =
                        f.node.alias.as_ref().map(|a| a.node.as_str()).unwrap_or(f.node.name.node.as_str());
                    let child = &f.node.selection_set.node;
                    match out.iter_mut().find(|(k, _)| *k == key) {
                        Some((_, children)) => children.push(child),
                        None => out.push((key, vec![child])),
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

fn reorder_value(value: &mut Value, sets: &[&SelectionSet], doc: &ExecutableDocument) {
    if !matches!(value, Value::List(_) | Value::Object(_)) {
        return;
    }
    // The keys depend on the selection only: once for all items of a list.
    let mut keys = Vec::new();
    keys_in_order(sets, doc, &mut keys, 0);
    reorder_by_keys(value, &keys, doc);
}

type Keys<'a> = [(&'a str, Vec<&'a SelectionSet>)];

fn reorder_by_keys(value: &mut Value, keys: &Keys<'_>, doc: &ExecutableDocument) {
    match value {
        Value::List(items) => {
            for item in items {
                reorder_by_keys(item, keys, doc);
            }
        }
        Value::Object(map) => {
            if !in_order(map, keys) {
                let mut old: IndexMap<Name, Value> = std::mem::take(map);
                for (key, _) in keys {
                    if let Some((name, v)) = old.swap_remove_entry(*key) {
                        map.insert(name, v);
                    }
                }
                // Anything the walk did not place keeps its place at the end.
                map.extend(old);
            }
            for (key, children) in keys {
                if children.iter().any(|c| !c.items.is_empty())
                    && let Some(v) = map.get_mut(*key)
                {
                    reorder_value(v, children, doc);
                }
            }
        }
        _ => {}
    }
}

/// Whether the object's keys already come in the order of `keys` (the
/// common case: most fields complete in the order they were asked for).
fn in_order(map: &IndexMap<Name, Value>, keys: &Keys<'_>) -> bool {
    let mut next = keys.iter();
    map.keys().all(|k| next.any(|(key, _)| *key == k.as_str()))
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
