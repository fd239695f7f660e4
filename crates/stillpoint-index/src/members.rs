//! Who is listed: an association's members with their content hashes, and member counts per
//! association, read from fast fields (a million members are not a million stored-document
//! reads).

use std::collections::BTreeMap;
use std::path::Path;

use tantivy::{Index, Searcher, TantivyError};

use crate::error::{IndexError, Result};
use crate::index::PractitionerIndex;

/// An association's members in the index: member id (without the association prefix) -> content
/// hash of its stored record (see [`crate::StoredRecord`]).
pub type Members = foldhash::HashMap<String, u64>;

impl PractitionerIndex {
    /// The members the association has in the last commit, with their content hashes.
    pub fn members(&self, association: &str) -> Result<Members> {
        let searcher = self.reader()?.searcher();
        let prefix = format!("{association}:");
        // `:` + 1: the ids of the association are exactly the keys in [prefix, upper).
        let upper = format!("{association};");
        let mut members = Members::default();
        for segment in searcher.segment_readers() {
            let Some(ids) = segment.fast_fields().str("id")? else {
                continue;
            };
            let hashes = segment.fast_fields().u64("content_hash")?;
            // The sorted dictionary holds the association's ids as one run of ordinals.
            let mut names = Vec::new();
            let mut first = None;
            let mut stream = ids
                .dictionary()
                .range()
                .ge(prefix.as_bytes())
                .lt(upper.as_bytes())
                .into_stream()
                .map_err(io_error)?;
            while stream.advance() {
                first.get_or_insert(stream.term_ord());
                let member = stream.key().get(prefix.len()..).unwrap_or_default();
                names.push(String::from_utf8_lossy(member).into_owned());
            }
            let Some(first) = first else { continue };
            for doc in segment.doc_ids_alive() {
                let Some(ord) = ids.ords().first(doc) else {
                    continue;
                };
                let name = ord
                    .checked_sub(first)
                    .and_then(|i| names.get(usize::try_from(i).ok()?));
                if let Some(name) = name {
                    members.insert(name.clone(), hashes.first(doc).unwrap_or(0));
                }
            }
        }
        Ok(members)
    }

    /// Number of practitioners per association in the last commit.
    pub fn association_counts(&self) -> Result<BTreeMap<String, u64>> {
        counts(&self.reader()?.searcher())
    }
}

/// Number of practitioners per association in the index at `index_dir`, whatever schema built
/// it, as long as it has the `id` fast field (every Stillpoint schema has): what `stillpoint
/// rebuild` compares its new index with.
pub fn association_counts_at(index_dir: &Path) -> Result<BTreeMap<String, u64>> {
    let index = Index::open_in_dir(index_dir)?;
    let reader = index.reader()?;
    counts(&reader.searcher())
}

fn counts(searcher: &Searcher) -> Result<BTreeMap<String, u64>> {
    let mut counts = BTreeMap::new();
    for segment in searcher.segment_readers() {
        let Some(ids) = segment.fast_fields().str("id")? else {
            continue;
        };
        // Association of each ordinal, as an index into `names`.
        let mut names: Vec<String> = Vec::new();
        let mut of_ord: Vec<u32> = Vec::with_capacity(ids.num_terms());
        let mut stream = ids.dictionary().range().into_stream().map_err(io_error)?;
        while stream.advance() {
            let key = stream.key();
            let association = key.split(|&b| b == b':').next().unwrap_or(key);
            if names.last().map(String::as_bytes) != Some(association) {
                names.push(String::from_utf8_lossy(association).into_owned());
            }
            of_ord.push(u32::try_from(names.len() - 1).unwrap_or(u32::MAX));
        }
        let mut per_name = vec![0u64; names.len()];
        for doc in segment.doc_ids_alive() {
            let slot = ids
                .ords()
                .first(doc)
                .and_then(|ord| of_ord.get(usize::try_from(ord).ok()?))
                .and_then(|&i| per_name.get_mut(i as usize));
            if let Some(slot) = slot {
                *slot += 1;
            }
        }
        for (name, n) in names.into_iter().zip(per_name) {
            if n > 0 {
                *counts.entry(name).or_default() += n;
            }
        }
    }
    Ok(counts)
}

fn io_error(e: std::io::Error) -> IndexError {
    IndexError::Tantivy(TantivyError::from(e))
}

#[cfg(test)]
mod tests {
    use stillpoint_model::Practitioner;

    use super::*;
    use crate::{DocumentMapper, StoredRecord, TANTIVY_DIR, lock_index_dir};

    fn practitioner(association: &str, member: &str, name: &str) -> Practitioner {
        serde_json::from_value(serde_json::json!({
            "id": format!("{association}:{member}"),
            "association": association,
            "member_id": member,
            "name": name,
            "locations": [{"country": "US", "point": {"lat": 40.0, "lon": -105.0},
                           "point_source": "feed"}],
        }))
        .unwrap()
    }

