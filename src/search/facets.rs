//! Facet counts from the raw fields' fast columns: for each matching document, bump a counter
//! per term ordinal; only ordinals that were hit are turned back into text at the end.
//!
//! tantivy's `FacetCollector` does the same job on a facet field, but walks and decodes the
//! whole facet dictionary of every segment on every query, which cost more than the search
//! itself. Counting ordinals keeps facets proportional to the matches.

use std::collections::BTreeMap;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::StrColumn;
use tantivy::{DocId, Score, SegmentReader};

/// Counts per value for each named fast string field.
pub struct FieldCounts {
    fields: Vec<&'static str>,
}

impl FieldCounts {
    pub fn new(fields: &[&'static str]) -> Self {
        FieldCounts {
            fields: fields.to_vec(),
        }
    }
}

/// For each field (in the order given), the count of matching documents per value.
pub type Counts = Vec<BTreeMap<String, u64>>;

pub struct SegmentCounts {
    columns: Vec<Option<StrColumn>>,
    /// Per field, per term ordinal.
    counts: Vec<Vec<u64>>,
}

impl Collector for FieldCounts {
    type Fruit = Counts;
    type Child = SegmentCounts;

    fn for_segment(&self, _segment: u32, reader: &SegmentReader) -> tantivy::Result<SegmentCounts> {
        let mut columns = Vec::new();
        for field in &self.fields {
            columns.push(reader.fast_fields().str(field)?);
        }
        let counts = columns
            .iter()
            .map(|c| vec![0; c.as_ref().map_or(0, |c| c.num_terms())])
            .collect();
        Ok(SegmentCounts { columns, counts })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, segments: Vec<Counts>) -> tantivy::Result<Counts> {
        let mut merged: Counts = vec![BTreeMap::new(); self.fields.len()];
        for segment in segments {
            for (total, counts) in merged.iter_mut().zip(segment) {
                for (value, count) in counts {
                    *total.entry(value).or_default() += count;
                }
            }
        }
        Ok(merged)
    }
}

impl SegmentCollector for SegmentCounts {
    type Fruit = Counts;

    fn collect(&mut self, doc: DocId, _score: Score) {
        for (column, counts) in self.columns.iter().zip(&mut self.counts) {
            if let Some(column) = column {
                for ord in column.term_ords(doc) {
                    counts[ord as usize] += 1;
                }
            }
        }
    }

    fn harvest(self) -> Counts {
        let mut harvested = Vec::new();
        for (column, counts) in self.columns.iter().zip(self.counts) {
            let mut named = BTreeMap::new();
            if let Some(column) = column {
                for (ord, count) in counts.into_iter().enumerate().filter(|(_, n)| *n > 0) {
                    let mut value = String::new();
                    if column.ord_to_str(ord as u64, &mut value).unwrap_or(false) {
                        named.insert(value, count);
                    }
                }
            }
            harvested.push(named);
        }
        harvested
    }
}
