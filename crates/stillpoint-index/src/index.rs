//! Opening, reading and writing the practitioner index.

use std::path::{Path, PathBuf};

use stillpoint_model::Practitioner;
use tantivy::collector::TopDocs;
use tantivy::directory::MmapDirectory;
use tantivy::query::TermQuery;
use tantivy::schema::{IndexRecordOption, Schema};
use tantivy::{
    Index, IndexReader, IndexWriter, Opstamp, ReloadPolicy, TantivyDocument, TantivyError, Term,
};

use crate::document::practitioner_from_stored;
use crate::error::{IndexError, Result};
use crate::schema::{Fields, build_schema, index_settings, register_tokenizers};

/// Sub-directory of the state directory that holds the tantivy index.
pub const TANTIVY_DIR: &str = "tantivy";

/// The practitioner index: a tantivy index with Stillpoint's schema and tokenizers.
#[derive(Clone)]
pub struct PractitionerIndex {
    index: Index,
    fields: Fields,
    path: Option<PathBuf>,
}

impl std::fmt::Debug for PractitionerIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PractitionerIndex")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl PractitionerIndex {
    /// Opens the index of the state directory `state_dir`, creating both when missing.
    pub fn open_or_create(state_dir: &Path) -> Result<Self> {
        let path = state_dir.join(TANTIVY_DIR);
        std::fs::create_dir_all(&path).map_err(|source| IndexError::Io {
            path: path.clone(),
            source,
        })?;
        let (schema, fields) = build_schema();
        let directory =
            MmapDirectory::open(&path).map_err(|e| IndexError::Tantivy(TantivyError::from(e)))?;
        let index = Index::builder()
            .schema(schema.clone())
            .settings(index_settings())
            .open_or_create(directory)
            .map_err(|e| match e {
                TantivyError::SchemaError(_) => schema_mismatch(&path),
                other => IndexError::Tantivy(other),
            })?;
        Self::checked(index, &schema, fields, path)
    }

    /// Opens an existing index of the state directory `state_dir`.
    pub fn open(state_dir: &Path) -> Result<Self> {
        let path = state_dir.join(TANTIVY_DIR);
        if !path.join("meta.json").exists() {
            return Err(IndexError::Missing { path });
        }
        let (schema, fields) = build_schema();
        let index = Index::open_in_dir(&path)?;
        Self::checked(index, &schema, fields, path)
    }

    /// A fresh, empty index at exactly `path` (not under a state directory): where `stillpoint
    /// rebuild` builds the replacement index before swapping it in.
    pub fn create_at(path: &Path) -> Result<Self> {
        std::fs::create_dir_all(path).map_err(|source| IndexError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let (schema, fields) = build_schema();
        let index = Index::builder()
            .schema(schema.clone())
            .settings(index_settings())
            .create_in_dir(path)?;
        Self::checked(index, &schema, fields, path.to_path_buf())
    }

    /// A fresh index in memory, for tests.
    pub fn create_in_ram() -> Result<Self> {
        let (schema, fields) = build_schema();
        let index = Index::builder()
            .schema(schema)
            .settings(index_settings())
            .create_in_ram()?;
        register_tokenizers(&index);
        Ok(PractitionerIndex {
            index,
            fields,
            path: None,
        })
    }

    fn checked(index: Index, schema: &Schema, fields: Fields, path: PathBuf) -> Result<Self> {
        if !same_schema(&index.schema(), schema) {
            return Err(schema_mismatch(&path));
        }
        register_tokenizers(&index);
        Ok(PractitionerIndex {
            index,
            fields,
            path: Some(path),
        })
    }

    /// The underlying tantivy index, for the search core.
    pub fn tantivy(&self) -> &Index {
        &self.index
    }

    pub fn fields(&self) -> &Fields {
        &self.fields
    }

    /// A reader reloaded by the caller (`ReloadPolicy::Manual`): the server decides when a new
    /// commit becomes visible.
    pub fn reader(&self) -> Result<IndexReader> {
        Ok(self
            .index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?)
    }

    /// Takes the single writer lock. `memory_budget` is split between indexing threads.
    pub fn writer(&self, memory_budget: usize) -> Result<PractitionerWriter> {
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .clamp(1, 4);
        let writer = self
            .index
            .writer_with_num_threads(threads, memory_budget)
            .map_err(|e| match e {
                TantivyError::LockFailure(..) => IndexError::Locked {
                    path: self.path.clone().unwrap_or_default(),
                },
                other => IndexError::Tantivy(other),
            })?;
        // A process killed mid-write leaves files that no commit references, among them delete
        // files named after an opstamp this writer will reuse ("file already exists"): remove
        // them before writing.
        writer.garbage_collect_files().wait()?;
        if let Some(dir) = &self.path {
            self.remove_stray_delete_files(dir)?;
        }
        Ok(PractitionerWriter {
            writer,
            fields: self.fields,
        })
    }

    /// Removes the delete files (`<segment>.<opstamp>.del`) that the last commit does not
    /// reference. tantivy's own collection keeps some of them after a kill (the crash test
    /// found one), and the next commit at the same opstamp then fails with "file already
    /// exists". Called with the writer lock held, so no other writer can be making one.
    fn remove_stray_delete_files(&self, dir: &Path) -> Result<()> {
        let metas = self.index.load_metas()?;
        let referenced: std::collections::HashSet<PathBuf> = metas
            .segments
            .iter()
            .filter(|segment| segment.delete_opstamp().is_some())
            .map(|segment| segment.relative_path(tantivy::index::SegmentComponent::Delete))
            .collect();
        let io = |source| IndexError::Io {
            path: dir.to_path_buf(),
            source,
        };
        for entry in std::fs::read_dir(dir).map_err(io)? {
            let name = PathBuf::from(entry.map_err(io)?.file_name());
            if name.extension().is_some_and(|e| e == "del") && !referenced.contains(&name) {
                std::fs::remove_file(dir.join(&name)).map_err(io)?;
            }
        }
        Ok(())
    }

    /// Number of practitioners in the last commit.
    pub fn num_practitioners(&self) -> Result<u64> {
        Ok(self.reader()?.searcher().num_docs())
    }

    /// The opstamp of the last commit: grows with every commit, so it serves as the index
    /// generation.
    pub fn generation(&self) -> Result<Opstamp> {
        Ok(self.index.load_metas()?.opstamp)
    }

    /// The payload of the last commit (see [`PreparedCommit::commit`]); merges keep it.
    pub fn commit_payload(&self) -> Result<Option<String>> {
        Ok(self.index.load_metas()?.payload)
    }

    /// The directory of the index, when on disk.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// One practitioner by id, from the last commit.
    pub fn get(&self, id: &str) -> Result<Option<Practitioner>> {
        let searcher = self.reader()?.searcher();
        let query = TermQuery::new(
            Term::from_field_text(self.fields.id, id),
            IndexRecordOption::Basic,
        );
        let top = searcher.search(&query, &TopDocs::with_limit(1).order_by_score())?;
        match top.first() {
            Some((_, address)) => {
                let doc: TantivyDocument = searcher.doc(*address)?;
                practitioner_from_stored(&self.fields, &doc).map(Some)
            }
            None => Ok(None),
        }
    }

    /// The member ids the association has in the last commit, sorted (see
    /// [`PractitionerIndex::members`]).
    pub fn member_ids(&self, association: &str) -> Result<Vec<String>> {
        let mut ids: Vec<String> = self.members(association)?.into_keys().collect();
        ids.sort_unstable();
        Ok(ids)
    }
}

