//! `kartlegg share --group NAME`: a database shared on purpose with a Unix group on one
//! server, its members reading and writing it (or, `--read-only`, reading it), no one else
//! reading it. What is changed is said, file by file.

use std::process::ExitCode;

use super::{complain, exit, fail, print};
use crate::i18n::{Lang, trf};
use crate::store::{GroupAccess, Sharing, Store, UnixGroup};

#[derive(Debug, clap::Args)]
pub struct ShareArgs {
    /// The Unix group to share the database with; you must be one of its members
    #[arg(long, value_name = "NAME")]
    pub group: String,
    /// The group may read the database, only you write it (files 0640, folder 2750)
    #[arg(long)]
    pub read_only: bool,
}

/// The group named `name`, as the system's user database has it.
pub fn find_group(name: &str) -> Option<UnixGroup> {
    let group = nix::unistd::Group::from_name(name).ok()??;
    Some(UnixGroup {
        gid: group.gid.as_raw(),
        name: group.name,
    })
}

/// Before the database is opened: an unknown group is refused with nothing touched.
pub fn group_or_refuse(lang: Lang, args: &ShareArgs) -> Result<UnixGroup, ExitCode> {
    find_group(&args.group).ok_or_else(|| {
        complain(&trf(lang, "share.unknown_group", &[("group", &args.group)]));
        ExitCode::from(exit::FAILURE)
    })
}

pub fn run(store: &mut Store, lang: Lang, group: &UnixGroup, args: &ShareArgs) -> ExitCode {
    let access = if args.read_only {
        GroupAccess::Read
    } else {
        GroupAccess::ReadWrite
    };
    let changed = match store.share_with(group, access) {
        Ok(changed) => changed,
        Err(e) => return fail(lang, &e),
    };
    let heading = match access {
        GroupAccess::ReadWrite => "share.done_write",
        GroupAccess::Read => "share.done_read",
    };
    let mut lines = vec![trf(lang, heading, &[("group", &group.name)])];
    lines.extend(changed.iter().map(|file| {
        trf(
            lang,
            "share.changed",
            &[
                ("path", &file.path.display()),
                ("group", &group.name),
                ("mode", &format!("{:04o}", file.mode)),
            ],
        )
    }));
    lines.push(String::new());
    print(&lines.join("\n"))
}
