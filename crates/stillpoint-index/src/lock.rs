//! The writer lock of an index directory, taken without opening the index: `stillpoint rebuild`
//! holds it over an index of any schema (an outdated one is the reason to rebuild) so that no
//! publication slips in while the replacement is built.

use std::path::{Path, PathBuf};

use tantivy::Directory;
use tantivy::directory::error::LockError;
use tantivy::directory::{DirectoryLock, INDEX_WRITER_LOCK, MmapDirectory};

use crate::error::{IndexError, Result};

/// Holds the writer lock of an index directory until dropped.
pub struct WriterLock {
    _lock: DirectoryLock,
    path: PathBuf,
}

impl std::fmt::Debug for WriterLock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WriterLock")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

/// Takes the writer lock of the index at `index_dir` (the directory holding `meta.json`), the
/// same lock a [`crate::PractitionerWriter`] holds; [`IndexError::Locked`] when a writer has it.
pub fn lock_index_dir(index_dir: &Path) -> Result<WriterLock> {
    let directory = MmapDirectory::open(index_dir)
        .map_err(|e| IndexError::Tantivy(tantivy::TantivyError::from(e)))?;
    let lock = directory
        .acquire_lock(&INDEX_WRITER_LOCK)
        .map_err(|e| match e {
            LockError::LockBusy => IndexError::Locked {
                path: index_dir.to_path_buf(),
            },
            LockError::IoError(source) => IndexError::Io {
                path: index_dir.to_path_buf(),
                source: std::io::Error::new(source.kind(), source.to_string()),
            },
        })?;
    Ok(WriterLock {
        _lock: lock,
        path: index_dir.to_path_buf(),
    })
}
