//! Use cases of who may write: API tokens for machines, and accounts for the people who sign in
//! to the pages. The command line calls them (it is how the first admin gets in); a page that
//! creates tokens or people should call the same, so that the checks exist once.

use crate::domain::FieldErrors;
use crate::domain::access::{Caller, Role};
use crate::domain::account::{self, Login, User};
use crate::store::Store;
use crate::store::accounts::NewUser;

use super::{Error, Result};

/// Creating tokens and accounts is for admins.
pub fn require_admin(caller: &Caller) -> Result<()> {
    if caller.role == Role::Admin {
        Ok(())
    } else {
        Err(Error::Forbidden(format!(
            "role `{}` may not create tokens or accounts; ask an admin",
            caller.role
        )))
    }
}

fn invalid(field: &str, why: impl Into<String>) -> Error {
    Error::Invalid(FieldErrors::single(field, why))
}

/// A name as given, trimmed; refused when empty.
fn name_of(text: &str) -> Result<String> {
    let name = text.trim();
    if name.is_empty() {
        return Err(invalid("name", "must not be empty"));
    }
    Ok(name.to_string())
}

/// District codes a token or account is limited to, trimmed; each must be a known district.
/// None means every district.
async fn known_districts(store: &Store, districts: &[String]) -> Result<Vec<String>> {
    let districts: Vec<String> = districts.iter().map(|d| d.trim().to_string()).collect();
    if !districts.is_empty() {
        let catalog = store.catalog().await?;
        if let Some(unknown) = districts.iter().find(|d| !catalog.has_district(d)) {
            return Err(invalid(
                "district",
                format!("unknown district `{unknown}`; see GET /api/v1/districts"),
            ));
        }
    }
    Ok(districts)
}

/// A token made by [`create_token`]: its secret is shown this once and stored only hashed.
#[derive(Debug, Clone)]
pub struct NewToken {
    pub secret: String,
    pub name: String,
    /// The districts it writes in; empty for every district.
    pub districts: Vec<String>,
}

/// A token for whoever is `name`, with `role`, limited to `districts` (none: every district).
pub async fn create_token(
    store: &Store,
    caller: &Caller,
    name: &str,
    role: Role,
    districts: &[String],
) -> Result<NewToken> {
    require_admin(caller)?;
    let name = name_of(name)?;
    let districts = known_districts(store, districts).await?;
    let secret = store.create_token(&name, role, &districts).await?;
    Ok(NewToken {
        secret,
        name,
        districts,
    })
}

/// A person to create, as typed.
#[derive(Debug, Clone, Copy)]
pub struct PersonInput<'a> {
    pub name: &'a str,
    pub email: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub role: Role,
    pub districts: &'a [String],
}

/// A person checked by [`check_person`], ready for [`create_person`].
#[derive(Debug, Clone)]
pub struct Person {
    name: String,
    email: Option<String>,
    phone: Option<String>,
    role: Role,
    districts: Vec<String>,
}

/// Checks a new person before anything is asked of them (their password): a name, an email
/// address or an Indian phone number to sign in with (or both), and known districts.
pub async fn check_person(
    store: &Store,
    caller: &Caller,
    input: PersonInput<'_>,
) -> Result<Person> {
    require_admin(caller)?;
    let name = name_of(input.name)?;
    let given = |text: Option<&str>| {
        text.map(str::trim)
            .filter(|t| !t.is_empty())
            .map(String::from)
    };
    let email = match given(input.email) {
        Some(text) => Some(
            account::parse_email(&text)
                .ok_or_else(|| invalid("email", format!("`{text}` is not an email address")))?,
        ),
        None => None,
    };
    let phone = match given(input.phone) {
        Some(text) => match Login::parse(&text) {
            Some(Login::Phone(phone)) => Some(phone),
            _ => {
                return Err(invalid(
                    "phone",
                    format!("`{text}` is not an Indian phone number"),
                ));
            }
        },
        None => None,
    };
    if email.is_none() && phone.is_none() {
        return Err(invalid(
            "email",
            "give an email address or a phone number (or both): people sign in with one of them",
        ));
    }
    let districts = known_districts(store, input.districts).await?;
    Ok(Person {
        name,
        email,
        phone,
        role: input.role,
        districts,
    })
}

/// Creates a checked person who signs in with `password` (refused if too weak), audited as done
/// by `caller`.
pub async fn create_person(
    store: &Store,
    caller: &Caller,
    person: &Person,
    password: &str,
) -> Result<User> {
    require_admin(caller)?;
    account::check_new_password(password).map_err(|why| invalid("password", why))?;
    let password_hash = account::hash_password(password);
    let new = NewUser {
        name: &person.name,
        email: person.email.as_deref(),
        phone: person.phone.as_deref(),
        role: person.role,
        districts: &person.districts,
        password_hash: Some(&password_hash),
    };
    Ok(store.create_user(&new, &caller.name).await?)
}
