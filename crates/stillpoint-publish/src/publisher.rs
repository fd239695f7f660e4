//! The publisher: applies publications to the index, storing each durably before committing
//! it, and brings the index up to the store first.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Instant;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use stillpoint_index::{IndexError, PractitionerIndex, PractitionerWriter};
use stillpoint_ingest::normalize::is_member_id;
use stillpoint_model::Vocabulary;

use crate::PublishSettings;
use crate::apply::{Request, apply, parse_format};
use crate::audit::{AuditEvent, AuditLog, AuditOutcome};
use crate::error::{PublishError, Result};
use crate::payload::Applied;
use crate::publication::{Action, Actor, Publication};
use crate::pull::{self, PullRecord};
use crate::report::PublishReport;
use crate::spool::Spool;
use crate::store::{Store, StoredPublication, is_safe_name};

/// Applies publications to the index of one state directory. `Send + Sync`: share one per
/// process and call it from blocking threads. Every method blocks.
///
/// Each [`Publisher::publish`] takes the index writer (tantivy's lock, so another process's
/// ingest or rebuild makes it [`PublishError::Busy`] rather than wait), first applies any
/// publication the store holds but the index does not (see the crate docs), applies the new
/// one, stores it durably, commits, and releases the writer. Publications of one process run
/// one at a time.
pub struct Publisher {
    state_dir: PathBuf,
    store: Store,
    audit: AuditLog,
    index: PractitionerIndex,
    vocabulary: Arc<Vocabulary>,
    settings: PublishSettings,
    /// Serialises this process's publications (tantivy's lock serialises processes), and holds
    /// the thread releasing the last publication's writer: it waits for the merges that
    /// commit started, so the response need not (see [`finish_in_background`]).
    serial: Mutex<Option<JoinHandle<()>>>,
}

impl std::fmt::Debug for Publisher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Publisher")
            .field("state_dir", &self.state_dir)
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

/// Where a publication stops; tests stop before the commit to play a crash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stop {
    Never,
    BeforeCommit,
}

/// An association's publishing state, for `GET /v1/associations/{id}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssociationStatus {
    pub association: String,
    /// Members listed in the index now.
    pub members: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_publication: Option<PublicationSummary>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_pull: Option<PullRecord>,
}

/// The latest stored publication of an association.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublicationSummary {
    pub seq: u64,
    #[serde(flatten)]
    pub action: Action,
    pub received_at: Timestamp,
    /// Who published (a token id, never its secret).
    pub actor: Actor,
    pub report: PublishReport,
}

impl Publisher {
    /// The publisher of the state directory `state_dir`, whose index is `index`
    /// (`<state_dir>/tantivy`). Creates the store's directories, and applies any publication
    /// stored but not committed (by a process that crashed) if the writer is free; when it is
    /// not, the next publication does.
    pub fn open(
        state_dir: &Path,
        index: PractitionerIndex,
        vocabulary: Arc<Vocabulary>,
        settings: PublishSettings,
    ) -> Result<Publisher> {
        let publisher = Publisher {
            state_dir: state_dir.to_path_buf(),
            store: Store::open(state_dir)?,
            audit: AuditLog::new(state_dir),
            index,
            vocabulary,
            settings,
            serial: Mutex::new(None),
        };
        match publisher
            .index
            .writer(publisher.settings.writer_memory_bytes)
        {
            Ok(mut writer) => {
                let result = Applied::of(&publisher.index)
                    .and_then(|mut applied| publisher.recover(&mut writer, &mut applied));
                release(writer, result)?;
            }
            Err(IndexError::Locked { .. }) => {
                tracing::debug!("index writer busy; recovery left to the next publication");
            }
            Err(e) => return Err(e.into()),
        }
        Ok(publisher)
    }

    /// The index publications go to.
    pub fn index(&self) -> &PractitionerIndex {
        &self.index
    }

    pub fn state_dir(&self) -> &Path {
        &self.state_dir
    }

    /// A new spool file to stream a request body into ([`std::io::Write`]), in the store's
    /// `incoming/` directory; give it to [`Publisher::publish`] in a [`crate::Body`]. It is
    /// removed when dropped unless the publication was stored.
    pub fn incoming(&self) -> Result<Spool> {
        self.store.spool()
    }

