//! One-time codes with which a respondent answers alone (`kartlegg invite`, `kartlegg
//! answer`): how a code is made from random bytes, read back as typed, and hashed. The
//! random bytes come in from outside (the OS's source, in `cli::invite` and the store), so
//! this stays plain and testable; the store keeps only `hash`, never a code.

use argon2::{Algorithm, Argon2, Params, Version};
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

/// Bytes in a database's invite key: the salt of every code's hash there (`hash`).
pub const KEY_LEN: usize = 32;

/// How a stored hash was made: `Argon2id` for every invite made since schema version 7,
/// `Sha256` for those of version 6 (and the sealed ones of an import), which still work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    Argon2id,
    Sha256,
}

impl Scheme {
    /// As the store keeps it (`invite.code_scheme`).
    pub fn code(self) -> &'static str {
        match self {
            Scheme::Argon2id => "argon2id",
            Scheme::Sha256 => "sha256",
        }
    }
}

/// Argon2id's cost: 19 MiB of memory, three passes, one lane (a little above OWASP's first
/// choice): about 40 ms per hash on this project's machines. A code has only 40 bits, so the
/// cost is what makes guessing from a copy of the database slow: 2^40 tries at ~40 ms is
/// about 1,400 years on one core for a given code, some 28 for one of a round's 50, and the
/// memory keeps a GPU from running many at once.
const MEMORY_KIB: u32 = 19 * 1024;
const PASSES: u32 = 3;

/// What the store keeps of a code: its Argon2id under the database's own random key (the
/// salt), in hex. One hash per try, so `answer` still looks a code up by its hash.
pub fn hash(code: &str, key: &[u8; KEY_LEN]) -> String {
    let params = Params::new(MEMORY_KIB, PASSES, 1, Some(32)).expect("fixed valid parameters");
    let mut out = [0u8; 32];
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(code.as_bytes(), key, &mut out)
        .expect("a code and a 32-byte key are within Argon2's limits");
    hex(&out)
}

/// The hashes a typed code may be stored under, in the order `answer` tries them: the
/// scheme of today first, then that of version 6. Only the first costs a KDF's time.
pub fn hashes(code: &str, key: &[u8; KEY_LEN]) -> [(Scheme, String); 2] {
    [
        (Scheme::Argon2id, hash(code, key)),
        (Scheme::Sha256, old_hash(code)),
    ]
}

/// The hash of schema version 6: a code's bare SHA-256, in hex. Only to find the invites made
/// then (`Scheme::Sha256`); nothing new is stored under it.
pub fn old_hash(code: &str) -> String {
    hex(&Sha256::digest(code.as_bytes()))
}

/// A stored hash that no code has: that of 32 random bytes (from the OS's source), where a
/// code's is that of eight symbols. It marks a respondent who answered by code on another
/// machine, whose code works only there (an import), and can never be typed here.
pub fn sealed(random: &[u8; 32]) -> String {
    hex(&Sha256::digest(random))
}

/// Random bytes in a label (`label`).
pub const LABEL_LEN: usize = GROUP;

/// The label a code's respondent is shown under (`#` and four symbols), from random bytes
/// drawn when the code is first used, never from the code: it says nothing of the code.
pub fn label(random: &[u8; LABEL_LEN]) -> String {
    let symbols: String = random
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
    fn the_hash_needs_the_databases_key_and_is_not_the_codes_sha256() {
        let code = "K7QM4RTX";
        let key = [7u8; KEY_LEN];
        let hash = hash(code, &key);
        assert_eq!(hash.len(), 64);
        assert!(!hash.to_uppercase().contains(code));
        assert_ne!(
            hash,
            old_hash(code),
            "the stored hash is not the bare SHA-256"
        );
        assert_eq!(
            hash,
            super::hash(code, &key),
            "the same code and key, the same hash"
        );
        assert_ne!(
            hash,
            super::hash(code, &[8u8; KEY_LEN]),
            "another database, another hash"
        );
        assert_ne!(hash, super::hash("K7QM4RTY", &key));
    }

    #[test]
    fn the_label_comes_from_its_random_bytes_alone() {
        assert_eq!(label(&[0, 1, 2, 31]), "#234Z");
        assert_eq!(
            label(&[32, 33, 34, 63]),
            "#234Z",
            "only the low five bits count"
        );
        assert_eq!(label(&[0; LABEL_LEN]).len(), 1 + GROUP);
    }
}
