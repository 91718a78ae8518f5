//! The words of the web pages, in Hindi and English.

use serde::Serialize;

/// A page's language: Hindi unless the reader asks for English.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Hindi,
    English,
}

impl Lang {
    /// `?lang=` first, then the browser's `Accept-Language`; Hindi when neither says English.
    pub fn choose(query: Option<&str>, accept_language: Option<&str>) -> Lang {
        match query.map(str::trim) {
            Some("en") => return Lang::English,
            Some("hi") => return Lang::Hindi,
            _ => {}
        }
        let prefers_english = accept_language
            .and_then(|header| header.split(',').next())
            .is_some_and(|first| first.trim().to_ascii_lowercase().starts_with("en"));
        if prefers_english {
            Lang::English
        } else {
            Lang::Hindi
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Hindi => "hi",
            Lang::English => "en",
        }
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::Hindi => Lang::English,
            Lang::English => Lang::Hindi,
        }
    }

    pub fn texts(self) -> &'static Texts {
        match self {
            Lang::Hindi => &HINDI,
            Lang::English => &ENGLISH,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct Texts {
    pub title: &'static str,
    pub intro: &'static str,
    pub switch_language: &'static str,
    pub fix_these: &'static str,
    pub kind: &'static str,
    pub name: &'static str,
    pub name_local: &'static str,
    pub optional: &'static str,
    pub district: &'static str,
    pub choose: &'static str,
    pub phone: &'static str,
    pub phone_hint: &'static str,
    pub description: &'static str,
    /// Asked of entrepreneurs and groups: what offerings' rules are weighed against.
    pub about_you: &'static str,
    pub about_you_hint: &'static str,
    pub gender: &'static str,
    pub sector: &'static str,
    pub need: &'static str,
    pub need_kind: &'static str,
    pub need_title: &'static str,
    pub need_amount: &'static str,
    /// Above the consent notice (whose words are in `texts/consent/`).
    pub notice_title: &'static str,
    /// Beside the box that must be ticked.
    pub consent: &'static str,
    pub submit: &'static str,
    pub thanks_title: &'static str,
    pub thanks: &'static str,
    pub reference: &'static str,
    pub another: &'static str,
    /// Stakeholder kinds, by code.
    #[serde(skip)]
    pub kinds: &'static [(&'static str, &'static str)],
    /// Linkage kinds for a need, by code; "" is none.
    #[serde(skip)]
    pub need_kinds: &'static [(&'static str, &'static str)],
    /// Genders, by code; "" is not said.
    #[serde(skip)]
    pub genders: &'static [(&'static str, &'static str)],
    /// What to say of a field the registry refused, by field; the registry's own reason is
    /// added in English.
    #[serde(skip)]
    pub field_errors: &'static [(&'static str, &'static str)],
    /// For a field with no sentence of its own.
    #[serde(skip)]
    pub field_error: &'static str,
    #[serde(skip)]
    pub amount_not_a_number: &'static str,
    /// A post without this browser's form token (an old page, or another site's form).
    #[serde(skip)]
    pub form_expired: &'static str,
    /// What a phone that sent too many registrations at once sees.
    pub too_many_title: &'static str,
    pub too_many: &'static str,
}

pub static HINDI: Texts = Texts {
    title: "संगम में पंजीकरण",
    intro: "अपना नाम, ज़िला और मोबाइल नंबर दें। एक सुविधादाता आपके पंजीकरण की जाँच करके आपसे संपर्क करेगा।",
    switch_language: "English",
    fix_these: "कृपया इन्हें ठीक करें:",
    kind: "आप कौन हैं?",
    name: "नाम",
    name_local: "नाम (हिंदी में)",
    optional: "(ज़रूरी नहीं)",
    district: "ज़िला",
    choose: "— चुनें —",
    phone: "मोबाइल नंबर",
    phone_hint: "(10 अंक, जैसे 98765 43210)",
    description: "आपका काम",
    about_you: "आपके बारे में",
    about_you_hint: "उद्यमी और समूह भरें: इससे सही कर्ज़, प्रशिक्षण और ख़रीदार ढूँढने में मदद मिलती है।",
    gender: "आप महिला हैं या पुरुष?",
    sector: "काम का क्षेत्र",
    need: "आपको क्या चाहिए?",
    need_kind: "किस तरह की मदद",
    need_title: "एक पंक्ति में बताएँ",
    need_amount: "रक़म (₹)",
    notice_title: "आपकी जानकारी का उपयोग",
    consent: "मैंने ऊपर लिखी बात पढ़ ली है और मैं सहमत हूँ कि संगम मेरी यह जानकारी रखे।",
    submit: "पंजीकरण करें",
    thanks_title: "धन्यवाद",
    thanks: "आपका पंजीकरण मिल गया है। एक सुविधादाता इसकी जाँच करके आपसे संपर्क करेगा।",
    reference: "आपका संदर्भ नंबर",
    another: "एक और पंजीकरण करें",
    kinds: &[
        ("micro_entrepreneur", "सूक्ष्म उद्यमी"),
        ("shg", "स्वयं सहायता समूह (SHG)"),
        ("fpo", "किसान उत्पादक संगठन (FPO)"),
        ("bank", "बैंक"),
        ("mfi", "माइक्रोफ़ाइनेंस संस्था"),
        ("rseti", "आरसेटी (RSETI)"),
        ("buyer", "ख़रीदार / व्यापारी"),
        ("ngo", "स्वयंसेवी संस्था (NGO)"),
        ("line_department", "सरकारी विभाग"),
        ("other", "अन्य"),
    ],
    need_kinds: &[
        ("", "अभी कुछ नहीं"),
        ("finance", "कर्ज़ / ऋण"),
        ("training", "प्रशिक्षण"),
        ("market", "बाज़ार / ख़रीदार"),
        ("scheme", "सरकारी योजना"),
    ],
    genders: &[
        ("", "नहीं बताना"),
        ("female", "महिला"),
        ("male", "पुरुष"),
        ("other", "अन्य"),
    ],
    field_errors: &[
        ("name", "नाम लिखें।"),
        ("district", "अपना ज़िला चुनें।"),
        (
            "contact.phone",
            "सही मोबाइल नंबर लिखें: 10 अंक, 6, 7, 8 या 9 से शुरू।",
        ),
        (
            "profile",
            "महिला/पुरुष और काम का क्षेत्र केवल उद्यमी और समूह भरें; इन्हें ख़ाली छोड़ें।",
        ),
        ("profile.gender", "दी गई सूची में से चुनें।"),
        ("profile.sector", "काम का क्षेत्र दी गई सूची में से चुनें।"),
        ("needs[0].sector", "काम का क्षेत्र दी गई सूची में से चुनें।"),
        ("needs[0].kind", "किस तरह की मदद चाहिए, यह चुनें।"),
        ("needs[0].title", "बताएँ कि आपको क्या चाहिए।"),
        ("needs[0].amount_inr", "रक़म सही लिखें (₹1 से ₹10 करोड़ तक)।"),
        (
            "consent.given",
            "पंजीकरण के लिए आपकी सहमति ज़रूरी है: ऊपर की बात पढ़कर बॉक्स पर सही का निशान लगाएँ।",
        ),
        (
            "consent.notice_version",
            "सूचना बदल गई है: नई सूचना पढ़कर फिर से भेजें।",
        ),
    ],
    field_error: "यह जानकारी सही नहीं है।",
    amount_not_a_number: "रक़म केवल अंकों में लिखें, जैसे 45000।",
    form_expired: "यह फ़ॉर्म पुराना हो गया था, इसलिए कुछ भी सहेजा नहीं गया। अपनी जानकारी जाँचें और फिर से भेजें।",
    too_many_title: "थोड़ा रुकें",
    too_many: "इस कनेक्शन से अभी बहुत सारे पंजीकरण आए हैं। एक मिनट बाद फिर कोशिश करें।",
};

pub static ENGLISH: Texts = Texts {
    title: "Register with Sangam",
    intro: "Give your name, district and mobile number. A facilitator will check your registration and contact you.",
    switch_language: "हिंदी",
    fix_these: "Please correct these:",
    kind: "Who are you?",
    name: "Name",
    name_local: "Name in Hindi",
    optional: "(optional)",
    district: "District",
    choose: "— choose —",
    phone: "Mobile number",
    phone_hint: "(10 digits, e.g. 98765 43210)",
    description: "Your work",
    about_you: "About you",
    about_you_hint: "For entrepreneurs and groups: it helps find the right loans, training and buyers.",
    gender: "Woman or man?",
    sector: "Line of work",
    need: "What do you need?",
    need_kind: "Kind of help",
    need_title: "In one line",
    need_amount: "Amount (₹)",
    notice_title: "How your details are used",
    consent: "I have read the above and agree that Sangam keeps these details.",
    submit: "Register",
    thanks_title: "Thank you",
    thanks: "Your registration has been received. A facilitator will check it and contact you.",
    reference: "Your reference",
    another: "Register someone else",
    kinds: &[
        ("micro_entrepreneur", "Micro-entrepreneur"),
        ("shg", "Self-help group (SHG)"),
        ("fpo", "Farmer producer organisation (FPO)"),
        ("bank", "Bank"),
        ("mfi", "Microfinance institution"),
        ("rseti", "RSETI"),
        ("buyer", "Buyer / trader"),
        ("ngo", "NGO"),
        ("line_department", "Government department"),
        ("other", "Other"),
    ],
    need_kinds: &[
        ("", "Nothing now"),
        ("finance", "Loan / credit"),
        ("training", "Training"),
        ("market", "Buyers / market"),
        ("scheme", "Government scheme"),
    ],
    genders: &[
        ("", "Rather not say"),
        ("female", "Woman"),
        ("male", "Man"),
        ("other", "Other"),
    ],
    field_errors: &[
        ("name", "Write your name."),
        ("district", "Choose your district."),
        (
            "contact.phone",
            "Write a valid mobile number: 10 digits starting with 6, 7, 8 or 9.",
        ),
        (
            "profile",
            "Woman or man and line of work are asked only of entrepreneurs and groups; leave them empty.",
        ),
        ("profile.gender", "Choose from the list."),
        ("profile.sector", "Choose your line of work from the list."),
        ("needs[0].sector", "Choose your line of work from the list."),
        ("needs[0].kind", "Choose the kind of help you need."),
        ("needs[0].title", "Say what you need."),
        (
            "needs[0].amount_inr",
            "Write a valid amount (₹1 to ₹10 crore).",
        ),
        (
            "consent.given",
            "We can register you only with your consent: read the notice above and tick the box.",
        ),
        (
            "consent.notice_version",
            "The notice has changed: read the new one and send again.",
        ),
    ],
    field_error: "This is not valid.",
    amount_not_a_number: "Write the amount in digits only, e.g. 45000.",
    form_expired: "This form had expired, so nothing was saved. Check your details and send it again.",
    too_many_title: "Please wait",
    too_many: "Too many registrations have come from this connection just now. Please try again in a minute.",
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hindi_unless_english_is_asked_for() {
        assert_eq!(Lang::choose(None, None), Lang::Hindi);
        assert_eq!(
            Lang::choose(None, Some("hi-IN,hi;q=0.9,en;q=0.8")),
            Lang::Hindi
        );
        assert_eq!(Lang::choose(None, Some("en-IN,en;q=0.9")), Lang::English);
        assert_eq!(Lang::choose(Some("hi"), Some("en-GB")), Lang::Hindi);
        assert_eq!(Lang::choose(Some("en"), None), Lang::English);
        assert_eq!(Lang::choose(Some("fr"), None), Lang::Hindi);
    }

    #[test]
    fn both_languages_offer_the_same_choices() {
        let codes =
            |list: &[(&str, &str)]| list.iter().map(|(c, _)| c.to_string()).collect::<Vec<_>>();
        assert_eq!(codes(HINDI.kinds), codes(ENGLISH.kinds));
        assert_eq!(codes(HINDI.need_kinds), codes(ENGLISH.need_kinds));
        assert_eq!(codes(HINDI.genders), codes(ENGLISH.genders));
        assert_eq!(codes(HINDI.field_errors), codes(ENGLISH.field_errors));
        let kinds: Vec<String> = crate::domain::stakeholder::StakeholderKind::ALL
            .iter()
            .map(|k| k.as_str().to_string())
            .collect();
        let mut offered = codes(HINDI.kinds);
        offered.sort();
        let mut all = kinds.clone();
        all.sort();
        assert_eq!(offered, all, "every stakeholder kind can register");
    }
}