    /// Applies one publication and returns its report once it is stored durably and committed
    /// (or, for a dry run, validated). See [`PublishError`] for what is refused.
    pub fn publish(&self, publication: Publication) -> Result<PublishReport> {
        self.publish_with_progress(publication, &mut |_| {})
    }

    /// [`Publisher::publish`], calling `progress` with the number of records read so far.
    pub fn publish_with_progress(
        &self,
        publication: Publication,
        progress: &mut (dyn FnMut(u64) + Send),
    ) -> Result<PublishReport> {
        self.publish_until(publication, progress, Stop::Never)
    }

    pub(crate) fn publish_until(
        &self,
        publication: Publication,
        progress: &mut (dyn FnMut(u64) + Send),
        stop: Stop,
    ) -> Result<PublishReport> {
        let started = Instant::now();
        let received_at = Timestamp::now();
        self.check(&publication)?;
        let mut serial = self.serial.lock().unwrap_or_else(PoisonError::into_inner);
        join(serial.take());
        let mut writer = self.index.writer(self.settings.writer_memory_bytes)?;
        let result = self.publish_locked(
            &mut writer,
            publication,
            received_at,
            started,
            progress,
            stop,
        );
        match result {
            Ok(report) if stop == Stop::BeforeCommit => {
                writer.rollback()?;
                Ok(report)
            }
            Ok(report) => {
                *serial = finish_in_background(writer);
                Ok(report)
            }
            Err(error) => release(writer, Err(error)),
        }
    }

    /// Waits until the writer of the last publication is released (its merges done): another
    /// writer of this index, in this process or another, can then be taken at once. Dropping
    /// the publisher does the same.
    pub fn wait_idle(&self) {
        join(
            self.serial
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take(),
        );
    }

    fn publish_locked(
        &self,
        writer: &mut PractitionerWriter,
        publication: Publication,
        received_at: Timestamp,
        started: Instant,
        progress: &mut (dyn FnMut(u64) + Send),
        stop: Stop,
    ) -> Result<PublishReport> {
        let Publication {
            association,
            action,
            mut body,
            dry_run,
            allow_mass_delete,
            actor,
        } = publication;
        let mut applied = Applied::of(&self.index)?;
        self.recover(writer, &mut applied)?;

        let mut members = self.index.members(&association)?;
        if let Action::Delete { member_id } = &action
            && !members.contains_key(member_id)
        {
            let error = PublishError::UnknownMember {
                association: association.clone(),
                member_id: member_id.clone(),
            };
            self.refused(&actor, &association, &action, &error)?;
            return Err(error);
        }
        let digest = match body.as_mut() {
            Some(body) => Some(
                body.spool
                    .seal()
                    .map_err(PublishError::store(body.spool.path()))?,
            ),
            None => None,
        };
        let result = {
            let request = Request {
                association: &association,
                action: &action,
                body: body.as_ref().map(|b| (b.spool.path(), b.format)),
                source: body.as_ref().map_or("", |b| b.name.as_str()),
                allow_mass_delete,
                max_problems: self.settings.max_problems,
            };
            let writer = (!dry_run).then_some(&mut *writer);
            apply(
                writer,
                &mut members,
                &self.vocabulary,
                &self.settings,
                &request,
                progress,
            )
        };
        let mut report = match result {
            Err(error @ PublishError::MassDelete { .. }) => {
                self.refused(&actor, &association, &action, &error)?;
                return Err(error);
            }
            other => other?,
        };
        report.seconds = started.elapsed().as_secs_f64();
        if dry_run {
            self.audit.append(&AuditEvent {
                counts: Some(report.counts()),
                ..event(&actor, &association, &action, AuditOutcome::DryRun)
            })?;
            return Ok(report);
        }

        // Numbers are allocated under the writer lock; past the highest stored one too, in
        // case the store holds one the payload does not know (files restored by hand).
        let stored_max = self.store.seqs(&association)?.last().copied().unwrap_or(0);
        let seq = applied.get(&association).max(stored_max) + 1;
        let prepared = writer.prepare_commit()?;
        report.seq = Some(seq);
        report.generation = Some(prepared.generation());
        let stored = StoredPublication::new(
            seq,
            action.clone(),
            received_at,
            actor.clone(),
            digest,
            allow_mass_delete,
            report.clone(),
        );
        self.store.write(body.map(|b| b.spool), &stored)?;
        self.audit.append(&AuditEvent {
            seq: Some(seq),
            counts: Some(report.counts()),
            generation: report.generation,
            ..event(&actor, &association, &action, AuditOutcome::Applied)
        })?;
        applied.set(&association, seq);
        if stop == Stop::BeforeCommit {
            return Ok(report);
        }
        let generation = prepared.commit(Some(&applied.to_json()))?;
        report.generation = Some(generation);
        report.seconds = started.elapsed().as_secs_f64();
        tracing::info!(
            association = %association,
            action = action.name(),
            seq,
            generation,
            added = report.added,
            updated = report.updated,
            removed = report.removed,
            rejected = report.rejected,
            "published"
        );
        Ok(report)
    }

