//! JSON merge patches (RFC 7396): how PATCH bodies and spreadsheet rows that name an existing
//! record are laid over it, so that either is then validated exactly like a new record.

use serde_json::{Map, Value};

/// Merges `patch` into `target`: objects merge key by key, `null` removes, anything else replaces.
pub fn merge(target: &mut Value, patch: &Value) {
    match patch {
        Value::Object(changes) => {
            if !target.is_object() {
                *target = Value::Object(Map::new());
            }
            if let Value::Object(fields) = target {
                for (key, change) in changes {
                    if change.is_null() {
                        fields.remove(key);
                    } else {
                        merge(fields.entry(key.clone()).or_insert(Value::Null), change);
                    }
                }
            }
        }
        other => *target = other.clone(),
    }
}
