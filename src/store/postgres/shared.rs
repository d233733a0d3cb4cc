//! Sharing on the server: who may read and write is the server's (its roles and grants),
//! not a file's group, and nothing is opened for reading only.

use super::PgStore;
use crate::store::{GroupAccess, Result, SharedFile, Sharing, StoreError, UnixGroup};

impl Sharing for PgStore {
    /// A server's database is written by whoever the server lets write it.
    fn reading_only(&self) -> bool {
        false
    }

    /// A Unix group shares a database file; there is no file here to give it.
    fn share_with(&mut self, _group: &UnixGroup, _access: GroupAccess) -> Result<Vec<SharedFile>> {
        Err(StoreError::OnServer("share"))
    }
}
