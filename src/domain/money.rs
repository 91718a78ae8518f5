//! Money as people in India read it.

/// Formats rupees the Indian way: ₹1,50,000.
pub fn rupees(amount: i64) -> String {
    let digits = amount.unsigned_abs().to_string();
    let (head, tail) = digits.split_at(digits.len().saturating_sub(3));
    let mut groups = Vec::new();
    let mut rest = head;
    while rest.len() > 2 {
        let (left, right) = rest.split_at(rest.len() - 2);
        groups.push(right);
        rest = left;
    }
    if !rest.is_empty() {
        groups.push(rest);
    }
    groups.reverse();
    let sign = if amount < 0 { "-" } else { "" };
    if groups.is_empty() {
        format!("{sign}₹{tail}")
    } else {
        format!("{sign}₹{},{tail}", groups.join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::rupees;

    #[test]
    fn rupees_are_grouped_the_indian_way() {
        assert_eq!(rupees(500), "₹500");
        assert_eq!(rupees(45_000), "₹45,000");
        assert_eq!(rupees(150_000), "₹1,50,000");
        assert_eq!(rupees(10_000_000), "₹1,00,00,000");
        assert_eq!(rupees(-2_500), "-₹2,500");
    }
}
