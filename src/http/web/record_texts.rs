//! The words of the offering and need edit pages, in Hindi and English (the layout's own words
//! come from [`super::registry_texts`]).

use serde::Serialize;

use super::texts::Lang;

#[derive(Debug, Serialize)]
pub struct RecordTexts {
    pub edit_offering: &'static str,
    pub edit_need: &'static str,
    pub back: &'static str,
    pub status: &'static str,
    pub active: &'static str,
    pub pending: &'static str,
    pub archived: &'static str,
    /// Before the use case's own reason (in English) beside a refused field.
    pub invalid: &'static str,
    pub other_problems: &'static str,
    pub kind: &'static str,
    pub title: &'static str,
    pub description: &'static str,
    pub sectors: &'static str,
    pub sectors_hint: &'static str,
    pub districts: &'static str,
    pub districts_hint: &'static str,
    pub gender: &'static str,
    pub anyone: &'static str,
    pub min_age: &'static str,
    pub max_age: &'static str,
    pub min_amount: &'static str,
    pub max_amount: &'static str,
    pub valid_until: &'static str,
    pub sector: &'static str,
    pub any_sector: &'static str,
    pub amount: &'static str,
    pub attendees: &'static str,
    pub archive: &'static str,
    pub archive_hint: &'static str,
    pub edit_link: &'static str,
}

pub fn record_texts(lang: Lang) -> &'static RecordTexts {
    match lang {
        Lang::Hindi => &HINDI,
        Lang::English => &ENGLISH,
    }
}

static HINDI: RecordTexts = RecordTexts {
    edit_offering: "सेवा / पेशकश बदलें",
    edit_need: "ज़रूरत बदलें",
    back: "वापस",
    status: "स्थिति",
    active: "चालू",
    pending: "जाँच बाक़ी",
    archived: "बंद (संग्रह में)",
    invalid: "यह सही नहीं है",
    other_problems: "और कमियाँ",
    kind: "किस तरह की",
    title: "शीर्षक",
    description: "विवरण",
    sectors: "किन कामों के लिए",
    sectors_hint: "कोई न चुनें तो सभी कामों के लिए।",
    districts: "ज़िले (कोड)",
    districts_hint: "कॉमा से अलग, जैसे br-gaya, br-nalanda। ख़ाली छोड़ें तो संस्था के सभी ज़िले।",
    gender: "किसके लिए",
    anyone: "सभी के लिए",
    min_age: "कम से कम उम्र",
    max_age: "ज़्यादा से ज़्यादा उम्र",
    min_amount: "कम से कम रक़म (₹)",
    max_amount: "ज़्यादा से ज़्यादा रक़म (₹)",
    valid_until: "कब तक",
    sector: "काम का क्षेत्र",
    any_sector: "— कोई भी —",
    amount: "रक़म (₹)",
    attendees: "कितने लोग",
    archive: "बंद करें (संग्रह में डालें)",
    archive_hint: "बंद होने पर यह खोज और बैठक के सुझावों में नहीं दिखेगा।",
    edit_link: "बदलें",
};

static ENGLISH: RecordTexts = RecordTexts {
    edit_offering: "Edit the offering",
    edit_need: "Edit the need",
    back: "Back",
    status: "Status",
    active: "active",
    pending: "waiting for review",
    archived: "archived",
    invalid: "This is not valid",
    other_problems: "Other problems",
    kind: "Kind",
    title: "Title",
    description: "Description",
    sectors: "For which lines of work",
    sectors_hint: "None ticked: any line of work.",
    districts: "Districts (codes)",
    districts_hint: "Separated by commas, e.g. br-gaya, br-nalanda. Empty: all the provider's districts.",
    gender: "For whom",
    anyone: "Anyone",
    min_age: "Youngest age",
    max_age: "Oldest age",
    min_amount: "Smallest amount (₹)",
    max_amount: "Largest amount (₹)",
    valid_until: "Valid until",
    sector: "Line of work",
    any_sector: "— any —",
    amount: "Amount (₹)",
    attendees: "How many people",
    archive: "Archive",
    archive_hint: "Once archived it no longer shows in search or in meeting suggestions.",
    edit_link: "Edit",
};
