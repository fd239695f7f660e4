//! The readable form of a search response: a header, one row per hit, facet summaries,
//! advisories and the cursor of the next page, within 100 columns.

use std::fmt::Write as _;

use stillpoint_search::SearchRequest;
use stillpoint_search::response::{FacetCounts, Hit, SearchResponse};

/// The whole output is kept within this many columns (characters; wide scripts may overflow).
const WIDTH: usize = 100;
/// Values shown per facet; the JSON has them all.
const FACET_VALUES: usize = 5;

const RANK: usize = 3;
const NAME: usize = 20;
const PRACTICE: usize = 18;
const DISTANCE: usize = 6;
const PLACE: usize = 24;
const ACCEPTING: usize = 7;

pub fn render(response: &SearchResponse, request: &SearchRequest) -> String {
    let mut out = String::new();
    header(&mut out, response, request);
    if !response.hits.is_empty() {
        out.push('\n');
        hits(&mut out, response);
    }
    let facets: Vec<&FacetCounts> = response
        .facets
        .iter()
        .filter(|f| !f.values.is_empty())
        .collect();
    if !facets.is_empty() {
        out.push('\n');
        for facet in facets {
            // Only many selected values make a line longer than the width.
            wrap(&mut out, &facet_summary(facet), 12);
        }
    }
    if !response.advisories.is_empty() {
        out.push('\n');
        for advisory in &response.advisories {
            let note = format!("note: {}: {}", advisory.label, advisory.notice);
            wrap(&mut out, &note, 2);
        }
    }
    if let Some(cursor) = &response.next_cursor {
        out.push('\n');
        let _ = writeln!(out, "next page: --cursor {cursor}");
    }
    out
}

fn header(out: &mut String, response: &SearchResponse, request: &SearchRequest) {
    let noun = if response.total == 1 {
        "practitioner"
    } else {
        "practitioners"
    };
    let mut text = format!("{} {noun}", response.total);
    if let Some(center) = &response.center {
        let place = center
            .label
            .clone()
            .unwrap_or_else(|| format!("{:.4}, {:.4}", center.lat, center.lon));
        match request.radius {
            Some(radius) => {
                let _ = write!(text, " within {} km of {place}", number(radius.km));
            }
            None => {
                let _ = write!(text, " near {place}");
            }
        }
    }
    if let Some(b) = request.bbox {
        let _ = write!(
            text,
            " in the box {},{},{},{}",
            b.min_lon, b.min_lat, b.max_lon, b.max_lat
        );
    }
    let _ = write!(text, " · by {} · {:.1} ms", response.sort, response.took_ms);
    if response.hits.len() as u64 != response.total {
        let first = response.offset + 1;
        let last = response.offset + response.hits.len();
        if response.hits.is_empty() {
            text.push_str(" · no hits on this page");
        } else {
            let _ = write!(text, " · showing {first}-{last}");
        }
    }
    wrap(out, &text, 2);
    if let Some(center) = &response.center
        && !center.alternatives.is_empty()
    {
        let others: Vec<&str> = center
            .alternatives
            .iter()
            .map(|p| p.label.as_str())
            .collect();
        wrap_list(out, "did you mean:", &others);
    }
}

fn hits(out: &mut String, response: &SearchResponse) {
    let with_distance = response.center.is_some();
    let credentials = WIDTH
        - (RANK + NAME + PRACTICE + PLACE + ACCEPTING + 5)
        - if with_distance { DISTANCE + 1 } else { 0 };
    let mut row =
        |rank: &str, name: &str, practice: &str, km: &str, place: &str, creds: &str, acc: &str| {
            let mut cells = vec![
                format!("{rank:>RANK$}"),
                fit(name, NAME),
                fit(practice, PRACTICE),
            ];
            if with_distance {
                cells.push(format!("{km:>DISTANCE$}"));
            }
            cells.extend([
                fit(place, PLACE),
                fit(creds, credentials),
                fit(acc, ACCEPTING),
            ]);
            line(out, cells.join(" ").trim_end());
        };
    row(
        "#",
        "name",
        "practice",
        "km",
        "place",
        "credentials",
        "accepts",
    );
    for (i, hit) in response.hits.iter().enumerate() {
        row(
            &(response.offset + i + 1).to_string(),
            &hit.name,
            hit.practice_name.as_deref().unwrap_or(""),
            &hit.distance_km
                .map(|km| format!("{km:.1}"))
                .unwrap_or_default(),
            &place(hit),
            &credential_list(hit),
            match hit.accepting_new_clients {
                Some(true) => "yes",
                Some(false) => "no",
                None => "",
            },
        );
    }
    if response
        .hits
        .iter()
        .any(|h| h.credentials.iter().any(|c| c.verified))
    {
        line(out, "(✓ verified by the issuing body)");
    }
}

/// City, region and country of the location nearest the centre.
fn place(hit: &Hit) -> String {
    let l = &hit.nearest_location;
    [l.city.as_deref(), l.region.as_deref(), Some(&*l.country)]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(", ")
}

