//! The words of the admin tokens page, in Hindi and English (the layout's own words come from
//! [`super::registry_texts`]).

use serde::Serialize;

use super::texts::Lang;

#[derive(Debug, Serialize)]
pub struct TokenTexts {
    pub heading: &'static str,
    pub intro: &'static str,
    pub people_link: &'static str,
    pub audit_link: &'static str,
    pub create_title: &'static str,
    pub name: &'static str,
    pub name_hint: &'static str,
    pub role: &'static str,
    pub districts: &'static str,
    pub districts_hint: &'static str,
    pub create: &'static str,
    pub shown_once: &'static str,
    pub sent_twice: &'static str,
    pub list_title: &'static str,
    pub none: &'static str,
    pub created: &'static str,
    pub last_used: &'static str,
    pub never_used: &'static str,
    pub every_district: &'static str,
    pub revoked: &'static str,
    pub revoke: &'static str,
    pub fix_these: &'static str,
    pub invalid: &'static str,
    pub admins_only: &'static str,
    pub no_such_token: &'static str,
    pub form_expired: &'static str,
}

pub fn token_texts(lang: Lang) -> &'static TokenTexts {
    match lang {
        Lang::Hindi => &HINDI,
        Lang::English => &ENGLISH,
    }
}

static HINDI: TokenTexts = TokenTexts {
    heading: "मशीन टोकन",
    intro: "दूसरे सॉफ़्टवेयर (फ़ील्ड ऐप, साझेदारों के MIS) इनसे संगम के API से जुड़ते हैं। जो टोकन काम में नहीं है, उसे रद्द करें।",
    people_link: "लोग",
    audit_link: "ऑडिट लॉग",
    create_title: "नया टोकन बनाएँ",
    name: "किसके लिए",
    name_hint: "(जैसे: JEEViKA गया MIS)",
    role: "भूमिका",
    districts: "ज़िले (कोड)",
    districts_hint: "(कॉमा से अलग; ख़ाली = सभी ज़िले)",
    create: "टोकन बनाएँ",
    shown_once: "यह टोकन केवल अभी एक बार दिखेगा। इसे कॉपी करके सुरक्षित रखें:",
    sent_twice: "यह फ़ॉर्म पहले ही भेजा जा चुका है, इसलिए दूसरा टोकन नहीं बना। पहला टोकन केवल एक बार दिखाया गया था; खो गया हो तो उसे रद्द करके नया बनाएँ। टोकन:",
    list_title: "सभी टोकन",
    none: "अभी कोई टोकन नहीं है।",
    created: "बना",
    last_used: "आख़िरी उपयोग",
    never_used: "उपयोग नहीं हुआ",
    every_district: "सभी ज़िले",
    revoked: "रद्द",
    revoke: "रद्द करें",
    fix_these: "कृपया इन्हें ठीक करें:",
    invalid: "यह सही नहीं है",
    admins_only: "यह पेज केवल एडमिन के लिए है।",
    no_such_token: "यह टोकन नहीं मिला।",
    form_expired: "यह फ़ॉर्म पुराना हो गया था, इसलिए कुछ नहीं बदला। पेज फिर से खोलकर भेजें।",
};

static ENGLISH: TokenTexts = TokenTexts {
    heading: "Machine tokens",
    intro: "Other software (field apps, partners' MIS) reaches Sangam's API with these. Revoke a token that is no longer used.",
    people_link: "People",
    audit_link: "Audit log",
    create_title: "Make a token",
    name: "Held by",
    name_hint: "(e.g. JEEViKA Gaya MIS)",
    role: "Role",
    districts: "Districts (codes)",
    districts_hint: "(separated by commas; empty = every district)",
    create: "Make the token",
    shown_once: "This token is shown only now, once. Copy it and keep it safe:",
    sent_twice: "This form was sent already, so no second token was made. The token was shown once; if it is lost, revoke it and make a new one. Token:",
    list_title: "All tokens",
    none: "No tokens yet.",
    created: "Made",
    last_used: "Last used",
    never_used: "not used",
    every_district: "every district",
    revoked: "revoked",
    revoke: "Revoke",
    fix_these: "Please correct these:",
    invalid: "This is not valid",
    admins_only: "This page is for admins only.",
    no_such_token: "No such token.",
    form_expired: "This form had expired, so nothing changed. Open the page again and send it.",
};
