//! `stillpoint token`: create, list and revoke the tokens associations publish with. The token
//! itself is printed once, by `create`; nothing here ever prints a secret or a hash.

use std::io::Write as _;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use jiff::Timestamp;
use stillpoint_auth::{TokenInfo, TokenStore, parse_validity};

use super::EXIT_USAGE;
use crate::cli::{TokenArgs, TokenCommand, TokenCreateArgs, TokenListArgs, TokenRevokeArgs};
use crate::context::Context;

pub fn run(context: &Context, args: &TokenArgs) -> anyhow::Result<ExitCode> {
    match &args.command {
        TokenCommand::Create(args) => create(context, args),
        TokenCommand::List(args) => list(context, args),
        TokenCommand::Revoke(args) => revoke(context, args),
    }
}

fn create(context: &Context, args: &TokenCreateArgs) -> anyhow::Result<ExitCode> {
    let valid_for = match &args.expires {
        Some(text) => match parse_validity(text) {
            Ok(valid_for) => valid_for,
            Err(err) => {
                eprintln!("error: --expires: {err}");
                return Ok(ExitCode::from(EXIT_USAGE));
            }
        },
        None => {
            Duration::from_secs(u64::from(context.config.publishing.token_expiry_days) * 86_400)
        }
    };
    check_association(context, &args.association)?;
    let state_dir = context.state_dir();
    std::fs::create_dir_all(&state_dir)
        .with_context(|| format!("creating the state directory {}", state_dir.display()))?;
    let store = TokenStore::open(&state_dir)?;
    let (info, secret) = store
        .create(&args.association, args.label.as_deref(), valid_for)
        .with_context(|| match &args.expires {
            Some(_) => "creating the token".to_owned(),
            None => format!(
                "creating the token valid for publishing.token_expiry_days = {}",
                context.config.publishing.token_expiry_days
            ),
        })?;
    let mut stdout = std::io::stdout().lock();
    let printed = writeln!(stdout, "{}", secret.expose()).and_then(|()| stdout.flush());
    if let Err(err) = printed {
        // Nobody saw the token, so nobody can use it: do not leave it valid.
        store
            .revoke(&info.id)
            .with_context(|| format!("revoking token {} after failing to print it", info.id))?;
        return Err(err).context(format!(
            "printing the new token (token {} was revoked again)",
            info.id
        ));
    }
    eprintln!(
        "token {} for {}, valid until {}: this is the only time it is shown, store it now \
         (the association sends it as `Authorization: Bearer <token>`)",
        info.id,
        info.association,
        when(info.expires),
    );
    Ok(ExitCode::SUCCESS)
}

/// Tokens publish for a vocabulary body; say which ids exist when the given one is not one.
fn check_association(context: &Context, association: &str) -> anyhow::Result<()> {
    let vocabulary = &context.vocabulary;
    if vocabulary.body_by_id(association).is_some() {
        return Ok(());
    }
    if let Some(body) = vocabulary.body(association) {
        anyhow::bail!(
            "unknown association id {association:?}: did you mean {:?} ({})?",
            body.id,
            body.name
        );
    }
    let ids: Vec<&str> = vocabulary.bodies.iter().map(|b| b.id.as_str()).collect();
    anyhow::bail!(
        "unknown association id {association:?}: --association takes a body id of the \
         vocabulary, one of: {}",
        ids.join(", ")
    )
}

fn list(context: &Context, args: &TokenListArgs) -> anyhow::Result<ExitCode> {
    let state_dir = context.state_dir();
    let tokens = TokenStore::open(&state_dir)?.list()?;
    let now = Timestamp::now();
    let text = if args.json {
        let listed = tokens
            .iter()
            .map(|token| {
                let mut value = serde_json::to_value(token)?;
                value["status"] = token.status(now).to_string().into();
                Ok(value)
            })
            .collect::<serde_json::Result<Vec<_>>>()?;
        let mut text = serde_json::to_string_pretty(&listed)?;
        text.push('\n');
        text
    } else if tokens.is_empty() {
        eprintln!(
            "no tokens in {} (create one with `stillpoint token create --association ID`)",
            state_dir.display()
        );
        String::new()
    } else {
        table(&tokens, now)
    };
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        // `stillpoint token list | head` is fine.
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(e).context("writing the token list")
        }
        _ => Ok(ExitCode::SUCCESS),
    }
}

fn revoke(context: &Context, args: &TokenRevokeArgs) -> anyhow::Result<ExitCode> {
    let info = TokenStore::open(&context.state_dir())?.revoke(&args.id)?;
    let label = info
        .label
        .as_deref()
        .map(|label| format!(", {}", printable(label)))
        .unwrap_or_default();
    println!(
        "revoked token {} ({}{label}) at {}: requests carrying it are refused",
        info.id,
        printable(&info.association),
        // A token revoked earlier keeps its first revocation time.
        info.revoked.map_or_else(|| "now".to_owned(), when),
    );
    Ok(ExitCode::SUCCESS)
}

/// One line per token under a header, columns padded to their widest cell.
fn table(tokens: &[TokenInfo], now: Timestamp) -> String {
    let header = [
        "ID",
        "ASSOCIATION",
        "STATUS",
        "CREATED",
        "EXPIRES",
        "LAST USED",
        "LABEL",
    ]
    .map(str::to_owned);
    let rows: Vec<[String; 7]> = std::iter::once(header)
        .chain(tokens.iter().map(|token| {
            [
                token.id.clone(),
                printable(&token.association),
                token.status(now).to_string(),
                when(token.created),
                when(token.expires),
                token.last_used.map_or_else(|| "never".to_owned(), when),
                token.label.as_deref().map(printable).unwrap_or_default(),
            ]
        }))
        .collect();
    let mut widths = [0usize; 7];
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut text = String::new();
    for row in &rows {
        let mut line = String::new();
        for (n, cell) in row.iter().enumerate() {
            if n > 0 {
                line.push_str("  ");
            }
            line.push_str(cell);
            let pad = widths[n].saturating_sub(cell.chars().count());
            line.extend(std::iter::repeat_n(' ', pad));
        }
        text.push_str(line.trim_end());
        text.push('\n');
    }
    text
}

/// A time to the minute, UTC.
fn when(at: Timestamp) -> String {
    at.strftime("%Y-%m-%dT%H:%MZ").to_string()
}

/// Text from the tokens file as it may be shown in a terminal: control characters (escape
/// sequences in a hand-edited file) replaced.
fn printable(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { '\u{fffd}' } else { c })
        .collect()
}
