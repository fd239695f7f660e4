//! What a caller asks to publish: an association, an action, a body, who asks.

use serde::{Deserialize, Serialize};
use stillpoint_ingest::Format;

use crate::spool::Spool;

/// What a publication does to the association's listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    /// The body is the complete member list: members it does not mention are removed
    /// (`PUT /v1/associations/{id}/members`). Guarded against mass deletion.
    Replace,
    /// The body's members are added or updated; nobody is removed (`POST`).
    Upsert,
    /// One member is removed; no body (`DELETE .../members/{member_id}`).
    Delete { member_id: String },
}

impl Action {
    /// `replace`, `upsert` or `delete`.
    pub fn name(&self) -> &'static str {
        match self {
            Action::Replace => "replace",
            Action::Upsert => "upsert",
            Action::Delete { .. } => "delete",
        }
    }
}

/// Who published: recorded with the publication and in the audit log. Never a secret: a token
/// is named by its id, not its value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub kind: ActorKind,
    /// The token id, the OS user of a command, the pulled feed's association.
    pub id: String,
    /// A note for people (the token's label, the command).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

/// How a publication arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActorKind {
    /// An HTTP request with an association's token.
    Token,
    /// The command line (`stillpoint ingest`, `stillpoint demo`).
    Cli,
    /// A scheduled or manual pull of a configured feed.
    Pull,
}

impl Actor {
    /// The command line, as the OS user running it (`cli` when unknown).
    pub fn cli(label: &str) -> Actor {
        let user = ["USER", "USERNAME", "LOGNAME"]
            .iter()
            .find_map(|key| std::env::var(key).ok().filter(|v| !v.is_empty()));
        Actor {
            kind: ActorKind::Cli,
            id: user.unwrap_or_else(|| "cli".to_owned()),
            label: Some(label.to_owned()),
        }
    }
}

/// A publication's body: the bytes as received, already spooled to disk.
#[derive(Debug)]
pub struct Body {
    /// The spooled bytes ([`crate::Publisher::incoming`]).
    pub spool: Spool,
    /// The format the request named (content type, file name); `None`: detected from the first
    /// bytes (`[` JSON array, `{` JSON Lines, else CSV).
    pub format: Option<Format>,
    /// How problems name the feed in messages (`name:line: field: message`): a path or a URL;
    /// empty for a request body.
    pub name: String,
}

impl Body {
    /// A request body, with the format its content type names (if any).
    pub fn new(spool: Spool, format: Option<Format>) -> Body {
        Body {
            spool,
            format,
            name: String::new(),
        }
    }
}

/// One publication to apply with [`crate::Publisher::publish`].
#[derive(Debug)]
pub struct Publication {
    /// The publishing association (a vocabulary body id).
    pub association: String,
    pub action: Action,
    /// Required for [`Action::Replace`] and [`Action::Upsert`], absent for [`Action::Delete`].
    pub body: Option<Body>,
    /// Validate and report without changing or storing anything.
    pub dry_run: bool,
    /// Let a replace remove more than the configured share of the members.
    pub allow_mass_delete: bool,
    pub actor: Actor,
}
