//! Stakeholders: entrepreneurs and SHGs who need, institutions who offer, and everyone between.

use serde::{Deserialize, Serialize};
use validator::{Validate, ValidateEmail};

use super::consent::ConsentRecord;
use super::geography::Catalog;
use super::phone::normalize_phone;
use super::record::RecordMeta;
use super::validation::{FieldErrors, check_name, check_text, clean_text};

word_enum! {
    #[schema(description = "Who a stakeholder is. `rseti`: Rural Self Employment Training Institute; `line_department`: a government office at district level; `shg`: self-help group; `fpo`: farmer producer organisation; `mfi`: microfinance institution.")]
    StakeholderKind {
        MicroEntrepreneur => "micro_entrepreneur",
        Shg => "shg",
        Fpo => "fpo",
        Mfi => "mfi",
        Bank => "bank",
        Rseti => "rseti",
        LineDepartment => "line_department",
        Ngo => "ngo",
        Buyer => "buyer",
        Other => "other",
    }
}

impl StakeholderKind {
    /// Entrepreneurs and SHGs carry a profile that eligibility rules are checked against.
    pub fn has_profile(self) -> bool {
        matches!(
            self,
            StakeholderKind::MicroEntrepreneur | StakeholderKind::Shg
        )
    }
}

word_enum! {
    Gender { Female => "female", Male => "male", Other => "other" }
}

word_enum! {
    #[schema(description = "SC: Scheduled Caste; ST: Scheduled Tribe; OBC: Other Backward Class.")]
    SocialCategory { Sc => "SC", St => "ST", Obc => "OBC", General => "General" }
}

word_enum! {
    #[schema(description = "How far along a business is.")]
    Stage { Idea => "idea", Early => "early", Established => "established" }
}

/// A stakeholder as sent to `POST /api/v1/stakeholders`. Every problem is reported at once, each
/// under its field name.
//
// Every field is optional in Rust so that a missing one is reported by name ("is required")
// together with every other problem, not as a parse failure; the schema says what is required.
#[derive(Debug, Clone, Default, Serialize, Deserialize, Validate, utoipa::ToSchema)]
pub struct StakeholderInput {
    #[schema(value_type = StakeholderKind, required = true)]
    pub kind: Option<String>,
    /// Name in English or Latin letters; trimmed.
    #[schema(value_type = String, required = true, min_length = 1, max_length = 200, examples("Sunita Devi"))]
    pub name: Option<String>,
    /// Name in the local script.
    #[schema(max_length = 200, examples("सुनीता देवी"))]
    pub name_local: Option<String>,
    /// Home district code from `GET /api/v1/districts`.
    #[schema(value_type = String, required = true, examples("up-mirzapur"))]
    pub district: Option<String>,
    /// District codes the stakeholder works in; repeats are dropped. Absent or empty means
    /// `[district]`.
    #[schema(max_items = 100)]
    pub districts_served: Option<Vec<String>>,
    /// Free text, any language.
    #[schema(max_length = 5000)]
    pub description: Option<String>,
    pub contact: Option<ContactInput>,
    /// Only for `micro_entrepreneur` and `shg`; any other kind with a profile is refused.
    #[validate(nested)]
    pub profile: Option<ProfileInput>,
    /// Most linkages this stakeholder takes on at one meeting, as a provider.
    #[validate(range(
        min = 1,
        max = 10_000,
        message = "must be a whole number from 1 to 10000"
    ))]
    pub linkage_limit: Option<i64>,
}

/// How to reach the stakeholder.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ContactInput {
    /// Contact person.
    #[schema(max_length = 200)]
    pub person: Option<String>,
    /// An Indian mobile number (starts with 6, 7, 8 or 9), written any usual way: `98765 43210`,
    /// `098765-43210`, `+91 98765 43210`; or a landline with its STD code after a 0 or +91:
    /// `05442 252525`, `+91 542 250 1234`. Stored and returned as `+91` and ten digits.
    #[schema(examples("+919876543210"))]
    pub phone: Option<String>,
    /// Stored in lower case. An empty string is read as no email.
    #[schema(value_type = super::schema::EmailOrEmpty, required = false)]
    pub email: Option<String>,
}