    /// Applies, in order and one commit each, every publication the store holds beyond what
    /// the index's payload says it contains. No guard: they passed it when received.
    fn recover(&self, writer: &mut PractitionerWriter, applied: &mut Applied) -> Result<()> {
        for association in self.store.associations()? {
            loop {
                let seq = applied.get(&association) + 1;
                let Some(stored) = self.store.read(&association, seq)? else {
                    break;
                };
                if self.vocabulary.body_by_id(&association).is_none() {
                    tracing::warn!(
                        association = %association,
                        seq,
                        "a stored publication of an association the vocabulary no longer knows is not applied"
                    );
                    break;
                }
                self.recover_one(writer, applied, &stored)?;
            }
        }
        Ok(())
    }

    fn recover_one(
        &self,
        writer: &mut PractitionerWriter,
        applied: &mut Applied,
        stored: &StoredPublication,
    ) -> Result<()> {
        let (association, seq) = (stored.association.as_str(), stored.seq);
        let mut members = self.index.members(association)?;
        let body_path = self.store.body_path(association, seq);
        let request = replay_request(stored, &body_path, self.settings.max_problems);
        let result = apply(
            Some(&mut *writer),
            &mut members,
            &self.vocabulary,
            &self.settings,
            &request,
            &mut |_| {},
        );
        applied.set(association, seq);
        let (outcome, reason, counts) = match result {
            Ok(report) => (AuditOutcome::Recovered, None, Some(report.counts())),
            Err(PublishError::Unreadable(e)) => {
                // It was read when received; a build that reads feeds differently cannot. It
                // stays in the store (a rebuild by a build that reads it applies it); holding
                // every later publication of every association back for it would not help.
                writer.discard()?;
                tracing::error!(association, seq, error = %e, "a stored publication cannot be read again; skipped");
                (AuditOutcome::Skipped, Some(e.to_string()), None)
            }
            Err(e) => return Err(e),
        };
        let generation = writer.prepare_commit()?.commit(Some(&applied.to_json()))?;
        tracing::warn!(association, seq, generation, outcome = ?outcome, "applied a publication stored but not committed");
        self.audit.append(&AuditEvent {
            reason,
            seq: Some(seq),
            counts,
            generation: Some(generation),
            ..event(&stored.actor, association, &stored.action, outcome)
        })
    }

    /// Refuses early what cannot be published, before taking the writer.
    fn check(&self, publication: &Publication) -> Result<()> {
        self.check_association(&publication.association)?;
        match (&publication.action, &publication.body) {
            (Action::Replace | Action::Upsert, None) => Err(PublishError::BadRequest(format!(
                "a {} needs a body",
                publication.action.name()
            ))),
            (Action::Delete { .. }, Some(_)) => Err(PublishError::BadRequest(
                "a delete takes no body".to_owned(),
            )),
            (Action::Delete { member_id }, None) if !is_member_id(member_id) => {
                Err(PublishError::UnknownMember {
                    association: publication.association.clone(),
                    member_id: member_id.clone(),
                })
            }
            _ => Ok(()),
        }
    }

    fn check_association(&self, association: &str) -> Result<()> {
        if self.vocabulary.body_by_id(association).is_none() || !is_safe_name(association) {
            return Err(PublishError::UnknownAssociation(association.to_owned()));
        }
        Ok(())
    }

    fn refused(
        &self,
        actor: &Actor,
        association: &str,
        action: &Action,
        error: &PublishError,
    ) -> Result<()> {
        self.audit.append(&AuditEvent {
            reason: Some(error.to_string()),
            ..event(actor, association, action, AuditOutcome::Refused)
        })
    }

