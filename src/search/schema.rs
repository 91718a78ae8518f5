//! The shape of a search document and how registry records become one.
//!
//! One index holds three document types (offering, need, stakeholder). All of a record's words
//! (title, names, description, provider, places, sector and kind names) are searched through
//! one text field, and its titles once more through a heading field, so a query word costs a
//! few terms rather than a few per field. Each of the two is indexed twice: with the `indic`
//! analyser (exact words, any script) and with `indic_keys` (a phonetic key per word, so `silai`
//! and `सिलाई` land on the same term, plus a token per vocabulary group the words belong to).
//! The texts shown in results are stored separately. Raw fields (`type`, `kind`, `district`,
//! `sector`, `status`) filter, and their fast columns count facets. Dates are day numbers in
//! fast fields, so expiry and freshness are judged at query time, not frozen at indexing time.
//!
//! Bump [`SCHEMA_VERSION`] whenever the schema or what goes into a field changes: an index
//! written by another version is rebuilt on start.

use std::collections::HashMap;

use tantivy::TantivyDocument;
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};

use super::analysis;
use crate::domain::record::{Status, parse_date};
use crate::store::feed::{FeedNeed, FeedOffering, FeedStakeholder, Provider};

/// Changes whenever documents are built differently; part of every commit payload.
pub const SCHEMA_VERSION: u32 = 4;

/// The `sector` value of an offering that serves every sector (its `sectors` list is empty), so a
/// sector filter still finds it.
pub const ANY_SECTOR: &str = "_any";

/// A `valid_until` day for offerings that never expire.
pub const NEVER: i64 = i64::MAX;

/// The three kinds of search document.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
#[schema(as = SearchType)]
pub enum DocType {
    Offering,
    Need,
    Stakeholder,
}

impl DocType {
    pub const ALL: [DocType; 3] = [DocType::Offering, DocType::Need, DocType::Stakeholder];

    pub fn as_str(self) -> &'static str {
        match self {
            DocType::Offering => "offering",
            DocType::Need => "need",
            DocType::Stakeholder => "stakeholder",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        DocType::ALL.into_iter().find(|t| t.as_str() == text.trim())
    }
}

/// A text indexed for words and, in a parallel field, for phonetic keys and synonym groups.
#[derive(Debug, Clone, Copy)]
pub struct TextPair {
    pub words: Field,
    pub keys: Field,
}

/// Handles on every field, resolved once.
#[derive(Debug, Clone)]
pub struct SearchSchema {
    pub schema: Schema,
    /// `type:id`, unique per document: what an update deletes by.
    pub key: Field,
    pub doc_type: Field,
    pub id: Field,
    pub kind: Field,
    pub status: Field,
    pub stakeholder_id: Field,
    pub district: Field,
    pub sector: Field,
    pub state: Field,
    /// Titles and names: a match here counts on top of the one in `text`.
    pub head: TextPair,
    /// Every searchable word of the record: titles, names, description, provider, sector and
    /// kind names in both languages, district and state names.
    pub text: TextPair,
    /// Shown in results, not indexed (their words are in `head` and `text`).
    pub title: Field,
    pub title_local: Field,
    pub body: Field,
    pub provider: Field,
    pub valid_until: Field,
    pub valid_day: Field,
    pub updated_at: Field,
    pub updated_day: Field,
    /// When the record was created, from its time-ordered id ([`creation_order`]): the
    /// order of matches that score the same, whatever segments the index holds them in.
    pub created: Field,
}

fn text_options(tokenizer: &str, record: IndexRecordOption) -> TextOptions {
    TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(tokenizer)
            .set_index_option(record),
    )
}

