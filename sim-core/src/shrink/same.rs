//! "Fails the same way": the failure kind and the message, with the parts
//! of a message that change from run to run for reasons unrelated to the
//! bug (heap addresses) normalised away.

use crate::{Failure, FailureKind};

/// Whether `candidate` fails the way `original` did: the same
/// [`FailureKind`] and the same [`normalize`]d message. A nondeterminism
/// failure never matches (it is not a property of one schedule).
pub(crate) fn same_way(original: &Failure, candidate: &Failure) -> bool {
    original.kind() == candidate.kind()
        && candidate.kind() != FailureKind::Nondeterminism
        && normalize(original.message()) == normalize(candidate.message())
}

/// `message` with every heap address (`0x` and 8 or more hex digits, as
/// `{:p}` prints them) replaced by `0x…`. Other numbers are kept: "sold
/// 3 seats of 2" and "sold 4 seats of 2" are different outcomes, and a
/// shrinker that trades one for the other would hand back another bug.
pub(crate) fn normalize(message: &str) -> String {
    let bytes = message.as_bytes();
    let mut out = String::with_capacity(message.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'0' && bytes.get(i + 1) == Some(&b'x') {
            let digits = bytes[i + 2..]
                .iter()
                .take_while(|b| b.is_ascii_hexdigit())
                .count();
            if digits >= 8 {
                out.push_str("0x…");
                i += 2 + digits;
                continue;
            }
        }
        let ch = message[i..].chars().next().unwrap_or_default();
        out.push(ch);
        i += ch.len_utf8().max(1);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_normalised_and_numbers_kept() {
        assert_eq!(
            normalize("node 0x7ffd5e8c1a20 lost write 3 (0x2a)"),
            "node 0x… lost write 3 (0x2a)"
        );
        assert_eq!(normalize("ü 0xDEADBEEFCAFE"), "ü 0x…");
        assert_ne!(normalize("sold 3 of 2"), normalize("sold 4 of 2"));
    }
}
