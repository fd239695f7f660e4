//! `stillpoint demo`: several associations' generated feeds, published through the real path
//! (store, audit, commit), then the HTTP API serving them (unless `--no-serve`).

use std::process::ExitCode;

use stillpoint_demo::{FeedFormat, GenerateOptions};
use stillpoint_gazetteer::Gazetteer;
use stillpoint_ingest::Format;
use stillpoint_publish::{Action, Actor, Body, Publication};

use crate::cli::DemoArgs;
use crate::context::Context;

/// The demo's associations and their share of the practitioners.
const ASSOCIATIONS: &[(&str, f64)] = &[
    ("upledger", 0.35),
    ("bcta-na", 0.25),
    ("csta-uk", 0.2),
    ("iahp", 0.2),
];

pub fn run(context: &Context, args: &DemoArgs) -> anyhow::Result<ExitCode> {
    let index = context.open_or_create_index()?;
    let publisher = super::ingest::open_publisher(context, index.clone(), 1_000)?;
    let cities = Gazetteer::embedded().cities();
    for (i, &(association, share)) in ASSOCIATIONS.iter().enumerate() {
        let options = GenerateOptions {
            count: ((args.count as f64) * share).round().max(1.0) as usize,
            seed: args.seed.wrapping_add(i as u64),
            association: association.to_owned(),
            format: FeedFormat::Jsonl,
        };
        let mut spool = publisher.incoming()?;
        stillpoint_demo::generate(&context.vocabulary, cities, &options, &mut spool)?;
        let report = publisher.publish(Publication {
            association: association.to_owned(),
            // The demo owns these listings: a rerun with a smaller --count may shrink them.
            action: Action::Replace,
            body: Some(Body {
                spool,
                format: Some(Format::JsonLines),
                name: format!("<demo {association}>"),
            }),
            dry_run: false,
            allow_mass_delete: true,
            actor: Actor::cli("stillpoint demo"),
        })?;
        println!("{report}");
    }
    let total = index.num_practitioners()?;
    println!();
    println!(
        "Demo index ready: {total} practitioners in {}",
        context.state_dir().display()
    );
    println!("Try:");
    println!("  stillpoint geocode \"Boulder, CO\"");
    println!("  stillpoint show upledger:M-000001");
    println!("  stillpoint search \"migraine\" --near \"Boulder, CO\" --radius 30km");
    if args.no_serve {
        println!("  stillpoint serve");
        return Ok(ExitCode::SUCCESS);
    }
    // The writer is gone (each publication released it); the server reads what it wrote.
    drop(publisher);
    drop(index);
    println!();
    let listen = args.listen.unwrap_or(context.config.server.listen);
    // With port 0 the address is only known once bound; the server prints it then.
    if listen.port() != 0 {
        println!("Then, with the server below running:");
        println!("  curl 'http://{listen}/v1/search?q=migraine&near=Boulder,+CO&radius=30km'");
        println!();
    }
    super::serve::serve(context, listen)?;
    Ok(ExitCode::SUCCESS)
}