impl SearchSchema {
    pub fn new() -> Self {
        let mut builder = Schema::builder();
        let mut text_pair = |name: &str| TextPair {
            words: builder.add_text_field(
                name,
                text_options(analysis::INDIC, IndexRecordOption::WithFreqs),
            ),
            keys: builder.add_text_field(
                &format!("{name}_ph"),
                text_options(analysis::INDIC_KEYS, IndexRecordOption::WithFreqs),
            ),
        };
        let head = text_pair("head");
        let text = text_pair("text");
        let title = builder.add_text_field("title", STORED);
        let title_local = builder.add_text_field("title_local", STORED);
        let body = builder.add_text_field("body", STORED);
        let provider = builder.add_text_field("provider", STORED);
        let key = builder.add_text_field("key", STRING);
        let doc_type = builder.add_text_field("type", STRING | FAST | STORED);
        let id = builder.add_text_field("id", STRING | STORED);
        let kind = builder.add_text_field("kind", STRING | FAST | STORED);
        let status = builder.add_text_field("status", STRING | FAST | STORED);
        let stakeholder_id = builder.add_text_field("stakeholder_id", STRING | STORED);
        let district = builder.add_text_field("district", STRING | FAST | STORED);
        let sector = builder.add_text_field("sector", STRING | FAST | STORED);
        let state = builder.add_text_field("state", STRING | FAST | STORED);
        let valid_until = builder.add_text_field("valid_until", STORED);
        let valid_day = builder.add_i64_field("valid_day", FAST | INDEXED);
        let updated_at = builder.add_text_field("updated_at", STORED);
        let updated_day = builder.add_i64_field("updated_day", FAST);
        let created = builder.add_u64_field("created", FAST);
        SearchSchema {
            schema: builder.build(),
            key,
            doc_type,
            id,
            kind,
            status,
            stakeholder_id,
            district,
            sector,
            state,
            head,
            text,
            title,
            title_local,
            body,
            provider,
            valid_until,
            valid_day,
            updated_at,
            updated_day,
            created,
        }
    }
}

impl Default for SearchSchema {
    fn default() -> Self {
        Self::new()
    }
}

/// The unique key of a document: what an update or delete finds it by.
pub fn doc_key(doc_type: DocType, id: &str) -> String {
    format!("{}:{id}", doc_type.as_str())
}

/// Names for codes, so documents carry district, state and sector names in both languages.
#[derive(Debug, Clone, Default)]
pub struct Gazetteer {
    districts: HashMap<String, Place>,
    sectors: HashMap<String, Vec<String>>,
}

#[derive(Debug, Clone, Default)]
struct Place {
    state_code: String,
    names: Vec<String>,
}

impl Gazetteer {
    /// Adds a district with its names and its state's names.
    pub fn add_district(&mut self, code: &str, state_code: &str, names: Vec<String>) {
        let place = Place {
            state_code: state_code.to_string(),
            names,
        };
        self.districts.insert(code.to_string(), place);
    }

    pub fn add_sector(&mut self, code: &str, names: Vec<String>) {
        self.sectors.insert(code.to_string(), names);
    }

    pub fn knows_district(&self, code: &str) -> bool {
        self.districts.contains_key(code)
    }

    pub fn knows_sector(&self, code: &str) -> bool {
        self.sectors.contains_key(code)
    }

    pub fn is_empty(&self) -> bool {
        self.districts.is_empty() && self.sectors.is_empty()
    }

    fn state_of(&self, district: &str) -> Option<&str> {
        self.districts.get(district).map(|p| p.state_code.as_str())
    }

    fn district_names(&self, district: &str) -> &[String] {
        self.districts
            .get(district)
            .map(|p| p.names.as_slice())
            .unwrap_or_default()
    }

    fn sector_names(&self, sector: &str) -> &[String] {
        self.sectors
            .get(sector)
            .map(Vec::as_slice)
            .unwrap_or_default()
    }
}

/// The day number (Julian day) of an ISO date or timestamp; `None` if unreadable.
pub fn day_number(text: &str) -> Option<i64> {
    parse_date(text.get(..10)?).map(|d| d.to_julian_day() as i64)
}

/// What search treats a record as: a child is no more visible than its stakeholder.
pub fn effective_status(own: Status, provider: Status) -> Status {
    let rank = |s: Status| match s {
        Status::Active => 0,
        Status::Pending => 1,
        Status::Archived => 2,
    };
    if rank(provider) > rank(own) {
        provider
    } else {
        own
    }
}

