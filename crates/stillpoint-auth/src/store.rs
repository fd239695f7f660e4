//! The token store of one state directory, as the `stillpoint token` commands use it.

use std::fmt;
use std::path::Path;
use std::time::Duration;

use jiff::Timestamp;
use serde::Serialize;

use crate::error::{AuthError, Result};
use crate::file::{self, Document, Paths, Record};
use crate::token::{self, Secret};
use crate::validity::check_validity;

/// Longest association id accepted, in characters (vocabulary ids are far shorter).
const MAX_ASSOCIATION_CHARS: usize = 100;
/// Longest label accepted, in characters.
pub const MAX_LABEL_CHARS: usize = 200;

/// What may be shown of a token: never its secret, never its hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TokenInfo {
    /// The public id (12 lowercase hex characters), the part of the token after `spt_`.
    pub id: String,
    /// The association (vocabulary body id) the token publishes for. A route of another
    /// association answers 403 to it.
    pub association: String,
    /// A note for people: who holds the token, what it is for.
    pub label: Option<String>,
    pub created: Timestamp,
    /// The first instant at which the token is refused.
    pub expires: Timestamp,
    pub revoked: Option<Timestamp>,
    /// The last accepted request, as flushed by a server (see
    /// [`Authenticator::flush_last_used`](crate::Authenticator::flush_last_used)).
    pub last_used: Option<Timestamp>,
}

impl TokenInfo {
    /// Whether the token is accepted at `now`. Revoked wins over expired.
    pub fn status(&self, now: Timestamp) -> TokenStatus {
        if self.revoked.is_some() {
            TokenStatus::Revoked
        } else if now >= self.expires {
            TokenStatus::Expired
        } else {
            TokenStatus::Active
        }
    }
}

impl From<&Record> for TokenInfo {
    fn from(record: &Record) -> Self {
        TokenInfo {
            id: record.id.clone(),
            association: record.association.clone(),
            label: record.label.clone(),
            created: record.created,
            expires: record.expires,
            revoked: record.revoked,
            last_used: record.last_used,
        }
    }
}

/// A token's standing at some instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenStatus {
    Active,
    Expired,
    Revoked,
}

impl fmt::Display for TokenStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TokenStatus::Active => "active",
            TokenStatus::Expired => "expired",
            TokenStatus::Revoked => "revoked",
        })
    }
}

/// The tokens of one state directory (`<state_dir>/tokens.json`). Every change is a
/// read-modify-write under an exclusive lock on `<state_dir>/tokens.lock`, so the CLI and a
/// running server never lose each other's writes; reads need no lock since the file is only ever
/// replaced whole.
#[derive(Debug, Clone)]
pub struct TokenStore {
    paths: Paths,
}

