//! `stillpoint search`: one search over the index, printed as a table or as the JSON response.

mod table;

use std::io::Write as _;
use std::process::ExitCode;

use anyhow::Context as _;
use stillpoint_search::{Facet, Filters, Flags, SearchError, SearchRequest};

use super::EXIT_USAGE;
use crate::cli::SearchArgs;
use crate::context::Context;

pub fn run(context: &Context, args: &SearchArgs) -> anyhow::Result<ExitCode> {
    let index = context.open_index()?;
    let engine = context.engine(&index)?;
    let request = request(args);
    let response = match engine.search(&request) {
        Ok(response) => response,
        Err(SearchError::Invalid(params)) => {
            for param in &params {
                eprintln!("error: {param}");
            }
            return Ok(ExitCode::from(EXIT_USAGE));
        }
        Err(err) => return Err(err.into()),
    };
    let mut text = if args.json {
        serde_json::to_string_pretty(&response)?
    } else {
        table::render(&response, &request)
    };
    if !text.ends_with('\n') {
        text.push('\n');
    }
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        // `stillpoint search ... | head` is fine.
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(e).context("writing the results")
        }
        _ => Ok(ExitCode::SUCCESS),
    }
}

/// The flags as a request, unvalidated: the engine checks it and names every invalid field.
pub fn request(args: &SearchArgs) -> SearchRequest {
    let mut filters = Filters::default();
    for (facet, values) in [
        (Facet::Approach, &args.approach),
        (Facet::Body, &args.body),
        (Facet::Credential, &args.credential),
        (Facet::Profession, &args.profession),
        (Facet::Specialty, &args.specialty),
        (Facet::Technique, &args.technique),
        (Facet::Language, &args.language),
        (Facet::Country, &args.country),
        (Facet::Region, &args.region),
    ] {
        filters.set(facet, values.clone());
    }
    SearchRequest {
        association: args.association.clone(),
        q: args.query.clone(),
        near: args.near.clone(),
        lat: args.lat,
        lon: args.lon,
        radius: args.radius,
        bbox: args.bbox,
        filters,
        flags: Flags {
            accepting: args.accepting,
            home_visits: args.home_visits,
            wheelchair: args.wheelchair,
            sliding_scale: args.sliding_scale,
        },
        fee_max: args.fee_max,
        verified: args.verified,
        sort: args.sort,
        facets: args.facets.as_ref().map(|f| f.0.clone()),
        facet_size: args.facet_size,
        limit: args.limit,
        offset: args.offset,
        cursor: args.cursor.clone(),
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;
    use stillpoint_search::{Distance, Sort};

    use super::*;
    use crate::cli::{Cli, Command};

    fn parse(args: &[&str]) -> SearchRequest {
        let cli = Cli::try_parse_from([&["stillpoint", "search"], args].concat()).unwrap();
        match cli.command {
            Command::Search(args) => request(&args),
            other => panic!("parsed as {other:?}"),
        }
    }

    #[test]
    fn every_flag_lands_in_its_request_field() {
        let r = parse(&[
            "migraine",
            "--near",
            "Boulder, CO",
            "--radius",
            "10mi",
            "--specialty",
            "infants",
            "--specialty",
            "jaw pain",
            "--credential",
            "upledger:CST-D",
            "--accepting",
            "--wheelchair=false",
            "--fee-max",
            "120",
            "--verified",
            "--sort",
            "distance",
            "--facets",
            "specialty,region",
            "--facet-size",
            "5",
            "--limit",
            "7",
            "--offset",
            "14",
        ]);
        assert_eq!(r.q.as_deref(), Some("migraine"));
        assert_eq!(r.near.as_deref(), Some("Boulder, CO"));
        assert_eq!(r.radius, Some(Distance::km(16.09344)));
        assert_eq!(r.filters.get(Facet::Specialty), ["infants", "jaw pain"]);
        assert_eq!(r.filters.get(Facet::Credential), ["upledger:CST-D"]);
        assert_eq!(r.flags.accepting, Some(true));
        assert_eq!(r.flags.wheelchair, Some(false));
        assert_eq!(r.flags.home_visits, None);
        assert_eq!(r.fee_max, Some(120.0));
        assert!(r.verified);
        assert_eq!(r.sort, Some(Sort::Distance));
        assert_eq!(r.facets, Some(vec![Facet::Specialty, Facet::Region]));
        assert_eq!((r.facet_size, r.limit, r.offset), (5, 7, 14));
    }

    #[test]
    fn defaults_leave_the_engine_to_choose() {
        let r = parse(&[]);
        assert_eq!(r, SearchRequest::default());
    }

    #[test]
    fn negative_coordinates_and_boxes_are_values_not_flags() {
        let r = parse(&["--lat", "-33.87", "--lon", "151.2"]);
        assert_eq!((r.lat, r.lon), (Some(-33.87), Some(151.2)));
        let r = parse(&["--bbox", "-105.4,39.9,-105.1,40.1"]);
        assert_eq!(r.bbox.unwrap().min_lon, -105.4);
    }

    #[test]
    fn a_flag_without_a_value_does_not_swallow_the_query() {
        let r = parse(&["--accepting", "migraine"]);
        assert_eq!(r.flags.accepting, Some(true));
        assert_eq!(r.q.as_deref(), Some("migraine"));
    }

    #[test]
    fn facets_none_asks_for_no_counts() {
        assert_eq!(parse(&["--facets", "none"]).facets, Some(Vec::new()));
        let bad = Cli::try_parse_from(["stillpoint", "search", "--facets", "specialty,colour"]);
        assert!(bad.unwrap_err().to_string().contains("unknown facet"));
    }

    #[test]
    fn textual_values_are_checked_by_their_parsers() {
        for args in [
            ["--radius", "5 parsecs"],
            ["--bbox", "1,2,3"],
            ["--sort", "price"],
        ] {
            let cli = Cli::try_parse_from([&["stillpoint", "search"][..], &args[..]].concat());
            assert!(cli.is_err(), "{args:?}");
        }
    }

    #[test]
    fn configured_limits_map_onto_the_engine() {
        let config = stillpoint_config::Config::load(None, Vec::new()).unwrap();
        let l = crate::context::search_limits(&config.limits);
        assert_eq!(l.max_limit, config.limits.max_per_page);
        assert_eq!(l.max_window, config.limits.max_window);
        assert_eq!(l.max_radius_km, config.limits.max_radius_km);
    }
}