/// The index writer. Documents come from [`DocumentMapper::to_document`](crate::DocumentMapper::to_document), which callers may run
/// on other threads. Nothing is visible to readers until [`PractitionerWriter::commit`];
/// dropping the writer without committing discards the changes.
pub struct PractitionerWriter {
    writer: IndexWriter,
    fields: Fields,
}

impl std::fmt::Debug for PractitionerWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PractitionerWriter").finish_non_exhaustive()
    }
}

impl PractitionerWriter {
    /// Adds a document built by [`DocumentMapper::to_document`](crate::DocumentMapper::to_document) (possibly on another thread);
    /// with `replace`, an earlier document of the same id is removed first.
    pub fn add_document(
        &mut self,
        id: &str,
        document: TantivyDocument,
        replace: bool,
    ) -> Result<()> {
        if replace {
            self.delete(id);
        }
        self.writer.add_document(document)?;
        Ok(())
    }

    /// Removes a practitioner by id (a no-op when absent).
    pub fn delete(&mut self, id: &str) {
        self.writer
            .delete_term(Term::from_field_text(self.fields.id, id));
    }

    /// Handles on the fields, to build documents with.
    pub fn fields(&self) -> &Fields {
        &self.fields
    }

    /// Removes every practitioner of an association, including those added by this writer
    /// since the last commit.
    pub fn delete_association(&mut self, association: &str) {
        self.writer
            .delete_term(Term::from_field_text(self.fields.association, association));
    }

    /// Makes every change durable and visible atomically; returns the new generation. The
    /// payload of the previous commit is carried over, so a plain ingest does not erase what the
    /// publication store recorded there.
    pub fn commit(&mut self) -> Result<Opstamp> {
        let payload = self.writer.index().load_metas()?.payload;
        self.prepare_commit()?.commit(payload.as_deref())
    }

