//! Stakeholders as spreadsheet rows: one column per field, the profile spread over its own
//! columns, lists joined with `;`. The columns an export writes are the columns an import reads.

use super::table::{Layout, Table, TableRow};
use crate::domain::FieldErrors;
use crate::domain::stakeholder::{ContactInput, ProfileInput, Stakeholder, StakeholderInput};

/// Columns of an export, in order. Contact columns and a person's profile (personal data: caste
/// among it) only go to token holders; what describes the enterprise goes to everyone.
const LEADING: &[&str] = &[
    "id",
    "kind",
    "name",
    "name_local",
    "district",
    "districts_served",
    "description",
];
pub const CONTACT: &[&str] = &["contact_person", "contact_phone", "contact_email"];
const PERSONAL: &[&str] = &["gender", "age", "social_category", "shg_member", "block"];
const ENTERPRISE: &[&str] = &["sector", "stage", "members"];
/// What a provider says of itself: the most linkages it takes on at one meeting.
const PROVIDER: &[&str] = &["linkage_limit"];
/// What the registry sets itself; an import accepts these columns (so an export can go back in)
/// and ignores them: imported records are new, active, and stamped as imported.
const RECORD: &[&str] = &[
    "status",
    "created_via",
    "created_by",
    "created_at",
    "updated_at",
    "demo",
];

pub const REQUIRED: &[&str] = &["kind", "name", "district"];

/// Each column an import reads, with the field of the JSON API it fills.
pub const FIELDS: &[(&str, &str)] = &[
    ("kind", "kind"),
    ("name", "name"),
    ("name_local", "name_local"),
    ("district", "district"),
    ("districts_served", "districts_served"),
    ("description", "description"),
    ("contact_person", "contact.person"),
    ("contact_phone", "contact.phone"),
    ("contact_email", "contact.email"),
    ("gender", "profile.gender"),
    ("age", "profile.age"),
    ("social_category", "profile.social_category"),
    ("shg_member", "profile.shg_member"),
    ("block", "profile.block"),
    ("sector", "profile.sector"),
    ("stage", "profile.stage"),
    ("members", "profile.members"),
    ("linkage_limit", "linkage_limit"),
];

/// The export's columns; with `private` (a token holder), the contact and personal columns too.
pub fn columns(private: bool) -> Vec<&'static str> {
    let mut columns = LEADING.to_vec();
    if private {
        columns.extend_from_slice(CONTACT);
        columns.extend_from_slice(PERSONAL);
    }
    columns.extend_from_slice(ENTERPRISE);
    columns.extend_from_slice(PROVIDER);
    columns.extend_from_slice(RECORD);
    columns
}

/// What an import file may look like.
pub fn layout(max_rows: usize) -> Layout<'static> {
    static KNOWN: std::sync::LazyLock<Vec<&'static str>> =
        std::sync::LazyLock::new(|| columns(true));
    Layout {
        known: KNOWN.as_slice(),
        required: REQUIRED,
        max_rows,
    }
}

pub fn yes_no(value: bool) -> String {
    if value { "yes" } else { "no" }.to_string()
}

fn text(value: &Option<String>) -> String {
    value.clone().unwrap_or_default()
}

fn number(value: Option<i64>) -> String {
    value.map(|n| n.to_string()).unwrap_or_default()
}

