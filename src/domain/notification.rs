//! What Sangam tells people when something happens to them, in English and Hindi: short enough
//! for an SMS, naming the offering and the need so nobody has to guess which one is meant.

use super::meeting::LinkageStatus;

/// A message to one stakeholder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// Whom to tell; their phone is looked up when the message is sent.
    pub recipient_id: String,
    /// The person the message speaks of, so that erasing them takes the message too.
    pub about_id: Option<String>,
    /// What happened, as `linkage.accepted`.
    pub topic: String,
    pub text_en: String,
    pub text_hi: String,
}

/// Who and what a linkage joins, by name.
#[derive(Debug, Clone)]
pub struct LinkageParties {
    pub need_title: String,
    pub entrepreneur_id: String,
    pub entrepreneur_name: String,
    pub offering_title: String,
    pub provider_id: String,
    pub provider_name: String,
}

/// The messages a linkage's move to `status` sends: the provider hears of a proposal, the
/// entrepreneur of the provider's answer and of completion. A linkage only suggested tells
/// nobody: it is the facilitator's working list.
pub fn linkage_moved(status: LinkageStatus, parties: &LinkageParties) -> Vec<Notice> {
    let LinkageParties {
        need_title: need,
        entrepreneur_name: person,
        offering_title: offering,
        provider_name: provider,
        ..
    } = parties;
    let to_provider = |text_en: String, text_hi: String| Notice {
        recipient_id: parties.provider_id.clone(),
        about_id: Some(parties.entrepreneur_id.clone()),
        topic: format!("linkage.{status}"),
        text_en,
        text_hi,
    };
    let to_entrepreneur = |text_en: String, text_hi: String| Notice {
        recipient_id: parties.entrepreneur_id.clone(),
        about_id: Some(parties.entrepreneur_id.clone()),
        topic: format!("linkage.{status}"),
        text_en,
        text_hi,
    };
    match status {
        LinkageStatus::Suggested => Vec::new(),
        LinkageStatus::Proposed => vec![to_provider(
            format!(
                "Sangam: {person} is proposed for “{offering}” (need: “{need}”). The facilitator will call you."
            ),
            format!(
                "संगम: “{offering}” के लिए {person} का नाम प्रस्तावित है (ज़रूरत: “{need}”)। सहायक आपको फ़ोन करेंगे।"
            ),
        )],
        LinkageStatus::Accepted => vec![to_entrepreneur(
            format!("Sangam: {provider} has accepted your need “{need}” for “{offering}”."),
            format!("संगम: {provider} ने “{offering}” के लिए आपकी ज़रूरत “{need}” स्वीकार कर ली है।"),
        )],
        LinkageStatus::Declined => vec![to_entrepreneur(
            format!(
                "Sangam: “{offering}” of {provider} will not go ahead for your need “{need}”. Your facilitator will look for another."
            ),
            format!(
                "संगम: {provider} की “{offering}” आपकी ज़रूरत “{need}” के लिए आगे नहीं बढ़ेगी। आपके सहायक दूसरा विकल्प ढूँढेंगे।"
            ),
        )],
        LinkageStatus::Completed => vec![to_entrepreneur(
            format!(
                "Sangam: your need “{need}” is met through “{offering}” of {provider}. Congratulations!"
            ),
            format!("संगम: आपकी ज़रूरत “{need}” {provider} की “{offering}” से पूरी हुई। बधाई!"),
        )],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parties() -> LinkageParties {
        LinkageParties {
            need_title: "Two sewing machines".into(),
            entrepreneur_id: "st_sunita".into(),
            entrepreneur_name: "Sunita Devi".into(),
            offering_title: "MUDRA Shishu loan".into(),
            provider_id: "st_bank".into(),
            provider_name: "Union Bank, Chunar".into(),
        }
    }

    #[test]
    fn each_move_tells_the_one_who_must_act_or_hear_in_both_languages() {
        assert!(linkage_moved(LinkageStatus::Suggested, &parties()).is_empty());
        let proposed = linkage_moved(LinkageStatus::Proposed, &parties());
        assert_eq!(proposed.len(), 1);
        assert_eq!(proposed[0].recipient_id, "st_bank");
        assert!(proposed[0].text_en.contains("Sunita Devi"));
        assert!(proposed[0].text_hi.contains("प्रस्तावित"));
        let accepted = linkage_moved(LinkageStatus::Accepted, &parties());
        assert_eq!(accepted[0].recipient_id, "st_sunita");
        assert_eq!(accepted[0].topic, "linkage.accepted");
        assert!(
            accepted[0]
                .text_en
                .contains("Union Bank, Chunar has accepted")
        );
        assert!(accepted[0].text_hi.contains("स्वीकार"));
        for status in [LinkageStatus::Declined, LinkageStatus::Completed] {
            let told = linkage_moved(status, &parties());
            assert_eq!(told[0].recipient_id, "st_sunita");
            assert_eq!(told[0].about_id.as_deref(), Some("st_sunita"));
        }
    }
}
