//! Forms already sent, so that sending the same filled-in form twice (a double tap, a browser
//! retrying on a slow network) stores one registration. Each form carries a random `form_id`;
//! the first post of a form id with given contents stores and remembers the reference, the next
//! ones wait for it and get the same thanks page. Kept in memory for an hour: a double submit
//! happens within seconds, and a restart in between costs at most a duplicate that the
//! registry flags for the facilitator anyway.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rand::RngCore;
use sha2::{Digest, Sha256};

const REMEMBERED_FOR: Duration = Duration::from_secs(3600);
/// Beyond this many remembered forms the oldest are forgotten first.
const MAX_REMEMBERED: usize = 100_000;

/// The reference a sent form was stored under, once it is stored.
pub type Slot = Arc<tokio::sync::Mutex<Option<String>>>;

#[derive(Default)]
pub struct SentForms {
    slots: Mutex<HashMap<String, (Instant, Slot)>>,
}

impl SentForms {
    /// The slot of the form `form_id` with these contents; hold its lock while storing.
    pub fn slot(&self, form_id: &str, contents: &[u8]) -> Slot {
        let key = format!("{form_id}:{}", hex::encode(Sha256::digest(contents)));
        let now = Instant::now();
        let mut slots = self
            .slots
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if slots.len() >= MAX_REMEMBERED {
            slots.retain(|_, (at, _)| now.duration_since(*at) < REMEMBERED_FOR);
        }
        if slots.len() >= MAX_REMEMBERED
            && let Some(oldest) = slots
                .iter()
                .min_by_key(|(_, (at, _))| *at)
                .map(|(k, _)| k.clone())
        {
            slots.remove(&oldest);
        }
        slots
            .entry(key)
            .or_insert_with(|| (now, Slot::default()))
            .1
            .clone()
    }
}

/// A fresh form id: 16 random bytes, hex.
pub fn new_id() -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

pub fn well_formed(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_form_with_the_same_contents_shares_a_slot() {
        let sent = SentForms::default();
        let id = new_id();
        let first = sent.slot(&id, b"name=Sunita");
        assert!(Arc::ptr_eq(&first, &sent.slot(&id, b"name=Sunita")));
        assert!(!Arc::ptr_eq(&first, &sent.slot(&id, b"name=Reena")));
        assert!(!Arc::ptr_eq(&first, &sent.slot(&new_id(), b"name=Sunita")));
    }
}
