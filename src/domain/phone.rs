//! Indian mobile numbers, normalised to `+91XXXXXXXXXX` so the same phone typed three ways is
//! recognised as one (duplicate detection depends on it).

/// Normalises a mobile number written the ways people write them: `98765 43210`, `098765-43210`,
/// `+91 98765 43210`, `91-9876543210`. Returns a reason when it is not an Indian mobile number.
pub fn normalize_mobile(raw: &str) -> Result<String, &'static str> {
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
    let national = match digits.len() {
        10 => digits.as_str(),
        11 if digits.starts_with('0') => &digits[1..],
        12 if digits.starts_with("91") => &digits[2..],
        13 if digits.starts_with("091") => &digits[3..],
        _ => {
            return Err(
                "must be a 10-digit Indian mobile number, optionally with +91 or 0 before it",
            );
        }
    };
    if plus_signs == 1 && !digits.starts_with("91") {
        return Err("only Indian (+91) mobile numbers are accepted");
    }
    if !matches!(national.as_bytes()[0], b'6'..=b'9') {
        return Err("an Indian mobile number starts with 6, 7, 8 or 9");
    }
    Ok(format!("+91{national}"))
}

#[cfg(test)]
mod tests {
    use super::normalize_mobile;

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
                normalize_mobile(raw),
                Ok("+919876543210".to_string()),
                "{raw}"
            );
        }
    }

    #[test]
    fn landlines_foreign_and_junk_are_rejected() {
        for raw in [
            "",
            "12345",
            "5876543210",
            "+44 7911 123456",
            "98765x43210",
            "9876+543210",
            "98765432101234",
        ] {
            assert!(normalize_mobile(raw).is_err(), "{raw} should be rejected");
        }
    }
}
