//! `stillpoint rebuild`: a new index from every stored publication, swapped in for the current
//! one. What a schema change (or a vocabulary change, or a lost index) calls for.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use serde::Serialize;
use stillpoint_index::{
    Members, PractitionerIndex, PractitionerWriter, TANTIVY_DIR, association_counts_at,
    lock_index_dir,
};
use stillpoint_model::Vocabulary;

use crate::PublishSettings;
use crate::apply::apply;
use crate::error::{PublishError, Result};
use crate::payload::Applied;
use crate::publisher::replay_request;
use crate::store::{Store, sync_dir};

/// Where the new index is built, beside the current one.
pub const REBUILD_DIR: &str = "tantivy.rebuild";
/// Where the current index goes while the new one takes its name.
pub const OLD_DIR: &str = "tantivy.old";

/// What a rebuild did.
#[derive(Debug, Clone, Serialize)]
pub struct RebuildReport {
    /// The new index was built and counted, then removed; the current one was kept.
    pub dry_run: bool,
    /// One row per association of the store or of the previous index, by id.
    pub associations: Vec<AssociationRebuild>,
    /// Publications replayed.
    pub publications: u64,
    /// Publications that could not be applied (their bodies cannot be read by this build).
    pub skipped: Vec<SkippedPublication>,
    /// Members in the new index.
    pub members: u64,
    /// What the previous index held.
    pub previous: PreviousIndex,
    /// Generation of the new index.
    pub generation: u64,
    pub seconds: f64,
    /// The index directory (the new index is there unless this was a dry run).
    pub path: PathBuf,
}

/// One association's line of a [`RebuildReport`].
#[derive(Debug, Clone, Serialize)]
pub struct AssociationRebuild {
    pub association: String,
    /// Publications replayed.
    pub publications: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_seq: Option<u64>,
    /// Members in the new index.
    pub members: u64,
    /// Members in the previous index (`None` when it could not be counted). A difference is not
    /// an error (the vocabulary may have changed what is accepted), but worth a look.
    pub previous_members: Option<u64>,
    /// The vocabulary no longer knows the association: its publications were not replayed.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub unknown: bool,
}

/// A stored publication a rebuild could not apply.
#[derive(Debug, Clone, Serialize)]
pub struct SkippedPublication {
    pub association: String,
    pub seq: u64,
    pub reason: String,
}

/// The index a rebuild replaced.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum PreviousIndex {
    /// There was none.
    Missing,
    /// It was counted: `members` in all.
    Counted { members: u64 },
    /// It could not be read (of any schema, it needs the `id` fast field).
    Unreadable { message: String },
}

/// Rebuilds the index of `state_dir` from its publication store.
///
/// The current index's writer lock is held throughout, so no publication lands in the index
/// being replaced ([`PublishError::Busy`] if a writer has it now); it is taken on the directory,
/// so an index of an older schema is locked too. Without a current index there is no lock: a
/// publication stored meanwhile is newer than the rebuilt payload and is applied by the next
/// publication or start (recovery), so it is not lost either.
///
/// The new index is built in `<state>/tantivy.rebuild` (a stale one is removed first): every
/// association's publications in order, without the mass-deletion guard, then one commit whose
/// payload names the last publication of each. Unless `dry_run`, `tantivy` then becomes
/// `tantivy.old`, `tantivy.rebuild` becomes `tantivy`, the state directory is fsync'd and
/// `tantivy.old` removed. A crash between the two renames leaves no `tantivy`: the next start
/// creates an empty index and recovery replays the whole store into it.
///
/// A running server keeps its open index (it must be restarted to serve the new one, and must
/// be restarted anyway when the schema changed, since it was built for the old one). The new
/// index's generations start again from the rebuild's own operations, usually lower than the
/// old index's.
pub fn rebuild(
    state_dir: &Path,
    vocabulary: Arc<Vocabulary>,
    settings: &PublishSettings,
    dry_run: bool,
) -> Result<RebuildReport> {
    let started = Instant::now();
    let current = state_dir.join(TANTIVY_DIR);
    let has_index = current.join("meta.json").exists();
    let lock = if has_index {
        Some(lock_index_dir(&current)?)
    } else {
        None
    };
    let (previous, previous_counts) = if has_index {
        match association_counts_at(&current) {
            Ok(counts) => (
                PreviousIndex::Counted {
                    members: counts.values().sum(),
                },
                Some(counts),
            ),
            Err(e) => (
                PreviousIndex::Unreadable {
                    message: e.to_string(),
                },
                None,
            ),
        }
    } else {
        (PreviousIndex::Missing, None)
    };

    let store = Store::open(state_dir)?;
    let associations = store.associations()?;
    let mut seqs = BTreeMap::new();
    for association in &associations {
        seqs.insert(association.clone(), store.seqs(association)?);
    }
    let stored: u64 = seqs.values().map(|s| s.len() as u64).sum();
    if let PreviousIndex::Counted { members } = previous
        && stored == 0
        && members > 0
    {
        return Err(PublishError::EmptyStore {
            path: store.root().to_path_buf(),
            members,
        });
    }

    let target = state_dir.join(REBUILD_DIR);
    remove_dir(&target)?;
    let index = PractitionerIndex::create_at(&target)?;
    let mut writer = index.writer(settings.writer_memory_bytes)?;
    let built = replay_all(&store, &seqs, &mut writer, &vocabulary, settings);
    let (mut rows, skipped, applied) = match built {
        Ok(built) => built,
        Err(e) => {
            let _ = writer.rollback();
            drop(index);
            let _ = std::fs::remove_dir_all(&target);
            return Err(e);
        }
    };
    let generation = writer.prepare_commit()?.commit(Some(&applied.to_json()))?;
    writer.finish()?;
    let counts = index.association_counts()?;
    drop(index);

    for row in &mut rows {
        row.members = counts.get(&row.association).copied().unwrap_or(0);
        row.previous_members = previous_counts
            .as_ref()
            .map(|c| c.get(&row.association).copied().unwrap_or(0));
    }
    for (association, &n) in previous_counts.iter().flatten() {
        if !rows.iter().any(|r| &r.association == association) {
            rows.push(AssociationRebuild {
                association: association.clone(),
                publications: 0,
                last_seq: None,
                members: counts.get(association).copied().unwrap_or(0),
                previous_members: Some(n),
                unknown: vocabulary.body_by_id(association).is_none(),
            });
        }
    }
    rows.sort_by(|a, b| a.association.cmp(&b.association));

    if dry_run {
        remove_dir(&target)?;
    } else {
        swap(state_dir, &current, &target)?;
    }
    drop(lock);
    if !dry_run {
        let old = state_dir.join(OLD_DIR);
        if let Err(e) = std::fs::remove_dir_all(&old) {
            tracing::warn!(path = %old.display(), error = %e, "cannot remove the previous index");
        }
    }
    Ok(RebuildReport {
        dry_run,
        members: counts.values().sum(),
        publications: rows.iter().map(|r| r.publications).sum(),
        associations: rows,
        skipped,
        previous,
        generation,
        seconds: started.elapsed().as_secs_f64(),
        path: current,
    })
}