/// Credential ids (`CST-D✓ BCTMB`), with their body when two bodies issue the same id.
fn credential_list(hit: &Hit) -> String {
    let credentials = &hit.credentials;
    credentials
        .iter()
        .map(|c| {
            let shared = credentials
                .iter()
                .filter(|o| o.credential == c.credential)
                .count()
                > 1;
            let name = if shared {
                format!("{}:{}", c.body, c.credential)
            } else {
                c.credential.clone()
            };
            if c.verified {
                format!("{name}✓")
            } else {
                name
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// `specialty   infants 12, [tmj] 8, migraine 5 (+14 more)`: the selected values (in brackets)
/// always, then the top values while they fit on the line, in the response's order.
fn facet_summary(facet: &FacetCounts) -> String {
    let mut chosen: Vec<bool> = facet.values.iter().map(|v| v.selected).collect();
    for i in 0..facet.values.len() {
        if chosen.iter().filter(|&&c| c).count() >= FACET_VALUES {
            break;
        }
        if !chosen[i] {
            chosen[i] = true;
            if facet_line(facet, &chosen).chars().count() > WIDTH {
                chosen[i] = false;
                break;
            }
        }
    }
    facet_line(facet, &chosen)
}

fn facet_line(facet: &FacetCounts, chosen: &[bool]) -> String {
    let shown: Vec<String> = facet
        .values
        .iter()
        .zip(chosen)
        .filter(|&(_, &c)| c)
        .map(|(v, _)| {
            if v.selected {
                format!("[{}] {}", v.value, v.count)
            } else {
                format!("{} {}", v.value, v.count)
            }
        })
        .collect();
    let mut text = format!("{:<11} {}", facet.facet, shown.join(", "));
    let rest = facet.distinct.saturating_sub(shown.len());
    if rest > 0 {
        let _ = write!(text, " (+{rest} more)");
    }
    text
}

/// A distance or radius without needless decimals: 2.3, 16.1, 140.
fn number(km: f64) -> String {
    if km >= 100.0 {
        format!("{km:.0}")
    } else {
        let text = format!("{km:.1}");
        text.strip_suffix(".0").map(str::to_string).unwrap_or(text)
    }
}

/// `text` cut to `width` characters (with an ellipsis) or padded to it.
fn fit(text: &str, width: usize) -> String {
    let count = text.chars().count();
    if count > width {
        let mut cut: String = text.chars().take(width.saturating_sub(1)).collect();
        cut.push('…');
        cut
    } else {
        format!("{text}{}", " ".repeat(width - count))
    }
}

fn line(out: &mut String, text: &str) {
    out.push_str(text);
    out.push('\n');
}

/// Word-wraps `text` to the width, continuation lines indented by `indent`.
fn wrap(out: &mut String, text: &str, indent: usize) {
    let mut current = String::new();
    for word in text.split(' ') {
        let len = current.chars().count();
        if len > 0 && len + 1 + word.chars().count() > WIDTH {
            line(out, &current);
            current = format!("{}{word}", " ".repeat(indent));
        } else {
            if len > 0 {
                current.push(' ');
            }
            current.push_str(word);
        }
    }
    line(out, &current);
}

/// `prefix item; item; ...` wrapped to the width between items, never inside one.
fn wrap_list(out: &mut String, prefix: &str, items: &[&str]) {
    let mut current = prefix.to_string();
    for (i, item) in items.iter().enumerate() {
        let piece = if i + 1 < items.len() {
            format!("{item};")
        } else {
            (*item).to_string()
        };
        if current.chars().count() + 1 + piece.chars().count() > WIDTH && current.trim() != prefix {
            line(out, &current);
            current = " ".repeat(prefix.chars().count());
        }
        current.push(' ');
        current.push_str(&piece);
    }
    line(out, &current);
}

#[cfg(test)]
mod tests {
    use stillpoint_search::response::FacetValue;

    use super::*;

    fn facet(values: &[(&str, u64, bool)]) -> FacetCounts {
        FacetCounts {
            facet: "specialty",
            values: values
                .iter()
                .map(|&(value, count, selected)| FacetValue {
                    value: value.to_string(),
                    label: value.to_string(),
                    count,
                    selected,
                })
                .collect(),
            distinct: values.len(),
        }
    }

    #[test]
    fn facet_summary_keeps_selected_values_beyond_the_top_ones() {
        let long = "a-rather-long-specialty-name";
        let counts = facet(&[
            (long, 9, false),
            (long, 8, false),
            (long, 7, false),
            (long, 6, false),
            ("infants", 1, true),
        ]);
        let text = facet_summary(&counts);
        assert!(text.contains("[infants] 1"), "{text}");
        assert!(text.ends_with("(+2 more)"), "{text}");
        assert!(text.chars().count() <= WIDTH);
    }

    #[test]
    fn facet_summary_shows_at_most_the_top_five() {
        let counts = facet(&[
            ("a", 6, false),
            ("b", 5, false),
            ("c", 4, false),
            ("d", 3, false),
            ("e", 2, false),
            ("f", 1, false),
        ]);
        assert_eq!(
            facet_summary(&counts),
            "specialty   a 6, b 5, c 4, d 3, e 2 (+1 more)"
        );
    }

    #[test]
    fn cells_are_cut_with_an_ellipsis_or_padded() {
        assert_eq!(fit("Zoë", 5), "Zoë  ");
        assert_eq!(fit("Craniosacral", 6), "Crani…");
        assert_eq!(number(16.09344), "16.1");
        assert_eq!(number(30.0), "30");
        assert_eq!(number(140.4), "140");
    }
}