    /// The association's members now, its last publication and its last pull.
    pub fn status(&self, association: &str) -> Result<AssociationStatus> {
        self.check_association(association)?;
        let members = self.index.members(association)?.len() as u64;
        let last_publication = self
            .store
            .last(association)?
            .map(|stored| PublicationSummary {
                seq: stored.seq,
                action: stored.action,
                received_at: stored.received_at,
                actor: stored.actor,
                report: stored.report,
            });
        Ok(AssociationStatus {
            association: association.to_owned(),
            members,
            last_publication,
            last_pull: self.pull_state(association)?,
        })
    }

    /// The association's last pull record, if any.
    pub fn pull_state(&self, association: &str) -> Result<Option<PullRecord>> {
        self.check_association(association)?;
        pull::read(&self.state_dir, association)
    }

    /// Replaces the association's pull record (`<state>/pulls/<association>.json`, atomically).
    pub fn record_pull(&self, association: &str, record: &PullRecord) -> Result<()> {
        self.check_association(association)?;
        pull::write(&self.state_dir, association, record)
    }
}

/// How to apply a stored publication again: as received, without the guard.
pub(crate) fn replay_request<'a>(
    stored: &'a StoredPublication,
    body_path: &'a Path,
    max_problems: usize,
) -> Request<'a> {
    let has_body = !matches!(stored.action, Action::Delete { .. });
    Request {
        association: &stored.association,
        action: &stored.action,
        body: has_body.then(|| (body_path, stored.format.as_deref().and_then(parse_format))),
        source: &stored.report.source,
        allow_mass_delete: true,
        max_problems,
    }
}

fn event(actor: &Actor, association: &str, action: &Action, outcome: AuditOutcome) -> AuditEvent {
    AuditEvent {
        time: Timestamp::now(),
        actor: actor.clone(),
        association: association.to_owned(),
        action: action.clone(),
        outcome,
        reason: None,
        seq: None,
        counts: None,
        generation: None,
    }
}

impl Drop for Publisher {
    fn drop(&mut self) {
        self.wait_idle();
    }
}

/// Releases a writer whose commit is done on a thread of its own: waiting for the merges the
/// commit started can take seconds on a large index, and the publication is already durable
/// and visible. The writer lock is held until then, so the next publication of this process
/// joins the thread first; another process's writer meanwhile gets `Busy`, as it would while
/// the merges ran inline.
///
/// The merges are waited for rather than abandoned: dropping a tantivy writer kills its
/// segment updater, but a merge already running finishes and may still write `meta.json` or
/// collect files after the lock has passed to another writer.
fn finish_in_background(writer: PractitionerWriter) -> Option<JoinHandle<()>> {
    let slot = Arc::new(Mutex::new(Some(writer)));
    let theirs = Arc::clone(&slot);
    let spawned = std::thread::Builder::new()
        .name("stillpoint-merges".to_owned())
        .spawn(move || finish(take(&theirs)));
    match spawned {
        Ok(handle) => Some(handle),
        Err(e) => {
            tracing::warn!(error = %e, "cannot start a thread to wait for merges; waiting here");
            finish(take(&slot));
            None
        }
    }
}

fn take(slot: &Mutex<Option<PractitionerWriter>>) -> Option<PractitionerWriter> {
    slot.lock().unwrap_or_else(PoisonError::into_inner).take()
}

fn finish(writer: Option<PractitionerWriter>) {
    if let Some(writer) = writer
        && let Err(e) = writer.finish()
    {
        // The commit is done; a merge that failed is retried by later writers.
        tracing::warn!(error = %e, "waiting for index merges failed");
    }
}

fn join(handle: Option<JoinHandle<()>>) {
    if let Some(handle) = handle
        && handle.join().is_err()
    {
        tracing::warn!("the thread waiting for index merges panicked");
    }
}

/// Releases the writer: waits for its merges after success, rolls back after an error.
fn release<T>(writer: PractitionerWriter, result: Result<T>) -> Result<T> {
    match result {
        Ok(value) => {
            if let Err(e) = writer.finish() {
                // The commit is done; a merge that failed is retried by later writers.
                tracing::warn!(error = %e, "waiting for index merges failed");
            }
            Ok(value)
        }
        Err(error) => {
            if let Err(e) = writer.rollback() {
                tracing::warn!(error = %e, "rolling back the index writer failed");
            }
            Err(error)
        }
    }
}