/// Fills one document; keeps the word and key fields of each text in step.
struct DocBuilder<'a> {
    fields: &'a SearchSchema,
    gazetteer: &'a Gazetteer,
    doc: TantivyDocument,
}

/// A record id's creation time and in-process sequence: ids are `prefix_` and a UUIDv7 in hex,
/// whose first 64 bits are the millisecond and a counter that keeps ids made in one
/// millisecond in order. An id of another shape sorts as the oldest.
pub fn creation_order(id: &str) -> u64 {
    id.split_once('_')
        .and_then(|(_, hex)| hex.get(..16))
        .and_then(|high| u64::from_str_radix(high, 16).ok())
        .unwrap_or(0)
}

impl<'a> DocBuilder<'a> {
    fn new(
        fields: &'a SearchSchema,
        gazetteer: &'a Gazetteer,
        doc_type: DocType,
        id: &str,
    ) -> Self {
        let mut builder = DocBuilder {
            fields,
            gazetteer,
            doc: TantivyDocument::new(),
        };
        builder.doc.add_text(fields.key, doc_key(doc_type, id));
        builder.doc.add_text(fields.id, id);
        builder.doc.add_u64(fields.created, creation_order(id));
        builder.raw(fields.doc_type, doc_type.as_str());
        builder
    }

    /// Words that are searched but not shown.
    fn searchable(&mut self, text: &str) {
        if !text.trim().is_empty() {
            self.doc.add_text(self.fields.text.words, text);
            self.doc.add_text(self.fields.text.keys, text);
        }
    }

    /// A text shown in results (stored in `shown`) and searched.
    fn shown(&mut self, shown: Field, text: &str) {
        if !text.trim().is_empty() {
            self.doc.add_text(shown, text);
            self.searchable(text);
        }
    }

    /// A title or name: shown, searched, and weighted as a heading.
    fn heading(&mut self, shown: Field, text: &str) {
        if !text.trim().is_empty() {
            self.doc.add_text(self.fields.head.words, text);
            self.doc.add_text(self.fields.head.keys, text);
            self.shown(shown, text);
        }
    }

    /// A raw value: filtered on, and counted from its fast column.
    fn raw(&mut self, field: Field, value: &str) {
        self.doc.add_text(field, value);
    }

    fn kind(&mut self, kind: &str) {
        self.raw(self.fields.kind, kind);
        self.searchable(&kind.replace('_', " "));
    }

    fn status(&mut self, status: Status) {
        self.raw(self.fields.status, status.as_str());
    }

    /// Districts, their states and the names of both.
    fn districts<'d>(&mut self, districts: impl IntoIterator<Item = &'d String>) {
        let mut states: Vec<&str> = Vec::new();
        for district in districts {
            self.raw(self.fields.district, district);
            for name in self.gazetteer.district_names(district) {
                self.searchable(name);
            }
            if let Some(state) = self.gazetteer.state_of(district)
                && !states.contains(&state)
            {
                states.push(state);
            }
        }
        for state in states {
            self.doc.add_text(self.fields.state, state);
        }
    }

    fn sectors<'s>(&mut self, sectors: impl IntoIterator<Item = &'s String>) {
        for sector in sectors {
            self.raw(self.fields.sector, sector);
            for name in self.gazetteer.sector_names(sector) {
                self.searchable(name);
            }
        }
    }

    fn provider(&mut self, provider: &Provider) {
        self.doc.add_text(self.fields.stakeholder_id, &provider.id);
        self.shown(self.fields.provider, &provider.name);
        if let Some(local) = &provider.name_local {
            self.shown(self.fields.provider, local);
        }
        self.searchable(&provider.kind.replace('_', " "));
    }

    fn dates(&mut self, valid_until: Option<&str>, updated_at: &str) {
        let valid_day = valid_until.and_then(day_number).unwrap_or(NEVER);
        if let Some(date) = valid_until {
            self.doc.add_text(self.fields.valid_until, date);
        }
        self.doc.add_i64(self.fields.valid_day, valid_day);
        self.doc.add_text(self.fields.updated_at, updated_at);
        self.doc
            .add_i64(self.fields.updated_day, day_number(updated_at).unwrap_or(0));
    }

    fn build(self) -> TantivyDocument {
        self.doc
    }
}

