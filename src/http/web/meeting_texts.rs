//! The words of the meeting pages and the facilitator's dashboard, in Hindi and English.
//! `title` and `switch_language` are what the shared layout shows.

use serde::Serialize;

use super::texts::Lang;
use crate::domain::meeting::LinkageStatus;
use crate::domain::offering::LinkageKind;

#[derive(Debug, Serialize)]
pub struct MeetingTexts {
    pub title: &'static str,
    pub switch_language: &'static str,
    pub meetings: &'static str,
    pub dashboard: &'static str,
    pub account: &'static str,
    pub new_meeting: &'static str,
    pub meeting_title: &'static str,
    pub district: &'static str,
    pub date: &'static str,
    pub invitees: &'static str,
    pub invitees_hint: &'static str,
    pub create: &'static str,
    pub save: &'static str,
    pub no_meetings: &'static str,
    pub all_districts: &'static str,
    pub show: &'static str,
    pub meetings_count: &'static str,
    pub previous: &'static str,
    pub next: &'static str,
    pub page: &'static str,
    pub fix_these: &'static str,
    pub edit: &'static str,
    pub suggestions: &'static str,
    pub no_suggestions: &'static str,
    pub entrepreneur: &'static str,
    pub offering: &'static str,
    pub provider: &'static str,
    pub score: &'static str,
    pub status: &'static str,
    pub why: &'static str,
    pub gaps: &'static str,
    pub no_gaps: &'static str,
    pub invite: &'static str,
    pub nobody_to_invite: &'static str,
    pub briefing: &'static str,
    pub print: &'static str,
    pub note: &'static str,
    pub outcome_rupees: &'static str,
    pub outcome_trained: &'static str,
    pub outcome_order: &'static str,
    pub outcome_benefit: &'static str,
    pub outcome_required: &'static str,
    pub outcome: &'static str,
    pub form_expired: &'static str,
    pub not_your_district: &'static str,
    pub not_found: &'static str,
    pub refused: &'static str,
    pub waiting_review: &'static str,
    pub review_link: &'static str,
    pub open_needs: &'static str,
    pub kind: &'static str,
    pub sector: &'static str,
    pub count: &'static str,
    pub upcoming: &'static str,
    pub none: &'static str,
    pub figures: &'static str,
    pub linkages_plot: &'static str,
    pub rupees_plot: &'static str,
    pub trainees_plot: &'static str,
    pub meeting: &'static str,
    pub rupees_mobilised: &'static str,
    pub loans: &'static str,
    pub orders: &'static str,
    pub trainees: &'static str,
    pub every_district: &'static str,
    pub sign_in_title: &'static str,
    /// Move buttons, by the status they move to.
    #[serde(skip)]
    pub moves: [(LinkageStatus, &'static str); 4],
}

impl MeetingTexts {
    pub fn move_label(&self, to: LinkageStatus) -> &'static str {
        self.moves
            .iter()
            .find(|(status, _)| *status == to)
            .map_or("", |(_, label)| label)
    }

    /// What a completed linkage of `kind` asks for.
    pub fn outcome_label(&self, kind: LinkageKind) -> &'static str {
        match kind {
            LinkageKind::Finance => self.outcome_rupees,
            LinkageKind::Training => self.outcome_trained,
            LinkageKind::Market => self.outcome_order,
            LinkageKind::Scheme => self.outcome_benefit,
        }
    }
}

pub fn texts(lang: Lang) -> &'static MeetingTexts {
    match lang {
        Lang::Hindi => &HINDI,
        Lang::English => &ENGLISH,
    }
}

/// A status in the page's language.
pub fn status_word(lang: Lang, status: LinkageStatus) -> &'static str {
    match lang {
        Lang::English => status.as_str(),
        Lang::Hindi => match status {
            LinkageStatus::Suggested => "सुझाया गया",
            LinkageStatus::Proposed => "प्रस्तावित",
            LinkageStatus::Accepted => "स्वीकृत",
            LinkageStatus::Declined => "अस्वीकृत",
            LinkageStatus::Completed => "पूरा हुआ",
        },
    }
}

/// A linkage kind in the page's language.
pub fn kind_word(lang: Lang, kind: LinkageKind) -> &'static str {
    match lang {
        Lang::English => kind.as_str(),
        Lang::Hindi => match kind {
            LinkageKind::Finance => "वित्त",
            LinkageKind::Training => "प्रशिक्षण",
            LinkageKind::Market => "बाज़ार",
            LinkageKind::Scheme => "योजना",
        },
    }
}

