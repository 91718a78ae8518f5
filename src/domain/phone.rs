//! Indian phone numbers, normalised to `+91XXXXXXXXXX` so the same phone typed three ways is
//! recognised as one (duplicate detection depends on it).
//!
//! Mobiles are ten digits starting with 6–9. Institutions (a bank branch, the DIC, an RSETI) often
//! have only a landline: an STD code and a subscriber number, ten digits together, written with
//! the trunk `0` (`05442 252525`, `0542-2501234`) or `+91`. A bare ten-digit number starting with
//! 1–5 is refused, because it is far more often a mobile with a digit lost than a landline.

/// Normalises a mobile or landline number written the ways people write them: `98765 43210`,
/// `098765-43210`, `+91 98765 43210`, `91-9876543210`, `05442 252525`. Returns a reason when it
/// is not an Indian phone number.
pub fn normalize_phone(raw: &str) -> Result<String, &'static str> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err("is empty");
    }
    if trimmed
        .chars()
        .any(|c| !(c.is_ascii_digit() || matches!(c, ' ' | '-' | '(' | ')' | '+' | '.')))
    {
        return Err("may contain only digits, spaces, dashes, brackets and a leading +");
    }
    let plus_signs = trimmed.matches('+').count();
    let first_digit = trimmed.find(|c: char| c.is_ascii_digit()).unwrap_or(0);
    if plus_signs > 1 || trimmed.find('+').is_some_and(|at| at > first_digit) {
        return Err("has a + that is not before the number");
    }
    let digits: String = trimmed.chars().filter(char::is_ascii_digit).collect();
    let (national, prefixed) = match digits.len() {
        10 => (digits.as_str(), false),
        11 if digits.starts_with('0') => (&digits[1..], true),
        12 if digits.starts_with("91") => (&digits[2..], true),
        13 if digits.starts_with("091") => (&digits[3..], true),
        _ => {
            return Err(
                "must be a 10-digit Indian mobile number, or a landline with its STD code (05442 252525), optionally with +91 or 0 before it",
            );
        }
    };
    if plus_signs == 1 && !digits.starts_with("91") {
        return Err("only Indian (+91) phone numbers are accepted");
    }
    match national.as_bytes()[0] {
        b'6'..=b'9' => {}
        b'1'..=b'5' if prefixed => {}
        b'1'..=b'5' => {
            return Err(
                "an Indian mobile number starts with 6, 7, 8 or 9; write a landline with 0 and its STD code (05442 252525)",
            );
        }
        _ => return Err("an STD code does not start with 0 after the leading 0"),
    }
    Ok(format!("+91{national}"))
}

#[cfg(test)]
mod tests {
    use super::normalize_phone;

    #[test]
    fn common_spellings_of_one_number_normalise_alike() {
        for raw in [
            "9876543210",
            "98765 43210",
            "098765-43210",
            "+91 98765 43210",
            "91-9876543210",
            "(+91) 98765.43210",
        ] {
            assert_eq!(
                normalize_phone(raw),
                Ok("+919876543210".to_string()),
                "{raw}"
            );
        }
    }

    #[test]
    fn landlines_with_their_std_code_normalise_alike() {
        for (raw, normal) in [
            ("05442 252525", "+915442252525"),
            ("05442-252525", "+915442252525"),
            ("+91 5442 252525", "+915442252525"),
            ("0542 250 1234", "+915422501234"),
            ("(0542) 2501234", "+915422501234"),
            ("011-23456789", "+911123456789"),
        ] {
            assert_eq!(normalize_phone(raw), Ok(normal.to_string()), "{raw}");
        }
    }

    #[test]
    fn foreign_numbers_junk_and_bare_landline_shapes_are_rejected() {
        for raw in [
            "",
            "12345",
            "5876543210",
            "000542 2501234",
            "00542 250123",
            "+44 7911 123456",
            "98765x43210",
            "9876+543210",
            "98765432101234",
        ] {
            assert!(normalize_phone(raw).is_err(), "{raw} should be rejected");
        }
    }
}