/// The document of an offering, or `None` if search must not hold it (archived).
pub fn offering_doc(
    fields: &SearchSchema,
    gazetteer: &Gazetteer,
    offering: &FeedOffering,
) -> Option<TantivyDocument> {
    let status = effective_status(offering.status, offering.provider.status);
    if status == Status::Archived {
        return None;
    }
    let mut doc = DocBuilder::new(fields, gazetteer, DocType::Offering, &offering.id);
    doc.kind(&offering.kind);
    doc.status(status);
    doc.heading(fields.title, &offering.title);
    doc.shown(
        fields.body,
        offering.description.as_deref().unwrap_or_default(),
    );
    doc.provider(&offering.provider);
    doc.districts(&offering.districts);
    doc.sectors(&offering.sectors);
    if offering.sectors.is_empty() {
        doc.doc.add_text(fields.sector, ANY_SECTOR);
    }
    doc.dates(offering.valid_until.as_deref(), &offering.updated_at);
    Some(doc.build())
}

/// The document of a need, or `None` if search must not hold it (archived).
pub fn need_doc(
    fields: &SearchSchema,
    gazetteer: &Gazetteer,
    need: &FeedNeed,
) -> Option<TantivyDocument> {
    let status = effective_status(need.status, need.provider.status);
    if status == Status::Archived {
        return None;
    }
    let mut doc = DocBuilder::new(fields, gazetteer, DocType::Need, &need.id);
    doc.kind(&need.kind);
    doc.status(status);
    doc.heading(fields.title, &need.title);
    doc.shown(fields.body, need.description.as_deref().unwrap_or_default());
    doc.provider(&need.provider);
    doc.districts([&need.provider.district]);
    doc.sectors(&need.sector);
    doc.dates(None, &need.updated_at);
    Some(doc.build())
}

/// The document of a stakeholder, or `None` if search must not hold it (archived).
pub fn stakeholder_doc(
    fields: &SearchSchema,
    gazetteer: &Gazetteer,
    stakeholder: &FeedStakeholder,
) -> Option<TantivyDocument> {
    if stakeholder.status == Status::Archived {
        return None;
    }
    let mut doc = DocBuilder::new(fields, gazetteer, DocType::Stakeholder, &stakeholder.id);
    doc.doc.add_text(fields.stakeholder_id, &stakeholder.id);
    doc.kind(&stakeholder.kind);
    doc.status(stakeholder.status);
    doc.heading(fields.title, &stakeholder.name);
    if let Some(local) = &stakeholder.name_local {
        doc.heading(fields.title_local, local);
    }
    doc.shown(
        fields.body,
        stakeholder.description.as_deref().unwrap_or_default(),
    );
    let mut districts = vec![&stakeholder.district];
    districts.extend(
        stakeholder
            .districts_served
            .iter()
            .filter(|d| **d != stakeholder.district),
    );
    doc.districts(districts);
    doc.sectors(&stakeholder.sector);
    doc.dates(None, &stakeholder.updated_at);
    Some(doc.build())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn children_are_no_more_visible_than_their_stakeholder() {
        use Status::*;
        assert_eq!(effective_status(Active, Pending), Pending);
        assert_eq!(effective_status(Pending, Active), Pending);
        assert_eq!(effective_status(Active, Archived), Archived);
        assert_eq!(effective_status(Active, Active), Active);
    }

    #[test]
    fn dates_and_timestamps_become_day_numbers() {
        let day = day_number("2027-03-31").unwrap();
        assert_eq!(day_number("2027-03-31T10:00:00.000Z"), Some(day));
        assert_eq!(day_number("2027-04-01"), Some(day + 1));
        assert_eq!(day_number("soon"), None);
    }

    #[test]
    fn every_text_has_a_phonetic_twin() {
        let fields = SearchSchema::new();
        for pair in [fields.head, fields.text] {
            let words = fields.schema.get_field_name(pair.words);
            assert_eq!(
                fields.schema.get_field_name(pair.keys),
                format!("{words}_ph")
            );
        }
    }
}
