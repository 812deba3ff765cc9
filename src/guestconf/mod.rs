//! Guest network configuration files: one module per format, each with a writer (NIC model
//! → file) and, where we need to read guests back, a reader (file → what it configures).

pub mod ifcfg;

/// A file to put into the guest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuestFile {
    /// Absolute path inside the guest.
    pub path: String,
    /// Permission bits, e.g. 0o644.
    pub mode: u32,
    pub content: String,
}

impl GuestFile {
    /// The directory that must exist for the file to be written.
    pub fn dir(&self) -> &str {
        match self.path.rfind('/') {
            Some(0) | None => "/",
            Some(i) => &self.path[..i],
        }
    }
}
