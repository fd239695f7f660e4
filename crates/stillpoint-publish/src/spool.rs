//! A request body on its way into the store: written to `publications/incoming/`, on the same
//! filesystem as the store, so that keeping it is a rename.

use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Spool files older than this are left-overs of a crashed process.
const STALE_AFTER: Duration = Duration::from_secs(3600);

/// A body being received. Write the bytes into it ([`Write`]), then hand it to
/// [`crate::Publisher::publish`] in a [`crate::Body`]. The file is removed when the spool is
/// dropped, unless the publication was stored.
pub struct Spool {
    path: PathBuf,
    /// `None` once sealed for reading.
    writer: Option<BufWriter<File>>,
    file: Option<File>,
    hasher: Sha256,
    len: u64,
    kept: bool,
}

impl std::fmt::Debug for Spool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Spool")
            .field("path", &self.path)
            .field("len", &self.len)
            .finish_non_exhaustive()
    }
}

/// Size and SHA-256 of a stored body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BodyDigest {
    /// Lowercase hex.
    pub sha256: String,
    pub bytes: u64,
}

impl Spool {
    /// A new, empty spool file in `dir`.
    pub(crate) fn create(dir: &Path) -> io::Result<Spool> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let nanos = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let name = format!(
            "{}-{nanos}-{}.part",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let path = dir.join(name);
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)?;
        Ok(Spool {
            path,
            writer: Some(BufWriter::with_capacity(1 << 16, file)),
            file: None,
            hasher: Sha256::new(),
            len: 0,
            kept: false,
        })
    }

    /// Bytes written so far.
    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The spool file (to read it back).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Ends writing: everything written is in the file (not yet fsync'd), and its digest is
    /// known. Idempotent.
    pub(crate) fn seal(&mut self) -> io::Result<BodyDigest> {
        if let Some(writer) = self.writer.take() {
            self.file = Some(writer.into_inner().map_err(|e| e.into_error())?);
        }
        let digest = self.hasher.clone().finalize();
        Ok(BodyDigest {
            sha256: digest.iter().map(|b| format!("{b:02x}")).collect(),
            bytes: self.len,
        })
    }

    /// Makes the bytes durable and moves the file to `to` (same filesystem). The caller
    /// fsyncs `to`'s directory.
    pub(crate) fn persist(mut self, to: &Path) -> io::Result<()> {
        self.seal()?;
        if let Some(file) = &self.file {
            file.sync_all()?;
        }
        std::fs::rename(&self.path, to)?;
        self.kept = true;
        Ok(())
    }
}

impl Write for Spool {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let writer = self
            .writer
            .as_mut()
            .ok_or_else(|| io::Error::other("the spool is sealed"))?;
        let n = writer.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.len += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        match self.writer.as_mut() {
            Some(writer) => writer.flush(),
            None => Ok(()),
        }
    }
}

impl Drop for Spool {
    fn drop(&mut self) {
        if !self.kept {
            drop(self.writer.take());
            if let Err(e) = std::fs::remove_file(&self.path)
                && e.kind() != io::ErrorKind::NotFound
            {
                tracing::warn!(path = %self.path.display(), error = %e, "cannot remove a spool file");
            }
        }
    }
}

/// Removes spool files left by crashed processes (a live one's are younger than an hour).
pub(crate) fn remove_stale(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|modified| modified.elapsed().ok())
            .is_some_and(|age| age > STALE_AFTER);
        if old {
            let path = entry.path();
            match std::fs::remove_file(&path) {
                Ok(()) => tracing::info!(path = %path.display(), "removed a stale spool file"),
                Err(e) => {
                    tracing::warn!(path = %path.display(), error = %e, "cannot remove a stale spool file")
                }
            }
        }
    }
}