    fn add(index: &PractitionerIndex, practitioners: &[Practitioner]) {
        let mut writer = index.writer(32 << 20).unwrap();
        let mapper = DocumentMapper::new(*index.fields());
        for p in practitioners {
            writer
                .add_document(p.id.as_str(), mapper.to_document(p), true)
                .unwrap();
        }
        writer.commit().unwrap();
        writer.finish().unwrap();
    }

    #[test]
    fn members_are_read_per_association_with_the_hash_of_their_stored_record() {
        let dir = tempfile::tempdir().unwrap();
        let index = PractitionerIndex::open_or_create(dir.path()).unwrap();
        let ana = practitioner("a", "1", "Ana");
        // `a-b` sorts between `a:` ids and `a` ids would if prefixes were matched loosely.
        add(&index, &[ana.clone(), practitioner("a-b", "1", "Ben")]);
        add(
            &index,
            &[practitioner("a", "2", "Cy"), practitioner("b", "1", "Di")],
        );
        // An update in a later segment replaces the earlier document.
        let ana2 = practitioner("a", "1", "Ana Lee");
        add(&index, std::slice::from_ref(&ana2));

        let members = index.members("a").unwrap();
        assert_eq!(members.len(), 2);
        assert_eq!(members["1"], StoredRecord::of(&ana2).hash());
        assert_ne!(members["1"], StoredRecord::of(&ana).hash());
        assert_eq!(index.member_ids("a-b").unwrap(), vec!["1".to_owned()]);
        assert!(index.members("c").unwrap().is_empty());
        let counts = index.association_counts().unwrap();
        let want = [("a", 2), ("a-b", 1), ("b", 1)].map(|(a, n)| (a.to_owned(), n));
        assert_eq!(counts, BTreeMap::from(want));
        assert_eq!(
            association_counts_at(&dir.path().join(TANTIVY_DIR)).unwrap(),
            counts
        );
    }

    #[test]
    fn a_plain_commit_keeps_the_payload_of_the_previous_one() {
        let dir = tempfile::tempdir().unwrap();
        let index = PractitionerIndex::open_or_create(dir.path()).unwrap();
        let mut writer = index.writer(32 << 20).unwrap();
        let prepared = writer.prepare_commit().unwrap();
        let generation = prepared.generation();
        assert_eq!(prepared.commit(Some("{\"x\":1}")).unwrap(), generation);
        writer.finish().unwrap();
        add(&index, &[practitioner("a", "1", "Ana")]);
        assert_eq!(
            index.commit_payload().unwrap().as_deref(),
            Some("{\"x\":1}")
        );
    }

    #[test]
    fn compaction_merges_every_segment_and_keeps_what_they_serve() {
        let dir = tempfile::tempdir().unwrap();
        let index = PractitionerIndex::open_or_create(dir.path()).unwrap();
        let mut writer = index.writer(32 << 20).unwrap();
        writer
            .prepare_commit()
            .unwrap()
            .commit(Some("{\"x\":1}"))
            .unwrap();
        writer.finish().unwrap();
        add(
            &index,
            &[practitioner("a", "1", "Ana"), practitioner("a", "2", "Cy")],
        );
        // Replaces a document of the first segment.
        let ana2 = practitioner("a", "1", "Ana Lee");
        add(&index, std::slice::from_ref(&ana2));
        let segments = || index.reader().unwrap().searcher().segment_readers().len();
        assert_eq!(segments(), 2);
        let (members, generation) = (index.members("a").unwrap(), index.generation().unwrap());

        let mut writer = index.writer(32 << 20).unwrap();
        assert_eq!(writer.compact().unwrap(), 2);
        // Nothing left to merge: nothing committed.
        assert_eq!(writer.compact().unwrap(), 0);
        writer.finish().unwrap();
        assert_eq!(segments(), 1);
        let searcher = index.reader().unwrap().searcher();
        // The replaced document is gone from the merged segment, not merely deleted.
        assert_eq!(searcher.segment_readers()[0].max_doc(), 2);
        assert_eq!(index.members("a").unwrap(), members);
        assert_eq!(index.get("a:1").unwrap(), Some(ana2));
        // A generation of its own, so that a running server reloads; the payload stays.
        assert!(index.generation().unwrap() > generation);
        assert_eq!(
            index.commit_payload().unwrap().as_deref(),
            Some("{\"x\":1}")
        );
    }

    #[test]
    fn the_directory_lock_excludes_writers() {
        let dir = tempfile::tempdir().unwrap();
        let index = PractitionerIndex::open_or_create(dir.path()).unwrap();
        let lock = lock_index_dir(&dir.path().join(TANTIVY_DIR)).unwrap();
        assert!(matches!(
            index.writer(32 << 20),
            Err(IndexError::Locked { .. })
        ));
        drop(lock);
        let writer = index.writer(32 << 20).unwrap();
        assert!(matches!(
            lock_index_dir(&dir.path().join(TANTIVY_DIR)),
            Err(IndexError::Locked { .. })
        ));
        writer.finish().unwrap();
    }
}