type Replayed = (Vec<AssociationRebuild>, Vec<SkippedPublication>, Applied);

fn replay_all(
    store: &Store,
    seqs: &BTreeMap<String, Vec<u64>>,
    writer: &mut PractitionerWriter,
    vocabulary: &Arc<Vocabulary>,
    settings: &PublishSettings,
) -> Result<Replayed> {
    let mut rows = Vec::new();
    let mut skipped = Vec::new();
    let mut applied = Applied::default();
    for (association, seqs) in seqs {
        let unknown = vocabulary.body_by_id(association).is_none();
        rows.push(AssociationRebuild {
            association: association.clone(),
            publications: if unknown { 0 } else { seqs.len() as u64 },
            last_seq: seqs.last().copied(),
            members: 0,
            previous_members: None,
            unknown,
        });
        if unknown {
            tracing::warn!(association = %association, "the vocabulary no longer knows this association; its publications are not replayed");
            continue;
        }
        // Publications whose body this build cannot read: the association is replayed again
        // without them (its documents so far deleted), as one uncommitted writer cannot undo
        // part of a publication otherwise.
        let mut unreadable: Vec<u64> = Vec::new();
        'replay: loop {
            // The listing as the replay goes: the uncommitted writer is the only place it
            // lives.
            let mut members = Members::default();
            for &seq in seqs {
                if unreadable.contains(&seq) {
                    continue;
                }
                let Some(stored) = store.read(association, seq)? else {
                    continue;
                };
                let body_path = store.body_path(association, seq);
                // Problems are not listed: only the counts matter here.
                let request = replay_request(&stored, &body_path, 0);
                let result = apply(
                    Some(&mut *writer),
                    &mut members,
                    vocabulary,
                    settings,
                    &request,
                    &mut |_| {},
                );
                match result {
                    Ok(_) => applied.set(association, seq),
                    Err(PublishError::Unreadable(e)) => {
                        tracing::error!(association = %association, seq, error = %e, "a stored publication cannot be read; replaying the association without it");
                        skipped.push(SkippedPublication {
                            association: association.clone(),
                            seq,
                            reason: e.to_string(),
                        });
                        unreadable.push(seq);
                        writer.delete_association(association);
                        continue 'replay;
                    }
                    Err(e) => return Err(e),
                }
            }
            break;
        }
        if let Some(&last) = seqs.last() {
            // Skipped ones included: recovery must not try them again.
            applied.set(association, last);
        }
    }
    Ok((rows, skipped, applied))
}

fn swap(state_dir: &Path, current: &Path, target: &Path) -> Result<()> {
    let old = state_dir.join(OLD_DIR);
    remove_dir(&old)?;
    if current.exists() {
        std::fs::rename(current, &old).map_err(PublishError::store(current))?;
    }
    std::fs::rename(target, current).map_err(PublishError::store(target))?;
    sync_dir(state_dir)
}

fn remove_dir(path: &Path) -> Result<()> {
    match std::fs::remove_dir_all(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(PublishError::Store {
            path: path.to_path_buf(),
            source: e,
        }),
    }
}
