//! Hand-kept tables: what GeoNames does not say but people type.

/// GeoNames numbers Canada's provinces; people and postal addresses use these letters.
pub(crate) const CA_ABBREVIATIONS: &[(&str, &str)] = &[
    ("01", "AB"),
    ("02", "BC"),
    ("03", "MB"),
    ("04", "NB"),
    ("05", "NL"),
    ("07", "NS"),
    ("08", "ON"),
    ("09", "PE"),
    ("10", "QC"),
    ("11", "SK"),
    ("12", "YT"),
    ("13", "NT"),
    ("14", "NU"),
];

/// Same for Australia's states and territories.
pub(crate) const AU_ABBREVIATIONS: &[(&str, &str)] = &[
    ("01", "ACT"),
    ("02", "NSW"),
    ("03", "NT"),
    ("04", "QLD"),
    ("05", "SA"),
    ("06", "TAS"),
    ("07", "VIC"),
    ("08", "WA"),
];

/// ZIP codes also cover territories and military post, which GeoNames files as countries of
/// their own or not at all; they still need a name when a ZIP lands there.
pub(crate) const US_POSTAL_EXTRA: &[(&str, &str)] = &[
    ("AS", "American Samoa"),
    ("GU", "Guam"),
    ("MP", "Northern Mariana Islands"),
    ("PR", "Puerto Rico"),
    ("VI", "U.S. Virgin Islands"),
    ("FM", "Federated States of Micronesia"),
    ("MH", "Marshall Islands"),
    ("PW", "Palau"),
    ("AA", "Armed Forces Americas"),
    ("AE", "Armed Forces Europe"),
    ("AP", "Armed Forces Pacific"),
];

/// Everyday and native names that GeoNames' English country names miss.
pub(crate) const COUNTRY_ALIASES: &[(&str, &str)] = &[
    ("usa", "US"),
    ("u s", "US"),
    ("u s a", "US"),
    ("america", "US"),
    ("united states of america", "US"),
    ("uk", "GB"),
    ("u k", "GB"),
    ("great britain", "GB"),
    ("britain", "GB"),
    ("deutschland", "DE"),
    ("schweiz", "CH"),
    ("suisse", "CH"),
    ("svizzera", "CH"),
    ("osterreich", "AT"),
    ("espana", "ES"),
    ("italia", "IT"),
    ("holland", "NL"),
    ("nederland", "NL"),
    ("the netherlands", "NL"),
    ("belgie", "BE"),
    ("belgique", "BE"),
    ("danmark", "DK"),
    ("sverige", "SE"),
    ("norge", "NO"),
    ("suomi", "FI"),
    ("polska", "PL"),
    ("czech republic", "CZ"),
    ("cesko", "CZ"),
    ("eire", "IE"),
    ("brasil", "BR"),
    ("aotearoa", "NZ"),
    ("korea", "KR"),
];

/// Region spellings that neither the code nor the GeoNames name covers.
pub(crate) const REGION_ALIASES: &[(&str, &str, &str)] = &[
    ("d c", "US", "DC"),
    ("newfoundland", "CA", "NL"),
    ("labrador", "CA", "NL"),
    ("pei", "CA", "PE"),
    ("p e i", "CA", "PE"),
    ("yukon territory", "CA", "YT"),
    ("bayern", "DE", "02"),
    ("nordrhein westfalen", "DE", "07"),
    ("nrw", "DE", "07"),
];

/// Abbreviations spelled both ways in place names.
pub(crate) const WORD_VARIANTS: &[(&str, &str)] = &[
    ("st", "saint"),
    ("ste", "sainte"),
    ("mt", "mount"),
    ("ft", "fort"),
    ("pt", "point"),
];

/// Nicknames that GeoNames keeps only in capitals (dropped as airport-code noise) or not at all.
pub(crate) const NICKNAMES: &[(&str, &str)] = &[
    ("nyc", "new york city"),
    ("la", "los angeles"),
    ("sf", "san francisco"),
    ("philly", "philadelphia"),
    ("nola", "new orleans"),
    ("vegas", "las vegas"),
];