/// Only for `micro_entrepreneur` and `shg`; offerings' eligibility rules are checked against it.
/// Every field is optional.
#[derive(Debug, Clone, Default, Serialize, Deserialize, Validate, utoipa::ToSchema)]
pub struct ProfileInput {
    #[schema(value_type = Option<Gender>)]
    pub gender: Option<String>,
    #[validate(range(min = 14, max = 100, message = "must be between 14 and 100"))]
    #[schema(minimum = 14, maximum = 100)]
    pub age: Option<i64>,
    #[schema(value_type = Option<SocialCategory>)]
    pub social_category: Option<String>,
    /// Member of a self-help group.
    pub shg_member: Option<bool>,
    /// Sector code from `GET /api/v1/sectors`.
    #[schema(examples("tailoring"))]
    pub sector: Option<String>,
    #[schema(value_type = Option<Stage>)]
    pub stage: Option<String>,
    /// A block of the home district. Matched to the district's list as people spell it (short or
    /// long vowels, Devanagari or Latin letters, the district's name before it as in `Mirzapur
    /// City`, a dropped final vowel) and then stored as `GET /api/v1/districts/{code}` names it; a
    /// name that matches no block is kept as given and marked `block_unverified`. A block's
    /// spelling never refuses a write.
    #[schema(examples("Chhanbey"))]
    pub block: Option<String>,
    /// Number of members of an SHG (10–20 is usual).
    #[validate(range(min = 1, max = 500, message = "must be between 1 and 500"))]
    #[schema(minimum = 1, maximum = 500)]
    pub members: Option<i64>,
}

/// A validated stakeholder, ready to store: what a stored one shows besides its id and meta.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StakeholderData {
    pub kind: StakeholderKind,
    pub name: String,
    #[schema(required = true)]
    pub name_local: Option<String>,
    /// Home district code.
    pub district: String,
    pub districts_served: Vec<String>,
    #[schema(required = true)]
    pub description: Option<String>,
    pub contact: Contact,
    #[schema(required = true)]
    pub profile: Option<Profile>,
    /// Most linkages the meeting planner suggests from this provider at one meeting; none: no
    /// limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub linkage_limit: Option<i64>,
}

/// How to reach the stakeholder. Always there in replies; without a token all three fields are
/// null.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Contact {
    #[schema(required = true)]
    pub person: Option<String>,
    /// `+91` and ten digits.
    #[schema(required = true, examples("+919876543210"))]
    pub phone: Option<String>,
    #[schema(required = true)]
    pub email: Option<String>,
}

impl Contact {
    pub fn is_empty(&self) -> bool {
        self.person.is_none() && self.phone.is_none() && self.email.is_none()
    }
}

/// A stored profile. Every field but `members` is present, null when unknown. Without a token
/// only `sector`, `stage` and `members` are shown: gender, age, social category, SHG membership
/// and block are personal data and come back null.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Profile {
    #[schema(required = true)]
    pub gender: Option<Gender>,
    #[schema(required = true)]
    pub age: Option<i64>,
    #[schema(required = true)]
    pub social_category: Option<SocialCategory>,
    /// Member of a self-help group.
    #[schema(required = true)]
    pub shg_member: Option<bool>,
    /// Sector code.
    #[schema(required = true)]
    pub sector: Option<String>,
    #[schema(required = true)]
    pub stage: Option<Stage>,
    /// As the district's block list names it, or as typed when it matched none.
    #[schema(required = true)]
    pub block: Option<String>,
    /// Number of members of an SHG; left out when not set.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub members: Option<i64>,
    /// Present and true when the block as typed matched no block of the district's list; set by
    /// the server for a facilitator to check, never by a client. Not shown without a token.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub block_unverified: bool,
}

/// A stored stakeholder, as the API returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Stakeholder {
    #[schema(examples("st_01936b2f5c8e7a41b9d2e3f4a5b6c7d8"))]
    pub id: String,
    #[serde(flatten)]
    pub data: StakeholderData,
    /// Ids of records this one may duplicate (same phone, or same name in the same district),
    /// found when it was registered; a facilitator decides. Present only when not empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub possible_duplicates: Vec<String>,
    /// For a record made by public registration: the notice the person agreed to, in which
    /// language, when. Only for facilitators and admins; absent otherwise and for records made by
    /// facilitators or imports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub consent: Option<ConsentRecord>,
    #[serde(flatten)]
    pub meta: RecordMeta,
}

const MAX_NAME: usize = 200;
const MAX_DESCRIPTION: usize = 5_000;
const MAX_DISTRICTS_SERVED: usize = 100;

