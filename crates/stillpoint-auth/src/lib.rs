//! The bearer tokens associations publish with: creating them (a random `spt_<id>_<secret>`
//! shown once), storing only their SHA-256 in `<state dir>/tokens.json` (replaced atomically,
//! mode 0600, changed under an exclusive lock on `<state dir>/tokens.lock` so the CLI and a
//! running server never lose each other's writes), listing and revoking them ([`TokenStore`],
//! behind `stillpoint token`), and verifying a request's `Authorization` header in constant time
//! ([`Authenticator`], for the server, which picks up the CLI's changes within a second). A
//! refusal is a [`Denied`] (all 401); the server compares the accepted token's association with
//! the route's for the 403. No HTTP here, and no secret ever reaches a log, an error or `Debug`.
//!
//! ```
//! use std::time::Duration;
//! use stillpoint_auth::{Authenticator, Denied, TokenStore, parse_validity};
//!
//! let state = tempfile::tempdir()?;
//! let store = TokenStore::open(state.path())?;
//! let (info, secret) = store.create("bcta-na", Some("membership office"), parse_validity("90d")?)?;
//! // Hand `secret.expose()` to the association now: it is stored nowhere.
//!
//! let auth = Authenticator::open(state.path())?;
//! let header = format!("Bearer {}", secret.expose());
//! let token = auth.verify(Some(header.as_bytes()))?;
//! assert_eq!(token.association, "bcta-na");
//! assert_eq!(auth.verify(None), Err(Denied::Missing));
//!
//! store.revoke(&info.id)?; // refused by `auth` within a second
//! auth.flush_last_used()?; // the server does this every few seconds
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod authenticator;
mod error;
mod file;
mod store;
mod token;
mod validity;

pub use authenticator::{Authenticator, Denied, RELOAD_INTERVAL};
pub use error::{AuthError, Result};
pub use store::{MAX_LABEL_CHARS, TokenInfo, TokenStatus, TokenStore};
pub use token::Secret;
pub use validity::{MAX_VALIDITY, parse_validity};
