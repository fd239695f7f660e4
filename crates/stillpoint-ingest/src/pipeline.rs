//! The ingest pipeline: one thread reads records in feed order, worker threads normalise them
//! and build their documents, and one thread applies the results in feed order (duplicates,
//! report, index writer). Bounded channels between the stages keep memory flat and let the
//! operating system fill every core; a failure at any stage stops the others.

use std::collections::BTreeMap;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex};

use crate::error::{IngestError, Result};
use crate::record::SourceRecord;

/// Records handed to a worker at a time.
const BATCH: usize = 256;
/// Batches in flight between two stages.
const DEPTH: usize = 8;

type Sink<'a> = dyn FnMut(SourceRecord) -> Result<()> + 'a;

/// Runs `read` on this thread (it calls the sink once per record), `prepare` on the worker
/// threads, and `apply` on one thread, in feed order.
pub(crate) fn run<O, R, P, A>(read: R, prepare: P, mut apply: A) -> Result<()>
where
    O: Send,
    R: FnOnce(&mut Sink<'_>) -> Result<()>,
    P: Fn(&SourceRecord) -> O + Sync,
    A: FnMut(SourceRecord, O) -> Result<()> + Send,
{
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 8);
    std::thread::scope(|scope| {
        let (work_tx, work_rx) = sync_channel::<(u64, Vec<SourceRecord>)>(DEPTH);
        let work_rx = Arc::new(Mutex::new(work_rx));
        let (done_tx, done_rx) = sync_channel::<(u64, Vec<SourceRecord>, Vec<O>)>(DEPTH);
        for _ in 0..workers {
            let work_rx = Arc::clone(&work_rx);
            let done_tx = done_tx.clone();
            let prepare = &prepare;
            scope.spawn(move || work(&work_rx, &done_tx, prepare));
        }
        // Only the workers hold the receiving end now: when they stop, sending fails.
        drop(work_rx);
        drop(done_tx);
        let applier = scope.spawn(move || -> Result<()> {
            let mut pending = BTreeMap::new();
            let mut next = 0u64;
            for (seq, records, outcomes) in done_rx {
                pending.insert(seq, (records, outcomes));
                while let Some((records, outcomes)) = pending.remove(&next) {
                    for (record, outcome) in records.into_iter().zip(outcomes) {
                        apply(record, outcome)?;
                    }
                    next += 1;
                }
            }
            Ok(())
        });

        let mut batch = Vec::with_capacity(BATCH);
        let mut seq = 0u64;
        let send = |batch: Vec<SourceRecord>, seq: &mut u64| -> Result<()> {
            work_tx
                .send((*seq, batch))
                .map_err(|_| IngestError::Pipeline)?;
            *seq += 1;
            Ok(())
        };
        let read_result = read(&mut |record| {
            batch.push(record);
            if batch.len() == BATCH {
                send(
                    std::mem::replace(&mut batch, Vec::with_capacity(BATCH)),
                    &mut seq,
                )?;
            }
            Ok(())
        });
        let read_result = read_result.and_then(|()| {
            if batch.is_empty() {
                Ok(())
            } else {
                send(std::mem::take(&mut batch), &mut seq)
            }
        });
        drop(work_tx);
        let applied = applier.join().unwrap_or(Err(IngestError::Pipeline));
        // The applier's own error explains a pipeline stop better than the reader's.
        match (applied, read_result) {
            (Err(e), _) => Err(e),
            (Ok(()), result) => result,
        }
    })
}

fn work<O, P: Fn(&SourceRecord) -> O>(
    work_rx: &Mutex<Receiver<(u64, Vec<SourceRecord>)>>,
    done_tx: &SyncSender<(u64, Vec<SourceRecord>, Vec<O>)>,
    prepare: &P,
) {
    loop {
        let next = work_rx
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .recv();
        let Ok((seq, records)) = next else { return };
        let outcomes = records.iter().map(prepare).collect();
        if done_tx.send((seq, records, outcomes)).is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::FieldError;

    fn record(line: u64) -> SourceRecord {
        SourceRecord {
            line,
            location_lines: Vec::new(),
            member_id: Some(line.to_string()),
            record: Err(vec![FieldError::new("", "x")]),
            warnings: Vec::new(),
        }
    }

    #[test]
    fn results_are_applied_in_feed_order() {
        let mut seen = Vec::new();
        run(
            |sink| (1..=2000).try_for_each(|line| sink(record(line))),
            |r| r.line * 2,
            |r, doubled| {
                assert_eq!(doubled, r.line * 2);
                seen.push(r.line);
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(seen, (1..=2000).collect::<Vec<_>>());
    }

    #[test]
    fn a_failing_apply_stops_the_reader() {
        let err = run(
            |sink| (1..).try_for_each(|line| sink(record(line))),
            |r| r.line,
            |r, _| {
                if r.line == 700 {
                    Err(IngestError::Header("stop".into()))
                } else {
                    Ok(())
                }
            },
        )
        .unwrap_err();
        assert!(matches!(err, IngestError::Header(_)), "{err}");
    }

    #[test]
    fn a_failing_read_is_reported() {
        let err = run(
            |sink| {
                (1..=10).try_for_each(|line| sink(record(line)))?;
                Err(IngestError::Header("broken".into()))
            },
            |r| r.line,
            |_, _| Ok(()),
        )
        .unwrap_err();
        assert!(matches!(err, IngestError::Header(_)));
    }
}