/// One export row, cell for cell with [`columns`].
pub fn row(stakeholder: &Stakeholder, private: bool) -> Vec<String> {
    let data = &stakeholder.data;
    let mut cells = vec![
        stakeholder.id.clone(),
        data.kind.as_str().to_string(),
        data.name.clone(),
        text(&data.name_local),
        data.district.clone(),
        data.districts_served.join(";"),
        text(&data.description),
    ];
    let profile = data.profile.clone().unwrap_or_default();
    if private {
        cells.extend([
            text(&data.contact.person),
            text(&data.contact.phone),
            text(&data.contact.email),
            profile.gender.map(|g| g.to_string()).unwrap_or_default(),
            number(profile.age),
            profile
                .social_category
                .map(|c| c.to_string())
                .unwrap_or_default(),
            profile.shg_member.map(yes_no).unwrap_or_default(),
            text(&profile.block),
        ]);
    }
    cells.extend([
        text(&profile.sector),
        profile.stage.map(|s| s.to_string()).unwrap_or_default(),
        number(profile.members),
        number(data.linkage_limit),
    ]);
    let meta = &stakeholder.meta;
    cells.extend([
        meta.status.to_string(),
        meta.created_via.to_string(),
        meta.created_by.clone(),
        meta.created_at.clone(),
        meta.updated_at.clone(),
        yes_no(meta.demo),
    ]);
    cells
}

/// `yes`/`no` as people type them in a sheet.
pub fn parse_yes_no(text: &str) -> Option<bool> {
    match text.trim().to_lowercase().as_str() {
        "yes" | "y" | "true" | "1" | "हाँ" | "हां" => Some(true),
        "no" | "n" | "false" | "0" | "नहीं" => Some(false),
        _ => None,
    }
}

/// A `;`-separated list cell; empty items (a trailing `;`) are dropped.
pub fn parse_list(text: Option<&str>) -> Option<Vec<String>> {
    text.map(|t| {
        t.split(';')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(str::to_string)
            .collect()
    })
}

/// A whole-number cell, or a reason recorded against `field`.
pub fn parse_number(text: Option<&str>, field: &str, errors: &mut FieldErrors) -> Option<i64> {
    let text = text?;
    match text.replace(',', "").parse::<i64>() {
        Ok(n) => Some(n),
        Err(_) => {
            errors.add(field, format!("must be a whole number, not `{text}`"));
            None
        }
    }
}

