//! Query strings as the API reads them: repeated parameters for several values, every unknown
//! parameter named, every bad value named with its reason. The conversions to the search core's
//! request are pure functions, tested here.

use std::str::FromStr;

use stillpoint_search::request::DEFAULT_LIMIT;
use stillpoint_search::{Facet, SearchRequest};

use crate::problem::ProblemParam;

/// The parameters of one query string, consumed by name; what is left at the end is unknown.
#[derive(Debug, Default)]
pub struct Params {
    pairs: Vec<(String, String)>,
    pub errors: Vec<ProblemParam>,
}

impl Params {
    /// Splits a raw query string (`None`: no query string).
    pub fn parse(query: Option<&str>) -> Params {
        let pairs = form_urlencoded::parse(query.unwrap_or("").as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        Params {
            pairs,
            errors: Vec::new(),
        }
    }

    pub fn invalid(&mut self, name: &str, reason: impl Into<String>) {
        self.errors.push(ProblemParam {
            name: name.to_string(),
            reason: reason.into(),
        });
    }

    /// Every value of a repeatable parameter, empty values left out (an HTML form sends them).
    pub fn all(&mut self, name: &str) -> Vec<String> {
        let mut values = Vec::new();
        self.pairs.retain(|(k, v)| {
            if k == name {
                if !v.trim().is_empty() {
                    values.push(v.clone());
                }
                false
            } else {
                true
            }
        });
        values
    }

    /// The value of a single-valued parameter; an empty value counts as absent.
    pub fn one(&mut self, name: &str) -> Option<String> {
        let mut values = self.all(name);
        if values.len() > 1 {
            self.invalid(name, "is given more than once");
        }
        values.pop()
    }

    /// A required text parameter of at most `max_chars` characters (`missing` says what it is).
    pub fn text(&mut self, name: &str, max_chars: usize, missing: &str) -> Option<String> {
        let value = self.one(name);
        match &value {
            None => self.invalid(name, format!("is required{missing}")),
            Some(v) if v.chars().count() > max_chars => {
                self.invalid(name, format!("is longer than {max_chars} characters"))
            }
            Some(_) => {}
        }
        value
    }

    /// A single value parsed by `T::from_str`.
    pub fn parsed<T: FromStr>(&mut self, name: &str, what: &str) -> Option<T> {
        let text = self.one(name)?;
        match text.trim().parse::<T>() {
            Ok(value) => Some(value),
            Err(_) => {
                self.invalid(name, format!("{text:?} is not {what}"));
                None
            }
        }
    }

    /// A single value parsed by a parser that explains its refusals.
    pub fn parsed_with<T>(
        &mut self,
        name: &str,
        parse: impl Fn(&str) -> Result<T, String>,
    ) -> Option<T> {
        let text = self.one(name)?;
        match parse(text.trim()) {
            Ok(value) => Some(value),
            Err(reason) => {
                self.invalid(name, reason);
                None
            }
        }
    }

    /// `true`/`false` (also `yes`/`no`, `1`/`0`).
    pub fn flag(&mut self, name: &str) -> Option<bool> {
        self.parsed_with(name, parse_bool)
    }

    /// Names every parameter nobody asked for, and returns the errors collected.
    pub fn finish(mut self) -> Vec<ProblemParam> {
        let mut unknown: Vec<String> = Vec::new();
        for (k, _) in self.pairs.drain(..) {
            if !unknown.contains(&k) {
                unknown.push(k);
            }
        }
        for name in unknown {
            self.errors.push(ProblemParam {
                name,
                reason: "is not a parameter of this resource".into(),
            });
        }
        self.errors
    }
}

pub fn parse_bool(text: &str) -> Result<bool, String> {
    match text.to_ascii_lowercase().as_str() {
        "true" | "yes" | "1" => Ok(true),
        "false" | "no" | "0" => Ok(false),
        _ => Err(format!("{text:?} is not true or false")),
    }
}

/// Which body a search answers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Csv,
    GeoJson,
}

impl FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Format, String> {
        match s.to_ascii_lowercase().as_str() {
            "json" => Ok(Format::Json),
            "csv" => Ok(Format::Csv),
            "geojson" => Ok(Format::GeoJson),
            _ => Err(format!("{s:?} is not a format; use json, csv or geojson")),
        }
    }
}

/// How the client asked for its page, so limit errors can name the parameter it used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Paging {
    #[default]
    LimitOffset,
    Pages,
}