impl StakeholderInput {
    pub fn validate_with(self, catalog: &Catalog) -> Result<StakeholderData, FieldErrors> {
        let mut errors = FieldErrors::new();
        if let Err(found) = self.validate() {
            errors.absorb(&found);
        }

        let kind = match clean_text(self.kind) {
            None => {
                errors.add("kind", "is required");
                None
            }
            Some(text) => StakeholderKind::parse(&text).or_else(|| {
                errors.add(
                    "kind",
                    format!("unknown kind `{text}`: {}", StakeholderKind::expected()),
                );
                None
            }),
        };

        let name = check_name(
            &mut errors,
            "name",
            &self.name.unwrap_or_default(),
            MAX_NAME,
        );
        let name_local = clean_text(self.name_local)
            .map(|local| check_name(&mut errors, "name_local", &local, MAX_NAME));
        let description = clean_text(self.description);
        if let Some(text) = &description {
            check_text(&mut errors, "description", text, MAX_DESCRIPTION);
        }

        let district = clean_text(self.district).unwrap_or_default();
        if district.is_empty() {
            errors.add("district", "is required");
        } else if !catalog.has_district(&district) {
            errors.add(
                "district",
                format!("unknown district `{district}`; see GET /api/v1/districts"),
            );
        }

        let mut districts_served = Vec::new();
        match self.districts_served {
            Some(list) if !list.is_empty() => {
                if list.len() > MAX_DISTRICTS_SERVED {
                    errors.add(
                        "districts_served",
                        format!("at most {MAX_DISTRICTS_SERVED} districts"),
                    );
                }
                for (index, code) in list.into_iter().enumerate() {
                    let code = code.trim().to_string();
                    if !catalog.has_district(&code) {
                        errors.add(
                            format!("districts_served[{index}]"),
                            format!("unknown district `{code}`"),
                        );
                    } else if !districts_served.contains(&code) {
                        districts_served.push(code);
                    }
                }
            }
            _ => districts_served.push(district.clone()),
        }

        let contact = validate_contact(self.contact.unwrap_or_default(), &mut errors);

        let profile = match (kind, self.profile) {
            (_, None) => None,
            (Some(kind), Some(_)) if !kind.has_profile() => {
                errors.add("profile", "applies only to micro_entrepreneur and shg");
                None
            }
            (_, Some(input)) => Some(validate_profile(input, &district, catalog, &mut errors)),
        };

        let data = StakeholderData {
            kind: kind.unwrap_or(StakeholderKind::Other),
            name,
            name_local,
            district,
            districts_served,
            description,
            contact,
            profile,
            linkage_limit: self.linkage_limit,
        };
        errors.into_result(data)
    }
}

impl StakeholderData {
    /// The submission form of a stored record: a PATCH is merged onto this and validated anew.
    pub fn to_input(&self) -> StakeholderInput {
        StakeholderInput {
            kind: Some(self.kind.as_str().to_string()),
            name: Some(self.name.clone()),
            name_local: self.name_local.clone(),
            district: Some(self.district.clone()),
            districts_served: Some(self.districts_served.clone()),
            description: self.description.clone(),
            contact: Some(ContactInput {
                person: self.contact.person.clone(),
                phone: self.contact.phone.clone(),
                email: self.contact.email.clone(),
            }),
            profile: self.profile.as_ref().map(|p| ProfileInput {
                gender: p.gender.map(|g| g.as_str().to_string()),
                age: p.age,
                social_category: p.social_category.map(|c| c.as_str().to_string()),
                shg_member: p.shg_member,
                sector: p.sector.clone(),
                stage: p.stage.map(|s| s.as_str().to_string()),
                block: p.block.clone(),
                members: p.members,
            }),
            linkage_limit: self.linkage_limit,
        }
    }
}

fn validate_contact(input: ContactInput, errors: &mut FieldErrors) -> Contact {
    let person = clean_text(input.person)
        .map(|person| check_name(errors, "contact.person", &person, MAX_NAME));
    let phone = clean_text(input.phone).and_then(|raw| match normalize_phone(&raw) {
        Ok(phone) => Some(phone),
        Err(why) => {
            errors.add("contact.phone", why);
            None
        }
    });
    let email = clean_text(input.email).and_then(|email| {
        if email.validate_email() && email.len() <= 254 {
            Some(email.to_lowercase())
        } else {
            errors.add("contact.email", "is not an email address");
            None
        }
    });
    Contact {
        person,
        phone,
        email,
    }
}