/// A row as the JSON API's input, and what could not be read from its cells (a number that is
/// not one, `maybe` for yes/no). Field names are those of the JSON API (`profile.age`), so a
/// row's errors read like those of `POST /api/v1/stakeholders`.
pub fn input_from_row(table: &Table, row: &TableRow) -> (StakeholderInput, FieldErrors) {
    let cell = |column: &str| table.cell(row, column);
    let owned = |column: &str| cell(column).map(str::to_string);
    let mut errors = FieldErrors::new();

    let contact = CONTACT
        .iter()
        .any(|c| cell(c).is_some())
        .then(|| ContactInput {
            person: owned("contact_person"),
            phone: owned("contact_phone"),
            email: owned("contact_email"),
        });
    let profile = if PERSONAL.iter().chain(ENTERPRISE).any(|c| cell(c).is_some()) {
        let shg_member = cell("shg_member").and_then(|t| {
            let parsed = parse_yes_no(t);
            if parsed.is_none() {
                errors.add(
                    "profile.shg_member",
                    format!("must be yes or no, not `{t}`"),
                );
            }
            parsed
        });
        Some(ProfileInput {
            gender: owned("gender"),
            age: parse_number(cell("age"), "profile.age", &mut errors),
            social_category: owned("social_category"),
            shg_member,
            sector: owned("sector"),
            stage: owned("stage"),
            block: owned("block"),
            members: parse_number(cell("members"), "profile.members", &mut errors),
        })
    } else {
        None
    };
    let input = StakeholderInput {
        kind: owned("kind"),
        name: owned("name"),
        name_local: owned("name_local"),
        district: owned("district"),
        districts_served: parse_list(cell("districts_served")),
        description: owned("description"),
        contact,
        profile,
        linkage_limit: parse_number(cell("linkage_limit"), "linkage_limit", &mut errors),
    };
    (input, errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(file: &str) -> Table {
        Table::read(file.as_bytes(), &layout(10)).unwrap()
    }

    #[test]
    fn a_row_becomes_the_input_the_json_api_takes() {
        let table = read(
            "name,kind,district,districts_served,contact_phone,age,shg_member,members\n\
             सुनीता देवी,shg,up-mirzapur,up-mirzapur; up-bhadohi;,'+91 98765 43210,31,Yes,12\n",
        );
        let (input, errors) = input_from_row(&table, &table.rows()[0]);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(input.name.as_deref(), Some("सुनीता देवी"));
        assert_eq!(
            input.districts_served,
            Some(vec!["up-mirzapur".to_string(), "up-bhadohi".to_string()])
        );
        assert_eq!(
            input.contact.unwrap().phone.as_deref(),
            Some("+91 98765 43210")
        );
        let profile = input.profile.unwrap();
        assert_eq!(
            (profile.age, profile.shg_member, profile.members),
            (Some(31), Some(true), Some(12))
        );
    }

    #[test]
    fn a_providers_linkage_limit_is_a_column_of_its_own_not_a_profile() {
        let table = read(
            "kind,name,district,linkage_limit\nbank,A bank,up-mirzapur,5\nrseti,B,up-mirzapur,five\n",
        );
        let (input, errors) = input_from_row(&table, &table.rows()[0]);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(input.linkage_limit, Some(5));
        assert!(input.profile.is_none(), "a bank has no profile");
        let (_, errors) = input_from_row(&table, &table.rows()[1]);
        assert!(errors.fields()["linkage_limit"].contains("`five`"));
        assert!(
            columns(false).contains(&"linkage_limit"),
            "public, not personal"
        );
    }

    #[test]
    fn cells_that_are_not_numbers_or_yes_no_are_named_by_field() {
        let table = read("kind,name,district,age,shg_member\nshg,A,up-mirzapur,thirty,maybe\n");
        let (input, errors) = input_from_row(&table, &table.rows()[0]);
        assert!(errors.fields()["profile.age"].contains("`thirty`"));
        assert!(errors.fields()["profile.shg_member"].contains("yes or no"));
        assert_eq!(input.profile.unwrap().age, None);
    }

    #[test]
    fn empty_profile_and_contact_cells_mean_none() {
        let table = read("kind,name,district,gender,contact_phone\nbank,SBI,up-mirzapur,,\n");
        let (input, _) = input_from_row(&table, &table.rows()[0]);
        assert!(input.profile.is_none() && input.contact.is_none());
    }

    #[test]
    fn no_jumble_of_bytes_makes_reading_panic() {
        use rand::{Rng, SeedableRng};
        // Delimiters, quotes, line ends, formula marks, Devanagari, a BOM and invalid UTF-8.
        let pieces: &[&[u8]] = &[
            b",",
            b";",
            b"\t",
            b"\"",
            b"\r",
            b"\n",
            b"'",
            b"=",
            b"+",
            b" ",
            b"kind",
            b"name",
            b"district",
            b"age",
            b"shg_member",
            b"contact_phone",
            b"bank",
            b"up-mirzapur",
            b"12",
            "सिलाई".as_bytes(),
            "\u{feff}".as_bytes(),
            b"\xff",
            b"\xe0\xa4",
        ];
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        for _ in 0..5_000 {
            let mut file = b"kind,name,district,age,shg_member\n".to_vec();
            if rng.random_bool(0.3) {
                file.clear();
            }
            for _ in 0..rng.random_range(0..60) {
                file.extend_from_slice(pieces[rng.random_range(0..pieces.len())]);
            }
            if let Ok(table) = Table::read(&file, &layout(50)) {
                for row in table.rows() {
                    let _ = input_from_row(&table, row);
                }
            }
        }
    }

    #[test]
    fn without_a_token_no_contact_or_personal_column_is_exported() {
        let public = columns(false);
        assert_eq!(
            columns(true).len(),
            public.len() + CONTACT.len() + PERSONAL.len()
        );
        for column in CONTACT.iter().chain(PERSONAL) {
            assert!(!public.contains(column), "{column}");
        }
        assert!(public.contains(&"sector"));
    }
}