impl TokenStore {
    /// The store of `state_dir`. Writes nothing: a directory or file that does not exist yet is
    /// a store without tokens (`create` needs the directory to exist).
    pub fn open(state_dir: &Path) -> Result<TokenStore> {
        match std::fs::metadata(state_dir) {
            Ok(meta) if !meta.is_dir() => Err(AuthError::NotADirectory {
                path: state_dir.to_owned(),
            }),
            Ok(_) => Ok(TokenStore {
                paths: Paths::new(state_dir),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(TokenStore {
                paths: Paths::new(state_dir),
            }),
            Err(e) => Err(AuthError::io("opening", state_dir, e)),
        }
    }

    /// The tokens file (which may not exist yet).
    pub fn path(&self) -> &Path {
        &self.paths.file
    }

    /// Creates a token for `association`, valid for `valid_for` from now (more than zero, at most
    /// [`MAX_VALIDITY`](crate::MAX_VALIDITY)). Returns the token's description and the token
    /// itself, which exists nowhere else: only its hash is stored.
    pub fn create(
        &self,
        association: &str,
        label: Option<&str>,
        valid_for: Duration,
    ) -> Result<(TokenInfo, Secret)> {
        self.create_at(association, label, valid_for, Timestamp::now())
    }

    pub(crate) fn create_at(
        &self,
        association: &str,
        label: Option<&str>,
        valid_for: Duration,
        now: Timestamp,
    ) -> Result<(TokenInfo, Secret)> {
        check_association(association)?;
        let label = label.map(check_label).transpose()?;
        check_validity(valid_for)?;
        let created = whole_second(now);
        let expires = created
            .checked_add(valid_for)
            .map_err(|_| AuthError::InvalidValidity {
                reason: "the expiry would be past the end of time".to_owned(),
            })?;
        self.update(|document| {
            let id = unused_id(document)?;
            let secret = token::random_token(&id)?;
            let record = Record {
                id,
                association: association.to_owned(),
                label,
                created,
                expires,
                revoked: None,
                last_used: None,
                hash: token::to_hex(&token::hash(secret.expose())),
            };
            let info = TokenInfo::from(&record);
            document.tokens.push(record);
            tracing::info!(token_id = %info.id, association = %info.association, "token created");
            Ok((info, secret))
        })
    }

    /// Every token in creation order, including expired and revoked ones.
    pub fn list(&self) -> Result<Vec<TokenInfo>> {
        let document = file::read(&self.paths.file)?;
        let mut tokens: Vec<TokenInfo> = document.tokens.iter().map(TokenInfo::from).collect();
        // Stable: tokens of the same second stay in the file's order, which is creation order.
        tokens.sort_by_key(|t| t.created);
        Ok(tokens)
    }

    /// Revokes the token `id`; requests carrying it are refused from then on (by a running
    /// server within a second). `id` may also be the whole token. Revoking a revoked token keeps
    /// its first revocation time. An unknown id is [`AuthError::NotFound`].
    pub fn revoke(&self, id: &str) -> Result<TokenInfo> {
        let id = id.trim();
        let id = token::parse(id)
            .map(str::to_owned)
            .unwrap_or_else(|| id.to_ascii_lowercase());
        if !token::is_id(&id) {
            return Err(AuthError::NotFound { id: None });
        }
        let not_found = || AuthError::NotFound {
            id: Some(id.clone()),
        };
        // Looked up first without the lock, so an unknown id changes nothing (and needs no
        // state directory).
        let known = file::read(&self.paths.file)?;
        if !known.tokens.iter().any(|r| r.id == id) {
            return Err(not_found());
        }
        self.update(|document| {
            let Some(record) = document.tokens.iter_mut().find(|r| r.id == id) else {
                return Err(not_found());
            };
            if record.revoked.is_none() {
                record.revoked = Some(whole_second(Timestamp::now()));
                tracing::info!(token_id = %record.id, association = %record.association, "token revoked");
            }
            Ok(TokenInfo::from(&*record))
        })
    }

    /// Reads the document under the lock, lets `change` modify it, and writes it back unless
    /// `change` fails.
    pub(crate) fn update<T>(&self, change: impl FnOnce(&mut Document) -> Result<T>) -> Result<T> {
        let _lock = file::lock(&self.paths)?;
        let mut document = file::read(&self.paths.file)?;
        let value = change(&mut document)?;
        file::write(&self.paths, &document)?;
        Ok(value)
    }
}

/// Times are stored to the second: finer would only be noise in the file and in `list --json`.
pub(crate) fn whole_second(at: Timestamp) -> Timestamp {
    Timestamp::from_second(at.as_second()).unwrap_or(at)
}

/// A fresh id. With 48 random bits a collision is all but impossible; the bound only keeps a
/// broken random source from looping forever.
fn unused_id(document: &Document) -> Result<String> {
    for _ in 0..64 {
        let id = token::random_id()?;
        if !document.tokens.iter().any(|r| r.id == id) {
            return Ok(id);
        }
    }
    Err(AuthError::Random(
        "no unused token id after 64 draws".to_owned(),
    ))
}

fn check_association(association: &str) -> Result<()> {
    let reason = if association.is_empty() {
        "it is empty"
    } else if association.chars().count() > MAX_ASSOCIATION_CHARS {
        "it is longer than 100 characters"
    } else if association
        .chars()
        .any(|c| c.is_whitespace() || c.is_control())
    {
        "it holds whitespace or control characters"
    } else {
        return Ok(());
    };
    Err(AuthError::InvalidAssociation { reason })
}

/// Labels are shown in terminals: control characters (escape sequences) are refused.
fn check_label(label: &str) -> Result<String> {
    let label = label.trim();
    let reason = if label.chars().count() > MAX_LABEL_CHARS {
        "it is longer than 200 characters"
    } else if label.chars().any(char::is_control) {
        "it holds control characters"
    } else {
        return Ok(label.to_owned());
    };
    Err(AuthError::InvalidLabel { reason })
}

#[cfg(test)]
mod tests;