fn validate_profile(
    input: ProfileInput,
    district: &str,
    catalog: &Catalog,
    errors: &mut FieldErrors,
) -> Profile {
    let gender = parse_word(
        input.gender,
        "profile.gender",
        Gender::parse,
        Gender::expected,
        errors,
    );
    let social_category = parse_word(
        input.social_category,
        "profile.social_category",
        SocialCategory::parse,
        SocialCategory::expected,
        errors,
    );
    let stage = parse_word(
        input.stage,
        "profile.stage",
        Stage::parse,
        Stage::expected,
        errors,
    );
    let sector = clean_text(input.sector);
    if let Some(code) = &sector
        && !catalog.has_sector(code)
    {
        errors.add(
            "profile.sector",
            format!("unknown sector `{code}`; see GET /api/v1/sectors"),
        );
    }
    // A block is never a reason to refuse a record: people spell them in many ways. A spelling
    // the geography knows becomes its name; one it does not is kept as typed, for a facilitator.
    let typed_block = clean_text(input.block);
    let resolved = typed_block
        .as_deref()
        .and_then(|typed| catalog.resolve_block(district, typed));
    let block_unverified =
        typed_block.is_some() && resolved.is_none() && catalog.block_names.contains_key(district);
    let block = resolved.or(typed_block);
    Profile {
        gender,
        age: input.age,
        social_category,
        shg_member: input.shg_member,
        sector,
        stage,
        block,
        members: input.members,
        block_unverified,
    }
}

/// Parses an optional closed-set word, recording the allowed values when it is unknown.
pub(crate) fn parse_word<T>(
    value: Option<String>,
    field: &str,
    parse: fn(&str) -> Option<T>,
    expected: fn() -> String,
    errors: &mut FieldErrors,
) -> Option<T> {
    let text = clean_text(value)?;
    let parsed = parse(&text);
    if parsed.is_none() {
        errors.add(field, format!("unknown value `{text}`: {}", expected()));
    }
    parsed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog() -> Catalog {
        let mut catalog = Catalog::default();
        catalog.districts.insert("up-mirzapur".into());
        catalog.sectors.insert("tailoring".into());
        catalog
    }

    fn sunita() -> StakeholderInput {
        serde_json::from_value(serde_json::json!({
            "kind": "micro_entrepreneur", "name": " Sunita Devi ", "name_local": "सुनीता देवी",
            "district": "up-mirzapur",
            "contact": {"person": "Sunita Devi", "phone": "98765 43210", "email": null},
            "profile": {"gender": "female", "age": 31, "social_category": "SC", "shg_member": true,
                        "sector": "tailoring", "stage": "early"}
        }))
        .unwrap()
    }

    #[test]
    fn a_complete_entrepreneur_validates_with_normalised_phone_and_default_districts() {
        let data = sunita().validate_with(&catalog()).unwrap();
        assert_eq!(data.name, "Sunita Devi");
        assert_eq!(data.contact.phone.as_deref(), Some("+919876543210"));
        assert_eq!(data.districts_served, vec!["up-mirzapur".to_string()]);
        assert_eq!(data.profile.unwrap().stage, Some(Stage::Early));
    }

    #[test]
    fn every_wrong_field_is_named() {
        let mut input = sunita();
        input.kind = Some("farmer".into());
        input.district = Some("up-atlantis".into());
        input.contact.as_mut().unwrap().phone = Some("12345".into());
        input.profile.as_mut().unwrap().age = Some(-3);
        input.profile.as_mut().unwrap().sector = Some("rocketry".into());
        let errors = input.validate_with(&catalog()).unwrap_err();
        let fields: Vec<&str> = errors.fields().keys().map(String::as_str).collect();
        assert_eq!(
            fields,
            [
                "contact.phone",
                "district",
                "kind",
                "profile.age",
                "profile.sector"
            ]
        );
    }

    #[test]
    fn a_providers_linkage_limit_is_a_whole_number_from_one_and_survives_a_round_trip() {
        let mut input = sunita();
        input.kind = Some("bank".into());
        input.profile = None;
        for bad in [0, -5, 10_001] {
            input.linkage_limit = Some(bad);
            let errors = input.clone().validate_with(&catalog()).unwrap_err();
            assert!(errors.fields().contains_key("linkage_limit"), "{bad}");
        }
        input.linkage_limit = Some(4);
        let data = input.validate_with(&catalog()).unwrap();
        assert_eq!(data.linkage_limit, Some(4));
        assert_eq!(data.to_input().validate_with(&catalog()).unwrap(), data);
    }

    #[test]
    fn institutions_have_no_profile() {
        let mut input = sunita();
        input.kind = Some("bank".into());
        let errors = input.validate_with(&catalog()).unwrap_err();
        assert!(errors.fields().contains_key("profile"));
    }
}