pub static HINDI: MeetingTexts = MeetingTexts {
    title: "गठबंधन बैठकें",
    switch_language: "English",
    meetings: "बैठकें",
    dashboard: "डैशबोर्ड",
    account: "खाता",
    new_meeting: "नई बैठक",
    meeting_title: "बैठक का नाम",
    district: "ज़िला",
    date: "तारीख़",
    invitees: "आमंत्रित",
    invitees_hint: "जिन्हें बुलाना है उन पर निशान लगाएँ",
    create: "बैठक बनाएँ",
    save: "सहेजें",
    no_meetings: "अभी कोई बैठक नहीं।",
    all_districts: "सभी ज़िले",
    show: "दिखाएँ",
    meetings_count: "बैठकें",
    previous: "← पिछला",
    next: "अगला →",
    page: "पेज",
    fix_these: "कृपया ये ठीक करें:",
    edit: "बैठक बदलें",
    suggestions: "सुझाए गए जुड़ाव",
    no_suggestions: "अभी कोई सुझाव नहीं।",
    entrepreneur: "उद्यमी / समूह",
    offering: "पेशकश",
    provider: "देने वाला",
    score: "अंक",
    status: "स्थिति",
    why: "क्यों",
    gaps: "ज़रूरतें जिन्हें अभी कोई पूरा नहीं कर सकता",
    no_gaps: "कोई नहीं।",
    invite: "किसे बुलाएँ",
    nobody_to_invite: "कोई नहीं।",
    briefing: "बैठक की तैयारी (छापने के लिए)",
    print: "छापें",
    note: "टिप्पणी (वैकल्पिक)",
    outcome_rupees: "ऋण राशि (₹)",
    outcome_trained: "कितने लोगों ने प्रशिक्षण लिया",
    outcome_order: "ऑर्डर का मूल्य (₹)",
    outcome_benefit: "लाभ की राशि (₹)",
    outcome_required: "पूरा होने पर परिणाम लिखें (0 या अधिक)",
    outcome: "परिणाम",
    form_expired: "यह फ़ॉर्म पुराना हो गया है। पेज फिर से खोलकर दोबारा भेजें।",
    not_your_district: "यह बैठक आपके ज़िले की नहीं है।",
    not_found: "यह बैठक या जुड़ाव नहीं मिला।",
    refused: "नहीं हो सका:",
    waiting_review: "जाँच के लिए रुके पंजीकरण",
    review_link: "जाँच करें",
    open_needs: "खुली ज़रूरतें",
    kind: "प्रकार",
    sector: "क्षेत्र",
    count: "संख्या",
    upcoming: "आने वाली बैठकें",
    none: "कोई नहीं।",
    figures: "गठबंधन के आँकड़े",
    linkages_plot: "हर बैठक के जुड़ाव, स्थिति के अनुसार",
    rupees_plot: "हर बैठक से जुटाई गई राशि (₹)",
    trainees_plot: "हर बैठक से प्रशिक्षित लोग",
    meeting: "बैठक",
    rupees_mobilised: "कुल जुटाई गई राशि",
    loans: "ऋण",
    orders: "ऑर्डर",
    trainees: "प्रशिक्षित",
    every_district: "सभी ज़िले",
    sign_in_title: "साइन इन करें",
    moves: [
        (LinkageStatus::Proposed, "प्रस्ताव रखें"),
        (LinkageStatus::Accepted, "स्वीकार हुआ"),
        (LinkageStatus::Declined, "अस्वीकार हुआ"),
        (LinkageStatus::Completed, "पूरा हुआ दर्ज करें"),
    ],
};

pub static ENGLISH: MeetingTexts = MeetingTexts {
    title: "Coalition meetings",
    switch_language: "हिन्दी",
    meetings: "Meetings",
    dashboard: "Dashboard",
    account: "Account",
    new_meeting: "New meeting",
    meeting_title: "Meeting title",
    district: "District",
    date: "Date",
    invitees: "Invited",
    invitees_hint: "Tick whom to invite",
    create: "Create meeting",
    save: "Save",
    no_meetings: "No meetings yet.",
    all_districts: "All districts",
    show: "Show",
    meetings_count: "meetings",
    previous: "← Previous",
    next: "Next →",
    page: "Page",
    fix_these: "Please fix these:",
    edit: "Edit the meeting",
    suggestions: "Suggested linkages",
    no_suggestions: "No suggestions yet.",
    entrepreneur: "Entrepreneur / group",
    offering: "Offering",
    provider: "Provider",
    score: "Score",
    status: "Status",
    why: "Why",
    gaps: "Needs nothing registered can meet",
    no_gaps: "None.",
    invite: "Whom to invite",
    nobody_to_invite: "Nobody.",
    briefing: "Briefing to print",
    print: "Print",
    note: "Note (optional)",
    outcome_rupees: "Loan amount (₹)",
    outcome_trained: "How many were trained",
    outcome_order: "Order value (₹)",
    outcome_benefit: "Benefit (₹)",
    outcome_required: "give the outcome when completing (0 or more)",
    outcome: "Outcome",
    form_expired: "This form has expired. Open the page again and send it once more.",
    not_your_district: "This meeting is not in your district.",
    not_found: "No such meeting or linkage.",
    refused: "Not done:",
    waiting_review: "Registrations waiting for review",
    review_link: "Review them",
    open_needs: "Open needs",
    kind: "Kind",
    sector: "Sector",
    count: "Count",
    upcoming: "Upcoming meetings",
    none: "None.",
    figures: "Coalition figures",
    linkages_plot: "Linkages per meeting, by status",
    rupees_plot: "Rupees mobilised per meeting (₹)",
    trainees_plot: "People trained per meeting",
    meeting: "Meeting",
    rupees_mobilised: "Rupees mobilised",
    loans: "Loans",
    orders: "Orders",
    trainees: "Trained",
    every_district: "every district",
    sign_in_title: "Sign in",
    moves: [
        (LinkageStatus::Proposed, "Propose"),
        (LinkageStatus::Accepted, "Accepted"),
        (LinkageStatus::Declined, "Declined"),
        (LinkageStatus::Completed, "Record completed"),
    ],
};