/// A parsed `GET /v1/search`: the request as far as it parsed, and what did not.
#[derive(Debug)]
pub struct SearchQuery {
    pub request: SearchRequest,
    pub format: Format,
    pub paging: Paging,
    /// Unknown parameters and values that did not parse; the engine checks the rest.
    pub errors: Vec<ProblemParam>,
}

/// The filter parameters shared by `/v1/search` and `/v1/facets/{facet}`: text, place, filters,
/// flags, fee and verified.
pub fn take_filters(p: &mut Params, request: &mut SearchRequest) {
    request.q = p.one("q");
    request.near = p.one("near");
    request.lat = p.parsed("lat", "a latitude in degrees");
    request.lon = p.parsed("lon", "a longitude in degrees");
    request.radius = p.parsed_with("radius", |t| t.parse());
    request.bbox = p.parsed_with("bbox", |t| t.parse());
    for facet in Facet::ALL {
        let values = p.all(facet.name());
        request.filters.set(facet, values);
    }
    request.flags.accepting = p.flag("accepting");
    request.flags.home_visits = p.flag("home_visits");
    request.flags.wheelchair = p.flag("wheelchair");
    request.flags.sliding_scale = p.flag("sliding_scale");
    request.fee_max = p.parsed("fee_max", "a number");
    request.verified = p.flag("verified").unwrap_or(false);
}

/// `GET /v1/search?...` as a search request.
pub fn search_query(query: Option<&str>) -> SearchQuery {
    let mut p = Params::parse(query);
    let mut request = SearchRequest::default();
    take_filters(&mut p, &mut request);
    request.sort = p.parsed_with("sort", |t| t.parse());
    let facet_lists = p.all("facets");
    request.facets = facets(&mut p, &facet_lists);
    if let Some(size) = p.parsed("facet_size", "a number >= 0") {
        request.facet_size = size;
    }
    request.cursor = p.one("cursor");
    let format = p
        .parsed_with("format", |t| t.parse())
        .unwrap_or(Format::Json);

    let limit: Option<usize> = p.parsed("limit", "a number >= 0");
    let offset: Option<usize> = p.parsed("offset", "a number >= 0");
    let page: Option<usize> = p.parsed("page", "a page number (1, 2, ...)");
    let per_page: Option<usize> = p.parsed("per_page", "a number >= 0");
    let mut paging = Paging::LimitOffset;
    if page.is_some() || per_page.is_some() {
        paging = Paging::Pages;
        if limit.is_some() {
            p.invalid("limit", "give either page/per_page or limit/offset");
        }
        if offset.is_some() {
            p.invalid("offset", "give either page/per_page or limit/offset");
        }
        let per_page = per_page.unwrap_or(DEFAULT_LIMIT);
        request.limit = per_page;
        match page {
            Some(0) => p.invalid("page", "pages count from 1"),
            // Saturating: a page too deep to count is refused by the engine's window check,
            // the one place that knows (and names) how deep a page may go.
            Some(page) => request.offset = (page - 1).saturating_mul(per_page),
            None => {}
        }
    } else {
        request.limit = limit.unwrap_or(DEFAULT_LIMIT);
        request.offset = offset.unwrap_or(0);
    }

    SearchQuery {
        request,
        format,
        paging,
        errors: p.finish(),
    }
}

/// `facets=specialty,region&facets=language`, or `facets=none`.
fn facets(p: &mut Params, lists: &[String]) -> Option<Vec<Facet>> {
    if lists.is_empty() {
        return None;
    }
    let mut out = Vec::new();
    for list in lists {
        for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            if name == "none" {
                continue;
            }
            match name.parse::<Facet>() {
                Ok(facet) => out.push(facet),
                Err(reason) => p.invalid("facets", reason),
            }
        }
    }
    Some(out)
}

/// The engine names `limit` and `offset`; a client that paged by `page`/`per_page` reads its
/// own names, in the parameter and in the reason (`offset + limit` is `page × per_page`).
pub fn rename_paging(params: &mut [ProblemParam], paging: Paging) {
    if paging == Paging::Pages {
        for param in params {
            param.name = match param.name.as_str() {
                "limit" => "per_page".into(),
                "offset" => "page".into(),
                _ => continue,
            };
            param.reason = param.reason.replace("offset + limit", "page × per_page");
        }
    }
}

#[cfg(test)]
mod tests {
    use stillpoint_search::{Distance, Sort};

    use super::*;

    fn ok(query: &str) -> SearchQuery {
        let q = search_query(Some(query));
        assert!(q.errors.is_empty(), "{query}: {:?}", q.errors);
        q
    }