    /// Flushes every change to disk without making it visible yet: the generation the commit
    /// will have is known, and the caller can still abort. Nothing else can be written to the
    /// writer until the prepared commit is committed or aborted.
    ///
    /// Every commit gets a generation of its own, even one that changes no document (a
    /// republished, unchanged list): tantivy would give it the previous commit's opstamp, so
    /// one no-op operation (deleting the empty id, which no practitioner has) advances it.
    pub fn prepare_commit(&mut self) -> Result<PreparedCommit<'_>> {
        self.delete("");
        Ok(PreparedCommit {
            inner: self.writer.prepare_commit()?,
        })
    }

    /// Merges every segment of the index into one, then commits (the generation advances, so a
    /// running server reloads the compacted index). Returns how many segments were merged (0
    /// when there was at most one, and then nothing is committed).
    ///
    /// A search walks each segment's structures on its own (quadtree, bit sets, counts), so
    /// the segments a bulk load leaves behind (one per flush of the writer's memory) multiply
    /// its fixed costs: an operator compacts after a bulk load. The merge also drops deleted
    /// documents, which tantivy's term statistics count until then: after updates and
    /// deletions, relevance scores shift slightly (as after any of tantivy's own merges).
    /// Whatever this writer holds uncommitted is committed with it.
    pub fn compact(&mut self) -> Result<usize> {
        let segments = self.writer.index().searchable_segment_ids()?;
        if segments.len() < 2 {
            return Ok(0);
        }
        self.writer.merge(&segments).wait()?;
        self.commit()?;
        Ok(segments.len())
    }

    /// Waits for background merges, then releases the writer lock.
    ///
    /// Waiting matters: dropping a tantivy writer lets merges it started run on as orphans,
    /// which can still write `meta.json` or collect files after the lock has passed to another
    /// writer. Merges keep the payload of the commit they follow.
    pub fn finish(self) -> Result<()> {
        self.writer.wait_merging_threads()?;
        Ok(())
    }

    /// Discards every change since the last commit; the writer stays usable.
    pub fn discard(&mut self) -> Result<()> {
        self.writer.rollback()?;
        Ok(())
    }

    /// Discards every uncommitted change, then releases the writer like
    /// [`PractitionerWriter::finish`].
    pub fn rollback(mut self) -> Result<()> {
        self.writer.rollback()?;
        self.writer.wait_merging_threads()?;
        Ok(())
    }
}

/// A commit whose segments are flushed but which is not visible yet (see
/// [`PractitionerWriter::prepare_commit`]).
pub struct PreparedCommit<'a> {
    inner: tantivy::indexer::PreparedCommit<'a>,
}

impl std::fmt::Debug for PreparedCommit<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PreparedCommit")
            .field("generation", &self.inner.opstamp())
            .finish()
    }
}

impl PreparedCommit<'_> {
    /// The generation the index will have once this commit is done.
    pub fn generation(&self) -> Opstamp {
        self.inner.opstamp()
    }

    /// Makes the changes visible atomically, with `payload` recorded in the commit (readable
    /// with [`PractitionerIndex::commit_payload`]; `None` records none); returns the
    /// generation.
    pub fn commit(mut self, payload: Option<&str>) -> Result<Opstamp> {
        if let Some(payload) = payload {
            self.inner.set_payload(payload);
        }
        Ok(self.inner.commit()?)
    }

    /// Discards every change since the last commit; the writer stays usable.
    pub fn abort(self) -> Result<()> {
        self.inner.abort()?;
        Ok(())
    }
}

fn same_schema(a: &Schema, b: &Schema) -> bool {
    serde_json::to_value(a).ok() == serde_json::to_value(b).ok()
}

fn schema_mismatch(path: &Path) -> IndexError {
    IndexError::SchemaMismatch {
        path: path.to_path_buf(),
        expected: crate::schema::SCHEMA_VERSION.into(),
    }
}

#[cfg(test)]
mod tests {
    use tantivy::schema::{STRING, Schema};

    use super::*;

    #[test]
    fn an_index_built_with_another_schema_is_refused_not_misread() {
        let dir = tempfile::tempdir().unwrap();
        let mut other = Schema::builder();
        other.add_text_field("id", STRING);
        std::fs::create_dir_all(dir.path().join(TANTIVY_DIR)).unwrap();
        Index::create_in_dir(dir.path().join(TANTIVY_DIR), other.build()).unwrap();
        for result in [
            PractitionerIndex::open(dir.path()),
            PractitionerIndex::open_or_create(dir.path()),
        ] {
            assert!(
                matches!(result, Err(IndexError::SchemaMismatch { .. })),
                "{result:?}"
            );
        }
    }

    #[test]
    fn opening_a_missing_index_says_how_to_build_one() {
        let dir = tempfile::tempdir().unwrap();
        let err = PractitionerIndex::open(dir.path()).unwrap_err();
        assert!(err.to_string().contains("stillpoint ingest"), "{err}");
    }
}
