//! One-time codes with which a respondent answers alone (`kartlegg invite`, `kartlegg
//! answer`): how a code is made from random bytes, read back as typed, and hashed. The
//! random bytes come in from outside (the OS's source, in `cli::invite`), so this stays
//! plain and testable; the store keeps only `hash`, never a code.

use sha2::{Digest, Sha256};

/// The symbols of a code: digits and capitals without 0, O, 1 and I, which read alike (a
/// lowercase l is read as L). 32 of them, so a random byte's low five bits pick one evenly.
pub const ALPHABET: &[u8; 32] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";

/// Symbols in a code: 40 bits. Guessing one of a round's codes takes about 2^40 / codes
/// tries, and `answer` lets a few through a minute at most.
pub const CODE_LEN: usize = 8;

/// Symbols in a group, as printed: `K7QM-4RTX`.
const GROUP: usize = 4;

/// The code (without its dash) that `random` makes: one symbol per byte.
pub fn code_from(random: &[u8; CODE_LEN]) -> String {
    random
        .iter()
        .map(|byte| char::from(ALPHABET[usize::from(byte & 31)]))
        .collect()
}

/// A code as it is printed, in groups: `K7QM-4RTX`.
pub fn grouped(code: &str) -> String {
    let chars: Vec<char> = code.chars().collect();
    chars
        .chunks(GROUP)
        .map(|group| group.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// The code a person typed, as it was made: any case, with or without dashes and spaces.
/// `None` when it cannot be a code at all (a symbol a code never has, or too short).
pub fn read(typed: &str) -> Option<String> {
    let code: String = typed
        .chars()
        .filter(|c| !matches!(c, '-' | ' ' | '\t'))
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let valid = code.len() == CODE_LEN && code.bytes().all(|b| ALPHABET.contains(&b));
    valid.then_some(code)
}

/// What the store keeps of a code: its SHA-256, in hex.
pub fn hash(code: &str) -> String {
    hex(&Sha256::digest(code.as_bytes()))
}

/// A stored hash that no code has: that of 32 random bytes (from the OS's source), where a
/// code's is that of eight symbols. It marks a respondent who answered by code on another
/// machine, whose code works only there (an import), and can never be typed here.
pub fn sealed(random: &[u8; 32]) -> String {
    hex(&Sha256::digest(random))
}

/// The label a code's respondent is shown under (`#` and four symbols): taken from another
/// hash than the stored one, so that it says nothing of the code nor of its stored hash.
pub fn label(code: &str) -> String {
    let digest = Sha256::digest(format!("kartlegg respondent label\0{code}").as_bytes());
    let symbols: String = digest[..GROUP]
        .iter()
        .map(|byte| char::from(ALPHABET[usize::from(byte & 31)]))
        .collect();
    format!("#{symbols}")
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_has_no_symbol_that_reads_like_another() {
        let code = code_from(&[0, 31, 32, 255, 7, 100, 200, 13]);
        assert_eq!(code.len(), CODE_LEN);
        assert!(!code.contains(['0', 'O', '1', 'I', 'l']), "{code}");
        assert_eq!(code_from(&[0; CODE_LEN]), "22222222");
    }

    #[test]
    fn a_code_is_read_back_however_it_is_typed() {
        let code = code_from(&[9, 20, 3, 17, 31, 0, 12, 5]);
        let shown = grouped(&code);
        assert_eq!(shown.len(), CODE_LEN + 1);
        assert_eq!(read(&shown).as_deref(), Some(code.as_str()));
        assert_eq!(read(&shown.to_lowercase()).as_deref(), Some(code.as_str()));
        assert_eq!(read(&format!(" {} ", code)).as_deref(), Some(code.as_str()));
        assert_eq!(read("K7QM-4RT"), None, "too short");
        assert_eq!(read("K7QM-4RT0"), None, "a zero is never in a code");
        assert_eq!(read("K7QM-4RTXX"), None, "too long");
    }

    #[test]
    fn the_hash_and_the_label_say_nothing_of_the_code() {
        let code = "K7QM4RTX";
        let hash = hash(code);
        assert_eq!(hash.len(), 64);
        assert!(!hash.to_uppercase().contains(code));
        let label = label(code);
        assert_eq!(label.len(), 1 + GROUP);
        assert!(!code.contains(&label[1..]), "{label}");
        assert_ne!(label, super::label("K7QM4RTY"));
    }
}