    fn errors(query: &str) -> Vec<(String, String)> {
        let q = search_query(Some(query));
        assert!(!q.errors.is_empty(), "{query} was accepted");
        q.errors.into_iter().map(|p| (p.name, p.reason)).collect()
    }

    #[test]
    fn repeated_parameters_are_several_values() {
        let q = ok(
            "specialty=infants&specialty=jaw+pain&language=de&q=migraine&near=Boulder%2C+CO&radius=10mi",
        );
        let r = &q.request;
        assert_eq!(r.filters.get(Facet::Specialty), ["infants", "jaw pain"]);
        assert_eq!(r.filters.get(Facet::Language), ["de"]);
        assert_eq!(r.q.as_deref(), Some("migraine"));
        assert_eq!(r.near.as_deref(), Some("Boulder, CO"));
        assert_eq!(r.radius, Some(Distance::km(16.09344)));
        assert_eq!(q.format, Format::Json);
    }

    #[test]
    fn no_query_string_is_the_default_request() {
        let q = search_query(None);
        assert_eq!(q.request, SearchRequest::default());
    }

    #[test]
    fn pages_become_limit_and_offset() {
        let q = ok("page=3&per_page=25");
        assert_eq!((q.request.limit, q.request.offset), (25, 50));
        assert_eq!(q.paging, Paging::Pages);
        let q = ok("limit=5&offset=10&sort=name&format=csv");
        assert_eq!((q.request.limit, q.request.offset), (5, 10));
        assert_eq!(q.request.sort, Some(Sort::Name));
        assert_eq!(q.format, Format::Csv);
    }

    #[test]
    fn flags_facets_and_fees_parse() {
        let q = ok(
            "accepting=yes&wheelchair=false&verified=true&facets=specialty,region&facets=language&fee_max=90",
        );
        let r = &q.request;
        assert_eq!(r.flags.accepting, Some(true));
        assert_eq!(r.flags.wheelchair, Some(false));
        assert!(r.verified);
        assert_eq!(
            r.facets,
            Some(vec![Facet::Specialty, Facet::Region, Facet::Language])
        );
        assert_eq!(r.fee_max, Some(90.0));
        assert_eq!(ok("facets=none").request.facets, Some(vec![]));
    }

    #[test]
    fn empty_values_count_as_absent() {
        let q = ok("q=&near=&specialty=&lat=");
        assert_eq!(q.request, SearchRequest::default());
    }

    #[test]
    fn every_bad_and_unknown_parameter_is_named() {
        let e = errors(
            "colour=blue&radius=5parsecs&limit=many&accepting=maybe&colour=red&page=0&q=a&q=b&format=xml&facets=mood",
        );
        let names: Vec<&str> = e.iter().map(|(n, _)| n.as_str()).collect();
        for name in [
            "colour",
            "radius",
            "limit",
            "accepting",
            "page",
            "q",
            "format",
            "facets",
        ] {
            assert!(names.contains(&name), "{name} in {e:?}");
        }
        assert_eq!(names.iter().filter(|n| **n == "colour").count(), 1);
        let reason = |n: &str| e.iter().find(|(k, _)| k == n).unwrap().1.clone();
        assert!(reason("colour").contains("not a parameter"));
        assert!(reason("radius").contains("unit"));
        assert!(reason("q").contains("more than once"));
    }

    #[test]
    fn mixing_pages_and_offsets_is_refused() {
        let e = errors("page=2&offset=20");
        assert_eq!(e[0].0, "offset");
    }

    #[test]
    fn engine_limit_errors_use_the_clients_names() {
        let mut params = vec![ProblemParam {
            name: "limit".into(),
            reason: "101 is above the largest page, 100".into(),
        }];
        rename_paging(&mut params, Paging::Pages);
        assert_eq!(params[0].name, "per_page");
    }

    #[test]
    fn a_page_too_deep_to_count_is_left_to_the_window_check() {
        let q = ok("page=18446744073709551615&per_page=100");
        assert_eq!(q.request.offset, usize::MAX);
        let mut params = vec![ProblemParam {
            name: "offset".into(),
            reason: "offset + limit is 10100; at most 10000 (use the cursor to go deeper)".into(),
        }];
        rename_paging(&mut params, Paging::Pages);
        assert_eq!(params[0].name, "page");
        assert_eq!(
            params[0].reason,
            "page × per_page is 10100; at most 10000 (use the cursor to go deeper)"
        );
    }
}
